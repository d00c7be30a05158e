/** Loss and gradients of a module's named parameters, through `tf.variableGrads`. */
import * as tf from '@tensorflow/tfjs';
import type { Module } from './module';
import { CoreError } from '../errors';

/** The loss value and one gradient per trainable parameter, keyed by its dotted name. */
export interface LossAndGrads {
  loss: tf.Scalar;
  grads: Record<string, tf.Tensor>;
}

/**
 * Evaluates `lossFn` and the gradient of the loss with respect to every trainable parameter of
 * `module` (frozen parameters, and parameters the loss does not reach, get none). The caller owns
 * the returned tensors: dispose `loss` and every gradient (or use {@link disposeGrads}) to keep
 * `tf.memory()` flat.
 */
export function lossAndGrads(module: Module, lossFn: () => tf.Scalar): LossAndGrads {
  const named = module.namedParameters().filter(([, variable]) => variable.trainable);
  if (named.length === 0) throw new CoreError(`lossAndGrads: ${module.kind} has no trainable parameters`);
  const { value, grads } = tf.variableGrads(
    lossFn,
    named.map(([, variable]) => variable)
  );
  const byName: Record<string, tf.Tensor> = {};
  for (const [name, variable] of named) {
    // A parameter the loss does not reach has no gradient (TF.js leaves it out).
    if (grads[variable.name] !== undefined) byName[name] = grads[variable.name];
  }
  return { loss: value, grads: byName };
}

/** Disposes the gradients of a {@link LossAndGrads}. */
export function disposeGrads(grads: Record<string, tf.Tensor>): void {
  for (const grad of Object.values(grads)) grad.dispose();
}
