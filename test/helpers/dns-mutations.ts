/** Hostile DNS packets for fuzzing: mutations of valid queries, and plain noise. Deterministic per seed. */
import dnsPacket, { type Answer } from 'dns-packet';

/** Small fast PRNG (mulberry32), so a failing run can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedQueries(zone: string, gwLabel: string): Buffer[] {
  const opt = { type: 'OPT', name: '.', udpPayloadSize: 4096, flags: 0, options: [] } as unknown as Answer;
  const q = (name: string, type: 'A' | 'SOA' | 'NS' | 'TXT' | 'AAAA', edns = false) =>
    dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }], additionals: edns ? [opt] : [] });
  const data = `${'a'.repeat(63)}.${'b'.repeat(63)}.3${'c'.repeat(40)}.${gwLabel}.${zone}`;
  return [q(zone, 'SOA'), q(zone, 'NS', true), q(`ns1.${zone}`, 'A'), q(`${gwLabel}.${zone}`, 'A'), q(data, 'A', true), q(data, 'TXT'), q('example.org', 'A'), q(`x.${zone}`, 'AAAA', true)];
}

export function mutate(seed: Buffer, rand: () => number): Buffer {
  const pick = (n: number) => Math.floor(rand() * n);
  const out = Buffer.from(seed);
  switch (pick(8)) {
    case 0: // flip bits
      for (let i = 0, n = 1 + pick(8); i < n; i++) out[pick(out.length)]! ^= 1 << pick(8);
      return out;
    case 1: // truncate
      return out.subarray(0, pick(out.length));
    case 2: // append noise
      return Buffer.concat([out, randomBytes(pick(600), rand)]);
    case 3: // extreme section counts
      out.writeUInt16BE([0, 1, 2, 0xffff][pick(4)]!, 4 + 2 * pick(4));
      return out;
    case 4: // compression pointer loops and pointers past the end
      if (out.length > 14) out.writeUInt16BE([0xc00c, 0xc000, 0xffff, 0xc000 | (out.length + 5)][pick(4)]!, 12 + pick(out.length - 13));
      return out;
    case 5: // oversized label lengths
      out[12 + pick(Math.max(1, out.length - 12))] = 0x3f + pick(0xc0);
      return out;
    case 6: // response and odd opcode bits
      out[2] = pick(256);
      return out;
    default: // plain noise
      return randomBytes(pick(700), rand);
  }
}

function randomBytes(n: number, rand: () => number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}
