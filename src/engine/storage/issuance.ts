/** Storage for bulk issuance: the serial reservation, the burn of a cancelled job, and the one transaction that stores a whole job. */

/**
 * A bulk job writes thousands of records in a few transactions, so these writes go to
 * IndexedDB as plain requests: every request of a transaction is queued at once and only
 * the transaction's end is awaited (reads, when the write depends on them, are awaited
 * once, all together). `db.ts` wires these into the `ClavisStorage` repository.
 *
 * Common case (pki/bulk.ts):
 * ```ts
 * await storage.reserveSerials(serials, at);                     // C1, before any signing
 * await storage.commitIssuanceBatch({ certs, addKeys, audit });  // or burnSerials(serials)
 * ```
 */
import { unwrap, type IDBPDatabase } from 'idb';
import type { AuditEntry, AuditHead } from '../audit/chain';
import { EngineError } from '../errors';
import type { KeyInfo } from '../types';
import { AUDIT_HEAD_KEY, type CertRecord, type ClavisDB, type KeyMaterialRecord, type SerialRecord, type StoredKeyInfo } from './schema';

/** A serial of an issuer, as a job names it. */
export interface SerialRef {
  issuerId: string;
  serialHex: string;
}

/** Audit entries chained onto `head` (the storage's `PreparedAudit`). */
export interface BatchAudit {
  head: AuditHead | undefined;
  entries: AuditEntry[];
  headSignature?: string;
  newAuditKey?: unknown;
}

/** What a whole job stores. */
export interface IssuanceBatch {
  certs: CertRecord[];
  addKeys?: Array<{ info: KeyInfo; material: KeyMaterialRecord }>;
  audit: BatchAudit;
}

/** What the repository lends these writes. */
export interface IssuanceHelpers {
  /** Runs a storage step, turning IndexedDB failures into StorageError. */
  guard<T>(what: string, f: () => Promise<T>): Promise<T>;
  /** The key record as stored (with its due-date index field). */
  toStoredKey(info: KeyInfo): StoredKeyInfo;
  /** The error that makes `withAudit` rebuild the step: the audit head moved. */
  auditConflict(message: string): Error;
  /** Meta key of the audit signing key pair. */
  auditKeyMeta: string;
}

/** The id of a serial record. */
export const serialRecordId = (issuerId: string, serialHex: string): string => `${issuerId}:${serialHex}`;

/** Results of read requests queued on one transaction, once the last has answered (requests answer in order). */
function answers<T>(requests: IDBRequest[]): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const last = requests[requests.length - 1];
    if (!last) return resolve([]);
    last.onsuccess = () => resolve(requests.map((r) => r.result as T));
    // A failed request aborts the transaction; its end reports the error too.
    for (const r of requests) r.onerror = () => reject(r.error);
  });
}

/** Aborts `tx` (if it still runs), waits for its end and throws `e`. */
async function abortWith(tx: IDBTransaction, done: Promise<void>, e: unknown): Promise<never> {
  try {
    tx.abort();
  } catch {
    // Already aborted by a failed request, or finished.
  }
  await done.catch(() => undefined);
  throw e;
}

function sameHead(a: AuditHead | undefined, b: AuditHead | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.seq === b.seq && a.hash === b.hash;
}

/** The bulk-issuance writes of the repository, over the open database. */
export function issuanceStorage(db: IDBPDatabase<ClavisDB>, h: IssuanceHelpers) {
  /** A readwrite transaction as plain IndexedDB, with the promise of its end (idb's `done`). */
  const open = (stores: Array<'serials' | 'certs' | 'audit' | 'meta' | 'keys' | 'keyMaterial'>) => {
    const wrapped = db.transaction(stores, 'readwrite');
    const done = wrapped.done;
    // A refusal aborts the transaction on purpose; the caller reports its own error.
    done.catch(() => undefined);
    return { tx: unwrap(wrapped), done };
  };

  return {
    /** Reserves every serial of a job in one transaction, all or none (C1: a duplicate refuses the job). */
    reserveSerials: (serials: SerialRef[], at: string): Promise<void> =>
      h.guard('reserving serial numbers', async () => {
        const { tx, done } = open(['serials']);
        const store = tx.objectStore('serials');
        for (const { issuerId, serialHex } of serials) store.add({ id: serialRecordId(issuerId, serialHex), issuerId, serialHex, state: 'reserved', at } satisfies SerialRecord);
        await done;
      }),

    /** Marks a job's still-reserved serials burned (never to be used), in one transaction. */
    burnSerials: (serials: SerialRef[]): Promise<void> =>
      h.guard('burning serial numbers', async () => {
        const { tx, done } = open(['serials']);
        const store = tx.objectStore('serials');
        const recs = await answers<SerialRecord | undefined>(serials.map(({ issuerId, serialHex }) => store.get(serialRecordId(issuerId, serialHex))));
        for (const rec of recs) if (rec && rec.state === 'reserved') store.put({ ...rec, state: 'burned' } satisfies SerialRecord);
        await done;
      }),

    /**
     * Stores a whole job in ONE transaction: the audit head is checked (AuditConflictError
     * when it moved) and every serial must still be `reserved` (CERT_INVALID), then the new
     * keys, the serials `issued`, the certificates, the audit entries and the signed head
     * are queued and the transaction's end awaited. Any failure stores nothing.
     */
    commitIssuanceBatch: ({ certs, addKeys = [], audit }: IssuanceBatch): Promise<void> =>
      h.guard('saving the certificates', async () => {
        if (addKeys.some(({ info, material }) => info.id !== material.id)) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
        const { tx, done } = open(addKeys.length ? ['serials', 'certs', 'audit', 'meta', 'keys', 'keyMaterial'] : ['serials', 'certs', 'audit', 'meta']);
        const serials = tx.objectStore('serials');
        const meta = tx.objectStore('meta');
        // Only IndexedDB requests from here to the end (W3): the reads, awaited once, then the writes.
        const [headRec, ...recs] = await answers<{ value?: unknown } | SerialRecord | undefined>([
          meta.get(AUDIT_HEAD_KEY),
          ...certs.map((c) => serials.get(serialRecordId(c.issuerId, c.serialHex))),
        ]);
        if (!sameHead((headRec as { value?: AuditHead } | undefined)?.value, audit.head)) {
          return abortWith(tx, done, h.auditConflict('storage: the audit log moved while the change was prepared'));
        }
        if (recs.some((rec) => !rec || (rec as SerialRecord).state !== 'reserved')) {
          return abortWith(tx, done, new EngineError('CERT_INVALID', 'storage: a serial number was not reserved for its issuer, or was already used'));
        }
        if (addKeys.length) {
          const keys = tx.objectStore('keys');
          const material = tx.objectStore('keyMaterial');
          for (const k of addKeys) {
            keys.add(h.toStoredKey(k.info));
            material.add(k.material);
          }
        }
        const store = tx.objectStore('certs');
        certs.forEach((cert, i) => {
          serials.put({ ...(recs[i] as SerialRecord), state: 'issued', certId: cert.id } satisfies SerialRecord);
          store.add(cert);
        });
        // The audit entries are added, never overwritten; the head is the signed new one.
        const log = tx.objectStore('audit');
        for (const e of audit.entries) log.add(e, e.seq);
        const last = audit.entries[audit.entries.length - 1];
        if (last) {
          meta.put({ key: AUDIT_HEAD_KEY, value: { seq: last.seq, hash: last.hash, ...(audit.headSignature ? { sig: audit.headSignature } : {}) } satisfies AuditHead });
          if (audit.newAuditKey !== undefined) meta.add({ key: h.auditKeyMeta, value: audit.newAuditKey });
        }
        await done;
      }),
  };
}
