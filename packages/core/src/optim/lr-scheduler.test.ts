import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChainedScheduler, CosineAnnealingLR, LinearLR, SequentialLR, StepLR, type LRScheduler } from './lr-scheduler';
import { SGD } from './sgd';

interface SchedulerFixture {
  options: Record<string, unknown>;
  lrs: number[][];
}
const fixtures = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'optim', 'lr-schedulers.json'), 'utf8')
) as Record<string, SchedulerFixture>;

let variables: tf.Variable[] = [];
function makeOptimizer(): SGD {
  variables = [tf.variable(tf.zeros([1])), tf.variable(tf.zeros([1]))];
  return new SGD([{ params: [variables[0]] }, { params: [variables[1]], lr: 0.02 }], { lr: 0.1, momentum: 0.9 });
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const build: Record<string, (opt: SGD, o: any) => LRScheduler> = {
  StepLR: (opt, o) => new StepLR(opt, o),
  CosineAnnealingLR: (opt, o) => new CosineAnnealingLR(opt, o),
  LinearLR: (opt, o) => new LinearLR(opt, o),
  SequentialLR: (opt, o) =>
    new SequentialLR(opt, {
      schedulers: [new LinearLR(opt, o.warmup), new CosineAnnealingLR(opt, o.cosine)],
      milestones: o.milestones
    }),
  ChainedScheduler: (opt, o) => new ChainedScheduler(opt, [new LinearLR(opt, o.warmup), new StepLR(opt, o.step)])
};
/* eslint-enable @typescript-eslint/no-explicit-any */

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => tf.dispose(variables));

describe('LR schedulers match torch.optim.lr_scheduler', () => {
  for (const [name, fixture] of Object.entries(fixtures)) {
    it(`${name}: lr of both groups over 20 epochs`, () => {
      const opt = makeOptimizer();
      const scheduler = build[name](opt, fixture.options);
      fixture.lrs.forEach((expected, epoch) => {
        const actual = opt.paramGroups.map((g) => g.lr);
        actual.forEach((lr, i) => expect(lr, `epoch ${epoch} group ${i}`).toBeCloseTo(expected[i], 14));
        scheduler.step();
      });
      expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.02]);
    });
  }

  it('round-trips its state and resumes on the same schedule', () => {
    const opt = makeOptimizer();
    const cosine = new CosineAnnealingLR(opt, { tMax: 10 });
    for (let i = 0; i < 4; i++) cosine.step();
    const saved = JSON.parse(JSON.stringify({ optimizer: opt.stateDict(), scheduler: cosine.stateDict() }));
    const next = [];
    for (let i = 0; i < 3; i++) {
      cosine.step();
      next.push(opt.paramGroups[0].lr);
    }
    const resumedOpt = makeOptimizer();
    resumedOpt.loadStateDict(saved.optimizer);
    const resumed = new CosineAnnealingLR(resumedOpt, { tMax: 10 });
    resumed.loadStateDict(saved.scheduler);
    resumedOpt.loadStateDict(saved.optimizer);
    const again = [];
    for (let i = 0; i < 3; i++) {
      resumed.step();
      again.push(resumedOpt.paramGroups[0].lr);
    }
    expect(again).toEqual(next);
  });

  it('rejects bad options naming the field', () => {
    const opt = makeOptimizer();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/stepSize must be a positive integer/);
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow(/startFactor must be in \(0, 1\]/);
    expect(() => new CosineAnnealingLR(opt, { tMax: 2.5 })).toThrow(/tMax/);
    const other = makeOptimizer();
    expect(
      () =>
        new SequentialLR(opt, { schedulers: [new LinearLR(opt), new StepLR(other, { stepSize: 2 })], milestones: [3] })
    ).toThrow(/scheduler 1 \(StepLR\) belongs to another optimizer/);
    expect(() => new SequentialLR(opt, { schedulers: [new LinearLR(opt)], milestones: [3] })).toThrow(
      /expects 0 milestones/
    );
  });
});
