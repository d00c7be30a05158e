import { afterEach, describe, expect, it, vi } from 'vitest';
import { displayBundle, updateDisplay } from './display';
import { tslabJupyter } from './tslab-internals';

// The module tslab sets its display writer on while a cell runs, as tslab's handler would.
const jupyter = tslabJupyter() as unknown as { lastWriteDisplayData: unknown };

function busy(): Error {
  return Object.assign(new Error('Socket is busy writing; only one send operation may be in progress at any time'), {
    code: 'EBUSY'
  });
}

describe('tslab display sink', () => {
  afterEach(() => {
    jupyter.lastWriteDisplayData = null;
    vi.useRealTimers();
  });

  it('holds sends while the IOPub socket is busy and delivers them in order when it frees', () => {
    vi.useFakeTimers();
    const sent: string[] = [];
    let busyFor = 2;
    jupyter.lastWriteDisplayData = (content: { data: Record<string, string> }) => {
      if (busyFor > 0) {
        busyFor--;
        throw busy();
      }
      sent.push(content.data['text/plain']);
    };
    displayBundle({ 'text/plain': 'a' }); // busy: waits
    updateDisplay({ 'text/plain': 'b' }, 'progress'); // queued behind a, not tried
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1); // still busy once more
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['a', 'b']);
    displayBundle({ 'text/plain': 'c' }); // nothing waiting: sent at once
    expect(sent).toEqual(['a', 'b', 'c']);
  });

  it('throws other errors at once', () => {
    jupyter.lastWriteDisplayData = () => {
      throw new Error('boom');
    };
    expect(() => displayBundle({ 'text/plain': 'x' })).toThrow('boom');
  });

  it('says so outside a running tslab cell', () => {
    expect(() => displayBundle({ 'text/plain': 'x' })).toThrow(/only available while a tslab cell runs/);
  });
});
