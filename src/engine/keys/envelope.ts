/**
 * The Clavis ciphertext envelope, format v1: self-describing, versioned, strict.
 *
 * Common case: `parseEnvelope(bytes)` before decrypting; `cipherHeader(...)` and
 * `boundAad(header, aad)` when encrypting. Text form: `armor(bytes)` =
 * `clavis:v1:` + base64url (no padding).
 *
 * Layout (all integers big-endian):
 *
 * ```
 * "CLV"  0x01  alg(1)  idLen(1) keyId(idLen, printable ASCII)  keyVersion(uint32)
 * data envelopes (alg 0x01 AES-GCM, 0x02 ChaCha20-Poly1305, 0x03 RSA-OAEP hybrid):
 *     iv(12)  [hybrid only: wrappedLen(uint16) wrappedContentKey]  ||  ciphertext||tag(>= 16)
 * wrapped-key envelopes (alg 0x11 AES-KW, 0x12 AES-GCM, 0x13 RSA-OAEP):
 *     tplLen(1) template(ASCII)  fpKind(1: 1 = KCV, 2 = SPKI SHA-256) fpLen(1) fp
 *     spkiLen(uint16) spki (public half of a wrapped private key; empty for secret keys)
 *     parts(1)  ||  parts x { [AES-GCM only: iv(12)] len(uint16) wrappedBytes }
 * ```
 *
 * Everything before the ciphertext (or the wrapped parts) is the *header*. AEAD
 * algorithms authenticate it as additional data, followed by the caller's AAD, each
 * length-prefixed (`boundAad`) so that header bytes can never be passed off as AAD or
 * the reverse. Parsing never throws anything but MALFORMED_INPUT.
 */
import { MalformedInputError } from '../errors';
import { concat, copy, fromBase64Url, fromHex, readUintBE, toBase64Url, toHex, uintBE } from '../internal/bytes';
import type { KeyFingerprint } from '../types';

/** `CLV`: the first three bytes of every envelope. */
export const ENVELOPE_MAGIC = Uint8Array.of(0x43, 0x4c, 0x56);
/** The only format version this code writes and reads. */
export const ENVELOPE_VERSION = 1;
/** Prefix of the printable form. */
export const ARMOR_PREFIX = 'clavis:v1:';
/** AES-GCM and ChaCha20-Poly1305 nonce length (96 bits, SP 800-38D §8.2.2). */
export const IV_BYTES = 12;
/** AEAD tag length. */
export const TAG_BYTES = 16;

/** How data was encrypted. `RSA-OAEP` means RSA-OAEP-SHA-256 wrapping an AES-256-GCM content key. */
export type CipherAlgorithm = 'AES-GCM' | 'ChaCha20-Poly1305' | 'RSA-OAEP';
/** How a key was wrapped. */
export type WrapAlgorithm = 'AES-KW' | 'AES-GCM' | 'RSA-OAEP';

const CIPHER_BYTE: Record<CipherAlgorithm, number> = { 'AES-GCM': 0x01, 'ChaCha20-Poly1305': 0x02, 'RSA-OAEP': 0x03 };
const WRAP_BYTE: Record<WrapAlgorithm, number> = { 'AES-KW': 0x11, 'AES-GCM': 0x12, 'RSA-OAEP': 0x13 };
const FP_BYTE: Record<KeyFingerprint['kind'], number> = { kcv: 1, 'spki-sha256': 2 };

/** A parsed data envelope. */
export interface CipherEnvelope {
  type: 'cipher';
  algorithm: CipherAlgorithm;
  keyId: string;
  keyVersion: number;
  iv: Uint8Array<ArrayBuffer>;
  /** RSA-OAEP only: the content key wrapped under the RSA public key. */
  wrappedKey?: Uint8Array<ArrayBuffer>;
  /** Ciphertext followed by the 16-byte tag. */
  body: Uint8Array<ArrayBuffer>;
  /** The exact header bytes, authenticated as additional data. */
  header: Uint8Array<ArrayBuffer>;
}

/** One wrapped piece of key material (Fernet keys have two: HMAC half, then AES half). */
export interface WrappedPart {
  /** AES-GCM only; empty otherwise. */
  iv: Uint8Array<ArrayBuffer>;
  data: Uint8Array<ArrayBuffer>;
}

/** A parsed wrapped-key envelope. */
export interface WrapEnvelope {
  type: 'wrap';
  algorithm: WrapAlgorithm;
  keyId: string;
  keyVersion: number;
  /** Template name of the wrapped key. */
  template: string;
  /** The wrapped key's fingerprint or KCV, checked again after unwrapping. */
  fingerprint: KeyFingerprint;
  /** DER SPKI of a wrapped private key's public half; empty for secret keys. */
  spki: Uint8Array<ArrayBuffer>;
  parts: WrappedPart[];
  header: Uint8Array<ArrayBuffer>;
}

/** Either kind of parsed envelope; `type` tells them apart. */
export type Envelope = CipherEnvelope | WrapEnvelope;

const MAX_ID = 255;
const PRINTABLE = /^[\x21-\x7e]+$/;

function asciiBytes(s: string, what: string): Uint8Array {
  if (!PRINTABLE.test(s) || s.length > MAX_ID) throw new MalformedInputError(`envelope: ${what} must be 1-255 printable ASCII characters`);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function prefix(algByte: number, keyId: string, keyVersion: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(keyVersion) || keyVersion < 0 || keyVersion > 0xffffffff) {
    throw new MalformedInputError('envelope: key version must be a 32-bit unsigned integer');
  }
  const id = asciiBytes(keyId, 'key id');
  return concat(ENVELOPE_MAGIC, Uint8Array.of(ENVELOPE_VERSION, algByte, id.length), id, uintBE(keyVersion, 4));
}

/** Header of a data envelope. The ciphertext (with tag) follows it directly. */
export function cipherHeader(f: {
  algorithm: CipherAlgorithm;
  keyId: string;
  keyVersion: number;
  iv: Uint8Array;
  wrappedKey?: Uint8Array;
}): Uint8Array<ArrayBuffer> {
  if (f.iv.length !== IV_BYTES) throw new MalformedInputError('envelope: the IV must be 12 bytes');
  const parts: Uint8Array[] = [prefix(CIPHER_BYTE[f.algorithm], f.keyId, f.keyVersion), f.iv];
  if (f.algorithm === 'RSA-OAEP') {
    const w = f.wrappedKey;
    if (!w || w.length === 0 || w.length > 0xffff) throw new MalformedInputError('envelope: a hybrid envelope needs its wrapped content key');
    parts.push(uintBE(w.length, 2), w);
  } else if (f.wrappedKey) {
    throw new MalformedInputError('envelope: only RSA-OAEP envelopes carry a wrapped content key');
  }
  return concat(...parts);
}

/** Header of a wrapped-key envelope; the parts (`wrapParts`) follow it. */
export function wrapHeader(f: {
  algorithm: WrapAlgorithm;
  keyId: string;
  keyVersion: number;
  template: string;
  fingerprint: KeyFingerprint;
  spki: Uint8Array;
  partCount: number;
}): Uint8Array<ArrayBuffer> {
  const tpl = asciiBytes(f.template, 'template');
  const fp = fromHex(f.fingerprint.value);
  if (fp.length === 0 || fp.length > 255) throw new MalformedInputError('envelope: bad fingerprint');
  if (f.spki.length > 0xffff) throw new MalformedInputError('envelope: public key too large');
  if (f.partCount < 1 || f.partCount > 2) throw new MalformedInputError('envelope: a wrapped key has one or two parts');
  return concat(
    prefix(WRAP_BYTE[f.algorithm], f.keyId, f.keyVersion),
    Uint8Array.of(tpl.length),
    tpl,
    Uint8Array.of(FP_BYTE[f.fingerprint.kind], fp.length),
    fp,
    uintBE(f.spki.length, 2),
    f.spki,
    Uint8Array.of(f.partCount),
  );
}

/** Serialises wrapped parts (the IV is written only for AES-GCM). */
export function wrapParts(algorithm: WrapAlgorithm, parts: WrappedPart[]): Uint8Array<ArrayBuffer> {
  const out: Uint8Array[] = [];
  for (const p of parts) {
    if (algorithm === 'AES-GCM') {
      if (p.iv.length !== IV_BYTES) throw new MalformedInputError('envelope: the IV must be 12 bytes');
      out.push(p.iv);
    }
    if (p.data.length === 0 || p.data.length > 0xffff) throw new MalformedInputError('envelope: bad wrapped part');
    out.push(uintBE(p.data.length, 2), p.data);
  }
  return concat(...out);
}

/**
 * The additional data an AEAD authenticates: the envelope header and the caller's AAD,
 * each preceded by its 32-bit length, so neither can be shifted into the other.
 * Wrapped-key parts also bind their index (`part`), so Fernet halves cannot be swapped.
 */
export function boundAad(header: Uint8Array, aad: Uint8Array = new Uint8Array(0), part?: number): Uint8Array<ArrayBuffer> {
  const pieces: Uint8Array[] = [uintBE(header.length, 4), header, uintBE(aad.length, 4), aad];
  if (part !== undefined) pieces.push(Uint8Array.of(part));
  return concat(...pieces);
}

/** A bounds-checked reader: every overrun is MALFORMED_INPUT. */
class Reader {
  pos = 0;
  constructor(readonly b: Uint8Array<ArrayBuffer>) {}
  take(n: number, what: string): Uint8Array<ArrayBuffer> {
    if (n < 0 || this.pos + n > this.b.length) throw new MalformedInputError(`envelope: truncated (${what})`);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(what: string): number {
    return this.take(1, what)[0]!;
  }
  uint(n: number, what: string): number {
    return readUintBE(this.take(n, what), 0, n);
  }
  ascii(n: number, what: string): string {
    const bytes = this.take(n, what);
    const s = String.fromCharCode(...bytes);
    if (!PRINTABLE.test(s)) throw new MalformedInputError(`envelope: ${what} is not printable ASCII`);
    return s;
  }
  /** Everything left, as a view (no copy: the ciphertext of a large file is most of it). */
  takeRest(): Uint8Array<ArrayBuffer> {
    const out = this.b.subarray(this.pos);
    this.pos = this.b.length;
    return out;
  }
  get rest(): number {
    return this.b.length - this.pos;
  }
}

function lookup<T extends string>(table: Record<T, number>, byte: number): T | undefined {
  return (Object.keys(table) as T[]).find((k) => table[k] === byte);
}

/** True when the bytes start like a Clavis envelope (magic only; not a validity check). */
export function looksLikeEnvelope(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === ENVELOPE_MAGIC[0] && b[1] === ENVELOPE_MAGIC[1] && b[2] === ENVELOPE_MAGIC[2];
}

/**
 * Parses an envelope strictly.
 * @throws MALFORMED_INPUT for a wrong magic, unknown version or algorithm, bad field,
 * truncation, or (for wrapped keys) trailing bytes.
 */
export function parseEnvelope(input: Uint8Array): Envelope {
  if (!(input instanceof Uint8Array)) throw new MalformedInputError('envelope: ciphertext must be bytes');
  // Small fields are copied out; the body stays a view of the caller's (ArrayBuffer-backed) bytes.
  const r = new Reader(input.buffer instanceof ArrayBuffer ? (input as Uint8Array<ArrayBuffer>) : copy(input));
  const magic = r.take(3, 'magic');
  if (!looksLikeEnvelope(magic)) throw new MalformedInputError('envelope: not a Clavis ciphertext (bad magic)');
  const version = r.u8('version');
  if (version !== ENVELOPE_VERSION) throw new MalformedInputError(`envelope: format version ${version} is not supported (this build reads version ${ENVELOPE_VERSION})`);
  const algByte = r.u8('algorithm');
  const idLen = r.u8('key id length');
  if (idLen === 0) throw new MalformedInputError('envelope: empty key id');
  const keyId = r.ascii(idLen, 'key id');
  const keyVersion = r.uint(4, 'key version');

  const cipherAlg = lookup(CIPHER_BYTE, algByte);
  if (cipherAlg) {
    const iv = r.take(IV_BYTES, 'IV');
    let wrappedKey: Uint8Array<ArrayBuffer> | undefined;
    if (cipherAlg === 'RSA-OAEP') {
      const n = r.uint(2, 'wrapped key length');
      if (n === 0) throw new MalformedInputError('envelope: empty wrapped content key');
      wrappedKey = r.take(n, 'wrapped key');
    }
    const header = r.b.slice(0, r.pos);
    if (r.rest < TAG_BYTES) throw new MalformedInputError('envelope: truncated (ciphertext shorter than its tag)');
    const body = r.takeRest();
    const env: CipherEnvelope = { type: 'cipher', algorithm: cipherAlg, keyId, keyVersion, iv, body, header };
    if (wrappedKey) env.wrappedKey = wrappedKey;
    return env;
  }

  const wrapAlg = lookup(WRAP_BYTE, algByte);
  if (!wrapAlg) throw new MalformedInputError(`envelope: unknown algorithm 0x${algByte.toString(16).padStart(2, '0')}`);
  const template = r.ascii(r.u8('template length'), 'template');
  const fpKind = lookup(FP_BYTE, r.u8('fingerprint kind'));
  if (!fpKind) throw new MalformedInputError('envelope: unknown fingerprint kind');
  const fpLen = r.u8('fingerprint length');
  if (fpLen === 0) throw new MalformedInputError('envelope: empty fingerprint');
  const fingerprint: KeyFingerprint = { kind: fpKind, value: toHex(r.take(fpLen, 'fingerprint')) };
  const spki = r.take(r.uint(2, 'public key length'), 'public key');
  const count = r.u8('part count');
  if (count < 1 || count > 2) throw new MalformedInputError('envelope: a wrapped key has one or two parts');
  const header = r.b.slice(0, r.pos);
  const parts: WrappedPart[] = [];
  for (let i = 0; i < count; i++) {
    const iv = wrapAlg === 'AES-GCM' ? r.take(IV_BYTES, 'IV') : new Uint8Array(0);
    const n = r.uint(2, 'wrapped part length');
    if (n === 0) throw new MalformedInputError('envelope: empty wrapped part');
    parts.push({ iv, data: r.take(n, 'wrapped part') });
  }
  if (r.rest !== 0) throw new MalformedInputError('envelope: trailing bytes after the wrapped key');
  return { type: 'wrap', algorithm: wrapAlg, keyId, keyVersion, template, fingerprint, spki, parts, header };
}

/** The printable form: `clavis:v1:` + base64url without padding. */
export function armor(envelope: Uint8Array): string {
  return ARMOR_PREFIX + toBase64Url(envelope);
}

/** True when text carries the Clavis armor prefix (after trimming). */
export function isArmored(text: string): boolean {
  return text.trim().startsWith(ARMOR_PREFIX);
}

/**
 * Decodes the printable form back to envelope bytes (whitespace inside is ignored, so
 * line-wrapped text still opens).
 * @throws MALFORMED_INPUT when the prefix or the base64url is wrong.
 */
export function unarmor(text: string): Uint8Array<ArrayBuffer> {
  if (typeof text !== 'string') throw new MalformedInputError('envelope: armored ciphertext must be text');
  const t = text.trim();
  if (!t.startsWith(ARMOR_PREFIX)) throw new MalformedInputError(`envelope: armored ciphertext starts with "${ARMOR_PREFIX}"`);
  try {
    return fromBase64Url(t.slice(ARMOR_PREFIX.length));
  } catch (e) {
    throw new MalformedInputError('envelope: the armored ciphertext is not valid base64url', { cause: e });
  }
}
