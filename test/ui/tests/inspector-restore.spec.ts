import { expect, test } from '@jupyterlab/galata';

test('the Parameter groups panel is restored after a reload (ILayoutRestorer)', async ({ page }) => {
  await page.evaluate(() => window.jupyterapp.commands.execute('paramscope:open-inspector'));
  await expect(page.locator('.jp-Paramscope-panel')).toBeVisible();
  // Let the layout restorer save the workspace, then load the page again.
  await page.waitForTimeout(1500);
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#jupyterlab-splash', { state: 'detached', timeout: 60_000 });
  await expect(page.locator('.jp-Paramscope-panel')).toBeVisible();
  await expect(page.locator('.jp-Paramscope-headline')).toHaveText(/no notebook|Open a notebook/i);
});
