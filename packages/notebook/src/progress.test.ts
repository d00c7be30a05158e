import { afterEach, describe, expect, it } from 'vitest';
import { setDisplaySink, type MimeBundle } from './display';
import { Progress } from './progress';

const written: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];
setDisplaySink({ write: (bundle, displayId, update) => written.push({ bundle, displayId, update }) });
afterEach(() => {
  written.length = 0;
});

describe('Progress', () => {
  it('shows one output and updates it in place, throttled, always showing the last step', () => {
    let clock = 0;
    const progress = new Progress('training', 4, { minIntervalMs: 100, now: () => clock });
    progress.update(1, 'loss 0.9');
    clock = 50;
    progress.update(2); // too soon: skipped
    clock = 60;
    progress.update(4, 'loss <0.1>'); // last: shown anyway
    expect(written.map((w) => w.update)).toEqual([false, true]);
    expect(new Set(written.map((w) => w.displayId)).size).toBe(1);
    expect(written[0].bundle['text/plain']).toBe('training: 1/4 (25%) 0.0 s — loss 0.9');
    expect(written[1].bundle['text/plain']).toBe('training: 4/4 (100%) 0.1 s — loss <0.1>');
    expect(written[1].bundle['text/html']).toContain('<progress value="4" max="4"');
    expect(written[1].bundle['text/html']).toContain('loss &lt;0.1&gt;');
  });

  it('names the bad argument', () => {
    expect(() => new Progress('x', 0)).toThrow(/"x": total must be a positive integer/);
    expect(() => new Progress('x', 3).update(4)).toThrow(/done must be between 0 and 3, got 4/);
  });
});
