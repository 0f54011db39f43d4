/**
 * Storage: the only module that imports idb. `openStorage()` opens (and migrates) the
 * Clavis database and returns a small repository whose writes that belong together
 * run in one transaction with no foreign awaits inside it (SECURITY.md W3): callers do
 * their crypto first, then hand finished records here.
 */
import { deleteDB, openDB, type IDBPDatabase, type IDBPObjectStore, type IDBPTransaction, type StoreNames } from 'idb';
import type { AuditEntry, AuditHead } from '../audit/chain';
import { StorageError, EngineError, KeyStateError } from '../errors';
import { defaultDates, nextDueAt } from '../lifecycle/dates';
import { isoAt } from '../lifecycle/states';
import type { KeyInfo } from '../types';
import {
  AUDIT_HEAD_KEY,
  DB_NAME,
  DB_VERSION,
  type CaRecord,
  type CertRecord,
  type ClavisDB,
  type CrlChunkRecord,
  type CrlRecord,
  type KeyMaterialRecord,
  type CounterRecord,
  type KeyUsageRecord,
  type MetaRecord,
  type PrincipalRecord,
  type RevocationRecord,
  type SerialRecord,
  type StoredKeyInfo,
  // KDC
  type KdcHeldKeyRecord,
  type KdcKeyRecord,
  type KdcPrincipalKeyRecord,
  type KdcPrincipalRecord,
  type KdcReplayRecord,
  type KdcStateRecord,
  type ImportedCertRecord,
  type ImportedCrlRecord,
} from './schema';
import { issuanceStorage } from './issuance';
import { buildChunks, chunkStamp, encodeRevokedEntry, insertEntry, openChunk, packChunk, serialSortKey, type OpenChunk } from './crl-chunks';

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
  deleteGuard?: { keyId: string; keyringId: string; spkiSha256?: string; check: (deps: DeleteDependents) => string | undefined };
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

/** The stores a transaction must include to append audit entries. */
export const AUDIT_STORES = ['audit', 'meta'] as const;

type AnyStores = ArrayLike<StoreNames<ClavisDB>>;

/**
 * Queues audit entries on an open readwrite transaction that includes AUDIT_STORES:
 * reads the stored head (an IndexedDB request, no foreign await), checks it is the head
 * the entries were chained from, then queues one `add` per entry (an entry is never
 * overwritten) and the new head. Returns the queued writes, to await with `tx.done`.
 * @throws AuditConflictError (after aborting the transaction) when the head moved.
 */
export async function queueAuditEntries(tx: IDBPTransaction<ClavisDB, AnyStores, 'readwrite'>, audit: PreparedAudit): Promise<Promise<unknown>[]> {
  const meta = tx.objectStore('meta') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'meta', 'readwrite'>;
  const log = tx.objectStore('audit') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'audit', 'readwrite'>;
  const stored = (await meta.get(AUDIT_HEAD_KEY))?.value as AuditHead | undefined;
  if (!sameHead(stored, audit.head)) {
    tx.abort();
    await tx.done.catch(() => undefined);
    throw new AuditConflictError('storage: the audit log moved while the change was prepared');
  }
  if (audit.entries.length === 0) return [];
  const writes: Promise<unknown>[] = audit.entries.map((e) => log.add(e, e.seq));
  const last = audit.entries[audit.entries.length - 1]!;
  const head: AuditHead = { seq: last.seq, hash: last.hash, ...(audit.headSignature ? { sig: audit.headSignature } : {}) };
  writes.push(meta.put({ key: AUDIT_HEAD_KEY, value: head }));
  if (audit.newAuditKey !== undefined) writes.push(meta.add({ key: AUDIT_KEY_META, value: audit.newAuditKey }));
  // The caller awaits other requests before it collects these: mark them handled now so a
  // failing entry (which aborts the transaction) is not also an unhandled rejection.
  for (const w of writes) w.catch(() => undefined);
  tx.done.catch(() => undefined);
  return writes;
}

function sameHead(a: AuditHead | undefined, b: AuditHead | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.seq === b.seq && a.hash === b.hash;
}

/**
 * A v1/v2 key record brought to v3: active since its creation (it was usable), the
 * template's default dates from its creation time, no recorded history, its own keyring.
 */
export function upgradeKeyRecord(old: KeyInfo): KeyInfo {
  const created = Date.parse(old.createdAt);
  const dates: KeyInfo['dates'] = { createdAt: old.createdAt };
  try {
    const d = defaultDates(old.template, created);
    if (d.activation !== undefined) dates.activation = isoAt(d.activation);
    if (d.protectStop !== undefined) dates.protectStop = isoAt(d.protectStop);
    if (d.processStop !== undefined) dates.processStop = isoAt(d.processStop);
    if (d.deactivation !== undefined) dates.deactivation = isoAt(d.deactivation);
  } catch {
    // An unknown template or date: keep the key without scheduled dates.
  }
  // With its `dueAt` (index `byDueAt`, v5), which storage strips when the record is read.
  return toStoredKey({ ...old, state: old.state ?? 'active', dates, history: old.history ?? [], keyringId: old.keyringId ?? old.id, primary: old.primary ?? true, version: old.version ?? 1 });
}

/**
 * A key record as written: `dueAt` is the next clock transition of the record (index
 * `byDueAt`), recomputed on every write so it never goes stale.
 */
export function toStoredKey(info: KeyInfo): StoredKeyInfo {
  const { dueAt: _old, ...rest } = info as StoredKeyInfo;
  let due: number | undefined;
  try {
    due = nextDueAt(rest);
  } catch {
    due = undefined;
  }
  return due !== undefined && Number.isFinite(due) ? { ...rest, dueAt: due } : rest;
}

/** A stored key record as callers see it: plain `KeyInfo` (the index field removed in place; the record is a fresh clone). */
function fromStoredKey<T extends StoredKeyInfo | undefined>(rec: T): T extends undefined ? KeyInfo | undefined : KeyInfo {
  if (rec && 'dueAt' in rec) delete rec.dueAt;
  return rec as never;
}

/** The repository the engine uses. Every method throws StorageError on IndexedDB failure. */
export interface ClavisStorage {
  /** Stores a key's metadata and material together, atomically. Fails if the id exists. */
  addKey(info: KeyInfo, material: KeyMaterialRecord): Promise<void>;
  getKeyInfo(id: string): Promise<KeyInfo | undefined>;
  getKeyMaterial(id: string): Promise<KeyMaterialRecord | undefined>;
  listKeyInfos(): Promise<KeyInfo[]>;
  /** Keys whose fingerprint value is `value` (index `byFingerprint`): the C6 check reads these, never the whole vault. */
  listKeysByFingerprint(value: string): Promise<KeyInfo[]>;
  /** Keys whose next clock transition is due at or before `at` (index `byDueAt`). */
  listKeysDueBy(at: number): Promise<KeyInfo[]>;
  /** The earliest next clock transition of any key (epoch ms), from the first entry of `byDueAt`. */
  firstDueAt(): Promise<number | undefined>;
  /** Replaces a key's metadata (the key must exist). */
  putKeyInfo(info: KeyInfo): Promise<void>;
  /** Removes metadata and material together. Returns false when there was no such key. */
  deleteKey(id: string): Promise<boolean>;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  /** Closes the connection (tests, and when another tab upgrades the schema). */
  close(): void;
  /**
   * Calls `listener` after every committed write, in this tab (`'this-tab'`) and in every
   * other tab of the origin that has the same database open (`'other-tab'`, through a
   * BroadcastChannel), so every open tab can show the same vault (issue 14 #10). The
   * message carries no data, only that something changed. Returns an unsubscribe function.
   */
  onChange(listener: (origin: 'this-tab' | 'other-tab') => void): () => void;

  // Lifecycle and audit (v3).

  /**
   * Writes a lifecycle change and its audit entries in one transaction (A4). Nothing is
   * written when any part fails. @throws AuditConflictError (retry), KEY_STATE (revoked owner), STORAGE
   */
  commitAudited(commit: AuditedCommit): Promise<void>;
  /** The remembered head of the audit chain, or undefined for an empty log. */
  getAuditHead(): Promise<AuditHead | undefined>;
  /** Every audit record in key (sequence) order, as stored: verification judges them. */
  listAuditEntries(): Promise<AuditEntry[]>;
  /** The versions of a keyring (unordered). */
  listKeyring(keyringId: string): Promise<KeyInfo[]>;
  listKeysByOwner(owner: string): Promise<KeyInfo[]>;
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  listPrincipals(): Promise<PrincipalRecord[]>;
  /** Adds counted uses, one transaction for the batch. */
  addKeyUsage(batch: ReadonlyMap<string, { count: number; lastUsedAt: string }>): Promise<void>;
  getKeyUsage(id: string): Promise<KeyUsageRecord | undefined>;

  // Certificate authority (v2). Each write below is one transaction with only IndexedDB
  // requests inside it (W3/W4); the CA does its signing before or after, never during.

  /**
   * Reserves a serial for an issuer before anything is signed (C1). Fails with STORAGE
   * when the issuer already has that serial (reserved, issued or burned).
   */
  reserveSerial(issuerId: string, serialHex: string, at: string): Promise<void>;
  /** Marks a reserved serial as never to be used (its signing failed). */
  burnSerial(issuerId: string, serialHex: string): Promise<void>;
  /**
   * Completes an issuance atomically: the reserved serial becomes `issued`, the
   * certificate record is added and, for a CA certificate, the CA record too. Nothing is
   * written if the serial is not `reserved` or any record already exists. With `audit`
   * (from `withAudit`), its entries are appended in the same transaction.
   */
  commitIssuance(cert: CertRecord, ca?: CaRecord, audit?: PreparedAudit): Promise<void>;
  /**
   * Undoes the creation of a CA whose set-up failed after its record was committed (its
   * first CRL could not be published): removes the CA record, its certificate and any
   * CRL and CRL counter of it, and burns the certificate's serial, with `audit`'s entries,
   * in one transaction. Refused (INVALID_ARGUMENT) when the CA has issued anything.
   */
  discardNewCa(caId: string, audit: PreparedAudit): Promise<void>;
  getSerial(issuerId: string, serialHex: string): Promise<SerialRecord | undefined>;
  getCa(id: string): Promise<CaRecord | undefined>;
  listCas(): Promise<CaRecord[]>;
  /** Replaces a CA's settings (the CA must exist). */
  putCa(ca: CaRecord): Promise<void>;
  getCert(id: string): Promise<CertRecord | undefined>;
  getCertByIssuerSerial(issuerId: string, serialHex: string): Promise<CertRecord | undefined>;
  listCerts(issuerId?: string): Promise<CertRecord[]>;
  /** Certificates whose subject key has this SPKI SHA-256. */
  listCertsBySpki(spkiSha256: string): Promise<CertRecord[]>;
  /**
   * An issuer's certificates whose notAfter lies in [from, to) (ISO 8601, either bound
   * optional), from the (issuer, notAfter) index: the valid or expired ones without
   * reading the rest.
   */
  listCertsByIssuerNotAfter(issuerId: string, range: { from?: string; to?: string }): Promise<CertRecord[]>;
  /** Up to `limit` certificates, newest first, skipping `offset` (index `byCreated`): a list's first page. */
  listCertsNewest(limit: number, offset?: number): Promise<CertRecord[]>;
  /** How many certificates are stored (all issuers). */
  countCerts(): Promise<number>;
  /**
   * Completes many issuances in ONE transaction (bulk issuance): every reserved serial
   * becomes `issued`, every certificate is added, the new vault keys they certify (with
   * their material) too, and the audit entries appended. Nothing is written if any serial
   * is not `reserved` for its issuer or any record already exists.
   * @throws CERT_INVALID, AuditConflictError (retry), STORAGE
   */
  commitIssuanceBatch(c: { certs: CertRecord[]; addKeys?: Array<{ info: KeyInfo; material: KeyMaterialRecord }>; audit: PreparedAudit }): Promise<void>;
  /** Reserves many serials in one transaction (all or none). */
  reserveSerials(serials: Array<{ issuerId: string; serialHex: string }>, at: string): Promise<void>;
  /** Marks reserved serials as never to be used, in one transaction. */
  burnSerials(serials: Array<{ issuerId: string; serialHex: string }>): Promise<void>;
  /**
   * Records a revocation. The certificate must exist and not be revoked already
   * (CERT_REVOKED); the check and the write are one transaction, which also appends
   * `audit`'s entries when given.
   */
  addRevocation(rev: RevocationRecord, audit?: PreparedAudit): Promise<void>;
  /**
   * Records a revocation together with its audit entries and, for a key compromise, the
   * lifecycle change of the certified vault keys, in ONE transaction (A4): all or nothing.
   * CERT_REVOKED when already revoked; AuditConflictError when the audit head or a key
   * changed since `before` was read (recompute and retry, as `withAudit` does).
   */
  commitRevocation(c: { rev: RevocationRecord; audit: PreparedAudit; putKeys?: Array<{ info: KeyInfo; before: KeyInfo }> }): Promise<void>;
  getRevocation(issuerId: string, serialHex: string): Promise<RevocationRecord | undefined>;
  listRevocations(issuerId: string): Promise<RevocationRecord[]>;
  /**
   * One page of an issuer's revocations from the (issuer, serial) index, in index order,
   * strictly after `afterSerialHex` (from the start without it): big CRLs are read in
   * chunks so no single request holds 100,000 records (M3, M7).
   */
  listRevocationsPage(issuerId: string, page: { afterSerialHex?: string; limit: number }): Promise<RevocationRecord[]>;
  listRevocationsBySpki(spkiSha256: string): Promise<RevocationRecord[]>;
  /**
   * Allocates the next CRL number for an issuer: read, increment and write in one
   * transaction, so two tabs can never get the same number (R1, G3). Publishing does not
   * use it (`commitCrl` takes the number in the storing transaction); a number taken
   * here is skipped.
   */
  allocateCrlNumber(issuerId: string): Promise<number>;
  /** The issuer's CRL number and revocation counters, read in one transaction. */
  getCrlState(issuerId: string): Promise<CrlState>;
  /**
   * What a CRL of an issuer is built from, read in ONE transaction (v8): the counters, the
   * issuer's CRL chunks in serial order (its revocations as encoded CRL entries) and how
   * many revocation records it has. The chunks are complete when their counts add up to
   * `revocations`; otherwise `rebuildCrlChunks` first.
   */
  readCrlSnapshot(issuerId: string): Promise<{ state: CrlState; chunks: CrlChunkRecord[]; revocations: number }>;
  /**
   * Rebuilds an issuer's CRL chunks from its revocation records in one transaction (a
   * database whose revocations were written without them). Returns the entries chunked.
   * @throws CERT_INVALID (a stored revocation cannot be written on a CRL), STORAGE
   */
  rebuildCrlChunks(issuerId: string): Promise<number>;
  /**
   * Stores a signed CRL built from the snapshot `crl.revisions` / `crl.number - 1` (from
   * `getCrlState`), with its audit entries, in ONE transaction that first checks nothing
   * moved: no revocation recorded and no CRL stored since. Otherwise CrlConflictError
   * (nothing written; rebuild from a fresh snapshot). So a stored CRL always lists every
   * revocation recorded before it, and numbers strictly increase with contents (R1).
   */
  commitCrl(crl: CrlRecord & { revisions: number }, audit: PreparedAudit): Promise<void>;
  /** Stores a signed CRL; with `audit`, its entries are appended in the same transaction. */
  addCrl(crl: CrlRecord, audit?: PreparedAudit): Promise<void>;
  /** The CRL with the highest number for an issuer. */
  getLatestCrl(issuerId: string): Promise<CrlRecord | undefined>;
  /** The CRL of an issuer with this number. */
  getCrl(issuerId: string, number: number): Promise<CrlRecord | undefined>;
  /** An issuer's latest `limit` CRLs, newest first (the CRL history). */
  listCrls(issuerId: string, limit: number): Promise<CrlRecord[]>;

  // Backup and restore (A7)
  /** Every record a vault backup holds, read in one readonly transaction. */
  readVaultSnapshot(): Promise<VaultSnapshot>;
  /**
   * Writes a restore in ONE transaction: every record is added (never overwritten: a
   * record that appeared since the preview aborts everything with STORAGE), counters
   * raised, the audit entries appended after the head check. All or nothing.
   */
  commitRestore(c: RestoreCommit): Promise<void>;

  // KDC (v4)
  /** Writes a KDC change and its audit entries in one transaction; refusals write nothing. @throws AuditConflictError (retry), STORAGE */
  commitKdc(c: KdcCommit): Promise<KdcCommitOutcome>;
  getKdcMasterKey(): Promise<CryptoKey | undefined>;
  /** Stores the master key unless one exists (another tab may have won); returns the stored one. */
  initKdcMasterKey(rec: KdcStateRecord): Promise<CryptoKey>;
  getKdcPrincipal(name: string): Promise<KdcPrincipalRecord | undefined>;
  listKdcPrincipals(): Promise<KdcPrincipalRecord[]>;
  getKdcPrincipalKey(name: string): Promise<KdcPrincipalKeyRecord | undefined>;
  getKdcKey(id: string): Promise<KdcKeyRecord | undefined>;
  listKdcKeys(): Promise<KdcKeyRecord[]>;
  listKdcKeysOf(party: string): Promise<KdcKeyRecord[]>;
  getKdcHeldKey(keyId: string, holder: string): Promise<KdcHeldKeyRecord | undefined>;
  hasKdcReplay(id: string): Promise<boolean>;

  // Imported trust material (v6): never mixed with the CA stores.
  /** Writes an import, a trust change or a removal with its audit entries in ONE transaction. @throws AuditConflictError (retry), INVALID_ARGUMENT (no such record), STORAGE */
  commitImported(c: ImportedCommit): Promise<void>;
  getImportedCert(id: string): Promise<ImportedCertRecord | undefined>;
  getImportedCrl(id: string): Promise<ImportedCrlRecord | undefined>;
  listImportedCerts(): Promise<ImportedCertRecord[]>;
  listImportedCrls(): Promise<ImportedCrlRecord[]>;
}

/** Migrations, one per version step (index = old version). Never edit a released step; add a new one. Exported for the upgrade tests. */
export const MIGRATIONS: Array<(db: IDBPDatabase<ClavisDB>, tx: IDBPTransaction<ClavisDB, StoreNames<ClavisDB>[], 'versionchange'>) => void> = [
  // v0 -> v1: the vault.
  (db) => {
    const keys = db.createObjectStore('keys', { keyPath: 'id' });
    keys.createIndex('byOwner', 'owner');
    keys.createIndex('byTemplate', 'template');
    keys.createIndex('byCreated', 'createdAt');
    db.createObjectStore('keyMaterial', { keyPath: 'id' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
  // v1 -> v2: the certificate authority.
  (db) => {
    const cas = db.createObjectStore('cas', { keyPath: 'id' });
    cas.createIndex('byParent', 'parentId');
    cas.createIndex('byCreated', 'createdAt');
    const certs = db.createObjectStore('certs', { keyPath: 'id' });
    certs.createIndex('byIssuer', 'issuerId');
    certs.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
    certs.createIndex('bySpki', 'spkiSha256');
    certs.createIndex('byCreated', 'createdAt');
    const serials = db.createObjectStore('serials', { keyPath: 'id' });
    serials.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
    const revocations = db.createObjectStore('revocations', { keyPath: 'id' });
    revocations.createIndex('byIssuer', 'issuerId');
    revocations.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
    revocations.createIndex('bySpki', 'spkiSha256');
    const crls = db.createObjectStore('crls', { keyPath: 'id' });
    crls.createIndex('byIssuerNumber', ['issuerId', 'number'], { unique: true });
    db.createObjectStore('counters', { keyPath: 'key' });
  },
  // v2 -> v3: the key lifecycle and the audit log.
  (db, tx) => {
    // Out-of-line keys (the seq): a reordering of records stays visible to the verifier.
    const audit = db.createObjectStore('audit');
    audit.createIndex('byAction', 'action');
    audit.createIndex('bySubject', 'subject', { multiEntry: true });
    db.createObjectStore('principals', { keyPath: 'id' });
    db.createObjectStore('keyUsage', { keyPath: 'id' });
    const keys = tx.objectStore('keys');
    keys.createIndex('byKeyring', 'keyringId');
    // Only IndexedDB requests inside the upgrade transaction; a failure aborts the upgrade.
    const migrate = async () => {
      let cursor = await keys.openCursor();
      while (cursor) {
        const v = cursor.value as Partial<KeyInfo> & KeyInfo;
        if (v.dates === undefined || v.keyringId === undefined) await cursor.update(upgradeKeyRecord(v));
        cursor = await cursor.continue();
      }
    };
    migrate().catch(() => tx.abort());
  },
  // KDC: v3 -> v4: the key distribution center.
  (db) => {
    db.createObjectStore('kdcState', { keyPath: 'id' });
    db.createObjectStore('kdcPrincipals', { keyPath: 'name' });
    db.createObjectStore('kdcPrincipalKeys', { keyPath: 'name' });
    const keys = db.createObjectStore('kdcKeys', { keyPath: 'id' });
    keys.createIndex('byParty', 'parties', { multiEntry: true });
    const held = db.createObjectStore('kdcHeldKeys', { keyPath: 'id' });
    held.createIndex('byKey', 'keyId');
    const replay = db.createObjectStore('kdcReplay', { keyPath: 'id' });
    replay.createIndex('byExpiry', 'expiresAt');
  },
  // Scale: v4 -> v5: indexes for the hot paths (nothing on them reads every record).
  (db, tx) => {
    const keys = tx.objectStore('keys');
    keys.createIndex('byFingerprint', 'fingerprint.value');
    keys.createIndex('byDueAt', 'dueAt');
    // (A database that never had the CA stores gets nothing to index there.)
    if (db.objectStoreNames.contains('certs')) tx.objectStore('certs').createIndex('byIssuerNotAfter', ['issuerId', 'notAfter']);
    // Every v3+ key gets its `dueAt`; a record from before v3 is left to the v3 step in
    // the same upgrade, whose `upgradeKeyRecord` writes `dueAt` too (so the two walks
    // never write the same record).
    const migrate = async () => {
      let cursor = await keys.openCursor();
      while (cursor) {
        const v = cursor.value as Partial<KeyInfo> & KeyInfo;
        if (v.dates !== undefined && v.keyringId !== undefined) await cursor.update(toStoredKey(v));
        cursor = await cursor.continue();
      }
    };
    migrate().catch(() => tx.abort());
  },
  // Verifier: v5 -> v6: imported certificates and CRLs, apart from the CA's own stores.
  (db) => {
    db.createObjectStore('importedCerts', { keyPath: 'id' });
    db.createObjectStore('importedCrls', { keyPath: 'id' });
  },
  // Owners: v6 -> v7: owners stored before owner identity became one rule (NFC,
  // lower-case, `ownerKey`) are brought to it, so "Alice"'s old keys are alice's keys.
  (db, tx) => {
    // (A database without the vault's stores has no owners to move.)
    if (!db.objectStoreNames.contains('keys')) return;
    const keys = tx.objectStore('keys');
    // (A database that never had the lifecycle stores has no principals to move.)
    const principals = db.objectStoreNames.contains('principals') ? tx.objectStore('principals') : undefined;
    const migrate = async () => {
      // Every key record is written whole, composed with the v3 and v5 steps' own
      // transforms: when those steps walk the same records in this upgrade, this step's
      // write (queued after theirs) still leaves a record with dates and `dueAt`.
      let cursor = await keys.openCursor();
      while (cursor) {
        const v = cursor.value as Partial<KeyInfo> & KeyInfo;
        const owner = typeof v.owner === 'string' ? migratedOwner(v.owner) : '';
        const next = { ...v, owner };
        await cursor.update(v.dates === undefined || v.keyringId === undefined ? upgradeKeyRecord(next) : toStoredKey(next));
        cursor = await cursor.continue();
      }
      // Principals under the old spelling move to their owner identity; two spellings of
      // one owner become one record, revoked if either was (a revocation is never lost).
      if (!principals) return;
      const all = await principals.getAll();
      const merged = new Map<string, PrincipalRecord>();
      for (const p of all) {
        const id = migratedOwner(p.id);
        const prev = merged.get(id);
        merged.set(id, prev ? mergePrincipals(prev, { ...p, id }) : { ...p, id });
      }
      for (const p of all) if (!merged.has(p.id)) await principals.delete(p.id);
      for (const p of merged.values()) await principals.put(p);
    };
    migrate().catch(() => tx.abort());
  },
  // CRL write path: v7 -> v8: the revocations of each CA as encoded CRL entries in sorted chunks.
  (db, tx) => {
    const chunks = db.createObjectStore('crlChunks', { keyPath: ['issuerId', 'lo', 'ver'] });
    if (!db.objectStoreNames.contains('revocations')) return;
    const migrate = async () => {
      const byIssuer = new Map<string, RevocationRecord[]>();
      for (const r of await tx.objectStore('revocations').getAll()) {
        const list = byIssuer.get(r.issuerId) ?? [];
        list.push(r);
        byIssuer.set(r.issuerId, list);
      }
      for (const [issuerId, revs] of byIssuer) {
        let built: ReturnType<typeof buildChunks>;
        try {
          built = buildChunks(issuerId, revs);
        } catch {
          // A revocation that cannot go on a CRL: that CA gets no chunks, and its next
          // publication fails its lint as before instead of the upgrade failing.
          continue;
        }
        for (const rec of built) await chunks.add({ ...rec, ver: chunkStamp() });
      }
    };
    migrate().catch(() => tx.abort());
  },
];

/** An owner as stored before v7, as its owner identity: NFC, trimmed, lower-case. */
export function migratedOwner(owner: string): string {
  return owner.normalize('NFC').trim().toLowerCase().normalize('NFC');
}

/** Two principal records of one owner identity as one: revoked if either is (the earlier revocation kept). */
function mergePrincipals(a: PrincipalRecord, b: PrincipalRecord): PrincipalRecord {
  if (a.revoked !== b.revoked) return a.revoked ? a : b;
  if (a.revoked) return (a.revokedAt ?? '') <= (b.revokedAt ?? '') ? a : b;
  return (a.reinstatedAt ?? '') >= (b.reinstatedAt ?? '') ? a : b;
}

const serialId = (issuerId: string, serialHex: string) => `${issuerId}:${serialHex}`;

/**
 * Queues the `revs:` counter increments for revocations being recorded in `tx` (which
 * includes `counters`): a CRL built before this transaction can then no longer be stored
 * as the latest (`commitCrl`), and the CA shows as stale until rebuilt.
 */
async function queueRevisionBumps(tx: IDBPTransaction<ClavisDB, AnyStores, 'readwrite'>, revs: readonly RevocationRecord[]): Promise<Promise<unknown>[]> {
  const counters = tx.objectStore('counters') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'counters', 'readwrite'>;
  const perIssuer = new Map<string, number>();
  for (const r of revs) perIssuer.set(r.issuerId, (perIssuer.get(r.issuerId) ?? 0) + 1);
  const writes: Promise<unknown>[] = [];
  for (const [issuerId, n] of perIssuer) {
    const key = crlCounterKeys(issuerId).revisions;
    const cur = await counters.get(key);
    writes.push(counters.put({ key, value: (cur?.value ?? 0) + n }));
  }
  return writes;
}

/**
 * Queues the CRL entries of revocations being recorded in `tx` (which includes
 * `crlChunks`): each is encoded and checked (`encodeRevokedEntry`), inserted in serial
 * order into the chunk that covers it (the one with the greatest first serial not above
 * it, or the issuer's first), and every changed chunk is written back, split when it grew
 * past CRL_CHUNK_MAX. Splits wait until every entry is placed, so the stored `lo` keys the
 * lookups use describe the chunks as read.
 * @throws CERT_INVALID (the entry may not go on a CRL), CERT_REVOKED (already listed)
 */
async function queueChunkInserts(tx: IDBPTransaction<ClavisDB, AnyStores, 'readwrite'>, revs: readonly RevocationRecord[]): Promise<Promise<unknown>[]> {
  const store = tx.objectStore('crlChunks') as unknown as IDBPObjectStore<ClavisDB, AnyStores, 'crlChunks', 'readwrite'>;
  const opened = new Map<string, OpenChunk>();
  const fresh = new Map<string, OpenChunk>();
  for (const rev of revs) {
    const entry = encodeRevokedEntry(rev);
    const key = serialSortKey(rev.serialHex);
    const below = await store.openCursor(IDBKeyRange.bound([rev.issuerId, ''], [rev.issuerId, key, '\uffff']), 'prev');
    const rec = below?.value ?? (await store.openCursor(IDBKeyRange.bound([rev.issuerId, key], [rev.issuerId, '\uffff']), 'next'))?.value;
    let chunk: OpenChunk;
    if (rec) {
      const id = JSON.stringify([rec.issuerId, rec.lo, rec.ver]);
      chunk = opened.get(id) ?? openChunk(rec);
      opened.set(id, chunk);
    } else {
      chunk = fresh.get(rev.issuerId) ?? { issuerId: rev.issuerId, serials: [], entries: [], notAfter: [], revokedAt: [] };
      fresh.set(rev.issuerId, chunk);
    }
    insertEntry(chunk, rev, entry);
  }
  const writes: Promise<unknown>[] = [];
  // Every changed chunk is written under a new key (a new stamp): readers see by the keys alone what changed.
  for (const chunk of [...opened.values(), ...fresh.values()]) {
    if (chunk.key) writes.push(store.delete(chunk.key));
    for (const rec of packChunk(chunk)) writes.push(store.add({ ...rec, ver: chunkStamp() }));
  }
  for (const w of writes) w.catch(() => undefined);
  return writes;
}

export interface OpenStorageOptions {
  /** Database name; tests and walkthrough namespaces use their own. */
  name?: string;
  /** Called when another tab wants a newer schema: this connection has been closed. */
  onVersionChange?: () => void;
}

function storageError(what: string, e: unknown): StorageError {
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  if (name === 'QuotaExceededError') {
    return new StorageError(`storage: the browser's storage quota is full; ${what} was not saved`, { cause: e });
  }
  if (name === 'DataCloneError') {
    return new StorageError(`storage: this browser cannot store keys in IndexedDB (${what})`, { cause: e });
  }
  if (name === 'ConstraintError') {
    return new StorageError(`storage: ${what} conflicts with an existing record`, { cause: e });
  }
  return new StorageError(`storage: ${what} failed${name ? ` (${name})` : ''}`, { cause: e });
}

/**
 * Runs the body of a readwrite transaction and aborts the transaction when the body
 * throws, synchronously or not. Without this a request that throws at once (WebKit's
 * private mode refuses to clone a CryptoKey with a synchronous DataCloneError) leaves the
 * requests queued before it to auto-commit: a key record without its material, an audit
 * entry for a change that never happened (issue 14 #8). The caller's `guard` then turns
 * the error into a typed StorageError.
 */
async function abortOnThrow<T>(tx: { abort(): void; done: Promise<void> }, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (e) {
    try {
      tx.abort();
    } catch {
      // Already aborted (a failed request or our own `fail`) or already committed.
    }
    await tx.done.catch(() => undefined);
    throw e;
  }
}

/**
 * A transaction's queued write requests. `q` marks each request handled the moment it is
 * queued: when a later request throws and the transaction aborts, the earlier ones reject
 * with AbortError, which must not surface as unhandled rejections.
 */
function requestQueue(): { list: Promise<unknown>[]; q: (p: Promise<unknown>) => void } {
  const list: Promise<unknown>[] = [];
  return {
    list,
    q(p) {
      p.catch(() => undefined);
      list.push(p);
    },
  };
}

async function guard<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw storageError(what, e);
  }
}

/**
 * Deletes a whole database by name: a walkthrough namespace (F2 "reset"). Close this
 * tab's connections to it first; other tabs' connections close themselves (`blocking`).
 * The user's own database (`DB_NAME`) is refused, so a reset can never reach it.
 * @throws INVALID_ARGUMENT (the user's database), STORAGE
 */
export async function deleteStorage(name: string): Promise<void> {
  if (typeof name !== 'string' || name === '' || name === DB_NAME) {
    throw new EngineError('INVALID_ARGUMENT', "storage: only a namespace database can be deleted, never the vault's own");
  }
  await guard('deleting the database', () => deleteDB(name));
}

/** Opens the Clavis database, running any pending migrations. Throws StorageError. */
export async function openStorage(opts: OpenStorageOptions = {}): Promise<ClavisStorage> {
  const name = opts.name ?? DB_NAME;
  const db = await guard('opening the database', () =>
    openDB<ClavisDB>(name, DB_VERSION, {
      upgrade(database, oldVersion, _newVersion, transaction) {
        for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v]!(database, transaction);
      },
      blocking() {
        // Another tab needs a newer schema: step aside so its upgrade can run.
        db.close();
        opts.onVersionChange?.();
      },
    }),
  );

  // The change feed (issue 14 #10): every committed write is announced to this tab's
  // listeners and, through a BroadcastChannel, to the other tabs. Only "changed" is sent.
  const listeners = new Set<(origin: 'this-tab' | 'other-tab') => void>();
  const channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(`clavis-changes:${name}`);
  if (channel) channel.onmessage = () => listeners.forEach((l) => l('other-tab'));
  const announce = () => {
    listeners.forEach((l) => l('this-tab'));
    try {
      channel?.postMessage('changed');
    } catch {
      // A closed channel (the connection was closed): nothing to tell.
    }
  };

  // The CRL chunks this connection has read, per issuer, under their keys (which change
  // with every write): publishing again reads only the chunks written since (issue 15).
  const chunkCache = new Map<string, Map<string, CrlChunkRecord>>();
  /**
   * Per issuer, the revocation records counted by this connection when its chunks were
   * found complete, and its `revs:` counter then. Records are only ever added, each with
   * its chunk entry and a counter bump in one transaction, so later snapshots infer the
   * record count from the counter instead of counting 100,000 index entries again; when
   * the chunks do not match the inference (a restore, records written without chunks)
   * the records are counted again. Nothing else writes revocation records.
   */
  const countedRevocations = new Map<string, { records: number; revisions: number }>();

  /** `readCrlSnapshot`: one read-only transaction; counts the records when `count` (see `countedRevocations`). */
  async function readCrlSnapshot(issuerId: string, count: boolean): Promise<{ state: CrlState; chunks: CrlChunkRecord[]; revocations: number }> {
    const k = crlCounterKeys(issuerId);
    const range = IDBKeyRange.bound([issuerId, ''], [issuerId, '\uffff']);
    const tx = db.transaction(['counters', 'crlChunks', 'revocations'], 'readonly');
    const c = tx.objectStore('counters');
    const chunkStore = tx.objectStore('crlChunks');
    const [n, r, cov, keys, counted] = await Promise.all([
      c.get(k.number),
      c.get(k.revisions),
      c.get(k.covered),
      chunkStore.getAllKeys(range),
      count ? tx.objectStore('revocations').index('byIssuer').count(issuerId) : undefined,
    ]);
    // Only the chunks written since this tab last read them (a chunk's key changes with
    // every write), in the same transaction: one snapshot.
    const cached = chunkCache.get(issuerId) ?? new Map<string, CrlChunkRecord>();
    const ids = keys.map((key) => JSON.stringify(key));
    const missing = keys.filter((_, i) => !cached.has(ids[i]!));
    const read = await Promise.all(missing.map((key) => chunkStore.get(key)));
    await tx.done;
    missing.forEach((_, i) => {
      const rec = read[i];
      if (rec) cached.set(JSON.stringify([rec.issuerId, rec.lo, rec.ver]), rec);
    });
    const next = new Map<string, CrlChunkRecord>();
    const chunks: CrlChunkRecord[] = [];
    let entries = 0;
    for (const id of ids) {
      const rec = cached.get(id);
      if (!rec) throw new StorageError('storage: a CRL chunk vanished while it was read');
      next.set(id, rec);
      chunks.push(rec);
      entries += rec.count;
    }
    chunkCache.set(issuerId, next);
    const revisions = r?.value ?? 0;
    const state = { lastNumber: n?.value ?? 0, revisions, covered: cov?.value };
    if (counted !== undefined) {
      // An issuer without records is counted each time: a vault's first revocations may
      // arrive without chunks (written by a restore or an older schema's data).
      if (counted === entries && counted > 0) countedRevocations.set(issuerId, { records: counted, revisions });
      else countedRevocations.delete(issuerId);
      return { state, chunks, revocations: counted };
    }
    const known = countedRevocations.get(issuerId);
    const inferred = known ? known.records + (revisions - known.revisions) : undefined;
    if (inferred === entries) return { state, chunks, revocations: inferred };
    // The chunks did not move with the counter: count the records (a fresh snapshot).
    countedRevocations.delete(issuerId);
    return readCrlSnapshot(issuerId, true);
  }

  const repo: ClavisStorage = {
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    addKey: (info, material) =>
      guard('saving the key', async () => {
        if (info.id !== material.id) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        // Both puts are queued before any await, and nothing else is awaited (W3).
        await abortOnThrow(tx, async () => {
          const w = requestQueue();
          w.q(tx.objectStore('keys').add(toStoredKey(info)));
          w.q(tx.objectStore('keyMaterial').add(material));
          await Promise.all([...w.list, tx.done]);
        });
      }),
    getKeyInfo: (id) => guard('reading a key', async () => fromStoredKey(await db.get('keys', id))),
    getKeyMaterial: (id) => guard('reading key material', () => db.get('keyMaterial', id)),
    listKeyInfos: () => guard('listing keys', async () => (await db.getAll('keys')).map(fromStoredKey)),
    listKeysByFingerprint: (value) => guard('listing keys', async () => (await db.getAllFromIndex('keys', 'byFingerprint', value)).map(fromStoredKey)),
    listKeysDueBy: (at) => guard('listing keys', async () => (await db.getAllFromIndex('keys', 'byDueAt', IDBKeyRange.upperBound(at))).map(fromStoredKey)),
    firstDueAt: () =>
      guard('listing keys', async () => {
        const tx = db.transaction('keys', 'readonly');
        const cursor = await tx.store.index('byDueAt').openKeyCursor();
        const key = cursor?.key;
        await tx.done;
        return key;
      }),
    putKeyInfo: (info) =>
      guard('updating the key', async () => {
        const tx = db.transaction('keys', 'readwrite');
        const existing = await tx.store.get(info.id);
        if (!existing) {
          await tx.done;
          throw new EngineError('KEY_NOT_FOUND', 'storage: no such key');
        }
        await Promise.all([tx.store.put(toStoredKey(info)), tx.done]);
      }),
    deleteKey: (id) =>
      guard('deleting the key', async () => {
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        const existing = await tx.objectStore('keys').getKey(id);
        if (existing === undefined) {
          await tx.done;
          return false;
        }
        await Promise.all([tx.objectStore('keys').delete(id), tx.objectStore('keyMaterial').delete(id), tx.done]);
        return true;
      }),
    getMeta: <T,>(key: string) => guard('reading settings', async () => (await db.get('meta', key))?.value as T | undefined),
    setMeta: (key, value) => guard('saving settings', async () => void (await db.put('meta', { key, value }))),
    close: () => {
      db.close();
      channel?.close();
    },

    commitAudited: (c) =>
      guard('saving the change and its audit entry', async () => {
        const revs = c.addRevocations ?? [];
        const stores: StoreNames<ClavisDB>[] = ['keys', 'keyMaterial', 'principals', ...AUDIT_STORES];
        if (revs.length || c.deleteGuard) stores.push('certs', 'revocations');
        if (revs.length) stores.push('counters', 'crlChunks');
        if (c.deleteGuard) stores.push('cas');
        const tx = db.transaction(stores, 'readwrite');
        const fail = async (e: EngineError): Promise<never> => {
          throw e;
        };
        return abortOnThrow(tx, async () => {
          const keys = tx.objectStore('keys');
          // Reads first (only IndexedDB requests), then every write queued before awaiting (W3).
          for (const { info, before } of c.putKeys ?? []) {
            const cur = await keys.get(info.id);
            if (!cur || cur.state !== before.state || cur.history.length !== before.history.length || cur.primary !== before.primary) {
              return fail(new AuditConflictError('storage: the key changed while the change was prepared'));
            }
          }
          for (const owner of c.ownersNotRevoked ?? []) {
            if (owner === '') continue;
            const p = await tx.objectStore('principals').get(owner);
            if (p?.revoked) return fail(new KeyStateError('keys: the owner is revoked; no new keys can be created for it until it is reinstated'));
          }
          if (c.metaStamp) {
            const rec = await tx.objectStore('meta').get(c.metaStamp.key);
            const stamp = (rec?.value as { stamp?: unknown } | undefined)?.stamp;
            if ((rec === undefined ? null : typeof stamp === 'string' ? stamp : '') !== c.metaStamp.stamp) {
              return fail(new AuditConflictError('storage: the vault lock changed while the change was prepared'));
            }
          }
          const materialKept = new Set<string>();
          for (const m of c.putMaterial ?? []) {
            if ((await tx.objectStore('keyMaterial').getKey(m.id)) !== undefined) materialKept.add(m.id);
          }
          for (const rev of revs) {
            const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').getKey(rev.id)]);
            if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
              return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
            }
            if (existing !== undefined) return fail(new AuditConflictError('storage: a certificate was revoked while the change was prepared'));
          }
          if (c.deleteGuard) {
            const g = c.deleteGuard;
            const [cas, keyring, certs] = await Promise.all([
              tx.objectStore('cas').getAll(),
              keys.index('byKeyring').getAll(g.keyringId),
              g.spkiSha256 !== undefined ? tx.objectStore('certs').index('bySpki').getAll(g.spkiSha256) : Promise.resolve([] as CertRecord[]),
            ]);
            const revoked = await Promise.all(certs.map((cert) => tx.objectStore('revocations').getKey(serialId(cert.issuerId, cert.serialHex))));
            const reason = g.check({
              cas: cas.filter((ca) => ca.keyId === g.keyId),
              keyring: keyring.map((k) => fromStoredKey(k)),
              certs: certs.map((cert, i) => ({ cert, revoked: revoked[i] !== undefined })),
            });
            if (reason !== undefined) return fail(new KeyStateError(reason));
          }
          const auditWrites = await queueAuditEntries(tx, c);
          const w = requestQueue();
          if (revs.length) for (const chunk of await queueChunkInserts(tx, revs)) w.q(chunk);
          if (revs.length) for (const bump of await queueRevisionBumps(tx, revs)) w.q(bump);
          for (const rev of revs) w.q(tx.objectStore('revocations').add(rev));
          for (const { info, material } of c.addKeys ?? []) {
            if (info.id !== material.id) return fail(new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ'));
            w.q(keys.add(toStoredKey(info)));
            w.q(tx.objectStore('keyMaterial').add(material));
          }
          for (const { info } of c.putKeys ?? []) w.q(keys.put(toStoredKey(info)));
          for (const id of c.deleteMaterial ?? []) w.q(tx.objectStore('keyMaterial').delete(id));
          for (const id of c.deleteKeys ?? []) {
            w.q(keys.delete(id));
            w.q(tx.objectStore('keyMaterial').delete(id));
          }
          for (const p of c.putPrincipals ?? []) w.q(tx.objectStore('principals').put(p));
          for (const m of c.putMaterial ?? []) if (materialKept.has(m.id)) w.q(tx.objectStore('keyMaterial').put(m));
          for (const m of c.putMeta ?? []) w.q(tx.objectStore('meta').put(m));
          for (const k of c.deleteMeta ?? []) w.q(tx.objectStore('meta').delete(k));
          // The state change is queued before the audit entries; a failing entry or write
          // aborts the whole transaction: all or nothing.
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
    getAuditHead: () => guard('reading the audit head', async () => (await db.get('meta', AUDIT_HEAD_KEY))?.value as AuditHead | undefined),
    listAuditEntries: () => guard('reading the audit log', () => db.getAll('audit')),
    listKeyring: (keyringId) => guard('listing keyring versions', async () => (await db.getAllFromIndex('keys', 'byKeyring', keyringId)).map(fromStoredKey)),
    listKeysByOwner: (owner) => guard('listing keys', async () => (await db.getAllFromIndex('keys', 'byOwner', owner)).map(fromStoredKey)),
    getPrincipal: (id) => guard('reading a principal', () => db.get('principals', id)),
    listPrincipals: () => guard('listing principals', () => db.getAll('principals')),
    addKeyUsage: (batch) =>
      guard('counting key use', async () => {
        const tx = db.transaction('keyUsage', 'readwrite');
        await abortOnThrow(tx, async () => {
          const ids = [...batch.keys()];
          const current = await Promise.all(ids.map((id) => tx.store.get(id)));
          const w = requestQueue();
          ids.forEach((id, i) => {
            const add = batch.get(id)!;
            w.q(tx.store.put({ id, count: (current[i]?.count ?? 0) + add.count, lastUsedAt: add.lastUsedAt }));
          });
          await Promise.all([...w.list, tx.done]);
        });
      }),
    getKeyUsage: (id) => guard('reading key use', () => db.get('keyUsage', id)),

    reserveSerial: (issuerId, serialHex, at) =>
      guard('reserving the serial number', async () => {
        const tx = db.transaction('serials', 'readwrite');
        await Promise.all([tx.store.add({ id: serialId(issuerId, serialHex), issuerId, serialHex, state: 'reserved', at }), tx.done]);
      }),
    burnSerial: (issuerId, serialHex) =>
      guard('burning the serial number', async () => {
        const tx = db.transaction('serials', 'readwrite');
        const rec = await tx.store.get(serialId(issuerId, serialHex));
        if (rec && rec.state === 'reserved') await tx.store.put({ ...rec, state: 'burned' });
        await tx.done;
      }),
    commitIssuance: (cert, ca, audit) =>
      guard('saving the certificate', async () => {
        const stores: StoreNames<ClavisDB>[] = ca ? ['serials', 'certs', 'cas'] : ['serials', 'certs'];
        if (audit) stores.push(...AUDIT_STORES);
        const tx = db.transaction(stores, 'readwrite');
        await abortOnThrow(tx, async () => {
          const auditWrites = audit ? await queueAuditEntries(tx, audit) : [];
          const serials = tx.objectStore('serials');
          const rec = await serials.get(serialId(cert.issuerId, cert.serialHex));
          if (!rec || rec.state !== 'reserved') {
            throw new EngineError('CERT_INVALID', 'storage: the serial number was not reserved for this issuer, or was already used');
          }
          const w = requestQueue();
          w.q(serials.put({ ...rec, state: 'issued', certId: cert.id }));
          w.q(tx.objectStore('certs').add(cert));
          if (ca) w.q(tx.objectStore('cas').add(ca));
          await Promise.all([...auditWrites, ...w.list, tx.done]);
        });
      }),
    discardNewCa: (caId, audit) =>
      guard('removing the unfinished CA', async () => {
        const tx = db.transaction(['cas', 'certs', 'serials', 'crls', 'counters', ...AUDIT_STORES], 'readwrite');
        await abortOnThrow(tx, async () => {
          const ca = await tx.objectStore('cas').get(caId);
          if (!ca) throw new EngineError('INVALID_ARGUMENT', 'storage: no such CA');
          const [cert, issued, crlKeys] = await Promise.all([
            tx.objectStore('certs').get(ca.certId),
            tx.objectStore('certs').index('byIssuer').getAllKeys(caId),
            tx.objectStore('crls').index('byIssuerNumber').getAllKeys(IDBKeyRange.bound([caId, 0], [caId, Number.MAX_SAFE_INTEGER])),
          ]);
          // A root's own certificate is the only one it may have issued.
          if (issued.some((k) => k !== ca.certId)) throw new EngineError('INVALID_ARGUMENT', 'storage: the CA has issued certificates; it cannot be discarded');
          const serial = cert ? await tx.objectStore('serials').get(serialId(cert.issuerId, cert.serialHex)) : undefined;
          const auditWrites = await queueAuditEntries(tx, audit);
          const w = requestQueue();
          w.q(tx.objectStore('cas').delete(caId));
          if (cert) w.q(tx.objectStore('certs').delete(cert.id));
          if (serial) w.q(tx.objectStore('serials').put({ ...serial, state: 'burned' }));
          for (const k of crlKeys) w.q(tx.objectStore('crls').delete(k));
          w.q(tx.objectStore('counters').delete(`crl:${caId}`));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
    getSerial: (issuerId, serialHex) => guard('reading a serial number', () => db.get('serials', serialId(issuerId, serialHex))),
    getCa: (id) => guard('reading a CA', () => db.get('cas', id)),
    listCas: () => guard('listing CAs', () => db.getAll('cas')),
    putCa: (ca) =>
      guard('updating the CA', async () => {
        const tx = db.transaction('cas', 'readwrite');
        const existing = await tx.store.getKey(ca.id);
        if (existing === undefined) {
          await tx.done;
          throw new EngineError('INVALID_ARGUMENT', 'storage: no such CA');
        }
        await Promise.all([tx.store.put(ca), tx.done]);
      }),
    getCert: (id) => guard('reading a certificate', () => db.get('certs', id)),
    getCertByIssuerSerial: (issuerId, serialHex) =>
      guard('reading a certificate', () => db.getFromIndex('certs', 'byIssuerSerial', [issuerId, serialHex])),
    listCerts: (issuerId) =>
      guard('listing certificates', () => (issuerId === undefined ? db.getAll('certs') : db.getAllFromIndex('certs', 'byIssuer', issuerId))),
    listCertsBySpki: (spki) => guard('listing certificates', () => db.getAllFromIndex('certs', 'bySpki', spki)),
    listCertsByIssuerNotAfter: (issuerId, range) =>
      guard('listing certificates', () => {
        // [issuerId, '\uffff'] sorts after every ISO date of this issuer.
        const lower: [string, string] = [issuerId, range.from ?? ''];
        const upper: [string, string] = [issuerId, range.to ?? '\uffff'];
        return db.getAllFromIndex('certs', 'byIssuerNotAfter', IDBKeyRange.bound(lower, upper, false, range.to !== undefined));
      }),
    listCertsNewest: (limit, offset = 0) =>
      guard('listing certificates', async () => {
        const tx = db.transaction('certs', 'readonly');
        const out: CertRecord[] = [];
        let cursor = await tx.store.index('byCreated').openCursor(null, 'prev');
        if (cursor && offset > 0) cursor = await cursor.advance(Math.floor(offset));
        while (cursor && out.length < limit) {
          out.push(cursor.value);
          cursor = await cursor.continue();
        }
        await tx.done;
        return out;
      }),
    countCerts: () => guard('counting certificates', () => db.count('certs')),
    ...issuanceStorage(db, { guard, toStoredKey, auditConflict: (m) => new AuditConflictError(m), auditKeyMeta: AUDIT_KEY_META }),
    addRevocation: (rev, audit) =>
      guard('saving the revocation', async () => {
        const stores: StoreNames<ClavisDB>[] = ['certs', 'revocations', 'counters', 'crlChunks'];
        if (audit) stores.push(...AUDIT_STORES);
        const tx = db.transaction(stores, 'readwrite');
        const auditWrites = audit ? await queueAuditEntries(tx, audit) : [];
        const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').get(rev.id)]);
        const fail = async (e: EngineError) => {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw e;
        };
        if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
          return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
        }
        if (existing) return fail(new EngineError('CERT_REVOKED', 'storage: the certificate is already revoked'));
        await abortOnThrow(tx, async () => {
          const chunks = await queueChunkInserts(tx, [rev]);
          const bumps = await queueRevisionBumps(tx, [rev]);
          await Promise.all([...auditWrites, ...bumps, ...chunks, tx.objectStore('revocations').add(rev), tx.done]);
        });
      }),
    commitRevocation: ({ rev, audit, putKeys = [] }) =>
      guard('saving the revocation', async () => {
        const stores: StoreNames<ClavisDB>[] = ['certs', 'revocations', 'counters', 'crlChunks', ...AUDIT_STORES];
        if (putKeys.length) stores.push('keys');
        const tx = db.transaction(stores, 'readwrite');
        const fail = async (e: EngineError): Promise<never> => {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw e;
        };
        // Only IndexedDB requests from here to tx.done (W3).
        const auditWrites = await queueAuditEntries(tx, audit);
        const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').get(rev.id)]);
        if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
          return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
        }
        if (existing) return fail(new EngineError('CERT_REVOKED', 'storage: the certificate is already revoked'));
        const keys = putKeys.length ? tx.objectStore('keys') : undefined;
        for (const { info, before } of putKeys) {
          const cur = await keys!.get(info.id);
          if (!cur || cur.state !== before.state || cur.history.length !== before.history.length) {
            return fail(new AuditConflictError('storage: the key changed while the revocation was prepared'));
          }
        }
        await abortOnThrow(tx, async () => {
          const chunks = await queueChunkInserts(tx, [rev]);
          const bumps = await queueRevisionBumps(tx, [rev]);
          const writes: Promise<unknown>[] = [...bumps, ...chunks, tx.objectStore('revocations').add(rev), ...putKeys.map(({ info }) => keys!.put(toStoredKey(info)))];
          await Promise.all([...writes, ...auditWrites, tx.done]);
        });
      }),
    getRevocation: (issuerId, serialHex) => guard('reading a revocation', () => db.get('revocations', serialId(issuerId, serialHex))),
    listRevocations: (issuerId) => guard('listing revocations', () => db.getAllFromIndex('revocations', 'byIssuer', issuerId)),
    listRevocationsPage: (issuerId, page) =>
      guard('listing revocations', () => {
        const after = page.afterSerialHex;
        // [issuerId, '\uffff'] sorts after every hex serial of this issuer.
        const range = IDBKeyRange.bound([issuerId, after ?? ''], [issuerId, '\uffff'], after !== undefined, false);
        return db.getAllFromIndex('revocations', 'byIssuerSerial', range, Math.max(1, Math.floor(page.limit)));
      }),
    listRevocationsBySpki: (spki) => guard('listing revocations', () => db.getAllFromIndex('revocations', 'bySpki', spki)),
    allocateCrlNumber: (issuerId) =>
      guard('allocating a CRL number', async () => {
        const tx = db.transaction('counters', 'readwrite');
        const key = `crl:${issuerId}`;
        const cur = await tx.store.get(key);
        const next = (cur?.value ?? 0) + 1;
        await Promise.all([tx.store.put({ key, value: next }), tx.done]);
        return next;
      }),
    getCrlState: (issuerId) =>
      guard('reading the CRL state', async () => {
        const k = crlCounterKeys(issuerId);
        const tx = db.transaction('counters', 'readonly');
        const [n, r, c] = await Promise.all([tx.store.get(k.number), tx.store.get(k.revisions), tx.store.get(k.covered), tx.done]);
        return { lastNumber: n?.value ?? 0, revisions: r?.value ?? 0, covered: c?.value };
      }),
    readCrlSnapshot: (issuerId) => guard('reading the revocations for the CRL', () => readCrlSnapshot(issuerId, !countedRevocations.has(issuerId))),
    rebuildCrlChunks: (issuerId) =>
      guard('rebuilding the CRL entries', async () => {
        const tx = db.transaction(['crlChunks', 'revocations'], 'readwrite');
        return abortOnThrow(tx, async () => {
          const store = tx.objectStore('crlChunks');
          const [old, revs] = await Promise.all([
            store.getAllKeys(IDBKeyRange.bound([issuerId, ''], [issuerId, '\uffff'])),
            tx.objectStore('revocations').index('byIssuer').getAll(issuerId),
          ]);
          const built = buildChunks(issuerId, revs);
          const w = requestQueue();
          for (const key of old) w.q(store.delete(key));
          for (const rec of built) w.q(store.add({ ...rec, ver: chunkStamp() }));
          await Promise.all([...w.list, tx.done]);
          return built.reduce((n, c) => n + c.count, 0);
        });
      }),
    commitCrl: (crl, audit) =>
      guard('saving the CRL', async () => {
        const k = crlCounterKeys(crl.issuerId);
        const tx = db.transaction(['crls', 'counters', ...AUDIT_STORES], 'readwrite');
        const counters = tx.objectStore('counters');
        // Only IndexedDB requests from here to tx.done (W3): the CRL was signed before.
        const [n, r] = await Promise.all([counters.get(k.number), counters.get(k.revisions)]);
        if ((n?.value ?? 0) !== crl.number - 1 || (r?.value ?? 0) !== crl.revisions) {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw new CrlConflictError('storage: revocations or another CRL were stored while this CRL was built');
        }
        const auditWrites = await queueAuditEntries(tx, audit);
        await Promise.all([
          counters.put({ key: k.number, value: crl.number }),
          counters.put({ key: k.covered, value: crl.revisions }),
          tx.objectStore('crls').add(crl),
          ...auditWrites,
          tx.done,
        ]);
      }),
    addCrl: (crl, audit) =>
      guard('saving the CRL', async () => {
        const stores: StoreNames<ClavisDB>[] = ['crls'];
        if (audit) stores.push(...AUDIT_STORES);
        const tx = db.transaction(stores, 'readwrite');
        const auditWrites = audit ? await queueAuditEntries(tx, audit) : [];
        await Promise.all([tx.objectStore('crls').add(crl), ...auditWrites, tx.done]);
      }),
    getCrl: (issuerId, number) => guard('reading the CRL', () => db.get('crls', `${issuerId}:${number}`)),
    listCrls: (issuerId, limit) =>
      guard('listing CRLs', async () => {
        const tx = db.transaction('crls', 'readonly');
        const out: CrlRecord[] = [];
        let cursor = await tx.store.index('byIssuerNumber').openCursor(IDBKeyRange.bound([issuerId, 0], [issuerId, Number.MAX_SAFE_INTEGER]), 'prev');
        while (cursor && out.length < limit) {
          out.push(cursor.value);
          cursor = await cursor.continue();
        }
        await tx.done;
        return out;
      }),
    getLatestCrl: (issuerId) =>
      guard('reading the CRL', async () => {
        const tx = db.transaction('crls', 'readonly');
        const cursor = await tx.store.index('byIssuerNumber').openCursor(IDBKeyRange.bound([issuerId, 0], [issuerId, Number.MAX_SAFE_INTEGER]), 'prev');
        const value = cursor?.value;
        await tx.done;
        return value;
      }),

    readVaultSnapshot: () =>
      guard('reading the vault for a backup', async () => {
        const tx = db.transaction(['keys', 'cas', 'certs', 'serials', 'revocations', 'crls', 'counters', 'principals', 'keyUsage', 'importedCerts', 'importedCrls', 'audit', 'meta'], 'readonly');
        const [keys, cas, certs, serials, revocations, crls, counters, principals, keyUsage, importedCerts, importedCrls, audit, head, auditKey, handovers] = await Promise.all([
          tx.objectStore('keys').getAll(),
          tx.objectStore('cas').getAll(),
          tx.objectStore('certs').getAll(),
          tx.objectStore('serials').getAll(),
          tx.objectStore('revocations').getAll(),
          tx.objectStore('crls').getAll(),
          tx.objectStore('counters').getAll(),
          tx.objectStore('principals').getAll(),
          tx.objectStore('keyUsage').getAll(),
          tx.objectStore('importedCerts').getAll(),
          tx.objectStore('importedCrls').getAll(),
          tx.objectStore('audit').getAll(),
          tx.objectStore('meta').get(AUDIT_HEAD_KEY),
          tx.objectStore('meta').get(AUDIT_KEY_META),
          tx.objectStore('meta').get(AUDIT_HANDOVERS_META),
        ]);
        await tx.done;
        return {
          keys: keys.map((k) => fromStoredKey(k)),
          cas,
          certs,
          serials,
          revocations,
          crls,
          counters,
          principals,
          keyUsage,
          importedCerts,
          importedCrls,
          audit,
          auditHead: head?.value as AuditHead | undefined,
          auditKey: auditKey?.value,
          handovers: Array.isArray(handovers?.value) ? (handovers.value as AuditHandover[]) : [],
        };
      }),
    commitRestore: (c) =>
      guard('restoring the backup', async () => {
        // Restored revocations come without chunks: every issuer is counted again.
        countedRevocations.clear();
        const tx = db.transaction(['keys', 'keyMaterial', 'cas', 'certs', 'serials', 'revocations', 'crls', 'counters', 'principals', 'keyUsage', 'importedCerts', 'importedCrls', ...AUDIT_STORES], 'readwrite');
        await abortOnThrow(tx, async () => {
          // Reads first (IndexedDB requests only, W3): the head check and the counters.
          const auditWrites = await queueAuditEntries(tx, c);
          const counters = tx.objectStore('counters');
          const current = await Promise.all(c.counters.map((k) => counters.get(k.key)));
          const handovers = c.handover ? ((await tx.objectStore('meta').get(AUDIT_HANDOVERS_META))?.value as AuditHandover[] | undefined) : undefined;
          if (c.metaStamp) {
            const rec = await tx.objectStore('meta').get(c.metaStamp.key);
            const stamp = (rec?.value as { stamp?: unknown } | undefined)?.stamp;
            if ((rec === undefined ? null : typeof stamp === 'string' ? stamp : '') !== c.metaStamp.stamp) {
              throw new AuditConflictError('storage: the vault lock changed while the restore was prepared');
            }
          }
          const w = requestQueue();
          for (const { info, material } of c.addKeys) {
            w.q(tx.objectStore('keys').add(toStoredKey(info)));
            if (material) {
              if (material.id !== info.id) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
              w.q(tx.objectStore('keyMaterial').add(material));
            }
          }
          for (const r of c.cas) w.q(tx.objectStore('cas').add(r));
          for (const r of c.certs) w.q(tx.objectStore('certs').add(r));
          for (const r of c.serials) w.q(tx.objectStore('serials').add(r));
          for (const r of c.revocations) w.q(tx.objectStore('revocations').add(r));
          for (const r of c.crls) w.q(tx.objectStore('crls').add(r));
          c.counters.forEach((k, i) => {
            if ((current[i]?.value ?? 0) < k.value) w.q(counters.put(k));
          });
          for (const r of c.principals) w.q(tx.objectStore('principals').add(r));
          for (const r of c.keyUsage) w.q(tx.objectStore('keyUsage').add(r));
          for (const r of c.importedCerts) w.q(tx.objectStore('importedCerts').add(r));
          for (const r of c.importedCrls) w.q(tx.objectStore('importedCrls').add(r));
          if (c.handover) w.q(tx.objectStore('meta').put({ key: AUDIT_HANDOVERS_META, value: [...(Array.isArray(handovers) ? handovers : []), c.handover] }));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),

    // KDC
    commitKdc: (c) =>
      guard('saving the KDC change and its audit entry', async () => {
        const tx = db.transaction(['kdcPrincipals', 'kdcPrincipalKeys', 'kdcKeys', 'kdcHeldKeys', 'kdcReplay', 'principals', ...AUDIT_STORES], 'readwrite');
        const refuse = async (refused: 'replayed' | 'key-revoked' | 'principal-inactive', subject: string): Promise<KdcCommitOutcome> => {
          tx.abort();
          await tx.done.catch(() => undefined);
          return { ok: false, refused, subject };
        };
        return abortOnThrow(tx, async (): Promise<KdcCommitOutcome> => {
          const replay = tx.objectStore('kdcReplay');
          // Reads and checks first (IndexedDB requests only, W3), then every write queued.
          for (const r of c.addReplay ?? []) if ((await replay.getKey(r.id)) !== undefined) return refuse('replayed', r.id);
          for (const id of c.keysNotRevoked ?? []) {
            const k = await tx.objectStore('kdcKeys').get(id);
            if (!k || k.revoked) return refuse('key-revoked', id);
          }
          for (const name of c.principalsActive ?? []) {
            const [p, owner] = await Promise.all([tx.objectStore('kdcPrincipals').get(name), tx.objectStore('principals').get(name)]);
            if (!p || p.status !== 'active' || owner?.revoked) return refuse('principal-inactive', name);
          }
          const stale = c.pruneReplayBefore !== undefined ? await replay.index('byExpiry').getAllKeys(IDBKeyRange.upperBound(c.pruneReplayBefore, true)) : [];
          const auditWrites = await queueAuditEntries(tx, c);
          const w = requestQueue();
          for (const id of stale) w.q(replay.delete(id));
          for (const p of c.addPrincipals ?? []) w.q(tx.objectStore('kdcPrincipals').add(p));
          for (const p of c.putPrincipals ?? []) w.q(tx.objectStore('kdcPrincipals').put(p));
          for (const k of c.putPrincipalKeys ?? []) w.q(tx.objectStore('kdcPrincipalKeys').put(k));
          for (const k of c.addKeys ?? []) w.q(tx.objectStore('kdcKeys').add(k));
          for (const k of c.putKeys ?? []) w.q(tx.objectStore('kdcKeys').put(k));
          for (const h of c.putHeld ?? []) w.q(tx.objectStore('kdcHeldKeys').put(h));
          for (const r of c.addReplay ?? []) w.q(replay.add(r));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
          return { ok: true };
        });
      }),
    getKdcMasterKey: () => guard('reading the KDC master key', async () => (await db.get('kdcState', 'master'))?.key),
    initKdcMasterKey: (rec) =>
      guard('saving the KDC master key', async () => {
        const tx = db.transaction('kdcState', 'readwrite');
        const existing = await tx.store.get(rec.id);
        if (existing) {
          await tx.done;
          return existing.key;
        }
        await Promise.all([tx.store.add(rec), tx.done]);
        return rec.key;
      }),
    getKdcPrincipal: (name) => guard('reading a KDC principal', () => db.get('kdcPrincipals', name)),
    listKdcPrincipals: () => guard('listing KDC principals', () => db.getAll('kdcPrincipals')),
    getKdcPrincipalKey: (name) => guard("reading a principal's key", () => db.get('kdcPrincipalKeys', name)),
    getKdcKey: (id) => guard('reading a distributed key', () => db.get('kdcKeys', id)),
    listKdcKeys: () => guard('listing distributed keys', () => db.getAll('kdcKeys')),
    listKdcKeysOf: (party) => guard('listing distributed keys', () => db.getAllFromIndex('kdcKeys', 'byParty', party)),
    getKdcHeldKey: (keyId, holder) => guard('reading a held key', () => db.get('kdcHeldKeys', `${keyId}:${holder}`)),
    hasKdcReplay: (id) => guard('reading the replay cache', async () => (await db.getKey('kdcReplay', id)) !== undefined),

    commitImported: (c) =>
      guard('saving the imported certificates and CRLs', async () => {
        const tx = db.transaction(['importedCerts', 'importedCrls', ...AUDIT_STORES], 'readwrite');
        return abortOnThrow(tx, async () => {
          const certs = tx.objectStore('importedCerts');
          const crls = tx.objectStore('importedCrls');
          // Reads and checks first (IndexedDB requests only, W3), then every write queued.
          for (const r of c.addCerts ?? []) if ((await certs.getKey(r.id)) !== undefined) throw new AuditConflictError('storage: that certificate was imported while this import was prepared');
          for (const r of c.addCrls ?? []) if ((await crls.getKey(r.id)) !== undefined) throw new AuditConflictError('storage: that CRL was imported while this import was prepared');
          if (c.putCert) {
            const cur = await certs.get(c.putCert.rec.id);
            if (!cur) throw new EngineError('INVALID_ARGUMENT', 'storage: no imported certificate with that id');
            if (cur.trusted !== c.putCert.trustedBefore) throw new AuditConflictError('storage: the certificate changed while the change was prepared');
          }
          const deletes: Array<{ store: typeof certs | typeof crls; id: string }> = [];
          for (const id of c.deleteIds ?? []) {
            if ((await certs.getKey(id)) !== undefined) deletes.push({ store: certs, id });
            else if ((await crls.getKey(id)) !== undefined) deletes.push({ store: crls, id });
            else throw new EngineError('INVALID_ARGUMENT', 'storage: nothing imported has that id');
          }
          const auditWrites = await queueAuditEntries(tx, c);
          const w = requestQueue();
          for (const r of c.addCerts ?? []) w.q(certs.add(r));
          for (const r of c.addCrls ?? []) w.q(crls.add(r));
          if (c.putCert) w.q(certs.put(c.putCert.rec));
          for (const d of deletes) w.q(d.store.delete(d.id));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
    getImportedCert: (id) => guard('reading an imported certificate', () => db.get('importedCerts', id)),
    getImportedCrl: (id) => guard('reading an imported CRL', () => db.get('importedCrls', id)),
    listImportedCerts: () => guard('listing imported certificates', () => db.getAll('importedCerts')),
    listImportedCrls: () => guard('listing imported CRLs', () => db.getAll('importedCrls')),
  };
  for (const m of WRITES) {
    const write = repo[m] as (...a: unknown[]) => Promise<unknown>;
    (repo as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
      const out = await write(...a);
      // A refused KDC commit wrote nothing.
      if (!(m === 'commitKdc' && (out as KdcCommitOutcome).ok === false)) announce();
      return out;
    };
  }
  return repo;
}

/** The repository methods that write: each announces a change once it has committed. */
const WRITES = [
  'addKey',
  'putKeyInfo',
  'deleteKey',
  'commitAudited',
  'commitIssuance',
  'discardNewCa',
  'putCa',
  'addRevocation',
  'commitRevocation',
  'addCrl',
  'commitKdc',
  'initKdcMasterKey',
  'commitRestore',
  'commitImported',
] as const satisfies ReadonlyArray<keyof ClavisStorage>;
