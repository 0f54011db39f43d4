import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './scripts/browser.mjs';

const PORT = Number(process.env.CLAVIS_E2E_PORT ?? 4317);

// End-to-end tests run against the production build served by `vite preview` with the
// same security headers users get (scripts/security-headers.mjs), in headless Chromium.
export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // Ceilings, not speeds: every wait is on a condition, and these are only reached when
  // the condition never comes, so a busy 2-core machine passes too.
  timeout: 600_000,
  expect: { timeout: 90_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CLAVIS_PW_JSON
    ? [['list'], ['json', { outputFile: process.env.CLAVIS_PW_JSON }]]
    : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    actionTimeout: 90_000,
    navigationTimeout: 90_000,
    launchOptions: chromiumLaunchOptions(),
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
