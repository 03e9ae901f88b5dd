/** PDU dispatch: the first byte selects the function family; anything else is exception 01. */
import { ExceptionCode, FunctionCode } from './constants.js';
import { decodeReadBits, decodeWriteMultipleCoils, decodeWriteSingleCoil } from './bits.js';
import { decodeReadRegisters, decodeReadWriteRegisters, decodeWriteMultipleRegisters, decodeWriteSingleRegister } from './registers.js';
import { decodeDiagnostics } from './diagnostics.js';
import { decodeEncapsulatedInterface, decodeReportServerId } from './identification.js';
import { invalid } from './validate.js';
import type { DecodeResult } from './request.js';

const decoders: Record<number, (pdu: Buffer) => DecodeResult> = {
  [FunctionCode.ReadCoils]: decodeReadBits,
  [FunctionCode.ReadDiscreteInputs]: decodeReadBits,
  [FunctionCode.ReadHoldingRegisters]: decodeReadRegisters,
  [FunctionCode.ReadInputRegisters]: decodeReadRegisters,
  [FunctionCode.WriteSingleCoil]: decodeWriteSingleCoil,
  [FunctionCode.WriteSingleRegister]: decodeWriteSingleRegister,
  [FunctionCode.Diagnostics]: decodeDiagnostics,
  [FunctionCode.WriteMultipleCoils]: decodeWriteMultipleCoils,
  [FunctionCode.WriteMultipleRegisters]: decodeWriteMultipleRegisters,
  [FunctionCode.ReportServerId]: decodeReportServerId,
  [FunctionCode.ReadWriteMultipleRegisters]: decodeReadWriteRegisters,
  [FunctionCode.EncapsulatedInterface]: decodeEncapsulatedInterface,
};

/** Never throws: every byte string of length ≥ 1 decodes to a request or a failure. */
export function decodeRequest(pdu: Buffer): DecodeResult {
  const functionCode = pdu[0];
  if (functionCode === undefined) return invalid(0, ExceptionCode.IllegalDataValue, 'empty PDU');
  const decoder = decoders[functionCode];
  if (!decoder) return invalid(functionCode, ExceptionCode.IllegalFunction, `function code ${functionCode} not supported`);
  return decoder(pdu);
}
