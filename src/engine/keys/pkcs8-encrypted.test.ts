import { describe, expect, it } from 'vitest';
import { toHex } from '../internal/bytes';
import { cryptoRandom } from '../internal/random';
import { encodeNull, encodeOctetString, encodeOid, encodeSequence, encodeUnsignedInteger } from './der';
import {
  assertExportPassphrase,
  assertImportPassphrase,
  decryptPrivateKeyInfo,
  encryptPrivateKeyInfo,
  IV_BYTES,
  MAX_IMPORT_ITERATIONS,
  MIN_PASSPHRASE_LENGTH,
  parseEncryptedPrivateKeyInfo,
  PBKDF2_ITERATIONS,
  SALT_BYTES,
} from './pkcs8-encrypted';
import * as OID from '../internal/oids';

const subtle = crypto.subtle;
const random = cryptoRandom(crypto);
const PASS = 'correct horse battery staple';

async function samplePkcs8(): Promise<Uint8Array> {
  const kp = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  return new Uint8Array(await subtle.exportKey('pkcs8', kp.privateKey));
}

/** Builds an EncryptedPrivateKeyInfo with chosen parameters (for refusal tests). */
function build(o: {
  scheme?: string;
  kdf?: string;
  salt?: Uint8Array;
  iterations?: number;
  keyLength?: number;
  prf?: string | null;
  cipher?: string;
  iv?: Uint8Array;
  data?: Uint8Array;
}): Uint8Array {
  const kdfParams = [encodeOctetString(o.salt ?? new Uint8Array(16)), encodeUnsignedInteger(o.iterations ?? 2048)];
  if (o.keyLength !== undefined) kdfParams.push(encodeUnsignedInteger(o.keyLength));
  if (o.prf !== null) kdfParams.push(encodeSequence(encodeOid(o.prf ?? OID.hmacWithSHA256), encodeNull()));
  return encodeSequence(
    encodeSequence(
      encodeOid(o.scheme ?? OID.pbes2),
      encodeSequence(
        encodeSequence(encodeOid(o.kdf ?? OID.pbkdf2), encodeSequence(...kdfParams)),
        encodeSequence(encodeOid(o.cipher ?? OID.aes256Cbc), encodeOctetString(o.iv ?? new Uint8Array(16))),
      ),
    ),
    encodeOctetString(o.data ?? new Uint8Array(48)),
  );
}

describe('pkcs8-encrypted: parameters of every export (K7)', () => {
  it('K7 uses at least 600,000 PBKDF2-HMAC-SHA-256 iterations, a 16-byte salt and a 16-byte IV', () => {
    expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(SALT_BYTES).toBe(16);
    expect(IV_BYTES).toBe(16);
    expect(MIN_PASSPHRASE_LENGTH).toBeGreaterThanOrEqual(8);
  });

  it('K7 writes PBES2 / PBKDF2-HMAC-SHA-256 at the constant / AES-256-CBC, with salt and IV from the random source', async () => {
    const draws: number[] = [];
    const counting = (n: number) => {
      draws.push(n);
      return random(n);
    };
    const pkcs8 = await samplePkcs8();
    const a = await encryptPrivateKeyInfo(subtle, counting, pkcs8, PASS);
    expect(draws).toEqual([SALT_BYTES, IV_BYTES]);
    const p = parseEncryptedPrivateKeyInfo(a);
    expect(p.iterations).toBe(PBKDF2_ITERATIONS);
    expect(p.hash).toBe('SHA-256');
    expect(p.keyBits).toBe(256);
    expect(p.salt).toHaveLength(16);
    expect(p.iv).toHaveLength(16);
    // The key is padded to whole AES blocks and not stored in clear.
    expect(p.encryptedData.length % 16).toBe(0);
    expect(toHex(a)).not.toContain(toHex(pkcs8.subarray(36, 68)));
  });

  it('gives a fresh salt, IV and ciphertext on every export of the same key', async () => {
    const pkcs8 = await samplePkcs8();
    const a = parseEncryptedPrivateKeyInfo(await encryptPrivateKeyInfo(subtle, random, pkcs8, PASS));
    const b = parseEncryptedPrivateKeyInfo(await encryptPrivateKeyInfo(subtle, random, pkcs8, PASS));
    expect(toHex(a.salt)).not.toBe(toHex(b.salt));
    expect(toHex(a.iv)).not.toBe(toHex(b.iv));
    expect(toHex(a.encryptedData)).not.toBe(toHex(b.encryptedData));
  });
});

describe('pkcs8-encrypted: decrypting', () => {
  it('round-trips a PrivateKeyInfo, including under a non-ASCII passphrase (UTF-8, as openssl)', async () => {
    const pkcs8 = await samplePkcs8();
    for (const pass of [PASS, 'pässwörd-ключ-🔑']) {
      const enc = await encryptPrivateKeyInfo(subtle, random, pkcs8, pass);
      expect(toHex(await decryptPrivateKeyInfo(subtle, enc, pass))).toBe(toHex(pkcs8));
    }
  });

  it('reports a wrong passphrase as WRONG_PASSPHRASE without echoing either passphrase', async () => {
    const enc = await encryptPrivateKeyInfo(subtle, random, await samplePkcs8(), PASS);
    const err = await decryptPrivateKeyInfo(subtle, enc, 'not-the-passphrase').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect((err as Error).message).toMatch(/^keys: the passphrase does not open this key/);
    expect((err as Error).message).not.toContain('not-the-passphrase');
    expect((err as Error).message).not.toContain(PASS);
  });

  it('reports a tampered ciphertext as WRONG_PASSPHRASE (CBC padding check)', async () => {
    const enc = await encryptPrivateKeyInfo(subtle, random, await samplePkcs8(), PASS);
    enc[enc.length - 1]! ^= 0x01;
    await expect(decryptPrivateKeyInfo(subtle, enc, PASS)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });

  it('reports valid padding over bytes that are not a PrivateKeyInfo as WRONG_PASSPHRASE (ASN.1 check)', async () => {
    // What a wrong key whose padding happens to look right (1 in 256) produces.
    const enc = await encryptPrivateKeyInfo(subtle, random, new TextEncoder().encode('not a private key at all'), PASS);
    await expect(decryptPrivateKeyInfo(subtle, enc, PASS)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });

  it('reads the PRF default (hmacWithSHA1) when the PRF is absent', () => {
    expect(parseEncryptedPrivateKeyInfo(build({ prf: null })).hash).toBe('SHA-1');
    expect(parseEncryptedPrivateKeyInfo(build({ prf: OID.hmacWithSHA512, cipher: OID.aes128Cbc, keyLength: 16 }))).toMatchObject({ hash: 'SHA-512', keyBits: 128 });
  });
});

describe('pkcs8-encrypted: refusals', () => {
  it.each([
    ['PBES1 (pbeWithMD5AndDES-CBC)', { scheme: '1.2.840.113549.1.5.3' }, /old PKCS#5 v1/],
    ['PKCS#12 PBE', { scheme: '1.2.840.113549.1.12.1.3' }, /old PKCS#5 v1 \/ PKCS#12/],
    ['scrypt', { kdf: OID.scrypt }, /scrypt/],
    ['Triple-DES', { cipher: OID.desEde3Cbc }, /Triple-DES/],
    ['AES-192-CBC', { cipher: OID.aes192Cbc }, /AES-192-CBC/],
    ['an unknown PRF (hmacWithSHA224)', { prf: '1.2.840.113549.2.8' }, /unsupported PRF/],
    ['too many iterations', { iterations: MAX_IMPORT_ITERATIONS + 1 }, /freeze this tab/],
  ])('refuses %s as UNSUPPORTED with advice', (_label, opts, message) => {
    const f = () => parseEncryptedPrivateKeyInfo(build(opts));
    expect(f).toThrow(message);
    expect(f).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('tells how to convert an unsupported file with openssl', () => {
    expect(() => parseEncryptedPrivateKeyInfo(build({ kdf: OID.scrypt }))).toThrow(/openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256/);
  });

  it.each([
    ['an 8-byte IV', { iv: new Uint8Array(8) }, /IV that is not 16 bytes/],
    ['a key length that contradicts the cipher', { keyLength: 16 }, /key length that does not match/],
    ['encrypted data that is not whole AES blocks', { data: new Uint8Array(47) }, /not a whole number of AES blocks/],
    ['a 4-byte salt', { salt: new Uint8Array(4) }, /salt of an unusual size/],
    ['zero iterations', { iterations: 0 }, /iteration count of zero/],
  ])('refuses %s as MALFORMED_INPUT', (_label, opts, message) => {
    const f = () => parseEncryptedPrivateKeyInfo(build(opts));
    expect(f).toThrow(message);
    expect(f).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });

  it('refuses a truncated file as MALFORMED_INPUT', () => {
    const whole = build({});
    expect(() => parseEncryptedPrivateKeyInfo(whole.subarray(0, whole.length - 5))).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
  });
});

describe('pkcs8-encrypted: passphrase rules', () => {
  it(`asks for at least ${MIN_PASSPHRASE_LENGTH} characters on export and never echoes the passphrase`, () => {
    const f = () => assertExportPassphrase('hunter2');
    expect(f).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(f).toThrow(/at least 8 characters/);
    expect(f).not.toThrow(/hunter2/);
    expect(() => assertExportPassphrase(undefined)).toThrow(/needs a passphrase/);
    expect(() => assertExportPassphrase('')).toThrow(/needs a passphrase/);
    expect(() => assertExportPassphrase('x'.repeat(1025))).toThrow(/at most 1024/);
    expect(() => assertExportPassphrase('12345678')).not.toThrow();
  });

  it('counts characters, not UTF-16 units: 8 emoji pass, 4 emoji (8 units) do not', () => {
    expect(() => assertExportPassphrase('🔑'.repeat(8))).not.toThrow();
    expect(() => assertExportPassphrase('🔑'.repeat(4))).toThrow(/at least 8/);
  });

  it('accepts any non-empty passphrase on import (the file author chose it)', () => {
    expect(() => assertImportPassphrase('abc')).not.toThrow();
    expect(() => assertImportPassphrase('')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => assertImportPassphrase(undefined)).toThrow(/enter its passphrase/);
  });
});
