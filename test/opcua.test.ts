/**
 * The OPC UA decoy with node-opcua's own client: every service is a hit at the console, the tag
 * store is shared with Modbus, the identity is the profile's (none of the library's), planted
 * credentials raise critical hits, and probes and crowds are handled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPCUAClient, AttributeIds, MessageSecurityMode, SecurityPolicy, DataType, UserTokenType, ClientSubscription, TimestampsToReturn, StatusCodes, type ClientSession } from 'node-opcua';
import { startStack, type Stack } from './helpers/stack.js';
import { modbusClient } from './helpers/modbus.js';
import { waitFor } from './helpers/net.js';
import type { StoredHit } from '../src/console/store.js';

let stack: Stack;
let url: string;
const ROOT = 'LS07_LIFT_STATION';

beforeAll(async () => {
  stack = await startStack({ opcua: true });
  url = `opc.tcp://127.0.0.1:${stack.gateway.opcua!.port}`;
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

async function withSession<T>(fn: (session: ClientSession) => Promise<T>, security: { policy: SecurityPolicy; mode: MessageSecurityMode } = { policy: SecurityPolicy.None, mode: MessageSecurityMode.None }, user?: { userName: string; password: string }): Promise<T> {
  const client = OPCUAClient.create({ applicationName: 'ProbeClient', endpointMustExist: false, securityPolicy: security.policy, securityMode: security.mode, connectionStrategy: { maxRetry: 0 } });
  await client.connect(url);
  try {
    const session = await client.createSession(user ? { type: UserTokenType.UserName, ...user } : undefined);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}

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
        const call = await session.call({ objectId: `ns=1;s=${ROOT}.Alarm`, methodId: `ns=1;s=${ROOT}.Alarm.ResetAlarms`, inputArguments: [] });
        expect(call.statusCode).toEqual(StatusCodes.Good);
      }, security);
    }
    // Modbus sees the OPC UA write: holding register 0 holds the start level in centimetres.
    const modbus = await modbusClient(stack.gateway.modbusPort);
    expect((await modbus.readHoldingRegisters(0, 1)).data).toEqual([225]);
    expect((await modbus.readCoils(2, 1)).data[0]).toBe(true);
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
    expect((session as StoredHit & { attributes: Record<string, unknown> }).attributes).toMatchObject({ clientName: 'ProbeClient' });
    const [call] = await opcuaHits('Call');
    expect(call!.points).toEqual(['method:ResetAlarms']);
  }, 60_000);
});
