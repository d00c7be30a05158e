#!/usr/bin/env bash
# Brings a checkout from clone to ready: Node packages, the Python venv with JupyterLab, the
# TypeScript kernel (tslab), the built packages and the prebuilt extension, Chromium for UI tests.
# Idempotent: each step checks what is there and does only what is missing or broken.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
STAMPS=$ROOT/.setup-stamps
mkdir -p "$STAMPS"

step() { printf '\033[1m[setup] %s\033[0m\n' "$*"; }
fail() { printf '\033[31m[setup] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
# `fresh NAME HASH`: true when step NAME last succeeded with inputs HASH.
fresh() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
mark() { echo "$2" > "$STAMPS/$1"; }

# 1. Toolchain --------------------------------------------------------------------------------
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || fail "node is not installed (need Node 20 or newer)"
[ "$node_major" -ge 20 ] || fail "Node $node_major is too old (need 20 or newer)"
python3 -c 'import sys; assert sys.version_info >= (3, 9)' 2>/dev/null || fail "python3 3.9 or newer is needed"

# 2. Chromium, for the UI tests ----------------------------------------------------------------
if [ ! -x /usr/bin/chromium ]; then
  step "installing Debian's chromium (UI tests drive it with Playwright)"
  if [ "$(id -u)" -eq 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
      || fail "apt-get install chromium (needed by the UI tests; the rest of set-up does not need it)"
  else
    echo "[setup] warning: /usr/bin/chromium is missing and this is not root: run 'sudo apt-get install chromium' for the UI tests" >&2
  fi
fi

# 3. Node packages (npm workspaces) -------------------------------------------------------------
# Only what npm installs from: editing a script in a package.json reinstalls nothing.
node_inputs() {
  node -e 'const fs = require("fs");
    const keys = ["name", "version", "workspaces", "dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "overrides"];
    for (const file of process.argv.slice(1)) {
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      console.log(file, JSON.stringify(keys.map((k) => json[k] ?? null)));
    }' package.json packages/*/package.json
  cat package-lock.json
}
node_hash=$(node_inputs | sha256sum | cut -c1-16)
if ! fresh node "$node_hash" || ! node -e 'require.resolve("@tensorflow/tfjs"); require.resolve("tslab/package.json")' >/dev/null 2>&1; then
  step "installing Node packages (npm ci)"
  # Playwright drives Debian's chromium: its own browser download cannot work here.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error \
    || fail "npm ci (see the npm error above; a half-installed node_modules is removed on the next run)"
  mark node "$node_hash"
fi

# 4. Python venv with JupyterLab -----------------------------------------------------------------
py_hash=$(hash_of requirements-dev.txt)
if ! fresh venv "$py_hash" || ! "$VENV/bin/python" -c 'import jupyterlab, nbclient, hatch_jupyter_builder' >/dev/null 2>&1; then
  step "creating the Python environment .venv (JupyterLab, nbclient)"
  rm -rf "$VENV" "$STAMPS/extension" "$STAMPS/kernel" "$STAMPS/python-package"
  python3 -m venv "$VENV" || fail "python3 -m venv .venv (on Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r requirements-dev.txt \
    || fail "pip install -r requirements-dev.txt"
  mark venv "$py_hash"
fi
export PATH="$VENV/bin:$ROOT/node_modules/.bin:$PATH"

# 4b. The Python package paramscope (packages/python), editable, so its tests run from source ----
pkg_hash=$(hash_of packages/python/pyproject.toml)
if ! fresh python-package "$pkg_hash" || ! "$VENV/bin/python" -c 'import importlib.util as u, sys; sys.exit(u.find_spec("paramscope") is None)'; then
  step "installing the Python package paramscope into .venv (editable)"
  # torch comes from requirements-dev.txt; the build backend (hatchling, editables) too.
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e packages/python \
    || fail "pip install -e packages/python"
  mark python-package "$pkg_hash"
fi

# 5. Build the packages (incremental: tsc -b and make-style staleness checks) ------------------
step "building packages"
npm run --silent build || fail "npm run build (TypeScript or the labextension build failed: see above)"

# 6. The prebuilt extension, installed in development mode into .venv -------------------------
ext_dir=$ROOT/packages/jupyterlab
ext_link=$VENV/share/jupyter/labextensions/@paramscope/jupyterlab
if ! fresh extension "$(hash_of "$ext_dir/pyproject.toml")" || [ ! -e "$ext_link/package.json" ]; then
  step "installing the JupyterLab extension into .venv"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-build-isolation --no-deps -e "$ext_dir" \
    || fail "pip install -e packages/jupyterlab"
  "$VENV/bin/jupyter" labextension develop --overwrite "$ext_dir" >/dev/null \
    || fail "jupyter labextension develop packages/jupyterlab"
  mark extension "$(hash_of "$ext_dir/pyproject.toml")"
fi

# 7. The TypeScript kernel (tslab), registered in .venv ------------------------------------------
kernel_json=$VENV/share/jupyter/kernels/tslab/kernel.json
if [ ! -f "$kernel_json" ] || ! grep -q "$ROOT/node_modules/.bin/tslab" "$kernel_json"; then
  step "registering the tslab kernel in .venv"
  "$ROOT/node_modules/.bin/tslab" install --python="$VENV/bin/python" --sys-prefix \
    --binary="$ROOT/node_modules/.bin/tslab" >/dev/null || fail "tslab install"
fi
# 7a. tslab's installer also registers a JavaScript kernel (jslab); the notebooks are TypeScript only,
#     so it is taken out of .venv (only there: a jslab registered elsewhere is left alone).
jslab_dir=$VENV/share/jupyter/kernels/jslab
if [ -d "$jslab_dir" ]; then
  step "removing the JavaScript kernel (jslab) that tslab install registers"
  rm -rf "$jslab_dir" || fail "removing $jslab_dir"
fi
# 7b. The Python kernel (ipykernel from requirements-dev.txt), registered in .venv with its own
#     python, so notebooks on `python3` (notebook 08, the panel's Python tests) import paramscope.
py_kernel_json=$VENV/share/jupyter/kernels/python3/kernel.json
if [ ! -f "$py_kernel_json" ] || ! grep -q "\"$VENV/bin/python" "$py_kernel_json"; then
  step "registering the Python kernel (ipykernel) in .venv"
  "$VENV/bin/python" -m ipykernel install --sys-prefix >/dev/null || fail "python -m ipykernel install --sys-prefix"
fi
# 8. The real data set of the ablation notebook, exported from scikit-learn (no download) -----
if [ ! -f "$ROOT/data/digits.json" ]; then
  step "exporting the digits data set to data/digits.json"
  "$VENV/bin/python" tools/data/export_digits.py "$ROOT/data/digits.json" >/dev/null || fail "tools/data/export_digits.py"
fi
# 9. TF.js's native backend (@tensorflow/tfjs-node), built offline by tools/native/setup-native.sh ----
#    from the tensorflow-cpu wheel where g++, make and Node's headers are there; otherwise the
#    notebooks run on wasm. Never fails set-up: a failure prints one line saying why. `npm ci`
#    (step 3) removes tfjs-node (it is not in package.json): this step puts it back, reusing the
#    unpacked wheel and the compiled addon in .cache/native. PARAMSCOPE_NATIVE=0 skips the step.
#    The prerequisites are checked on every run (quick); a failure after them (download, build,
#    verify) is not retried with the same inputs until `make native`.
native_log=$STAMPS/native.log
native_hash=$({ echo "${PARAMSCOPE_TF_VERSION:-} ${PARAMSCOPE_NATIVE_CACHE:-}"; cat tools/native/setup-native.sh \
  tools/native/unpack_wheel.py tools/native/verify-native.mjs; } | sha256sum | cut -c1-16)
native_why() { sed 's/\x1b\[[0-9;]*m//g' "$1" 2>/dev/null | sed -n 's/^\[native\] FAILED: //p' | tail -n 1; }
native_fallback() { echo "[setup] native backend not built ($1); notebooks run on wasm (PARAMSCOPE_NATIVE=0 skips this step)" >&2; }
case "${PARAMSCOPE_NATIVE:-1}" in
  0 | no | off | false)
    if tools/native/setup-native.sh --status >/dev/null 2>&1; then
      echo "[setup] native backend: not built (PARAMSCOPE_NATIVE=0), but the tfjs-node built earlier is installed and used; 'tools/native/setup-native.sh --remove' takes it out, PARAMSCOPE_BACKEND=wasm forces wasm"
    else
      echo "[setup] native backend: skipped (PARAMSCOPE_NATIVE=0); notebooks run on wasm"
    fi ;;
  *)
    native_status=$(tools/native/setup-native.sh --status 2>&1) && native_ok=1 || native_ok=0
    if [ "$native_ok" = 1 ] && fresh native "$native_hash"; then
      :
    elif [ "$native_ok" = 0 ] && ! tools/native/setup-native.sh --prerequisites >"$native_log.prerequisites" 2>&1; then
      rm -f "$STAMPS/native"
      why=$(native_why "$native_log.prerequisites")
      native_fallback "${why:-tools/native/setup-native.sh --prerequisites failed}"
    elif [ "$native_ok" = 0 ] && fresh native-failed "$native_hash"; then
      native_fallback "$(sed -n 1p "$STAMPS/native-failed.why") on an earlier run with the same inputs; log: .setup-stamps/native.log; 'make native' retries"
    else
      if [ "$native_ok" = 1 ]; then step "checking TF.js's native backend (tools/native/setup-native.sh)"
      else step "building TF.js's native backend: $native_status (tools/native/setup-native.sh; the first time it downloads a ~250 MB wheel; PARAMSCOPE_NATIVE=0 skips it)"; fi
      native_timeout=(); command -v timeout >/dev/null && native_timeout=(timeout 1200)
      if "${native_timeout[@]}" tools/native/setup-native.sh >"$native_log" 2>&1; then
        mark native "$native_hash"
        rm -f "$STAMPS/native-failed"
        built=$(sed -n 's/^\[native\] ok: \(@tensorflow\/tfjs-node [^;]*\);.*/\1/p' "$native_log")
        echo "[setup] native backend: ${built:-@tensorflow/tfjs-node}; notebooks use it (PARAMSCOPE_BACKEND=wasm forces wasm)"
      else
        native_rc=$?
        why=$(native_why "$native_log")
        [ "$native_rc" = 124 ] && why="tools/native/setup-native.sh took more than 20 minutes"
        [ -n "$why" ] || why="tools/native/setup-native.sh exited with status $native_rc"
        mark native-failed "$native_hash"
        echo "$why" > "$STAMPS/native-failed.why"
        rm -f "$STAMPS/native"
        native_fallback "$why; log: .setup-stamps/native.log"
      fi
    fi ;;
esac
# A tfjs-node left unbuilt (a failed step) would break whatever requires it: take it out.
tools/native/setup-native.sh --status >/dev/null 2>&1 || tools/native/setup-native.sh --remove >/dev/null 2>&1 || true
step "ready"
