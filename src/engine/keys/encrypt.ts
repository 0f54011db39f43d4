// Encrypt and decrypt with vault keys: Clavis envelopes (AES-GCM, ChaCha20-Poly1305, RSA-OAEP hybrid) and Fernet tokens.
import { EngineError, KeyStateError, MalformedInputError } from '../errors';
import { assertBytes, assertString } from '../internal/assert';
import { concat, fromUtf8, fromUtf8Lenient, utf8 } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { EngineContext } from './context';
import { armor, boundAad, cipherHeader, isArmored, IV_BYTES, looksLikeEnvelope, parseEnvelope, unarmor, type CipherAlgorithm, type CipherEnvelope } from './envelope';
import { fernetDecrypt, fernetEncrypt, looksLikeFernetToken } from './fernet';
import { openHybrid, sealHybrid } from './hybrid';
import type { TemplateFamily } from './templates';
import {
  arrayBacked,
  loadForProtect,
  need,
  nowSeconds,
  optionalAad,
  requireOperation,
  withArticle,
  type DecryptOptions,
  type DecryptResult,
  type DecryptTextOptions,
  type EncryptOptions,
} from './use-common';
import { loadKey, type LoadedKey } from './vault';

const DECRYPT_FAILED_MESSAGE = 'keys: decryption failed: wrong key, wrong associated data, or the ciphertext was altered';

const CIPHER_OF: Partial<Record<TemplateFamily, CipherAlgorithm>> = {
  'aes-gcm': 'AES-GCM',
  'chacha20-poly1305': 'ChaCha20-Poly1305',
  'rsa-oaep': 'RSA-OAEP',
};

async function encryptLoaded(ctx: EngineContext, k: LoadedKey, plaintext: Uint8Array<ArrayBuffer>, aad: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const { info, material, template } = k;
  if (template.family === 'fernet') {
    if (aad.length > 0) throw new EngineError('INVALID_ARGUMENT', 'fernet: tokens have no associated data; leave aad empty');
    return utf8(await fernetEncrypt(ctx.subtle, material, plaintext, nowSeconds(ctx), ctx.random(16)));
  }
  const algorithm = CIPHER_OF[template.family];
  if (!algorithm) throw new KeyStateError(`keys: ${withArticle(template.name)} key cannot encrypt`);
  if (algorithm === 'RSA-OAEP') return sealHybrid(ctx, need(material.publicKey, 'public key'), info.id, info.version, plaintext, aad);
  // A fresh random 96-bit IV per message from the injected CSPRNG (SECURITY.md K5, K6).
  const iv = ctx.random(IV_BYTES);
  const header = cipherHeader({ algorithm, keyId: info.id, keyVersion: info.version, iv });
  const key = need(material.secret, 'secret key');
  const fullAad = boundAad(header, aad);
  // AES-GCM: the bulk cipher returns header || ciphertext, joined off the main thread
  // when the worker runs it (64 MiB would otherwise be copied here once more).
  const bulk = ctx.bulk;
  if (algorithm === 'AES-GCM' && bulk.aesGcmEncryptAfter) {
    return new Uint8Array(await attempt('UNSUPPORTED', `keys: the browser could not encrypt with ${algorithm}`, () => bulk.aesGcmEncryptAfter!(header, key, iv, fullAad, plaintext)));
  }
  const ct = await attempt('UNSUPPORTED', `keys: the browser could not encrypt with ${algorithm}`, () =>
    algorithm === 'AES-GCM'
      ? bulk.aesGcm('encrypt', key, iv, fullAad, plaintext)
      : ctx.subtle.encrypt({ name: 'ChaCha20-Poly1305', iv, additionalData: fullAad } as AlgorithmIdentifier, key, plaintext),
  );
  return concat(header, new Uint8Array(ct));
}

/**
 * Encrypts bytes under a vault key into a Clavis envelope (AES-GCM, ChaCha20-Poly1305,
 * or RSA-OAEP hybrid). A Fernet key returns the token's ASCII bytes instead.
 * @throws KEY_NOT_FOUND, KEY_STATE (the key cannot encrypt), INVALID_ARGUMENT
 */
export async function encrypt(ctx: EngineContext, id: string, plaintext: Uint8Array, opts?: EncryptOptions): Promise<Uint8Array> {
  assertBytes(plaintext, 'plaintext');
  const aad = optionalAad(opts);
  const k = await loadForProtect(ctx, id);
  requireOperation(ctx, k, 'encrypt');
  return encryptLoaded(ctx, k, arrayBacked(plaintext), aad);
}

function openWith(ctx: EngineContext, k: LoadedKey, env: CipherEnvelope, aad: Uint8Array): Promise<ArrayBuffer> {
  const want = CIPHER_OF[k.template.family];
  if (want !== env.algorithm) {
    throw new EngineError('DECRYPT_FAILED', `keys: the ciphertext was made with ${env.algorithm}, which ${withArticle(k.template.name)} key does not do`);
  }
  if (env.algorithm === 'RSA-OAEP') return openHybrid(ctx, need(k.material.privateKey, 'private key'), env, aad);
  const key = need(k.material.secret, 'secret key');
  const fullAad = boundAad(env.header, aad);
  return attempt('DECRYPT_FAILED', DECRYPT_FAILED_MESSAGE, () =>
    env.algorithm === 'AES-GCM'
      ? ctx.bulk.aesGcm('decrypt', key, env.iv, fullAad, env.body)
      : ctx.subtle.decrypt({ name: 'ChaCha20-Poly1305', iv: env.iv, additionalData: fullAad } as AlgorithmIdentifier, key, env.body),
  );
}

async function loadNamedKey(ctx: EngineContext, env: CipherEnvelope, keyId: string | undefined): Promise<LoadedKey> {
  if (keyId !== undefined) {
    assertString(keyId, 'keyId', { min: 1 });
    return loadKey(ctx, keyId);
  }
  let k: LoadedKey;
  try {
    k = await loadKey(ctx, env.keyId);
  } catch (e) {
    if (e instanceof EngineError && e.code === 'KEY_NOT_FOUND') {
      throw new EngineError('KEY_NOT_FOUND', 'keys: the key this ciphertext names is not in the vault (if it came from another vault, choose the key with keyId)', { cause: e });
    }
    throw e;
  }
  if (k.info.version !== env.keyVersion) {
    throw new EngineError('KEY_NOT_FOUND', `keys: the ciphertext names version ${env.keyVersion} of its key, which the vault does not hold`);
  }
  return k;
}

async function openFernetBytes(ctx: EngineContext, token: string, opts: DecryptTextOptions | undefined): Promise<DecryptResult> {
  if (opts?.keyId === undefined) {
    throw new EngineError('INVALID_ARGUMENT', 'keys: a Fernet token does not name its key; choose the Fernet key (keyId)');
  }
  if (optionalAad(opts).length > 0) throw new EngineError('INVALID_ARGUMENT', 'fernet: tokens have no associated data; leave aad empty');
  const ttl = opts.ttlSeconds;
  if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)) {
    throw new EngineError('INVALID_ARGUMENT', 'fernet: ttlSeconds must be a non-negative number of seconds');
  }
  const k = await loadKey(ctx, opts.keyId);
  if (k.template.family !== 'fernet') {
    throw new EngineError('DECRYPT_FAILED', `keys: this is a Fernet token, and ${withArticle(k.template.name)} key cannot open it`);
  }
  requireOperation(ctx, k, 'decrypt', opts);
  const opened = await fernetDecrypt(ctx.subtle, k.material, token, ttl === undefined ? { now: nowSeconds(ctx) } : { now: nowSeconds(ctx), ttlSeconds: ttl });
  return { plaintext: opened.plaintext, keyId: k.info.id, version: k.info.version };
}

/** The bytes as text when they are all printable ASCII (a Fernet token), else null. */
function asciiOrNull(b: Uint8Array): string | null {
  for (const x of b) if (x > 0x7e || x < 0x20) return null;
  return fromUtf8Lenient(b);
}

/**
 * Opens a Clavis envelope with the key it names (or `opts.keyId`), checking the
 * associated data. Fernet token bytes open with `opts.keyId`.
 * @throws MALFORMED_INPUT, KEY_NOT_FOUND, KEY_STATE, DECRYPT_FAILED
 */
export async function decrypt(ctx: EngineContext, ciphertext: Uint8Array, opts?: DecryptOptions): Promise<DecryptResult> {
  assertBytes(ciphertext, 'ciphertext');
  const aad = optionalAad(opts);
  if (!looksLikeEnvelope(ciphertext)) {
    const text = ciphertext[0] === 0x67 /* 'g' */ ? asciiOrNull(ciphertext) : null;
    if (text !== null && looksLikeFernetToken(text)) return openFernetBytes(ctx, text, opts);
  }
  const env = parseEnvelope(ciphertext);
  if (env.type !== 'cipher') throw new MalformedInputError('keys: this is a wrapped key, not encrypted data; use unwrapKey');
  const k = await loadNamedKey(ctx, env, opts?.keyId);
  requireOperation(ctx, k, 'decrypt', opts);
  const pt = await openWith(ctx, k, env, aad);
  return { plaintext: new Uint8Array(pt), keyId: k.info.id, version: env.keyVersion };
}

/**
 * Encrypts UTF-8 text: a `clavis:v1:` armored envelope, or a Fernet token (padded
 * base64url, as Python's `cryptography` writes it) for Fernet keys.
 * @throws KEY_NOT_FOUND, KEY_STATE, INVALID_ARGUMENT
 */
export async function encryptText(ctx: EngineContext, id: string, text: string, opts?: EncryptOptions): Promise<string> {
  assertString(text, 'text');
  const aad = optionalAad(opts);
  const k = await loadForProtect(ctx, id);
  requireOperation(ctx, k, 'encrypt');
  const out = await encryptLoaded(ctx, k, utf8(text), aad);
  return k.template.family === 'fernet' ? fromUtf8(out) : armor(out);
}

/**
 * Decrypts text made by `encryptText` (or a Fernet token from elsewhere, with
 * `opts.keyId` naming the Fernet key; `opts.ttlSeconds` bounds its age).
 * @throws MALFORMED_INPUT, KEY_NOT_FOUND, KEY_STATE, DECRYPT_FAILED, INVALID_ARGUMENT
 */
export async function decryptText(ctx: EngineContext, armored: string, opts?: DecryptTextOptions): Promise<string> {
  assertString(armored, 'ciphertext');
  const t = armored.trim();
  let result: DecryptResult;
  if (isArmored(t)) {
    result = await decrypt(ctx, unarmor(t), opts);
  } else if (looksLikeFernetToken(t) || opts?.keyId !== undefined) {
    if (opts?.keyId !== undefined && !looksLikeFernetToken(t)) {
      // A chosen key and text that is neither armor nor a token: let a Fernet key name the
      // exact fault (base64, length...), and tell anyone else what the text should look like.
      const k = await loadKey(ctx, opts.keyId);
      if (k.template.family !== 'fernet') throw new MalformedInputError('keys: not a Clavis ciphertext (clavis:v1:…) or a Fernet token');
    }
    result = await openFernetBytes(ctx, t, opts);
  } else {
    throw new MalformedInputError('keys: not a Clavis ciphertext (clavis:v1:…) or a Fernet token');
  }
  try {
    return fromUtf8(result.plaintext);
  } catch (e) {
    throw new MalformedInputError('keys: the decrypted data is not UTF-8 text; open it as a file (decrypt)', { cause: e });
  }
}
