// Runs every benchmark in this folder (`*.bench.mjs`), one after another, in a child process each,
// passing on any arguments. `npm run bench` builds first (tsc -b), since benchmarks import lib/.
//
//   node bench/run.mjs [--only grouping] [benchmark args…]
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
const files = readdirSync(here)
  .filter((name) => /\.bench\.m?js$/.test(name) && (!only || name.includes(only)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${only ? `"${only}"` : '*.bench.mjs'} in ${here}`);
  process.exit(1);
}
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const { status } = spawnSync(process.execPath, [join(here, file), ...args], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`${file} exited with status ${status}`);
    failed += 1;
  }
}
process.exit(failed === 0 ? 0 : 1);
