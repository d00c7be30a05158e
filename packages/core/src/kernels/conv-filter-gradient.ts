/**
 * TF.js's wasm backend (4.x) has no `Conv2DBackpropFilter` kernel, so `tf.grad` of a convolution
 * with respect to its filter throws there, and a convolutional network cannot train on the
 * default notebook backend. This registers that kernel for a backend that lacks it, computed from
 * kernels every backend has (pad, strided slice, concat, batched matMul) as im2col:
 * dW[r, c, i, o] = Σ_{n, y, x} xPadded[n, y·s + r, x·s + c, i] · dy[n, y, x, o].
 */
import * as tf from '@tensorflow/tfjs';
import { CoreError } from '../errors';

const KERNEL = 'Conv2DBackpropFilter';

interface FilterGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

type KernelBackend = tf.KernelBackend & { disposeData(dataId: tf.DataId): boolean };

/** The backend a fallback kernel runs on: its name (to look up kernels) and the instance. */
interface Target {
  name: string;
  backend: KernelBackend;
}

/**
 * Calls another kernel of the same backend directly (no engine: nothing to track or tidy).
 * `Concat` takes its inputs as an array, the others by name.
 */
function runKernel(
  name: string,
  { name: backendName, backend }: Target,
  inputs: Record<string, tf.TensorInfo> | tf.TensorInfo[],
  attrs: Record<string, unknown>
): tf.TensorInfo {
  const kernel = tf.getKernel(name, backendName);
  if (!kernel) throw new CoreError(`${KERNEL} fallback: the backend has no ${name} kernel`);
  return kernel.kernelFunc({
    inputs: inputs as tf.NamedTensorInfoMap,
    backend,
    attrs: attrs as tf.NamedAttrMap
  }) as tf.TensorInfo;
}

/** The filter gradient, on TensorInfos with the backend's own kernels (temporaries freed on the way out). */
function filterGradientKernel(
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  attrs: FilterGradAttrs,
  target: Target
): tf.TensorInfo {
  if (attrs.dataFormat === 'NCHW')
    throw new CoreError(`${KERNEL}: only NHWC input is supported by the fallback kernel`);
  const [batch, , , inChannels] = x.shape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  );
  const { padInfo, strideHeight, strideWidth, outHeight, outWidth, filterHeight, filterWidth, outChannels } = info;
  const rows = batch * outHeight * outWidth;
  const temporaries: tf.TensorInfo[] = [];
  const keep = (t: tf.TensorInfo): tf.TensorInfo => (temporaries.push(t), t);
  try {
    const paddings = [
      [0, 0],
      [padInfo.top, padInfo.bottom],
      [padInfo.left, padInfo.right],
      [0, 0]
    ];
    const padded = keep(runKernel('PadV2', target, { x }, { paddings, constantValue: 0 }));
    const dyMatrix = keep(runKernel('Reshape', target, { x: dy }, { shape: [1, rows, outChannels] }));
    // im2col: the patches of every tap side by side, [rows, taps·inChannels], then one product.
    const patches: tf.TensorInfo[] = [];
    for (let r = 0; r < filterHeight; r++) {
      for (let c = 0; c < filterWidth; c++) {
        const patch = keep(
          runKernel(
            'StridedSlice',
            target,
            { x: padded },
            {
              begin: [0, r, c, 0],
              end: [batch, r + (outHeight - 1) * strideHeight + 1, c + (outWidth - 1) * strideWidth + 1, inChannels],
              strides: [1, strideHeight, strideWidth, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0
            }
          )
        );
        patches.push(patch);
      }
    }
    const columns = keep(runKernel('Concat', target, patches, { axis: 3 }));
    const columnMatrix = keep(
      runKernel('Reshape', target, { x: columns }, { shape: [1, rows, filterHeight * filterWidth * inChannels] })
    );
    const stacked = keep(
      runKernel('BatchMatMul', target, { a: columnMatrix, b: dyMatrix }, { transposeA: true, transposeB: false })
    );
    return runKernel(
      'Reshape',
      target,
      { x: stacked },
      { shape: [filterHeight, filterWidth, inChannels, outChannels] }
    );
  } finally {
    for (const t of temporaries) target.backend.disposeData(t.dataId);
  }
}

/**
 * Registers the fallback `Conv2DBackpropFilter` kernel for
 * `backendName` (default: the active backend) when that backend has none. Returns true when it
 * registered one. Idempotent; backends that ship the kernel keep theirs.
 */
export function ensureConv2dFilterGradient(backendName: string = tf.getBackend()): boolean {
  if (tf.getKernel(KERNEL, backendName)) return false;
  tf.registerKernel({
    kernelName: KERNEL,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      return filterGradientKernel(x, dy, attrs as unknown as FilterGradAttrs, {
        name: backendName,
        backend: backend as KernelBackend
      });
    }
  });
  return true;
}
