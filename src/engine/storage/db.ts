/**
 * Storage: the only module that imports idb. `openStorage()` opens (and migrates) the
 * Clavis database and returns one repository composed of a module per domain (keys,
 * audit, issuance, certificates, revocations, CRLs, backup, KDC, imported), all on the
 * transaction core in core.ts. Writes that belong together run in one transaction with no
 * foreign awaits inside it (SECURITY.md W3): callers do their crypto first, then hand
 * finished records here.
 */
import { deleteDB, openDB } from 'idb';
import { EngineError } from '../errors';
import { auditRepo, type AuditRepo } from './audit-repo';
import { backupRepo, type BackupRepo } from './backup-repo';
import { certRepo, type CertRepo } from './cert-repo';
import type { KdcCommitOutcome } from './commits';
import { guard } from './core';
import { crlCaches, crlRepo, type CrlRepo } from './crl-repo';
import { importedRepo, type ImportedRepo } from './imported-repo';
import { issuanceRepo, type IssuanceRepo } from './issuance-repo';
import { kdcRepo, type KdcRepo } from './kdc-repo';
import { keyRepo, type KeyRepo } from './key-repo';
import { MIGRATIONS } from './migrations';
import { revocationRepo, type RevocationRepo } from './revocation-repo';
import { DB_NAME, DB_VERSION, type ClavisDB } from './schema';

/** The connection itself: settings, the change feed, closing. */
export interface ConnectionRepo {
  /**
   * Calls `listener` after every committed write, in this tab (`'this-tab'`) and in every
   * other tab of the origin that has the same database open (`'other-tab'`, through a
   * BroadcastChannel), so every open tab can show the same vault (issue 14 #10). The
   * message carries no data, only that something changed. Returns an unsubscribe function.
   */
  onChange(listener: (origin: 'this-tab' | 'other-tab') => void): () => void;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  /** Closes the connection (tests, and when another tab upgrades the schema). */
  close(): void;
}

/** The repository the engine uses. Every method throws StorageError on IndexedDB failure. */
export type ClavisStorage = ConnectionRepo & KeyRepo & AuditRepo & IssuanceRepo & CertRepo & RevocationRepo & CrlRepo & BackupRepo & KdcRepo & ImportedRepo;

export interface OpenStorageOptions {
  /** Database name; tests and walkthrough namespaces use their own. */
  name?: string;
  /** Called when another tab wants a newer schema: this connection has been closed. */
  onVersionChange?: () => void;
}

/**
 * Deletes a whole database by name: a walkthrough namespace (F2 "reset"). Close this
 * tab's connections to it first; other tabs' connections close themselves (`blocking`).
 * The user's own database (`DB_NAME`) is refused, so a reset can never reach it.
 * @throws INVALID_ARGUMENT (the user's database), STORAGE
 */
export async function deleteStorage(name: string): Promise<void> {
  if (typeof name !== 'string' || name === '' || name === DB_NAME) {
    throw new EngineError('INVALID_ARGUMENT', "storage: only a namespace database can be deleted, never the vault's own");
  }
  await guard('deleting the database', () => deleteDB(name));
}

/** Opens the Clavis database, running any pending migrations. Throws StorageError. */
export async function openStorage(opts: OpenStorageOptions = {}): Promise<ClavisStorage> {
  const name = opts.name ?? DB_NAME;
  const db = await guard('opening the database', () =>
    openDB<ClavisDB>(name, DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, transaction) {
        for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v]!(database, transaction);
      },
      blocking() {
        // Another tab needs a newer schema: step aside so its upgrade can run.
        db.close();
        opts.onVersionChange?.();
      },
    }),
  );

  // The change feed (issue 14 #10): every committed write is announced to this tab's
  // listeners and, through a BroadcastChannel, to the other tabs. Only "changed" is sent.
  const listeners = new Set<(origin: 'this-tab' | 'other-tab') => void>();
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`clavis-changes:${name}`);
  if (channel) channel.onmessage = () => listeners.forEach((l) => l('other-tab'));
  const announce = () => {
    listeners.forEach((l) => l('this-tab'));
    try {
      channel?.postMessage('changed');
    } catch {
      // A closed channel (the connection was closed): nothing to tell.
    }
  };


  const caches = crlCaches();
  const connection: ConnectionRepo = {
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getMeta: <T,>(key: string) => guard('reading settings', async () => (await db.get('meta', key))?.value as T | undefined),
    setMeta: (key, value) => guard('saving settings', async () => void (await db.put('meta', { key, value }))),
    close: () => {
      db.close();
      channel?.close();
    },
  };
  const repo: ClavisStorage = {
    ...connection,
    ...keyRepo(db),
    ...auditRepo(db),
    ...issuanceRepo(db),
    ...certRepo(db),
    ...revocationRepo(db),
    ...crlRepo(db, caches),
    ...backupRepo(db, caches),
    ...kdcRepo(db),
    ...importedRepo(db),
  };
  for (const m of WRITES) {
    const write = repo[m] as (...a: unknown[]) => Promise<unknown>;
    (repo as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
      const out = await write(...a);
      // A refused KDC commit wrote nothing.
      if (!(m === 'commitKdc' && (out as KdcCommitOutcome).ok === false)) announce();
      return out;
    };
  }
  return repo;
}

/** The repository methods that write: each announces a change once it has committed. */
const WRITES = [
  'addKey',
  'putKeyInfo',
  'deleteKey',
  'commitAudited',
  'commitIssuance',
  'discardNewCa',
  'putCa',
  'addRevocation',
  'commitRevocation',
  'addCrl',
  'commitKdc',
  'initKdcMasterKey',
  'commitRestore',
  'commitImported',
] as const satisfies ReadonlyArray<keyof ClavisStorage>;

