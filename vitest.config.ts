import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { playwright } from '@vitest/browser-playwright';
import { chromiumLaunchOptions } from './scripts/browser.mjs';

// Three projects:
// - node: engine tests in Node with fake-indexeddb (fast) and the interop tests that
//   shell out to openssl and Python;
// - jsdom: React components with Testing Library;
// - chromium: the same engine tests in real headless Chromium (real WebCrypto, real
//   IndexedDB), plus the browser-only ones (*.browser.test.ts).
export default defineConfig({
  plugins: [react()],
  resolve: { dedupe: ['asn1js', 'pkijs'] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/engine/**/*.test.ts', 'src/routes/**/*.test.ts', 'src/testing/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.browser.test.ts'],
          setupFiles: ['src/testing/setup-node.ts'],
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'jsdom',
          environment: 'jsdom',
          include: ['src/**/*.test.tsx', 'src/state/**/*.test.ts'],
          setupFiles: ['src/testing/setup-node.ts', 'src/testing/setup-dom.ts'],
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['src/engine/**/*.test.ts'],
          exclude: ['src/engine/**/*.node.test.ts'],
          testTimeout: 300_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromiumLaunchOptions() }),
            instances: [{ browser: 'chromium' }],
            screenshotFailures: false,
          },
        },
      },
    ],
  },
});
