/**
 * Seam onto tfjs-node's backend (`@tensorflow/tfjs-node`, backend name `tensorflow`; private):
 * its op executor `executeSingleOutput`/`executeMultipleOutputs`, the attribute constants of its
 * `binding`, `binding.TF_Version` (the libtensorflow it runs) and `isUsingGpuDevice`. Nothing else
 * in the package reaches these. No Node module is imported: the backend object is probed.
 */
import * as tf from '@tensorflow/tfjs';
import { WRITTEN_FOR, hasMethod, internalsMessage, warnFallback, type SeamInfo } from './seam';

export const TFJS_NODE_SEAM: SeamInfo = {
  module: 'tfjs-internals/tfjs-node',
  dependency: '@tensorflow/tfjs-node',
  writtenFor: WRITTEN_FOR.tfjsNode
};

/** An attribute of a TensorFlow op, as tfjs-node's executor takes it. */
export interface NativeOpAttr {
  name: string;
  type: number;
  value: unknown;
}

/** The part of tfjs-node's `NodeJSKernelBackend` used here. */
export interface NativeBackend {
  binding: {
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_INT: number;
    TF_FLOAT: number;
    TF_Version?: string;
  };
  isUsingGpuDevice?: boolean;
  executeSingleOutput(name: string, attrs: NativeOpAttr[], inputs: tf.Tensor[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: NativeOpAttr[], inputs: tf.Tensor[], numOutputs: number): tf.Tensor[];
}

const BINDING_CONSTANTS = ['TF_ATTR_TYPE', 'TF_ATTR_FLOAT', 'TF_ATTR_STRING', 'TF_ATTR_BOOL', 'TF_ATTR_INT'];

/** Why `backend` is not the tfjs-node backend this seam expects, or null when it is. */
export function tfjsNodeProblem(backend: unknown): string | null {
  if (!hasMethod(backend, 'executeSingleOutput') || !hasMethod(backend, 'executeMultipleOutputs')) {
    return 'the backend has no `executeSingleOutput`/`executeMultipleOutputs`';
  }
  const binding = (backend as { binding?: Record<string, unknown> }).binding;
  const missing = [...BINDING_CONSTANTS, 'TF_FLOAT'].filter((name) => typeof binding?.[name] !== 'number');
  if (missing.length > 0) return `the backend's binding lacks the numeric constants ${missing.join(', ')}`;
  return null;
}

/**
 * The full message when tfjs-node's backend changed, or null (for tests). tfjs-node's own version
 * is not visible through the backend; pass it where it is known.
 */
export function describeTfjsNodeProblem(backend: unknown, installed?: string): string | null {
  const problem = tfjsNodeProblem(backend);
  if (problem === null) return null;
  return internalsMessage(TFJS_NODE_SEAM, problem, installed ?? `(with tfjs-core ${tf.version_core})`);
}

const checked = new WeakMap<object, boolean>();

/** The active backend when it is tfjs-node's (checked once; a changed one is warned about and not used). */
export function tfjsNodeBackend(): NativeBackend | null {
  if (tf.getBackend() !== 'tensorflow') return null;
  const backend = tf.backend() as unknown as object;
  let usable = checked.get(backend);
  if (usable === undefined) {
    const problem = tfjsNodeProblem(backend);
    usable = problem === null;
    checked.set(backend, usable);
    if (problem !== null) {
      warnFallback(TFJS_NODE_SEAM, problem, `(with tfjs-core ${tf.version_core})`, 'the portable kernels are used');
    }
  }
  return usable ? (backend as NativeBackend) : null;
}

/** True when the active backend is tfjs-node running on a GPU (tfjs-node-gpu with a device). */
export function tfjsNodeUsesGpu(): boolean {
  if (tf.getBackend() !== 'tensorflow') return false;
  return (tf.backend() as unknown as Partial<NativeBackend>).isUsingGpuDevice === true;
}

/** The version of the libtensorflow tfjs-node runs (`binding.TF_Version`), when it is the active backend. */
export function libtensorflowVersion(): string | undefined {
  if (tf.getBackend() !== 'tensorflow') return undefined;
  const version = (tf.backend() as unknown as Partial<NativeBackend>).binding?.TF_Version;
  return typeof version === 'string' ? version : undefined;
}
