/**
 * Bench steps for Clavis at scale (issuance, the vault at 10,000 keys), each with the
 * raw limit measured in the same page: raw ECDSA P-256 signatures for issuance, one raw
 * IndexedDB transaction for the vault. Driven by scripts/bench-scale.mjs; every method
 * returns raw samples (the script takes medians).
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
function seedKeys(dbName: string, records: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('keys', 'readwrite');
      for (const r of records) tx.objectStore('keys').put(r);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}


export const scaleBench = {
  /**
   * Issuance: `single` certificates one at a time through pki.issueCertificate, a bulk job
   * of `bulk` rows (vault keys, 20 distinct), and raw signing of `bulk` messages, `runs` times each.
   */
  issuance: async (single: number, bulk: number, runs: number) => {
    const { engine, close } = await freshEngine('issue');
    try {
      const { pki, caId } = await hierarchy(engine);
      const pool = (await engine.generateKeys({ template: 'ECDSA-P-256', names: Array.from({ length: 20 }, (_, i) => `bench leaf ${i}`) })).keys.map((k) => k.id);
      const singlePerS: number[] = [];
      const bulkPerS: number[] = [];
      const rawPerS: number[] = [];
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
      }
      return { single, bulk, singlePerS, bulkPerS, rawPerS, ratio: bulkPerS.map((b, i) => rawPerS[i]! / b) };
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
    for (let r = 0; r < runs; r++) {
      const { engine, close } = await freshEngine('vault');
      try {
        const [ms, out] = await timed(() => engine.generateKeys({ template: 'AES-GCM-256', names: Array.from({ length: n }, (_, i) => `bench key ${i}`), batchSize: 1000 }));
        if (out.keys.length !== n) throw new Error('bench: not every key was generated');
        engineMs.push(ms);
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
    return { n, engineMs, rawMs };
  },
};
