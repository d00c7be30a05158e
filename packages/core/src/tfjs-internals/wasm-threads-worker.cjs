// One thread of TF.js's threaded WebAssembly build in Node (see wasm-threads.ts). Emscripten starts
// its threads with `new Worker(path)`, and tfjs-backend-wasm ships the thread's script only as a
// string meant for a Blob URL, which Node's Worker does not take: this file runs that string.
'use strict';
const { dirname, join } = require('node:path');

const root = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
const { wasmWorkerContents } = require(join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js'));
// The string comes from a template literal: its "\n" escapes became line breaks inside string
// literals, which tfjs-backend-wasm escapes again before use too.
new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, __filename);
