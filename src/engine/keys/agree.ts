// Key agreement into new vault keys: ECDH and X25519 with a peer (deriveKey), ML-KEM-768 encapsulation.
import { EngineError, MalformedInputError } from '../errors';
import { assertBytes } from '../internal/assert';
import { concat, copy, fromUtf8Lenient, utf8 } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import type { EngineContext } from './context';
import { spkiAlgorithm, type SpkiAlgorithm } from './ecdsa-der';
import { decodePem, pemCharsFor, type PemBlock } from './pem';
import { curveOf } from './sign';
import { need, requireOperation, withArticle, type NewKeyLabel } from './use-common';
import { cleanLabel, describeKey, loadKey, newKeyId, storeNewKey, templateOf } from './vault';
import { importAlgorithm } from './wrap';

/** HKDF salt of `deriveKey`: a fixed public label (RFC 5869 §3.1 allows a non-secret constant). */
export const DERIVE_SALT = utf8('Clavis derive v1 salt');
/** HKDF info prefix of `deriveKey`; followed by the template name and both SPKI fingerprints. */
export const DERIVE_INFO_LABEL = 'Clavis derive v1';
/** HKDF salt of `encapsulate`/`decapsulate`. */
export const KEM_SALT = utf8('Clavis ML-KEM v1 salt');
/** HKDF info prefix of `encapsulate`/`decapsulate`; followed by the SPKI fingerprint and SHA-256 of the ciphertext. */
export const KEM_INFO_LABEL = 'Clavis ML-KEM v1';

const SHARED_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 528, X25519: 256 };

/** Reads a peer public key: DER SPKI bytes, or PEM text (as a string or bytes). */
function peerSpki(peer: Uint8Array | string): Uint8Array<ArrayBuffer> {
  let text: string | null = null;
  if (typeof peer === 'string') text = peer;
  else if (peer instanceof Uint8Array) {
    if (peer.length > 10 && peer[0] === 0x2d /* '-' */) text = fromUtf8Lenient(peer);
    else return copy(peer);
  } else {
    throw new EngineError('INVALID_ARGUMENT', 'keys: the peer public key must be SPKI DER bytes or PEM text');
  }
  // The one strict, linear-time PEM codec, capped well above any public key (issue 14 #9).
  let blocks: PemBlock[];
  try {
    blocks = decodePem(text, { maxChars: pemCharsFor(MAX_PEER_SPKI_BYTES) });
  } catch (e) {
    throw new MalformedInputError('keys: the peer public key is not a PEM "PUBLIC KEY" block', { cause: e });
  }
  if (blocks.length !== 1 || blocks[0]!.label !== 'PUBLIC KEY') throw new MalformedInputError('keys: the peer public key is not a PEM "PUBLIC KEY" block');
  return blocks[0]!.der;
}

/** Largest peer public key read: an RSA-16384 SPKI is about 2 KiB, ML-KEM-1024 about 1.6 KiB. */
const MAX_PEER_SPKI_BYTES = 16 * 1024;

async function sha256(ctx: EngineContext, b: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.digest('SHA-256', b));
}

/** Byte-wise comparison for ordering the two fingerprints. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * HKDF info of `deriveKey`: the label, the template, and both parties' SPKI SHA-256
 * fingerprints in ascending byte order, so both sides compute the same bytes.
 */
export function deriveInfo(templateName: string, fpA: Uint8Array, fpB: Uint8Array): Uint8Array<ArrayBuffer> {
  const [lo, hi] = compareBytes(fpA, fpB) <= 0 ? [fpA, fpB] : [fpB, fpA];
  return concat(utf8(DERIVE_INFO_LABEL), Uint8Array.of(0), utf8(templateName), Uint8Array.of(0), lo, hi);
}

/** HKDF-SHA-256 from shared bits to a new non-extractable AES-256-GCM vault key. */
async function storeSharedKey(
  ctx: EngineContext,
  ikm: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  hkdfInfo: Uint8Array<ArrayBuffer>,
  label: { name: string; owner: string },
): Promise<KeyInfo> {
  const aes = templateOf('AES-GCM-256');
  let secret: CryptoKey;
  try {
    const base = await ctx.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveKey']);
    secret = await ctx.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: hkdfInfo }, base, { name: 'AES-GCM', length: 256 }, false, aes.usages.secret ?? []);
  } finally {
    ikm.fill(0);
  }
  const material: KeyMaterialRecord = { id: newKeyId(ctx), secret };
  const info = await describeKey(ctx, aes, material, { ...label, exportable: false, origin: 'derived' });
  await storeNewKey(ctx, info, material);
  return info;
}

/**
 * Agrees a key with a peer: ECDH (P-256/384/521) or X25519 between this vault key and
 * the peer's public key (SPKI DER bytes or PEM), then HKDF-SHA-256 (salt `DERIVE_SALT`,
 * info `deriveInfo(...)`) to a new non-extractable AES-256-GCM vault key (origin
 * `derived`). The raw shared secret is never used as a key. Both parties get keys with
 * the same KCV.
 * @throws KEY_NOT_FOUND, KEY_STATE, INVALID_ARGUMENT (curve mismatch, degenerate point),
 * MALFORMED_INPUT (not SPKI/PEM, or not a point on the curve)
 */
export async function deriveKey(ctx: EngineContext, privateKeyId: string, peerPublicKey: Uint8Array | string, label: NewKeyLabel): Promise<KeyInfo> {
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const k = await loadKey(ctx, privateKeyId);
  requireOperation(ctx, k, 'derive');
  const t = k.template;
  const spki = peerSpki(peerPublicKey);
  let peerAlg: SpkiAlgorithm;
  try {
    peerAlg = spkiAlgorithm(spki);
  } catch (e) {
    throw new MalformedInputError('keys: the peer public key is not a DER SubjectPublicKeyInfo', { cause: e });
  }
  const curve = t.family === 'x25519' ? 'X25519' : curveOf(t);
  const peerCurve = peerAlg.kind === 'x25519' ? 'X25519' : peerAlg.kind === 'ec' ? (peerAlg.curve === 'other' ? 'another curve' : peerAlg.curve) : 'not an elliptic-curve key';
  if (peerCurve !== curve) {
    throw new EngineError('INVALID_ARGUMENT', `keys: the peer public key is ${peerCurve === 'not an elliptic-curve key' ? peerCurve : `on ${peerCurve}`}, but this is ${withArticle(t.name)} key; both sides must use the same curve`);
  }
  const peer = await attempt('MALFORMED_INPUT', `keys: the peer public key is not a valid ${curve} public key (a point not on the curve, or a bad encoding)`, () =>
    ctx.subtle.importKey('spki', spki, importAlgorithm(t), true, []),
  );
  const bits = new Uint8Array(
    await attempt('INVALID_ARGUMENT', 'keys: key agreement with this peer key failed (a low-order or invalid point)', () =>
      ctx.subtle.deriveBits({ name: t.family === 'x25519' ? 'X25519' : 'ECDH', public: peer } as EcdhKeyDeriveParams, need(k.material.privateKey, 'private key'), SHARED_BITS[curve]!),
    ),
  );
  // RFC 7748 §6.1: an all-zero X25519 output means a low-order peer point.
  if (bits.every((x) => x === 0)) throw new EngineError('INVALID_ARGUMENT', 'keys: key agreement with this peer key gave an all-zero secret (a low-order point)');
  const own = new Uint8Array(await ctx.subtle.exportKey('spki', need(k.material.publicKey, 'public key')));
  const hkdfInfo = deriveInfo(t.name, await sha256(ctx, own), await sha256(ctx, spki));
  return storeSharedKey(ctx, bits, DERIVE_SALT, hkdfInfo, { name, owner });
}

/** The WebCrypto "modern algorithms" KEM calls (Chromium); absent from TypeScript's lib. */
interface KemSubtle {
  encapsulateBits?(algorithm: AlgorithmIdentifier, encapsulationKey: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
  decapsulateBits?(algorithm: AlgorithmIdentifier, decapsulationKey: CryptoKey, ciphertext: BufferSource): Promise<ArrayBuffer>;
}

/** ML-KEM-768 ciphertext length (FIPS 203 Table 3). */
export const ML_KEM_768_CIPHERTEXT_BYTES = 1088;

async function kemInfo(ctx: EngineContext, publicKey: CryptoKey, ciphertext: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const spki = new Uint8Array(await ctx.subtle.exportKey('spki', publicKey));
  return concat(utf8(KEM_INFO_LABEL), Uint8Array.of(0), await sha256(ctx, spki), await sha256(ctx, ciphertext));
}

function kemSubtle(ctx: EngineContext): KemSubtle {
  return ctx.subtle as unknown as KemSubtle;
}

/**
 * ML-KEM-768: encapsulates a fresh shared secret to the key's public half. The secret
 * goes through HKDF-SHA-256 (info binds the public key and the ciphertext) into a new
 * non-extractable AES-256-GCM vault key; send `ciphertext` to the private key's holder.
 * @throws KEY_NOT_FOUND, KEY_STATE, UNSUPPORTED
 */
export async function encapsulate(ctx: EngineContext, id: string, label: NewKeyLabel): Promise<{ ciphertext: Uint8Array; key: KeyInfo }> {
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'encapsulate');
  const kem = kemSubtle(ctx);
  if (typeof kem.encapsulateBits !== 'function') throw new EngineError('UNSUPPORTED', 'keys: this browser does not offer ML-KEM encapsulation');
  const publicKey = need(k.material.publicKey, 'public key');
  const r = await attempt('UNSUPPORTED', 'keys: this browser could not encapsulate with ML-KEM-768', () => kem.encapsulateBits!.call(ctx.subtle, { name: 'ML-KEM-768' }, publicKey));
  const ciphertext = new Uint8Array(r.ciphertext);
  const key = await storeSharedKey(ctx, new Uint8Array(r.sharedKey), KEM_SALT, await kemInfo(ctx, publicKey, ciphertext), { name, owner });
  return { ciphertext, key };
}

/**
 * ML-KEM-768: recovers the shared secret from `ciphertext` with the private key, as a new
 * AES-256-GCM vault key with the same KCV as the encapsulating side's. ML-KEM rejects
 * implicitly: a tampered ciphertext yields a different, useless key, not an error.
 * @throws KEY_NOT_FOUND, KEY_STATE, MALFORMED_INPUT (wrong length), UNSUPPORTED
 */
export async function decapsulate(ctx: EngineContext, id: string, ciphertext: Uint8Array, label: NewKeyLabel): Promise<KeyInfo> {
  assertBytes(ciphertext, 'ciphertext');
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'decapsulate', label);
  if (ciphertext.length !== ML_KEM_768_CIPHERTEXT_BYTES) {
    throw new MalformedInputError(`keys: an ML-KEM-768 ciphertext is ${ML_KEM_768_CIPHERTEXT_BYTES} bytes, got ${ciphertext.length}`);
  }
  const kem = kemSubtle(ctx);
  if (typeof kem.decapsulateBits !== 'function') throw new EngineError('UNSUPPORTED', 'keys: this browser does not offer ML-KEM decapsulation');
  const ct = copy(ciphertext);
  const privateKey = need(k.material.privateKey, 'private key');
  const shared = await attempt('DECRYPT_FAILED', 'keys: ML-KEM decapsulation failed', () => kem.decapsulateBits!.call(ctx.subtle, { name: 'ML-KEM-768' }, privateKey, ct));
  return storeSharedKey(ctx, new Uint8Array(shared), KEM_SALT, await kemInfo(ctx, need(k.material.publicKey, 'public key'), ct), { name, owner });
}
