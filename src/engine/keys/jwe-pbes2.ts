/**
 * Passphrase-protected secret keys as a JWE (RFC 7516 compact serialization) with
 * "alg": "PBES2-HS512+A256KW" and "enc": "A256GCM" (RFC 7518 §4.8, §5.3), whose payload
 * is the key's JWK ("cty": "jwk+json", as RFC 7517 §7 does for encrypted JWKs).
 *
 * Why JWE and not PKCS#8: a symmetric key has no PKCS#8 algorithm identifier that
 * openssl or Python's `cryptography` reads, while every JOSE library that implements
 * RFC 7518 opens this (panva's `jose` for JavaScript, `jwcrypto` for Python, Nimbus
 * JOSE+JWT for Java, smallstep's `step crypto jwe decrypt`). The recipe is short enough
 * to follow with plain primitives, which is how the interop test opens it with Python
 * `cryptography` (PBKDF2HMAC, aes_key_unwrap, AESGCM).
 *
 * Recipe: salt input = UTF-8("PBES2-HS512+A256KW") ‖ 0x00 ‖ p2s; KEK = PBKDF2-HMAC-SHA-512
 * (passphrase, salt input, p2c, 32 bytes); a random 256-bit CEK is AES-KW-wrapped under
 * the KEK; the JWK is sealed with AES-256-GCM under the CEK, 96-bit IV, associated data =
 * ASCII(BASE64URL(protected header)).
 */
import { EngineError, MalformedInputError } from '../errors';
import { fromBase64Url, fromUtf8, toBase64Url, utf8, concat, copy } from '../internal/bytes';
import type { RandomSource } from '../internal/random';
import { MAX_IMPORT_ITERATIONS, PBKDF2_ITERATIONS } from './pkcs8-encrypted';

/** The JWE key-management algorithm Clavis writes and reads. */
export const JWE_ALG = 'PBES2-HS512+A256KW';
/** The JWE content-encryption algorithm Clavis writes and reads. */
export const JWE_ENC = 'A256GCM';
/** PBES2 salt length written (RFC 7518 §4.8.1.1 asks for at least 8 bytes). */
export const P2S_BYTES = 16;
/** Fewest PBKDF2 iterations accepted on import (RFC 7518 §4.8.1.2 recommends at least 1000). */
export const MIN_IMPORT_P2C = 1000;

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** True when text has the shape of a compact JWE (five base64url parts). */
export function looksLikeCompactJwe(text: string): boolean {
  return COMPACT.test(text.trim());
}

async function kek(subtle: SubtleCrypto, passphrase: string, p2s: Uint8Array, p2c: number, usage: 'wrapKey' | 'unwrapKey'): Promise<CryptoKey> {
  const pass = utf8(passphrase);
  try {
    const base = await subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveKey']);
    const salt = concat(utf8(JWE_ALG), Uint8Array.of(0), p2s);
    return await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-512', salt, iterations: p2c }, base, { name: 'AES-KW', length: 256 }, false, [usage]);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'keys: this browser could not run PBKDF2 for the passphrase', { cause: e });
  } finally {
    pass.fill(0);
  }
}

/**
 * Seals a JWK (JSON text bytes) under a passphrase as a compact JWE. The caller checks
 * the passphrase rules and wipes `jwkJson` afterwards.
 */
export async function sealJwk(subtle: SubtleCrypto, random: RandomSource, jwkJson: Uint8Array, passphrase: string, p2c = PBKDF2_ITERATIONS): Promise<string> {
  const p2s = random(P2S_BYTES);
  const header = toBase64Url(utf8(JSON.stringify({ alg: JWE_ALG, enc: JWE_ENC, cty: 'jwk+json', p2s: toBase64Url(p2s), p2c })));
  const wrapping = await kek(subtle, passphrase, p2s, p2c, 'wrapKey');
  const cek = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const encryptedKey = new Uint8Array(await subtle.wrapKey('raw', cek, wrapping, 'AES-KW'));
  const iv = random(12);
  const plain = copy(jwkJson);
  let sealed: Uint8Array;
  try {
    sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(header), tagLength: 128 }, cek, plain));
  } finally {
    plain.fill(0);
  }
  const ct = sealed.subarray(0, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);
  return [header, toBase64Url(encryptedKey), toBase64Url(iv), toBase64Url(ct), toBase64Url(tag)].join('.');
}

function bad(message: string): never {
  throw new MalformedInputError(`keys: ${message}`);
}

/**
 * Opens a compact JWE made by `sealJwk` (or any RFC 7518 PBES2-HS512+A256KW / A256GCM
 * JWE) and returns the payload bytes (the JWK's JSON text). The caller wipes them.
 * @throws MALFORMED_INPUT (not such a JWE, or a header outside the accepted limits),
 *   UNSUPPORTED (another alg/enc), WRONG_PASSPHRASE (the passphrase does not open it, or
 *   the file is damaged).
 */
export async function openJwk(subtle: SubtleCrypto, compact: string, passphrase: string): Promise<Uint8Array<ArrayBuffer>> {
  const text = compact.trim();
  if (!looksLikeCompactJwe(text)) bad('this is not a compact JWE (five base64url parts separated by dots)');
  const [h, ek, ivPart, ctPart, tagPart] = text.split('.') as [string, string, string, string, string];
  let header: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(fromUtf8(fromBase64Url(h)));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) bad('the JWE header is not a JSON object');
    header = parsed as Record<string, unknown>;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('keys: the JWE header is not base64url JSON', { cause: e });
  }
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC) {
    throw new EngineError('UNSUPPORTED', `keys: Clavis opens JWEs with alg ${JWE_ALG} and enc ${JWE_ENC}; this one says alg ${String(header.alg).slice(0, 40)}, enc ${String(header.enc).slice(0, 40)}`);
  }
  if (header.crit !== undefined) throw new EngineError('UNSUPPORTED', 'keys: the JWE has critical header parameters ("crit") Clavis does not know');
  const p2c = header.p2c;
  if (typeof p2c !== 'number' || !Number.isInteger(p2c) || p2c < MIN_IMPORT_P2C || p2c > MAX_IMPORT_ITERATIONS) {
    bad(`the JWE's PBKDF2 iteration count (p2c) must be a whole number from ${MIN_IMPORT_P2C} to ${MAX_IMPORT_ITERATIONS}`);
  }
  if (typeof header.p2s !== 'string') bad('the JWE header lacks its salt (p2s)');
  let p2s: Uint8Array<ArrayBuffer>;
  let encryptedKey: Uint8Array<ArrayBuffer>;
  let iv: Uint8Array<ArrayBuffer>;
  let ct: Uint8Array<ArrayBuffer>;
  let tag: Uint8Array<ArrayBuffer>;
  try {
    p2s = fromBase64Url(header.p2s);
    [encryptedKey, iv, ct, tag] = [fromBase64Url(ek), fromBase64Url(ivPart), fromBase64Url(ctPart), fromBase64Url(tagPart)];
  } catch (e) {
    throw new MalformedInputError('keys: a part of the JWE is not valid base64url', { cause: e });
  }
  if (p2s.length < 8) bad('the JWE salt (p2s) is shorter than 8 bytes');
  if (encryptedKey.length !== 40 || iv.length !== 12 || tag.length !== 16) bad('the JWE parts do not have the sizes A256KW and A256GCM give');
  const unwrapping = await kek(subtle, passphrase, p2s, p2c, 'unwrapKey');
  let cek: CryptoKey;
  try {
    cek = await subtle.unwrapKey('raw', encryptedKey, unwrapping, 'AES-KW', { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
  } catch (e) {
    throw new EngineError('WRONG_PASSPHRASE', 'keys: the passphrase does not open this key (or the file is damaged)', { cause: e });
  }
  try {
    return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv, additionalData: utf8(h), tagLength: 128 }, cek, concat(ct, tag)));
  } catch (e) {
    throw new MalformedInputError('keys: the passphrase opens this key file, but its contents were altered', { cause: e });
  }
}
