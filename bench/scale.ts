/**
 * Bench steps for Clavis at scale (issuance, the vault at 10,000 keys), each with the
 * raw limit measured in the same page: raw ECDSA P-256 signatures for issuance, one raw
 * IndexedDB transaction for the vault. Driven by scripts/bench-scale.mjs; every method
 * returns raw samples (the script takes medians).
 *
 * Each also measures a storage floor: the very records the engine just wrote (copied with
 * fresh ids into a fresh Clavis database, so with Clavis's stores and indexes), written raw
 * in the transactions Clavis's rules ask for: for a certificate its serial reserved before
 * signing (C1), then the serial marked issued, the certificate and its audit entry (A4);
 * for a key, its record, its material and its audit entry. No reads, no checks, no crypto:
 * what IndexedDB alone costs for what Clavis must keep.
 */
import { createEngine, openStorage, type Engine } from '../src/engine';
import type { BulkRow } from '../src/engine/pki';

const DAY = 86_400_000;
const hex = (n: number) => Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => b.toString(16).padStart(2, '0')).join('');

async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [performance.now() - t0, v];
}

async function freshEngine(label: string): Promise<{ engine: Engine; name: string; close: () => void }> {
  const name = `clavis-bench-${label}-${Date.now()}-${hex(4)}`;
  const storage = await openStorage({ name });
  return {
    engine: createEngine({ storage }),
    name,
    close: () => {
      storage.close();
      indexedDB.deleteDatabase(name);
    },
  };
}

async function hierarchy(engine: Engine) {
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Bench root', subject: { CN: 'Bench Root' } });
  const int = await pki.createIntermediateCa({ name: 'Bench issuing', parentId: root.ca.id, subject: { CN: 'Bench Issuing' } });
  return { pki, caId: int.ca.id };
}

/** Raw ECDSA P-256 signing of `n` messages of a TBS's size, 64 at a time (as bulk issuance signs): signatures per second. */
async function rawSignPerSecond(n: number): Promise<number> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const msg = crypto.getRandomValues(new Uint8Array(420));
  const [ms] = await timed(async () => {
    for (let i = 0; i < n; i += 64) {
      const k = Math.min(64, n - i);
      await Promise.all(Array.from({ length: k }, () => crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, msg)));
    }
  });
  return (n / ms) * 1000;
}

/** Puts raw key records into the `keys` store of a Clavis database in one transaction (seeding only). */
async function seedKeys(dbName: string, records: unknown[]): Promise<void> {
  const db = await openRaw(dbName);
  try {
    await writeTx(db, ['keys'], (tx) => records.forEach((r) => tx.objectStore('keys').put(r)));
  } finally {
    db.close();
  }
}

/** Opens an existing database by name, raw. */
function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(name);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => resolve(open.result);
  });
}

/** Every value of a store, with its key. */
function readAll(db: IDBDatabase, store: string): Promise<Array<{ key: IDBValidKey; value: Record<string, unknown> }>> {
  return new Promise((resolve, reject) => {
    const out: Array<{ key: IDBValidKey; value: Record<string, unknown> }> = [];
    const req = db.transaction(store).objectStore(store).openCursor();
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const c = req.result;
      if (!c) return resolve(out);
      out.push({ key: c.primaryKey, value: c.value as Record<string, unknown> });
      c.continue();
    };
  });
}

/** One readwrite transaction over `stores`, filled by `fill`; resolves when it commits. */
function writeTx(db: IDBDatabase, stores: string[], fill: (tx: IDBTransaction) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, 'readwrite');
    fill(tx);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** The audit entries of `action` in `dbName`, in order, with their keys (seq). */
async function auditEntriesOf(db: IDBDatabase, action: string) {
  return (await readAll(db, 'audit')).filter((e) => e.value.action === action);
}

/**
 * The storage floor of issuance: copies of `certs` (as the engine stored them), their
 * serials and `cert.issue` entries written raw into a fresh Clavis database.
 * - `bulk`: one transaction reserving every serial, then one with serials issued +
 *   certificates + entries + head.
 * - `single`: per certificate, in sequence as one issuance must (C1: the serial is stored
 *   before the signature): a transaction reserving its serial, one raw ECDSA P-256
 *   signature, a transaction with serial issued + certificate + entry + head.
 */
async function issuanceFloorMs(source: string, certIds: ReadonlySet<string>, mode: 'bulk' | 'single'): Promise<{ ms: number; n: number }> {
  const src = await openRaw(source);
  const certs = (await readAll(src, 'certs')).filter((c) => certIds.has(c.value.id as string)).map((c) => c.value);
  const entries = (await auditEntriesOf(src, 'cert.issue')).slice(-certs.length);
  src.close();
  const target = await freshEngine('floor');
  const db = await openRaw(target.name);
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const tbs = crypto.getRandomValues(new Uint8Array(420));
  try {
    const copies = certs.map((c, i) => ({ ...c, id: `cert_floor_${i}_${hex(8)}`, serialHex: hex(16) }));
    const serialOf = (c: Record<string, unknown>) => ({ id: `${c.issuerId as string}:${c.serialHex as string}`, issuerId: c.issuerId, serialHex: c.serialHex, at: c.createdAt });
    const reserve = (batch: typeof copies) => writeTx(db, ['serials'], (tx) => batch.forEach((c) => tx.objectStore('serials').add({ ...serialOf(c), state: 'reserved' })));
    const commit = (batch: typeof copies, first: number) =>
      writeTx(db, ['serials', 'certs', 'audit', 'meta'], (tx) => {
        batch.forEach((c, j) => {
          tx.objectStore('serials').put({ ...serialOf(c), state: 'issued', certId: c.id });
          tx.objectStore('certs').add(c);
          tx.objectStore('audit').add({ ...entries[first + j]!.value, seq: first + j + 1 }, first + j + 1);
        });
        tx.objectStore('meta').put({ key: 'auditHead', value: { seq: first + batch.length, hash: hex(32) } });
      });
    const [ms] = await timed(async () => {
      if (mode === 'bulk') {
        await reserve(copies);
        await commit(copies, 0);
        return;
      }
      for (let i = 0; i < copies.length; i++) {
        await reserve([copies[i]!]);
        await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, tbs);
        await commit([copies[i]!], i);
      }
    });
    return { ms, n: copies.length };
  } finally {
    db.close();
    target.close();
  }
}

/**
 * The storage floor of `n` keys generated into the vault: copies of the key records,
 * their material and `key.create` entries, written raw into a fresh Clavis database in
 * transactions of `batch` keys, as the engine writes them.
 */
async function vaultFloorMs(source: string, batch: number): Promise<number> {
  const src = await openRaw(source);
  const keys = (await readAll(src, 'keys')).map((k) => k.value);
  const material = new Map((await readAll(src, 'keyMaterial')).map((m) => [m.value.id as string, m.value]));
  const entries = await auditEntriesOf(src, 'key.create');
  src.close();
  const target = await freshEngine('vault-floor');
  const db = await openRaw(target.name);
  try {
    const [ms] = await timed(async () => {
      for (let start = 0; start < keys.length; start += batch) {
        await writeTx(db, ['keys', 'keyMaterial', 'audit', 'meta'], (tx) => {
          keys.slice(start, start + batch).forEach((k, j) => {
            const i = start + j;
            const id = `${k.id as string}f`;
            tx.objectStore('keys').add({ ...k, id });
            tx.objectStore('keyMaterial').add({ ...material.get(k.id as string)!, id });
            tx.objectStore('audit').add({ ...entries[i]!.value, seq: i + 1 }, i + 1);
          });
          tx.objectStore('meta').put({ key: 'auditHead', value: { seq: Math.min(keys.length, start + batch), hash: hex(32) } });
        });
      }
    });
    return ms;
  } finally {
    db.close();
    target.close();
  }
}

export const scaleBench = {
  /**
   * Issuance: `single` certificates one at a time through pki.issueCertificate, a bulk job
   * of `bulk` rows (vault keys, 20 distinct), raw signing of `bulk` messages, and the bulk
   * job's storage floor, `runs` times each.
   */
  issuance: async (single: number, bulk: number, runs: number) => {
    const { engine, name, close } = await freshEngine('issue');
    try {
      const { pki, caId } = await hierarchy(engine);
      const pool = (await engine.generateKeys({ template: 'ECDSA-P-256', names: Array.from({ length: 20 }, (_, i) => `bench leaf ${i}`) })).keys.map((k) => k.id);
      const singlePerS: number[] = [];
      const bulkPerS: number[] = [];
      const rawPerS: number[] = [];
      const floorPerS: number[] = [];
      const singleFloorPerS: number[] = [];
      for (let r = 0; r < runs; r++) {
        const [ms] = await timed(async () => {
          for (let i = 0; i < single; i++) {
            await pki.issueCertificate({ caId, keyId: pool[i % pool.length]!, profile: 'tls-client', subject: { CN: `single ${r}.${i}` } });
          }
        });
        singlePerS.push((single / ms) * 1000);
        const rows: BulkRow[] = Array.from({ length: bulk }, (_, i) => ({ profile: 'tls-server', subject: { CN: `host${r}-${i}.bench.test` }, keyId: pool[i % pool.length]! }));
        const [bms, out] = await timed(() => pki.issueBulk({ caId, rows }));
        if (out.status !== 'issued' || out.certs.length !== bulk) throw new Error('bench: the bulk job did not issue every row');
        bulkPerS.push((bulk / bms) * 1000);
        rawPerS.push(await rawSignPerSecond(bulk));
        const bulkFloor = await issuanceFloorMs(name, new Set(out.certs.map((c) => c.id)), 'bulk');
        floorPerS.push((bulkFloor.n / bulkFloor.ms) * 1000);
        const singleFloor = await issuanceFloorMs(name, new Set(out.certs.slice(0, single).map((c) => c.id)), 'single');
        singleFloorPerS.push((singleFloor.n / singleFloor.ms) * 1000);
      }
      return { single, bulk, singlePerS, bulkPerS, rawPerS, floorPerS, singleFloorPerS, ratio: bulkPerS.map((b, i) => rawPerS[i]! / b) };
    } finally {
      close();
    }
  },

  /** Issuance with `keys` keys in the vault: ms per certificate over `n` issuances, `runs` times. */
  issueAtKeys: async (keys: number, n: number, runs: number) => {
    const { engine, name, close } = await freshEngine('issue10k');
    try {
      const { pki, caId } = await hierarchy(engine);
      const subject = await engine.generateKey({ template: 'ECDSA-P-256', name: 'bench subject' });
      const model = await engine.getKey(subject.id);
      const now = Date.now();
      const records = Array.from({ length: keys }, (_, i) => ({
        ...model,
        id: `key_${hex(16)}`,
        keyringId: `key_seed_${i}`,
        name: `seeded ${i}`,
        fingerprint: { kind: 'spki-sha256', value: hex(32) },
        dueAt: now + 365 * DAY,
      }));
      await seedKeys(name, records);
      const perCert: number[] = [];
      for (let r = 0; r < runs; r++) {
        const [ms] = await timed(async () => {
          for (let i = 0; i < n; i++) await pki.issueCertificate({ caId, keyId: subject.id, profile: 'tls-client', subject: { CN: `at10k ${r}.${i}` } });
        });
        perCert.push(ms / n);
      }
      return { keys, n, perCert };
    } finally {
      close();
    }
  },

  /** `n` AES-GCM-256 keys generated into the vault (batches of 1,000), and the raw limit: the same keys in ONE raw IndexedDB transaction. */
  vault: async (n: number, runs: number) => {
    const engineMs: number[] = [];
    const rawMs: number[] = [];
    const floorMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { engine, name, close } = await freshEngine('vault');
      try {
        const [ms, out] = await timed(() => engine.generateKeys({ template: 'AES-GCM-256', names: Array.from({ length: n }, (_, i) => `bench key ${i}`), batchSize: 1000 }));
        if (out.keys.length !== n) throw new Error('bench: not every key was generated');
        engineMs.push(ms);
        floorMs.push(await vaultFloorMs(name, 1000));
      } finally {
        close();
      }
      const rawName = `clavis-bench-raw-${Date.now()}-${r}`;
      const [raw] = await timed(async () => {
        const keys = await Promise.all(Array.from({ length: n }, () => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])));
        await new Promise<void>((resolve, reject) => {
          const open = indexedDB.open(rawName, 1);
          open.onupgradeneeded = () => {
            open.result.createObjectStore('keys', { keyPath: 'id' });
            open.result.createObjectStore('keyMaterial', { keyPath: 'id' });
          };
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
            keys.forEach((secret, i) => {
              const id = `key_${i}`;
              tx.objectStore('keys').put({ id, name: `raw ${i}`, createdAt: new Date().toISOString() });
              tx.objectStore('keyMaterial').put({ id, secret });
            });
            tx.oncomplete = () => {
              db.close();
              resolve();
            };
            tx.onerror = () => reject(tx.error);
          };
        });
      });
      rawMs.push(raw);
      indexedDB.deleteDatabase(rawName);
    }
    return { n, engineMs, rawMs, floorMs };
  },
};
