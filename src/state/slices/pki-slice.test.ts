// The CA slice over a real engine: plain data only in the store, errors as { code, message },
// the exportable-CA-key option, inventory filters and expiry warnings (E1, E6, E7, E10).
import { describe, expect, it, vi } from 'vitest';
import type { CaInfo, CertInfo } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { createAppStore } from '../store';
import { CRL_REBUILD_GRACE_MS, EMPTY_CERT_FILTER, FIRST_CERT_PAGE, caTree, expiryWarnings, filterCerts, pkiOpNames, sweepCandidates } from './pki-slice';
import { assertPlainData } from '../../testing/plain-data';
import { testCaId, testCertId, testKeyId } from '../../testing/ids';
import type { CertId } from '../../engine';

const DAY = 86_400_000;

async function setup() {
  const { engine } = await freshEngine();
  const store = createAppStore(engine, { storageManager: {} });
  return { engine, store, pki: () => store.getState().pki };
}

describe('pki slice', () => {
  it('E1 creates a root and an intermediate, keeps plain data only, and knows their first CRLs', async () => {
    const { pki, store } = await setup();
    const root = await pki().createCa({ name: 'Root', subject: { CN: 'Slice Root' }, pathLen: 1 });
    expect(root.ok).toBe(true);
    if (!root.ok) return;
    const int = await pki().createCa({ name: 'Issuing', subject: { CN: 'Slice Issuing' }, parentId: root.value.ca.id, pathLen: 0 });
    expect(int.ok).toBe(true);
    if (!int.ok) return;
    const s = store.getState().pki;
    expect(s.cas.map((c) => c.name).sort()).toEqual(['Issuing', 'Root']);
    expect(s.crls[int.value.ca.id]?.number).toBe(1);
    expect(s.certsById[int.value.cert.id]?.profile).toBe('sub-ca');
    assertPlainData({ cas: s.cas, certs: s.certsById, crls: s.crls });
    expect(caTree(s.cas)).toMatchObject([{ ca: { name: 'Root' }, children: [{ ca: { name: 'Issuing' }, children: [] }] }]);
  });

  it('the exportable CA key option makes an exportable vault key; the default does not', async () => {
    const { pki, engine } = await setup();
    const a = await pki().createCa({ name: 'Portable', subject: { CN: 'Portable Root' }, exportableKey: true });
    const b = await pki().createCa({ name: 'Pinned', subject: { CN: 'Pinned Root' } });
    if (!a.ok || !b.ok) throw new Error('CA creation failed');
    expect((await engine.getKey(a.value.ca.keyId)).extractable).toBe(true);
    expect((await engine.getKey(b.value.ca.keyId)).extractable).toBe(false);
  });

  it('a refused CA records { code, message } and leaves no orphan exportable key in the vault', async () => {
    const { pki, engine, store } = await setup();
    const r = await pki().createCa({ name: 'Bad', subject: { CN: 'x', C: 'Germany' }, exportableKey: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('INVALID_ARGUMENT');
    expect(r.error.message).toMatch(/^pki: /);
    expect(store.getState().pki.ops[pkiOpNames.createCa]).toEqual({ status: 'error', error: r.error });
    expect(await engine.listKeys()).toEqual([]);
  });

  it('E6/E7 revoking updates the certificate and the CA’s CRL in the store', async () => {
    const { pki, engine, store } = await setup();
    const root = await pki().createCa({ name: 'Root', subject: { CN: 'R' } });
    if (!root.ok) throw new Error('root');
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'srv' });
    const leaf = await pki().issueCertificate({ caId: root.value.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'srv.test' }, sans: { dns: ['srv.test'] } });
    if (!leaf.ok) throw new Error(leaf.error.message);
    const rev = await pki().revokeCertificate(leaf.value.cert.id, { reason: 'superseded' });
    expect(rev.ok).toBe(true);
    const s = store.getState().pki;
    expect(s.certsById[leaf.value.cert.id]?.status).toBe('revoked');
    expect(s.crls[root.value.ca.id]?.number).toBe(2);
    const page = await pki().crlEntries(root.value.ca.id, { offset: 0, limit: 100 });
    expect(page.ok && page.value.entries.map((e) => e.serialHex)).toEqual([leaf.value.cert.serialHex]);
    const again = await pki().revokeCertificate(leaf.value.cert.id, { reason: 'superseded' });
    expect(!again.ok && again.error.code).toBe('CERT_REVOKED');
  });

  it('E6 revoking a selection is one act: the store shows every certificate revoked and the one new CRL; the rest are skipped with why', async () => {
    const { pki, engine, store } = await setup();
    const root = await pki().createCa({ name: 'Root', subject: { CN: 'R' } });
    if (!root.ok) throw new Error('root');
    const ids: CertId[] = [];
    for (const cn of ['a.test', 'b.test', 'c.test']) {
      const key = await engine.generateKey({ template: 'ECDSA-P-256', name: cn });
      const leaf = await pki().issueCertificate({ caId: root.value.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] } });
      if (!leaf.ok) throw new Error(leaf.error.message);
      ids.push(leaf.value.cert.id);
    }
    const r = await pki().revokeCertificates({ certIds: [ids[0]!, ids[1]!, root.value.cert.id] }, { reason: 'cessationOfOperation' });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.revoked).toBe(2);
    expect(r.value.skipped.map((x) => x.certId)).toEqual([root.value.cert.id]);
    expect(r.value.crls.map((c) => c.number)).toEqual([2]);
    expect(r.value.crlErrors).toEqual([]);
    const s = store.getState().pki;
    expect(ids.map((id) => s.certsById[id]?.status)).toEqual(['revoked', 'revoked', 'valid']);
    expect(s.crls[root.value.ca.id]?.number).toBe(2);
    assertPlainData({ certs: s.certsById, crls: s.crls });
    const page = await pki().crlEntries(root.value.ca.id, { offset: 0, limit: 100 });
    expect(page.ok && page.value.total).toBe(2);
    const bad = await pki().revokeCertificates({ certIds: [testCertId('nope')] }, { reason: 'superseded' });
    expect(!bad.ok && bad.error.code).toBe('INVALID_ARGUMENT');
    expect(store.getState().pki.ops[pkiOpNames.revokeMany]?.status).toBe('error');
  });

  it('issue 15 revoking all of a CA or of a key: each under its own operation, the store shows the certificates revoked and the new CRL; refusals keep { code, message }', async () => {
    const { pki, engine, store } = await setup();
    const root = await pki().createCa({ name: 'Root', subject: { CN: 'R' }, pathLen: 1 });
    if (!root.ok) throw new Error('root');
    const int = await pki().createCa({ name: 'Issuing', subject: { CN: 'I' }, parentId: root.value.ca.id, pathLen: 0 });
    if (!int.ok) throw new Error('int');
    const leaves = [];
    for (const cn of ['a.test', 'b.test']) {
      const key = await engine.generateKey({ template: 'ECDSA-P-256', name: cn });
      const leaf = await pki().issueCertificate({ caId: int.value.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] } });
      if (!leaf.ok) throw new Error(leaf.error.message);
      leaves.push({ key, cert: leaf.value.cert });
    }
    const certs = Object.values(store.getState().pki.certsById);
    expect(sweepCandidates(certs, { caId: root.value.ca.id })).toEqual([]);
    expect(sweepCandidates(certs, { caId: int.value.ca.id }).map((c) => c.id).sort()).toEqual(leaves.map((l) => l.cert.id).sort());
    expect(sweepCandidates(certs, { spkiSha256: leaves[0]!.cert.spkiSha256 }).map((c) => c.id)).toEqual([leaves[0]!.cert.id]);

    const byKey = await pki().revokeKeyCertificates(leaves[0]!.key.id, { reason: 'superseded' });
    if (!byKey.ok) throw new Error(byKey.error.message);
    expect(byKey.value.revoked).toBe(1);
    expect(store.getState().pki.ops[pkiOpNames.revokeAll('key', leaves[0]!.key.id)]?.status).toBe('done');
    const byCa = await pki().revokeCaCertificates(int.value.ca.id, { reason: 'cessationOfOperation' });
    if (!byCa.ok) throw new Error(byCa.error.message);
    expect(byCa.value.revoked).toBe(1);
    expect(byCa.value.crls.map((c) => c.number)).toEqual([3]);
    const s = store.getState().pki;
    expect(leaves.map((l) => s.certsById[l.cert.id]?.status)).toEqual(['revoked', 'revoked']);
    expect(s.crls[int.value.ca.id]?.number).toBe(3);
    expect(s.certsById[int.value.cert.id]?.status).toBe('valid');
    assertPlainData({ certs: s.certsById, crls: s.crls });

    const none = await pki().revokeCaCertificates(int.value.ca.id, { reason: 'superseded' });
    expect(none.ok && none.value.revoked).toBe(0);
    const bad = await pki().revokeKeyCertificates(testKeyId('missing'), { reason: 'superseded' });
    expect(!bad.ok && bad.error.code).toBe('KEY_NOT_FOUND');
    expect(store.getState().pki.ops[pkiOpNames.revokeAll('key', testKeyId('missing'))]).toMatchObject({ status: 'error', error: { code: 'KEY_NOT_FOUND' } });
  });

  it('refreshCerts loads the inventory newest first', async () => {
    const { pki, store } = await setup();
    await pki().createCa({ name: 'A', subject: { CN: 'A' } });
    await pki().createCa({ name: 'B', subject: { CN: 'B' } });
    await store.getState().pki.refreshCerts();
    const s = store.getState().pki;
    expect(s.certsStatus).toBe('ready');
    expect(s.certIds).toHaveLength(2);
  });

  it('E10/A8 refreshCerts over many certificates: the first page from the index, then every one in list order with its status, the list changed only twice', async () => {
    const { engine, pki, store } = await setup();
    const p = await engine.pki();
    const root = await p.createRootCa({ name: 'Fleet root', subject: { CN: 'Fleet Root' } });
    const job = await p.issueBulk({ caId: root.ca.id, rows: Array.from({ length: 1200 }, (_, i) => ({ profile: 'tls-client' as const, subject: { CN: `client ${i}` } })) });
    if (job.status !== 'issued') throw new Error('the bulk job did not issue');
    const revoked = job.certs[700]!;
    await p.revokeCertificate(revoked.id, { reason: 'keyCompromise' });
    const lists: number[] = [];
    const unsubscribe = store.subscribe((s, prev) => {
      if (s.pki.certIds !== prev.pki.certIds) lists.push(s.pki.certIds.length);
    });
    await pki().refreshCerts();
    unsubscribe();
    expect(lists).toEqual([FIRST_CERT_PAGE, 1201]);
    expect(pki().certsStatus).toBe('ready');
    expect(pki().certIds).toEqual((await p.listCertificates()).map((c) => c.id));
    expect(pki().certsById[revoked.id]?.status).toBe('revoked');
    expect(pki().certsById[job.certs[0]!.id]?.status).toBe('valid');
  }, 240_000);
});

describe('inventory helpers (E10)', () => {
  const base: CertInfo = {
    id: testCertId('c1'),
    issuerId: testCaId('ca1'),
    serialHex: '1a2b3c4d',
    profile: 'tls-server',
    subject: 'CN=api.example.test',
    issuer: 'CN=Issuing',
    sans: { dns: ['api.example.test', 'www.example.test'], ip: ['192.0.2.1'], email: [], uri: [] },
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2026-12-01T00:00:00.000Z',
    source: 'vault',
    spkiSha256: '00',
    sha256: '00',
    truncated: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    status: 'valid',
  };
  const other: CertInfo = { ...base, id: testCertId('c2'), issuerId: testCaId('ca2'), serialHex: 'ffee', profile: 'email', subject: 'CN=Alice', sans: { dns: [], ip: [], email: ['alice@example.test'], uri: [] }, status: 'revoked' };

  it('E10 searches CN, SAN and serial (with or without separators) and filters by CA, profile and status', () => {
    const f = (p: Partial<typeof EMPTY_CERT_FILTER>) => filterCerts([base, other], { ...EMPTY_CERT_FILTER, ...p }).map((c) => (c.id === base.id ? 'c1' : 'c2'));
    expect(f({})).toEqual(['c1', 'c2']);
    expect(f({ text: 'www.example' })).toEqual(['c1']);
    expect(f({ text: '192.0.2.1' })).toEqual(['c1']);
    expect(f({ text: 'ALICE' })).toEqual(['c2']);
    expect(f({ text: '1a:2b:3c' })).toEqual(['c1']);
    expect(f({ caId: testCaId('ca2') })).toEqual(['c2']);
    expect(f({ profile: 'tls-server' })).toEqual(['c1']);
    expect(f({ status: 'revoked' })).toEqual(['c2']);
    expect(f({ text: 'nothing-like-this' })).toEqual([]);
  });

  it('E10 warns about certificates expiring within 30 days and CAs that expire before their leaves', () => {
    const ca = (id: string, notAfter: string, parentId?: string): CaInfo => ({
      id: testCaId(id),
      name: id,
      kind: parentId ? 'intermediate' : 'root',
      keyId: testKeyId('k'),
      certId: testCertId(`cert-${id}`),
      ...(parentId ? { parentId: testCaId(parentId) } : {}),
      subject: `CN=${id}`,
      ski: '00',
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter,
      crlValidityDays: 7,
      createdAt: '2025-01-01T00:00:00.000Z',
    });
    const now = Date.parse('2026-11-10T00:00:00.000Z');
    const cas = [ca('root', '2030-01-01T00:00:00.000Z'), ca('ca1', '2030-01-01T00:00:00.000Z', 'root')];
    expect(expiryWarnings(base, cas, now)).toEqual(['Expires in 21 days']);
    expect(expiryWarnings(base, cas, now - 60 * DAY)).toEqual([]);
    const shortRoot = [ca('root', '2026-11-20T00:00:00.000Z'), ca('ca1', '2030-01-01T00:00:00.000Z', 'root')];
    expect(expiryWarnings(base, shortRoot, now - 60 * DAY)).toEqual(['Its CA “root” expires first (2026-11-20)']);
    expect(expiryWarnings({ ...base, status: 'revoked' }, cas, now)).toEqual([]);
  });

  it('R6 rebuildDueCrls rebuilds only CRLs near nextUpdate, and never loads the CA module without a CA', async () => {
    let now = Date.UTC(2026, 2, 1, 12);
    const { engine } = await freshEngine({ clock: { now: () => now } });
    const store = createAppStore(engine, { storageManager: {} });
    const load = vi.spyOn(engine, 'pki');
    const none = await store.getState().pki.rebuildDueCrls();
    expect(none).toEqual({ ok: true, value: [] });
    expect(load).not.toHaveBeenCalled();
    const root = await store.getState().pki.createCa({ name: 'Root', subject: { CN: 'Due Root' }, crlValidityDays: 7 });
    if (!root.ok) throw new Error(root.error.message);
    const id = root.value.ca.id;
    expect(await store.getState().pki.rebuildDueCrls()).toEqual({ ok: true, value: [] });
    now += 7 * DAY - CRL_REBUILD_GRACE_MS + 60_000;
    expect(await store.getState().pki.rebuildDueCrls()).toEqual({ ok: true, value: [id] });
    expect(store.getState().pki.crls[id]?.number).toBe(2);
    expect(await store.getState().pki.rebuildDueCrls()).toEqual({ ok: true, value: [] });
    // A CA that cannot sign reports its error and does not stop the check.
    await engine.suspendKey(root.value.ca.keyId);
    now += 7 * DAY;
    const r = await store.getState().pki.rebuildDueCrls();
    expect(r.ok).toBe(false);
    expect(store.getState().pki.ops[pkiOpNames.rebuildDue]).toMatchObject({ status: 'error', error: { code: 'KEY_STATE' } });
  });
});
