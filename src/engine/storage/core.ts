/**
 * The transaction core every storage repository shares: typed storage errors, aborting a
 * transaction whose body throws, request queues, the audit append and the record keys.
 */
import type { IDBPDatabase, IDBPObjectStore, IDBPTransaction, StoreNames } from 'idb';
import type { AuditHead } from '../audit/chain';
import { StorageError, EngineError } from '../errors';
import { AUDIT_HEAD_KEY, type ClavisDB } from './schema';
import { type PreparedAudit, AUDIT_KEY_META, AuditConflictError } from './commits';

/** The stores a transaction must include to append audit entries. */
export const AUDIT_STORES = ['audit', 'meta'] as const;

export type AnyStores = ArrayLike<StoreNames<ClavisDB>>;

/**
 * Queues audit entries on an open readwrite transaction that includes AUDIT_STORES:
 * reads the stored head (an IndexedDB request, no foreign await), checks it is the head
 * the entries were chained from, then queues one `add` per entry (an entry is never
 * overwritten) and the new head. Returns the queued writes, to await with `tx.done`.
 * @throws AuditConflictError (after aborting the transaction) when the head moved.
 */
export async function queueAuditEntries(tx: IDBPTransaction<ClavisDB, AnyStores, 'readwrite'>, audit: PreparedAudit): Promise<Promise<unknown>[]> {
  const meta = tx.objectStore('meta') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'meta', 'readwrite'>;
  const log = tx.objectStore('audit') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'audit', 'readwrite'>;
  const stored = (await meta.get(AUDIT_HEAD_KEY))?.value as AuditHead | undefined;
  if (!sameHead(stored, audit.head)) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new AuditConflictError('storage: the audit log moved while the change was prepared');
  }
  if (audit.entries.length === 0) return [];
  const writes: Promise<unknown>[] = audit.entries.map((e) => log.add(e, e.seq));
  const last = audit.entries[audit.entries.length - 1]!;
  const head: AuditHead = { seq: last.seq, hash: last.hash, ...(audit.headSignature ? { sig: audit.headSignature } : {}) };
  writes.push(meta.put({ key: AUDIT_HEAD_KEY, value: head }));
  if (audit.newAuditKey !== undefined) writes.push(meta.add({ key: AUDIT_KEY_META, value: audit.newAuditKey }));
  // The caller awaits other requests before it collects these: mark them handled now so a
  // failing entry (which aborts the transaction) is not also an unhandled rejection.
  for (const w of writes) w.catch(() => undefined);
  tx.done.catch(() => undefined);
  return writes;
}

function sameHead(a: AuditHead | undefined, b: AuditHead | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.seq === b.seq && a.hash === b.hash;
}

/** The open database every repository module works on. */
export type Db = IDBPDatabase<ClavisDB>;

/** The key of a serial record: issuer and serial. */
export const serialId = (issuerId: string, serialHex: string) => `${issuerId}:${serialHex}`;

export function storageError(what: string, e: unknown): StorageError {
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  if (name === 'QuotaExceededError') {
    return new StorageError(`storage: the browser's storage quota is full; ${what} was not saved`, { cause: e });
  }
  if (name === 'DataCloneError') {
    return new StorageError(`storage: this browser cannot store keys in IndexedDB (${what})`, { cause: e });
  }
  if (name === 'ConstraintError') {
    return new StorageError(`storage: ${what} conflicts with an existing record`, { cause: e });
  }
  return new StorageError(`storage: ${what} failed${name ? ` (${name})` : ''}`, { cause: e });
}

/**
 * Runs the body of a readwrite transaction and aborts the transaction when the body
 * throws, synchronously or not. Without this a request that throws at once (WebKit's
 * private mode refuses to clone a CryptoKey with a synchronous DataCloneError) leaves the
 * requests queued before it to auto-commit: a key record without its material, an audit
 * entry for a change that never happened (issue 14 #8). The caller's `guard` then turns
 * the error into a typed StorageError.
 */
export async function abortOnThrow<T>(tx: { abort(): void; done: Promise<void> }, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // Already aborted (a failed request or our own `fail`) or already committed.
    }
    await tx.done.catch(() => undefined);
    throw e;
  }
}

/**
 * A transaction's queued write requests. `q` marks each request handled the moment it is
 * queued: when a later request throws and the transaction aborts, the earlier ones reject
 * with AbortError, which must not surface as unhandled rejections.
 */
export function requestQueue(): { list: Promise<unknown>[]; q: (p: Promise<unknown>) => void } {
  const list: Promise<unknown>[] = [];
  return {
    list,
    q(p) {
      p.catch(() => undefined);
      list.push(p);
    },
  };
}

export async function guard<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw storageError(what, e);
  }
}
