// torch.save zip checkpoints (torch >= 1.6): the pickled state dict names storages; `data/<key>` holds each one.
import path from 'node:path';
import { contiguousStrides, encode, layoutCheckpoint, viewSpan, type Layout } from './convert.ts';
import { CheckpointError } from './errors.ts';
import { closeFile, openForRead, readBytes, withNewFile, type OpenFile } from './fileio.ts';
import { PickleError, PickleWriter, PyDict, PyTuple, unpickle, type UnpickleHooks } from './pickle.ts';
import { checkTensors, tensorData } from './writable.ts';
import { DTYPE_BITS, numel, type Checkpoint, type DType, type TensorInfo, type TensorToWrite, type UnreadableDType, type WritableDType } from './types.ts';
import { entryDataOffset, readZipDirectory, ZipWriter, type ZipEntry } from './zip.ts';

const RESAVE = 'load it with torch and re-save it with torch >= 1.6 (torch.save(model.state_dict(), path)) or as safetensors';

const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Why a file that is not a torch zip cannot be read, for the formats we recognize; undefined otherwise. */
export function legacyFormat(head: Uint8Array): string | undefined {
  if (LEGACY_MAGIC.every((b, i) => head[i] === b)) return `a legacy (non-zip) torch.save file (torch < 1.6 or _use_new_zipfile_serialization=False): ${RESAVE}`;
  if (Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return `a pre-0.4 torch tar checkpoint: ${RESAVE}`;
  if (Buffer.from(head.subarray(0, 8)).toString('latin1') === 'PYTORCH1') return `a legacy TorchScript (PYTORCH1) file, not a state dict: ${RESAVE}`;
  return undefined;
}

export function isZip(head: Uint8Array): boolean {
  return head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

const STORAGE_DTYPES: Record<string, DType> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

// _rebuild_tensor_v3 names the dtype itself (torch 2.x, for dtypes without a legacy storage class).
const TORCH_DTYPES: Record<string, DType | UnreadableDType> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
  uint16: 'U16',
  uint32: 'U32',
  uint64: 'U64',
  complex64: 'C64',
  complex128: 'C128',
  float8_e4m3fn: 'F8_E4M3',
  float8_e5m2: 'F8_E5M2',
  float8_e4m3fnuz: 'F8_E4M3FNUZ',
  float8_e5m2fnuz: 'F8_E5M2FNUZ',
  float8_e8m0fnu: 'F8_E8M0',
};

type Fn = 'OrderedDict' | '_rebuild_tensor_v2' | '_rebuild_tensor_v3' | '_rebuild_parameter';

class Global {
  constructor(
    readonly fullName: string,
    readonly fn?: Fn,
    /** for a storage class: its element dtype, undefined for UntypedStorage (bytes) */
    readonly storage?: { dtype: DType | undefined },
    readonly dtype?: DType | UnreadableDType,
  ) {}
}

class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType | undefined,
    readonly numel: number,
  ) {}
  get bytes(): number {
    return this.numel * (this.dtype ? DTYPE_BITS[this.dtype] / 8 : 1);
  }
}

class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly dtype: DType | UnreadableDType,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
  ) {}
}

function resolveGlobal(module: string, name: string): Global {
  const full = `${module}.${name}`;
  if (full === 'collections.OrderedDict') return new Global(full, 'OrderedDict');
  if (module === 'torch._utils' && (name === '_rebuild_tensor_v2' || name === '_rebuild_tensor_v3' || name === '_rebuild_parameter')) {
    return new Global(full, name);
  }
  if (module === 'torch' && name in STORAGE_DTYPES) return new Global(full, undefined, { dtype: STORAGE_DTYPES[name] });
  if (module === 'torch' && name === 'UntypedStorage') return new Global(full, undefined, { dtype: undefined });
  if (module === 'torch' && name in TORCH_DTYPES) return new Global(full, undefined, undefined, TORCH_DTYPES[name]);
  throw new PickleError(
    `refuses pickle global '${full}': only state dicts of plain tensors (OrderedDict, _rebuild_tensor_v2/v3, _rebuild_parameter, torch.*Storage) can be read`,
  );
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new PickleError(`${what} is not a non-negative integer`);
  return v;
}

function ints(v: unknown, what: string): number[] {
  if (!(v instanceof PyTuple)) throw new PickleError(`${what} is not a tuple`);
  return v.items.map((x) => int(x, what));
}

function rebuild(g: Global, args: unknown[]): TensorRef {
  const v3 = g.fn === '_rebuild_tensor_v3';
  const [storage, offset, size, stride] = args;
  if (args.length < (v3 ? 7 : 6) || args.length > (v3 ? 8 : 7)) throw new PickleError(`${g.fullName} called with ${args.length} arguments`);
  if (!(storage instanceof StorageRef)) throw new PickleError(`${g.fullName}: first argument is not a storage`);
  const meta = args[v3 ? 7 : 6];
  if (meta instanceof PyDict && [...meta.map.values()].some((x) => x === true)) {
    throw new PickleError(`${g.fullName}: tensors with conj/neg bits set are not supported`);
  }
  let dtype: DType | UnreadableDType;
  if (v3) {
    const d = args[6];
    if (!(d instanceof Global) || d.dtype === undefined) throw new PickleError(`${g.fullName}: seventh argument is not a torch dtype`);
    dtype = d.dtype;
  } else {
    if (!storage.dtype) throw new PickleError(`${g.fullName} on an UntypedStorage`);
    dtype = storage.dtype;
  }
  const shape = ints(size, 'tensor size');
  const strides = ints(stride, 'tensor stride');
  if (shape.length !== strides.length) throw new PickleError(`${g.fullName}: size and stride differ in rank`);
  return new TensorRef(storage, dtype, int(offset, 'storage offset'), shape, strides);
}

function torchHooks(): UnpickleHooks {
  const storages = new Map<string, StorageRef>();
  return {
    global: resolveGlobal,
    call(fn, args) {
      if (!(fn instanceof Global) || !fn.fn) throw new PickleError(`cannot call ${fn instanceof Global ? fn.fullName : 'a non-function'}`);
      switch (fn.fn) {
        case 'OrderedDict':
          if (args.length) throw new PickleError('OrderedDict called with arguments');
          return new PyDict();
        case '_rebuild_parameter':
          if (!(args[0] instanceof TensorRef)) throw new PickleError('_rebuild_parameter of a non-tensor');
          return args[0];
        default:
          return rebuild(fn, args);
      }
    },
    persistentLoad(pid) {
      const t = pid instanceof PyTuple ? pid.items : [];
      const [tag, cls, key, location, n] = t;
      if (t.length !== 5 || tag !== 'storage' || typeof key !== 'string' || typeof location !== 'string') {
        throw new PickleError("persistent id is not ('storage', class, key, location, numel)");
      }
      if (!(cls instanceof Global) || !cls.storage) throw new PickleError('persistent id names no storage class');
      const seen = storages.get(key);
      if (seen) return seen;
      const s = new StorageRef(key, cls.storage.dtype, int(n, 'storage numel'));
      storages.set(key, s);
      return s;
    },
    build(obj) {
      // OrderedDict's _metadata and tensor attributes do not change the values.
      if (!(obj instanceof PyDict) && !(obj instanceof TensorRef)) throw new PickleError('BUILD on an unsupported object');
    },
  };
}

function describe(v: unknown): string {
  if (v === null) return 'None';
  if (typeof v === 'number') return Number.isInteger(v) ? `an int (${v})` : `a float (${v})`;
  if (typeof v === 'bigint') return `an int (${v})`;
  if (typeof v === 'boolean') return `a bool (${v ? 'True' : 'False'})`;
  if (typeof v === 'string') return 'a str';
  if (v instanceof PyDict) return 'a dict (a nested state dict? save model.state_dict() itself)';
  if (v instanceof PyTuple) return 'a tuple';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof StorageRef) return 'a bare storage';
  if (v instanceof Global) return `'${v.fullName}'`;
  return 'a non-tensor value';
}

interface Entry {
  info: TensorInfo;
  ref: TensorRef;
  base: number;
}

export function openTorchZip(file: string): Checkpoint {
  const f = openForRead(path.resolve(file));
  try {
    const { entries, bigEndian } = parseTorchZip(f);
    const tensors = new Map<string, { info: TensorInfo; layout: Layout }>();
    for (const [name, { info, ref, base }] of entries) {
      tensors.set(name, { info, layout: { dtype: ref.dtype, shape: ref.shape, strides: ref.strides, base, offset: ref.offset, bigEndian } });
    }
    return layoutCheckpoint(f, tensors);
  } catch (e) {
    closeFile(f);
    throw e;
  }
}

function parseTorchZip(f: OpenFile): { entries: Map<string, Entry>; bigEndian: boolean } {
  const fail = (detail: string, key?: string) => new CheckpointError(f.file, key, detail);
  const head = readBytes(f, Math.min(f.size, 512), 0);
  if (!isZip(head)) throw fail(legacyFormat(head) ?? 'not a torch.save zip checkpoint (no zip signature)');
  const dir = readZipDirectory(f);
  if (dir.length === 0) throw fail('empty zip archive');
  const slash = dir[0].name.indexOf('/');
  if (slash < 0) throw fail(`zip entry ${dir[0].name} is not inside a top folder: not a torch.save checkpoint`);
  const top = dir[0].name.slice(0, slash + 1);
  const byName = new Map<string, ZipEntry>(dir.map((e) => [e.name, e]));
  const rel = (e: ZipEntry) => e.name.slice(e.name.indexOf('/') + 1);
  if (dir.some((e) => rel(e) === 'constants.pkl' || rel(e).startsWith('code/'))) {
    throw fail(`a TorchScript archive (torch.jit.save), not a state dict: ${RESAVE}`);
  }
  const record = (name: string) => {
    const e = byName.get(top + name);
    return e && readBytes(f, e.compressedSize, entryDataOffset(f, e));
  };
  const pkl = record('data.pkl');
  if (!pkl) throw fail(`no ${top}data.pkl record: not a torch.save checkpoint`);
  const order = record('byteorder');
  const orderText = order ? Buffer.from(order).toString('latin1').trim() : 'little';
  if (orderText !== 'little' && orderText !== 'big') throw fail(`byteorder record says '${orderText}'`);

  let root: unknown;
  try {
    root = unpickle(pkl, torchHooks());
  } catch (e) {
    if (e instanceof PickleError) throw fail(`${top}data.pkl ${e.message}`);
    throw e;
  }
  if (!(root instanceof PyDict)) throw fail(`the pickle holds ${describe(root)}, not a state dict of tensors`);

  const bases = new Map<StorageRef, number>();
  const entries = new Map<string, Entry>();
  for (const [key, value] of root.map) {
    if (typeof key !== 'string') throw fail(`state dict key ${String(key)} is not a string`);
    if (!(value instanceof TensorRef)) throw fail(`holds ${describe(value)}, not a tensor: only flat state dicts of tensors can be read`, key);
    const s = value.storage;
    let base = bases.get(s);
    if (base === undefined) {
      const e = byName.get(`${top}data/${s.key}`);
      if (!e) throw fail(`storage record ${top}data/${s.key} is missing`, key);
      if (e.size < s.bytes) throw fail(`storage record ${top}data/${s.key} has ${e.size} bytes, its ${s.numel} elements need ${s.bytes}`, key);
      base = entryDataOffset(f, e);
      bases.set(s, base);
    }
    const need = (value.offset + viewSpan(value.shape, value.strides)) * (DTYPE_BITS[value.dtype] / 8);
    if (numel(value.shape) > 0 && need > s.bytes) {
      throw fail(
        `the view (offset ${value.offset}, size ${JSON.stringify(value.shape)}, stride ${JSON.stringify(value.strides)}) runs past its storage's ${s.bytes} bytes`,
        key,
      );
    }
    entries.set(key, { info: { name: key, dtype: value.dtype, shape: value.shape, file: f.file }, ref: value, base });
  }
  return { entries, bigEndian: orderText === 'big' };
}

const STORAGE_CLASS: Record<WritableDType, string> = { F32: 'FloatStorage', F16: 'HalfStorage', BF16: 'BFloat16Storage' };

/**
 * Writes a state dict `torch.load` reads: an OrderedDict of `_rebuild_tensor_v2` tensors, one storage each.
 * Tensors are pulled from `tensors` one at a time and written at once, so any iterable streams; the pickle,
 * which only needs names and shapes, goes last (readers find records through the central directory).
 */
export function writeTorchZip(file: string, tensors: Iterable<TensorToWrite>, opts: { forceZip64?: boolean } = {}): { bytes: number } {
  const top = path.parse(file).name;
  return withNewFile(file, (fd) => {
    const zip = new ZipWriter(fd, opts);
    const pkl = new PickleWriter();
    pkl.global('collections', 'OrderedDict').op(0x29, 0x52, 0x28); // OrderedDict() then MARK for SETITEMS
    const seen = new Set<string>();
    let i = 0;
    for (const t of tensors) {
      checkTensors(file, [t]);
      if (seen.has(t.name)) throw new CheckpointError(file, t.name, 'duplicate tensor name');
      seen.add(t.name);
      const bytes = encode(tensorData(file, t), t.dtype);
      const key = String(i++);
      zip.add(`${top}/data/${key}`, bytes);
      const n = numel(t.shape);
      const strides = contiguousStrides(t.shape);
      pkl.str(t.name).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
      pkl.op(0x28).str('storage').global('torch', STORAGE_CLASS[t.dtype]).str(key).str('cpu').int(n).op(0x74, 0x51);
      pkl.int(0).tuple(t.shape).tuple(strides).op(0x89);
      pkl.global('collections', 'OrderedDict').op(0x29, 0x52, 0x74, 0x52);
    }
    pkl.op(0x75);
    zip.add(`${top}/data.pkl`, pkl.bytes());
    zip.add(`${top}/byteorder`, Buffer.from('little'));
    zip.add(`${top}/version`, Buffer.from('3\n'));
    return { bytes: zip.finish() };
  });
}
