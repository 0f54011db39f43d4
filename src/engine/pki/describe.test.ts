// E5, E7: the viewer's read helpers — decoded extensions, fingerprints, the ASN.1 tree,
// and CRL entries paged.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { fromBase64, toHex } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { asn1Tree, crlEntryPage, type Asn1Node } from './describe';
import { testCaId, testCertId } from '../../testing/ids';
import type { CertId } from '../ids';

const DAY = 86_400_000;

async function setup() {
  const f = await freshPki();
  const h = await hierarchy(f.pki);
  const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'leaf key' });
  const leaf = await f.pki.issueCertificate({
    caId: h.int.ca.id,
    keyId: key.id,
    profile: 'tls-server',
    subject: { CN: 'app.example.test' },
    sans: { dns: ['app.example.test'], ip: ['192.0.2.7'] },
  });
  return { ...f, ...h, leaf, key };
}

function find(n: Asn1Node, pred: (n: Asn1Node) => boolean): Asn1Node | undefined {
  if (pred(n)) return n;
  for (const c of n.children ?? []) {
    const hit = find(c, pred);
    if (hit) return hit;
  }
  return undefined;
}

describe('certificate details for the viewer (E5)', () => {
  it('E5 decodes every extension of a TLS leaf to text and gives SHA-256/SHA-1 fingerprints of the DER', async () => {
    const { pki, leaf, int } = await setup();
    const d = await pki.describeCertificate(leaf.cert.id);
    const der = await pki.exportCertificate(leaf.cert.id, 'der');
    expect(d.fingerprints.sha256).toBe(toHex(await crypto.subtle.digest('SHA-256', der.slice())));
    expect(d.fingerprints.sha256).toBe(leaf.cert.sha256);
    expect(d.fingerprints.sha1).toBe(toHex(await crypto.subtle.digest('SHA-1', der.slice())));
    expect(d.version).toBe(3);
    expect(d.serialHex).toBe(leaf.cert.serialHex);
    expect(d.signatureAlgorithm).toBe('ecdsa-with-SHA256');
    expect(d.publicKey).toBe('ECDSA P-256');
    expect(d.subject).toBe('CN=app.example.test');
    const byName = Object.fromEntries(d.extensions.map((x) => [x.name, x]));
    expect(byName['Subject alternative name']!.values).toEqual(['DNS: app.example.test', 'IP: 192.0.2.7']);
    expect(byName['Basic constraints']).toMatchObject({ critical: true, values: ['CA: false'] });
    expect(byName['Key usage']).toMatchObject({ critical: true, values: ['digitalSignature'] });
    expect(byName['Extended key usage']!.values).toEqual(['TLS server authentication (1.3.6.1.5.5.7.3.1)']);
    expect(byName['Authority key identifier']!.values).toEqual([`Key identifier: ${int.ca.ski}`]);
    expect(byName['CRL distribution points']!.values).toEqual(['URI: http://crl.clavis.test/issuing.crl']);
    expect(byName['Authority information access']!.values).toEqual(['CA issuers – URI: http://crl.clavis.test/issuing.cer']);
  });

  it('E5 decodes name constraints and path length of an intermediate', async () => {
    const { pki, root } = await setup();
    const nc = await pki.createIntermediateCa({
      name: 'Constrained',
      parentId: root.ca.id,
      subject: { CN: 'Constrained CA' },
      pathLen: 0,
      nameConstraints: { permitted: { dns: ['example.test'], ip: ['10.0.0.0/8'] }, excluded: { email: ['bad.example.test'] } },
    });
    const d = await pki.describeCertificate(nc.cert.id);
    const byName = Object.fromEntries(d.extensions.map((x) => [x.name, x]));
    expect(byName['Name constraints']).toMatchObject({
      critical: true,
      values: ['Permitted DNS: example.test', 'Permitted IP: 10.0.0.0/8', 'Excluded E-mail: bad.example.test'],
    });
    expect(byName['Basic constraints']!.values).toEqual(['CA: true', 'Path length: 0']);
  });

  it('E5 the ASN.1 tree covers the DER exactly, opens wrapped extension values, and names OIDs', async () => {
    const { pki, leaf } = await setup();
    const d = await pki.describeCertificate(leaf.cert.id);
    const der = await pki.exportCertificate(leaf.cert.id, 'der');
    expect(d.asn1).toMatchObject({ tag: 0x30, label: 'SEQUENCE', offset: 0 });
    expect(d.asn1.children!.map((c) => c.label)).toEqual(['SEQUENCE', 'SEQUENCE', 'BIT STRING']);
    expect(find(d.asn1, (n) => n.value === '2.5.29.17 (Subject alternative name)')).toBeDefined();
    // The SAN's OCTET STRING is opened: the DNS name is a [2] node (context tags show hex).
    const dns = find(d.asn1, (n) => n.label === '[2]' && n.value === toHex(new TextEncoder().encode('app.example.test')));
    expect(dns).toBeDefined();
    // Offsets point at the tag byte of each node.
    expect(der[dns!.offset]).toBe(0x82);
    expect(find(d.asn1, (n) => n.label === 'UTCTime')?.value).toMatch(/^\d{12}Z$/);
  });

  it('asn1Tree refuses trailing bytes and bounds the node count', () => {
    try {
      asn1Tree(Uint8Array.of(0x30, 0x00, 0x00));
      expect.unreachable();
    } catch (e) {
      expect(isEngineError(e, 'MALFORMED_INPUT')).toBe(true);
    }
    const ok = Uint8Array.from([0x30, 0x81, 200, ...Array.from({ length: 100 }, () => [0x05, 0x00]).flat()]);
    expect(asn1Tree(ok).children).toHaveLength(100);
    expect(() => asn1Tree(ok, 50)).toThrow(/too large/);
  });

  it('describeCertificate refuses an unknown id with INVALID_ARGUMENT', async () => {
    const { pki } = await freshPki();
    await expect(pki.describeCertificate(testCertId('nope'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('CRL entries paged (E7)', () => {
  it('E7 pages a CRL’s entries with serial, date, reason and invalidity date; total counts them all', async () => {
    const { pki, ctx, int, clock } = await setup();
    const issued: CertId[] = [];
    for (let i = 0; i < 5; i++) {
      const k = await generateKey(ctx, { template: 'ECDSA-P-256', name: `k${i}` });
      const r = await pki.issueCertificate({ caId: int.ca.id, keyId: k.id, profile: 'tls-client', subject: { CN: `client ${i}` } });
      issued.push(r.cert.id);
    }
    clock.advance(1000);
    for (const id of issued.slice(0, 4)) await pki.revokeCertificate(id, { reason: 'superseded' });
    const last = await pki.revokeCertificate(issued[4]!, { reason: 'keyCompromise', invalidityDate: new Date(clock.now() - DAY) });
    expect(last.crl?.entries).toBe(5);

    const all = await pki.crlEntries(int.ca.id, { offset: 0, limit: 100 });
    expect(all.total).toBe(5);
    expect(all.entries).toHaveLength(5);
    const revoked = all.entries.find((e) => e.serialHex === last.cert.serialHex)!;
    expect(revoked.reason).toBe('keyCompromise');
    expect(revoked.invalidityDate).toBe(new Date(Math.floor((clock.now() - DAY) / 1000) * 1000).toISOString());
    expect(revoked.revocationDate).toBe(last.cert.revocation!.revokedAt);

    const page2 = await pki.crlEntries(int.ca.id, { offset: 2, limit: 2 });
    expect(page2.total).toBe(5);
    expect(page2.entries.map((e) => e.serialHex)).toEqual(all.entries.slice(2, 4).map((e) => e.serialHex));
    expect((await pki.crlEntries(int.ca.id, { offset: 5, limit: 2 })).entries).toEqual([]);
  });

  it('an empty CRL has no entries, a CA without a CRL gives an empty page, and bad pages are refused', async () => {
    const { pki, int } = await setup();
    expect(await pki.crlEntries(int.ca.id, { offset: 0, limit: 10 })).toEqual({ total: 0, entries: [] });
    expect(await pki.crlEntries(testCaId('none'), { offset: 0, limit: 10 })).toEqual({ total: 0, entries: [] });
    const der = await pki.exportCrl(int.ca.id, 'der');
    expect(() => crlEntryPage(der, -1, 10)).toThrow(/offset/);
    expect(() => crlEntryPage(der, 0, 5000)).toThrow(/limit/);
    expect(() => crlEntryPage(fromBase64('MAA='), 0, 10)).toThrow();
  });
});
