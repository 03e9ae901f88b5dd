/** Decoded Modbus requests: the shape every adapter (TCP, later RTU) hands to the engine. */
import type { ExceptionCode } from './constants.js';

export type BitTable = 'coils' | 'discreteInputs';
export type WordTable = 'holdingRegisters' | 'inputRegisters';
export type Table = BitTable | WordTable;

export type ModbusRequest =
  | { kind: 'readBits'; functionCode: 0x01 | 0x02; table: BitTable; address: number; quantity: number }
  | { kind: 'readRegisters'; functionCode: 0x03 | 0x04; table: WordTable; address: number; quantity: number }
  | { kind: 'writeSingleCoil'; functionCode: 0x05; address: number; value: boolean }
  | { kind: 'writeSingleRegister'; functionCode: 0x06; address: number; value: number }
  | { kind: 'writeMultipleCoils'; functionCode: 0x0f; address: number; quantity: number; values: boolean[] }
  | { kind: 'writeMultipleRegisters'; functionCode: 0x10; address: number; quantity: number; values: number[] }
  | { kind: 'reportServerId'; functionCode: 0x11 }
  | { kind: 'readWriteRegisters'; functionCode: 0x17; readAddress: number; readQuantity: number; writeAddress: number; writeQuantity: number; values: number[] }
  | { kind: 'diagnosticEcho'; functionCode: 0x08; data: Buffer }
  | { kind: 'readDeviceId'; functionCode: 0x2b; readCode: number; objectId: number };

/**
 * A request that fails decoding still has a function code (the PDU is never empty) and gets an
 * exception reply: 01 for an unsupported function, 03 for a bad quantity, byte count or length.
 */
export interface DecodeFailure {
  kind: 'invalid';
  functionCode: number;
  exceptionCode: ExceptionCode;
  reason: string;
}

export type DecodeResult = ModbusRequest | DecodeFailure;
