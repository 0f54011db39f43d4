// Clavis at scale, for `npm run bench` (part "scale"): issuance one at a time and in bulk
// against raw signing, issuance with 10,000 keys stored, 10,000 keys into the vault
// against one raw IndexedDB transaction (all in the bench page, bench/scale.ts), then the
// production app itself: its first-page JS, and the boot of #/keys and #/certs over
// 10,000 keys and 10,000 certificates, the longest task meanwhile, and clearing the key
// search. Every figure is the median of 3 runs; they land in `results.figures` under the
// names the issue asks for.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { SECURITY_HEADERS } from './security-headers.mjs';

const RUNS = 3;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const round = (x, d = 1) => (x === undefined ? undefined : Math.round(x * 10 ** d) / 10 ** d);

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Serves the built app (dist-bench-app/) with the production headers; unknown paths get index.html (hash routing needs none). */
function serveApp(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, SECURITY_HEADERS).end('not found');
      return;
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** The first page's JS: the entry script and every chunk the HTML preloads, gzipped (as e2e/build.spec.ts counts it). */
function initialJsGz(dir) {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const entry = /<script[^>]*src="\/?([^"]+\.js)"/.exec(html)[1];
  const preloaded = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="\/?([^"]+\.js)"/g)].map((m) => m[1]);
  return [entry, ...preloaded].reduce((sum, f) => sum + gzipSync(readFileSync(join(dir, f))).length, 0);
}

/** Seeds the app's database (after the app created it) with `n` keys and `n` certificates, raw, in one transaction each. */
async function seed(page, n) {
  await page.evaluate(async (count) => {
    const hex = (k) => Array.from(crypto.getRandomValues(new Uint8Array(k)), (b) => b.toString(16).padStart(2, '0')).join('');
    const db = await new Promise((ok, fail) => {
      const open = indexedDB.open('clavis');
      open.onsuccess = () => ok(open.result);
      open.onerror = () => fail(open.error);
    });
    const now = Date.now();
    const iso = (t) => new Date(t).toISOString();
    const put = (store, make) =>
      new Promise((ok, fail) => {
        const tx = db.transaction(store, 'readwrite');
        for (let i = 0; i < count; i++) tx.objectStore(store).put(make(i));
        tx.oncomplete = ok;
        tx.onerror = () => fail(tx.error);
      });
    await put('keys', (i) => {
      const id = `key_${hex(16)}`;
      return {
        id, name: `bench key ${String(i).padStart(5, '0')}`, owner: i % 3 ? 'class-a' : 'class-b', template: 'AES-GCM-256', kind: 'secret',
        operations: ['encrypt', 'decrypt', 'wrap', 'unwrap'], extractable: false, origin: 'generated', state: 'active', version: 1,
        createdAt: iso(now - i * 1000), fingerprint: { kind: 'kcv', value: hex(3) },
        dates: { createdAt: iso(now - i * 1000), activation: iso(now - i * 1000), protectStop: iso(now + 700 * 86400000), processStop: iso(now + 1000 * 86400000), deactivation: iso(now + 700 * 86400000) },
        history: [], keyringId: id, primary: true, dueAt: now + 700 * 86400000,
      };
    });
    await put('certs', (i) => {
      const serialHex = `01${hex(16)}`;
      return {
        id: `cert_${hex(16)}`, issuerId: 'ca_bench', serialHex, profile: 'tls-server', subject: `CN=host${i}.bench.test`, issuer: 'CN=Bench Issuing',
        sans: { dns: [`host${i}.bench.test`], ip: [], email: [], uri: [] }, notBefore: iso(now - 3600000), notAfter: iso(now + 90 * 86400000),
        source: 'csr', spkiSha256: hex(32), sha256: hex(32), truncated: false, der: new Uint8Array(8), createdAt: iso(now - i * 1000),
      };
    });
    db.close();
  }, n);
}

/** Opens `hash` fresh and returns when the list's first row is on screen, with the longest task before that. */
async function bootTo(page, url, hash) {
  await page.goto('about:blank');
  await page.goto(`${url}${hash}`);
  const handle = await page.waitForFunction(
    () => {
      if (!document.querySelector('tbody tr[data-row]')) return false;
      window.__bootDone ??= performance.now();
      return window.__bootDone;
    },
    null,
    { polling: 'raf', timeout: 120_000 },
  );
  const done = await handle.jsonValue();
  const longest = await page.evaluate((until) => Math.max(0, ...(window.__longtasks ?? []).filter((t) => t.startTime < until).map((t) => t.duration)), done);
  return { ms: done, longestTaskMs: longest };
}

/** Clears the key search after a search that shows one key: ms until the full list's rows are back. */
async function searchClear(page, n) {
  const search = page.getByRole('searchbox', { name: 'Search keys' });
  await search.fill(`bench key ${String(n - 1).padStart(5, '0')}`);
  await page.waitForFunction(() => document.querySelectorAll('tbody tr[data-row]').length === 1, null, { timeout: 60_000 });
  return page.evaluate(async () => {
    const input = document.querySelector('input[type="search"]');
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
    const t0 = performance.now();
    setValue.call(input, '');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((ok) => {
      const check = () => (document.querySelectorAll('tbody tr[data-row]').length > 1 ? ok() : requestAnimationFrame(check));
      check();
    });
    return performance.now() - t0;
  });
}

/**
 * Runs the scale part. `bench.call` drives the bench page; `context` is the persistent
 * browser context (the app gets its own page in it).
 */
export async function runScale({ bench, context, results, record, root, quick, log, issuanceOnly = false }) {
  const single = quick ? 20 : 200;
  const bulk = quick ? 200 : 2000;
  const tenK = quick ? 1000 : 10_000;
  const figures = (results.figures ??= {});
  // One run per call (each call must finish within the page-step timeout), samples joined.
  const runs = async (key, step, ...args) => {
    const outs = [];
    for (let r = 0; r < RUNS; r++) outs.push(await bench.call('scale', step, ...args, 1));
    const failed = outs.find((o) => !o.ok);
    if (failed) return record('scale', key, failed);
    const joined = {};
    for (const o of outs) for (const [k, v] of Object.entries(o.value)) joined[k] = Array.isArray(v) ? [...(joined[k] ?? []), ...v] : v;
    return record('scale', key, { ok: true, value: joined });
  };

  log(`bench: scale issuance (${single} one at a time, bulk ${bulk}, raw sign ${bulk}) x${RUNS}`);
  const iss = await runs('issuance', 'issuance', single, bulk);
  if (iss) {
    figures.issue_single_certs_per_s = round(median(iss.singlePerS));
    figures.issue_bulk_certs_per_s = round(median(iss.bulkPerS));
    figures.issue_raw_sign_per_s = round(median(iss.rawPerS));
    figures.issue_bulk_ratio_to_raw_sign = round(median(iss.ratio), 2);
    figures.issue_bulk_storage_floor_certs_per_s = round(median(iss.floorPerS));
    figures.issue_single_floor_certs_per_s = round(median(iss.singleFloorPerS));
  }
  if (issuanceOnly) return;
  log(`bench: scale issuance with ${tenK} keys stored x${RUNS}`);
  const at = await runs('issueAtKeys', 'issueAtKeys', tenK, quick ? 10 : 50);
  if (at) figures.issue_ms_at_10k_keys = round(median(at.perCert), 2);
  log(`bench: scale vault ${tenK} keys x${RUNS}`);
  const v = await runs('vault', 'vault', tenK);
  if (v) {
    figures.vault_10k_ms = round(median(v.engineMs), 0);
    figures.vault_10k_raw_limit_ms = round(median(v.rawMs), 0);
    figures.vault_10k_storage_floor_ms = round(median(v.floorMs), 0);
  }
  // worker_encrypt_longest_task_ms comes from the blocking part itself (scripts/bench.mjs).

  // The production app: first-page JS, then boot over 10k keys + 10k certificates.
  const appDir = join(root, 'dist-bench', 'app');
  log('bench: building the app into dist-bench/app');
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir: appDir, emptyOutDir: true } });
  figures.initial_js_gz_bytes = initialJsGz(appDir);
  const server = await serveApp(appDir);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const page = await context.newPage();
  try {
    await page.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longtasks.push({ startTime: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(url);
    await page.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60_000 });
    log(`bench: seeding the app with ${tenK} keys and ${tenK} certificates`);
    await seed(page, tenK);
    const keysBoot = [];
    const certsBoot = [];
    const clears = [];
    for (let r = 0; r < RUNS; r++) {
      keysBoot.push(await bootTo(page, url, '#/keys'));
      clears.push(await searchClear(page, tenK));
      certsBoot.push(await bootTo(page, url, '#/certs'));
    }
    record('scale', 'app', { ok: true, value: { keys: tenK, keysBoot, certsBoot, clears } });
    figures.boot_10k_ms = round(median(keysBoot.map((b) => b.ms)), 0);
    figures.boot_longest_task_ms = round(median(keysBoot.map((b) => b.longestTaskMs)), 0);
    figures.certs_boot_10k_ms = round(median(certsBoot.map((b) => b.ms)), 0);
    figures.certs_boot_longest_task_ms = round(median(certsBoot.map((b) => b.longestTaskMs)), 0);
    figures.search_clear_ms = round(median(clears), 1);
  } catch (e) {
    record('scale', 'app', { ok: false, error: e instanceof Error ? e.message : String(e) });
  } finally {
    await page.close();
    server.close();
    rmSync(appDir, { recursive: true, force: true });
  }
}

/** The scale figures as a table. */
export function reportScale(r, print) {
  const f = r.figures ?? {};
  const names = [
    'issue_single_certs_per_s', 'issue_single_floor_certs_per_s', 'issue_bulk_certs_per_s', 'issue_raw_sign_per_s', 'issue_bulk_ratio_to_raw_sign', 'issue_bulk_storage_floor_certs_per_s', 'issue_ms_at_10k_keys',
    'vault_10k_ms', 'vault_10k_raw_limit_ms', 'vault_10k_storage_floor_ms', 'boot_10k_ms', 'boot_longest_task_ms', 'certs_boot_10k_ms', 'certs_boot_longest_task_ms',
    'search_clear_ms', 'worker_encrypt_longest_task_ms', 'initial_js_gz_bytes',
  ];
  print(`Clavis at scale (median of ${RUNS}; raw limits measured in the same page)`);
  const width = Math.max(...names.map((n) => n.length));
  for (const n of names) print(`${n.padEnd(width)}  ${f[n] ?? '–'}`);
  print();
}
