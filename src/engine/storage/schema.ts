/**
 * The IndexedDB schema of Clavis. Key metadata and key material live in separate
 * stores (SECURITY.md W1): `keys` holds only what may be shown; `keyMaterial` holds the
 * CryptoKey objects, which the structured clone keeps non-extractable.
 *
 * v2 adds the certificate authority: `cas`, `certs` (original DER, P14), `serials`
 * (unique per issuer, reserved before signing, C1), `revocations` (the revocation index,
 * M3), `crls` and `counters` (CRL numbers, allocated read-modify-write, R1).
 *
 * v3 adds the key lifecycle and the audit log: key records gain dates, history and a
 * keyring (index `byKeyring`); `audit` holds the hash-chained entries under their
 * sequence number as an out-of-line key (so a reordering is visible to the verifier),
 * with the chain head kept in `meta` under AUDIT_HEAD_KEY; `principals` records revoked
 * owners; `keyUsage` counts the uses of each key.
 *
 * v4 adds the key distribution center (see the KDC section below).
 *
 * v5 (scale) adds the indexes the hot paths need so none of them reads every record:
 * keys by fingerprint (`byFingerprint`, the C6 compromised-key check) and by the next
 * lifecycle due date (`byDueAt` over the stored `dueAt`, the lifecycle clock), and
 * certificates by issuer and notAfter (`byIssuerNotAfter`, valid/expired listings).
 *
 * v6 (the verifier, E8) adds the trust material imported from outside: `importedCerts`
 * (certificates, chains and roots the user brought, with an explicit `trusted` flag for a
 * self-signed CA the user chose as a trust anchor) and `importedCrls`. Both are keyed by
 * the SHA-256 of their DER (a duplicate is the same key) and kept apart from Clavis's own
 * `cas`, `certs` and `crls`: nothing imported is ever a Clavis CA or signs anything.
 *
 * v7 (owners) changes no store: owners stored before owner identity became one rule are
 * migrated to it (NFC, trimmed, lower-case, `ownerKey`): `keys.owner` and the ids of
 * `principals` (two spellings of one owner merge, revoked if either was). Audit entries
 * keep the spelling they were written with (they are hashed); KDC principal names were
 * lower-case already.
 *
 * The vault lock (issue 16, no version change): while it is on, the extractable pieces of
 * a key's material are kept sealed under the passphrase-derived wrapping key, in the
 * optional `sealed` field of its `keyMaterial` record (the CryptoKey field is then
 * absent); the lock's configuration (salt, iterations, verifier, idle timeout, stamp) is
 * the `meta` record under `vaultLock`. See src/engine/lock/vault-lock.ts.
 *
 * v8 (the CRL write path, issue 15) adds `crlChunks`: each CA's revocations once more as
 * their CRL entries, DER-encoded and checked when recorded, in chunks sorted by serial
 * (keyed by issuer, the chunk's first serial and a stamp renewed on every write), written in the same
 * transaction as the revocation records; publishing a CRL reads the chunks and
 * concatenates them. The step builds the chunks of the revocations already stored.
 */
import type { DBSchema } from 'idb';
import type { AuditEntry, AuditHead } from '../audit/chain';
import type { RevocationReason } from '../lifecycle/revocation';
import type { KeyInfo } from '../types';

export const DB_NAME = 'clavis';
export const DB_VERSION = 8;

/** The `meta` key under which the audit chain's head ({seq, hash}) is kept (truncation check). */
export const AUDIT_HEAD_KEY = 'auditHead';

/** The audit head as stored in `meta`. */
export type StoredAuditHead = AuditHead;

/**
 * A key record as stored: the metadata plus `dueAt`, the epoch ms of its next clock
 * transition (absent when none is scheduled), kept by storage on every write so the
 * lifecycle clock reads only the keys that are due (index `byDueAt`). Storage strips it
 * on the way out: callers see plain `KeyInfo`.
 */
export type StoredKeyInfo = KeyInfo & { dueAt?: number };

/** A principal (a key owner) and whether it is revoked (B5). */
export interface PrincipalRecord {
  /** The owner name as it appears in `KeyInfo.owner`. */
  id: string;
  revoked: boolean;
  reason?: RevocationReason;
  /** ISO 8601. */
  revokedAt?: string;
  /** ISO 8601: when the last revocation was lifted. */
  reinstatedAt?: string;
}

/** How often a key was used (every operation its gate allowed). */
export interface KeyUsageRecord {
  id: string;
  count: number;
  /** ISO 8601 of the last counted use. */
  lastUsedAt: string;
}

/** The CryptoKeys of one vault key. Never leaves the engine. */
export interface KeyMaterialRecord {
  id: string;
  /** Symmetric key (AES, HMAC, ChaCha20; for Fernet the AES-128-CBC half). */
  secret?: CryptoKey;
  /** Fernet's HMAC-SHA-256 half. */
  macSecret?: CryptoKey;
  privateKey?: CryptoKey;
  publicKey?: CryptoKey;
  /**
   * While the vault lock is on: the extractable pieces, each sealed (AES-GCM key wrap)
   * under the lock's wrapping key; the matching CryptoKey field is then absent.
   */
  sealed?: SealedMaterial;
}

/** One extractable CryptoKey sealed by the vault lock: `wrapKey('jwk', …, AES-GCM)`. */
export interface SealedPiece {
  /** The algorithm to unwrap it as (the key's own `algorithm`). */
  algorithm: KeyAlgorithm & { hash?: { name: string } | string; namedCurve?: string; length?: number };
  usages: KeyUsage[];
  iv: Uint8Array<ArrayBuffer>;
  /** The wrapped JWK with its GCM tag; associated data binds it to its key id and field. */
  ct: Uint8Array<ArrayBuffer>;
}

/** The sealed pieces of one key (see KeyMaterialRecord.sealed). */
export interface SealedMaterial {
  secret?: SealedPiece;
  macSecret?: SealedPiece;
  privateKey?: SealedPiece;
}

/** A small key-value store for engine settings and probes (no secrets). */
export interface MetaRecord {
  key: string;
  value: unknown;
}

/** Subject alternative names as stored and shown (normalised text). */
export interface StoredSans {
  dns: string[];
  ip: string[];
  email: string[];
  uri: string[];
}

/** A certificate authority: its vault key, its current certificate and its CRL settings. */
export interface CaRecord {
  id: string;
  name: string;
  kind: 'root' | 'intermediate';
  /** The vault key that signs for this CA. */
  keyId: string;
  /** This CA's own certificate (in `certs`). */
  certId: string;
  /** The CA that signed this CA's certificate; absent for a root. */
  parentId?: string;
  /** Display form of the subject. */
  subject: string;
  /** Hex SHA-1 key identifier (RFC 5280 §4.2.1.2 method 1). */
  ski: string;
  notBefore: string;
  notAfter: string;
  /** basicConstraints pathLenConstraint; absent means unlimited. */
  pathLen?: number;
  /** CRL distribution point written into certificates this CA issues. */
  crlUrl?: string;
  /** AIA caIssuers URL written into certificates this CA issues. */
  caIssuersUrl?: string;
  /** Days between thisUpdate and nextUpdate of this CA's CRLs. */
  crlValidityDays: number;
  createdAt: string;
}

/** One issued certificate, with the exact DER that was signed (never re-encoded, P14). */
export interface CertRecord {
  id: string;
  /** The CA that signed it (for a root certificate, the root itself). */
  issuerId: string;
  /** Lower-case hex of the serial's INTEGER content, minimal. */
  serialHex: string;
  profile: string;
  subject: string;
  issuer: string;
  sans: StoredSans;
  notBefore: string;
  notAfter: string;
  /** Vault key certified, when it came from the vault. */
  keyId?: string;
  source: 'vault' | 'csr' | 'ca';
  /** Hex SHA-256 of the subject's SPKI (the key fingerprint). */
  spkiSha256: string;
  /** Hex SHA-256 of the certificate DER. */
  sha256: string;
  /** Set when this certificate belongs to a CA. */
  caId?: string;
  /** True when notAfter was cut to the issuer's notAfter. */
  truncated: boolean;
  der: Uint8Array<ArrayBuffer>;
  createdAt: string;
}

/** A serial reserved for an issuer. `burned` serials were reserved and never used. */
export interface SerialRecord {
  /** `${issuerId}:${serialHex}` */
  id: string;
  issuerId: string;
  serialHex: string;
  state: 'reserved' | 'issued' | 'burned';
  certId?: string;
  at: string;
}

/** One revocation (E6). Keyed by issuer and serial: the revocation index (M3). */
export interface RevocationRecord {
  /** `${issuerId}:${serialHex}` */
  id: string;
  issuerId: string;
  serialHex: string;
  certId: string;
  /** RFC 5280 CRLReason code: 1, 3, 4, 5 or 9. */
  reason: number;
  revokedAt: string;
  invalidityDate?: string;
  spkiSha256: string;
  /** The revoked certificate's notAfter; the entry leaves the CRL after it (R6 tidy). */
  certNotAfter: string;
}

/** A signed CRL as published. */
export interface CrlRecord {
  /** `${issuerId}:${number}` */
  id: string;
  issuerId: string;
  number: number;
  thisUpdate: string;
  nextUpdate: string;
  entries: number;
  der: Uint8Array<ArrayBuffer>;
  sha256: string;
  /**
   * The issuer's revocation count (`counters` key `revs:<issuerId>`) this CRL was built
   * from: the CRL lists every revocation recorded up to it. A CRL whose value is below
   * the counter is stale and is rebuilt (issue 14). Absent on CRLs stored before it existed.
   */
  revisions?: number;
}

/**
 * A run of an issuer's CRL entries, sorted by serial (v8, see `crl-chunks.ts`): the DER of
 * each `revokedCertificates` entry back to back, with what publication needs to tidy
 * (R6) and date (R2) without decoding them.
 */
export interface CrlChunkRecord {
  issuerId: string;
  /** Sort key (`serialSortKey`) of the first entry: chunks ordered by it list serials in order. */
  lo: string;
  /**
   * A random stamp, new on every write: with issuer and `lo` it is the record's key, so the
   * keys alone (one small request) say which chunks changed since they were last read.
   */
  ver: string;
  count: number;
  /** The entries' DER, concatenated in serial order. */
  der: Uint8Array<ArrayBuffer>;
  /** Offset of each entry in `der`, then `der.length` (count + 1 values). */
  offsets: Uint32Array<ArrayBuffer>;
  /** Epoch ms notAfter of each entry's certificate (R6: it leaves the CRL after). */
  notAfter: Float64Array<ArrayBuffer>;
  /** Epoch ms revocation date of each entry. */
  revokedAt: Float64Array<ArrayBuffer>;
  /** The smallest `notAfter` (NaN when one is unreadable): a chunk with it after thisUpdate is listed whole. */
  minNotAfter: number;
  /** The newest `revokedAt` (R2: thisUpdate is never before it). */
  maxRevokedAt: number;
}

/**
 * A monotonically increasing counter: `crl:<issuerId>` is the issuer's last CRL number,
 * `revs:<issuerId>` counts the issuer's recorded revocations (bumped in the transaction
 * that records them), so a CRL can prove which revocations it was built from.
 */
export interface CounterRecord {
  key: string;
  value: number;
}

// KDC (v4): the key distribution center (PRODUCT.md C1–C6, SECURITY.md D1–D5)

/** The KDC's master key (AES-KW-256, non-extractable), under id 'master'. */
export interface KdcStateRecord {
  id: string;
  key: CryptoKey;
  createdAt: string;
}

/** A principal as the KDC knows it: its long-term key wrapped (AES-KW) under the master key. */
export interface KdcPrincipalRecord {
  name: string;
  kind: 'user' | 'service';
  status: 'active' | 'suspended' | 'revoked';
  /** Key version number of the long-term key (named in every message header). */
  kvno: number;
  /** RFC 3394 wrap of the long-term AES-GCM-256 key under the KDC master key. */
  wrappedKey: Uint8Array<ArrayBuffer>;
  /** Key check value of the long-term key (3 bytes, hex). */
  kcv: string;
  createdAt: string;
  /** Set while suspended or revoked. */
  reason?: string;
  statusAt?: string;
}

/** The principal's own copy of its long-term key: a non-extractable CryptoKey. */
export interface KdcPrincipalKeyRecord {
  name: string;
  kvno: number;
  key: CryptoKey;
  /**
   * The key before the last rotation (D5): tickets sealed under it are still accepted
   * until `acceptUntil` (epoch ms; the longest a ticket issued before the rotation can
   * live), then the key is gone. Absent when the rotation retired it at once.
   */
  previous?: { kvno: number; key: CryptoKey; acceptUntil: number };
}

/** A key the KDC distributed (or stored for one principal), wrapped under the master key (C3). */
export interface KdcKeyRecord {
  /** `kdk_<128-bit hex>` */
  id: string;
  kind: 'session' | 'stored';
  /** [client, service] for a session key; [owner] for a stored key. */
  parties: string[];
  /** RFC 3394 wrap of the AES-GCM-256 key under the KDC master key. */
  wrappedKey: Uint8Array<ArrayBuffer>;
  /** RFC 3394 wrap of the HMAC-SHA-256 key-confirmation key (session keys only). */
  wrappedConfirmKey?: Uint8Array<ArrayBuffer>;
  kcv: string;
  ticketId?: string;
  label?: string;
  issuedAt: string;
  expiresAt?: string;
  revoked: boolean;
  revokedAt?: string;
  reason?: string;
}

/** A key a principal holds after unwrapping (non-extractable CryptoKeys), id `${keyId}:${holder}`. */
export interface KdcHeldKeyRecord {
  id: string;
  keyId: string;
  holder: string;
  peer?: string;
  key: CryptoKey;
  confirmKey?: CryptoKey;
  receivedAt: string;
}

/** One entry of a service's replay cache (D3), id `${service}:${authenticatorId}`. */
export interface KdcReplayRecord {
  id: string;
  service: string;
  /** Epoch ms after which the entry can be dropped (authenticator time + skew). */
  expiresAt: number;
}

/**
 * A certificate imported from outside (v6): a root, an intermediate or a leaf the user
 * brought to verify chains with. Never a Clavis CA; `trusted` only on a self-signed CA
 * certificate whose self-signature verified, set by an explicit act.
 */
export interface ImportedCertRecord {
  /** `imp-cert_` + the SHA-256 of the DER (hex): the same certificate is the same record. */
  id: string;
  sha256: string;
  der: Uint8Array;
  subject: string;
  issuer: string;
  serialHex: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** basicConstraints cA is true. */
  isCa: boolean;
  /** Issuer and subject names equal and the certificate's own key verifies its signature. */
  selfSigned: boolean;
  /** A trust anchor for the Verify screen (explicit act; only self-signed CA certificates). */
  trusted: boolean;
  /** ISO 8601. */
  importedAt: string;
}

/** A CRL imported from outside (v6): used only when the user picks it for a verification. */
export interface ImportedCrlRecord {
  /** `imp-crl_` + the SHA-256 of the DER (hex). */
  id: string;
  sha256: string;
  der: Uint8Array;
  issuer: string;
  /** ISO 8601. */
  thisUpdate: string;
  nextUpdate?: string;
  /** Hex, when the CRL carries a cRLNumber. */
  crlNumber?: string;
  /** How many revoked entries it lists. */
  entries: number;
  importedAt: string;
}

export interface ClavisDB extends DBSchema {
  keys: {
    key: string;
    value: StoredKeyInfo;
    indexes: { byOwner: string; byTemplate: string; byCreated: string; byKeyring: string; byFingerprint: string; byDueAt: number };
  };
  keyMaterial: {
    key: string;
    value: KeyMaterialRecord;
  };
  meta: {
    key: string;
    value: MetaRecord;
  };
  cas: {
    key: string;
    value: CaRecord;
    indexes: { byParent: string; byCreated: string };
  };
  certs: {
    key: string;
    value: CertRecord;
    indexes: { byIssuer: string; byIssuerSerial: [string, string]; bySpki: string; byCreated: string; byIssuerNotAfter: [string, string] };
  };
  serials: {
    key: string;
    value: SerialRecord;
    indexes: { byIssuerSerial: [string, string] };
  };
  revocations: {
    key: string;
    value: RevocationRecord;
    indexes: { byIssuer: string; byIssuerSerial: [string, string]; bySpki: string };
  };
  crls: {
    key: string;
    value: CrlRecord;
    indexes: { byIssuerNumber: [string, number] };
  };
  counters: {
    key: string;
    value: CounterRecord;
  };
  // CRL write path (v8)
  crlChunks: {
    /** [issuerId, lo, ver]. */
    key: [string, string, string];
    value: CrlChunkRecord;
  };
  audit: {
    /** The entry's seq, as an out-of-line key. */
    key: number;
    value: AuditEntry;
    indexes: { byAction: string; bySubject: string };
  };
  principals: {
    key: string;
    value: PrincipalRecord;
  };
  keyUsage: {
    key: string;
    value: KeyUsageRecord;
  };
  // KDC (v4)
  kdcState: { key: string; value: KdcStateRecord };
  kdcPrincipals: { key: string; value: KdcPrincipalRecord };
  kdcPrincipalKeys: { key: string; value: KdcPrincipalKeyRecord };
  kdcKeys: { key: string; value: KdcKeyRecord; indexes: { byParty: string } };
  kdcHeldKeys: { key: string; value: KdcHeldKeyRecord; indexes: { byKey: string } };
  kdcReplay: { key: string; value: KdcReplayRecord; indexes: { byExpiry: number } };
  // Imported trust material (v6)
  importedCerts: { key: string; value: ImportedCertRecord };
  importedCrls: { key: string; value: ImportedCrlRecord };
}
