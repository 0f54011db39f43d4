// Issue 12: every folder under src/ has its one-line job in the README's folder table, and the table names no folder that is gone.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function folders(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? [`${relative(ROOT, path)}/`, ...folders(path)] : [];
  });
}

/** The README's folder table: `| \`src/…/\` | job |` rows. */
function table(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  return new Map([...readme.matchAll(/^\| `(src\/[^`]*\/)` \| (.*?) \|$/gm)].map((m) => [m[1]!, m[2]!.trim()]));
}

describe('folder jobs', () => {
  it('every folder under src/ has a row with its job in the README, and every row names a folder that exists', () => {
    const actual = folders(join(ROOT, 'src')).sort();
    const rows = table();
    expect(actual.length).toBeGreaterThan(30);
    expect(actual.filter((f) => !rows.has(f))).toEqual([]);
    expect([...rows.keys()].filter((f) => !actual.includes(f))).toEqual([]);
    expect([...rows].filter(([, job]) => job.length < 10).map(([f]) => f)).toEqual([]);
  });
});
