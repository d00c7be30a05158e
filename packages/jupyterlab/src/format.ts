/**
 * Text formatting of snapshot values, shared by the inline renderer and the panel.
 */
import type { HyperparameterValue } from '@paramscope/protocol';

/** `11689512` → `11.7M`; small counts stay exact. */
export function formatCount(count: number): string {
  if (count < 10_000) return String(count);
  if (count < 1_000_000) return `${(count / 1000).toFixed(1)}k`;
  if (count < 1_000_000_000) return `${(count / 1_000_000).toFixed(1)}M`;
  return `${(count / 1_000_000_000).toFixed(2)}G`;
}

/** A float with 4 significant digits; `null`/`undefined` → `—`. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e5) return String(Number(value.toPrecision(4)));
  // 1e-4 rather than 1.00e-4: weight decays and learning rates read as users write them.
  return value
    .toExponential(3)
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e');
}

/** `[64, 3, 7, 7]` → `64×3×7×7`; a scalar → `scalar`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/** A hyperparameter as the user would write it. */
export function formatHyperparameter(value: HyperparameterValue): string {
  if (Array.isArray(value)) return `(${value.map(formatNumber).join(', ')})`;
  if (typeof value === 'number') return formatNumber(value);
  if (value === null) return 'null';
  return String(value);
}

/** Display names of the hyperparameters users look for first, in this order. */
const KNOWN_HYPERPARAMETERS: Array<[string, string]> = [
  ['lr', 'lr'],
  ['weightDecay', 'weight decay'],
  ['momentum', 'momentum'],
  ['betas', 'betas'],
  ['layerAdaptation', 'LARS adaptation']
];

/** `[label, value]` pairs: the well-known hyperparameters first, then the rest by name. */
export function hyperparameterPairs(hyperparameters: Record<string, HyperparameterValue>): Array<[string, string]> {
  const known = new Set(KNOWN_HYPERPARAMETERS.map(([key]) => key));
  const pairs: Array<[string, string]> = [];
  for (const [key, label] of KNOWN_HYPERPARAMETERS) {
    if (key in hyperparameters) pairs.push([label, formatHyperparameter(hyperparameters[key])]);
  }
  for (const key of Object.keys(hyperparameters).sort()) {
    if (!known.has(key)) pairs.push([key, formatHyperparameter(hyperparameters[key])]);
  }
  return pairs;
}
