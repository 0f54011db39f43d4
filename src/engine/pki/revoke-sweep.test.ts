// Issue 15 (E6/E7, R1, R3, R6, K8, A4): revoking every certificate of a CA or of a vault key
// is one act: N revocations with N audit entries in one transaction, then exactly ONE new
// CRL per affected CA listing those serials and the ones revoked before. A refused sweep
// writes nothing; a sweep with nothing left to revoke writes nothing and says 0.
import { describe, expect, it } from 'vitest';
import { fixedClock, type Engine } from '..';
import { errorCode, freshEngine } from '../../testing/engine';
import { hierarchy, T0 } from '../../testing/pki-fixtures';
import { parseCrl } from './crl';
import type { Pki } from './index';
import { testCaId, testKeyId } from '../../testing/ids';
import type { CaId, KeyId } from '../ids';

const DAY = 86_400_000;

async function setup() {
  const clock = fixedClock(T0);
  const { engine } = await freshEngine({ clock });
  const pki = await engine.pki();
  const h = await hierarchy(pki);
  // A second issuing CA under the root, so a key can hold certificates at two CAs.
  const other = await pki.createIntermediateCa({ name: 'Other Issuing', parentId: h.root.ca.id, subject: { CN: 'Clavis Other Issuing CA' }, pathLen: 0 });
  const issue = async (caId: CaId, cn: string, keyId?: KeyId, validityDays?: number) => {
    const id = keyId ?? (await engine.generateKey({ template: 'ECDSA-P-256', name: cn })).id;
    const r = await pki.issueCertificate({ caId, keyId: id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] }, ...(validityDays ? { validityDays } : {}) });
    return { keyId: id, cert: r.cert };
  };
  return { engine, pki, clock, issue, other, ...h };
}

/** What a refused or empty call must leave unchanged: revocations, audit log, CRLs. */
async function snapshot(engine: Engine, pki: Pki, caIds: CaId[]) {
  return {
    revoked: (await pki.listCertificates({ status: 'revoked' })).map((c) => c.id).sort(),
    audit: (await engine.listAuditEntries()).length,
    crls: await Promise.all(caIds.map(async (id) => (await pki.listCrls(id, 100)).map((c) => c.number))),
  };
}

const serialsOn = async (pki: Pki, caId: CaId) => [...parseCrl(await pki.exportCrl(caId, 'der')).revoked.keys()].sort();

describe('issue 15: revoke every certificate of a CA or of a key', () => {
  it('R1/R3/A4 by CA: N unexpired leaves revoked, N audit entries, ONE new CRL with exactly those serials plus the ones revoked before', async () => {
    const { engine, pki, clock, issue, int } = await setup();
    const before = await issue(int.ca.id, 'before.example.test');
    const expiring = await issue(int.ca.id, 'short.example.test', undefined, 1);
    const leaves = [await issue(int.ca.id, 'a.example.test'), await issue(int.ca.id, 'b.example.test'), await issue(int.ca.id, 'c.example.test')];
    await pki.revokeCertificate(before.cert.id, { reason: 'superseded' });
    clock.advance(2 * DAY);
    const crlsBefore = (await pki.listCrls(int.ca.id, 100)).map((c) => c.number);
    const auditBefore = (await engine.listAuditEntries()).length;

    const out = await pki.revokeCertificates({ caId: int.ca.id }, { reason: 'cessationOfOperation' });

    const ids = leaves.map((l) => l.cert.id).sort();
    expect(out.revoked.map((c) => c.id).sort()).toEqual(ids);
    expect(out.revoked.every((c) => c.status === 'revoked' && c.revocation?.reason === 'cessationOfOperation')).toBe(true);
    // The expired certificate is left alone (R6 tidy), the earlier revocation is not repeated.
    expect(out.skipped).toEqual(expect.arrayContaining([{ certId: expiring.cert.id, why: 'expired' }, { certId: before.cert.id, why: 'already revoked' }]));
    expect(out.skipped).toHaveLength(2);
    expect(out.crlErrors).toEqual([]);
    const added = (await engine.listAuditEntries()).slice(auditBefore);
    expect(added.filter((e) => e.action === 'cert.revoke').map((e) => e.subject[0]).sort()).toEqual(ids);
    expect(added.filter((e) => e.action === 'crl.publish')).toHaveLength(1);
    expect(added).toHaveLength(ids.length + 1);
    // Exactly one new CRL, and it is the one returned.
    const crlsAfter = (await pki.listCrls(int.ca.id, 100)).map((c) => c.number);
    expect(crlsAfter.length - crlsBefore.length).toBe(1);
    expect(out.crls.map((c) => [c.issuerId, c.number])).toEqual([[int.ca.id, crlsAfter[0]]]);
    expect(await serialsOn(pki, int.ca.id)).toEqual([before.cert.serialHex, ...leaves.map((l) => l.cert.serialHex)].sort());
    expect((await pki.getCertificate(expiring.cert.id)).status).toBe('expired');
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });

  it('R8 by CA stops at its own leaves: the CA certificate and its sub-CA certificates stay valid, listed with why', async () => {
    const { engine, pki, issue, root, int, other } = await setup();
    const leaf = await issue(int.ca.id, 'under.example.test');
    const auditBefore = (await engine.listAuditEntries()).length;
    const crlsBefore = (await pki.listCrls(root.ca.id, 100)).length;

    const out = await pki.revokeCertificates({ caId: root.ca.id }, { reason: 'superseded' });

    expect(out.revoked).toEqual([]);
    expect(out.crls).toEqual([]);
    const why = Object.fromEntries(out.skipped.map((s) => [s.certId, s.why]));
    expect(why[int.cert.id]).toMatch(/intermediate CA certificate/);
    expect(why[other.cert.id]).toMatch(/intermediate CA certificate/);
    expect(why[root.cert.id]).toMatch(/root certificate/);
    for (const id of [root.cert.id, int.cert.id, other.cert.id, leaf.cert.id]) expect((await pki.getCertificate(id)).status).toBe('valid');
    expect((await engine.listAuditEntries()).length).toBe(auditBefore);
    expect((await pki.listCrls(root.ca.id, 100)).length).toBe(crlsBefore);
  });

  it('K8/R1 by key: every certificate of the key at every CA, one CRL per affected CA, keyCompromise marks the key compromised, other keys untouched', async () => {
    const { engine, pki, issue, int, other } = await setup();
    const a = await issue(int.ca.id, 'k-int.example.test');
    const b = await issue(other.ca.id, 'k-other.example.test', a.keyId);
    const c = await issue(int.ca.id, 'k-int-2.example.test', a.keyId);
    const bystander = await issue(int.ca.id, 'other-key.example.test');
    const crlsBefore = await Promise.all([int.ca.id, other.ca.id].map(async (id) => (await pki.listCrls(id, 100)).length));
    const auditBefore = (await engine.listAuditEntries()).length;

    const out = await pki.revokeCertificates({ keyId: a.keyId }, { reason: 'keyCompromise' });

    expect(out.revoked.map((r) => r.id).sort()).toEqual([a.cert.id, b.cert.id, c.cert.id].sort());
    expect(out.crls.map((r) => r.issuerId).sort()).toEqual([int.ca.id, other.ca.id].sort());
    const crlsAfter = await Promise.all([int.ca.id, other.ca.id].map(async (id) => (await pki.listCrls(id, 100)).length));
    expect(crlsAfter).toEqual(crlsBefore.map((n) => n + 1));
    expect(await serialsOn(pki, int.ca.id)).toEqual([a.cert.serialHex, c.cert.serialHex].sort());
    expect(await serialsOn(pki, other.ca.id)).toEqual([b.cert.serialHex]);
    const added = (await engine.listAuditEntries()).slice(auditBefore);
    expect(added.filter((e) => e.action === 'cert.revoke')).toHaveLength(3);
    expect(added.filter((e) => e.action === 'crl.publish')).toHaveLength(2);
    expect((await engine.getKey(a.keyId)).state).toBe('compromised');
    expect((await pki.getCertificate(bystander.cert.id)).status).toBe('valid');
  });

  it('by key with another reason leaves the key in its state; a second sweep finds nothing, writes nothing and returns 0', async () => {
    const { engine, pki, issue, int } = await setup();
    const a = await issue(int.ca.id, 'again.example.test');
    const first = await pki.revokeCertificates({ keyId: a.keyId }, { reason: 'superseded' });
    expect(first.revoked).toHaveLength(1);
    expect((await engine.getKey(a.keyId)).state).toBe('active');

    const secret = await engine.generateKey({ template: 'AES-GCM-256', name: 'plain' });
    const snap = await snapshot(engine, pki, [int.ca.id]);
    const second = await pki.revokeCertificates({ keyId: a.keyId }, { reason: 'superseded' });
    expect(second).toEqual({ revoked: [], skipped: [{ certId: a.cert.id, why: 'already revoked' }], crls: [], crlErrors: [] });
    // A secret key certifies nothing: 0 as well.
    expect(await pki.revokeCertificates({ keyId: secret.id }, { reason: 'superseded' })).toEqual({ revoked: [], skipped: [], crls: [], crlErrors: [] });
    expect(await snapshot(engine, pki, [int.ca.id])).toEqual(snap);
  });

  it('R4 refused sweeps write nothing: unknown CA, unknown key, a reason outside 1/3/4/5/9, no scope', async () => {
    const { engine, pki, issue, int } = await setup();
    const a = await issue(int.ca.id, 'refused.example.test');
    const snap = await snapshot(engine, pki, [int.ca.id]);
    expect(await errorCode(pki.revokeCertificates({ caId: testCaId('missing') }, { reason: 'superseded' }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(pki.revokeCertificates({ keyId: testKeyId('missing') }, { reason: 'superseded' }))).toBe('KEY_NOT_FOUND');
    for (const reason of ['unspecified', 'certificateHold', 'removeFromCRL', ''] as const) {
      expect(await errorCode(pki.revokeCertificates({ caId: int.ca.id }, { reason: reason as 'superseded' }))).toBe('INVALID_ARGUMENT');
      expect(await errorCode(pki.revokeCertificates({ keyId: a.keyId }, { reason: reason as 'superseded' }))).toBe('INVALID_ARGUMENT');
    }
    expect(await errorCode(pki.revokeCertificates({} as { caId: CaId }, { reason: 'superseded' }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(pki.revokeCertificates({ caId: int.ca.id }, { reason: 'keyCompromise', invalidityDate: new Date(T0 + DAY) }))).toBe('INVALID_ARGUMENT');
    expect(await snapshot(engine, pki, [int.ca.id])).toEqual(snap);
    expect((await engine.getKey(a.keyId)).state).toBe('active');
  });
});
