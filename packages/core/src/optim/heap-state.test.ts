import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { adoptHeapSlots, discardHeapSlots, prepareHeapSlots, stateInBackendHeap } from './heap-state';

describe('optimizer state in the wasm backend heap', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('moves state into the heap, keeps what is there, and leaves the arena past the limit', () => {
    expect(stateInBackendHeap()).toBe(true);
    const w = tf.tidy(() => tf.variable(tf.zeros([4, 4])));
    const slots = new Map<string, Float32Array | tf.Tensor>([['expAvg', new Float32Array(16).fill(3)]]);
    const before = tf.memory().numTensors;
    const heap = prepareHeapSlots(slots, ['expAvg', 'expAvgSq'], w)!;
    expect(heap.fresh, 'expAvgSq is new').toBe(true);
    expect(heap.made.size).toBe(2);
    expect(slots.get('expAvg'), 'untouched until adopted').toBeInstanceOf(Float32Array);
    const views = adoptHeapSlots(slots, ['expAvg', 'expAvgSq'], heap);
    expect(Array.from(views[0])).toEqual(new Array(16).fill(3));
    expect(Array.from(views[1])).toEqual(new Array(16).fill(0));
    expect(slots.get('expAvg')).toBeInstanceOf(tf.Tensor);
    expect(tf.memory().numTensors).toBe(before + 2);

    const again = prepareHeapSlots(slots, ['expAvg', 'expAvgSq'], w, 0)!;
    expect(again.made.size, 'state already in the heap needs no room').toBe(0);
    expect(again.fresh).toBe(false);

    const other = tf.tidy(() => tf.variable(tf.zeros([1000])));
    expect(prepareHeapSlots(undefined, ['expAvg'], other, tf.memory().numBytes + 3999)).toBeUndefined();
    const fits = prepareHeapSlots(undefined, ['expAvg'], other, tf.memory().numBytes + 4000)!;
    expect(fits.made.size).toBe(1);
    discardHeapSlots([fits, undefined]);
    for (const slot of slots.values()) (slot as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([w, other]);
  });
});
