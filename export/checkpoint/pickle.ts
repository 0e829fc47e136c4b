// A restricted protocol-2 unpickler: only the opcodes torch's weights-only unpickler allows, and nothing is ever
// imported or called: GLOBAL and REDUCE go to the caller's hooks, which decide what a name may mean.
// Plus the few opcodes a writer needs to emit a state dict.

export class PyTuple {
  constructor(readonly items: unknown[]) {}
}

/** A dict or OrderedDict; Map keeps insertion order. */
export class PyDict {
  readonly map = new Map<unknown, unknown>();
}

export interface UnpickleHooks {
  /** What `module.name` stands for; throw to refuse it. */
  global(module: string, name: string): unknown;
  /** REDUCE and NEWOBJ: `fn(*args)`. */
  call(fn: unknown, args: unknown[]): unknown;
  persistentLoad(pid: unknown): unknown;
  /** BUILD: set `state` on `obj`. */
  build(obj: unknown, state: unknown): void;
}

const OPCODE_NAMES: Record<number, string> = {
  0x80: 'PROTO',
  0x95: 'FRAME',
  0x94: 'MEMOIZE',
  0x8c: 'SHORT_BINUNICODE',
  0x93: 'STACK_GLOBAL',
  0x8b: 'LONG4',
  0x4c: 'LONG',
  0x49: 'INT',
  0x53: 'STRING',
  0x54: 'BINSTRING',
  0x56: 'UNICODE',
  0x46: 'FLOAT',
  0x69: 'INST',
  0x6f: 'OBJ',
  0x92: 'NEWOBJ_EX',
  0x97: 'READONLY_BUFFER',
  0x96: 'NEXT_BUFFER',
  0x50: 'PERSID',
  0x42: 'BINBYTES',
  0x43: 'SHORT_BINBYTES',
  0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS',
  0x91: 'FROZENSET',
  0x30: 'POP',
  0x31: 'POP_MARK',
  0x32: 'DUP',
  0x67: 'GET',
  0x70: 'PUT',
  0x6c: 'LIST',
  0x64: 'DICT',
  0x82: 'EXT1',
  0x83: 'EXT2',
  0x84: 'EXT4',
};

export class PickleError extends Error {}

export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks): unknown {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let p = 0;

  const need = (n: number) => {
    if (p + n > bytes.length) throw new PickleError(`pickle truncated at byte ${p}`);
    const at = p;
    p += n;
    return at;
  };
  const pop = () => {
    if (stack.length === 0) throw new PickleError(`pickle stack underflow at byte ${p}`);
    return stack.pop();
  };
  const top = () => {
    if (stack.length === 0) throw new PickleError(`pickle stack underflow at byte ${p}`);
    return stack[stack.length - 1];
  };
  const popMark = () => {
    const items = stack;
    const prev = marks.pop();
    if (!prev) throw new PickleError(`pickle has no MARK before byte ${p}`);
    stack = prev;
    return items;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) throw new PickleError(`pickle truncated at byte ${p}`);
    const s = latin1(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const get = (i: number) => {
    if (!memo.has(i)) throw new PickleError(`pickle memo ${i} is unset at byte ${p}`);
    return memo.get(i);
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof PyDict)) throw new PickleError(`SETITEM on a non-dict at byte ${p}`);
    if (items.length % 2) throw new PickleError(`SETITEMS with an odd item count at byte ${p}`);
    for (let i = 0; i < items.length; i += 2) target.map.set(items[i], items[i + 1]);
  };
  const append = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) throw new PickleError(`APPEND on a non-list at byte ${p}`);
    target.push(...items);
  };

  for (;;) {
    const at = need(1);
    const op = bytes[at];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        const name = line();
        stack.push(hooks.global(module, name));
        break;
      }
      case 0x71:
        memo.set(bytes[need(1)], top());
        break; // BINPUT
      case 0x72:
        memo.set(view.getUint32(need(4), true), top());
        break; // LONG_BINPUT
      case 0x68:
        stack.push(get(bytes[need(1)]));
        break; // BINGET
      case 0x6a:
        stack.push(get(view.getUint32(need(4), true)));
        break; // LONG_BINGET
      case 0x28:
        marks.push(stack);
        stack = [];
        break; // MARK
      case 0x74: {
        const items = popMark();
        stack.push(new PyTuple(items));
        break;
      } // TUPLE
      case 0x29:
        stack.push(new PyTuple([]));
        break; // EMPTY_TUPLE
      case 0x85:
        stack.push(new PyTuple([pop()]));
        break; // TUPLE1
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      } // TUPLE2
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      } // TUPLE3
      case 0x7d:
        stack.push(new PyDict());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x61: {
        const v = pop();
        append(top(), [v]);
        break;
      } // APPEND
      case 0x65: {
        const items = popMark();
        append(top(), items);
        break;
      } // APPENDS
      case 0x73: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      } // SETITEM
      case 0x75: {
        const items = popMark();
        setItems(top(), items);
        break;
      } // SETITEMS
      case 0x58: {
        const n = view.getUint32(need(4), true);
        const s = need(n);
        stack.push(decodeUtf8(text, bytes.subarray(s, s + n), p));
        break;
      } // BINUNICODE
      case 0x55: {
        const n = bytes[need(1)];
        const s = need(n);
        stack.push(latin1(bytes.subarray(s, s + n)));
        break;
      } // SHORT_BINSTRING
      case 0x4a:
        stack.push(view.getInt32(need(4), true));
        break; // BININT
      case 0x4b:
        stack.push(bytes[need(1)]);
        break; // BININT1
      case 0x4d:
        stack.push(view.getUint16(need(2), true));
        break; // BININT2
      case 0x8a: {
        const n = bytes[need(1)];
        const s = need(n);
        stack.push(decodeLong(bytes.subarray(s, s + n)));
        break;
      } // LONG1
      case 0x47:
        stack.push(view.getFloat64(need(8), false));
        break; // BINFLOAT
      case 0x88:
        stack.push(true);
        break; // NEWTRUE
      case 0x89:
        stack.push(false);
        break; // NEWFALSE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const fn = pop();
        if (!(args instanceof PyTuple)) throw new PickleError(`${op === 0x52 ? 'REDUCE' : 'NEWOBJ'} arguments are not a tuple at byte ${at}`);
        stack.push(hooks.call(fn, args.items));
        break;
      }
      case 0x62: {
        const state = pop();
        hooks.build(top(), state);
        break;
      } // BUILD
      case 0x51:
        stack.push(hooks.persistentLoad(pop()));
        break; // BINPERSID
      case 0x2e: {
        // STOP
        if (marks.length) throw new PickleError('pickle ends inside a MARK');
        return pop();
      }
      default:
        throw new PickleError(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}${OPCODE_NAMES[op] ? ` (${OPCODE_NAMES[op]})` : ''} at byte ${at}`,
        );
    }
  }
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function decodeUtf8(d: TextDecoder, b: Uint8Array, at: number): string {
  try {
    return d.decode(b);
  } catch {
    throw new PickleError(`invalid UTF-8 string before byte ${at}`);
  }
}

/** LONG1 payload: little-endian two's complement; a number when exact, else a bigint. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Emits protocol-2 opcodes; memoizes globals so each is named once. */
export class PickleWriter {
  private readonly parts: Buffer[] = [Buffer.from([0x80, 2])];
  private readonly globals = new Map<string, number>();
  private memoNext = 0;

  op(...codes: number[]): this {
    this.parts.push(Buffer.from(codes));
    return this;
  }

  global(module: string, name: string): this {
    const k = `${module}\n${name}\n`;
    const m = this.globals.get(k);
    if (m !== undefined) return this.get(m);
    this.parts.push(Buffer.from(`c${k}`, 'latin1'));
    const i = this.memoNext++;
    this.globals.set(k, i);
    return this.put(i);
  }

  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    this.parts.push(h, b);
    return this;
  }

  int(v: number): this {
    if (!Number.isSafeInteger(v)) throw new Error(`cannot pickle ${v} as an int`);
    if (v >= 0 && v < 0x100) return this.op(0x4b, v);
    if (v >= 0 && v < 0x10000) return this.op(0x4d, v & 0xff, v >> 8);
    if (v >= -0x80000000 && v < 0x80000000) {
      const b = Buffer.alloc(5);
      b[0] = 0x4a;
      b.writeInt32LE(v, 1);
      this.parts.push(b);
      return this;
    }
    // LONG1: shortest two's complement that keeps the sign bit right
    const out: number[] = [];
    let x = BigInt(v);
    for (;;) {
      out.push(Number(x & 0xffn));
      x >>= 8n;
      const sign = out[out.length - 1] & 0x80;
      if ((x === 0n && !sign) || (x === -1n && sign)) break;
    }
    return this.op(0x8a, out.length, ...out);
  }

  tuple(items: number[]): this {
    if (items.length === 0) return this.op(0x29);
    if (items.length > 3) this.op(0x28);
    for (const v of items) this.int(v);
    return this.op(items.length > 3 ? 0x74 : [0x85, 0x86, 0x87][items.length - 1]);
  }

  put(i: number): this {
    if (i < 0x100) return this.op(0x71, i);
    const b = Buffer.alloc(5);
    b[0] = 0x72;
    b.writeUInt32LE(i, 1);
    this.parts.push(b);
    return this;
  }

  get(i: number): this {
    if (i < 0x100) return this.op(0x68, i);
    const b = Buffer.alloc(5);
    b[0] = 0x6a;
    b.writeUInt32LE(i, 1);
    this.parts.push(b);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat([...this.parts, Buffer.from([0x2e])]);
  }
}
