/** Storage of keys, their material, keyrings, principals and key use. */
import type { KeyringId } from '../ids';
import { EngineError } from '../errors';
import type { KeyInfo } from '../types';
import type { KeyMaterialRecord, KeyUsageRecord, PrincipalRecord } from './schema';
import { type Db, abortOnThrow, requestQueue, guard } from './core';
import { toStoredKey, fromStoredKey } from './key-records';

export interface KeyRepo {
  /** Stores a key's metadata and material together, atomically. Fails if the id exists. */
  addKey(info: KeyInfo, material: KeyMaterialRecord): Promise<void>;
  getKeyInfo(id: string): Promise<KeyInfo | undefined>;
  getKeyMaterial(id: string): Promise<KeyMaterialRecord | undefined>;
  listKeyInfos(): Promise<KeyInfo[]>;
  /**
   * Up to `limit` keys in id order after `afterId` (from the first without it): one read
   * of a bounded size, so a list of 10,000 keys loads in pieces that never hold the page.
   */
  listKeyInfoChunk(afterId: string | undefined, limit: number): Promise<KeyInfo[]>;
  /** Up to `limit` keys, newest first (index `byCreated`): a list's first page without reading the vault. */
  listKeysNewest(limit: number): Promise<KeyInfo[]>;
  /** Keys whose fingerprint value is `value` (index `byFingerprint`): the C6 check reads these, never the whole vault. */
  listKeysByFingerprint(value: string): Promise<KeyInfo[]>;
  /** Keys whose next clock transition is due at or before `at` (index `byDueAt`). */
  listKeysDueBy(at: number): Promise<KeyInfo[]>;
  /** The earliest next clock transition of any key (epoch ms), from the first entry of `byDueAt`. */
  firstDueAt(): Promise<number | undefined>;
  /** Replaces a key's metadata (the key must exist). */
  putKeyInfo(info: KeyInfo): Promise<void>;
  /** Removes metadata and material together. Returns false when there was no such key. */
  deleteKey(id: string): Promise<boolean>;
  /** The versions of a keyring (unordered). */
  listKeyring(keyringId: KeyringId): Promise<KeyInfo[]>;
  listKeysByOwner(owner: string): Promise<KeyInfo[]>;
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  listPrincipals(): Promise<PrincipalRecord[]>;
  /** Adds counted uses, one transaction for the batch. */
  addKeyUsage(batch: ReadonlyMap<string, { count: number; lastUsedAt: string }>): Promise<void>;
  getKeyUsage(id: string): Promise<KeyUsageRecord | undefined>;
}

export function keyRepo(db: Db): KeyRepo {
  return {
    addKey: (info, material) =>
      guard('saving the key', async () => {
        if (info.id !== material.id) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        // Both puts are queued before any await, and nothing else is awaited (W3).
        await abortOnThrow(tx, async () => {
          const w = requestQueue();
          w.q(tx.objectStore('keys').add(toStoredKey(info)));
          w.q(tx.objectStore('keyMaterial').add(material));
          await Promise.all([...w.list, tx.done]);
        });
      }),
    getKeyInfo: (id) => guard('reading a key', async () => fromStoredKey(await db.get('keys', id))),
    getKeyMaterial: (id) => guard('reading key material', () => db.get('keyMaterial', id)),
    listKeyInfos: () => guard('listing keys', async () => (await db.getAll('keys')).map(fromStoredKey)),
    listKeyInfoChunk: (afterId, limit) =>
      guard('listing keys', async () => (await db.getAll('keys', afterId === undefined ? undefined : IDBKeyRange.lowerBound(afterId, true), limit)).map(fromStoredKey)),
    listKeysNewest: (limit) =>
      guard('listing keys', async () => {
        const tx = db.transaction('keys', 'readonly');
        const out: KeyInfo[] = [];
        let cursor = await tx.store.index('byCreated').openCursor(null, 'prev');
        while (cursor && out.length < limit) {
          out.push(fromStoredKey(cursor.value));
          cursor = await cursor.continue();
        }
        await tx.done;
        return out;
      }),
    listKeysByFingerprint: (value) => guard('listing keys', async () => (await db.getAllFromIndex('keys', 'byFingerprint', value)).map(fromStoredKey)),
    listKeysDueBy: (at) => guard('listing keys', async () => (await db.getAllFromIndex('keys', 'byDueAt', IDBKeyRange.upperBound(at))).map(fromStoredKey)),
    firstDueAt: () =>
      guard('listing keys', async () => {
        const tx = db.transaction('keys', 'readonly');
        const cursor = await tx.store.index('byDueAt').openKeyCursor();
        const key = cursor?.key;
        await tx.done;
        return key;
      }),
    putKeyInfo: (info) =>
      guard('updating the key', async () => {
        const tx = db.transaction('keys', 'readwrite');
        const existing = await tx.store.get(info.id);
        if (!existing) {
          await tx.done;
          throw new EngineError('KEY_NOT_FOUND', 'storage: no such key');
        }
        await Promise.all([tx.store.put(toStoredKey(info)), tx.done]);
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
    listKeyring: (keyringId) => guard('listing keyring versions', async () => (await db.getAllFromIndex('keys', 'byKeyring', keyringId)).map(fromStoredKey)),
    listKeysByOwner: (owner) => guard('listing keys', async () => (await db.getAllFromIndex('keys', 'byOwner', owner)).map(fromStoredKey)),
    getPrincipal: (id) => guard('reading a principal', () => db.get('principals', id)),
    listPrincipals: () => guard('listing principals', () => db.getAll('principals')),
    addKeyUsage: (batch) =>
      guard('counting key use', async () => {
        const tx = db.transaction('keyUsage', 'readwrite');
        await abortOnThrow(tx, async () => {
          const ids = [...batch.keys()];
          const current = await Promise.all(ids.map((id) => tx.store.get(id)));
          const w = requestQueue();
          ids.forEach((id, i) => {
            const add = batch.get(id)!;
            w.q(tx.store.put({ id, count: (current[i]?.count ?? 0) + add.count, lastUsedAt: add.lastUsedAt }));
          });
          await Promise.all([...w.list, tx.done]);
        });
      }),
    getKeyUsage: (id) => guard('reading key use', () => db.get('keyUsage', id)),
  };
}
