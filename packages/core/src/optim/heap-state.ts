/**
 * Optimizer state in the wasm backend's heap. Where the loops update weights in that heap, the
 * state lives there too, as tensors the optimizer owns, so one loop reaches weights, gradient and
 * state in place (a slot elsewhere would send every value through copies). The tensors are made
 * before the step takes any view: making one may grow the heap, which detaches earlier views.
 */
import * as tf from '@tensorflow/tfjs';
import { backendHeapKernels } from './simd/backend-heap';
import { wasmHeapView } from '../tfjs-internals/wasm-backend';

/** The slots of one parameter for one step, in the heap. */
export interface HeapSlots {
  tensors: tf.Tensor[];
  /** Tensors made for this step: new state, or state moved into the heap. */
  made: Set<tf.Tensor>;
  /** Whether a slot did not exist yet (the rule's first step for this parameter). */
  fresh: boolean;
}

/**
 * How many bytes the backend may hold, with the new state, for state to move into the heap: half of
 * wasm32's 4 GiB, so a large model's weights, gradients and activations keep their room. Beyond it
 * the state stays in the arena, where each step reaches the weights through chunk copies: slower,
 * never failing.
 */
const HEAP_STATE_LIMIT = 2 ** 31;

/** Whether state goes into the backend's heap: the backend is wasm and its loops are available. */
export function stateInBackendHeap(): boolean {
  return backendHeapKernels() !== null;
}

/**
 * The slots `names` of `variable` as tensors in the heap: the ones in `current` where they are
 * there already, else new ones (zeros, or a copy of the values held elsewhere). Undefined when the
 * new ones would take the backend's bytes past `limit` (the state then stays in the arena).
 * `current` is left as it is until {@link adoptHeapSlots}.
 */
export function prepareHeapSlots(
  current: ReadonlyMap<string, Float32Array | tf.Tensor> | undefined,
  names: readonly string[],
  variable: tf.Variable,
  limit = HEAP_STATE_LIMIT
): HeapSlots | undefined {
  const inHeap = (slot: Float32Array | tf.Tensor | undefined): slot is tf.Tensor =>
    slot instanceof tf.Tensor && wasmHeapView(slot) !== undefined;
  const moved = names.filter((name) => !inHeap(current?.get(name))).length;
  if (moved > 0 && tf.memory().numBytes + moved * variable.size * Float32Array.BYTES_PER_ELEMENT > limit)
    return undefined;
  const made = new Set<tf.Tensor>();
  let fresh = false;
  const tensors = names.map((name) => {
    const slot = current?.get(name);
    if (inHeap(slot)) return slot;
    fresh ||= slot === undefined;
    const values = slot === undefined ? undefined : slot instanceof tf.Tensor ? slot.dataSync() : slot;
    const tensor = tf.keep(values ? tf.tensor(values, variable.shape, 'float32') : tf.zeros(variable.shape));
    made.add(tensor);
    return tensor;
  });
  return { tensors, made, fresh };
}

/**
 * Keeps the step's heap slots in `slots` (disposing the tensors they replace) and returns views of
 * them for the loops. Call after the step's last allocation.
 */
export function adoptHeapSlots(
  slots: Map<string, Float32Array | tf.Tensor>,
  names: readonly string[],
  heap: HeapSlots
): Float32Array[] {
  return names.map((name, k) => {
    const tensor = heap.tensors[k];
    if (heap.made.has(tensor)) {
      const previous = slots.get(name);
      if (previous instanceof tf.Tensor) previous.dispose();
      slots.set(name, tensor);
    }
    return wasmHeapView(tensor) as Float32Array;
  });
}

/** Frees the tensors a step made when it ends without taking them (refused or failed). */
export function discardHeapSlots(heaps: ReadonlyArray<HeapSlots | undefined>): void {
  for (const heap of heaps) for (const tensor of heap?.made ?? []) tensor.dispose();
}
