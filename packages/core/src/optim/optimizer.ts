/**
 * The base every optimizer shares, shaped like `torch.optim.Optimizer`: parameter groups with
 * per-group hyperparameters, `addParamGroup`, `zeroGrad`, `step(grads)`, `stateDict()` and
 * `loadStateDict()`. The update rules live in `rules/` (one file per optimizer).
 */
import * as tf from '@tensorflow/tfjs';
import { inlineExecutor, type KernelExecutor, type UpdateTask } from './executor';
import { rejectMisspelledGroupKeys, rejectUnknownKeys } from './keys';
import { GRAD_SQUARES } from './rules/program';
import { freeInArena } from './simd/arena';
import type { PrePassSums, UpdateRule } from './rules/rule';
import { decodeFloat, encodeFloats } from './state-encoding';
import { adoptHeapSlots, discardHeapSlots, prepareHeapSlots, stateInBackendHeap } from './heap-state';
import { prefersTensorOps, prepareInPlace, readGradient, writableWeights, type WritableWeights } from './tensor-access';
import type {
  Gradients,
  NonFinitePolicy,
  OptimizerOptions,
  OptimizerParam,
  OptimizerStateDict,
  OptimizerParamGroup,
  ParamGroupInput,
  ParamLike,
  ParamStepDiagnostics,
  SerializedParamState,
  SerializedTensor
} from './types';
import { describeValue } from '@paramscope/protocol';
import { OptimizerError } from './validate';

/**
 * Per-parameter state: Adam's step count and the rule's state tensors by name, as arrays where
 * the loops update the weights and as (kept) tensors where TF.js ops do.
 */
interface ParamState {
  step: number;
  /** The rule's carried number (NAdam's `muProduct`), when it has one. */
  carried: number;
  slots: Map<string, Float32Array | tf.Tensor>;
}

/** A parameter with a gradient in this step. */
interface StepEntry<H> {
  param: OptimizerParam;
  group: OptimizerParamGroup<H>;
  groupIndex: number;
  paramIndex: number;
  grad: tf.Tensor;
}

/** Options of the base, plus where the loops run (`@paramscope/core/node` offers worker threads). */
export interface BaseOptimizerOptions extends OptimizerOptions {
  executor?: KernelExecutor;
}

const OPTION_KEYS: ReadonlyArray<keyof BaseOptimizerOptions> = ['nonFinite', 'inPlace', 'tensorOps', 'executor'];
const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ['throw', 'skip', 'unchecked'];

/** Σ x² (square and sum: a dot product is several times slower on the tensorflow backend). */
function sumOfSquares(x: tf.Tensor): tf.Tensor {
  return tf.sum(tf.square(x));
}

function isVariable(p: ParamLike): p is tf.Variable {
  return p instanceof tf.Variable;
}

function resolveParam(p: ParamLike, owner: string, where: string): OptimizerParam {
  if (isVariable(p)) return { name: p.name, variable: p, source: p };
  if (p == null || typeof p !== 'object' || typeof p.name !== 'string') {
    throw new OptimizerError(`${owner}: ${where} holds ${describeValue(p)}, not a tf.Variable or { name, variable }`);
  }
  if (!(p.variable instanceof tf.Variable)) {
    throw new OptimizerError(`${owner}: parameter '${p.name}' in ${where} has no variable`);
  }
  return { name: p.name, variable: p.variable, source: p };
}

/** What a state tensor's values may be, for the error about one that is none of them. */
const NOT_A_STATE_VALUE =
  'not a number or "NaN", "Infinity", "-Infinity" (JSON.stringify writes null for NaN and ±Infinity; ' +
  'stateDict() writes them as those strings)';

/** How to change a group's parameters, for the errors about replaced params. */
const KEEP_PARAMS =
  'The optimizer resolves parameters when a group is added and keeps their state by them: add parameters ' +
  'with addParamGroup, remove them by filtering the array, or build a new optimizer';

function isGroupList(params: ParamLike[] | ParamGroupInput[]): params is ParamGroupInput[] {
  const first = params[0] as unknown;
  return typeof first === 'object' && first !== null && !(first instanceof tf.Variable) && 'params' in first;
}

function serializeTensor(values: Float32Array, shape: number[]): SerializedTensor {
  return { shape: [...shape], values: encodeFloats(values) };
}

/**
 * Frees the state in `state`: its tensors (the wasm heap's, and those of steps with TF.js ops) and
 * its arrays' arena blocks.
 */
function releaseState(state: Map<tf.Variable, ParamState>): void {
  for (const paramState of state.values()) {
    for (const slot of paramState.slots.values()) {
      if (slot instanceof Float32Array) freeInArena(slot);
      else if (!slot.isDisposed) slot.dispose();
    }
  }
}

/** Frees the state of an optimizer dropped without `dispose()`, once it is garbage-collected. */
const dropped = new FinalizationRegistry<Map<tf.Variable, ParamState>>((state) => {
  try {
    releaseState(state);
  } catch {
    // The backend is gone (e.g. `tf.engine().reset()`): nothing is left to free.
  }
});

/**
 * An optimizer with PyTorch's shapes. `H` is its hyperparameters; subclasses supply defaults, the
 * checks of a group's values and the update rule.
 */
export abstract class Optimizer<H extends object> {
  /** The groups, live: change a hyperparameter (e.g. `lr`) and the next step uses it. */
  readonly paramGroups: OptimizerParamGroup<H>[] = [];
  /** The defaults every group falls back to, as given to the constructor. */
  readonly defaults: Readonly<H>;
  /** Steps skipped because of non-finite gradients (with `nonFinite: 'skip'`). */
  skippedSteps = 0;

  private readonly state = new Map<tf.Variable, ParamState>();
  /** The optimizer's hyperparameter names (the keys of its full defaults). */
  private readonly hyperparameterNames: readonly string[];
  private readonly nonFinite: NonFinitePolicy;
  private readonly inPlace: boolean;
  private readonly tensorOps?: boolean;
  private readonly executor: KernelExecutor;
  private accumulated = new Map<OptimizerParam, tf.Tensor>();
  private lastDiagnostics: ParamStepDiagnostics[] = [];
  /** After a step with TF.js ops: its Σ Δw², read only when diagnostics are asked for. */
  private pendingDiagnostics?: { sums: tf.Tensor; build: (values: Float32Array) => ParamStepDiagnostics[] };

  /**
   * @param params - parameters (`tf.Variable`s or `{ name, variable }`), or groups of them
   *   `{ params, ...overrides }`.
   * @param fullDefaults - every hyperparameter of the optimizer with its default value.
   * @param defaults - the caller's defaults for groups that do not set them: a key outside
   *   `fullDefaults` is an error (see `keys.ts`).
   * @param rule - the update rule.
   * @param options - the options every optimizer takes; another key is an error.
   */
  protected constructor(
    params: ParamLike[] | ParamGroupInput[],
    fullDefaults: H,
    defaults: Partial<H>,
    private readonly rule: UpdateRule<H, unknown>,
    options: BaseOptimizerOptions = {}
  ) {
    this.hyperparameterNames = Object.keys(fullDefaults);
    if (defaults == null || typeof defaults !== 'object') {
      const got = describeValue(defaults);
      throw new OptimizerError(`${this.owner}: defaults must be an object of hyperparameters, got ${got}`);
    }
    if (options == null || typeof options !== 'object') {
      throw new OptimizerError(`${this.owner}: options must be an object, got ${describeValue(options)}`);
    }
    rejectUnknownKeys(defaults, this.hyperparameterNames, 'defaults', this.owner);
    rejectUnknownKeys(options, OPTION_KEYS, 'options', this.owner);
    this.defaults = { ...fullDefaults, ...defaults };
    this.validateHyperparameters(this.defaults, 'defaults');
    if (options.nonFinite !== undefined && !NON_FINITE_POLICIES.includes(options.nonFinite)) {
      throw new OptimizerError(
        `${this.constructor.name}: nonFinite must be 'throw', 'skip' or 'unchecked', ` +
          `got ${describeValue(options.nonFinite)}`
      );
    }
    this.nonFinite = options.nonFinite ?? 'throw';
    this.inPlace = options.inPlace ?? true;
    this.tensorOps = options.tensorOps;
    this.executor = options.executor ?? inlineExecutor;
    dropped.register(this, this.state);
    if (!Array.isArray(params) || params.length === 0) {
      throw new OptimizerError(`${this.constructor.name}: got an empty parameter list`);
    }
    const groups = isGroupList(params) ? params : [{ params: params as ParamLike[] }];
    for (const group of groups) this.addParamGroup(group);
  }

  /** Checks one group's hyperparameters; throws an error naming `where` and the field. */
  protected abstract validateHyperparameters(group: H, where: string): void;

  private get owner(): string {
    return this.constructor.name;
  }

  /** Unchecked, a rule whose update loops add up Σ g² themselves needs no pass before the update. */
  private get skipsPassBeforeUpdate(): boolean {
    return this.nonFinite === 'unchecked' && this.rule.sumsGradSquares;
  }

  /** Checks a group's keys (a misspelled hyperparameter is an error) and values. */
  private checkGroup(group: OptimizerParamGroup<H>, where: string): void {
    rejectMisspelledGroupKeys(group, this.hyperparameterNames, where, this.owner);
    this.validateHyperparameters(group, where);
  }

  /**
   * Adds a group, filling unset hyperparameters from the defaults and keeping every other key.
   * A parameter already in another group is an error, as in PyTorch.
   */
  addParamGroup(group: ParamGroupInput): void {
    this.checkParams('addParamGroup', { live: false });
    const where = `group ${this.paramGroups.length}`;
    if (group == null || typeof group !== 'object' || !Array.isArray(group.params)) {
      throw new OptimizerError(
        `${this.owner}: ${where} must be an object with a params array, got ${describeValue(group)}`
      );
    }
    const params = group.params.map((p, i) => resolveParam(p, this.owner, `${where} (params[${i}])`));
    const seen = new Map<tf.Variable, string>();
    for (const p of params) {
      if (seen.has(p.variable)) {
        throw new OptimizerError(`${this.owner}: parameter '${p.name}' appears twice in ${where}`);
      }
      seen.set(p.variable, p.name);
      this.paramGroups.forEach((other, g) => {
        if (other.params.some((q) => q.variable === p.variable)) {
          throw new OptimizerError(
            `${this.owner}: parameter '${p.name}' is in group ${g} and in ${where}; ` +
              'a parameter may be in one group only'
          );
        }
      });
    }
    const merged = { ...this.defaults, ...group, params } as OptimizerParamGroup<H>;
    this.checkGroup(merged, where);
    this.paramGroups.push(merged);
  }

  /**
   * Adds gradients to the ones held for the next `step()` (gradient accumulation; PyTorch's
   * `backward()` adding into `.grad`). The optimizer keeps its own copies; dispose yours.
   */
  accumulateGrad(grads: Gradients): void {
    this.checkParams('accumulateGrad', { live: true });
    const resolved = this.resolveGradients(grads);
    for (const [param, grad] of resolved) {
      const previous = this.accumulated.get(param);
      this.accumulated.set(param, tf.keep(previous ? tf.add(previous, grad) : tf.clone(grad)));
      previous?.dispose();
    }
  }

  /** Drops the gradients held by {@link accumulateGrad} (PyTorch's `zero_grad()`, which sets them to None). */
  zeroGrad(): void {
    for (const grad of this.accumulated.values()) grad.dispose();
    this.accumulated = new Map();
  }

  /**
   * One optimization step. `grads` are the gradients TF.js computed, e.g. the `grads` of
   * `tf.variableGrads(loss)`; without it, the gradients gathered by {@link accumulateGrad}. The
   * caller keeps ownership of `grads` (dispose them after the step).
   *
   * Everything is checked before anything changes: replaced or disposed parameters, unknown
   * parameters, shapes, hyperparameters and non-finite gradients throw (or, with
   * `nonFinite: 'skip'`, skip the step) and leave weights and state as they were. With
   * `nonFinite: 'unchecked'` gradients are not checked (as in `torch.optim`): a NaN or ±Infinity
   * goes into the weights and state, and shows in {@link diagnostics} as a non-finite `gradNorm`.
   *
   * @returns false when the step was skipped because of non-finite gradients.
   */
  step(grads?: Gradients): boolean {
    this.checkParams('step', { live: true });
    const resolved = grads === undefined ? new Map(this.accumulated) : this.resolveGradients(grads);
    this.paramGroups.forEach((group, g) => this.checkGroup(group, `group ${g}`));

    const entries: StepEntry<H>[] = [];
    let paramIndex = 0;
    this.paramGroups.forEach((group, groupIndex) => {
      for (const param of group.params) {
        const grad = resolved.get(param);
        if (grad) entries.push({ param, group, groupIndex, paramIndex, grad });
        paramIndex++;
      }
    });
    const withTensorOps = this.tensorOps ?? prefersTensorOps();
    return withTensorOps ? this.stepWithTensorOps(entries) : this.stepWithLoops(entries);
  }

  /** The step with the fused loops over float32 arrays (in place on cpu and wasm). */
  private stepWithLoops(entries: StepEntry<H>[]): boolean {
    // Ownership first (it may grow the wasm heap), then state in the heap, then views; nothing
    // below allocates on the backend.
    const inPlace = entries.map(
      (entry) =>
        this.inPlace &&
        prepareInPlace(
          entry.param.variable,
          this.executor.allocate,
          (storage) => this.executor.accepts?.(storage) ?? true
        )
    );
    const heapState = stateInBackendHeap();
    const heapSlots = entries.map((entry, i) =>
      heapState && inPlace[i]
        ? prepareHeapSlots(
            this.state.get(entry.param.variable)?.slots,
            this.rule.slots(entry.group),
            entry.param.variable
          )
        : undefined
    );
    const unmeasured = this.skipsPassBeforeUpdate;
    let weights: WritableWeights[];
    let gradValues: Float32Array[];
    let sums: Float64Array[];
    try {
      weights = entries.map((entry, i) => writableWeights(entry.param.variable, inPlace[i], this.executor.allocate));
      gradValues = entries.map((entry) => readGradient(entry.grad));
      this.executor.beginStep?.();
      sums = unmeasured
        ? entries.map(() => Float64Array.of(NaN, NaN, NaN))
        : this.executor.measure(
            entries.map((entry, i) => ({
              param: weights[i].values,
              key: entry.param.variable,
              grad: gradValues[i],
              weightDecay: (entry.group as { weightDecay?: number }).weightDecay ?? 0,
              withNorms: this.rule.needsNorms
            }))
          );
      if (
        !this.acceptGradients(
          entries,
          sums.map((s) => Number.isFinite(s[0]))
        )
      ) {
        discardHeapSlots(heapSlots);
        return false;
      }
    } catch (error) {
      discardHeapSlots(heapSlots);
      throw error;
    }
    this.countGroupSteps();
    const totalGradSq = sums.reduce((total, s) => total + s[0], 0);

    const prepared = entries.map((entry, i) => {
      const state = this.stateFor(entry.param.variable);
      const names = this.rule.slots(entry.group);
      const heap = heapSlots[i];
      let fresh = heap?.fresh ?? false;
      // State goes where the kernels update it in place: the wasm heap beside the weights there,
      // else the executor's memory (the SIMD arena; weights elsewhere pass through scratch chunks).
      const slots = heap
        ? adoptHeapSlots(state.slots, names, heap)
        : names.map((name) => {
            const slot = state.slots.get(name);
            if (slot instanceof Float32Array) return slot;
            const values = this.executor.allocate(entry.param.variable.size);
            if (slot) {
              values.set(slot.dataSync() as Float32Array);
              slot.dispose();
            } else {
              fresh = true;
            }
            state.slots.set(name, values);
            return values;
          });
      this.advance(state, entry.group);
      const pre: PrePassSums = { gradSq: sums[i][0], weightSq: sums[i][1], decayedGradSq: sums[i][2], totalGradSq };
      return { slots, fresh, pre, step: this.stepOf(state, entry.group), carried: state.carried };
    });
    // A rule with a first pass (LAMB) runs it over every parameter; its sums go to the scalars.
    const first = this.rule.firstPass;
    if (first) {
      const firstTasks = prepared.map(({ slots, fresh, pre, step, carried }, i) => ({
        param: weights[i].values,
        key: entries[i].param.variable,
        grad: gradValues[i],
        slots,
        scalars: first.scalars(entries[i].group, step, fresh, pre, carried)
      }));
      this.executor.update(first, firstTasks).forEach((s, i) => (prepared[i].pre.firstPass = [s[0], s[1]]));
    }
    const tasks: UpdateTask<unknown>[] = prepared.map(({ slots, fresh, pre, step, carried }, i) => {
      const scalars = this.rule.scalars(entries[i].group, step, fresh, pre, carried);
      return {
        param: weights[i].values,
        key: entries[i].param.variable,
        grad: gradValues[i],
        slots,
        scalars: unmeasured ? { ...(scalars as object), [GRAD_SQUARES]: true } : scalars
      };
    });
    const results = this.executor.update(this.rule, tasks);
    for (const w of weights) w.commit();

    this.clearPendingDiagnostics();
    this.lastDiagnostics = this.buildDiagnostics(
      entries,
      entries.map((_, i) => [unmeasured ? results[i][2] : sums[i][0], results[i][0], results[i][1]]),
      tasks.map((task) => task.scalars)
    );
    return true;
  }

  /**
   * The step with TF.js ops on the tensors' own backend (GPUs by default): weights and state never
   * leave it; one small read per step (Σ g², whose finiteness is the NaN/Infinity check, Σ w², and
   * what LARS needs) and one more only when diagnostics are asked for.
   */
  private stepWithTensorOps(entries: StepEntry<H>[]): boolean {
    // Per parameter Σ g² (its finiteness is the NaN/Infinity check), Σ w² and, for LARS,
    // Σ (g + λw)², read back together; unchecked, with a rule that needs none of them before the
    // update, read only with the diagnostics (no wait for the backend in the step).
    const unmeasured = this.skipsPassBeforeUpdate;
    const perEntry = this.rule.needsNorms ? 3 : 2;
    const measured = tf.tidy(() =>
      tf.stack(
        entries.flatMap(({ param, group, grad }) => {
          const w = param.variable;
          const sums = [sumOfSquares(grad), sumOfSquares(w)];
          if (this.rule.needsNorms)
            sums.push(sumOfSquares(tf.add(grad, tf.mul(w, (group as { weightDecay?: number }).weightDecay ?? 0))));
          return sums;
        })
      )
    );
    const pre = unmeasured ? new Float32Array(perEntry * entries.length).fill(NaN) : measured.dataSync();
    if (!unmeasured) measured.dispose();
    const at = (i: number, k: number) => pre[perEntry * i + k];
    if (
      !this.acceptGradients(
        entries,
        entries.map((_, i) => Number.isFinite(at(i, 0)))
      )
    )
      return false;
    this.countGroupSteps();
    const totalGradSq = entries.reduce((total, _, i) => total + at(i, 0), 0);

    const prepared = entries.map((entry, i) => {
      const state = this.stateFor(entry.param.variable);
      this.advance(state, entry.group);
      const fresh = this.rule.slots(entry.group).some((name) => !state.slots.has(name));
      const pre: PrePassSums = {
        gradSq: at(i, 0),
        weightSq: at(i, 1),
        decayedGradSq: perEntry > 2 ? at(i, 2) : 0,
        totalGradSq
      };
      return { fresh, pre, step: this.stepOf(state, entry.group), carried: state.carried };
    });
    const first = this.rule.firstPass;
    if (first) this.firstPassWithTensorOps(first, entries, prepared);
    const scalars = prepared.map(({ fresh, pre, step, carried }, i) =>
      this.rule.scalars(entries[i].group, step, fresh, pre, carried)
    );
    const outputs = tf.tidy(() => {
      const steps = entries.map((entry, i) =>
        this.rule.tensorKernel(entry.param.variable, entry.grad, this.slotTensors(entry), scalars[i])
      );
      const updateSq = tf.stack(steps.map((step, i) => sumOfSquares(tf.sub(step.param, entries[i].param.variable))));
      return { params: steps.map((x) => x.param), slots: steps.map((x) => x.slots), updateSq };
    });
    entries.forEach((entry, i) => {
      entry.param.variable.assign(outputs.params[i]);
      outputs.params[i].dispose();
      const state = this.stateFor(entry.param.variable);
      this.storeSlotTensors(state, entry.group, outputs.slots[i]);
    });

    this.clearPendingDiagnostics();
    this.lastDiagnostics = [];
    const n = entries.length;
    this.pendingDiagnostics = {
      // Unchecked, the sums of the gradients and weights the step started from come along.
      sums: unmeasured ? tf.concat([outputs.updateSq, measured]) : outputs.updateSq,
      build: (values) =>
        this.buildDiagnostics(
          entries,
          entries.map((_, i) =>
            unmeasured
              ? [values[n + perEntry * i], values[i], values[n + perEntry * i + 1]]
              : [at(i, 0), values[i], at(i, 1)]
          ),
          scalars
        )
    };
    if (unmeasured) {
      outputs.updateSq.dispose();
      measured.dispose();
    }
    return true;
  }

  /**
   * The rule's first pass with TF.js ops: stores its slots in the state and its two sums, read back
   * together, in each entry's `pre.firstPass`.
   */
  private firstPassWithTensorOps(
    first: UpdateRule<H, unknown>,
    entries: StepEntry<H>[],
    prepared: Array<{ fresh: boolean; pre: PrePassSums; step: number; carried: number }>
  ): void {
    const outputs = tf.tidy(() => {
      const steps = entries.map((entry, i) => {
        const { fresh, pre, step, carried } = prepared[i];
        const scalars = first.scalars(entry.group, step, fresh, pre, carried);
        const result = first.tensorKernel(entry.param.variable, entry.grad, this.slotTensors(entry), scalars, true);
        result.param.dispose();
        return result;
      });
      return { slots: steps.map((x) => x.slots), sums: tf.stack(steps.flatMap((x) => (x.sums ?? []).slice(0, 2))) };
    });
    const sums = outputs.sums.dataSync();
    outputs.sums.dispose();
    entries.forEach((entry, i) => {
      prepared[i].pre.firstPass = [sums[2 * i], sums[2 * i + 1]];
      this.storeSlotTensors(this.stateFor(entry.param.variable), entry.group, outputs.slots[i]);
    });
  }

  /** A parameter's state slots as tensors (zeros for new ones); inside `tf.tidy`. */
  private slotTensors(entry: StepEntry<H>): tf.Tensor[] {
    const w = entry.param.variable;
    const state = this.stateFor(w);
    return this.rule.slots(entry.group).map((name) => {
      const slot = state.slots.get(name);
      if (slot === undefined) return tf.zeros(w.shape);
      return slot instanceof Float32Array ? tf.tensor(slot, w.shape, 'float32') : slot;
    });
  }

  /** Keeps the slot tensors a step returned (a program that stores fewer leaves the rest as they are). */
  private storeSlotTensors(state: ParamState, group: OptimizerParamGroup<H>, slots: tf.Tensor[]): void {
    this.rule.slots(group).forEach((name, k) => {
      const next = slots[k];
      if (next === undefined) return;
      const previous = state.slots.get(name);
      if (previous instanceof tf.Tensor) previous.dispose();
      state.slots.set(name, next);
    });
  }

  /** Counts a step in every group's `step` key, for rules that count per group (timm's Lamb). */
  private countGroupSteps(): void {
    if (!this.rule.groupSteps) return;
    for (const group of this.paramGroups) {
      const step = (group as { step?: unknown }).step;
      (group as { step?: number }).step = (typeof step === 'number' ? step : 0) + 1;
    }
  }

  /** The step count the rule's scalars receive: the parameter's, or its group's. */
  private stepOf(state: ParamState, group: OptimizerParamGroup<H>): number {
    return this.rule.groupSteps ? ((group as { step?: number }).step ?? 0) : state.step;
  }

  /** Refuses (or skips) a step with non-finite gradients; true when the step may go on. */
  private acceptGradients(entries: StepEntry<H>[], finite: boolean[]): boolean {
    const nonFinite = entries.filter((_, i) => !finite[i]).map((entry) => entry.param.name);
    if (nonFinite.length === 0 || this.nonFinite === 'unchecked') return true;
    if (this.nonFinite === 'skip') {
      this.skippedSteps++;
      return false;
    }
    throw new OptimizerError(
      `${this.owner}.step: non-finite gradient (NaN or ±Infinity) for ` +
        `${nonFinite.map((n) => `'${n}'`).join(', ')}; nothing was updated`
    );
  }

  /** Per parameter, from `[Σ g², Σ Δw², Σ w²]` of the step. */
  private buildDiagnostics(entries: StepEntry<H>[], sums: number[][], scalars: unknown[]): ParamStepDiagnostics[] {
    return entries.map((entry, i) => {
      const [gradSq, updateSq, weightSq] = sums[i];
      const weightNorm = Math.sqrt(weightSq);
      const updateNorm = Math.sqrt(updateSq);
      const lr = (entry.group as { lr?: number }).lr ?? NaN;
      const source = entry.param.source as { feedsNormalization?: boolean };
      const diagnostics: ParamStepDiagnostics = {
        name: entry.param.name,
        groupIndex: entry.groupIndex,
        paramIndex: entry.paramIndex,
        lr,
        weightNorm,
        gradNorm: Math.sqrt(gradSq),
        updateNorm,
        effectiveStep: updateNorm / weightNorm,
        effectiveLr: lr / (weightNorm * weightNorm),
        scaleInvariant: source.feedsNormalization === true
      };
      if (this.rule.trustRatio) diagnostics.trustRatio = this.rule.trustRatio(scalars[i]);
      return diagnostics;
    });
  }

  private clearPendingDiagnostics(): void {
    this.pendingDiagnostics?.sums.dispose();
    this.pendingDiagnostics = undefined;
  }

  /**
   * What the last successful step did, per parameter that had a gradient: its group, norms,
   * effective step ‖ΔW‖/‖W‖ and effective learning rate η/‖W‖².
   */
  diagnostics(): ParamStepDiagnostics[] {
    if (this.pendingDiagnostics) {
      const { sums, build } = this.pendingDiagnostics;
      this.lastDiagnostics = build(sums.dataSync() as Float32Array);
      this.clearPendingDiagnostics();
    }
    return this.lastDiagnostics.map((d) => ({ ...d }));
  }

  /**
   * Frees what the optimizer holds on the backend: state tensors (on the wasm backend, and after
   * steps with TF.js ops) and accumulated gradients. The optimizer can go on afterwards, as if its
   * state had been reset. An optimizer dropped without it frees its state tensors when it is
   * garbage-collected, at a time the collector chooses.
   */
  dispose(): void {
    this.zeroGrad();
    this.disposeState();
  }

  private disposeState(): void {
    this.clearPendingDiagnostics();
    releaseState(this.state);
    this.state.clear();
  }

  /**
   * PyTorch's `state_dict()`: state by parameter index, groups with their hyperparameters. Plain
   * JSON: NaN and ±Infinity in state tensors are written as `"NaN"`, `"Infinity"`, `"-Infinity"`
   * (see `state-encoding.ts`), which {@link loadStateDict} reads back.
   */
  stateDict(): OptimizerStateDict {
    this.checkParams('stateDict', { live: false });
    const state: Record<string, SerializedParamState> = {};
    const paramGroups: OptimizerStateDict['paramGroups'] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const indices: number[] = [];
      for (const param of group.params) {
        const paramState = this.state.get(param.variable);
        // PyTorch keeps no state for a parameter whose rule needs none (SGD without momentum).
        if (paramState && (paramState.slots.size > 0 || this.rule.countsSteps)) {
          const entry: SerializedParamState = {};
          if (this.rule.countsSteps) entry.step = paramState.step;
          if (this.rule.carried) entry[this.rule.carried.name] = paramState.carried;
          for (const [name, values] of paramState.slots) {
            entry[name] = serializeTensor(
              values instanceof Float32Array ? values : (values.dataSync() as Float32Array),
              param.variable.shape
            );
          }
          state[String(index)] = entry;
        }
        indices.push(index++);
      }
      const { params: _params, ...hyperparameters } = group;
      paramGroups.push({
        ...(JSON.parse(JSON.stringify(hyperparameters)) as Record<string, unknown>),
        params: indices
      });
    }
    return { state, paramGroups };
  }

  /**
   * PyTorch's `load_state_dict()`: takes the groups' hyperparameters and the per-parameter state
   * from `dict`, matching parameters by position. Checks everything first; on error (naming the
   * group or parameter index and the field) the optimizer is unchanged. A parameter's entry must
   * hold every state tensor its group uses (`expAvgSq` for Adam, `momentumBuffer` for SGD with
   * momentum, …): torch.optim fails on a missing one too. A parameter without an entry starts fresh.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    this.checkParams('loadStateDict', { live: false });
    const owner = `${this.owner}.loadStateDict`;
    if (
      dict == null ||
      typeof dict !== 'object' ||
      !Array.isArray(dict.paramGroups) ||
      dict.state == null ||
      typeof dict.state !== 'object'
    ) {
      throw new OptimizerError(`${owner}: expected { state, paramGroups }, got ${describeValue(dict)}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new OptimizerError(
        `${owner}: the state dict has ${dict.paramGroups.length} groups, the optimizer ${this.paramGroups.length}`
      );
    }
    const byIndex: OptimizerParam[] = [];
    const groups = dict.paramGroups.map((saved, g) => {
      const current = this.paramGroups[g];
      if (!Array.isArray(saved?.params) || saved.params.length !== current.params.length) {
        throw new OptimizerError(
          `${owner}: group ${g} has ${saved?.params?.length ?? 'no'} params in the state dict, ` +
            `${current.params.length} in the optimizer`
        );
      }
      saved.params.forEach((index, i) => {
        if (!Number.isInteger(index) || byIndex[index] !== undefined) {
          throw new OptimizerError(
            `${owner}: group ${g} params[${i}] is ${describeValue(index)}, not a new parameter index`
          );
        }
        byIndex[index] = current.params[i];
      });
      const { params: _saved, ...hyperparameters } = saved;
      const merged = {
        ...(JSON.parse(JSON.stringify(hyperparameters)) as object),
        params: current.params
      } as OptimizerParamGroup<H>;
      this.checkGroup(merged, `group ${g}`);
      return merged;
    });
    const newState = new Map<tf.Variable, ParamState>();
    for (const [key, entry] of Object.entries(dict.state)) {
      const param = byIndex[Number(key)];
      if (!/^\d+$/.test(key) || !param)
        throw new OptimizerError(`${owner}: state has parameter index ${key}, which no group lists`);
      const group = groups.find((g) => g.params.includes(param)) as OptimizerParamGroup<H>;
      newState.set(
        param.variable,
        this.parseParamState(entry, param, group, `${owner}: state of parameter ${key} ('${param.name}')`)
      );
    }
    groups.forEach((group, g) => {
      for (const key of Object.keys(this.paramGroups[g])) delete (this.paramGroups[g] as Record<string, unknown>)[key];
      Object.assign(this.paramGroups[g], group);
    });
    this.disposeState();
    for (const [variable, paramState] of newState) this.state.set(variable, paramState);
  }

  private parseParamState(
    entry: SerializedParamState,
    param: OptimizerParam,
    group: OptimizerParamGroup<H>,
    where: string
  ): ParamState {
    if (entry == null || typeof entry !== 'object')
      throw new OptimizerError(`${where} must be an object, got ${describeValue(entry)}`);
    const required = this.rule.slots(group);
    const carried = this.rule.carried;
    const numbers = [...(this.rule.countsSteps ? ['step'] : []), ...(carried ? [carried.name] : [])];
    const missing = [...(carried ? [carried.name] : []), ...required].filter((field) => !(field in entry));
    if (missing.length > 0) {
      const expected = [...numbers, ...required].join(', ');
      throw new OptimizerError(
        `${where}: missing field ${missing.join(', ')} (with its group's settings the state of a parameter is ` +
          `${expected}; torch.optim fails on a missing one too)`
      );
    }
    const allowed = new Set(required);
    let step = 0;
    if (this.rule.countsSteps) {
      const value = entry.step;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new OptimizerError(`${where}: field step must be a non-negative integer, got ${describeValue(value)}`);
      }
      step = value;
    }
    let carriedValue = carried?.initial ?? 0;
    if (carried) {
      const value = entry[carried.name];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new OptimizerError(
          `${where}: field ${carried.name} must be a finite number, got ${describeValue(value)}`
        );
      }
      carriedValue = value;
    }
    const slots = new Map<string, Float32Array | tf.Tensor>();
    for (const [field, value] of Object.entries(entry)) {
      if (numbers.includes(field)) continue;
      if (!allowed.has(field)) {
        const expected = [...allowed, ...numbers].join(', ');
        throw new OptimizerError(`${where}: unexpected field ${field} (expected ${expected})`);
      }
      const tensor = value as SerializedTensor;
      const shape = param.variable.shape;
      if (typeof tensor !== 'object' || !Array.isArray(tensor.shape) || !Array.isArray(tensor.values)) {
        throw new OptimizerError(`${where}: field ${field} must be { shape, values }`);
      }
      if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
        throw new OptimizerError(`${where}: field ${field} has shape [${tensor.shape}], the parameter [${shape}]`);
      }
      if (tensor.values.length !== param.variable.size) {
        const count = tensor.values.length;
        throw new OptimizerError(`${where}: field ${field} has ${count} values, the parameter ${param.variable.size}`);
      }
      const decoded = new Float64Array(tensor.values.length);
      tensor.values.forEach((v, i) => {
        const value = decodeFloat(v);
        if (value === undefined) {
          throw new OptimizerError(
            `${where}: field ${field} values[${i}] is ${describeValue(v)}, ${NOT_A_STATE_VALUE}`
          );
        }
        decoded[i] = value;
      });
      const values = this.executor.allocate(param.variable.size);
      values.set(decoded);
      slots.set(field, values);
    }
    return { step, carried: carriedValue, slots };
  }

  /** Counts the step and moves the rule's carried number on, before the step's scalars. */
  private advance(state: ParamState, group: OptimizerParamGroup<H>): void {
    if (this.rule.countsSteps) state.step++;
    if (this.rule.carried) state.carried = this.rule.carried.next(group, state.step, state.carried);
  }

  private stateFor(variable: tf.Variable): ParamState {
    let state = this.state.get(variable);
    if (!state) {
      state = { step: 0, carried: this.rule.carried?.initial ?? 0, slots: new Map() };
      this.state.set(variable, state);
    }
    return state;
  }

  /**
   * Checks every group still holds the parameters the optimizer resolved (`paramGroups[g].params`
   * is live and may have been replaced) and, with `live`, that none was disposed.
   */
  private checkParams(method: string, { live }: { live: boolean }): void {
    const owner = `${this.owner}.${method}`;
    this.paramGroups.forEach((group, g) => {
      if (!Array.isArray(group.params)) {
        const got = describeValue(group.params);
        throw new OptimizerError(`${owner}: paramGroups[${g}].params is ${got}, not an array; ${KEEP_PARAMS}`);
      }
      group.params.forEach((p: unknown, i) => {
        const resolved = p as Partial<OptimizerParam> | null;
        const isResolved = resolved?.variable instanceof tf.Variable && typeof resolved.name === 'string';
        if (isResolved && resolved.source !== undefined) {
          if (live && resolved.variable.isDisposed) {
            throw new OptimizerError(
              `${owner}: parameter '${resolved.name}' (paramGroups[${g}].params[${i}]) was disposed; nothing was ` +
                `updated. Drop it from the group (filter paramGroups[${g}].params) or build a new optimizer`
            );
          }
          return;
        }
        const what = p instanceof tf.Variable ? `a bare tf.Variable ('${p.name}')` : describeValue(p);
        throw new OptimizerError(
          `${owner}: paramGroups[${g}].params[${i}] is ${what}, not one of the optimizer's parameters: the params ` +
            `array of group ${g} was replaced after the group was added. ${KEEP_PARAMS}`
        );
      });
    });
  }

  private resolveGradients(grads: Gradients): Map<OptimizerParam, tf.Tensor> {
    const byVariable = new Map<tf.Variable, OptimizerParam>();
    const byName = new Map<string, OptimizerParam>();
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        byVariable.set(p.variable, p);
        byName.set(p.variable.name, p);
        if (!byName.has(p.name)) byName.set(p.name, p);
      }
    }
    const entries: Array<[tf.Variable | string, tf.Tensor]> =
      grads instanceof Map
        ? [...grads.entries()]
        : grads != null && typeof grads === 'object'
          ? Object.entries(grads)
          : [];
    if (!(grads instanceof Map) && (grads == null || typeof grads !== 'object')) {
      throw new OptimizerError(
        `${this.owner}.step: gradients must be a Map or an object of tensors, got ${describeValue(grads)}`
      );
    }
    const resolved = new Map<OptimizerParam, tf.Tensor>();
    for (const [key, grad] of entries) {
      const param = typeof key === 'string' ? byName.get(key) : byVariable.get(key);
      const label = typeof key === 'string' ? key : key?.name;
      if (!param)
        throw new OptimizerError(`${this.owner}.step: gradient for unknown parameter '${label}' (not in any group)`);
      if (!(grad instanceof tf.Tensor) || grad.isDisposed) {
        throw new OptimizerError(`${this.owner}.step: gradient for '${param.name}' is not a live tf.Tensor`);
      }
      if (grad.dtype !== 'float32')
        throw new OptimizerError(`${this.owner}.step: gradient for '${param.name}' is ${grad.dtype}, expected float32`);
      const shape = param.variable.shape;
      if (grad.shape.length !== shape.length || grad.shape.some((d, i) => d !== shape[i])) {
        throw new OptimizerError(
          `${this.owner}.step: gradient for '${param.name}' has shape [${grad.shape}], the parameter [${shape}]`
        );
      }
      if (resolved.has(param)) throw new OptimizerError(`${this.owner}.step: two gradients for '${param.name}'`);
      resolved.set(param, grad);
    }
    return resolved;
  }
}
