import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  compareArms,
  pairedComparison,
  summarizeArms,
  type DecayRunResult,
  type OptimizerComparison
} from '@paramscope/science';
import { setDisplaySink, type MimeBundle } from '../display';
import {
  classifyDifference,
  formatDifference,
  pairedTableRows,
  PAIRED_TABLE_COLUMNS,
  summarizeClasses,
  thresholdsText
} from './conclusions';
import { optimizerSpreadFigure, pairedDifferenceFigure, roleTraceFigure, staleVsRecalibratedFigure } from './figures';
import { findUpwards, loadAblationResults, loadDigits, writeJsonFile } from './files';

const written: MimeBundle[] = [];
setDisplaySink({ write: (bundle) => written.push(bundle) });
afterEach(() => {
  written.length = 0;
});

const tiny = {
  shape: [2, 2],
  classes: 2,
  train: { images: [0, 1, 1, 0], labels: [1] },
  test: { images: [1, 1, 0, 0], labels: [0] }
};

function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'paramscope-ablation-'));
  mkdirSync(join(root, 'data'));
  mkdirSync(join(root, 'notebooks', 'deep'), { recursive: true });
  return root;
}

function run(
  arm: DecayRunResult['config']['arm'],
  optimizer: 'sgd' | 'adamw',
  weightDecay: number,
  seed: number,
  testAccuracy: number
): DecayRunResult {
  return {
    config: {
      arm,
      weightDecay,
      optimizer: { kind: optimizer, lr: 0.1 },
      schedule: 'constant',
      seed,
      epochs: 1,
      batchSize: 1,
      channels: [2],
      recordEvery: 1
    },
    testAccuracy: { stale: testAccuracy - 0.2, recalibrated: testAccuracy },
    trainAccuracy: { stale: 0.8, recalibrated: 1 },
    steps: [0, 1, 2],
    loss: [1, 0.5, 0.25],
    roles: {
      'bn-fed-weight': { weightNorm: [1, 1.5, 2], effectiveLr: [0.1, 0.04, 0.025], angularStep: [0.1, 0.1, 0.1] }
    },
    seconds: 1
  };
}

describe('loadDigits', () => {
  it('finds data/digits.json from a folder below the repository root and checks it', () => {
    const root = repo();
    writeFileSync(join(root, 'data', 'digits.json'), JSON.stringify(tiny));
    const data = loadDigits({ from: join(root, 'notebooks', 'deep') });
    expect(data.path).toBe(join(root, 'data', 'digits.json'));
    expect([data.height, data.width, data.classes, data.train.labels.length]).toEqual([2, 2, 2, 1]);
    expect(findUpwards('data/digits.json', join(root, 'notebooks'))).toBe(data.path);
  });

  it('says how to create a missing file, and names a malformed one', () => {
    const root = repo();
    expect(() => loadDigits({ from: join(root, 'notebooks') })).toThrow(
      /data\/digits\.json not found .*Run "make lab" or "scripts\/setup\.sh"/
    );
    writeFileSync(join(root, 'data', 'digits.json'), '{"shape":');
    expect(() => loadDigits({ from: root })).toThrow(/digits\.json is not valid JSON/);
    writeFileSync(join(root, 'data', 'digits.json'), JSON.stringify({ ...tiny, classes: 1 }));
    expect(() => loadDigits({ from: root })).toThrow(/digits\.json: classes must be an integer ≥ 2, got 1/);
  });
});

describe('ablation results files', () => {
  it('loadAblationResults returns undefined before the full grid ran, the results after', () => {
    const root = repo();
    expect(loadAblationResults({ from: root })).toBeUndefined();
    const path = join(root, 'results', 'ablation', 'full-grid.json');
    const results = { grid: { seeds: [1] }, runs: [run('no-decay', 'sgd', 0, 1, 0.9)], backend: 'wasm', seconds: 3 };
    writeJsonFile(path, results);
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(results);
    expect(loadAblationResults({ from: join(root, 'notebooks') })).toMatchObject({ backend: 'wasm', path });
    writeJsonFile(path, { runs: 3 });
    expect(() => loadAblationResults({ from: root })).toThrow(/has no runs or grid/);
  });
});

describe('ablation figures', () => {
  const runs = [
    run('decay-all', 'sgd', 0.01, 1, 0.9),
    run('decay-all', 'sgd', 0.01, 2, 0.94),
    run('no-decay', 'sgd', 0, 1, 0.8),
    run('no-decay', 'sgd', 0, 2, 0.82),
    run('no-decay', 'adamw', 0, 1, 0.7)
  ];
  const cell = { optimizer: 'sgd' as const, schedule: 'constant' as const, weightDecay: 0.01 };

  it('staleVsRecalibratedFigure: a stale and a recalibrated box per arm, every seed a point, in %', () => {
    const figure = staleVsRecalibratedFigure(runs, cell);
    expect(figure.data.map((t) => t.name)).toEqual(['stale BN statistics', 'recalibrated BN statistics']);
    expect(figure.data[1].y).toEqual([90, 94, 80, 82]);
    expect(figure.data[0].x).toEqual(['decay everything', 'decay everything', 'no decay at all', 'no decay at all']);
    expect((figure.layout as { title: { text: string } }).title.text).toContain('SGD-momentum, λ = 0.01, constant η');
    expect(() => staleVsRecalibratedFigure(runs, { ...cell, schedule: 'cosine' })).toThrow(
      /no runs for SGD-momentum, λ = 0.01, cosine η/
    );
  });

  it('pairedDifferenceFigure: mean differences with asymmetric interval bars, titled with n and the level', () => {
    const comparisons = compareArms(runs, { metric: 'testRecalibrated' });
    const figure = pairedDifferenceFigure([comparisons], 'sgd');
    expect(figure.data[0].x).toEqual([100 * comparisons[0].comparison.meanDifference]);
    expect((figure.layout as { title: { text: string } }).title.text).toContain('95% t intervals, n = 2 seeds');
    expect(() => pairedDifferenceFigure([comparisons], 'adamw')).toThrow('no comparisons for adamw');
  });

  it('roleTraceFigure draws a role’s trace per arm (no decay from λ = 0); a missing combination is an error', () => {
    const figure = roleTraceFigure(runs, {
      ...cell,
      seed: 1,
      role: 'bn-fed-weight',
      metric: 'effectiveLr',
      logLog: true
    });
    expect(figure.data).toHaveLength(2);
    expect(figure.data[1]).toMatchObject({ name: 'no decay at all', x: [0, 1, 2], y: [0.1, 0.04, 0.025] });
    expect((figure.layout as { yaxis: { type: string } }).yaxis.type).toBe('log');
    expect(() =>
      roleTraceFigure(runs, { ...cell, weightDecay: 0.5, seed: 3, role: 'bn-fed-weight', metric: 'weightNorm' })
    ).toThrow(/no traced runs for SGD-momentum, λ = 0.5, constant η, seed 3/);
  });
});

describe('conclusions from the statistics', () => {
  const comparison = (a: number[], b: number[]) => pairedComparison(a, b);

  it('classifyDifference: by the interval, against 0 and the stated margin', () => {
    expect(classifyDifference(comparison([0.95, 0.96, 0.97], [0.9, 0.92, 0.91]), 0.01)).toBe('higher');
    expect(classifyDifference(comparison([0.9, 0.92, 0.91], [0.95, 0.96, 0.97]), 0.01)).toBe('lower');
    expect(classifyDifference(comparison([0.9, 0.91, 0.92], [0.901, 0.909, 0.92]), 0.01)).toBe('equivalent');
    expect(classifyDifference(comparison([0.9, 0.95, 0.8], [0.92, 0.85, 0.9]), 0.01)).toBe('inconclusive');
    expect(() => classifyDifference(comparison([1, 2], [1, 2]), 0)).toThrow('margin must be > 0, got 0');
    expect(thresholdsText(0.95, 0.01)).toContain('95% t interval excludes 0');
    expect(formatDifference(comparison([0.95, 0.96, 0.97], [0.9, 0.92, 0.91]))).toMatch(
      /^\+5\.0 pp \[\+\d\.\d, \+\d\.\d\], d_z \d+\.\d$/
    );
  });

  it('pairedTableRows and summarizeClasses: one row per cell × arm, sentences per arm from the classes', () => {
    const runs = [
      run('decay-all', 'sgd', 0.01, 1, 0.9),
      run('decay-all', 'sgd', 0.01, 2, 0.94),
      run('no-decay', 'sgd', 0, 1, 0.95),
      run('no-decay', 'sgd', 0, 2, 0.99)
    ];
    const recal = compareArms(runs, { metric: 'testRecalibrated' });
    const stale = compareArms(runs, { metric: 'testStale' });
    const rows = pairedTableRows(summarizeArms(runs), recal, stale, 0.01);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveLength(PAIRED_TABLE_COLUMNS.length);
    expect(rows[0].slice(1, 5)).toEqual(['decay everything', '92.0 ± 2.8', '72.0 ± 2.8', 'baseline']);
    expect(rows[1][1]).toBe('no decay at all (λ = 0)');
    expect(rows[1][6]).toBe('higher');
    const [sentence] = summarizeClasses(recal, 0.01);
    // One pattern, written as two regex literals joined (the line would be too long).
    const expected = new RegExp(
      /^no decay at all vs decay everything: higher in 1 of 1 cells /.source +
        /\(SGD-momentum, λ = 0\.01, constant η: \+5\.0 pp \[\+5\.0, \+5\.0\]/.source
    );
    expect(sentence).toMatch(expected);
  });

  it('optimizerSpreadFigure: the seed spread of each optimizer per arm, λ pair and schedule', () => {
    const row = {
      a: 'adamw',
      b: 'adam-l2',
      schedule: 'constant',
      weightDecayA: 0.8,
      weightDecayB: 0.01,
      arm: 'decay-all',
      metric: 'testRecalibrated',
      comparison: pairedComparison([0.9, 0.91, 0.92], [0.8, 0.9, 0.85]),
      spread: { n: 3, sdA: 0.01, sdB: 0.05, sdRatio: 0.2, r: -0.9, t: -2, p: 0.3 }
    } as OptimizerComparison;
    const figure = optimizerSpreadFigure([row]);
    expect(figure.data.map((t) => t.y)).toEqual([[1], [5]]);
    expect(figure.data[0].x).toEqual(['decay everything · λ 0.8 / 0.01 · constant']);
    expect(() => optimizerSpreadFigure([])).toThrow('no comparisons');
  });
});
