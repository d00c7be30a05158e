import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW, LARS, SGD, type KernelExecutor, type MeasureTask } from '../optim';
import { useThreadedWasmBackend } from '../tfjs-internals/wasm-threads';
import { wasmBackendHeap, wasmHeapView } from '../tfjs-internals/wasm-backend';
import { largestDifference, smallModel, SPLIT_VALUES, stepInLockstep } from '../../test-utils/lockstep';
import { createThreadExecutor } from './thread-executor';

// TF.js's threaded wasm build: its heap is shared memory, which the workers update in place.
const executor = createThreadExecutor({ threads: 2, minSplitSize: 1024 });

beforeAll(async () => {
  useThreadedWasmBackend();
  await tf.setBackend('wasm');
});
afterAll(() => executor.close());

/** `executor` with the gradients each pass reads recorded. */
function recording(executor: KernelExecutor, seen: Float32Array[]): KernelExecutor {
  return {
    ...executor,
    beginStep: executor.beginStep?.bind(executor),
    measure: (tasks: MeasureTask[]) => {
      seen.push(...tasks.map((t) => t.grad));
      return executor.measure(tasks);
    },
    update: (rule, tasks) => {
      seen.push(...tasks.map((t) => t.grad));
      return executor.update(rule, tasks);
    }
  };
}

const optimizers = [
  [
    'SGD',
    (params: tf.Variable[], options: object) =>
      new SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }, options)
  ],
  ['AdamW', (params: tf.Variable[], options: object) => new AdamW(params, { lr: 1e-3, amsgrad: true }, options)],
  [
    'AdamW unchecked',
    (params: tf.Variable[], options: object) => new AdamW(params, { lr: 1e-3 }, { ...options, nonFinite: 'unchecked' })
  ],
  ['LARS', (params: tf.Variable[], options: object) => new LARS(params, { lr: 0.1, weightDecay: 1e-4 }, options)]
] as const;

describe('worker-thread executor on the threaded wasm build', () => {
  for (const [name, make] of optimizers) {
    it(`${name}: the workers update weights, gradients and state in the shared heap, as one thread would`, () => {
      const inline = smallModel(1);
      const threaded = smallModel(1);
      const a = make(inline, {});
      const seen: Float32Array[] = [];
      const b = make(threaded, { executor: recording(executor, seen) });
      const before = executor.updatedValues.workers;
      const tensorsBefore = tf.memory().numTensors;
      stepInLockstep(a, b, inline, threaded, 4);
      expect(executor.updatedValues.workers - before).toBeGreaterThan(4 * SPLIT_VALUES * 0.4);
      // The passes get the gradients where TF.js keeps them, in the shared heap (which the executor
      // never stages: it copies only gradients outside shared memory).
      const heap = wasmBackendHeap()!.memory.buffer;
      expect(heap).toBeInstanceOf(SharedArrayBuffer);
      expect(seen.every((grad) => grad.buffer === heap)).toBe(true);
      expect(wasmHeapView(threaded[0])?.buffer).toBe(heap);
      // LARS's norms are summed in a different order across threads: equal up to rounding.
      const tolerance = name === 'LARS' ? 1e-6 : 0;
      inline.forEach((v, i) =>
        expect(largestDifference(v, threaded[i]), `parameter ${i}`).toBeLessThanOrEqual(tolerance)
      );
      const stateA = a.stateDict().state;
      const stateB = b.stateDict().state;
      expect(Object.keys(stateB)).toEqual(Object.keys(stateA));
      a.dispose();
      b.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      tf.dispose([...inline, ...threaded]);
    });
  }

  it('keeps stepping in place after the heap has grown (the workers make views of the larger memory)', () => {
    const inline = smallModel(5);
    const threaded = smallModel(5);
    const a = new AdamW(inline, { lr: 1e-3 });
    const b = new AdamW(threaded, { lr: 1e-3 }, { executor });
    stepInLockstep(a, b, inline, threaded, 2);
    const heap = wasmBackendHeap()!;
    const bytes = heap.memory.buffer.byteLength;
    const large = tf.zeros([bytes / 4 + 1]); // more than the whole heap held: it must grow
    expect(heap.memory.buffer.byteLength).toBeGreaterThan(bytes);
    const before = executor.updatedValues.workers;
    stepInLockstep(a, b, inline, threaded, 2);
    expect(executor.updatedValues.workers - before).toBeGreaterThan(2 * SPLIT_VALUES * 0.4);
    inline.forEach((v, i) => expect(largestDifference(v, threaded[i]), `parameter ${i}`).toBe(0));
    tf.dispose([large, ...inline, ...threaded]);
    a.dispose();
    b.dispose();
  });

  it('refuses a NaN gradient in the workers’ range of a tensor, with nothing updated', () => {
    const params = smallModel(7);
    const optimizer = new SGD(params, { lr: 0.1, momentum: 0.9 }, { executor });
    const before = params.map((v) => Array.from(v.dataSync()));
    const grads = params.map((v, i) => {
      const values = new Float32Array(v.size).fill(0.01);
      if (i === 2) values[values.length - 1] = NaN; // in the workers' range of a split tensor
      return tf.tensor(values, v.shape);
    });
    const step = () => optimizer.step(new Map(params.map((v, i) => [v, grads[i]])));
    expect(step).toThrow(/non-finite gradient \(NaN or ±Infinity\) for '\d+'; nothing was updated/);
    params.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(before[i]));
    optimizer.dispose();
    tf.dispose([...grads, ...params]);
  });
});
