/**
 * Certificate and CRL times (RFC 5280 §4.1.2.5), for the CA and the stored CRL entries: whole seconds, UTCTime for years
 * 1950–2049 and GeneralizedTime from 2050 on. pkijs defaults to UTCTime for every year
 * and encodes milliseconds as fractional seconds; both break OpenSSL (SECURITY.md P4, P5).
 */
import { EngineError } from '../errors';
import { utf8 } from '../internal/bytes';
import { TAG, tlv } from '../internal/der';

/** Truncates to whole seconds. */
export function wholeSeconds(d: Date | number): Date {
  const t = typeof d === 'number' ? d : d.getTime();
  return new Date(Math.floor(t / 1000) * 1000);
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function digits(d: Date, fourDigitYear: boolean): string {
  const y = d.getUTCFullYear();
  const year = fourDigitYear ? pad(y, 4) : pad(y % 100);
  return `${year}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** `Time` as RFC 5280 wants it: UTCTime through 2049, GeneralizedTime from 2050. */
export function encodeTime(d: Date): Uint8Array<ArrayBuffer> {
  const w = wholeSeconds(d);
  const y = w.getUTCFullYear();
  if (!Number.isFinite(w.getTime()) || y < 1950 || y > 9999) throw new EngineError('INVALID_ARGUMENT', 'pki: a date is outside 1950–9999');
  return y < 2050 ? tlv(TAG.UTC_TIME, utf8(digits(w, false))) : tlv(TAG.GENERALIZED_TIME, utf8(digits(w, true)));
}

/** GeneralizedTime whatever the year (invalidityDate, RFC 5280 §5.3.2). Whole seconds. */
export function encodeGeneralizedTime(d: Date): Uint8Array<ArrayBuffer> {
  return tlv(TAG.GENERALIZED_TIME, utf8(digits(wholeSeconds(d), true)));
}

/**
 * Decodes a DER UTCTime/GeneralizedTime content string strictly: `YYMMDDHHMMSSZ` or
 * `YYYYMMDDHHMMSSZ`, no fractions, no offsets. Returns undefined when it is not that.
 */
export function decodeTime(tag: number, text: string): Date | undefined {
  const m = tag === TAG.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : tag === TAG.GENERALIZED_TIME ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  if (!m) return undefined;
  let year = Number(m[1]);
  if (tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  return Number.isFinite(d.getTime()) ? d : undefined;
}

export const HOUR = 3_600_000;
export const DAY = 86_400_000;
