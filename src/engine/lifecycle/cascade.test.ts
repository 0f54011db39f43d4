// Issue 14 defects 2–4 (K8, A4, E6): a key's revocation and its certificates' revocations
// are one transaction with one audit entry per certificate and ONE CRL per CA; an
// interrupted cascade leaves nothing half-done and a retry is never refused; the dialog's
// preview says beforehand what happens to each certificate; "unspecified" never leaves
// certificates silently valid. Over a real engine, in Node and in Chromium.
import { describe, expect, it } from 'vitest';
import { StorageError, createEngine, fixedClock, isEngineError, type Engine } from '..';
import { freshEngine } from '../../testing/engine';
import { freshPki, hierarchy, T0 } from '../../testing/pki-fixtures';
import { compromiseKey as lifecycleCompromise } from './engine';
import type { ClavisStorage } from '../storage/db';
import type { CertRecord, SerialRecord } from '../storage/schema';
import { parseCrl } from '../pki/crl';
import { testCaId, testCertId } from '../../testing/ids';
import type { CaId } from '../ids';


async function setup(wrap?: (s: ClavisStorage) => ClavisStorage) {
  const clock = fixedClock(T0);
  const base = await freshEngine({ clock });
  const engine = wrap ? createEngine({ storage: wrap(base.storage), clock }) : base.engine;
  const pki = await engine.pki();
  const h = await hierarchy(pki);
  const leafFor = async (cn: string, owner = 'alice') => {
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: cn, owner });
    const issued = await pki.issueCertificate({ caId: h.int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] } });
    return { key, cert: issued.cert };
  };
  return { ...base, engine, pki, clock, leafFor, ...h };
}

/**
 * Test fixture: `n` more certificate records for the same key as `cert`, written straight
 * into the test database in one transaction (issuing 1,000 certificates one by one would
 * take minutes on a busy machine). Each clone has its own serial and id; CRLs are built
 * from revocation records, which only need serial, issuer and notAfter.
 */
function seedCertificates(dbName: string, template: CertRecord, n: number): Promise<string[]> {
  const ids: string[] = [];
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['certs', 'serials'], 'readwrite');
      for (let i = 0; i < n; i++) {
        const serialHex = `7e${i.toString(16).padStart(6, '0')}${template.serialHex.slice(8)}`;
        const id = testCertId(`seed_${i}`);
        ids.push(id);
        tx.objectStore('certs').add({ ...template, id, serialHex } satisfies CertRecord);
        tx.objectStore('serials').add({ id: `${template.issuerId}:${serialHex}`, issuerId: template.issuerId, serialHex, state: 'issued', certId: id, at: template.createdAt } satisfies SerialRecord);
      }
      tx.oncomplete = () => {
        db.close();
        resolve(ids);
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

const crlNumbers = async (engine: Engine, caId: CaId) => (await (await engine.pki()).listCrls(caId, 100)).map((c) => c.number);

describe('issue 14: key revocation cascades to certificates in one act', () => {
  it('K8/A4 revoking a key with 1,000 certificates leaves 1,000 revocations, one audit entry each plus one for the CRL, and ONE new CRL', async () => {
    const { engine, pki, storage, dbName, int, leafFor } = await setup();
    const { key, cert } = await leafFor('fleet.example.test');
    const record = (await storage.getCert(cert.id))!;
    await seedCertificates(dbName, record, 999);
    const before = await crlNumbers(engine, int.ca.id);
    const auditBefore = (await engine.listAuditEntries()).length;

    const out = await engine.revokeKey(key.id, 'superseded');
    expect(out.certificates.filter((c) => c.revoked)).toHaveLength(1000);
    expect(await storage.listRevocations(int.ca.id)).toHaveLength(1000);
    const after = await crlNumbers(engine, int.ca.id);
    expect(after.length - before.length).toBe(1);
    const added = (await engine.listAuditEntries()).slice(auditBefore);
    expect(added.filter((e) => e.action === 'cert.revoke')).toHaveLength(1000);
    expect(added.filter((e) => e.action === 'crl.publish')).toHaveLength(1);
    expect(added.filter((e) => e.action === 'key.transition')).toHaveLength(1);
    expect(added).toHaveLength(1002);
    const crl = parseCrl(await pki.exportCrl(int.ca.id, 'der'));
    expect(crl.revoked.size).toBe(1000);
    expect(new Set(crl.revoked.values())).toEqual(new Set([4]));
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });

  it('E6 bulk revocation by selection, by CA and by key: one transaction, one audit entry per certificate, one CRL per act', async () => {
    const { engine, pki, int, leafFor } = await setup();
    const a = await leafFor('a.example.test');
    const b = await leafFor('b.example.test');
    const c = await leafFor('c.example.test');
    const d = await leafFor('d.example.test');
    const n0 = (await crlNumbers(engine, int.ca.id)).length;
    const sel = await pki.revokeCertificates({ certIds: [a.cert.id, b.cert.id] }, { reason: 'cessationOfOperation' });
    expect(sel.revoked.map((r) => r.id).sort()).toEqual([a.cert.id, b.cert.id].sort());
    expect(sel.crls).toHaveLength(1);
    expect((await crlNumbers(engine, int.ca.id)).length).toBe(n0 + 1);

    const byKey = await pki.revokeCertificates({ keyId: c.key.id }, { reason: 'keyCompromise' });
    expect(byKey.revoked.map((r) => r.id)).toEqual([c.cert.id]);
    // keyCompromise moves the certified vault key to compromised in the same act (K8).
    expect((await engine.getKey(c.key.id)).state).toBe('compromised');

    const byCa = await pki.revokeCertificates({ caId: int.ca.id }, { reason: 'superseded' });
    expect(byCa.revoked.map((r) => r.id)).toEqual([d.cert.id]);
    expect(byCa.skipped.map((s) => s.why)).toEqual(['already revoked', 'already revoked', 'already revoked']);
    expect((await crlNumbers(engine, int.ca.id)).length).toBe(n0 + 3);
    const audit = await engine.listAuditEntries({ action: 'cert.revoke' });
    expect(audit).toHaveLength(4);
    const crl = parseCrl(await pki.exportCrl(int.ca.id, 'der'));
    expect(crl.revoked.size).toBe(4);
    await expect(pki.revokeCertificates({ caId: testCaId('nope') }, { reason: 'superseded' })).rejects.toSatisfy((e) => isEngineError(e, 'INVALID_ARGUMENT'));
  });

  it('K8 an interrupted compromise changes nothing, and the retry revokes key and certificates together', async () => {
    let failNext = false;
    const wrap = (s: ClavisStorage): ClavisStorage =>
      new Proxy(s, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver) as unknown;
          if (typeof v !== 'function') return v;
          // The write that carries the certificates' revocations fails once, as a closed tab or a full disk would.
          if (prop === 'commitAudited' || prop === 'commitRevocation') {
            return (...args: unknown[]) => {
              const c = args[0] as { addRevocations?: unknown[]; rev?: unknown };
              if (failNext && (c.addRevocations?.length || c.rev)) {
                failNext = false;
                return Promise.reject(new StorageError('storage: the tab went away'));
              }
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return (v as (...a: unknown[]) => unknown).bind(target);
        },
      });
    const { engine, pki, leafFor } = await setup(wrap);
    const { key, cert } = await leafFor('api.example.test');
    failNext = true;
    await expect(engine.compromiseKey(key.id)).rejects.toSatisfy((e) => isEngineError(e, 'STORAGE'));
    // Nothing half-done: the key is as it was, and so is its certificate.
    expect((await engine.getKey(key.id)).state).toBe('active');
    expect((await pki.getCertificate(cert.id)).status).toBe('valid');
    const out = await engine.compromiseKey(key.id);
    expect(out.state).toBe('compromised');
    expect((await pki.getCertificate(cert.id)).revocation?.reason).toBe('keyCompromise');
  });

  it('K8 compromising an already compromised key whose certificates are still valid finishes them instead of refusing', async () => {
    // One database, seen through the lifecycle alone (f.ctx) and through the engine.
    const f = await freshPki();
    const engine = createEngine({ storage: f.storage, clock: f.clock });
    const pki = await engine.pki();
    const h = await hierarchy(pki);
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'left', owner: 'alice' });
    const { cert } = await pki.issueCertificate({ caId: h.int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'left.example.test' } });
    // A compromise recorded by the lifecycle alone (before issue 14 a cascade could stop here).
    await lifecycleCompromise(f.ctx, key.id);
    expect((await pki.getCertificate(cert.id)).status).toBe('valid');
    const out = await engine.compromiseKey(key.id);
    expect(out.certificates).toEqual([{ certId: cert.id, keyId: key.id, reason: 'keyCompromise', revoked: true }]);
    expect((await pki.getCertificate(cert.id)).status).toBe('revoked');
    // With nothing left to do, another compromise is KEY_STATE as before.
    await expect(engine.compromiseKey(key.id)).rejects.toSatisfy((e) => isEngineError(e, 'KEY_STATE'));
  });

  it('K8 the revoke dialog can say beforehand what happens: unspecified revokes without a reasonCode, a hold keeps certificates valid and says why', async () => {
    const { engine, pki, int, leafFor } = await setup();
    const a = await leafFor('u.example.test');
    const b = await leafFor('h.example.test');
    const previewA = await engine.previewKeyRevocation(a.key.id, 'unspecified');
    expect(previewA).toMatchObject([{ certId: a.cert.id, subject: a.cert.subject, revoked: true, reason: 'unspecified' }]);
    const previewB = await engine.previewKeyRevocation(b.key.id, 'certificateHold');
    expect(previewB).toMatchObject([{ certId: b.cert.id, revoked: false }]);
    expect(previewB[0]!.why).toMatch(/stays valid/);
    // Previewing wrote nothing.
    expect((await pki.getCertificate(a.cert.id)).status).toBe('valid');

    const out = await engine.revokeKey(a.key.id, 'unspecified');
    expect(out.certificates).toEqual([{ certId: a.cert.id, keyId: a.key.id, reason: 'unspecified', revoked: true }]);
    const info = await pki.getCertificate(a.cert.id);
    expect(info.status).toBe('revoked');
    expect(info.revocation?.reason).toBe('unspecified');
    const crl = parseCrl(await pki.exportCrl(int.ca.id, 'der'));
    // Listed, with no reasonCode extension (RFC 5280 §5.3.1, BR 7.2.2).
    expect(crl.revoked.has(a.cert.serialHex)).toBe(true);
    expect(crl.revoked.get(a.cert.serialHex)).toBeUndefined();
    const verdict = await pki.verifyCertificate(a.cert.id, { usage: 'tls-server' });
    expect(verdict.valid).toBe(false);
    expect(verdict.revocation).toBe('revoked');
  });
});
