// The backup format's public shape: its limits, the manifest, the preview of a restore and the Backup module's verbs.
import type { KeyInfo } from '../types';

export const BACKUP_FORMAT = 'clavis-vault-backup';
export const BACKUP_VERSION = 1;
/** PBKDF2-HMAC-SHA-256 iterations of a new backup (OWASP Password Storage: >= 600,000). */
export const BACKUP_ITERATIONS = 600_000;
/** Most iterations a file may ask for (more would freeze the tab; a file asking for fewer than BACKUP_ITERATIONS is refused). */
export const MAX_BACKUP_ITERATIONS = 10_000_000;
/** Largest backup file read (checked before anything is parsed). */
export const MAX_BACKUP_BYTES = 256 * 1024 * 1024;
/** Shortest passphrase a backup is made with. */
export const MIN_BACKUP_PASSPHRASE = 12;

/** One item the backup does not hold, and what that means. */
export interface NotBackedUp {
  kind: 'key' | 'ca' | 'audit-key' | 'kdc' | 'walkthroughs';
  id?: string;
  name: string;
  why: string;
}

/** What a backup holds (inside the encryption; shown by the preview). */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  counts: {
    keys: number;
    keysWithMaterial: number;
    cas: number;
    certs: number;
    serials: number;
    revocations: number;
    crls: number;
    counters: number;
    principals: number;
    keyUsage: number;
    importedCerts: number;
    importedCrls: number;
    auditEntries: number;
  };
  keys: Array<{ id: string; name: string; template: string; kind: KeyInfo['kind']; state: KeyInfo['state']; material: 'included' | 'public-only' | 'destroyed' }>;
  cas: Array<{ id: string; name: string; keyId: string }>;
  /** The audit head the backup's log ends at. */
  auditHead?: { seq: number; hash: string };
  notBackedUp: NotBackedUp[];
}

/** The result of `createBackup`. */
export interface BackupFile {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: BackupManifest;
  fileName: string;
}

/** How one kind of record would change on restore. */
export interface RestoreChange {
  kind: 'keys' | 'cas' | 'certs' | 'serials' | 'revocations' | 'crls' | 'counters' | 'principals' | 'keyUsage' | 'importedCerts' | 'importedCrls';
  /** Not in the vault: added. */
  added: number;
  /** In the vault exactly as in the file. */
  unchanged: number;
  /** Counters only: the file's is higher, so the vault's is raised (a CRL number never goes back). */
  replaced: number;
  /** In the vault but different: the vault's is kept (see `conflicts`). */
  conflicts: number;
}

/** What `previewRestore` found. */
export interface RestorePreview {
  manifest: BackupManifest;
  changes: RestoreChange[];
  /** Records the vault already has differently: kept as the vault has them (the first 50). */
  conflicts: Array<{ kind: RestoreChange['kind']; id: string; name: string }>;
  /** What the file holds but cannot be restored, and why. */
  notRestorable: NotBackedUp[];
  audit: {
    /** 'replay': the vault's log is empty and takes the file's entries; 'append': the vault keeps its own log, the restore entry records the file's head. */
    mode: 'replay' | 'append';
    entries: number;
    explanation: string;
  };
  /** True when nothing would be added and no counter raised. */
  nothingToDo: boolean;
}

/** What `restoreBackup` wrote. */
export interface RestoreResult {
  preview: RestorePreview;
  /** Sequence number of the `vault.restore` audit entry. */
  auditSeq: number;
}

export interface Backup {
  /** Backs up the whole vault under `passphrase` (at least MIN_BACKUP_PASSPHRASE characters). @throws INVALID_ARGUMENT, KEY_STATE (material unavailable), STORAGE */
  createBackup(passphrase: string): Promise<BackupFile>;
  /** Decrypts a backup and says what it holds and what a restore would change; writes nothing. @throws WRONG_PASSPHRASE, MALFORMED_INPUT, INVALID_ARGUMENT */
  previewRestore(file: Uint8Array | string, passphrase: string): Promise<RestorePreview>;
  /** Restores a backup in one transaction (audited as `vault.restore`). @throws WRONG_PASSPHRASE, MALFORMED_INPUT, INVALID_ARGUMENT, STORAGE */
  restoreBackup(file: Uint8Array | string, passphrase: string): Promise<RestoreResult>;
}
