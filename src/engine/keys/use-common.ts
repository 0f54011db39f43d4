// What every key use shares: the option types, the operation gate, and small helpers.
import { KeyStateError } from '../errors';
import { assertBytes } from '../internal/assert';
import { copy } from '../internal/bytes';
import { assertOperationAllowed, type GateOptions } from '../lifecycle/gates';
import type { KeyId, KeyOperation } from '../types';
import type { EngineContext } from './context';
import type { TemplateFamily } from './templates';
import { countUse } from './usage';
import { getKeyInfo, loadKey, type LoadedKey } from './vault';

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
  keyId?: KeyId;
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


export const EMPTY = new Uint8Array(0);

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
export function withArticle(name: string): string {
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

export function need<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new KeyStateError(`keys: the key has no ${what} in the vault`);
  return x;
}

export function optionalAad(opts: EncryptOptions | undefined): Uint8Array {
  if (opts?.aad === undefined) return EMPTY;
  assertBytes(opts.aad, 'aad');
  return opts.aad;
}

/** WebCrypto wants ArrayBuffer-backed views; avoid a copy when the input already is one. */
export function arrayBacked(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : copy(b);
}

export const nowSeconds = (ctx: EngineContext): number => Math.floor(ctx.clock.now() / 1000);
