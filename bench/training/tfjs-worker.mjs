// Trains one network on one TF.js backend for a fixed number of steps and prints one JSON line:
// { ms: [per-step times], ... } or { unavailable: "why" } or { error: "what failed" }. run.mjs
// starts one process per (backend, implementation, network), so no run affects another's figures.
// Usage: node tfjs-worker.mjs '<JSON spec from run.mjs>'
import tf from '@tensorflow/tfjs';
import { syntheticBatch } from './synthetic.mjs';
import * as benchModels from './tfjs-models.mjs';

const BACKEND_PACKAGES = { tensorflow: '@tensorflow/tfjs-node', wasm: '@tensorflow/tfjs-backend-wasm', cpu: null };

/** Activates a backend; returns why it cannot be used, or null. */
async function activate(backend) {
  const name = BACKEND_PACKAGES[backend];
  if (name === undefined) return `unknown backend "${backend}"`;
  if (name) {
    try {
      await import(name);
    } catch (error) {
      const hint = backend === 'tensorflow' ? ' (build it with tools/native/setup-native.sh)' : '';
      return error.code === 'ERR_MODULE_NOT_FOUND'
        ? `${name} is not installed${hint}`
        : `${name} failed to load: ${error.message}`;
    }
  }
  if (!(await tf.setBackend(backend))) return `tf.setBackend('${backend}') failed`;
  await tf.ready();
  return null;
}

/**
 * Convolution filter gradients: wasm has no Conv2DBackpropFilter kernel and cpu's takes over a
 * minute for one 3×3 layer of the small CNN, so both get @paramscope/core's im2col kernel (the
 * one the notebooks use). Returns which one the run uses.
 */
function prepareFilterGradient(backend, core) {
  if (backend === 'cpu') tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  return core.ensureConv2dFilterGradient(backend) ? 'im2col' : 'kernel';
}

/** How the bench's ops compute batch norm and ReLU, by implementation name (see README.md). */
async function layersFor(impl) {
  if (impl === 'ops') return benchModels.autogradLayers;
  if (impl === 'ops-closed-form') return benchModels.closedFormLayers;
  return (await import('./native-fused.mjs')).nativeFusedLayers();
}

/** One training step as an async function returning the loss, for the bench's ops with tf.train.momentum. */
async function opsTrainer(spec, images, oneHotLabels) {
  const network = benchModels[spec.model]({ ...spec, layers: await layersFor(spec.impl) });
  const optimizer = tf.train.momentum(spec.learningRate, spec.momentum);
  return async () => {
    const loss = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(oneHotLabels, network.forward(images)),
      true,
      network.trainable
    );
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  };
}

/**
 * The same with @paramscope/core's modules (torchvision names, PyTorch weight layout) and its SGD,
 * or (impl 'core-nn') with tf.train.momentum, which shows the modules' share of a step.
 */
function coreTrainer(spec, images, oneHotLabels, core) {
  const module =
    spec.model === 'bnCnn'
      ? core.nn.bnCnn({ inChannels: spec.inChannels, channels: spec.widths, numClasses: spec.numClasses })
      : core.nn.resnet18({ numClasses: spec.numClasses });
  module.train();
  const trainable = module.parameters().filter((v) => v.trainable);
  const optimizer = new core.SGD(trainable, { lr: spec.learningRate, momentum: spec.momentum });
  const tfOptimizer = tf.train.momentum(spec.learningRate, spec.momentum);
  return async () => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(oneHotLabels, module.call(images)),
      trainable
    );
    if (spec.impl === 'core-nn') tfOptimizer.applyGradients(grads);
    else optimizer.step(grads);
    tf.dispose(grads);
    const loss = (await value.data())[0];
    value.dispose();
    return loss;
  };
}

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const unavailable = await activate(spec.backend);
  if (unavailable) return { unavailable };
  const core = (await import('@paramscope/core')).default;
  const filterGrad = prepareFilterGradient(spec.backend, core);

  const { images, oneHotLabels } = syntheticBatch(spec);
  const step = spec.impl.startsWith('core')
    ? coreTrainer(spec, images, oneHotLabels, core)
    : await opsTrainer(spec, images, oneHotLabels);
  for (let i = 0; i < spec.warmup; i++) await step();
  const tensorsBefore = tf.memory().numTensors;
  const ms = [];
  let loss = NaN;
  for (let i = 0; i < spec.steps; i++) {
    const start = process.hrtime.bigint();
    loss = await step();
    ms.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) throw new Error(`leaked ${leaked} tensors over ${spec.steps} steps`);
  if (!Number.isFinite(loss)) throw new Error(`reached a non-finite loss (${loss})`);
  const threads =
    spec.backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).default.getThreadsCount() : undefined;
  return { ms, loss, threads, filterGrad };
}

main().then(
  (result) => console.log(JSON.stringify(result)),
  (error) => {
    console.log(JSON.stringify({ error: error.message }));
    process.exitCode = 1;
  }
);
