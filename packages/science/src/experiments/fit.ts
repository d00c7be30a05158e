/**
 * Least-squares line through points, for reading growth laws off traces (‖W‖⁴ ∝ t, η/‖W‖² ∝ t^(−1/2)
 * on log-log axes).
 */
import { ScienceError } from '../errors';

/** Slope, intercept and coefficient of determination R² of the least-squares line y ≈ slope·x + intercept. */
export interface LinearFit {
  slope: number;
  intercept: number;
  r2: number;
}

/** Fits y ≈ slope·x + intercept; needs at least two points with distinct x, all finite. */
export function linearFit(x: readonly number[], y: readonly number[]): LinearFit {
  if (x.length !== y.length) throw new ScienceError(`linearFit: x has ${x.length} values, y has ${y.length}`);
  if (x.length < 2) throw new ScienceError(`linearFit: need at least 2 points, got ${x.length}`);
  const bad = x.findIndex((v, i) => !Number.isFinite(v) || !Number.isFinite(y[i]));
  if (bad >= 0) throw new ScienceError(`linearFit: point ${bad} is not finite (x ${x[bad]}, y ${y[bad]})`);
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0) throw new ScienceError('linearFit: all x values are equal');
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
}
