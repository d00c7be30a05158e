import AxeBuilder from '@axe-core/playwright';
import { expect, test, type IJupyterLabPageFixture } from '@jupyterlab/galata';
import * as path from 'node:path';
import { collectConsoleErrors } from './support';

/**
 * The panel's design, checked on a saved snapshot (notebooks/inspector-design.ipynb: 2 errors,
 * 1 warning, 17 notes, findings in mixed order), so no kernel output can vary between runs:
 * axe-core finds no violation in the panel or the inline output in the light, dark and
 * high-contrast themes (also with a tree item focused), the keyboard focus ring is visible (3:1
 * against the panel) in each, finding messages wrap between words at 250 px and an elided name
 * has no gap after its ellipsis, screenshots at 250 px (the sidebar's default) and 600 px
 * (compact table mode) match the committed baselines, and the tree works from the keyboard.
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

/** WCAG contrast ratio of two `rgb(…)`/`rgba(…)` colours (alpha ignored: both opaque here). */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Words of finding messages broken across lines (a word's range has two line boxes), and the
 * elided name heads whose width is not a whole number of characters (a gap after the ellipsis).
 * A name inside a message is split at its <wbr> (after dots and underscores) into text nodes,
 * so each of its segments counts as a word: breaking between them is allowed.
 */
async function wrapAndEllipsisFaults(
  page: IJupyterLabPageFixture
): Promise<{ brokenWords: string[]; gaps: string[]; elided: number }> {
  return page.evaluate(() => {
    const panel = document.querySelector('.jp-Paramscope-panel')!;
    const brokenWords: string[] = [];
    for (const message of Array.from(panel.querySelectorAll('.jp-Paramscope-finding'))) {
      const walker = document.createTreeWalker(message, NodeFilter.SHOW_TEXT);
      for (let text = walker.nextNode() as Text | null; text; text = walker.nextNode() as Text | null) {
        if (text.parentElement?.closest('.jp-Paramscope-srOnly, .jp-Paramscope-paramLink')) continue;
        for (const word of text.data.matchAll(/\S+/g)) {
          const range = document.createRange();
          range.setStart(text, word.index!);
          range.setEnd(text, word.index! + word[0].length);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (lines.size > 1) brokenWords.push(word[0]);
        }
      }
    }
    const gaps: string[] = [];
    let elided = 0;
    for (const head of Array.from(panel.querySelectorAll<HTMLElement>('.jp-Paramscope-nameHead'))) {
      if (head.scrollWidth <= head.clientWidth) continue;
      elided += 1;
      const probe = document.createElement('span');
      probe.style.cssText = 'position:absolute;visibility:hidden;width:100ch';
      head.parentElement!.appendChild(probe);
      const ch = probe.getBoundingClientRect().width / 100;
      probe.remove();
      const chars = head.getBoundingClientRect().width / ch;
      if (chars - Math.floor(chars) > 0.1) gaps.push(`${head.parentElement!.title}: ${chars.toFixed(2)} ch`);
    }
    return { brokenWords, gaps, elided };
  });
}

/** The accessible name Chromium gives the focused element (from its accessibility tree). */
async function focusedName(page: IJupyterLabPageFixture): Promise<{ role: string; name: string }> {
  // galata's `page` is a proxy; the CDP session wants the context's own page object.
  const cdp = await page.context().newCDPSession(page.context().pages()[0]);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  // The document is "focused" too; the focused element is the other one.
  const node = nodes.find(
    (n) => n.role?.value !== 'RootWebArea' && n.properties?.some((p) => p.name === 'focused' && p.value.value === true)
  );
  return { role: String(node?.role?.value ?? ''), name: String(node?.name?.value ?? '') };
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
  test(`${name} theme: no axe violations in panel and output, visible focus ring; screenshots at 250, 600 px`, async ({
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
      // Messages wrap between words; elided names are cut at a whole character.
      const faults = await wrapAndEllipsisFaults(page);
      expect(faults.brokenWords).toEqual([]);
      expect(faults.gaps).toEqual([]);
      expect(faults.elided).toBeGreaterThan(0);
      await page.screenshot({ path: path.join(artifacts, `design-${name}-250-page.png`) });
      await panel.screenshot({ path: path.join(artifacts, `design-${name}-250.png`) });
      await expect(panel).toHaveScreenshot(`panel-${name}-250.png`, SCREENSHOT);
      await setPanelWidth(page, 600);
      // design-light-600.png is the README's picture (kept as packages/jupyterlab/docs/inspector-panel.png).
      await panel.screenshot({ path: path.join(artifacts, `design-${name}-600.png`) });
      await expect(panel).toHaveScreenshot(`panel-${name}-600.png`, SCREENSHOT);
    }

    // Keyboard focus: into the tree with Tab, down to the first row; the ring is drawn in the
    // theme's brand colour at 3:1 or more against the panel, and axe still finds nothing.
    await panel.locator('.jp-Paramscope-kind').focus();
    await page.keyboard.press('Tab');
    await expect(panel.locator('.jp-Paramscope-entry')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    const group = panel.locator('.jp-Paramscope-group').first();
    await expect(group).toBeFocused();
    await expect(group.locator('.jp-Paramscope-groupToggle')).toHaveCSS('outline-style', 'solid');
    await page.keyboard.press('ArrowDown');
    const row = panel.locator('.jp-Paramscope-row').first();
    await expect(row).toBeFocused();
    await expect(row).toHaveCSS('outline-style', 'solid');
    await expect(row).toHaveCSS('outline-width', '2px');
    const [ring, background] = await Promise.all([
      row.evaluate((node) => getComputedStyle(node).outlineColor),
      panel.evaluate((node) => getComputedStyle(node).backgroundColor)
    ]);
    expect(contrast(ring, background), `focus ring ${ring} on ${background}`).toBeGreaterThanOrEqual(3);
    expect(await axeViolations(page, '.jp-Paramscope-panel')).toEqual([]);
    await panel.screenshot({ path: path.join(artifacts, `design-${name}-focus.png`) });

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

test('the tree from the keyboard: arrows, Home/End, Enter/Space, Tab to a finding’s link and back to its row', async ({
  page,
  tmpPath
}) => {
  const consoleErrors = collectConsoleErrors(page);
  const panel = await openFixture(page, tmpPath, THEMES.light);
  const key = async (name: string) => page.keyboard.press(name);
  const focused = panel.locator(':focus');
  const tabStops = panel.locator('[role="treeitem"][tabindex="0"]');

  await panel.locator('.jp-Paramscope-kind').focus();
  await key('Tab');
  const entry = panel.locator('[role="tree"] > [role="treeitem"]');
  await expect(entry).toBeFocused();
  await expect(entry).toHaveAttribute('aria-level', '1');
  await expect(entry).toHaveAttribute('aria-expanded', 'true');
  expect(await focusedName(page)).toEqual({
    role: 'treeitem',
    // One pattern, written as three regex literals joined (it is too long for one line).
    name: expect.stringMatching(
      new RegExp(
        /^SGD on resnet50 · SGD · step 0 · resnet50: 161 tensors, 25\.6M values /.source +
          /2 errors ?, 1 warning ?, 17 notes ?,? /.source +
          /decay: 57 tensors, 25\.5M values · no decay: 104 tensors, 52\.4k values$/.source
      )
    )
  });

  const group0 = panel.locator('.jp-Paramscope-group').first();
  await key('ArrowDown');
  await expect(group0).toBeFocused();
  await expect(group0).toHaveAttribute('aria-level', '2');
  expect((await focusedName(page)).name).toMatch(
    /^Group 0 · decay ?, lr 0\.1, weight decay 1e-4, momentum 0\.9 ?, 57 tensors, 25\.5M values$/
  );

  // Right enters the expanded group: its first member, "1 of 57".
  await key('ArrowRight');
  await expect(focused).toHaveAttribute('aria-level', '3');
  await expect(focused).toHaveAttribute('aria-posinset', '1');
  await expect(focused).toHaveAttribute('aria-setsize', '57');
  expect((await focusedName(page)).name).toMatch(
    /^conv1\.weight ?, scale-inv\. \(info finding\) 64×3×7×7 ?, values 9408 ?, Conv2d listed in group 0/
  );
  await key('ArrowDown');
  await expect(focused).toHaveAttribute('data-param', 'layer1.0.conv1.weight');
  await expect(tabStops).toHaveCount(1);

  // Left: to the group, then it collapses; Enter and Space toggle it.
  await key('ArrowLeft');
  await expect(group0).toBeFocused();
  await key('ArrowLeft');
  await expect(group0).toHaveAttribute('aria-expanded', 'false');
  await expect(group0.locator('[role="treeitem"]')).toHaveCount(0);
  await expect(group0).toBeFocused();
  await key('Enter');
  await expect(group0).toHaveAttribute('aria-expanded', 'true');
  await key(' ');
  await expect(group0).toHaveAttribute('aria-expanded', 'false');
  await key('ArrowDown');
  await expect(panel.locator('.jp-Paramscope-group').nth(1)).toBeFocused();
  await key('ArrowUp');
  await key('ArrowRight');
  await expect(group0).toHaveAttribute('aria-expanded', 'true');

  // End: the last row on screen; Home: the optimizer; Left there collapses the optimizer.
  await key('End');
  await expect(focused).toHaveAttribute(
    'data-param',
    (await panel.locator('.jp-Paramscope-row').last().getAttribute('data-param')) ?? ''
  );
  await key('Home');
  await expect(entry).toBeFocused();
  await key('ArrowLeft');
  await expect(entry).toHaveAttribute('aria-expanded', 'false');
  await expect(panel.locator('.jp-Paramscope-findings')).toHaveCount(0);
  await key('ArrowRight');
  await expect(entry).toHaveAttribute('aria-expanded', 'true');
  await expect(entry).toBeFocused();

  // Tab leaves the tree item for the controls inside the optimizer: Copy, then the first
  // finding's link; Enter on the link focuses its row (expanded, one tab stop), where the
  // arrows go on.
  await key('Tab');
  await expect(panel.locator('.jp-Paramscope-copyFix')).toBeFocused();
  await key('Tab');
  const link = panel.locator('.jp-Paramscope-finding').first().locator('.jp-Paramscope-paramLink');
  await expect(link).toBeFocused();
  await expect(link).toHaveCSS('outline-style', 'solid');
  const target = await link.locator('.jp-Paramscope-paramName').getAttribute('title');
  await key('Enter');
  await expect(focused).toHaveAttribute('data-param', target!);
  await expect(focused).toHaveClass(/jp-mod-revealed/);
  await expect(focused).toHaveCSS('outline-style', 'solid');
  await expect(tabStops).toHaveCount(1);
  await key('ArrowLeft');
  await expect(focused).toHaveAttribute('aria-level', '2');
  // Shift+Tab from the tree goes back to the controls above it, not into other tree items.
  await key('Shift+Tab');
  await expect(focused).not.toHaveAttribute('role', 'treeitem');
  await panel.screenshot({ path: path.join(artifacts, 'design-keyboard.png') });
  expect(await axeViolations(page, '.jp-Paramscope-panel')).toEqual([]);
  expect(consoleErrors).toEqual([]);
});
