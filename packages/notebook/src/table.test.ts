import { afterEach, describe, expect, it } from 'vitest';
import { setDisplaySink, type MimeBundle } from './display';
import { showTable } from './table';

const written: MimeBundle[] = [];
setDisplaySink({ write: (bundle) => written.push(bundle) });
afterEach(() => {
  written.length = 0;
});

describe('showTable', () => {
  it('renders escaped HTML and a text fallback', () => {
    showTable(
      ['name', 'n'],
      [
        ['a<b', 1],
        ['c', 2]
      ],
      'caption'
    );
    expect(written[0]['text/plain']).toBe('caption\nname | n\na<b | 1\nc | 2');
    expect(written[0]['text/html']).toContain('<td style="text-align:left">a&lt;b</td>');
    expect(written[0]['text/html']).toContain('<caption style="text-align:left">caption</caption>');
  });

  it('names a row with the wrong number of cells', () => {
    expect(() => showTable(['a', 'b'], [['x', 1], ['y']])).toThrow('showTable: row 1 has 1 cells, expected 2 (a, b)');
    expect(() => showTable([], [])).toThrow('showTable: no columns');
  });
});
