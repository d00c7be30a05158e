/**
 * Renders `application/vnd.plotly.v1+json` outputs with plotly.js. plotly.js is large (~3.5 MB),
 * so it is loaded in its own chunk on the first figure, not when JupyterLab starts.
 */
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';
import { PLOTLY_MIME_TYPE } from '@paramscope/protocol';

/** A Plotly figure as the kernel sends it. */
export interface PlotlyFigure {
  data: unknown[];
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: unknown[];
}

type PlotlyModule = {
  react(root: HTMLElement, data: unknown[], layout?: unknown, config?: unknown): Promise<unknown>;
  purge(root: HTMLElement): void;
  restyle(root: HTMLElement, update: Record<string, unknown>, traces: number[]): Promise<unknown>;
  Plots: { resize(root: HTMLElement): void };
};

let plotlyLoading: Promise<PlotlyModule> | undefined;

/** Loads plotly.js once, on demand. */
export function loadPlotly(): Promise<PlotlyModule> {
  plotlyLoading ??= import(/* webpackChunkName: "plotly" */ 'plotly.js-dist-min').then(
    (module) => ((module as { default?: PlotlyModule }).default ?? module) as PlotlyModule
  );
  return plotlyLoading;
}

/**
 * Reads a figure from an output's data: tslab's `display.raw` sends JSON text, other kernels an
 * object. Throws with a message that says what is wrong.
 */
export function parseFigure(value: unknown): PlotlyFigure {
  let figure = value;
  if (typeof value === 'string') {
    try {
      figure = JSON.parse(value);
    } catch (error) {
      throw new Error(`Plotly figure is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof figure !== 'object' || figure === null || Array.isArray(figure)) {
    throw new Error('Plotly figure must be an object with a "data" array');
  }
  const { data, layout, config, frames } = figure as Record<string, unknown>;
  if (!Array.isArray(data)) throw new Error('Plotly figure has no "data" array');
  if (layout !== undefined && (typeof layout !== 'object' || layout === null)) {
    throw new Error('Plotly figure "layout" must be an object');
  }
  return {
    data,
    layout: layout as Record<string, unknown> | undefined,
    config: config as Record<string, unknown> | undefined,
    frames: frames as unknown[] | undefined
  };
}

/** Follows JupyterLab's theme: transparent backgrounds and the theme's font colour. */
function themedLayout(layout: Record<string, unknown> = {}): Record<string, unknown> {
  const style = getComputedStyle(document.body);
  const color = style.getPropertyValue('--jp-ui-font-color1').trim() || undefined;
  return {
    paper_bgcolor: 'rgba(0,0,0,0)',
    plot_bgcolor: 'rgba(0,0,0,0)',
    ...layout,
    font: { color, ...((layout.font as object) ?? {}) },
    autosize: true
  };
}

/** The widget JupyterLab creates for each Plotly output. */
export class PlotlyRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly options: IRenderMime.IRendererOptions) {
    super();
    this.addClass('jp-PlotlyFigure');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    let figure: PlotlyFigure;
    try {
      figure = parseFigure(model.data[this.options.mimeType]);
    } catch (error) {
      this.showError((error as Error).message);
      return;
    }
    const plotly = await loadPlotly();
    this.node.classList.remove('jp-PlotlyFigure-error');
    await plotly.react(this.node, figure.data, themedLayout(figure.layout), {
      responsive: true,
      displaylogo: false,
      ...(figure.config ?? {})
    });
  }

  protected override onResize(): void {
    if (plotlyLoading && this.isVisible) void plotlyLoading.then((plotly) => plotly.Plots.resize(this.node));
  }

  override dispose(): void {
    if (plotlyLoading) void plotlyLoading.then((plotly) => plotly.purge(this.node));
    super.dispose();
  }

  private showError(message: string): void {
    this.addClass('jp-PlotlyFigure-error');
    // Text from the kernel is data: set as text, never parsed as HTML.
    this.node.textContent = message;
  }
}

/** The renderer factory registered with JupyterLab's rendermime registry. */
export const plotlyRendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [PLOTLY_MIME_TYPE],
  defaultRank: 50,
  createRenderer: (options) => new PlotlyRenderer(options)
};
