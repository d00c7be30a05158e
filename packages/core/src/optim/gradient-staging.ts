/**
 * Gradients copied into the executor's memory once per step. TF.js hands the cpu and tfjs-node
 * backends' gradients over in ordinary memory, which the SIMD loops (and worker threads) cannot
 * read. The pass before the update copies each one into a buffer of the executor's, chunk by
 * chunk, taking its Σ g² on each chunk just copied (from cache); the update then reads the copy in
 * place. Without it, both passes would copy every gradient.
 */

/** Values copied per chunk: 256 KiB, so a chunk is still in L2 cache when its Σ g² is taken. */
const STAGE_CHUNK = 65536;

/** The copies of one executor, by the weights they belong to. */
export interface GradientStaging {
  /** Forgets which gradients the copies hold: call at the start of each step's first pass. */
  reset(): void;
  /**
   * Copies `grad` (the gradient of `param`) unless this step already did; calls `onChunk` on each
   * range just copied. Returns the copy.
   */
  stage(
    param: Float32Array,
    grad: Float32Array,
    onChunk?: (copy: Float32Array, start: number, end: number) => void
  ): Float32Array;
  /** The copy of `grad` this step made, if any. */
  staged(param: Float32Array, grad: Float32Array): Float32Array | undefined;
}

/** Staging whose copies come from `allocate` (kept between steps, one per parameter). */
export function createGradientStaging(allocate: (length: number) => Float32Array): GradientStaging {
  const copies = new WeakMap<Float32Array, Float32Array>();
  let holds = new WeakMap<Float32Array, Float32Array>();
  const staged = (param: Float32Array, grad: Float32Array) =>
    holds.get(param) === grad ? copies.get(param) : undefined;
  return {
    reset() {
      holds = new WeakMap();
    },
    staged,
    stage(param, grad, onChunk) {
      const done = staged(param, grad);
      if (done) return done;
      let copy = copies.get(param);
      if (!copy || copy.length !== grad.length) {
        copy = allocate(grad.length);
        copies.set(param, copy);
      }
      for (let start = 0; start < grad.length; start += STAGE_CHUNK) {
        const end = Math.min(grad.length, start + STAGE_CHUNK);
        copy.set(grad.subarray(start, end), start);
        onChunk?.(copy, start, end);
      }
      holds.set(param, grad);
      return copy;
    }
  };
}
