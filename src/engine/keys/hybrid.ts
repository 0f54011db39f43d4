/**
 * RSA-OAEP hybrid encryption: RSA cannot encrypt more than a few hundred bytes, so each
 * message gets a fresh AES-256-GCM content key, wrapped with RSA-OAEP-SHA-256 under the
 * recipient's public key and carried in the envelope header (envelope.ts, alg 0x03).
 *
 * Common case: `sealHybrid(ctx, publicKey, keyId, version, plaintext, aad)`; the private
 * key opens it with `openHybrid`.
 *
 * The content key must be extractable for `wrapKey` to accept it; it exists only inside
 * `sealHybrid`, and no reference to it outlives the call. The unwrapped copy on the
 * receiving side is non-extractable and decrypt-only.
 */
import { EngineError } from '../errors';
import { concat } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { EngineContext } from './context';
import { boundAad, cipherHeader, IV_BYTES, type CipherEnvelope } from './envelope';

const CONTENT_KEY: AesKeyGenParams = { name: 'AES-GCM', length: 256 };

/** Encrypts `plaintext` to an RSA-OAEP public key; returns the whole envelope. */
export async function sealHybrid(
  ctx: EngineContext,
  publicKey: CryptoKey,
  keyId: string,
  keyVersion: number,
  plaintext: Uint8Array<ArrayBuffer>,
  aad: Uint8Array,
): Promise<Uint8Array<ArrayBuffer>> {
  // Extractable only so that wrapKey accepts it. No reference escapes this function, so
  // the key is unreachable (and collectable) as soon as it returns.
  const contentKey = await attempt('UNSUPPORTED', 'keys: the browser could not make an AES-256-GCM content key', async () =>
    (await ctx.subtle.generateKey(CONTENT_KEY, true, ['encrypt'])) as CryptoKey,
  );
  const wrappedKey = new Uint8Array(
    await attempt('INVALID_ARGUMENT', 'keys: the RSA-OAEP public key refused to wrap the content key', () =>
      ctx.subtle.wrapKey('raw', contentKey, publicKey, { name: 'RSA-OAEP' }),
    ),
  );
  const iv = ctx.random(IV_BYTES);
  const header = cipherHeader({ algorithm: 'RSA-OAEP', keyId, keyVersion, iv, wrappedKey });
  const ct = await attempt('UNSUPPORTED', 'keys: the browser could not encrypt with AES-256-GCM', () =>
    ctx.bulk.aesGcm('encrypt', contentKey, iv, boundAad(header, aad), plaintext),
  );
  return concat(header, new Uint8Array(ct));
}

/**
 * Opens a hybrid envelope with the RSA-OAEP private key.
 * @throws DECRYPT_FAILED for a wrong key or any alteration.
 */
export async function openHybrid(ctx: EngineContext, privateKey: CryptoKey, env: CipherEnvelope, aad: Uint8Array): Promise<ArrayBuffer> {
  if (!env.wrappedKey) throw new EngineError('MALFORMED_INPUT', 'keys: the hybrid envelope has no content key');
  const wrapped = env.wrappedKey;
  const contentKey = await attempt('DECRYPT_FAILED', 'keys: decryption failed: the content key does not open with this RSA key (wrong key, or the ciphertext was altered)', () =>
    ctx.subtle.unwrapKey('raw', wrapped, privateKey, { name: 'RSA-OAEP' }, { name: 'AES-GCM' }, false, ['decrypt']),
  );
  return attempt('DECRYPT_FAILED', 'keys: decryption failed: wrong key, wrong associated data, or the ciphertext was altered', () =>
    ctx.bulk.aesGcm('decrypt', contentKey, env.iv, boundAad(env.header, aad), env.body),
  );
}
