/** Function codes: Modbus Application Protocol Specification v1.1b3, §6. */
export const FunctionCode = {
  ReadCoils: 0x01,
  ReadDiscreteInputs: 0x02,
  ReadHoldingRegisters: 0x03,
  ReadInputRegisters: 0x04,
  WriteSingleCoil: 0x05,
  WriteSingleRegister: 0x06,
  Diagnostics: 0x08,
  WriteMultipleCoils: 0x0f,
  WriteMultipleRegisters: 0x10,
  ReportServerId: 0x11,
  ReadWriteMultipleRegisters: 0x17,
  EncapsulatedInterface: 0x2b,
} as const;

/** MEI type of Read Device Identification, §6.21. */
export const MEI_READ_DEVICE_ID = 0x0e;

/** Exception codes, §7. */
export const ExceptionCode = {
  IllegalFunction: 0x01,
  IllegalDataAddress: 0x02,
  IllegalDataValue: 0x03,
  ServerDeviceFailure: 0x04,
  GatewayPathUnavailable: 0x0a,
  GatewayTargetFailedToRespond: 0x0b,
} as const;
export type ExceptionCode = (typeof ExceptionCode)[keyof typeof ExceptionCode];

/** Largest PDU (function code + data), §4.1: 256-byte serial ADU less address and CRC. */
export const MAX_PDU_LENGTH = 253;

/** Quantity limits per request, §6.1–6.12. */
export const Limits = {
  readBits: 2000, // 0x07D0
  readRegisters: 125, // 0x007D
  writeCoils: 1968, // 0x07B0
  writeRegisters: 123, // 0x007B
  readWriteRead: 125, // FC 23 read part, 0x007D
  readWriteWrite: 121, // FC 23 write part, 0x0079
} as const;

/** FC 08 sub-function 00, Return Query Data: the only diagnostic the imitated devices answer on TCP. */
export const DIAG_RETURN_QUERY_DATA = 0x0000;

/** FC 05 accepts only these two values, §6.5. */
export const COIL_ON = 0xff00;
export const COIL_OFF = 0x0000;
