// Issue 15 (M3, M7): a published CRL is indexed once; a revocation check is a binary search
// that agrees with a full parse for every serial (sorted Clavis CRLs and unsorted foreign
// ones), a page is a slice of entries, and verifyCertificate reuses the index instead of
// re-reading and re-parsing the CRL. Runs in Node and Chromium.
import { describe, expect, it } from 'vitest';
import { fromHex } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import type { ClavisStorage } from '../storage/db';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { createSigner } from './algorithms';
import { parseCrl, signCrl, type CrlEntryInput } from './crl';
import { crlEntryPage } from './describe';
import { CrlIndex, indexCrl } from './crl-index';
import { createPki } from './index';
import { encodeName } from './names';
import { newSerial } from './serial';

const DAY = 86_400_000;

describe('issue 15: CRL index', () => {
  it('M3 lookups agree with a full parse for every listed serial and say "not listed" for others, sorted or not; pages equal the walk', async () => {
    const { ctx, pki } = await freshPki();
    const root = await pki.createRootCa({ name: 'Idx', subject: { CN: 'Index CA' } });
    const signer = await createSigner(ctx, (await ctx.storage.getKeyMaterial(root.ca.keyId))!.privateKey!);
    const now = new Date(ctx.clock.now());
    const entries: CrlEntryInput[] = [];
    for (let i = 0; i < 3000; i++) {
      const s = newSerial(ctx.random);
      const e: CrlEntryInput = { serial: s.bytes, revocationDate: now };
      if (i % 7) e.reason = [1, 3, 4, 5, 9][i % 5]!;
      entries.push(e);
    }
    // Signed as given: NOT in serial order (a foreign CA's CRL may list entries in any order).
    const der = await signCrl(
      signer,
      { issuer: encodeName({ CN: 'Index CA' }), thisUpdate: new Date(now.getTime() - 60_000), nextUpdate: new Date(now.getTime() + 7 * DAY), entries, authorityKeyId: fromHex(root.ca.ski), number: 9 },
      { now, issuesLeaves: true },
    );
    const full = parseCrl(der);
    const index = await indexCrl(der);
    expect(index.count).toBe(3000);
    expect(index.header.number).toBe(9);
    for (const [serial, reason] of full.revoked) expect(index.lookup(serial), serial).toBe(reason ?? null);
    for (let i = 0; i < 200; i++) {
      const s = newSerial(ctx.random).hex;
      expect(index.lookup(s)).toBe(full.revoked.has(s) ? (full.revoked.get(s) ?? null) : undefined);
    }
    expect(index.lookup('01')).toBeUndefined();
    for (const offset of [0, 1234, 2990]) expect(index.page(offset, 50)).toEqual(crlEntryPage(der, offset, 50).entries);
  });

  it('M3 an empty CRL indexes to no entries', async () => {
    const { pki } = await freshPki();
    const h = await hierarchy(pki);
    const index = await indexCrl(await pki.exportCrl(h.int.ca.id, 'der'));
    expect(index).toBeInstanceOf(CrlIndex);
    expect(index.count).toBe(0);
    expect(index.lookup('01')).toBeUndefined();
    expect(index.page(0, 50)).toEqual([]);
  });

  it('M3/M7 verifyCertificate and crlEntries read a published CRL once; a new CRL is read again and the revocation shows', async () => {
    const f = await freshPki();
    const reads: string[] = [];
    const counting: ClavisStorage = new Proxy(f.storage, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        if (prop === 'getCrl' || prop === 'getLatestCrl') {
          return (...args: unknown[]) => {
            reads.push(String(prop));
            return (v as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return (v as (...a: unknown[]) => unknown).bind(target);
      },
    });
    const pki = createPki({ ...f.ctx, storage: counting });
    const h = await hierarchy(pki);
    const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const a = await pki.issueCertificate({ caId: h.int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'a.example.test' } });
    const b = await pki.issueCertificate({ caId: h.int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'b.example.test' } });
    // The first verification and the first page each read the CRL once (the validator's
    // parse and the entry index are cached apart); after that nothing reads it again.
    expect((await pki.verifyCertificate(a.cert.id)).valid).toBe(true);
    await pki.crlEntries(h.int.ca.id, { offset: 0, limit: 50 });
    reads.length = 0;
    for (let i = 0; i < 5; i++) expect((await pki.verifyCertificate(b.cert.id)).revocation).toBe('good');
    await pki.crlEntries(h.int.ca.id, { offset: 0, limit: 50 });
    expect(reads).toEqual([]);
    await pki.revokeCertificate(a.cert.id, { reason: 'superseded' });
    const va = await pki.verifyCertificate(a.cert.id);
    expect(va.revocation).toBe('revoked');
    expect((await pki.crlEntries(h.int.ca.id, { offset: 0, limit: 50 })).entries.map((e) => e.serialHex)).toEqual([a.cert.serialHex]);
    expect((await pki.verifyCertificate(b.cert.id)).valid).toBe(true);
  });
});
