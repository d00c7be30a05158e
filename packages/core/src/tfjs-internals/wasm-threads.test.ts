import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { wasmBackendHeap, wasmHeapView } from './wasm-backend';
import { describeWasmThreadsProblem, threadedModuleProblem, useThreadedWasmBackend } from './wasm-threads';

/** A small forward and backward pass: two matMuls (XNNPACK, packed weights) and their gradients. */
function forwardBackward(): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal([16, 64], 0, 1, 'float32', 1);
    const filter = tf.variable(tf.randomNormal([64, 128], 0, 0.3, 'float32', 2));
    const dense = tf.variable(tf.randomNormal([128, 5], 0, 0.1, 'float32', 3));
    const loss = () =>
      tf
        .matMul(tf.relu(tf.matMul(x, filter)), dense)
        .square()
        .mean();
    const { value, grads } = tf.variableGrads(loss as () => tf.Scalar, [filter, dense]);
    const out = [value, grads[filter.name], grads[dense.name]].map((t) => Array.from(t.dataSync()));
    tf.dispose([filter, dense]);
    return out;
  });
}

describe('seam onto the threaded wasm build', () => {
  it('runs the threaded build in Node: the same results as the cpu backend, on a shared heap', async () => {
    await tf.setBackend('cpu');
    const expected = forwardBackward();
    useThreadedWasmBackend();
    expect(await tf.setBackend('wasm'), `tfjs-internals/wasm-threads with ${version_wasm}: no backend`).toBe(true);
    const where = `tfjs-internals/wasm-threads with @tensorflow/tfjs-backend-wasm ${version_wasm}`;
    expect(wasmBackendHeap()?.memory.buffer, `${where}: the heap is not shared memory`).toBeInstanceOf(
      SharedArrayBuffer
    );
    const got = forwardBackward();
    got.forEach((values, k) =>
      values.forEach((v, i) => expect(v, `${where}: output ${k}[${i}]`).toBeCloseTo(expected[k][i], 4))
    );
    const weights = tf.variable(tf.ones([4]));
    expect(wasmHeapView(weights)?.buffer).toBeInstanceOf(SharedArrayBuffer);
    weights.dispose();
  });

  it('refuses to replace a wasm backend that is running', () => {
    expect(() => useThreadedWasmBackend()).toThrow(/the wasm backend is already running; call it before the first/);
  });

  it('names itself and the installed version when the build changed', () => {
    const message = describeWasmThreadsProblem('there is no tfjs-backend-wasm-threaded-simd.js in wasm-out', '5.0.0');
    expect(message).toMatch(/^@paramscope\/core tfjs-internals\/wasm-threads: there is no tfjs-backend-wasm-threaded/);
    expect(message).toMatch(/ in @tensorflow\/tfjs-backend-wasm 5\.0\.0 \(this seam was written for 4\.22\.0;/);
    expect(threadedModuleProblem({})).toMatch(/has no `wasmMemory` in shared memory/);
    const memory = { buffer: new SharedArrayBuffer(8) };
    expect(threadedModuleProblem({ wasmMemory: memory })).toMatch(/has no `cwrap`/);
    const partial = { wasmMemory: memory, cwrap: () => undefined, asm: { init: () => undefined } };
    expect(threadedModuleProblem(partial)).toMatch(/exports no init_with_threads_count, get_threads_count, /);
  });
});
