// E8: trust material imported from outside (PEM, DER, .p7b, CRLs), kept apart from Clavis's
// CAs, audited in one transaction; and the Verify screen's verb over it. Runs in Node
// (fake-indexeddb) and in Chromium (real IndexedDB and WebCrypto).
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { toHex } from '../internal/bytes';
import { openStorage } from '../storage/db';
import { DB_VERSION } from '../storage/schema';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { certsOnlyPkcs7 } from './bundle';
import { toPem } from '../keys/pem';
import { MAX_IMPORT_BYTES } from './imported';
import { AT, basicChain, cert, crl, party } from './validate/test-chains';

const expectCode = async (p: Promise<unknown> | (() => unknown), code: Parameters<typeof isEngineError>[1], msg?: RegExp) => {
  try {
    await (typeof p === 'function' ? p() : p);
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(isEngineError(e, code), String(e)).toBe(true);
    if (msg) expect((e as Error).message).toMatch(msg);
  }
};

const pem = (der: Uint8Array) => toPem(der, 'CERTIFICATE');
const crlPem = (der: Uint8Array) => toPem(der, 'X509 CRL');

async function auditActions(storage: { listAuditEntries(): Promise<Array<{ action: string }>> }) {
  return (await storage.listAuditEntries()).map((e) => e.action);
}

describe('imported trust material (E8)', () => {
  it('E8 a PEM bundle of certificates and a CRL is imported, audited per item, and never joins the CA list', async () => {
    const { pki, storage } = await freshPki();
    const own = await hierarchy(pki);
    const casBefore = await pki.listCas();
    const certsBefore = await pki.listCertificates();
    const c = await basicChain();
    const list = await crl({ issuer: c.ica, revoked: [{ serial: 77, reason: 1 }] });
    const out = await pki.importTrustMaterial(pem(c.leafCert) + pem(c.icaCert) + pem(c.rootCert) + crlPem(list));
    expect(out.duplicates).toEqual([]);
    expect(out.added.map((a) => a.kind)).toEqual(['certificate', 'certificate', 'certificate', 'crl']);
    const listed = await pki.listImported();
    expect(listed.certs.map((x) => x.subject).sort()).toEqual(['CN=Test Intermediate', 'CN=Test Root', 'CN=app.test']);
    expect(listed.certs.every((x) => !x.trusted)).toBe(true);
    expect(listed.certs.find((x) => x.subject === 'CN=Test Root')).toMatchObject({ isCa: true, selfSigned: true });
    expect(listed.certs.find((x) => x.subject === 'CN=Test Intermediate')).toMatchObject({ isCa: true, selfSigned: false });
    expect(listed.crls).toHaveLength(1);
    expect(listed.crls[0]).toMatchObject({ issuer: 'CN=Test Intermediate', entries: 1, crlNumber: '01' });
    // Kept apart: Clavis's CAs and certificates are exactly what they were.
    expect(await pki.listCas()).toEqual(casBefore);
    expect((await pki.listCertificates()).map((x) => x.id)).toEqual(certsBefore.map((x) => x.id));
    expect(casBefore.map((x) => x.id)).toContain(own.root.ca.id);
    expect((await auditActions(storage)).filter((a) => a === 'trust.import')).toHaveLength(4);
  });

  it('E8 DER certificates, DER CRLs and certs-only .p7b bundles (DER and PEM) are read', async () => {
    const { pki } = await freshPki();
    const c = await basicChain();
    expect(pki.readTrustMaterial(c.leafCert)).toEqual({ certs: 1, crls: 0 });
    expect(pki.readTrustMaterial(await crl({ issuer: c.root }))).toEqual({ certs: 0, crls: 1 });
    const p7b = certsOnlyPkcs7([c.leafCert, c.icaCert, c.rootCert]);
    expect(pki.readTrustMaterial(p7b)).toEqual({ certs: 3, crls: 0 });
    expect(pki.readTrustMaterial(toPem(p7b, 'PKCS7'))).toEqual({ certs: 3, crls: 0 });
    const out = await pki.importTrustMaterial(p7b);
    expect(out.added).toHaveLength(3);
    const der = await pki.importTrustMaterial(await crl({ issuer: c.root, crlNumber: 9 }));
    expect(der.added).toMatchObject([{ kind: 'crl', issuer: 'CN=Test Root', crlNumber: '09' }]);
  });

  it('E8 bad input is a typed error with a sentence, and nothing is stored or audited', async () => {
    const { pki, storage } = await freshPki();
    const c = await basicChain();
    const broken = c.leafCert.slice(0, c.leafCert.length - 5);
    const cases: Array<[string | Uint8Array, RegExp]> = [
      ['', /nothing was given/],
      ['hello, not a certificate', /no PEM block/],
      [broken, /truncated/],
      [Uint8Array.of(0x04, 0x01, 0x00), /neither PEM nor DER|no PEM block|not a SEQUENCE/],
      ['-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n', /certificate request/],
      ['-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n', /private key/],
      [pem(c.leafCert) + pem(broken), /truncated|cannot be read/],
      ['A'.repeat(Math.ceil((MAX_IMPORT_BYTES * 3) / 2)), /too large/],
    ];
    for (const [input, msg] of cases) {
      await expectCode(pki.importTrustMaterial(input), 'MALFORMED_INPUT', msg);
    }
    // A bundle with one good certificate and one broken one stores neither.
    expect(await pki.listImported()).toEqual({ certs: [], crls: [] });
    expect(await auditActions(storage)).toEqual([]);
    // A private key's bytes never reach the message.
    try {
      await pki.importTrustMaterial('-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n');
    } catch (e) {
      expect((e as Error).message).not.toMatch(/MIGH/);
    }
  });

  it('E8 a duplicate (same SHA-256 of the DER) is reported and not stored or audited again', async () => {
    const { pki, storage } = await freshPki();
    const c = await basicChain();
    const first = await pki.importTrustMaterial(pem(c.rootCert) + pem(c.rootCert));
    expect(first.added).toHaveLength(1);
    const again = await pki.importTrustMaterial(certsOnlyPkcs7([c.rootCert, c.icaCert]));
    expect(again.duplicates).toEqual([{ id: first.added[0]!.id, kind: 'certificate', what: 'CN=Test Root' }]);
    expect(again.added.map((a) => a.kind === 'certificate' && a.subject)).toEqual(['CN=Test Intermediate']);
    const only = await pki.importTrustMaterial(c.rootCert);
    expect(only.added).toEqual([]);
    expect(only.duplicates).toHaveLength(1);
    expect((await pki.listImported()).certs).toHaveLength(2);
    expect((await auditActions(storage)).filter((a) => a === 'trust.import')).toHaveLength(2);
  });

  it('E8 only a self-signed CA certificate can become a trusted root, by an explicit act, and the act is audited', async () => {
    const { pki, storage } = await freshPki();
    const c = await basicChain();
    const out = await pki.importTrustMaterial(pem(c.leafCert) + pem(c.icaCert) + pem(c.rootCert));
    const [leaf, ica, root] = out.added;
    await expectCode(pki.setImportedTrust(leaf!.id, true), 'INVALID_ARGUMENT', /not a CA certificate/);
    await expectCode(pki.setImportedTrust(ica!.id, true), 'INVALID_ARGUMENT', /not self-signed/);
    // A self-issued CA whose signature was made by another key is not self-signed either.
    const other = await party('Test Root');
    const forged = await cert({ subject: c.root, issuer: { ...other, name: c.root.name }, ca: true });
    const f = await pki.importTrustMaterial(forged);
    await expectCode(pki.setImportedTrust(f.added[0]!.id, true), 'INVALID_ARGUMENT', /not self-signed/);
    await expectCode(pki.setImportedTrust('imp-cert-nope', true), 'INVALID_ARGUMENT');
    const trusted = await pki.setImportedTrust(root!.id, true);
    expect(trusted.trusted).toBe(true);
    expect((await pki.listImported()).certs.filter((x) => x.trusted).map((x) => x.id)).toEqual([root!.id]);
    expect(await auditActions(storage)).toContain('trust.anchor.add');
    await pki.setImportedTrust(root!.id, false);
    expect((await pki.listImported()).certs.some((x) => x.trusted)).toBe(false);
    expect(await auditActions(storage)).toContain('trust.anchor.remove');
  });

  it('E8 an imported certificate or CRL can be removed (audited); an unknown id is refused', async () => {
    const { pki, storage } = await freshPki();
    const c = await basicChain();
    const out = await pki.importTrustMaterial(pem(c.rootCert) + crlPem(await crl({ issuer: c.root })));
    for (const a of out.added) await pki.removeImported(a.id);
    expect(await pki.listImported()).toEqual({ certs: [], crls: [] });
    expect((await auditActions(storage)).filter((a) => a === 'trust.remove')).toHaveLength(2);
    await expectCode(pki.removeImported(out.added[0]!.id), 'INVALID_ARGUMENT', /nothing imported/);
  });
});

describe('verifying material from outside (E8, the Verify screen)', () => {
  it('E8 a pasted chain verifies against an imported trusted root, and a leaf on an imported CRL is refused at the revocation check', async () => {
    const { pki } = await freshPki({ now: AT });
    const c = await basicChain();
    const imp = await pki.importTrustMaterial(pem(c.rootCert));
    const rootId = imp.added[0]!.id;
    // Not trusted yet: refused as an anchor, with why.
    await expectCode(pki.verifyInput({ chain: [pem(c.leafCert) + pem(c.icaCert)], anchors: { importedIds: [rootId] } }), 'INVALID_ARGUMENT', /not marked as a trusted root/);
    await pki.setImportedTrust(rootId, true);
    const ok = await pki.verifyInput({ chain: [pem(c.leafCert), c.icaCert], anchors: { importedIds: [rootId] }, purpose: 'tls-server', peer: { kind: 'dns', value: 'app.test' }, revocation: 'off' });
    expect(ok.valid).toBe(true);
    expect(ok.path?.map((p) => p.role)).toEqual(['trust anchor', 'intermediate', 'target']);
    expect(ok.steps.every((s) => s.section)).toBe(true);
    // A .p7b (a SET OF, no order) or a bundle that starts with the root: the leaf is still the one verified.
    const unordered = await pki.verifyInput({ chain: [certsOnlyPkcs7([c.rootCert, c.icaCert, c.leafCert])], anchors: { importedIds: [rootId] }, revocation: 'off' });
    expect(unordered.valid).toBe(true);
    expect(unordered.path?.at(-1)?.subject).toBe('CN=app.test');
    const wrongName = await pki.verifyInput({ chain: [pem(c.leafCert), c.icaCert], anchors: { importedIds: [rootId] }, peer: { kind: 'dns', value: 'other.test' }, revocation: 'off' });
    expect(wrongName.valid).toBe(false);
    expect(wrongName.steps.find((s) => !s.ok)?.name).toBe('hostname');

    const icaCrl = await crl({ issuer: c.ica, revoked: [{ serial: 77, reason: 1 }] });
    const rootCrl = await crl({ issuer: c.root });
    const crls = await pki.importTrustMaterial(crlPem(icaCrl) + crlPem(rootCrl));
    const revoked = await pki.verifyInput({ chain: [pem(c.leafCert) + pem(c.icaCert)], anchors: { importedIds: [rootId] }, crls: { importedIds: crls.added.map((a) => a.id) }, revocation: 'require' });
    expect(revoked.valid).toBe(false);
    expect(revoked.revocation).toBe('revoked');
    expect(revoked.steps.find((s) => !s.ok)?.name).toMatch(/^revocation/);
    // Without CRLs and revocation required, the status is unknown and the chain fails closed.
    const unknown = await pki.verifyInput({ chain: [pem(c.leafCert) + pem(c.icaCert)], anchors: { importedIds: [rootId] }, revocation: 'require' });
    expect(unknown.valid).toBe(false);
    expect(unknown.revocation).toBe('unknown');
  });

  it('E8 a Clavis chain verifies against its Clavis root with the latest CRLs; no anchor or no certificate is refused', async () => {
    const { pki } = await freshPki();
    const { root, int } = await hierarchy(pki);
    const r = await pki.verifyInput({ chain: [int.pem], anchors: { caIds: [root.ca.id] }, crls: { caIds: [root.ca.id, int.ca.id] }, revocation: 'require' });
    expect(r.valid).toBe(true);
    expect(r.revocation).toBe('good');
    await expectCode(pki.verifyInput({ chain: [int.pem], anchors: {} }), 'INVALID_ARGUMENT', /trust anchor/);
    await expectCode(pki.verifyInput({ chain: ['  '], anchors: { caIds: [root.ca.id] } }), 'INVALID_ARGUMENT', /at least one certificate/);
    await expectCode(pki.verifyInput({ chain: ['junk'], anchors: { caIds: [root.ca.id] } }), 'MALFORMED_INPUT');
  });

  it('E8 a certificate cycle with no anchor comes back refused, with the reason', async () => {
    const { pki } = await freshPki({ now: AT });
    const a = await party('Cycle A');
    const b = await party('Cycle B');
    const root = await party('Unrelated Root');
    const ab = await cert({ subject: a, issuer: b, ca: true });
    const ba = await cert({ subject: b, issuer: a, ca: true });
    const leaf = await cert({ subject: await party('leaf.test'), issuer: a });
    const rootCert = await cert({ subject: root, issuer: root, ca: true });
    const imp = await pki.importTrustMaterial(rootCert);
    await pki.setImportedTrust(imp.added[0]!.id, true);
    const r = await pki.verifyInput({ chain: [pem(leaf) + pem(ab) + pem(ba)], anchors: { importedIds: [imp.added[0]!.id] }, revocation: 'off' });
    expect(r.valid).toBe(false);
    expect(r.steps[0]).toMatchObject({ name: 'path', ok: false });
    expect(r.steps[0]!.detail).toMatch(/no path to a trust anchor/);
  });
});

describe('storage v6 migration (E8)', () => {
  const req = <T,>(r: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });

  it('W4 upgrading a v5 vault to v6 keeps its records and adds the imported-material stores, apart from the CA stores', async () => {
    const name = `clavis-mig6-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    const open = indexedDB.open(name, 5);
    open.onupgradeneeded = () => {
      const db = open.result;
      db.createObjectStore('meta', { keyPath: 'key' });
      db.createObjectStore('certs', { keyPath: 'id' });
    };
    const v5 = await req(open);
    const tx = v5.transaction(['meta', 'certs'], 'readwrite');
    tx.objectStore('meta').put({ key: 'probe', value: 5 });
    tx.objectStore('certs').put({ id: 'cert_old', subject: 'CN=kept' });
    await new Promise((r) => (tx.oncomplete = r));
    v5.close();

    const s = await openStorage({ name });
    expect(await s.getMeta('probe')).toBe(5);
    expect(await s.listImportedCerts()).toEqual([]);
    expect(await s.listImportedCrls()).toEqual([]);
    s.close();
    const v6 = await req(indexedDB.open(name));
    // Later steps (owners v7, CRL chunks v8) run over it too.
    expect(v6.version).toBe(DB_VERSION);
    expect([...v6.objectStoreNames]).toEqual(expect.arrayContaining(['importedCerts', 'importedCrls', 'certs', 'meta']));
    const kept = await req(v6.transaction('certs').objectStore('certs').get('cert_old'));
    expect(kept).toEqual({ id: 'cert_old', subject: 'CN=kept' });
    v6.close();
  });
});
