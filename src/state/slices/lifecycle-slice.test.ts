// The lifecycle clock applies due transitions at start-up and re-arms its timer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { createAppStore } from '../store';
import { lifecycleOpNames, MAX_TIMER_DELAY, startLifecycleClock, timerDelay, upcomingChanges } from './lifecycle-slice';
import { assertPlainData } from '../../testing/plain-data';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const DAY = 86_400_000;

afterEach(() => vi.restoreAllMocks());

async function setup() {
  const clock = fixedClock(T0);
  const { engine, dbName } = await freshEngine({ clock });
  const store = createAppStore(engine, { storageManager: {} });
  const lc = () => store.getState().lifecycle;
  const keys = () => store.getState().keys;
  return { clock, engine, store, lc, keys, dbName };
}

/** Opens the engine's IndexedDB (fake-indexeddb) directly, as an attacker with the profile would. */
function openRaw(name: string): Promise<IDBDatabase> {
  return new Promise((res, rej) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => res(r.result);
    r.onerror = () => rej(r.error);
  });
}

describe('lifecycle slice', () => {
  it('B3: start-up applies the transitions already due and refreshes the key list', async () => {
    const { clock, engine, lc, keys } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'later', activateAt: T0 + DAY });
    expect(k.state).toBe('pre-activation');
    clock.advance(2 * DAY);
    await lc().start();
    lc().stop();
    expect(lc().lastApplied).toEqual([expect.objectContaining({ keyId: k.id, from: 'pre-activation', to: 'active' })]);
    expect(keys().byId[k.id]?.state).toBe('active');
    expect(lc().ops[lifecycleOpNames.clock]?.status).toBe('done');
  });

  it('B3: the timer is armed for the next due date, clamped to setTimeout’s maximum, and its firing applies the transition', async () => {
    const { clock, engine, lc, keys } = await setup();
    const far = await engine.generateKey({ template: 'AES-GCM-256', name: 'far', activateAt: T0 + 400 * DAY });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await lc().start();
    expect(lc().nextDueAt).toBe(T0 + 400 * DAY);
    expect(spy.mock.calls.some(([, delay]) => delay === MAX_TIMER_DELAY)).toBe(true);

    // A key that falls due sooner re-arms the timer for its date.
    const near = await engine.generateKey({ template: 'AES-GCM-256', name: 'near', activateAt: T0 + 5000 });
    spy.mockClear();
    await lc().reschedule();
    expect(lc().nextDueAt).toBe(T0 + 5000);
    const call = spy.mock.calls.find(([, delay]) => delay === 5000);
    expect(call).toBeDefined();

    // The timer fires once the date is reached: the transition is applied and recorded.
    clock.set(T0 + 5000);
    const fire = call![0] as () => void;
    fire();
    await vi.waitFor(() => expect(keys().byId[near.id]?.state).toBe('active'));
    expect(keys().byId[far.id]?.state).toBe('pre-activation');
    lc().stop();
  });

  it('B3: startLifecycleClock re-arms the timer when the key inventory changes, and stops', async () => {
    const { engine, store, lc, keys } = await setup();
    const stop = startLifecycleClock(store);
    await vi.waitFor(() => expect(lc().ops[lifecycleOpNames.clock]?.status).toBe('done'));
    expect(lc().nextDueAt).toBeNull();
    await keys().generateKey({ template: 'AES-GCM-256', name: 'soon', activateAt: T0 + 60_000 });
    await vi.waitFor(() => expect(lc().nextDueAt).toBe(T0 + 60_000));
    stop();
    expect(engine.now()).toBe(T0);
  });

  it('timerDelay never goes below zero nor above setTimeout’s maximum', () => {
    expect(timerDelay(T0 - 10, T0)).toBe(0);
    expect(timerDelay(T0 + 10, T0)).toBe(10);
    expect(timerDelay(T0 + 10 * 365 * DAY, T0)).toBe(MAX_TIMER_DELAY);
  });

  it('B8: moving the simulated clock applies what falls due, marks the clock simulated, and real time comes back', async () => {
    const { engine, lc, keys } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'short-lived' });
    const r = await lc().setDates(k.id, { protectStop: T0 + 10 * DAY });
    expect(r.ok).toBe(true);
    expect(lc().clock).toEqual({ simulated: false, now: T0 });

    const moved = await lc().advanceClock(30 * DAY);
    expect(moved.ok && moved.value).toEqual([expect.objectContaining({ keyId: k.id, from: 'active', to: 'deactivated' })]);
    expect(lc().clock).toEqual({ simulated: true, now: T0 + 30 * DAY });
    expect(keys().byId[k.id]?.state).toBe('deactivated');
    // Stored creation dates never move.
    expect(keys().byId[k.id]?.createdAt).toBe(new Date(T0).toISOString());

    await lc().setSimulatedTime(null);
    expect(lc().clock).toEqual({ simulated: false, now: T0 });
    expect(keys().byId[k.id]?.state).toBe('deactivated');

    const bad = await lc().advanceClock(-DAY);
    expect(bad.ok).toBe(false);
    expect(lc().ops[lifecycleOpNames.clock]?.error?.code).toBe('INVALID_ARGUMENT');
  });

  it('B1/B2: operator transitions update the key list; a forbidden one fails with KEY_STATE naming the rule', async () => {
    const { engine, lc, keys } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'k', activateAt: T0 + DAY });
    await keys().refresh();
    expect((await lc().transition(k.id, 'activate')).ok).toBe(true);
    expect(keys().byId[k.id]?.state).toBe('active');

    const refused = await lc().transition(k.id, 'destroy');
    expect(refused.ok).toBe(false);
    expect(lc().ops[lifecycleOpNames.transition(k.id)]).toMatchObject({ status: 'error', error: { code: 'KEY_STATE' } });
    expect(!refused.ok && refused.error.message).toMatch(/active key cannot be destroyed directly/);

    expect((await lc().transition(k.id, 'suspend')).ok).toBe(true);
    expect((await lc().transition(k.id, 'resume')).ok).toBe(true);
    expect((await lc().revoke(k.id, 'superseded')).ok).toBe(true);
    expect(keys().byId[k.id]?.state).toBe('deactivated');
    expect((await lc().transition(k.id, 'compromise')).ok).toBe(true);
    expect((await lc().transition(k.id, 'destroy')).ok).toBe(true);
    expect(keys().byId[k.id]?.state).toBe('destroyed-compromised');
  });

  it('B4: rotate loads the keyring with the new primary, and the use count', async () => {
    const { engine, lc, keys } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'ring' });
    await engine.encryptText(k.id, 'hello');
    const r = await lc().rotate(k.id);
    expect(r.ok).toBe(true);
    const v2 = r.ok ? r.value : undefined;
    expect(v2?.version).toBe(2);
    const ring = lc().keyrings[k.keyringId]!;
    expect(ring.map((v) => [v.version, v.primary, v.state])).toEqual([
      [1, false, 'deactivated'],
      [2, true, 'active'],
    ]);
    expect(lc().usage[k.id]?.count).toBe(1);
    expect(keys().byId[v2!.id]?.primary).toBe(true);
  });

  it('B5: revoking a principal moves its keys, lists them as revoked, and reinstating lifts the block', async () => {
    const { engine, lc, keys } = await setup();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'alice key', owner: 'alice' });
    await lc().loadOverview();
    expect(lc().principals).toEqual([expect.objectContaining({ id: 'alice', revoked: false, keyCount: 1 })]);

    expect((await lc().revokePrincipal('alice', 'affiliationChanged')).ok).toBe(true);
    expect(keys().byId[a.id]?.state).toBe('deactivated');
    expect(lc().principals[0]).toMatchObject({ id: 'alice', revoked: true, reason: 'affiliationChanged' });
    expect(lc().revoked).toEqual([expect.objectContaining({ reason: 'affiliationChanged', cause: 'cascade', key: expect.objectContaining({ id: a.id }) })]);

    const blocked = await keys().generateKey({ template: 'AES-GCM-256', name: 'more', owner: 'alice' });
    expect(!blocked.ok && blocked.error.code).toBe('KEY_STATE');
    expect((await lc().reinstatePrincipal('alice')).ok).toBe(true);
    expect(lc().principals[0]).toMatchObject({ revoked: false });
    expect((await keys().generateKey({ template: 'AES-GCM-256', name: 'more', owner: 'alice' })).ok).toBe(true);
  });

  it('B7: loads, verifies and exports the audit log; a changed stored entry is located', async () => {
    const { engine, lc, dbName } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'audited' });
    await lc().transition(k.id, 'suspend');
    await lc().loadAudit();
    expect(lc().auditStatus).toBe('ready');
    expect(lc().auditEntries.map((e) => e.action)).toEqual(['key.create', 'key.transition']);

    const ok = await lc().verifyAudit();
    expect(ok.ok && ok.value).toMatchObject({ ok: true, count: 2 });
    const jsonl = await lc().exportAudit();
    // The first line is the export header (hash recipe, signed head, audit key); the entries follow.
    expect(jsonl.ok && jsonl.value.trim().split('\n').slice(1).map((l) => JSON.parse(l).seq)).toEqual([1, 2]);
    expect(jsonl.ok && JSON.parse(jsonl.value.split('\n')[0]!)).toMatchObject({ format: 'clavis-audit-export', head: { seq: 2 } });

    const db = await openRaw(dbName);
    await new Promise<void>((res, rej) => {
      const tx = db.transaction('audit', 'readwrite');
      const store = tx.objectStore('audit');
      const get = store.get(1);
      get.onsuccess = () => store.put({ ...get.result, actor: 'mallory' }, 1);
      tx.oncomplete = () => res();
      tx.onerror = () => rej(tx.error);
    });
    db.close();
    const bad = await lc().verifyAudit();
    expect(bad.ok && bad.value).toMatchObject({ ok: false, firstBadSeq: 1, kind: 'changed' });
    expect(lc().auditVerification).toMatchObject({ ok: false, firstBadSeq: 1 });
  });

  it('keeps only plain data in the store (no CryptoKeys, no bytes)', async () => {
    const { engine, lc } = await setup();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 'signer', owner: 'bob' });
    await lc().rotate(k.id);
    await lc().loadOverview();
    await lc().loadAudit();
    await lc().verifyAudit();
    const { start: _s, ...state } = lc();
    assertPlainData(Object.fromEntries(Object.entries(state).filter(([, v]) => typeof v !== 'function')));
  });

  it('upcomingChanges lists the dates reached in the next 30 days, soonest first', async () => {
    const { engine, lc, keys } = await setup();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'a', activateAt: T0 + 20 * DAY });
    const b = await engine.generateKey({ template: 'AES-GCM-256', name: 'b' });
    await lc().setDates(b.id, { protectStop: T0 + 5 * DAY });
    await engine.generateKey({ template: 'AES-GCM-256', name: 'c', activateAt: T0 + 40 * DAY });
    await keys().refresh();
    const list = upcomingChanges(Object.values(keys().byId), T0);
    expect(list.map((u) => [u.name, u.label])).toEqual([
      ['b', 'protect-stop (end of originator use)'],
      ['a', 'activation'],
    ]);
    expect(list[1]!.keyId).toBe(a.id);
  });
});
