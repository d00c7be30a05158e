# The two commands of the README: `make lab` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
PORT ?= 8888

.PHONY: lab test setup typecheck lint unit integration ui bench native bench-training test-backends clean

## Start JupyterLab on notebooks/ (set-up and build first, only what is missing).
lab: setup
	@scripts/lab.sh

## Run every test: type checks, lint, unit tests, notebooks through tslab, UI tests in Chromium.
test: setup
	@scripts/test.sh

## Install what is missing and build (idempotent).
setup:
	@scripts/setup.sh

typecheck lint unit integration ui: setup
	@scripts/test.sh $@

## Benchmarks (print figures; never part of `make test`).
bench: setup
	@npm run --silent bench

## TF.js's native backend (@tensorflow/tfjs-node) built offline from the tensorflow-cpu wheel. `setup`
## builds it already (unless PARAMSCOPE_NATIVE=0); this target retries after a failure and shows the log.
native: setup
	@tools/native/setup-native.sh

## The core suite and every notebook on each installed TF.js backend (tfjs-node, wasm, cpu).
test-backends: setup
	@scripts/test-backends.sh

## Training speed of the TF.js backends against PyTorch CPU (prints figures; never part of `make test`).
bench-training: setup
	@node bench/training/run.mjs --threads 1

## Remove build outputs and environments (node_modules, .venv).
clean:
	rm -rf node_modules packages/*/node_modules packages/*/lib packages/*/tsconfig.tsbuildinfo \
	  packages/jupyterlab/paramscope_jupyterlab/labextension .venv .setup-stamps artifacts
