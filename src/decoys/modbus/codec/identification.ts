/**
 * Device identity: FC 17 Report Server ID (§6.13) and FC 43 / MEI 14 Read Device
 * Identification (§6.21). Scanners (nmap modbus-discover, plcscan) read exactly these.
 */
import { ExceptionCode, MAX_PDU_LENGTH, MEI_READ_DEVICE_ID } from './constants.js';
import { expectLength, invalid } from './validate.js';
import type { DecodeResult } from './request.js';

export function decodeReportServerId(pdu: Buffer): DecodeResult {
  return expectLength(pdu, 1) ?? { kind: 'reportServerId', functionCode: 0x11 };
}

export function encodeReportServerIdResponse(serverId: Buffer, running: boolean, additional: Buffer): Buffer {
  // Byte count is one byte; keep the whole PDU inside 253 bytes.
  const extra = additional.subarray(0, MAX_PDU_LENGTH - 3 - serverId.length);
  const body = Buffer.concat([serverId, Buffer.from([running ? 0xff : 0x00]), extra]);
  return Buffer.concat([Buffer.from([0x11, body.length]), body]);
}

/** Read Device ID codes, §6.21 table: 01 basic, 02 regular, 03 extended stream, 04 one object. */
export const ReadDeviceIdCode = { Basic: 1, Regular: 2, Extended: 3, Individual: 4 } as const;

export function decodeEncapsulatedInterface(pdu: Buffer): DecodeResult {
  if (pdu.length < 2) return invalid(0x2b, ExceptionCode.IllegalDataValue, 'PDU carries no MEI type');
  const meiType = pdu[1]!;
  // Other MEI types (13: CANopen general reference) are not implemented by the imitated devices.
  if (meiType !== MEI_READ_DEVICE_ID) return invalid(0x2b, ExceptionCode.IllegalFunction, `MEI type ${meiType} not supported`);
  const bad = expectLength(pdu, 4);
  if (bad) return bad;
  const readCode = pdu[2]!;
  if (readCode < 1 || readCode > 4) return invalid(0x2b, ExceptionCode.IllegalDataValue, `read device id code ${readCode} not in 1..4`);
  return { kind: 'readDeviceId', functionCode: 0x2b, readCode, objectId: pdu[3]! };
}

/** Highest object id each stream category covers (§6.21: basic 0–2, regular 0–0x7F, extended 0–0xFF). */
function lastObjectOf(readCode: number): number {
  return readCode === 1 ? 0x02 : readCode === 2 ? 0x7f : 0xff;
}

export type DeviceIdReply = { ok: true; pdu: Buffer } | { ok: false; exceptionCode: ExceptionCode; reason: string };

/**
 * Builds the reply from the device's objects. Stream reads start at the requested object (an
 * unknown one restarts at object 0) and stop before the PDU would overflow, setting "more
 * follows" and the next object id so the client can continue.
 */
export function encodeReadDeviceIdResponse(
  readCode: number,
  requestedObject: number,
  conformityLevel: number,
  objects: ReadonlyMap<number, Buffer>,
): DeviceIdReply {
  const header = (more: boolean, next: number, count: number) =>
    Buffer.from([0x2b, MEI_READ_DEVICE_ID, readCode, conformityLevel, more ? 0xff : 0x00, next, count]);

  if (readCode === ReadDeviceIdCode.Individual) {
    const value = objects.get(requestedObject);
    if (!value) return { ok: false, exceptionCode: ExceptionCode.IllegalDataAddress, reason: `no device id object ${requestedObject}` };
    const clipped = value.subarray(0, MAX_PDU_LENGTH - 7 - 2);
    return { ok: true, pdu: Buffer.concat([header(false, 0, 1), Buffer.from([requestedObject, clipped.length]), clipped]) };
  }

  const last = lastObjectOf(readCode);
  const ids = [...objects.keys()].filter((id) => id <= last).sort((a, b) => a - b);
  let start = requestedObject;
  if (!objects.has(start) || start > last) start = 0;
  const parts: Buffer[] = [];
  let size = 7;
  let count = 0;
  for (const id of ids) {
    if (id < start) continue;
    const value = objects.get(id)!.subarray(0, MAX_PDU_LENGTH - 7 - 2);
    if (size + 2 + value.length > MAX_PDU_LENGTH) {
      return { ok: true, pdu: Buffer.concat([header(true, id, count), ...parts]) };
    }
    parts.push(Buffer.from([id, value.length]), value);
    size += 2 + value.length;
    count++;
  }
  return { ok: true, pdu: Buffer.concat([header(false, 0, count), ...parts]) };
}
