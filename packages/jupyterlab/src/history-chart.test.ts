import { describe, expect, it } from 'vitest';
import { historyFigure } from './history-chart';

describe('historyFigure', () => {
  it('fits a 250 px sidebar: title at the left, no Plotly legend (HTML toggles name the lines)', () => {
    const history = { steps: [0, 1, 2], series: [{ name: 'group 0', group: 0, values: [1, 0.9, 0.8] }] };
    const { data, layout } = historyFigure(history, 'Weight norms over steps');
    expect(data).toHaveLength(1);
    expect(layout.title).toMatchObject({ text: 'Weight norms over steps', x: 0, xanchor: 'left' });
    expect(layout.showlegend).toBe(false);
    expect(data[0]).toMatchObject({ line: { color: '#1f77b4' } });
    expect(layout.xaxis).toMatchObject({ automargin: true });
  });
});
