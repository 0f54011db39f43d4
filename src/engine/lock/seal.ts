// The vault lock's cryptography: the passphrase-derived wrapping key, its verifier, and sealing and opening key material under it.
import { EngineError } from '../errors';
import { utf8 } from '../internal/bytes';
import { randomId, type RandomSource } from '../internal/random';
import type { KeyMaterialRecord, SealedMaterial, SealedPiece } from '../storage/schema';
import { LOCK_ITERATIONS, LOCK_SALT_BYTES, PIECES, hasExtractablePiece } from './basics';

/** The `meta` key of the lock's configuration. */
export const LOCK_META_KEY = 'vaultLock';

const VERIFIER_TEXT = 'clavis vault lock v1';
type PieceName = (typeof PIECES)[number];

/** The lock's configuration as stored in `meta` (no secret in it). */
export interface LockConfig {
  v: 1;
  salt: Uint8Array<ArrayBuffer>;
  iterations: number;
  verifier: { iv: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> };
  idleTimeoutMs: number;
  /** Changes with every enable and passphrase change (the storage guard compares it). */
  stamp: string;
  enabledAt: string;
}

/** VAULT_LOCKED: what every use of sealed material meets while the vault is locked. */
export function lockedError(): EngineError {
  return new EngineError('VAULT_LOCKED', 'lock: the vault is locked; unlock it with its passphrase to make or use exportable keys (non-extractable keys keep working)');
}

/** WRONG_PASSPHRASE, keeping the cause when there is one. */
export function wrongPassphrase(cause?: unknown): EngineError {
  return new EngineError('WRONG_PASSPHRASE', 'lock: that is not the vault passphrase; nothing was changed', cause === undefined ? undefined : { cause });
}

function aad(id: string, field: PieceName): Uint8Array<ArrayBuffer> {
  return utf8(`clavis-vault-lock\u0000${id}\u0000${field}`);
}

/** True when a stored `meta` value is a lock configuration this version reads. */
export function isLockConfig(v: unknown): v is LockConfig {
  const c = v as LockConfig | undefined;
  return !!c && c.v === 1 && c.salt instanceof Uint8Array && typeof c.iterations === 'number' && typeof c.stamp === 'string' && !!c.verifier;
}

/** PBKDF2 from the passphrase to the non-extractable AES-GCM-256 wrapping key. @throws UNSUPPORTED */
export async function deriveWrappingKey(subtle: SubtleCrypto, passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const pass = utf8(passphrase);
  try {
    const base = await subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveKey']);
    return await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'lock: this browser could not run PBKDF2 for the passphrase', { cause: e });
  } finally {
    pass.fill(0);
  }
}

/**
 * Checks that `key` opens the configuration's verifier (the passphrase was right).
 * @throws when it does not (the caller audits the refusal and throws WRONG_PASSPHRASE)
 */
export async function openVerifier(subtle: SubtleCrypto, config: LockConfig, key: CryptoKey): Promise<void> {
  const plain = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: config.verifier.iv, additionalData: utf8(LOCK_META_KEY) }, key, config.verifier.ct));
  if (new TextDecoder().decode(plain) !== VERIFIER_TEXT) throw new Error('verifier mismatch');
}

/** A fresh configuration (new salt, verifier and stamp) and its wrapping key for `passphrase`. */
export async function newLockConfig(
  subtle: SubtleCrypto,
  random: RandomSource,
  passphrase: string,
  idleTimeoutMs: number,
  enabledAt: string,
): Promise<{ config: LockConfig; key: CryptoKey }> {
  const salt = random(LOCK_SALT_BYTES);
  const key = await deriveWrappingKey(subtle, passphrase, salt, LOCK_ITERATIONS);
  const iv = random(12);
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(LOCK_META_KEY) }, key, utf8(VERIFIER_TEXT)));
  return {
    key,
    config: { v: 1, salt, iterations: LOCK_ITERATIONS, verifier: { iv, ct }, idleTimeoutMs, stamp: randomId(random, 'lock'), enabledAt },
  };
}

/**
 * A sealed record as a locked vault offers it: the public half is there (verifying and
 * exporting a public key need no unlock); reading a sealed piece throws VAULT_LOCKED, so
 * every operation that needs the secret or private half is refused with that code.
 */
export function lockedView(m: KeyMaterialRecord): KeyMaterialRecord {
  const view: KeyMaterialRecord = { id: m.id };
  if (m.publicKey) view.publicKey = m.publicKey;
  for (const f of PIECES) {
    if (m[f]) view[f] = m[f];
    else if (m.sealed?.[f]) {
      Object.defineProperty(view, f, {
        enumerable: true,
        get: () => {
          throw lockedError();
        },
      });
    }
  }
  return view;
}

/** Seals one extractable piece: AES-GCM `wrapKey` with a fresh IV, bound to the key id and field. */
async function sealPiece(subtle: SubtleCrypto, random: RandomSource, key: CryptoKey, id: string, field: PieceName, piece: CryptoKey): Promise<SealedPiece> {
  const iv = random(12);
  let ct: Uint8Array<ArrayBuffer>;
  try {
    ct = new Uint8Array(await subtle.wrapKey('jwk', piece, key, { name: 'AES-GCM', iv, additionalData: aad(id, field) }));
  } catch (e) {
    throw new EngineError('UNSUPPORTED', `lock: this browser cannot seal a ${piece.algorithm.name} key`, { cause: e });
  }
  const alg = piece.algorithm as SealedPiece['algorithm'];
  // A plain copy of the algorithm (KeyAlgorithm objects clone, but RSA's carries a view).
  const algorithm = JSON.parse(JSON.stringify({ ...alg, publicExponent: undefined })) as SealedPiece['algorithm'];
  return { algorithm, usages: [...piece.usages], iv, ct };
}

async function openPiece(subtle: SubtleCrypto, key: CryptoKey, id: string, field: PieceName, p: SealedPiece): Promise<CryptoKey> {
  try {
    return await subtle.unwrapKey('jwk', p.ct, key, { name: 'AES-GCM', iv: p.iv, additionalData: aad(id, field) }, p.algorithm as AlgorithmIdentifier, true, p.usages);
  } catch (e) {
    throw new EngineError('DECRYPT_FAILED', 'lock: the sealed key material did not open (it was altered or belongs to another key)', { cause: e });
  }
}

/** Seals the extractable pieces of a record (others stay as they are). */
export async function sealRecord(subtle: SubtleCrypto, random: RandomSource, key: CryptoKey, m: KeyMaterialRecord): Promise<KeyMaterialRecord> {
  if (!hasExtractablePiece(m)) return m;
  const out: KeyMaterialRecord = { ...m };
  const sealed: SealedMaterial = { ...(m.sealed ?? {}) };
  for (const f of PIECES) {
    const piece = m[f];
    if (piece?.extractable) {
      sealed[f] = await sealPiece(subtle, random, key, m.id, f, piece);
      delete out[f];
    }
  }
  out.sealed = sealed;
  return out;
}

/** Opens the sealed pieces of a record (a record without any is returned as it is). */
export async function openRecord(subtle: SubtleCrypto, key: CryptoKey, m: KeyMaterialRecord): Promise<KeyMaterialRecord> {
  if (!m.sealed) return m;
  const out: KeyMaterialRecord = { ...m };
  delete out.sealed;
  for (const f of PIECES) {
    const p = m.sealed[f];
    if (p) out[f] = await openPiece(subtle, key, m.id, f, p);
  }
  return out;
}
