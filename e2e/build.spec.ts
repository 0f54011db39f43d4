// The production build the tests and users get: no address off the origin baked in
// (H3), no inline script in the HTML (H1), and the entry chunk within budget (P13:
// pkijs must load on demand, not with the first page).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from './fixtures';

const dist = resolve(import.meta.dirname, '..', 'dist');

// Strings that look like addresses but are never requested: XML namespaces, the link
// React prints in its production error messages, and the reserved documentation
// domains (RFC 2606) that form placeholders show as examples.
const NOT_REQUESTS = [
  /^http:\/\/www\.w3\.org\//,
  /^https:\/\/react\.dev\/errors\//,
  /^https?:\/\/([a-z0-9-]+\.)*example\.(com|org|net)(\/|$)/,
];

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

test('H3 the built app names no address off its origin', async ({ page }) => {
  await page.goto('/');
  const found: string[] = [];
  for (const f of files(dist).filter((p) => /\.(js|html|css)$/.test(p))) {
    for (const m of readFileSync(f, 'utf8').matchAll(/https?:\/\/[^\s"'`)<>]+/g)) {
      if (!NOT_REQUESTS.some((r) => r.test(m[0]))) found.push(`${f.slice(dist.length)}: ${m[0]}`);
    }
  }
  expect(found).toEqual([]);
});

test('H1 the HTML has no inline script or style, and the entry chunk stays small (P13)', async ({ page }) => {
  await page.goto('/');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style/);
  expect(html).not.toMatch(/\sstyle=/);
  // The first page loads the entry and every chunk it preloads: together they are the budget.
  const entry = /<script[^>]*src="\/?([^"]+\.js)"/.exec(html)![1]!;
  const preloaded = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/?([^"]+\.js)"/g)].map((m) => m[1]!);
  const firstLoad = [entry, ...preloaded];
  const gz = firstLoad.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f))).length, 0);
  // React, the vault UI and the engine core fit in 145,000 bytes gzipped (issue 15 asks for
  // 150,000; key import, export and format sniffing load on first use, which leaves room);
  // pkijs alone would add ~84 KB, and the CA, KDC and exchange screens load with their routes.
  expect(gz).toBeLessThanOrEqual(145_000);
  for (const f of firstLoad) {
    const code = readFileSync(join(dist, f), 'utf8');
    expect(code, f).not.toContain('CertificateChainValidationEngine');
    expect(code, f).not.toContain('INSECURE, demonstration only');
  }
});
