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
import type { CaRecord, CertRecord, CounterRecord, CrlChunkRecord, CrlRecord, ImportedCertRecord, ImportedCrlRecord, RevocationRecord, SerialRecord } from './records-pki';
import type { KdcHeldKeyRecord, KdcKeyRecord, KdcPrincipalKeyRecord, KdcPrincipalRecord, KdcReplayRecord, KdcStateRecord } from './records-kdc';

// The record types of the CA, the imported trust material and the KDC have their own homes
// (records-pki.ts, records-kdc.ts); they are named here too, so this file stays the one map of the database.
export type * from './records-pki';
export type * from './records-kdc';

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
