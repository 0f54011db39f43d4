// Issue 12 "one route table": no source file under src/ but the table (src/routes/routes.ts)
// writes a hash path as a literal ('#/…', "#/…" or `#/…`); links come from href(). Comments
// may still quote paths, and tests and test helpers (src/testing/) may spell the URLs the
// user sees, as the Playwright tests in e2e/ do.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const TABLE = 'src/routes/routes.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

const isTest = (rel: string) => /\.test\.tsx?$/.test(rel) || rel.endsWith('.d.ts') || rel.startsWith('src/testing/');

/**
 * The source with its comments blanked (lines kept, so hits keep their line numbers):
 * block comments and line comments that open a line, which is where this codebase writes
 * them (doc blocks, JSX `{/* … *\/}`, `// why` lines). A literal after code on the same
 * line is still seen, and a trailing comment quoting a path is reported: reword it.
 */
function withoutComments(text: string): string {
  const blank = (c: string) => c.replace(/[^\n]/g, ' ');
  return text.replace(/^[ \t]*\{?\/\*[\s\S]*?\*\/\}?/gm, blank).replace(/^[ \t]*\/\/.*$/gm, blank);
}

/** Each line of the source that opens a string, JSX attribute or template with "#/". */
function hashLiterals(text: string): string[] {
  return withoutComments(text)
    .split('\n')
    .flatMap((line, i) => (/['"`]#\//.test(line) ? [`${i + 1}: ${line.trim()}`] : []));
}

describe('issue 12: one route table', () => {
  it('finds the literals it is looking for, and not in comments', () => {
    const sample = [
      '/**',
      ' * The key page (`#/keys/<id>`), see "#/keys".',
      ' */',
      "// '#/audit' lists entries",
      "const a = '#/keys';",
      'const b = `#/keys/${id}`;',
      '<a href="#/">Home</a>',
      "  {/* '#/x' in JSX */}",
      "const c = href({ name: 'keys' }); const d = '#main';",
    ].join('\n');
    expect(hashLiterals(sample)).toEqual(["5: const a = '#/keys';", '6: const b = `#/keys/${id}`;', '7: <a href="#/">Home</a>']);
  });

  it('sees the literals of the table itself (the scan reads real files)', () => {
    expect(hashLiterals(readFileSync(join(ROOT, TABLE), 'utf8')).length).toBeGreaterThan(0);
  });

  it(`no non-test file under src/ but ${TABLE} spells a "#/" path`, () => {
    const files = sources(join(ROOT, 'src')).map((p) => relative(ROOT, p).split('\\').join('/'));
    expect(files.length).toBeGreaterThan(300);
    const found = files
      .filter((rel) => rel !== TABLE && !isTest(rel))
      .flatMap((rel) => hashLiterals(readFileSync(join(ROOT, rel), 'utf8')).map((hit) => `${rel}:${hit}`));
    expect(found).toEqual([]);
  });
});
