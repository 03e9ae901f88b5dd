/**
 * Response encoding with name compression for records owned by the question name. dns-packet
 * does not compress, and a data name is ~250 characters: written twice it would overflow the
 * 512 bytes a resolver without EDNS accepts (RFC 1035 §4.1.4 pointers fix that).
 */
import dnsPacket, { type Answer, type Question } from 'dns-packet';

/** Offset of the question name in every DNS message: right after the 12-byte header. */
const QUESTION_POINTER = Buffer.from([0xc0, 0x0c]);

type RecordCodec = { encode(record: Answer): Buffer };
const record = (dnsPacket as unknown as { answer: RecordCodec }).answer;

export interface ResponseParts {
  id: number;
  flags: number;
  question: Question;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

export function encodeResponse(parts: ResponseParts): Buffer {
  const head = dnsPacket.encode({ id: parts.id, type: 'response', flags: parts.flags, questions: [parts.question] });
  const owned = (a: Answer) =>
    a.name === parts.question.name ? Buffer.concat([QUESTION_POINTER, record.encode({ ...a, name: '.' }).subarray(1)]) : record.encode(a);
  const sections = [parts.answers, parts.authorities, parts.additionals].map((list) => list.map(owned));
  head.writeUInt16BE(parts.answers.length, 6);
  head.writeUInt16BE(parts.authorities.length, 8);
  head.writeUInt16BE(parts.additionals.length, 10);
  return Buffer.concat([head, ...sections.flat()]);
}
