import * as tf from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeWasmBackendProblem, renumberWasmTensor, wasmBackendHeap, wasmHeapView } from './wasm-backend';

describe('seam onto the wasm backend storage', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('finds the storage it was written for in the installed wasm backend', () => {
    expect(describeWasmBackendProblem(tf.backend(), version_wasm)).toBeNull();
    const where = `tfjs-internals/wasm-backend with @tensorflow/tfjs-backend-wasm ${version_wasm}`;
    const weights = tf.variable(tf.tensor2d([1, 0, 0, 1], [2, 2]));
    const x = tf.tensor2d([1, 2], [1, 2]);
    expect(Array.from(tf.matMul(x, weights).dataSync())).toEqual([1, 2]); // packs the weights
    const view = wasmHeapView(weights);
    expect(view, `${where}: no view of a float32 tensor in the heap`).toBeInstanceOf(Float32Array);
    view!.set([2, 0, 0, 2]);
    renumberWasmTensor(weights);
    const written = Array.from(weights.dataSync());
    expect(written, `${where}: writing the view does not change the tensor`).toEqual([2, 0, 0, 2]);
    const product = Array.from(tf.matMul(x, weights).dataSync());
    expect(product, `${where}: matMul keeps the weights packed before the write`).toEqual([2, 4]);
    tf.dispose([weights, x]);
    const heap = wasmBackendHeap();
    expect(heap?.memory.buffer, `${where}: no WebAssembly.Memory behind the heap`).toBe(view!.buffer);
    const address = heap!.malloc(64);
    expect(address % 8, `${where}: _malloc gives no aligned address`).toBe(0);
  });

  it('names itself and the installed version when the storage changed', () => {
    const changed = { dataIdMap: new Map(), dataIdNextNumber: 0, wasm: { HEAPU8: new Uint8Array(8), tfjs: {} } };
    const message = describeWasmBackendProblem(changed, '5.0.0');
    expect(message).toMatch(/^@paramscope\/core tfjs-internals\/wasm-backend: /);
    expect(message).toMatch(/the backend has no `wasm.tfjs.registerTensor`/);
    expect(message).toMatch(/ in @tensorflow\/tfjs-backend-wasm 5\.0\.0 \(this seam was written for 4\.22\.0;/);
    expect(describeWasmBackendProblem({}, '5.0.0')).toMatch(/has no `dataIdMap`/);
    const tfjs = { registerTensor: () => undefined, disposeData: () => undefined };
    const heapU8 = new Uint8Array(8);
    const withoutMemory = { ...changed, wasm: { HEAPU8: heapU8, tfjs, _malloc: () => 0 } };
    expect(describeWasmBackendProblem(withoutMemory, '5.0.0')).toMatch(/has no `wasm.asm.memory`/);
    const withoutMalloc = { ...changed, wasm: { HEAPU8: heapU8, tfjs, asm: { memory: { buffer: heapU8.buffer } } } };
    expect(describeWasmBackendProblem(withoutMalloc, '5.0.0')).toMatch(/has no `wasm._malloc`/);
  });
});
