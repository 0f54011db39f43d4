/**
 * Classic finite-field Diffie–Hellman as the seeds describe it (D5), with numbers small
 * enough to follow by hand: p = 23, g = 5 by default. A TEACHING AID ONLY: Clavis never
 * uses this to protect data (a 5-bit group is broken by trying every exponent, which the
 * walkthrough does). The real exchange is ECDH/X25519 with HKDF (session.ts). Steps are
 * reported by id with their numbers; the app words them, warns, and maps each onto the
 * real exchange.
 */
import { EngineError } from '../errors';
import type { RandomSource } from '../internal/random';

/** The largest modulus the teaching aid accepts. */
export const CLASSIC_DH_MAX_P = 1_000_003n;

export interface ClassicDhParams {
  p?: bigint | number;
  g?: bigint | number;
  /** Alice's secret exponent (random in [2, p−2] when absent). */
  a?: bigint | number;
  /** Bob's secret exponent (random when absent). */
  b?: bigint | number;
}

/** Which step of the exchange a line is. */
export type ClassicDhStepId = 'parameters' | 'alice-secret' | 'bob-secret' | 'alice-sends' | 'bob-sends' | 'alice-computes' | 'bob-computes' | 'eve-brute-force';

/**
 * One line of the walkthrough; numbers are decimal strings (BigInt does not serialise).
 * For `eve-brute-force` the value is the exponent found ('0' when none; see `bruteForce`).
 */
export interface ClassicDhStep {
  id: ClassicDhStepId;
  who: 'Alice' | 'Bob' | 'public' | 'Eve';
  formula: string;
  value: string;
}

export interface ClassicDhResult {
  teachingAidOnly: true;
  p: string;
  g: string;
  a: string;
  b: string;
  A: string;
  B: string;
  /** B^a mod p, computed by Alice. */
  sharedByAlice: string;
  /** A^b mod p, computed by Bob. */
  sharedByBob: string;
  steps: ClassicDhStep[];
  /** g^k mod p for k = 1 … p−1 (only for p ≤ 101): how g walks the group. */
  powers?: string[];
  /** An eavesdropper who tries every exponent finds Alice's secret (or an equivalent one). */
  bruteForce: { tries: number; foundExponent: string; sharedSecret: string };
}

/** b^e mod m by square and multiply. */
export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = ((base % mod) + mod) % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function isPrime(n: bigint): boolean {
  if (n < 2n) return false;
  for (let d = 2n; d * d <= n; d++) if (n % d === 0n) return false;
  return true;
}

function big(x: bigint | number | undefined, name: string): bigint | undefined {
  if (x === undefined) return undefined;
  if (typeof x === 'number' && !Number.isInteger(x)) throw new EngineError('INVALID_ARGUMENT', `exchange: ${name} must be a whole number`);
  // A whole number past 2^53 (say p = 2^127 − 1) is whole but far beyond this teaching aid.
  if (typeof x === 'number' && !Number.isSafeInteger(x)) {
    throw new EngineError(
      'INVALID_ARGUMENT',
      `exchange: ${name} is far too large for this teaching aid, which takes p up to ${CLASSIC_DH_MAX_P} so every step can be shown and broken; real exchanges use 2048-bit groups or elliptic curves (the key exchange above)`,
    );
  }
  return BigInt(x);
}

function randomExponent(random: RandomSource, p: bigint): bigint {
  // Rejection sampling in [2, p−2] from 32 random bits (p ≤ ~2^20).
  const range = p - 3n;
  const limit = (2n ** 32n / range) * range;
  for (;;) {
    const r = random(4);
    const v = BigInt(((r[0]! << 24) | (r[1]! << 16) | (r[2]! << 8) | r[3]!) >>> 0);
    if (v < limit) return 2n + (v % range);
  }
}

/**
 * The classic exchange step by step. @throws INVALID_ARGUMENT when p is not a prime in
 * [5, 1 000 003], g not in [2, p−1], or an exponent not in [1, p−2]
 */
export function classicDiffieHellman(random: RandomSource, params: ClassicDhParams = {}): ClassicDhResult {
  const p = big(params.p, 'p') ?? 23n;
  const g = big(params.g, 'g') ?? 5n;
  if (p < 5n || p > CLASSIC_DH_MAX_P || !isPrime(p)) throw new EngineError('INVALID_ARGUMENT', `exchange: p must be a prime between 5 and ${CLASSIC_DH_MAX_P} (this is a teaching aid)`);
  if (g < 2n || g > p - 1n) throw new EngineError('INVALID_ARGUMENT', 'exchange: g must be between 2 and p − 1');
  const a = big(params.a, 'a') ?? randomExponent(random, p);
  const b = big(params.b, 'b') ?? randomExponent(random, p);
  for (const [n, v] of [
    ['a', a],
    ['b', b],
  ] as const) {
    if (v < 1n || v > p - 2n) throw new EngineError('INVALID_ARGUMENT', `exchange: ${n} must be between 1 and p − 2`);
  }
  const A = modPow(g, a, p);
  const B = modPow(g, b, p);
  const sA = modPow(B, a, p);
  const sB = modPow(A, b, p);
  // Eve sees p, g, A, B and tries every exponent.
  let found = 0n;
  let tries = 0;
  for (let k = 1n, x = g % p; k <= p - 2n; k++, x = (x * g) % p) {
    tries++;
    if (x === A) {
      found = k;
      break;
    }
  }
  const steps: ClassicDhStep[] = [
    { id: 'parameters', who: 'public', formula: `p = ${p}, g = ${g}`, value: `${p}, ${g}` },
    { id: 'alice-secret', who: 'Alice', formula: 'a', value: String(a) },
    { id: 'bob-secret', who: 'Bob', formula: 'b', value: String(b) },
    { id: 'alice-sends', who: 'Alice', formula: `${g}^${a} mod ${p}`, value: String(A) },
    { id: 'bob-sends', who: 'Bob', formula: `${g}^${b} mod ${p}`, value: String(B) },
    { id: 'alice-computes', who: 'Alice', formula: `${B}^${a} mod ${p}`, value: String(sA) },
    { id: 'bob-computes', who: 'Bob', formula: `${A}^${b} mod ${p}`, value: String(sB) },
    { id: 'eve-brute-force', who: 'Eve', formula: `find k with ${g}^k mod ${p} = ${A}`, value: String(found) },
  ];
  const out: ClassicDhResult = {
    teachingAidOnly: true,
    p: String(p),
    g: String(g),
    a: String(a),
    b: String(b),
    A: String(A),
    B: String(B),
    sharedByAlice: String(sA),
    sharedByBob: String(sB),
    steps,
    bruteForce: { tries, foundExponent: String(found), sharedSecret: String(found ? modPow(B, found, p) : 0n) },
  };
  if (p <= 101n) {
    const powers: string[] = [];
    for (let k = 1n, x = g % p; k <= p - 1n; k++, x = (x * g) % p) powers.push(String(x));
    out.powers = powers;
  }
  return out;
}
