/**
 * Ephemeral keys and peer public keys of the key exchange (D1, E3, E4).
 *
 * - `generateEphemeral` makes a key pair whose private half is non-extractable and can
 *   agree exactly once: `agree` consumes it and drops the reference (single use).
 * - `importPeerKey` refuses invalid peer keys *at import*, each with a typed reason:
 *   a key on another curve, a point not on the curve, a compressed point (not accepted,
 *   so every browser behaves the same), a malformed or truncated encoding. It takes the
 *   raw public value (uncompressed EC point 04‖X‖Y, or the 32-byte X25519 u-coordinate)
 *   or a DER SubjectPublicKeyInfo.
 * - `agree` refuses an all-zero X25519 output (RFC 7748 §6.1, a low-order point) and
 *   never hands the raw secret out as a key: callers feed it to HKDF (derive.ts).
 */
import { EngineError, KeyStateError, type EngineErrorCode } from '../errors';
import { copy } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { TAG, readSequence } from '../internal/der';
import { spkiAlgorithm } from '../keys/ecdsa-der';

/** Curves the exchange offers. X25519 only where the browser has it (feature-detected). */
export type ExchangeCurve = 'P-256' | 'P-384' | 'X25519';
export const EXCHANGE_CURVES: readonly ExchangeCurve[] = ['P-256', 'P-384', 'X25519'];

/** Bytes of a raw public value and of the shared secret, per curve. */
export const CURVE_SIZES: Record<ExchangeCurve, { publicBytes: number; secretBits: number }> = {
  'P-256': { publicBytes: 65, secretBits: 256 },
  'P-384': { publicBytes: 97, secretBits: 384 },
  X25519: { publicBytes: 32, secretBits: 256 },
};

/** Why a peer key was refused. */
export type PeerKeyProblem = 'wrong-curve' | 'not-on-curve' | 'compressed-point' | 'malformed' | 'low-order';

const PROBLEM_CODE: Record<PeerKeyProblem, EngineErrorCode> = {
  'wrong-curve': 'INVALID_ARGUMENT',
  'not-on-curve': 'MALFORMED_INPUT',
  'compressed-point': 'UNSUPPORTED',
  malformed: 'MALFORMED_INPUT',
  'low-order': 'INVALID_ARGUMENT',
};

/** A refused peer public key; `problem` says why (E4). */
export class PeerKeyError extends EngineError {
  readonly problem: PeerKeyProblem;
  constructor(problem: PeerKeyProblem, message: string, options?: { cause?: unknown }) {
    super(PROBLEM_CODE[problem], message, options);
    this.name = 'PeerKeyError';
    this.problem = problem;
  }
}

/** True when `x` names an exchange curve. */
export function isExchangeCurve(x: unknown): x is ExchangeCurve {
  return typeof x === 'string' && (EXCHANGE_CURVES as readonly string[]).includes(x);
}

/** Refuses an unknown curve, and X25519 where the browser lacks it. */
export async function requireCurve(ctx: EngineContext, curve: unknown): Promise<ExchangeCurve> {
  if (!isExchangeCurve(curve)) throw new EngineError('INVALID_ARGUMENT', `exchange: the curve must be one of ${EXCHANGE_CURVES.join(', ')}`);
  if (curve === 'X25519' && !(await ctx.supports('X25519'))) throw new EngineError('UNSUPPORTED', 'exchange: this browser does not offer X25519');
  return curve;
}

function algorithm(curve: ExchangeCurve): EcKeyImportParams | Algorithm {
  return curve === 'X25519' ? { name: 'X25519' } : { name: 'ECDH', namedCurve: curve };
}

/** An ephemeral key pair: the private half agrees once, then is gone. */
export interface Ephemeral {
  readonly curve: ExchangeCurve;
  /** Raw public value as sent on the wire. */
  readonly publicRaw: Uint8Array<ArrayBuffer>;
  /** True once the private key has been used (or dropped). */
  readonly destroyed: boolean;
  /** Drops the private key without using it. */
  destroy(): void;
  /** The private half, for `agree` only; undefined once destroyed. @internal */
  take(): CryptoKey;
}

/** Generates an ephemeral key pair; the private key is non-extractable. */
export async function generateEphemeral(ctx: EngineContext, curve: ExchangeCurve): Promise<Ephemeral> {
  const pair = (await ctx.subtle.generateKey(algorithm(curve) as EcKeyGenParams, false, ['deriveBits'])) as CryptoKeyPair;
  const publicRaw = new Uint8Array(await ctx.subtle.exportKey('raw', pair.publicKey));
  let priv: CryptoKey | undefined = pair.privateKey;
  return {
    curve,
    publicRaw,
    get destroyed() {
      return priv === undefined;
    },
    destroy() {
      priv = undefined;
    },
    take() {
      const k = priv;
      priv = undefined;
      if (!k) throw new KeyStateError('exchange: this ephemeral key was already used or destroyed; ephemeral keys are single use');
      return k;
    },
  };
}

const EC_SPKI_CURVES: Record<string, ExchangeCurve | undefined> = { 'P-256': 'P-256', 'P-384': 'P-384' };

function curveOfRawLength(len: number, first: number | undefined): ExchangeCurve | undefined {
  if (len === 32) return 'X25519';
  if (first === 0x04 && len === 65) return 'P-256';
  if (first === 0x04 && len === 97) return 'P-384';
  return undefined;
}

/** The BIT STRING of a SubjectPublicKeyInfo (the point), without its unused-bits byte. */
function spkiPoint(spki: Uint8Array): Uint8Array<ArrayBuffer> {
  const outer = readSequence(spki, 'SubjectPublicKeyInfo');
  outer.sequence('AlgorithmIdentifier');
  const bits = outer.expect(TAG.BIT_STRING, 'subjectPublicKey').content;
  if (bits.length < 2 || bits[0] !== 0) throw new PeerKeyError('malformed', 'exchange: the peer key’s BIT STRING is empty or has unused bits');
  return copy(bits.subarray(1));
}

/**
 * Imports a peer's public key for `curve`, or refuses it with a PeerKeyError (E4).
 * Returns the key and its raw public value (the form hashed into the transcript).
 */
export async function importPeerKey(ctx: EngineContext, curve: ExchangeCurve, input: Uint8Array): Promise<{ key: CryptoKey; raw: Uint8Array<ArrayBuffer> }> {
  if (!(input instanceof Uint8Array) || input.length === 0) throw new PeerKeyError('malformed', 'exchange: the peer public key is empty or not bytes');
  let raw: Uint8Array<ArrayBuffer>;
  if (input[0] === 0x30 && input.length !== CURVE_SIZES[curve].publicBytes) {
    // A DER SubjectPublicKeyInfo: its algorithm must name this curve.
    let alg;
    try {
      alg = spkiAlgorithm(input);
    } catch (e) {
      throw new PeerKeyError('malformed', 'exchange: the peer public key is not a valid SubjectPublicKeyInfo', { cause: e });
    }
    const named = alg.kind === 'x25519' ? 'X25519' : alg.kind === 'ec' ? (EC_SPKI_CURVES[alg.curve] ?? `EC ${alg.curve}`) : 'not an elliptic-curve key';
    if (named !== curve) throw new PeerKeyError('wrong-curve', `exchange: the peer public key is ${named.startsWith('not') ? named : `on ${named}`}, but this exchange uses ${curve}`);
    try {
      raw = spkiPoint(input);
    } catch (e) {
      if (e instanceof PeerKeyError) throw e;
      throw new PeerKeyError('malformed', 'exchange: the peer public key is not a valid SubjectPublicKeyInfo', { cause: e });
    }
  } else {
    raw = copy(input);
  }
  const want = CURVE_SIZES[curve].publicBytes;
  if (curve !== 'X25519') {
    if ((raw[0] === 0x02 || raw[0] === 0x03) && raw.length === (want - 1) / 2 + 1) {
      throw new PeerKeyError('compressed-point', `exchange: the peer sent a compressed ${curve} point; Clavis accepts only uncompressed points (04‖X‖Y)`);
    }
  }
  if (raw.length !== want || (curve !== 'X25519' && raw[0] !== 0x04)) {
    const other = curveOfRawLength(raw.length, raw[0]);
    if (other && other !== curve) throw new PeerKeyError('wrong-curve', `exchange: the peer public key has the size of a ${other} key, but this exchange uses ${curve}`);
    throw new PeerKeyError('malformed', `exchange: a ${curve} public key is ${want} bytes${curve === 'X25519' ? '' : ' starting with 04'}; the peer sent ${raw.length} bytes`);
  }
  let key: CryptoKey;
  try {
    key = await ctx.subtle.importKey('raw', raw, algorithm(curve), true, []);
  } catch (e) {
    throw new PeerKeyError('not-on-curve', `exchange: the peer public key is not a point on ${curve}`, { cause: e });
  }
  return { key, raw };
}

/**
 * ECDH/X25519 with a peer key, consuming the ephemeral private key (single use).
 * @throws PeerKeyError('low-order') for an all-zero or refused X25519 result; KEY_STATE when already used
 */
export async function agree(ctx: EngineContext, own: Ephemeral, peer: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  const priv = own.take();
  const name = own.curve === 'X25519' ? 'X25519' : 'ECDH';
  let bits: Uint8Array<ArrayBuffer>;
  try {
    bits = new Uint8Array(await ctx.subtle.deriveBits({ name, public: peer } as EcdhKeyDeriveParams, priv, CURVE_SIZES[own.curve].secretBits));
  } catch (e) {
    throw new PeerKeyError('low-order', 'exchange: key agreement with the peer key failed (a low-order or invalid point)', { cause: e });
  }
  if (bits.every((b) => b === 0)) throw new PeerKeyError('low-order', 'exchange: key agreement gave an all-zero secret (a low-order peer point)');
  return bits;
}

/** Same as `agree` for a long-term (static) private key, which is not consumed. */
export async function agreeStatic(ctx: EngineContext, curve: ExchangeCurve, priv: CryptoKey, peer: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  const name = curve === 'X25519' ? 'X25519' : 'ECDH';
  const bits = new Uint8Array(await ctx.subtle.deriveBits({ name, public: peer } as EcdhKeyDeriveParams, priv, CURVE_SIZES[curve].secretBits));
  if (bits.every((b) => b === 0)) throw new PeerKeyError('low-order', 'exchange: key agreement gave an all-zero secret (a low-order peer point)');
  return bits;
}
