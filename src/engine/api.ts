/** The engine's public contract: its options and its verbs (`createEngine` in index.ts builds one). */
import type { AuditEntry, AuditVerification } from './audit/chain';
import type { AuditExportVerification } from './audit/export';
import type * as auditStore from './audit/store';
import type { Backup } from './backup';
import type { ExchangeApi } from './exchange';
import type { Clock } from './internal/clock';
import type { RandomSource } from './internal/random';
import type { Kdc } from './kdc';
import type * as batch from './keys/batch';
import type { BulkCipher } from './keys/context';
import type { KeyTemplate } from './keys/templates';
import type * as transfer from './keys/transfer';
import type * as use from './keys/use';
import type * as vault from './keys/vault';
import type { CertificateCascade, CertificatePreview } from './lifecycle/certificates';
import type * as lifecycle from './lifecycle/engine';
import type { RevocationReason } from './lifecycle/revocation';
import type { ScheduledDates } from './lifecycle/transition';
import type { LockStatus } from './lock/basics';
import type { Pki } from './pki';
import type { ClavisStorage } from './storage/db';
import type { PrincipalRecord } from './storage/schema';
import type { KeyFilter, KeyId, KeyInfo } from './types';

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
  /**
   * Calls `listener` after every committed change to the vault, made in this tab or in
   * another tab of the origin (issue 14 #10); returns an unsubscribe function.
   */
  onChange(listener: (origin: 'this-tab' | 'other-tab') => void): () => void;
  /** Each template with whether this browser can generate it (feature detection). */
  listTemplates(): Promise<TemplateAvailability[]>;
  /**
   * Generates a key from a named template and stores it.
   * @throws INVALID_ARGUMENT (bad template or name), UNSUPPORTED (browser lacks it), STORAGE.
   */
  generateKey(params: vault.GenerateKeyParams): Promise<KeyInfo>;
  /**
   * Generates one key per name, one transaction (keys + audit entries) per batch, with
   * progress and a cancel between batches (stored batches stay).
   * @throws INVALID_ARGUMENT, UNSUPPORTED, KEY_STATE (revoked owner), STORAGE
   */
  generateKeys(params: batch.GenerateKeysParams): Promise<batch.GenerateKeysResult>;
  /** Keys matching the filter, newest first. @throws STORAGE */
  listKeys(filter?: KeyFilter): Promise<KeyInfo[]>;
  /** The newest `limit` keys (1–10,000), newest first, read from an index: a list's first page. @throws INVALID_ARGUMENT, STORAGE */
  listKeysNewest(limit: number): Promise<KeyInfo[]>;
  /**
   * Every key in chunks of `size` (default 1,000), one storage read each, in no list
   * order (sort the whole with `compareKeys`): a large vault loads without a long task.
   * @throws INVALID_ARGUMENT, STORAGE
   */
  keyChunks(size?: number): AsyncGenerator<KeyInfo[], void, undefined>;
  /** One key's metadata. @throws KEY_NOT_FOUND */
  getKey(id: KeyId): Promise<KeyInfo>;
  /** Renames a key. @throws KEY_NOT_FOUND, INVALID_ARGUMENT */
  renameKey(id: KeyId, name: string): Promise<KeyInfo>;
  /** Deletes a key and its material in one transaction. @throws KEY_NOT_FOUND, STORAGE */
  deleteKey(id: KeyId): Promise<void>;

  /**
   * Encrypts bytes under a key (AES-GCM, ChaCha20-Poly1305, RSA-OAEP hybrid) into the
   * versioned Clavis envelope that names the key and version.
   * @throws KEY_NOT_FOUND, KEY_STATE (key cannot encrypt), INVALID_ARGUMENT
   */
  encrypt(id: KeyId, plaintext: Uint8Array, opts?: use.EncryptOptions): Promise<Uint8Array>;
  /** Opens a Clavis envelope with the key it names. @throws MALFORMED_INPUT, KEY_NOT_FOUND, DECRYPT_FAILED */
  decrypt(ciphertext: Uint8Array, opts?: use.DecryptOptions): Promise<use.DecryptResult>;
  /** Encrypts text into printable form (a Clavis armored envelope, or a Fernet token for Fernet keys). */
  encryptText(id: KeyId, text: string, opts?: use.EncryptOptions): Promise<string>;
  /** Decrypts printable ciphertext; Fernet tokens need `keyId`. @throws MALFORMED_INPUT, DECRYPT_FAILED */
  decryptText(armored: string, opts?: use.DecryptTextOptions): Promise<string>;
  /** Signs (or MACs) bytes. @throws KEY_NOT_FOUND, KEY_STATE */
  sign(id: KeyId, data: Uint8Array, opts?: use.SignatureOptions): Promise<Uint8Array>;
  /** Checks a signature or MAC; false when it does not verify. @throws KEY_NOT_FOUND, KEY_STATE */
  verify(id: KeyId, data: Uint8Array, signature: Uint8Array, opts?: use.SignatureOptions): Promise<boolean>;
  /** Wraps a vault key under another (AES-KW, AES-GCM, RSA-OAEP). @throws NOT_EXTRACTABLE, KEY_STATE */
  wrapKey(wrappingKeyId: KeyId, targetKeyId: KeyId): Promise<Uint8Array>;
  /** Unwraps into a new non-extractable vault key. @throws DECRYPT_FAILED, MALFORMED_INPUT */
  unwrapKey(wrappingKeyId: KeyId, wrapped: Uint8Array, label: use.NewKeyLabel): Promise<KeyInfo>;
  /** ECDH/X25519 with a peer public key, HKDF-SHA-256 to a new AES-GCM-256 vault key. */
  deriveKey(privateKeyId: KeyId, peerPublicKey: Uint8Array | string, label: use.NewKeyLabel): Promise<KeyInfo>;
  /** ML-KEM: encapsulates to a public key; the shared secret becomes a new AES-GCM-256 vault key. */
  encapsulate(id: KeyId, label: use.NewKeyLabel): Promise<{ ciphertext: Uint8Array; key: KeyInfo }>;
  /** ML-KEM: recovers the shared secret from a ciphertext as a new AES-GCM-256 vault key. */
  decapsulate(id: KeyId, ciphertext: Uint8Array, label: use.NewKeyLabel): Promise<KeyInfo>;

  /** Exports the public half as text (SPKI PEM, public JWK, OpenSSH line). @throws KEY_NOT_FOUND, INVALID_ARGUMENT */
  exportPublicKey(id: KeyId, format: transfer.PublicTextFormat): Promise<string>;
  /** Exports the public half as SPKI DER bytes. @throws KEY_NOT_FOUND, INVALID_ARGUMENT */
  exportPublicKeyDer(id: KeyId): Promise<Uint8Array>;
  /** Exports an extractable key under a passphrase (encrypted PKCS#8 PEM, JWE); audited. @throws NOT_EXTRACTABLE, INVALID_ARGUMENT */
  exportKey(id: KeyId, opts: transfer.ProtectedExportOptions): Promise<string>;
  /** Exports an extractable key IN THE CLEAR as text (JWK, Fernet string, PKCS#8 PEM); audited. @throws NOT_EXTRACTABLE */
  dangerouslyExportUnprotectedKey(id: KeyId, format: transfer.UnprotectedExportFormat): Promise<string>;
  /** Exports a symmetric key's raw bytes IN THE CLEAR; audited. @throws NOT_EXTRACTABLE, INVALID_ARGUMENT */
  dangerouslyExportRawSecret(id: KeyId): Promise<Uint8Array>;
  /** Imports a key, sniffing its format. @throws MALFORMED_INPUT, WRONG_PASSPHRASE, UNSUPPORTED */
  importKey(params: transfer.ImportKeyParams): Promise<KeyInfo>;
  /** Names the format of key data without importing it (the import code loads on first use). @throws MALFORMED_INPUT */
  sniffKeyFormat(data: Uint8Array | string): Promise<transfer.SniffedFormat>;

  /**
   * The certificate authority over the same vault and database. Loaded on first use
   * (pkijs is large), then cached. @throws whatever the import throws, as STORAGE/UNSUPPORTED
   */
  pki(): Promise<Pki>;
  /** True when this browser holds at least one CA (without loading the CA module). */
  hasCertificateAuthorities(): Promise<boolean>;

  // Key exchange (D1–D5)
  /**
   * ECDH/X25519 exchanges (with or without authentication and an attacker in the
   * middle), the forward-secrecy demo and classic DH. Loaded on first use, then cached;
   * authenticated exchanges use the CA through `pki()`.
   */
  exchange(): Promise<ExchangeApi>;

  // Key lifecycle and audit (B1–B8). Every transition is stored with its date, cause
  // and audit entry in one transaction; each throws KEY_STATE naming the state and the rule.
  /** Pre-activation → active. */
  activateKey(id: KeyId): Promise<KeyInfo>;
  /** Active → suspended: no protecting; processing needs `acknowledgeRisk`. */
  suspendKey(id: KeyId, reason?: string): Promise<KeyInfo>;
  /** Suspended → active, before the protect-stop date. */
  resumeKey(id: KeyId, reason?: string): Promise<KeyInfo>;
  /** Active or suspended → deactivated: process only. */
  deactivateKey(id: KeyId, reason?: string): Promise<KeyInfo>;
  /**
   * Revokes for an RFC 5280 reason (compromise → compromised; hold → suspended; others →
   * deactivated). The key's certificates are revoked at their CAs too (K8): keyCompromise
   * for a compromise, otherwise the same reason; `certificates` says what happened to each.
   */
  revokeKey(id: KeyId, reason: RevocationReason, opts?: lifecycle.RevokeKeyOptions): Promise<KeyInfo & { certificates: CertificateCascade[] }>;
  /**
   * What revoking the key for `reason` will do to each of its unrevoked certificates, so a
   * revoke dialog can say it beforehand (issue 14). Nothing is written.
   */
  previewKeyRevocation(id: KeyId, reason: RevocationReason): Promise<CertificatePreview[]>;
  /** Marks a key compromised (permanent), and revokes its certificates for keyCompromise (K8). */
  compromiseKey(id: KeyId, opts?: lifecycle.RevokeKeyOptions): Promise<KeyInfo & { certificates: CertificateCascade[] }>;
  /** Crypto-shreds a pre-activation, deactivated or compromised key; its metadata stays as a tombstone. */
  destroyKey(id: KeyId, reason?: string): Promise<KeyInfo>;
  /** A new primary version of the key's keyring; the old primary only processes. @returns the new version */
  rotateKey(id: KeyId): Promise<KeyInfo>;
  /** The versions of a key's keyring, oldest first. */
  listKeyring(id: KeyId): Promise<KeyInfo[]>;
  /** Re-encrypts a ciphertext under its keyring's primary; the plaintext never leaves the engine. */
  rewrap(ciphertext: Uint8Array | string, opts?: lifecycle.RewrapOptions): Promise<Uint8Array | string>;
  /** Changes scheduled dates (epoch ms); dates now or past take effect at once. @throws INVALID_ARGUMENT, KEY_STATE */
  setKeyDates(id: KeyId, dates: ScheduledDates): Promise<KeyInfo>;
  /** Revoked keys with reason, date and cause, newest first. */
  listRevokedKeys(): Promise<lifecycle.RevokedKey[]>;
  /** Revokes an owner: its keys cascade, and so do their certificates (K8); no new keys for it until reinstated. */
  revokePrincipal(owner: string, reason: RevocationReason): Promise<lifecycle.PrincipalRevocation & { certificates: CertificateCascade[] }>;
  /** Lifts an owner's revocation. */
  reinstatePrincipal(owner: string): Promise<PrincipalRecord>;
  /** Every owner with its status and key count. */
  listPrincipals(): Promise<lifecycle.PrincipalInfo[]>;
  /** Applies the clock transitions due now (start-up, timer); returns what moved. */
  applyDueTransitions(): Promise<lifecycle.AppliedTransition[]>;
  /** When the next clock transition falls due (epoch ms), for the app's timer. */
  nextDueAt(): Promise<number | undefined>;
  /** The engine's current time (simulated or real), epoch ms. */
  now(): number;
  /** Moves the engine's time (walkthroughs) or returns to real time (null), then applies due transitions. */
  setSimulatedTime(ms: number | null): Promise<lifecycle.AppliedTransition[]>;
  /** How often a key was used (operations its gate allowed). */
  keyUsage(id: KeyId): Promise<{ count: number; lastUsedAt?: string }>;
  /** Audit entries matching the filter, oldest first. */
  listAuditEntries(filter?: auditStore.AuditFilter): Promise<AuditEntry[]>;
  /** How many entries the audit log has (its head's sequence number; 0 when empty): one small read. */
  auditCount(): Promise<number>;
  /** Verifies the stored audit chain against its remembered head; says what broke where. */
  verifyAuditLog(): Promise<AuditVerification>;
  /** The audit log as JSON Lines: a first line with the hash recipe, the signed head and the audit public key, then one entry per line. */
  exportAuditLog(): Promise<string>;
  /** Verifies an audit export from the file alone (head signature, chain, nothing cut or appended). @throws MALFORMED_INPUT */
  verifyAuditExport(text: string): Promise<AuditExportVerification>;
  /** SHA-256 of the vault's audit public key (SPKI), to compare with an export's; undefined before the first entry. */
  auditKeyFingerprint(): Promise<string | undefined>;

  // Backup and restore (A7)
  /** Encrypted backup and restore of the whole vault, loaded on first use. */
  backup(): Promise<Backup>;

  // KDC (C1–C6)
  /** The key distribution center over the same database and clock (one per engine), loaded on first use. */
  kdc(): Promise<Kdc>;

  // Vault lock (issue 16; see src/engine/lock/vault-lock.ts). Exportable key material is
  // kept sealed under a passphrase while the lock is on; non-extractable keys are unaffected.
  /** Off, locked or unlocked (an idle timeout that has passed locks first). */
  lockStatus(): Promise<LockStatus>;
  /**
   * Turns the lock on: every exportable key is sealed in one transaction; the vault stays
   * unlocked in this tab. @throws INVALID_ARGUMENT (short passphrase, already on), STORAGE
   */
  enableLock(passphrase: string, opts?: { idleTimeoutMs?: number }): Promise<LockStatus>;
  /** @throws WRONG_PASSPHRASE (nothing changes), INVALID_ARGUMENT (lock off) */
  unlock(passphrase: string): Promise<LockStatus>;
  /** Forgets the wrapping key now (the tab closing does the same). */
  lock(): void;
  /** Turns the lock off: every sealed key is stored plain again, in one transaction. @throws WRONG_PASSPHRASE */
  disableLock(passphrase: string): Promise<LockStatus>;
  /** Re-seals every exportable key under a new passphrase, in one transaction. @throws WRONG_PASSPHRASE, INVALID_ARGUMENT */
  changeLockPassphrase(oldPassphrase: string, newPassphrase: string): Promise<LockStatus>;
  /** Sets the idle timeout (1 minute to 24 hours); needs the vault unlocked. @throws VAULT_LOCKED, INVALID_ARGUMENT */
  setLockTimeout(ms: number): Promise<LockStatus>;
  /** The user is active: restarts the idle timeout while unlocked. */
  noteLockActivity(): void;
  /** Calls `listener` whenever this tab's lock status changes; returns an unsubscribe function. */
  onLockChange(listener: (s: LockStatus) => void): () => void;
}
