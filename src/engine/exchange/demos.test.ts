// D4 forward secrecy and D5 classic Diffie–Hellman (the teaching aid).
import { describe, expect, it } from 'vitest';
import { freshExchange } from '../../testing/exchange-fixtures';
import { classicDiffieHellman, modPow } from './classic-dh';

describe('D4: forward secrecy', () => {
  it.each(['P-256', 'P-384'] as const)('D4 (%s): after the long-term keys are stolen the ephemeral recording stays sealed; the static-key recording opens', async (curve) => {
    const { ex } = await freshExchange();
    const r = await ex.forwardSecrecyDemo({ curve, message: 'meet at noon' });
    // Each conversation is reported by kind; the screen titles it (features/exchange/copy.ts).
    expect([r.ephemeral.kind, r.static.kind]).toEqual(['ephemeral', 'static']);
    expect('title' in r.ephemeral || 'title' in r.static).toBe(false);
    expect(r.ephemeral.ephemeralKeysDestroyed).toBe(true);
    expect(r.ephemeral.recovered).toBeNull();
    // Each attempt is reported by kind (and whose keys); the screen words it (src/copy/exchange.ts).
    const ecdhAttempts = r.ephemeral.attempts.filter((a) => a.kind === 'long-term-with-ephemeral');
    expect(ecdhAttempts.map((a) => a.kind === 'long-term-with-ephemeral' && `${a.stolen}/${a.recorded}`)).toEqual(['Alice/Alice', 'Alice/Bob', 'Bob/Alice', 'Bob/Bob']);
    expect(ecdhAttempts.every((a) => !a.succeeded)).toBe(true);
    expect(r.ephemeral.attempts.find((a) => a.kind === 'use-ephemeral-keys')?.succeeded).toBe(false);
    // The theft does allow future impersonation.
    expect(r.ephemeral.attempts.find((a) => a.kind === 'sign-future-exchange')?.succeeded).toBe(true);
    expect(r.static.recovered).toBe('meet at noon');
    expect(r.static.attempts).toEqual([{ kind: 'static-with-static', succeeded: true }]);
    expect(r.ephemeral.recorded.map((x) => x.id)).toEqual(['alice-ephemeral-key', 'bob-ephemeral-key', 'nonces', 'alice-signature', 'bob-signature', 'iv', 'ciphertext']);
    expect(r.static.stolen.map((x) => x.id)).toEqual(['bob-ecdh-key']);
    // The report shows public values and fingerprints only.
    expect(JSON.stringify(r)).not.toMatch(/PRIVATE KEY/);
    expect(r.ephemeral.stolen.every((s) => /^[0-9a-f]{64}$/.test(s.value))).toBe(true);
  });

  it('D4: refuses other curves and empty messages', async () => {
    const { ex } = await freshExchange();
    await expect(ex.forwardSecrecyDemo({ curve: 'X25519' as 'P-256', message: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(ex.forwardSecrecyDemo({ message: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('D5: classic finite-field Diffie–Hellman (teaching aid)', () => {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

  it('D5: p = 23, g = 5, a = 6, b = 15 gives A = 8, B = 19 and the shared secret 2 on both sides', () => {
    const r = classicDiffieHellman(random, { p: 23, g: 5, a: 6, b: 15 });
    expect(r).toMatchObject({ teachingAidOnly: true, A: '8', B: '19', sharedByAlice: '2', sharedByBob: '2' });
    // Steps are ids with their numbers; the screen words them (src/copy/exchange.ts).
    expect(r.steps.map((s) => `${s.id} ${s.who} ${s.formula} = ${s.value}`)).toEqual([
      'parameters public p = 23, g = 5 = 23, 5',
      'alice-secret Alice a = 6',
      'bob-secret Bob b = 15',
      'alice-sends Alice 5^6 mod 23 = 8',
      'bob-sends Bob 5^15 mod 23 = 19',
      'alice-computes Alice 19^6 mod 23 = 2',
      'bob-computes Bob 8^15 mod 23 = 2',
      `eve-brute-force Eve find k with 5^k mod 23 = 8 = ${r.bruteForce.foundExponent}`,
    ]);
    expect(r.powers).toHaveLength(22);
    expect(r.powers![5]).toBe('8');
    // Eve finds an exponent that gives the same secret.
    expect(r.bruteForce.sharedSecret).toBe('2');
    expect(Number(r.bruteForce.tries)).toBeLessThanOrEqual(21);
    expect(JSON.stringify(r)).not.toMatch(/Teaching aid|secret exponent/);
  });

  it('D5: random exponents always agree', () => {
    for (let i = 0; i < 20; i++) {
      const r = classicDiffieHellman(random);
      expect(r.sharedByAlice).toBe(r.sharedByBob);
      expect(Number(r.a)).toBeGreaterThanOrEqual(2);
      expect(Number(r.a)).toBeLessThanOrEqual(21);
    }
    expect(modPow(5n, 6n, 23n)).toBe(8n);
  });

  it('D5: refuses non-primes, large moduli and out-of-range values', () => {
    for (const p of [{ p: 21 }, { p: 1_000_033 }, { p: 2 }, { g: 23 }, { a: 0 }, { b: 22 }, { p: 1.5 }]) {
      expect(() => classicDiffieHellman(random, p)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
