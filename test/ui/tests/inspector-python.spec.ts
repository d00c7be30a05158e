import { expect, test } from '@jupyterlab/galata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  collectConsoleErrors,
  copyCorrectedGroups,
  REAL_KERNELS_API,
  restartKernel,
  STALE_AFTER_RESTART
} from './support';

/**
 * The Parameter groups panel on a Python kernel (ipykernel, registered in .venv by
 * scripts/setup.sh): `paramscope.inspect` of a mis-grouped torch optimizer shows the error naming
 * the parameter, fixing the cell clears it, a restart marks the data stale, and Refresh (a silent
 * Python statement) tells a fresh kernel without paramscope. And the issue-17 figure: the time
 * from a 10,000-tensor snapshot's arrival to its rows on screen.
 */
const notebooks = path.resolve(__dirname, '../notebooks');
const artifacts = path.resolve(__dirname, '../../../artifacts/ui');
const FIXED = [
  'decay = [model.conv.weight, model.fc.weight]',
  'no_decay = [model.bn.weight, model.bn.bias, model.fc.bias]',
  "optimizer = torch.optim.SGD([{'params': decay, 'weight_decay': 1e-4}, " +
    "{'params': no_decay, 'weight_decay': 0.0}], lr=0.1, momentum=0.9)",
  "paramscope.inspect(optimizer, model, label='SGD in Python')"
].join('\n');

test.use(REAL_KERNELS_API);

test('a Python notebook: the finding names the parameter, the fixed cell clears it, a restart marks it stale', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(300_000);
  const consoleErrors = collectConsoleErrors(page);
  await page.contents.uploadFile(path.join(notebooks, 'inspector-python.ipynb'), `${tmpPath}/inspector-python.ipynb`);
  await page.notebook.openByPath(`${tmpPath}/inspector-python.ipynb`);
  await page.notebook.activate('inspector-python.ipynb');
  await page.evaluate(() => window.jupyterapp.commands.execute('paramscope:open-inspector'));
  const panel = page.locator('.jp-Paramscope-panel');
  await expect(panel).toBeVisible();
  const headline = panel.locator('.jp-Paramscope-headline');

  // Refresh before paramscope is imported: the Python statement finds no inspector.
  await page.notebook.runCell(0);
  await panel.locator('.jp-Paramscope-refresh').click();
  await expect(headline).toHaveText(/paramscope is not loaded in this kernel: run `import paramscope`/);

  await page.notebook.runCell(1);
  await page.notebook.runCell(2);
  const error = panel.locator('.jp-Paramscope-finding[data-severity="error"]');
  await expect(error).toHaveCount(1);
  await expect(error).toContainText('bn.weight (BatchNorm2d weight) has weight decay 0.0001 in group 0');
  await expect(headline).toHaveText(/^Snapshot #\d+ \(PyTorch [^)]+\) at /);
  await expect(panel.locator('.jp-Paramscope-groupToggle')).toHaveText([/Group 0.*3 tensors/, /Group 1.*2 tensors/]);
  // The inline output: the same finding, and a text/plain fallback in the saved notebook.
  await expect(
    page.locator('.jp-ParamscopeSnapshot').first().locator('.jp-Paramscope-finding[data-severity="error"]')
  ).toContainText('bn.weight');
  // The README's picture of the panel on a Python notebook (kept as
  // packages/jupyterlab/docs/inspector-panel-python.png).
  await panel.screenshot({ path: path.join(artifacts, 'inspector-panel-python.png') });

  // "Copy corrected groups": PyTorch code on the structural default; run in place of the cell, no error.
  const copied = await copyCorrectedGroups(page);
  expect(copied).toContain('groups = paramscope.group_params(model, weight_decay=0.0001)');
  await page.notebook.setCell(2, 'code', copied);
  await page.notebook.runCell(2);
  await expect(headline).toHaveText(/^Snapshot #\d+ /);
  await expect(panel.locator('.jp-Paramscope-entrySummary').first()).toHaveText(/^0 errors0 warnings/);
  await expect(error).toHaveCount(0);

  // Fix the cell and run it again: same label, so the entry is replaced and the error is gone.
  await page.notebook.setCell(2, 'code', FIXED);
  await page.notebook.runCell(2);
  await expect(panel.locator('.jp-Paramscope-groupToggle')).toHaveText([/Group 0.*2 tensors/, /Group 1.*3 tensors/]);
  await expect(error).toHaveCount(0);

  await restartKernel(page);
  await expect(headline).toHaveText(STALE_AFTER_RESTART);
  await expect(panel).toHaveClass(/jp-mod-stale/);
  await panel.locator('.jp-Paramscope-refresh').click();
  await expect(headline).toHaveText(
    /^Stale: the kernel restarted\. paramscope is not loaded in this kernel: run `import paramscope`/
  );
  expect(consoleErrors).toEqual([]);
});

/**
 * Ceiling on "arrival → next frame" for 10,000 tensors from the Python kernel. The target is
 * under 200 ms; measured here (2 shared cores, 3 runs) at 113–166 ms, 58–99 ms of it to the rows
 * in the DOM (42–122 ms for the same size from tslab). 1,000 ms leaves a CI machine several
 * times slower or busier (the browser shares its cores with the kernel and the server) room,
 * and still fails the regressions that matter: the panel rendering all 10,000 rows instead of a
 * page of them (seconds), or a per-row cost that grows with the model (validation or layout
 * quadratic in the tensors).
 */
const TEN_THOUSAND_FRAME_CEILING_MS = 1_000;

test('a Python snapshot of 10,000 tensors: time from its arrival to rows in the DOM and to the next frame', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(300_000);
  const consoleErrors = collectConsoleErrors(page);
  const notebook = 'inspector-python-10k.ipynb';
  await page.contents.uploadFile(path.join(notebooks, notebook), `${tmpPath}/${notebook}`);
  await page.notebook.openByPath(`${tmpPath}/${notebook}`);
  await page.notebook.activate(notebook);
  await page.evaluate(() => window.jupyterapp.commands.execute('paramscope:open-inspector'));
  const panel = page.locator('.jp-Paramscope-panel');
  await expect(panel).toBeVisible();

  await page.notebook.runCell(1); // import torch: seconds, not part of the figure
  await page.notebook.runCell(2);
  await expect(panel.locator('.jp-Paramscope-tally')).toHaveText(
    'Showing 100 of 10000 parameter rows · 9900 behind "show more"'
  );
  await expect(panel.locator('.jp-Paramscope-row')).toHaveCount(100);
  await expect(panel.locator('.jp-Paramscope-headline')).toHaveText(/^Snapshot #\d+ \(PyTorch [^)]+\) at /);
  // The panel writes the figures of the snapshot it shows: to the DOM when it renders it, to the
  // next frame (style, layout, paint) in the frame after; read together, once both are there.
  await expect(panel).toHaveAttribute('data-frame-ms', /\d/);
  const figure = await panel.evaluate((node: HTMLElement) => ({
    sequence: Number(node.dataset.sequence),
    renderMs: Number(node.dataset.renderMs),
    frameMs: Number(node.dataset.frameMs),
    rows: node.querySelectorAll('.jp-Paramscope-row').length
  }));
  const line =
    `[inspector timings] Python (ipykernel, torch), 10,000 tensors, snapshot #${figure.sequence}: ` +
    `${figure.renderMs.toFixed(1)} ms from arrival to rows in the DOM, ` +
    `${figure.frameMs.toFixed(1)} ms to the next frame`;
  console.log(line);
  // Kept across runs (the last 20) in artifacts/ui/, for the figure.
  const file = path.join(artifacts, 'inspector-python-10k-timing.json');
  const previous = fs.existsSync(file)
    ? ((JSON.parse(fs.readFileSync(file, 'utf8')) as { runs?: unknown[] }).runs ?? [])
    : [];
  const run = { at: new Date().toISOString(), tensors: 10_000, ...figure, ceilingMs: TEN_THOUSAND_FRAME_CEILING_MS };
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify(
      {
        description:
          'paramscope panel: ms from a 10,000-tensor Python snapshot arriving (IOPub) to its rows in the DOM ' +
          '(renderMs) and to the next frame (frameMs)',
        runs: [...previous, run].slice(-20)
      },
      null,
      2
    ) + '\n'
  );

  expect(figure.renderMs).toBeGreaterThan(0);
  expect(figure.frameMs).toBeGreaterThanOrEqual(figure.renderMs);
  expect(figure.frameMs, line).toBeLessThan(TEN_THOUSAND_FRAME_CEILING_MS);
  expect(consoleErrors).toEqual([]);
});
