// The closing line of `npm test` is the truth: a test file that fails to import, a skipped
// test, a failed typecheck and a missing report each show on it. The Vitest report comes
// from a real Vitest run over fixture files; the Playwright one has the shape Playwright
// writes (stats and top-level errors).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarise } from './test-summary.mjs';

const root = resolve(import.meta.dirname, '..');
let dir: string;
let vitestReport: object;

beforeAll(() => {
  mkdirSync(join(root, '.test-output'), { recursive: true });
  dir = mkdtempSync(join(root, '.test-output', 'summary-fixture-'));
  writeFileSync(join(dir, 'vitest.config.mjs'), "export default { test: { include: ['*.test.mjs'], environment: 'node' } };\n");
  writeFileSync(join(dir, 'good.test.mjs'), "import { it, expect } from 'vitest';\nit('passes', () => expect(1 + 1).toBe(2));\nit('passes too', () => expect('a').toBe('a'));\n");
  writeFileSync(join(dir, 'broken.test.mjs'), "import './no-such-module.mjs';\nimport { it } from 'vitest';\nit('never runs', () => {});\n");
  writeFileSync(join(dir, 'mixed.test.mjs'), "import { it, expect } from 'vitest';\nit.skipIf(true)('needs a missing tool', () => {});\nit('fails', () => expect(1).toBe(2));\n");
  const json = join(dir, 'report.json');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', dir, '--config', join(dir, 'vitest.config.mjs'), '--reporter=json', `--outputFile=${json}`], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', VITEST: undefined, VITEST_WORKER_ID: undefined, VITEST_POOL_ID: undefined, NODE_OPTIONS: undefined },
  });
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(1);
  vitestReport = JSON.parse(readFileSync(json, 'utf8')) as object;
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const okSteps = [
  { name: 'typecheck', ok: true },
  { name: 'lint', ok: true },
];

describe('npm test closing line (scripts/test-summary.mjs)', () => {
  it('counts a test file that fails to import as failed, and a skipped test as skipped, never passed', () => {
    const s = summarise({ steps: [...okSteps, { name: 'vitest', ok: false, report: 'vitest' }], vitest: vitestReport });
    expect(s.line).toBe('2 passed, 2 failed, 1 skipped');
    expect(s.problems.join('\n')).toMatch(/1 test file\(s\) failed to load: .*broken\.test\.mjs/);
    expect(s.exitCode).toBe(1);
  });

  it('a failed typecheck or lint counts as failed even when every test passed', () => {
    const s = summarise({ steps: [{ name: 'typecheck', ok: false }, { name: 'lint', ok: false }] });
    expect(s.line).toBe('0 passed, 2 failed, 0 skipped');
    expect(s.problems).toEqual(['typecheck failed', 'lint failed']);
    expect(s.exitCode).toBe(1);
  });

  it('a missing report counts as failed', () => {
    const s = summarise({ steps: [...okSteps, { name: 'playwright', ok: false, report: 'playwright' }], playwright: null });
    expect(s.line).toBe('0 passed, 1 failed, 0 skipped');
    expect(s.problems[0]).toMatch(/no playwright report/);
  });

  it('a Playwright error outside any test (a spec that does not import) counts as failed', () => {
    const playwright = { stats: { expected: 5, unexpected: 0, flaky: 1, skipped: 0 }, errors: [{ message: 'Error: Cannot find module' }] };
    const s = summarise({ steps: [...okSteps, { name: 'playwright', ok: false, report: 'playwright' }], playwright });
    expect(s.line).toBe('6 passed, 1 failed, 0 skipped');
  });

  it('a step that failed although its report counts no failure is counted once', () => {
    const playwright = { stats: { expected: 3, unexpected: 0, flaky: 0, skipped: 0 }, errors: [] };
    const s = summarise({ steps: [...okSteps, { name: 'playwright', ok: false, report: 'playwright' }], playwright });
    expect(s.line).toBe('3 passed, 1 failed, 0 skipped');
  });

  it('skips pass locally but fail the run under CI', () => {
    const playwright = { stats: { expected: 3, unexpected: 0, flaky: 0, skipped: 2 }, errors: [] };
    const steps = [...okSteps, { name: 'playwright', ok: true, report: 'playwright' as const }];
    expect(summarise({ steps, playwright, ci: false })).toMatchObject({ line: '3 passed, 0 failed, 2 skipped', exitCode: 0 });
    const onCi = summarise({ steps, playwright, ci: true });
    expect(onCi).toMatchObject({ line: '3 passed, 0 failed, 2 skipped', exitCode: 1 });
    expect(onCi.problems.at(-1)).toMatch(/CI runs every test/);
  });

  it('a clean run is 0 failed, 0 skipped and exits 0', () => {
    const playwright = { stats: { expected: 4, unexpected: 0, flaky: 0, skipped: 0 }, errors: [] };
    const vitest = { numPassedTests: 10, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [{ name: 'a.test.ts', status: 'passed', assertionResults: [{ status: 'passed' }] }] };
    const s = summarise({ steps: [...okSteps, { name: 'vitest', ok: true, report: 'vitest' }, { name: 'playwright', ok: true, report: 'playwright' }], vitest, playwright, ci: true });
    expect(s).toMatchObject({ line: '14 passed, 0 failed, 0 skipped', exitCode: 0, problems: [] });
  });
});
