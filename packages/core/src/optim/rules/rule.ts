/**
 * The contract between an optimizer and its update rule. A rule is plain data plus pure
 * functions: the per-tensor scalars, and its per-element arithmetic written once as a program
 * (`program.ts`), from which {@link defineRule} derives the scalar loop over typed arrays, the
 * WebAssembly SIMD call and the same step in TF.js ops, for backends whose memory the loops cannot
 * reach (webgl, webgpu, tensorflow).
 */
import type * as tf from '@tensorflow/tfjs';
import type { SimdCall } from '../simd/dispatch';
import { variantFor, type ElementProgram, type Program } from './program';
import { runScalarKernel } from './scalar-kernel';
import { tensorStep } from './tensor-kernel';

/** Sums measured over one parameter before any update (see `measure.ts`). */
export interface PrePassSums {
  /** Σ g² (NaN or Infinity when the gradient is not finite). */
  gradSq: number;
  /** Σ w² (only when the rule asks for norms). */
  weightSq: number;
  /** Σ (g + λ·w)² with the group's weight decay λ (only when the rule asks for norms). */
  decayedGradSq: number;
  /** Σ g² over every parameter with a gradient in this step (LAMB's global gradient clipping). */
  totalGradSq?: number;
  /**
   * The two sums of the rule's {@link UpdateRule.firstPass} over this parameter (LAMB: Σ u² of the
   * update direction and Σ w² of the weights it scales), when the rule has one.
   */
  firstPass?: readonly [number, number];
}

/**
 * Fused element loop over `[start, end)`: updates `param` and `slots` in place, and adds the
 * update's Σ Δw² to `out[0]`, the old weights' Σ w² to `out[1]` and, when the scalars turn on
 * `GRAD_SQUARES` (see `program.ts`), the gradient's Σ g² to `out[2]`.
 */
export type UpdateKernel<S> = (
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  scalars: S,
  out: Float64Array
) => void;

/**
 * A number a rule keeps per parameter across steps besides `step`, in the state dict under `name`
 * (NAdam's `muProduct`): `initial` before the first step; `next` gives it for step `step`.
 */
export interface CarriedScalar<H> {
  readonly name: string;
  readonly initial: number;
  next(group: H, step: number, previous: number): number;
}

/** One optimizer's update rule, hyperparameters `H`, per-tensor scalars `S`. */
export interface UpdateRule<H, S> {
  /** A stable name for the rule. */
  readonly id: string;
  /** State tensors a parameter of this group carries, in PyTorch's order (camelCase names). */
  slots(group: H): string[];
  /** Whether the optimizer keeps a per-parameter `step` count (Adam's `state['step']`). */
  readonly countsSteps: boolean;
  /**
   * Whether the step count is per group instead, in the group's `step` key, counted on every step
   * for every group (timm's Lamb: `group['step']`); `scalars` then receives it as `step`.
   */
  readonly groupSteps?: boolean;
  /**
   * A pass over every parameter before the update, for rules whose per-tensor scalars depend on
   * values the step computes (LAMB's trust ratio uses the norm of the update direction). It is a
   * rule itself: its program stores the state slots and adds up two sums, which {@link scalars}
   * of this rule receives as `sums.firstPass`; this rule's program then reads the new slots.
   */
  readonly firstPass?: UpdateRule<H, S>;
  /** A number kept per parameter across steps, when the rule has one (NAdam's `muProduct`). */
  readonly carried?: CarriedScalar<H>;
  /** Whether {@link scalars} needs ‖w‖ and ‖g + λw‖ from a pass before the update (LARS). */
  readonly needsNorms: boolean;
  /**
   * Whether the update loops can add up Σ g² themselves (every program has
   * `sumsGradSquares`), so a step without the check (`nonFinite: 'unchecked'`) needs no pass
   * before the update. Derived by {@link defineRule}.
   */
  readonly sumsGradSquares: boolean;
  /**
   * Per-tensor scalars for the kernel: hyperparameters, bias corrections, trust ratios.
   * `step` is the parameter's step count including this step; `fresh` is true when its state
   * tensors were just created (zeros); `carried` is the rule's carried number after this step.
   */
  scalars(group: H, step: number, fresh: boolean, sums: PrePassSums, carried?: number): S;
  /** The per-element programs (one for most rules; SGD has one without momentum, one with). */
  readonly programs: readonly Program[];
  /** The program that runs a tensor with these scalars. */
  programFor(scalars: S): Program;
  /** The scalar loop (generated from the program). */
  kernel(...args: Parameters<UpdateKernel<S>>): void;
  /**
   * The same step in TF.js ops on the tensors' own backend: the new weights and the state tensors
   * the program stores (in slot order), and with `withSums` the program's sums as scalars.
   * Called inside `tf.tidy`; never returns `grad` or a slot it was given.
   */
  tensorKernel(param: tf.Tensor, grad: tf.Tensor, slots: tf.Tensor[], scalars: S, withSums?: boolean): TensorStep;
  /** The same step as a call of a SIMD loop (`simd/kernels.ts` builds them from the programs). */
  simd?(scalars: S): SimdCall;
  /** The trust ratio for diagnostics, when the rule has one. */
  trustRatio?(scalars: S): number;
}

/** Weights and state after one step, as tensors. */
export interface TensorStep {
  param: tf.Tensor;
  slots: tf.Tensor[];
  /** The program's sums (0-d tensors), when asked for. */
  sums?: tf.Tensor[];
}

type DerivedMembers = 'kernel' | 'tensorKernel' | 'simd' | 'programs' | 'programFor' | 'sumsGradSquares';

/** What a rule file writes: everything but the loops, which {@link defineRule} derives. */
export type RuleDefinition<H, S> = Omit<UpdateRule<H, S>, DerivedMembers> & {
  readonly programs: ReadonlyArray<ElementProgram<S>>;
  /** Picks the program when the rule has several (default: the only one). */
  programFor?(scalars: S): ElementProgram<S>;
};

/** An update rule with its scalar loop, SIMD call and tensor-op step derived from its programs. */
export function defineRule<H, S>(definition: RuleDefinition<H, S>): UpdateRule<H, S> {
  const programFor = definition.programFor ?? (() => definition.programs[0]);
  const sumsGradSquares = definition.programs.every((program) => program.sumsGradSquares === true);
  // A bug, not bad input: a rule whose scalars read the pass before the update cannot skip it.
  if (sumsGradSquares && (definition.needsNorms || definition.firstPass)) {
    throw new Error(`update rule ${definition.id}: sumsGradSquares with a pass before the update`);
  }
  return {
    ...definition,
    sumsGradSquares,
    programFor,
    kernel: (param, grad, slots, start, end, scalars, out) =>
      runScalarKernel(programFor(scalars), param, grad, slots, start, end, scalars, out),
    tensorKernel: (param, grad, slots, scalars, withSums) =>
      tensorStep(programFor(scalars), param, grad, slots, scalars, withSums),
    simd: (scalars) => {
      const variant = variantFor(programFor(scalars), scalars);
      const values = scalars as Record<string, number>;
      return { fn: variant.name, args: variant.scalars.map((name) => values[name]) };
    }
  };
}
