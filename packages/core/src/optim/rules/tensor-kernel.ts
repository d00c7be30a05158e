/**
 * The tensor-op backend of a rule's program: the same arithmetic as TF.js ops on the tensors' own
 * backend (GPUs), for weights and state the loops cannot reach. Every op is float32, like the
 * SIMD loops.
 */
import * as tf from '@tensorflow/tfjs';
import type { Program, Value } from './program';
import { variantFor } from './program';
import type { TensorStep } from './rule';

type Operand = tf.Tensor | number;

const asTensor = (x: Operand): tf.Tensor => (typeof x === 'number' ? tf.scalar(x) : x);

const OPS = {
  add: (a: tf.Tensor, b: Operand) => tf.add(a, b),
  sub: (a: tf.Tensor, b: Operand) => tf.sub(a, b),
  mul: (a: tf.Tensor, b: Operand) => tf.mul(a, b),
  div: (a: tf.Tensor, b: Operand) => tf.div(a, b),
  max: (a: tf.Tensor, b: Operand) => tf.maximum(a, b)
};

/**
 * torch.sign as (x > 0) − (x < 0): 0 for ±0 and NaN on every backend (tf.sign's NaN result
 * differs between backends).
 */
function sign(x: Operand): Operand {
  if (typeof x === 'number') return Math.sign(x) || 0;
  return tf.sub(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.less(x, 0), 'float32'));
}

/**
 * One step of `program` in TF.js ops: the new weights and slots. Call inside `tf.tidy`. Never
 * returns a tensor it was given (a value that is one is cloned).
 */
export function tensorStep<S>(
  program: Program,
  param: tf.Tensor,
  grad: tf.Tensor,
  slots: tf.Tensor[],
  scalars: S,
  withSums = false
): TensorStep {
  const { step } = variantFor(program, scalars);
  const inputs: Record<string, tf.Tensor> = { param, grad, slot0: slots[0], slot1: slots[1], slot2: slots[2] };
  const values = new Map<Value, Operand>();
  const evaluate = (v: Value): Operand => {
    const known = values.get(v);
    if (known !== undefined) return known;
    let result: Operand;
    if (v.op === 'load') result = inputs[v.array];
    else if (v.op === 'scalar') result = (scalars as Record<string, number>)[v.name];
    else if (v.op === 'f32') result = evaluate(v.a);
    else if (v.op === 'sqrt') result = tf.sqrt(asTensor(evaluate(v.a)));
    else if (v.op === 'sign') result = sign(evaluate(v.a));
    else if ('b' in v) {
      const a = evaluate(v.a);
      const b = evaluate(v.b);
      // A scalar times a tensor: the tensor first, so TF.js broadcasts the number.
      const commutes = v.op === 'add' || v.op === 'mul' || v.op === 'max';
      result = typeof a === 'number' && commutes ? OPS[v.op](asTensor(b), a) : OPS[v.op](asTensor(a), b);
    } else {
      // a bug: the programs are this package's own
      throw new Error(`unknown operation in an update rule's program`);
    }
    values.set(v, result);
    return result;
  };
  const given = new Set<tf.Tensor>([param, grad, ...slots]);
  const output = (v: Value): tf.Tensor => {
    const t = asTensor(evaluate(v));
    return given.has(t) ? tf.clone(t) : t;
  };
  const stored = new Map(step.stores);
  const slotNames = ['slot0', 'slot1', 'slot2'] as const;
  // A program that stores no weights (a first pass) leaves them as they were.
  const nextParam = stored.get('param');
  return {
    param: nextParam ? output(nextParam) : tf.clone(param),
    slots: slotNames.filter((name) => stored.has(name)).map((name) => output(stored.get(name) as Value)),
    ...(withSums ? { sums: step.sums.map((v) => tf.sum(asTensor(evaluate(v)))) } : {})
  };
}
