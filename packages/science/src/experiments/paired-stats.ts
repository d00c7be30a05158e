/**
 * Statistics for paired comparisons over seeds (derivation rows D13, D18). Runs of two arms with
 * the same seed share their initialisation and batch order, so their difference cancels most of
 * the seed-to-seed noise: the paired t interval is the right one, and Cohen's d_z (mean difference
 * over the standard deviation of the differences) is its effect size.
 */
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** ln Γ(x) for x > 0 (Lanczos, g = 7; 15 significant digits). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + aa / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = 1 + aa / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

function requireDegrees(df: number, owner: string): void {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new ScienceError(`${owner}: degrees of freedom must be positive, got ${describeValue(df)}`);
  }
}

/** Two-sided p-value of Student's t with `df` degrees of freedom: P(|T| ≥ |t|). */
export function studentTTwoSidedP(t: number, df: number): number {
  requireDegrees(df, 'studentTTwoSidedP');
  if (Number.isNaN(t)) throw new ScienceError('studentTTwoSidedP: t is NaN');
  if (!Number.isFinite(t)) return 0;
  return regularizedBeta(df / (df + t * t), df / 2, 0.5);
}

/** The quantile of Student's t: the q with P(T ≤ q) = `probability` (bisection to 1e-12). */
export function studentTQuantile(probability: number, df: number): number {
  requireDegrees(df, 'studentTQuantile');
  if (!(probability > 0 && probability < 1)) {
    throw new ScienceError(`studentTQuantile: probability must be in (0, 1), got ${describeValue(probability)}`);
  }
  if (probability === 0.5) return 0;
  const upper = probability > 0.5;
  const tail = upper ? 1 - probability : probability; // P(T ≥ q) for the positive quantile
  let lo = 0;
  let hi = 1;
  while (studentTTwoSidedP(hi, df) / 2 > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSidedP(mid, df) / 2 > tail) lo = mid;
    else hi = mid;
  }
  const q = (lo + hi) / 2;
  return upper ? q : -q;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1 in the denominator). */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) throw new ScienceError(`sampleStd: need at least 2 values, got ${values.length}`);
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

function checkPaired(owner: string, a: readonly number[], b: readonly number[], minimum: number): void {
  if (a.length !== b.length) {
    throw new ScienceError(`${owner}: the samples must pair up, got ${a.length} and ${b.length} values`);
  }
  if (a.length < minimum) throw new ScienceError(`${owner}: need at least ${minimum} pairs, got ${a.length}`);
  const bad = [...a, ...b].find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new ScienceError(`${owner}: every value must be finite, got ${describeValue(bad)}`);
}

/** A paired comparison of two samples: the statistics of the differences a − b. */
export interface PairedComparison {
  /** Number of pairs. */
  n: number;
  meanA: number;
  meanB: number;
  /** Mean of a − b. */
  meanDifference: number;
  /** Sample standard deviation of a − b. */
  sdDifference: number;
  /** Confidence interval of the mean difference (paired t, n − 1 degrees of freedom). */
  ci: [number, number];
  /** The interval's confidence level (default 0.95). */
  confidence: number;
  /** t statistic (0 when every difference is 0; ±∞ when all are equal and non-zero). */
  t: number;
  /** Two-sided p-value of the paired t test. */
  p: number;
  /** Cohen's d_z: mean difference / standard deviation of the differences. */
  effectSizeDz: number;
}

/**
 * Paired t comparison of `a` and `b` (same length, pair i from the same seed): mean difference
 * a − b with its t interval, t, the two-sided p-value and Cohen's d_z. Needs at least 2 pairs.
 */
export function pairedComparison(a: readonly number[], b: readonly number[], confidence = 0.95): PairedComparison {
  checkPaired('pairedComparison', a, b, 2);
  if (!(confidence > 0 && confidence < 1)) {
    throw new ScienceError(`pairedComparison: confidence must be in (0, 1), got ${describeValue(confidence)}`);
  }
  const n = a.length;
  const differences = a.map((v, i) => v - b[i]);
  const meanDifference = mean(differences);
  const sdDifference = sampleStd(differences);
  const standardError = sdDifference / Math.sqrt(n);
  const half = studentTQuantile(1 - (1 - confidence) / 2, n - 1) * standardError;
  let t: number;
  if (standardError > 0) t = meanDifference / standardError;
  else t = meanDifference === 0 ? 0 : Math.sign(meanDifference) * Infinity;
  const effectSizeDz = sdDifference > 0 ? meanDifference / sdDifference : t;
  return {
    n,
    meanA: mean(a),
    meanB: mean(b),
    meanDifference,
    sdDifference,
    ci: [meanDifference - half, meanDifference + half],
    confidence,
    t,
    p: studentTTwoSidedP(t, n - 1),
    effectSizeDz
  };
}

/** Pitman–Morgan test of equal variances of two paired samples. */
export interface PairedVarianceComparison {
  n: number;
  sdA: number;
  sdB: number;
  /** sdA / sdB. */
  sdRatio: number;
  /** Correlation of a + b with a − b (it is 0 exactly when the variances are equal). */
  r: number;
  t: number;
  /** Two-sided p-value (t with n − 2 degrees of freedom). */
  p: number;
}

/**
 * Pitman–Morgan test: are the seed-to-seed spreads of two paired samples equal? Cov(a + b, a − b)
 * = Var(a) − Var(b), so the test is that of a zero correlation. Needs at least 3 pairs.
 */
export function pairedVarianceComparison(a: readonly number[], b: readonly number[]): PairedVarianceComparison {
  checkPaired('pairedVarianceComparison', a, b, 3);
  const n = a.length;
  const sums = a.map((v, i) => v + b[i]);
  const differences = a.map((v, i) => v - b[i]);
  const ms = mean(sums);
  const md = mean(differences);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (sums[i] - ms) * (differences[i] - md);
    sxx += (sums[i] - ms) ** 2;
    syy += (differences[i] - md) ** 2;
  }
  // A constant sum or difference means Var(a) = Var(b) exactly (or both samples are constant).
  const r = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
  const t = Math.abs(r) < 1 ? (r * Math.sqrt(n - 2)) / Math.sqrt(1 - r * r) : Math.sign(r) * Infinity;
  const sdA = sampleStd(a);
  const sdB = sampleStd(b);
  const sdRatio = sdB > 0 ? sdA / sdB : sdA > 0 ? Infinity : 1;
  return { n, sdA, sdB, sdRatio, r, t, p: studentTTwoSidedP(t, n - 2) };
}

/** Holm's step-down adjustment of p-values for multiple comparisons (same order as given). */
export function holmAdjust(pValues: readonly number[]): number[] {
  const bad = pValues.find((p) => !(p >= 0 && p <= 1));
  if (bad !== undefined) throw new ScienceError(`holmAdjust: p-values must lie in [0, 1], got ${describeValue(bad)}`);
  const order = pValues.map((p, i) => [p, i] as const).sort((x, y) => x[0] - y[0]);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  order.forEach(([p, index], rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}
