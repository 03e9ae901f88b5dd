/**
 * FC 08 Diagnostics (§6.8). Only sub-function 00, Return Query Data, is answered: the reply echoes
 * the request. Other sub-functions are exception 01, as the spec's state diagram has it for a
 * sub-function the device does not support.
 */
import { DIAG_RETURN_QUERY_DATA, ExceptionCode } from './constants.js';
import { invalid } from './validate.js';
import type { DecodeResult } from './request.js';

export function decodeDiagnostics(pdu: Buffer): DecodeResult {
  if (pdu.length < 3) return invalid(0x08, ExceptionCode.IllegalDataValue, `PDU of ${pdu.length} bytes carries no sub-function`);
  const subFunction = pdu.readUInt16BE(1);
  if (subFunction !== DIAG_RETURN_QUERY_DATA) return invalid(0x08, ExceptionCode.IllegalFunction, `diagnostic sub-function ${subFunction} not supported`);
  // Return Query Data: "any" data, echoed as it came.
  return { kind: 'diagnosticEcho', functionCode: 0x08, data: Buffer.from(pdu.subarray(3)) };
}

/** The echo: function code, sub-function 00 00, the same data. */
export function encodeDiagnosticEcho(data: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x08, 0x00, 0x00]), data]);
}
