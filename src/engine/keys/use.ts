/**
 * Using keys (A4): encrypt/decrypt, sign/verify, wrap/unwrap, derive, encapsulate.
 *
 * Common case:
 * ```ts
 * const ct = await engine.encryptText(key.id, 'hello');         // "clavis:v1:…"
 * const text = await engine.decryptText(ct);                     // the envelope names its key
 * const sig = await engine.sign(signer.id, bytes);               // ECDSA: DER by default
 * ```
 *
 * Every ciphertext is a versioned envelope that names its key and key version
 * (envelope.ts); Fernet keys make Fernet tokens instead (fernet.ts). The caller never
 * supplies IVs, nonces, hashes or padding: the key's template fixes them.
 *
 * Error contract:
 * - KEY_NOT_FOUND: the key (or the key an envelope names) is not in the vault.
 * - KEY_STATE: the key's template cannot do the operation, it is a public key where the
 *   private half is needed, or its lifecycle state forbids the operation.
 * - MALFORMED_INPUT: the input is not the format it claims (envelope, token, DER, PEM).
 * - DECRYPT_FAILED: wrong key, wrong associated data, tampered or truncated ciphertext.
 * - NOT_EXTRACTABLE: wrapping a key whose CryptoKey is non-extractable.
 * - UNSUPPORTED: this browser lacks the algorithm.
 * `verify` returns false (never throws) for a signature that does not verify, including a
 * malformed DER ECDSA signature: either way the answer is "not signed by this key".
 */
import { EngineError, KeyStateError, MalformedInputError } from '../errors';
import { assertBytes, assertString } from '../internal/assert';
import { concat, copy, fromUtf8, fromUtf8Lenient, utf8 } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import { assertOperationAllowed, type GateOptions } from '../lifecycle/gates';
import { isoAt } from '../lifecycle/transition';
import type { ClavisStorage } from '../storage/db';
import type { KeyId, KeyInfo, KeyOperation } from '../types';
import type { KeyMaterialRecord } from '../storage/schema';
import type { EngineContext } from './context';
import { derToRaw, EC_SCALAR_BYTES, rawToDer, spkiAlgorithm, type NamedCurve, type SpkiAlgorithm } from './ecdsa-der';
import {
  armor,
  boundAad,
  cipherHeader,
  isArmored,
  IV_BYTES,
  looksLikeEnvelope,
  parseEnvelope,
  unarmor,
  wrapHeader,
  wrapParts,
  type CipherAlgorithm,
  type CipherEnvelope,
  type WrapAlgorithm,
  type WrappedPart,
} from './envelope';
import { fernetDecrypt, fernetEncrypt, looksLikeFernetToken } from './fernet';
import { decodePem, pemCharsFor, type PemBlock } from './pem';
import { openHybrid, sealHybrid } from './hybrid';
import { isTemplateName, type KeyTemplate, type TemplateFamily } from './templates';
import { cleanLabel, describeKey, getKeyInfo, loadKey, newKeyId, storeNewKey, templateOf, type LoadedKey } from './vault';

/** Options for encryption: associated data that must match on decryption. */
export interface EncryptOptions {
  aad?: Uint8Array;
}

/**
 * Options for decryption. `keyId` chooses the vault key instead of the one the envelope
 * names: needed for Fernet tokens (which name no key) and for envelopes made in another
 * vault with a shared key (a derived or unwrapped key has a different id in each vault).
 * The envelope header, including the original key id, stays authenticated either way.
 */
export interface DecryptOptions extends EncryptOptions {
  keyId?: string;
  /**
   * Process with a suspended or compromised key anyway, at the caller's risk (SP 800-57
   * §7; gates.ts). Without it such a key refuses with KEY_STATE.
   */
  acknowledgeRisk?: boolean;
}

/** Options for decrypting text; `ttlSeconds` refuses Fernet tokens older than that. */
export interface DecryptTextOptions extends DecryptOptions {
  ttlSeconds?: number;
}

/** What `decrypt` recovered, and with which key and key version. */
export interface DecryptResult {
  plaintext: Uint8Array;
  keyId: KeyId;
  version: number;
}

/**
 * Signature encoding. ECDSA signatures default to `der` (the ASN.1 ECDSA-Sig-Value that
 * openssl, Python and X.509 use); `raw` is WebCrypto's r||s. Other algorithms have one
 * encoding and ignore this.
 */
export interface SignatureOptions {
  encoding?: 'der' | 'raw';
  /** For `verify` with a suspended or compromised key: see DecryptOptions.acknowledgeRisk. */
  acknowledgeRisk?: boolean;
}

/**
 * Name and owner of a key that an operation creates (unwrap, derive, encapsulate);
 * `acknowledgeRisk` lets unwrap/decapsulate process with a suspended or compromised key.
 */
export interface NewKeyLabel {
  name: string;
  owner?: string;
  acknowledgeRisk?: boolean;
}

/** HKDF salt of `deriveKey`: a fixed public label (RFC 5869 §3.1 allows a non-secret constant). */
export const DERIVE_SALT = utf8('Clavis derive v1 salt');
/** HKDF info prefix of `deriveKey`; followed by the template name and both SPKI fingerprints. */
export const DERIVE_INFO_LABEL = 'Clavis derive v1';
/** HKDF salt of `encapsulate`/`decapsulate`. */
export const KEM_SALT = utf8('Clavis ML-KEM v1 salt');
/** HKDF info prefix of `encapsulate`/`decapsulate`; followed by the SPKI fingerprint and SHA-256 of the ciphertext. */
export const KEM_INFO_LABEL = 'Clavis ML-KEM v1';

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------
// Gates: what a key may do.

const DOES: Record<TemplateFamily, string> = {
  'aes-gcm': 'encrypts and wraps keys',
  'aes-kw': 'wraps keys',
  hmac: 'computes MACs (sign and verify)',
  fernet: 'encrypts Fernet tokens',
  'rsa-oaep': 'encrypts and wraps keys',
  'rsa-pss': 'signs',
  'rsa-pkcs1': 'signs',
  ecdsa: 'signs',
  ecdh: 'agrees shared keys (derive)',
  x25519: 'agrees shared keys (derive)',
  ed25519: 'signs',
  'ml-kem': 'encapsulates shared keys',
  'ml-dsa': 'signs',
  'chacha20-poly1305': 'encrypts',
};

/** "an ECDSA-P-256", "a FERNET": letters whose English name starts with a vowel sound take "an". */
function withArticle(name: string): string {
  const word = /^(FERNET|ChaCha)/.test(name);
  return `${!word && /^[AEFHILMNORSX]/.test(name) ? 'an' : 'a'} ${name}`;
}

/**
 * Throws KEY_STATE unless the key's template and kind allow `op` and its lifecycle
 * allows it now (B2: `assertOperationAllowed`, judged at the engine's clock with due
 * clock transitions applied; suspended/compromised keys process only with
 * `acknowledgeRisk`). Counts the use.
 */
export function requireOperation(ctx: EngineContext, k: LoadedKey, op: KeyOperation, gate: GateOptions = {}): void {
  if (!k.template.operations.includes(op)) {
    throw new KeyStateError(`keys: ${withArticle(k.template.name)} key ${DOES[k.template.family]}; it cannot ${op}`);
  }
  if (!k.info.operations.includes(op)) {
    throw new KeyStateError(`keys: this ${k.template.name} key is a public key only; to ${op} you need its private key`);
  }
  const now = ctx.clock.now();
  assertOperationAllowed(k.info, op, now, gate.acknowledgeRisk === true ? { acknowledgeRisk: true } : {});
  countUse(ctx.storage, k.info.id, now);
}

// ---------------------------------------------------------------------------------------
// Use counts: per key, batched so an operation never waits for a write.

interface UsageBatch {
  pending: Map<string, { count: number; lastUsedAt: string }>;
  timer: ReturnType<typeof setTimeout> | undefined;
  flushing: Promise<void>;
}

const USAGE = new WeakMap<ClavisStorage, UsageBatch>();
/** How long uses are gathered before one write stores them. */
export const USAGE_FLUSH_MS = 200;

function batchOf(storage: ClavisStorage): UsageBatch {
  let b = USAGE.get(storage);
  if (!b) {
    b = { pending: new Map(), timer: undefined, flushing: Promise.resolve() };
    USAGE.set(storage, b);
  }
  return b;
}

function countUse(storage: ClavisStorage, id: string, now: number): void {
  const b = batchOf(storage);
  const cur = b.pending.get(id);
  b.pending.set(id, { count: (cur?.count ?? 0) + 1, lastUsedAt: isoAt(now) });
  b.timer ??= setTimeout(() => void flushUsage(storage), USAGE_FLUSH_MS);
}

/**
 * Writes the gathered use counts now (one transaction). A failed write keeps nothing
 * back from the caller: the counts are best-effort and never block a crypto operation.
 */
export async function flushUsage(storage: ClavisStorage): Promise<void> {
  const b = batchOf(storage);
  if (b.timer !== undefined) clearTimeout(b.timer);
  b.timer = undefined;
  const batch = b.pending;
  b.pending = new Map();
  b.flushing = b.flushing.then(async () => {
    if (batch.size === 0) return;
    try {
      await storage.addKeyUsage(batch);
    } catch {
      // The database closed or refused: the counts of this batch are lost, the uses happened.
    }
  });
  await b.flushing;
}

/** How often a key was used (operations its gate allowed) and when last. */
export async function keyUsage(ctx: EngineContext, id: string): Promise<{ count: number; lastUsedAt?: string }> {
  await getKeyInfo(ctx, id);
  await flushUsage(ctx.storage);
  const u = await ctx.storage.getKeyUsage(id);
  return u ? { count: u.count, lastUsedAt: u.lastUsedAt } : { count: 0 };
}

/**
 * The key a protect operation on `id` uses (B4): the primary version of `id`'s keyring,
 * so encrypting with any version's id (or the keyring's id, its first version's) uses
 * the newest key. Ciphertexts name the version that made them.
 */
export async function loadForProtect(ctx: EngineContext, id: string): Promise<LoadedKey> {
  const info = await getKeyInfo(ctx, id);
  if (info.primary) return loadKey(ctx, id);
  const primary = (await ctx.storage.listKeyring(info.keyringId)).find((k) => k.primary);
  return loadKey(ctx, primary?.id ?? id);
}

function need<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new KeyStateError(`keys: the key has no ${what} in the vault`);
  return x;
}

function optionalAad(opts: EncryptOptions | undefined): Uint8Array {
  if (opts?.aad === undefined) return EMPTY;
  assertBytes(opts.aad, 'aad');
  return opts.aad;
}

/** WebCrypto wants ArrayBuffer-backed views; avoid a copy when the input already is one. */
function arrayBacked(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : copy(b);
}

const nowSeconds = (ctx: EngineContext): number => Math.floor(ctx.clock.now() / 1000);

const DECRYPT_FAILED_MESSAGE = 'keys: decryption failed: wrong key, wrong associated data, or the ciphertext was altered';

// ---------------------------------------------------------------------------------------
// encrypt / decrypt

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

// ---------------------------------------------------------------------------------------
// sign / verify

function curveOf(t: KeyTemplate): NamedCurve {
  return (t.algorithm as EcKeyGenParams).namedCurve as NamedCurve;
}

function signParams(t: KeyTemplate): AlgorithmIdentifier | EcdsaParams | RsaPssParams {
  switch (t.family) {
    case 'ecdsa': {
      const curve = curveOf(t);
      return { name: 'ECDSA', hash: curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512' };
    }
    case 'rsa-pss':
      return { name: 'RSA-PSS', saltLength: 32 };
    case 'rsa-pkcs1':
      return { name: 'RSASSA-PKCS1-v1_5' };
    case 'hmac':
      return { name: 'HMAC' };
    default:
      return { name: (t.algorithm as Algorithm).name };
  }
}

function encodingOf(opts: SignatureOptions | undefined): 'der' | 'raw' {
  const e = opts?.encoding ?? 'der';
  if (e !== 'der' && e !== 'raw') throw new EngineError('INVALID_ARGUMENT', 'keys: signature encoding is "der" or "raw"');
  return e;
}

/**
 * Signs (or, for HMAC keys, MACs) bytes. ECDSA hashes with SHA-256/384/512 for
 * P-256/384/521 and returns DER unless `encoding: 'raw'`; RSA-PSS uses a 32-byte salt.
 * @throws KEY_NOT_FOUND, KEY_STATE (not a signing key, or a public key only)
 */
export async function sign(ctx: EngineContext, id: string, data: Uint8Array, opts?: SignatureOptions): Promise<Uint8Array> {
  assertBytes(data, 'data');
  const encoding = encodingOf(opts);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'sign');
  const key = k.template.family === 'hmac' ? need(k.material.secret, 'secret key') : need(k.material.privateKey, 'private key');
  const sig = new Uint8Array(
    await attempt('UNSUPPORTED', `keys: this browser could not sign with ${k.template.label}`, () => ctx.subtle.sign(signParams(k.template), key, arrayBacked(data))),
  );
  return k.template.family === 'ecdsa' && encoding === 'der' ? rawToDer(sig) : sig;
}

/**
 * Checks a signature or MAC. Returns false when it does not verify, including a DER
 * ECDSA signature that is not strict DER or a signature of the wrong length.
 * @throws KEY_NOT_FOUND, KEY_STATE (not a signing key)
 */
export async function verify(ctx: EngineContext, id: string, data: Uint8Array, signature: Uint8Array, opts?: SignatureOptions): Promise<boolean> {
  assertBytes(data, 'data');
  assertBytes(signature, 'signature');
  const encoding = encodingOf(opts);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'verify', opts);
  const key = k.template.family === 'hmac' ? need(k.material.secret, 'secret key') : need(k.material.publicKey, 'public key');
  let sig: Uint8Array<ArrayBuffer> = copy(signature);
  if (k.template.family === 'ecdsa') {
    const size = EC_SCALAR_BYTES[curveOf(k.template)];
    if (encoding === 'der') {
      try {
        sig = derToRaw(signature, size);
      } catch {
        return false;
      }
    } else if (sig.length !== 2 * size) {
      return false;
    }
  }
  try {
    // subtle.verify compares MACs in constant time.
    return await ctx.subtle.verify(signParams(k.template), key, sig, arrayBacked(data));
  } catch {
    // Engines differ on whether a wrong-length signature throws or returns false.
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// wrap / unwrap

const WRAP_OF: Partial<Record<TemplateFamily, WrapAlgorithm>> = { 'aes-kw': 'AES-KW', 'aes-gcm': 'AES-GCM', 'rsa-oaep': 'RSA-OAEP' };

/** The algorithm dictionary to import (or unwrap into) a template's keys. */
export function importAlgorithm(t: KeyTemplate): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  const a = t.algorithm as { name: string; hash?: string; namedCurve?: string };
  if (a.namedCurve) return { name: a.name, namedCurve: a.namedCurve };
  if (a.hash) return { name: a.name, hash: a.hash };
  return { name: a.name };
}

/** What one wrapped part becomes on unwrap. Fernet: part 0 is the HMAC half, part 1 the AES half. */
function partTarget(t: KeyTemplate, index: number): { algorithm: AlgorithmIdentifier | HmacImportParams; usages: KeyUsage[]; extractable: boolean } {
  if (t.family === 'fernet') {
    // Fernet keys are extractable by definition (templates.ts), so the copy is too.
    return index === 0
      ? { algorithm: { name: 'HMAC', hash: 'SHA-256' }, usages: ['sign', 'verify'], extractable: true }
      : { algorithm: { name: 'AES-CBC' }, usages: ['encrypt', 'decrypt'], extractable: true };
  }
  return { algorithm: importAlgorithm(t), usages: (t.kind === 'secret' ? t.usages.secret : t.usages.private) ?? [], extractable: false };
}

function wrapParams(alg: WrapAlgorithm, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): AlgorithmIdentifier | AesGcmParams | RsaOaepParams {
  if (alg === 'AES-GCM') return { name: 'AES-GCM', iv, additionalData: aad };
  // The OAEP label binds the header the same way GCM's additional data does.
  if (alg === 'RSA-OAEP') return { name: 'RSA-OAEP', label: aad };
  // RFC 3394 has no associated data: the header's KCV, checked after unwrapping, catches
  // a swapped template or part.
  return { name: 'AES-KW' };
}

/**
 * Export format of a template's key for wrapping. ChaCha20-Poly1305 belongs to the WebCrypto
 * "modern algorithms" set, which names symmetric key bytes `raw-secret` (Chromium refuses
 * `raw` for it); everything else uses the classic `raw` / `pkcs8`.
 */
function wrapFormat(t: KeyTemplate): KeyFormat {
  if (t.kind !== 'secret') return 'pkcs8';
  return t.family === 'chacha20-poly1305' ? ('raw-secret' as KeyFormat) : 'raw';
}

function piecesOf(t: KeyTemplate, m: KeyMaterialRecord): CryptoKey[] {
  if (t.family === 'fernet') return [need(m.macSecret, 'HMAC half'), need(m.secret, 'AES half')];
  return [t.kind === 'secret' ? need(m.secret, 'secret key') : need(m.privateKey, 'private key')];
}

/**
 * Wraps a vault key under another: AES-KW-256 (RFC 3394) or AES-GCM or RSA-OAEP for
 * symmetric keys; AES-GCM only for private keys (PKCS#8 is not a multiple of 8 bytes for
 * AES-KW and too long for RSA). A Fernet key is two keys (HMAC half, AES half): both are
 * wrapped, as two parts of one envelope. The envelope names the wrapping key and
 * version, the target's template and fingerprint, and for a private key its SPKI.
 * @throws KEY_NOT_FOUND, KEY_STATE, NOT_EXTRACTABLE (the target is not extractable)
 */
export async function wrapKey(ctx: EngineContext, wrappingKeyId: string, targetKeyId: string): Promise<Uint8Array> {
  const w = await loadForProtect(ctx, wrappingKeyId);
  requireOperation(ctx, w, 'wrap');
  const target = await loadKey(ctx, targetKeyId);
  if (target.info.id === w.info.id) throw new EngineError('INVALID_ARGUMENT', 'keys: a key cannot wrap itself');
  if (target.info.kind === 'public') throw new KeyStateError('keys: a public key needs no wrapping; export it instead');
  const alg = WRAP_OF[w.template.family]!;
  const t = target.template;
  const secret = t.kind === 'secret';
  if (!secret && alg !== 'AES-GCM') {
    throw new KeyStateError(
      alg === 'AES-KW'
        ? 'keys: AES-KW cannot wrap a private key (PKCS#8 is not a multiple of 8 bytes); wrap it with an AES-GCM key'
        : 'keys: RSA-OAEP can only wrap symmetric keys (a private key is too long); wrap it with an AES-GCM key',
    );
  }
  const pieces = piecesOf(t, target.material);
  if (pieces.some((p) => !p.extractable)) {
    throw new EngineError('NOT_EXTRACTABLE', 'keys: the key to wrap is not extractable, and WebCrypto only wraps extractable keys; create it as exportable to wrap it');
  }
  const spki = secret ? EMPTY : new Uint8Array(await ctx.subtle.exportKey('spki', need(target.material.publicKey, 'public key')));
  const header = wrapHeader({
    algorithm: alg,
    keyId: w.info.id,
    keyVersion: w.info.version,
    template: t.name,
    fingerprint: target.info.fingerprint,
    spki,
    partCount: pieces.length,
  });
  const wrappingKey = alg === 'RSA-OAEP' ? need(w.material.publicKey, 'public key') : need(w.material.secret, 'secret key');
  const parts: WrappedPart[] = [];
  for (const [i, piece] of pieces.entries()) {
    const iv = alg === 'AES-GCM' ? ctx.random(IV_BYTES) : new Uint8Array(0);
    const data = await attempt('INVALID_ARGUMENT', `keys: the browser refused to wrap this ${t.name} key with ${alg}`, () =>
      ctx.subtle.wrapKey(wrapFormat(t), piece, wrappingKey, wrapParams(alg, iv, boundAad(header, EMPTY, i))),
    );
    parts.push({ iv, data: new Uint8Array(data) });
  }
  return concat(header, wrapParts(alg, parts));
}

/**
 * Unwraps a key made by `wrapKey` into a NEW vault key (origin `unwrapped`),
 * non-extractable unless its template is extractable by nature (Fernet). The new key has
 * the original's fingerprint or KCV; a mismatch is refused. `wrappingKeyId` may be a
 * different vault's id for the same wrapping key than the one the envelope names.
 * @throws MALFORMED_INPUT, KEY_NOT_FOUND, KEY_STATE, DECRYPT_FAILED, UNSUPPORTED
 */
export async function unwrapKey(ctx: EngineContext, wrappingKeyId: string, wrapped: Uint8Array, label: NewKeyLabel): Promise<KeyInfo> {
  assertBytes(wrapped, 'wrapped key');
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const env = parseEnvelope(wrapped);
  if (env.type !== 'wrap') throw new MalformedInputError('keys: this is encrypted data, not a wrapped key; use decrypt');
  const w = await loadKey(ctx, wrappingKeyId);
  requireOperation(ctx, w, 'unwrap', label);
  if (WRAP_OF[w.template.family] !== env.algorithm) {
    throw new EngineError('DECRYPT_FAILED', `keys: this key was wrapped with ${env.algorithm}, which ${withArticle(w.template.name)} key does not do`);
  }
  if (!isTemplateName(env.template)) throw new MalformedInputError('keys: the wrapped key names an unknown template');
  const t = templateOf(env.template);
  if (!(await ctx.supports(t.name))) throw new EngineError('UNSUPPORTED', `keys: this browser does not offer ${t.label}`);
  const secret = t.kind === 'secret';
  const shapeOk =
    env.parts.length === (t.family === 'fernet' ? 2 : 1) &&
    (secret ? env.spki.length === 0 && env.fingerprint.kind === 'kcv' : env.spki.length > 0 && env.fingerprint.kind === 'spki-sha256' && env.algorithm === 'AES-GCM');
  if (!shapeOk) throw new MalformedInputError(`keys: the wrapped key's envelope does not fit a ${t.name} key`);

  const unwrappingKey = env.algorithm === 'RSA-OAEP' ? need(w.material.privateKey, 'private key') : need(w.material.secret, 'secret key');
  const keys: CryptoKey[] = [];
  for (const [i, part] of env.parts.entries()) {
    const target = partTarget(t, i);
    keys.push(
      await attempt('DECRYPT_FAILED', 'keys: unwrapping failed: wrong wrapping key, or the wrapped key was altered', () =>
        ctx.subtle.unwrapKey(
          wrapFormat(t),
          part.data,
          unwrappingKey,
          wrapParams(env.algorithm, part.iv, boundAad(env.header, EMPTY, i)),
          target.algorithm,
          target.extractable,
          target.usages,
        ),
      ),
    );
  }
  const id = newKeyId(ctx);
  const material: KeyMaterialRecord =
    t.family === 'fernet' ? { id, macSecret: keys[0]!, secret: keys[1]! } : secret ? { id, secret: keys[0]! } : { id, privateKey: keys[0]! };
  if (!secret) {
    material.publicKey = await attempt('MALFORMED_INPUT', 'keys: the wrapped key carries an invalid public key', () =>
      ctx.subtle.importKey('spki', env.spki, importAlgorithm(t), true, t.usages.public ?? []),
    );
  }
  // Crypto first (fingerprint), then the storage transaction (SECURITY.md W3).
  const info = await describeKey(ctx, t, material, { name, owner, exportable: false, origin: 'unwrapped' });
  if (info.fingerprint.kind !== env.fingerprint.kind || info.fingerprint.value !== env.fingerprint.value) {
    throw new EngineError('DECRYPT_FAILED', 'keys: the unwrapped key does not match the fingerprint recorded when it was wrapped');
  }
  await storeNewKey(ctx, info, material);
  return info;
}

// ---------------------------------------------------------------------------------------
// derive (ECDH, X25519) and encapsulate (ML-KEM)

const SHARED_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 528, X25519: 256 };

/** Reads a peer public key: DER SPKI bytes, or PEM text (as a string or bytes). */
function peerSpki(peer: Uint8Array | string): Uint8Array<ArrayBuffer> {
  let text: string | null = null;
  if (typeof peer === 'string') text = peer;
  else if (peer instanceof Uint8Array) {
    if (peer.length > 10 && peer[0] === 0x2d /* '-' */) text = fromUtf8Lenient(peer);
    else return copy(peer);
  } else {
    throw new EngineError('INVALID_ARGUMENT', 'keys: the peer public key must be SPKI DER bytes or PEM text');
  }
  // The one strict, linear-time PEM codec, capped well above any public key (issue 14 #9).
  let blocks: PemBlock[];
  try {
    blocks = decodePem(text, { maxChars: pemCharsFor(MAX_PEER_SPKI_BYTES) });
  } catch (e) {
    throw new MalformedInputError('keys: the peer public key is not a PEM "PUBLIC KEY" block', { cause: e });
  }
  if (blocks.length !== 1 || blocks[0]!.label !== 'PUBLIC KEY') throw new MalformedInputError('keys: the peer public key is not a PEM "PUBLIC KEY" block');
  return blocks[0]!.der;
}

/** Largest peer public key read: an RSA-16384 SPKI is about 2 KiB, ML-KEM-1024 about 1.6 KiB. */
const MAX_PEER_SPKI_BYTES = 16 * 1024;

async function sha256(ctx: EngineContext, b: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.digest('SHA-256', b));
}

/** Byte-wise comparison for ordering the two fingerprints. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * HKDF info of `deriveKey`: the label, the template, and both parties' SPKI SHA-256
 * fingerprints in ascending byte order, so both sides compute the same bytes.
 */
export function deriveInfo(templateName: string, fpA: Uint8Array, fpB: Uint8Array): Uint8Array<ArrayBuffer> {
  const [lo, hi] = compareBytes(fpA, fpB) <= 0 ? [fpA, fpB] : [fpB, fpA];
  return concat(utf8(DERIVE_INFO_LABEL), Uint8Array.of(0), utf8(templateName), Uint8Array.of(0), lo, hi);
}

/** HKDF-SHA-256 from shared bits to a new non-extractable AES-256-GCM vault key. */
async function storeSharedKey(
  ctx: EngineContext,
  ikm: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  hkdfInfo: Uint8Array<ArrayBuffer>,
  label: { name: string; owner: string },
): Promise<KeyInfo> {
  const aes = templateOf('AES-GCM-256');
  let secret: CryptoKey;
  try {
    const base = await ctx.subtle.importKey('raw', ikm, 'HKDF', false, ['deriveKey']);
    secret = await ctx.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: hkdfInfo }, base, { name: 'AES-GCM', length: 256 }, false, aes.usages.secret ?? []);
  } finally {
    ikm.fill(0);
  }
  const material: KeyMaterialRecord = { id: newKeyId(ctx), secret };
  const info = await describeKey(ctx, aes, material, { ...label, exportable: false, origin: 'derived' });
  await storeNewKey(ctx, info, material);
  return info;
}

/**
 * Agrees a key with a peer: ECDH (P-256/384/521) or X25519 between this vault key and
 * the peer's public key (SPKI DER bytes or PEM), then HKDF-SHA-256 (salt `DERIVE_SALT`,
 * info `deriveInfo(...)`) to a new non-extractable AES-256-GCM vault key (origin
 * `derived`). The raw shared secret is never used as a key. Both parties get keys with
 * the same KCV.
 * @throws KEY_NOT_FOUND, KEY_STATE, INVALID_ARGUMENT (curve mismatch, degenerate point),
 * MALFORMED_INPUT (not SPKI/PEM, or not a point on the curve)
 */
export async function deriveKey(ctx: EngineContext, privateKeyId: string, peerPublicKey: Uint8Array | string, label: NewKeyLabel): Promise<KeyInfo> {
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const k = await loadKey(ctx, privateKeyId);
  requireOperation(ctx, k, 'derive');
  const t = k.template;
  const spki = peerSpki(peerPublicKey);
  let peerAlg: SpkiAlgorithm;
  try {
    peerAlg = spkiAlgorithm(spki);
  } catch (e) {
    throw new MalformedInputError('keys: the peer public key is not a DER SubjectPublicKeyInfo', { cause: e });
  }
  const curve = t.family === 'x25519' ? 'X25519' : curveOf(t);
  const peerCurve = peerAlg.kind === 'x25519' ? 'X25519' : peerAlg.kind === 'ec' ? (peerAlg.curve === 'other' ? 'another curve' : peerAlg.curve) : 'not an elliptic-curve key';
  if (peerCurve !== curve) {
    throw new EngineError('INVALID_ARGUMENT', `keys: the peer public key is ${peerCurve === 'not an elliptic-curve key' ? peerCurve : `on ${peerCurve}`}, but this is ${withArticle(t.name)} key; both sides must use the same curve`);
  }
  const peer = await attempt('MALFORMED_INPUT', `keys: the peer public key is not a valid ${curve} public key (a point not on the curve, or a bad encoding)`, () =>
    ctx.subtle.importKey('spki', spki, importAlgorithm(t), true, []),
  );
  const bits = new Uint8Array(
    await attempt('INVALID_ARGUMENT', 'keys: key agreement with this peer key failed (a low-order or invalid point)', () =>
      ctx.subtle.deriveBits({ name: t.family === 'x25519' ? 'X25519' : 'ECDH', public: peer } as EcdhKeyDeriveParams, need(k.material.privateKey, 'private key'), SHARED_BITS[curve]!),
    ),
  );
  // RFC 7748 §6.1: an all-zero X25519 output means a low-order peer point.
  if (bits.every((x) => x === 0)) throw new EngineError('INVALID_ARGUMENT', 'keys: key agreement with this peer key gave an all-zero secret (a low-order point)');
  const own = new Uint8Array(await ctx.subtle.exportKey('spki', need(k.material.publicKey, 'public key')));
  const hkdfInfo = deriveInfo(t.name, await sha256(ctx, own), await sha256(ctx, spki));
  return storeSharedKey(ctx, bits, DERIVE_SALT, hkdfInfo, { name, owner });
}

/** The WebCrypto "modern algorithms" KEM calls (Chromium); absent from TypeScript's lib. */
interface KemSubtle {
  encapsulateBits?(algorithm: AlgorithmIdentifier, encapsulationKey: CryptoKey): Promise<{ sharedKey: ArrayBuffer; ciphertext: ArrayBuffer }>;
  decapsulateBits?(algorithm: AlgorithmIdentifier, decapsulationKey: CryptoKey, ciphertext: BufferSource): Promise<ArrayBuffer>;
}

/** ML-KEM-768 ciphertext length (FIPS 203 Table 3). */
export const ML_KEM_768_CIPHERTEXT_BYTES = 1088;

async function kemInfo(ctx: EngineContext, publicKey: CryptoKey, ciphertext: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const spki = new Uint8Array(await ctx.subtle.exportKey('spki', publicKey));
  return concat(utf8(KEM_INFO_LABEL), Uint8Array.of(0), await sha256(ctx, spki), await sha256(ctx, ciphertext));
}

function kemSubtle(ctx: EngineContext): KemSubtle {
  return ctx.subtle as unknown as KemSubtle;
}

/**
 * ML-KEM-768: encapsulates a fresh shared secret to the key's public half. The secret
 * goes through HKDF-SHA-256 (info binds the public key and the ciphertext) into a new
 * non-extractable AES-256-GCM vault key; send `ciphertext` to the private key's holder.
 * @throws KEY_NOT_FOUND, KEY_STATE, UNSUPPORTED
 */
export async function encapsulate(ctx: EngineContext, id: string, label: NewKeyLabel): Promise<{ ciphertext: Uint8Array; key: KeyInfo }> {
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'encapsulate');
  const kem = kemSubtle(ctx);
  if (typeof kem.encapsulateBits !== 'function') throw new EngineError('UNSUPPORTED', 'keys: this browser does not offer ML-KEM encapsulation');
  const publicKey = need(k.material.publicKey, 'public key');
  const r = await attempt('UNSUPPORTED', 'keys: this browser could not encapsulate with ML-KEM-768', () => kem.encapsulateBits!.call(ctx.subtle, { name: 'ML-KEM-768' }, publicKey));
  const ciphertext = new Uint8Array(r.ciphertext);
  const key = await storeSharedKey(ctx, new Uint8Array(r.sharedKey), KEM_SALT, await kemInfo(ctx, publicKey, ciphertext), { name, owner });
  return { ciphertext, key };
}

/**
 * ML-KEM-768: recovers the shared secret from `ciphertext` with the private key, as a new
 * AES-256-GCM vault key with the same KCV as the encapsulating side's. ML-KEM rejects
 * implicitly: a tampered ciphertext yields a different, useless key, not an error.
 * @throws KEY_NOT_FOUND, KEY_STATE, MALFORMED_INPUT (wrong length), UNSUPPORTED
 */
export async function decapsulate(ctx: EngineContext, id: string, ciphertext: Uint8Array, label: NewKeyLabel): Promise<KeyInfo> {
  assertBytes(ciphertext, 'ciphertext');
  const name = cleanLabel(label?.name, 'name', true);
  const owner = cleanLabel(label?.owner, 'owner', false);
  const k = await loadKey(ctx, id);
  requireOperation(ctx, k, 'decapsulate', label);
  if (ciphertext.length !== ML_KEM_768_CIPHERTEXT_BYTES) {
    throw new MalformedInputError(`keys: an ML-KEM-768 ciphertext is ${ML_KEM_768_CIPHERTEXT_BYTES} bytes, got ${ciphertext.length}`);
  }
  const kem = kemSubtle(ctx);
  if (typeof kem.decapsulateBits !== 'function') throw new EngineError('UNSUPPORTED', 'keys: this browser does not offer ML-KEM decapsulation');
  const ct = copy(ciphertext);
  const privateKey = need(k.material.privateKey, 'private key');
  const shared = await attempt('DECRYPT_FAILED', 'keys: ML-KEM decapsulation failed', () => kem.decapsulateBits!.call(ctx.subtle, { name: 'ML-KEM-768' }, privateKey, ct));
  return storeSharedKey(ctx, new Uint8Array(shared), KEM_SALT, await kemInfo(ctx, need(k.material.publicKey, 'public key'), ct), { name, owner });
}
