import { expect, galata, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'node:path';
import { collectConsoleErrors, REAL_KERNELS_API, restartKernel, STALE_AFTER_RESTART } from './support';

/**
 * The Parameter groups panel against a real JupyterLab and the tslab kernel, with hand-built
 * parameter descriptions (see test/ui/notebooks): rows, findings, markup-named parameters,
 * 10,000 tensors, an unreadable snapshot, restart, "not loaded", saved outputs and timings.
 */
const notebooks = path.resolve(__dirname, '../notebooks');
const artifacts = path.resolve(__dirname, '../../../artifacts/ui');
const XSS = '<img src=x onerror=alert(1)>';
const MISTAKE = 'layer1.0.downsample.1.weight';

/** Starts a command without waiting for it (a restart waits for its dialog). */
async function startCommand(page: IJupyterLabPageFixture, id: string): Promise<void> {
  await page.evaluate((command) => {
    void window.jupyterapp.commands.execute(command);
  }, id);
}

test.use(REAL_KERNELS_API);

const started = Date.now();
const step = (what: string) => console.log(`[inspector ui] ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

/** The panel's render timing of the snapshot with `sequence`, once it is on screen. */
async function timing(page: IJupyterLabPageFixture, sequence: number): Promise<{ renderMs: number; frameMs: number }> {
  const panel = page.locator('.jp-Paramscope-panel');
  await expect(panel).toHaveAttribute('data-sequence', String(sequence));
  await expect(panel).toHaveAttribute('data-frame-ms', /\d/);
  const [renderMs, frameMs] = await Promise.all([
    panel.getAttribute('data-render-ms'),
    panel.getAttribute('data-frame-ms')
  ]);
  return { renderMs: Number(renderMs), frameMs: Number(frameMs) };
}

test('the panel shows groups and findings, renders names as text, pages 10,000 tensors and marks restarts', async ({
  page,
  tmpPath
}) => {
  test.setTimeout(360_000);
  const consoleErrors = collectConsoleErrors(page);

  for (const name of ['inspector-handmade.ipynb', 'inspector-saved.ipynb']) {
    await page.contents.uploadFile(path.join(notebooks, name), `${tmpPath}/${name}`);
  }
  await page.notebook.openByPath(`${tmpPath}/inspector-handmade.ipynb`);
  await page.notebook.activate('inspector-handmade.ipynb');

  // Open the panel from the command palette.
  await page.keyboard.press('Control+Shift+C');
  await page.locator('.lm-CommandPalette-input').fill('Open Parameter Groups');
  await page.locator('.lm-CommandPalette-item', { hasText: 'Open Parameter Groups Inspector' }).click();
  const panel = page.locator('.jp-Paramscope-panel');
  await expect(panel).toBeVisible();
  const headline = panel.locator('.jp-Paramscope-headline');

  step('page.notebook.runCell(1);');
  await page.notebook.runCell(1);
  step('page.notebook.runCell(2);');
  await page.notebook.runCell(2);
  // Row groups and the finding naming the BatchNorm weight in the decay group.
  const finding = panel.locator('.jp-Paramscope-finding');
  await expect(finding).toHaveCount(1);
  await expect(finding).toContainText(`${MISTAKE} (BatchNorm2d) gets weight decay 0.0001`);
  await expect(panel.locator('.jp-Paramscope-groupToggle')).toHaveText([
    /Group 0 · decay.*55 tensors/,
    /Group 1 · no_decay.*106 tensors/
  ]);
  const resnet = await timing(page, 1);
  await expect(panel.locator('.jp-Paramscope-tally')).toHaveText(
    'Showing 100 of 161 parameter rows · 61 behind "show more"'
  );
  // The same snapshot inline, as a compact table.
  const inline = page.locator('.jp-ParamscopeSnapshot').first();
  await expect(inline.locator('.jp-Paramscope-groupsTable tbody tr')).toHaveCount(2);
  await expect(inline.locator('.jp-Paramscope-finding')).toContainText(MISTAKE);

  // The finding links to the row; keyboard moves on from there.
  await finding.locator('.jp-Paramscope-paramLink').click();
  const row = panel.locator('.jp-Paramscope-row.jp-mod-revealed');
  await expect(row).toBeFocused();
  await expect(row.locator('.jp-Paramscope-paramName')).toHaveText(MISTAKE);
  await page.keyboard.press('ArrowDown');
  await expect(panel.locator('.jp-Paramscope-row', { hasText: 'layer1.1.conv1.weight' })).toBeFocused();
  await page.screenshot({ path: path.join(artifacts, 'inspector-finding.png') });
  await panel.screenshot({ path: path.join(artifacts, 'inspector-panel.png') });

  // Fixed groups, same label: the entry is replaced and the finding is gone.
  step('page.notebook.runCell(3);');
  await page.notebook.runCell(3);
  await expect(panel.locator('.jp-Paramscope-noFindings')).toHaveText(/No findings/);
  await expect(finding).toHaveCount(0);

  // A parameter named like markup shows as text; nothing is injected.
  step('page.notebook.runCell(4);');
  await page.notebook.runCell(4);
  await expect(panel.locator('.jp-Paramscope-paramName', { hasText: XSS })).toHaveText(XSS);
  await expect(page.locator('.jp-Paramscope-panel img, .jp-ParamscopeSnapshot img')).toHaveCount(0);

  // 10,000 tensors: paged rows, and the filter stays responsive.
  step('page.notebook.runCell(5);');
  await page.notebook.runCell(5);
  const big = await timing(page, 4);
  await expect(panel.locator('.jp-Paramscope-row')).toHaveCount(100 + 100 + 1);
  await expect(panel.locator('.jp-Paramscope-tally')).toContainText('of 10162 parameter rows');
  const filterMs = await page.evaluate(async () => {
    const input = document.querySelector<HTMLInputElement>('.jp-Paramscope-filter')!;
    const tally = document.querySelector('.jp-Paramscope-tally')!;
    const before = tally.textContent;
    const started = performance.now();
    input.value = 'blocks.4999.';
    input.dispatchEvent(new Event('input'));
    while (tally.textContent === before) await new Promise((resolve) => requestAnimationFrame(resolve));
    return performance.now() - started;
  });
  await expect(panel.locator('.jp-Paramscope-row')).toHaveCount(2);
  await panel.locator('.jp-Paramscope-filter').fill('');

  // An unreadable snapshot: the reason, and the last good data stays.
  step('page.notebook.runCell(6);');
  await page.notebook.runCell(6);
  await expect(panel.locator('.jp-Paramscope-error')).toContainText('$.sessionId: expected a string, got 42');
  await expect(panel.locator('.jp-Paramscope-entry')).toHaveCount(3);

  // Restart: stale. Refresh then finds a kernel without paramscope loaded.
  step('restartKernel(page)');
  await restartKernel(page);
  await expect(headline).toHaveText(STALE_AFTER_RESTART);
  await expect(panel).toHaveClass(/jp-mod-stale/);
  await page.screenshot({ path: path.join(artifacts, 'inspector-stale.png') });
  await panel.locator('.jp-Paramscope-refresh').click();
  await expect(headline).toHaveText(/^Stale: the kernel restarted\. paramscope is not loaded in this kernel/);
  await expect(panel.locator('.jp-Paramscope-entry')).toHaveCount(3);

  // Another notebook, not run: the panel follows and shows the snapshot saved in its outputs.
  await page.notebook.openByPath(`${tmpPath}/inspector-saved.ipynb`);
  await page.notebook.activate('inspector-saved.ipynb');
  await expect(headline).toHaveText(/saved in the notebook/);
  await expect(panel.locator('.jp-Paramscope-finding')).toContainText(MISTAKE);
  // Refresh asks the fresh kernel, which has not loaded paramscope.
  await panel.locator('.jp-Paramscope-refresh').click();
  await expect(headline).toHaveText(/paramscope is not loaded in this kernel/);
  await expect(panel.locator('.jp-Paramscope-finding')).toContainText(MISTAKE);

  console.log(
    `[inspector timings] ResNet-50 (161 tensors): ${resnet.renderMs.toFixed(1)} ms to DOM, ` +
      `${resnet.frameMs.toFixed(1)} ms to next frame; ` +
      `10,000 tensors: ${big.renderMs.toFixed(1)} ms to DOM, ${big.frameMs.toFixed(1)} ms to next frame; ` +
      `filter over 10,162 rows: ${filterMs.toFixed(1)} ms`
  );
  expect(consoleErrors).toEqual([]);
});

test.describe('with settings: 10 rows before "show more", auto-refresh off', () => {
  test.use({
    mockSettings: {
      ...galata.DEFAULT_SETTINGS,
      '@paramscope/jupyterlab:inspector': { rowsBeforeShowMore: 10, autoRefresh: false, showChart: true }
    }
  });

  test('the settings take effect, held snapshots wait for Refresh, and the dark theme applies', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadFile(
      path.join(notebooks, 'inspector-handmade.ipynb'),
      `${tmpPath}/inspector-handmade.ipynb`
    );
    await page.notebook.openByPath(`${tmpPath}/inspector-handmade.ipynb`);
    await page.notebook.activate('inspector-handmade.ipynb');
    await startCommand(page, 'paramscope:open-inspector');
    const panel = page.locator('.jp-Paramscope-panel');
    await page.notebook.runCell(1);
    await page.notebook.runCell(2);
    await expect(panel.locator('.jp-Paramscope-row')).toHaveCount(20);
    await expect(panel.locator('.jp-Paramscope-showMore').first()).toHaveText('Show 10 more (45 not shown)');

    // The fixed groups arrive while auto-refresh is off: held until Refresh.
    await page.notebook.runCell(3);
    await expect(panel.locator('.jp-Paramscope-pending')).toContainText('auto-refresh is off');
    await expect(panel.locator('.jp-Paramscope-finding')).toHaveCount(1);
    await panel.locator('.jp-Paramscope-refresh').click();
    await expect(panel.locator('.jp-Paramscope-finding')).toHaveCount(0);
    await expect(panel.locator('.jp-Paramscope-pending')).toHaveCount(0);

    await page.theme.setDarkTheme();
    const background = await panel.evaluate((node) => getComputedStyle(node).backgroundColor);
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    expect(r + g + b).toBeLessThan(3 * 96);
    await panel.screenshot({ path: path.join(artifacts, 'inspector-dark.png') });
  });
});
