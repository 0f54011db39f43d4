/** Randomness: every id, IV, nonce and salt comes from crypto.getRandomValues. */
import { toHex } from './bytes';

export type RandomSource = (n: number) => Uint8Array<ArrayBuffer>;

export function cryptoRandom(crypto: Crypto): RandomSource {
  return (n) => crypto.getRandomValues(new Uint8Array(n));
}

/** A 128-bit random identifier with a readable prefix, e.g. `key_3f9a…`. */
export function randomId(random: RandomSource, prefix: string): string {
  return `${prefix}_${toHex(random(16))}`;
}
