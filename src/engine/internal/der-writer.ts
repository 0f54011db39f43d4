// The one DER writer: definite minimal lengths, elements, integers, strings and named bits.
import { utf8 } from './bytes';
import { contextTag, TAG } from './der-reader';

// ---- Writer ---------------------------------------------------------------------------
// The engine's one DER writer: keys, certificates, CSRs, CRLs, PKCS #12 and bundles are
// encoded with these, each element exactly once with a definite minimal length.

/** A DER definite length, minimal. */
export function encodeLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/**
 * One TLV from a list of encoded parts of any length (spreading 100,000 CRL entries as
 * arguments would overflow the stack).
 */
export function tlvList(tag: number, content: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let len = 0;
  for (const c of content) len += c.length;
  const head = encodeLength(len);
  const out = new Uint8Array(1 + head.length + len);
  out[0] = tag;
  out.set(head, 1);
  let o = 1 + head.length;
  for (const c of content) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** One TLV element with the given tag byte and contents. */
export function encodeElement(tag: number, ...content: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return tlvList(tag, content);
}

/** One TLV element (short name used by the certificate and CRL encoders). */
export const tlv = encodeElement;

/** SEQUENCE of already-encoded elements. */
export function encodeSequence(...elements: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return tlvList(TAG.SEQUENCE, elements);
}

/** SEQUENCE of already-encoded elements (short name). */
export const seq = encodeSequence;

/** Orders byte strings as DER orders SET OF elements (X.690 §11.6). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** SET OF, with elements sorted as DER requires (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return tlvList(TAG.SET, [...items].sort(compareBytes));
}

/** Context-specific element `[n]` wrapping encoded contents. */
export function encodeContext(n: number, content: Uint8Array, constructed = true): Uint8Array<ArrayBuffer> {
  return encodeElement(contextTag(n, constructed), content);
}

/** [n] EXPLICIT wrapper (constructed context tag). */
export const explicit = (n: number, inner: Uint8Array) => encodeContext(n, inner);

/** [n] IMPLICIT primitive context tag around raw content. */
export const implicitPrimitive = (n: number, content: Uint8Array) => encodeContext(n, content, false);

/** [n] IMPLICIT constructed context tag around encoded elements. */
export const implicitConstructed = (n: number, ...items: Uint8Array[]) => tlvList(contextTag(n), items);

/** BOOLEAN (DER: TRUE is 0xFF). DEFAULT FALSE values must be omitted, not encoded. */
export const bool = (v: boolean) => encodeElement(TAG.BOOLEAN, Uint8Array.of(v ? 0xff : 0x00));

/** NULL. */
export function encodeNull(): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(TAG.NULL, 0);
}

/** NULL (short name). */
export const derNull = encodeNull;

/**
 * A non-negative INTEGER from a number or a big-endian magnitude, minimally encoded:
 * leading zeros stripped, one 0x00 added only when the high bit is set (never negative).
 */
export function encodeUnsignedInteger(value: number | Uint8Array): Uint8Array<ArrayBuffer> {
  let mag: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('der: integer must be a non-negative safe integer');
    const bytes: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    mag = Uint8Array.from(bytes);
  } else {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0) i++;
    mag = value.subarray(i);
  }
  if (mag.length === 0) mag = Uint8Array.of(0);
  return mag[0]! >= 0x80 ? encodeElement(TAG.INTEGER, Uint8Array.of(0), mag) : encodeElement(TAG.INTEGER, mag);
}

/** INTEGER from an unsigned big-endian magnitude (short name). */
export const uintBytes = (magnitude: Uint8Array) => encodeUnsignedInteger(magnitude);
/** INTEGER from a small non-negative number (short name). */
export const uint = (n: number) => encodeUnsignedInteger(n);

/** ENUMERATED from a small non-negative number (CRL reason codes). */
export function enumerated(n: number): Uint8Array<ArrayBuffer> {
  const content = encodeUnsignedInteger(n).subarray(2);
  return encodeElement(TAG.ENUMERATED, content);
}

/** OCTET STRING. */
export function encodeOctetString(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeElement(TAG.OCTET_STRING, bytes);
}

/** OCTET STRING (short name). */
export const octetString = encodeOctetString;

/** BIT STRING of whole octets (no unused bits). */
export function encodeBitString(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeElement(TAG.BIT_STRING, Uint8Array.of(0), bytes);
}

/** BIT STRING of whole octets (short name). */
export const bitString = encodeBitString;

/**
 * A named-bit BIT STRING (KeyUsage), DER: trailing zero bits removed and the unused-bit
 * count set accordingly (X.690 §11.2.2).
 */
export function namedBits(bits: number[]): Uint8Array<ArrayBuffer> {
  if (bits.length === 0) return encodeElement(TAG.BIT_STRING, Uint8Array.of(0));
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  const unused = 7 - (max & 7);
  return encodeElement(TAG.BIT_STRING, Uint8Array.of(unused), bytes);
}

/** UTF8String. */
export const utf8String = (s: string) => encodeElement(TAG.UTF8_STRING, utf8(s));
/** PrintableString (the caller checks the character set). */
export const printableString = (s: string) => encodeElement(TAG.PRINTABLE_STRING, utf8(s));
/** IA5String (the caller checks the character set). */
export const ia5String = (s: string) => encodeElement(TAG.IA5_STRING, utf8(s));
