import { OPCUAServer, OPCUAClient, SecurityPolicy, MessageSecurityMode, DataType, Variant, OPCUACertificateManager, AttributeIds } from 'node-opcua';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
const dir = mkdtempSync(join(tmpdir(), 'ua-'));
const cm = new OPCUACertificateManager({ rootFolder: join(dir, 'pki'), automaticallyAcceptUnknownCertificate: true });
const server = new OPCUAServer({ port: 14840, hostname: 'plc-7', serverCertificateManager: cm, allowAnonymous: true,
  buildInfo: { productName: 'Modicon', manufacturerName: 'Schneider', productUri: 'urn:x', softwareVersion: '1.6', buildNumber: '42', buildDate: new Date('2023-01-01') },
  serverInfo: { applicationName: { text: 'M221 OPC UA' }, applicationUri: 'urn:schneider:m221:123', productUri: 'urn:schneider:m221' },
  securityPolicies: [SecurityPolicy.None, SecurityPolicy.Basic256Sha256], securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
});
const t0 = Date.now();
await server.initialize();
console.log('init ms', Date.now() - t0);
server.on('request', (req: any, ch: any) => console.log('REQ', req.schema.name, ch?.remoteAddress, ch?.remotePort));
const ep: any = server.endpoints[0];
console.log(Object.keys(ep).filter(k=>k.startsWith('_')).join(','), typeof ep.on);
await server.start();
console.log('url', server.getEndpointUrl());
const client = OPCUAClient.create({ endpointMustExist: false, applicationName: 'probe' });
await client.connect('opc.tcp://127.0.0.1:14840');
const eps = await client.getEndpoints();
console.log(JSON.stringify(eps[0].server.applicationName), eps.map(e=>e.endpointUrl+ ' '+e.securityPolicyUri).join('\n'));
const s = await client.createSession();
const bi = await s.read({ nodeId: 'i=2260', attributeId: AttributeIds.Value });
console.log(JSON.stringify(bi.value.value));
const ss = await s.read({ nodeId: 'i=2256', attributeId: AttributeIds.Value });
console.log(JSON.stringify(ss.value.value).slice(0, 600));
await s.close(); await client.disconnect(); await server.shutdown();
