// Peer for bench/opcua-footprint.ts: a bare node-opcua server started the way the gateway starts
// its decoy (same security policies and modes, one variable per profile point), nothing else.
// Usage: node bare-opcua-server.mjs PORT POINTS
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setWarningLogger, setErrorLogger } from 'node-opcua-debug';

setWarningLogger(() => {});
setErrorLogger(() => {});
const { OPCUAServer, OPCUACertificateManager, SecurityPolicy, MessageSecurityMode, DataType, Variant } = await import('node-opcua');
const [portArg = '4841', pointsArg = '43'] = process.argv.slice(2);
const started = Date.now();
const certificates = new OPCUACertificateManager({ rootFolder: join(mkdtempSync(join(tmpdir(), 'bare-opcua-')), 'pki'), automaticallyAcceptUnknownCertificate: true });
const server = new OPCUAServer({
  port: Number(portArg),
  host: '127.0.0.1',
  serverCertificateManager: certificates,
  securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256],
  securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
});
await server.initialize();
const namespace = server.engine.addressSpace.getOwnNamespace();
const device = namespace.addObject({ organizedBy: server.engine.addressSpace.rootFolder.objects, browseName: 'Device' });
for (let i = 0; i < Number(pointsArg); i++) {
  let value = 0;
  namespace.addVariable({ componentOf: device, browseName: `P${i}`, dataType: 'Double', value: { get: () => new Variant({ dataType: DataType.Double, value }), set: (v) => ((value = v.value), 0) } });
}
await server.start();
console.log(`listening ${Date.now() - started}`);
