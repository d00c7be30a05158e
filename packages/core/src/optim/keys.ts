/**
 * Unknown keys in what an optimizer is given, told apart from intended extra keys as PyTorch does:
 *
 * - the constructor's defaults take the optimizer's hyperparameters only, and its options only the
 *   options: any other key is an error (torch raises `TypeError` for an unknown keyword argument);
 * - a parameter group may carry any further key (`label`, `reasons`, a scheduler's `initialLr`, a
 *   per-group hyperparameter of another optimizer), kept as it is — except a key that reads as a
 *   misspelled hyperparameter of this optimizer: its snake_case or another case (`weight_decay`,
 *   `WeightDecay`), a letter or two off (`momentun`, `weightDecy`), or another library's name for it
 *   (`learning_rate`, `epsilon`, `beta1`). Those are errors that name the hyperparameter meant.
 */
import { describeValue } from '@paramscope/protocol';
import { OptimizerError } from './validate';

/** Other libraries' names of hyperparameters, normalized (see {@link normalize}). */
const FOREIGN_NAMES: Record<string, string> = {
  learningrate: 'lr',
  epsilon: 'eps',
  beta1: 'betas',
  beta2: 'betas'
};

/** Lower case without `_`, `-` and spaces: `weight_decay`, `WeightDecay` and `weightDecay` agree. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Levenshtein distance, stopping early above `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** How many letters a key may be off a hyperparameter's name: none for short names (`lr`, `eps`). */
function tolerance(name: string): number {
  if (name.length >= 8) return 2;
  return name.length >= 5 ? 1 : 0;
}

/** The known key that `key` misspells, or undefined when it is known or resembles none. */
export function misspelledKey(key: string, known: readonly string[]): string | undefined {
  if (known.includes(key)) return undefined;
  const n = normalize(key);
  const foreign = FOREIGN_NAMES[n];
  if (foreign !== undefined && known.includes(foreign)) return foreign;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(n, normalize(name), tolerance(name));
    if (distance <= tolerance(name) && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/**
 * Throws when `given` has a key outside `known`: `what` names the object (`'defaults'`,
 * `'options'`), `owner` the optimizer. The message suggests the key meant, else lists the known ones.
 */
export function rejectUnknownKeys(given: object, known: readonly string[], what: string, owner: string): void {
  for (const key of Object.keys(given)) {
    if (known.includes(key)) continue;
    const meant = misspelledKey(key, known);
    const hint = meant !== undefined ? `did you mean ${meant}?` : `${owner} takes ${known.join(', ')}`;
    throw new OptimizerError(`${owner}: unknown key ${describeValue(key)} in ${what}; ${hint}`);
  }
}

/**
 * Throws when a group key (any key but `params`) reads as a misspelling of a hyperparameter in
 * `known`; other extra keys are allowed. `where` names the group.
 */
export function rejectMisspelledGroupKeys(group: object, known: readonly string[], where: string, owner: string): void {
  for (const key of Object.keys(group)) {
    if (key === 'params') continue;
    const meant = misspelledKey(key, known);
    if (meant === undefined) continue;
    throw new OptimizerError(
      `${owner}: key ${describeValue(key)} in ${where} looks like the hyperparameter ${meant} misspelled ` +
        `(its value would be kept as an extra key while ${meant} stays ${describeKept(group, meant)}); write ${meant}`
    );
  }
}

function describeKept(group: object, key: string): string {
  const value = (group as Record<string, unknown>)[key];
  return value === undefined ? 'unset' : `at ${describeValue(value)}`;
}
