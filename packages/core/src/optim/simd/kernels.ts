/**
 * The update rules again, as WebAssembly SIMD loops (f32x4) over one chunk of at most
 * {@link CHUNK} values copied into the module's memory. Each loop is the same formula as the
 * scalar kernel in `rules/` (see there for the math), in float32 like PyTorch's CPU kernels.
 * Each rule comes in variants, one per combination of the terms a group uses ({@link simdCall}
 * picks one); the same loops exist with byte-address arguments for the shared arena.
 *
 * Memory layout (bytes): weights at 0, gradient at 1·C, state slots at 2·C, 3·C, 4·C, and two
 * three f32x4 sums at 5·C (C = CHUNK·4). Update kernels leave Σ Δw² and Σ w² there; `norms`
 * leaves Σ g², Σ w² and Σ (g + λw)².
 */
import { F32, I32, V128, encodeModule, op, type FunctionSpec } from './wasm-encoder';
import type { SimdCall } from '../rules/rule';
export type { SimdCall } from '../rules/rule';

/** Values per chunk: 32 KiB per array, so a chunk's arrays stay in L2 cache. */
export const CHUNK = 8192;
/**
 * Copies of the loop body per iteration, each with its own accumulators: one f32x4 sum chain
 * stalls every iteration on the add's latency. The sums before an update do little else, so they
 * take four; the update loops take two (Adam one: more spill its vectors out of registers).
 */
const UNROLL = { sums: 4, update: 2, adam: 1 };
/** Values the widest loop iteration handles: every vector loop stops at a multiple of this. */
export const SIMD_BLOCK = 4 * Math.max(...Object.values(UNROLL));
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
  const address = (region: Region): Expr => (pointers ? [...op.localGet(1 + POINTER_ORDER.indexOf(region)), ...op.localGet(I), ...op.i32Add()] : op.localGet(I));
  const offset = (region: Region): number => (pointers ? 0 : REGION[region]);
  const I = params.length;
  const END = I + 1;
  const splatIndex = (s: string) => END + 1 + scalars.indexOf(s);
  const ACC = END + 1 + scalars.length;
  // Accumulator `which` of body copy `u` is local ACC + 3u + which.
  const tempIndex = (t: string) => ACC + 3 * unroll + temps.indexOf(t);
  const locals = [I32, I32, ...scalars.map(() => V128), ...new Array<number>(3 * unroll).fill(V128), ...temps.map(() => V128)];
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
    accumulate: (which: 0 | 1 | 2, value: Expr) => [...op.localGet(ACC + 3 * u + which), ...value, ...op.f32x4Add(), ...op.localSet(ACC + 3 * u + which)]
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

const add = (a: Expr, b: Expr): Expr => [...a, ...b, ...op.f32x4Add()];
const sub = (a: Expr, b: Expr): Expr => [...a, ...b, ...op.f32x4Sub()];
const mul = (a: Expr, b: Expr): Expr => [...a, ...b, ...op.f32x4Mul()];
const div = (a: Expr, b: Expr): Expr => [...a, ...b, ...op.f32x4Div()];
const max = (a: Expr, b: Expr): Expr => [...a, ...b, ...op.f32x4Max()];
const sqrt = (a: Expr): Expr => [...a, ...op.f32x4Sqrt()];

type Helpers = Parameters<Parameters<typeof kernel>[5]>[0];

type Builder = (...args: Parameters<typeof kernel> extends [boolean, ...infer Rest] ? Rest : never) => FunctionSpec;

/**
 * An update rule's loops: one per combination of its optional terms, so a loop carries only the
 * terms its group uses. The loops are bound by instruction count and register pressure, not by
 * memory (a term such as ±∇ or λ·w costs about a tenth of a step), and a term whose scalar has its
 * identity value (a sign of +1, a decay of 0) changes no result when left out.
 */
interface Family {
  /** Optional scalars with their identity values: passed, and in the loop, only when different. */
  optional: Record<string, number>;
  /** Structural switches (no argument). */
  switches: string[];
  /** Pairs of terms no group has together (no loop is built for them). */
  exclusive?: Array<[string, string]>;
  /** The scalars passed, in order, given which optional terms and switches are on. */
  scalars: (on: (term: string) => boolean) => string[];
  temps: string[];
  body: (h: Helpers, on: (term: string) => boolean) => Expr;
}

/** Σ Δw² and Σ w² of an update from `w` to `next` (temp names). */
function accumulateStep(h: Helpers, w = 'w', next = 'next'): Expr {
  return [
    ...h.set('d', sub(h.get(next), h.get(w))),
    ...h.accumulate(0, mul(h.get('d'), h.get('d'))),
    ...h.accumulate(1, mul(h.get(w), h.get(w)))
  ];
}

/** The gradient term: ±∇ (+ λ·w when `decay` is on), into temp `g`. */
function gradient(h: Helpers, on: (term: string) => boolean, decay: string, w: string): Expr {
  let g = h.load('grad');
  if (on('gradSign')) g = mul(h.splat('gradSign'), g);
  if (on(decay)) g = add(g, mul(h.splat(decay), h.get(w)));
  return h.set('g', g);
}

const FAMILIES: Record<string, Family> = {
  // SGD without momentum: w ← w − η(±∇ + λw).
  sgdPlain: {
    optional: { gradSign: 1, weightDecay: 0 },
    switches: [],
    scalars: (on) => ['lr', ...['gradSign', 'weightDecay'].filter(on)],
    temps: ['w', 'g', 'next', 'd'],
    body: (h, on) => [
      ...h.set('w', h.load('param')),
      ...gradient(h, on, 'weightDecay', 'w'),
      ...h.set('next', sub(h.get('w'), mul(h.splat('lr'), h.get('g')))),
      ...h.store('param', h.get('next')),
      ...accumulateStep(h)
    ]
  },
  // SGD with momentum: b ← decay·b + blend·g; w ← w − η·(g + μb) with nesterov, else w − η·b.
  sgdMomentum: {
    optional: { gradSign: 1, weightDecay: 0, blend: 1 },
    switches: ['nesterov'],
    exclusive: [['blend', 'nesterov']], // PyTorch's nesterov requires zero dampening
    scalars: (on) => ['lr', 'decay', ...(on('nesterov') ? ['momentum'] : []), ...['gradSign', 'weightDecay', 'blend'].filter(on)],
    temps: ['w', 'g', 'b', 'next', 'd'],
    body: (h, on) => [
      ...h.set('w', h.load('param')),
      ...gradient(h, on, 'weightDecay', 'w'),
      ...h.set('b', add(mul(h.splat('decay'), h.load('slot0')), on('blend') ? mul(h.splat('blend'), h.get('g')) : h.get('g'))),
      ...h.store('slot0', h.get('b')),
      ...h.set('next', sub(h.get('w'), mul(h.splat('lr'), on('nesterov') ? add(h.get('g'), mul(h.splat('momentum'), h.get('b'))) : h.get('b')))),
      ...h.store('param', h.get('next')),
      ...accumulateStep(h)
    ]
  },
  // Adam/AdamW: w ← w·decay; g ← ±∇ + l2·w; m, v moments; w ← w − stepSize·m / (√v̂·(1/√bc₂) + ε).
  // √bc₂ enters as a reciprocal (f32x4 sqrt and div share the divider): a last-bit difference.
  adam: {
    optional: { gradSign: 1, l2: 0, decayFactor: 1 },
    switches: ['amsgrad'],
    exclusive: [['l2', 'decayFactor']], // Adam's coupled L2, AdamW's decoupled decay
    scalars: (on) => ['stepSize', 'oneMinusBeta1', 'beta2', 'oneMinusBeta2', 'eps', 'inverseBiasCorrection2Sqrt', ...['gradSign', 'l2', 'decayFactor'].filter(on)],
    temps: ['w0', 'w', 'g', 'm', 'v', 'next', 'd'],
    body: (h, on) => {
      const w = on('decayFactor') ? 'w' : 'w0';
      return [
        ...h.set('w0', h.load('param')),
        ...(on('decayFactor') ? h.set('w', mul(h.get('w0'), h.splat('decayFactor'))) : []),
        ...gradient(h, on, 'l2', w),
        ...h.set('m', h.load('slot0')),
        ...h.set('m', add(h.get('m'), mul(h.splat('oneMinusBeta1'), sub(h.get('g'), h.get('m'))))),
        ...h.set('v', add(mul(h.splat('beta2'), h.load('slot1')), mul(mul(h.splat('oneMinusBeta2'), h.get('g')), h.get('g')))),
        ...h.store('slot0', h.get('m')),
        ...h.store('slot1', h.get('v')),
        ...(on('amsgrad') ? [...h.set('v', max(h.load('slot2'), h.get('v'))), ...h.store('slot2', h.get('v'))] : []),
        ...h.set('next', sub(h.get(w), div(mul(h.splat('stepSize'), h.get('m')), add(mul(sqrt(h.get('v')), h.splat('inverseBiasCorrection2Sqrt')), h.splat('eps'))))),
        ...h.store('param', h.get('next')),
        // Σ Δw² against the weights before decay.
        ...accumulateStep(h, 'w0')
      ];
    }
  },
  // LARS (SimCLR): s ← η·r·(∇ + λw); b ← μb + s; w ← w − (μb + s) with nesterov, else w − b.
  lars: {
    optional: { weightDecay: 0 },
    switches: ['nesterov'],
    scalars: (on) => ['scaledLr', 'momentum', ...['weightDecay'].filter(on)],
    temps: ['w', 's', 'b', 'next', 'd'],
    body: (h, on) => [
      ...h.set('w', h.load('param')),
      ...h.set('s', mul(h.splat('scaledLr'), on('weightDecay') ? add(h.load('grad'), mul(h.splat('weightDecay'), h.get('w'))) : h.load('grad'))),
      ...h.set('b', add(mul(h.splat('momentum'), h.load('slot0')), h.get('s'))),
      ...h.store('slot0', h.get('b')),
      ...h.set('next', sub(h.get('w'), on('nesterov') ? add(mul(h.splat('momentum'), h.get('b')), h.get('s')) : h.get('b'))),
      ...h.store('param', h.get('next')),
      ...accumulateStep(h)
    ]
  }
};

/** The loops that only read (the sums before an update), and whether each reads the weights. */
export const READ_ONLY_KERNELS: Readonly<Record<string, { readsParam: boolean }>> = { sumsq: { readsParam: false }, norms: { readsParam: true } };

/** A variant's export name: the family and its terms that are on. */
const variantName = (family: string, on: string[]): string => [family, ...on].join('+');

/** The update loops' export names with the terms each has on. */
function variants(): Array<{ family: string; name: string; on: string[] }> {
  return Object.entries(FAMILIES).flatMap(([family, spec]) => {
    const terms = [...Object.keys(spec.optional), ...spec.switches];
    return Array.from({ length: 2 ** terms.length }, (_, mask) => terms.filter((_, k) => mask & (1 << k)))
      .filter((on) => !(spec.exclusive ?? []).some(([a, b]) => on.includes(a) && on.includes(b)))
      .map((on) => ({ family, name: variantName(family, on), on }));
  });
}

/** Export names of every update loop (tests check each is reachable from some group). */
export const UPDATE_KERNELS: readonly string[] = variants().map((v) => v.name);

/** Every kernel, built with `kernel` (region or pointer addressing). */
const functions = (kernel: Builder): FunctionSpec[] => [
  // Pass before the update: Σg², Σw², Σ(g + λw)².
  kernel('norms', ['weightDecay'], ['g', 'w', 'd'], UNROLL.sums, (h) => [
    ...h.set('g', h.load('grad')),
    ...h.set('w', h.load('param')),
    ...h.set('d', add(h.get('g'), mul(h.splat('weightDecay'), h.get('w')))),
    ...h.accumulate(0, mul(h.get('g'), h.get('g'))),
    ...h.accumulate(1, mul(h.get('w'), h.get('w'))),
    ...h.accumulate(2, mul(h.get('d'), h.get('d')))
  ]),
  kernel('sumsq', [], ['g'], UNROLL.sums, (h) => [...h.set('g', h.load('grad')), ...h.accumulate(0, mul(h.get('g'), h.get('g')))]),
  ...variants().map(({ family, name, on: onTerms }) => {
    const spec = FAMILIES[family];
    const on = (term: string) => onTerms.includes(term);
    return kernel(name, spec.scalars(on), spec.temps, family === 'adam' ? UNROLL.adam : UNROLL.update, (h) => spec.body(h, on));
  })
];

/**
 * The call of `family`'s loop for these scalar values: optional terms at their identity value
 * are left out (same result, fewer instructions), `switches` pick the structural variant.
 */
export function simdCall(family: keyof typeof FAMILIES, values: Record<string, number>, switches: Record<string, boolean> = {}): SimdCall {
  const spec = FAMILIES[family];
  const terms = [...Object.keys(spec.optional), ...spec.switches];
  const onTerms = terms.filter((term) => (term in spec.optional ? values[term] !== spec.optional[term] : switches[term]));
  const on = (term: string) => onTerms.includes(term);
  const clash = (spec.exclusive ?? []).find(([a, b]) => on(a) && on(b));
  if (clash) throw new Error(`simd kernel ${family}: ${clash[0]} and ${clash[1]} together have no loop`);
  return {
    fn: variantName(family, onTerms),
    args: spec.scalars(on).map((scalar) => {
      const value = values[scalar];
      if (value === undefined) throw new Error(`simd kernel ${family}: no value for ${scalar}`);
      return value;
    })
  };
}

/** The module's bytes (built once): chunk regions in its own memory. */
let bytes: Uint8Array | undefined;
export function simdModuleBytes(): Uint8Array {
  bytes ??= encodeModule({ own: PAGES }, functions((...args) => kernel(false, ...args)));
  return bytes;
}

/** The same kernels on byte addresses in an imported shared memory of at most `maximumPages`. */
export function simdPointerModuleBytes(maximumPages: number): Uint8Array {
  return encodeModule({ imported: { minimum: 1, maximum: maximumPages, shared: true } }, functions((...args) => kernel(true, ...args)));
}
