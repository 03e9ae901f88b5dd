/**
 * Stamped stubs offered to an intruder as OPC UA files (Part 5 §C.2 FileType) under the device's
 * object tree: a firmware image or a project backup he can Open and Read. Reading one is Program
 * Upload (ATT&CK for ICS T0845), and the copy he takes carries its own tokens.
 *
 * The standard FileType is instantiated from the server's own namespace 0 and its methods bound
 * here, read-only. (node-opcua's file-transfer package lags the server's version and would bring
 * a second copy of the address space.)
 */
import type * as UA from 'node-opcua';

type Opcua = typeof UA;

export interface DecoyFile {
  /** Browse name, e.g. `TM221CE24R_V1.6.2.6.pfw`. */
  name: string;
  bytes: Buffer;
}

/** Open handles held at once over all sessions: the oldest is closed beyond this. */
const MAX_HANDLES = 256;
/** Largest Read answered (Part 5 lets the server return less than asked). */
const MAX_READ = 64 * 1024;
/** FileType Open mode bits (Part 5 §C.2.1): 0x2 Write, 0x4 EraseExisting, 0x8 Append. */
const WRITE_BITS = 0x2 | 0x4 | 0x8;

/** The point a file method's node stands for in hits: `file:<name>/<Method>`. */
export const filePoint = (name: string, method: string) => `file:${name}/${method}`;

/**
 * Which file service a Call was, from the points it touched: `FileRead` when it read a decoy
 * file, `FileOpen` when it opened one; undefined for other calls.
 */
export function fileService(points: readonly string[]): 'FileRead' | 'FileOpen' | undefined {
  if (points.some((p) => p.startsWith('file:') && p.endsWith('/Read'))) return 'FileRead';
  if (points.some((p) => p.startsWith('file:') && p.endsWith('/Open'))) return 'FileOpen';
  return undefined;
}

export function addDecoyFiles(ua: Opcua, namespace: UA.Namespace, parent: UA.UAObject, nodePrefix: string, files: readonly DecoyFile[], pointOf: Map<string, string>): void {
  if (files.length === 0) return;
  const addressSpace = namespace.addressSpace;
  const fileType = addressSpace.findObjectType('FileType');
  if (!fileType) throw new Error('the server has no FileType in namespace 0');
  const folder = namespace.addObject({ componentOf: parent, typeDefinition: 'FolderType', browseName: 'Files', nodeId: `s=${nodePrefix}.Files` });
  const handles = new Map<number, { file: DecoyFile; position: number }>();
  let nextHandle = 1;

  for (const file of files) {
    const node = fileType.instantiate({ browseName: file.name, componentOf: folder, nodeId: `s=${nodePrefix}.Files.${file.name}` }) as UA.UAObject;
    const set = (property: string, dataType: UA.DataType, value: unknown) =>
      (node.getPropertyByName(property) as UA.UAVariable | null)?.setValueFromSource({ dataType, arrayType: ua.VariantArrayType.Scalar, value });
    set('Size', ua.DataType.UInt64, [0, file.bytes.length]);
    set('Writable', ua.DataType.Boolean, false);
    set('UserWritable', ua.DataType.Boolean, false);
    set('OpenCount', ua.DataType.UInt16, 0);

    const bind = (method: string, fn: (inputs: UA.Variant[]) => { status: UA.StatusCode; outputs?: UA.VariantOptions[] }) => {
      const m = node.getMethodByName(method);
      if (!m) return;
      pointOf.set(m.nodeId.toString(), filePoint(file.name, method));
      m.bindMethod((inputs, _context, callback) => {
        const { status, outputs } = fn(inputs);
        callback(null, { statusCode: status, outputArguments: outputs ?? [] });
      });
    };
    const handleOf = (inputs: UA.Variant[]) => {
      const h = Number(inputs[0]?.value);
      const open = handles.get(h);
      return open && open.file === file ? { h, open } : undefined;
    };

    bind('Open', (inputs) => {
      const mode = Number(inputs[0]?.value ?? 0);
      if (mode & WRITE_BITS) return { status: ua.StatusCodes.BadNotWritable };
      if (handles.size >= MAX_HANDLES) handles.delete(handles.keys().next().value!);
      const h = nextHandle++;
      handles.set(h, { file, position: 0 });
      return { status: ua.StatusCodes.Good, outputs: [{ dataType: ua.DataType.UInt32, value: h }] };
    });
    bind('Read', (inputs) => {
      const held = handleOf(inputs);
      if (!held) return { status: ua.StatusCodes.BadInvalidArgument };
      const length = Math.max(0, Math.min(Number(inputs[1]?.value ?? 0), MAX_READ));
      const chunk = file.bytes.subarray(held.open.position, held.open.position + length);
      held.open.position += chunk.length;
      return { status: ua.StatusCodes.Good, outputs: [{ dataType: ua.DataType.ByteString, value: Buffer.from(chunk) }] };
    });
    bind('Close', (inputs) => {
      const held = handleOf(inputs);
      if (!held) return { status: ua.StatusCodes.BadInvalidArgument };
      handles.delete(held.h);
      return { status: ua.StatusCodes.Good };
    });
    bind('GetPosition', (inputs) => {
      const held = handleOf(inputs);
      if (!held) return { status: ua.StatusCodes.BadInvalidArgument };
      return { status: ua.StatusCodes.Good, outputs: [{ dataType: ua.DataType.UInt64, arrayType: ua.VariantArrayType.Scalar, value: [0, held.open.position] }] };
    });
    bind('SetPosition', (inputs) => {
      const held = handleOf(inputs);
      if (!held) return { status: ua.StatusCodes.BadInvalidArgument };
      const raw = inputs[1]?.value as unknown;
      const position = Array.isArray(raw) ? Number(raw[1]) + Number(raw[0]) * 2 ** 32 : Number(raw);
      held.open.position = Math.max(0, Math.min(Number.isFinite(position) ? position : 0, file.bytes.length));
      return { status: ua.StatusCodes.Good };
    });
    bind('Write', () => ({ status: ua.StatusCodes.BadNotWritable }));
  }
}
