/**
 * The code each worker thread runs, as a string for `new Worker(code, { eval: true })`, so the
 * pool works from compiled `lib/`, from sources under a TS loader and inside tslab alike. Kernels
 * arrive as source text (see `UpdateRule.kernel`) and are compiled once per worker, as do the
 * SIMD drivers; the SIMD module arrives as bytes and is instantiated in the worker.
 */
export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const functions = new Map();
const arrays = new Map();
let simd = null;
parentPort.on('message', (job) => {
  const { control, results } = job;
  try {
    for (const [id, source] of job.functions) functions.set(id, new Function('return (' + source + ')')());
    if (job.simd) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(job.simd.bytes), {});
      simd = { exports: instance.exports, heap: new Float32Array(instance.exports.memory.buffer), chunk: job.simd.chunk };
    }
    for (const [id, array] of job.register) arrays.set(id, array);
    for (const id of job.unregister) arrays.delete(id);
    job.pieces.forEach((piece, i) => {
      const out = results.subarray(i * 3, i * 3 + 3);
      out.fill(0);
      const param = arrays.get(piece.param);
      const grad = arrays.get(piece.grad);
      if (piece.kind === 'measure') {
        const done = simd ? functions.get('simdMeasure')(simd, param, grad, piece.start, piece.end, piece.weightDecay, piece.withNorms, out) : piece.start;
        functions.get('measure')(param, grad, done, piece.end, piece.weightDecay, piece.withNorms, out);
      } else {
        const slots = piece.slots.map((id) => arrays.get(id));
        const done = simd && piece.call ? functions.get('simdUpdate')(simd, piece.call, param, grad, slots, piece.start, piece.end, out) : piece.start;
        functions.get(piece.rule)(param, grad, slots, done, piece.end, piece.scalars, out);
      }
    });
    Atomics.store(control, 1, 0);
  } catch (error) {
    Atomics.store(control, 1, 1);
    parentPort.postMessage(String(error && error.stack || error));
  }
  Atomics.store(control, 0, job.sequence);
  Atomics.notify(control, 0);
});
`;
