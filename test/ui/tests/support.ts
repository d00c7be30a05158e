import type { Page } from '@playwright/test';

/**
 * `test.use(REAL_KERNELS_API)` in tests that restart a kernel.
 *
 * galata's `kernels` fixture (on by default) routes every request under /api/kernels through
 * `Mock.mockRunners` (@jupyterlab/galata 5.6.4, lib/galata.js, its 'POST' case), which answers any
 * successful POST with status 201 — also POST /api/kernels/<id>/restart, which Jupyter Server
 * answers with 200 (jupyter_server/services/kernels/handlers.py, KernelActionHandler.post).
 * JupyterLab's `restartKernel` (@jupyterlab/services 7.6.6, lib/kernel/restapi.js) accepts only
 * 200, so under the mock every restart throws "Invalid response: 201 Created" (logged by
 * SessionContext.restartKernel), skips KernelConnection.restart's reconnect and leaves the
 * kernel's status at "restarting" until the kernel happens to send a status message. Without the
 * mock the server's own answer reaches JupyterLab; galata's `sessions` fixture still shuts the
 * test's kernels down.
 */
export const REAL_KERNELS_API = { kernels: null };

/** Collects console errors, uncaught page errors and unexpected dialogs of a page. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('dialog', (dialog) => {
    errors.push(`unexpected dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return errors;
}

/**
 * Presses the panel's "Copy corrected groups" and returns what it put on the clipboard; running
 * that code is the test that the copied fix works.
 */
export async function copyCorrectedGroups(page: Page): Promise<string> {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  const panel = page.locator('.jp-Paramscope-panel');
  await panel.locator('.jp-Paramscope-copyFix').first().click();
  await panel
    .locator('.jp-Paramscope-copyStatus', { hasText: /^Copied / })
    .first()
    .waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Restarts the active notebook's kernel the way a user does: the command, then its dialog. */
export async function restartKernel(page: Page): Promise<void> {
  await page.evaluate(() => {
    void window.jupyterapp.commands.execute('notebook:restart-kernel');
  });
  await page.locator('.jp-Dialog .jp-mod-accept').click();
}

/**
 * The panel's headline once a restart has been taken in: one state, whatever the timing; it names
 * what to re-run (`inspect()` or `watch()` on tslab, `paramscope.inspect()` on Python).
 */
export const STALE_AFTER_RESTART =
  /^Stale: the kernel restarted\. Re-run the cells that call (inspect\(\) or watch\(\)|paramscope\.inspect\(\))\.$/;
