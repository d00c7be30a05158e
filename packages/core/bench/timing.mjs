// Timing shared by the benchmarks: ms per call after a warm-up, as the median and the minimum
// (the minimum is the figure least disturbed by other processes).
import { performance } from 'node:perf_hooks';

export function timeCalls(fn, warmup, count, afterWarmup) {
  for (let i = 0; i < warmup; i++) fn();
  afterWarmup?.();
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0] };
}
