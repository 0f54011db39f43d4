/**
 * The benchmark page: the real engine and bulk worker, bundled as the app bundles them,
 * exposed as `window.clavisBench` for scripts/bench.mjs to drive step by step through
 * Playwright. Every method returns raw samples in milliseconds; the script takes medians
 * and prints the table. Nothing here runs on its own.
 */
import { createEngine, openStorage, type Engine, type KeyId, type TemplateName } from '../src/engine';
import { inThreadBulkCipher, type BulkCipher } from '../src/engine/keys/context';
import { createWorkerBulkCipher, type WorkerBulkCipher } from '../src/engine/workers/bulk-client';
import { scaleBench } from './scale';

/** A step's outcome: samples, or why it could not run (e.g. engine.encrypt not implemented). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** How long the page's main thread was unavailable while an operation ran. */
export interface Blocking {
  /** The operation's wall time. */
  durationMs: number;
  /** The longest gap between heartbeat timers (setTimeout 0, ~4 ms apart when idle). */
  maxGapMs: number;
  /** The longest `longtask` entry (tasks over 50 ms), 0 if there was none. */
  longestTaskMs: number;
}

type CipherKind = 'worker' | 'in-thread';
type Via = 'engine' | 'bulk';

const status = document.getElementById('status');
const setStatus = (s: string): void => {
  if (status) status.textContent = s;
};

const workerBulk: WorkerBulkCipher = createWorkerBulkCipher();
const localBulk: BulkCipher = inThreadBulkCipher(crypto.subtle);
const bulkOf = (c: CipherKind): BulkCipher => (c === 'worker' ? workerBulk : localBulk);

let engines: Promise<Record<CipherKind, Engine>> | undefined;
/** Two engines over one database: one with the worker bulk cipher, one in-thread. */
function benchEngines(): Promise<Record<CipherKind, Engine>> {
  engines ??= openStorage({ name: 'clavis-bench' }).then((storage) => ({
    worker: createEngine({ storage, bulk: workerBulk }),
    'in-thread': createEngine({ storage }),
  }));
  return engines;
}

let aesKeyId: Promise<KeyId> | undefined;
function benchKeyId(): Promise<KeyId> {
  aesKeyId ??= benchEngines().then(async (e) => (await e.worker.generateKey({ template: 'AES-GCM-256', name: 'bench data key' })).id);
  return aesKeyId;
}

let rawKey: Promise<CryptoKey> | undefined;
function benchRawKey(): Promise<CryptoKey> {
  rawKey ??= crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  return rawKey;
}

const buffers = new Map<number, Uint8Array<ArrayBuffer>>();
function plaintextOf(size: number): Uint8Array<ArrayBuffer> {
  let b = buffers.get(size);
  if (!b) {
    b = new Uint8Array(size);
    // getRandomValues fills at most 65,536 bytes per call.
    for (let off = 0; off < size; off += 65536) crypto.getRandomValues(b.subarray(off, Math.min(size, off + 65536)));
    buffers.set(size, b);
  }
  return b;
}

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function guard<T>(what: string, f: () => Promise<T>): Promise<Outcome<T>> {
  setStatus(`running ${what}`);
  try {
    const value = await f();
    setStatus(`done ${what}`);
    return { ok: true, value };
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? `${String((e as { code: unknown }).code)}: ` : '';
    const name = e instanceof Error ? e.name : 'Error';
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: `${code || `${name}: `}${message}` };
  }
}

/**
 * Seeds `n` revocations of random serials for `issuerId` straight into IndexedDB in one
 * transaction (revoking 100,000 certificates one by one would take hours), as the tests
 * do; returns the serials. Publishing then reads them exactly as it reads real ones.
 */
function seedRevocations(dbName: string, issuerId: string, n: number): Promise<string[]> {
  const notAfter = new Date(Date.now() + 90 * 86_400_000).toISOString();
  const now = new Date(Date.now() - 120_000).toISOString();
  const serials: string[] = [];
  return new Promise<string[]>((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('revocations', 'readwrite');
      const store = tx.objectStore('revocations');
      for (let i = 0; i < n; i++) {
        const r = crypto.getRandomValues(new Uint8Array(17));
        r[0] = (r[0]! % 0x7e) + 1;
        const serialHex = Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('');
        serials.push(serialHex);
        store.add({ id: `${issuerId}:${serialHex}`, issuerId, serialHex, certId: `seed_${i}`, reason: 4, revokedAt: now, spkiSha256: 'seed', certNotAfter: notAfter });
      }
      tx.oncomplete = () => {
        db.close();
        resolve(serials);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/** Runs `op` while a timer heartbeat and a longtask observer watch the main thread. */
async function watchMainThread(op: () => Promise<unknown>): Promise<Blocking> {
  let last = performance.now();
  let maxGap = 0;
  let beating = true;
  const beat = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (beating) setTimeout(beat, 0);
  };
  const tasks: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) tasks.push(e.duration);
  });
  observer.observe({ type: 'longtask' });
  setTimeout(beat, 0);
  await sleep(60);
  maxGap = 0;
  tasks.length = 0;
  last = performance.now();
  const [durationMs] = await timed(op);
  // Let the heartbeat that was starved by the operation land before reading the gap.
  await sleep(30);
  beating = false;
  for (const e of observer.takeRecords()) tasks.push(e.duration);
  observer.disconnect();
  return { durationMs, maxGapMs: maxGap, longestTaskMs: Math.max(0, ...tasks) };
}

function sameEnds(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a[0] === b[0] && a[a.length - 1] === b[b.length - 1] && a[a.length >> 1] === b[b.length >> 1];
}

interface Sealer {
  encrypt(pt: Uint8Array<ArrayBuffer>): Promise<Uint8Array>;
  decrypt(ct: Uint8Array): Promise<Uint8Array>;
}

/** One encrypt or decrypt step for the chosen path; returns the output bytes. */
async function sealer(via: Via, cipher: CipherKind): Promise<Sealer> {
  if (via === 'engine') {
    const engine = (await benchEngines())[cipher];
    const id = await benchKeyId();
    return {
      encrypt: (pt: Uint8Array<ArrayBuffer>) => engine.encrypt(id, pt),
      decrypt: async (ct: Uint8Array) => (await engine.decrypt(ct)).plaintext,
    };
  }
  const bulk = bulkOf(cipher);
  const key = await benchRawKey();
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const aad = new Uint8Array(0);
  return {
    // A fixed IV is fine for a throughput figure; the engine draws a fresh one per message.
    encrypt: async (pt: Uint8Array<ArrayBuffer>) => new Uint8Array(await bulk.aesGcm('encrypt', key, iv, aad, pt)),
    // Every ciphertext here came from this sealer's encrypt, so it sits on an ArrayBuffer.
    decrypt: async (ct: Uint8Array) => new Uint8Array(await bulk.aesGcm('decrypt', key, iv, aad, ct as Uint8Array<ArrayBuffer>)),
  };
}

const api = {
  /** Clavis at scale (bench/scale.ts, driven by scripts/bench-scale.mjs). */
  scale: (step: keyof typeof scaleBench, ...args: number[]) => guard(`scale ${step}`, () => (scaleBench[step] as (...a: number[]) => Promise<unknown>)(...args)),
  /** The browser and whether the page runs under the production CSP's Trusted Types. */
  info: () =>
    guard('info', async () => {
      let trustedTypesEnforced = false;
      try {
        document.createElement('div').innerHTML = '<i>clavis-bench-probe</i>';
      } catch (e) {
        trustedTypesEnforced = e instanceof TypeError;
      }
      return {
        userAgent: navigator.userAgent,
        hardwareConcurrency: navigator.hardwareConcurrency,
        crossOriginIsolated: globalThis.crossOriginIsolated,
        trustedTypesEnforced,
      };
    }),

  /** Which templates this browser can generate. */
  templates: () =>
    guard('templates', async () => {
      const e = await benchEngines();
      return (await e.worker.listTemplates()).map((t) => ({ name: t.template.name, available: t.available }));
    }),

  /** engine.generateKey for one template, `n` times (includes fingerprint and IndexedDB write). */
  keygen: (template: TemplateName, n: number) =>
    guard(`keygen ${template}`, async () => {
      const e = await benchEngines();
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const [ms] = await timed(() => e.worker.generateKey({ template, name: `bench ${template} ${i}` }));
        samples.push(ms);
      }
      return samples;
    }),

  /** Time for the worker's first job (spawn + module load + 256 KiB) against a warm one. */
  workerStart: () =>
    guard('worker start', async () => {
      const cold = createWorkerBulkCipher();
      const key = await benchRawKey();
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const pt = plaintextOf(256 * 1024);
      const [coldMs] = await timed(() => cold.aesGcm('encrypt', key, iv, new Uint8Array(0), pt));
      const [warmMs] = await timed(() => cold.aesGcm('encrypt', key, iv, new Uint8Array(0), pt));
      cold.terminate();
      return { coldMs, warmMs };
    }),

  /**
   * AES-GCM-256 encrypt then decrypt of `size` bytes: `n` samples after one warm-up,
   * each the mean of `batch` back-to-back operations (small inputs take microseconds,
   * below the timer's useful resolution).
   */
  aes: (via: Via, cipher: CipherKind, size: number, n: number, batch = 1) =>
    guard(`aes ${via} ${cipher} ${size}`, async () => {
      const s = await sealer(via, cipher);
      const pt = plaintextOf(size);
      let ct = await s.encrypt(pt);
      if (!sameEnds(await s.decrypt(ct), pt)) throw new Error('bench: decryption did not return the plaintext');
      const encrypt: number[] = [];
      const decrypt: number[] = [];
      for (let i = 0; i < n; i++) {
        const [e] = await timed(async () => {
          for (let j = 0; j < batch; j++) ct = await s.encrypt(pt);
        });
        const [d] = await timed(async () => {
          for (let j = 0; j < batch; j++) await s.decrypt(ct);
        });
        encrypt.push(e / batch);
        decrypt.push(d / batch);
      }
      return { encrypt, decrypt };
    }),

  /** Main-thread blocking during an encrypt and a decrypt of `size` bytes, `n` times each. */
  blocking: (via: Via, cipher: CipherKind, size: number, n: number) =>
    guard(`blocking ${via} ${cipher} ${size}`, async () => {
      const s = await sealer(via, cipher);
      const pt = plaintextOf(size);
      const ct = await s.encrypt(pt);
      await s.decrypt(ct);
      const encrypt: Blocking[] = [];
      const decrypt: Blocking[] = [];
      for (let i = 0; i < n; i++) {
        encrypt.push(await watchMainThread(() => s.encrypt(pt)));
        decrypt.push(await watchMainThread(() => s.decrypt(ct)));
      }
      return { encrypt, decrypt };
    }),

  /** IndexedDB through the engine: `n` key writes (AES-GCM-256), `n` reads, and listing all keys. */
  idb: (n: number) =>
    guard('indexeddb', async () => {
      const storage = await openStorage({ name: `clavis-bench-idb-${Date.now()}` });
      const engine = createEngine({ storage });
      // Untimed warm-up: the first transactions of a fresh database open its files.
      for (let i = 0; i < 5; i++) await engine.generateKey({ template: 'AES-GCM-256', name: `warm-up ${i}` });
      const put: number[] = [];
      const ids: KeyId[] = [];
      for (let i = 0; i < n; i++) {
        const [ms, info] = await timed(() => engine.generateKey({ template: 'AES-GCM-256', name: `idb ${i}` }));
        put.push(ms);
        ids.push(info.id);
      }
      // The same generation without the write, to show what the write itself costs.
      const keygenOnly: number[] = [];
      for (let i = 0; i < n; i++) {
        const [ms] = await timed(() => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));
        keygenOnly.push(ms);
      }
      const get: number[] = [];
      for (const id of ids) get.push((await timed(() => engine.getKey(id)))[0]);
      const list: number[] = [];
      for (let i = 0; i < 5; i++) list.push((await timed(() => engine.listKeys()))[0]);
      storage.close();
      return { put, keygenOnly, get, list, keys: n + 5 };
    }),

  /**
   * A CA with `n` revoked certificates (M1/M2/M7): publishCrl (read the revocation store,
   * tidy, sort, encode and lint in the CRL worker, sign, store) under the main-thread
   * watch; the revocation-store read alone; and the parse back of the stored CRL (header
   * + a serial lookup, in the CRL worker) and a 50-entry page. The revocations are
   * seeded straight into IndexedDB in one transaction (as the tests do): revoking
   * 100,000 certificates one by one would take hours.
   */
  crl: (n: number) =>
    guard('crl', async () => {
      const dbName = `clavis-bench-crl-${n}-${Date.now()}`;
      const storage = await openStorage({ name: dbName });
      const pki = await createEngine({ storage }).pki();
      const root = await pki.createRootCa({ name: 'Bench root', subject: { CN: 'Bench Root' } });
      const int = await pki.createIntermediateCa({ name: 'Bench issuing', parentId: root.ca.id, subject: { CN: 'Bench Issuing' } });
      const notAfter = new Date(Date.now() + 90 * 86_400_000).toISOString();
      const now = new Date().toISOString();
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open(dbName);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('revocations', 'readwrite');
          const store = tx.objectStore('revocations');
          for (let i = 0; i < n; i++) {
            const r = crypto.getRandomValues(new Uint8Array(17));
            r[0] = (r[0]! % 0x7f) + 1;
            const serialHex = Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('');
            store.add({ id: `${int.ca.id}:${serialHex}`, issuerId: int.ca.id, serialHex, certId: `seed_${i}`, reason: 4, revokedAt: now, spkiSha256: 'seed', certNotAfter: notAfter });
          }
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });
      let entries = 0;
      const publish = await watchMainThread(async () => {
        entries = (await pki.publishCrl(int.ca.id)).entries;
      });
      // The chunked index read publishCrl does, and one big getAll for comparison.
      const { readRevocations } = await import('../src/engine/pki/crl');
      const pagedRead = await watchMainThread(() => readRevocations({ storage } as Parameters<typeof readRevocations>[0], int.ca.id));
      const read = await watchMainThread(() => storage.listRevocations(int.ca.id));
      const der = await pki.exportCrl(int.ca.id, 'der');
      const { crlJobs } = await import('../src/engine/pki/crl-client');
      let count = 0;
      const parse = await watchMainThread(async () => {
        count = (await crlJobs.summarise(der, ['01'])).count;
      });
      const page = await watchMainThread(() => pki.crlEntries(int.ca.id, { offset: Math.floor(n / 2), limit: 50 }));
      storage.close();
      indexedDB.deleteDatabase(dbName);
      if (entries !== n || count !== n) throw new Error(`bench: CRL has ${entries}/${count} entries, expected ${n}`);
      return { n, bytes: der.length, publish, pagedRead, read, parse, page, workerJobs: crlJobs.workerJobs };
    }),

  /**
   * Issue 15's CRL figures for a CA with `n` revoked certificates, `repeats` times each, all
   * in this page: `publish` (pki.publishCrl after a first publish, so the steady state of
   * a CA that publishes again), `limit` (the raw floor: the CRL's already-encoded entries
   * concatenated into a TBSCertList and signed once with WebCrypto), `parse` (indexing the
   * stored CRL: header, serials, offsets), `checkUs` (one revocation lookup in the index,
   * averaged over 100,000 known and unknown serials; `checkFloorUs` is Set.has over the same
   * probes, the floor) and `page` (pki.crlEntries, a page of
   * 50 from the middle, after the index is cached). See crlFigureNames in scripts/bench.mjs.
   */
  crlFigures: (n: number, repeats: number) =>
    guard('crlFigures', async () => {
      const dbName = `clavis-bench-crlfig-${n}-${Date.now()}`;
      const storage = await openStorage({ name: dbName });
      const engine = createEngine({ storage });
      const pki = await engine.pki();
      const root = await pki.createRootCa({ name: 'Bench root', subject: { CN: 'Bench Root' } });
      const int = await pki.createIntermediateCa({ name: 'Bench issuing', parentId: root.ca.id, subject: { CN: 'Bench Issuing' } });
      const serials = await seedRevocations(dbName, int.ca.id, n);
      await pki.publishCrl(int.ca.id);
      const { indexCrl } = await import('../src/engine/pki/crl-index');
      const { seq, tlvList, TAG } = await import('../src/engine/internal/der');
      const { splitSigned } = await import('../src/engine/pki/x509');
      const { children, readTop } = await import('../src/engine/internal/der');
      const material = await storage.getKeyMaterial(int.ca.keyId);
      const publish: number[] = [];
      const limit: number[] = [];
      const parse: number[] = [];
      const checkUs: number[] = [];
      const checkFloorUs: number[] = [];
      const page: number[] = [];
      for (let r = 0; r < repeats; r++) {
        publish.push((await timed(() => pki.publishCrl(int.ca.id)))[0]);
        const der = await pki.exportCrl(int.ca.id, 'der');
        // The floor: the entries, already encoded, and the header parts, concatenated and signed once.
        const tbsParts = children(readTop(splitSigned(der, 'CRL').tbs, TAG.SEQUENCE));
        const list = tbsParts.find((t, i) => i > 3 && t.tag === TAG.SEQUENCE)!;
        const encodedEntries = children(list).map((e) => e.bytes.slice(e.start, e.end));
        const others = tbsParts.filter((t) => t !== list).map((t) => t.bytes.slice(t.start, t.end));
        limit.push(
          (
            await timed(async () => {
              const tbs = seq(...others.slice(0, 5), tlvList(TAG.SEQUENCE, encodedEntries), ...others.slice(5));
              await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, material!.privateKey!, tbs);
            })
          )[0],
        );
        const [parseMs, index] = await timed(() => indexCrl(der));
        parse.push(parseMs);
        if (index.count !== n) throw new Error(`bench: the CRL lists ${index.count} entries, expected ${n}`);
        const probes = Array.from({ length: 100_000 }, (_, i) => (i % 2 ? serials[(i * 7919) % n]! : `7f${serials[(i * 104729) % n]!.slice(2)}`));
        // Each probe string is hashed once before timing (as a serial the caller keeps is), so
        // both loops below time the lookup, not the first hashing of a fresh string.
        const warmed = new Set(probes);
        if (warmed.size === 0) throw new Error('bench: no probes');
        let hits = 0;
        const t0 = performance.now();
        for (const s of probes) if (index.lookup(s) !== undefined) hits++;
        checkUs.push(((performance.now() - t0) * 1000) / probes.length);
        if (hits < probes.length / 2) throw new Error('bench: known serials were not found');
        // The floor for a check: Set.has over the same probes, in the same page.
        const listed = new Set(serials);
        let floorHits = 0;
        const t1 = performance.now();
        for (const s of probes) if (listed.has(s)) floorHits++;
        checkFloorUs.push(((performance.now() - t1) * 1000) / probes.length);
        if (floorHits !== hits) throw new Error('bench: the index and the serial set disagree');
        await pki.crlEntries(int.ca.id, { offset: 0, limit: 50 });
        page.push((await timed(() => pki.crlEntries(int.ca.id, { offset: Math.floor(n / 2), limit: 50 })))[0]);
      }
      storage.close();
      indexedDB.deleteDatabase(dbName);
      return { n, publish, limit, parse, checkUs, checkFloorUs, page };
    }),

  /** PBKDF2-HMAC-SHA-256, 600,000 iterations, 256-bit output (K7), with main-thread blocking. */
  pbkdf2: (n: number) =>
    guard('pbkdf2', async () => {
      const runs: Blocking[] = [];
      for (let i = 0; i < n; i++) {
        const salt = crypto.getRandomValues(new Uint8Array(16));
        runs.push(
          await watchMainThread(async () => {
            const base = await crypto.subtle.importKey('raw', new TextEncoder().encode('correct horse battery staple'), 'PBKDF2', false, ['deriveBits']);
            await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations: 600_000 }, base, 256);
          }),
        );
      }
      return runs;
    }),
};

/** What scripts/bench.mjs calls. */
export type BenchApi = typeof api;

declare global {
  interface Window {
    clavisBench?: BenchApi;
  }
}

window.clavisBench = api;
setStatus('ready');
