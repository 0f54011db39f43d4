/** What every engine module receives: the injected dependencies, nothing global. */
import type { ClavisStorage } from '../storage/db';
import type { Clock } from '../internal/clock';
import type { KeyMaterialRecord } from '../storage/schema';
import type { RandomSource } from '../internal/random';
import type { FeatureProbe } from './features';

/**
 * Bulk symmetric work (large files) that must not run on the page's thread: Chromium
 * runs AES-GCM synchronously on the calling thread (SECURITY.md M7). The app backs this
 * with a Web Worker; tests and Node use the in-thread implementation.
 */
export interface BulkCipher {
  aesGcm(op: 'encrypt' | 'decrypt', key: CryptoKey, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
  /**
   * AES-GCM encryption whose result is `prefix || ciphertext` in one buffer, joined where
   * the cipher runs (in the worker for a large file), so the page never copies a large
   * result to put the envelope header in front of it. Optional: without it the engine
   * calls `aesGcm` and joins the two itself.
   */
  aesGcmEncryptAfter?(prefix: Uint8Array<ArrayBuffer>, key: CryptoKey, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}

/** `prefix || body` as one fresh buffer (the output of a BulkCipher call with a prefix). */
export function joinPrefix(prefix: Uint8Array | undefined, body: ArrayBuffer): ArrayBuffer {
  if (!prefix || prefix.length === 0) return body;
  const out = new Uint8Array(prefix.length + body.byteLength);
  out.set(prefix, 0);
  out.set(new Uint8Array(body), prefix.length);
  return out.buffer;
}

export function inThreadBulkCipher(subtle: SubtleCrypto): BulkCipher {
  return {
    aesGcm: (op, key, iv, aad, data) =>
      op === 'encrypt'
        ? subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data)
        : subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data),
    aesGcmEncryptAfter: async (prefix, key, iv, aad, data) => joinPrefix(prefix, await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data)),
  };
}

export interface EngineContext {
  crypto: Crypto;
  subtle: SubtleCrypto;
  storage: ClavisStorage;
  clock: Clock;
  /**
   * The time a module shows and judges by when its `clock` is the real one: the CA signs
   * and dates at real time, but verifies at the (possibly simulated) engine time.
   * Absent means `clock`.
   */
  viewClock?: Clock;
  random: RandomSource;
  bulk: BulkCipher;
  supports: FeatureProbe;
  /**
   * The vault lock (issue 16): opens sealed exportable material for one use. Absent in
   * contexts built without it (sealed material then reads as VAULT_LOCKED).
   */
  lock?: MaterialOpener;
}

/** What key use needs of the vault lock (lock/vault-lock.ts implements it): open sealed material for one use. */
export interface MaterialOpener {
  /** The record with its sealed pieces opened. @throws VAULT_LOCKED */
  open(m: KeyMaterialRecord): Promise<KeyMaterialRecord>;
}
