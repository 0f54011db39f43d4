// E1–E4, C1–C8: CAs and issuance through the real pipeline (vault keys, IndexedDB, WebCrypto).
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { fromBase64, toHex } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import { freshPki, hierarchy, T0 } from '../../testing/pki-fixtures';
import { parseSpki } from './algorithms';
import { TAG, children, contentOf, readTop, seq, oid, derNull } from '../internal/der';
import { OID, keyIdentifier } from './extensions';
import { issue, loadIssuer, vaultSubjectKey } from './issue';
import { encodeName } from './names';
import { newSerial, serialProblem } from './serial';
import { encodeTime } from '../internal/time';
import { akiKeyId, parseBasicConstraints, parseCertificate, parseExtKeyUsage, parseKeyUsage, skiValue } from './x509';
import { testCaId } from '../../testing/ids';

const derOf = (pem: string) => fromBase64(pem.replace(/-----[^-]+-----/g, ''));
const ext = (pem: string, id: string) => parseCertificate(derOf(pem)).parts.extensions.find((e) => e.oid === id);
const expectCode = async (p: Promise<unknown>, code: Parameters<typeof isEngineError>[1], msg?: RegExp) => {
  try {
    await p;
    expect.unreachable('should have thrown');
  } catch (e) {
    expect(isEngineError(e, code), String(e)).toBe(true);
    if (msg) expect((e as Error).message).toMatch(msg);
  }
};

describe('serial numbers (C1)', () => {
  it('C1 a serial is 17 bytes, first byte 0x01–0x7F: positive, DER-minimal, 128 random bits, ≤ 20 octets', () => {
    const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    for (let i = 0; i < 2000; i++) {
      const s = newSerial(random);
      expect(s.bytes.length).toBe(17);
      expect(s.bytes[0]).toBeGreaterThanOrEqual(1);
      expect(s.bytes[0]).toBeLessThanOrEqual(0x7f);
      expect(serialProblem(s.bytes)).toBeUndefined();
    }
    // Even an all-zero or all-0xFF random source yields a valid prefix.
    expect(newSerial((n) => new Uint8Array(n)).bytes[0]).toBe(1);
    expect(newSerial((n) => new Uint8Array(n).fill(0xff)).bytes[0]).toBe(0x02);
  });

  it('C1 10,000 reservations for one issuer are unique and a repeated one is refused', async () => {
    const { storage, ctx } = await freshPki();
    const seen = new Set<string>();
    for (let batch = 0; batch < 100; batch++) {
      const serials = Array.from({ length: 100 }, () => newSerial(ctx.random).hex);
      serials.forEach((s) => seen.add(s));
      await Promise.all(serials.map((s) => storage.reserveSerial(testCaId('x'), s, '2026-01-01T00:00:00.000Z')));
    }
    expect(seen.size).toBe(10_000);
    const one = [...seen][1234]!;
    await expectCode(storage.reserveSerial(testCaId('x'), one, '2026-01-01T00:00:00.000Z'), 'STORAGE', /conflicts/);
    // The same serial under another issuer is fine (uniqueness is per issuer).
    await storage.reserveSerial(testCaId('y'), one, '2026-01-01T00:00:00.000Z');
  }, 600_000);

  it('C1 10,000 issuances by one CA carry 10,000 distinct serials, each recorded issued in the store', async () => {
    const { ctx, pki, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const { handle } = await loadIssuer(ctx, int.ca.id);
    // Fresh (non-vault) subject keys: one public key per certificate, as for CSRs.
    const spkis = await Promise.all(
      Array.from({ length: 500 }, async () => {
        const k = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
        return parseSpki(new Uint8Array(await crypto.subtle.exportKey('spki', k.publicKey)));
      }),
    );
    const serials = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const out = await issue(ctx, handle, { profile: 'tls-client', subject: { CN: `c${i}` }, spki: spkis[i % spkis.length]!, keyRole: 'sign', source: 'csr' });
      const serial = parseCertificate(out.cert.der).parts.serial;
      expect(serial.length === 17 && serial[0]! >= 0x01 && serial[0]! <= 0x7f).toBe(true);
      serials.add(out.cert.serialHex);
    }
    expect(serials.size).toBe(10_000);
    const stored = await storage.listCerts(int.ca.id);
    expect(new Set(stored.map((c) => c.serialHex)).size).toBe(10_000);
    for (const s of [...serials].slice(0, 50)) expect((await storage.getSerial(int.ca.id, s))?.state).toBe('issued');
  }, 600_000);

  it('C1/W4 a forced duplicate serial is refused and leaves nothing partial', async () => {
    let forced = false;
    const fixed = Uint8Array.from({ length: 17 }, (_, i) => i + 1);
    const random = (n: number) => (forced && n === 17 ? fixed.slice() : crypto.getRandomValues(new Uint8Array(n)));
    const { ctx, pki, storage } = await freshPki({ random });
    const { int } = await hierarchy(pki);
    const k1 = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'a' });
    const k2 = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'b' });
    forced = true;
    const first = await pki.issueCertificate({ caId: int.ca.id, keyId: k1.id, profile: 'tls-client', subject: { CN: 'first' } });
    const before = await storage.listCerts(int.ca.id);
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: k2.id, profile: 'tls-client', subject: { CN: 'second' } }), 'CERT_INVALID', /serial number collision/);
    const after = await storage.listCerts(int.ca.id);
    expect(after.map((c) => c.id)).toEqual(before.map((c) => c.id));
    expect((await storage.getSerial(int.ca.id, first.cert.serialHex))?.state).toBe('issued');
    expect(await storage.listCertsBySpki((await storage.listCerts(int.ca.id)).find((c) => c.id === first.cert.id)!.spkiSha256)).toHaveLength(1);
  });

  it('C1 the serial is reserved before signing and a failed signing burns it', async () => {
    const { ctx, pki, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const { handle } = await loadIssuer(ctx, int.ca.id);
    const subjectKey = await vaultSubjectKey(ctx, key.id);
    let reservedDuringSign: string | undefined;
    const failing = {
      ...handle,
      signer: {
        ...handle.signer,
        sign: async () => {
          const all = await storage.listCerts(int.ca.id);
          reservedDuringSign = String(all.length);
          throw new Error('hardware fault');
        },
      },
    };
    const serials: string[] = [];
    const random = ctx.random;
    const spy = { ...ctx, random: (n: number) => {
      const r = random(n);
      if (n === 17) serials.push(toHex(newSerial(() => r).bytes));
      return r;
    } };
    await expectCode(issue(spy, failing, { profile: 'tls-client', subject: { CN: 'x' }, spki: subjectKey.spki, keyRole: 'sign', source: 'vault' }), 'CERT_INVALID');
    expect(reservedDuringSign).toBeDefined();
    expect(serials).toHaveLength(1);
    expect((await storage.getSerial(int.ca.id, serials[0]!))?.state).toBe('burned');
    expect(await storage.getCertByIssuerSerial(int.ca.id, serials[0]!)).toBeUndefined();
  });

  it('C7 a lint refusal happens before signing, names the rule, and burns the serial', async () => {
    const { ctx, pki, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const { handle } = await loadIssuer(ctx, int.ca.id);
    let signed = false;
    const sha1 = seq(oid('1.2.840.113549.1.1.5'), derNull());
    const bad = { ...handle, signer: { ...handle.signer, algorithm: sha1, sign: async () => ((signed = true), new Uint8Array(8)) } };
    const sk = await vaultSubjectKey(ctx, key.id);
    await expectCode(issue(ctx, bad, { profile: 'tls-client', subject: { CN: 'x' }, spki: sk.spki, keyRole: 'sign', source: 'vault' }), 'CERT_INVALID', /^pki: lint e_signature_algorithm_not_allowed: /);
    expect(signed).toBe(false);
    expect(await storage.listCerts(int.ca.id)).toHaveLength(0);
  });
});

describe('certificate authorities (E1, C2–C5)', () => {
  it('E1 a CA may use all 200 characters of a name; its key gets a clipped name ending in " (CA key)" (issue 16)', async () => {
    const { pki, storage } = await freshPki();
    const name = 'Certificate.authority.'.repeat(10).slice(0, 200);
    const root = await pki.createRootCa({ name, subject: { CN: 'Long-named root' } });
    expect(root.ca.name).toBe(name);
    const key = (await storage.getKeyInfo(root.ca.keyId))!;
    expect([...key.name].length).toBeLessThanOrEqual(200);
    expect(key.name).toMatch(/^Certificate\.authority\..*… \(CA key\)$/);
  });

  it('C5 a root is self-signed v3 with critical cA and keyCertSign+cRLSign, SKI (method 1) = AKI, SHA-256', async () => {
    const { pki, ctx } = await freshPki();
    const root = await pki.createRootCa({ name: 'Root', subject: { C: 'DE', O: 'Clavis', CN: 'Root' }, pathLen: 2 });
    const c = parseCertificate(derOf(root.pem));
    expect(c.parts.version).toBe(2);
    expect(c.parts.issuer).toEqual(c.parts.subject);
    expect(c.signatureAlgorithm).toEqual(c.parts.signatureAlgorithm);
    expect(toHex(contentOf(children(readTop(c.signatureAlgorithm))[0]!))).toBe(toHex(contentOf(readTop(oid('1.2.840.10045.4.3.2')))));
    const bc = ext(root.pem, OID.basicConstraints)!;
    expect(bc.critical).toBe(true);
    expect(parseBasicConstraints(bc.value)).toMatchObject({ ca: true, pathLen: 2 });
    const ku = ext(root.pem, OID.keyUsage)!;
    expect(ku.critical).toBe(true);
    expect([...parseKeyUsage(ku.value)].sort()).toEqual([5, 6]);
    const ski = skiValue(ext(root.pem, OID.subjectKeyIdentifier)!.value);
    expect(toHex(ski)).toBe(toHex(await keyIdentifier(ctx.subtle, parseSpki(c.parts.spki).subjectPublicKey)));
    expect(toHex(akiKeyId(ext(root.pem, OID.authorityKeyIdentifier)!.value)!)).toBe(toHex(ski));
    expect(root.ca.ski).toBe(toHex(ski));
    expect(root.cert.caId).toBe(root.ca.id);
  });

  it('E1 CA keys are non-extractable vault keys', async () => {
    const { pki, ctx } = await freshPki();
    const { root, int } = await hierarchy(pki);
    for (const ca of [root.ca, int.ca]) {
      const m = await ctx.storage.getKeyMaterial(ca.keyId);
      expect(m?.privateKey?.extractable).toBe(false);
      await expect(ctx.subtle.exportKey('pkcs8', m!.privateKey!)).rejects.toBeDefined();
    }
  });

  it('C4 a P-384 CA signs with ecdsa-with-SHA384 and an RSA CA with sha256WithRSAEncryption', async () => {
    const { pki } = await freshPki();
    const p384 = await pki.createRootCa({ name: 'P384', subject: { CN: 'P384 Root' }, keyTemplate: 'ECDSA-P-384' });
    expect(toHex(parseCertificate(derOf(p384.pem)).signatureAlgorithm)).toBe(toHex(seq(oid('1.2.840.10045.4.3.3'))));
    const rsa = await pki.createRootCa({ name: 'RSA', subject: { CN: 'RSA Root' }, keyTemplate: 'RSASSA-PKCS1-v1_5-2048' });
    expect(toHex(parseCertificate(derOf(rsa.pem)).signatureAlgorithm)).toBe(toHex(seq(oid('1.2.840.113549.1.1.11'), derNull())));
  });

  it('E3 an intermediate chains to its root: issuer byte-equal to the root subject, AKI = root SKI, name constraints critical', async () => {
    const { pki } = await freshPki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' } });
    const int = await pki.createIntermediateCa({
      name: 'Int',
      parentId: root.ca.id,
      subject: { CN: 'Int' },
      pathLen: 0,
      nameConstraints: { permitted: { dns: ['example.test'], ip: ['10.0.0.0/8'], email: ['.example.test'], uri: ['.example.test'] }, excluded: { dns: ['bad.example.test'] } },
    });
    const r = parseCertificate(derOf(root.pem)).parts;
    const i = parseCertificate(derOf(int.pem)).parts;
    expect(i.issuer).toEqual(r.subject);
    expect(toHex(akiKeyId(ext(int.pem, OID.authorityKeyIdentifier)!.value)!)).toBe(root.ca.ski);
    expect(ext(int.pem, OID.nameConstraints)?.critical).toBe(true);
    expect(int.ca.parentId).toBe(root.ca.id);
    expect(int.ca.pathLen).toBe(0);
    const v = await pki.verifyCertificate(int.cert.id);
    expect(v.valid, JSON.stringify(v.steps)).toBe(true);
  });

  it('E3 a CA with pathLen 0 cannot create an intermediate; a child pathLen is capped below the parent', async () => {
    const { pki } = await freshPki();
    const { root, int } = await hierarchy(pki);
    await expectCode(pki.createIntermediateCa({ name: 'Too deep', parentId: int.ca.id, subject: { CN: 'Too deep' } }), 'INVALID_ARGUMENT', /pathLen 0/);
    const sibling = await pki.createIntermediateCa({ name: 'Sib', parentId: root.ca.id, subject: { CN: 'Sib' }, pathLen: 5 });
    expect(sibling.ca.pathLen).toBe(0);
    expect(parseBasicConstraints(ext(sibling.pem, OID.basicConstraints)!.value).pathLen).toBe(0);
  });

  it('E1 a failed CA creation removes the CA key it generated', async () => {
    const { pki, ctx } = await freshPki();
    const before = (await ctx.storage.listKeyInfos()).length;
    await expectCode(pki.createRootCa({ name: 'Bad', subject: { CN: 'Bad' }, validityDays: 100_000 }), 'INVALID_ARGUMENT');
    expect((await ctx.storage.listKeyInfos()).length).toBe(before);
    expect(await pki.listCas()).toHaveLength(0);
  });
});

describe('leaf profiles (E3, C3, C5, C6)', () => {
  it('C5 an ECDSA TLS server leaf: cA absent, digitalSignature only, serverAuth, SAN, AKI = issuer SKI, CRL DP and AIA', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'web' });
    const r = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'www.example.test' }, sans: { dns: ['api.example.test'], ip: ['192.0.2.7', '2001:db8::1'] } });
    const bc = ext(r.pem, OID.basicConstraints)!;
    expect(bc.critical).toBe(true);
    expect(parseBasicConstraints(bc.value)).toEqual({ ca: false, explicitFalse: false });
    expect([...parseKeyUsage(ext(r.pem, OID.keyUsage)!.value)]).toEqual([0]);
    expect(parseExtKeyUsage(ext(r.pem, OID.extKeyUsage)!.value)).toEqual([OID.serverAuth]);
    expect(toHex(akiKeyId(ext(r.pem, OID.authorityKeyIdentifier)!.value)!)).toBe(int.ca.ski);
    expect(r.cert.sans.dns).toEqual(['www.example.test', 'api.example.test']);
    expect(r.cert.sans.ip).toEqual(['192.0.2.7', '2001:db8::1']);
    expect(ext(r.pem, OID.cRLDistributionPoints)).toBeDefined();
    expect(ext(r.pem, OID.authorityInfoAccess)).toBeDefined();
    expect(r.cert.keyId).toBe(key.id);
    expect(r.cert.status).toBe('valid');
  });

  it('C5 an RSA TLS server leaf gets digitalSignature + keyEncipherment; an RSA-OAEP key gets keyEncipherment only', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const rsa = await generateKey(ctx, { template: 'RSASSA-PKCS1-v1_5-2048', name: 'rsa' });
    const r = await pki.issueCertificate({ caId: int.ca.id, keyId: rsa.id, profile: 'tls-server', subject: { CN: 'rsa.example.test' } });
    expect([...parseKeyUsage(ext(r.pem, OID.keyUsage)!.value)].sort()).toEqual([0, 2]);
    const oaep = await generateKey(ctx, { template: 'RSA-OAEP-2048', name: 'oaep' });
    const e = await pki.issueCertificate({ caId: int.ca.id, keyId: oaep.id, profile: 'email', subject: { CN: 'Alice' }, sans: { email: ['alice@example.test'] } });
    expect([...parseKeyUsage(ext(e.pem, OID.keyUsage)!.value)]).toEqual([2]);
    expect(parseExtKeyUsage(ext(e.pem, OID.extKeyUsage)!.value)).toEqual([OID.emailProtection]);
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: oaep.id, profile: 'code-signing', subject: { CN: 'x' } }), 'INVALID_ARGUMENT');
  });

  it('E3 tls-client, code-signing and email profiles carry their EKU', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-384', name: 'k' });
    for (const [profile, eku] of [['tls-client', OID.clientAuth], ['code-signing', OID.codeSigning], ['email', OID.emailProtection]] as const) {
      const r = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile, subject: { CN: `p ${profile}` }, sans: { email: ['p@example.test'], uri: ['https://example.test/p'] } });
      expect(parseExtKeyUsage(ext(r.pem, OID.extKeyUsage)!.value)).toEqual([eku]);
    }
  });

  it('M5 an Ed25519 key cannot be certified (UNSUPPORTED), nor a secret key', async () => {
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    if (await ctx.supports('Ed25519')) {
      const ed = await generateKey(ctx, { template: 'Ed25519', name: 'ed' });
      await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: ed.id, profile: 'tls-client', subject: { CN: 'ed' } }), 'UNSUPPORTED');
    } else {
      await expectCode(generateKey(ctx, { template: 'Ed25519', name: 'ed' }), 'UNSUPPORTED');
    }
    const aes = await generateKey(ctx, { template: 'AES-GCM-256', name: 'aes' });
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: aes.id, profile: 'tls-client', subject: { CN: 'aes' } }), 'KEY_STATE');
  });

  it('C3 notBefore is backdated one hour, times are whole seconds, TLS server validity defaults to 397 days and is capped at 398', async () => {
    const { pki, ctx, clock } = await freshPki();
    clock.set(T0 + 789); // milliseconds must never reach the certificate
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const r = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'a.example.test' } });
    expect(Date.parse(r.cert.notBefore)).toBe(T0 - 3_600_000);
    expect(Date.parse(r.cert.notAfter)).toBe(T0 + 397 * 86_400_000);
    const p = parseCertificate(derOf(r.pem)).parts;
    expect(p.notBefore.text).toBe('260115110000Z');
    expect(p.notBefore.tag).toBe(TAG.UTC_TIME);
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'b.example.test' }, validityDays: 399 }), 'INVALID_ARGUMENT', /398/);
  });

  it('C3 a leaf never outlives its issuer: notAfter is truncated and the result says so', async () => {
    const { pki, ctx } = await freshPki();
    const root = await pki.createRootCa({ name: 'R', subject: { CN: 'R' } });
    const int = await pki.createIntermediateCa({ name: 'I', parentId: root.ca.id, subject: { CN: 'I' }, validityDays: 30 });
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const r = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'c' } });
    expect(r.truncated).toBe(true);
    expect(r.cert.notAfter).toBe(int.ca.notAfter);
    const v = await pki.verifyCertificate(r.cert.id, { usage: 'tls-client' });
    expect(v.steps.find((s) => s.name === 'validity-nesting')?.ok).toBe(true);
  });

  it('C3 UTCTime through 2049-12-31T23:59:59Z, GeneralizedTime from 2050-01-01T00:00:00Z, in issued certificates too', async () => {
    expect(encodeTime(new Date('2049-12-31T23:59:59.999Z'))).toEqual(Uint8Array.from([0x17, 13, ...new TextEncoder().encode('491231235959Z')]));
    expect(encodeTime(new Date('2050-01-01T00:00:00Z'))).toEqual(Uint8Array.from([0x18, 15, ...new TextEncoder().encode('20500101000000Z')]));
    const { pki } = await freshPki({ now: Date.UTC(2049, 11, 31, 23, 59, 59) - 3 * 86_400_000 });
    const root = await pki.createRootCa({ name: 'Y2050', subject: { CN: 'Y2050' }, notAfter: new Date('2050-01-01T00:00:00.700Z') });
    const p = parseCertificate(derOf(root.pem)).parts;
    expect(p.notBefore.tag).toBe(TAG.UTC_TIME);
    expect(p.notAfter.tag).toBe(TAG.GENERALIZED_TIME);
    expect(p.notAfter.text).toBe('20500101000000Z');
    const root2 = await pki.createRootCa({ name: 'Y2049', subject: { CN: 'Y2049' }, notAfter: new Date('2049-12-31T23:59:59Z') });
    const p2 = parseCertificate(derOf(root2.pem)).parts;
    expect(p2.notAfter.tag).toBe(TAG.UTC_TIME);
    expect(p2.notAfter.text).toBe('491231235959Z');
  });

  it('M4 subjects are single-attribute RDNs in C, ST, L, O, OU, CN order with UTF8/PrintableString', async () => {
    const der = encodeName({ CN: 'Zoë', O: 'Clavis', C: 'DE', OU: 'Dev', L: 'Köln', ST: 'NRW' });
    const rdns = children(readTop(der));
    expect(rdns).toHaveLength(6);
    for (const rdn of rdns) expect(children(rdn)).toHaveLength(1);
    const tags = rdns.map((r) => children(children(r)[0]!)[1]!.tag);
    expect(tags).toEqual([TAG.PRINTABLE_STRING, TAG.UTF8_STRING, TAG.UTF8_STRING, TAG.UTF8_STRING, TAG.UTF8_STRING, TAG.UTF8_STRING]);
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const r = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'Zoë', O: 'Clavis', C: 'DE' } });
    expect(r.cert.subject).toBe('C=DE, O=Clavis, CN=Zoë');
    for (const rdn of children(readTop(parseCertificate(derOf(r.pem)).parts.subject))) expect(children(rdn)).toHaveLength(1);
  });

  it('C8 subjects with control characters, NUL, bidi overrides or a CN over 64 characters are refused', async () => {
    for (const bad of [{ CN: 'a\u0000b' }, { CN: 'x\u202Egpj.exe' }, { CN: 'tab\there' }, { CN: 'c'.repeat(65) }, { CN: 'ok', C: 'Germany' }, { CN: ' padded' }]) {
      expect(() => encodeName(bad), JSON.stringify(bad)).toThrow(/pki: the subject/);
    }
    expect(() => encodeName({ CN: 'c'.repeat(64) })).not.toThrow();
    const { pki, ctx } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'evil\u202Etxt.exe' } }), 'INVALID_ARGUMENT');
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'x' }, sans: { dns: ['bad_host!.test'] } }), 'INVALID_ARGUMENT');
  });

  it('C6 a key revoked for keyCompromise can never be certified again; a CA key cannot get a leaf', async () => {
    const { pki, ctx } = await freshPki();
    const { root, int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const a = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    // Renewal for the same key is allowed while it is good.
    await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a2' } });
    await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    await expectCode(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a3' } }), 'KEY_STATE', /compromised and can never be certified again/);
    await expectCode(pki.issueCertificate({ caId: root.ca.id, keyId: int.ca.keyId, profile: 'tls-client', subject: { CN: 'ca key' } }), 'INVALID_ARGUMENT', /CA key/);
  });

  it('P14 the stored DER is exported unchanged, as DER and as PEM', async () => {
    const { pki, ctx, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'k' });
    const r = await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'a' } });
    const rec = await storage.getCert(r.cert.id);
    expect(await pki.exportCertificate(r.cert.id, 'der')).toEqual(rec!.der);
    expect(await pki.exportCertificate(r.cert.id, 'pem')).toBe(r.pem);
    expect(derOf(r.pem)).toEqual(rec!.der);
    const chain = await pki.exportChain(r.cert.id);
    expect(chain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(JSON.stringify(r.cert)).not.toMatch(/"der"/);
  });
});
