/**
 * Loads TF.js's native backend for tests when a user has it (e.g. after `make native`), so the
 * suites that run per backend include `tensorflow` too. Returns false when it is not installed.
 */
export function nativeBackendInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    return false;
  }
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  require('@tensorflow/tfjs-node'); // eslint-disable-line @typescript-eslint/no-require-imports
  return true;
}
