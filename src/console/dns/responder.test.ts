import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { DnsResponder } from './responder.js';

const zone = 'canary.example.net';
const responder = new DnsResponder({ zones: [zone], publicIp: '203.0.113.10', onData: () => '1.2.3.4', onQuery: () => {}, onForged: () => {} });
const ask = (packet: Buffer) => dnsPacket.decode(responder.respond(packet, "udp") as Buffer) as unknown as dnsPacket.Packet & { rcode: string };
const query = (name: string, type: string, klass = 'IN') =>
  dnsPacket.encode({ type: 'query', id: 9, questions: [{ name, type, class: klass } as dnsPacket.Question] });

describe('authoritative responder', () => {
  it('answers ANY with the SOA alone (RFC 8482), so it reflects little', () => {
    const packet = query(zone, 'ANY');
    const reply = responder.respond(packet, 'udp') as Buffer;
    expect(dnsPacket.decode(reply).answers?.map((a) => a.type)).toEqual(['SOA']);
    expect(reply.length).toBeLessThan(packet.length * 4);
  });

  it('refuses zone transfers and other classes', () => {
    expect(ask(query(zone, 'AXFR')).rcode).toBe('NOTIMP');
    expect(ask(query(zone, 'SOA', 'CH')).rcode).toBe('REFUSED');
  });

  it('answers FORMERR to a name that does not survive decoding (non-ASCII bytes)', () => {
    const packet = query(`ab.${zone}`, 'A');
    packet[13] = 0xff; // inside the first label
    const reply = ask(packet);
    expect(reply.rcode).toBe('FORMERR');
    expect(reply.questions ?? []).toEqual([]);
  });

  it('stays silent for responses and headerless junk', () => {
    const response = query(zone, 'SOA');
    response[2]! |= 0x80;
    expect(responder.respond(response, 'udp')).toBeUndefined();
    expect(responder.respond(Buffer.from([1, 2, 3]), 'udp')).toBeUndefined();
  });
});
