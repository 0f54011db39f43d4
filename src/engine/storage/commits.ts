/** What a storage write carries (prepared audit entries, commits of each domain) and the conflicts it reports. */
import type { KeyringId } from '../ids';
import type { AuditEntry, AuditHead } from '../audit/chain';
import { StorageError } from '../errors';
import type { KeyInfo } from '../types';
import type { CaRecord, CertRecord, CrlRecord, KeyMaterialRecord, CounterRecord, KeyUsageRecord, MetaRecord, PrincipalRecord, RevocationRecord, SerialRecord, KdcHeldKeyRecord, KdcKeyRecord, KdcPrincipalKeyRecord, KdcPrincipalRecord, KdcReplayRecord, ImportedCertRecord, ImportedCrlRecord } from './schema';

/**
 * Audit entries ready to be written: chained (by `appendEntry`) onto `head`, the head the
 * caller read before computing them. A write that carries them fails with
 * AuditConflictError if the stored head is no longer `head` (optimistic concurrency: the
 * hashes are computed outside the transaction, SECURITY.md W3); the caller recomputes and
 * retries (`withAudit` in audit/store.ts does this).
 */
export interface PreparedAudit {
  head: AuditHead | undefined;
  entries: AuditEntry[];
  /** The audit key's signature over the new head (issue 14 #6), stored with it. */
  headSignature?: string;
  /**
   * The audit key pair, when these entries are the first it signs: stored (never
   * overwritten) in the same transaction as the signed head, so a key exists only where
   * a signed head was committed.
   */
  newAuditKey?: unknown;
}

/** Meta key of the vault's audit signing key pair (its private key is non-extractable). */
export const AUDIT_KEY_META = 'auditSigningKey';

/**
 * Everything one lifecycle change writes, in ONE transaction with its audit entries (A4):
 * either all of it is stored or none of it.
 */
export interface AuditedCommit extends PreparedAudit {
  /** New keys with their material. */
  addKeys?: Array<{ info: KeyInfo; material: KeyMaterialRecord }>;
  /**
   * Replaced key records, each with the record it was computed from; AuditConflictError
   * if the stored record's state, history or primary flag changed since.
   */
  putKeys?: Array<{ info: KeyInfo; before: KeyInfo }>;
  /** Key material to delete (crypto-shredding; the metadata stays). */
  deleteMaterial?: string[];
  /** Keys to delete entirely (metadata and material). */
  deleteKeys?: string[];
  putPrincipals?: PrincipalRecord[];
  /** Owners that must not be revoked; checked inside the transaction (KEY_STATE). */
  ownersNotRevoked?: string[];
  /**
   * Certificate revocations recorded with the change (K8: a key's certificates follow
   * the key). Each certificate must exist and not be revoked yet; otherwise
   * AuditConflictError (another tab revoked it: plan again).
   */
  addRevocations?: RevocationRecord[];
  /**
   * Replaced key material (the vault lock seals or unseals it, src/engine/lock). A record
   * whose key material is gone meanwhile (destroyed, deleted) is skipped, never recreated.
   */
  putMaterial?: KeyMaterialRecord[];
  /** Settings written with the change (`meta` records; the vault lock's configuration). */
  putMeta?: MetaRecord[];
  deleteMeta?: string[];
  /**
   * The vault lock's guard: the `meta` record under `key` must carry this `stamp` (null:
   * no such record), else AuditConflictError. Writes of exportable material are planned
   * for one lock state (sealed or plain); this refuses them once the lock state changed.
   */
  metaStamp?: { key: string; stamp: string | null };
  /**
   * A delete's dependency check, run INSIDE the transaction that deletes (issue 14 #7):
   * storage reads what depends on `keyId` there (CAs signing with it, the other versions
   * of its keyring, certificates of its SPKI with their revocations), then calls `check`
   * synchronously; a returned reason aborts the whole transaction with KEY_STATE. So a
   * CA, keyring version or certificate created by another tab just before the delete is
   * seen, not missed.
   */
  deleteGuard?: { keyId: string; keyringId: KeyringId; spkiSha256?: string; check: (deps: DeleteDependents) => string | undefined };
}

/** What depends on a key, as read inside a delete's transaction (`AuditedCommit.deleteGuard`). */
export interface DeleteDependents {
  cas: CaRecord[];
  /** The keyring's versions, the key itself included. */
  keyring: KeyInfo[];
  /** Certificates of the key's SPKI, each with whether it is revoked. */
  certs: Array<{ cert: CertRecord; revoked: boolean }>;
}

/** Counter keys (`counters` store): last CRL number, revocations recorded, revocations the latest CRL covers. */
export const crlCounterKeys = (issuerId: string) => ({ number: `crl:${issuerId}`, revisions: `revs:${issuerId}`, covered: `crlrevs:${issuerId}` });

/** What a CRL of an issuer is built from: read in one transaction (issue 14). */
export interface CrlState {
  /** The last CRL number stored (0 before the first). */
  lastNumber: number;
  /** How many revocations of the issuer were recorded (the `revs:` counter). */
  revisions: number;
  /** The `revisions` value the latest stored CRL was built from; undefined when unknown (no CRL, or one stored before this was kept). */
  covered: number | undefined;
}


// KDC
/**
 * Everything one KDC change writes (src/engine/kdc), with its audit entries, in ONE
 * transaction: all or nothing. The checks run inside the transaction, so a replayed
 * authenticator or a key revoked in another tab cannot slip between check and write.
 */
export interface KdcCommit extends PreparedAudit {
  /** New principals (fails with STORAGE when the name exists). */
  addPrincipals?: KdcPrincipalRecord[];
  putPrincipals?: KdcPrincipalRecord[];
  putPrincipalKeys?: KdcPrincipalKeyRecord[];
  addKeys?: KdcKeyRecord[];
  putKeys?: KdcKeyRecord[];
  putHeld?: KdcHeldKeyRecord[];
  /** Replay-cache entries; the commit is refused (`replayed`) when one is already cached. */
  addReplay?: KdcReplayRecord[];
  /** Distributed keys that must exist and not be revoked. */
  keysNotRevoked?: string[];
  /** Principals that must be active at the KDC and not revoked by the lifecycle (B5). */
  principalsActive?: string[];
  /** Replay-cache entries that expired before this epoch ms are dropped. */
  pruneReplayBefore?: number;
}

/** Meta key of the audit key hand-overs recorded by restores (`AuditHandover[]`). */
export const AUDIT_HANDOVERS_META = 'auditKeyHandovers';

/**
 * An audit key hand-over (A7 restore): entries up to `seq` were signed by an earlier audit
 * key whose private half could not be restored (non-extractable); its public key and its
 * signed head are kept so verification can still check that head, and the entry at
 * `seq + 1` (`vault.restore`) names the key that signs from there on.
 */
export interface AuditHandover {
  seq: number;
  hash: string;
  /** The earlier key's signature over `headMessage(seq, hash)` (hex), when the head was signed. */
  sig?: string;
  /** The earlier audit public key, SPKI DER as base64, and its SHA-256 (hex). */
  spki?: string;
  spkiSha256?: string;
  at: string;
}

/** The vault's records a backup carries besides keys and the audit log, store by store (A7). */
export interface VaultRecords {
  cas: CaRecord[];
  certs: CertRecord[];
  serials: SerialRecord[];
  revocations: RevocationRecord[];
  crls: CrlRecord[];
  /** In a restore: set to `value` unless the vault's is higher already (numbers never go back). */
  counters: CounterRecord[];
  principals: PrincipalRecord[];
  keyUsage: KeyUsageRecord[];
  /** Trust material imported from outside (v6), kept apart from the CA's own records. */
  importedCerts: ImportedCertRecord[];
  importedCrls: ImportedCrlRecord[];
}

/** Everything a vault backup reads, from ONE readonly transaction (a consistent snapshot). */
export interface VaultSnapshot extends VaultRecords {
  keys: KeyInfo[];
  audit: AuditEntry[];
  auditHead: AuditHead | undefined;
  /** The audit key pair record (CryptoKeys), to export its public half. */
  auditKey: unknown;
  handovers: AuditHandover[];
}

/** What a restore writes, in ONE transaction (A7): only new records; counters raised; audit entries. */
export interface RestoreCommit extends PreparedAudit, VaultRecords {
  addKeys: Array<{ info: KeyInfo; material?: KeyMaterialRecord }>;
  /** Appended to `AUDIT_HANDOVERS_META` (restore into a vault whose audit key is new). */
  handover?: AuditHandover;
  /** The vault lock's guard, as in `AuditedCommit.metaStamp`: restored material was sealed (or left plain) for this lock state. */
  metaStamp?: { key: string; stamp: string | null };
}

/** Outcome of `commitKdc`: a refusal names what was found (nothing was written). */
export type KdcCommitOutcome = { ok: true } | { ok: false; refused: 'replayed' | 'key-revoked' | 'principal-inactive'; subject: string };

// Imported trust material (v6)
/**
 * One change to the imported trust material (E8) with its audit entries, in ONE
 * transaction: added certificates and CRLs (each must not exist yet, else
 * AuditConflictError: another tab imported it, plan again), a certificate's trust flag
 * changed (the record must exist and still have `before`'s flag), removals.
 */
export interface ImportedCommit extends PreparedAudit {
  addCerts?: ImportedCertRecord[];
  addCrls?: ImportedCrlRecord[];
  /** A changed record with the trust flag it had when the change was planned. */
  putCert?: { rec: ImportedCertRecord; trustedBefore: boolean };
  /** Ids (certificates or CRLs) to delete; each must exist. */
  deleteIds?: string[];
}

/** The head or a key changed between reading and writing: recompute and retry. */
export class AuditConflictError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'AuditConflictError';
  }
}

/** A CRL was stored, or revocations recorded, while this CRL was built: rebuild it from a fresh snapshot. */
export class CrlConflictError extends AuditConflictError {
  constructor(message: string) {
    super(message);
    this.name = 'CrlConflictError';
  }
}
