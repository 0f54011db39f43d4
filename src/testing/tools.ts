/**
 * Probes for the external tools that interop tests shell out to (Python `cryptography`,
 * openssl), and the rule for when a tool is missing. Node only: import it from
 * `*.node.test.ts` files (the chromium project excludes those).
 *
 * Common case:
 * ```ts
 * const python = findPythonWithCryptography();
 * interopSuite('python cryptography interop', python !== null, () => {
 *   it('a Clavis token opens in Python', ...);
 * }, 'python3-cryptography');
 * ```
 *
 * The rule (no skipped tests): with the tool present the suite runs. Without it, on CI
 * (`process.env.CI` set) one test fails loudly ("<tool> is not installed: interop not
 * run"); on a developer machine one clearly named test records that the suite did not run
 * and asserts the probe really found nothing.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
 * Runs `body` as a describe block when `available`; otherwise registers the one test the
 * rule above asks for. `tool` names the missing package in the test name and message.
 */
export function interopSuite(name: string, available: boolean, body: () => void, tool = 'the interop tool'): void {
  if (available) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it(`${name}: NOT RUN (${tool} missing)`, () => {
        throw new Error(`${tool} is not installed: interop not run`);
      });
    });
    return;
  }
  describe(name, () => {
    it(`${name}: NOT RUN (${tool} missing)`, () => {
      expect(available).toBe(false);
    });
  });
}
