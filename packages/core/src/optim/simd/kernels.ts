/**
 * The SIMD backend of the rules' programs (`rules/program.ts`): one WebAssembly loop (f32x4) per
 * program variant, over one chunk of at most {@link CHUNK} values copied into the module's memory,
 * in float32 like PyTorch's CPU kernels; the same loops exist with byte-address arguments for the
 * shared arena.
 *
 * Memory layout (bytes): weights at 0, gradient at 1·C, state slots at 2·C, 3·C, 4·C, and
 * three f32x4 sums at 5·C (C = CHUNK·4): each loop leaves its program's sums there.
 */
import { F32, I32, V128, encodeModule, op, type FunctionSpec } from './wasm-encoder';
import { MEASURE_PROGRAMS } from '../rules/measure';
import { UPDATE_RULES } from '../rules/registry';
import { allVariants, arraysRead, useCounts, type Program, type Value, type Variant } from '../rules/program';
import type { ReadOnlyKernels } from './dispatch';
export type { SimdCall } from './dispatch';

/** Values per chunk: 32 KiB per array, so a chunk's arrays stay in L2 cache. */
export const CHUNK = 8192;
/** Values the widest loop iteration handles: every vector loop stops at a multiple of this. */
export const SIMD_BLOCK = 4 * Math.max(...[...MEASURE_PROGRAMS, ...updatePrograms()].map((p) => p.unroll));
const C = CHUNK * 4;
const REGION = { param: 0, grad: C, slot0: 2 * C, slot1: 3 * C, slot2: 4 * C, out: 5 * C };
const PAGES = 4;

type Expr = number[];
type Region = keyof typeof REGION;
const POINTER_ORDER: Region[] = ['param', 'grad', 'slot0', 'slot1', 'slot2', 'out'];

/**
 * Builds one kernel. `scalars` name its f32 parameters (after the value count `n`, and in
 * `pointers` mode after six i32 byte addresses: weights, gradient, three slots, sums); `body`
 * receives helpers and returns the loop body's instructions. Locals: `i`, `end`, one splat per
 * scalar, the accumulators and `temps` scratch v128 locals. Without `pointers` the arrays sit at
 * the fixed chunk regions of the module's own memory.
 */
function kernel(
  pointers: boolean,
  name: string,
  scalars: string[],
  temps: string[],
  unroll: number,
  body: (h: {
    load: (region: Region) => Expr;
    store: (region: Region, value: Expr) => Expr;
    splat: (scalar: string) => Expr;
    get: (temp: string) => Expr;
    set: (temp: string, value: Expr) => Expr;
    accumulate: (which: 0 | 1 | 2, value: Expr) => Expr;
  }) => Expr
): FunctionSpec {
  const pointerCount = pointers ? POINTER_ORDER.length : 0;
  const params = [I32, ...POINTER_ORDER.slice(0, pointerCount).map(() => I32), ...scalars.map(() => F32)];
  const firstScalar = 1 + pointerCount;
  const address = (region: Region): Expr =>
    pointers ? [...op.localGet(1 + POINTER_ORDER.indexOf(region)), ...op.localGet(I), ...op.i32Add()] : op.localGet(I);
  const offset = (region: Region): number => (pointers ? 0 : REGION[region]);
  const I = params.length;
  const END = I + 1;
  const splatIndex = (s: string) => END + 1 + scalars.indexOf(s);
  const ACC = END + 1 + scalars.length;
  // Accumulator `which` of body copy `u` is local ACC + 3u + which.
  const tempIndex = (t: string) => ACC + 3 * unroll + temps.indexOf(t);
  const locals = [
    I32,
    I32,
    ...scalars.map(() => V128),
    ...new Array<number>(3 * unroll).fill(V128),
    ...temps.map(() => V128)
  ];
  const helpersFor = (u: number) => ({
    load: (region: Region) => [...address(region), ...op.v128Load(offset(region) + 16 * u)],
    store: (region: Region, value: Expr) => [...address(region), ...value, ...op.v128Store(offset(region) + 16 * u)],
    splat: (s: string) => {
      if (!scalars.includes(s)) throw new Error(`simd kernel ${name}: unknown scalar ${s}`);
      return op.localGet(splatIndex(s));
    },
    get: (t: string) => {
      if (!temps.includes(t)) throw new Error(`simd kernel ${name}: unknown temp ${t}`);
      return op.localGet(tempIndex(t));
    },
    set: (t: string, value: Expr) => [...value, ...op.localSet(tempIndex(t))],
    accumulate: (which: 0 | 1 | 2, value: Expr) => [
      ...op.localGet(ACC + 3 * u + which),
      ...value,
      ...op.f32x4Add(),
      ...op.localSet(ACC + 3 * u + which)
    ]
  });
  const prologue = [
    ...op.localGet(0),
    ...op.i32Const(2),
    ...op.i32Shl(),
    ...op.localSet(END),
    ...scalars.flatMap((s, k) => [...op.localGet(firstScalar + k), ...op.f32x4Splat(), ...op.localSet(splatIndex(s))])
  ];
  const loop = [
    ...op.block(),
    ...op.loop(),
    ...op.localGet(I),
    ...op.localGet(END),
    ...op.i32GeU(),
    ...op.brIf(1),
    ...Array.from({ length: unroll }, (_, u) => body(helpersFor(u))).flat(),
    ...op.localGet(I),
    ...op.i32Const(16 * unroll),
    ...op.i32Add(),
    ...op.localSet(I),
    ...op.br(0),
    ...op.end(),
    ...op.end()
  ];
  const outBase = pointers ? op.localGet(1 + POINTER_ORDER.indexOf('out')) : op.i32Const(0);
  const sumOfCopies = (k: number): Expr => [
    ...op.localGet(ACC + k),
    ...Array.from({ length: unroll - 1 }, (_, u) => [...op.localGet(ACC + 3 * (u + 1) + k), ...op.f32x4Add()]).flat()
  ];
  const epilogue = [0, 1, 2].flatMap((k) => [...outBase, ...sumOfCopies(k), ...op.v128Store(offset('out') + 16 * k)]);
  return { name, params, locals, body: [...prologue, ...loop, ...epilogue] };
}

type Helpers = Parameters<Parameters<typeof kernel>[5]>[0];

type Builder = (...args: Parameters<typeof kernel> extends [boolean, ...infer Rest] ? Rest : never) => FunctionSpec;

const BINARY = { add: op.f32x4Add, sub: op.f32x4Sub, mul: op.f32x4Mul, div: op.f32x4Div, max: op.f32x4Max } as const;

/** The distinct programs of the registered rules. */
function updatePrograms(): Program[] {
  return [...new Set(UPDATE_RULES.flatMap((rule) => rule.programs))];
}

/**
 * A variant's loop body: each node used more than once is computed once into a temp local (in
 * f32 like every value here, so `f32` nodes add no instruction), the rest inline.
 */
function compile(variant: Variant, temps: Map<Value, string>): (h: Helpers) => Expr {
  return (h) => {
    const done = new Set<Value>();
    const written = new Set<string>();
    const emit = (v: Value): Expr => {
      const temp = temps.get(v);
      if (temp && done.has(v)) return h.get(temp);
      let code: Expr;
      switch (v.op) {
        case 'load':
          if (written.has(v.array)) throw new Error(`simd loop ${variant.name}: ${v.array} is read after it is stored`);
          code = h.load(v.array);
          break;
        case 'scalar':
          return h.splat(v.name);
        case 'f32':
          code = emit(v.a);
          break;
        case 'sqrt':
          code = [...emit(v.a), ...op.f32x4Sqrt()];
          break;
        case 'sign':
          code = signOf(emit(v.a), operandAgain(v.a));
          break;
        default:
          code = [...emit(v.a), ...emit(v.b), ...BINARY[v.op]()];
      }
      if (!temp) return code;
      done.add(v);
      return [...h.set(temp, code), ...h.get(temp)];
    };
    // The sign's operand is read twice: a temp local (see loopOf), or a scalar's splat.
    const operandAgain = (a: Value): Expr => {
      const temp = temps.get(a);
      if (temp) return h.get(temp);
      if (a.op === 'scalar') return h.splat(a.name);
      throw new Error(`simd loop ${variant.name}: the operand of sign has no local`);
    };
    const stores = variant.step.stores.flatMap(([array, value]) => {
      const code = h.store(array, emit(value));
      written.add(array);
      return code;
    });
    return [...stores, ...variant.step.sums.flatMap((sum, k) => h.accumulate(k as 0 | 1 | 2, emit(sum)))];
  };
}

/**
 * torch.sign of a vector, `x` pushed by `first` and again by `again`: (x < 0) − (x > 0) on the lane
 * masks (−1 where true) as i32, converted to f32. NaN and ±0 compare false both ways: 0, as in torch
 * (WebAssembly has no f32 sign; a copysign of 1 would give ±1 for NaN).
 */
function signOf(first: Expr, again: Expr): Expr {
  return [
    ...first,
    ...op.v128Zero(),
    ...op.f32x4Lt(),
    ...again,
    ...op.v128Zero(),
    ...op.f32x4Gt(),
    ...op.i32x4Sub(),
    ...op.f32x4ConvertI32x4S()
  ];
}

/** The loop of one variant. */
function loopOf(build: Builder, variant: Variant, unroll: number): FunctionSpec {
  const temps = new Map<Value, string>();
  const signOperands = new Set([...useCounts(variant.step).keys()].flatMap((v) => (v.op === 'sign' ? [v.a] : [])));
  for (const [value, count] of useCounts(variant.step)) {
    if ((count > 1 || signOperands.has(value)) && value.op !== 'scalar') temps.set(value, `t${temps.size}`);
  }
  return build(variant.name, variant.scalars, [...temps.values()], unroll, compile(variant, temps));
}

/** Measuring loops (they store nothing), and whether each reads the weights. */
export const READ_ONLY_KERNELS: ReadOnlyKernels = Object.fromEntries(
  MEASURE_PROGRAMS.flatMap(allVariants).map((v) => [v.name, { readsParam: arraysRead(v.step).has('param') }])
);

/** Export names of every update loop (tests check each is reachable from some group). */
export const UPDATE_KERNELS: readonly string[] = updatePrograms()
  .flatMap(allVariants)
  .map((v) => v.name);

/** Every loop, built with `build` (region or pointer addressing). */
const functions = (build: Builder): FunctionSpec[] =>
  [...MEASURE_PROGRAMS, ...updatePrograms()].flatMap((program) =>
    allVariants(program).map((variant) => loopOf(build, variant, program.unroll))
  );

/** The module's bytes (built once): chunk regions in its own memory. */
let bytes: Uint8Array | undefined;
export function simdModuleBytes(): Uint8Array {
  bytes ??= encodeModule(
    { own: PAGES },
    functions((...args) => kernel(false, ...args))
  );
  return bytes;
}

/**
 * The same kernels on byte addresses in an imported memory: shared and at most `maximumPages`
 * (the arena), or not shared and without a maximum (the wasm backend's heap, which grows).
 */
export function simdPointerModuleBytes(memory: { shared: true; maximumPages: number } | { shared: false }): Uint8Array {
  const limits = memory.shared
    ? { minimum: 1, maximum: memory.maximumPages, shared: true }
    : { minimum: 1, shared: false };
  return encodeModule(
    { imported: limits },
    functions((...args) => kernel(true, ...args))
  );
}
