/** The DNS relay path from the gateway's side: the probe's outcome, explained. */
import { fail, ok, warn, type Finding } from './finding.js';
import { probeDnsPath, type NameProbe, type ProbeOutcome } from './dns-probe.js';
import { ResolverClient, type ResolverAddress } from '../relay/dns/resolver-client.js';

const CHECK = 'dns relay';

export interface DnsPathOptions {
  gatewayId: string;
  secret: Buffer;
  zone: string;
  resolver: ResolverAddress;
  timeoutMs: number;
}

/** A finding whose failure status is `fail`; the caller lowers it to `warn` if HTTP carries alerts. */
export async function checkDnsPath(options: DnsPathOptions): Promise<Finding> {
  const { zone } = options;
  const via = `${options.resolver.host}:${options.resolver.port}`;
  const { short, long } = await probeDnsPath(options);
  if (short.outcome.kind === 'acked' && long.outcome.kind === 'acked') {
    return ok(CHECK, `the console acknowledged authenticated test messages via resolver ${via} (names of ${short.nameLength} and ${long.nameLength} characters)`);
  }
  if (short.outcome.kind === 'acked') {
    return fail(
      CHECK,
      `resolver ${via} passes ${short.nameLength}-character names in ${zone} but not ${long.nameLength}-character ones (${describe(long)})`,
      `the resolver or a DNS firewall strips or blocks long names: allow names up to 253 characters under ${zone}, or point --resolver at one that passes them`,
    );
  }
  const outcome = short.outcome;
  switch (outcome.kind) {
    case 'timeout': {
      const answersOtherNames = await resolverAnswers(options.resolver, options.timeoutMs);
      return answersOtherNames
        ? fail(
            CHECK,
            `resolver ${via} answers other queries but drops every query in ${zone} (${describe(short)})`,
            `the resolver blackholes the canary zone (a DNS firewall, RPZ or forwarding rule): exempt ${zone} from it, or point --resolver at one that reaches the console`,
          )
        : fail(CHECK, `resolver ${via} does not answer at all (${describe(short)})`, `check the resolver address (--resolver IP:PORT, or /etc/resolv.conf) and that UDP 53 to it is allowed`);
    }
    case 'rcode':
      if (outcome.rcode === 'SERVFAIL') {
        return fail(CHECK, `resolver ${via} answers SERVFAIL for ${zone}: it cannot get an answer from the console's name server`, `check the delegation (NS ns1.${zone} and its glue A = the console's --public-ip) and that UDP and TCP 53 reach the console (run tripline doctor console there)`);
      }
      if (outcome.rcode === 'NXDOMAIN') {
        return fail(CHECK, `resolver ${via} says ${zone} does not exist (NXDOMAIN): the zone is not delegated to the console`, `add "${zone}. NS ns1.${zone}." and a glue A record in the parent zone, or a forward zone for ${zone} on the site resolver`);
      }
      if (outcome.rcode === 'REFUSED') {
        return fail(CHECK, `resolver ${via} refuses this host's queries (REFUSED)`, `allow this gateway in the resolver's access list, or point --resolver at the site resolver it may use`);
      }
      return fail(CHECK, `resolver ${via} answers ${outcome.rcode} for ${zone}`, `check the resolver's forwarding of ${zone} to the console`);
    case 'nodata':
      return fail(
        CHECK,
        `the console's name server answered via ${via} but did not acknowledge: it does not know this gateway (not enrolled there, revoked, another console) or is older than this doctor`,
        'enroll the gateway again on its console (tripline console enroll) and install the new enrollment file',
      );
    case 'foreign':
      return fail(CHECK, `answers for ${zone} via ${via} do not come from the console (A ${outcome.addresses.join(', ')})`, `a resolver or DNS filter rewrites answers (sinkhole, captive portal): exempt ${zone} from it`);
  }
}

export function describe(probe: NameProbe): string {
  return describeOutcome(probe.outcome, probe.queries);
}

function describeOutcome(outcome: ProbeOutcome, queries: number): string {
  switch (outcome.kind) {
    case 'acked':
      return 'acknowledged';
    case 'timeout':
      return `no reply to ${queries} ${queries === 1 ? 'query' : 'queries'}`;
    case 'rcode':
      return outcome.rcode;
    case 'nodata':
      return 'answered without the acknowledgement';
    case 'foreign':
      return `answered ${outcome.addresses.join(', ')}, not the console's acknowledgement`;
  }
}

/** Does the resolver answer anything at all? Asks for the root zone's SOA, which every resolver knows. */
async function resolverAnswers(resolver: ResolverAddress, timeoutMs: number): Promise<boolean> {
  const client = new ResolverClient(resolver, timeoutMs);
  try {
    await client.query('.', 'SOA');
    return true;
  } catch {
    return false;
  } finally {
    client.close();
  }
}
