/**
 * A small DER writer and reader, and PEM armour. Clavis encodes every TBSCertificate,
 * TBSCertList and CertificationRequestInfo itself so that the bytes it lints are the
 * bytes it signs, each encoded exactly once (SECURITY.md M2, P14), and so no library
 * default (v1 CRLs, UTCTime after 2049, negative serials) can slip in. Parsing of
 * foreign input goes through asn1js/pkijs with explicit limits (see `parseAsn1`).
 */
import * as asn1js from 'asn1js';
import { EngineError, MalformedInputError } from '../errors';
import { decodePem, pemCharsFor, type PemBlock } from '../keys/pem';
import { concat, toBase64, utf8 } from '../internal/bytes';

/** Universal and context tags used by X.509. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

export function lengthBytes(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  let v = n;
  while (v > 0) {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  }
  return Uint8Array.of(0x80 | out.length, ...out);
}

/**
 * One TLV with a definite, minimal length (DER), from a list of encoded parts of any
 * length (spreading 100,000 arguments would overflow the stack).
 */
export function tlvList(tag: number, content: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of content) n += p.length;
  const head = lengthBytes(n);
  const out = new Uint8Array(1 + head.length + n);
  out[0] = tag;
  out.set(head, 1);
  let o = 1 + head.length;
  for (const p of content) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** One TLV with a definite, minimal length (DER). */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return tlvList(tag, content);
}

/** SEQUENCE of already-encoded elements. */
export const seq = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, ...items);

/** SET OF, with elements sorted as DER requires (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const sorted = [...items].sort(compareBytes);
  return tlv(TAG.SET, ...sorted);
}

/** [n] EXPLICIT wrapper (constructed context tag). */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

/** [n] IMPLICIT primitive context tag around raw content. */
export const implicitPrimitive = (n: number, content: Uint8Array) => tlv(0x80 | n, content);

/** [n] IMPLICIT constructed context tag around encoded elements. */
export const implicitConstructed = (n: number, ...items: Uint8Array[]) => tlv(0xa0 | n, ...items);

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** BOOLEAN (DER: TRUE is 0xFF). Remember DEFAULT FALSE values must be omitted, not encoded. */
export const bool = (v: boolean) => tlv(TAG.BOOLEAN, Uint8Array.of(v ? 0xff : 0x00));

export const derNull = () => Uint8Array.of(TAG.NULL, 0);

/**
 * INTEGER from unsigned big-endian magnitude bytes: strips leading zeros and adds one
 * 0x00 only when the high bit is set, so the result is minimal and never negative (P3).
 */
export function uintBytes(magnitude: Uint8Array): Uint8Array<ArrayBuffer> {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  let body = magnitude.subarray(i);
  if (body.length === 0) body = Uint8Array.of(0);
  if (body[0]! & 0x80) body = concat(Uint8Array.of(0), body);
  return tlv(TAG.INTEGER, body);
}

/** INTEGER from a small non-negative number. */
export function uint(n: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('der: integer out of range');
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  return uintBytes(Uint8Array.from(bytes));
}

export const enumerated = (n: number) => tlv(TAG.ENUMERATED, Uint8Array.of(n));

/** OBJECT IDENTIFIER from dotted form. */
export function oid(dotted: string): Uint8Array<ArrayBuffer> {
  const arcs = dotted.split('.').map((s) => Number(s));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new RangeError(`der: bad OID ${dotted}`);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp: number[] = [v & 0x7f];
    let x = Math.floor(v / 128);
    while (x > 0) {
      tmp.unshift((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(...tmp);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** Dotted form of OID content bytes. */
export function oidToString(content: Uint8Array): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of content) {
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = v < 80 ? Math.floor(v / 40) : 2;
        arcs.push(first, v - first * 40);
      } else arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

export const octetString = (b: Uint8Array) => tlv(TAG.OCTET_STRING, b);

/** BIT STRING with no unused bits. */
export const bitString = (b: Uint8Array) => tlv(TAG.BIT_STRING, Uint8Array.of(0), b);

/**
 * A named-bit BIT STRING (KeyUsage), DER: trailing zero bits removed and the unused-bit
 * count set accordingly (X.690 §11.2.2).
 */
export function namedBits(bits: number[]): Uint8Array<ArrayBuffer> {
  if (bits.length === 0) return tlv(TAG.BIT_STRING, Uint8Array.of(0));
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  const unused = 7 - (max & 7);
  return tlv(TAG.BIT_STRING, Uint8Array.of(unused), bytes);
}

export const utf8String = (s: string) => tlv(TAG.UTF8_STRING, utf8(s));
export const printableString = (s: string) => tlv(TAG.PRINTABLE_STRING, utf8(s));
export const ia5String = (s: string) => tlv(TAG.IA5_STRING, utf8(s));

// ---------------------------------------------------------------------------------------
// Reader: a bounds-checked TLV walker for our own lint and for cheap scans of big CRLs.

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

function bad(what: string): never {
  throw new MalformedInputError(`der: ${what}`);
}

/** Reads one TLV at `offset`, rejecting indefinite and non-minimal lengths (DER only). */
export function readTlv(bytes: Uint8Array, offset = 0, limit = bytes.length): Tlv {
  if (offset + 2 > limit) bad('truncated header');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) bad('high tag numbers are not used here');
  let len = bytes[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) bad('indefinite length');
    if (n > 4 || p + n > limit) bad('length too long');
    if (bytes[p] === 0) bad('non-minimal length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[p + i]!;
    if (len < 0x80) bad('non-minimal length');
    p += n;
  }
  if (p + len > limit) bad('content runs past the end');
  return { tag, start: offset, contentStart: p, end: p + len, bytes };
}

/** The content bytes of a TLV. */
export const contentOf = (t: Tlv) => t.bytes.subarray(t.contentStart, t.end);
/** The whole TLV, header included. */
export const rawOf = (t: Tlv) => t.bytes.subarray(t.start, t.end);

/** The children of a constructed TLV. */
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

/** Reads the single top-level TLV and insists there is nothing after it. */
export function readTop(bytes: Uint8Array, expectTag?: number): Tlv {
  const t = readTlv(bytes, 0);
  if (t.end !== bytes.length) bad('trailing bytes after the structure');
  if (expectTag !== undefined && t.tag !== expectTag) bad(`expected tag 0x${expectTag.toString(16)}`);
  return t;
}

/**
 * Parses DER with asn1js, sizing `maxNodes`/`maxContentLength` for the input instead of
 * the 10,000-node default that makes pkijs fail above ~1,245 CRL entries (M1). A DER
 * node takes at least 2 bytes, so `length / 2 + 16` nodes is always enough.
 */
export function parseAsn1(der: Uint8Array, what: string): asn1js.AsnType {
  const buf = der.slice();
  const res = asn1js.fromBER(buf, { maxNodes: Math.ceil(der.length / 2) + 16, maxContentLength: der.length + 16 });
  if (res.offset === -1 || res.offset !== der.length) throw new MalformedInputError(`pki: ${what} is not valid DER`);
  return res.result;
}

// ---------------------------------------------------------------------------------------
// PEM

/** PEM armour with 64-character lines. */
export function toPem(der: Uint8Array, label: string): string {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Largest certificate Clavis reads (a CRL is read from storage, never through here). */
export const MAX_CERT_DER_BYTES = 1024 * 1024;

/**
 * DER from PEM text (one of `labels`) or from bytes that are already DER (or PEM bytes).
 * The size cap is checked before anything is parsed, and PEM goes through the one strict
 * linear-time codec (keys/pem.ts), so a crafted text cannot stall the tab (issue 14 #9).
 * @throws MALFORMED_INPUT
 */
export function fromPemOrDer(input: string | Uint8Array, labels: string[], what: string, maxDerBytes = MAX_CERT_DER_BYTES): Uint8Array<ArrayBuffer> {
  const maxChars = pemCharsFor(maxDerBytes);
  const tooLarge = () => new MalformedInputError(`pki: the ${what} is too large`);
  let text: string | undefined;
  if (typeof input === 'string') {
    if (input.length > maxChars) throw tooLarge();
    text = input;
  } else if (input.length > 0 && input[0] === 0x2d) {
    if (input.length > maxChars) throw tooLarge();
    text = new TextDecoder().decode(input);
  } else if (input.length > 0 && input[0] === TAG.SEQUENCE) {
    if (input.length > maxDerBytes) throw tooLarge();
    return input.slice();
  }
  if (text === undefined) throw new MalformedInputError(`pki: the ${what} is neither PEM nor DER`);
  let blocks: PemBlock[];
  try {
    blocks = decodePem(text, { maxChars });
  } catch (e) {
    if (e instanceof EngineError && e.code !== 'MALFORMED_INPUT') throw e;
    throw new MalformedInputError(`pki: expected a PEM ${labels[0]} block for the ${what} (${e instanceof Error ? e.message.replace(/^pem: /, '') : 'unreadable'})`, { cause: e });
  }
  const block = blocks.find((b) => labels.includes(b.label));
  if (!block) throw new MalformedInputError(`pki: expected a PEM ${labels[0]} block for the ${what}`);
  if (block.der.length > maxDerBytes) throw tooLarge();
  return block.der;
}
