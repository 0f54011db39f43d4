// The classic Diffie–Hellman teaching aid explains what is wrong with its input: a
// Mersenne prime like 2^127 − 1 is whole, just too large; 2.5 is not whole.
import { describe, expect, it } from 'vitest';
import { cryptoRandom } from '../internal/random';
import { CLASSIC_DH_MAX_P, classicDiffieHellman } from './classic-dh';

const random = cryptoRandom(crypto);

describe('classic Diffie–Hellman input messages', () => {
  it('p = 2^127 − 1 (as a page reads it: a number past 2^53) is "far too large", not "not a whole number"', () => {
    const p = Number('170141183460469231731687303715884105727');
    const e = (() => {
      try {
        classicDiffieHellman(random, { p });
      } catch (x) {
        return x as { code: string; message: string };
      }
      throw new Error('accepted');
    })();
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain('p is far too large');
    expect(e.message).toContain(String(CLASSIC_DH_MAX_P));
    expect(e.message).not.toContain('whole number');
  });

  it('a fraction is still "must be a whole number", and a big prime as a bigint gets the range message', () => {
    expect(() => classicDiffieHellman(random, { p: 2.5 })).toThrow(/p must be a whole number/);
    expect(() => classicDiffieHellman(random, { p: 2n ** 127n - 1n })).toThrow(/p must be a prime between 5 and/);
  });
});
