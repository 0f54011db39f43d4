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
 * Parsing is strict DER: minimal lengths, minimal non-negative INTEGERs, no trailing
 * bytes. BER leniency here would make signatures malleable (SECURITY.md P9).
 *
 * This module also identifies the algorithm of a SubjectPublicKeyInfo (`spkiAlgorithm`)
 * so key agreement can name a curve mismatch instead of a bare import failure.
 */
import { MalformedInputError } from '../errors';
import { concat } from '../internal/bytes';

/** Byte length of one ECDSA integer (r or s) on a named curve. */
export const EC_SCALAR_BYTES = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;

/** The NIST curves WebCrypto offers for ECDSA and ECDH. */
export type NamedCurve = keyof typeof EC_SCALAR_BYTES;

/** One DER element: tag, contents, and where the next element starts. */
export interface DerElement {
  tag: number;
  /** Offset of the contents within the input. */
  start: number;
  /** Offset just past the contents. */
  end: number;
}

const fail = (what: string): never => {
  throw new MalformedInputError(`der: ${what}`);
};

/**
 * Reads one DER TLV at `offset` (single-byte tags only, definite minimal lengths).
 * @throws MALFORMED_INPUT when the element is truncated or not DER.
 */
export function readDer(b: Uint8Array, offset: number, limit: number = b.length): DerElement {
  if (offset + 2 > limit) fail('truncated element');
  const tag = b[offset]!;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte tags are not supported');
  let len = b[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) fail('indefinite length is not DER');
    if (n > 3) fail('element too long');
    if (start + n > limit) fail('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    if (b[start] === 0) fail('non-minimal length');
    if (len < 0x80) fail('long-form length for a short element');
    start += n;
  }
  const end = start + len;
  if (end > limit) fail('truncated contents');
  return { tag, start, end };
}

/** DER length octets for `n`. */
function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  if (n < 0x100) return Uint8Array.of(0x81, n);
  return Uint8Array.of(0x82, n >> 8, n & 0xff);
}

/** A minimal non-negative DER INTEGER whose value is the unsigned big-endian `v`. */
function derUnsignedInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  let body = v.subarray(i);
  if (body.length === 0) body = Uint8Array.of(0);
  // A set high bit would read as negative: prefix a zero byte.
  if (body[0]! & 0x80) body = concat(Uint8Array.of(0), body);
  return concat(Uint8Array.of(0x02), derLength(body.length), body);
}

/**
 * Converts a WebCrypto `r || s` signature to DER `ECDSA-Sig-Value` with minimal
 * INTEGERs (leading zeros stripped, a zero byte added where the high bit is set).
 * @throws MALFORMED_INPUT when `raw` has odd length or is empty.
 */
export function rawToDer(raw: Uint8Array): Uint8Array<ArrayBuffer> {
  if (raw.length === 0 || raw.length % 2 !== 0) fail('an r||s signature has two equal halves');
  const half = raw.length / 2;
  const body = concat(derUnsignedInteger(raw.subarray(0, half)), derUnsignedInteger(raw.subarray(half)));
  return concat(Uint8Array.of(0x30), derLength(body.length), body);
}

/** Reads one strict DER INTEGER as an unsigned value left-padded to `size` bytes. */
function readUnsignedInteger(b: Uint8Array, offset: number, limit: number, size: number): { value: Uint8Array; next: number } {
  const el = readDer(b, offset, limit);
  if (el.tag !== 0x02) fail('expected an INTEGER');
  const len = el.end - el.start;
  if (len === 0) fail('empty INTEGER');
  const first = b[el.start]!;
  if (first & 0x80) fail('negative INTEGER in a signature');
  if (first === 0 && len > 1 && !(b[el.start + 1]! & 0x80)) fail('non-minimal INTEGER');
  let v = b.subarray(el.start, el.end);
  if (v[0] === 0 && v.length > 1) v = v.subarray(1);
  if (v.length > size) fail('INTEGER too large for the curve');
  const value = new Uint8Array(size);
  value.set(v, size - v.length);
  return { value, next: el.end };
}

/**
 * Converts a DER `ECDSA-Sig-Value` to WebCrypto's `r || s`, each half `size` bytes
 * (32, 48 or 66 for P-256, P-384, P-521).
 * @throws MALFORMED_INPUT for anything that is not exactly one strict DER signature.
 */
export function derToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const seq = readDer(der, 0);
  if (seq.tag !== 0x30) fail('expected a SEQUENCE');
  if (seq.end !== der.length) fail('trailing bytes after the signature');
  const r = readUnsignedInteger(der, seq.start, seq.end, size);
  const s = readUnsignedInteger(der, r.next, seq.end, size);
  if (s.next !== seq.end) fail('extra elements in the signature');
  return concat(r.value, s.value);
}

/** The algorithm a SubjectPublicKeyInfo names, as far as key agreement cares. */
export type SpkiAlgorithm =
  | { kind: 'ec'; curve: NamedCurve | 'other' }
  | { kind: 'x25519' }
  | { kind: 'other' };

const OID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01); // 1.2.840.10045.2.1
const OID_X25519 = Uint8Array.of(0x2b, 0x65, 0x6e); // 1.3.101.110
const CURVE_OIDS: Array<[NamedCurve, Uint8Array]> = [
  ['P-256', Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07)], // 1.2.840.10045.3.1.7
  ['P-384', Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x22)], // 1.3.132.0.34
  ['P-521', Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x23)], // 1.3.132.0.35
];

function sameBytes(b: Uint8Array, start: number, end: number, want: Uint8Array): boolean {
  if (end - start !== want.length) return false;
  for (let i = 0; i < want.length; i++) if (b[start + i] !== want[i]) return false;
  return true;
}

/**
 * Reads the AlgorithmIdentifier of a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
 * Only checks the outer structure; the point itself is checked by `importKey`.
 * @throws MALFORMED_INPUT when `spki` is not a SubjectPublicKeyInfo.
 */
export function spkiAlgorithm(spki: Uint8Array): SpkiAlgorithm {
  const outer = readDer(spki, 0);
  if (outer.tag !== 0x30 || outer.end !== spki.length) fail('not a SubjectPublicKeyInfo');
  const algId = readDer(spki, outer.start, outer.end);
  if (algId.tag !== 0x30) fail('not a SubjectPublicKeyInfo');
  const bits = readDer(spki, algId.end, outer.end);
  if (bits.tag !== 0x03 || bits.end !== outer.end) fail('not a SubjectPublicKeyInfo');
  const oid = readDer(spki, algId.start, algId.end);
  if (oid.tag !== 0x06) fail('not a SubjectPublicKeyInfo');
  if (sameBytes(spki, oid.start, oid.end, OID_X25519)) return { kind: 'x25519' };
  if (sameBytes(spki, oid.start, oid.end, OID_EC_PUBLIC_KEY)) {
    if (oid.end >= algId.end) return { kind: 'ec', curve: 'other' };
    const param = readDer(spki, oid.end, algId.end);
    if (param.tag !== 0x06) return { kind: 'ec', curve: 'other' };
    const hit = CURVE_OIDS.find(([, o]) => sameBytes(spki, param.start, param.end, o));
    return { kind: 'ec', curve: hit ? hit[0] : 'other' };
  }
  return { kind: 'other' };
}
