import AxeBuilder from '@axe-core/playwright';
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'node:path';
import { collectConsoleErrors } from './support';

/**
 * The panel's design, checked on a saved snapshot (notebooks/inspector-design.ipynb: 2 errors,
 * 1 warning, 17 notes, findings in mixed order), so no kernel output can vary between runs:
 * axe-core finds no violation in the panel or the inline output in the light, dark and
 * high-contrast themes, and screenshots at 250 px (the sidebar's default) and 600 px (compact
 * table mode) match the committed baselines.
 *
 * Tolerance: Debian's Chromium rasterizes the same fonts identically on one machine, so a
 * baseline differs only where antialiasing of glyph edges shifts (another CPU's rasterizer, a
 * font package update): a few hundred pixels. 1% of the panel's pixels (~1,800 at 250 px) lets
 * that pass and fails any layout change: a wrapped heading, a broken name or a taller control
 * moves every row below it, tens of thousands of pixels.
 */
const notebook = 'inspector-design.ipynb';
const artifacts = path.resolve(__dirname, '../../../artifacts/ui');
const SCREENSHOT = { maxDiffPixelRatio: 0.01, animations: 'disabled' as const };
const THEMES = { light: 'JupyterLab Light', dark: 'JupyterLab Dark', 'high-contrast': 'JupyterLab Dark High Contrast' };

/** Opens the fixture notebook (not run) and the panel showing its saved snapshot. */
async function openFixture(page: IJupyterLabPageFixture, tmpPath: string, theme: string) {
  await page.theme.setTheme(theme);
  await page.contents.uploadFile(path.resolve(__dirname, '../notebooks', notebook), `${tmpPath}/${notebook}`);
  await page.notebook.openByPath(`${tmpPath}/${notebook}`);
  await page.notebook.activate(notebook);
  await page.evaluate(() => window.jupyterapp.commands.execute('paramscope:open-inspector'));
  const panel = page.locator('.jp-Paramscope-panel');
  await expect(panel.locator('.jp-Paramscope-headline')).toHaveText(/saved in the notebook's outputs/);
  const notes = panel.locator('.jp-Paramscope-notesToggle');
  await expect(notes).toHaveText(/17 notes: weights that feed a normalization layer$/);
  return panel;
}

/** Drags the right sidebar's split handle until the panel is `width` pixels wide. */
async function setPanelWidth(page: IJupyterLabPageFixture, width: number): Promise<void> {
  const panel = page.locator('.jp-Paramscope-panel');
  const handle = page.locator('#jp-main-split-panel > .lm-SplitPanel-handle:not(.lm-mod-hidden)').last();
  for (let attempt = 0; attempt < 3; attempt++) {
    const [panelBox, handleBox] = [await panel.boundingBox(), await handle.boundingBox()];
    if (!panelBox || !handleBox) throw new Error('the panel or its split handle is not on screen');
    const delta = panelBox.width - width;
    if (Math.abs(delta) < 1) break;
    const y = handleBox.y + handleBox.height / 2;
    await page.mouse.move(handleBox.x + handleBox.width / 2, y);
    await page.mouse.down();
    await page.mouse.move(handleBox.x + handleBox.width / 2 + delta, y, { steps: 4 });
    await page.mouse.up();
  }
  await page.mouse.move(1, 400);
  expect(Math.round((await panel.boundingBox())!.width)).toBe(width);
}

/** axe's violations as short lines (rule, impact, the first nodes), empty when there is none. */
async function axeViolations(page: IJupyterLabPageFixture, selector: string): Promise<string[]> {
  // JupyterLab's <body> is 0 px high with overflow hidden (the shell is absolutely positioned over
  // the viewport); axe takes that as clipping every element and skips colour contrast as "hidden".
  // A full-height body changes no layout and lets axe measure the text.
  await page.addStyleTag({ content: 'body { height: 100vh; }' });
  const result = await new AxeBuilder({ page }).include(selector).analyze();
  // The region was found and its text's contrast measured: an empty list means something.
  expect(result.passes.map((rule) => rule.id)).toContain('color-contrast');
  return result.violations.map((violation) => {
    const nodes = violation.nodes.slice(0, 3).map((node) => `${node.target.join(' ')} ${node.failureSummary ?? ''}`);
    return `${violation.id} (${violation.impact}): ${nodes.join(' | ')}`;
  });
}

for (const [name, theme] of Object.entries(THEMES)) {
  test(`${name} theme: no axe violations in the panel and the inline output; screenshots at 250 and 600 px`, async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(240_000);
    const consoleErrors = collectConsoleErrors(page);
    const panel = await openFixture(page, tmpPath, theme);

    // Errors first, then the warning, then the notes on one line.
    const findings = panel.locator('.jp-Paramscope-findings > li');
    await expect(findings).toHaveText([/^error/, /^error/, /^warning/, /17 notes/]);
    const summary = panel.locator('.jp-Paramscope-entrySummary');
    await expect(summary).toHaveText(/^2 errors1 warning17 notesdecay: 57 tensors/);
    expect(await axeViolations(page, '.jp-Paramscope-panel')).toEqual([]);
    expect(await axeViolations(page, '.jp-ParamscopeSnapshot')).toEqual([]);

    if (name !== 'high-contrast') {
      await setPanelWidth(page, 250);
      await expect(panel.locator('.jp-Paramscope-title')).toHaveCSS('white-space', 'nowrap');
      await page.screenshot({ path: path.join(artifacts, `design-${name}-250-page.png`) });
      await panel.screenshot({ path: path.join(artifacts, `design-${name}-250.png`) });
      await expect(panel).toHaveScreenshot(`panel-${name}-250.png`, SCREENSHOT);
      await setPanelWidth(page, 600);
      await panel.screenshot({ path: path.join(artifacts, `design-${name}-600.png`) });
      await expect(panel).toHaveScreenshot(`panel-${name}-600.png`, SCREENSHOT);
    }

    // Expanded notes: keyboard-operable, and still no violation.
    const toggle = panel.locator('.jp-Paramscope-notesToggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(panel.locator('.jp-Paramscope-noteList .jp-Paramscope-finding')).toHaveCount(17);
    expect(await axeViolations(page, '.jp-Paramscope-panel')).toEqual([]);
    await panel.screenshot({ path: path.join(artifacts, `design-${name}-notes.png`) });
    expect(consoleErrors).toEqual([]);
  });
}
