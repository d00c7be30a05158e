import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { AdamW } from '../adam';
import { freeInArena, simdArena } from './arena';

describe.runIf(simdArena() !== null)('the SIMD arena', () => {
  const arena = simdArena()!;
  const size = () => (arena.memory as { buffer: ArrayBufferLike }).buffer.byteLength;

  it('reuses a freed block at once, without waiting for the view to be collected', () => {
    const first = arena.alloc(1 << 20);
    const at = arena.addressOf(first);
    freeInArena(first);
    const second = arena.alloc(1 << 20);
    expect(arena.addressOf(second)).toBe(at);
    expect(second.every((x) => x === 0)).toBe(true);
    freeInArena(second);
    // Freeing twice, or a view the arena did not make, changes nothing.
    freeInArena(second);
    freeInArena(new Float32Array(4));
    expect(arena.addressOf(arena.alloc(1 << 20))).toBe(at);
  });

  it("gets an optimizer's state back on dispose(): optimizers made one after another do not grow it", async () => {
    await tf.setBackend('cpu');
    const w = tf.variable(tf.randomNormal([1 << 20], 0, 1, 'float32', 1));
    const grads = new Map([[w, tf.onesLike(w)]]);
    const sizes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const optimizer = new AdamW([w], { lr: 1e-3 });
      optimizer.step(grads);
      optimizer.dispose();
      sizes.push(size());
    }
    // Two 4 MiB state slots per optimizer: without dispose() giving them back, 8 MiB more each round.
    expect(new Set(sizes.slice(1)).size).toBe(1);
    tf.dispose([w, ...grads.values()]);
  });
});
