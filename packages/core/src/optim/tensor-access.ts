/**
 * Float32 views of TF.js tensors for the update loops. On CPU-resident backends (cpu, wasm) the
 * view aliases the backend's own storage (reached through the seams in `tfjs-internals/`), so
 * writing to it updates the variable in place; on other backends (webgl, webgpu, tensorflow)
 * values are read, updated and assigned back.
 */
import * as tf from '@tensorflow/tfjs';
import { cpuBackendValues } from '../tfjs-internals/cpu-backend';
import { tfjsNodeUsesGpu } from '../tfjs-internals/tfjs-node';
import { renumberWasmTensor, wasmHeapView } from '../tfjs-internals/wasm-backend';

/** Allocates the float32 arrays an optimizer owns (state, detached weights). */
export type Float32Allocator = (length: number) => Float32Array;

export const allocateFloat32: Float32Allocator = (length) => new Float32Array(length);

/** The backend's own float32 storage of `tensor` where the loops can write it (cpu, wasm). */
function residentView(tensor: tf.Tensor): Float32Array | undefined {
  return cpuBackendValues(tensor) ?? wasmHeapView(tensor);
}

function backendRefCount(tensor: tf.Tensor): number {
  return tf.backend().refCount(tensor.dataId);
}

/** Read-only float32 values of a gradient, without a copy where the backend allows it. */
export function readGradient(grad: tf.Tensor): Float32Array {
  const view = residentView(grad);
  if (view) return view;
  const values = grad.dataSync();
  return values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
}

/** A writable float32 view of a variable; call `commit` after writing to it. */
export interface WritableWeights {
  values: Float32Array;
  /** True when `values` is the backend's storage (writes are already in place). */
  inPlace: boolean;
  commit(): void;
}

/**
 * Buffers this module placed behind variables. Only those are written in place: a variable whose
 * storage is shared (e.g. with the tensor it was created from) or came from elsewhere (a user's
 * array the cpu backend adopted) is first given its own copy, so no other tensor changes.
 */
const ownedStorage = new WeakSet<object>();

function takeOwnership(variable: tf.Variable, allocate: Float32Allocator): void {
  const current = residentView(variable);
  const copy = allocate(variable.size);
  copy.set(current ?? (variable.dataSync() as Float32Array));
  const fresh = tf.tensor(copy, variable.shape, 'float32');
  variable.assign(fresh);
  fresh.dispose();
  ownedStorage.add(variable.dataId as object);
}

/**
 * Makes `variable` writable in place if its backend allows it (cpu, wasm): gives it storage of its
 * own once (no value changes). Returns false when it must take the read-update-assign path. Call
 * this for every variable before taking any view: taking ownership may grow the wasm heap, which
 * invalidates earlier views.
 */
export function prepareInPlace(
  variable: tf.Variable,
  allocate: Float32Allocator,
  accepts: (storage: Float32Array) => boolean = () => true
): boolean {
  const view = residentView(variable);
  if (!view) return false;
  // Only the cpu backend can adopt storage the executor allocated (e.g. shared memory for threads).
  const unsuitable = tf.getBackend() === 'cpu' && !accepts(view);
  if (unsuitable || !ownedStorage.has(variable.dataId as object) || backendRefCount(variable) !== 1) {
    takeOwnership(variable, allocate);
  }
  return residentView(variable) !== undefined;
}

/**
 * Host copies of weights the loops cannot update where they live (tfjs-node's CPU build, or
 * `inPlace: false`), kept between steps. While the variable still holds the tensor the optimizer
 * assigned last (same data id: tensors are immutable, any other `assign` brings a new one), the
 * copy is current and nothing is read back. Two buffers take turns: the tensor assigned at a step
 * keeps its buffer (a backend may read it later), and the other is reused once the backend has
 * let go of the tensor it backed, so no step allocates (fresh pages cost more than the copy).
 */
interface HostCopy {
  values: Float32Array;
  /** The tensor last assigned from this copy. */
  dataId: object;
  /** The other buffer and the tensor it backs, if any. */
  spare?: { values: Float32Array; dataId: object };
}
const hostCopies = new WeakMap<tf.Variable, HostCopy>();

function backendHolds(dataId: object): boolean {
  return tf.backend().refCount(dataId) > 0;
}

/**
 * Weights of `variable` ready to be updated: the backend's own buffer when `inPlace` (after
 * {@link prepareInPlace} returned true), otherwise the variable's host copy (read back only when
 * the variable changed since the last step), which `commit` assigns back. Host copies come from
 * `allocate` (the executor's memory, where its loops update them without copies).
 */
export function writableWeights(variable: tf.Variable, inPlace: boolean, allocate: Float32Allocator): WritableWeights {
  const view = inPlace ? residentView(variable) : undefined;
  if (view)
    return {
      values: view,
      inPlace: true,
      commit: tf.getBackend() === 'wasm' ? () => renumberWasmTensor(variable) : () => undefined
    };
  let copy = hostCopies.get(variable);
  if (!copy || copy.dataId !== variable.dataId || copy.values.length !== variable.size) {
    const values = allocate(variable.size);
    values.set(variable.dataSync() as Float32Array);
    copy = { values, dataId: variable.dataId as object };
    hostCopies.set(variable, copy);
  }
  // The current values go into a buffer no live tensor uses; `copy.values` stays with its tensor.
  const spare = copy.spare && !backendHolds(copy.spare.dataId) ? copy.spare.values : allocate(variable.size);
  spare.set(copy.values);
  const current = copy;
  return {
    values: spare,
    inPlace: false,
    commit() {
      const updated = tf.tensor(spare, variable.shape, 'float32');
      variable.assign(updated);
      updated.dispose();
      current.spare = { values: current.values, dataId: current.dataId };
      current.values = spare;
      current.dataId = variable.dataId as object;
    }
  };
}

/**
 * Whether an update runs as TF.js ops by default rather than with the loops: on GPUs (webgl,
 * webgpu, tfjs-node-gpu), where reading weights back each step is what costs. On cpu and wasm the
 * loops update in place; with tfjs-node's CPU build, reading, updating and assigning back measured
 * about twice as fast as TensorFlow's element-wise ops.
 */
export function prefersTensorOps(): boolean {
  const backendName = tf.getBackend();
  if (backendName === 'cpu' || backendName === 'wasm') return false;
  if (backendName === 'tensorflow') return tfjsNodeUsesGpu();
  return true;
}
