// Issue 14 #7: a key that a CA, a keyring or a live certificate depends on cannot be
// deleted outright (it leaves through the lifecycle: revoke/deactivate, then Destroy), and
// a root CA whose first CRL fails leaves no CA record, certificate or key behind.
// Runs in Node (fake-indexeddb) and Chromium (real IndexedDB).
import { describe, expect, it } from 'vitest';
import { createEngine, fixedClock, StorageError } from '..';
import { freshEngine } from '../../testing/engine';
import type { CaId } from '../ids';

const T0 = Date.UTC(2030, 0, 15, 9, 0, 0);
const DAY = 86_400_000;

describe('vault: delete refuses keys something depends on (issue 14 #7)', () => {
  it("refuses to delete a CA's signing key, names the CA, and keeps key and CA", async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Payments Root', subject: { CN: 'Payments Root' } });
    await expect(engine.deleteKey(root.ca.keyId)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/signing key of the CA "Payments Root"/) });
    expect((await engine.getKey(root.ca.keyId)).id).toBe(root.ca.keyId);
    expect((await pki.listCas()).map((c) => c.id)).toEqual([root.ca.id]);
    // The CA can still publish.
    await expect(pki.publishCrl(root.ca.id)).resolves.toBeDefined();
  });

  it('refuses while a live certificate certifies the key, allows it once the certificate is revoked', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 0 });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'client' });
    const leaf = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'client' } });
    await expect(engine.deleteKey(key.id)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/live certificate CN=client/) });
    await pki.revokeCertificate(leaf.cert.id, { reason: 'cessationOfOperation' });
    await engine.deleteKey(key.id);
    await expect(engine.getKey(key.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('an expired certificate does not hold the key', async () => {
    const clock = fixedClock(T0);
    const { engine } = await freshEngine({ clock });
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 0 });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'short-lived' });
    await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'x' }, validityDays: 1 });
    await expect(engine.deleteKey(key.id)).rejects.toMatchObject({ code: 'KEY_STATE' });
    clock.set(T0 + 3 * DAY);
    await engine.deleteKey(key.id);
    await expect(engine.getKey(key.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('refuses to delete a version of a keyring with other versions; Destroy through the lifecycle still works', async () => {
    const { engine } = await freshEngine();
    const v1 = await engine.generateKey({ template: 'AES-GCM-256', name: 'orders' });
    const v2 = await engine.rotateKey(v1.id);
    for (const id of [v1.id, v2.id]) {
      await expect(engine.deleteKey(id)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/keyring with 2 versions.*Destroy/) });
    }
    expect((await engine.listKeyring(v1.id)).length).toBe(2);
    // The old version is process-only: deactivate (if needed) and destroy it, keeping its tombstone.
    const old = await engine.getKey(v1.id);
    if (old.state === 'active') await engine.deactivateKey(v1.id);
    expect((await engine.destroyKey(v1.id)).state).toBe('destroyed');
    // With the other version destroyed, the primary has no live sibling and may be deleted.
    await engine.deleteKey(v2.id);
    await expect(engine.getKey(v2.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
  });

  it('a key nothing depends on is still deleted, audited', async () => {
    const { engine } = await freshEngine();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 'loose' });
    await engine.deleteKey(k.id);
    expect((await engine.listAuditEntries({ subject: k.id })).map((e) => e.action)).toEqual(['key.create', 'key.delete']);
  });
});

describe('vault: the delete-dependency check runs inside the delete transaction (issue 14 #7)', () => {
  // Another tab makes the key a CA's signing key after the delete read the key and before
  // its audit entry was chained: the check must see the CA in the deleting transaction.
  it('a CA created between the delete\'s reads and its write keeps its key', async () => {
    const { storage } = await freshEngine();
    const otherTab = createEngine({ storage });
    const k = await otherTab.generateKey({ template: 'ECDSA-P-256', name: 'soon a CA key' });
    let deleting = false;
    let caId: CaId | undefined;
    // prepareAudit reads the head after the delete was built: the other tab creates its CA there.
    const racing = {
      ...storage,
      getAuditHead: async () => {
        if (deleting && caId === undefined) {
          deleting = false;
          caId = (await (await otherTab.pki()).createRootCa({ name: 'Late Root', subject: { CN: 'Late Root' }, keyId: k.id })).ca.id;
        }
        return storage.getAuditHead();
      },
    };
    const engine = createEngine({ storage: racing });
    deleting = true;
    await expect(engine.deleteKey(k.id)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/signing key of the CA "Late Root"/) });
    expect(caId).toBeDefined();
    expect((await engine.getKey(k.id)).id).toBe(k.id);
    await expect((await otherTab.pki()).publishCrl(caId!)).resolves.toBeDefined();
    expect((await engine.listAuditEntries({ subject: k.id })).map((e) => e.action)).not.toContain('key.delete');
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });

  it('a certificate issued between the delete\'s reads and its write keeps its key', async () => {
    const { storage } = await freshEngine();
    const otherTab = createEngine({ storage });
    const pki = await otherTab.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 0 });
    const k = await otherTab.generateKey({ template: 'ECDSA-P-256', name: 'client' });
    let deleting = false;
    const racing = {
      ...storage,
      getAuditHead: async () => {
        if (deleting) {
          deleting = false;
          await pki.issueCertificate({ caId: root.ca.id, keyId: k.id, profile: 'tls-client', subject: { CN: 'late client' } });
        }
        return storage.getAuditHead();
      },
    };
    const engine = createEngine({ storage: racing });
    deleting = true;
    await expect(engine.deleteKey(k.id)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/live certificate CN=late client/) });
    expect((await engine.getKey(k.id)).id).toBe(k.id);
  });
});

describe('pki: a root CA whose first CRL fails leaves nothing behind (issue 14 #7)', () => {
  it('removes the CA record, its certificate and its generated key, and audits the discard', async () => {
    const { storage } = await freshEngine();
    const failing = { ...storage, commitCrl: () => Promise.reject(new StorageError('storage: the browser refused the CRL (test)')) };
    const engine = createEngine({ storage: failing });
    const pki = await engine.pki();
    const keysBefore = await engine.listKeys();
    await expect(pki.createRootCa({ name: 'Doomed', subject: { CN: 'Doomed' } })).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await pki.listCas()).toEqual([]);
    expect(await storage.listCerts()).toEqual([]);
    expect(await engine.listKeys()).toEqual(keysBefore);
    const actions = (await engine.listAuditEntries()).map((e) => e.action);
    expect(actions).toContain('ca.create');
    expect(actions).toContain('ca.discard');
    expect(actions.at(-1)).toBe('key.delete');
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });

  it('an intermediate whose first CRL fails is removed too; its parent keeps working', async () => {
    const { storage } = await freshEngine();
    let refuse = false;
    const failing = { ...storage, commitCrl: (...a: Parameters<typeof storage.commitCrl>) => (refuse ? Promise.reject(new StorageError('storage: refused (test)')) : storage.commitCrl(...a)) };
    const engine = createEngine({ storage: failing });
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 1 });
    refuse = true;
    await expect(pki.createIntermediateCa({ name: 'Doomed', parentId: root.ca.id, subject: { CN: 'Doomed' } })).rejects.toMatchObject({ code: 'STORAGE' });
    refuse = false;
    expect((await pki.listCas()).map((c) => c.id)).toEqual([root.ca.id]);
    const certs = await storage.listCerts(root.ca.id);
    expect(certs.map((c) => c.id)).toEqual([root.ca.certId]);
    const int = await pki.createIntermediateCa({ name: 'Issuing', parentId: root.ca.id, subject: { CN: 'Issuing' } });
    expect((await pki.listCas()).length).toBe(2);
    expect(int.ca.parentId).toBe(root.ca.id);
  });
});
