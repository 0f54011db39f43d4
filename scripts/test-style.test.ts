// Issue 12: a view test says what it expects of an element it found. `toBeTruthy()` on a
// `getBy…`/`findBy…` result only repeats that the query found something (it throws
// otherwise); src/testing/dom.ts `expectShown` checks the element is shown to the user.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function tests(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tests(path);
    return /\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** A query result asserted only to exist: `expect(…getBy…(…)).toBeTruthy()`, with or without `.textContent` or `await`. */
const EMPTY_ASSERTION = /expect\((?:await )?[^;]*?\b(?:getBy|getAllBy|findBy|findAllBy)\w*\([^;]*\)(?:\.textContent)?\)\.toBeTruthy\(\)/;

describe('test style', () => {
  it('no view test asserts a getBy…/findBy… result with toBeTruthy()', () => {
    const files = tests(join(ROOT, 'src'));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (EMPTY_ASSERTION.test(line) ? [`${relative(ROOT, f)}:${i + 1}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('the scan recognises the patterns it forbids', () => {
    expect(EMPTY_ASSERTION.test("expect(screen.getByText('x')).toBeTruthy();")).toBe(true);
    expect(EMPTY_ASSERTION.test("expect(await within(d).findByText('x')).toBeTruthy();")).toBe(true);
    expect(EMPTY_ASSERTION.test("expect(within(b).getByText('2 selected').textContent).toBeTruthy();")).toBe(true);
    expect(EMPTY_ASSERTION.test("expectShown(screen.getByText('x'));")).toBe(false);
    expect(EMPTY_ASSERTION.test('expect(result.ok).toBeTruthy();')).toBe(false);
  });
});
