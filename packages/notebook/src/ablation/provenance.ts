/**
 * Node-only: what a committed results file records about how it was made — the commit and whether
 * the tree was dirty, the command, the TF.js backend and the versions — so a number in it can be
 * traced to the code that produced it and re-run.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { ResultsProvenance } from '@paramscope/science';
import { libtensorflowVersion } from '@paramscope/core/node';

const requireHere = createRequire(__filename);

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const why = (error as Error).message.split('\n')[0];
    throw new Error(`provenance: "git ${args.join(' ')}" failed in ${root} (${why})`);
  }
}

/** The version of an installed package, or undefined when it is not installed. */
function installedVersion(name: string): string | undefined {
  try {
    return (requireHere(`${name}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** Packages whose version matters for a backend's numbers. */
const BACKEND_PACKAGES: Record<string, string> = {
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu'
};

/**
 * The provenance of results made now in the repository at `root` by `command` on the active TF.js
 * backend: `git rev-parse HEAD`, whether `git status --porcelain` lists anything, and the versions
 * of TF.js, Node and the backend's package.
 */
export function provenance(root: string, command: string): ResultsProvenance {
  const backend = tf.getBackend();
  const versions: Record<string, string> = { tfjs: tf.version.tfjs, node: process.versions.node };
  const backendPackage = BACKEND_PACKAGES[backend];
  const backendVersion = backendPackage ? installedVersion(backendPackage) : undefined;
  if (backendPackage && backendVersion) versions[backendPackage.replace('@tensorflow/', '')] = backendVersion;
  // tfjs-node reports the libtensorflow it runs (2.18.0 from `make native`), read through core's seam.
  const libtensorflow = libtensorflowVersion();
  if (libtensorflow) versions.libtensorflow = libtensorflow;
  return {
    commit: git(root, ['rev-parse', 'HEAD']),
    dirty: git(root, ['status', '--porcelain']).length > 0,
    command,
    backend,
    versions,
    started: new Date().toISOString()
  };
}
