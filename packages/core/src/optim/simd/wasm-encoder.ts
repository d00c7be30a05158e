/**
 * A minimal WebAssembly binary encoder: just what the SIMD kernels need (one memory, functions
 * over i32/f32/v128 locals, loads, stores and f32x4 arithmetic). No toolchain is needed at build
 * or run time; the module is assembled in memory and validated by the engine.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (text: string): number[] => [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];

/** Instruction helpers: each returns the bytes of one instruction. */
export const op = {
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  localTee: (i: number) => [0x22, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Add: () => [0x6a],
  i32Shl: () => [0x74],
  i32GeU: () => [0x4f],
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  simd: (code: number, ...immediates: number[]) => [0xfd, ...uleb(code), ...immediates],
  /** v128.load at `address + offset` (16-byte aligned). */
  v128Load: (offset: number) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset: number) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  f32x4Splat: () => [0xfd, ...uleb(0x13)],
  f32x4Sqrt: () => [0xfd, ...uleb(0xe3)],
  f32x4Add: () => [0xfd, ...uleb(0xe4)],
  f32x4Sub: () => [0xfd, ...uleb(0xe5)],
  f32x4Mul: () => [0xfd, ...uleb(0xe6)],
  f32x4Div: () => [0xfd, ...uleb(0xe7)],
  f32x4Max: () => [0xfd, ...uleb(0xe9)],
  /** Lane masks (all ones where true). */
  f32x4Lt: () => [0xfd, ...uleb(0x43)],
  f32x4Gt: () => [0xfd, ...uleb(0x44)],
  i32x4Sub: () => [0xfd, ...uleb(0xb1)],
  f32x4ConvertI32x4S: () => [0xfd, ...uleb(0xfa)],
  v128Zero: () => [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)]
};

/** One exported function: parameter types, extra locals, and its body (without the final `end`). */
export interface FunctionSpec {
  name: string;
  params: number[];
  locals: number[];
  body: number[];
}

/** Where a module's memory comes from: its own (exported), or imported as `env.memory`. */
export type MemorySpec = { own: number } | { imported: { minimum: number; maximum?: number; shared: boolean } };

/** A module with one memory and the given exported functions. */
export function encodeModule(memory: MemorySpec, functions: FunctionSpec[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec([])]);
  const code = functions.map((f) => {
    const locals = vec(f.locals.map((t) => [...uleb(1), t]));
    const body = [...locals, ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const exportedFunctions = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  let memorySections: number[];
  if ('own' in memory) {
    memorySections = [
      ...section(3, vec(functions.map((_, i) => uleb(i)))),
      ...section(5, vec([[0x00, ...uleb(memory.own)]])),
      ...section(7, vec([[...name('memory'), 0x02, 0x00], ...exportedFunctions]))
    ];
  } else {
    const { minimum, maximum, shared } = memory.imported;
    const flags = (maximum === undefined ? 0 : 1) | (shared ? 2 : 0);
    const limits = [flags, ...uleb(minimum), ...(maximum === undefined ? [] : uleb(maximum))];
    memorySections = [
      ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])),
      ...section(3, vec(functions.map((_, i) => uleb(i)))),
      ...section(7, vec(exportedFunctions))
    ];
  }
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vec(types)),
    ...memorySections,
    ...section(10, vec(code))
  ];
  return new Uint8Array(bytes);
}
