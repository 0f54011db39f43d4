/**
 * ECDSA signature encodings and the little DER this module needs.
 *
 * WebCrypto signs ECDSA as `r || s` (each integer left-padded to the curve's byte size,
 * IEEE P1363). openssl, Python, Java and X.509 use the ASN.1 form
 * `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3, SEC 1 §C.5).
 *
 * Common case: `rawToDer(await subtle.sign(...))` to hand a signature out, and
 * `derToRaw(sig, 32)` before `subtle.verify` on P-256.
 *
 * Parsing is strict DER through the engine's one reader (src/engine/internal/der.ts):
 * minimal lengths, minimal non-negative INTEGERs, no trailing bytes. BER leniency here
 * would make signatures malleable (SECURITY.md P9).
 *
 * This module also identifies the algorithm of a SubjectPublicKeyInfo (`spkiAlgorithm`)
 * so key agreement can name a curve mismatch instead of a bare import failure.
 */
import { MalformedInputError } from '../errors';
import { concat } from '../internal/bytes';
import { TAG, decodeOid, decodeUnsignedInteger, encodeSequence, encodeUnsignedInteger, readSequence } from '../internal/der';
import * as OID from '../internal/oids';

/** Byte length of one ECDSA integer (r or s) on a named curve. */
export const EC_SCALAR_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;

/** The NIST curves WebCrypto offers for ECDSA and ECDH. */
export type NamedCurve = keyof typeof EC_SCALAR_BYTES;

const fail = (what: string): never => {
  throw new MalformedInputError(`der: ${what}`);
};

/**
 * Converts a WebCrypto `r || s` signature to DER `ECDSA-Sig-Value` with minimal
 * INTEGERs (leading zeros stripped, a zero byte added where the high bit is set).
 * @throws MALFORMED_INPUT when `raw` has odd length or is empty.
 */
export function rawToDer(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  if (raw.length === 0 || raw.length % 2 !== 0) fail('an r||s signature has two equal halves');
  const half = raw.length / 2;
  return encodeSequence(encodeUnsignedInteger(raw.subarray(0, half)), encodeUnsignedInteger(raw.subarray(half)));
}

/** An unsigned INTEGER magnitude left-padded to `size` bytes. */
function padded(magnitude: Uint8Array, size: number): Uint8Array {
  if (magnitude.length > size) fail('an INTEGER is too large for the curve');
  const value = new Uint8Array(size);
  value.set(magnitude, size - magnitude.length);
  return value;
}

/**
 * Converts a DER `ECDSA-Sig-Value` to WebCrypto's `r || s`, each half `size` bytes
 * (32, 48 or 66 for P-256, P-384, P-521).
 * @throws MALFORMED_INPUT for anything that is not exactly one strict DER signature.
 */
export function derToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const sig = readSequence(der, 'ECDSA-Sig-Value');
  const r = decodeUnsignedInteger(sig.expect(TAG.INTEGER, 'r'), 'r');
  const s = decodeUnsignedInteger(sig.expect(TAG.INTEGER, 's'), 's');
  sig.end();
  return concat(padded(r, size), padded(s, size));
}

/** The algorithm a SubjectPublicKeyInfo names, as far as key agreement cares. */
export type SpkiAlgorithm =
  | { kind: 'ec'; curve: NamedCurve | 'other' }
  | { kind: 'x25519' }
  | { kind: 'other' };

const CURVE_BY_OID: Record<string, NamedCurve> = { [OID.p256]: 'P-256', [OID.p384]: 'P-384', [OID.p521]: 'P-521' };

/**
 * Reads the AlgorithmIdentifier of a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
 * Only checks the outer structure; the point itself is checked by `importKey`.
 * @throws MALFORMED_INPUT when `spki` is not a SubjectPublicKeyInfo.
 */
export function spkiAlgorithm(spki: Uint8Array): SpkiAlgorithm {
  const outer = readSequence(spki, 'SubjectPublicKeyInfo');
  const algId = outer.sequence('AlgorithmIdentifier');
  outer.expect(TAG.BIT_STRING, 'subjectPublicKey');
  outer.end();
  const algorithm = decodeOid(algId.expect(TAG.OID, 'algorithm'));
  if (algorithm === OID.x25519) return { kind: 'x25519' };
  if (algorithm === OID.ecPublicKey) {
    const param = algId.optional(TAG.OID, 'named curve');
    const curve = param ? CURVE_BY_OID[decodeOid(param, 'the named curve')] : undefined;
    return { kind: 'ec', curve: curve ?? 'other' };
  }
  return { kind: 'other' };
}
