/** What every engine module receives: the injected dependencies, nothing global. */
import type { ClavisStorage } from '../storage/db';
import type { Clock } from '../internal/clock';
import type { RandomSource } from '../internal/random';
import type { FeatureProbe } from './features';

/**
 * Bulk symmetric work (large files) that must not run on the page's thread: Chromium
 * runs AES-GCM synchronously on the calling thread (SECURITY.md M7). The app backs this
 * with a Web Worker; tests and Node use the in-thread implementation.
 */
export interface BulkCipher {
  aesGcm(op: 'encrypt' | 'decrypt', key: CryptoKey, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer>;
}

export function inThreadBulkCipher(subtle: SubtleCrypto): BulkCipher {
  return {
    aesGcm: (op, key, iv, aad, data) =>
      op === 'encrypt'
        ? subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data)
        : subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, data),
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
}
