/** A port a service needs: free, held by the service itself (fine), or held by whom. */
import { fail, ok, warn, type Finding } from './finding.js';
import { describeHolders, holdsFile, portHolders, tryBind, type PortHolder, type Proto } from './port-check.js';

export interface PortCheck {
  check: string;
  host: string;
  port: number;
  proto: Proto;
  /** A file only the service itself keeps open (its database): a holder with it open is the service. */
  ownFile?: string;
  owner: string;
  /** The option that chooses another port. */
  option: string;
  /** Extra advice for a holder, e.g. systemd-resolved on 53. */
  advise?: (holders: PortHolder[]) => string | undefined;
}

export async function checkPort(c: PortCheck): Promise<Finding> {
  const where = `${c.host}:${c.port}/${c.proto}`;
  const bound = await tryBind(c.host, c.port, c.proto);
  if (bound.ok) return ok(c.check, `${where} is free`);
  if (bound.code === 'EADDRINUSE') {
    const holders = portHolders(c.port, c.proto);
    const self = c.ownFile ? holders.find((h) => holdsFile(h.pid, c.ownFile!)) : undefined;
    if (self) return ok(c.check, `${where} is held by ${c.owner} (${self.command}, pid ${self.pid})`);
    return fail(c.check, `${where} is in use by ${describeHolders(holders)}`, c.advise?.(holders) ?? `stop that service, or choose another port with ${c.option}`);
  }
  if (bound.code === 'EACCES') {
    return warn(c.check, `${where}: this user may not bind ports below 1024`, 'fine under the systemd unit (it grants CAP_NET_BIND_SERVICE); otherwise run the doctor as root to test the port');
  }
  if (bound.code === 'EADDRNOTAVAIL') return fail(c.check, `${where}: ${c.host} is not an address of this machine`, 'listen on an address this machine has (ip -brief address), or 0.0.0.0');
  return fail(c.check, `${where}: ${bound.message}`, `choose another port with ${c.option}`);
}
