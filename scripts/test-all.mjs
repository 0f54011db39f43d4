// `npm test`: every suite, on a fresh machine too. Installs what is missing (npm
// packages; Chromium and the interop tools where the machine allows), then runs the
// typecheck, lint, the Vitest projects (node, jsdom, chromium) and the Playwright
// end-to-end tests, and ends with one line, counted by scripts/test-summary.mjs:
// `N passed, N failed, N skipped`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { summarise } from './test-summary.mjs';

const root = resolve(import.meta.dirname, '..');
const out = join(root, '.test-output');
const env = { ...process.env, FORCE_COLOR: '0' };
const ci = process.env.CI === 'true' || process.env.CI === '1';

function run(title, cmd, args, extraEnv = {}) {
  console.log(`\n=== ${title} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  return r.status === 0;
}

/** Stops before any test runs, with a closing line that says so. */
function stop(why) {
  console.log(`\nclavis: ${why}`);
  console.log('\n0 passed, 1 failed, 0 skipped');
  process.exit(1);
}

if (!existsSync(join(root, 'node_modules', '.bin', 'vitest'))) {
  if (!run('install npm packages', 'npm', ['ci', '--no-audit', '--no-fund'])) stop('npm ci failed: the npm packages are not installed, so no test can run.');
}
if (!run('install test tools (Chromium, openssl, dumpasn1, GnuTLS, Python cryptography)', 'bash', ['scripts/ensure-tools.sh'])) {
  stop('scripts/ensure-tools.sh failed (its message is above): the tools the tests need are not installed.');
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const steps = [];
steps.push({ name: 'typecheck', ok: run('typecheck (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) });
steps.push({ name: 'lint', ok: run('lint (oxlint, import boundaries)', 'npx', ['oxlint', '-c', '.oxlintrc.json', '--deny-warnings', 'src', 'e2e', 'scripts']) });
const vitestJson = join(out, 'vitest.json');
steps.push({
  name: 'vitest',
  report: 'vitest',
  ok: run('unit, component and in-browser engine tests (Vitest: node, jsdom, chromium)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]),
});
const pwJson = join(out, 'playwright.json');
steps.push({ name: 'playwright', report: 'playwright', ok: run('end-to-end tests (Playwright, Chromium, production build)', 'npx', ['playwright', 'test'], { CLAVIS_PW_JSON: pwJson }) });

function readJson(p) {
  try {
    return JSON.parse(readFileSync(p, 'utf8'));
  } catch {
    return null;
  }
}
const summary = summarise({ steps, vitest: readJson(vitestJson), playwright: readJson(pwJson), ci });
if (summary.problems.length) console.log(`\n${summary.problems.map((p) => `- ${p}`).join('\n')}`);
console.log(`\n${summary.line}`);
process.exit(summary.exitCode);
