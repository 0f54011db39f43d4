/**
 * Storage: the only module that imports idb. `openStorage()` opens (and migrates) the
 * Clavis database and returns a small repository whose writes that belong together
 * run in one transaction with no foreign awaits inside it (SECURITY.md W3): callers do
 * their crypto first, then hand finished records here.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { StorageError, EngineError } from '../errors';
import type { KeyInfo } from '../types';
import { DB_NAME, DB_VERSION, type ClavisDB, type KeyMaterialRecord } from './schema';

/** The repository the engine uses. Every method throws StorageError on IndexedDB failure. */
export interface ClavisStorage {
  /** Stores a key's metadata and material together, atomically. Fails if the id exists. */
  addKey(info: KeyInfo, material: KeyMaterialRecord): Promise<void>;
  getKeyInfo(id: string): Promise<KeyInfo | undefined>;
  getKeyMaterial(id: string): Promise<KeyMaterialRecord | undefined>;
  listKeyInfos(): Promise<KeyInfo[]>;
  /** Replaces a key's metadata (the key must exist). */
  putKeyInfo(info: KeyInfo): Promise<void>;
  /** Removes metadata and material together. Returns false when there was no such key. */
  deleteKey(id: string): Promise<boolean>;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  /** Closes the connection (tests, and when another tab upgrades the schema). */
  close(): void;
}

/** Migrations, one per version step. Never edit a released step; add a new one. */
const MIGRATIONS: Array<(db: IDBPDatabase<ClavisDB>) => void> = [
  // v0 -> v1: the vault.
  (db) => {
    const keys = db.createObjectStore('keys', { keyPath: 'id' });
    keys.createIndex('byOwner', 'owner');
    keys.createIndex('byTemplate', 'template');
    keys.createIndex('byCreated', 'createdAt');
    db.createObjectStore('keyMaterial', { keyPath: 'id' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
];

export interface OpenStorageOptions {
  /** Database name; tests and walkthrough namespaces use their own. */
  name?: string;
  /** Called when another tab wants a newer schema: this connection has been closed. */
  onVersionChange?: () => void;
}

function storageError(what: string, e: unknown): StorageError {
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

async function guard<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw storageError(what, e);
  }
}

/** Opens the Clavis database, running any pending migrations. Throws StorageError. */
export async function openStorage(opts: OpenStorageOptions = {}): Promise<ClavisStorage> {
  const name = opts.name ?? DB_NAME;
  const db = await guard('opening the database', () =>
    openDB<ClavisDB>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v]!(database);
      },
      blocking() {
        // Another tab needs a newer schema: step aside so its upgrade can run.
        db.close();
        opts.onVersionChange?.();
      },
    }),
  );

  return {
    addKey: (info, material) =>
      guard('saving the key', async () => {
        if (info.id !== material.id) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        // Both puts are queued before any await, and nothing else is awaited (W3).
        const a = tx.objectStore('keys').add(info);
        const b = tx.objectStore('keyMaterial').add(material);
        await Promise.all([a, b, tx.done]);
      }),
    getKeyInfo: (id) => guard('reading a key', () => db.get('keys', id)),
    getKeyMaterial: (id) => guard('reading key material', () => db.get('keyMaterial', id)),
    listKeyInfos: () => guard('listing keys', () => db.getAll('keys')),
    putKeyInfo: (info) =>
      guard('updating the key', async () => {
        const tx = db.transaction('keys', 'readwrite');
        const existing = await tx.store.get(info.id);
        if (!existing) {
          await tx.done;
          throw new EngineError('KEY_NOT_FOUND', 'storage: no such key');
        }
        await Promise.all([tx.store.put(info), tx.done]);
      }),
    deleteKey: (id) =>
      guard('deleting the key', async () => {
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        const existing = await tx.objectStore('keys').getKey(id);
        if (existing === undefined) {
          await tx.done;
          return false;
        }
        await Promise.all([tx.objectStore('keys').delete(id), tx.objectStore('keyMaterial').delete(id), tx.done]);
        return true;
      }),
    getMeta: <T,>(key: string) => guard('reading settings', async () => (await db.get('meta', key))?.value as T | undefined),
    setMeta: (key, value) => guard('saving settings', async () => void (await db.put('meta', { key, value }))),
    close: () => db.close(),
  };
}
