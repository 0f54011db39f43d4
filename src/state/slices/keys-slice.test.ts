// The keys slice loads the engine's inventory as plain data and keeps engine errors as codes.
import { describe, expect, it, vi } from 'vitest';
import type { KeyInfo } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { createAppStore } from '../store';
import { EMPTY_FILTER, filterKeys, FIRST_PAGE, opNames } from './keys-slice';
import { assertPlainData } from '../../testing/plain-data';
import { testKeyId } from '../../testing/ids';

async function setup(storageManager = {}) {
  const { engine } = await freshEngine();
  const store = createAppStore(engine, { storageManager });
  return { engine, store, keys: () => store.getState().keys };
}

describe('keys slice', () => {
  it('refresh loads the inventory newest first from the engine', async () => {
    const { engine, store, keys } = await setup();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'first' });
    const b = await engine.generateKey({ template: 'HMAC-SHA-256', name: 'second' });
    await keys().refresh();
    expect(keys().listStatus).toBe('ready');
    expect(new Set(keys().ids)).toEqual(new Set([a.id, b.id]));
    expect(keys().byId[a.id]?.name).toBe('first');
    expect(store.getState().keys.listError).toBeNull();
  });

  it('A8 refresh over a large vault: the first page from the index, then every key in list order, the list state changed only twice', async () => {
    const { engine, store, keys } = await setup();
    await engine.generateKeys({ template: 'AES-GCM-256', names: Array.from({ length: 2500 }, (_, i) => `fleet ${i}`), batchSize: 1250 });
    const lists: number[] = [];
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.keys.ids !== prev.keys.ids) lists.push(s.keys.ids.length);
    });
    await keys().refresh();
    unsubscribe();
    expect(lists).toEqual([FIRST_PAGE, 2500]);
    expect(keys().listStatus).toBe('ready');
    expect(keys().ids).toEqual((await engine.listKeys()).map((k) => k.id));
    expect(Object.keys(keys().byId)).toHaveLength(2500);
  }, 240_000);

  it('A8 of two overlapping refreshes only the later one writes the list, and it is complete', async () => {
    const { engine, keys } = await setup();
    await engine.generateKeys({ template: 'AES-GCM-256', names: Array.from({ length: 1500 }, (_, i) => `k${i}`) });
    const first = keys().refresh();
    const extra = await engine.generateKey({ template: 'AES-GCM-256', name: 'late' });
    await Promise.all([first, keys().refresh()]);
    expect(keys().listStatus).toBe('ready');
    expect(keys().ids).toHaveLength(1501);
    expect(keys().byId[extra.id]?.name).toBe('late');
  }, 240_000);

  it('keeps only plain serialisable data: no CryptoKey or bytes after generating and loading templates', async () => {
    const { keys, store } = await setup();
    await keys().loadTemplates();
    const r = await keys().generateKey({ template: 'ECDSA-P-256', name: 'signer' });
    expect(r.ok).toBe(true);
    expect(() => assertPlainData(store.getState())).not.toThrow();
    // And what JSON carries is exactly what the views read.
    const data = JSON.parse(JSON.stringify(store.getState().keys.byId));
    expect(data).toEqual(store.getState().keys.byId);
    expect(keys().templates.some((t) => t.name === 'AES-GCM-256' && t.available)).toBe(true);
  });

  it('stores an engine error as { code, message } and returns it', async () => {
    const { keys } = await setup();
    const r = await keys().generateKey({ template: 'AES-GCM-256', name: '   ' });
    expect(r).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^keys: name/) } });
    expect(keys().ops[opNames.generate]).toEqual({ status: 'error', error: (r as { error: unknown }).error });
    expect(keys().ids).toEqual([]);
  });

  it('W5 asks for persistent storage once, on the first generation, and refreshes the estimate', async () => {
    // A StorageManager stand-in that grants persistence, as Chromium does for engaged sites.
    let granted = false;
    const persist = vi.fn(async () => (granted = true));
    const estimate = vi.fn(async () => ({ usage: 2048, quota: 1 << 30 }));
    const { keys, store } = await setup({ persist, estimate, persisted: async () => granted });
    await keys().generateKey({ template: 'AES-GCM-128', name: 'one' });
    await keys().generateKey({ template: 'AES-GCM-128', name: 'two' });
    expect(persist).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(store.getState().storage.usage).toBe(2048));
    expect(store.getState().storage.persisted).toBe(true);
    expect(store.getState().storage.quota).toBe(1 << 30);
  });

  it('delete removes the key, its operation statuses, and the engine copy', async () => {
    const { engine, keys } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'doomed' });
    await keys().refresh();
    await keys().loadKey(k.id);
    const r = await keys().deleteKey(k.id);
    expect(r.ok).toBe(true);
    expect(keys().byId[k.id]).toBeUndefined();
    expect(keys().ids).not.toContain(k.id);
    expect(Object.keys(keys().ops).filter((n) => n.endsWith(k.id))).toEqual([]);
    await expect(engine.getKey(k.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('loadKey records KEY_NOT_FOUND for an unknown id', async () => {
    const { keys } = await setup();
    const r = await keys().loadKey(testKeyId('0000'));
    expect(r.ok).toBe(false);
    expect(keys().ops[opNames.load(testKeyId('0000'))]?.error?.code).toBe('KEY_NOT_FOUND');
  });

  it('verifyText refuses a signature that is not base64 before calling the engine', async () => {
    const { engine, keys } = await setup();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 's' });
    const r = await keys().verifyText(k.id, 'hello', 'not base64!');
    expect(r).toEqual({ ok: false, error: { code: 'INVALID_ARGUMENT', message: 'keys: the signature is not valid base64' } });
  });

  it('signs text to base64 and verifies it; a changed message does not verify', async () => {
    const { engine, keys } = await setup();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 's' });
    const sig = await keys().signText(k.id, 'hello');
    if (!sig.ok) throw new Error(sig.error.message);
    expect(sig.value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(await keys().verifyText(k.id, 'hello', sig.value)).toEqual({ ok: true, value: true });
    expect(await keys().verifyText(k.id, 'hellO', sig.value)).toEqual({ ok: true, value: false });
  });

  it('encrypts and decrypts text through the engine; the plaintext is returned, not stored', async () => {
    const { engine, keys, store } = await setup();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'data' });
    const ct = await keys().encryptText(k.id, 'attack at dawn');
    if (!ct.ok) throw new Error(ct.error.message);
    const pt = await keys().decryptText(k.id, ct.value);
    expect(pt).toEqual({ ok: true, value: 'attack at dawn' });
    expect(JSON.stringify(store.getState())).not.toContain('attack at dawn');
  });
});

describe('filterKeys', () => {
  const key = (over: Partial<KeyInfo>): KeyInfo =>
    ({
      id: testKeyId('x'),
      name: 'k',
      owner: '',
      template: 'AES-GCM-256',
      kind: 'secret',
      operations: [],
      extractable: false,
      origin: 'generated',
      state: 'active',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      fingerprint: { kind: 'kcv', value: 'abcdef' },
      ...over,
    }) as KeyInfo;
  const list = [
    key({ id: testKeyId('1'), name: 'Payroll data', owner: 'alice' }),
    key({ id: testKeyId('2'), name: 'Signer', owner: 'bob', template: 'ECDSA-P-256', kind: 'key-pair', fingerprint: { kind: 'spki-sha256', value: '9e02aa' } }),
    key({ id: testKeyId('3'), name: 'Fernet', owner: 'alice', template: 'FERNET', extractable: true }),
  ];
  const names = (f: Partial<typeof EMPTY_FILTER>) => filterKeys(list, { ...EMPTY_FILTER, ...f }).map((k) => k.name);

  it('matches text against name, owner, template and fingerprint, case-insensitively', () => {
    expect(names({ text: 'payroll' })).toEqual(['Payroll data']);
    expect(names({ text: 'BOB' })).toEqual(['Signer']);
    expect(names({ text: 'ecdsa' })).toEqual(['Signer']);
    expect(names({ text: '9e02' })).toEqual(['Signer']);
  });

  it('combines owner, template, kind and extractability filters', () => {
    expect(names({ owner: 'alice' })).toEqual(['Payroll data', 'Fernet']);
    expect(names({ owner: 'alice', extractable: 'non-extractable' })).toEqual(['Payroll data']);
    expect(names({ extractable: 'extractable' })).toEqual(['Fernet']);
    expect(names({ kind: 'key-pair' })).toEqual(['Signer']);
    expect(names({ template: 'FERNET' })).toEqual(['Fernet']);
    expect(names({})).toHaveLength(3);
  });
});
