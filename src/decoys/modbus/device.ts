/**
 * The decoy PLC's Modbus behaviour, independent of transport: a PDU for a unit in, the reply PDU
 * and the facts of the hit out. TCP (and later RTU) adapters wrap this with framing and sockets.
 */
import {
  ExceptionCode,
  decodeRequest,
  encodeException,
  encodeReadBitsResponse,
  encodeReadDeviceIdResponse,
  encodeReadRegistersResponse,
  encodeReportServerIdResponse,
  encodeDiagnosticEcho,
  encodeWriteMultipleResponse,
  encodeWriteSingleCoilResponse,
  encodeWriteSingleRegisterResponse,
  type ModbusRequest,
  type Table,
} from './codec/index.js';
import type { RequestFacts } from '../../core/hit.js';
import type { Profile } from '../../profile/schema.js';
import type { TagStore, UnitMemory } from '../../tags/tag-store.js';

export interface Execution extends RequestFacts {
  /** Reply PDU, or null when the device stays silent. */
  reply: Buffer | null;
  unitId: number;
}

/** Cap on written values kept in a hit: a full FC 15 carries 1968 coils. */
const MAX_VALUES_RECORDED = 2000;

export class ModbusDevice {
  private readonly identityObjects: Map<number, Buffer>;
  private readonly conformityLevel: number;

  constructor(private readonly profile: Profile, private readonly tags: TagStore) {
    const id = profile.identity;
    // Object ids per §6.21: 0–2 basic, 3–6 regular, 0x80+ extended.
    const objects: [number, string | undefined][] = [
      [0, id.vendor],
      [1, id.productCode],
      [2, id.revision],
      [3, id.vendorUrl],
      [4, id.productName],
      [5, id.model],
      [6, id.userApplicationName],
    ];
    for (const [key, value] of Object.entries(profile.modbus?.deviceIdentification?.objects ?? {})) objects.push([Number(key), value]);
    this.conformityLevel = profile.modbus?.deviceIdentification?.conformityLevel ?? 0x81;
    // A device shows only the object categories of its conformity level: basic 0–2, regular to 0x7F.
    const lastObject = [0, 0x02, 0x7f, 0xff][this.conformityLevel & 0x7f] ?? 0x02;
    this.identityObjects = new Map(
      objects.filter((o): o is [number, string] => o[1] !== undefined && o[0] <= lastObject).map(([k, v]) => [k, Buffer.from(v, 'latin1')]),
    );
  }

  execute(unitId: number, pdu: Buffer): Execution {
    const base: Execution = {
      reply: null, unitId, functionCode: pdu[0] ?? null, address: null, quantity: null, values: null,
      outcome: 'ok', exceptionCode: null, points: [], detail: null,
    };
    const memory = this.resolveUnit(unitId);
    if (!memory) return this.unknownUnit(base);

    const request = decodeRequest(pdu);
    if (request.kind === 'invalid') {
      return this.exception(base, request.exceptionCode, request.reason);
    }
    return this.perform(base, memory, request);
  }

  /** Units 0 and 255 address the device itself on TCP (Implementation Guide §4.4.1.3). */
  private resolveUnit(unitId: number): UnitMemory | undefined {
    if (unitId === 0 || unitId === 255) return this.tags.unit(this.tags.unitIds[0]!);
    return this.tags.unit(unitId);
  }

  private unknownUnit(base: Execution): Execution {
    const policy = this.profile.modbus?.unknownUnit ?? 'ignore';
    if (policy === 'ignore') return { ...base, outcome: 'ignored', detail: `unit ${base.unitId} is not served` };
    const code = policy === 'exception-0a' ? ExceptionCode.GatewayPathUnavailable : ExceptionCode.GatewayTargetFailedToRespond;
    return this.exception(base, code, `unit ${base.unitId} is not served`);
  }

  private exception(base: Execution, code: number, detail: string): Execution {
    return { ...base, reply: encodeException(base.functionCode ?? 0, code), outcome: 'exception', exceptionCode: code, detail };
  }

  private perform(base: Execution, memory: UnitMemory, req: ModbusRequest): Execution {
    switch (req.kind) {
      case 'readBits':
      case 'readRegisters': {
        const hit = { ...base, address: req.address, quantity: req.quantity, points: memory.pointsIn(req.table, req.address, req.quantity) };
        if (!memory.inRange(req.table, req.address, req.quantity)) return this.outOfRange(hit, memory, req.table, req.address, req.quantity);
        const cells = memory[req.table].subarray(req.address, req.address + req.quantity);
        const reply = req.kind === 'readBits'
          ? encodeReadBitsResponse(req.functionCode, Array.from(cells as Uint8Array, (b) => b === 1))
          : encodeReadRegistersResponse(req.functionCode, cells);
        return { ...hit, reply };
      }
      case 'writeSingleCoil':
      case 'writeMultipleCoils': {
        const values = req.kind === 'writeSingleCoil' ? [req.value] : req.values;
        const quantity = values.length;
        const hit = { ...base, address: req.address, quantity, values: values.slice(0, MAX_VALUES_RECORDED), points: memory.pointsIn('coils', req.address, quantity) };
        const refused = this.refuseWrite(hit, memory, 'coils', req.address, quantity);
        if (refused) return refused;
        memory.coils.set(values.map((v) => (v ? 1 : 0)), req.address);
        const reply = req.kind === 'writeSingleCoil'
          ? encodeWriteSingleCoilResponse(req.address, req.value)
          : encodeWriteMultipleResponse(0x0f, req.address, quantity);
        return { ...hit, reply };
      }
      case 'writeSingleRegister':
      case 'writeMultipleRegisters': {
        const values = req.kind === 'writeSingleRegister' ? [req.value] : req.values;
        const quantity = values.length;
        const hit = { ...base, address: req.address, quantity, values, points: memory.pointsIn('holdingRegisters', req.address, quantity) };
        const refused = this.refuseWrite(hit, memory, 'holdingRegisters', req.address, quantity);
        if (refused) return refused;
        memory.holdingRegisters.set(values, req.address);
        const reply = req.kind === 'writeSingleRegister'
          ? encodeWriteSingleRegisterResponse(req.address, req.value)
          : encodeWriteMultipleResponse(0x10, req.address, quantity);
        return { ...hit, reply };
      }
      case 'readWriteRegisters': {
        const points = [...new Set([...memory.pointsIn('holdingRegisters', req.readAddress, req.readQuantity), ...memory.pointsIn('holdingRegisters', req.writeAddress, req.writeQuantity)])];
        const hit = { ...base, address: req.writeAddress, quantity: req.writeQuantity, values: req.values, points, detail: `read ${req.readAddress}..${req.readAddress + req.readQuantity - 1}` };
        // Both ranges are checked (02) before anything is written.
        if (!memory.inRange('holdingRegisters', req.readAddress, req.readQuantity)) return this.outOfRange(hit, memory, 'holdingRegisters', req.readAddress, req.readQuantity);
        const refused = this.refuseWrite(hit, memory, 'holdingRegisters', req.writeAddress, req.writeQuantity);
        if (refused) return refused;
        // §6.17: the write is performed before the read.
        memory.holdingRegisters.set(req.values, req.writeAddress);
        const words = memory.holdingRegisters.subarray(req.readAddress, req.readAddress + req.readQuantity);
        return { ...hit, reply: encodeReadRegistersResponse(0x17, words) };
      }
      case 'diagnosticEcho':
        return { ...base, detail: `diagnostics: return query data (${req.data.length} bytes)`, reply: encodeDiagnosticEcho(req.data) };
      case 'reportServerId': {
        const sid = this.profile.modbus?.serverId;
        if (!sid) return this.exception(base, ExceptionCode.IllegalFunction, 'device does not implement Report Server ID');
        return { ...base, reply: encodeReportServerIdResponse(Buffer.from(sid.id, 'hex'), sid.running, Buffer.from(sid.additional, 'latin1')) };
      }
      case 'readDeviceId': {
        const hit = { ...base, detail: `read device id code ${req.readCode} from object ${req.objectId}` };
        // Individual access only where the conformity level says so (bit 0x80).
        if (req.readCode === 4 && (this.conformityLevel & 0x80) === 0) return this.exception(hit, ExceptionCode.IllegalDataValue, 'device does not support individual access');
        const result = encodeReadDeviceIdResponse(req.readCode, req.objectId, this.conformityLevel, this.identityObjects);
        return result.ok ? { ...hit, reply: result.pdu } : this.exception(hit, result.exceptionCode, result.reason);
      }
    }
  }

  private outOfRange(hit: Execution, memory: UnitMemory, table: Table, address: number, quantity: number): Execution {
    return this.exception(hit, ExceptionCode.IllegalDataAddress, `${table} ${address}..${address + quantity - 1} beyond the unit's ${memory.size(table)}`);
  }

  private refuseWrite(hit: Execution, memory: UnitMemory, table: 'coils' | 'holdingRegisters', address: number, quantity: number): Execution | undefined {
    if (!memory.inRange(table, address, quantity)) return this.outOfRange(hit, memory, table, address, quantity);
    if (!memory.isWritable(table, address, quantity)) {
      const code = this.profile.modbus?.readOnlyWriteException ?? ExceptionCode.IllegalDataAddress;
      return this.exception(hit, code, `write to read-only ${table} in ${address}..${address + quantity - 1}`);
    }
    return undefined;
  }
}
