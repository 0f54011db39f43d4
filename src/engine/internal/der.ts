/**
 * The engine's one strict DER reader and writer: key import and export (A5), ECDSA
 * signatures, the CA's certificate, CSR, CRL and PKCS #12 encoders and its lint (E1-E7),
 * the certificate and CRL parser of the path validator (E8, src/engine/pki/validate), the
 * exchange and the ASN.1 tree all use it, so a padded OID or a BER length is refused the
 * same way everywhere. There is one length decoder (`readHeader`) under two views: element
 * readers (`DerReader`, `parseDer`) and an offset walker (`readTlv`, `children`, `readTop`)
 * for large CRLs. The writer's short names (`tlv`, `seq`, `oid`, …) are the same functions
 * as its long ones (`encodeElement`, `encodeSequence`, `encodeOid`, …). It reads the
 * universal types that SubjectPublicKeyInfo, PKCS#8, PBES2, certificates and CRLs need
 * (SEQUENCE, SET, INTEGER, BOOLEAN, OCTET STRING, OBJECT IDENTIFIER, NULL, BIT STRING,
 * the string types and the two time types) and context-specific tags.
 *
 * Strict means DER, not BER (X.690 §10): definite lengths only, in the shortest form;
 * minimal INTEGER encodings; OID subidentifiers without padding; BIT STRINGs of keys
 * with no unused bits; no bytes after the outermost element. Every violation throws
 * MALFORMED_INPUT with a message that names the problem and never echoes the input.
 * BOOLEANs are 0x00 or 0xFF; times are UTCTime YYMMDDHHMMSSZ or GeneralizedTime
 * YYYYMMDDHHMMSS[.f]Z with no trailing zero in the fraction (X.690 §11.7, RFC 5280 4.1.2.5).
 *
 * Common case:
 * ```ts
 * const r = new DerReader(bytes).sequence('SubjectPublicKeyInfo');
 * const alg = r.sequence('AlgorithmIdentifier');
 * const oid = decodeOid(alg.expect(TAG.OID, 'algorithm'));
 * ```
 */
import { MalformedInputError } from '../errors';
import { utf8 } from './bytes';

/** Tag bytes of the universal types used by key formats. */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  BOOLEAN: 0x01,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  T61_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SET: 0x31,
} as const;

/** The largest element this reader accepts (16 MiB): key files, certificates and CRLs are smaller. */
export const MAX_DER_LENGTH = 16 * 1024 * 1024;

/** Tag byte of a context-specific element `[n]` (n < 31), constructed unless told otherwise. */
export function contextTag(n: number, constructed = true): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError('context tag number must be 0..30');
  return (constructed ? 0xa0 : 0x80) | n;
}

/** One parsed element: its tag byte, its contents, and its whole encoding. */
export interface DerElement {
  tag: number;
  /** The content octets (a copy-free view into the input). */
  content: Uint8Array;
  /** The element's full TLV encoding (a view into the input). */
  encoded: Uint8Array;
}

function fail(message: string): never {
  throw new MalformedInputError(`der: ${message}`);
}

/**
 * Reads one TLV header at `offset` (the only DER length decoder in Clavis): where the
 * contents start and end. Strict: single-byte tags, definite minimal lengths, at most
 * 16 MiB, inside `end`. @throws MALFORMED_INPUT
 */
function readHeader(bytes: Uint8Array, offset: number, end: number): { tag: number; contentStart: number; contentEnd: number } {
  if (offset >= end) fail('the data is truncated (an element is missing)');
  const tag = bytes[offset]!;
  // High-tag-number form (low five bits all set) never occurs in key formats.
  if ((tag & 0x1f) === 0x1f) fail('the data uses a multi-byte tag, which key, certificate and CRL formats never do');
  let p = offset + 1;
  if (p >= end) fail('the data is truncated (an element has no length)');
  const first = bytes[p++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else if (first === 0x80) {
    fail('the data uses an indefinite length, which DER forbids (BER is not accepted)');
  } else {
    const n = first & 0x7f;
    if (n > 4) fail('an element length is too large');
    if (p + n > end) fail('the data is truncated (inside a length)');
    if (bytes[p] === 0) fail('an element length has a leading zero byte (non-minimal DER)');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[p + i]!;
    p += n;
    if (length < 0x80) fail('an element length uses the long form for a short length (non-minimal DER)');
  }
  if (length > MAX_DER_LENGTH) fail('an element is larger than 16 MiB');
  if (p + length > end) fail('the data is truncated (an element runs past the end)');
  return { tag, contentStart: p, contentEnd: p + length };
}

/** Reads one TLV at `offset`. Returns the element and the offset after it. */
function readElement(bytes: Uint8Array, offset: number, end: number): { el: DerElement; next: number } {
  const h = readHeader(bytes, offset, end);
  return {
    el: { tag: h.tag, content: bytes.subarray(h.contentStart, h.contentEnd), encoded: bytes.subarray(offset, h.contentEnd) },
    next: h.contentEnd,
  };
}

/**
 * Parses exactly one DER element that must fill `bytes`.
 * @throws MALFORMED_INPUT on truncation, BER forms, or trailing bytes.
 */
export function parseDer(bytes: Uint8Array): DerElement {
  const { el, next } = readElement(bytes, 0, bytes.length);
  if (next !== bytes.length) fail(`there are ${bytes.length - next} unexpected bytes after the data`);
  return el;
}

/** Names a tag byte for error messages. */
export function tagName(tag: number): string {
  switch (tag) {
    case TAG.INTEGER:
      return 'INTEGER';
    case TAG.BIT_STRING:
      return 'BIT STRING';
    case TAG.OCTET_STRING:
      return 'OCTET STRING';
    case TAG.NULL:
      return 'NULL';
    case TAG.OID:
      return 'OBJECT IDENTIFIER';
    case TAG.SEQUENCE:
      return 'SEQUENCE';
    case TAG.SET:
      return 'SET';
    case TAG.BOOLEAN:
      return 'BOOLEAN';
    default:
      if ((tag & 0xc0) === 0x80) return `[${tag & 0x1f}]`;
      return `tag 0x${tag.toString(16).padStart(2, '0')}`;
  }
}

/**
 * Walks the elements inside a constructed element (or a whole buffer), one at a time.
 * Every read checks the tag; `end()` checks nothing is left over.
 */
export class DerReader {
  private pos = 0;
  private readonly bytes: Uint8Array;
  /** What is being read, for error messages (e.g. "SubjectPublicKeyInfo"). */
  readonly what: string;

  constructor(bytes: Uint8Array, what = 'the data') {
    this.bytes = bytes;
    this.what = what;
  }

  /** True when every element has been read. */
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }

  /** The tag of the next element, or undefined at the end. */
  peekTag(): number | undefined {
    return this.done ? undefined : this.bytes[this.pos];
  }

  /** Reads the next element whatever its tag. @throws MALFORMED_INPUT at the end. */
  next(what = 'an element'): DerElement {
    if (this.done) fail(`${this.what} ends before ${what}`);
    const { el, next } = readElement(this.bytes, this.pos, this.bytes.length);
    this.pos = next;
    return el;
  }

  /** Reads the next element and checks its tag. @throws MALFORMED_INPUT */
  expect(tag: number, what: string): DerElement {
    if (this.done) fail(`${this.what} ends before its ${what}`);
    const actual = this.bytes[this.pos]!;
    if (actual !== tag) fail(`${this.what}: expected ${what} (${tagName(tag)}), found ${tagName(actual)}`);
    return this.next(what);
  }

  /** Reads the next element only if it has this tag. */
  optional(tag: number, what: string): DerElement | undefined {
    return this.peekTag() === tag ? this.expect(tag, what) : undefined;
  }

  /** Reads a SET and returns a reader over its contents. */
  set(what: string): DerReader {
    return new DerReader(this.expect(TAG.SET, what).content, what);
  }

  /** Reads a SEQUENCE and returns a reader over its contents. */
  sequence(what: string): DerReader {
    return new DerReader(this.expect(TAG.SEQUENCE, what).content, what);
  }

  /** Checks that nothing is left. @throws MALFORMED_INPUT */
  end(): void {
    if (!this.done) fail(`${this.what} has unexpected extra elements`);
  }
}

/** A reader over the single SEQUENCE that must fill `bytes`. */
export function readSequence(bytes: Uint8Array, what: string): DerReader {
  const el = parseDer(bytes);
  if (el.tag !== TAG.SEQUENCE) fail(`${what}: expected a SEQUENCE, found ${tagName(el.tag)}`);
  return new DerReader(el.content, what);
}

function checkInteger(el: DerElement, what: string): Uint8Array {
  if (el.tag !== TAG.INTEGER) fail(`${what} is not an INTEGER`);
  const c = el.content;
  if (c.length === 0) fail(`${what} is an empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0x00 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) {
    fail(`${what} is not minimally encoded (non-DER INTEGER)`);
  }
  return c;
}

/**
 * A non-negative INTEGER's magnitude, big-endian without the sign byte (zero is one 0x00).
 * @throws MALFORMED_INPUT if negative or non-minimal.
 */
export function decodeUnsignedInteger(el: DerElement, what = 'an integer'): Uint8Array {
  const c = checkInteger(el, what);
  if (c[0]! >= 0x80) fail(`${what} is negative`);
  return c.length > 1 && c[0] === 0 ? c.subarray(1) : c;
}

/**
 * A non-negative INTEGER as a number; `max` bounds it (at most 2^53 - 1).
 * @throws MALFORMED_INPUT if negative, non-minimal or above `max`.
 */
export function decodeSmallInteger(el: DerElement, what: string, max = Number.MAX_SAFE_INTEGER): number {
  const m = decodeUnsignedInteger(el, what);
  if (m.length > 7) fail(`${what} is too large`);
  let v = 0;
  for (const b of m) v = v * 256 + b;
  if (v > max) fail(`${what} is too large`);
  return v;
}

/** Bit length of an unsigned magnitude (e.g. an RSA modulus). */
export function bitLength(magnitude: Uint8Array): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i]!));
}

/** Dotted form of an OBJECT IDENTIFIER. @throws MALFORMED_INPUT */
export function decodeOid(el: DerElement, what = 'an algorithm identifier'): string {
  if (el.tag !== TAG.OID) fail(`${what} is not an OBJECT IDENTIFIER`);
  const c = el.content;
  if (c.length === 0) fail(`${what} is an empty OBJECT IDENTIFIER`);
  if (c[c.length - 1]! & 0x80) fail(`${what} is a truncated OBJECT IDENTIFIER`);
  const arcs: number[] = [];
  let v = 0;
  let started = false;
  for (const b of c) {
    if (!started && b === 0x80) fail(`${what} has a padded subidentifier (non-DER)`);
    started = true;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER) fail(`${what} has an oversized arc`);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
      started = false;
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** A signed INTEGER's content octets, checked minimal (serial numbers keep their sign). @throws MALFORMED_INPUT */
export function decodeIntegerBytes(el: DerElement, what = 'an integer'): Uint8Array {
  return checkInteger(el, what);
}

/** A DER BOOLEAN (0x00 or 0xFF only). @throws MALFORMED_INPUT */
export function decodeBoolean(el: DerElement, what = 'a flag'): boolean {
  if (el.tag !== TAG.BOOLEAN || el.content.length !== 1) fail(`${what} is not a BOOLEAN`);
  const b = el.content[0];
  if (b === 0xff) return true;
  if (b === 0x00) return false;
  return fail(`${what} is a BOOLEAN that is neither 0x00 nor 0xFF (non-DER)`);
}

/**
 * A BIT STRING of named bits (key usage, reasons): its octets and unused-bit count.
 * DER demands the unused bits be zero and no trailing zero octets when bits are named,
 * but X.690 §11.2.2 leaves trailing-bit trimming to the encoder, so only the zero
 * padding is enforced. @throws MALFORMED_INPUT
 */
export function decodeNamedBits(el: DerElement, what = 'a bit string'): { bytes: Uint8Array; unused: number } {
  if (el.tag !== TAG.BIT_STRING) fail(`${what} is not a BIT STRING`);
  if (el.content.length === 0) fail(`${what} is an empty BIT STRING`);
  const unused = el.content[0]!;
  if (unused > 7 || (unused > 0 && el.content.length === 1)) fail(`${what} has an impossible unused-bit count`);
  const bytes = el.content.subarray(1);
  if (unused > 0 && (bytes[bytes.length - 1]! & ((1 << unused) - 1)) !== 0) fail(`${what} has non-zero unused bits (non-DER)`);
  return { bytes, unused };
}

/** True when bit `n` (0 = most significant of the first octet) of a named-bit string is set. */
export function bitIsSet(bits: { bytes: Uint8Array }, n: number): boolean {
  const byte = bits.bytes[n >> 3];
  return byte !== undefined && (byte & (0x80 >> (n & 7))) !== 0;
}

function digits(c: Uint8Array, from: number, n: number, what: string): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = c[i]! - 0x30;
    if (d < 0 || d > 9) fail(`${what} has a non-digit where a digit belongs`);
    v = v * 10 + d;
  }
  return v;
}

/**
 * A UTCTime or GeneralizedTime as milliseconds since the epoch, with fractional seconds
 * kept (a GeneralizedTime may carry them; DER forbids a trailing zero or an empty fraction).
 * UTCTime years 50-99 are 1950-1999 (RFC 5280 4.1.2.5.1). @throws MALFORMED_INPUT
 */
export function decodeTime(el: DerElement, what = 'a time'): number {
  const c = el.content;
  let year: number;
  let p: number;
  if (el.tag === TAG.UTC_TIME) {
    if (c.length !== 13 || c[12] !== 0x5a) fail(`${what} is not a UTCTime of the form YYMMDDHHMMSSZ`);
    const yy = digits(c, 0, 2, what);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p = 2;
  } else if (el.tag === TAG.GENERALIZED_TIME) {
    if (c.length < 15 || c[c.length - 1] !== 0x5a) fail(`${what} is not a GeneralizedTime ending in Z`);
    year = digits(c, 0, 4, what);
    p = 4;
  } else {
    return fail(`${what} is neither UTCTime nor GeneralizedTime`);
  }
  const month = digits(c, p, 2, what);
  const day = digits(c, p + 2, 2, what);
  const hour = digits(c, p + 4, 2, what);
  const minute = digits(c, p + 6, 2, what);
  const second = digits(c, p + 8, 2, what);
  let ms = 0;
  const end = p + 10;
  if (end !== c.length - 1) {
    if (el.tag !== TAG.GENERALIZED_TIME || c[end] !== 0x2e) fail(`${what} has unexpected characters after the seconds`);
    const frac = c.subarray(end + 1, c.length - 1);
    if (frac.length === 0 || frac[frac.length - 1] === 0x30) fail(`${what} has an empty fraction or a trailing zero (non-DER)`);
    const f = digits(frac, 0, frac.length, what);
    ms = (f / 10 ** frac.length) * 1000;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) fail(`${what} is not a valid date`);
  const t = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(t).getUTCDate() !== day) fail(`${what} is not a valid date`);
  return t + ms;
}

/** Dotted form of the content octets of an OBJECT IDENTIFIER (strict, as `decodeOid`). @throws MALFORMED_INPUT */
export function oidToString(content: Uint8Array, what = 'an object identifier'): string {
  return decodeOid({ tag: TAG.OID, content, encoded: content }, what);
}

/** Checks a NULL (empty contents). @throws MALFORMED_INPUT */
export function decodeNull(el: DerElement, what = 'parameters'): void {
  if (el.tag !== TAG.NULL || el.content.length !== 0) fail(`${what} should be NULL`);
}

/**
 * The bytes of a BIT STRING that holds whole octets (keys always do).
 * @throws MALFORMED_INPUT if it has unused bits.
 */
export function decodeBitString(el: DerElement, what = 'the key bits'): Uint8Array {
  if (el.tag !== TAG.BIT_STRING) fail(`${what} is not a BIT STRING`);
  if (el.content.length === 0) fail(`${what} is an empty BIT STRING`);
  if (el.content[0] !== 0) fail(`${what} has unused bits, which a key never has`);
  return el.content.subarray(1);
}

/** The bytes of an OCTET STRING. @throws MALFORMED_INPUT */
export function decodeOctetString(el: DerElement, what: string): Uint8Array {
  if (el.tag !== TAG.OCTET_STRING) fail(`${what} is not an OCTET STRING`);
  return el.content;
}

// ---- Offset walker ---------------------------------------------------------------------
// The same reader seen as offsets into one buffer, for the CA's lint and for cheap scans
// of large CRLs (no element objects are built for what is skipped).

/** One decoded TLV: where its header and content are inside `bytes`. */
export interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  contentStart: number;
  /** Offset just past the content. */
  end: number;
  bytes: Uint8Array;
}

/** Reads one TLV at `offset` with the strict rules above. @throws MALFORMED_INPUT */
export function readTlv(bytes: Uint8Array, offset = 0, limit = bytes.length): Tlv {
  const h = readHeader(bytes, offset, limit);
  return { tag: h.tag, start: offset, contentStart: h.contentStart, end: h.contentEnd, bytes };
}

/** The content bytes of a TLV. */
export const contentOf = (t: Tlv) => t.bytes.subarray(t.contentStart, t.end);
/** The whole TLV, header included. */
export const rawOf = (t: Tlv) => t.bytes.subarray(t.start, t.end);

/** The children of a constructed TLV. @throws MALFORMED_INPUT */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = t.contentStart;
  while (p < t.end) {
    const c = readTlv(t.bytes, p, t.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

/** The element view of a TLV, for the `decode…` functions above. */
export function elementOf(t: Tlv): DerElement {
  return { tag: t.tag, content: contentOf(t), encoded: rawOf(t) };
}

/** Reads the single top-level TLV and insists there is nothing after it. @throws MALFORMED_INPUT */
export function readTop(bytes: Uint8Array, expectTag?: number): Tlv {
  const t = readTlv(bytes, 0);
  if (t.end !== bytes.length) fail(`there are ${bytes.length - t.end} unexpected bytes after the data`);
  if (expectTag !== undefined && t.tag !== expectTag) fail(`expected ${tagName(expectTag)}, found ${tagName(t.tag)}`);
  return t;
}

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

/** OBJECT IDENTIFIER from its dotted form. */
export function encodeOid(dotted: string): Uint8Array<ArrayBuffer> {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError('not a dotted OID');
    return Number(s);
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError('not a valid OID');
  const out: number[] = [];
  const sub = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  for (const a of sub) {
    if (!Number.isSafeInteger(a)) throw new RangeError('OID arc too large');
    const bytes = [a % 128];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift(0x80 | (v % 128));
    out.push(...bytes);
  }
  return encodeElement(TAG.OID, Uint8Array.from(out));
}

/** OBJECT IDENTIFIER (short name). */
export const oid = encodeOid;

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
