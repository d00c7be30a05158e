/**
 * Seam onto the cpu backend's storage (`@tensorflow/tfjs-backend-cpu`, private): its `data` map
 * from a tensor's data id to `{ values }`, the typed array that holds the tensor. The optimizers
 * update variables in place through it. Nothing else in the package reaches `data`.
 */
import * as tf from '@tensorflow/tfjs';
import { WRITTEN_FOR, hasMapLike, internalsMessage, warnFallback, type SeamInfo } from './seam';

export const CPU_BACKEND_SEAM: SeamInfo = {
  module: 'tfjs-internals/cpu-backend',
  dependency: '@tensorflow/tfjs-backend-cpu',
  writtenFor: WRITTEN_FOR.tfjs
};

/** The part of `MathBackendCPU` used here. */
interface CpuStorage {
  data: { has(id: object): boolean; get(id: object): { values?: unknown } | undefined };
}

/** The cpu backend's version as TF.js reports it. */
export function installedCpuBackendVersion(): string | undefined {
  return (tf.version as Record<string, string | undefined>)['tfjs-backend-cpu'];
}

const checked = new WeakMap<object, string | null>();

/** Why `backend` does not have the storage this seam expects, or null when it does. */
export function cpuBackendProblem(backend: unknown): string | null {
  if (!hasMapLike(backend, 'data')) return 'the backend has no `data` map (data id → { values })';
  return null;
}

/** The full message when the cpu backend changed, or null (for tests). */
export function describeCpuBackendProblem(backend: unknown, installed = installedCpuBackendVersion()): string | null {
  const problem = cpuBackendProblem(backend);
  return problem === null ? null : internalsMessage(CPU_BACKEND_SEAM, problem, installed);
}

function activeStorage(): CpuStorage | undefined {
  const backend = tf.backend() as unknown as object;
  let problem = checked.get(backend);
  if (problem === undefined) {
    problem = cpuBackendProblem(backend);
    checked.set(backend, problem);
    if (problem !== null) {
      const fallback = 'optimizers read, update and assign weights back';
      warnFallback(CPU_BACKEND_SEAM, problem, installedCpuBackendVersion(), fallback);
    }
  }
  return problem === null ? (backend as CpuStorage) : undefined;
}

/**
 * The cpu backend's own float32 storage of `tensor` (writing to it changes the tensor), or
 * undefined when the active backend is not cpu, the tensor is not float32, or its values are not
 * held as one Float32Array.
 */
export function cpuBackendValues(tensor: tf.Tensor): Float32Array | undefined {
  if (tensor.dtype !== 'float32' || tf.getBackend() !== 'cpu') return undefined;
  const storage = activeStorage();
  const dataId = tensor.dataId as object;
  if (!storage?.data.has(dataId)) return undefined;
  const values = storage.data.get(dataId)?.values;
  return values instanceof Float32Array && values.length === tensor.size ? values : undefined;
}
