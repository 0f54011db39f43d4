// B5 / issue 14 #12: the v6 → v7 step brings owners stored before owner identity became
// one rule (NFC, lower-case) to that rule. A real v5 vault (every v1–v5 step run) with
// old-style records is opened by this version; its owners' keys, revocations and dates
// survive. Runs in Node (fake-indexeddb) and Chromium (real IndexedDB).
import { openDB, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { describe, expect, it } from 'vitest';
import { createEngine } from '..';
import { toHex } from '../internal/bytes';
import { fixedClock } from '../internal/clock';
import { openStorage } from './db';
import { MIGRATIONS } from './migrations';
import { DB_VERSION, type ClavisDB } from './schema';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A database at schema `version`, built by the released steps. */
async function openAt(name: string, version: number): Promise<IDBPDatabase<ClavisDB>> {
  return openDB<ClavisDB>(name, version, {
    upgrade(db, old, _new, tx) {
      for (let v = old; v < version; v++) MIGRATIONS[v]!(db, tx as IDBPTransaction<ClavisDB, StoreNames<ClavisDB>[], 'versionchange'>);
    },
  });
}

function oldKey(id: string, owner: string, activation: number) {
  const createdAt = new Date(T0).toISOString();
  return {
    id,
    name: id,
    owner,
    template: 'AES-GCM-256' as const,
    kind: 'secret' as const,
    operations: ['encrypt' as const, 'decrypt' as const],
    extractable: false,
    origin: 'generated' as const,
    state: 'pre-activation' as const,
    version: 1,
    createdAt,
    fingerprint: { kind: 'kcv' as const, value: 'abcdef' },
    dates: { createdAt, activation: new Date(activation).toISOString() },
    history: [],
    keyringId: id,
    primary: true,
    dueAt: activation,
  };
}

describe('storage v7: owners stored in upper case are migrated (B5, issue 14 #12)', () => {
  it('a v5 vault with "Alice", "ALICE " and "alice" keys and principals opens as one owner alice, revoked if any spelling was', async () => {
    expect(DB_VERSION).toBeGreaterThanOrEqual(7);
    const name = `clavis-owners-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    const v5 = await openAt(name, 5);
    expect(v5.version).toBe(5);
    const tx = v5.transaction(['keys', 'principals'], 'readwrite');
    await Promise.all([
      tx.objectStore('keys').put(oldKey('key_a', 'Alice', T0 + 5 * DAY) as never),
      tx.objectStore('keys').put(oldKey('key_b', 'ALICE ', T0 + 2 * DAY) as never),
      tx.objectStore('keys').put(oldKey('key_c', 'alice', T0 + 9 * DAY) as never),
      tx.objectStore('keys').put(oldKey('key_d', 'Bob', T0 + 3 * DAY) as never),
      tx.objectStore('keys').put(oldKey('key_e', '', T0 + 4 * DAY) as never),
      tx.objectStore('principals').put({ id: 'Alice', revoked: true, reason: 'keyCompromise', revokedAt: new Date(T0).toISOString() }),
      tx.objectStore('principals').put({ id: 'alice', revoked: false }),
      tx.objectStore('principals').put({ id: 'Bob', revoked: false, reinstatedAt: new Date(T0).toISOString() }),
      tx.done,
    ]);
    v5.close();

    const storage = await openStorage({ name });
    const owners = Object.fromEntries((await storage.listKeyInfos()).map((k) => [k.id, k.owner]));
    expect(owners).toEqual({ key_a: 'alice', key_b: 'alice', key_c: 'alice', key_d: 'bob', key_e: '' });
    expect((await storage.listKeysByOwner('alice')).map((k) => k.id).sort()).toEqual(['key_a', 'key_b', 'key_c']);
    expect(await storage.listKeysByOwner('Alice')).toEqual([]);
    const principals = await storage.listPrincipals();
    expect(principals.map((p) => p.id).sort()).toEqual(['alice', 'bob']);
    expect(principals.find((p) => p.id === 'alice')).toMatchObject({ revoked: true, reason: 'keyCompromise' });
    // The lifecycle index survived the rewrite: the earliest due key is still found.
    expect(await storage.firstDueAt()).toBe(T0 + 2 * DAY);

    // The engine treats every old spelling as the one revoked owner.
    const engine = createEngine({ storage, clock: fixedClock(T0) });
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: 'new', owner: 'ALICE' })).rejects.toMatchObject({ code: 'KEY_STATE' });
    expect((await engine.listKeys({ owner: 'Alice' })).map((k) => k.id).sort()).toEqual(['key_a', 'key_b', 'key_c']);
    expect((await engine.generateKey({ template: 'AES-GCM-256', name: 'b2', owner: 'BOB' })).owner).toBe('bob');
    storage.close();
  });

  it('a v4 vault (the v5 step walks the same key records in the same upgrade) keeps dates and due index with the migrated owner', async () => {
    const name = `clavis-owners-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    const v4 = await openAt(name, 4);
    const { dueAt: _dropped, ...record } = oldKey('key_v4', 'Carol', T0 + 6 * DAY);
    await v4.put('keys', record as never);
    v4.close();
    const storage = await openStorage({ name });
    expect(await storage.getKeyInfo('key_v4')).toEqual({ ...record, owner: 'carol' });
    expect(await storage.firstDueAt()).toBe(T0 + 6 * DAY);
    storage.close();
  });
});
