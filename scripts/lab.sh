#!/usr/bin/env bash
# Starts JupyterLab on notebooks/, bound to 127.0.0.1 (PORT, default 8888), with the tslab
# kernel and the paramscope extension from .venv. Prints the URL with its token.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
extra=()
# JupyterLab refuses to run as root without saying so explicitly (containers, CI machines).
[ "$(id -u)" -eq 0 ] && extra+=(--allow-root)
# No display (a server, a container, CI): do not try to open a browser.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" != Darwin ]; then
  extra+=(--no-browser)
fi
exec jupyter lab --ip=127.0.0.1 --port="${PORT:-8888}" --ServerApp.root_dir="$PWD/notebooks" \
  "${extra[@]}" "$@"
