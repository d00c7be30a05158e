/**
 * A hook into {@link Module.call}: while a graph trace runs, it learns where each module call
 * starts and ends. Kept separate so the module file does not depend on the tracer.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from './module';

/** Receives module calls while installed. */
export interface ModuleCallObserver {
  enter(module: Module, input: tf.Tensor): number;
  exit(token: number, output: tf.Tensor): void;
}

/** The observer in effect, if any (one trace at a time). */
export const moduleCallObserver: { current: ModuleCallObserver | null } = { current: null };
