// `npm run bench`: builds the benchmark page (bench/), serves it on 127.0.0.1 with the
// production security headers (CSP + Trusted Types, so the bulk worker starts exactly as
// it does in production), and drives it in headless Chromium with a persistent profile
// (SECURITY.md M8: in-memory contexts make IndexedDB look faster than it is). Prints a
// table and writes dist-bench/bench-results.json.
//
//   npm run bench              full run (~1-2 minutes on 2 cores)
//   npm run bench -- --quick   one iteration of everything, small sizes: a smoke test
//   npm run bench -- --only=crl   only the named parts (comma-separated: keygen, worker,
//                                 aes, blocking, idb, pbkdf2, crl, scale; crlfig = only the
//                                 named CRL figures, which crl also runs; issuance = only
//                                 the issuance figures of scale)
//   npm run bench -- --json FILE  also writes the named figures (issue 15) to FILE
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import { chromiumLaunchOptions } from './browser.mjs';
import { reportScale, runScale } from './bench-scale.mjs';
import { SECURITY_HEADERS } from './security-headers.mjs';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = join(ROOT, 'dist-bench');
const QUICK = process.argv.includes('--quick');
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
/** `--json FILE` or `--json=FILE`: where the named figures go. */
const JSON_OUT = (() => {
  const i = process.argv.findIndex((a) => a === '--json' || a.startsWith('--json='));
  if (i < 0) return undefined;
  const a = process.argv[i];
  return a.includes('=') ? a.slice('--json='.length) : process.argv[i + 1];
})();
/** True when this part of the benchmark runs (all of them without --only). */
const want = (part) => !ONLY || ONLY.includes(part);
const STEP_TIMEOUT_MS = 120_000;
const KiB = 1024;
const MiB = 1024 * KiB;

const log = (s) => process.stderr.write(`${s}\n`);
const print = (s = '') => process.stdout.write(`${s}\n`);

/** Iterations per template: RSA generation is slow and its time varies a lot (prime search). */
function keygenIterations(name) {
  if (QUICK) return 1;
  if (/-4096$/.test(name)) return 3;
  if (/-3072$/.test(name)) return 3;
  if (/-2048$/.test(name)) return 5;
  return 10;
}

// n samples of `batch` back-to-back operations each (1 KiB takes microseconds).
const AES_SIZES = QUICK
  ? [{ size: KiB, n: 3, batch: 10 }, { size: MiB, n: 1, batch: 1 }, { size: 8 * MiB, n: 1, batch: 1 }]
  : [{ size: KiB, n: 20, batch: 50 }, { size: MiB, n: 20, batch: 1 }, { size: 64 * MiB, n: 3, batch: 1 }];
const BLOCKING_SIZE = QUICK ? 8 * MiB : 64 * MiB;
const BLOCKING_RUNS = QUICK ? 1 : 3;
const IDB_KEYS = QUICK ? 5 : 50;
const PBKDF2_RUNS = QUICK ? 1 : 3;
const CRL_SIZES = QUICK ? [1_000, 10_000] : [1_000, 10_000, 100_000];

// ---------------------------------------------------------------- statistics and format

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
const ms = (x) => (x === undefined ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toFixed(3));
const mibps = (bytes, msTime) => (bytes / MiB) / (msTime / 1000);
const sizeLabel = (b) => (b >= MiB ? `${b / MiB} MiB` : `${b / KiB} KiB`);

// ---------------------------------------------------------------- named figures (issue 15)

/** Repeats behind every named figure (the figure is their median). */
const FIGURE_REPEATS = QUICK ? 1 : 3;

/**
 * The CRL figures (issue 15), each the median of FIGURE_REPEATS runs in one page, with
 * the raw limit (concatenate the encoded entries + one signature) measured in the same
 * page: crl_publish_100k_ms, crl_publish_10k_ms, crl_limit_100k_ms, crl_parse_100k_ms,
 * revocation_check_us (with revocation_check_floor_us, Set.has over the same serials), crl_page_ms. Added to `results.figures`.
 */
async function runCrlFigures(bench, record, results) {
  results.figures ??= {};
  const f = results.figures;
  for (const n of QUICK ? [10_000] : [10_000, 100_000]) {
    // One fresh CA per repeat: each call stays well inside the step timeout on a busy machine.
    const runs = [];
    for (let r = 0; r < FIGURE_REPEATS; r++) {
      log(`bench: CRL figures with ${n} entries (repeat ${r + 1} of ${FIGURE_REPEATS})`);
      const one = record('crlFigures', `${n}#${r + 1}`, await bench.call('crlFigures', n, 1));
      if (one) runs.push(one);
    }
    if (runs.length === 0) continue;
    const v = Object.fromEntries(['publish', 'limit', 'parse', 'checkUs', 'checkFloorUs', 'page'].map((k) => [k, runs.flatMap((x) => x[k])]));
    const k = n === 100_000 ? '100k' : '10k';
    f[`crl_publish_${k}_ms`] = round(median(v.publish));
    f[`crl_limit_${k}_ms`] = round(median(v.limit));
    f[`crl_parse_${k}_ms`] = round(median(v.parse));
    if (n === 100_000 || QUICK) {
      f.revocation_check_us = round(median(v.checkUs), 4);
      f.revocation_check_floor_us = round(median(v.checkFloorUs), 4);
      f.crl_page_ms = round(median(v.page));
    }
  }
}

const round = (x, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Writes the named figures, with the machine's load and the browser, to `file` (`--json`). */
function writeFigures(file, results) {
  const out = { date: results.date, quick: results.quick, environment: results.environment, figures: results.figures ?? {}, errors: results.errors };
  writeFileSync(resolve(file), `${JSON.stringify(out, null, 2)}\n`);
  log(`bench: figures written to ${file}`);
}

function table(headers, rows, align) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const cell = (v, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'l' ? String(v).padEnd(widths[i]) : String(v).padStart(widths[i]));
  print(headers.map(cell).join('  '));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) print(r.map(cell).join('  '));
  print();
}

// ---------------------------------------------------------------- static server

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
};

/** Serves dist-bench/ with the production headers. Only files under it; no listing. */
function serve(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204, SECURITY_HEADERS).end();
      return;
    }
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

// ---------------------------------------------------------------- the page

/** Steps that seed and publish 100,000-entry CRLs get longer on a busy 2-core machine. */
const LONG_STEPS = new Set(['crlFigures']);
const LONG_STEP_TIMEOUT_MS = 600_000;

function withTimeout(p, what, limitMs = STEP_TIMEOUT_MS) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`bench: ${what} took longer than ${limitMs / 1000} s`)), limitMs);
    }),
  ]);
}

/** Opens the bench page and returns a caller for its `window.clavisBench` methods. */
async function openBench(context, url, problems) {
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.name}`));
  // info() assigns innerHTML once to prove Trusted Types are enforced; that one
  // refusal is expected, anything else is reported.
  let probeRefusals = 0;
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/requires 'TrustedHTML' assignment/.test(m.text()) && probeRefusals++ === 0) return;
    problems.push(`console error: ${m.text().slice(0, 200)}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${new URL(r.url()).pathname}`);
  });
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
  const response = await page.goto(url);
  if (!response?.ok()) throw new Error(`bench: ${url} answered ${response?.status()}`);
  await page.waitForFunction(() => window.clavisBench !== undefined, null, { timeout: 30_000 });
  const call = async (name, ...args) => {
    const out = await withTimeout(
      page.evaluate(([n, a]) => window.clavisBench[n](...a), [name, args]),
      `${name}(${args.join(', ')})`,
      LONG_STEPS.has(name) ? LONG_STEP_TIMEOUT_MS : STEP_TIMEOUT_MS,
    );
    if (!out.ok) log(`  ${name}(${args.join(', ')}): ${out.error}`);
    return out;
  };
  // The Trusted Types probe in info() is the one violation we cause on purpose.
  const violations = async () =>
    (await page.evaluate(() => window.__cspViolations)).filter((v) => !String(v.sample).includes('clavis-bench-probe'));
  return { page, call, violations };
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  log(`bench: building bench/ into ${OUT}`);
  await build({ configFile: join(ROOT, 'bench/vite.config.ts'), logLevel: 'warn' });
  const assets = readdirSync(join(OUT, 'assets'));
  const workerAsset = assets.find((f) => /^bulk-cipher\.worker-[\w-]+\.js$/.test(f));
  if (!workerAsset) throw new Error(`bench: no bulk-cipher worker in dist-bench/assets (found ${assets.join(', ')})`);
  log(`bench: worker bundled as assets/${workerAsset}`);

  const server = await serve(OUT);
  const url = `http://127.0.0.1:${server.address().port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'clavis-bench-'));
  const problems = [];
  const results = { date: new Date().toISOString(), quick: QUICK, errors: [] };
  const record = (section, key, out) => {
    results[section] ??= {};
    if (out.ok) results[section][key] = out.value;
    else {
      results[section][key] = { error: out.error };
      results.errors.push(`${section} ${key}: ${out.error}`);
    }
    return out.ok ? out.value : undefined;
  };

  let context;
  try {
    context = await chromium.launchPersistentContext(profile, { ...chromiumLaunchOptions(), headless: true });
    const bench = await openBench(context, url, problems);
    const info = record('environment', 'browser', await bench.call('info'));
    results.environment.cpus = cpus().length;
    // Figures on a busy machine are not comparable with a quiet one: say how busy it was.
    results.environment.loadAverage = loadavg().map((x) => Math.round(x * 100) / 100);
    results.environment.node = process.version;
    results.environment.workerAsset = `assets/${workerAsset}`;
    results.environment.profile = 'persistent (on disk)';
    log(`bench: ${info?.userAgent ?? 'unknown browser'}; Trusted Types enforced: ${info?.trustedTypesEnforced}`);
    // The worker must start under the production policy, or this run proves nothing about it.
    if (info && !info.trustedTypesEnforced) problems.push('Trusted Types were not enforced on the bench page');

    // Key generation, per template.
    const templates = want('keygen') ? ((await bench.call('templates')).value ?? []) : [];
    for (const { name, available } of templates) {
      if (!available) {
        results.keygen ??= {};
        results.keygen[name] = { unsupported: true };
        continue;
      }
      log(`bench: keygen ${name}`);
      record('keygen', name, await bench.call('keygen', name, keygenIterations(name)));
    }

    if (want('worker')) {
      log('bench: worker start-up');
      record('workerStart', 'first-job', await bench.call('workerStart'));
    }

    // AES-GCM-256 throughput: through the engine and through the bulk cipher alone.
    for (const { size, n, batch } of want('aes') ? AES_SIZES : []) {
      for (const via of ['engine', 'bulk']) {
        for (const cipher of ['worker', 'in-thread']) {
          log(`bench: AES-GCM-256 ${via} ${cipher} ${sizeLabel(size)} ${n}x${batch}`);
          record('aes', `${via}/${cipher}/${size}`, await bench.call('aes', via, cipher, size, n, batch));
        }
      }
    }

    for (const via of want('blocking') ? ['engine', 'bulk'] : []) {
      for (const cipher of ['worker', 'in-thread']) {
        log(`bench: main-thread blocking ${via} ${cipher} ${sizeLabel(BLOCKING_SIZE)}`);
        record('blocking', `${via}/${cipher}/${BLOCKING_SIZE}`, await bench.call('blocking', via, cipher, BLOCKING_SIZE, BLOCKING_RUNS));
      }
    }
    // The named figure of the blocking part: the longest main-thread task while the engine
    // encrypts 64 MiB through its worker (median of BLOCKING_RUNS), whichever parts ran.
    const workerEncrypt = results.blocking?.[`engine/worker/${64 * MiB}`];
    if (workerEncrypt && !workerEncrypt.error) {
      (results.figures ??= {}).worker_encrypt_longest_task_ms = round(median(workerEncrypt.encrypt.map((x) => x.longestTaskMs)), 1);
    }

    if (want('idb')) {
      log('bench: IndexedDB (persistent profile)');
      record('idb', 'persistent', await bench.call('idb', IDB_KEYS));
    }
    if (want('pbkdf2')) {
      log('bench: PBKDF2-SHA-256 600,000 iterations');
      record('pbkdf2', '600000', await bench.call('pbkdf2', PBKDF2_RUNS));
    }

    for (const n of want('crl') ? CRL_SIZES : []) {
      log(`bench: CRL with ${n} entries`);
      record('crl', String(n), await bench.call('crl', n));
    }
    if (want('crl') || want('crlfig')) await runCrlFigures(bench, record, results);

    if (want('scale') || want('issuance')) await runScale({ bench, context, results, record, root: ROOT, quick: QUICK, log, issuanceOnly: !want('scale') });

    results.cspViolations = await bench.violations();
    await context.close();
    context = undefined;

    // The same IndexedDB step in a throwaway (in-memory) context, for comparison (M8).
    if (want('idb')) {
      log('bench: IndexedDB (in-memory context, for comparison)');
      const browser = await chromium.launch({ ...chromiumLaunchOptions(), headless: true });
      try {
        const ephemeral = await openBench(await browser.newContext(), url, problems);
        record('idb', 'in-memory', await ephemeral.call('idb', IDB_KEYS));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await context?.close();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  results.problems = problems;
  results.elapsedSeconds = Math.round((Date.now() - started) / 100) / 10;
  report(results);
  writeFileSync(join(OUT, 'bench-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (JSON_OUT) writeFigures(JSON_OUT, results);
  log(`bench: results written to dist-bench/bench-results.json (${results.elapsedSeconds} s)`);
  const failed = results.errors.length + results.cspViolations.length + problems.length;
  if (failed) {
    log(`bench: ${failed} step(s) failed or misbehaved:`);
    for (const e of [...results.errors, ...results.cspViolations.map((v) => `CSP ${v.directive} ${v.blocked}`), ...problems]) log(`  ${e}`);
    process.exitCode = 1;
  }
}

function report(r) {
  const env = r.environment ?? {};
  const b = env.browser ?? {};
  const chrome = /(?:Headless)?Chrome\/([\d.]+)/.exec(b.userAgent ?? '')?.[1] ?? '?';
  print();
  print(`Clavis benchmarks${r.quick ? ' (quick)' : ''}: Chromium ${chrome}, ${env.cpus} CPUs, Node ${env.node}, persistent profile,`);
  print(`production CSP; Trusted Types enforced: ${b.trustedTypesEnforced ? 'yes' : 'no'}; worker ${env.workerAsset};`);
  print(`load average at start ${env.loadAverage?.join(' ')} (figures from a busy machine are not comparable)`);
  print();

  if (want('keygen')) print('Key generation: engine.generateKey (generate + fingerprint + IndexedDB write), ms');
  if (want('keygen')) table(
    ['template', 'n', 'median', 'min', 'max'],
    Object.entries(r.keygen ?? {}).map(([name, v]) =>
      v.unsupported ? [name, '', 'unsupported', '', ''] : v.error ? [name, '', 'failed', '', ''] : [name, v.length, ms(median(v)), ms(Math.min(...v)), ms(Math.max(...v))],
    ),
  );

  const ws = r.workerStart?.['first-job'];
  if (ws && !ws.error) print(`Worker start-up: first 256 KiB job ${ms(ws.coldMs)} ms (spawn + load), next one ${ms(ws.warmMs)} ms\n`);

  if (want('aes')) print('AES-GCM-256 throughput, MiB/s (median of n; "bulk" = the BulkCipher alone, no envelope or key lookup)');
  const rows = [];
  for (const { size, n, batch } of AES_SIZES) {
    for (const via of ['engine', 'bulk']) {
      for (const cipher of ['worker', 'in-thread']) {
        const v = r.aes?.[`${via}/${cipher}/${size}`];
        const label = `${via} + ${cipher}`;
        const count = batch > 1 ? `${n}x${batch}` : n;
        if (!v || v.error) rows.push([label, sizeLabel(size), count, 'failed', '', '', '']);
        else {
          const e = median(v.encrypt);
          const d = median(v.decrypt);
          rows.push([label, sizeLabel(size), count, mibps(size, e).toFixed(0), mibps(size, d).toFixed(0), ms(e), ms(d)]);
        }
      }
    }
  }
  if (want('aes')) table(['path', 'size', 'n', 'enc MiB/s', 'dec MiB/s', 'enc ms', 'dec ms'], rows);

  if (want('blocking')) print(`Main thread during a ${sizeLabel(BLOCKING_SIZE)} encrypt/decrypt: longest heartbeat gap and longest longtask, ms (median of ${BLOCKING_RUNS})`);
  if (want('blocking')) table(
    ['path', 'enc gap', 'enc longtask', 'dec gap', 'dec longtask', 'enc wall'],
    ['engine', 'bulk'].flatMap((via) =>
      ['worker', 'in-thread'].map((cipher) => {
        const v = r.blocking?.[`${via}/${cipher}/${BLOCKING_SIZE}`];
        if (!v || v.error) return [`${via} + ${cipher}`, 'failed', '', '', '', ''];
        const m = (xs, k) => ms(median(xs.map((x) => x[k])));
        return [`${via} + ${cipher}`, m(v.encrypt, 'maxGapMs'), m(v.encrypt, 'longestTaskMs'), m(v.decrypt, 'maxGapMs'), m(v.decrypt, 'longestTaskMs'), m(v.encrypt, 'durationMs')];
      }),
    ),
  );

  if (want('idb')) print('IndexedDB through the engine, ms (median): generateKey AES-GCM-256 (= put), the bare keygen, getKey, listKeys');
  if (want('idb')) table(
    ['profile', 'keys', 'generateKey', 'keygen only', 'getKey', 'listKeys'],
    ['persistent', 'in-memory'].map((k) => {
      const v = r.idb?.[k];
      if (!v || v.error) return [k, '', 'failed', '', '', ''];
      return [k === 'persistent' ? 'persistent (disk)' : 'in-memory context', v.keys, ms(median(v.put)), ms(median(v.keygenOnly)), ms(median(v.get)), ms(median(v.list))];
    }),
  );

  if (want('crl')) {
    print('CRLs (M1/M2/M7): publishCrl = paged read of the revocation store + tidy/sort/encode/lint (CRL worker) + sign + store; ms');
    print('("paged read" = the chunked (issuer, serial) index read publishCrl does; "getAll" = one big read, for comparison)');
    table(
      ['entries', 'DER KiB', 'publish', 'publish gap', 'publish longtask', 'paged read', 'paged gap', 'getAll', 'getAll gap', 'parse back', 'parse gap', 'page of 50'],
      Object.entries(r.crl ?? {}).map(([n, v]) =>
        !v || v.error
          ? [n, 'failed', '', '', '', '', '', '', '', '', '', '']
          : [n, Math.round(v.bytes / 1024), ms(v.publish.durationMs), ms(v.publish.maxGapMs), ms(v.publish.longestTaskMs), ms(v.pagedRead?.durationMs), ms(v.pagedRead?.maxGapMs), ms(v.read.durationMs), ms(v.read.maxGapMs), ms(v.parse.durationMs), ms(v.parse.maxGapMs), ms(v.page.durationMs)],
      ),
    );
  }

  if (want('scale')) reportScale(r, print);
  if (r.figures && Object.keys(r.figures).length) {
    print('Named figures (median of repeats; see --json):');
    table(['figure', 'value'], Object.entries(r.figures).map(([k, v]) => [k, String(v)]));
  }

  const p = r.pbkdf2?.['600000'];
  if (!want('pbkdf2')) {
    // not run
  } else if (p && !p.error) {
    print(`PBKDF2-HMAC-SHA-256, 600,000 iterations (K7): ${ms(median(p.map((x) => x.durationMs)))} ms median of ${p.length}; longest main-thread gap meanwhile ${ms(median(p.map((x) => x.maxGapMs)))} ms`);
  } else print('PBKDF2-HMAC-SHA-256: failed');
  print();
}

main().catch((e) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
