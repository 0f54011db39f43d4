// A2–A4, W4, K8, C6, B2, M3: what the CA writes to the audit log and in which transaction;
// the lifecycle gate on CA keys; key compromise from a certificate revocation; paged
// revocation reads for big CRLs.
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../audit/chain';
import { assertNoSecrets } from '../audit/no-secrets';
import { listAuditEntries, verifyStoredAuditLog } from '../audit/store';
import { isEngineError } from '../errors';
import { toBase64 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { deleteKey, generateKey, getKeyInfo } from '../keys/vault';
import { suspendKey } from '../lifecycle/engine';
import type { ClavisStorage } from '../storage/db';
import type { RevocationRecord } from '../storage/schema';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { createPki } from './index';
import { REVOCATION_PAGE_SIZE, readRevocations } from './crl';
import { CompromisedKeyError, issue, loadIssuer, vaultSubjectKey } from './issue';
import { derNull, oid, seq } from '../internal/der';
import { testCaId, testCertId } from '../../testing/ids';
import type { CaId } from '../ids';

const expectCode = async (p: Promise<unknown>, code: Parameters<typeof isEngineError>[1], msg?: RegExp) => {
  try {
    await p;
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(isEngineError(e, code), String(e)).toBe(true);
    if (msg) expect((e as Error).message).toMatch(msg);
    return e;
  }
};

/** A context whose storage is `storage` with some methods replaced. */
function withStorage(ctx: EngineContext, patch: Partial<ClavisStorage>): EngineContext {
  return { ...ctx, storage: { ...ctx.storage, ...patch } };
}

const actions = (entries: AuditEntry[]) => entries.map((e) => e.action);

async function setup() {
  const f = await freshPki();
  const h = await hierarchy(f.pki);
  const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'leaf key' });
  return { ...f, ...h, key };
}

describe('audit entries of the CA (A2, A4)', () => {
  it('A2 creating a root and an intermediate writes cert.issue, ca.create and crl.publish entries, and the chain verifies', async () => {
    const { ctx, root, int } = await setup();
    const all = await listAuditEntries(ctx);
    const ca = all.filter((e) => e.action.startsWith('ca.') || e.action.startsWith('cert.') || e.action.startsWith('crl.'));
    expect(actions(ca)).toEqual(['cert.issue', 'ca.create', 'crl.publish', 'cert.issue', 'ca.create', 'crl.publish']);
    const createInt = ca[4]!;
    expect(createInt.details).toMatchObject({ caId: int.ca.id, kind: 'intermediate', parentId: root.ca.id, keyId: int.ca.keyId, ski: int.ca.ski });
    const crl = ca[5]!;
    expect(crl.subject).toEqual([int.ca.id]);
    expect(crl.details).toMatchObject({ issuerId: int.ca.id, number: 1, entries: 0 });
    expect(await verifyStoredAuditLog(ctx)).toMatchObject({ ok: true });
  });

  it('A4/W4 an issuance stores its serial, certificate record and cert.issue entry together', async () => {
    const { ctx, pki, storage, int, key } = await setup();
    const out = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'app.example.test' } });
    const entry = (await listAuditEntries(ctx, { action: 'cert.issue', subject: out.cert.id }))[0]!;
    expect(entry.details).toMatchObject({
      issuerId: int.ca.id,
      serial: out.cert.serialHex,
      profile: 'tls-server',
      sha256: out.cert.sha256,
      spkiSha256: out.cert.spkiSha256,
      keyId: key.id,
      source: 'vault',
      lint: 'clean',
      description: 'CN=app.example.test',
    });
    expect((await storage.getSerial(int.ca.id, out.cert.serialHex))?.state).toBe('issued');
    expect(await storage.getCert(out.cert.id)).toBeDefined();
  });

  it('A4/W4 an aborted issuance transaction writes neither the certificate nor its audit entry', async () => {
    const { ctx, storage, int, key } = await setup();
    const before = await storage.listAuditEntries();
    const certsBefore = await storage.listCerts();
    // Case 1: the audit write fails inside the transaction (a duplicate entry key).
    const badAudit = withStorage(ctx, {
      commitIssuance: (cert, ca, audit) => storage.commitIssuance(cert, ca, audit && { ...audit, entries: [...audit.entries, audit.entries[0]!] }),
    });
    await expectCode(createPki(badAudit).issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'one' } }), 'STORAGE');
    expect(await storage.listCerts()).toHaveLength(certsBefore.length);
    // Case 2: the certificate write fails (an id that exists): no audit entry either.
    const badCert = withStorage(ctx, {
      commitIssuance: (cert, ca, audit) => storage.commitIssuance({ ...cert, id: certsBefore[0]!.id }, ca, audit),
    });
    await expectCode(createPki(badCert).issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'two' } }), 'STORAGE');
    expect(await storage.listCerts()).toHaveLength(certsBefore.length);
    // Neither attempt left a cert.issue entry; each left only its cert.refused record.
    const after = await storage.listAuditEntries();
    expect(actions(after.slice(before.length))).toEqual(['cert.refused', 'cert.refused']);
    expect(after.slice(before.length).every((e) => e.details.code === 'STORAGE')).toBe(true);
    expect(await verifyStoredAuditLog(ctx)).toMatchObject({ ok: true });
  });

  it('C7/A2 a refusal after the serial was reserved (lint) is audited with its rule, the serial and no certificate', async () => {
    const { ctx, storage, int, key } = await setup();
    const { handle } = await loadIssuer(ctx, int.ca.id);
    const sha1 = seq(oid('1.2.840.113549.1.1.5'), derNull());
    const bad = { ...handle, signer: { ...handle.signer, algorithm: sha1 } };
    const sk = await vaultSubjectKey(ctx, key.id);
    await expectCode(issue(ctx, bad, { profile: 'tls-client', subject: { CN: 'x' }, spki: sk.spki, keyRole: 'sign', source: 'vault' }), 'CERT_INVALID');
    const [entry] = await listAuditEntries(ctx, { action: 'cert.refused' });
    expect(entry!.details).toMatchObject({ issuerId: int.ca.id, profile: 'tls-client', code: 'CERT_INVALID', rule: 'e_signature_algorithm_not_allowed' });
    expect((await storage.getSerial(int.ca.id, entry!.details.serial as string))?.state).toBe('burned');
    expect(await listAuditEntries(ctx, { action: 'cert.issue', subject: 'x' })).toHaveLength(0);
  });

  it('A4 a revocation is stored with its cert.revoke entry; an aborted transaction writes neither', async () => {
    const { ctx, pki, storage, int, key } = await setup();
    const a = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    const bad = withStorage(ctx, {
      commitRevocation: (c) => storage.commitRevocation({ ...c, audit: { ...c.audit, entries: [...c.audit.entries, c.audit.entries[0]!] } }),
    });
    const n = (await storage.listAuditEntries()).length;
    await expectCode(createPki(bad).revokeCertificate(a.cert.id, { reason: 'keyCompromise' }), 'STORAGE');
    expect(await storage.getRevocation(int.ca.id, a.cert.serialHex)).toBeUndefined();
    expect((await getKeyInfo(ctx, key.id)).state).toBe('active');
    expect(await storage.listAuditEntries()).toHaveLength(n);

    const out = await pki.revokeCertificate(a.cert.id, { reason: 'superseded' });
    expect(out.cert.status).toBe('revoked');
    const [entry] = await listAuditEntries(ctx, { action: 'cert.revoke', subject: a.cert.id });
    expect(entry!.details).toMatchObject({ issuerId: int.ca.id, serial: a.cert.serialHex, reason: 'superseded', sha256: a.cert.sha256 });
    const crl = (await listAuditEntries(ctx, { action: 'crl.publish', subject: int.ca.id })).at(-1)!;
    expect(crl.details).toMatchObject({ number: out.crl!.number, entries: 1 });
    // A non-compromise revocation leaves the key alone.
    expect((await getKeyInfo(ctx, key.id)).state).toBe('active');
  });

  it('A3 no CA audit entry holds key material, a certificate or a CRL', async () => {
    const { ctx, pki, int, key } = await setup();
    const a = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'a.test' } });
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    const der = await pki.exportCertificate(a.cert.id, 'der');
    const crl = await pki.exportCrl(int.ca.id, 'der');
    const text = JSON.stringify(await listAuditEntries(ctx));
    expect(text).not.toMatch(/PRIVATE KEY|BEGIN/);
    expect(text).not.toContain(toBase64(der).slice(0, 40));
    expect(text).not.toContain(toBase64(crl).slice(0, 40));
    for (const e of await listAuditEntries(ctx)) expect(() => assertNoSecrets(e.details)).not.toThrow();
  });
});

describe('key compromise from a certificate revocation (K8, C6)', () => {
  it('K8 revoking for keyCompromise marks the vault key compromised in the same transaction, audited as key.transition', async () => {
    const { ctx, pki, storage, int, key, clock } = await setup();
    const a = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    clock.advance(60_000);
    const invalidity = new Date(clock.now() - 3_600_000);
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise', invalidityDate: invalidity });
    const info = await getKeyInfo(ctx, key.id);
    expect(info.state).toBe('compromised');
    expect(info.dates.compromiseOccurrence).toBe(invalidity.toISOString());
    expect(info.history.at(-1)).toMatchObject({ to: 'compromised', cause: 'cascade', reason: 'keyCompromise' });
    const log = await storage.listAuditEntries();
    const i = log.findIndex((e) => e.action === 'cert.revoke');
    // One transaction: the revocation entry and the key's transition are adjacent, in that order.
    expect(log[i + 1]).toMatchObject({ action: 'key.transition', subject: [key.id], details: { to: 'compromised', cause: 'cascade' } });
    expect(await verifyStoredAuditLog(ctx)).toMatchObject({ ok: true });
  });

  it('C6 a vault key compromised that way cannot get another certificate (typed CompromisedKeyError, KEY_STATE)', async () => {
    const { pki, int, key } = await setup();
    const a = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    const e = await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'again' } }), 'KEY_STATE');
    expect(e).toBeInstanceOf(CompromisedKeyError);
  });

  it('C6 a CSR for a public key revoked for keyCompromise is refused by the SPKI index, even when no vault key holds it', async () => {
    const { ctx, pki, int, key } = await setup();
    const csr1 = await pki.createCsr(key.id, { subject: { CN: 'one.example.test' } });
    const csr2 = await pki.createCsr(key.id, { subject: { CN: 'two.example.test' } });
    await deleteKey(ctx, key.id);
    const a = await pki.issueFromCsr({ caId: int.ca.id, csr: csr1, profile: 'tls-server' });
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    const e = await expectCode(pki.issueFromCsr({ caId: int.ca.id, csr: csr2, profile: 'tls-server' }), 'KEY_STATE', /revoked for key compromise/);
    expect(e).toBeInstanceOf(CompromisedKeyError);
  });

  it('K8 a certificate issued from a CSR of a vault key marks that vault key compromised too (matched by SPKI)', async () => {
    const { ctx, pki, int, key } = await setup();
    const csr = await pki.createCsr(key.id, { subject: { CN: 'csr.example.test' } });
    const a = await pki.issueFromCsr({ caId: int.ca.id, csr, profile: 'tls-server' });
    expect(a.cert.keyId).toBeUndefined();
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    expect((await getKeyInfo(ctx, key.id)).state).toBe('compromised');
  });
});

describe('the CA key is gated by its lifecycle (B2)', () => {
  it('B2 a suspended CA key neither issues nor publishes CRLs, and the error names the lifecycle rule', async () => {
    const { ctx, pki, int, key } = await setup();
    await suspendKey(ctx, int.ca.keyId, 'audit');
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } }), 'KEY_STATE', /cannot sign: lifecycle: key is suspended/);
    await expectCode(pki.publishCrl(int.ca.id), 'KEY_STATE', /lifecycle: key is suspended/);
  });

  it('B2 a CA key past its protect-stop date cannot sign even before the clock transition is stored', async () => {
    const { ctx, pki, int, key, clock } = await setup();
    const info = await getKeyInfo(ctx, int.ca.keyId);
    expect(info.dates.protectStop).toBeDefined();
    clock.set(Date.parse(info.dates.protectStop!) + 1000);
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } }), 'KEY_STATE', /lifecycle/);
  });

  it('B2 a CSR is signed only by a key whose lifecycle allows signing', async () => {
    const { ctx, pki, key } = await setup();
    await suspendKey(ctx, key.id);
    await expectCode(pki.createCsr(key.id, { subject: { CN: 'x' } }), 'KEY_STATE', /lifecycle: key is suspended/);
  });
});

describe('paged revocation reads (M3, M7)', () => {
  it('M3 listRevocationsPage walks one issuer in (issuer, serial) index order; readRevocations packs every page', async () => {
    const { storage, ctx, dbName } = await freshPki();
    const rev = (issuerId: CaId, i: number): RevocationRecord => {
      const serialHex = (0x10 + i).toString(16).padStart(2, '0') + '00';
      return { id: `${issuerId}:${serialHex}`, issuerId, serialHex, certId: testCertId(`c${i}`), reason: 4, revokedAt: '2026-01-01T00:00:00.000Z', spkiSha256: 'x', certNotAfter: '2027-01-01T00:00:00.000Z' };
    };
    // Seeded straight into the store (as the 100,000-entry tests do), newest serial first, with neighbour issuers.
    await seedRevocations(dbName, [...Array.from({ length: 23 }, (_, i) => rev(testCaId('b'), 22 - i)), rev(testCaId('a'), 1), rev(testCaId('c'), 2)]);
    const page1 = await storage.listRevocationsPage(testCaId('b'), { limit: 10 });
    expect(page1.map((r) => r.certId)).toEqual(Array.from({ length: 10 }, (_, i) => testCertId(`c${i}`)));
    const page3 = await storage.listRevocationsPage(testCaId('b'), { afterSerialHex: '2500', limit: 10 });
    expect(page3.map((r) => r.certId)).toEqual([testCertId('c22')]);
    const packed = await readRevocations(ctx, testCaId('b'), 7);
    expect(packed.count).toBe(23);
    expect(packed.serials.split(',')).toEqual(Array.from({ length: 23 }, (_, i) => rev(testCaId('b'), i).serialHex));
    expect(REVOCATION_PAGE_SIZE).toBeLessThanOrEqual(10_000);
  });

  it('M3 publishCrl reads the encoded CRL entries in one snapshot, never the revocation records', async () => {
    const { ctx, pki, int, key } = await setup();
    const a = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    await pki.revokeCertificate(a.cert.id, { reason: 'superseded' });
    const calls: string[] = [];
    const spied = withStorage(ctx, {
      listRevocations: (id) => (calls.push('listRevocations'), ctx.storage.listRevocations(id)),
      listRevocationsPage: (id, p) => (calls.push('listRevocationsPage'), ctx.storage.listRevocationsPage(id, p)),
      readCrlSnapshot: (id) => (calls.push('readCrlSnapshot'), ctx.storage.readCrlSnapshot(id)),
      rebuildCrlChunks: (id) => (calls.push('rebuildCrlChunks'), ctx.storage.rebuildCrlChunks(id)),
    });
    const info = await createPki(spied).publishCrl(int.ca.id);
    expect(info.entries).toBe(1);
    // The revocation's entry was chunked when it was recorded: nothing to rebuild.
    expect(calls).toEqual(['readCrlSnapshot']);
  });
});

/** Test seeding: revocation records written straight into the test database in one transaction (raw IndexedDB). */
function seedRevocations(dbName: string, records: RevocationRecord[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('revocations', 'readwrite');
      for (const r of records) tx.objectStore('revocations').add(r);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}
