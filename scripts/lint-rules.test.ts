// The import boundaries of STYLE.md are enforced by oxlint (.oxlintrc.json). This test
// runs the real linter with the project's config over a throwaway tree of deliberate
// violations, so a config edit that silently drops a boundary fails here.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function lint(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'clavis-lint-'));
  copyFileSync(join(root, '.oxlintrc.json'), join(dir, '.oxlintrc.json'));
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  try {
    return execFileSync(join(root, 'node_modules/.bin/oxlint'), ['-c', '.oxlintrc.json', '--format', 'unix', 'src'], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? '');
  }
}

describe('lint: import boundaries of STYLE.md', () => {
  it('keeps the engine free of React, zustand, idb (outside storage) and pkijs (outside pki)', () => {
    const out = lint({
      'src/engine/keys/bad.ts': "import { useState } from 'react';\nimport { create } from 'zustand';\nimport { openDB } from 'idb';\nimport * as p from 'pkijs';\nexport const a = [useState, create, openDB, p];\n",
    });
    expect(out).toMatch(/bad\.ts.*'react' import is restricted/);
    expect(out).toMatch(/bad\.ts.*'zustand' import is restricted/);
    expect(out).toMatch(/bad\.ts.*'idb' import is restricted/);
    expect(out).toMatch(/bad\.ts.*'pkijs' import is restricted/);
  });

  it('holds the bulk worker under src/engine/workers to the same engine boundaries', () => {
    const out = lint({
      'src/engine/workers/bad-worker.ts': "import { useState } from 'react';\nimport { openDB } from 'idb';\nimport * as p from 'pkijs';\nexport const a = [useState, openDB, p];\n",
    });
    expect(out).toMatch(/bad-worker\.ts.*'react' import is restricted/);
    expect(out).toMatch(/bad-worker\.ts.*'idb' import is restricted/);
    expect(out).toMatch(/bad-worker\.ts.*'pkijs' import is restricted/);
  });

  it('lets engine/pki import pkijs and engine/storage import idb, and nothing else', () => {
    const out = lint({
      'src/engine/pki/ok.ts': "import * as p from 'pkijs';\nimport * as a from 'asn1js';\nexport const x = [p, a];\n",
      'src/engine/storage/ok.ts': "import { openDB } from 'idb';\nexport const x = openDB;\n",
      'src/engine/storage/bad.ts': "import * as p from 'pkijs';\nexport const x = p;\n",
    });
    expect(out).not.toMatch(/ok\.ts/);
    expect(out).toMatch(/storage\/bad\.ts.*'pkijs' import is restricted/);
  });

  it('forbids one feature importing another, and shared UI importing state or engine', () => {
    const out = lint({
      'src/features/keys/x.tsx': "import { a } from '../home/y';\nimport { b } from '../../state/store';\nimport { c } from './local';\nexport const z = [a, b, c];\n",
      'src/components/ui/button.tsx': "import { s } from '../../state/store';\nexport const z = s;\n",
    });
    expect(out).toMatch(/keys\/x\.tsx.*'\.\.\/home\/y' import is restricted/);
    expect(out).not.toMatch(/state\/store' import is restricted.*keys/);
    expect(out).toMatch(/button\.tsx.*state\/store' import is restricted/);
  });

  it('lets src/copy import engine types only, lets features import it, and keeps it out of the engine and shared UI (issue 12)', () => {
    const out = lint({
      'src/copy/ok.ts': "// ok\nimport type { KdcCheck } from '../engine';\nimport { type KdcAttackName } from '../engine/kdc/types';\nexport type Id = KdcCheck | KdcAttackName;\n",
      'src/copy/bad.ts':
        "// bad\nimport { fromHex } from '../engine';\nimport { useState } from 'react';\nimport { s } from '../state/store';\nimport { f } from '../features/kdc/copy';\nimport { Badge } from '../components/ui/messages';\nexport const z = [fromHex, useState, s, f, Badge];\n",
      'src/features/kdc/uses-copy.ts': "// ok\nimport { KDC_CHECK_LABELS } from '../../copy/kdc';\nexport const z = KDC_CHECK_LABELS;\n",
      'src/engine/kdc/uses-copy.ts': "// bad\nimport { KDC_CHECK_LABELS } from '../../copy/kdc';\nexport const z = KDC_CHECK_LABELS;\n",
      'src/components/ui/uses-copy.tsx': "// bad\nimport { KDC_CHECK_LABELS } from '../../copy/kdc';\nexport const z = KDC_CHECK_LABELS;\n",
    });
    expect(out).not.toMatch(/copy\/ok\.ts/);
    expect(out).not.toMatch(/features\/kdc\/uses-copy\.ts/);
    expect(out).toMatch(/copy\/bad\.ts.*'\.\.\/engine' import is restricted/);
    expect(out).toMatch(/copy\/bad\.ts.*'react' import is restricted/);
    expect(out).toMatch(/copy\/bad\.ts.*'\.\.\/state\/store' import is restricted/);
    expect(out).toMatch(/copy\/bad\.ts.*'\.\.\/features\/kdc\/copy' import is restricted/);
    expect(out).toMatch(/copy\/bad\.ts.*'\.\.\/components\/ui\/messages' import is restricted/);
    expect(out).toMatch(/engine\/kdc\/uses-copy\.ts.*copy\/kdc' import is restricted/);
    expect(out).toMatch(/components\/ui\/uses-copy\.tsx.*copy\/kdc' import is restricted/);
  });

  it('lets features, shared UI and the app import the route table, which imports none of them (issue 12)', () => {
    const out = lint({
      'src/features/keys/ok.tsx': "import { href } from '../../routes/routes';\nexport const z = href;\n",
      'src/components/ui/ok.ts': "import { href } from '../../routes/routes';\nexport const z = href;\n",
      'src/app/ok.tsx': "import { parseHash } from '../routes/routes';\nexport const z = parseHash;\n",
      'src/routes/bad.ts': "import { useState } from 'react';\nimport { s } from '../state/store';\nimport { e } from '../engine';\nimport { b } from '../components/ui/button';\nimport { a } from '../app/router';\nexport const z = [useState, s, e, b, a];\n",
    });
    expect(out).not.toMatch(/ok\.tsx?/);
    expect(out).toMatch(/routes\/bad\.ts.*'react' import is restricted/);
    expect(out).toMatch(/routes\/bad\.ts.*state\/store' import is restricted/);
    expect(out).toMatch(/routes\/bad\.ts.*\.\.\/engine' import is restricted/);
    expect(out).toMatch(/routes\/bad\.ts.*components\/ui\/button' import is restricted/);
    expect(out).toMatch(/routes\/bad\.ts.*app\/router' import is restricted/);
  });

  it('forbids import cycles, type-only ones and long ones included (issue 12)', () => {
    const out = lint({
      'src/engine/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'src/engine/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      'src/engine/t1.ts': "import type { T2 } from './t2';\nexport type T1 = { t2?: T2 };\n",
      'src/engine/t2.ts': "import type { T1 } from './t1';\nexport type T2 = { t1?: T1 };\n",
      'src/engine/c1.ts': "import { c2 } from './c2';\nexport const c1 = () => c2;\n",
      'src/engine/c2.ts': "import { c3 } from './c3';\nexport const c2 = () => c3;\n",
      'src/engine/c3.ts': "import { c4 } from './c4';\nexport const c3 = () => c4;\n",
      'src/engine/c4.ts': "import { c1 } from './c1';\nexport const c4 = () => c1;\n",
      'src/engine/leaf.ts': "import { a } from './a';\nexport const leaf = a;\n",
    });
    expect(out).toMatch(/engine\/a\.ts.*[Cc]ycle/);
    expect(out).toMatch(/engine\/t1\.ts.*[Cc]ycle/);
    expect(out).toMatch(/engine\/c1\.ts.*[Cc]ycle/);
    expect(out).not.toMatch(/leaf\.ts.*[Cc]ycle/);
  });

  it('forbids Math.random in favour of crypto.getRandomValues (K5)', () => {
    const out = lint({ 'src/engine/internal/r.ts': 'export const r = Math.random();\n' });
    expect(out).toMatch(/r\.ts.*Math\.random/);
  });

  it('holds engine files to 400 lines and engine functions to 120 (issue 12), tests excepted', () => {
    const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const out = lint({
      'src/engine/keys/long-file.ts': Array.from({ length: 401 }, (_, i) => `export const c${i} = ${i};`).join('\n') + '\n',
      'src/engine/keys/long-fn.ts': `export function f(): number {\n${body(125)}\n  return v0;\n}\n`,
      'src/engine/keys/short-fn.ts': `export function g(): number {\n${body(100)}\n  return v0;\n}\n`,
      'src/engine/keys/long.test.ts': `export function t(): number {\n${body(500)}\n  return v0;\n}\n`,
    });
    expect(out).toMatch(/long-file\.ts.*max-lines/);
    expect(out).toMatch(/long-fn\.ts.*max-lines-per-function/);
    expect(out).not.toMatch(/short-fn\.ts.*max-lines/);
    expect(out).not.toMatch(/long\.test\.ts.*max-lines/);
  });
});
