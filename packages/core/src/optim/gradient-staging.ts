/**
 * Gradients copied into the executor's memory once per step. TF.js hands the cpu and tfjs-node
 * backends' gradients over in ordinary memory, which the SIMD loops (and worker threads) cannot
 * read. The pass before the update copies each one into a buffer of the executor's, chunk by
 * chunk, taking its Σ g² on each chunk just copied (from cache); the update then reads the copy in
 * place. Without it, both passes would copy every gradient.
 */

/** Values copied per chunk: 256 KiB, so a chunk is still in L2 cache when its Σ g² is taken. */
const STAGE_CHUNK = 65536;

/** What a copy is kept under: the task's `key` (its variable), else its weights' array. */
export function stagingKey(task: { param: Float32Array; key?: object }): object {
  return task.key ?? task.param;
}

/** The copies of one executor, by the parameter they belong to (see {@link stagingKey}). */
export interface GradientStaging {
  /** Forgets which gradients the copies hold: call at the start of each step's first pass. */
  reset(): void;
  /**
   * Copies `grad` (the gradient of the parameter `key`) unless this step already did; calls
   * `onChunk` on each range just copied. Returns the copy.
   */
  stage(
    key: object,
    grad: Float32Array,
    onChunk?: (copy: Float32Array, start: number, end: number) => void
  ): Float32Array;
  /** The copy of `grad` this step made, if any. */
  staged(key: object, grad: Float32Array): Float32Array | undefined;
  /**
   * The buffer `key`'s copies go to, `length` values, without copying (for a caller that copies
   * ranges itself; {@link staged} does not return it).
   */
  buffer(key: object, length: number): Float32Array;
  /** Gives every copy back to `free` (the staging starts over empty). */
  clear(): void;
}

/**
 * Staging whose copies come from `allocate` (kept between steps, one per parameter) and go back to
 * `free` when replaced by one of another length, or on {@link GradientStaging.clear}.
 */
export function createGradientStaging(
  allocate: (length: number) => Float32Array,
  free: (copy: Float32Array) => void = () => {}
): GradientStaging {
  let copies = new WeakMap<object, Float32Array>();
  // The same copies, to free them all on clear(); weakly, so the copy of a parameter that is gone
  // still goes back when collected (a staging that is never cleared keeps nothing alive).
  let owned = new Set<WeakRef<Float32Array>>();
  const refs = new WeakMap<Float32Array, WeakRef<Float32Array>>();
  // Which gradient each copy holds, without keeping that gradient alive after its step.
  let holds = new WeakMap<object, WeakRef<Float32Array>>();
  const staged = (key: object, grad: Float32Array) => (holds.get(key)?.deref() === grad ? copies.get(key) : undefined);
  const buffer = (key: object, length: number) => {
    let copy = copies.get(key);
    if (!copy || copy.length !== length) {
      if (copy) {
        owned.delete(refs.get(copy) as WeakRef<Float32Array>);
        free(copy);
      }
      copy = allocate(length);
      copies.set(key, copy);
      for (const ref of owned) if (ref.deref() === undefined) owned.delete(ref);
      const ref = new WeakRef(copy);
      refs.set(copy, ref);
      owned.add(ref);
    }
    holds.delete(key);
    return copy;
  };
  return {
    reset() {
      holds = new WeakMap();
    },
    clear() {
      for (const ref of owned) {
        const copy = ref.deref();
        if (copy) free(copy);
      }
      owned = new Set();
      copies = new WeakMap();
      holds = new WeakMap();
    },
    staged,
    buffer,
    stage(key, grad, onChunk) {
      const done = staged(key, grad);
      if (done) return done;
      const copy = buffer(key, grad.length);
      for (let start = 0; start < grad.length; start += STAGE_CHUNK) {
        const end = Math.min(grad.length, start + STAGE_CHUNK);
        copy.set(grad.subarray(start, end), start);
        onChunk?.(copy, start, end);
      }
      holds.set(key, new WeakRef(grad));
      return copy;
    }
  };
}
