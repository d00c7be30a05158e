import { describe, expect, it, vi } from 'vitest';
import { NotebookError } from './errors';
import { checkBelow, checkClose } from './claims';
import { plotlyBundle } from './plotly';
import { Progress } from './progress';
import { showTable } from './table';

describe('NotebookError', () => {
  it('is what notebook throws for bad input and drifted claims, naming the value', () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(() => checkClose('row 2', 'x', 1, 1)).toThrow(NotebookError);
    expect(() => checkClose('row 2', 'x', 1, 1)).toThrow('check: row must be a derivation id like "D2", got "row 2"');
    expect(() => checkBelow('D1', 'x', 2, 1)).toThrow(NotebookError);
    expect(() => plotlyBundle({ data: 'traces' } as never)).toThrow(
      'plot(figure): figure.data must be an array of Plotly traces, got "traces"'
    );
    expect(() => new Progress('p', 0)).toThrow(NotebookError);
    expect(() => showTable([], [])).toThrow(NotebookError);
    vi.restoreAllMocks();
  });
});
