/**
 * Fernet tokens (https://github.com/fernet/spec, Spec.md), byte-compatible with Python's
 * `cryptography.fernet`:
 *
 * ```
 * token = base64url_padded( 0x80 || timestamp(uint64 BE, seconds) || iv(16)
 *                           || AES-128-CBC-PKCS7(encKey, iv, message) || HMAC-SHA-256(signKey, all before) )
 * ```
 *
 * The key's first 16 bytes are the HMAC key (`material.macSecret`), the last 16 the AES
 * key (`material.secret`); see `fernetMaterial()` in vault.ts.
 *
 * Common case: `fernetEncrypt(subtle, material, bytes, nowSeconds, random(16))` and
 * `fernetDecrypt(subtle, material, token, { now: nowSeconds, ttlSeconds: 3600 })`.
 * Both are pure (time and IV are arguments) so the spec's vectors check them exactly.
 *
 * Verification order: decode, length, version, HMAC (constant-time, `subtle.verify`),
 * then time checks, then decryption. Lengths are checked before the HMAC because they are
 * public; time is checked after it so that only authentic tokens report "expired".
 * Like the spec (and unlike Python, which checks it only with a TTL), a token stamped more
 * than 60 s in the future is always refused.
 */
import { EngineError, type EngineErrorCode } from '../errors';
import { concat, copy, fromBase64Url, readUintBE, toBase64UrlPadded, uintBE } from '../internal/bytes';

/** The only token version the spec defines. */
export const FERNET_VERSION = 0x80;
/** Tokens stamped further than this into the future are invalid (spec, and Python's `_MAX_CLOCK_SKEW`). */
export const FERNET_MAX_CLOCK_SKEW_SECONDS = 60;

const HEADER = 1 + 8 + 16;
const HMAC_BYTES = 32;
const BLOCK = 16;

/** Why a token was refused; each has its own message. */
export type FernetFailure =
  | 'bad-base64'
  | 'too-short'
  | 'bad-version'
  | 'bad-length'
  | 'bad-hmac'
  | 'bad-padding'
  | 'expired'
  | 'future';

const FAILURES: Record<FernetFailure, { code: EngineErrorCode; message: string }> = {
  'bad-base64': { code: 'MALFORMED_INPUT', message: 'fernet: the token is not valid padded base64url' },
  'too-short': { code: 'MALFORMED_INPUT', message: 'fernet: the token is too short to be a Fernet token' },
  'bad-version': { code: 'MALFORMED_INPUT', message: 'fernet: unknown token version (only 0x80 is defined)' },
  'bad-length': { code: 'MALFORMED_INPUT', message: 'fernet: the ciphertext is not a whole number of AES blocks' },
  'bad-hmac': { code: 'DECRYPT_FAILED', message: 'fernet: the token’s HMAC does not match (wrong key, or the token was altered)' },
  'bad-padding': { code: 'DECRYPT_FAILED', message: 'fernet: the token decrypts to invalid PKCS#7 padding' },
  expired: { code: 'DECRYPT_FAILED', message: 'fernet: the token has expired (older than the allowed time-to-live)' },
  future: { code: 'DECRYPT_FAILED', message: 'fernet: the token’s timestamp is more than 60 seconds in the future' },
};

/**
 * A refused Fernet token. `reason` says which check failed; `code` is MALFORMED_INPUT
 * for structural faults and DECRYPT_FAILED for HMAC, padding and time.
 */
export class FernetTokenError extends EngineError {
  readonly reason: FernetFailure;
  constructor(reason: FernetFailure, options?: { cause?: unknown }) {
    super(FAILURES[reason].code, FAILURES[reason].message, options);
    this.name = 'FernetTokenError';
    this.reason = reason;
  }
}

/** The two CryptoKeys of a Fernet key. */
export interface FernetKeys {
  /** AES-128-CBC key (the last 16 bytes of the Fernet key). */
  secret?: CryptoKey;
  /** HMAC-SHA-256 key (the first 16 bytes). */
  macSecret?: CryptoKey;
}

function keysOf(m: FernetKeys): { secret: CryptoKey; macSecret: CryptoKey } {
  if (!m.secret || !m.macSecret) throw new EngineError('INVALID_ARGUMENT', 'fernet: the key needs both its HMAC and AES halves');
  return { secret: m.secret, macSecret: m.macSecret };
}

/** base64url with `=` padding, as Python's `urlsafe_b64encode` writes it (from the one bytes module). */
export { toBase64UrlPadded };

/** Strict padded base64url: URL-safe alphabet only, correct padding, nothing after it. */
function decodeToken(token: string): Uint8Array<ArrayBuffer> {
  if (typeof token !== 'string' || token.length % 4 !== 0 || !/^[A-Za-z0-9_-]*={0,2}$/.test(token)) {
    throw new FernetTokenError('bad-base64');
  }
  try {
    return fromBase64Url(token);
  } catch (e) {
    throw new FernetTokenError('bad-base64', { cause: e });
  }
}

/**
 * Makes a Fernet token. `now` is whole seconds since the epoch; `iv` is 16 bytes that
 * must be fresh random bytes for every token (the engine passes `ctx.random(16)`).
 */
export async function fernetEncrypt(subtle: SubtleCrypto, material: FernetKeys, plaintext: Uint8Array, now: number, iv: Uint8Array): Promise<string> {
  const k = keysOf(material);
  if (iv.length !== 16) throw new EngineError('INVALID_ARGUMENT', 'fernet: the IV must be 16 bytes');
  if (!Number.isSafeInteger(now) || now < 0) throw new EngineError('INVALID_ARGUMENT', 'fernet: the timestamp must be whole seconds since 1970');
  // WebCrypto's AES-CBC applies PKCS#7 padding itself (RFC 5652 §6.3, as the spec asks).
  const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv: copy(iv) }, k.secret, copy(plaintext)));
  const signed = concat(Uint8Array.of(FERNET_VERSION), uintBE(now, 8), iv, ct);
  const mac = new Uint8Array(await subtle.sign('HMAC', k.macSecret, signed));
  return toBase64UrlPadded(concat(signed, mac));
}

/** What an opened token holds. */
export interface FernetOpened {
  plaintext: Uint8Array<ArrayBuffer>;
  /** When the token was made, in seconds since the epoch. */
  timestamp: number;
}

/**
 * Opens a Fernet token. `now` is whole seconds since the epoch; `ttlSeconds`, when given,
 * refuses tokens older than that.
 * @throws FernetTokenError (MALFORMED_INPUT or DECRYPT_FAILED) naming the failed check.
 */
export async function fernetDecrypt(
  subtle: SubtleCrypto,
  material: FernetKeys,
  token: string,
  opts: { now: number; ttlSeconds?: number },
): Promise<FernetOpened> {
  const k = keysOf(material);
  const raw = decodeToken(token.trim());
  if (raw.length < HEADER + HMAC_BYTES) throw new FernetTokenError('too-short');
  if (raw[0] !== FERNET_VERSION) throw new FernetTokenError('bad-version');
  const ctLen = raw.length - HEADER - HMAC_BYTES;
  if (ctLen === 0 || ctLen % BLOCK !== 0) throw new FernetTokenError('bad-length');
  const signed = raw.slice(0, raw.length - HMAC_BYTES);
  const mac = raw.slice(raw.length - HMAC_BYTES);
  // subtle.verify compares in constant time (the spec's step 5).
  if (!(await subtle.verify('HMAC', k.macSecret, mac, signed))) throw new FernetTokenError('bad-hmac');
  const timestamp = readUintBE(raw, 1, 8);
  if (timestamp > opts.now + FERNET_MAX_CLOCK_SKEW_SECONDS) throw new FernetTokenError('future');
  if (opts.ttlSeconds !== undefined && timestamp + opts.ttlSeconds < opts.now) throw new FernetTokenError('expired');
  let pt: ArrayBuffer;
  try {
    pt = await subtle.decrypt({ name: 'AES-CBC', iv: raw.slice(9, HEADER) }, k.secret, raw.slice(HEADER, HEADER + ctLen));
  } catch (e) {
    // The HMAC already matched, so the only way here is a token made with bad padding.
    throw new FernetTokenError('bad-padding', { cause: e });
  }
  return { plaintext: new Uint8Array(pt), timestamp };
}

/** True when text looks like a Fernet token (version byte 0x80 encodes as `gAAAAA`). */
export function looksLikeFernetToken(text: string): boolean {
  return /^gAAAAA[A-Za-z0-9_-]+={0,2}$/.test(text.trim());
}
