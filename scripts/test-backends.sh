#!/usr/bin/env bash
# Runs the core test suite and every notebook on each TF.js backend installed in this checkout
# (tfjs-node when set-up built it, wasm, cpu), or on those named: scripts/test-backends.sh wasm cpu.
# Not part of `make test`, which runs the notebooks on the default backend only (tfjs-node when
# built, else wasm): the cpu backend trains the conv notebooks very slowly.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
backends=("$@")
if [ ${#backends[@]} -eq 0 ]; then
  node -e 'require.resolve("@tensorflow/tfjs-node")' 2>/dev/null && backends+=(tfjs-node)
  backends+=(wasm cpu)
fi
# Core's parity tests cover cpu, wasm and (when installed) tensorflow in one run.
(cd packages/core && npx vitest run) || { echo "core test suite FAILED"; exit 1; }
status=0
for backend in "${backends[@]}"; do
  printf '\n\033[1m=== notebooks on %s ===\033[0m\n' "$backend"
  PARAMSCOPE_BACKEND=$backend python -m pytest test/notebooks -q -k test_notebook_runs --durations=0 -p no:cacheprovider \
    || { echo "notebooks FAILED on $backend"; status=1; }
done
exit $status
