// What the optimizer benchmarks share: TF.js with the wasm backend, core's compiled entries, the
// command line, and what they step over (ResNet-50's parameter tensors, reproducible values).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const require = createRequire(import.meta.url);
export const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
export const core = require('../lib/index.js');
/** `@paramscope/core/node` (worker threads), when built. */
export const nodeEntry = existsSync(join(here, '../lib/node/index.js')) ? require('../lib/node/index.js') : undefined;

export const args = process.argv.slice(2);
/** The value after `--name` on the command line, else `fallback`. */
export function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

/**
 * ResNet-50's parameter shapes, from the committed torchvision structure fixture; `decay` marks the
 * conv and linear weights (the group with weight decay).
 */
export function resnet50Params() {
  const structure = JSON.parse(readFileSync(join(here, '../fixtures/structures/resnet50.json'), 'utf8'));
  const params = [];
  for (const module of structure.modules) {
    for (const p of module.params ?? []) {
      const decay = (module.kind === 'Conv2d' || module.kind === 'Linear') && p.name === 'weight';
      params.push({ name: module.path ? `${module.path}.${p.name}` : p.name, shape: p.shape, decay });
    }
  }
  return params;
}

/** `size` values in [−scale, scale) from a xorshift generator seeded with `seed`. */
export function fill(size, scale, seed) {
  const values = new Float32Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    values[i] = ((x >>> 8) / 2 ** 23 - 1) * scale;
  }
  return values;
}

/**
 * Makes `backend` TF.js's active backend. `wasm-threads` is TF.js's threaded wasm build (its heap is
 * shared memory, which worker threads update in place), registered as the `wasm` backend: it must
 * come after `wasm` on the command line, which it replaces for the rest of the run.
 */
export async function startBackend(backend) {
  let name = backend;
  if (backend === 'wasm-threads') {
    if (!nodeEntry) throw new Error('wasm-threads needs lib/node: build packages/core first');
    // An earlier run's single-threaded build goes first (its tensors are disposed by then).
    if ('wasm' in tf.engine().registry) tf.removeBackend('wasm');
    nodeEntry.useThreadedWasmBackend();
    name = 'wasm';
  } else if (backend === 'wasm' && threadedWasmStarted) {
    throw new Error('--backends: put wasm before wasm-threads (the threaded build replaces it)');
  }
  threadedWasmStarted ||= backend === 'wasm-threads';
  await tf.setBackend(name);
  await tf.ready();
}
let threadedWasmStarted = false;

/** Whether worker threads can share the weights on `backend` (the single-threaded wasm heap is not shared). */
export const threadsReach = (backend) => backend !== 'wasm';
