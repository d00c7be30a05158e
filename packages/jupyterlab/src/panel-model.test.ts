import { describe, expect, it } from 'vitest';
import { resnet50Params, twoGroupSnapshot } from '../test-utils/snapshots';
import { InspectorModel } from './panel-model';

function connected(): InspectorModel {
  const model = new InspectorModel();
  model.setNotebook('a.ipynb');
  model.setKernelState('idle');
  return model;
}

describe('InspectorModel', () => {
  it('says what is missing before any snapshot', () => {
    const model = new InspectorModel();
    expect(model.headline().text).toMatch(/^No notebook/);
    model.setNotebook('a.ipynb');
    expect(model.headline().text).toMatch(/no kernel/);
    model.setKernelState('idle');
    expect(model.headline().text).toMatch(/^Waiting for a snapshot/);
    model.noteKernelRan();
    expect(model.headline().text).toMatch(/paramscope may not be loaded/);
    model.markNotLoaded();
    expect(model.headline()).toMatchObject({
      level: 'warning',
      text: expect.stringMatching(/not loaded in this kernel/)
    });
  });

  it('shows a valid snapshot, keeps the newest per session and ignores older ones', () => {
    const model = connected();
    const params = resnet50Params();
    expect(model.receive(twoGroupSnapshot(params, { sequence: 2 }), 'kernel', 0)).toBe('shown');
    expect(model.receive(twoGroupSnapshot(params, { sequence: 1 }), 'kernel', 0)).toBe('older');
    expect(model.snapshot?.sequence).toBe(2);
    expect(model.loadState).toBe('loaded');
    expect(model.headline().text).toMatch(/^Snapshot #2 \(wasm\)/);
  });

  it('keeps the last good snapshot when an unreadable one arrives, with the reason', () => {
    const model = connected();
    model.receive(twoGroupSnapshot(resnet50Params()), 'kernel', 0);
    const broken = { ...twoGroupSnapshot([]), entries: [{ id: 3 }] };
    expect(model.receive(broken, 'kernel', 0)).toBe('invalid');
    expect(model.snapshot?.entries[0].label).toBe('SGD on resnet50');
    expect(model.error?.issues.map((i) => i.path)).toContain('$.entries[0].id');
    expect(model.receive('{"schemaVersion": 1', 'kernel', 0)).toBe('invalid');
    expect(model.error?.issues[0].message).toMatch(/not valid JSON/);
  });

  it('marks data stale on restart and clears it with the new kernel’s first snapshot', () => {
    const model = connected();
    model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 9 }), 'kernel', 0);
    model.markStale('the kernel restarted');
    expect(model.headline()).toMatchObject({
      level: 'warning',
      text: expect.stringMatching(/^Stale: the kernel restarted/)
    });
    expect(model.loadState).toBe('unknown');
    model.markNotLoaded();
    expect(model.headline().text).toMatch(/^Stale: the kernel restarted\. paramscope is not loaded in this kernel/);
    // A new session starts counting again at 1: not "older".
    expect(
      model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 1, sessionId: 'session-b' }), 'kernel', 0)
    ).toBe('shown');
    expect(model.staleReason).toBeUndefined();
  });

  it('ignores late snapshots of a kernel process that ended, not those of a kernel that was only left', () => {
    const model = connected();
    model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 3 }), 'kernel', 0);
    model.markStale('the notebook switched to another kernel');
    // The other kernel may still run (and be chosen again): its snapshots still count.
    expect(model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 4 }), 'kernel', 0)).toBe('shown');
    model.markStale('the kernel restarted', { processEnded: true });
    expect(model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 5 }), 'kernel', 0)).toBe('older');
    expect(model.staleReason).toBe('the kernel restarted');
    expect(
      model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 1, sessionId: 'session-b' }), 'kernel', 0)
    ).toBe('shown');
    expect(model.staleReason).toBeUndefined();
    // Another notebook forgets the ended sessions.
    model.setNotebook('b.ipynb');
    expect(model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 5 }), 'kernel', 0)).toBe('shown');
  });

  it('after a restart says what to re-run, in the kernel’s language, also over an empty snapshot', () => {
    const model = connected();
    model.receive(twoGroupSnapshot(resnet50Params()), 'kernel', 0);
    model.markStale('the kernel restarted', { processEnded: true });
    expect(model.headline().text).toBe('Stale: the kernel restarted. Re-run the cells that call inspect() or watch().');
    model.setKernelLanguage('python');
    expect(model.headline().text).toBe('Stale: the kernel restarted. Re-run the cells that call paramscope.inspect().');
    // Only the imports ran on the new kernel: its first snapshot has no entries.
    const empty = { ...twoGroupSnapshot([], { sessionId: 'session-b' }), entries: [] };
    model.receive(empty, 'kernel', 0);
    expect(model.headline().text).toMatch(
      /^Snapshot #1 \(wasm\) at .*: nothing inspected yet\. Run the cells that call paramscope\.inspect\(\)\.$/
    );
  });

  it('holds kernel snapshots while auto-refresh is off', () => {
    const model = connected();
    model.updateSettings({ autoRefresh: false });
    model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 1 }), 'kernel', 0);
    expect(model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 2 }), 'kernel', 0)).toBe('pending');
    expect(model.snapshot?.sequence).toBe(1);
    expect(model.applyPending(5)).toBe(true);
    expect(model.snapshot?.sequence).toBe(2);
    expect(model.applyPending(6)).toBe(false);
  });

  it('labels snapshots read from saved outputs', () => {
    const model = new InspectorModel();
    model.setNotebook('a.ipynb');
    model.receive(twoGroupSnapshot(resnet50Params()), 'saved-output', 0);
    expect(model.headline().text).toMatch(/saved in the notebook/);
    model.setKernelState('idle');
    expect(model.headline().text).toMatch(/saved in the notebook's outputs/);
  });

  it('reveals a member by expanding the groups that hold it', () => {
    const model = connected();
    model.receive(twoGroupSnapshot(resnet50Params(), { mistake: 'layer1.0.downsample.1.weight' }), 'kernel', 0);
    model.toggleGroup('entry-1\u00000');
    model.reveal('entry-1', 'layer1.0.downsample.1.weight');
    expect(model.collapsed.size).toBe(0);
    expect(model.revealed).toEqual({ entryId: 'entry-1', name: 'layer1.0.downsample.1.weight' });
  });
});
