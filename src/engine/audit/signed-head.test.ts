// A1 / issue 14 #6: the audit head is signed by the vault's non-extractable audit key at
// every append, so rewriting the log in storage shows: a cut tail with a rewritten head, a
// chain recomputed after an edit, and a cleared log and head all fail verification.
// The tampering goes straight at IndexedDB, as someone editing storage would.
// Runs in Node (fake-indexeddb) and Chromium (real IndexedDB).
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { AUDIT_HEAD_KEY } from '../storage/schema';
import { AUDIT_KEY_META } from '../storage/commits';
import { entryHash, type AuditEntry, type AuditHead } from './chain';
import { AUDIT_VERIFICATION_LIMITS } from './store';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Opens the test database directly (no migrations: it exists at the current version). */
async function raw(name: string): Promise<IDBDatabase> {
  return req(indexedDB.open(name));
}

async function tamper(name: string, f: (audit: IDBObjectStore, meta: IDBObjectStore) => void | Promise<void>): Promise<void> {
  const db = await raw(name);
  const tx = db.transaction(['audit', 'meta'], 'readwrite');
  const done = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  await f(tx.objectStore('audit'), tx.objectStore('meta'));
  await done;
  db.close();
}

async function vaultWithFiveEntries() {
  const t = await freshEngine();
  for (let i = 0; i < 5; i++) await t.engine.generateKey({ template: 'AES-GCM-256', name: `k${i}` });
  const entries = await t.storage.listAuditEntries();
  expect(entries.length).toBe(5);
  return { ...t, entries };
}

describe('audit: a signed head shows rewrites (A1, issue 14 #6)', () => {
  it('an untouched log verifies with a signed head; the audit key cannot be exported', async () => {
    const { engine, storage } = await vaultWithFiveEntries();
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: true, count: 5, headSigned: true });
    const head = (await storage.getAuditHead())!;
    expect(head.sig).toMatch(/^[0-9a-f]{128}$/);
    const key = await storage.getMeta<{ privateKey: CryptoKey }>(AUDIT_KEY_META);
    expect(key!.privateKey.extractable).toBe(false);
    expect(AUDIT_VERIFICATION_LIMITS).toMatch(/Cannot prove/);
  });

  it('cutting the tail and moving the head back (keeping the old signature) is detected', async () => {
    const { engine, dbName, entries } = await vaultWithFiveEntries();
    await tamper(dbName, async (audit, meta) => {
      const head = (await req(meta.get(AUDIT_HEAD_KEY))) as { value: AuditHead };
      audit.delete(5);
      audit.delete(4);
      meta.put({ key: AUDIT_HEAD_KEY, value: { seq: 3, hash: entries[2]!.hash, sig: head.value.sig } });
    });
    const v = await engine.verifyAuditLog();
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.explanation).toMatch(/not signed by the audit key/);
  });

  it('cutting the tail and writing an unsigned head is detected', async () => {
    const { engine, dbName, entries } = await vaultWithFiveEntries();
    await tamper(dbName, (audit, meta) => {
      audit.delete(5);
      meta.put({ key: AUDIT_HEAD_KEY, value: { seq: 4, hash: entries[3]!.hash } });
    });
    expect((await engine.verifyAuditLog()).ok).toBe(false);
  });

  it('editing an entry and recomputing the whole chain and head is detected', async () => {
    const { engine, dbName, entries } = await vaultWithFiveEntries();
    const forged: AuditEntry[] = [];
    let prev = entries[0]!.hash;
    forged.push(entries[0]!);
    for (const e of entries.slice(1)) {
      const edited = { ...e, details: e.seq === 2 ? { ...e.details, name: 'renamed-by-attacker' } : e.details };
      const hash = await entryHash(crypto.subtle, prev, edited);
      forged.push({ ...edited, hash });
      prev = hash;
    }
    await tamper(dbName, async (audit, meta) => {
      const head = (await req(meta.get(AUDIT_HEAD_KEY))) as { value: AuditHead };
      for (const e of forged.slice(1)) audit.put(e, e.seq);
      meta.put({ key: AUDIT_HEAD_KEY, value: { seq: 5, hash: prev, sig: head.value.sig } });
    });
    const v = await engine.verifyAuditLog();
    expect(v.ok).toBe(false);
  });

  it('clearing the log and its head is detected', async () => {
    const { engine, dbName } = await vaultWithFiveEntries();
    await tamper(dbName, (audit, meta) => {
      audit.clear();
      meta.delete(AUDIT_HEAD_KEY);
    });
    const v = await engine.verifyAuditLog();
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.explanation).toMatch(/cleared/);
  });

  it('a new vault with no entries verifies as empty and unsigned', async () => {
    const { engine } = await freshEngine();
    expect(await engine.verifyAuditLog()).toEqual({ ok: true, count: 0, headSigned: false });
  });
});
