// A fresh machine runs every test: each command a test shells out to, derived from the
// code (not listed by hand), is installed by scripts/ensure-tools.sh and is on PATH
// after it ran (CI runs it first). On a developer machine without a tool, its check is
// reported as skipped; under CI that fails the run.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPythonWithCryptography } from '../src/testing/tools';

const root = resolve(import.meta.dirname, '..');
const ensureTools = readFileSync(join(root, 'scripts', 'ensure-tools.sh'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' ? [] : files(p);
    return /\.(ts|tsx|mjs)$/.test(name) ? [p] : [];
  });
}

/** Commands spawned by tests and test helpers: spawnSync/spawn/execFileSync('cmd', …) and toolRuns/toolSpawns('cmd'). */
function spawnedCommands(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const sources = [...files(join(root, 'src')), ...files(join(root, 'e2e'))].filter((p) => /\.(test|spec)\.tsx?$|\/testing\//.test(p));
  const call = /\b(?:spawnSync|spawn|execFileSync|execFile|toolRuns|toolSpawns)\(\s*['"`]([\w./+-]+)['"`]/g;
  for (const p of sources) {
    for (const m of readFileSync(p, 'utf8').matchAll(call)) {
      const where = found.get(m[1]!) ?? [];
      where.push(relative(root, p));
      found.set(m[1]!, where);
    }
  }
  return found;
}

/** The `command package` table of ensure-tools.sh. */
function installedByEnsureTools(): Map<string, string> {
  const table = /TOOLS=\(\n([\s\S]*?)\n\)/.exec(ensureTools)?.[1] ?? '';
  return new Map([...table.matchAll(/"(\S+)\s+(\S+)"/g)].map((m) => [m[1]!, m[2]!]));
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v "${cmd}"`], { stdio: 'ignore' }).status === 0;
}

const spawned = spawnedCommands();
const table = installedByEnsureTools();
const ci = process.env.CI === 'true' || process.env.CI === '1';

describe('test tools on a fresh machine (scripts/ensure-tools.sh)', () => {
  it('finds the commands the tests run (the scan itself works)', () => {
    expect([...spawned.keys()]).toEqual(expect.arrayContaining(['openssl', 'dumpasn1', 'certtool']));
    expect(table.size).toBeGreaterThanOrEqual(3);
  });

  it('ensure-tools.sh installs every command a test runs', () => {
    const notInstalled = [...spawned].filter(([cmd]) => !table.has(cmd)).map(([cmd, where]) => `${cmd} (run by ${where.join(', ')})`);
    expect(notInstalled, 'commands the tests run that ensure-tools.sh never installs').toEqual([]);
  });

  it('ensure-tools.sh installs Python cryptography and a Chromium, which the interop and browser tests need', () => {
    expect(ensureTools).toMatch(/python3-cryptography/);
    expect(ensureTools).toMatch(/import cryptography\.fernet/);
    expect(ensureTools).toMatch(/\bchromium\b/);
  });

  for (const cmd of spawned.keys()) {
    const present = onPath(cmd);
    it.skipIf(!present && !ci)(`${cmd} is on PATH${present ? '' : ' (NOT RUN: not installed on this machine)'}`, () => {
      expect(present, `${cmd} is not on PATH: run scripts/ensure-tools.sh`).toBe(true);
    });
  }

  it('npm keeps its peer-dependency checks on, and the installed tree satisfies them (one asn1js for pkijs, P1)', () => {
    const npmrc = spawnSync('sh', ['-c', 'cat .npmrc 2>/dev/null'], { cwd: root, encoding: 'utf8' }).stdout;
    expect(npmrc).not.toMatch(/legacy-peer-deps|strict-peer-deps\s*=\s*false|force\s*=\s*true/);
    const ls = spawnSync('npm', ['ls', '--all', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(ls.status, `npm ls --all reports problems: ${ls.stderr}`).toBe(0);
    const asn1 = spawnSync('npm', ['ls', 'asn1js', '--all', '--parseable'], { cwd: root, encoding: 'utf8' });
    expect(new Set(asn1.stdout.trim().split('\n').filter((l) => l.endsWith('/asn1js'))).size).toBe(1);
  });

  const python = findPythonWithCryptography();
  it.skipIf(python === null && !ci)(`a Python with cryptography is found${python === null ? ' (NOT RUN: not installed on this machine)' : ''}`, () => {
    expect(python, 'no python3 with the cryptography package: run scripts/ensure-tools.sh').not.toBeNull();
  });
});
