/**
 * The weight-norm chart of a watched run: one line per series (a group or a parameter) over the
 * optimizer steps, drawn with the lazily loaded plotly.js.
 */
import type { History } from '@paramscope/protocol';
import { loadPlotly } from './plotly-renderer';

/** The Plotly traces and layout of a run's history. */
export function historyFigure(history: History, title: string): { data: unknown[]; layout: Record<string, unknown> } {
  return {
    data: history.series.map((series) => ({
      type: 'scatter',
      mode: 'lines',
      name: series.name,
      x: history.steps,
      y: series.values
    })),
    layout: {
      title: { text: title, font: { size: 12 } },
      height: 280,
      margin: { l: 48, r: 8, t: 28, b: 56 },
      yaxis: { title: { text: '‖W‖' } },
      legend: { font: { size: 10 }, orientation: 'h', x: 0, y: 0, yref: 'container', yanchor: 'bottom' },
      showlegend: history.series.length <= 12
    }
  };
}

/** A chart node the panel keeps across re-renders; it redraws only when the history changes. */
export class HistoryChart {
  readonly node: HTMLDivElement = document.createElement('div');
  private drawn: History | undefined;

  constructor() {
    this.node.className = 'jp-Paramscope-chart';
  }

  /** Draws `history` unless it is the one already drawn. */
  async draw(history: History, title: string): Promise<void> {
    if (history === this.drawn) return;
    this.drawn = history;
    const plotly = await loadPlotly();
    const { data, layout } = historyFigure(history, title);
    const color = getComputedStyle(document.body).getPropertyValue('--jp-ui-font-color1').trim() || undefined;
    await plotly.react(
      this.node,
      data,
      { ...layout, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'rgba(0,0,0,0)', font: { color }, autosize: true },
      { responsive: true, displaylogo: false, displayModeBar: false }
    );
  }

  /** Fits the chart to its node after the panel was resized. */
  resize(): void {
    if (this.drawn && this.node.isConnected) void loadPlotly().then((plotly) => plotly.Plots.resize(this.node));
  }

  dispose(): void {
    if (this.drawn) void loadPlotly().then((plotly) => plotly.purge(this.node));
  }
}
