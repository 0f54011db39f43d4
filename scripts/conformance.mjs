#!/usr/bin/env node
// Runs the PKITS and x509-limbo conformance suites (../shared/conformance) against
// Clavis's path validator (src/engine/pki/validate) in Node, on at most 2 worker threads,
// and prints per suite and per category: agreed / wrong accept / wrong reject /
// unsupported / errors / hangs, with the slowest case.
//
//   npm run conformance                      # both suites
//   npm run conformance -- --json out.json   # also write the machine-readable summary
//   npm run conformance -- --suite pkits     # one suite; --only ID-substring to filter
//
// The validator is TypeScript, so it is bundled once with rolldown (Vite's bundler, already
// installed) into a temporary ES module the workers import.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadCases, toOptions } from './conformance-cases.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HANG_MS = 5000;

if (isMainThread) await main();
else await worker();

function args() {
  const a = process.argv.slice(2);
  const get = (k) => {
    const i = a.indexOf(k);
    return i >= 0 ? a[i + 1] : undefined;
  };
  return { json: get('--json'), suite: get('--suite'), only: get('--only'), data: get('--data') ?? resolve(root, '../shared/conformance'), verbose: a.includes('--verbose') || a.includes('--all'), all: a.includes('--all') };
}

function runWorker(bundle, cases, onResult) {
  // Runs `cases` on one worker; a case that exceeds HANG_MS is a hang: the worker is
  // terminated and a fresh one continues with the next case.
  return new Promise((resolveAll) => {
    let next = 0;
    const start = () => {
      if (next >= cases.length) return resolveAll();
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { bundle } });
      let current;
      let timer;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          onResult(current, { hang: true, ms: HANG_MS });
          next = cases.indexOf(current) + 1;
          w.terminate().then(start);
        }, HANG_MS);
      };
      const send = () => {
        if (next >= cases.length) {
          clearTimeout(timer);
          w.terminate().then(resolveAll);
          return;
        }
        current = cases[next++];
        arm();
        w.postMessage(current);
      };
      w.on('message', (m) => {
        clearTimeout(timer);
        onResult(current, m);
        send();
      });
      w.on('error', (e) => {
        clearTimeout(timer);
        onResult(current, { error: String(e?.message ?? e), ms: 0 });
        w.terminate().then(start);
      });
      w.once('online', send);
    };
    start();
  });
}

async function main() {
  const opts = args();
  const t0 = performance.now();
  const { build } = await import('rolldown');
  const outDir = mkdtempSync(join(tmpdir(), 'clavis-conformance-'));
  await build({ input: join(root, 'src/engine/pki/validate/index.ts'), platform: 'node', logLevel: 'silent', output: { dir: outDir, format: 'esm', entryFileNames: 'validate.mjs' } });
  const bundle = pathToFileURL(join(outDir, 'validate.mjs')).href;
  const cases = loadCases(opts.data, opts);
  const workers = Math.max(1, Math.min(2, availableParallelism()));
  const results = new Map();
  let done = 0;
  const onResult = (c, r) => {
    results.set(c, r);
    done++;
    if (process.stderr.isTTY && done % 200 === 0) process.stderr.write(`\r${done}/${cases.length}`);
  };
  const shards = Array.from({ length: workers }, (_, i) => cases.filter((_, j) => j % workers === i));
  await Promise.all(shards.map((s) => runWorker(bundle, s, onResult)));
  rmSync(outDir, { recursive: true, force: true });
  if (process.stderr.isTTY) process.stderr.write('\r');

  const summary = {};
  const lines = [];
  for (const suite of ['pkits', 'limbo']) {
    const sc = cases.filter((c) => c.suite === suite);
    if (sc.length === 0) continue;
    const tally = () => ({ agreed: 0, total: 0, wrong_accept: 0, wrong_reject: 0, unsupported: 0, not_expressible: 0, errors: 0, hangs: 0, pedantic_wrong_accept: 0, slowest: { id: '', ms: 0 } });
    const all = tally();
    const cats = new Map();
    const disagreements = [];
    for (const c of sc) {
      const r = results.get(c) ?? { error: 'not run', ms: 0 };
      const cat = cats.get(c.category) ?? tally();
      cats.set(c.category, cat);
      for (const t of [all, cat]) {
        t.total++;
        if (r.ms > t.slowest.ms) t.slowest = { id: c.id, ms: Math.round(r.ms) };
        if (r.hang) t.hangs++;
        else if (r.error) t.errors++;
        else if (r.unsupported && !r.valid) t.unsupported++; // DSA: WebCrypto cannot tell, whatever the expectation
        else if (r.valid === c.expected) t.agreed++;
        else if (r.valid) {
          t.wrong_accept++;
          if (c.pedantic) t.pedantic_wrong_accept++;
        } else t.wrong_reject++;
      }
      const agreed = !r.hang && !r.error && !(r.unsupported && !r.valid) && r.valid === c.expected;
      if (!agreed && !(r.unsupported && !r.valid)) disagreements.push(c.id);
      if ((!agreed || opts.all) && opts.verbose) lines.push(`  ${c.id}: expected ${c.expected ? 'valid' : 'invalid'}, got ${r.hang ? 'HANG' : r.error ? `error ${r.error}` : `${r.valid ? 'valid' : 'invalid'}${r.unsupported ? ' (unsupported)' : ''} [${r.profile}] ${r.summary ?? ''}`}`);
    }
    const pct = ((100 * all.agreed) / Math.max(1, all.total - all.unsupported)).toFixed(2);
    lines.push(`${suite}: ${all.agreed} / ${all.total} agreed (${pct} % of runnable), ${all.wrong_accept} wrong accepts (${all.pedantic_wrong_accept} pedantic), ${all.wrong_reject} wrong rejects, ${all.unsupported} unsupported, 0 not expressible, ${all.errors} errors, ${all.hangs} hangs; slowest ${all.slowest.id} ${all.slowest.ms} ms`);
    for (const [name, t] of [...cats].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push(`  ${name.padEnd(40)} ${String(t.agreed).padStart(5)} / ${String(t.total).padEnd(5)} wa ${t.wrong_accept} wr ${t.wrong_reject} uns ${t.unsupported} err ${t.errors} hang ${t.hangs}  slowest ${t.slowest.ms} ms`);
    }
    summary[suite] = { agreed: all.agreed, total: all.total, wrong_accept: all.wrong_accept, wrong_reject: all.wrong_reject, unsupported: all.unsupported, hangs: all.hangs, disagreements };
  }
  lines.push(`${cases.length} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${workers} worker(s)`);
  console.log(lines.join('\n'));
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(summary, null, 2)}\n`);
}

async function worker() {
  const { validatePath } = await import(workerData.bundle);
  parentPort.on('message', async (c) => {
    const t = performance.now();
    try {
      const o = toOptions(c.job);
      if (!o.target) throw new Error('the case has no target certificate');
      const r = await validatePath(o);
      parentPort.postMessage({ valid: r.valid, unsupported: !!r.unsupported, summary: r.summary, profile: r.profile, ms: performance.now() - t });
    } catch (e) {
      parentPort.postMessage({ error: String(e?.message ?? e), ms: performance.now() - t });
    }
  });
}
