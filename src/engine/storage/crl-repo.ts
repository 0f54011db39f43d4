/** Storage of CRL numbers, the chunk snapshot publication reads, and the published CRLs. */
import type { StoreNames } from 'idb';
import { StorageError } from '../errors';
import type { ClavisDB, CrlChunkRecord, CrlRecord } from './schema';
import { buildChunks, chunkStamp } from './crl-chunks';
import { type PreparedAudit, crlCounterKeys, type CrlState, CrlConflictError } from './commits';
import { AUDIT_STORES, type Db, queueAuditEntries, abortOnThrow, requestQueue, guard } from './core';

/** What one connection remembers per issuer to publish CRLs quickly (see `readCrlSnapshot`). */
export interface CrlCaches {
  /**
   * The CRL chunks this connection has read, under their keys (which change with every
   * write): publishing again reads only the chunks written since.
   */
  chunks: Map<string, Map<string, CrlChunkRecord>>;
  /**
   * The revocation records counted when the issuer's chunks were found complete, and its
   * `revs:` counter then. Records are only ever added, each with its chunk entry and a
   * counter bump in one transaction, so later snapshots infer the record count from the
   * counter instead of counting 100,000 index entries again; when the chunks do not match
   * the inference (a restore, records written without chunks) the records are counted
   * again. Nothing else writes revocation records.
   */
  counted: Map<string, { records: number; revisions: number }>;
}

export const crlCaches = (): CrlCaches => ({ chunks: new Map(), counted: new Map() });

/** `readCrlSnapshot`: one read-only transaction; counts the records when `count` (see `CrlCaches.counted`). */
async function readCrlSnapshot(db: Db, caches: CrlCaches, issuerId: string, count: boolean): Promise<{ state: CrlState; chunks: CrlChunkRecord[]; revocations: number }> {
  const k = crlCounterKeys(issuerId);
  const range = IDBKeyRange.bound([issuerId, ''], [issuerId, '\uffff']);
  const tx = db.transaction(['counters', 'crlChunks', 'revocations'], 'readonly');
  const c = tx.objectStore('counters');
  const chunkStore = tx.objectStore('crlChunks');
  const [n, r, cov, keys, counted] = await Promise.all([
    c.get(k.number),
    c.get(k.revisions),
    c.get(k.covered),
    chunkStore.getAllKeys(range),
    count ? tx.objectStore('revocations').index('byIssuer').count(issuerId) : undefined,
  ]);
  // Only the chunks written since this tab last read them (a chunk's key changes with
  // every write), in the same transaction: one snapshot.
  const cached = caches.chunks.get(issuerId) ?? new Map<string, CrlChunkRecord>();
  const ids = keys.map((key) => JSON.stringify(key));
  const missing = keys.filter((_, i) => !cached.has(ids[i]!));
  const read = await Promise.all(missing.map((key) => chunkStore.get(key)));
  await tx.done;
  missing.forEach((_, i) => {
    const rec = read[i];
    if (rec) cached.set(JSON.stringify([rec.issuerId, rec.lo, rec.ver]), rec);
  });
  const next = new Map<string, CrlChunkRecord>();
  const chunks: CrlChunkRecord[] = [];
  let entries = 0;
  for (const id of ids) {
    const rec = cached.get(id);
    if (!rec) throw new StorageError('storage: a CRL chunk vanished while it was read');
    next.set(id, rec);
    chunks.push(rec);
    entries += rec.count;
  }
  caches.chunks.set(issuerId, next);
  const revisions = r?.value ?? 0;
  const state = { lastNumber: n?.value ?? 0, revisions, covered: cov?.value };
  if (counted !== undefined) {
    // An issuer without records is counted each time: a vault's first revocations may
    // arrive without chunks (written by a restore or an older schema's data).
    if (counted === entries && counted > 0) caches.counted.set(issuerId, { records: counted, revisions });
    else caches.counted.delete(issuerId);
    return { state, chunks, revocations: counted };
  }
  const known = caches.counted.get(issuerId);
  const inferred = known ? known.records + (revisions - known.revisions) : undefined;
  if (inferred === entries) return { state, chunks, revocations: inferred };
  // The chunks did not move with the counter: count the records (a fresh snapshot).
  caches.counted.delete(issuerId);
  return readCrlSnapshot(db, caches, issuerId, true);
}

export interface CrlRepo {
  /**
   * Allocates the next CRL number for an issuer: read, increment and write in one
   * transaction, so two tabs can never get the same number (R1, G3). Publishing does not
   * use it (`commitCrl` takes the number in the storing transaction); a number taken
   * here is skipped.
   */
  allocateCrlNumber(issuerId: string): Promise<number>;
  /** The issuer's CRL number and revocation counters, read in one transaction. */
  getCrlState(issuerId: string): Promise<CrlState>;
  /**
   * What a CRL of an issuer is built from, read in ONE transaction (v8): the counters, the
   * issuer's CRL chunks in serial order (its revocations as encoded CRL entries) and how
   * many revocation records it has. The chunks are complete when their counts add up to
   * `revocations`; otherwise `rebuildCrlChunks` first.
   */
  readCrlSnapshot(issuerId: string): Promise<{ state: CrlState; chunks: CrlChunkRecord[]; revocations: number }>;
  /**
   * Rebuilds an issuer's CRL chunks from its revocation records in one transaction (a
   * database whose revocations were written without them). Returns the entries chunked.
   * @throws CERT_INVALID (a stored revocation cannot be written on a CRL), STORAGE
   */
  rebuildCrlChunks(issuerId: string): Promise<number>;
  /**
   * Stores a signed CRL built from the snapshot `crl.revisions` / `crl.number - 1` (from
   * `getCrlState`), with its audit entries, in ONE transaction that first checks nothing
   * moved: no revocation recorded and no CRL stored since. Otherwise CrlConflictError
   * (nothing written; rebuild from a fresh snapshot). So a stored CRL always lists every
   * revocation recorded before it, and numbers strictly increase with contents (R1).
   */
  commitCrl(crl: CrlRecord & { revisions: number }, audit: PreparedAudit): Promise<void>;
  /** Stores a signed CRL; with `audit`, its entries are appended in the same transaction. */
  addCrl(crl: CrlRecord, audit?: PreparedAudit): Promise<void>;
  /** The CRL of an issuer with this number. */
  getCrl(issuerId: string, number: number): Promise<CrlRecord | undefined>;
  /** An issuer's latest `limit` CRLs, newest first (the CRL history). */
  listCrls(issuerId: string, limit: number): Promise<CrlRecord[]>;
  /** The CRL with the highest number for an issuer. */
  getLatestCrl(issuerId: string): Promise<CrlRecord | undefined>;
}

export function crlRepo(db: Db, caches: CrlCaches): CrlRepo {
  return {
    allocateCrlNumber: (issuerId) =>
      guard('allocating a CRL number', async () => {
        const tx = db.transaction('counters', 'readwrite');
        const key = `crl:${issuerId}`;
        const cur = await tx.store.get(key);
        const next = (cur?.value ?? 0) + 1;
        await Promise.all([tx.store.put({ key, value: next }), tx.done]);
        return next;
      }),
    getCrlState: (issuerId) =>
      guard('reading the CRL state', async () => {
        const k = crlCounterKeys(issuerId);
        const tx = db.transaction('counters', 'readonly');
        const [n, r, c] = await Promise.all([tx.store.get(k.number), tx.store.get(k.revisions), tx.store.get(k.covered), tx.done]);
        return { lastNumber: n?.value ?? 0, revisions: r?.value ?? 0, covered: c?.value };
      }),
    readCrlSnapshot: (issuerId) => guard('reading the revocations for the CRL', () => readCrlSnapshot(db, caches, issuerId, !caches.counted.has(issuerId))),
    rebuildCrlChunks: (issuerId) =>
      guard('rebuilding the CRL entries', async () => {
        const tx = db.transaction(['crlChunks', 'revocations'], 'readwrite');
        return abortOnThrow(tx, async () => {
          const store = tx.objectStore('crlChunks');
          const [old, revs] = await Promise.all([
            store.getAllKeys(IDBKeyRange.bound([issuerId, ''], [issuerId, '\uffff'])),
            tx.objectStore('revocations').index('byIssuer').getAll(issuerId),
          ]);
          const built = buildChunks(issuerId, revs);
          const w = requestQueue();
          for (const key of old) w.q(store.delete(key));
          for (const rec of built) w.q(store.add({ ...rec, ver: chunkStamp() }));
          await Promise.all([...w.list, tx.done]);
          return built.reduce((n, c) => n + c.count, 0);
        });
      }),
    commitCrl: (crl, audit) =>
      guard('saving the CRL', async () => {
        const k = crlCounterKeys(crl.issuerId);
        const tx = db.transaction(['crls', 'counters', ...AUDIT_STORES], 'readwrite');
        const counters = tx.objectStore('counters');
        // Only IndexedDB requests from here to tx.done (W3): the CRL was signed before.
        const [n, r] = await Promise.all([counters.get(k.number), counters.get(k.revisions)]);
        if ((n?.value ?? 0) !== crl.number - 1 || (r?.value ?? 0) !== crl.revisions) {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw new CrlConflictError('storage: revocations or another CRL were stored while this CRL was built');
        }
        const auditWrites = await queueAuditEntries(tx, audit);
        await Promise.all([
          counters.put({ key: k.number, value: crl.number }),
          counters.put({ key: k.covered, value: crl.revisions }),
          tx.objectStore('crls').add(crl),
          ...auditWrites,
          tx.done,
        ]);
      }),
    addCrl: (crl, audit) =>
      guard('saving the CRL', async () => {
        const stores: StoreNames<ClavisDB>[] = ['crls'];
        if (audit) stores.push(...AUDIT_STORES);
        const tx = db.transaction(stores, 'readwrite');
        const auditWrites = audit ? await queueAuditEntries(tx, audit) : [];
        await Promise.all([tx.objectStore('crls').add(crl), ...auditWrites, tx.done]);
      }),
    getCrl: (issuerId, number) => guard('reading the CRL', () => db.get('crls', `${issuerId}:${number}`)),
    listCrls: (issuerId, limit) =>
      guard('listing CRLs', async () => {
        const tx = db.transaction('crls', 'readonly');
        const out: CrlRecord[] = [];
        let cursor = await tx.store.index('byIssuerNumber').openCursor(IDBKeyRange.bound([issuerId, 0], [issuerId, Number.MAX_SAFE_INTEGER]), 'prev');
        while (cursor && out.length < limit) {
          out.push(cursor.value);
          cursor = await cursor.continue();
        }
        await tx.done;
        return out;
      }),
    getLatestCrl: (issuerId) =>
      guard('reading the CRL', async () => {
        const tx = db.transaction('crls', 'readonly');
        const cursor = await tx.store.index('byIssuerNumber').openCursor(IDBKeyRange.bound([issuerId, 0], [issuerId, Number.MAX_SAFE_INTEGER]), 'prev');
        const value = cursor?.value;
        await tx.done;
        return value;
      }),
  };
}
