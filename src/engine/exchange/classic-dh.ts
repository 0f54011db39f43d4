/**
 * Classic finite-field Diffie–Hellman as the seeds describe it (D5), with numbers small
 * enough to follow by hand: p = 23, g = 5 by default. A TEACHING AID ONLY: Clavis never
 * uses this to protect data (a 5-bit group is broken by trying every exponent, which the
 * walkthrough does). The real exchange is ECDH/X25519 with HKDF (session.ts); the table
 * `analogy` maps each step onto it.
 */
import { EngineError } from '../errors';
import type { RandomSource } from '../internal/random';

/** Shown with every result. */
export const CLASSIC_DH_WARNING = 'Teaching aid only: numbers this small protect nothing, and Clavis never uses finite-field DH to protect data.';

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

/** One line of the walkthrough; numbers are decimal strings (BigInt does not serialise). */
export interface ClassicDhStep {
  who: 'Alice' | 'Bob' | 'public' | 'Eve';
  what: string;
  formula: string;
  value: string;
}

export interface ClassicDhResult {
  teachingAidOnly: true;
  warning: string;
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
  /** The same structure in the real exchange. */
  analogy: Array<{ classic: string; ecdh: string }>;
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
    { who: 'public', what: 'Agree on a prime p and a generator g, in the open', formula: `p = ${p}, g = ${g}`, value: `${p}, ${g}` },
    { who: 'Alice', what: 'Picks a secret exponent a', formula: 'a', value: String(a) },
    { who: 'Bob', what: 'Picks a secret exponent b', formula: 'b', value: String(b) },
    { who: 'Alice', what: 'Sends A = g^a mod p', formula: `${g}^${a} mod ${p}`, value: String(A) },
    { who: 'Bob', what: 'Sends B = g^b mod p', formula: `${g}^${b} mod ${p}`, value: String(B) },
    { who: 'Alice', what: 'Computes the shared secret B^a mod p', formula: `${B}^${a} mod ${p}`, value: String(sA) },
    { who: 'Bob', what: 'Computes the shared secret A^b mod p', formula: `${A}^${b} mod ${p}`, value: String(sB) },
    {
      who: 'Eve',
      what: 'Sees p, g, A and B; with numbers this small she tries every exponent',
      formula: `find k with ${g}^k mod ${p} = ${A}`,
      value: found ? `k = ${found} after ${tries} tries, so the secret is ${modPow(B, found, p)}` : 'not found',
    },
  ];
  const out: ClassicDhResult = {
    teachingAidOnly: true,
    warning: CLASSIC_DH_WARNING,
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
    analogy: [
      { classic: 'public prime p and generator g', ecdh: 'a public curve (P-256, P-384 or Curve25519) and its base point G' },
      { classic: 'secret exponent a', ecdh: 'ephemeral private key d (a scalar), non-extractable, used once' },
      { classic: 'A = g^a mod p', ecdh: 'public key Q = d·G (point multiplication)' },
      { classic: 'shared secret B^a mod p = A^b mod p', ecdh: 'ECDH: d_A·Q_B = d_B·Q_A' },
      { classic: 'the secret used directly (in the seeds)', ecdh: 'the secret goes through HKDF-SHA-256 with the transcript hash to an AES-GCM-256 key' },
      { classic: 'nothing stops a man in the middle', ecdh: 'signatures over the transcript, chained to the Clavis CA' },
    ],
  };
  if (p <= 101n) {
    const powers: string[] = [];
    for (let k = 1n, x = g % p; k <= p - 1n; k++, x = (x * g) % p) powers.push(String(x));
    out.powers = powers;
  }
  return out;
}
