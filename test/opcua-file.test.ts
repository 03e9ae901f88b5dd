/**
 * A stamped firmware stub offered as an OPC UA file under the decoy PLC: node-opcua's client opens
 * and reads it as an engineering tool would; the console gets a red incident tagged Program
 * Upload (T0845), and the copy read carries its own DNS token, which alerts with its memo.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DataType, StatusCodes, type ClientSession } from 'node-opcua';
import { withOpcuaSession } from './helpers/opcua.js';
import dnsPacket from 'dns-packet';
import { startStack, ZONE, type Stack } from './helpers/stack.js';
import { waitFor } from './helpers/net.js';
import { queryUdp } from './helpers/fake-dns.js';
import { TokenStore } from '../src/console/tokens/token-store.js';
import { loadStubs, templateOf } from '../src/stubs/manifest.js';
import { plantStub } from '../src/stubs/plant.js';
import { verifyImage } from '../src/stubs/firmware.js';
import type { StoredHit } from '../src/console/store.js';

const ROOT = 'LS07_LIFT_STATION';
let stack: Stack;
let planted: { bytes: Buffer; hostname: string; name: string };

beforeAll(async () => {
  // Stamped at the console (which registers its tokens) before the gateway starts offering it.
  stack = await startStack({
    dns: true,
    opcua: true,
    opcuaFiles: (console_) => {
      const stub = loadStubs().find((s) => s.name === 'plc-firmware')!;
      const made = plantStub(stub, templateOf(stub), { tokens: new TokenStore(console_.store.db), settings: { zone: ZONE, publicUrl: console_.url }, memo: 'offered on LS07 OPC UA', set: {} });
      planted = { bytes: made.bytes, hostname: made.tokens.find((t) => t.hostname)!.hostname!, name: stub.plantAs };
      return [{ name: planted.name, bytes: planted.bytes }];
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const withSession = <T>(fn: (session: ClientSession) => Promise<T>): Promise<T> =>
  withOpcuaSession(`opc.tcp://127.0.0.1:${stack.gateway.opcua!.port}`, fn, { applicationName: 'UaExpert' });

it('reading the firmware file node is a hit tagged T0845, and the copy read carries a live token', async () => {
  const fileId = `ns=1;s=${ROOT}.Files.${planted.name}`;
  const read = await withSession(async (session) => {
    const children = await session.browse(fileId);
    const method = (name: string) => children.references!.find((r) => r.browseName.name === name)!.nodeId;
    const size = await session.read({ nodeId: children.references!.find((r) => r.browseName.name === 'Size')!.nodeId, attributeId: 13 });
    expect(Number((size.value.value as number[])[1])).toBe(planted.bytes.length);
    const opened = await session.call({ objectId: fileId, methodId: method('Open'), inputArguments: [{ dataType: DataType.Byte, value: 1 }] });
    expect(opened.statusCode).toBe(StatusCodes.Good);
    const handle = opened.outputArguments![0]!.value as number;
    const chunks: Buffer[] = [];
    for (;;) {
      const r = await session.call({ objectId: fileId, methodId: method('Read'), inputArguments: [{ dataType: DataType.UInt32, value: handle }, { dataType: DataType.Int32, value: 32_768 }] });
      const chunk = r.outputArguments![0]!.value as Buffer | null;
      if (!chunk || chunk.length === 0) break;
      chunks.push(chunk);
    }
    // Writing is refused: it is a read-only file.
    const write = await session.call({ objectId: fileId, methodId: method('Open'), inputArguments: [{ dataType: DataType.Byte, value: 2 }] });
    expect(write.statusCode).toBe(StatusCodes.BadNotWritable);
    await session.call({ objectId: fileId, methodId: method('Close'), inputArguments: [{ dataType: DataType.UInt32, value: handle }] });
    return Buffer.concat(chunks);
  });
  expect(read.equals(planted.bytes)).toBe(true);
  expect(verifyImage(read).ok).toBe(true);

  const fileHits = await waitFor(async () => {
    const hits = (await stack.hits('?limit=1000')) as (StoredHit & { service?: string })[];
    return hits.some((h) => h.service === 'FileRead') ? hits : undefined;
  }, 10_000, 'the FileRead hit');
  expect(fileHits.find((h) => h.service === 'FileRead')).toMatchObject({ protocol: 'opcua', points: [`file:${planted.name}/Read`] });
  const incidents = await waitFor(async () => {
    const list = ((await (await stack.api('/api/v1/incidents')).json()) as { incidents: { kind: string; counts: Record<string, number>; classification: string; techniques: { id: string }[] }[] }).incidents;
    const hit = list.find((i) => i.kind === 'intrusion' && i.counts.FileRead);
    return hit?.techniques.some((t) => t.id === 'T0845') ? hit : undefined;
  }, 10_000, 'an incident tagged T0845');
  expect(incidents.classification).toBe('red');

  // The copy the intruder took phones home when its update server is looked up.
  const host = /[a-z2-7]{25}\.canary\.example\.net/.exec(read.toString('latin1'))![0];
  expect(host).toBe(planted.hostname);
  await queryUdp(stack.console.dnsPort!, dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: host }] }));
  const [hit] = await waitFor(() => {
    const hits = stack.console.tokens.tokens.hits({ limit: 10, tokenId: host.split('.')[0] });
    return hits.length ? hits : undefined;
  }, 5_000, 'the token hit');
  expect(hit).toMatchObject({ memo: 'offered on LS07 OPC UA', alerted: true });
}, 60_000);
