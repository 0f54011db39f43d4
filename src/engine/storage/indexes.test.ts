// B3 and W4 at scale: the v5 indexes. The lifecycle clock finds due keys through
// `byDueAt` (kept on every write), the C6 check finds keys through `byFingerprint`, and
// the v4 → v5 step indexes a vault that existed before it.
import { describe, expect, it } from 'vitest';
import { toHex } from '../internal/bytes';
import { fixedClock } from '../internal/clock';
import { nextDueAt as recordNextDueAt } from '../lifecycle/dates';
import { createEngine } from '..';
import { openStorage } from './db';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const dbName = () => `clavis-idx-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

describe('storage v5 indexes', () => {
  it('B3 the next due date is the earliest of every key, and only due keys are listed; transitions and date changes move them', async () => {
    const storage = await openStorage({ name: dbName() });
    const clock = fixedClock(T0);
    const engine = createEngine({ storage, clock });
    const later = await engine.generateKey({ template: 'AES-GCM-256', name: 'in 10 days', activateAt: T0 + 10 * DAY });
    const soon = await engine.generateKey({ template: 'AES-GCM-256', name: 'in 2 days', activateAt: T0 + 2 * DAY });
    const active = await engine.generateKey({ template: 'AES-GCM-256', name: 'active now' });
    const all = await storage.listKeyInfos();
    const earliest = Math.min(...all.map((k) => recordNextDueAt(k) ?? Infinity));
    expect(await engine.nextDueAt()).toBe(T0 + 2 * DAY);
    expect(earliest).toBe(T0 + 2 * DAY);
    // Records come back as plain KeyInfo: the index field stays in storage.
    expect(Object.keys((await storage.getKeyInfo(soon.id))!)).not.toContain('dueAt');

    expect(await storage.listKeysDueBy(T0 + DAY)).toEqual([]);
    expect((await storage.listKeysDueBy(T0 + 2 * DAY)).map((k) => k.id)).toEqual([soon.id]);

    clock.set(T0 + 3 * DAY);
    const applied = await engine.applyDueTransitions();
    expect(applied.map((t) => [t.keyId, t.to])).toEqual([[soon.id, 'active']]);
    // Now active, its next date is the end of its use period, far away: no longer due.
    expect((await storage.listKeysDueBy(T0 + 3 * DAY)).map((k) => k.id)).toEqual([]);
    expect(await engine.nextDueAt()).toBe(T0 + 10 * DAY);

    // Moving a key's dates moves its index entry (a write recomputes it).
    await engine.setKeyDates(active.id, { protectStop: T0 + 4 * DAY, deactivation: T0 + 4 * DAY });
    expect(await engine.nextDueAt()).toBe(T0 + 4 * DAY);
    clock.set(T0 + 11 * DAY);
    const second = await engine.applyDueTransitions();
    expect(new Set(second.map((t) => t.keyId))).toEqual(new Set([active.id, later.id]));
    storage.close();
  });

  it('C6 keys are found by fingerprint without reading the vault', async () => {
    const storage = await openStorage({ name: dbName() });
    const engine = createEngine({ storage, clock: fixedClock(T0) });
    const keys = [];
    for (let i = 0; i < 5; i++) keys.push(await engine.generateKey({ template: 'ECDSA-P-256', name: `k${i}` }));
    const target = keys[3]!;
    expect((await storage.listKeysByFingerprint(target.fingerprint.value)).map((k) => k.id)).toEqual([target.id]);
    expect(await storage.listKeysByFingerprint('00'.repeat(32))).toEqual([]);
    storage.close();
  });

  it('W4 the v4 → v5 step indexes the keys a v4 vault already holds', async () => {
    const name = dbName();
    // A v4 vault with the stores the step touches, and one key record scheduled to activate.
    const open = indexedDB.open(name, 4);
    open.onupgradeneeded = () => {
      const db = open.result;
      const keys = db.createObjectStore('keys', { keyPath: 'id' });
      keys.createIndex('byOwner', 'owner');
      db.createObjectStore('certs', { keyPath: 'id' });
    };
    const v4 = await req(open);
    const activation = new Date(T0 + 5 * DAY).toISOString();
    const record = {
      id: 'key_v4',
      name: 'old',
      owner: '',
      template: 'AES-GCM-256',
      kind: 'secret',
      state: 'pre-activation',
      createdAt: new Date(T0).toISOString(),
      fingerprint: { kind: 'kcv', value: 'abcdef' },
      dates: { createdAt: new Date(T0).toISOString(), activation },
      history: [],
      keyringId: 'key_v4',
      primary: true,
      version: 1,
    };
    const tx = v4.transaction('keys', 'readwrite');
    tx.objectStore('keys').put(record);
    await new Promise((r) => (tx.oncomplete = r));
    v4.close();

    const storage = await openStorage({ name });
    expect(await storage.firstDueAt()).toBe(T0 + 5 * DAY);
    expect((await storage.listKeysByFingerprint('abcdef')).map((k) => k.id)).toEqual(['key_v4']);
    expect(await storage.getKeyInfo('key_v4')).toEqual(record);
    storage.close();
  });
});
