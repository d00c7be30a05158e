#!/usr/bin/env node
// Builds the prebuilt extension with JupyterLab's builder, against the JupyterLab installed in
// the environment (its staging/package.json), so the build never asks the network for it.
// Skips the build when the output is newer than every input; `--force` rebuilds.
// `--development` builds unminified (fast, used by `make`); the Python wheel uses production.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const development = args.includes('--development');
const output = join(here, 'paramscope_jupyterlab', 'labextension', 'package.json');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

const inputs = ['lib', 'style', 'schema', 'package.json', '../protocol/lib'].map((p) => join(here, p));
if (
  !args.includes('--force') &&
  existsSync(output) &&
  statSync(output).mtimeMs >= Math.max(...inputs.map(newestMtime))
) {
  console.log('labextension is up to date');
  process.exit(0);
}

const venvPython = resolve(here, '../../.venv/bin/python');
const python = process.env.PYTHON ?? (existsSync(venvPython) ? venvPython : 'python3');
let corePackageFile;
try {
  corePackageFile = execFileSync(
    python,
    [
      '-c',
      'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))'
    ],
    { encoding: 'utf8' }
  ).trim();
} catch {
  console.error(
    `build-labextension: JupyterLab is not importable by ${python}; run scripts/setup.sh (or make lab) first`
  );
  process.exit(1);
}
const jupyter = join(dirname(python), 'jupyter');
const command = existsSync(jupyter) ? jupyter : 'jupyter';
const buildArgs = [
  'labextension',
  'build',
  `--core-package-file=${corePackageFile}`,
  ...(development ? ['--development=True'] : []),
  here
];
console.log(`${command} ${buildArgs.join(' ')}`);
execFileSync(command, buildArgs, { stdio: 'inherit' });
