/**
 * Device profile schema, version 1. One point model serves every decoy protocol: a point is a
 * named process value with a type and engineering unit; `modbus:` (and later `opcua:`) say
 * where each protocol exposes it.
 */
import { z } from 'zod';

export const PROFILE_SCHEMA_VERSION = 1;

const u16 = z.number().int().min(0).max(0xffff);
const printable = (max: number) =>
  z.string().max(max).regex(/^[\x20-\x7e]*$/, 'must be printable ASCII (what a PLC stores)');

export const DataType = z.enum(['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'string']);
export type DataType = z.infer<typeof DataType>;

export const ModbusTable = z.enum(['coil', 'discrete-input', 'holding-register', 'input-register']);
export type ModbusTable = z.infer<typeof ModbusTable>;

export const Identity = z
  .object({
    vendor: printable(64),
    productCode: printable(64),
    revision: printable(32),
    model: printable(64).optional(),
    productName: printable(64).optional(),
    vendorUrl: printable(128).optional(),
    userApplicationName: printable(64).optional(),
    serial: printable(64),
  })
  .strict();

const ModbusUnit = z
  .object({
    id: z.number().int().min(1).max(247),
    /** Table sizes as in the real device's memory map: reads beyond them answer exception 02. */
    coils: u16.default(0),
    discreteInputs: u16.default(0),
    holdingRegisters: u16.default(0),
    inputRegisters: u16.default(0),
  })
  .strict();

const ModbusDevice = z
  .object({
    units: z.array(ModbusUnit).min(1),
    /**
     * How the device answers a unit id it does not serve: a standalone PLC ignores it; a
     * gateway answers 0A (path unavailable) or 0B (target failed to respond).
     */
    unknownUnit: z.enum(['ignore', 'exception-0a', 'exception-0b']).default('ignore'),
    /** Exception the device returns for a write to a read-only point (02 or 04 in practice). */
    readOnlyWriteException: z.union([z.literal(2), z.literal(4)]).default(2),
    /** FC 17 Report Server ID payload. */
    serverId: z
      .object({
        id: z.string().regex(/^([0-9a-fA-F]{2})+$/, 'hex bytes, e.g. "0A"'),
        running: z.boolean().default(true),
        additional: printable(200).default(''),
      })
      .strict()
      .optional(),
    /**
     * The device's serial port as it leaves the factory, for the RTU decoy (`tripline gateway
     * --rtu`), which can override each setting. Modbus over Serial Line v1.02 §2.5.1: 19200
     * baud, even parity, one stop bit unless the device says otherwise.
     */
    rtu: z
      .object({
        baudRate: z.number().int().min(300).max(921600).default(19200),
        parity: z.enum(['none', 'even', 'odd']).default('even'),
        stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
      })
      .strict()
      .optional(),
    /** FC 43/14: conformity level byte and any extra (regular 0x07–0x7F, extended 0x80–0xFF) objects. */
    deviceIdentification: z
      .object({
        conformityLevel: z.number().int().refine((v) => [1, 2, 3, 0x81, 0x82, 0x83].includes(v), 'one of 0x01–0x03, 0x81–0x83'),
        objects: z.record(z.string().regex(/^(0x[0-9a-fA-F]{1,2}|\d{1,3})$/), printable(240)).default({}),
      })
      .strict()
      .optional(),
  })
  .strict();

const ModbusBinding = z
  .object({
    unit: z.number().int().min(1).max(247),
    table: ModbusTable,
    address: u16,
    /** For a bool packed into a register (status and alarm words). */
    bit: z.number().int().min(0).max(15).optional(),
    /** 32-bit values: `big` puts the high word first (ABCD), `little` the low word (CDAB). */
    wordOrder: z.enum(['big', 'little']).default('big'),
    /** Swap the two bytes inside each register (BADC / DCBA devices). */
    byteSwap: z.boolean().default(false),
  })
  .strict();

/** Where a point appears in the OPC UA address space: folders below the device object. */
const OpcUaBinding = z
  .object({
    /** Folder path below the device object, `/`-separated (default: the point name's dotted prefix). */
    path: z.string().regex(/^[A-Za-z0-9_ .\-]+(\/[A-Za-z0-9_ .\-]+)*$/).max(128).optional(),
    /** Browse name (default: the last part of the point name). */
    browseName: z.string().regex(/^[A-Za-z0-9_.\-]{1,64}$/).optional(),
  })
  .strict();

/** A method the device offers over OPC UA: calling it writes the given points. */
const OpcUaMethod = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
    description: z.string().max(200).default(''),
    path: z.string().max(128).optional(),
    writes: z.record(z.string(), z.union([z.number(), z.boolean()])).default({}),
  })
  .strict();

const OpcUaServer = z
  .object({
    /** ApplicationDescription name; default "<vendor> <productName> OPC UA Server". */
    applicationName: printable(96).optional(),
    /** Product URI as the vendor writes it; default urn:<vendor>:<productCode>. */
    productUri: printable(128).optional(),
    softwareVersion: printable(32).optional(),
    buildNumber: printable(32).optional(),
    buildDate: z.string().datetime({ offset: true }).optional(),
    /** The device object under Objects; default the product name. */
    rootObject: z.string().regex(/^[A-Za-z0-9_ .\-]{1,64}$/).optional(),
    /** The application namespace URI; default urn:<vendor>:<productCode>:<serial>. */
    namespaceUri: printable(128).optional(),
    /** Host name in endpoint URLs and the certificate; default derived from the product and serial. */
    hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.\-]{0,62}$/).optional(),
    anonymous: z.boolean().default(true),
    methods: z.array(OpcUaMethod).max(32).default([]),
  })
  .strict();
export type OpcUaServer = z.infer<typeof OpcUaServer>;

export const Point = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_.\-]{0,63}$/, 'letters, digits, _ . - (max 64), starting with a letter'),
    description: z.string().max(200).default(''),
    unit: z.string().max(16).optional(),
    type: DataType,
    /** Characters, for strings (two per register). */
    length: z.number().int().min(1).max(246).optional(),
    access: z.enum(['read-only', 'read-write']).default('read-only'),
    /** Engineering value = raw × factor + offset. */
    scale: z.object({ factor: z.number().refine((v) => v !== 0, 'factor must not be 0'), offset: z.number().default(0) }).strict().optional(),
    initial: z.union([z.number(), z.boolean(), z.string()]).optional(),
    modbus: ModbusBinding.optional(),
    opcua: OpcUaBinding.optional(),
  })
  .strict();

/** A constant, or the name of a point whose current value is used (a setpoint). */
const Ref = z.union([z.number(), z.string()]);
const PointName = z.string().max(64);

/** Process models, run on a scan cycle so values move as the real plant's would. */
export const ProcessModel = z.discriminatedUnion('kind', [
  /** A level integrating inflow (a daily cycle) minus outflows while their pumps run. */
  z.object({
    kind: z.literal('tank'), level: PointName, min: z.number(), max: z.number(),
    inflow: z.object({ mean: z.number(), amplitude: z.number().default(0), periodHours: z.number().positive().default(24), noise: z.number().min(0).default(0) }).strict(),
    outflows: z.array(z.object({ while: PointName, rate: z.number() }).strict()).max(8).default([]),
  }).strict(),
  /** On/off control: on at `on`, off at `off` (a pump on level), or by hand `command`; `enable` and no `inhibit` required. */
  z.object({ kind: z.literal('hysteresis'), output: PointName, input: PointName, on: Ref, off: Ref, command: PointName.optional(), enable: PointName.optional(), inhibit: PointName.optional() }).strict(),
  /** Counts up `perHour` while `while` is true, or by one on each rising edge of `risingEdge`. */
  z.object({ kind: z.literal('counter'), point: PointName, perHour: z.number().optional(), while: PointName.optional(), risingEdge: PointName.optional() }).strict(),
  /** First-order lag toward `value` while `when` is true (always, without `when`), else toward `otherwise`. */
  z.object({
    kind: z.literal('lag'), point: PointName, tauSeconds: z.number().positive(), when: PointName.optional(), value: Ref.default(0), otherwise: Ref.default(0),
    /** Instead of when/value: the sum of the values whose `when` holds (two pumps into one main). */
    terms: z.array(z.object({ when: PointName, value: Ref }).strict()).max(8).optional(),
    noise: z.number().min(0).default(0),
  }).strict(),
  /** A bounded random walk. */
  z.object({ kind: z.literal('walk'), point: PointName, min: z.number(), max: z.number(), step: z.number().positive() }).strict(),
  /** A periodic (daily) cycle with noise. */
  z.object({ kind: z.literal('daily'), point: PointName, mean: z.number(), amplitude: z.number(), periodHours: z.number().positive().default(24), phaseHours: z.number().default(0), noise: z.number().min(0).default(0), min: z.number().optional(), max: z.number().optional() }).strict(),
  /** Integrates a rate point: total += rate × factor per second. */
  z.object({ kind: z.literal('totaliser'), point: PointName, rate: PointName, factor: z.number() }).strict(),
  /** point = from × factor + offset (a raw input following its engineering value). */
  z.object({ kind: z.literal('scaled'), point: PointName, from: PointName, factor: z.number(), offset: z.number().default(0) }).strict(),
  /** true while `input` is above (or below) a limit; with `reset`, it holds until reset is true. */
  z.object({ kind: z.literal('latch'), point: PointName, input: PointName, above: Ref.optional(), below: Ref.optional(), reset: PointName.optional() }).strict(),
  /** A momentary command: written back to false every scan, after the models that read it. */
  z.object({ kind: z.literal('pulse'), point: PointName }).strict(),
]);
export type ProcessModel = z.infer<typeof ProcessModel>;

const Process = z.object({ scanMs: z.number().int().min(100).max(10_000).default(500), models: z.array(ProcessModel).max(200) }).strict();

export const Profile = z
  .object({
    schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
    name: z.string().regex(/^[a-z0-9][a-z0-9\-]{0,63}$/, 'lower-case letters, digits and dashes'),
    description: z.string().max(500).default(''),
    identity: Identity,
    modbus: ModbusDevice.optional(),
    opcua: OpcUaServer.optional(),
    points: z.array(Point).default([]),
    process: Process.optional(),
  })
  .strict();

export type Profile = z.infer<typeof Profile>;
export type Point = z.infer<typeof Point>;
export type ModbusBinding = z.infer<typeof ModbusBinding>;
export type ModbusDevice = z.infer<typeof ModbusDevice>;
export type ModbusUnit = z.infer<typeof ModbusUnit>;
