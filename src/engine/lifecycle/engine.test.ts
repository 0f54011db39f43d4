import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { isEngineError, type Engine, type KeyInfo, type KeyOperation, type KeyState } from '..';
import { fixedClock } from '../internal/clock';
import { fromUtf8, toBase64Url, utf8 } from '../internal/bytes';
import { parseEnvelope } from '../keys/envelope';
import type { ClavisStorage } from '../storage/db';
import { addYears } from './dates';
import { DAY, T0 } from '../../testing/lifecycle-fixtures';
import { asKeyId, type KeyId } from '../ids';

// ---------------------------------------------------------------------------------------
// Helpers

async function setup() {
  const clock = fixedClock(T0);
  const s = await freshEngine({ clock });
  return { ...s, clock };
}

/** 'ok', or the error code and message. */
async function outcome(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
  try {
    await p;
    return { ok: true };
  } catch (e) {
    if (isEngineError(e)) return { ok: false, code: e.code, message: e.message };
    throw e;
  }
}

/** Raw IndexedDB (tests only; the engine's own code uses idb through storage). */
function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

async function rawTx(dbName: string, store: string, f: (s: IDBObjectStore) => void): Promise<void> {
  const db = await req(indexedDB.open(dbName));
  const tx = db.transaction(store, 'readwrite');
  f(tx.objectStore(store));
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

async function rawGet<T>(dbName: string, store: string, key: IDBValidKey): Promise<T> {
  const db = await req(indexedDB.open(dbName));
  const v = await req(db.transaction(store).objectStore(store).get(key));
  db.close();
  return v as T;
}

// ---------------------------------------------------------------------------------------
// B2: every operation against every state, through the engine

const STATES: KeyState[] = ['pre-activation', 'active', 'suspended', 'deactivated', 'compromised', 'destroyed', 'destroyed-compromised'];
const PROTECT: KeyOperation[] = ['encrypt', 'sign', 'wrap', 'derive', 'encapsulate'];

/** What the engine must answer (without acknowledgement, and with it). */
function expected(state: KeyState, op: KeyOperation): { plain: boolean; acknowledged: boolean } {
  const protect = PROTECT.includes(op);
  switch (state) {
    case 'active':
      return { plain: true, acknowledged: true };
    case 'deactivated':
      return { plain: !protect, acknowledged: !protect };
    case 'suspended':
    case 'compromised':
      return { plain: false, acknowledged: !protect };
    default:
      return { plain: false, acknowledged: false };
  }
}

async function moveTo(engine: Engine, id: KeyId, state: KeyState): Promise<void> {
  switch (state) {
    case 'active':
    case 'pre-activation':
      return;
    case 'suspended':
      await engine.suspendKey(id, 'investigating');
      return;
    case 'deactivated':
      await engine.deactivateKey(id);
      return;
    case 'compromised':
      await engine.compromiseKey(id);
      return;
    case 'destroyed':
      await engine.deactivateKey(id);
      await engine.destroyKey(id);
      return;
    case 'destroyed-compromised':
      await engine.compromiseKey(id);
      await engine.destroyKey(id);
      return;
  }
}

describe('B2: the engine gates every operation by the key state (fixed clock)', () => {
  it.each(STATES)('%s: every use verb is allowed or refused with KEY_STATE naming the state', async (state) => {
    const { engine } = await setup();
    const kem = (await engine.listTemplates()).find((t) => t.template.name === 'ML-KEM-768')!.available;
    const pre = state === 'pre-activation' ? { activateAt: T0 + DAY } : {};
    // Data made while every key was usable (a sibling's, for pre-activation keys, which never were).
    const helperAes = await engine.generateKey({ template: 'AES-GCM-256', name: 'helper' });
    const helperEc = await engine.generateKey({ template: 'ECDSA-P-256', name: 'helper signer' });
    const target = await engine.generateKey({ template: 'AES-GCM-128', name: 'to wrap', exportable: true });
    const peer = await engine.generateKey({ template: 'ECDH-P-256', name: 'peer' });
    const peerSpki = await engine.exportPublicKeyDer(peer.id);
    const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'aes', ...pre });
    const ec = await engine.generateKey({ template: 'ECDSA-P-256', name: 'ec', ...pre });
    const ecdh = await engine.generateKey({ template: 'ECDH-P-256', name: 'ecdh', ...pre });
    const mlkem = kem ? await engine.generateKey({ template: 'ML-KEM-768', name: 'kem', ...pre }) : null;
    const data = utf8('signed data');
    const usable = state !== 'pre-activation';
    const ct = await engine.encrypt(usable ? aes.id : helperAes.id, utf8('secret'));
    const sig = await engine.sign(usable ? ec.id : helperEc.id, data);
    const wrapped = await engine.wrapKey(usable ? aes.id : helperAes.id, target.id);
    let kemCt = new Uint8Array(1088);
    if (mlkem && usable) kemCt = (await engine.encapsulate(mlkem.id, { name: 'shared' })).ciphertext as Uint8Array<ArrayBuffer>;

    for (const k of [aes, ec, ecdh, ...(mlkem ? [mlkem] : [])]) await moveTo(engine, k.id, state);
    expect((await engine.getKey(aes.id)).state).toBe(state);

    const run = (op: KeyOperation, acknowledgeRisk: boolean): Promise<unknown> => {
      const ack = acknowledgeRisk ? { acknowledgeRisk: true } : {};
      switch (op) {
        case 'encrypt':
          return engine.encrypt(aes.id, utf8('x'));
        case 'decrypt':
          return engine.decrypt(ct, { keyId: aes.id, ...ack });
        case 'sign':
          return engine.sign(ec.id, data);
        case 'verify':
          return engine.verify(ec.id, data, sig, ack).then((ok) => expect(ok).toBe(true));
        case 'wrap':
          return engine.wrapKey(aes.id, target.id);
        case 'unwrap':
          return engine.unwrapKey(aes.id, wrapped, { name: 'unwrapped', ...ack });
        case 'derive':
          return engine.deriveKey(ecdh.id, peerSpki, { name: 'derived' });
        case 'encapsulate':
          return engine.encapsulate(mlkem!.id, { name: 'kem' });
        case 'decapsulate':
          return engine.decapsulate(mlkem!.id, kemCt, { name: 'kem', ...ack });
      }
    };
    const ops: KeyOperation[] = ['encrypt', 'decrypt', 'sign', 'verify', 'wrap', 'unwrap', 'derive', ...(mlkem ? (['encapsulate', 'decapsulate'] as const) : [])];
    for (const op of ops) {
      const want = expected(state, op);
      for (const ack of [false, true]) {
        const got = await outcome(run(op, ack));
        const allowed = ack ? want.acknowledged : want.plain;
        if (allowed) {
          expect(got, `${state} ${op} ack=${ack}`).toEqual({ ok: true });
        } else {
          expect(got, `${state} ${op} ack=${ack}`).toMatchObject({ ok: false, code: 'KEY_STATE' });
          const msg = (got as { message: string }).message;
          if (state.startsWith('destroyed')) expect(msg).toMatch(/was destroyed on 2030-01-01T/);
          else expect(msg).toMatch(new RegExp(`^lifecycle: key is ${state};`));
        }
      }
    }
  });

  it('counts every allowed use per key', async () => {
    const { engine } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'counted' });
    const ct = await engine.encrypt(k.id, utf8('a'));
    await engine.encrypt(k.id, utf8('b'));
    await engine.encryptText(k.id, 'c');
    await engine.decrypt(ct);
    await engine.suspendKey(k.id);
    await expect(engine.encrypt(k.id, utf8('refused'))).rejects.toMatchObject({ code: 'KEY_STATE' });
    expect(await engine.keyUsage(k.id)).toEqual({ count: 4, lastUsedAt: new Date(T0).toISOString() });
  });
});

// ---------------------------------------------------------------------------------------
// B3/B8: the clock

describe('B3: clock-driven transitions through the engine', () => {
  it('activates at the activation date, deactivates at protect-stop, stops processing at process-stop, each boundary exact', async () => {
    const { engine } = await setup();
    const activation = T0 + DAY;
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'scheduled', activateAt: activation });
    expect(k.state).toBe('pre-activation');
    expect(k.dates).toMatchObject({ createdAt: new Date(T0).toISOString(), activation: new Date(activation).toISOString() });
    const protectStop = addYears(activation, 2);
    const processStop = addYears(activation, 5);
    expect(Date.parse(k.dates.protectStop!)).toBe(protectStop);
    expect(await engine.nextDueAt()).toBe(activation);

    expect(await engine.setSimulatedTime(activation - 1)).toEqual([]);
    await expect(engine.encrypt(k.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^lifecycle: key is pre-activation/) });
    expect(await engine.setSimulatedTime(activation)).toEqual([{ keyId: k.id, from: 'pre-activation', to: 'active', at: new Date(activation).toISOString() }]);
    const ct = await engine.encrypt(k.id, utf8('during use'));
    expect(await engine.nextDueAt()).toBe(protectStop);

    expect(await engine.setSimulatedTime(protectStop - 1)).toEqual([]);
    await engine.encrypt(k.id, utf8('still'));
    const applied = await engine.setSimulatedTime(protectStop);
    expect(applied).toEqual([{ keyId: k.id, from: 'active', to: 'deactivated', at: new Date(protectStop).toISOString() }]);
    const stored = await engine.getKey(k.id);
    expect(stored.state).toBe('deactivated');
    expect(stored.history.map((e) => [e.from, e.to, e.cause])).toEqual([
      ['pre-activation', 'active', 'clock'],
      ['active', 'deactivated', 'clock'],
    ]);
    await expect(engine.encrypt(k.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^lifecycle: key is deactivated/) });

    await engine.setSimulatedTime(processStop - 1);
    expect(fromUtf8((await engine.decrypt(ct)).plaintext)).toBe('during use');
    await engine.setSimulatedTime(processStop);
    await expect(engine.decrypt(ct)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/process-stop/) });

    // Back to real (here: the injected fixed) time; the stored creation date never moved.
    await engine.setSimulatedTime(null);
    expect(engine.now()).toBe(T0);
    expect((await engine.getKey(k.id)).createdAt).toBe(new Date(T0).toISOString());
    const clockEntries = await engine.listAuditEntries({ subject: k.id, action: 'key.transition' });
    expect(clockEntries.map((e) => [e.actor, e.details.to])).toEqual([
      ['clock', 'active'],
      ['clock', 'deactivated'],
    ]);
  });

  it('applyDueTransitions persists what the injected clock made due (start-up, timer)', async () => {
    const { engine, clock } = await setup();
    const k = await engine.generateKey({ template: 'HMAC-SHA-256', name: 'mac', activateAt: T0 + 10 * DAY });
    clock.set(T0 + 10 * DAY);
    expect((await engine.getKey(k.id)).state).toBe('pre-activation');
    expect(await engine.applyDueTransitions()).toHaveLength(1);
    expect((await engine.getKey(k.id)).state).toBe('active');
    expect(await engine.applyDueTransitions()).toEqual([]);
  });

  it('setKeyDates: moving protect-stop to now deactivates at once; out-of-order dates are INVALID_ARGUMENT', async () => {
    const { engine } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    await expect(engine.setKeyDates(k.id, { processStop: T0 + DAY, protectStop: T0 + 2 * DAY })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const moved = await engine.setKeyDates(k.id, { protectStop: T0 });
    expect(moved.state).toBe('deactivated');
    expect((await engine.listAuditEntries({ subject: k.id })).map((e) => e.action)).toEqual(['key.create', 'key.transition', 'key.dates']);
  });
});

// ---------------------------------------------------------------------------------------
// B4: rotation

describe('B4: rotation, old-version data and rewrap', () => {
  it('rotates to a new primary; any version id encrypts under it; old data decrypts; rewrap moves it to the primary', async () => {
    const { engine } = await setup();
    const v1 = await engine.generateKey({ template: 'AES-GCM-256', name: 'notes', owner: 'alice' });
    const old = await engine.encrypt(v1.id, utf8('v1 data'), { aad: utf8('ctx') });
    const oldText = await engine.encryptText(v1.id, 'v1 text');
    const v2 = await engine.rotateKey(v1.id);
    expect(v2).toMatchObject({ keyringId: v1.id, version: 2, primary: true, state: 'active', name: 'notes', owner: 'alice' });
    const ring = await engine.listKeyring(v2.id);
    expect(ring.map((k) => [k.version, k.primary, k.state])).toEqual([
      [1, false, 'deactivated'],
      [2, true, 'active'],
    ]);
    expect(ring[0]!.history.at(-1)).toMatchObject({ to: 'deactivated', cause: 'operator', reason: 'superseded by version 2' });

    const fresh = await engine.encrypt(v1.id, utf8('new data'));
    const env = parseEnvelope(fresh);
    expect(env.type === 'cipher' && [env.keyId, env.keyVersion]).toEqual([v2.id, 2]);
    expect(await engine.decrypt(old, { aad: utf8('ctx') })).toMatchObject({ keyId: v1.id, version: 1 });

    const rewrapped = (await engine.rewrap(old, { aad: utf8('ctx') })) as Uint8Array;
    const back = await engine.decrypt(rewrapped, { aad: utf8('ctx') });
    expect([back.keyId, back.version, fromUtf8(back.plaintext)]).toEqual([v2.id, 2, 'v1 data']);
    const rewrappedText = (await engine.rewrap(oldText)) as string;
    expect(rewrappedText.startsWith('clavis:v1:')).toBe(true);
    expect(await engine.decryptText(rewrappedText)).toBe('v1 text');

    const v3 = await engine.rotateKey(v2.id);
    expect(v3.version).toBe(3);
    expect((await engine.listAuditEntries({ action: 'key.rotate' })).map((e) => e.details.toVersion)).toEqual([2, 3]);
  });
});

// ---------------------------------------------------------------------------------------
// B6: destroy

describe('B6: destroy crypto-shreds and keeps a tombstone', () => {
  it('an active key cannot be destroyed; a deactivated one loses its material and its data cannot be decrypted', async () => {
    const { engine, storage } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const ct = await engine.encrypt(k.id, utf8('gone'));
    await expect(engine.destroyKey(k.id)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^lifecycle: key is active; cannot move to destroyed: an active key cannot be destroyed directly/) });
    await engine.deactivateKey(k.id);
    const tomb = await engine.destroyKey(k.id);
    expect(tomb).toMatchObject({ state: 'destroyed', fingerprint: k.fingerprint, dates: { destroyed: new Date(T0).toISOString() } });
    expect(await storage.getKeyMaterial(k.id)).toBeUndefined();
    expect(await engine.getKey(k.id)).toEqual(tomb);
    await expect(engine.decrypt(ct)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^keys: the key was destroyed on 2030-01-01T00:00:00.000Z/) });
    // A compromise discovered later is still recorded.
    expect((await engine.compromiseKey(k.id)).state).toBe('destroyed-compromised');
  });

  it('a compromised key is destroyed as destroyed-compromised; deleteKey (hard delete) is audited', async () => {
    const { engine } = await setup();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    await engine.compromiseKey(k.id, { compromiseOccurredAt: T0 - DAY });
    expect((await engine.destroyKey(k.id)).state).toBe('destroyed-compromised');
    const other = await engine.generateKey({ template: 'AES-GCM-256', name: 'other' });
    await engine.deleteKey(other.id);
    await expect(engine.getKey(other.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    expect((await engine.listAuditEntries({ subject: other.id })).map((e) => e.action)).toEqual(['key.create', 'key.delete']);
    expect((await engine.listRevokedKeys()).map((r) => [r.key.id, r.reason])).toEqual([[k.id, 'keyCompromise']]);
  });
});

// ---------------------------------------------------------------------------------------
// B5: principals

describe('B5: revoking a principal', () => {
  it('cascades to its keys, blocks new keys for it until reinstated', async () => {
    const { engine, storage } = await setup();
    const active = await engine.generateKey({ template: 'AES-GCM-256', name: 'a', owner: 'alice' });
    const suspended = await engine.generateKey({ template: 'ECDSA-P-256', name: 's', owner: 'alice' });
    await engine.suspendKey(suspended.id);
    const later = await engine.generateKey({ template: 'AES-GCM-256', name: 'p', owner: 'alice', activateAt: T0 + DAY });
    const bobs = await engine.generateKey({ template: 'AES-GCM-256', name: 'b', owner: 'bob' });

    const r = await engine.revokePrincipal('alice', 'affiliationChanged');
    expect(r.principal).toMatchObject({ id: 'alice', revoked: true, reason: 'affiliationChanged' });
    expect((await engine.getKey(active.id)).state).toBe('deactivated');
    expect((await engine.getKey(suspended.id)).state).toBe('deactivated');
    expect((await engine.getKey(later.id)).state).toBe('destroyed');
    expect(await storage.getKeyMaterial(later.id)).toBeUndefined();
    expect((await engine.getKey(bobs.id)).state).toBe('active');
    expect((await engine.getKey(active.id)).history.at(-1)).toMatchObject({ cause: 'cascade', reason: 'affiliationChanged' });

    await expect(engine.generateKey({ template: 'AES-GCM-256', name: 'new', owner: 'alice' })).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/owner was revoked/) });
    const jwk = JSON.stringify({ kty: 'oct', k: toBase64Url(crypto.getRandomValues(new Uint8Array(32))), alg: 'A256GCM' });
    await expect(engine.importKey({ data: jwk, name: 'imported', owner: 'alice' })).rejects.toMatchObject({ code: 'KEY_STATE' });
    await expect(engine.rotateKey(active.id)).rejects.toMatchObject({ code: 'KEY_STATE' });
    expect((await engine.listPrincipals()).map((p) => [p.id, p.revoked, p.keyCount])).toEqual([
      ['alice', true, 3],
      ['bob', false, 1],
    ]);
    expect((await engine.listRevokedKeys()).map((k) => [k.cause, k.reason])).toEqual(Array(3).fill(['cascade', 'affiliationChanged']));

    await engine.reinstatePrincipal('alice');
    expect((await engine.importKey({ data: jwk, name: 'imported', owner: 'alice' })).owner).toBe('alice');
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------
// B7: the audit log in storage

async function loggedEngine() {
  const s = await setup();
  const a = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'a' });
  await s.engine.suspendKey(a.id);
  await s.engine.resumeKey(a.id);
  await s.engine.generateKey({ template: 'HMAC-SHA-256', name: 'b' });
  const entries = await s.engine.listAuditEntries();
  expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  return { ...s, entries };
}

describe('B7: the stored audit log', () => {
  it('records creation, every transition and export; verifies; exports JSON Lines without secrets', async () => {
    const { engine } = await setup();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 'signer', owner: 'ops', exportable: true });
    const pem = await engine.exportKey(k.id, { format: 'pkcs8-encrypted-pem', passphrase: 'correct horse battery' });
    expect(pem).toMatch(/ENCRYPTED PRIVATE KEY/);
    await engine.deactivateKey(k.id, 'no longer needed');
    const log = await engine.exportAuditLog();
    // The first line is the export header (recipe, signed head, audit key); the entries follow.
    const lines = log.trim().split('\n').slice(1).map((l) => JSON.parse(l) as { action: string });
    expect(lines.map((l) => l.action)).toEqual(['key.create', 'key.export', 'key.transition']);
    expect(log).not.toMatch(/correct horse/);
    expect(log).not.toMatch(/PRIVATE KEY/);
    expect(await engine.verifyAuditLog()).toEqual({ ok: true, count: 3, head: expect.objectContaining({ seq: 3 }), headSigned: true });
  });

  it('A2: a changed entry in IndexedDB is found and located', async () => {
    const { engine, dbName } = await loggedEngine();
    const e2 = await rawGet<Record<string, unknown>>(dbName, 'audit', 2);
    await rawTx(dbName, 'audit', (s) => s.put({ ...e2, details: { ...(e2.details as object), reason: 'forged' } }, 2));
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: false, kind: 'changed', firstBadSeq: 2 });
  });

  it('A2: a removed entry is found and located', async () => {
    const { engine, dbName } = await loggedEngine();
    await rawTx(dbName, 'audit', (s) => s.delete(3));
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: false, kind: 'removed', firstBadSeq: 3 });
  });

  it('A2: reordered entries are found and located', async () => {
    const { engine, dbName, entries } = await loggedEngine();
    await rawTx(dbName, 'audit', (s) => {
      s.put(entries[2], 2);
      s.put(entries[1], 3);
    });
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: false, kind: 'reordered', firstBadSeq: 2 });
  });

  it('A2: truncation is caught by the head kept in meta', async () => {
    const { engine, dbName } = await loggedEngine();
    await rawTx(dbName, 'audit', (s) => s.delete(4));
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: false, kind: 'removed', firstBadSeq: 4 });
  });
});

// ---------------------------------------------------------------------------------------
// A4: atomicity

describe('A4: a state change and its audit entries are written together or not at all', () => {
  it('a failure after the first audit put (a record planted in its way) leaves neither the entries nor the changes', async () => {
    const { engine, storage, dbName } = await setup();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'a', owner: 'carol' });
    const b = await engine.generateKey({ template: 'AES-GCM-256', name: 'b', owner: 'carol' });
    const head = (await storage.getAuditHead())!;
    expect(head.seq).toBe(2);
    // revokePrincipal writes entries 3 (principal.revoke), 4 and 5 (the keys): 3 goes in, 4 collides.
    const planted = { seq: 4, at: new Date(T0).toISOString(), actor: 'x', action: 'planted', subject: [], details: {}, prevHash: '0'.repeat(64), hash: '0'.repeat(64) };
    await rawTx(dbName, 'audit', (s) => s.add(planted, 4));
    await expect(engine.revokePrincipal('carol', 'cessationOfOperation')).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await storage.getAuditHead()).toEqual(head);
    expect((await storage.listAuditEntries()).map((e) => e.seq)).toEqual([1, 2, 4]);
    expect((await engine.getKey(a.id)).state).toBe('active');
    expect((await engine.getKey(b.id)).state).toBe('active');
    expect(await storage.getPrincipal('carol')).toBeUndefined();
  });

  it('a write prepared against an old head is refused (AuditConflictError) and writes nothing', async () => {
    const { engine, storage } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const moved: KeyInfo = { ...k, state: 'suspended' };
    await expect(storage.commitAudited({ head: undefined, entries: [], putKeys: [{ info: moved, before: k }] })).rejects.toMatchObject({ name: 'AuditConflictError' });
    expect((await engine.getKey(k.id)).state).toBe('active');
  });

  it('concurrent lifecycle changes all land, each with its entry, and the chain verifies (optimistic retry)', async () => {
    const { engine } = await setup();
    const keys = await Promise.all([1, 2, 3, 4, 5].map((i) => engine.generateKey({ template: 'AES-GCM-128', name: `k${i}` })));
    await Promise.all(keys.map((k) => engine.suspendKey(k.id)));
    expect((await engine.listKeys()).every((k) => k.state === 'suspended')).toBe(true);
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: true, count: 10 });
  });
});

// ---------------------------------------------------------------------------------------
// v3 migration

describe('storage v3 migration', () => {
  it('gives v2 key records an active lifecycle with default dates and their own keyring', async () => {
    const dbName = `clavis-test-migrate-${Math.floor(performance.now() * 1000)}`;
    const open = indexedDB.open(dbName, 2);
    open.onupgradeneeded = () => {
      const db = open.result;
      const keys = db.createObjectStore('keys', { keyPath: 'id' });
      keys.createIndex('byOwner', 'owner');
      keys.createIndex('byTemplate', 'template');
      keys.createIndex('byCreated', 'createdAt');
      db.createObjectStore('keyMaterial', { keyPath: 'id' });
      db.createObjectStore('meta', { keyPath: 'key' });
    };
    const db = await req(open);
    const secret = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']);
    const legacy = {
      id: asKeyId('key_00112233445566778899aabbccddeeff'),
      name: 'legacy',
      owner: '',
      template: 'AES-GCM-256',
      kind: 'secret',
      operations: ['encrypt', 'decrypt', 'wrap', 'unwrap'],
      extractable: false,
      origin: 'generated',
      state: 'active',
      version: 1,
      createdAt: '2029-06-01T00:00:00.000Z',
      fingerprint: { kind: 'kcv', value: 'abcdef' },
    };
    const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
    tx.objectStore('keys').put(legacy);
    tx.objectStore('keyMaterial').put({ id: legacy.id, secret });
    await new Promise((r) => (tx.oncomplete = r));
    db.close();

    const { openStorage, createEngine } = await import('..');
    const storage: ClavisStorage = await openStorage({ name: dbName });
    const engine = createEngine({ storage, clock: fixedClock(T0) });
    const k = await engine.getKey(legacy.id);
    expect(k).toMatchObject({ state: 'active', keyringId: legacy.id, primary: true, history: [] });
    expect(k.dates).toEqual({
      createdAt: legacy.createdAt,
      activation: legacy.createdAt,
      protectStop: '2031-06-01T00:00:00.000Z',
      processStop: '2034-06-01T00:00:00.000Z',
      deactivation: '2031-06-01T00:00:00.000Z',
    });
    expect(fromUtf8((await engine.decrypt(await engine.encrypt(legacy.id, utf8('still works')))).plaintext)).toBe('still works');
    storage.close();
  });
});
