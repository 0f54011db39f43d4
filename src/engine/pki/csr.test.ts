// E2, P16, C5, C6: CSRs created for vault keys, and issuance from foreign CSRs.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { fromBase64 } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { createSigner, parseSpki } from './algorithms';
import { implicitConstructed, oid, seq, setOf, uint } from '../internal/der';
import { toPem } from '../keys/pem';
import { OID, basicConstraints, extKeyUsage, keyUsage } from './extensions';
import { assembleSigned } from './issue';
import { encodeName } from './names';
import { parseBasicConstraints, parseCertificate, parseExtKeyUsage, parseKeyUsage } from './x509';

const derOf = (pem: string) => fromBase64(pem.replace(/-----[^-]+-----/g, ''));
const expectCode = async (p: Promise<unknown>, code: Parameters<typeof isEngineError>[1]) => {
  try {
    await p;
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(isEngineError(e, code), String(e)).toBe(true);
  }
};

/** A CSR signed by a vault key that asks for whatever extensions the test wants. */
async function handCsr(ctx: Awaited<ReturnType<typeof freshPki>>['ctx'], keyId: string, extensions: Uint8Array[]) {
  const m = await ctx.storage.getKeyMaterial(keyId);
  const signer = await createSigner(ctx, m!.privateKey!);
  const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', m!.publicKey!)));
  const attrs = seq(oid(OID.extensionRequest), setOf(seq(...extensions)));
  const info = seq(uint(0), encodeName({ CN: 'requested.example.test' }), spki.der, implicitConstructed(0, attrs));
  return assembleSigned(info, signer.algorithm, await signer.sign(info));
}

describe('certificate signing requests (E2, P16)', () => {
  it('E2 a CSR created for a vault key verifies and carries its subject, key and SANs', async () => {
    const { pki, ctx } = await freshPki();
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const pem = await pki.createCsr(key.id, { subject: { O: 'Clavis', CN: 'svc.example.test' }, sans: { dns: ['svc.example.test'], ip: ['10.1.2.3'] } });
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE REQUEST-----\n/);
    const info = await pki.inspectCsr(pem);
    expect(info.subject).toBe('O=Clavis, CN=svc.example.test');
    expect(info.keyType).toEqual({ kind: 'ec', curve: 'P-256' });
    expect(info.sans.dns).toEqual(['svc.example.test']);
    expect(info.sans.ip).toEqual(['10.1.2.3']);
    expect(info.requestedExtensions).toEqual([OID.subjectAltName]);
    const rsa = await generateKey(ctx, { template: 'RSA-PSS-2048', name: 'r' });
    expect((await pki.inspectCsr(await pki.createCsr(rsa.id, { subject: { CN: 'rsa' } }))).keyType).toEqual({ kind: 'rsa', bits: 2048, pss: false });
  });

  it('E2 a CSR cannot be made for a key that cannot sign', async () => {
    const { pki, ctx } = await freshPki();
    const ecdh = await generateKey(ctx, { template: 'ECDH-P-256', name: 'k' });
    await expectCode(pki.createCsr(ecdh.id, { subject: { CN: 'x' } }), 'UNSUPPORTED');
  });

  it('C6/P16 a CSR with a bad signature (no proof of possession) is refused and nothing is issued', async () => {
    const { pki, ctx, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const der = derOf(await pki.createCsr(key.id, { subject: { CN: 'x.example.test' } }));
    const tampered = der.slice();
    tampered[tampered.length - 5] = tampered[tampered.length - 5]! ^ 0x01;
    await expectCode(pki.inspectCsr(tampered), 'SIGNATURE_INVALID');
    await expectCode(pki.issueFromCsr({ caId: int.ca.id, csr: tampered, profile: 'tls-server' }), 'SIGNATURE_INVALID');
    // A subject changed after signing fails too.
    const pem = await pki.createCsr(key.id, { subject: { CN: 'aaaa' } });
    const swapped = derOf(pem);
    const at = swapped.findIndex((_, i) => swapped[i] === 0x61 && swapped[i + 1] === 0x61 && swapped[i + 2] === 0x61);
    swapped[at] = 0x62;
    await expectCode(pki.inspectCsr(swapped), 'SIGNATURE_INVALID');
    expect(await storage.listCerts(int.ca.id)).toHaveLength(0);
    await expectCode(pki.inspectCsr('-----BEGIN CERTIFICATE REQUEST-----\n!!!\n-----END CERTIFICATE REQUEST-----'), 'MALFORMED_INPUT');
  });

  it('P16/C5 a CSR asking for cA:true, keyCertSign and codeSigning yields a plain TLS leaf without them', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const csr = await handCsr(ctx, key.id, [basicConstraints(true, 5), keyUsage(['keyCertSign', 'cRLSign', 'digitalSignature']), extKeyUsage([OID.codeSigning])]);
    const info = await pki.inspectCsr(toPem(csr, 'CERTIFICATE REQUEST'));
    expect(info.requestedExtensions).toEqual([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage]);
    const r = await pki.issueFromCsr({ caId: int.ca.id, csr, profile: 'tls-server' });
    const p = parseCertificate(derOf(r.pem)).parts;
    const e = (id: string) => p.extensions.find((x) => x.oid === id)!;
    expect(parseBasicConstraints(e(OID.basicConstraints).value).ca).toBe(false);
    expect([...parseKeyUsage(e(OID.keyUsage).value)]).toEqual([0]);
    expect(parseExtKeyUsage(e(OID.extKeyUsage).value)).toEqual([OID.serverAuth]);
    expect(r.cert.source).toBe('csr');
    expect(r.cert.subject).toBe('CN=requested.example.test');
    // The certificate carries the CSR's key.
    const m = await ctx.storage.getKeyMaterial(key.id);
    expect(p.spki).toEqual(new Uint8Array(await ctx.subtle.exportKey('spki', m!.publicKey!)));
    expect((await pki.verifyCertificate(r.cert.id, { usage: 'tls-server', hostname: 'requested.example.test' })).valid).toBe(true);
  });

  it('P16 requested SANs are taken only when allowed, and can be replaced', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const pem = await pki.createCsr(key.id, { subject: { CN: 'Client One' }, sans: { email: ['one@example.test'] } });
    expect((await pki.issueFromCsr({ caId: int.ca.id, csr: pem, profile: 'email' })).cert.sans.email).toEqual(['one@example.test']);
    expect((await pki.issueFromCsr({ caId: int.ca.id, csr: pem, profile: 'tls-client', useRequestedSans: false })).cert.sans.email).toEqual([]);
    expect((await pki.issueFromCsr({ caId: int.ca.id, csr: pem, profile: 'email', sans: { email: ['two@example.test'] } })).cert.sans.email).toEqual(['two@example.test']);
  });
});
