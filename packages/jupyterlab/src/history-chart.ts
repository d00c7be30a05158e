/**
 * The weight-norm chart of a watched run: one line per series (a group or a parameter) over the
 * optimizer steps, drawn with the lazily loaded plotly.js.
 */
import type { History } from '@paramscope/protocol';
import { h } from './dom';
import { loadPlotly } from './plotly-renderer';

/** Plotly's default colours, set on the traces so the toggles below the chart can show them. */
const SERIES_COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf'
];

/** The colour of series `index`. */
export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/**
 * The Plotly traces and layout of a run's history, for a sidebar from 250 px: a short title at the
 * left (a long one is clipped at both ends when centred) and no Plotly legend, whose rows overlap
 * the axis labels as the width changes: the chart's toggles, below it in HTML, name the lines.
 */
export function historyFigure(history: History, title: string): { data: unknown[]; layout: Record<string, unknown> } {
  return {
    data: history.series.map((series, index) => ({
      type: 'scatter',
      mode: 'lines',
      name: series.name,
      line: { color: seriesColor(index) },
      x: history.steps,
      y: series.values
    })),
    layout: {
      title: { text: title, font: { size: 12 }, x: 0, xref: 'paper', xanchor: 'left' },
      height: 240,
      margin: { l: 44, r: 8, t: 28, b: 8 },
      xaxis: { title: { text: 'step', standoff: 4 }, automargin: true },
      yaxis: { title: { text: '‖W‖', standoff: 4 }, automargin: true },
      showlegend: false
    }
  };
}

/**
 * A chart the panel keeps across re-renders (it redraws only when the history changes), with one
 * toggle button per group or parameter that hides or shows its line.
 */
export class HistoryChart {
  readonly node: HTMLDivElement = document.createElement('div');
  private readonly plot: HTMLDivElement = document.createElement('div');
  private readonly toggles: HTMLDivElement = document.createElement('div');
  private readonly hidden = new Set<string>();
  private drawn: History | undefined;

  constructor() {
    this.node.className = 'jp-Paramscope-chart';
    this.plot.className = 'jp-Paramscope-chartPlot';
    this.toggles.className = 'jp-Paramscope-chartToggles';
    this.toggles.setAttribute('role', 'group');
    this.toggles.setAttribute('aria-label', 'Lines shown in the chart');
    this.node.append(this.plot, this.toggles);
  }

  /** Draws `history` unless it is the one already drawn. */
  async draw(history: History, title: string): Promise<void> {
    if (history === this.drawn) return;
    this.drawn = history;
    this.renderToggles(history);
    const plotly = await loadPlotly();
    const { data, layout } = historyFigure(history, title);
    const visible = (data as Array<Record<string, unknown>>).map((trace) => ({
      ...trace,
      visible: !this.hidden.has(String(trace.name))
    }));
    // Theme colours for text, grid and axes, so the chart reads in the dark theme too.
    const theme = getComputedStyle(document.body);
    const color = theme.getPropertyValue('--jp-ui-font-color1').trim() || undefined;
    const gridcolor = theme.getPropertyValue('--jp-border-color2').trim() || undefined;
    const axes = (axis: unknown) => ({
      ...(axis as object),
      gridcolor,
      linecolor: gridcolor,
      zerolinecolor: gridcolor
    });
    await plotly.react(
      this.plot,
      visible,
      {
        ...layout,
        xaxis: axes(layout.xaxis),
        yaxis: axes(layout.yaxis),
        paper_bgcolor: 'rgba(0,0,0,0)',
        plot_bgcolor: 'rgba(0,0,0,0)',
        font: { color },
        autosize: true
      },
      { responsive: true, displaylogo: false, displayModeBar: false }
    );
  }

  /** Fits the chart to its node after the panel was resized. */
  resize(): void {
    if (this.drawn && this.plot.isConnected) void loadPlotly().then((plotly) => plotly.Plots.resize(this.plot));
  }

  dispose(): void {
    if (this.drawn) void loadPlotly().then((plotly) => plotly.purge(this.plot));
  }

  private renderToggles(history: History): void {
    const buttons = history.series.map((series, index) => {
      const shown = !this.hidden.has(series.name);
      const button = h(
        'button',
        {
          className: 'jp-Paramscope-chartToggle',
          title: shown ? `Hide ${series.name}` : `Show ${series.name}`,
          attrs: { type: 'button', 'aria-pressed': String(shown) }
        },
        [
          h('span', { className: 'jp-Paramscope-swatch', attrs: { 'aria-hidden': 'true' } }),
          h('span', { text: series.name })
        ]
      );
      button.style.setProperty('--jp-Paramscope-series-color', seriesColor(index));
      button.addEventListener('click', () => void this.toggle(history, series.name));
      return button;
    });
    this.toggles.replaceChildren(...buttons);
  }

  private async toggle(history: History, name: string): Promise<void> {
    if (!this.hidden.delete(name)) this.hidden.add(name);
    this.renderToggles(history);
    const plotly = await loadPlotly();
    const index = history.series.findIndex((s) => s.name === name);
    await plotly.restyle(this.plot, { visible: !this.hidden.has(name) }, [index]);
  }
}
