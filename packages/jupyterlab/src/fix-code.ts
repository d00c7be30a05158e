/**
 * "Copy corrected groups": code that rebuilds an optimizer on paramscope's structural default
 * (no weight decay for normalization parameters and biases), with the snapshot's hyperparameters,
 * in the notebook's language: TypeScript for tslab, PyTorch for a Python kernel.
 */
import type { HyperparameterValue, SnapshotEntry } from '@paramscope/protocol';

/** Languages the corrected code is written in. */
export type FixLanguage = 'typescript' | 'python';

/** Group keys that are not constructor options: set per group or by a scheduler. */
const NOT_OPTIONS = new Set(['weightDecay', 'layerAdaptation', 'initialLr', 'label']);

/** The language of the code for a kernel (`python` or anything else) and a snapshot's backend. */
export function fixLanguage(kernelLanguage: string | undefined, backend: string | undefined): FixLanguage {
  if (kernelLanguage) return kernelLanguage.toLowerCase() === 'python' ? 'python' : 'typescript';
  return backend?.startsWith('PyTorch') ? 'python' : 'typescript';
}

/**
 * The weight decay the user meant (the largest of the groups, since the mistake is a group with
 * too much or too little of it) and the optimizer options shared by the groups (of the first group
 * with decay).
 */
export function fixSettings(entry: SnapshotEntry): {
  weightDecay: number;
  options: Array<[string, HyperparameterValue]>;
} {
  const decays = entry.groups
    .map((g) => g.hyperparameters.weightDecay)
    .filter((d): d is number => typeof d === 'number');
  const weightDecay = Math.max(0, ...decays);
  const reference = entry.groups.find((g) => g.hyperparameters.weightDecay === weightDecay) ?? entry.groups[0];
  const options = Object.entries(reference?.hyperparameters ?? {}).filter(([key]) => !NOT_OPTIONS.has(key));
  return { weightDecay, options };
}

/** Code building `entry`'s optimizer on the structural default's groups, for `model`. */
export function correctedGroupsCode(entry: SnapshotEntry, language: FixLanguage): string {
  return language === 'python' ? pythonCode(entry) : typescriptCode(entry);
}

function typescriptCode(entry: SnapshotEntry): string {
  const { weightDecay, options } = fixSettings(entry);
  const optimizer = entry.optimizer ?? 'SGD';
  const args = options.map(([key, value]) => `${key}: ${tsValue(value)}`).join(', ');
  return [
    `// ${entry.label}: paramscope's structural default (no decay for normalization parameters and biases).`,
    `import { groupParams, ${optimizer} } from '@paramscope/core';`,
    `import { inspect } from '@paramscope/notebook';`,
    `const { groups } = groupParams(model, { weightDecay: ${tsValue(weightDecay)} });`,
    `const optimizer = new ${optimizer}(groups, { ${args} });`,
    `inspect(optimizer, { model: model, label: ${JSON.stringify(entry.label)} });`
  ].join('\n');
}

function pythonCode(entry: SnapshotEntry): string {
  const { weightDecay, options } = fixSettings(entry);
  const optimizer = entry.optimizer ?? 'SGD';
  const args = options.map(([key, value]) => `, ${snakeCase(key)}=${pyValue(value)}`).join('');
  return [
    `# ${entry.label}: paramscope's structural default (no decay for normalization parameters and biases).`,
    'import paramscope',
    'import torch',
    `groups = paramscope.group_params(model, weight_decay=${pyValue(weightDecay)})`,
    `optimizer = torch.optim.${optimizer}(groups${args})`,
    `paramscope.inspect(optimizer, model, label=${JSON.stringify(entry.label)})`
  ].join('\n');
}

function tsValue(value: HyperparameterValue): string {
  return Array.isArray(value) ? `[${value.map(tsValue).join(', ')}]` : JSON.stringify(value);
}

function pyValue(value: HyperparameterValue): string {
  if (Array.isArray(value)) return `(${value.map(pyValue).join(', ')}${value.length === 1 ? ',' : ''})`;
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
