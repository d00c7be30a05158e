import { expect, test } from '@jupyterlab/galata';
import * as path from 'node:path';

const notebook = '00-getting-started.ipynb';
const artifacts = path.resolve(__dirname, '../../../artifacts/ui');

test('the getting-started notebook runs on tslab and its Plotly figure renders', async ({ page, tmpPath }) => {
  await page.contents.uploadFile(path.resolve(__dirname, '../../../notebooks', notebook), `${tmpPath}/${notebook}`);
  await page.notebook.openByPath(`${tmpPath}/${notebook}`);
  await page.notebook.activate(notebook);
  // The notebook's kernelspec (tslab) started: the toolbar names the TypeScript kernel.
  await expect(page.locator('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName').first()).toContainText('TypeScript');

  await page.notebook.run();

  // The backend line printed by the first cell, and no error output anywhere.
  await expect(page.locator('.jp-OutputArea-output').getByText(/TF\.js backend: (wasm|cpu|tfjs-node)/)).toBeVisible();
  await expect(page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(0);

  // plotly.js drew the figure: an SVG with both traces, not just the absence of errors.
  const figure = page.locator('.jp-PlotlyFigure');
  await expect(figure.locator('svg.main-svg').first()).toBeVisible();
  await expect(figure.locator('.scatterlayer .trace')).toHaveCount(2);
  // The title carries the cell's ε and σ² (figure titles come from the cell's values).
  await expect(figure.locator('.gtitle')).toHaveText(/^Deviation from scale invariance, ε = [\d.e-]+, σ² = [\d.e-]+$/);

  await figure.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(artifacts, 'getting-started.png'), fullPage: false });
});
