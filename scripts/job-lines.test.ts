// Issue 12: every source file under src/ opens with its job line (a comment before any
// import), the way the engine's files do, so a newcomer reads what a file is for first.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('job lines', () => {
  it('every non-test .ts/.tsx file under src/ opens with a comment that says its job', () => {
    const files = sources(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(300);
    const missing = files.filter((f) => !/^(\/\/ \S|\/\*\*\s*\S|\/\*\*\n \* \S)/.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(missing).toEqual([]);
  });
});
