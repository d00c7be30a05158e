import { SNAPSHOT_MIME_TYPE, type Snapshot } from '@paramscope/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setDisplaySink, type MimeBundle } from '../display';
import { InspectorRegistry } from './registry';
import { startWatch } from './watch';

const written: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];
beforeEach(() => setDisplaySink({ write: (bundle, displayId, update) => written.push({ bundle, displayId, update }) }));
afterEach(() => {
  written.length = 0;
  setDisplaySink(undefined);
});

/** A one-element "weight" whose norm the fake optimizer shrinks by 10% per step. */
function weight(name: string, value: number) {
  const state = { value };
  return {
    state,
    param: {
      name,
      shape: [1],
      moduleKind: 'BatchNorm2d',
      variable: { shape: [1], norm: () => ({ dataSync: () => [Math.abs(state.value)], dispose: () => undefined }) }
    }
  };
}

function optimizer() {
  const gamma = weight('bn.weight', 1);
  const w = weight('fc.weight', 2);
  return {
    gamma,
    w,
    paramGroups: [
      { params: [gamma.param], weightDecay: 0.1, label: 'decay' },
      { params: [w.param], weightDecay: 0 }
    ],
    step(): boolean {
      gamma.state.value *= 0.9;
      return true;
    }
  };
}

const snapshotOf = (k: number) => written[k].bundle[SNAPSHOT_MIME_TYPE] as Snapshot;

describe('watch', () => {
  it('records group and parameter norms over steps and updates one display in place', () => {
    const registry = new InspectorRegistry();
    const opt = optimizer();
    const handle = startWatch(registry, opt, { every: 2, params: ['bn.weight'], minIntervalMs: 0, verify: false });
    for (let k = 0; k < 4; k++) opt.step();
    expect(written.map((w) => w.update)).toEqual([false, true, true]);
    expect(new Set(written.map((w) => w.displayId)).size).toBe(1);
    const entry = snapshotOf(2).entries[0];
    expect(entry).toMatchObject({ watched: true, step: 4 });
    expect(entry.history?.steps).toEqual([0, 2, 4]);
    const series = Object.fromEntries(entry.history!.series.map((s) => [s.name, s.values]));
    expect(series['group 1']).toEqual([2, 2, 2]);
    expect(series['bn.weight']).toEqual([1, 0.81, expect.closeTo(0.6561, 10)]);
    expect(series['group 0 (decay)']).toEqual(series['bn.weight']);

    handle.stop();
    opt.step();
    expect(registry.entries).toHaveLength(0);
    expect(written).toHaveLength(3);
  });

  it('shows the last step after the cell when updates were throttled', () => {
    const registry = new InspectorRegistry();
    const opt = optimizer();
    startWatch(registry, opt, { minIntervalMs: 60_000, verify: false });
    opt.step();
    opt.step();
    expect(written).toHaveLength(1);
    registry.afterCell();
    expect(snapshotOf(1).entries[0].step).toBe(2);
    expect(snapshotOf(1).entries[0].history?.steps).toEqual([0, 1, 2]);
    // Nothing else changed: no extra panel publication.
    expect(written).toHaveLength(2);
  });

  it('stops following an optimizer whose entry another optimizer took over (same label)', () => {
    const registry = new InspectorRegistry();
    const first = optimizer();
    startWatch(registry, first, { label: 'run', minIntervalMs: 0, verify: false });
    const second = optimizer();
    registry.register(second, { label: 'run', verify: false });
    first.step();
    registry.afterCell();
    const entry = registry.entries[0];
    expect(entry.target).toBe(second);
    expect(entry).toMatchObject({ steps: undefined, history: undefined, watched: undefined });
    expect(snapshotOf(written.length - 1).entries[0].history).toBeUndefined();
  });

  it('thins the history past maxPoints and refuses an optimizer without step()', () => {
    const registry = new InspectorRegistry();
    const opt = optimizer();
    startWatch(registry, opt, { maxPoints: 8, minIntervalMs: 60_000, verify: false });
    for (let k = 0; k < 40; k++) opt.step();
    const history = registry.entries[0].history!;
    expect(history.steps.length).toBeLessThanOrEqual(9);
    expect(history.steps[0]).toBe(0);
    expect(history.series[0].values).toHaveLength(history.steps.length);
    expect(() => startWatch(registry, { paramGroups: [] } as never, {})).toThrow(/no step\(\) method/);
  });
});
