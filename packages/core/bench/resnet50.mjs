// What the optimizer benchmarks step over: ResNet-50's parameter tensors, and reproducible values.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

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
