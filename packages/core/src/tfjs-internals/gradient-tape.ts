/**
 * Seam onto TF.js's gradient tape (`@tensorflow/tfjs-core`'s engine, no public API):
 * `startTape`/`endTape`, `state.activeTape` (the kernels run while recording, with their input
 * and output tensors) and `state.gradientDepth` (how many gradient computations enclose the
 * current one). Nothing else in the package reaches the engine's state.
 */
import * as tf from '@tensorflow/tfjs';
import { WRITTEN_FOR, hasMethod, internalsMessage, warnFallback, type SeamInfo } from './seam';

export const GRADIENT_TAPE_SEAM: SeamInfo = {
  module: 'tfjs-internals/gradient-tape',
  dependency: '@tensorflow/tfjs-core',
  writtenFor: WRITTEN_FOR.tfjs
};

/** One kernel recorded on the tape. */
export interface TapeNode {
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
}

interface TapeEngine {
  startTape(): void;
  endTape(): void;
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
}

/** Why `engine` has not the tape this seam expects, or null when it has. */
export function gradientTapeProblem(engine: unknown): string | null {
  if (!hasMethod(engine, 'startTape') || !hasMethod(engine, 'endTape')) {
    return 'the engine has no `startTape`/`endTape`';
  }
  const state = (engine as { state?: Partial<TapeEngine['state']> }).state;
  if (state == null || typeof state !== 'object') return 'the engine has no `state`';
  if (typeof state.gradientDepth !== 'number') return 'the engine state has no numeric `gradientDepth`';
  if (state.activeTape != null && !Array.isArray(state.activeTape)) {
    return 'the engine state has an `activeTape` that is not a list';
  }
  return null;
}

/** The full message when the tape changed, or null (for tests). */
export function describeGradientTapeProblem(engine: unknown = tf.engine(), installed = tf.version_core): string | null {
  const problem = gradientTapeProblem(engine);
  return problem === null ? null : internalsMessage(GRADIENT_TAPE_SEAM, problem, installed);
}

function tapeEngine(): TapeEngine {
  const engine = tf.engine() as unknown;
  const message = describeGradientTapeProblem(engine);
  if (message !== null) throw new Error(message);
  return engine as TapeEngine;
}

/**
 * How many gradient computations enclose the current one (0 outside any). Where the engine no
 * longer says, 0 with a warning printed once.
 */
export function gradientDepth(): number {
  const engine = tf.engine() as unknown;
  const problem = gradientTapeProblem(engine);
  if (problem !== null) {
    warnFallback(GRADIENT_TAPE_SEAM, problem, tf.version_core, 'nested gradients are not detected');
    return 0;
  }
  return (engine as TapeEngine).state.gradientDepth;
}

/**
 * Runs `run` with the tape on and returns every kernel it recorded, in order. `run` gets the
 * number of kernels recorded so far. Tensors the tape saved for gradients are disposed; outside a
 * gradient computation the tape is dropped afterwards. Throws, naming this seam and the installed
 * version, when the engine has no tape.
 */
export function recordKernels(run: (recorded: () => number) => void): TapeNode[] {
  const engine = tapeEngine();
  engine.startTape();
  let tape: TapeNode[] = [];
  try {
    run(() => engine.state.activeTape?.length ?? 0);
  } finally {
    engine.endTape();
    tape = engine.state.activeTape ?? [];
    for (const node of tape) tf.dispose(node.saved ?? []);
    if (engine.state.gradientDepth === 0) engine.state.activeTape = null;
  }
  return tape;
}
