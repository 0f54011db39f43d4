// Strict DER decoders of universal values (INTEGER, BOOLEAN, BIT STRING, time, NULL, OCTET STRING) from elements of der-reader.ts.
import { fail, TAG, type DerElement } from './der-reader';

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
