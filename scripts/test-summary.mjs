// The closing line of `npm test`, counted honestly from what each step left behind:
// `N passed, N failed, N skipped`.
//
// - passed: tests that ran and passed (Vitest and Playwright reports).
// - failed: failed tests, plus one for every test file that failed to load, every
//   Playwright error outside a test (a spec that does not import, a server that did not
//   start), every step without tests that failed (typecheck, lint), every missing report,
//   and every step that failed although its report counts no failure.
// - skipped: tests that did not run (a missing tool or algorithm, todo). Never a pass;
//   under CI (`CI=true`) any skip fails the run.

/**
 * @typedef {{ name: string, ok: boolean, report?: 'vitest' | 'playwright' }} Step
 * @typedef {{ passed: number, failed: number, skipped: number, problems: string[], exitCode: 0 | 1, line: string }} Summary
 */

/** Counts of one Vitest JSON report (`--reporter=json`). */
export function countVitest(report) {
  let loadFailures = 0;
  const files = [];
  for (const file of report.testResults ?? []) {
    const assertions = file.assertionResults ?? [];
    // A file whose tests never ran (import error, syntax error, a throw at top level)
    // is "failed" with no failed test in it.
    if (file.status === 'failed' && !assertions.some((a) => a.status === 'failed')) {
      loadFailures += 1;
      files.push(file.name);
    }
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + loadFailures,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
    loadFailures: files,
  };
}

/** Counts of one Playwright JSON report. */
export function countPlaywright(report) {
  const s = report.stats ?? {};
  const errors = (report.errors ?? []).length;
  return {
    passed: (s.expected ?? 0) + (s.flaky ?? 0),
    failed: (s.unexpected ?? 0) + errors,
    skipped: s.skipped ?? 0,
    errors,
  };
}

/**
 * The closing summary of a run.
 * @param {{ steps: Step[], vitest?: object | null, playwright?: object | null, ci?: boolean }} run
 * @returns {Summary}
 */
export function summarise({ steps, vitest = null, playwright = null, ci = false }) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const problems = [];
  const reports = { vitest, playwright };
  for (const step of steps) {
    if (!step.report) {
      if (!step.ok) {
        failed += 1;
        problems.push(`${step.name} failed`);
      }
      continue;
    }
    const report = reports[step.report];
    if (!report) {
      failed += 1;
      problems.push(`${step.name}: no ${step.report} report was written`);
      continue;
    }
    const c = step.report === 'vitest' ? countVitest(report) : countPlaywright(report);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    if (c.loadFailures?.length) problems.push(`${step.name}: ${c.loadFailures.length} test file(s) failed to load: ${c.loadFailures.join(', ')}`);
    if (c.errors) problems.push(`${step.name}: ${c.errors} error(s) outside any test`);
    if (!step.ok && c.failed === 0) {
      failed += 1;
      problems.push(`${step.name} exited with an error although no test failed`);
    }
  }
  if (skipped > 0) problems.push(`${skipped} test(s) skipped (a missing tool or algorithm)${ci ? ': CI runs every test' : ''}`);
  const exitCode = failed > 0 || (ci && skipped > 0) ? 1 : 0;
  return { passed, failed, skipped, problems, exitCode, line: `${passed} passed, ${failed} failed, ${skipped} skipped` };
}
