/**
 * An update rule's per-element arithmetic, written once as data (an expression tree) from which
 * the scalar JavaScript loop (`scalar-kernel.ts`), the WebAssembly SIMD loop (`simd/kernels.ts`)
 * and the TF.js tensor-op step (`tensor-kernel.ts`) are generated. A program reads the weights,
 * the gradient and up to three state slots of one element, uses the per-tensor scalars by name,
 * and says what it stores and which sums (reductions over the tensor) it adds up.
 *
 * Optional terms make the variants: a scalar with an identity value (a sign of +1, a decay of 0)
 * leaves its term out when it has that value, and a switch (nesterov, amsgrad) picks a structure;
 * each backend builds one loop per combination in use, so a loop carries only the terms its group
 * uses (same results: a term at its identity value changes no finite value).
 */

/** The arrays a program reads and writes, per element. */
export type ArrayName = 'param' | 'grad' | 'slot0' | 'slot1' | 'slot2';

/** A value in the per-element arithmetic. Nodes used twice are computed once (by identity). */
export type Value =
  | { readonly op: 'load'; readonly array: ArrayName }
  | { readonly op: 'scalar'; readonly name: string }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div' | 'max'; readonly a: Value; readonly b: Value }
  /**
   * `f32` rounds to float32 where the scalar loop computes in float64 (a no-op in f32 loops).
   * `sign` is torch.sign: −1, +1, and 0 for ±0 and NaN (torch's CPU kernel computes (0 < x) − (x < 0)).
   */
  | { readonly op: 'sqrt' | 'f32' | 'sign'; readonly a: Value };

/** Names of the keys of `S` whose values are numbers (the scalars a program may use). */
export type NumericKey<S> = { [K in keyof S]: S[K] extends number ? K : never }[keyof S] & string;
/** Names of the keys of `S` whose values are booleans (the program's switches). */
export type SwitchKey<S> = { [K in keyof S]: S[K] extends boolean ? K : never }[keyof S] & string;

/** What one element's step does: values stored (each rounded to float32) and sums added up. */
export interface ElementStep {
  stores: Array<readonly [ArrayName, Value]>;
  /** At most three sums; each loop adds them to `out[0]`, `out[1]`, `out[2]`. */
  sums: Value[];
}

/** The building blocks a program's `body` composes. */
export interface Builder<S> {
  readonly param: Value;
  readonly grad: Value;
  slot(index: 0 | 1 | 2): Value;
  /** The per-tensor scalar `name`. */
  scalar(name: NumericKey<S>): Value;
  /** Whether an optional term is in this variant (its scalar differs from its identity) or a switch is on. */
  on(term: NumericKey<S> | SwitchKey<S>): boolean;
  /** `name · x`, or `x` when the optional scalar `name` is at its identity 1. */
  scaled(name: NumericKey<S>, x: Value): Value;
  /** `x + name · y`, or `x` when the optional scalar `name` is at its identity 0. */
  plusScaled(x: Value, name: NumericKey<S>, y: Value): Value;
  add(a: Value, b: Value): Value;
  sub(a: Value, b: Value): Value;
  mul(a: Value, b: Value): Value;
  div(a: Value, b: Value): Value;
  max(a: Value, b: Value): Value;
  sqrt(a: Value): Value;
  f32(a: Value): Value;
  /** torch.sign: −1, +1, or 0 (for ±0 and NaN). */
  sign(a: Value): Value;
}

/** A program with its scalars' names erased: what the backends compile. */
export interface Program {
  /** The family name: SIMD loops are exported as `name+term+…` (the terms that are on). */
  readonly name: string;
  /** Optional scalars with their identity values (1 for a factor, 0 for an added term). */
  readonly optional: Readonly<Record<string, 0 | 1 | undefined>>;
  readonly switches: readonly string[];
  /** Pairs of terms no group has together (no loop is built for them). */
  readonly exclusive?: ReadonlyArray<readonly [string, string]>;
  /** Copies of the SIMD loop body per iteration (more hide latency; too many spill registers). */
  readonly unroll: number;
  /**
   * Whether the loop can also add up Σ g² of the raw gradient, as its last sum (the switch
   * {@link GRAD_SQUARES}): a step that skips the pass before the update (`nonFinite: 'unchecked'`)
   * still reports the gradient's norm. Only for programs with at most two sums, whose rule's
   * scalars read no sums of that pass.
   */
  readonly sumsGradSquares?: boolean;
  /** The arithmetic, given the builder of its scalars' type (erased here: hence `never`). */
  body(x: never): ElementStep;
}

/** A rule's per-element arithmetic with per-tensor scalars `S` (names checked against `S`). */
export interface ElementProgram<S> extends Program {
  readonly optional: Partial<Record<NumericKey<S>, 0 | 1>>;
  readonly switches: ReadonlyArray<SwitchKey<S>>;
  body(x: Builder<S>): ElementStep;
}

/** One program under one combination of terms: what every backend compiles. */
export interface Variant {
  /** `program+term+…`: the SIMD export and the compiled scalar loop's cache key. */
  readonly name: string;
  readonly step: ElementStep;
  /** The scalars the variant reads, in the order the SIMD loop takes them. */
  readonly scalars: string[];
}

/**
 * The switch that appends Σ g² to a program's sums (see {@link Program.sumsGradSquares}): true in a
 * step's scalars turns it on.
 */
export const GRAD_SQUARES = 'gradSquares';

/** The identity-sensitive helpers, so `on` and `scaled` agree. */
function builder(program: Program, on: (term: string) => boolean): Builder<never> {
  const binary =
    (op: 'add' | 'sub' | 'mul' | 'div' | 'max') =>
    (a: Value, b: Value): Value => ({ op, a, b });
  const mul = binary('mul');
  const add = binary('add');
  const slots = [0, 1, 2].map((k): Value => ({ op: 'load', array: `slot${k}` as ArrayName }));
  const scalar = (name: string): Value => ({ op: 'scalar', name });
  const isOn = (term: string) => !(term in program.optional || program.switches.includes(term)) || on(term);
  return {
    param: { op: 'load', array: 'param' },
    grad: { op: 'load', array: 'grad' },
    slot: (index) => slots[index],
    scalar,
    on: isOn,
    scaled: (name, x) => (isOn(name) ? mul(scalar(name), x) : x),
    plusScaled: (x, name, y) => (isOn(name) ? add(x, mul(scalar(name), y)) : x),
    add,
    sub: binary('sub'),
    mul,
    div: binary('div'),
    max: binary('max'),
    sqrt: (a) => ({ op: 'sqrt', a }),
    f32: (a) => ({ op: 'f32', a }),
    sign: (a) => ({ op: 'sign', a })
  };
}

/** The scalar names a step reads, in first-use order. */
function scalarsOf(step: ElementStep): string[] {
  const names = [...useCounts(step).keys()].flatMap((v) => (v.op === 'scalar' ? [v.name] : []));
  return [...new Set(names)];
}

const variantCache = new WeakMap<object, Map<string, Variant>>();

function variant(program: Program, onTerms: string[]): Variant {
  const name = [program.name, ...onTerms].join('+');
  let byName = variantCache.get(program);
  if (!byName) variantCache.set(program, (byName = new Map()));
  let built = byName.get(name);
  if (!built) {
    const x = builder(program, (term) => onTerms.includes(term));
    const body = program.body(x as never);
    const step = onTerms.includes(GRAD_SQUARES) ? { ...body, sums: [...body.sums, x.mul(x.grad, x.grad)] } : body;
    if (step.sums.length > 3) throw new Error(`update rule ${program.name}: more than three sums in ${name}`);
    built = { name, step, scalars: scalarsOf(step) };
    byName.set(name, built);
  }
  return built;
}

/** The optional terms and switches of `program`, in their declared order. */
const termsOf = (program: Program): string[] => [
  ...Object.keys(program.optional),
  ...program.switches,
  ...(program.sumsGradSquares ? [GRAD_SQUARES] : [])
];

/** The variant for these scalar values: optional terms at their identity value are left out. */
export function variantFor(program: Program, scalars: unknown): Variant {
  const values = scalars as Record<string, unknown>;
  const optional = program.optional;
  const isOn = (term: string) => (term in optional ? values[term] !== optional[term] : values[term] === true);
  const onTerms = termsOf(program).filter(isOn);
  const clash = (program.exclusive ?? []).find(([a, b]) => onTerms.includes(a) && onTerms.includes(b));
  // A bug, not bad input: the optimizers validate their hyperparameters before a variant is chosen.
  if (clash) throw new Error(`update rule ${program.name}: ${clash[0]} and ${clash[1]} together have no loop`);
  return variant(program, onTerms);
}

/** Every variant of `program` (all combinations of its terms but the exclusive pairs). */
export function allVariants(program: Program): Variant[] {
  const terms = termsOf(program);
  return Array.from({ length: 2 ** terms.length }, (_, mask) => terms.filter((_, k) => mask & (1 << k)))
    .filter((on) => !(program.exclusive ?? []).some(([a, b]) => on.includes(a) && on.includes(b)))
    .map((on) => variant(program, on));
}

/** Which arrays a step reads (by its loads). */
export function arraysRead(step: ElementStep): Set<ArrayName> {
  return new Set([...useCounts(step).keys()].flatMap((v) => (v.op === 'load' ? [v.array] : [])));
}

/**
 * How often each node is used, in first-use order: a node used more than once is computed once
 * into a local by the loop generators.
 */
export function useCounts(step: ElementStep): Map<Value, number> {
  const counts = new Map<Value, number>();
  const visit = (v: Value): void => {
    const seen = counts.get(v) ?? 0;
    counts.set(v, seen + 1);
    if (seen === 0 && 'a' in v) {
      visit(v.a);
      if ('b' in v) visit(v.b);
    }
  };
  [...step.stores.map(([, value]) => value), ...step.sums].forEach(visit);
  return counts;
}

/**
 * An update's usual ending: store the new weights and slots, and add up Σ Δw² (against `before`,
 * the weights the step started from) and Σ w² (of `before`). The slots are stored first, so no
 * load of a slot follows its store.
 */
export function updateStep(
  x: Pick<Builder<never>, 'mul' | 'sub'>,
  before: Value,
  next: Value,
  slots: Value[]
): ElementStep {
  const delta = x.sub(next, before);
  return {
    stores: [...slots.map((value, k) => [`slot${k}` as ArrayName, value] as const), ['param', next] as const],
    sums: [x.mul(delta, delta), x.mul(before, before)]
  };
}
