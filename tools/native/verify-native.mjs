// Checks that @tensorflow/tfjs-node works: it loads, registers the `tensorflow` backend, and its
// matmul and a conv + batch-norm gradient agree with TF.js's reference `cpu` backend.
// Exits non-zero with a message that names what is wrong.
let tf;
try {
  tf = (await import('@tensorflow/tfjs-node')).default;
} catch (error) {
  console.error(`[native] cannot load @tensorflow/tfjs-node: ${error.message}`);
  process.exit(1);
}
// The libtensorflow tfjs-node runs, read through core's seam onto tfjs-node's internals (built by
// `npm run build`, which set-up runs before this step).
let libtensorflowVersion;
try {
  ({ libtensorflowVersion } = (await import('@paramscope/core/node')).default);
} catch (error) {
  console.error(`[native] cannot load @paramscope/core/node (run 'npm run build' first): ${error.message}`);
  process.exit(1);
}

function fail(message) {
  console.error(`[native] ${message}`);
  process.exit(1);
}

function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** A conv -> batch norm (training statistics) -> relu -> mean loss, and its gradients. */
function convBnLossAndGradients(x, filter, gamma, beta) {
  return tf.tidy(() => {
    const loss = (f, g, b) => {
      const y = tf.conv2d(x, f, 1, 'same');
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      return tf
        .relu(tf.batchNorm(y, mean, variance, b, g, 1e-5))
        .square()
        .mean();
    };
    const { value, grads } = tf.valueAndGrads(loss)([filter, gamma, beta]);
    return [value, ...grads].map((t) => t.dataSync().slice());
  });
}

function computeOn(backend, inputs) {
  tf.setBackend(backend);
  const [a, b, x, filter, gamma, beta] = inputs.map(([values, shape]) => tf.tensor(values, shape));
  const results = [
    tf.tidy(() => tf.matMul(a, b).dataSync().slice()),
    ...convBnLossAndGradients(x, filter, gamma, beta)
  ];
  tf.dispose([a, b, x, filter, gamma, beta]);
  return results;
}

if (tf.getBackend() !== 'tensorflow')
  fail(`expected the 'tensorflow' backend after loading, found '${tf.getBackend()}'`);
const tfVersion = libtensorflowVersion() ?? '(version not reported)';

const eleven = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0];
if (eleven !== 11) fail(`matMul([[1, 2]], [[3], [4]]) computed ${eleven}, expected 11`);

const random = (shape) => [tf.randomUniform(shape, -1, 1, 'float32', 7).dataSync().slice(), shape];
const inputs = [
  random([64, 48]),
  random([48, 32]),
  random([4, 8, 8, 3]),
  random([3, 3, 3, 6]),
  random([6]),
  random([6])
];
const names = ['matMul', 'loss', 'conv filter gradient', 'batch-norm gamma gradient', 'batch-norm beta gradient'];
const native = computeOn('tensorflow', inputs);
const reference = computeOn('cpu', inputs);
names.forEach((name, i) => {
  const diff = maxAbsDiff(native[i], reference[i]);
  if (!(diff < 1e-3)) fail(`${name} differs from the cpu backend by ${diff}`);
});
console.log(
  `[native] ok: @tensorflow/tfjs-node ${tf.version['tfjs-node']} on libtensorflow ${tfVersion}; ` +
    'matMul and a conv + batch-norm gradient agree with the cpu backend'
);
