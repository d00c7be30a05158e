/**
 * The SIMD engine of this thread: the module with its own memory, whose loops run on chunk copies
 * (see `dispatch.ts`) of arrays outside the shared arena.
 */
import { CHUNK, READ_ONLY_KERNELS, SIMD_BLOCK, simdModuleBytes } from './kernels';
import { instantiateEngine, type SimdEngine, type WasmApi } from './dispatch';

export { simdUpdate, type SimdEngine } from './dispatch';

/** The engine's memory layout, which worker threads instantiate the same module with. */
export const ENGINE_LAYOUT = { chunk: CHUNK, block: SIMD_BLOCK, readOnly: READ_ONLY_KERNELS };

let engine: SimdEngine | null | undefined;

/** The SIMD engine, or null where WebAssembly SIMD is unavailable (then the scalar kernels run). */
export function simdEngine(): SimdEngine | null {
  if (engine !== undefined) return engine;
  try {
    const bytes = simdModuleBytes();
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    engine = wasm && wasm.validate(bytes) ? instantiateEngine(wasm, bytes, ENGINE_LAYOUT) : null;
  } catch {
    engine = null;
  }
  return engine;
}
