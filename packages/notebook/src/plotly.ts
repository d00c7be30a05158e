import { PLOTLY_MIME_TYPE, describeValue } from '@paramscope/protocol';
import { displayBundle, type MimeBundle } from './display';
import { NotebookError } from './errors';

/** A Plotly figure: traces, layout and config as plotly.js takes them. */
export interface PlotlyFigure {
  data: Array<Record<string, unknown>>;
  layout?: Record<string, unknown>;
  config?: Record<string, unknown>;
}

/** Builds the MIME bundle of a figure: the Plotly JSON and a short text fallback. */
export function plotlyBundle(figure: PlotlyFigure): MimeBundle {
  if (!figure || !Array.isArray(figure.data)) {
    throw new NotebookError(
      `plot(figure): figure.data must be an array of Plotly traces, got ${describeValue(figure?.data)}`
    );
  }
  const title = figure.layout?.title;
  const titleText = typeof title === 'string' ? title : (title as { text?: string } | undefined)?.text;
  return {
    [PLOTLY_MIME_TYPE]: JSON.parse(JSON.stringify(figure, finiteOrNull)),
    'text/plain': `<Plotly figure${titleText ? ` "${titleText}"` : ''}: ${figure.data.length} trace(s)>`
  };
}

// JSON has no NaN or Infinity; Plotly draws a gap for null.
function finiteOrNull(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, (v) => (Number.isFinite(v) ? v : null));
  }
  return value;
}

/**
 * Displays a Plotly figure in the running cell. JupyterLab renders it with the paramscope
 * extension; typed arrays are accepted as trace data.
 *
 * @example
 * plot({ data: [{ x: [1, 2, 3], y: [1, 4, 9], type: 'scatter' }], layout: { title: { text: 'squares' } } });
 */
export function plot(figure: PlotlyFigure): void {
  displayBundle(plotlyBundle(figure));
}
