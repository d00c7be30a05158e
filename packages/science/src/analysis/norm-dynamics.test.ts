import { describe, expect, it } from 'vitest';
import {
  adamwEquilibrium,
  effectiveLearningRate,
  nextSquaredNormSgd,
  relaxationSteps,
  sgdEquilibrium,
  squaredNormWithoutDecay
} from './norm-dynamics';

describe('norm recursion', () => {
  it('applies (1−ηλ)²x + η²g²', () => {
    expect(nextSquaredNormSgd(4, 9, 0.1, 0.5)).toBeCloseTo(0.95 ** 2 * 4 + 0.01 * 9, 14);
  });

  it('approaches √(x₀² + 2η²Gt) when iterated without decay', () => {
    const [lr, G] = [0.1, 2];
    let x = 1;
    for (let t = 0; t < 5000; t++) x = nextSquaredNormSgd(x, G / x, lr, 0);
    expect(x / squaredNormWithoutDecay(1, lr, G, 5000)).toBeCloseTo(1, 2);
  });

  it('has the SGD equilibrium as its fixed point, reached with relaxation time 1/(4ηλ)', () => {
    const [lr, wd, G] = [0.1, 1e-3, 3];
    const { norm, angularStep, relaxationSteps: tau } = sgdEquilibrium(lr, wd, G);
    const xStar = norm * norm;
    expect(nextSquaredNormSgd(xStar, G / xStar, lr, wd)).toBeCloseTo(xStar, 10);
    expect(angularStep).toBeCloseTo(Math.sqrt(2 * lr * wd), 4);
    const series: number[] = [];
    let x = 0.2 * xStar;
    for (let t = 0; t < 20000; t++) {
      series.push(x);
      x = nextSquaredNormSgd(x, G / x, lr, wd);
    }
    // the linear part of the approach, near x*, agrees; the whole approach from 0.2·x* does not
    expect(relaxationSteps(series, xStar, { floor: 1e-9, ceiling: 0.05 }) / tau!).toBeCloseTo(1, 2);
    expect(Math.abs(relaxationSteps(series, xStar, { floor: 1e-9 }) / tau! - 1)).toBeGreaterThan(0.01);
  });

  it('gives the momentum and AdamW equilibria of the literature', () => {
    expect(sgdEquilibrium(0.1, 0.01, 1, 0.9).angularStep).toBeCloseTo(Math.sqrt(0.002 / 1.9), 12);
    expect(sgdEquilibrium(0.1, 0.01, 1, 0.9).norm).toBeCloseTo((0.1 / (0.01 * 0.1 * (2 - 0.001 / 1.9))) ** 0.25, 12);
    const adamw = adamwEquilibrium(1e-2, 0.1, 0.9, 2048);
    expect(adamw.angularStep).toBeCloseTo(Math.sqrt((2e-3 * 0.1) / 1.9), 12);
    expect(adamw.norm).toBeCloseTo(Math.sqrt((1e-2 * 2048) / 0.2), 12);
  });

  it('names bad arguments', () => {
    expect(() => nextSquaredNormSgd(1, 1, 10, 0.2)).toThrow(/lr·weightDecay must be below 1/);
    expect(() => sgdEquilibrium(0.1, 0, 1)).toThrow(/weightDecay must be a positive/);
    expect(() => sgdEquilibrium(0.1, 0.1, 1, 1)).toThrow(/momentum must be in \[0, 1\)/);
    expect(() => adamwEquilibrium(0.1, 0.1, 0.9, 0)).toThrow(/elements must be a positive integer/);
    expect(() => effectiveLearningRate(0.1, 0)).toThrow(/squaredNorm must be a positive/);
    expect(() => relaxationSteps([1, 1, 1], 1)).toThrow(/need 3/);
    expect(() => relaxationSteps([2, 3, 4, 5], 1, { floor: 0 })).toThrow(/does not decay/);
    expect(() => relaxationSteps([2, 3, 4, 5], 1, { floor: 0.5, ceiling: 0.1 })).toThrow(/need 0 ≤ floor < ceiling/);
  });
});
