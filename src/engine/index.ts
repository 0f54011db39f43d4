/**
 * The Clavis engine: the one public entry point. Pure TypeScript over WebCrypto and
 * IndexedDB, with no React and no globals: everything it needs is passed to
 * `createEngine`. Keys never leave it: callers hold `KeyInfo` (metadata) and ids.
 *
 * Common case:
 * ```ts
 * const engine = createEngine({ storage: await openStorage() });
 * const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'notes' });
 * const ct = await engine.encryptText(key.id, 'hello');
 * ```
 */
import { systemClock, type Clock } from './internal/clock';
import { cryptoRandom, type RandomSource } from './internal/random';
import { inThreadBulkCipher, type BulkCipher, type EngineContext } from './keys/context';
import { createFeatureProbe } from './keys/features';
import { TEMPLATES, type KeyTemplate } from './keys/templates';
import * as transfer from './keys/transfer';
import * as use from './keys/use';
import * as vault from './keys/vault';
import type { ClavisStorage } from './storage/db';
import type { KeyFilter, KeyInfo, TemplateName } from './types';
import type { Pki } from './pki';

export * from './errors';
export type * from './types';
export { TEMPLATES, TEMPLATE_NAMES, isTemplateName } from './keys/templates';
export type { KeyTemplate } from './keys/templates';
export { openStorage } from './storage/db';
export type { ClavisStorage, OpenStorageOptions } from './storage/db';
export { systemClock, fixedClock } from './internal/clock';
export type { Clock } from './internal/clock';
export type { BulkCipher } from './keys/context';
export type { GenerateKeyParams } from './keys/vault';
export type { EncryptOptions, DecryptOptions, DecryptTextOptions, DecryptResult, NewKeyLabel, SignatureOptions } from './keys/use';
export type { ImportKeyParams, PublicExportFormat, SecretExportFormat, SniffedFormat } from './keys/transfer';
// Types only: pkijs (~84 KB gzipped) loads on demand through `engine.pki()`.
export type * from './pki';

/** Dependencies of an engine. Only `storage` is required. */
export interface EngineOptions {
  storage: ClavisStorage;
  /** WebCrypto implementation; defaults to `globalThis.crypto`. */
  crypto?: Crypto;
  clock?: Clock;
  random?: RandomSource;
  /** Where bulk AES-GCM runs; the app passes a Web Worker-backed one. */
  bulk?: BulkCipher;
}

/** A template with whether this browser offers it. */
export interface TemplateAvailability {
  template: KeyTemplate;
  available: boolean;
}

/** The engine's verbs. Every method throws `EngineError` (with a `code`) on failure. */
export interface Engine {
  /** Each template with whether this browser can generate it (feature detection). */
  listTemplates(): Promise<TemplateAvailability[]>;
  /**
   * Generates a key from a named template and stores it.
   * @throws INVALID_ARGUMENT (bad template or name), UNSUPPORTED (browser lacks it), STORAGE.
   */
  generateKey(params: vault.GenerateKeyParams): Promise<KeyInfo>;
  /** Keys matching the filter, newest first. @throws STORAGE */
  listKeys(filter?: KeyFilter): Promise<KeyInfo[]>;
  /** One key's metadata. @throws KEY_NOT_FOUND */
  getKey(id: string): Promise<KeyInfo>;
  /** Renames a key. @throws KEY_NOT_FOUND, INVALID_ARGUMENT */
  renameKey(id: string, name: string): Promise<KeyInfo>;
  /** Deletes a key and its material in one transaction. @throws KEY_NOT_FOUND, STORAGE */
  deleteKey(id: string): Promise<void>;

  /**
   * Encrypts bytes under a key (AES-GCM, ChaCha20-Poly1305, RSA-OAEP hybrid) into the
   * versioned Clavis envelope that names the key and version.
   * @throws KEY_NOT_FOUND, KEY_STATE (key cannot encrypt), INVALID_ARGUMENT
   */
  encrypt(id: string, plaintext: Uint8Array, opts?: use.EncryptOptions): Promise<Uint8Array>;
  /** Opens a Clavis envelope with the key it names. @throws MALFORMED_INPUT, KEY_NOT_FOUND, DECRYPT_FAILED */
  decrypt(ciphertext: Uint8Array, opts?: use.DecryptOptions): Promise<use.DecryptResult>;
  /** Encrypts text into printable form (a Clavis armored envelope, or a Fernet token for Fernet keys). */
  encryptText(id: string, text: string, opts?: use.EncryptOptions): Promise<string>;
  /** Decrypts printable ciphertext; Fernet tokens need `keyId`. @throws MALFORMED_INPUT, DECRYPT_FAILED */
  decryptText(armored: string, opts?: use.DecryptTextOptions): Promise<string>;
  /** Signs (or MACs) bytes. @throws KEY_NOT_FOUND, KEY_STATE */
  sign(id: string, data: Uint8Array, opts?: use.SignatureOptions): Promise<Uint8Array>;
  /** Checks a signature or MAC; false when it does not verify. @throws KEY_NOT_FOUND, KEY_STATE */
  verify(id: string, data: Uint8Array, signature: Uint8Array, opts?: use.SignatureOptions): Promise<boolean>;
  /** Wraps a vault key under another (AES-KW, AES-GCM, RSA-OAEP). @throws NOT_EXTRACTABLE, KEY_STATE */
  wrapKey(wrappingKeyId: string, targetKeyId: string): Promise<Uint8Array>;
  /** Unwraps into a new non-extractable vault key. @throws DECRYPT_FAILED, MALFORMED_INPUT */
  unwrapKey(wrappingKeyId: string, wrapped: Uint8Array, label: use.NewKeyLabel): Promise<KeyInfo>;
  /** ECDH/X25519 with a peer public key, HKDF-SHA-256 to a new AES-GCM-256 vault key. */
  deriveKey(privateKeyId: string, peerPublicKey: Uint8Array | string, label: use.NewKeyLabel): Promise<KeyInfo>;
  /** ML-KEM: encapsulates to a public key; the shared secret becomes a new AES-GCM-256 vault key. */
  encapsulate(id: string, label: use.NewKeyLabel): Promise<{ ciphertext: Uint8Array; key: KeyInfo }>;
  /** ML-KEM: recovers the shared secret from a ciphertext as a new AES-GCM-256 vault key. */
  decapsulate(id: string, ciphertext: Uint8Array, label: use.NewKeyLabel): Promise<KeyInfo>;

  /** Exports the public half (SPKI PEM/DER, or JWK). @throws KEY_NOT_FOUND, INVALID_ARGUMENT */
  exportPublicKey(id: string, format: transfer.PublicExportFormat): Promise<string | Uint8Array>;
  /** Exports an extractable secret/private key. @throws NOT_EXTRACTABLE, INVALID_ARGUMENT */
  exportKey(id: string, opts: { format: transfer.SecretExportFormat; passphrase?: string }): Promise<string | Uint8Array>;
  /** Imports a key, sniffing its format. @throws MALFORMED_INPUT, WRONG_PASSPHRASE, UNSUPPORTED */
  importKey(params: transfer.ImportKeyParams): Promise<KeyInfo>;
  /** Names the format of key data without importing it. @throws MALFORMED_INPUT */
  sniffKeyFormat(data: Uint8Array | string): transfer.SniffedFormat;

  /**
   * The certificate authority over the same vault and database. Loaded on first use
   * (pkijs is large), then cached. @throws whatever the import throws, as STORAGE/UNSUPPORTED
   */
  pki(): Promise<Pki>;
}

/** Builds an engine from its dependencies. Nothing global is read or set. */
export function createEngine(options: EngineOptions): Engine {
  const crypto = options.crypto ?? globalThis.crypto;
  const ctx: EngineContext = {
    crypto,
    subtle: crypto.subtle,
    storage: options.storage,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom(crypto),
    bulk: options.bulk ?? inThreadBulkCipher(crypto.subtle),
    supports: createFeatureProbe(crypto.subtle),
  };
  let pki: Promise<Pki> | undefined;
  return {
    pki: () => (pki ??= import('./pki').then((m) => m.createPki(ctx))),
    listTemplates: async () =>
      Promise.all([...TEMPLATES.values()].map(async (template) => ({ template, available: await ctx.supports(template.name as TemplateName) }))),
    generateKey: (p) => vault.generateKey(ctx, p),
    listKeys: (f) => vault.listKeys(ctx, f),
    getKey: async (id) => (await vault.loadKey(ctx, id)).info,
    renameKey: (id, name) => vault.renameKey(ctx, id, name),
    deleteKey: (id) => vault.deleteKey(ctx, id),
    encrypt: (id, pt, o) => use.encrypt(ctx, id, pt, o),
    decrypt: (ct, o) => use.decrypt(ctx, ct, o),
    encryptText: (id, t, o) => use.encryptText(ctx, id, t, o),
    decryptText: (a, o) => use.decryptText(ctx, a, o),
    sign: (id, d, o) => use.sign(ctx, id, d, o),
    verify: (id, d, s, o) => use.verify(ctx, id, d, s, o),
    wrapKey: (w, t) => use.wrapKey(ctx, w, t),
    unwrapKey: (w, b, l) => use.unwrapKey(ctx, w, b, l),
    deriveKey: (p, peer, l) => use.deriveKey(ctx, p, peer, l),
    encapsulate: (id, l) => use.encapsulate(ctx, id, l),
    decapsulate: (id, c, l) => use.decapsulate(ctx, id, c, l),
    exportPublicKey: (id, f) => transfer.exportPublicKey(ctx, id, f),
    exportKey: (id, o) => transfer.exportKey(ctx, id, o),
    importKey: (p) => transfer.importKey(ctx, p),
    sniffKeyFormat: (d) => transfer.sniffKeyFormat(d),
  };
}
