/**
 * The code each worker thread runs, as a string for `new Worker(code, { eval: true })`, so the
 * pool works from compiled `lib/`, from sources under a TS loader and inside tslab alike. Kernels
 * arrive as source text (see `UpdateRule.kernel`) and are compiled once per worker.
 */
export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const functions = new Map();
const arrays = new Map();
parentPort.on('message', (job) => {
  const { control, results } = job;
  try {
    for (const [id, source] of job.functions) functions.set(id, new Function('return (' + source + ')')());
    for (const [id, array] of job.register) arrays.set(id, array);
    for (const id of job.unregister) arrays.delete(id);
    job.pieces.forEach((piece, i) => {
      const out = results.subarray(i * 3, i * 3 + 3);
      out.fill(0);
      const param = arrays.get(piece.param);
      const grad = arrays.get(piece.grad);
      if (piece.kind === 'measure') {
        functions.get('measure')(param, grad, piece.start, piece.end, piece.weightDecay, piece.withNorms, out);
      } else {
        const slots = piece.slots.map((id) => arrays.get(id));
        functions.get(piece.rule)(param, grad, slots, piece.start, piece.end, piece.scalars, out);
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
