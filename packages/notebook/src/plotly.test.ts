import { PLOTLY_MIME_TYPE } from '@paramscope/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { setDisplaySink, UpdatableDisplay, type MimeBundle } from './display';
import { plot, plotlyBundle } from './plotly';

const written: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];
setDisplaySink({ write: (bundle, displayId, update) => written.push({ bundle, displayId, update }) });
afterEach(() => {
  written.length = 0;
});

describe('plot', () => {
  it('sends the figure as Plotly JSON with a text fallback, typed arrays and NaN made JSON-safe', () => {
    plot({
      data: [{ y: new Float32Array([1, Number.NaN, 3]), type: 'scatter' }],
      layout: { title: { text: 'norms' } }
    });
    expect(written).toHaveLength(1);
    const { bundle, update } = written[0];
    expect(update).toBe(false);
    expect(bundle[PLOTLY_MIME_TYPE]).toEqual({
      data: [{ y: [1, null, 3], type: 'scatter' }],
      layout: { title: { text: 'norms' } }
    });
    expect(bundle['text/plain']).toBe('<Plotly figure "norms": 1 trace(s)>');
  });

  it('rejects a figure without a data array', () => {
    expect(() => plotlyBundle({} as never)).toThrow(/figure.data must be an array/);
  });
});

describe('UpdatableDisplay', () => {
  it('creates the output once and then updates it under the same display id', () => {
    const display = new UpdatableDisplay('abc');
    display.show({ 'text/plain': 'one' });
    display.show({ 'text/plain': 'two' });
    display.showHere({ 'text/plain': 'three' });
    expect(written.map((w) => [w.displayId, w.update])).toEqual([
      ['abc', false],
      ['abc', true],
      ['abc', false]
    ]);
  });
});
