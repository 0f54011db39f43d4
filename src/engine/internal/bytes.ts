/** Byte helpers shared by the engine: encodings, concatenation, constant-time compare. */

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder();

/** UTF-8 encode. */
export function utf8(s: string): Uint8Array<ArrayBuffer> {
  return enc.encode(s) as Uint8Array<ArrayBuffer>;
}

/** Strict UTF-8 decode (throws TypeError on invalid input). */
export function fromUtf8(b: Uint8Array): string {
  return dec.decode(b);
}

/** UTF-8 decode that replaces invalid sequences with U+FFFD (for text checked afterwards, e.g. PEM). */
export function fromUtf8Lenient(b: Uint8Array): string {
  return lenient.decode(b);
}

/** Copies into a fresh ArrayBuffer-backed array (WebCrypto wants BufferSource). */
export function copy(b: Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  const src = b instanceof Uint8Array ? b : new Uint8Array(b);
  const out = new Uint8Array(src.length);
  out.set(src);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The two hex digits of each byte value, built once (toHex runs on every hash and serial). */
const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array | ArrayBuffer): string {
  const a = b instanceof Uint8Array ? b : new Uint8Array(b);
  let s = '';
  for (let i = 0; i < a.length; i++) s += HEX_PAIRS[a[i]!]!;
  return s;
}

export function fromHex(h: string): Uint8Array<ArrayBuffer> {
  const clean = h.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new TypeError('not hex');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function toBase64(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = b[i]! << 16;
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return s;
}

/** Strict base64 decode (standard alphabet, padding optional, whitespace ignored). */
export function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const clean = s.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new TypeError('not base64');
  const body = clean.replace(/=+$/, '');
  if (body.length % 4 === 1) throw new TypeError('not base64');
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (const ch of body) {
    acc = (acc << 6) | B64.indexOf(ch);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** base64url with `=` padding, as Python's `urlsafe_b64encode` writes it (Fernet tokens). */
export function toBase64UrlPadded(b: Uint8Array): string {
  return toBase64(b).replace(/\+/g, '-').replace(/\//g, '_');
}

/** base64url without padding (JOSE, RFC 7515 §2). */
export function toBase64Url(b: Uint8Array): string {
  return toBase64UrlPadded(b).replace(/=+$/, '');
}

export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  if (/[+/]/.test(s)) throw new TypeError('not base64url');
  return fromBase64(s.replace(/-/g, '+').replace(/_/g, '/'));
}

/** Compares two byte arrays in time independent of where they differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Big-endian unsigned integer of `len` bytes. */
export function uintBE(n: number, len: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(len);
  let v = n;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

export function readUintBE(b: Uint8Array, off: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + b[off + i]!;
  return v;
}
