/**
 * Choosing the TF.js backend in a kernel: the fastest one that is installed and works.
 * The native bindings (`@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`) are optional: their
 * install script downloads libtensorflow, so they are used only when a user has them.
 */
import { ensureConv2dFilterGradient } from '@paramscope/core';
import * as tf from '@tensorflow/tfjs';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from './errors';

/** Backends in order of preference. `tensorflow` is the name both native bindings register. */
export const BACKEND_PREFERENCE = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_PREFERENCE)[number];

/** What happened when a backend was tried. */
export interface BackendAttempt {
  backend: BackendChoice;
  ok: boolean;
  /** Why it was not used (not installed, failed to initialise, wrong result). */
  reason?: string;
}

/** The active backend and the attempts that led to it. */
export interface BackendReport {
  /** The choice that is active. */
  backend: BackendChoice;
  /** TF.js's own name for it (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  attempts: BackendAttempt[];
}

type Loader = () => Promise<string>;

const NATIVE_PACKAGES: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node'
};

function requireOptional(name: string): void {
  // TensorFlow's native library prints start-up notices on stderr unless told otherwise.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  // A plain require: the native packages register their backend with the shared tfjs engine.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(name);
}

const loaders: Record<BackendChoice, Loader> = {
  'tfjs-node-gpu': async () => {
    requireOptional(NATIVE_PACKAGES['tfjs-node-gpu']);
    return 'tensorflow';
  },
  'tfjs-node': async () => {
    requireOptional(NATIVE_PACKAGES['tfjs-node']);
    return 'tensorflow';
  },
  wasm: async () => {
    requireOptional('@tensorflow/tfjs-backend-wasm');
    return 'wasm';
  },
  cpu: async () => 'cpu'
};

function isNotInstalled(error: unknown, name: string): boolean {
  const e = error as NodeJS.ErrnoException;
  return e?.code === 'MODULE_NOT_FOUND' && String(e.message).includes(name);
}

/** Runs a small computation and checks the answer, so a backend that loads but is broken is skipped. */
function smokeTest(): void {
  const value = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()[0]);
  if (value !== 11) throw new NotebookError(`smoke test computed ${value}, expected 11`);
}

async function tryBackend(choice: BackendChoice): Promise<BackendAttempt & { tfBackend?: string }> {
  let tfBackend: string;
  try {
    tfBackend = await loaders[choice]();
  } catch (error) {
    const pkg =
      choice === 'wasm' ? '@tensorflow/tfjs-backend-wasm' : NATIVE_PACKAGES[choice as keyof typeof NATIVE_PACKAGES];
    const reason =
      pkg && isNotInstalled(error, pkg) ? `${pkg} is not installed` : `failed to load: ${(error as Error).message}`;
    return { backend: choice, ok: false, reason };
  }
  try {
    if (!(await tf.setBackend(tfBackend)))
      return { backend: choice, ok: false, reason: `tf.setBackend('${tfBackend}') returned false` };
    await tf.ready();
    // TF.js's wasm backend has no Conv2DBackpropFilter kernel: without it no conv net trains there.
    ensureConv2dFilterGradient(tfBackend);
    smokeTest();
    return { backend: choice, ok: true, tfBackend };
  } catch (error) {
    return { backend: choice, ok: false, reason: `failed to initialise: ${(error as Error).message}` };
  }
}

/**
 * Activates the first backend of `order` that is installed and passes a smoke test, and reports
 * what it tried. The environment variable `PARAMSCOPE_BACKEND` (one of {@link BACKEND_PREFERENCE})
 * forces one choice.
 *
 * @example
 * const { backend, attempts } = await useBestBackend();
 * console.log(`TF.js backend: ${backend}`);
 */
export async function useBestBackend(
  order: readonly BackendChoice[] = preferenceFromEnvironment()
): Promise<BackendReport> {
  if (order.length === 0) throw new NotebookError('useBestBackend: the list of backends to try is empty');
  for (const choice of order) {
    if (!BACKEND_PREFERENCE.includes(choice)) {
      throw new NotebookError(
        `useBestBackend: unknown backend "${choice}" (expected one of ${BACKEND_PREFERENCE.join(', ')})`
      );
    }
  }
  const attempts: BackendAttempt[] = [];
  for (const choice of order) {
    const { tfBackend, ...attempt } = await tryBackend(choice);
    attempts.push(attempt);
    if (attempt.ok && tfBackend) return { backend: choice, tfBackend, attempts };
  }
  throw new NotebookError(`No TF.js backend works: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}`);
}

/**
 * What a notebook's TF.js work is made of, which decides the fastest backend:
 * - `large-ops` (the default): convolutions and large matrices, where TensorFlow's native kernels win
 *   (ResNet-18 training 1.2× PyTorch on tfjs-node against 15× on wasm);
 * - `small-ops`: thousands of steps of a small model, where each op's fixed cost dominates and wasm
 *   is faster (a step of the 3-layer MLP of notebooks 03 and 04: 2.1 ms on wasm, 3.4–3.8 ms on tfjs-node).
 */
export type Workload = 'large-ops' | 'small-ops';

/** Backends in order of preference for a workload. */
export const WORKLOAD_PREFERENCE: Readonly<Record<Workload, readonly BackendChoice[]>> = {
  'large-ops': BACKEND_PREFERENCE,
  'small-ops': ['wasm', 'tfjs-node-gpu', 'tfjs-node', 'cpu']
};

/**
 * The order {@link useBestBackend} should try for a workload: `PARAMSCOPE_BACKEND` when set (it always
 * wins), else {@link WORKLOAD_PREFERENCE}.
 *
 * @example
 * const backend = await useBestBackend(backendsFor('small-ops'));
 */
export function backendsFor(workload: Workload): readonly BackendChoice[] {
  if (!Object.hasOwn(WORKLOAD_PREFERENCE, workload)) {
    const known = Object.keys(WORKLOAD_PREFERENCE).join(', ');
    throw new NotebookError(`backendsFor: unknown workload ${describeValue(workload)} (expected one of ${known})`);
  }
  return process.env.PARAMSCOPE_BACKEND ? preferenceFromEnvironment() : WORKLOAD_PREFERENCE[workload];
}

function preferenceFromEnvironment(): readonly BackendChoice[] {
  const forced = process.env.PARAMSCOPE_BACKEND;
  if (!forced) return BACKEND_PREFERENCE;
  if (!BACKEND_PREFERENCE.includes(forced as BackendChoice)) {
    throw new NotebookError(`PARAMSCOPE_BACKEND="${forced}" is not one of ${BACKEND_PREFERENCE.join(', ')}`);
  }
  return [forced as BackendChoice];
}

/** One line for a notebook: the active backend and why the faster ones were skipped. */
export function describeBackend(report: BackendReport): string {
  const skipped = report.attempts.filter((a) => !a.ok).map((a) => `${a.backend} (${a.reason})`);
  return `TF.js backend: ${report.backend}` + (skipped.length ? ` — skipped ${skipped.join(', ')}` : '');
}
