import { PLOTLY_MIME_TYPE } from '@paramscope/protocol';
import { describe, expect, it, vi } from 'vitest';

const react = vi.fn(async () => undefined);
vi.mock('plotly.js-dist-min', () => ({ default: { react, purge: vi.fn(), Plots: { resize: vi.fn() } } }));

const { parseFigure, plotlyRendererFactory } = await import('./plotly-renderer');

function model(value: unknown) {
  return { data: { [PLOTLY_MIME_TYPE]: value }, metadata: {}, trusted: true, setData: () => undefined } as never;
}

describe('parseFigure', () => {
  it('accepts the figure as an object or as JSON text', () => {
    const figure = { data: [{ y: [1, 2] }], layout: { title: 'a' } };
    expect(parseFigure(figure)).toMatchObject(figure);
    expect(parseFigure(JSON.stringify(figure))).toMatchObject(figure);
  });

  it('says what is wrong with a bad figure', () => {
    expect(() => parseFigure('{"data": [')).toThrow(/not valid JSON/);
    expect(() => parseFigure({ layout: {} })).toThrow(/no "data" array/);
    expect(() => parseFigure({ data: [], layout: 3 })).toThrow(/"layout" must be an object/);
    expect(() => parseFigure([1])).toThrow(/must be an object/);
  });
});

describe('PlotlyRenderer', () => {
  const create = () =>
    plotlyRendererFactory.createRenderer({
      mimeType: PLOTLY_MIME_TYPE,
      sanitizer: {} as never,
      resolver: null,
      linkHandler: null,
      latexTypesetter: null
    });

  it('hands the figure to plotly.js with theme-aware layout defaults', async () => {
    const renderer = create();
    await renderer.renderModel(model(JSON.stringify({ data: [{ y: [1] }], layout: { title: { text: 't' } } })));
    expect(react).toHaveBeenCalledTimes(1);
    const [node, data, layout, config] = react.mock.calls[0] as unknown as [
      HTMLElement,
      unknown[],
      Record<string, unknown>,
      Record<string, unknown>
    ];
    expect(node).toBe(renderer.node);
    expect(data).toEqual([{ y: [1] }]);
    expect(layout).toMatchObject({ title: { text: 't' }, paper_bgcolor: 'rgba(0,0,0,0)', autosize: true });
    expect(config).toMatchObject({ responsive: true, displaylogo: false });
  });

  it("shows a bad figure's error as text, never as HTML", async () => {
    const renderer = create();
    await renderer.renderModel(model('<img src=x onerror=alert(1)>'));
    expect(renderer.node.querySelector('img')).toBeNull();
    expect(renderer.node.textContent).toMatch(/^Plotly figure is not valid JSON/);
    expect(renderer.node.classList.contains('jp-PlotlyFigure-error')).toBe(true);
  });
});
