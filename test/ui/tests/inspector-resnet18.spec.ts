import { expect, test } from '@jupyterlab/galata';
import * as path from 'node:path';
import {
  collectConsoleErrors,
  copyCorrectedGroups,
  REAL_KERNELS_API,
  restartKernel,
  STALE_AFTER_RESTART
} from './support';

/**
 * The scenario on the real stack: resnet18 and SGD from @paramscope/core in the tslab
 * kernel, a mistaken no-decay group (chosen by name: misses the BatchNorm layers `downsample.1`),
 * the finding in the panel, the fix, a watched run's weight-norm chart, a plain cell that changes
 * a hyperparameter, a kernel restart (stale), and the re-run cells (live again). No console errors.
 */
const notebook = 'inspector-resnet18.ipynb';
const artifacts = path.resolve(__dirname, '../../../artifacts/ui');

const FIXED = `// Fixed: the "module type" recipe, judged by module kind, not by name.
import { groupsByModuleType } from '@paramscope/core';
const optimizer = new SGD(groupsByModuleType(model, { weightDecay: 1e-4, lr: 0.1 }), { lr: 0.1, momentum: 0.9 });
inspect(optimizer, { model: model });`;

test.use(REAL_KERNELS_API);

test('resnet18 with a wrong group: finding names downsample.1, the fix clears it, a restart marks data stale', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(360_000);
  const consoleErrors = collectConsoleErrors(page);
  await page.contents.uploadFile(path.resolve(__dirname, '../notebooks', notebook), `${tmpPath}/${notebook}`);
  await page.notebook.openByPath(`${tmpPath}/${notebook}`);
  await page.notebook.activate(notebook);
  await page.evaluate(() => window.jupyterapp.commands.execute('paramscope:open-inspector'));
  const panel = page.locator('.jp-Paramscope-panel');
  await expect(panel).toBeVisible();

  await page.notebook.runCell(1);
  await page.notebook.runCell(2);
  const findings = panel.locator('.jp-Paramscope-finding');
  await expect(findings.first()).toContainText('layer2.0.downsample.1.weight');
  await expect(findings).toHaveText([
    /layer2\.0\.downsample\.1\.weight/,
    /layer3\.0\.downsample\.1\.weight/,
    /layer4\.0\.downsample\.1\.weight/
  ]);
  await expect(panel.locator('.jp-Paramscope-groupToggle')).toHaveText([
    /Group 0 · decay.*weight decay 1e-4/,
    /Group 1 · no_decay.*weight decay 0/
  ]);
  await expect(panel.locator('.jp-Paramscope-row.jp-mod-flagged')).toHaveCount(3);
  await page.screenshot({ path: path.join(artifacts, 'inspector-resnet18-mistake.png') });

  // A watched run (still the mistaken groups): the chart of weight norms over steps.
  await page.notebook.runCell(3);
  await expect(panel.locator('.jp-Paramscope-entryTitle')).toContainText('step 4');
  const chart = panel.locator('.jp-Paramscope-chart');
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(4);
  await expect(chart.locator('.gtitle')).toContainText('Weight norms over steps');
  await expect(findings).toHaveCount(3);
  await chart.scrollIntoViewIfNeeded();
  await chart.screenshot({ path: path.join(artifacts, 'inspector-resnet18-chart-250.png') });
  // One toggle per line; a toggle hides its line and shows it again.
  const toggles = chart.locator('.jp-Paramscope-chartToggle');
  await expect(toggles).toHaveCount(4);
  await toggles.first().click();
  await expect(toggles.first()).toHaveAttribute('aria-pressed', 'false');
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(3);
  await toggles.first().click();
  await expect(chart.locator('.scatterlayer .trace')).toHaveCount(4);
  // Widen the right sidebar (drag its split handle) for a readable screenshot of the panel.
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)').last();
  const box = await handle.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 220, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
  }
  await panel.screenshot({ path: path.join(artifacts, 'inspector-resnet18-panel.png') });

  // "Copy corrected groups": TypeScript on the structural default, run in place of the cell: no error.
  const copied = await copyCorrectedGroups(page);
  expect(copied).toContain('const { groups } = groupParams(model, { weightDecay: 0.0001 });');
  await page.notebook.setCell(2, 'code', copied);
  await page.notebook.runCell(2);
  await expect(panel.locator('.jp-Paramscope-finding[data-severity="error"]')).toHaveCount(0);
  await expect(panel.locator('.jp-Paramscope-entrySummary').first()).toHaveText(/^0 errors0 warnings/);

  // Fix the group in the same cell and re-run it: the entry (same label) is replaced.
  await page.notebook.setCell(2, 'code', FIXED);
  await page.notebook.runCell(2);
  await expect(findings).toHaveCount(0);
  await expect(panel.locator('.jp-Paramscope-noFindings')).toBeVisible();
  await expect(
    panel.locator('.jp-Paramscope-reason', { hasText: '6.2 module type: owned by a BatchNorm2d' }).first()
  ).toBeVisible();
  // The new optimizer is not watched: no chart, no step count.
  await expect(chart).toHaveCount(0);
  await expect(panel.locator('.jp-Paramscope-entryTitle')).not.toContainText('step');
  await page.screenshot({ path: path.join(artifacts, 'inspector-resnet18-fixed.png') });

  // A cell that only changes a hyperparameter (as an lr schedule does): the panel follows by itself.
  await page.notebook.setCell(3, 'code', 'optimizer.paramGroups[0].lr = 0.05;');
  await page.notebook.runCell(3);
  await expect(panel.locator('.jp-Paramscope-groupToggle').first()).toContainText('lr 0.05');

  // Restart: stale, in one state once the restart is over (whatever the timing of the kernel).
  const headline = panel.locator('.jp-Paramscope-headline');
  await restartKernel(page);
  await expect(headline).toHaveText(STALE_AFTER_RESTART);
  await expect(panel).toHaveClass(/jp-mod-stale/);
  await expect(panel.locator('.jp-Paramscope-groupToggle').first()).toContainText('lr 0.05');
  await page.screenshot({ path: path.join(artifacts, 'inspector-resnet18-stale.png') });

  // The cells again, on the new kernel: live data, no longer stale.
  await page.notebook.runCell(1);
  await page.notebook.runCell(2);
  await expect(headline).toHaveText(/^Snapshot #\d+ \(\w+\) at /);
  await expect(panel).not.toHaveClass(/jp-mod-stale/);
  await expect(panel.locator('.jp-Paramscope-groupToggle').first()).toContainText('lr 0.1');
  await expect(panel.locator('.jp-Paramscope-noFindings')).toBeVisible();

  expect(consoleErrors).toEqual([]);
});
