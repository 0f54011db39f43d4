// The backup file: the passphrase-encrypted envelope (PBKDF2, AES-256-GCM with the header as additional data) around the JSON payload.
import { canonicalJson, type JsonValue } from '../audit/chain';
import { EngineError, MalformedInputError } from '../errors';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { BACKUP_FORMAT, BACKUP_ITERATIONS, BACKUP_VERSION, MAX_BACKUP_BYTES, MAX_BACKUP_ITERATIONS } from './format';

interface FileHeader {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-256-GCM'; iv: string };
}

/** Bytes in the JSON payload: `{ $b64: '…' }`. */
const BYTES = '$b64';

/** The payload as JSON bytes, byte arrays written as `{ $b64 }`. */
export function encodePayload(value: unknown): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { [BYTES]: toBase64(v) } : v)));
}

/** The payload back from JSON bytes. @throws MALFORMED_INPUT */
export function decodePayload(bytes: Uint8Array): unknown {
  return JSON.parse(fromUtf8(bytes), (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === BYTES && typeof o[BYTES] === 'string') return fromBase64(o[BYTES]);
    }
    return v;
  });
}

/** Refuses a passphrase that is not text of at least `min` characters. @throws INVALID_ARGUMENT */
export function checkPassphrase(p: unknown, min: number): asserts p is string {
  if (typeof p !== 'string' || p.length === 0) throw new EngineError('INVALID_ARGUMENT', 'backup: a passphrase is required');
  if (p.length < min) throw new EngineError('INVALID_ARGUMENT', `backup: the passphrase must be at least ${min} characters long`);
  if (p.length > 1024) throw new EngineError('INVALID_ARGUMENT', 'backup: the passphrase must be at most 1024 characters long');
}

async function deriveKey(ctx: EngineContext, passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const pass = utf8(passphrase.normalize('NFC'));
  try {
    const base = await ctx.subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveKey']);
    // WebCrypto runs PBKDF2 off the calling thread (asynchronously); the result never leaves the engine.
    return await ctx.subtle.deriveKey({ name: 'PBKDF2', salt, iterations, hash: 'SHA-256' }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'backup: this browser could not run PBKDF2 for the passphrase', { cause: e });
  } finally {
    pass.fill(0);
  }
}

const headerAad = (h: FileHeader) => utf8(canonicalJson(h as unknown as JsonValue));

/** The encrypted file: a fresh salt and IV, the header as additional data. */
export async function sealFile(ctx: EngineContext, passphrase: string, createdAt: string, plaintext: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const salt = ctx.random(16);
  const iv = ctx.random(12);
  const header: FileHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: BACKUP_ITERATIONS, salt: toBase64(salt) },
    cipher: { name: 'AES-256-GCM', iv: toBase64(iv) },
  };
  const key = await deriveKey(ctx, passphrase, salt, BACKUP_ITERATIONS);
  // AES-GCM of a large vault runs where the engine's bulk cipher runs (a Web Worker in the app).
  const ct = new Uint8Array(await ctx.bulk.aesGcm('encrypt', key, iv, headerAad(header), plaintext));
  return utf8(`${JSON.stringify({ ...header, ciphertext: toBase64(ct) })}\n`);
}

/** MALFORMED_INPUT for a damaged, truncated or changed backup file, naming what is wrong. */
export const damaged = (what: string, cause?: unknown) =>
  new MalformedInputError(`backup: the file is damaged or truncated (${what}); it is not a complete Clavis vault backup`, cause === undefined ? undefined : { cause });

/** Opens a backup file: checks its size before parsing, then its header, then decrypts. */
export async function openFile(ctx: EngineContext, file: Uint8Array | string, passphrase: string): Promise<unknown> {
  checkPassphrase(passphrase, 1);
  if (typeof file === 'string') {
    // A UTF-16 string of n code units is at most 3n UTF-8 bytes: check before converting.
    if (file.length > MAX_BACKUP_BYTES) throw new EngineError('INVALID_ARGUMENT', `backup: the file is larger than ${MAX_BACKUP_BYTES / 1024 / 1024} MiB, more than a Clavis backup holds`);
  } else if (!(file instanceof Uint8Array)) {
    throw new EngineError('INVALID_ARGUMENT', 'backup: choose a backup file');
  } else if (file.length > MAX_BACKUP_BYTES) {
    throw new EngineError('INVALID_ARGUMENT', `backup: the file is larger than ${MAX_BACKUP_BYTES / 1024 / 1024} MiB, more than a Clavis backup holds`);
  }
  const text = typeof file === 'string' ? file : fromUtf8(file);
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch (e) {
    throw damaged('it does not end where a backup ends', e);
  }
  if (!outer || typeof outer !== 'object' || Array.isArray(outer)) throw damaged('no backup header');
  const o = outer as Record<string, unknown>;
  if (o.format !== BACKUP_FORMAT) throw new MalformedInputError('backup: this file is not a Clavis vault backup');
  if (o.version !== BACKUP_VERSION) throw new EngineError('UNSUPPORTED', `backup: the backup is format version ${String(o.version).slice(0, 10)}; this Clavis reads version ${BACKUP_VERSION}`);
  const kdf = o.kdf as Record<string, unknown> | undefined;
  const cipher = o.cipher as Record<string, unknown> | undefined;
  if (!kdf || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || typeof kdf.salt !== 'string' || !Number.isInteger(kdf.iterations)) throw damaged('the key derivation settings are missing');
  const iterations = kdf.iterations as number;
  if (iterations < BACKUP_ITERATIONS || iterations > MAX_BACKUP_ITERATIONS) {
    throw new MalformedInputError(`backup: the file asks for ${iterations} PBKDF2 iterations; Clavis backups use ${BACKUP_ITERATIONS.toLocaleString('en')} to ${MAX_BACKUP_ITERATIONS.toLocaleString('en')}`);
  }
  if (!cipher || cipher.name !== 'AES-256-GCM' || typeof cipher.iv !== 'string' || typeof o.ciphertext !== 'string' || typeof o.createdAt !== 'string') throw damaged('the cipher settings are missing');
  let salt: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>, ct: Uint8Array<ArrayBuffer>;
  try {
    salt = fromBase64(kdf.salt);
    iv = fromBase64(cipher.iv);
    ct = fromBase64(o.ciphertext);
  } catch (e) {
    throw damaged('its encrypted part is not base64', e);
  }
  if (salt.length < 16 || iv.length !== 12 || ct.length < 16) throw damaged('its salt, nonce or encrypted part is too short');
  const header: FileHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: o.createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: kdf.salt },
    cipher: { name: 'AES-256-GCM', iv: cipher.iv },
  };
  const key = await deriveKey(ctx, passphrase, salt, iterations);
  let plain: Uint8Array<ArrayBuffer>;
  try {
    plain = new Uint8Array(await ctx.bulk.aesGcm('decrypt', key, iv, headerAad(header), ct));
  } catch (e) {
    // AES-GCM cannot tell a wrong passphrase from a changed byte: both fail authentication.
    throw new EngineError('WRONG_PASSPHRASE', 'backup: the passphrase does not open this backup, or the file was changed after it was made; nothing was restored', { cause: e });
  }
  try {
    return decodePayload(plain);
  } catch (e) {
    throw damaged('its contents are not readable', e);
  } finally {
    plain.fill(0);
  }
}
