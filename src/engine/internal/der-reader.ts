// The one strict DER reader: the length decoder, element readers (`DerReader`, `parseDer`) and the offset walker (`readTlv`, `children`).
import { MalformedInputError } from '../errors';

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

/** Throws MALFORMED_INPUT with a `der:` message (shared by the DER modules; never echoes the input). */
export function fail(message: string): never {
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

/** The element view of a TLV, for the `decode…` functions of der-decode.ts. */
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
