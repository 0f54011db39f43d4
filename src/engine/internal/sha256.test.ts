// The synchronous SHA-256 gives WebCrypto's digest for every length around the block boundaries, and the FIPS 180-4 examples.
import { describe, expect, it } from 'vitest';
import { toHex, utf8 } from './bytes';
import { sha256, sha256Hex } from './sha256';

describe('synchronous SHA-256', () => {
  it('hashes the FIPS 180-4 examples', () => {
    expect(sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(utf8('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('equals WebCrypto at every length from 0 to 300 bytes and on larger inputs', async () => {
    const lengths = [...Array.from({ length: 301 }, (_, i) => i), 1000, 4095, 4096, 65_536];
    for (const n of lengths) {
      const data = crypto.getRandomValues(new Uint8Array(n));
      const expected = toHex(await crypto.subtle.digest('SHA-256', data));
      expect(sha256Hex(data), `length ${n}`).toBe(expected);
      expect(toHex(sha256(data))).toBe(expected);
    }
  });

  it('hashes a view into a larger buffer by its own bytes only', async () => {
    const big = crypto.getRandomValues(new Uint8Array(200));
    const view = big.subarray(17, 150);
    expect(sha256Hex(view)).toBe(toHex(await crypto.subtle.digest('SHA-256', view.slice())));
  });
});
