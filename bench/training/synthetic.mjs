// The benchmark's synthetic batch, defined by a formula that torch_bench.py evaluates identically,
// so both frameworks train on the same numbers: pixel (n, h, w, c) = sin(0.1·n + 0.37·h + 0.23·w + 1.3·c),
// label n mod numClasses.
import tf from '@tensorflow/tfjs';

/** The batch as NHWC float32 images and one-hot labels. */
export function syntheticBatch({ batch, height, width, inChannels, numClasses }) {
  const pixels = new Float32Array(batch * height * width * inChannels);
  let i = 0;
  for (let n = 0; n < batch; n++) {
    for (let h = 0; h < height; h++) {
      for (let w = 0; w < width; w++) {
        for (let c = 0; c < inChannels; c++) pixels[i++] = Math.sin(0.1 * n + 0.37 * h + 0.23 * w + 1.3 * c);
      }
    }
  }
  const labels = Int32Array.from({ length: batch }, (_, n) => n % numClasses);
  return {
    images: tf.tensor4d(pixels, [batch, height, width, inChannels]),
    oneHotLabels: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat())
  };
}
