#!/usr/bin/env bash
# Runs the test stages in order (all by default, or those named): typecheck, lint, unit,
# integration (notebooks through tslab, the `make lab` server, the ablation's check subset), ui. Stops at the first failing stage and prints how long each took.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(typecheck lint unit integration ui)

typecheck() {
  npm run --silent typecheck && node node_modules/typescript/bin/tsc --noEmit -p test/ui/tsconfig.json
}
lint() {
  npm run --silent lint
}
unit() {
  # Core's per-backend suites (PyTorch parity of nn and the optimizers, the fast paths, the seam
  # onto tfjs-node) add tfjs-node's `tensorflow` backend by themselves when set-up built it.
  if tools/native/setup-native.sh --status >/dev/null 2>&1; then
    echo "core's per-backend suites: cpu, wasm, tensorflow (tfjs-node)"
  else
    echo "core's per-backend suites: cpu, wasm (tfjs-node is not built: see scripts/setup.sh's native step)"
  fi
  lerna run test --concurrency 1 --stream && node --test test/declarations/ \
    && python -m pytest packages/python/tests -q -p no:cacheprovider
}
integration() {
  python -m pytest test/notebooks test/lab test/ablation -q -rA --durations=0 -p no:cacheprovider
}
ui() {
  rm -rf test/ui/.work
  playwright test -c test/ui/playwright.config.ts
}

summary=()
for stage in "${stages[@]}"; do
  if ! declare -F "$stage" >/dev/null; then
    echo "unknown test stage '$stage' (expected: typecheck lint unit integration ui)" >&2
    exit 2
  fi
  printf '\n\033[1m=== %s ===\033[0m\n' "$stage"
  started=$SECONDS
  if "$stage"; then
    summary+=("$stage: ok ($((SECONDS - started)) s)")
  else
    summary+=("$stage: FAILED ($((SECONDS - started)) s)")
    printf '\n%s\n' "${summary[@]}"
    exit 1
  fi
done
printf '\n%s\n' "${summary[@]}"
