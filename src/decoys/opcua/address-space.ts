/**
 * The device as an OPC UA address space: one object named as the integrator named it, folders by
 * point-name prefix (or the profile's path), variables backed by the same tag store as Modbus
 * (a write through one is read back through the other), engineering units, and the device's
 * methods. Returns which node carries which point, for the hits.
 */
import type * as UA from 'node-opcua';
import type { Point, Profile } from '../../profile/schema.js';
import type { TagStore } from '../../tags/tag-store.js';
import type { OpcUaIdentity } from './identity.js';
import { addDecoyFiles, type DecoyFile } from './file-node.js';

type Opcua = typeof UA;

export interface BuiltSpace {
  /** Node id (as a string) → profile point name, or `method:<name>`. */
  pointOf: Map<string, string>;
}

function dataTypeOf(ua: Opcua, point: Point): UA.DataType {
  if (point.scale) return ua.DataType.Float;
  switch (point.type) {
    case 'bool': return ua.DataType.Boolean;
    case 'int16': return ua.DataType.Int16;
    case 'uint16': return ua.DataType.UInt16;
    case 'int32': return ua.DataType.Int32;
    case 'uint32': return ua.DataType.UInt32;
    case 'float32': return ua.DataType.Float;
    case 'string': return ua.DataType.String;
  }
}

function engineeringUnits(ua: Opcua, unit: string): UA.EUInformation {
  const known = Object.values(ua.standardUnits).find((u) => u.displayName.text === unit);
  return known ?? ua.makeEUInformation(unit, unit, unit);
}

export function buildAddressSpace(ua: Opcua, server: UA.OPCUAServer, identity: OpcUaIdentity, profile: Profile, tags: TagStore, files: readonly DecoyFile[] = []): BuiltSpace {
  const addressSpace = server.engine.addressSpace!;
  const namespace = addressSpace.getOwnNamespace();
  const pointOf = new Map<string, string>();
  const device = namespace.addObject({
    organizedBy: addressSpace.rootFolder.objects,
    browseName: identity.rootObject,
    nodeId: `s=${identity.rootObject}`,
    description: profile.description,
  });
  const folders = new Map<string, UA.UAObject>();
  const folderAt = (path: string): UA.UAObject => {
    if (!path) return device;
    const existing = folders.get(path);
    if (existing) return existing;
    const parts = path.split('/');
    const parent = folderAt(parts.slice(0, -1).join('/'));
    const folder = namespace.addObject({ organizedBy: parent, typeDefinition: 'FolderType', browseName: parts.at(-1)!, nodeId: `s=${identity.rootObject}.${parts.join('.')}` });
    folders.set(path, folder);
    return folder;
  };

  for (const point of profile.points) {
    const dotted = point.name.split('.');
    const path = point.opcua?.path ?? dotted.slice(0, -1).join('/');
    const browseName = point.opcua?.browseName ?? dotted.at(-1)!;
    const dataType = dataTypeOf(ua, point);
    const writable = point.access === 'read-write';
    const nodeId = `s=${identity.rootObject}.${point.name}`;
    let held: unknown = point.initial ?? (point.type === 'bool' ? false : point.type === 'string' ? '' : 0);
    const options = {
      componentOf: folderAt(path),
      browseName,
      nodeId,
      description: point.description,
      dataType,
      accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      minimumSamplingInterval: 100,
      value: {
        get: () => new ua.Variant({ dataType, value: point.modbus ? tags.read(point.name) : held }),
        set: (variant: UA.Variant) => {
          if (!writable) return ua.StatusCodes.BadNotWritable;
          const value = variant.value as unknown;
          if (point.type === 'bool' ? typeof value !== 'boolean' : point.type === 'string' ? typeof value !== 'string' : typeof value !== 'number' || !Number.isFinite(value)) {
            return ua.StatusCodes.BadTypeMismatch;
          }
          if (point.modbus) tags.write(point.name, value as number | boolean | string);
          else held = value;
          return ua.StatusCodes.Good;
        },
      },
    };
    const node = point.unit && point.type !== 'bool' && point.type !== 'string'
      ? namespace.addAnalogDataItem({ ...options, engineeringUnits: engineeringUnits(ua, point.unit), engineeringUnitsRange: { low: 0, high: 65535 } })
      : namespace.addVariable(options);
    pointOf.set(node.nodeId.toString(), point.name);
  }

  for (const spec of profile.opcua?.methods ?? []) {
    const method = namespace.addMethod(folderAt(spec.path ?? ''), {
      browseName: spec.name,
      nodeId: `s=${identity.rootObject}.${spec.path ? spec.path.replace(/\//g, '.') + '.' : ''}${spec.name}`,
      description: spec.description,
      inputArguments: [],
      outputArguments: [],
    });
    method.bindMethod((_inputs, _context, callback) => {
      for (const [name, value] of Object.entries(spec.writes)) tags.write(name, value);
      callback(null, { statusCode: ua.StatusCodes.Good, outputArguments: [] });
    });
    pointOf.set(method.nodeId.toString(), `method:${spec.name}`);
  }
  addDecoyFiles(ua, namespace, device, identity.rootObject, files, pointOf);
  return { pointOf };
}
