// plotly.js-dist-min ships no types; the renderer uses a small typed view of it (PlotlyModule).
declare module 'plotly.js-dist-min';
