#!/usr/bin/env bash
# Brings up TF.js's native backend (@tensorflow/tfjs-node) without its internet download.
# libtensorflow comes from the `tensorflow-cpu` wheel on PyPI (its libtensorflow_cc.so.2 carries the
# C and eager C APIs the addon calls), and the addon is compiled from source with node-gyp against it.
# scripts/setup.sh (`make lab`, `make test`) runs it unless PARAMSCOPE_NATIVE=0, and falls back to
# wasm when it fails. Idempotent: a second run only checks.
#
# Usage: tools/native/setup-native.sh [--force | --remove | --status | --prerequisites]
#   --force   fetch the wheel and build the addon again
#   --remove  take @tensorflow/tfjs-node out of node_modules again (the back end falls back to wasm)
#   --status  exit 0 when the addon is installed, built against this TF version and its libraries
#             resolve (files only, nothing is loaded); otherwise say what is missing and exit 1
#   --prerequisites  check only the prerequisites (step 1), quietly when they are there
# Environment: PARAMSCOPE_TF_VERSION (default 2.18.0), PARAMSCOPE_NATIVE_CACHE (default .cache/native).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

# tfjs-node 4.22 was built for libtensorflow 2.9.1; the C API the addon uses is unchanged since.
# 2.12.0 is the oldest tensorflow-cpu wheel that works (see README.md); 2.18.0 trains the
# benchmark's networks 15-25% faster (newer oneDNN kernels), so it is the default.
TF_VERSION=${PARAMSCOPE_TF_VERSION:-2.18.0}
CACHE=${PARAMSCOPE_NATIVE_CACHE:-$ROOT/.cache/native}/tensorflow-cpu-$TF_VERSION
FORCE=0
PREREQUISITES_ONLY=0
case "${1:-}" in
  --force) FORCE=1 ;;
  --prerequisites) PREREQUISITES_ONLY=1 ;;
  --remove)
    rm -rf "$ROOT/node_modules/@tensorflow/tfjs-node"
    echo "[native] removed node_modules/@tensorflow/tfjs-node (the unpacked wheel stays in ${CACHE%/*})"
    exit 0 ;;
  --status)
    addon=$ROOT/node_modules/@tensorflow/tfjs-node
    tfjs=$(node -p 'require("@tensorflow/tfjs/package.json").version' 2>/dev/null || true)
    have=$(node -p 'require("@tensorflow/tfjs-node/package.json").version' 2>/dev/null || true)
    [ -n "$have" ] || { echo "@tensorflow/tfjs-node is not installed"; exit 1; }
    [ "$have" = "$tfjs" ] || { echo "@tensorflow/tfjs-node $have does not match @tensorflow/tfjs $tfjs"; exit 1; }
    # Installed by its own install script (with internet access), which ships libtensorflow itself.
    if [ ! -f "$addon/deps/built-against" ] && compgen -G "$addon/lib/napi-v*/tfjs_binding.node" >/dev/null \
      && find "$addon/deps/lib" -maxdepth 1 -type f -name 'libtensorflow.so.*' 2>/dev/null | grep -q .; then
      echo "installed by its own install script (not built here)"; exit 0
    fi
    [ "$(cat "$addon/deps/built-against" 2>/dev/null)" = "tensorflow-cpu-$TF_VERSION" ] \
      || { echo "the addon is not built against tensorflow-cpu $TF_VERSION"; exit 1; }
    compgen -G "$addon/lib/napi-v*/tfjs_binding.node" >/dev/null || { echo "the addon is not compiled"; exit 1; }
    for lib in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
      [ -e "$addon/deps/lib/$lib" ] || { echo "$addon/deps/lib/$lib does not resolve (unpacked wheel gone?)"; exit 1; }
    done
    exit 0 ;;
  '') ;;
  *) echo "usage: $0 [--force | --remove | --status | --prerequisites]" >&2; exit 2 ;;
esac

step() { printf '\033[1m[native] %s\033[0m\n' "$*"; }
fail() { printf '\033[31m[native] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

# 1. Prerequisites -------------------------------------------------------------------------------
command -v node >/dev/null || fail "prerequisites: node is not installed"
command -v npm >/dev/null || fail "prerequisites: npm is not installed"
command -v g++ >/dev/null && command -v make >/dev/null \
  || fail "prerequisites: g++ and make are needed to compile the addon (Debian: apt-get install g++ make)"
command -v unzip >/dev/null || python3 -c 'import zipfile' 2>/dev/null \
  || fail "prerequisites: python3 is needed to unpack the wheel"
python3 -m pip --version >/dev/null 2>&1 || fail "prerequisites: python3 -m pip is needed to fetch the tensorflow-cpu wheel"
[ "$(uname -sm)" = "Linux x86_64" ] || fail "prerequisites: this recipe is for Linux x86_64 (found $(uname -sm))"

TFJS_VERSION=$(node -p 'require("@tensorflow/tfjs/package.json").version' 2>/dev/null) \
  || fail "prerequisites: @tensorflow/tfjs is not in node_modules (run 'make setup' first)"

# node-gyp: the one on PATH, else the copy bundled with npm.
if [ -n "${NODE_GYP:-}" ]; then node_gyp=(node "$NODE_GYP")
elif command -v node-gyp >/dev/null; then node_gyp=(node-gyp)
else
  bundled="$(npm prefix -g 2>/dev/null)/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"
  [ -f "$bundled" ] || fail "prerequisites: node-gyp not found (not on PATH, not bundled with npm at $bundled; set NODE_GYP)"
  node_gyp=(node "$bundled")
fi
# Node's own headers, so node-gyp does not download them.
node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -f "$node_prefix/include/node/node_api.h" ] \
  || fail "prerequisites: Node's headers are missing ($node_prefix/include/node/node_api.h); node-gyp would download them"
[ "$PREREQUISITES_ONLY" = 0 ] || exit 0

# 2. @tensorflow/tfjs-node, without its install script (which downloads libtensorflow) ----------------
ADDON=$ROOT/node_modules/@tensorflow/tfjs-node
installed=$(node -p 'require("@tensorflow/tfjs-node/package.json").version' 2>/dev/null || true)
if [ "$installed" != "$TFJS_VERSION" ]; then
  step "installing @tensorflow/tfjs-node@$TFJS_VERSION into node_modules (install script skipped)"
  manifest_hash=$(cat package.json package-lock.json | sha256sum)
  npm install --no-save --ignore-scripts --no-audit --no-fund --loglevel=error "@tensorflow/tfjs-node@$TFJS_VERSION" \
    || fail "npm install @tensorflow/tfjs-node@$TFJS_VERSION (see the npm error above)"
  [ "$(cat package.json package-lock.json | sha256sum)" = "$manifest_hash" ] \
    || fail "npm install changed package.json or package-lock.json (restore them with git checkout)"
fi

# 3. libtensorflow and its C headers, from the tensorflow-cpu wheel ------------------------------------
libs=(libtensorflow_cc.so.2 libtensorflow_framework.so.2)
if [ "$FORCE" = 1 ] || [ ! -f "$CACHE/complete" ]; then
  step "fetching tensorflow-cpu==$TF_VERSION from PyPI and unpacking libtensorflow into $CACHE"
  download=$(mktemp -d)
  trap 'rm -rf "$download"' EXIT
  # The shared libraries do not depend on the Python version: ask for a fixed tag, whatever python3 is.
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --python-version 3.11 --platform manylinux2014_x86_64 -d "$download" "tensorflow-cpu==$TF_VERSION" \
    || fail "pip download tensorflow-cpu==$TF_VERSION (is PyPI reachable? does that release exist for cp311?)"
  rm -rf "$CACHE" && mkdir -p "$CACHE"
  python3 tools/native/unpack_wheel.py "$download"/tensorflow_cpu-*.whl "$CACHE" \
    || fail "unpacking the wheel (its layout differs from what tools/native/unpack_wheel.py expects)"
  chmod +x "$CACHE"/tensorflow/*.so.2
  rm -rf "$download"
  touch "$CACHE/complete"
fi

# 4. Stage them where the addon's binding.gyp looks: deps/include and deps/lib ---------------------------
# binding.gyp links -ltensorflow -ltensorflow_framework; the wheel's C API lives in libtensorflow_cc.so.2,
# so libtensorflow.so points at it and the addon records libtensorflow_cc.so.2 (its soname) as needed.
# At run time the addon finds both through its rpath $ORIGIN/../../deps/lib.
mkdir -p "$ADDON/deps/lib"
rm -rf "$ADDON/deps/include"
ln -sfn "$CACHE/tensorflow/include" "$ADDON/deps/include"
for lib in "${libs[@]}"; do ln -sfn "$CACHE/tensorflow/$lib" "$ADDON/deps/lib/$lib"; done
ln -sfn libtensorflow_cc.so.2 "$ADDON/deps/lib/libtensorflow.so"
ln -sfn libtensorflow_framework.so.2 "$ADDON/deps/lib/libtensorflow_framework.so"

# 5. Build the addon ---------------------------------------------------------------------------------
# node-pre-gyp (what tfjs-node loads the addon with) says where it expects the binary, e.g. lib/napi-v8.
binding=$(node -p 'require("@mapbox/node-pre-gyp").find(require.resolve("@tensorflow/tfjs-node/package.json"))' 2>/dev/null) \
  || fail "build: @mapbox/node-pre-gyp cannot resolve the addon's path (is @tensorflow/tfjs-node complete?)"
napi_version=$(basename "$(dirname "$binding")" | sed -n 's/^napi-v\([0-9]*\)$/\1/p')
[ -n "$napi_version" ] || fail "build: unexpected addon path $binding (expected …/napi-vN/tfjs_binding.node)"
built_against=$(cat "$ADDON/deps/built-against" 2>/dev/null || true)
# A copy of the compiled addon is kept with the unpacked wheel, so that after an `npm ci` (which
# removes tfjs-node: it is not in package.json) it is put back without compiling. The addon is
# N-API (stable across Node versions) and finds the libraries through its rpath, so the copy works.
compiled=$CACHE/tfjs_binding-tfjs-node-$TFJS_VERSION-napi-v$napi_version.node
if [ "$FORCE" = 0 ] && [ "$built_against" != "tensorflow-cpu-$TF_VERSION" ] && [ -f "$compiled" ]; then
  step "reusing the addon compiled earlier against tensorflow-cpu $TF_VERSION ($compiled)"
  mkdir -p "$(dirname "$binding")" && cp "$compiled" "$binding" \
    && echo "tensorflow-cpu-$TF_VERSION" > "$ADDON/deps/built-against" \
    || fail "build: copying $compiled into $(dirname "$binding")"
  built_against=tensorflow-cpu-$TF_VERSION
fi
if [ "$FORCE" = 1 ] || [ ! -f "$binding" ] || [ "$built_against" != "tensorflow-cpu-$TF_VERSION" ]; then
  step "compiling the tfjs-node addon with node-gyp against tensorflow-cpu $TF_VERSION (N-API $napi_version)"
  (cd "$ADDON" && "${node_gyp[@]}" rebuild --nodedir="$node_prefix" --module_name=tfjs_binding \
    --module_path="$(dirname "$binding")" --napi_build_version="$napi_version") > "$CACHE/build.log" 2>&1 \
    || { tail -n 30 "$CACHE/build.log" >&2; fail "build: node-gyp rebuild (full log: $CACHE/build.log)"; }
  echo "tensorflow-cpu-$TF_VERSION" > "$ADDON/deps/built-against"
  cp "$binding" "$compiled.tmp" && mv "$compiled.tmp" "$compiled" || rm -f "$compiled.tmp"
fi

# 6. Verify: load it through TF.js and train a step --------------------------------------------------------
step "verifying: @tensorflow/tfjs-node loads, registers 'tensorflow' and computes correctly"
TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2} node tools/native/verify-native.mjs \
  || fail "verify: the addon was built but does not work (see the error above; --force rebuilds from scratch)"
step "ready: useBestBackend() from @paramscope/notebook now picks tfjs-node"
