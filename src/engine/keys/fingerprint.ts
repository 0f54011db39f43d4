/**
 * Fingerprints (A6). Asymmetric keys: SHA-256 over the DER SubjectPublicKeyInfo, the
 * same value `openssl pkey -pubin -outform DER | sha256sum` gives. Symmetric keys: a key
 * check value that identifies the key without revealing it.
 *
 * The KCV is 3 bytes computed without ever exporting the key: for AES the classic
 * construction, the first bytes of E_K(0^128) (AES-GCM with a zero IV reserved for this
 * purpose only; AES-KW wrapping a zero block); for HMAC a tag over a fixed label; for
 * Fernet a hash of both halves' values. Three bytes identify a key among a user's keys
 * and reveal nothing usable about it.
 */
import { toHex, utf8 } from '../internal/bytes';
import type { KeyFingerprint } from '../types';

export async function spkiFingerprint(subtle: SubtleCrypto, publicKey: CryptoKey): Promise<KeyFingerprint> {
  const spki = await subtle.exportKey('spki', publicKey);
  return { kind: 'spki-sha256', value: toHex(await subtle.digest('SHA-256', spki)) };
}

export async function spkiFingerprintOfBytes(subtle: SubtleCrypto, spki: Uint8Array<ArrayBuffer>): Promise<KeyFingerprint> {
  return { kind: 'spki-sha256', value: toHex(await subtle.digest('SHA-256', spki)) };
}

const ZERO16 = new Uint8Array(16);
const ZERO12 = new Uint8Array(12);
const KCV_LABEL = utf8('Clavis KCV v1');

/**
 * Key check value of a symmetric key: 3 bytes, hex. Works on non-extractable keys
 * because it only uses the key, never exports it.
 */
export async function keyCheckValue(subtle: SubtleCrypto, key: CryptoKey, extra?: CryptoKey): Promise<KeyFingerprint> {
  let out: ArrayBuffer;
  switch (key.algorithm.name) {
    case 'AES-GCM':
      // E_K(0^128) with a fixed zero IV: the KCV convention. This IV is never used for data.
      out = await subtle.encrypt({ name: 'AES-GCM', iv: ZERO12 }, key, ZERO16);
      break;
    case 'AES-KW':
      // RFC 3394 wrap of a zero block is deterministic: a KCV without exporting.
      out = await wrapZeroBlock(subtle, key);
      break;
    case 'AES-CBC': {
      // Fernet: combine the encryption half's E_K(0) with the MAC half's tag.
      const e = await subtle.encrypt({ name: 'AES-CBC', iv: ZERO16 }, key, ZERO16);
      const m = extra ? await subtle.sign('HMAC', extra, KCV_LABEL) : new ArrayBuffer(0);
      out = await subtle.digest('SHA-256', concatBuffers(e, m));
      break;
    }
    case 'HMAC':
      out = await subtle.sign('HMAC', key, KCV_LABEL);
      break;
    case 'ChaCha20-Poly1305':
      out = await subtle.encrypt({ name: 'ChaCha20-Poly1305', iv: ZERO12 } as AlgorithmIdentifier, key, ZERO16);
      break;
    default:
      throw new TypeError('no KCV for this algorithm');
  }
  return { kind: 'kcv', value: toHex(new Uint8Array(out).slice(0, 3)) };
}

async function wrapZeroBlock(subtle: SubtleCrypto, kek: CryptoKey): Promise<ArrayBuffer> {
  // AES-KW can only wrap keys, so wrap a throwaway all-zero HMAC key imported for this.
  const zero = await subtle.importKey('raw', ZERO16, { name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
  return subtle.wrapKey('raw', zero, kek, 'AES-KW');
}

function concatBuffers(a: ArrayBuffer, b: ArrayBuffer): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(new Uint8Array(a), 0);
  out.set(new Uint8Array(b), a.byteLength);
  return out;
}
