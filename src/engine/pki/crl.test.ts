// E6, E7, R1–R8: revocation, CRLs derived from the revocation store, and chain verification.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { fromBase64, toHex } from '../internal/bytes';
import { openStorage } from '../storage/db';
import { generateKey } from '../keys/vault';
import { deactivateKey } from '../lifecycle/engine';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { createPki } from './index';
import { createSigner } from './algorithms';
import { TAG, children, contentOf, readTop } from '../internal/der';
import { encodeName } from './names';
import { newSerial } from './serial';
import { parseCrl, parseCrlWithPkijs, signCrl, type CrlEntryInput } from './crl';
import { parseCertificate, splitSigned } from './x509';
import { testCaId } from '../../testing/ids';
import type { CaId, CertId } from '../ids';

const DAY = 86_400_000;
const crlDer = async (pki: ReturnType<typeof createPki>, caId: CaId) => await pki.exportCrl(caId, 'der');
const expectCode = async (p: Promise<unknown>, code: Parameters<typeof isEngineError>[1]) => {
  try {
    await p;
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(isEngineError(e, code), String(e)).toBe(true);
  }
};

async function setup() {
  const f = await freshPki();
  const h = await hierarchy(f.pki);
  const leaf = async (cn: string) => {
    const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: cn });
    return f.pki.issueCertificate({ caId: h.int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn } });
  };
  return { ...f, ...h, leaf };
}

describe('revocation and CRLs (E6, E7)', () => {
  it('R1 a new CA publishes a v2 CRL: issuer byte-equal to its subject, AKI = SKI, number 1, no revokedCertificates', async () => {
    const { pki, int } = await setup();
    const der = await crlDer(pki, int.ca.id);
    const parts = children(readTop(splitSigned(der, 'CRL').tbs));
    expect(contentOf(parts[0]!)).toEqual(Uint8Array.of(1));
    const crl = parseCrl(der);
    const caSubject = parseCertificate(fromBase64(int.pem.replace(/-----[^-]+-----/g, ''))).parts.subject;
    expect(toHex(crl.issuer)).toBe(toHex(caSubject));
    expect(toHex(crl.authorityKeyId!)).toBe(int.ca.ski);
    expect(crl.number).toBe(1);
    expect(crl.revoked.size).toBe(0);
    // version, signature, issuer, thisUpdate, nextUpdate, [0] extensions: no empty SEQUENCE (R3).
    expect(parts.map((p) => p.tag)).toEqual([TAG.INTEGER, TAG.SEQUENCE, TAG.SEQUENCE, TAG.UTC_TIME, TAG.UTC_TIME, 0xa0]);
  });

  it('R1/R2/R4 revoking rebuilds the CRL: number strictly increases, reason code and invalidity date, thisUpdate not before its revocations, ≤ 10 days', async () => {
    const { pki, int, clock, leaf } = await setup();
    const a = await leaf('a.example.test');
    const b = await leaf('b.example.test');
    clock.advance(5000);
    const ra = await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise', invalidityDate: new Date(clock.now() - DAY + 123) });
    expect(ra.crl?.number).toBe(2);
    expect(ra.cert.status).toBe('revoked');
    const rb = await pki.revokeCertificate(b.cert.id, { reason: 'superseded' });
    expect(rb.crl?.number).toBe(3);
    const crl = parseCrl(await crlDer(pki, int.ca.id));
    expect(crl.number).toBe(3);
    expect(crl.revoked.get(a.cert.serialHex)).toBe(1);
    expect(crl.revoked.get(b.cert.serialHex)).toBe(4);
    // Backdated at most a little (R2), but never before the revocations it lists (issue 14).
    expect(crl.thisUpdate.getTime()).toBeLessThanOrEqual(clock.now());
    expect(crl.thisUpdate.getTime()).toBeGreaterThanOrEqual(Date.parse((await pki.getCertificate(b.cert.id)).revocation!.revokedAt));
    expect(clock.now() - crl.thisUpdate.getTime()).toBeLessThanOrEqual(5 * 60_000);
    expect(crl.nextUpdate!.getTime() - crl.thisUpdate.getTime()).toBeLessThanOrEqual(10 * DAY);
    // The pkijs view agrees: invalidityDate present on the keyCompromise entry, whole seconds.
    const p = parseCrlWithPkijs(await crlDer(pki, int.ca.id));
    expect(p.version).toBe(1);
    const entryA = p.revokedCertificates!.find((e) => toHex(e.userCertificate.valueBlock.valueHexView) === a.cert.serialHex)!;
    const inv = entryA.crlEntryExtensions!.extensions.find((e) => e.extnID === '2.5.29.24');
    expect(inv).toBeDefined();
    expect(inv!.critical).toBe(false);
    expect((await pki.getCertificate(a.cert.id)).revocation).toMatchObject({ reason: 'keyCompromise' });
  });

  it('R4 reasons 0 (unspecified) and 6 (certificateHold) are refused; revoking twice is CERT_REVOKED; a root cannot be revoked', async () => {
    const { pki, root, leaf } = await setup();
    const a = await leaf('a.example.test');
    for (const reason of ['unspecified', 'certificateHold', 'removeFromCRL', 1]) {
      await expectCode(pki.revokeCertificate(a.cert.id, { reason: reason as never }), 'INVALID_ARGUMENT');
    }
    await pki.revokeCertificate(a.cert.id, { reason: 'cessationOfOperation' });
    await expectCode(pki.revokeCertificate(a.cert.id, { reason: 'superseded' }), 'CERT_REVOKED');
    await expectCode(pki.revokeCertificate(root.cert.id, { reason: 'keyCompromise' }), 'INVALID_ARGUMENT');
  });

  it('R6 a revocation persisted before a reload is on the next CRL (derived from the store, not memory)', async () => {
    const { pki, ctx, int, leaf, dbName, storage } = await setup();
    const a = await leaf('a.example.test');
    // Persist the revocation directly, as if the tab closed before the CRL was rebuilt.
    await storage.addRevocation({ id: `${int.ca.id}:${a.cert.serialHex}`, issuerId: int.ca.id, serialHex: a.cert.serialHex, certId: a.cert.id, reason: 5, revokedAt: new Date(ctx.clock.now()).toISOString(), spkiSha256: a.cert.spkiSha256, certNotAfter: a.cert.notAfter });
    storage.close();
    const reopened = await openStorage({ name: dbName });
    const pki2 = createPki({ ...ctx, storage: reopened });
    expect((await pki2.getCertificate(a.cert.id)).status).toBe('revoked');
    const info = await pki2.publishCrl(int.ca.id);
    expect(info.entries).toBe(1);
    expect(parseCrl(await crlDer(pki2, int.ca.id)).revoked.has(a.cert.serialHex)).toBe(true);
    void pki;
  });

  it('R6 a CA is due for a CRL rebuild once nextUpdate minus the grace period has passed', async () => {
    const { pki, int, root, clock } = await setup();
    expect(await pki.crlsDue(DAY)).toEqual([]);
    clock.advance(6 * DAY + 1000);
    expect((await pki.crlsDue(DAY)).sort()).toEqual([int.ca.id, root.ca.id].sort());
    await pki.publishCrl(int.ca.id);
    expect(await pki.crlsDue(DAY)).toEqual([root.ca.id]);
  });

  it('K3 a CA whose key was deactivated issues nothing more but keeps signing CRLs for what it issued', async () => {
    const { pki, ctx, int, leaf } = await setup();
    const a = await leaf('old.example.test');
    await deactivateKey(ctx, int.ca.keyId, 'superseded by a new issuing CA');
    await expectCode(leaf('new.example.test'), 'KEY_STATE');
    const before = (await pki.getCrl(int.ca.id))!.number;
    const r = await pki.revokeCertificate(a.cert.id, { reason: 'cessationOfOperation' });
    expect(r.crl?.number).toBe(before + 1);
    const crl = parseCrl(await crlDer(pki, int.ca.id));
    expect([...crl.revoked.keys()]).toContain(a.cert.serialHex);
  });

  it('R1/G3 CRL numbers allocated concurrently from two connections (two tabs) are never reused', async () => {
    const { dbName } = await freshPki();
    const tabA = await openStorage({ name: dbName });
    const tabB = await openStorage({ name: dbName });
    const all = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? tabA : tabB).allocateCrlNumber(testCaId('1'))));
    expect(new Set(all).size).toBe(60);
    expect(Math.max(...all)).toBe(60);
  });

  it('M3 revocation status comes from the (issuer, serial) index', async () => {
    const { pki, storage, int, leaf } = await setup();
    const a = await leaf('a.example.test');
    const b = await leaf('b.example.test');
    await pki.revokeCertificate(a.cert.id, { reason: 'affiliationChanged' });
    expect((await storage.getRevocation(int.ca.id, a.cert.serialHex))?.reason).toBe(3);
    expect(await storage.getRevocation(int.ca.id, b.cert.serialHex)).toBeUndefined();
    expect((await pki.listCertificates({ issuerId: int.ca.id, status: 'revoked' })).map((c) => c.id)).toEqual([a.cert.id]);
  });

  it('M1/M2 a 100,000-entry CRL is built in one encode, signed, and parsed back (DER walker and sized asn1js)', async () => {
    const { ctx, pki } = await freshPki();
    const root = await pki.createRootCa({ name: 'Big', subject: { CN: 'Big CRL CA' } });
    const m = await ctx.storage.getKeyMaterial(root.ca.keyId);
    const signer = await createSigner(ctx, m!.privateKey!);
    const now = new Date(ctx.clock.now());
    const made: Array<{ hex: string; entry: CrlEntryInput }> = [];
    for (let i = 0; i < 100_000; i++) {
      const s = newSerial(ctx.random);
      made.push({ hex: s.hex, entry: { serial: s.bytes, revocationDate: now, reason: [1, 3, 4, 5, 9][i % 5]! } });
    }
    made.sort((x, y) => (x.hex < y.hex ? -1 : 1));
    const entries = made.map((m) => m.entry);
    const serials = new Set(made.map((m) => m.hex));
    const der = await signCrl(
      signer,
      { issuer: encodeName({ CN: 'Big CRL CA' }), thisUpdate: new Date(now.getTime() - 60_000), nextUpdate: new Date(now.getTime() + 7 * DAY), entries, authorityKeyId: fromHexString(root.ca.ski), number: 2 },
      { now, issuesLeaves: true },
    );
    const fast = parseCrl(der);
    expect(fast.revoked.size).toBe(100_000);
    expect([...serials].every((s) => fast.revoked.has(s))).toBe(true);
    const p = parseCrlWithPkijs(der);
    expect(p.revokedCertificates).toHaveLength(100_000);
    const rootPk = (await import('pkijs')).Certificate.fromBER(fromBase64(root.pem.replace(/-----[^-]+-----/g, '')));
    expect(await p.verify({ issuerCertificate: rootPk }, (await import('./algorithms')).pkiCrypto(ctx))).toBe(true);
  }, 600_000);
});

function fromHexString(h: string): Uint8Array {
  return Uint8Array.from(h.match(/../g)!.map((x) => parseInt(x, 16)));
}

describe('chain verification (E8, R7, R8)', () => {
  it('R8 a revoked leaf fails verification; the other leaves do not change', async () => {
    const { pki, leaf } = await setup();
    const a = await leaf('a.example.test');
    const b = await leaf('b.example.test');
    expect((await pki.verifyCertificate(a.cert.id, { usage: 'tls-server' })).valid).toBe(true);
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    const va = await pki.verifyCertificate(a.cert.id, { usage: 'tls-server' });
    expect(va.valid).toBe(false);
    expect(va.revocation).toBe('revoked');
    expect(va.steps.find((s) => s.name === 'revocation-0')?.ok).toBe(false);
    const vb = await pki.verifyCertificate(b.cert.id, { usage: 'tls-server', hostname: 'b.example.test' });
    expect(vb.valid, JSON.stringify(vb.steps)).toBe(true);
  });

  it('R8 revoking a CA certificate makes every leaf below it fail', async () => {
    const { pki, int, leaf } = await setup();
    const a = await leaf('a.example.test');
    const b = await leaf('b.example.test');
    await pki.revokeCertificate(int.cert.id, { reason: 'keyCompromise' });
    for (const c of [a, b]) {
      const v = await pki.verifyCertificate(c.cert.id, { usage: 'tls-server' });
      expect(v.valid).toBe(false);
      expect(v.revocation).toBe('revoked');
      expect(v.steps.find((s) => s.name === 'revocation-1')?.ok).toBe(false);
    }
    // And the revoked CA can no longer issue.
    const key = await generateKey((await freshPki()).ctx, { template: 'ECDSA-P-256', name: 'x' }).catch(() => undefined);
    void key;
    await expectCode(leaf('c.example.test'), 'CERT_REVOKED');
  });

  it('R7 no CRL, an expired CRL, a future CRL or a rolled-back CRL number means "unknown" and fails closed', async () => {
    const { pki, ctx, root, int, leaf } = await setup();
    const a = await leaf('a.example.test');
    const target = await pki.exportCertificate(a.cert.id, 'der');
    const chain = { target, intermediates: [int.cert.id].length ? [await pki.exportCertificate(int.cert.id, 'der')] : [], trustAnchors: [await pki.exportCertificate(root.cert.id, 'der')] };
    const rootCrl = await crlDer(pki, root.ca.id);
    const intCrl1 = await crlDer(pki, int.ca.id);
    const none = await pki.verifyChain({ ...chain, crls: [rootCrl] });
    expect(none.valid).toBe(false);
    expect(none.revocation).toBe('unknown');
    expect(none.steps.find((s) => s.name === 'revocation-0')?.detail).toMatch(/no usable CRL/);
    expect((await pki.verifyChain({ ...chain, crls: [rootCrl, intCrl1] })).valid).toBe(true);
    const late = await pki.verifyChain({ ...chain, crls: [rootCrl, intCrl1], at: new Date(ctx.clock.now() + 8 * DAY) });
    expect(late.revocation).toBe('unknown');
    const early = await pki.verifyChain({ ...chain, crls: [rootCrl, intCrl1], at: new Date(ctx.clock.now() - 2 * 60_000) });
    expect(early.revocation).toBe('unknown');
    await pki.publishCrl(int.ca.id);
    const intCrl2 = await crlDer(pki, int.ca.id);
    const rolled = await pki.verifyChain({ ...chain, crls: [rootCrl, intCrl1], lastCrlNumbers: new Map([[int.ca.ski, parseCrl(intCrl2).number!]]) });
    expect(rolled.revocation).toBe('unknown');
    expect((await pki.verifyChain({ ...chain, crls: [rootCrl, intCrl1, intCrl2] })).valid).toBe(true);
  });

  it('P8 the target is the certificate asked about, not whatever comes last; an untrusted self-signed target fails', async () => {
    const { pki, root, int, leaf } = await setup();
    const a = await leaf('a.example.test');
    const other = await (await freshPki()).pki.createRootCa({ name: 'Other', subject: { CN: 'Other root' } });
    const der = async (id: CertId, p = pki) => await p.exportCertificate(id, 'der');
    const crls = [await crlDer(pki, root.ca.id), await crlDer(pki, int.ca.id)];
    const otherDer = new Uint8Array(fromBase64(other.pem.replace(/-----[^-]+-----/g, '')));
    // The untrusted root as target with a valid leaf in "intermediates": must fail.
    const v = await pki.verifyChain({ target: otherDer, intermediates: [await der(int.cert.id), await der(a.cert.id)], trustAnchors: [await der(root.cert.id)], crls });
    expect(v.valid).toBe(false);
  });

  it('E8 wrong usage or host name fails its named step', async () => {
    const { pki, ctx, int } = await setup();
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'c' });
    const client = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'client' } });
    const asServer = await pki.verifyCertificate(client.cert.id, { usage: 'tls-server' });
    expect(asServer.valid).toBe(false);
    expect(asServer.steps.find((s) => s.name === 'extended-key-usage')?.ok).toBe(false);
    expect((await pki.verifyCertificate(client.cert.id, { usage: 'tls-client' })).valid).toBe(true);
    const server = await pki.issueCertificate({ caId: int.ca.id, keyId: (await generateKey(ctx, { template: 'ECDSA-P-256', name: 's' })).id, profile: 'tls-server', subject: { CN: '*.example.test' } });
    expect((await pki.verifyCertificate(server.cert.id, { usage: 'tls-server', hostname: 'www.example.test' })).valid).toBe(true);
    const wrong = await pki.verifyCertificate(server.cert.id, { usage: 'tls-server', hostname: 'a.b.example.test' });
    expect(wrong.steps.find((s) => s.name === 'hostname')?.ok).toBe(false);
  });
});
