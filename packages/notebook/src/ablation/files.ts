/**
 * Node-only file access for the ablation notebook and the full-grid command: finds the data set
 * the set-up exports (`data/digits.json`) and the results the full grid writes
 * (`results/ablation/full-grid.json`) from the notebook's folder or any parent.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseImageDataset, type AblationResults, type ImageDataset } from '@paramscope/science';
import { NotebookError } from '../errors';

/** Where the set-up writes the digits, relative to the repository root. */
export const DIGITS_PATH = 'data/digits.json';
/** Where `tools/ablation/run-full-grid.js` writes its results, relative to the repository root. */
export const FULL_GRID_RESULTS_PATH = 'results/ablation/full-grid.json';

/** The first `relative` path found in `from` or one of its parents, or undefined. */
export function findUpwards(relative: string, from: string = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Where to look: an explicit file, or a path searched upwards from a folder (default: the working directory). */
export interface LocateOptions {
  path?: string;
  from?: string;
}

/**
 * The 8×8 handwritten digits scikit-learn ships (1,797 images, 10 classes), as exported by the
 * set-up, checked field by field. Throws, saying how to create the file, when it is missing.
 */
export function loadDigits(options: LocateOptions = {}): ImageDataset & { path: string } {
  const from = options.from ?? process.cwd();
  const path = options.path ? resolve(options.path) : findUpwards(DIGITS_PATH, from);
  if (!path || !existsSync(path)) {
    throw new NotebookError(
      `loadDigits: ${options.path ?? DIGITS_PATH} not found (searched from ${from} upwards). ` +
        'Run "make lab" or "scripts/setup.sh" at the repository root: ' +
        "the set-up exports scikit-learn's digits there (tools/data/export_digits.py)."
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new NotebookError(
      `loadDigits: ${path} is not valid JSON (${(error as Error).message}); run tools/data/export_digits.py again`
    );
  }
  return { ...parseImageDataset(json, path), path };
}

/** The full grid's results if the command has been run (undefined otherwise), with their path. */
export function loadAblationResults(options: LocateOptions = {}): (AblationResults & { path: string }) | undefined {
  const path = options.path
    ? resolve(options.path)
    : findUpwards(FULL_GRID_RESULTS_PATH, options.from ?? process.cwd());
  if (!path || !existsSync(path)) return undefined;
  const results = JSON.parse(readFileSync(path, 'utf8')) as AblationResults;
  if (!results || !Array.isArray(results.runs) || !results.grid) {
    throw new NotebookError(
      `loadAblationResults: ${path} has no runs or grid; run tools/ablation/run-full-grid.js again`
    );
  }
  return { ...results, path };
}

/** Writes JSON atomically (a temporary file renamed into place), creating the folder. */
export function writeJsonFile(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, JSON.stringify(value));
  renameSync(temporary, path);
}
