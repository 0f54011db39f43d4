import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { itEachTemplate, itWith } from '../../testing/platform';
import {
  OPENSSL_ED25519_FINGERPRINT,
  OPENSSL_ED25519_PKCS8,
  OPENSSL_P256_ENCRYPTED_PKCS8,
  OPENSSL_P256_FINGERPRINT,
  OPENSSL_P256_PASSPHRASE,
  OPENSSL_RSA1024_SPKI,
  OPENSSL_SEC1_EC_PRIVATE_KEY,
  OPENSSL_SECP256K1_SPKI,
} from '../../testing/fixtures/openssl-keys';
import { isEngineError, TEMPLATES, TEMPLATE_NAMES, type KeyInfo, type ProtectedExportOptions, type TemplateName } from '..';
import { fromBase64, toBase64Url, toHex, utf8 } from '../internal/bytes';
import type { ClavisStorage } from '../storage/db';
import { encodeBitString, encodeNull, encodeOid, encodeSequence, encodeUnsignedInteger } from './der';
import { encodePem } from './pem';
import { parseEncryptedPrivateKeyInfo, PBKDF2_ITERATIONS } from './pkcs8-encrypted';
import { KEY_OID } from './transfer';
import { testKeyId } from '../../testing/ids';

// RSA 3072/4096 generation is slow; their size mapping is covered with a 3072-bit key once.
const FAST: TemplateName[] = TEMPLATE_NAMES.filter((n) => !/RSA.*-(3072|4096)$/.test(n));
const KEY_PAIRS = FAST.filter((n) => TEMPLATES.get(n)!.kind === 'key-pair');
const SECRETS = FAST.filter((n) => TEMPLATES.get(n)!.kind === 'secret' && n !== 'FERNET');
const PASS = 'export-passphrase-for-tests';
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'priv', 'oth'];

async function sha256Hex(b: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', b));
}

/** Proves the stored private and public halves belong together by using them. */
async function assertPairWorks(storage: ClavisStorage, id: string, template: TemplateName): Promise<void> {
  const m = (await storage.getKeyMaterial(id))!;
  const t = TEMPLATES.get(template)!;
  const s = crypto.subtle;
  const data = utf8('pairwise check');
  switch (t.family) {
    case 'rsa-oaep': {
      const ct = await s.encrypt({ name: 'RSA-OAEP' }, m.publicKey!, data);
      expect(new Uint8Array(await s.decrypt({ name: 'RSA-OAEP' }, m.privateKey!, ct))).toEqual(data);
      return;
    }
    case 'ecdh':
    case 'x25519': {
      const alg = t.algorithm as EcKeyGenParams;
      const peer = (await s.generateKey(alg, false, ['deriveBits'])) as CryptoKeyPair;
      const bits = t.family === 'ecdh' ? ({ 'P-256': 256, 'P-384': 384, 'P-521': 528 } as Record<string, number>)[alg.namedCurve]! : 256;
      const a = await s.deriveBits({ name: alg.name, public: peer.publicKey } as EcdhKeyDeriveParams, m.privateKey!, bits);
      const b = await s.deriveBits({ name: alg.name, public: m.publicKey! } as EcdhKeyDeriveParams, peer.privateKey, bits);
      expect(toHex(a)).toBe(toHex(b));
      return;
    }
    case 'ml-kem': {
      const kem = s as unknown as {
        encapsulateBits(a: AlgorithmIdentifier, k: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
        decapsulateBits(a: AlgorithmIdentifier, k: CryptoKey, c: ArrayBuffer): Promise<ArrayBuffer>;
      };
      const { sharedKey, ciphertext } = await kem.encapsulateBits({ name: 'ML-KEM-768' }, m.publicKey!);
      expect(toHex(await kem.decapsulateBits({ name: 'ML-KEM-768' }, m.privateKey!, ciphertext))).toBe(toHex(sharedKey));
      return;
    }
    default: {
      const alg =
        t.family === 'ecdsa'
          ? { name: 'ECDSA', hash: template.endsWith('256') ? 'SHA-256' : template.endsWith('384') ? 'SHA-384' : 'SHA-512' }
          : t.family === 'rsa-pss'
            ? { name: 'RSA-PSS', saltLength: 32 }
            : { name: (t.algorithm as Algorithm).name };
      const sig = await s.sign(alg, m.privateKey!, data);
      expect(await s.verify(alg, m.publicKey!, sig, data)).toBe(true);
    }
  }
}

/** Runs `f`, expects an EngineError with `code`, returns it (so messages can be checked). */
async function failure(f: () => Promise<unknown> | unknown, code: string): Promise<Error> {
  let err: unknown;
  try {
    await f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a failure').toBeDefined();
  expect(isEngineError(err), `expected an EngineError, got ${String(err)}`).toBe(true);
  expect(err).toMatchObject({ code });
  return err as Error;
}

describe('transfer: public key export (A5)', () => {
  itEachTemplate(KEY_PAIRS, '%s: exports SPKI PEM, DER and a public JWK that import back with the same fingerprint', async (name) => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: name, name: 'k' });

    const der = await engine.exportPublicKeyDer(key.id);
    expect(der).toBeInstanceOf(Uint8Array);
    expect(await sha256Hex(new Uint8Array(der))).toBe(key.fingerprint.value);

    const pem = await engine.exportPublicKey(key.id, 'pem');
    expect(pem.startsWith('-----BEGIN PUBLIC KEY-----\n')).toBe(true);
    expect(pem.endsWith('\n-----END PUBLIC KEY-----\n')).toBe(true);
    const body = pem.split('\n').slice(1, -2);
    expect(body.slice(0, -1).every((l) => l.length === 64)).toBe(true);
    expect(body.at(-1)!.length).toBeLessThanOrEqual(64);
    expect(fromBase64(body.join(''))).toEqual(der);

    const jwkText = await engine.exportPublicKey(key.id, 'jwk');
    const jwk = JSON.parse(jwkText) as Record<string, unknown>;
    for (const m of PRIVATE_JWK_MEMBERS) expect(jwk[m], `public JWK member ${m}`).toBeUndefined();

    expect(await engine.sniffKeyFormat(pem)).toBe('pem-spki');
    expect(await engine.sniffKeyFormat(der)).toBe('der-spki');
    expect(await engine.sniffKeyFormat(jwkText)).toBe('jwk');
    for (const data of [pem, der, jwkText]) {
      const imported = await engine.importKey({ data, name: 'pub', template: name });
      expect(imported).toMatchObject({ kind: 'public', template: name, extractable: false, origin: 'imported', fingerprint: key.fingerprint });
      expect(imported.operations.every((op) => ['encrypt', 'verify', 'wrap', 'encapsulate'].includes(op))).toBe(true);
    }
  });

  it('re-exports an imported public key as byte-identical PEM', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-384', name: 'k' });
    const pem = await engine.exportPublicKey(key.id, 'pem');
    const pub = await engine.importKey({ data: pem, name: 'pub' });
    expect(pub.template).toBe('ECDSA-P-384');
    expect(await engine.exportPublicKey(pub.id, 'pem')).toBe(pem);
  });

  it('refuses to export a public half of a symmetric key', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const e = await failure(() => engine.exportPublicKey(key.id, 'pem'), 'INVALID_ARGUMENT');
    expect(e.message).toBe('keys: a symmetric key has no public half');
    await failure(() => engine.exportPublicKey(key.id, 'xml' as 'pem'), 'INVALID_ARGUMENT');
    await failure(() => engine.exportPublicKey(testKeyId('missing'), 'pem'), 'KEY_NOT_FOUND');
  });
});

describe('transfer: private key export and import round trips (A5)', () => {
  itEachTemplate(KEY_PAIRS, '%s: JWK and encrypted PKCS#8 exports import back as the same non-extractable key pair', async (name) => {
    const { engine, storage } = await freshEngine();
    const key = await engine.generateKey({ template: name, name: 'k', exportable: true });
    expect(key.extractable).toBe(true);

    const jwkText = await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk');
    const jwk = JSON.parse(jwkText) as Record<string, unknown>;
    expect(jwk.d ?? jwk.priv).toBeTypeOf('string');
    const pem = await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS });
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END ENCRYPTED PRIVATE KEY-----\n$/);
    expect(await engine.sniffKeyFormat(pem)).toBe('pem-encrypted-pkcs8');
    expect(await engine.sniffKeyFormat(jwkText)).toBe('jwk');

    for (const [data, passphrase] of [
      [jwkText, undefined],
      [pem, PASS],
    ] as const) {
      const imported = await engine.importKey({ data, passphrase, name: 'back', template: name });
      expect(imported).toMatchObject({ kind: 'key-pair', template: name, extractable: false, origin: 'imported', fingerprint: key.fingerprint });
      const m = (await storage.getKeyMaterial(imported.id))!;
      expect(m.privateKey!.extractable).toBe(false);
      await expect(crypto.subtle.exportKey('pkcs8', m.privateKey!)).rejects.toBeDefined();
      await assertPairWorks(storage, imported.id, name);
      await failure(() => engine.dangerouslyExportUnprotectedKey(imported.id, 'jwk'), 'NOT_EXTRACTABLE');
    }
  });

  it('keeps an imported private key exportable when asked, and the re-export matches', async () => {
    const { engine, storage } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k', exportable: true });
    const pem = await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS });
    const imported = await engine.importKey({ data: pem, passphrase: PASS, name: 'again', exportable: true });
    expect(imported.extractable).toBe(true);
    expect(imported.extractableReason).toMatch(/exportable/);
    expect((await storage.getKeyMaterial(imported.id))!.privateKey!.extractable).toBe(true);
    const a = JSON.parse(await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk')) as JsonWebKey;
    const b = JSON.parse(await engine.dangerouslyExportUnprotectedKey(imported.id, 'jwk')) as JsonWebKey;
    expect(b.d).toBe(a.d);
  });

  it('K7 writes every encrypted export with PBKDF2-HMAC-SHA-256 at the iteration constant and a fresh salt', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'Ed25519', name: 'k', exportable: true }).catch(() => engine.generateKey({ template: 'ECDSA-P-256', name: 'k', exportable: true }));
    const der = (pem: string) => fromBase64(pem.split('\n').slice(1, -2).join(''));
    const a = parseEncryptedPrivateKeyInfo(der(await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS })));
    const b = parseEncryptedPrivateKeyInfo(der(await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS })));
    expect(a).toMatchObject({ iterations: PBKDF2_ITERATIONS, hash: 'SHA-256', keyBits: 256 });
    expect(a.iterations).toBeGreaterThanOrEqual(600_000);
    expect(toHex(a.salt)).not.toBe(toHex(b.salt));
  });

  it('maps a 3072-bit RSA key to the 3072 template of the requested scheme', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'RSA-PSS-3072', name: 'k', exportable: true });
    const jwk = await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk');
    expect((await engine.importKey({ data: jwk, name: 'alg says PS256' })).template).toBe('RSA-PSS-3072');
    const pub = await engine.exportPublicKeyDer(key.id);
    // Without a template or a JWK alg, an RSA key is refused with the choices, not guessed.
    const before = (await engine.listKeys()).length;
    await expect(engine.importKey({ data: pub, name: 'default' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/fits several templates: choose RSA-OAEP-3072 .* RSA-PSS-3072 or RSASSA-PKCS1-v1_5-3072/),
    });
    expect((await engine.listKeys()).length).toBe(before);
    expect((await engine.importKey({ data: pub, name: 'oaep', template: 'RSA-OAEP-2048' })).template).toBe('RSA-OAEP-3072');
    // The template chooses the scheme; the size always comes from the key.
    expect((await engine.importKey({ data: pub, name: 'pkcs1', template: 'RSASSA-PKCS1-v1_5-2048' })).template).toBe('RSASSA-PKCS1-v1_5-3072');
  });
});

describe('transfer: symmetric keys (A5)', () => {
  itEachTemplate(SECRETS, '%s: raw and JWK exports import back with the same KCV', async (name) => {
    const { engine, storage } = await freshEngine();
    const want = name === 'AES-GCM-128' ? 16 : 32;
    const key = await engine.generateKey({ template: name, name: 'k', exportable: true });
    const raw = await engine.dangerouslyExportRawSecret(key.id);
    expect(raw).toHaveLength(want);
    expect(await engine.sniffKeyFormat(raw)).toBe('raw');
    const fromRaw = await engine.importKey({ data: raw, name: 'raw', template: name });
    expect(fromRaw).toMatchObject({ kind: 'secret', template: name, fingerprint: key.fingerprint, extractable: false });
    expect((await storage.getKeyMaterial(fromRaw.id))!.secret!.extractable).toBe(false);

    const jwk = await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk');
    expect(JSON.parse(jwk)).toMatchObject({ kty: 'oct' });
    // The JWK's "alg" names the template, so none is needed.
    const fromJwk = await engine.importKey({ data: jwk, name: 'jwk' });
    expect(fromJwk).toMatchObject({ template: name, fingerprint: key.fingerprint });

    const hex = await engine.importKey({ data: toHex(raw), name: 'hex', template: name });
    expect(hex.fingerprint).toEqual(key.fingerprint);
  });

  it('defaults raw bytes to AES-GCM-256 (32 bytes) and AES-GCM-128 (16 bytes)', async () => {
    const { engine } = await freshEngine();
    expect((await engine.importKey({ data: crypto.getRandomValues(new Uint8Array(32)), name: 'a' })).template).toBe('AES-GCM-256');
    expect((await engine.importKey({ data: crypto.getRandomValues(new Uint8Array(16)), name: 'b' })).template).toBe('AES-GCM-128');
    // One random key in 256 starts with 0x30 (a DER SEQUENCE tag): still raw.
    const seqLike = crypto.getRandomValues(new Uint8Array(32));
    seqLike[0] = 0x30;
    expect(await engine.sniffKeyFormat(seqLike)).toBe('raw');
  });

  it('FERNET: exports the key string Python prints, which imports back (always extractable)', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'FERNET', name: 'f' });
    const s = await engine.dangerouslyExportUnprotectedKey(key.id, 'fernet');
    expect(s).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(await engine.sniffKeyFormat(s)).toBe('fernet');
    const back = await engine.importKey({ data: s, name: 'f2' });
    expect(back).toMatchObject({ template: 'FERNET', kind: 'secret', extractable: true, fingerprint: key.fingerprint });
    const raw = await engine.dangerouslyExportRawSecret(key.id);
    expect(`${toBase64Url(raw)}=`).toBe(s);
    expect((await engine.importKey({ data: raw, name: 'f3', template: 'FERNET' })).fingerprint).toEqual(key.fingerprint);
    expect(await engine.dangerouslyExportUnprotectedKey(back.id, 'fernet')).toBe(s);
    await failure(() => engine.dangerouslyExportUnprotectedKey(key.id, 'jwk'), 'INVALID_ARGUMENT');
    await failure(() => engine.importKey({ data: s, name: 'x', template: 'AES-GCM-256' }), 'INVALID_ARGUMENT');
  });

  it('imports a Fernet key written by Python (fixed vector) as the same key every time', async () => {
    const { engine } = await freshEngine();
    // base64.urlsafe_b64encode(bytes(range(32))) — the format of Fernet.generate_key().
    const s = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    const a = await engine.importKey({ data: s, name: 'a' });
    const b = await engine.importKey({ data: utf8(`${s}\n`), name: 'b' });
    expect(a.fingerprint).toEqual(b.fingerprint);
    expect(await engine.dangerouslyExportRawSecret(a.id)).toEqual(Uint8Array.from({ length: 32 }, (_, i) => i));
  });
});

describe('transfer: format sniffing', () => {
  it('names every format, including text files handed over as bytes', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k', exportable: true });
    const pem = await engine.exportPublicKey(key.id, 'pem');
    const enc = await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS });
    const pkcs8 = encodePem('PRIVATE KEY', fromBase64(OPENSSL_ED25519_PKCS8.split('\n').slice(1, -2).join('')));
    const derOf = (p: string) => fromBase64(p.trim().split('\n').slice(1, -1).join(''));
    expect(await engine.sniffKeyFormat(pem)).toBe('pem-spki');
    expect(await engine.sniffKeyFormat(utf8(pem))).toBe('pem-spki');
    expect(await engine.sniffKeyFormat(`Public key of the release signer:\r\n${pem.replace(/\n/g, '\r\n')}`)).toBe('pem-spki');
    expect(await engine.sniffKeyFormat(pkcs8)).toBe('pem-pkcs8');
    expect(await engine.sniffKeyFormat(enc)).toBe('pem-encrypted-pkcs8');
    expect(await engine.sniffKeyFormat(derOf(pem))).toBe('der-spki');
    expect(await engine.sniffKeyFormat(derOf(pkcs8))).toBe('der-pkcs8');
    expect(await engine.sniffKeyFormat(derOf(enc))).toBe('der-encrypted-pkcs8');
    expect(await engine.sniffKeyFormat('  {"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA"}  ')).toBe('jwk');
    expect(await engine.sniffKeyFormat(utf8('{"kty":"EC"}'))).toBe('jwk');
    expect(await engine.sniffKeyFormat('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=')).toBe('fernet');
    expect(await engine.sniffKeyFormat('00112233445566778899aabbccddeeff')).toBe('raw');
    expect(await engine.sniffKeyFormat(new Uint8Array(16))).toBe('raw');
  });

  it('imports encrypted DER (not only PEM) with its passphrase', async () => {
    const { engine } = await freshEngine();
    const der = fromBase64(OPENSSL_P256_ENCRYPTED_PKCS8.trim().split('\n').slice(1, -1).join(''));
    const k = await engine.importKey({ data: der, passphrase: OPENSSL_P256_PASSPHRASE, name: 'der' });
    expect(k.fingerprint.value).toBe(OPENSSL_P256_FINGERPRINT);
  });
});

describe('transfer: keys made by openssl (fixtures)', () => {
  it('imports an openssl encrypted PKCS#8 (PBES2, AES-256-CBC, hmacWithSHA256) with the fingerprint openssl computes', async () => {
    const { engine, storage } = await freshEngine();
    const k = await engine.importKey({ data: OPENSSL_P256_ENCRYPTED_PKCS8, passphrase: OPENSSL_P256_PASSPHRASE, name: 'openssl' });
    expect(k).toMatchObject({ template: 'ECDSA-P-256', kind: 'key-pair', extractable: false, fingerprint: { kind: 'spki-sha256', value: OPENSSL_P256_FINGERPRINT } });
    await assertPairWorks(storage, k.id, 'ECDSA-P-256');
  });

  itWith(['Ed25519'], 'imports an openssl Ed25519 PKCS#8', async () => {
    const { engine, storage } = await freshEngine();
    const k = await engine.importKey({ data: OPENSSL_ED25519_PKCS8, name: 'ed' });
    expect(k).toMatchObject({ template: 'Ed25519', fingerprint: { value: OPENSSL_ED25519_FINGERPRINT } });
    await assertPairWorks(storage, k.id, 'Ed25519');
  });

  it('imports an EC private key as ECDH when the template says so', async () => {
    const { engine, storage } = await freshEngine();
    const k = await engine.importKey({ data: OPENSSL_P256_ENCRYPTED_PKCS8, passphrase: OPENSSL_P256_PASSPHRASE, name: 'dh', template: 'ECDH-P-256' });
    expect(k).toMatchObject({ template: 'ECDH-P-256', operations: ['derive'], fingerprint: { value: OPENSSL_P256_FINGERPRINT } });
    await assertPairWorks(storage, k.id, 'ECDH-P-256');
  });
});

describe('transfer: every malformed input has its own error', () => {
  const spkiPem = (der: Uint8Array) => encodePem('PUBLIC KEY', der);
  const ecSpki = (curveOid: string) => encodeSequence(encodeSequence(encodeOid(KEY_OID.ecPublicKey), encodeOid(curveOid)), encodeBitString(new Uint8Array(65).fill(4)));

  it('PEM whose body is not base64', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: '-----BEGIN PUBLIC KEY-----\nMFkw!!!!\n-----END PUBLIC KEY-----\n', name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toBe('pem: the PUBLIC KEY block is not valid base64 (stray characters or wrong padding)');
  });

  it('PEM with no END line (cut off)', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const pem = await engine.exportPublicKey(key.id, 'pem');
    const e = await failure(() => engine.importKey({ data: pem.slice(0, pem.indexOf('-----END')), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toMatch(/^pem: the BEGIN PUBLIC KEY line has no matching END PUBLIC KEY line/);
  });

  it('PEM closed by another label', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.sniffKeyFormat('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----'), 'MALFORMED_INPUT');
    expect(e.message).toBe('pem: BEGIN PUBLIC KEY is closed by END PRIVATE KEY');
  });

  it('PEM holding two keys', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.sniffKeyFormat(OPENSSL_SECP256K1_SPKI + OPENSSL_RSA1024_SPKI), 'MALFORMED_INPUT');
    expect(e.message).toMatch(/more than one PEM block/);
  });

  it('a PUBLIC KEY label around PKCS#8 bytes', async () => {
    const { engine } = await freshEngine();
    const pkcs8 = fromBase64(OPENSSL_ED25519_PKCS8.trim().split('\n').slice(1, -1).join(''));
    const e = await failure(() => engine.sniffKeyFormat(encodePem('PUBLIC KEY', pkcs8)), 'MALFORMED_INPUT');
    expect(e.message).toBe('pem: the "PUBLIC KEY" block does not contain a public key');
  });

  it('"EC PRIVATE KEY" and "RSA PRIVATE KEY" files: UNSUPPORTED, with the openssl command that converts them', async () => {
    const { engine } = await freshEngine();
    const ec = await failure(() => engine.importKey({ data: OPENSSL_SEC1_EC_PRIVATE_KEY, name: 'x' }), 'UNSUPPORTED');
    expect(ec.message).toMatch(/^keys: this is a SEC 1 "EC PRIVATE KEY" file; convert it to PKCS#8 with "openssl pkcs8 -topk8/);
    const rsa = await failure(() => engine.sniffKeyFormat('-----BEGIN RSA PRIVATE KEY-----\nMAA=\n-----END RSA PRIVATE KEY-----\n'), 'UNSUPPORTED');
    expect(rsa.message).toMatch(/^keys: this is a PKCS#1 "RSA PRIVATE KEY" file; .*openssl pkcs8 -topk8/);
    // The same SEC 1 structure as DER is recognised too.
    const sec1Der = fromBase64(OPENSSL_SEC1_EC_PRIVATE_KEY.trim().split('\n').slice(1, -1).join(''));
    expect((await failure(() => engine.sniffKeyFormat(sec1Der), 'UNSUPPORTED')).message).toMatch(/SEC 1 "EC PRIVATE KEY"; .*openssl pkcs8 -topk8/);
  });

  it('legacy OpenSSL-encrypted PEM (Proc-Type headers): UNSUPPORTED with advice', async () => {
    const { engine } = await freshEngine();
    const legacy = '-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nAAAA\n-----END EC PRIVATE KEY-----\n';
    const e = await failure(() => engine.sniffKeyFormat(legacy), 'UNSUPPORTED');
    expect(e.message).toMatch(/legacy PEM encryption.*openssl pkcs8 -topk8/);
  });

  it('a certificate handed to key import: UNSUPPORTED, pointing at the certificates view', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.sniffKeyFormat('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n'), 'UNSUPPORTED');
    expect(e.message).toMatch(/certificate, not a key/);
  });

  it('truncated DER', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const der = await engine.exportPublicKeyDer(key.id);
    const e = await failure(() => engine.importKey({ data: der.subarray(0, 40), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toMatch(/^der: the data is truncated/);
  });

  it('DER with garbage after it', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const der = await engine.exportPublicKeyDer(key.id);
    const e = await failure(() => engine.importKey({ data: Uint8Array.from([...der, 0, 0, 0]), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toBe('der: there are 3 unexpected bytes after the data');
  });

  it('DER that is well-formed but no key structure', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.sniffKeyFormat(encodeSequence(encodeNull(), encodeNull())), 'MALFORMED_INPUT');
    expect(e.message).toMatch(/not a SubjectPublicKeyInfo, PKCS#8 PrivateKeyInfo or EncryptedPrivateKeyInfo/);
  });

  it('bytes of no known format or size', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: new Uint8Array(20).fill(0xee), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toMatch(/is not a PEM, DER.*nor 16 or 32 raw key bytes/);
    expect((await failure(() => engine.importKey({ data: '', name: 'x' }), 'MALFORMED_INPUT')).message).toBe('keys: the key data is empty');
    expect((await failure(() => engine.importKey({ data: 'hello there', name: 'x' }), 'MALFORMED_INPUT')).message).toMatch(/not a PEM key, a JWK, a Fernet key/);
  });

  it('JSON that does not parse', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: '{"kty": "EC",', name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toBe('keys: the text starts like a JWK but is not valid JSON');
  });

  it('JWK missing a member', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const jwk = JSON.parse(await engine.exportPublicKey(key.id, 'jwk')) as Record<string, unknown>;
    delete jwk.y;
    const e = await failure(() => engine.importKey({ data: JSON.stringify(jwk), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toBe('keys: the P-256 JWK lacks its "y" member');
    const rsa = await failure(() => engine.importKey({ data: '{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}', name: 'x' }), 'MALFORMED_INPUT');
    expect(rsa.message).toBe('keys: the RSA private JWK lacks its "p" member');
    expect((await failure(() => engine.importKey({ data: '{"crv":"P-256"}', name: 'x' }), 'MALFORMED_INPUT')).message).toBe('keys: the JWK has no "kty" member');
  });

  it('JWK with a wrong kty, or a crv of another kty', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: '{"kty":"DSA","x":"AAAA"}', name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toBe('keys: the JWK "kty" is "DSA"; it must be RSA, EC, OKP, AKP or oct');
    const crv = await failure(() => engine.importKey({ data: '{"kty":"EC","crv":"Ed25519","x":"AAAA"}', name: 'x' }), 'MALFORMED_INPUT');
    expect(crv.message).toBe('keys: the JWK says kty "EC" but crv "Ed25519" belongs to kty "OKP"');
  });

  it('JWK members of the wrong length or not base64url', async () => {
    const { engine } = await freshEngine();
    const short = await failure(() => engine.importKey({ data: `{"kty":"EC","crv":"P-256","x":"${toBase64Url(new Uint8Array(31))}","y":"AA"}`, name: 'x' }), 'MALFORMED_INPUT');
    expect(short.message).toBe('keys: the JWK member "x" is 31 bytes; a P-256 key needs 32');
    const b64 = await failure(() => engine.importKey({ data: '{"kty":"oct","k":"ab+/"}', name: 'x' }), 'MALFORMED_INPUT');
    expect(b64.message).toBe('keys: the JWK member "k" is not base64url');
  });

  it('an EC JWK whose point is not on the curve: MALFORMED_INPUT, never a raw DOMException', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    const jwk = JSON.parse(await engine.exportPublicKey(key.id, 'jwk')) as Record<string, string>;
    const y = fromBase64(jwk.y!.replace(/-/g, '+').replace(/_/g, '/') + '=');
    y[31]! ^= 1;
    jwk.y = toBase64Url(y);
    const e = await failure(() => engine.importKey({ data: JSON.stringify(jwk), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toBe('keys: the ECDSA P-256 (SHA-256) public key is invalid (WebCrypto rejected it)');
  });

  it('an RSA private JWK whose modulus belongs to another key', async () => {
    const { engine } = await freshEngine();
    const a = await engine.generateKey({ template: 'RSA-PSS-2048', name: 'a', exportable: true });
    const b = await engine.generateKey({ template: 'RSA-PSS-2048', name: 'b', exportable: true });
    const ja = JSON.parse(await engine.dangerouslyExportUnprotectedKey(a.id, 'jwk')) as Record<string, string>;
    const jb = JSON.parse(await engine.dangerouslyExportUnprotectedKey(b.id, 'jwk')) as Record<string, string>;
    // Chromium rejects this at import; Node accepts it and the pairwise check catches it.
    const e = await failure(() => engine.importKey({ data: JSON.stringify({ ...ja, n: jb.n }), name: 'x' }), 'MALFORMED_INPUT');
    expect(e.message).toMatch(/^keys: the RSA.*(does not match its own public key|invalid \(WebCrypto rejected it\))/);
    expect(e.message).not.toContain(ja.d!.slice(0, 16));
  });

  it('unsupported curves and algorithms: secp256k1 (SPKI and JWK), X448, explicit curve parameters', async () => {
    const { engine } = await freshEngine();
    const k1 = await failure(() => engine.importKey({ data: OPENSSL_SECP256K1_SPKI, name: 'x' }), 'UNSUPPORTED');
    expect(k1.message).toBe('keys: the secp256k1 curve is not supported (P-256, P-384 and P-521 are)');
    const jwk = await failure(() => engine.importKey({ data: '{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA"}', name: 'x' }), 'UNSUPPORTED');
    expect(jwk.message).toMatch(/secp256k1 curve is not supported/);
    const x448 = encodeSequence(encodeSequence(encodeOid(KEY_OID.x448)), encodeBitString(new Uint8Array(56)));
    expect((await failure(() => engine.importKey({ data: spkiPem(x448), name: 'x' }), 'UNSUPPORTED')).message).toBe('keys: X448 keys are not supported');
    const explicit = encodeSequence(encodeSequence(encodeOid(KEY_OID.ecPublicKey), encodeSequence(encodeUnsignedInteger(1))), encodeBitString(new Uint8Array(65)));
    expect((await failure(() => engine.importKey({ data: explicit, name: 'x' }), 'UNSUPPORTED')).message).toMatch(/explicit curve parameters/);
    expect((await failure(() => engine.importKey({ data: spkiPem(ecSpki('1.3.132.0.33')), name: 'x' }), 'UNSUPPORTED')).message).toMatch(/P-224 curve/);
  });

  it('RSA keys of sizes Clavis does not use (openssl 1024-bit)', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: OPENSSL_RSA1024_SPKI, name: 'x' }), 'UNSUPPORTED');
    expect(e.message).toBe('keys: RSA keys of 1024 bits are not supported (Clavis uses 2048, 3072 or 4096 bits)');
  });

  it('wrong passphrase: WRONG_PASSPHRASE, and neither passphrase appears in the message', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: OPENSSL_P256_ENCRYPTED_PKCS8, passphrase: 'Tr0ub4dor&3', name: 'x' }), 'WRONG_PASSPHRASE');
    expect(e.message).toBe('keys: the passphrase does not open this key (or the file is damaged)');
    expect(e.message).not.toContain('Tr0ub4dor');
    expect(e.message).not.toContain(OPENSSL_P256_PASSPHRASE);
    expect(await engine.listKeys()).toEqual([]);
  });

  it('encrypted key without a passphrase: INVALID_ARGUMENT asking for one', async () => {
    const { engine } = await freshEngine();
    const e = await failure(() => engine.importKey({ data: OPENSSL_P256_ENCRYPTED_PKCS8, name: 'x' }), 'INVALID_ARGUMENT');
    expect(e.message).toBe('keys: this key is encrypted; enter its passphrase to import it');
  });

  it('raw bytes against a template that does not fit', async () => {
    const { engine } = await freshEngine();
    expect((await failure(() => engine.importKey({ data: new Uint8Array(16), name: 'x', template: 'AES-GCM-256' }), 'INVALID_ARGUMENT')).message).toBe(
      'keys: AES-GCM-256 takes a 32-byte key; this one is 16 bytes',
    );
    expect((await failure(() => engine.importKey({ data: new Uint8Array(32), name: 'x', template: 'ECDSA-P-256' }), 'INVALID_ARGUMENT')).message).toMatch(
      /raw key bytes can only be a symmetric key/,
    );
    expect((await failure(() => engine.importKey({ data: OPENSSL_RSA1024_SPKI, name: 'x', template: 'NOPE' as TemplateName }), 'INVALID_ARGUMENT')).message).toMatch(/named templates/);
  });

  it('a key whose template does not fit its algorithm', async () => {
    const { engine } = await freshEngine();
    const e = await failure(
      () => engine.importKey({ data: OPENSSL_P256_ENCRYPTED_PKCS8, passphrase: OPENSSL_P256_PASSPHRASE, name: 'x', template: 'RSA-OAEP-2048' }),
      'INVALID_ARGUMENT',
    );
    expect(e.message).toBe('keys: this is an EC P-256 key; the template RSA-OAEP-2048 does not fit it');
  });

  it('never stores anything when an import fails', async () => {
    const { engine } = await freshEngine();
    await engine.importKey({ data: OPENSSL_SECP256K1_SPKI, name: 'x' }).catch(() => undefined);
    await engine.importKey({ data: new Uint8Array(7), name: 'x' }).catch(() => undefined);
    expect(await engine.listKeys()).toEqual([]);
  });
});

describe('transfer: every export verb is audited with its format (B7)', () => {
  it('the protected, unprotected and raw verbs each leave one key.export entry naming the format; a refused export leaves none', async () => {
    const { engine } = await freshEngine();
    const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'a', exportable: true });
    const ec = await engine.generateKey({ template: 'ECDSA-P-256', name: 'e', exportable: true });
    const raw = await engine.dangerouslyExportRawSecret(aes.id);
    expect(raw).toBeInstanceOf(Uint8Array);
    expect(raw.length).toBe(32);
    expect(JSON.parse(await engine.dangerouslyExportUnprotectedKey(aes.id, 'jwk'))).toMatchObject({ kty: 'oct' });
    expect(await engine.exportKey(aes.id, { format: 'jwe-pbes2', passphrase: PASS })).toMatch(/^eyJ/);
    expect(await engine.dangerouslyExportUnprotectedKey(ec.id, 'pkcs8-pem')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(await engine.exportKey(ec.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS })).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    await failure(() => engine.dangerouslyExportRawSecret(ec.id), 'INVALID_ARGUMENT');
    // Public halves are not audited exports.
    expect(await engine.exportPublicKeyDer(ec.id)).toBeInstanceOf(Uint8Array);
    const details = (await engine.listAuditEntries({ action: 'key.export' })).map((e) => e.details);
    expect(details).toEqual([
      { keyId: aes.id, format: 'raw', encrypted: false },
      { keyId: aes.id, format: 'jwk', encrypted: false },
      { keyId: aes.id, format: 'jwe-pbes2', encrypted: true },
      { keyId: ec.id, format: 'pkcs8-pem', encrypted: false },
      { keyId: ec.id, format: 'pkcs8-encrypted-pem', encrypted: true },
    ]);
  });
});

describe('transfer: export refusals (A2, K4, W2)', () => {
  it('K4 refuses to export a non-extractable private key, and the CryptoKey itself refuses too', async () => {
    const { engine, storage } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k' });
    for (const attempt of [() => engine.dangerouslyExportUnprotectedKey(key.id, 'jwk'), () => engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS })]) {
      const e = await failure(attempt, 'NOT_EXTRACTABLE');
      expect(e.message).toMatch(/^keys: this key is non-extractable/);
    }
    const m = (await storage.getKeyMaterial(key.id))!;
    await expect(crypto.subtle.exportKey('pkcs8', m.privateKey!)).rejects.toBeDefined();
    await expect(crypto.subtle.exportKey('jwk', m.privateKey!)).rejects.toBeDefined();
    // Its public half still leaves.
    expect(await engine.exportPublicKey(key.id, 'pem')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('K4 refuses to export a non-extractable secret key, and the CryptoKey itself refuses too', async () => {
    const { engine, storage } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    await failure(() => engine.dangerouslyExportRawSecret(key.id), 'NOT_EXTRACTABLE');
    await failure(() => engine.dangerouslyExportUnprotectedKey(key.id, 'jwk'), 'NOT_EXTRACTABLE');
    await expect(crypto.subtle.exportKey('raw', (await storage.getKeyMaterial(key.id))!.secret!)).rejects.toBeDefined();
  });

  it('refuses formats that do not fit the key', async () => {
    const { engine } = await freshEngine();
    const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'a', exportable: true });
    const ec = await engine.generateKey({ template: 'ECDSA-P-256', name: 'e', exportable: true });
    const pub = await engine.importKey({ data: await engine.exportPublicKey(ec.id, 'pem'), name: 'p' });
    expect((await failure(() => engine.dangerouslyExportUnprotectedKey(aes.id, 'fernet'), 'INVALID_ARGUMENT')).message).toMatch(/only Fernet keys/);
    expect((await failure(() => engine.exportKey(aes.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS }), 'INVALID_ARGUMENT')).message).toMatch(/no PKCS#8 form/);
    expect((await failure(() => engine.dangerouslyExportRawSecret(ec.id), 'INVALID_ARGUMENT')).message).toMatch(/raw export is for symmetric keys/);
    expect((await failure(() => engine.dangerouslyExportUnprotectedKey(pub.id, 'jwk'), 'INVALID_ARGUMENT')).message).toMatch(/public key only/);
    await failure(() => engine.exportKey(ec.id, { format: 'pkcs12' as 'jwe-pbes2', passphrase: PASS }), 'INVALID_ARGUMENT');
    await failure(() => engine.dangerouslyExportUnprotectedKey(ec.id, 'pkcs12' as 'jwk'), 'INVALID_ARGUMENT');
    // The raw key bytes are not a protected export.
    await failure(() => engine.exportKey(aes.id, { format: 'raw' as 'jwe-pbes2', passphrase: PASS }), 'INVALID_ARGUMENT');
  });

  it('refuses a short passphrase without echoing it', async () => {
    const { engine } = await freshEngine();
    const ec = await engine.generateKey({ template: 'ECDSA-P-256', name: 'e', exportable: true });
    const e = await failure(() => engine.exportKey(ec.id, { format: 'pkcs8-encrypted-pem', passphrase: 'abc123' }), 'INVALID_ARGUMENT');
    expect(e.message).toBe('keys: the passphrase must be at least 8 characters');
    await failure(() => engine.exportKey(ec.id, { format: 'pkcs8-encrypted-pem' } as ProtectedExportOptions), 'INVALID_ARGUMENT');
  });
});

describe('transfer: import defaults and stored metadata', () => {
  it('imports private keys non-extractable by default and records origin "imported"', async () => {
    const { engine, storage } = await freshEngine();
    const k: KeyInfo = await engine.importKey({ data: OPENSSL_P256_ENCRYPTED_PKCS8, passphrase: OPENSSL_P256_PASSPHRASE, name: '  Release key ', owner: 'alice' });
    expect(k).toMatchObject({ name: 'Release key', owner: 'alice', origin: 'imported', extractable: false, state: 'active', version: 1 });
    expect(k.extractableReason).toBeUndefined();
    expect(await engine.getKey(k.id)).toEqual(k);
    const m = (await storage.getKeyMaterial(k.id))!;
    expect(m.privateKey!.extractable).toBe(false);
    expect(m.privateKey!.usages).toEqual(['sign']);
    expect(m.publicKey!.usages).toEqual(['verify']);
  });

  it('imports an EC public key as ECDSA by default and as ECDH when asked; the curve comes from the key', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDH-P-521', name: 'k' });
    const pem = await engine.exportPublicKey(key.id, 'pem');
    expect((await engine.importKey({ data: pem, name: 'a' })).template).toBe('ECDSA-P-521');
    const dh = await engine.importKey({ data: pem, name: 'b', template: 'ECDH-P-256' });
    expect(dh).toMatchObject({ template: 'ECDH-P-521', kind: 'public', operations: [] });
  });

  it('refuses labels with control characters before doing any crypto', async () => {
    const { engine } = await freshEngine();
    await failure(() => engine.importKey({ data: new Uint8Array(32), name: 'bad\u202Ename' }), 'INVALID_ARGUMENT');
    await failure(() => engine.importKey({ data: 42 as unknown as string, name: 'x' }), 'INVALID_ARGUMENT');
  });

  it('never puts key material in error messages (base64 of the secret is absent)', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'k', exportable: true });
    const jwk = JSON.parse(await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk')) as Record<string, string>;
    const broken = [
      { ...jwk, y: undefined },
      { ...jwk, kty: 'XX' },
      { ...jwk, crv: 'P-999' },
      { ...jwk, d: `${jwk.d}AA` },
    ];
    for (const b of broken) {
      const err = await engine.importKey({ data: JSON.stringify(b), name: 'x' }).catch((e: unknown) => e);
      expect(isEngineError(err)).toBe(true);
      expect((err as Error).message).not.toContain(jwk.d!.slice(0, 12));
      expect((err as Error).message).not.toContain(jwk.x!.slice(0, 12));
    }
  });
});
