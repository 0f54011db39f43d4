// W3 / issue 14 #8: a request that throws synchronously (WebKit's private mode refuses to
// clone a CryptoKey with a synchronous DataCloneError) must abort its whole transaction:
// no key record without material, no audit entry for a change that never happened.
// Runs in Node (fake-indexeddb) and in Chromium (real IndexedDB).
import { afterEach, describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';

type Method = 'add' | 'put';
const originals: Partial<Record<Method, (...a: unknown[]) => unknown>> = {};

/** Makes `add`/`put` on the named stores throw a DataCloneError synchronously, as WebKit does. */
function refuseClonesIn(stores: string[]): void {
  for (const m of ['add', 'put'] as const) {
    const orig = IDBObjectStore.prototype[m] as (...a: unknown[]) => unknown;
    originals[m] = orig;
    IDBObjectStore.prototype[m] = function (this: IDBObjectStore, ...args: unknown[]) {
      if (stores.includes(this.name)) throw new DOMException('CryptoKey could not be cloned.', 'DataCloneError');
      return orig.apply(this, args);
    } as never;
  }
}

afterEach(() => {
  for (const m of ['add', 'put'] as const) if (originals[m]) IDBObjectStore.prototype[m] = originals[m] as never;
});

describe('storage: a synchronous DataCloneError writes nothing (W3)', () => {
  it('W3 generateKey: no key record, no audit entry, a typed STORAGE error', async () => {
    const { engine, storage } = await freshEngine();
    await engine.generateKey({ template: 'AES-GCM-256', name: 'before' });
    const headBefore = await storage.getAuditHead();
    const entriesBefore = (await storage.listAuditEntries()).length;
    refuseClonesIn(['keyMaterial']);
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: 'refused' })).rejects.toMatchObject({
      code: 'STORAGE',
      message: expect.stringMatching(/cannot store keys/),
    });
    expect((await storage.listKeyInfos()).map((k) => k.name)).toEqual(['before']);
    expect(await storage.getAuditHead()).toEqual(headBefore);
    expect((await storage.listAuditEntries()).length).toBe(entriesBefore);
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });

  it('W3 addKey: the key record is not kept without its material', async () => {
    const { engine, storage } = await freshEngine();
    const info = await engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const material = (await storage.getKeyMaterial(info.id))!;
    refuseClonesIn(['keyMaterial']);
    const copy = { ...info, id: 'key_copy' as typeof info.id };
    await expect(storage.addKey(copy, { ...material, id: copy.id })).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await storage.getKeyInfo('key_copy')).toBeUndefined();
  });

  it('W3 KDC: registering a principal whose key cannot be stored leaves no principal and no audit entry', async () => {
    const { engine, storage } = await freshEngine();
    const kdc = await engine.kdc();
    await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
    const headBefore = await storage.getAuditHead();
    refuseClonesIn(['kdcPrincipalKeys']);
    await expect(kdc.registerPrincipal({ name: 'files', kind: 'service' })).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await storage.getKdcPrincipal('files')).toBeUndefined();
    expect(await storage.getAuditHead()).toEqual(headBefore);
    expect((await kdc.listPrincipals()).map((p) => p.name)).toEqual(['alice']);
  });
});
