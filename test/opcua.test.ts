/**
 * The OPC UA decoy with node-opcua's own client: every service is a hit at the console, the tag
 * store is shared with Modbus, the identity is the profile's (none of the library's), planted
 * credentials raise critical hits, and probes and crowds are handled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPCUAClient, AttributeIds, MessageSecurityMode, SecurityPolicy, DataType, UserTokenType, ClientSubscription, TimestampsToReturn, StatusCodes, type ClientSession } from 'node-opcua';
import { startStack, type Stack } from './helpers/stack.js';
import { withOpcuaSession } from './helpers/opcua.js';
import { modbusClient } from './helpers/modbus.js';
import { waitFor } from './helpers/net.js';
import type { StoredHit } from '../src/console/store.js';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { pino } from 'pino';
import { runAsync, CLI } from './helpers/cli.js';

let stack: Stack;
let url: string;
const ROOT = 'LS07_LIFT_STATION';

const logDir = mkdtempSync(join(tmpdir(), 'tripline-opcua-log-'));
const logFile = join(logDir, 'gateway.log');

beforeAll(async () => {
  stack = await startStack({ opcua: true, gatewayLog: pino({ level: 'debug' }, pino.destination({ dest: logFile, sync: true })) });
  url = `opc.tcp://127.0.0.1:${stack.gateway.opcua!.port}`;
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const withSession = <T>(fn: (session: ClientSession) => Promise<T>, security?: { policy: SecurityPolicy; mode: MessageSecurityMode }, user?: { userName: string; password: string }): Promise<T> =>
  withOpcuaSession(url, fn, { security, user });

const opcuaHits = async (service: string, where: (h: StoredHit) => boolean = () => true) =>
  (await stack.hits('?limit=1000')).filter((h) => h.protocol === 'opcua' && (h as StoredHit & { service?: string }).service === service && where(h));

describe('OPC UA decoy', () => {
  it('browses, reads, writes, subscribes and calls a method; each is a hit; the write is read back over Modbus', async () => {
    const securities = [
      { policy: SecurityPolicy.None, mode: MessageSecurityMode.None },
      { policy: SecurityPolicy.Basic256Sha256, mode: MessageSecurityMode.SignAndEncrypt },
    ];
    for (const [i, security] of securities.entries()) {
      await withSession(async (session) => {
        const browse = await session.browse(`ns=1;s=${ROOT}`);
        expect(browse.references!.map((r) => r.browseName.name)).toEqual(expect.arrayContaining(['LS', 'Pump1', 'Alarm', 'WetWell']));
        const start = await session.read({ nodeId: `ns=1;s=${ROOT}.LS.PumpStartLevel`, attributeId: AttributeIds.Value });
        expect(start.value.value).toBeCloseTo(i === 0 ? 1.8 : 2.0, 5);
        const written = await session.write({ nodeId: `ns=1;s=${ROOT}.LS.PumpStartLevel`, attributeId: AttributeIds.Value, value: { value: { dataType: DataType.Float, value: 2.0 + 0.25 * i } } });
        expect(written).toEqual(StatusCodes.Good);
        const subscription = ClientSubscription.create(session, { requestedPublishingInterval: 100, requestedMaxKeepAliveCount: 10, publishingEnabled: true });
        await subscription.monitor({ nodeId: `ns=1;s=${ROOT}.WetWell.Level`, attributeId: AttributeIds.Value }, { samplingInterval: 100, queueSize: 1 }, TimestampsToReturn.Both);
        await subscription.terminate();
        const call = await session.call({ objectId: `ns=1;s=${ROOT}.Pump1`, methodId: `ns=1;s=${ROOT}.Pump1.StartPump1`, inputArguments: [] });
        expect(call.statusCode).toEqual(StatusCodes.Good);
      }, security);
    }
    // Modbus sees the OPC UA write: holding register 0 holds the start level in centimetres.
    const modbus = await modbusClient(stack.gateway.modbusPort);
    expect((await modbus.readHoldingRegisters(0, 1)).data).toEqual([225]);
    expect((await modbus.readCoils(0, 1)).data[0]).toBe(true); // Pump1.RunCommand, set by the method
    modbus.close(() => {});

    const writes = await waitFor(async () => {
      const list = await opcuaHits('Write');
      return list.length >= 2 ? list : undefined;
    }, 10_000, 'OPC UA write hits');
    expect(writes.map((w) => w.values).sort()).toEqual([[2], [2.25]]);
    expect(writes[0]).toMatchObject({ src: { ip: '127.0.0.1' }, outcome: 'ok', points: ['LS.PumpStartLevel'] });
    for (const service of ['CreateSession', 'ActivateSession', 'Browse', 'Read', 'CreateSubscription', 'CreateMonitoredItems', 'Call', 'GetEndpoints']) {
      expect((await opcuaHits(service)).length, service).toBeGreaterThanOrEqual(1);
    }
    const [session] = await opcuaHits('CreateSession');
    const secured = (await opcuaHits('CreateSession')).map((h) => (h as StoredHit & { attributes: Record<string, unknown> }).attributes).find((a) => a.certThumbprint);
    expect(secured).toMatchObject({ clientName: 'ProbeClient', certThumbprint: expect.stringMatching(/^[0-9a-f]{40}$/), certUri: expect.stringMatching(/^urn:/) });
    expect((session as StoredHit & { attributes: Record<string, unknown> }).attributes).toMatchObject({ clientName: 'ProbeClient' });
    const [call] = await opcuaHits('Call');
    expect(call!.points).toEqual(['method:StartPump1']);
  }, 60_000);
});

const LIBRARY = /node-?opcua|sterfive|etienne/i;

/** Everything a client learns about the server's identity, as text (the certificate's DER as latin1). */
async function identityOf(endpointUrl: string) {
  const client = OPCUAClient.create({ applicationName: 'ProbeClient', endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
  await client.connect(endpointUrl);
  try {
    const endpoints = await client.getEndpoints();
    const session = await client.createSession();
    try {
      const [buildInfo, status, namespaces, servers] = await session.read(['i=2260', 'i=2256', 'i=2255', 'i=2254'].map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value })));
      const certificate = endpoints[0]!.serverCertificate!;
      return {
        buildInfo: buildInfo!.value.value as Record<string, unknown>,
        texts: JSON.stringify({ endpoints, status: status!.value.value, namespaces: namespaces!.value.value, servers: servers!.value.value, buildInfo: buildInfo!.value.value }),
        certificate: Buffer.from(certificate),
        applicationUri: endpoints[0]!.server.applicationUri!,
        endpointUrls: endpoints.map((e) => e.endpointUrl),
      };
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}

describe('OPC UA identity', () => {
  it('shows the profile vendor and no library default, per deployment, stable across restarts', async () => {
    const first = await identityOf(url);
    expect(first.buildInfo).toMatchObject({ manufacturerName: 'Schneider Electric', productName: 'Modicon M221', softwareVersion: 'V1.6.2.6' });
    expect(first.texts).not.toMatch(LIBRARY);
    expect(first.certificate.toString('latin1')).not.toMatch(LIBRARY);
    expect(first.certificate.toString('latin1')).toContain('Schneider Electric');
    // The endpoint names the device's host name, never loopback or this machine's name.
    for (const endpointUrl of first.endpointUrls) expect(endpointUrl).toMatch(/^opc\.tcp:\/\/tm221ce24r-[0-9a-z]{6}:\d+$/);
    // Where the library would put this machine's name by default: endpoint URLs and the application URI.
    const machine = (await import('node:os')).hostname().toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect([...first.endpointUrls, first.applicationUri].join(' ').toLowerCase()).not.toMatch(new RegExp(`(^|[/:.\\s])${machine}([:./\\s]|$)`));

    // Restarted on the same data directory: the same serial and certificate.
    await stack.stopGateway();
    await stack.startGateway();
    const again = await identityOf(url);
    expect(again.applicationUri).toBe(first.applicationUri);
    expect(again.certificate.equals(first.certificate)).toBe(true);

    // Another deployment of the same profile: a different serial and certificate.
    const other = await startStack({ opcua: true });
    try {
      const second = await identityOf(`opc.tcp://127.0.0.1:${other.gateway.opcua!.port}`);
      expect(second.applicationUri).not.toBe(first.applicationUri);
      expect(second.certificate.equals(first.certificate)).toBe(false);
      expect(second.buildInfo).toMatchObject({ manufacturerName: 'Schneider Electric' });
    } finally {
      await other.stop();
    }
  }, 90_000);
});

describe('OPC UA credential canaries', () => {
  it('raises a critical hit carrying the memo for a planted login, records a wrong password, keeps no password in clear', async () => {
    const out = join(logDir, 'ls07.uaprofile');
    const made = await runAsync(process.execPath, [CLI, 'gateway', 'credential', 'new', '--data', join(stack.dir, 'gateway'), '--memo', 'EWS-2 desktop, UaExpert folder', '--out', out, '--opcua-port', String(stack.gateway.opcua!.port)]);
    expect(made.status, made.stderr).toBe(0);
    const profile = readFileSync(out, 'utf8');
    const userName = /^UserName=(.+)$/m.exec(profile)![1]!;
    const password = /^Password=(.+)$/m.exec(profile)![1]!;
    expect(profile).toMatch(/^EndpointUrl=opc\.tcp:\/\/tm221ce24r-[0-9a-z]{6}:\d+$/m);

    const secure = { policy: SecurityPolicy.Basic256Sha256, mode: MessageSecurityMode.SignAndEncrypt };
    const value = await withSession((session) => session.read({ nodeId: `ns=1;s=${ROOT}.Station.Name`, attributeId: AttributeIds.Value }), secure, { userName, password });
    expect(value.statusCode).toEqual(StatusCodes.Good);
    const wrong = 'Wr0ngGuess-' + password.slice(0, 4);
    await expect(withSession(async () => undefined, secure, { userName, password: wrong })).rejects.toThrow(/BadUserAccessDenied|Access/i);

    const logins = await waitFor(async () => {
      const list = await opcuaHits('ActivateSession', (h) => (h as StoredHit & { attributes?: Record<string, unknown> }).attributes?.user === userName);
      return list.length >= 2 ? list : undefined;
    }, 10_000, 'login hits');
    const attributes = logins.map((h) => (h as StoredHit & { attributes: Record<string, unknown> }).attributes);
    const canary = logins[attributes.findIndex((a) => a.credential === 'canary')]!;
    expect(canary.outcome).toBe('ok');
    expect((canary as StoredHit & { attributes: Record<string, unknown> }).attributes.memo).toBe('EWS-2 desktop, UaExpert folder');
    const refused = logins[attributes.findIndex((a) => a.credential === 'wrong-password')]!;
    expect(refused.outcome).toBe('exception');
    expect(refused.detail).toMatch(/BadUserAccessDenied/);
    const incidents = ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: { kind: string; severity: string }[] }).incidents;
    expect(incidents.find((i) => i.kind === 'intrusion')!.severity).toBe('critical');

    // Neither password in clear anywhere: both SQLite databases (and their WALs) and the log.
    const files = [logFile, ...['gateway', 'console'].flatMap((d) => readdirSync(join(stack.dir, d)).filter((f) => f.endsWith('.db') || f.endsWith('-wal')).map((f) => join(stack.dir, d, f)))];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const bytes = readFileSync(file).toString('latin1');
      expect(bytes.includes(password), file).toBe(false);
      expect(bytes.includes(wrong), file).toBe(false);
    }
  }, 60_000);
});

describe('OPC UA robustness', () => {
  it('answers an HTTP request on the OPC UA port with an error and a close, records it, and keeps serving', async () => {
    const reply = await new Promise<{ data: Buffer; closed: boolean }>((resolve) => {
      const socket = net.connect(stack.gateway.opcua!.port, '127.0.0.1', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
      const chunks: Buffer[] = [];
      socket.on('data', (d) => chunks.push(d));
      socket.on('error', () => {});
      socket.on('close', () => resolve({ data: Buffer.concat(chunks), closed: true }));
      setTimeout(() => socket.destroy(), 5_000);
    });
    expect(reply.closed).toBe(true);
    expect(reply.data.subarray(0, 3).toString('latin1')).toBe('ERR');
    expect(reply.data.toString('latin1')).not.toMatch(LIBRARY);
    const probe = await waitFor(async () => (await opcuaHits('Connect')).find((h) => h.raw?.startsWith(Buffer.from('GET /').toString('hex'))), 10_000, 'the probe hit');
    expect(probe.outcome).toBe('malformed');
    await withSession((session) => session.read({ nodeId: 'i=2256', attributeId: AttributeIds.Value }));
  }, 30_000);

  it('holds 50 concurrent sessions; the 11th is not refused', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, async () => {
      const client = OPCUAClient.create({ applicationName: 'ProbeClient', endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
      await client.connect(url);
      return { client, session: await client.createSession() };
    }));
    try {
      const values = await Promise.all(clients.map(({ session }) => session.read({ nodeId: `ns=1;s=${ROOT}.WetWell.Level`, attributeId: AttributeIds.Value })));
      expect(values.every((v) => v.statusCode.isGood())).toBe(true);
    } finally {
      await Promise.all(clients.map(async ({ client, session }) => {
        await session.close().catch(() => {});
        await client.disconnect();
      }));
    }
  }, 60_000);
});

describe('OPC UA transport limits', () => {
  it('refuses a message larger than it agreed to, with bounded memory, and keeps serving', async () => {
    const port = stack.gateway.opcua!.port;
    const endpoint = Buffer.from(`opc.tcp://127.0.0.1:${port}`);
    // HEL asking for 2 GiB buffers and messages, then one chunk header announcing 256 MiB.
    const hel = Buffer.alloc(32 + endpoint.length);
    hel.write('HELF', 0, 'latin1');
    hel.writeUInt32LE(hel.length, 4);
    hel.writeUInt32LE(0, 8);
    hel.writeUInt32LE(0x7fffffff, 12);
    hel.writeUInt32LE(0x7fffffff, 16);
    hel.writeUInt32LE(0x7fffffff, 20);
    hel.writeUInt32LE(0, 24);
    hel.writeInt32LE(endpoint.length, 28);
    endpoint.copy(hel, 32);
    const flood = Buffer.alloc(8);
    flood.write('MSGC', 0, 'latin1');
    flood.writeUInt32LE(256 * 1024 * 1024, 4);
    const before = process.memoryUsage().rss;
    const result = await new Promise<{ ack: Buffer | null; closed: boolean }>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(hel));
      let ack: Buffer | null = null;
      socket.on('data', (d) => {
        if (!ack) {
          ack = d;
          socket.write(flood);
          const junk = Buffer.alloc(64 * 1024, 0x41);
          for (let i = 0; i < 64 && !socket.destroyed; i++) socket.write(junk);
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve({ ack, closed: true }));
      setTimeout(() => socket.destroy(), 10_000);
    });
    expect(result.ack?.subarray(0, 3).toString('latin1')).toBe('ACK');
    // The limits it agreed to are ours, not the client's.
    expect(result.ack!.readUInt32LE(20)).toBeLessThanOrEqual(1 << 20);
    expect(result.closed).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    await withSession((session) => session.read({ nodeId: 'i=2256', attributeId: AttributeIds.Value }));
  }, 30_000);
});
