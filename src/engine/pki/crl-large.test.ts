// M1/M2/M7, R6, BR 4.9.7: big CRLs (100,000 entries) build, store, parse back and page
// without freezing the page (worker in Chromium, in-thread in Node), and CRL validity
// depends on whether the CA issues leaves.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { generateKey } from '../keys/vault';
import type { RevocationRecord } from '../storage/schema';
import { freshPki, hierarchy, T0 } from '../../testing/pki-fixtures';
import { crlJobs } from './crl-client';
import { buildAndSignCrl, parseCrl } from './crl';
import { packRevocations } from './crl-codec';
import { loadIssuer } from './issue';
import { newSerial } from './serial';
import { testCertId } from '../../testing/ids';
import type { CaId } from '../ids';

const DAY = 86_400_000;

/**
 * Test helper: writes revocation records straight into the test database in ONE
 * transaction. Inserting 100,000 revocations through `revokeCertificate` (one
 * transaction and one CRL rebuild each) would take hours; the CRL is derived from this
 * store exactly as in production. Uses the raw IndexedDB API on the test's own database.
 */
function seedRevocations(dbName: string, records: RevocationRecord[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction('revocations', 'readwrite');
      const store = tx.objectStore('revocations');
      for (const r of records) store.add(r);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

function fakeRevocations(issuerId: CaId, n: number, random: (n: number) => Uint8Array<ArrayBuffer>): RevocationRecord[] {
  const reasons = [1, 3, 4, 5, 9];
  const out: RevocationRecord[] = [];
  for (let i = 0; i < n; i++) {
    const s = newSerial(random).hex;
    out.push({
      id: `${issuerId}:${s}`,
      issuerId,
      serialHex: s,
      certId: testCertId(`seed_${i}`),
      reason: reasons[i % 5]!,
      revokedAt: new Date(T0 - (i % 1000) * 1000).toISOString(),
      spkiSha256: 'seed',
      // Every 10th certificate has already expired: it must leave the CRL (R6 tidy).
      certNotAfter: new Date(i % 10 === 0 ? T0 - DAY : T0 + 90 * DAY).toISOString(),
    });
  }
  return out;
}

describe('large CRLs (M1, M2, M7)', () => {
  it('M1/M7 a CA with 100,000 revoked certificates: its CRL builds (in the worker where there is one), stores, parses back, pages and verifies', async () => {
    const { pki, ctx, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const seeded = fakeRevocations(int.ca.id, 100_000, ctx.random);
    await seedRevocations(dbName, seeded);
    const jobsBefore = crlJobs.workerJobs;
    // The build: tidy, sort, encode, lint (worker in Chromium) and sign. How long the page
    // stalls meanwhile is a figure of `npm run bench -- --only=crl`, never asserted here.
    const { handle } = await loadIssuer(ctx, int.ca.id, { forCrl: true });
    const revocations = packRevocations(await ctx.storage.listRevocations(int.ca.id));
    const thisUpdate = new Date(T0 - 60_000);
    const built = await buildAndSignCrl(handle.signer, { issuer: handle.name, thisUpdate, nextUpdate: new Date(T0 + 7 * DAY), authorityKeyId: handle.ski, number: 99, revocations, lint: { now: new Date(T0), issuesLeaves: true } });
    // R6: the 10,000 expired certificates are left out.
    expect(built.entries).toBe(90_000);
    expect(parseCrl(built.der).revoked.size).toBe(90_000);
    if (typeof Worker !== 'undefined') {
      // Chromium: the encoding ran in the worker, off the page's thread.
      expect(crlJobs.workerJobs).toBeGreaterThan(jobsBefore);
    } else {
      expect(crlJobs.workerJobs).toBe(jobsBefore);
    }

    // Published through the public verb: stored with its count.
    const info = await pki.publishCrl(int.ca.id);
    expect(info.entries).toBe(90_000);

    // Stored and parsed back with the right count and serials.
    const der = await pki.exportCrl(int.ca.id, 'der');
    expect(der.length).toBeGreaterThan(3_000_000);
    const live = seeded.filter((_, i) => i % 10 !== 0);
    const summary = await crlJobs.summarise(der, [live[0]!.serialHex, seeded[0]!.serialHex]);
    expect(summary.count).toBe(90_000);
    expect(summary.hits).toEqual({ [live[0]!.serialHex]: live[0]!.reason });
    expect(parseCrl(der).revoked.size).toBe(90_000);

    // Display: one page at a time, never 90,000 rows.
    const page = await pki.crlEntries(int.ca.id, { offset: 45_000, limit: 50 });
    expect(page.total).toBe(90_000);
    expect(page.entries).toHaveLength(50);

    // A real leaf, revoked on top of the 90,000: verification finds it through the big CRL.
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const leaf = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'big.test' } });
    const revoked = await pki.revokeCertificate(leaf.cert.id, { reason: 'keyCompromise' });
    expect(revoked.crl?.entries).toBe(90_001);
    const v = await pki.verifyCertificate(leaf.cert.id, { usage: 'tls-server' });
    expect(v.revocation).toBe('revoked');
    expect(v.steps.find((s) => s.name === 'revocation-0')?.detail).toMatch(/is revoked \(CRL 3, reason 1\)/);
  }, 600_000);
});

describe('CRL validity (BR 4.9.7)', () => {
  it('a root that issues only CAs may publish 365-day CRLs and is then refused leaves; intermediates stay at 10 days', async () => {
    const { pki, ctx } = await freshPki();
    const root = await pki.createRootCa({ name: 'Offline root', subject: { CN: 'Offline Root' }, crlValidityDays: 365 });
    const crl = (await pki.getCrl(root.ca.id))!;
    expect(Date.parse(crl.nextUpdate) - Date.parse(crl.thisUpdate)).toBe(365 * DAY);
    // It still issues intermediates, whose revocation goes on the 365-day CRL.
    const int = await pki.createIntermediateCa({ name: 'Issuing', parentId: root.ca.id, subject: { CN: 'Issuing' } });
    await pki.revokeCertificate(int.cert.id, { reason: 'superseded' });
    const after = (await pki.getCrl(root.ca.id))!;
    expect(after.entries).toBe(1);
    expect(Date.parse(after.nextUpdate) - Date.parse(after.thisUpdate)).toBe(365 * DAY);
    // No leaves from it.
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    await expect(pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'x' } })).rejects.toSatisfy(
      (e: unknown) => isEngineError(e, 'INVALID_ARGUMENT') && /issues only CA certificates/.test((e as Error).message),
    );
    // Limits: a root up to 365, an intermediate up to 10.
    await expect(pki.createRootCa({ name: 'r', subject: { CN: 'r' }, crlValidityDays: 366 })).rejects.toSatisfy((e: unknown) => isEngineError(e, 'INVALID_ARGUMENT'));
    await expect(pki.createIntermediateCa({ name: 'i', parentId: int.ca.parentId!, subject: { CN: 'i' }, crlValidityDays: 11 })).rejects.toSatisfy((e: unknown) =>
      isEngineError(e, 'INVALID_ARGUMENT'),
    );
  });

  it('a root with 10-day CRLs may issue leaves, and its CRL stays at most 10 days', async () => {
    const { pki, ctx } = await freshPki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, crlValidityDays: 10 });
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'x' } });
    const crl = await pki.publishCrl(root.ca.id);
    expect(Date.parse(crl.nextUpdate) - Date.parse(crl.thisUpdate)).toBe(10 * DAY);
  });
});
