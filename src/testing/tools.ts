/**
 * Probes for the external tools that interop tests shell out to (Python `cryptography`,
 * openssl, dumpasn1, GnuTLS certtool), and the rule for when a tool is missing. Node
 * only: import it from `*.node.test.ts` files (the chromium project excludes those) and
 * from Playwright specs.
 *
 * Common case:
 * ```ts
 * const python = findPythonWithCryptography();
 * interopSuite('python cryptography interop', python !== null, () => {
 *   it('a Clavis token opens in Python', ...);
 * }, 'python3-cryptography');
 * ```
 *
 * The rule: with the tool present the suite runs. Without it every test of the suite is
 * reported as SKIPPED, with the missing package in the suite's name, never as a pass.
 * `npm test` prints skipped tests on its closing line, and under CI (`CI=true`) a skip
 * fails the run: CI installs every tool (scripts/ensure-tools.sh).
 *
 * Every tool a test runs is listed in TEST_TOOLS, which scripts/ensure-tools.sh installs
 * (scripts/tools.test.ts checks the list against the code and against the machine).
 */
import { spawnSync } from 'node:child_process';
import { describe } from 'vitest';

/** Pythons to try, in order. */
export const PYTHON_CANDIDATES = ['python3', '/usr/bin/python3'];

let pythonCache: string | null | undefined;

function runs(cmd: string, args: string[]): boolean {
  try {
    const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 });
    return r.status === 0;
  } catch {
    return false;
  }
}

/** The first Python that can `import cryptography`, or null. Cached per process. */
export function findPythonWithCryptography(): string | null {
  if (pythonCache === undefined) {
    pythonCache = PYTHON_CANDIDATES.find((p) => runs(p, ['-c', 'import cryptography.fernet'])) ?? null;
  }
  return pythonCache;
}

let opensslCache: boolean | undefined;

/** True when an `openssl` binary runs. Cached per process. */
export function haveOpenssl(): boolean {
  if (opensslCache === undefined) opensslCache = runs('openssl', ['version']);
  return opensslCache;
}

/**
 * The rule above: `body` as a describe block that runs when `available`, and whose tests
 * are all reported as skipped when not. `tool` names the missing package.
 */
export function interopSuite(name: string, available: boolean, body: () => void, tool = 'the interop tool'): void {
  describe.skipIf(!available)(available ? name : `${name} (NOT RUN: ${tool} is not installed)`, body);
}

/** True when `cmd` can be spawned at all (tools like dumpasn1 exit non-zero on --help). */
export function toolSpawns(cmd: string): boolean {
  try {
    return spawnSync(cmd, [], { stdio: 'ignore', timeout: 20_000 }).error === undefined;
  } catch {
    return false;
  }
}

/** True when `cmd args` runs and exits 0. */
export function toolRuns(cmd: string, args: string[]): boolean {
  return runs(cmd, args);
}
