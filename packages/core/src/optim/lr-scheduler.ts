/**
 * Learning-rate schedulers that set `lr` in an optimizer's `paramGroups`, as
 * `torch.optim.lr_scheduler` does (PyTorch 2.x): the same recursive formulas, the same
 * `initialLr` bookkeeping in each group, and the same order of calls — `optimizer.step()`, then
 * `scheduler.step()`, once per epoch (or iteration).
 */
import { describeValue } from '@paramscope/protocol';
import { OptimizerError } from './validate';

/** What a scheduler needs of an optimizer: its live groups. Every optimizer here qualifies. */
export interface SchedulableOptimizer {
  paramGroups: Array<{ lr: number; [key: string]: unknown }>;
}

/** A scheduler's state (PyTorch's `state_dict()`, minus the optimizer). Plain JSON. */
export interface SchedulerStateDict {
  lastEpoch: number;
  stepCount: number;
  baseLrs: number[];
  lastLr: number[];
  schedulers?: SchedulerStateDict[];
}

function requirePositiveInteger(value: number, field: string, owner: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new OptimizerError(`${owner}: ${field} must be a positive integer, got ${describeValue(value)}`);
  return value;
}

function requireFinite(value: number, field: string, owner: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new OptimizerError(`${owner}: ${field} must be a finite number, got ${describeValue(value)}`);
  return value;
}

/**
 * Base of the schedulers. Construction records each group's `initialLr` (kept in the group, as
 * PyTorch's `initial_lr`) and applies the schedule's value for epoch 0.
 */
export abstract class LRScheduler {
  /** The epoch of the learning rates now in the groups (0 after construction). */
  lastEpoch = -1;
  /** The groups' `initialLr`. */
  readonly baseLrs: number[];
  protected stepCount = 0;
  /** True while the constructor applies epoch 0 (PyTorch's `_is_initial`). */
  protected isInitial = false;
  private lastLr: number[] = [];

  protected constructor(readonly optimizer: SchedulableOptimizer) {
    if (!optimizer || !Array.isArray(optimizer.paramGroups)) {
      throw new OptimizerError(
        `${this.constructor.name}: expected an optimizer with paramGroups, got ${describeValue(optimizer)}`
      );
    }
    for (const [i, group] of optimizer.paramGroups.entries()) {
      requireFinite(group.lr, `paramGroups[${i}].lr`, this.constructor.name);
      if (group.initialLr === undefined) group.initialLr = group.lr;
    }
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr as number);
  }

  /** The learning rate for `lastEpoch`, from the groups' current ones (PyTorch's `get_lr`). */
  protected abstract computeLr(): number[];

  /** The learning rate for `lastEpoch` in closed form, where the schedule has one. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** Advances one epoch and writes the new learning rates into the groups. */
  step(): void {
    this.stepCount++;
    this.updateLr();
  }

  /** The learning rates the last step set, per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** Applies epoch 0 (for subclasses' constructors and {@link SequentialLR}). */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** Moves to the next epoch, or to `epoch` (closed form where available), and sets `lr`. */
  updateLr(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.computeLr();
    } else {
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.computeLr();
    }
    this.optimizer.paramGroups.forEach((group, i) => (group.lr = values[i]));
    this.lastLr = this.optimizer.paramGroups.map((group) => group.lr);
  }

  stateDict(): SchedulerStateDict {
    return {
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr]
    };
  }

  loadStateDict(state: SchedulerStateDict): void {
    const owner = `${this.constructor.name}.loadStateDict`;
    if (!Number.isInteger(state?.lastEpoch) || !Number.isInteger(state.stepCount))
      throw new OptimizerError(`${owner}: lastEpoch and stepCount must be integers`);
    for (const field of ['baseLrs', 'lastLr'] as const) {
      const list = state[field];
      if (
        !Array.isArray(list) ||
        list.length !== this.optimizer.paramGroups.length ||
        list.some((v) => typeof v !== 'number')
      ) {
        throw new OptimizerError(
          `${owner}: ${field} must hold one number per group (${this.optimizer.paramGroups.length})`
        );
      }
    }
    this.lastEpoch = state.lastEpoch;
    this.stepCount = state.stepCount;
    this.baseLrs.splice(0, this.baseLrs.length, ...state.baseLrs);
    this.lastLr = [...state.lastLr];
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }
}

/** Multiplies the learning rate by `gamma` every `stepSize` epochs (`torch.optim.lr_scheduler.StepLR`). */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: { stepSize: number; gamma?: number }) {
    super(optimizer);
    this.stepSize = requirePositiveInteger(options.stepSize, 'stepSize', 'StepLR');
    this.gamma = requireFinite(options.gamma ?? 0.1, 'gamma', 'StepLR');
    this.initialStep();
  }

  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.currentLrs();
    return this.currentLrs().map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Cosine annealing from each group's initial rate down to `etaMin` over `tMax` epochs
 * (`torch.optim.lr_scheduler.CosineAnnealingLR`, recursive form, restarting its cosine after tMax).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: { tMax: number; etaMin?: number }) {
    super(optimizer);
    this.tMax = requirePositiveInteger(options.tMax, 'tMax', 'CosineAnnealingLR');
    this.etaMin = requireFinite(options.etaMin ?? 0, 'etaMin', 'CosineAnnealingLR');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, tMax, etaMin } = this;
    if (this.isInitial) return this.currentLrs();
    if (this.stepCount === 1 && t > 0) return this.closedFormLr();
    if ((t - 1 - tMax) % (2 * tMax) === 0) {
      return this.currentLrs().map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * t) / tMax)) / (1 + Math.cos((Math.PI * (t - 1)) / tMax));
    return this.currentLrs().map((lr) => ratio * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map(
      (base) => this.etaMin + ((base - this.etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax))) / 2
    );
  }
}

/**
 * Linear warm-up: scales the learning rate from `startFactor`× to `endFactor`× over `totalIters`
 * epochs (`torch.optim.lr_scheduler.LinearLR`).
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(
    optimizer: SchedulableOptimizer,
    options: { startFactor?: number; endFactor?: number; totalIters?: number } = {}
  ) {
    super(optimizer);
    const startFactor = options.startFactor ?? 1 / 3;
    const endFactor = options.endFactor ?? 1;
    if (!(startFactor > 0 && startFactor <= 1))
      throw new OptimizerError(`LinearLR: startFactor must be in (0, 1], got ${describeValue(startFactor)}`);
    if (!(endFactor >= 0 && endFactor <= 1))
      throw new OptimizerError(`LinearLR: endFactor must be in [0, 1], got ${describeValue(endFactor)}`);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = requirePositiveInteger(options.totalIters ?? 5, 'totalIters', 'LinearLR');
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { lastEpoch: t, startFactor, endFactor, totalIters } = this;
    if (t === 0) return this.currentLrs().map((lr) => lr * startFactor);
    if (this.isInitial || t > totalIters) return this.currentLrs();
    const factor = 1 + (endFactor - startFactor) / (totalIters * startFactor + (t - 1) * (endFactor - startFactor));
    return this.currentLrs().map((lr) => lr * factor);
  }

  protected override closedFormLr(): number[] {
    const progress = Math.min(this.totalIters, this.lastEpoch) / this.totalIters;
    return this.baseLrs.map((base) => base * (this.startFactor + (this.endFactor - this.startFactor) * progress));
  }
}

/**
 * Runs schedulers one after another, switching at `milestones` (`torch.optim.lr_scheduler.SequentialLR`),
 * e.g. a {@link LinearLR} warm-up followed by {@link CosineAnnealingLR}. Each later scheduler starts
 * from its closed form at its own epoch 0.
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(optimizer: SchedulableOptimizer, options: { schedulers: LRScheduler[]; milestones: number[] }) {
    super(optimizer);
    const { schedulers, milestones } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0)
      throw new OptimizerError('SequentialLR: expects at least one scheduler');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new OptimizerError(`SequentialLR: scheduler ${i} (${s.constructor.name}) belongs to another optimizer`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new OptimizerError(
        `SequentialLR: expects ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, ` +
          `got ${describeValue(milestones)}`
      );
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m <= 0 || (i > 0 && m <= milestones[i - 1])) {
        throw new OptimizerError(
          `SequentialLR: milestones must be increasing positive integers, got ${describeValue(milestones)}`
        );
      }
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    this.lastEpoch = 0;
    // Undo what constructing the schedulers did, then apply epoch 0 of the first one.
    for (const group of optimizer.paramGroups) group.lr = group.initialLr as number;
    for (const s of this.schedulers) undo(s);
    this.schedulers[this.activeIndex(0)].initialStep();
  }

  private activeIndex(epoch: number): number {
    return this.milestones.filter((m) => m <= epoch).length;
  }

  protected computeLr(): number[] {
    return this.currentLrs();
  }

  override step(): void {
    this.lastEpoch++;
    const index = this.activeIndex(this.lastEpoch);
    const scheduler = this.schedulers[index];
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.updateLr(0);
    else scheduler.step();
  }

  override getLastLr(): number[] {
    return this.schedulers[this.activeIndex(this.lastEpoch)].getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), lastLr: this.getLastLr(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(state: SchedulerStateDict): void {
    if (!Array.isArray(state?.schedulers) || state.schedulers.length !== this.schedulers.length) {
      throw new OptimizerError(`SequentialLR.loadStateDict: expected ${this.schedulers.length} scheduler states`);
    }
    super.loadStateDict(state);
    this.schedulers.forEach((s, i) => s.loadStateDict((state.schedulers as SchedulerStateDict[])[i]));
  }
}

function undo(scheduler: LRScheduler): void {
  if (scheduler instanceof SequentialLR) scheduler.schedulers.forEach(undo);
  else scheduler.lastEpoch--;
}

/** Steps several schedulers together each epoch, multiplying their effects (`ChainedScheduler`). */
export class ChainedScheduler extends LRScheduler {
  readonly schedulers: LRScheduler[];

  constructor(optimizer: SchedulableOptimizer, schedulers: LRScheduler[]) {
    super(optimizer);
    if (!Array.isArray(schedulers) || schedulers.length === 0)
      throw new OptimizerError('ChainedScheduler: expects at least one scheduler');
    schedulers.forEach((s, i) => {
      if (s.optimizer !== optimizer)
        throw new OptimizerError(
          `ChainedScheduler: scheduler ${i} (${s.constructor.name}) belongs to another optimizer`
        );
    });
    this.schedulers = [...schedulers];
    this.lastEpoch = 0;
  }

  protected computeLr(): number[] {
    return this.currentLrs();
  }

  override step(): void {
    this.lastEpoch++;
    for (const s of this.schedulers) s.step();
  }

  override getLastLr(): number[] {
    return this.currentLrs();
  }
}
