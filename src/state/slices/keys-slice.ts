/**
 * The keys slice: the vault's inventory and every key operation the views offer. Each
 * action calls one engine verb, records the operation's status and `{ code, message }`
 * error under a name in `ops`, and returns a `Result` to the view that asked.
 *
 * What is stored: KeyInfo metadata, template descriptions, ids, statuses, errors.
 * What is never stored: CryptoKeys, exported key bytes, decrypted plaintext,
 * passphrases. Those go back to the calling view only, which shows or downloads them
 * and drops them.
 */
import type { StoreApi } from 'zustand/vanilla';
import {
  compareKeys,
  EngineError,
  toErrorInfo,
  type Engine,
  type ImportKeyParams,
  type KeyId,
  type KeyInfo,
  type ProtectedExportOptions,
  type PublicTextFormat,
  type UnprotectedExportFormat,
  type SniffedFormat,
  type TemplateAvailability,
  type TemplateName,
  type GenerateKeyParams,
} from '../../engine';
import { fromBase64, toBase64, utf8 } from '../../engine/internal/bytes';
import { loadList } from './load-list';
import type { ErrorInfo, OpStatus, Result, TemplateInfo } from '../types';
import type { StorageSlice } from './storage-slice';
import { runOp } from './run-op';

/** The key list's filters as the form holds them; empty string means "any". */
export interface KeyListFilter {
  text: string;
  owner: string;
  template: TemplateName | '';
  kind: KeyInfo['kind'] | '';
  extractable: '' | 'extractable' | 'non-extractable';
}

/** No filter at all. */
export const EMPTY_FILTER: KeyListFilter = { text: '', owner: '', template: '', kind: '', extractable: '' };

/** Names of operations in `ops`; per-key operations end with the key id. */
export const opNames = {
  list: 'list',
  generate: 'generate',
  import: 'import',
  load: (id: string) => `load:${id}`,
  delete: (id: string) => `delete:${id}`,
  exportPublic: (id: string) => `export-public:${id}`,
  exportSecret: (id: string) => `export-secret:${id}`,
  encryptText: (id: string) => `encrypt-text:${id}`,
  decryptText: (id: string) => `decrypt-text:${id}`,
  encryptFile: (id: string) => `encrypt-file:${id}`,
  decryptFile: (id: string) => `decrypt-file:${id}`,
  sign: (id: string) => `sign:${id}`,
  verify: (id: string) => `verify:${id}`,
  derive: (id: string) => `derive:${id}`,
  wrap: (id: string) => `wrap:${id}`,
  unwrap: (id: string) => `unwrap:${id}`,
  encapsulate: (id: string) => `encapsulate:${id}`,
  decapsulate: (id: string) => `decapsulate:${id}`,
} as const;

/** ECDSA signature encodings: DER ECDSA-Sig-Value (openssl, Python, X.509) or raw r‖s (JOSE, WebCrypto). */
export type SignatureEncoding = 'der' | 'raw';

const RAW_ECDSA_BYTES: Record<string, number> = { 'ECDSA-P-256': 64, 'ECDSA-P-384': 96, 'ECDSA-P-521': 132 };

/** True when the bytes are shaped like a DER SEQUENCE whose length covers exactly the rest. */
function derShaped(b: Uint8Array): boolean {
  if (b.length < 8 || b[0] !== 0x30) return false;
  if (b[1]! < 0x80) return b[1] === b.length - 2;
  return b[1] === 0x81 && b[2] === b.length - 3;
}

/**
 * Why an ECDSA signature cannot be in the chosen encoding, or null when it may be. Told
 * apart by shape only: a raw r‖s signature has exactly twice the curve's scalar length.
 */
export function signatureEncodingMismatch(template: string, sig: Uint8Array, encoding: SignatureEncoding): string | null {
  const raw = RAW_ECDSA_BYTES[template];
  if (raw === undefined) return null;
  if (encoding === 'der' && sig.length === raw && !derShaped(sig)) {
    return `keys: wrong encoding: this is a raw r‖s (JOSE) signature of ${raw} bytes, but DER was chosen; choose “Raw r‖s” to verify it`;
  }
  if (encoding === 'raw' && sig.length !== raw && derShaped(sig)) {
    return 'keys: wrong encoding: this is a DER signature, but raw r‖s was chosen; choose “DER” to verify it';
  }
  return null;
}

/** Where the peer's public key comes from when deriving: another vault key, or pasted PEM. */
export type PeerPublicKey = { keyId: KeyId } | { pem: string };

/** State and actions of the vault inventory and key operations. */
export interface KeysSlice {
  /** Every loaded key by id. */
  byId: Record<string, KeyInfo>;
  /** Ids in list order (newest first), as the engine returns them. */
  ids: string[];
  listStatus: 'idle' | 'loading' | 'ready' | 'error';
  listError: ErrorInfo | null;
  templates: TemplateInfo[];
  templatesStatus: 'idle' | 'loading' | 'ready' | 'error';
  filter: KeyListFilter;
  /** Status of named operations; see `opNames`. */
  ops: Record<string, OpStatus>;

  /** Reloads the whole inventory (engine.listKeys). */
  refresh(): Promise<void>;
  /** Loads the templates with this browser's availability (engine.listTemplates). */
  loadTemplates(): Promise<void>;
  setFilter(patch: Partial<KeyListFilter>): void;
  clearFilter(): void;
  /** Forgets an operation's status (e.g. when a form is reset). */
  clearOp(name: string): void;
  /** Loads one key's metadata (engine.getKey). */
  loadKey(id: KeyId): Promise<Result<KeyInfo>>;
  /** Generates a key; asks for persistent storage first (a user gesture is on the stack). */
  generateKey(params: GenerateKeyParams): Promise<Result<KeyInfo>>;
  /** Names the format of key data without importing it; stores nothing. */
  sniffKeyFormat(data: Uint8Array | string): Promise<Result<SniffedFormat>>;
  importKey(params: ImportKeyParams): Promise<Result<KeyInfo>>;
  deleteKey(id: KeyId): Promise<Result<void>>;
  /** The public half as text: PEM, JWK or an OpenSSH line. */
  exportPublicKey(id: KeyId, format: PublicTextFormat): Promise<Result<string>>;
  /** The public half as SPKI DER bytes. */
  exportPublicKeyDer(id: KeyId): Promise<Result<Uint8Array>>;
  /** An exportable key under a passphrase. The value goes to the caller only. */
  exportKey(id: KeyId, opts: ProtectedExportOptions): Promise<Result<string>>;
  /** An exportable key in the clear as text (JWK, Fernet string, PKCS #8 PEM). The value goes to the caller only. */
  dangerouslyExportUnprotectedKey(id: KeyId, format: UnprotectedExportFormat): Promise<Result<string>>;
  /** A symmetric key's raw bytes in the clear. The value goes to the caller only. */
  dangerouslyExportRawSecret(id: KeyId): Promise<Result<Uint8Array>>;
  encryptText(id: KeyId, text: string): Promise<Result<string>>;
  /** `acknowledgeRisk`: decrypt with a suspended or compromised key anyway (the person ticked the box). */
  decryptText(id: KeyId, armored: string, opts?: { acknowledgeRisk?: boolean }): Promise<Result<string>>;
  encryptFile(id: KeyId, data: Uint8Array): Promise<Result<Uint8Array>>;
  /** `acknowledgeRisk` as for decryptText. */
  decryptFile(id: KeyId, data: Uint8Array, opts?: { acknowledgeRisk?: boolean }): Promise<Result<{ plaintext: Uint8Array; keyId: KeyId }>>;
  /** Signs UTF-8 text; the signature comes back as base64. `encoding` matters for ECDSA only (default DER). */
  signText(id: KeyId, text: string, encoding?: SignatureEncoding): Promise<Result<string>>;
  /**
   * Verifies a base64 signature over UTF-8 text. An ECDSA signature in the other encoding
   * than the one chosen fails as MALFORMED_INPUT "wrong encoding", not as invalid.
   */
  verifyText(id: KeyId, text: string, signatureBase64: string, opts?: { acknowledgeRisk?: boolean; encoding?: SignatureEncoding }): Promise<Result<boolean>>;
  /** ECDH/X25519 with a peer's public key, then HKDF to a new AES-256-GCM vault key (engine.deriveKey). */
  deriveKey(id: KeyId, peer: PeerPublicKey, label: { name: string; owner?: string }): Promise<Result<KeyInfo>>;
  /** Wraps vault key `targetId` under `wrappingId`; the wrapped key comes back as base64. */
  wrapKey(wrappingId: KeyId, targetId: KeyId): Promise<Result<string>>;
  /** Unwraps a base64 wrapped key into a new vault key. */
  unwrapKey(wrappingId: KeyId, wrappedBase64: string, label: { name: string; owner?: string; acknowledgeRisk?: boolean }): Promise<Result<KeyInfo>>;
  /** ML-KEM: a new shared AES-256-GCM vault key and the ciphertext (base64) to send to the private key's holder. */
  encapsulate(id: KeyId, label: { name: string; owner?: string }): Promise<Result<{ ciphertextBase64: string; key: KeyInfo }>>;
  /** ML-KEM: the shared key recovered from a base64 ciphertext, as a new vault key. */
  decapsulate(id: KeyId, ciphertextBase64: string, label: { name: string; owner?: string; acknowledgeRisk?: boolean }): Promise<Result<KeyInfo>>;
}

/** Decodes pasted base64 (whitespace allowed), or null when it is not base64 or empty. */
function pastedBase64(text: string): Uint8Array | null {
  try {
    const b = fromBase64(text.replace(/\s+/g, ''));
    return b.length > 0 ? b : null;
  } catch {
    return null;
  }
}

/** Keeps only the descriptive, serialisable fields of a template. */
export function toTemplateInfo(t: TemplateAvailability): TemplateInfo {
  const info: TemplateInfo = {
    name: t.template.name,
    family: t.template.family,
    kind: t.template.kind,
    label: t.template.label,
    description: t.template.description,
    operations: [...t.template.operations],
    strength: t.template.strength,
    slow: t.template.slow === true,
    optional: t.template.optional === true,
    available: t.available,
  };
  if (t.template.extractableReason) info.extractableReason = t.template.extractableReason;
  return info;
}

/** Applies the list filters; text matches name, owner, template or fingerprint. */
export function filterKeys(keys: readonly KeyInfo[], f: KeyListFilter): KeyInfo[] {
  const q = f.text.trim().toLowerCase();
  return keys.filter((k) => {
    if (q && !`${k.name}\u0000${k.owner}\u0000${k.template}\u0000${k.fingerprint.value}`.toLowerCase().includes(q)) return false;
    if (f.owner && k.owner !== f.owner) return false;
    if (f.template && k.template !== f.template) return false;
    if (f.kind && k.kind !== f.kind) return false;
    if (f.extractable === 'extractable' && !k.extractable) return false;
    if (f.extractable === 'non-extractable' && k.extractable) return false;
    return true;
  });
}

/** Keys shown from the index before the whole vault is read. */
export const FIRST_PAGE = 100;
/** Keys per read while the whole vault loads. */
export const KEY_CHUNK = 1000;


const invalid = (message: string): ErrorInfo => ({ code: 'INVALID_ARGUMENT', message });

/** Builds the keys slice over an engine. */
export function createKeysSlice<S extends { keys: KeysSlice; storage: StorageSlice }>(
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
  engine: Engine,
): KeysSlice {
  const patch = (p: Partial<KeysSlice> | ((k: KeysSlice) => Partial<KeysSlice>)) =>
    set((s) => ({ ...s, keys: { ...s.keys, ...(typeof p === 'function' ? p(s.keys) : p) } }));
  const setOp = (name: string, op: OpStatus) => patch((k) => ({ ops: { ...k.ops, [name]: op } }));

  /** Runs one engine call under an op name: busy, then done or error. */
  function run<T>(name: string, f: () => Promise<T> | T): Promise<Result<T>> {
    return runOp(setOp, name, f);
  }


  /** Records a failure found before calling the engine (bad base64 from the user). */
  function fail<T>(name: string, error: ErrorInfo): Result<T> {
    setOp(name, { status: 'error', error });
    return { ok: false, error };
  }

  /** Counts refreshes: only the latest one writes the list (an older one stops between chunks). */
  let refreshes = 0;

  function remember(info: KeyInfo) {
    patch((k) => ({
      byId: { ...k.byId, [info.id]: info },
      ids: k.ids.includes(info.id) ? k.ids : [info.id, ...k.ids],
    }));
  }

  return {
    byId: {},
    ids: [],
    listStatus: 'idle',
    listError: null,
    templates: [],
    templatesStatus: 'idle',
    filter: EMPTY_FILTER,
    ops: {},

    async refresh() {
      const mine = ++refreshes;
      patch({ listStatus: 'loading' });
      try {
        // The newest page from an index, so the list shows before the vault is read; then the whole vault.
        await loadList({
          current: () => mine === refreshes,
          empty: get().keys.ids.length === 0,
          firstPage: () => engine.listKeysNewest(FIRST_PAGE),
          pageSize: FIRST_PAGE,
          chunks: () => engine.keyChunks(KEY_CHUNK),
          compare: compareKeys,
          show: (list, complete) =>
            patch({ byId: Object.fromEntries(list.map((k) => [k.id, k])), ids: list.map((k) => k.id), ...(complete ? { listStatus: 'ready' as const, listError: null } : {}) }),
        });
      } catch (e) {
        if (mine === refreshes) patch({ listStatus: 'error', listError: toErrorInfo(e) });
      }
    },

    async loadTemplates() {
      patch({ templatesStatus: 'loading' });
      try {
        const list = await engine.listTemplates();
        patch({ templates: list.map(toTemplateInfo), templatesStatus: 'ready' });
      } catch {
        patch({ templatesStatus: 'error' });
      }
    },

    setFilter(p) {
      patch((k) => ({ filter: { ...k.filter, ...p } }));
    },
    clearFilter() {
      patch({ filter: EMPTY_FILTER });
    },
    clearOp(name) {
      patch((k) => {
        const { [name]: _gone, ...rest } = k.ops;
        return { ops: rest };
      });
    },

    async loadKey(id) {
      const r = await run(opNames.load(id), () => engine.getKey(id));
      if (r.ok) remember(r.value);
      return r;
    },

    async generateKey(params) {
      // Started before the first await so the request rides on the click (W5).
      const persisting = get().storage.requestPersistence();
      const r = await run(opNames.generate, () => engine.generateKey(params));
      if (r.ok) remember(r.value);
      await persisting;
      void get().storage.refresh();
      return r;
    },

    async sniffKeyFormat(data) {
      try {
        return { ok: true, value: await engine.sniffKeyFormat(data) };
      } catch (e) {
        return { ok: false, error: toErrorInfo(e) };
      }
    },

    async importKey(params) {
      const r = await run(opNames.import, () => engine.importKey(params));
      if (r.ok) {
        remember(r.value);
        void get().storage.refresh();
      }
      return r;
    },

    async deleteKey(id) {
      const r = await run(opNames.delete(id), () => engine.deleteKey(id));
      if (r.ok) {
        patch((k) => {
          const { [id]: _gone, ...byId } = k.byId;
          const ops = Object.fromEntries(Object.entries(k.ops).filter(([name]) => !name.endsWith(`:${id}`)));
          return { byId, ids: k.ids.filter((x) => x !== id), ops };
        });
        void get().storage.refresh();
      }
      return r;
    },

    exportPublicKey: (id, format) => run(opNames.exportPublic(id), () => engine.exportPublicKey(id, format)),
    exportPublicKeyDer: (id) => run(opNames.exportPublic(id), () => engine.exportPublicKeyDer(id)),

    exportKey: (id, opts) => run(opNames.exportSecret(id), () => engine.exportKey(id, opts)),
    dangerouslyExportUnprotectedKey: (id, format) => run(opNames.exportSecret(id), () => engine.dangerouslyExportUnprotectedKey(id, format)),
    dangerouslyExportRawSecret: (id) => run(opNames.exportSecret(id), () => engine.dangerouslyExportRawSecret(id)),

    encryptText: (id, text) => run(opNames.encryptText(id), () => engine.encryptText(id, text)),

    // keyId makes the engine use this key even when the envelope names another (and
    // is required for Fernet tokens, which name no key); the header stays authenticated.
    decryptText: (id, armored, opts) =>
      run(opNames.decryptText(id), () => engine.decryptText(armored.trim(), { keyId: id, ...(opts?.acknowledgeRisk ? { acknowledgeRisk: true } : {}) })),

    encryptFile: (id, data) => run(opNames.encryptFile(id), () => engine.encrypt(id, data)),

    decryptFile: (id, data, opts) =>
      run(opNames.decryptFile(id), async () => {
        const r = await engine.decrypt(data, opts?.acknowledgeRisk ? { acknowledgeRisk: true } : {});
        return { plaintext: r.plaintext, keyId: r.keyId };
      }),

    signText: (id, text, encoding) => run(opNames.sign(id), async () => toBase64(await engine.sign(id, utf8(text), encoding ? { encoding } : {}))),

    verifyText(id, text, signatureBase64, opts) {
      let signature: Uint8Array;
      try {
        signature = fromBase64(signatureBase64);
      } catch {
        return Promise.resolve(fail<boolean>(opNames.verify(id), invalid('keys: the signature is not valid base64')));
      }
      if (signature.length === 0) return Promise.resolve(fail<boolean>(opNames.verify(id), invalid('keys: paste a signature to verify')));
      const template = get().keys.byId[id]?.template ?? '';
      const mismatch = signatureEncodingMismatch(template, signature, opts?.encoding ?? 'der');
      if (mismatch) return Promise.resolve(fail<boolean>(opNames.verify(id), { code: 'MALFORMED_INPUT', message: mismatch }));
      return run(opNames.verify(id), () =>
        engine.verify(id, utf8(text), signature, { ...(opts?.acknowledgeRisk ? { acknowledgeRisk: true } : {}), ...(opts?.encoding ? { encoding: opts.encoding } : {}) }),
      );
    },

    async deriveKey(id, peer, label) {
      const r = await run(opNames.derive(id), async () => {
        const pem = 'pem' in peer ? peer.pem.trim() : (await engine.exportPublicKey(peer.keyId, 'pem'));
        if (!pem) throw new EngineError('INVALID_ARGUMENT', 'keys: choose the other party’s public key, or paste it as PEM');
        return engine.deriveKey(id, pem, label);
      });
      if (r.ok) remember(r.value);
      return r;
    },

    wrapKey: (wrappingId, targetId) => run(opNames.wrap(wrappingId), async () => toBase64(await engine.wrapKey(wrappingId, targetId))),

    async unwrapKey(wrappingId, wrappedBase64, label) {
      const wrapped = pastedBase64(wrappedBase64);
      if (!wrapped) return fail<KeyInfo>(opNames.unwrap(wrappingId), invalid('keys: paste the wrapped key as base64 text'));
      const r = await run(opNames.unwrap(wrappingId), () => engine.unwrapKey(wrappingId, wrapped, label));
      if (r.ok) remember(r.value);
      return r;
    },

    async encapsulate(id, label) {
      const r = await run(opNames.encapsulate(id), async () => {
        const out = await engine.encapsulate(id, label);
        return { ciphertextBase64: toBase64(out.ciphertext), key: out.key };
      });
      if (r.ok) remember(r.value.key);
      return r;
    },

    async decapsulate(id, ciphertextBase64, label) {
      const ct = pastedBase64(ciphertextBase64);
      if (!ct) return fail<KeyInfo>(opNames.decapsulate(id), invalid('keys: paste the ciphertext as base64 text'));
      const r = await run(opNames.decapsulate(id), () => engine.decapsulate(id, ct, label));
      if (r.ok) remember(r.value);
      return r;
    },
  };
}

