// Which Chromium the tests drive: a Playwright-provided browser where one is installed
// (an ordinary developer laptop after `npx playwright install chromium`), otherwise the
// system's Chromium (Debian's /usr/bin/chromium), which is what CI installs.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SYSTEM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags for a quiet headless Chromium on a machine without network or GPU. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** The executable to launch, or undefined to let Playwright use its own download. */
export function chromiumExecutable() {
  if (process.env.CLAVIS_CHROMIUM) return process.env.CLAVIS_CHROMIUM;
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return undefined;
  } catch {
    // No Playwright browser registered: fall through to the system one.
  }
  return SYSTEM_CANDIDATES.find((p) => existsSync(p));
}

export function chromiumLaunchOptions() {
  const executablePath = chromiumExecutable();
  return { args: CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) };
}
