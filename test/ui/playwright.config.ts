/**
 * UI tests: galata (JupyterLab's Playwright helpers) in Debian's Chromium against a real
 * JupyterLab server that Playwright starts on a free port and stops at the end, whatever happens.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { defineConfig } from '@playwright/test';

const root = path.resolve(__dirname, '../..');
const jupyter = path.join(root, '.venv', 'bin', 'jupyter');
const serverConfig = path.join(__dirname, 'jupyter_server_test_config.py');

// Chosen once by the main process; the workers inherit it through the environment.
if (!process.env.PARAMSCOPE_UI_PORT) {
  process.env.PARAMSCOPE_UI_PORT = execFileSync(
    'python3',
    ['-c', 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'],
    { encoding: 'utf8' }
  ).trim();
}
const port = process.env.PARAMSCOPE_UI_PORT;
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'tests',
  outputDir: path.join(root, 'artifacts', 'ui', 'results'),
  timeout: 180_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: path.join(root, 'artifacts', 'ui', 'report') }]],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    video: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    }
  },
  webServer: {
    command: `${jupyter} lab --config ${serverConfig}`,
    url: `${baseURL}/lab`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe'
  }
});
