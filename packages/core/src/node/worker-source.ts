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
let arena = null;
// In-place kernels on the optimizer arena's shared memory: byte addresses instead of copies.
function arenaRun(fn, piece, count, args, out) {
  const a = piece.addresses;
  const at = (address) => (address ? address + piece.start * 4 : 0);
  arena.exports[fn](count, at(a.param), at(a.grad), at(a.slots[0]), at(a.slots[1]), at(a.slots[2]), arena.sumsAddress, ...args);
  const s = arena.sums;
  out[0] += s[0] + s[1] + s[2] + s[3];
  out[1] += s[4] + s[5] + s[6] + s[7];
  out[2] += s[8] + s[9] + s[10] + s[11];
}
parentPort.on('message', (job) => {
  const { control, results } = job;
  try {
    for (const [id, source] of job.functions) functions.set(id, new Function('return (' + source + ')')());
    if (job.simd) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(job.simd.bytes), {});
      simd = { exports: instance.exports, heap: new Float32Array(instance.exports.memory.buffer), chunk: job.simd.chunk, block: job.simd.block };
    }
    if (job.arena) {
      const instance = new WebAssembly.Instance(new WebAssembly.Module(job.arena.bytes), { env: { memory: job.arena.memory } });
      arena = { exports: instance.exports, sumsAddress: job.arena.sums, sums: new Float32Array(job.arena.memory.buffer, job.arena.sums, 16) };
    }
    for (const [id, array] of job.register) arrays.set(id, array);
    for (const id of job.unregister) arrays.delete(id);
    job.pieces.forEach((piece, i) => {
      const out = results.subarray(i * 3, i * 3 + 3);
      out.fill(0);
      const param = arrays.get(piece.param);
      const grad = arrays.get(piece.grad);
      const count = (piece.end - piece.start) - ((piece.end - piece.start) % (simd ? simd.block : 1)); // the arena arrives with the SIMD module
      const inPlace = arena && piece.addresses && count > 0;
      if (piece.kind === 'measure') {
        if (inPlace) arenaRun(piece.withNorms ? 'norms' : 'sumsq', piece, count, piece.withNorms ? [piece.weightDecay] : [], out);
        const done = inPlace ? piece.start + count : simd ? functions.get('simdMeasure')(simd, param, grad, piece.start, piece.end, piece.weightDecay, piece.withNorms, out) : piece.start;
        functions.get(piece.withNorms ? 'norms' : 'sumsq')(param, grad, [], done, piece.end, { weightDecay: piece.weightDecay }, out);
      } else {
        const slots = piece.slots.map((id) => arrays.get(id));
        if (inPlace && piece.call) arenaRun(piece.call.fn, piece, count, piece.call.args, out);
        const done = inPlace && piece.call ? piece.start + count : simd && piece.call ? functions.get('simdUpdate')(simd, piece.call, param, grad, slots, piece.start, piece.end, out) : piece.start;
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
