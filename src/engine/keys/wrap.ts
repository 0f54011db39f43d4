// Wrap and unwrap vault keys under other vault keys (AES-KW, AES-GCM, RSA-OAEP).
import { EngineError, KeyStateError, MalformedInputError } from '../errors';
import { assertBytes } from '../internal/assert';
import { concat } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import type { EngineContext } from './context';
import { boundAad, IV_BYTES, parseEnvelope, wrapHeader, wrapParts, type WrapAlgorithm, type WrappedPart } from './envelope';
import { isTemplateName, type KeyTemplate, type TemplateFamily } from './templates';
import { EMPTY, loadForProtect, need, requireOperation, withArticle, type NewKeyLabel } from './use-common';
import { cleanLabel, describeKey, loadKey, newKeyId, storeNewKey, templateOf } from './vault';

const WRAP_OF: Partial<Record<TemplateFamily, WrapAlgorithm>> = { 'aes-kw': 'AES-KW', 'aes-gcm': 'AES-GCM', 'rsa-oaep': 'RSA-OAEP' };

/** The algorithm dictionary to import (or unwrap into) a template's keys. */
export function importAlgorithm(t: KeyTemplate): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  const a = t.algorithm as { name: string; hash?: string; namedCurve?: string };
  if (a.namedCurve) return { name: a.name, namedCurve: a.namedCurve };
  if (a.hash) return { name: a.name, hash: a.hash };
  return { name: a.name };
}

/** What one wrapped part becomes on unwrap. Fernet: part 0 is the HMAC half, part 1 the AES half. */
function partTarget(t: KeyTemplate, index: number): { algorithm: AlgorithmIdentifier | HmacImportParams; usages: KeyUsage[]; extractable: boolean } {
  if (t.family === 'fernet') {
    // Fernet keys are extractable by definition (templates.ts), so the copy is too.
    return index === 0
      ? { algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'], extractable: true }
      : { algorithm: { name: 'AES-CBC' }, usages: ['encrypt', 'decrypt'], extractable: true };
  }
  return { algorithm: importAlgorithm(t), usages: (t.kind === 'secret' ? t.usages.secret : t.usages.private) ?? [], extractable: false };
}

function wrapParams(alg: WrapAlgorithm, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): AlgorithmIdentifier | AesGcmParams | RsaOaepParams {
  if (alg === 'AES-GCM') return { name: 'AES-GCM', iv, additionalData: aad };
  // The OAEP label binds the header the same way GCM's additional data does.
  if (alg === 'RSA-OAEP') return { name: 'RSA-OAEP', label: aad };
  // RFC 3394 has no associated data: the header's KCV, checked after unwrapping, catches
  // a swapped template or part.
  return { name: 'AES-KW' };
}

/**
 * Export format of a template's key for wrapping. ChaCha20-Poly1305 belongs to the WebCrypto
 * "modern algorithms" set, which names symmetric key bytes `raw-secret` (Chromium refuses
 * `raw` for it); everything else uses the classic `raw` / `pkcs8`.
 */
function wrapFormat(t: KeyTemplate): KeyFormat {
  if (t.kind !== 'secret') return 'pkcs8';
  return t.family === 'chacha20-poly1305' ? ('raw-secret' as KeyFormat) : 'raw';
}

function piecesOf(t: KeyTemplate, m: KeyMaterialRecord): CryptoKey[] {
  if (t.family === 'fernet') return [need(m.macSecret, 'HMAC half'), need(m.secret, 'AES half')];
  return [t.kind === 'secret' ? need(m.secret, 'secret key') : need(m.privateKey, 'private key')];
}

/**
 * Wraps a vault key under another: AES-KW-256 (RFC 3394) or AES-GCM or RSA-OAEP for
 * symmetric keys; AES-GCM only for private keys (PKCS#8 is not a multiple of 8 bytes for
 * AES-KW and too long for RSA). A Fernet key is two keys (HMAC half, AES half): both are
 * wrapped, as two parts of one envelope. The envelope names the wrapping key and
 * version, the target's template and fingerprint, and for a private key its SPKI.
 * @throws KEY_NOT_FOUND, KEY_STATE, NOT_EXTRACTABLE (the target is not extractable)
 */
export async function wrapKey(ctx: EngineContext, wrappingKeyId: string, targetKeyId: string): Promise<Uint8Array> {
  const w = await loadForProtect(ctx, wrappingKeyId);
  requireOperation(ctx, w, 'wrap');
  const target = await loadKey(ctx, targetKeyId);
  if (target.info.id === w.info.id) throw new EngineError('INVALID_ARGUMENT', 'keys: a key cannot wrap itself');
  if (target.info.kind === 'public') throw new KeyStateError('keys: a public key needs no wrapping; export it instead');
  const alg = WRAP_OF[w.template.family]!;
  const t = target.template;
  const secret = t.kind === 'secret';
  if (!secret && alg !== 'AES-GCM') {
    throw new KeyStateError(
      alg === 'AES-KW'
        ? 'keys: AES-KW cannot wrap a private key (PKCS#8 is not a multiple of 8 bytes); wrap it with an AES-GCM key'
        : 'keys: RSA-OAEP can only wrap symmetric keys (a private key is too long); wrap it with an AES-GCM key',
    );
  }
  const pieces = piecesOf(t, target.material);
  if (pieces.some((p) => !p.extractable)) {
    throw new EngineError('NOT_EXTRACTABLE', 'keys: the key to wrap is not extractable, and WebCrypto only wraps extractable keys; create it as exportable to wrap it');
  }
  const spki = secret ? EMPTY : new Uint8Array(await ctx.subtle.exportKey('spki', need(target.material.publicKey, 'public key')));
  const header = wrapHeader({
    algorithm: alg,
    keyId: w.info.id,
    keyVersion: w.info.version,
    template: t.name,
    fingerprint: target.info.fingerprint,
    spki,
    partCount: pieces.length,
  });
  const wrappingKey = alg === 'RSA-OAEP' ? need(w.material.publicKey, 'public key') : need(w.material.secret, 'secret key');
  const parts: WrappedPart[] = [];
  for (const [i, piece] of pieces.entries()) {
    const iv = alg === 'AES-GCM' ? ctx.random(IV_BYTES) : new Uint8Array(0);
    const data = await attempt('INVALID_ARGUMENT', `keys: the browser refused to wrap this ${t.name} key with ${alg}`, () =>
      ctx.subtle.wrapKey(wrapFormat(t), piece, wrappingKey, wrapParams(alg, iv, boundAad(header, EMPTY, i))),
    );
    parts.push({ iv, data: new Uint8Array(data) });
  }
  return concat(header, wrapParts(alg, parts));
}

/**
 * Unwraps a key made by `wrapKey` into a NEW vault key (origin `unwrapped`),
 * non-extractable unless its template is extractable by nature (Fernet). The new key has
 * the original's fingerprint or KCV; a mismatch is refused. `wrappingKeyId` may be a
 * different vault's id for the same wrapping key than the one the envelope names.
 * @throws MALFORMED_INPUT, KEY_NOT_FOUND, KEY_STATE, DECRYPT_FAILED, UNSUPPORTED
 */
export async function unwrapKey(ctx: EngineContext, wrappingKeyId: string, wrapped: Uint8Array, label: NewKeyLabel): Promise<KeyInfo> {
  assertBytes(wrapped, 'wrapped key');
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const env = parseEnvelope(wrapped);
  if (env.type !== 'wrap') throw new MalformedInputError('keys: this is encrypted data, not a wrapped key; use decrypt');
  const w = await loadKey(ctx, wrappingKeyId);
  requireOperation(ctx, w, 'unwrap', label);
  if (WRAP_OF[w.template.family] !== env.algorithm) {
    throw new EngineError('DECRYPT_FAILED', `keys: this key was wrapped with ${env.algorithm}, which ${withArticle(w.template.name)} key does not do`);
  }
  if (!isTemplateName(env.template)) throw new MalformedInputError('keys: the wrapped key names an unknown template');
  const t = templateOf(env.template);
  if (!(await ctx.supports(t.name))) throw new EngineError('UNSUPPORTED', `keys: this browser does not offer ${t.label}`);
  const secret = t.kind === 'secret';
  const shapeOk =
    env.parts.length === (t.family === 'fernet' ? 2 : 1) &&
    (secret ? env.spki.length === 0 && env.fingerprint.kind === 'kcv' : env.spki.length > 0 && env.fingerprint.kind === 'spki-sha256' && env.algorithm === 'AES-GCM');
  if (!shapeOk) throw new MalformedInputError(`keys: the wrapped key's envelope does not fit a ${t.name} key`);

  const unwrappingKey = env.algorithm === 'RSA-OAEP' ? need(w.material.privateKey, 'private key') : need(w.material.secret, 'secret key');
  const keys: CryptoKey[] = [];
  for (const [i, part] of env.parts.entries()) {
    const target = partTarget(t, i);
    keys.push(
      await attempt('DECRYPT_FAILED', 'keys: unwrapping failed: wrong wrapping key, or the wrapped key was altered', () =>
        ctx.subtle.unwrapKey(
          wrapFormat(t),
          part.data,
          unwrappingKey,
          wrapParams(env.algorithm, part.iv, boundAad(env.header, EMPTY, i)),
          target.algorithm,
          target.extractable,
          target.usages,
        ),
      ),
    );
  }
  const id = newKeyId(ctx);
  const material: KeyMaterialRecord =
    t.family === 'fernet' ? { id, macSecret: keys[0]!, secret: keys[1]! } : secret ? { id, secret: keys[0]! } : { id, privateKey: keys[0]! };
  if (!secret) {
    material.publicKey = await attempt('MALFORMED_INPUT', 'keys: the wrapped key carries an invalid public key', () =>
      ctx.subtle.importKey('spki', env.spki, importAlgorithm(t), true, t.usages.public ?? []),
    );
  }
  // Crypto first (fingerprint), then the storage transaction (SECURITY.md W3).
  const info = await describeKey(ctx, t, material, { name, owner, exportable: false, origin: 'unwrapped' });
  if (info.fingerprint.kind !== env.fingerprint.kind || info.fingerprint.value !== env.fingerprint.value) {
    throw new EngineError('DECRYPT_FAILED', 'keys: the unwrapped key does not match the fingerprint recorded when it was wrapped');
  }
  await storeNewKey(ctx, info, material);
  return info;
}
