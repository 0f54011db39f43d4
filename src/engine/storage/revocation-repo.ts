/** Storage of revocation records, each stored with its CRL chunk entry and revision bump in one transaction. */
import type { IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import { EngineError } from '../errors';
import type { KeyInfo } from '../types';
import type { ClavisDB, RevocationRecord } from './schema';
import { chunkStamp, encodeRevokedEntry, insertEntry, openChunk, packChunk, serialSortKey, type OpenChunk } from './crl-chunks';
import { type PreparedAudit, crlCounterKeys, AuditConflictError } from './commits';
import { AUDIT_STORES, type AnyStores, type Db, queueAuditEntries, abortOnThrow, guard, serialId } from './core';
import { toStoredKey } from './key-records';

/**
 * Queues the `revs:` counter increments for revocations being recorded in `tx` (which
 * includes `counters`): a CRL built before this transaction can then no longer be stored
 * as the latest (`commitCrl`), and the CA shows as stale until rebuilt.
 */
export async function queueRevisionBumps(tx: IDBPTransaction<ClavisDB, AnyStores, 'readwrite'>, revs: readonly RevocationRecord[]): Promise<Promise<unknown>[]> {
  const counters = tx.objectStore('counters') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'counters', 'readwrite'>;
  const perIssuer = new Map<string, number>();
  for (const r of revs) perIssuer.set(r.issuerId, (perIssuer.get(r.issuerId) ?? 0) + 1);
  const writes: Promise<unknown>[] = [];
  for (const [issuerId, n] of perIssuer) {
    const key = crlCounterKeys(issuerId).revisions;
    const cur = await counters.get(key);
    writes.push(counters.put({ key, value: (cur?.value ?? 0) + n }));
  }
  return writes;
}

/**
 * Queues the CRL entries of revocations being recorded in `tx` (which includes
 * `crlChunks`): each is encoded and checked (`encodeRevokedEntry`), inserted in serial
 * order into the chunk that covers it (the one with the greatest first serial not above
 * it, or the issuer's first), and every changed chunk is written back, split when it grew
 * past CRL_CHUNK_MAX. Splits wait until every entry is placed, so the stored `lo` keys the
 * lookups use describe the chunks as read.
 * @throws CERT_INVALID (the entry may not go on a CRL), CERT_REVOKED (already listed)
 */
export async function queueChunkInserts(tx: IDBPTransaction<ClavisDB, AnyStores, 'readwrite'>, revs: readonly RevocationRecord[]): Promise<Promise<unknown>[]> {
  const store = tx.objectStore('crlChunks') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'crlChunks', 'readwrite'>;
  const opened = new Map<string, OpenChunk>();
  const fresh = new Map<string, OpenChunk>();
  for (const rev of revs) {
    const entry = encodeRevokedEntry(rev);
    const key = serialSortKey(rev.serialHex);
    const below = await store.openCursor(IDBKeyRange.bound([rev.issuerId, ''], [rev.issuerId, key, '\uffff']), 'prev');
    const rec = below?.value ?? (await store.openCursor(IDBKeyRange.bound([rev.issuerId, key], [rev.issuerId, '\uffff']), 'next'))?.value;
    let chunk: OpenChunk;
    if (rec) {
      const id = JSON.stringify([rec.issuerId, rec.lo, rec.ver]);
      chunk = opened.get(id) ?? openChunk(rec);
      opened.set(id, chunk);
    } else {
      chunk = fresh.get(rev.issuerId) ?? { issuerId: rev.issuerId, serials: [], entries: [], notAfter: [], revokedAt: [] };
      fresh.set(rev.issuerId, chunk);
    }
    insertEntry(chunk, rev, entry);
  }
  const writes: Promise<unknown>[] = [];
  // Every changed chunk is written under a new key (a new stamp): readers see by the keys alone what changed.
  for (const chunk of [...opened.values(), ...fresh.values()]) {
    if (chunk.key) writes.push(store.delete(chunk.key));
    for (const rec of packChunk(chunk)) writes.push(store.add({ ...rec, ver: chunkStamp() }));
  }
  for (const w of writes) w.catch(() => undefined);
  return writes;
}

export interface RevocationRepo {
  /**
   * Records a revocation. The certificate must exist and not be revoked already
   * (CERT_REVOKED); the check and the write are one transaction, which also appends
   * `audit`'s entries when given.
   */
  addRevocation(rev: RevocationRecord, audit?: PreparedAudit): Promise<void>;
  /**
   * Records a revocation together with its audit entries and, for a key compromise, the
   * lifecycle change of the certified vault keys, in ONE transaction (A4): all or nothing.
   * CERT_REVOKED when already revoked; AuditConflictError when the audit head or a key
   * changed since `before` was read (recompute and retry, as `withAudit` does).
   */
  commitRevocation(c: { rev: RevocationRecord; audit: PreparedAudit; putKeys?: Array<{ info: KeyInfo; before: KeyInfo }> }): Promise<void>;
  getRevocation(issuerId: string, serialHex: string): Promise<RevocationRecord | undefined>;
  /** The revocation of each (issuer, serial), or undefined, in order: one read transaction for a page of a list. */
  getRevocationsOf(certs: ReadonlyArray<{ issuerId: string; serialHex: string }>): Promise<Array<RevocationRecord | undefined>>;
  listRevocations(issuerId: string): Promise<RevocationRecord[]>;
  /** How many revocations an issuer has (index `byIssuer`), without reading them. */
  countRevocations(issuerId: string): Promise<number>;
  /**
   * One page of an issuer's revocations from the (issuer, serial) index, in index order,
   * strictly after `afterSerialHex` (from the start without it): big CRLs are read in
   * chunks so no single request holds 100,000 records (M3, M7).
   */
  listRevocationsPage(issuerId: string, page: { afterSerialHex?: string; limit: number }): Promise<RevocationRecord[]>;
  listRevocationsBySpki(spkiSha256: string): Promise<RevocationRecord[]>;
}

export function revocationRepo(db: Db): RevocationRepo {
  return {
    addRevocation: (rev, audit) =>
      guard('saving the revocation', async () => {
        const stores: StoreNames<ClavisDB>[] = ['certs', 'revocations', 'counters', 'crlChunks'];
        if (audit) stores.push(...AUDIT_STORES);
        const tx = db.transaction(stores, 'readwrite');
        const auditWrites = audit ? await queueAuditEntries(tx, audit) : [];
        const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').get(rev.id)]);
        const fail = async (e: EngineError) => {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw e;
        };
        if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
          return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
        }
        if (existing) return fail(new EngineError('CERT_REVOKED', 'storage: the certificate is already revoked'));
        await abortOnThrow(tx, async () => {
          const chunks = await queueChunkInserts(tx, [rev]);
          const bumps = await queueRevisionBumps(tx, [rev]);
          await Promise.all([...auditWrites, ...bumps, ...chunks, tx.objectStore('revocations').add(rev), tx.done]);
        });
      }),
    commitRevocation: ({ rev, audit, putKeys = [] }) =>
      guard('saving the revocation', async () => {
        const stores: StoreNames<ClavisDB>[] = ['certs', 'revocations', 'counters', 'crlChunks', ...AUDIT_STORES];
        if (putKeys.length) stores.push('keys');
        const tx = db.transaction(stores, 'readwrite');
        const fail = async (e: EngineError): Promise<never> => {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw e;
        };
        // Only IndexedDB requests from here to tx.done (W3).
        const auditWrites = await queueAuditEntries(tx, audit);
        const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').get(rev.id)]);
        if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
          return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
        }
        if (existing) return fail(new EngineError('CERT_REVOKED', 'storage: the certificate is already revoked'));
        const keys = putKeys.length ? tx.objectStore('keys') : undefined;
        for (const { info, before } of putKeys) {
          const cur = await keys!.get(info.id);
          if (!cur || cur.state !== before.state || cur.history.length !== before.history.length) {
            return fail(new AuditConflictError('storage: the key changed while the revocation was prepared'));
          }
        }
        await abortOnThrow(tx, async () => {
          const chunks = await queueChunkInserts(tx, [rev]);
          const bumps = await queueRevisionBumps(tx, [rev]);
          const writes: Promise<unknown>[] = [...bumps, ...chunks, tx.objectStore('revocations').add(rev), ...putKeys.map(({ info }) => keys!.put(toStoredKey(info)))];
          await Promise.all([...writes, ...auditWrites, tx.done]);
        });
      }),
    getRevocation: (issuerId, serialHex) => guard('reading a revocation', () => db.get('revocations', serialId(issuerId, serialHex))),
    getRevocationsOf: (certs) =>
      guard('reading revocations', async () => {
        const tx = db.transaction('revocations', 'readonly');
        const out = await Promise.all(certs.map((c) => tx.store.get(serialId(c.issuerId, c.serialHex))));
        await tx.done;
        return out;
      }),
    countRevocations: (issuerId) => guard('counting revocations', () => db.countFromIndex('revocations', 'byIssuer', issuerId)),
    listRevocations: (issuerId) => guard('listing revocations', () => db.getAllFromIndex('revocations', 'byIssuer', issuerId)),
    listRevocationsPage: (issuerId, page) =>
      guard('listing revocations', () => {
        const after = page.afterSerialHex;
        // [issuerId, '\uffff'] sorts after every hex serial of this issuer.
        const range = IDBKeyRange.bound([issuerId, after ?? ''], [issuerId, '\uffff'], after !== undefined, false);
        return db.getAllFromIndex('revocations', 'byIssuerSerial', range, Math.max(1, Math.floor(page.limit)));
      }),
    listRevocationsBySpki: (spki) => guard('listing revocations', () => db.getAllFromIndex('revocations', 'bySpki', spki)),
  };
}
