/**
 * Encrypted vault backup and restore (PRODUCT.md A7, SECURITY.md W1–W3).
 *
 * One file for the whole vault: every exportable key with its material (read through the
 * export path, `backupMaterial`), every key record, the CAs with their certificates,
 * serials, revocations, CRLs and counters, the principals, key usage, and the audit log
 * with its signed head and the audit public key; encrypted under a passphrase with
 * PBKDF2-HMAC-SHA-256 (BACKUP_ITERATIONS) and AES-256-GCM. The file is JSON:
 *
 *   { format: 'clavis-vault-backup', version: 1, createdAt, kdf: {…, salt}, cipher: {…, iv}, ciphertext }
 *
 * where everything but `ciphertext` is the AES-GCM additional data (canonical JSON), so
 * a changed header fails like a wrong passphrase. The plaintext is the manifest (counts,
 * names and ids, what is NOT backed up and why) and the records.
 *
 * Not backed up, and said so in the manifest: non-extractable keys (their material cannot
 * leave the browser: a CA whose key is one cannot be restored), the audit signing key
 * (non-extractable; a restore hands over to a new one, recorded in the log), the KDC
 * (its master key is non-extractable and every principal's key is wrapped under it), and
 * walkthrough namespaces.
 *
 * Restore: `previewRestore` decrypts and says what the file holds and what would change
 * (new, unchanged, counters raised, conflicts kept as the vault has them); `restoreBackup`
 * writes it in ONE transaction. A restore never overwrites a record: an older backup must
 * not undo a revocation or a destruction. A wrong passphrase, a damaged, truncated or
 * changed file changes nothing and fails with WRONG_PASSPHRASE or MALFORMED_INPUT.
 *
 * Common case:
 * ```ts
 * const backup = await engine.backup();
 * const file = await backup.createBackup('a long passphrase');      // { bytes, manifest, fileName }
 * const preview = await backup.previewRestore(file.bytes, 'a long passphrase');
 * await backup.restoreBackup(file.bytes, 'a long passphrase');
 * ```
 */
import { canonicalJson, type AuditEntry, type JsonValue } from '../audit/chain';
import { auditDraft, prepareRestoreAudit, withAudit } from '../audit/store';
import { EngineError, isEngineError, MalformedInputError, StorageError } from '../errors';
import { fromBase64, fromUtf8, toBase64, toHex, utf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { backupMaterial, restoreMaterial, type BackupMaterial } from '../keys/transfer';
import { isDestroyedState } from '../lifecycle/states';
import type { AuditHandover, RestoreCommit, VaultRecords, VaultSnapshot } from '../storage/commits';
import type { CaRecord, CounterRecord, KeyMaterialRecord } from '../storage/schema';
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

// ---------------------------------------------------------------------------------------
// The file

interface FileHeader {
  format: typeof BACKUP_FORMAT;
  version: typeof BACKUP_VERSION;
  createdAt: string;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-256-GCM'; iv: string };
}

/** Bytes in the JSON payload: `{ $b64: '…' }`. */
const BYTES = '$b64';

function encodePayload(value: unknown): Uint8Array<ArrayBuffer> {
  return utf8(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { [BYTES]: toBase64(v) } : v)));
}

function decodePayload(bytes: Uint8Array): unknown {
  return JSON.parse(fromUtf8(bytes), (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === BYTES && typeof o[BYTES] === 'string') return fromBase64(o[BYTES]);
    }
    return v;
  });
}

function checkPassphrase(p: unknown, min: number): asserts p is string {
  if (typeof p !== 'string' || p.length === 0) throw new EngineError('INVALID_ARGUMENT', 'backup: a passphrase is required');
  if (p.length < min) throw new EngineError('INVALID_ARGUMENT', `backup: the passphrase must be at least ${min} characters long`);
  if (p.length > 1024) throw new EngineError('INVALID_ARGUMENT', 'backup: the passphrase must be at most 1024 characters long');
}

async function deriveKey(ctx: EngineContext, passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const pass = utf8(passphrase.normalize('NFC'));
  try {
    const base = await ctx.subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveKey']);
    // WebCrypto runs PBKDF2 off the calling thread (asynchronously); the result never leaves the engine.
    return await ctx.subtle.deriveKey({ name: 'PBKDF2', salt, iterations, hash: 'SHA-256' }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'backup: this browser could not run PBKDF2 for the passphrase', { cause: e });
  } finally {
    pass.fill(0);
  }
}

const headerAad = (h: FileHeader) => utf8(canonicalJson(h as unknown as JsonValue));

async function sealFile(ctx: EngineContext, passphrase: string, createdAt: string, plaintext: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const salt = ctx.random(16);
  const iv = ctx.random(12);
  const header: FileHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: BACKUP_ITERATIONS, salt: toBase64(salt) },
    cipher: { name: 'AES-256-GCM', iv: toBase64(iv) },
  };
  const key = await deriveKey(ctx, passphrase, salt, BACKUP_ITERATIONS);
  // AES-GCM of a large vault runs where the engine's bulk cipher runs (a Web Worker in the app).
  const ct = new Uint8Array(await ctx.bulk.aesGcm('encrypt', key, iv, headerAad(header), plaintext));
  return utf8(`${JSON.stringify({ ...header, ciphertext: toBase64(ct) })}\n`);
}

const damaged = (what: string, cause?: unknown) =>
  new MalformedInputError(`backup: the file is damaged or truncated (${what}); it is not a complete Clavis vault backup`, cause === undefined ? undefined : { cause });

/** Opens a backup file: checks its size before parsing, then its header, then decrypts. */
async function openFile(ctx: EngineContext, file: Uint8Array | string, passphrase: string): Promise<unknown> {
  checkPassphrase(passphrase, 1);
  if (typeof file === 'string') {
    // A UTF-16 string of n code units is at most 3n UTF-8 bytes: check before converting.
    if (file.length > MAX_BACKUP_BYTES) throw new EngineError('INVALID_ARGUMENT', `backup: the file is larger than ${MAX_BACKUP_BYTES / 1024 / 1024} MiB, more than a Clavis backup holds`);
  } else if (!(file instanceof Uint8Array)) {
    throw new EngineError('INVALID_ARGUMENT', 'backup: choose a backup file');
  } else if (file.length > MAX_BACKUP_BYTES) {
    throw new EngineError('INVALID_ARGUMENT', `backup: the file is larger than ${MAX_BACKUP_BYTES / 1024 / 1024} MiB, more than a Clavis backup holds`);
  }
  const text = typeof file === 'string' ? file : fromUtf8(file);
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch (e) {
    throw damaged('it does not end where a backup ends', e);
  }
  if (!outer || typeof outer !== 'object' || Array.isArray(outer)) throw damaged('no backup header');
  const o = outer as Record<string, unknown>;
  if (o.format !== BACKUP_FORMAT) throw new MalformedInputError('backup: this file is not a Clavis vault backup');
  if (o.version !== BACKUP_VERSION) throw new EngineError('UNSUPPORTED', `backup: the backup is format version ${String(o.version).slice(0, 10)}; this Clavis reads version ${BACKUP_VERSION}`);
  const kdf = o.kdf as Record<string, unknown> | undefined;
  const cipher = o.cipher as Record<string, unknown> | undefined;
  if (!kdf || kdf.name !== 'PBKDF2' || kdf.hash !== 'SHA-256' || typeof kdf.salt !== 'string' || !Number.isInteger(kdf.iterations)) throw damaged('the key derivation settings are missing');
  const iterations = kdf.iterations as number;
  if (iterations < BACKUP_ITERATIONS || iterations > MAX_BACKUP_ITERATIONS) {
    throw new MalformedInputError(`backup: the file asks for ${iterations} PBKDF2 iterations; Clavis backups use ${BACKUP_ITERATIONS.toLocaleString('en')} to ${MAX_BACKUP_ITERATIONS.toLocaleString('en')}`);
  }
  if (!cipher || cipher.name !== 'AES-256-GCM' || typeof cipher.iv !== 'string' || typeof o.ciphertext !== 'string' || typeof o.createdAt !== 'string') throw damaged('the cipher settings are missing');
  let salt: Uint8Array<ArrayBuffer>, iv: Uint8Array<ArrayBuffer>, ct: Uint8Array<ArrayBuffer>;
  try {
    salt = fromBase64(kdf.salt);
    iv = fromBase64(cipher.iv);
    ct = fromBase64(o.ciphertext);
  } catch (e) {
    throw damaged('its encrypted part is not base64', e);
  }
  if (salt.length < 16 || iv.length !== 12 || ct.length < 16) throw damaged('its salt, nonce or encrypted part is too short');
  const header: FileHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    createdAt: o.createdAt,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: kdf.salt },
    cipher: { name: 'AES-256-GCM', iv: cipher.iv },
  };
  const key = await deriveKey(ctx, passphrase, salt, iterations);
  let plain: Uint8Array<ArrayBuffer>;
  try {
    plain = new Uint8Array(await ctx.bulk.aesGcm('decrypt', key, iv, headerAad(header), ct));
  } catch (e) {
    // AES-GCM cannot tell a wrong passphrase from a changed byte: both fail authentication.
    throw new EngineError('WRONG_PASSPHRASE', 'backup: the passphrase does not open this backup, or the file was changed after it was made; nothing was restored', { cause: e });
  }
  try {
    return decodePayload(plain);
  } catch (e) {
    throw damaged('its contents are not readable', e);
  } finally {
    plain.fill(0);
  }
}

// ---------------------------------------------------------------------------------------
// The payload

interface BackupKey {
  info: KeyInfo;
  material?: BackupMaterial;
}

/** The decrypted file: its manifest, the keys with their material, every store's records, the audit log. */
interface Payload extends VaultRecords {
  manifest: BackupManifest;
  keys: BackupKey[];
  audit: { entries: AuditEntry[]; head?: { seq: number; hash: string; sig?: string }; auditKey?: { spki: string; spkiSha256: string }; handovers: AuditHandover[] };
}

const LIST_FIELDS = ['keys', 'cas', 'certs', 'serials', 'revocations', 'crls', 'counters', 'principals', 'keyUsage', 'importedCerts', 'importedCrls'] as const;

function checkPayload(v: unknown): Payload {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw damaged('no records inside');
  const p = v as Record<string, unknown>;
  for (const f of LIST_FIELDS) if (!Array.isArray(p[f]) || !(p[f] as unknown[]).every((r) => r && typeof r === 'object')) throw damaged(`the ${f} are missing`);
  const m = p.manifest as Record<string, unknown> | undefined;
  if (!m || m.format !== BACKUP_FORMAT || !Array.isArray(m.notBackedUp) || !Array.isArray(m.keys) || !Array.isArray(m.cas)) throw damaged('the manifest is missing');
  const a = p.audit as Record<string, unknown> | undefined;
  if (!a || !Array.isArray(a.entries) || !Array.isArray(a.handovers)) throw damaged('the audit log is missing');
  for (const k of p.keys as Array<Record<string, unknown>>) {
    const info = k.info as Record<string, unknown> | undefined;
    if (!info || typeof info.id !== 'string' || typeof info.template !== 'string' || typeof info.keyringId !== 'string') throw damaged('a key record is incomplete');
    const m = k.material as Record<string, unknown> | undefined;
    if (m !== undefined && !((m.kind === 'raw' && m.raw instanceof Uint8Array) || ((m.kind === 'jwk' || m.kind === 'public-jwk') && m.jwk && typeof m.jwk === 'object'))) throw damaged('a key\'s material is incomplete');
  }
  for (const c of p.cas as Array<Record<string, unknown>>) if (typeof c.id !== 'string' || typeof c.keyId !== 'string' || typeof c.certId !== 'string') throw damaged('a CA record is incomplete');
  for (const c of p.certs as Array<Record<string, unknown>>) if (typeof c.id !== 'string' || typeof c.issuerId !== 'string' || !(c.der instanceof Uint8Array)) throw damaged('a certificate record is incomplete');
  for (const c of p.crls as Array<Record<string, unknown>>) if (typeof c.id !== 'string' || typeof c.issuerId !== 'string' || !(c.der instanceof Uint8Array)) throw damaged('a CRL record is incomplete');
  for (const f of ['serials', 'revocations'] as const) for (const r of p[f] as Array<Record<string, unknown>>) if (typeof r.id !== 'string' || typeof r.issuerId !== 'string') throw damaged(`a ${f} record is incomplete`);
  for (const c of p.counters as Array<Record<string, unknown>>) if (typeof c.key !== 'string' || !Number.isSafeInteger(c.value)) throw damaged('a counter is incomplete');
  for (const r of [...(p.principals as Array<Record<string, unknown>>), ...(p.keyUsage as Array<Record<string, unknown>>)]) if (typeof r.id !== 'string') throw damaged('a principal or usage record is incomplete');
  for (const r of [...(p.importedCerts as Array<Record<string, unknown>>), ...(p.importedCrls as Array<Record<string, unknown>>)]) {
    if (typeof r.id !== 'string' || typeof r.sha256 !== 'string' || !(r.der instanceof Uint8Array)) throw damaged('an imported certificate or CRL is incomplete');
  }
  return v as Payload;
}

const KDC_NOT_BACKED_UP: NotBackedUp = {
  kind: 'kdc',
  name: 'Key distribution center',
  why: 'The KDC’s master key is non-extractable and every principal’s long-term key and every distributed key is wrapped under it, so none of them can be opened elsewhere: after a restore, register the principals again.',
};
const AUDIT_KEY_NOT_BACKED_UP: NotBackedUp = {
  kind: 'audit-key',
  name: 'Audit signing key',
  why: 'The key that signs the audit head is non-extractable. The log, its signed head and the public key are backed up; a restore into an empty vault continues the log under a new audit key and records the hand-over.',
};
const WALKTHROUGHS_NOT_BACKED_UP: NotBackedUp = { kind: 'walkthroughs', name: 'Walkthroughs', why: 'Walkthroughs work in their own databases and rebuild from scratch.' };

const nonExtractableWhy = 'Non-extractable: its secret part cannot leave this browser, so it is not in the backup. If this vault is lost, so is the key: whatever it encrypted cannot be decrypted and it can sign nothing more.';

function caKeyGone(ca: CaRecord): NotBackedUp {
  return {
    kind: 'ca',
    id: ca.id,
    name: ca.name,
    why: 'Its signing key is non-extractable, so the CA cannot be restored (it could never sign or publish a CRL again); its certificates, serials, revocations and CRLs are left out with it. Create CAs with an exportable key to back them up.',
  };
}

/** The CAs that can be restored: their key's material is available (in `keyOk`) and so is their parent, recursively. */
function restorableCas(cas: readonly CaRecord[], keyOk: (keyId: string) => boolean, existingCa: (id: string) => boolean): Set<string> {
  const byId = new Map(cas.map((c) => [c.id, c]));
  const memo = new Map<string, boolean>();
  const ok = (id: string, depth: number): boolean => {
    if (existingCa(id)) return true;
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const ca = byId.get(id);
    const r = !!ca && depth < 64 && keyOk(ca.keyId) && (ca.parentId === undefined || ok(ca.parentId, depth + 1));
    memo.set(id, r);
    return r;
  };
  return new Set(cas.filter((c) => ok(c.id, 0)).map((c) => c.id));
}

// ---------------------------------------------------------------------------------------
// Create

async function createBackup(ctx: EngineContext, passphrase: string): Promise<BackupFile> {
  checkPassphrase(passphrase, MIN_BACKUP_PASSPHRASE);
  const snap = await ctx.storage.readVaultSnapshot();
  const createdAt = new Date(ctx.clock.now()).toISOString();
  const keys: BackupKey[] = [];
  const notBackedUp: NotBackedUp[] = [];
  const secrets: Uint8Array[] = [];
  try {
    for (const info of snap.keys) {
      if (isDestroyedState(info.state)) {
        keys.push({ info });
        continue;
      }
      if (info.kind !== 'public' && !info.extractable) {
        notBackedUp.push({ kind: 'key', id: info.id, name: info.name, why: nonExtractableWhy });
        continue;
      }
      let material: BackupMaterial;
      try {
        material = await backupMaterial(ctx, info);
      } catch (e) {
        if (isEngineError(e, 'NOT_EXTRACTABLE')) {
          notBackedUp.push({ kind: 'key', id: info.id, name: info.name, why: nonExtractableWhy });
          continue;
        }
        // A key whose material cannot be read now (deleted meanwhile, the vault locked…):
        // no partial backup.
        const reason = isEngineError(e) ? e.message.replace(/^[a-z]+: /, '') : 'it could not be read';
        throw new EngineError(isEngineError(e) ? e.code : 'STORAGE', `backup: the material of the key "${info.name}" is not available (${reason}); no backup was made`, { cause: e });
      }
      if (material.kind === 'raw') secrets.push(material.raw);
      keys.push({ info, material });
    }
    const withMaterial = new Set<string>(keys.filter((k) => k.material && k.material.kind !== 'public-jwk').map((k) => k.info.id));
    const okCas = restorableCas(snap.cas, (id) => withMaterial.has(id), () => false);
    for (const ca of snap.cas) if (!okCas.has(ca.id)) notBackedUp.push(caKeyGone(ca));
    notBackedUp.push(AUDIT_KEY_NOT_BACKED_UP, KDC_NOT_BACKED_UP, WALKTHROUGHS_NOT_BACKED_UP);

    const auditKey = await exportAuditPublicKey(ctx, snap);
    const payload: Payload = {
      manifest: {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt,
        counts: {
          keys: keys.length,
          keysWithMaterial: keys.filter((k) => k.material).length,
          cas: snap.cas.length,
          certs: snap.certs.length,
          serials: snap.serials.length,
          revocations: snap.revocations.length,
          crls: snap.crls.length,
          counters: snap.counters.length,
          principals: snap.principals.length,
          keyUsage: snap.keyUsage.length,
          importedCerts: snap.importedCerts.length,
          importedCrls: snap.importedCrls.length,
          auditEntries: snap.audit.length,
        },
        keys: keys.map(({ info, material }) => ({
          id: info.id,
          name: info.name,
          template: info.template,
          kind: info.kind,
          state: info.state,
          material: !material ? ('destroyed' as const) : material.kind === 'public-jwk' ? ('public-only' as const) : ('included' as const),
        })),
        cas: snap.cas.map((c) => ({ id: c.id, name: c.name, keyId: c.keyId })),
        ...(snap.auditHead ? { auditHead: { seq: snap.auditHead.seq, hash: snap.auditHead.hash } } : {}),
        notBackedUp,
      },
      keys,
      cas: snap.cas,
      certs: snap.certs,
      serials: snap.serials,
      revocations: snap.revocations,
      crls: snap.crls,
      counters: snap.counters,
      principals: snap.principals,
      keyUsage: snap.keyUsage,
      importedCerts: snap.importedCerts,
      importedCrls: snap.importedCrls,
      audit: { entries: snap.audit, ...(snap.auditHead ? { head: { ...snap.auditHead } } : {}), ...(auditKey ? { auditKey } : {}), handovers: snap.handovers },
    };
    const plain = encodePayload(payload);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await sealFile(ctx, passphrase, createdAt, plain);
    } finally {
      plain.fill(0);
    }
    await withAudit(ctx, async () => ({
      drafts: [
        auditDraft(ctx, 'vault.backup', [], {
          keys: payload.manifest.counts.keys,
          keysWithMaterial: payload.manifest.counts.keysWithMaterial,
          keysNotBackedUp: notBackedUp.filter((n) => n.kind === 'key').length,
          cas: snap.cas.length,
          casNotRestorable: notBackedUp.filter((n) => n.kind === 'ca').length,
          certificates: snap.certs.length,
          auditEntries: snap.audit.length,
          iterations: BACKUP_ITERATIONS,
        }),
      ],
      commit: (audit) => ctx.storage.commitAudited(audit),
    }));
    return { bytes, manifest: payload.manifest, fileName: `clavis-backup-${createdAt.slice(0, 19).replace(/[:T]/g, '-')}.clavisbackup` };
  } finally {
    for (const s of secrets) s.fill(0);
  }
}

async function exportAuditPublicKey(ctx: EngineContext, snap: VaultSnapshot): Promise<{ spki: string; spkiSha256: string } | undefined> {
  const rec = snap.auditKey as { publicKey?: CryptoKey } | undefined;
  if (!rec?.publicKey) return undefined;
  const spki = new Uint8Array(await ctx.subtle.exportKey('spki', rec.publicKey));
  return { spki: toBase64(spki), spkiSha256: toHex(await ctx.subtle.digest('SHA-256', spki)) };
}

// ---------------------------------------------------------------------------------------
// Preview and restore

/** A restore worked out: the preview, and what is new in each store (only that is written). */
interface Plan extends VaultRecords {
  preview: RestorePreview;
  payload: Payload;
  addKeys: BackupKey[];
}

const same = (a: unknown, b: unknown) => fromUtf8(encodePayload(a)) === fromUtf8(encodePayload(b));

function diff<T>(kind: RestoreChange['kind'], incoming: readonly T[], existing: readonly T[], id: (r: T) => string, name: (r: T) => string, conflicts: RestorePreview['conflicts']) {
  const have = new Map(existing.map((r) => [id(r), r]));
  const add: T[] = [];
  const change: RestoreChange = { kind, added: 0, unchanged: 0, replaced: 0, conflicts: 0 };
  for (const r of incoming) {
    const cur = have.get(id(r));
    if (cur === undefined) {
      add.push(r);
      change.added++;
    } else if (same(stripDue(cur), stripDue(r))) {
      change.unchanged++;
    } else {
      change.conflicts++;
      if (conflicts.length < 50) conflicts.push({ kind, id: id(r), name: name(r) });
    }
  }
  return { add, change };
}

function stripDue(r: unknown): unknown {
  if (r && typeof r === 'object' && 'dueAt' in r) {
    const { dueAt: _d, ...rest } = r as Record<string, unknown>;
    return rest;
  }
  return r;
}

/** The issuer id a counter belongs to (`crl:<id>`, `revs:<id>`, `crlrevs:<id>`). */
const counterIssuer = (key: string) => key.slice(key.indexOf(':') + 1);

async function plan(ctx: EngineContext, file: Uint8Array | string, passphrase: string): Promise<Plan> {
  const payload = checkPayload(await openFile(ctx, file, passphrase));
  const vault = await ctx.storage.readVaultSnapshot();
  const conflicts: RestorePreview['conflicts'] = [];
  const notRestorable: NotBackedUp[] = payload.manifest.notBackedUp.filter((n) => n.kind === 'key' || n.kind === 'ca' || n.kind === 'kdc');

  const vaultKeys = new Map<string, KeyInfo>(vault.keys.map((k) => [k.id, k]));
  const keys: { add: BackupKey[]; change: RestoreChange } = { add: [], change: { kind: 'keys', added: 0, unchanged: 0, replaced: 0, conflicts: 0 } };
  for (const k of payload.keys) {
    const cur = vaultKeys.get(k.info.id);
    if (!cur) {
      keys.add.push(k);
      keys.change.added++;
    } else if (same(cur, stripDue(k.info))) keys.change.unchanged++;
    else {
      keys.change.conflicts++;
      if (conflicts.length < 50) conflicts.push({ kind: 'keys', id: k.info.id, name: k.info.name });
    }
  }
  const keyUsable = (id: string) => payload.keys.some((k) => k.info.id === id && k.material && k.material.kind !== 'public-jwk') || vaultKeys.has(id);
  const vaultCaIds = new Set(vault.cas.map((c) => c.id));
  const okCas = restorableCas(payload.cas, keyUsable, (id) => vaultCaIds.has(id));
  for (const ca of payload.cas) if (!okCas.has(ca.id) && !notRestorable.some((n) => n.id === ca.id)) notRestorable.push(caKeyGone(ca));
  const ofOkIssuer = <T extends { issuerId: string }>(rs: readonly T[]) => rs.filter((r) => okCas.has(r.issuerId));

  const cas = diff('cas', payload.cas.filter((c) => okCas.has(c.id)), vault.cas, (c) => c.id, (c) => c.name, conflicts);
  const certs = diff('certs', ofOkIssuer(payload.certs), vault.certs, (c) => c.id, (c) => c.subject, conflicts);
  const serials = diff('serials', ofOkIssuer(payload.serials), vault.serials, (s) => s.id, (s) => s.serialHex, conflicts);
  const revocations = diff('revocations', ofOkIssuer(payload.revocations), vault.revocations, (r) => r.id, (r) => r.serialHex, conflicts);
  const crls = diff('crls', ofOkIssuer(payload.crls), vault.crls, (c) => c.id, (c) => `CRL ${c.number}`, conflicts);
  const principals = diff('principals', payload.principals, vault.principals, (p) => p.id, (p) => p.id, conflicts);
  const restoredKeyIds = new Set<string>([...keys.add.map((k) => k.info.id), ...vault.keys.map((k) => k.id)]);
  const keyUsage = diff('keyUsage', payload.keyUsage.filter((u) => restoredKeyIds.has(u.id)), vault.keyUsage, (u) => u.id, (u) => u.id, conflicts);
  // Imported trust material: keyed by the SHA-256 of its DER, so the same item is the same record.
  const importedCerts = diff('importedCerts', payload.importedCerts, vault.importedCerts, (c) => c.id, (c) => c.subject, conflicts);
  const importedCrls = diff('importedCrls', payload.importedCrls, vault.importedCrls, (c) => c.id, (c) => `CRL of ${c.issuer}`, conflicts);

  const vaultCounters = new Map(vault.counters.map((c) => [c.key, c.value]));
  const counters: CounterRecord[] = [];
  const counterChange: RestoreChange = { kind: 'counters', added: 0, unchanged: 0, replaced: 0, conflicts: 0 };
  for (const c of payload.counters) {
    if (!okCas.has(counterIssuer(c.key))) continue;
    const cur = vaultCounters.get(c.key);
    if (cur === undefined) counterChange.added++;
    else if (cur >= c.value) {
      counterChange.unchanged++;
      continue;
    } else counterChange.replaced++;
    counters.push(c);
  }

  const replay = vault.audit.length === 0 && vault.auditHead === undefined;
  const n = payload.audit.entries.length;
  const audit: RestorePreview['audit'] = replay
    ? {
        mode: 'replay',
        entries: n,
        explanation: `This vault's audit log is empty: it takes the backup's ${n} ${n === 1 ? 'entry' : 'entries'}, then a restore entry signed by a new audit key that records the hand-over from the backup's key.`,
      }
    : {
        mode: 'append',
        entries: n,
        explanation: `This vault keeps its own audit log (a hash chain cannot take in another); the backup's ${n} ${n === 1 ? 'entry stays' : 'entries stay'} in the file, and the restore entry records the head they end at so the file can be checked against it.`,
      };
  const changes = [keys.change, cas.change, certs.change, serials.change, revocations.change, crls.change, counterChange, principals.change, keyUsage.change, importedCerts.change, importedCrls.change];
  const preview: RestorePreview = {
    manifest: payload.manifest,
    changes,
    conflicts,
    notRestorable,
    audit,
    nothingToDo: changes.every((c) => c.added === 0 && c.replaced === 0) && !(replay && n > 0),
  };
  return {
    preview,
    payload,
    addKeys: keys.add,
    cas: cas.add,
    certs: certs.add,
    serials: serials.add,
    revocations: revocations.add,
    crls: crls.add,
    counters,
    principals: principals.add,
    keyUsage: keyUsage.add,
    importedCerts: importedCerts.add,
    importedCrls: importedCrls.add,
  };
}

async function restoreBackup(ctx: EngineContext, file: Uint8Array | string, passphrase: string): Promise<RestoreResult> {
  const p = await plan(ctx, file, passphrase);
  // Crypto before the transaction (W3): every key's CryptoKeys from its backed-up material.
  const addKeys: RestoreCommit['addKeys'] = [];
  for (const k of p.addKeys) {
    let material: KeyMaterialRecord | undefined;
    if (k.material) {
      try {
        material = await restoreMaterial(ctx, k.info, k.material);
      } catch (e) {
        throw new EngineError(isEngineError(e) ? e.code : 'MALFORMED_INPUT', `backup: the key "${k.info.name}" could not be restored (${isEngineError(e) ? e.message.replace(/^[a-z]+: /, '') : 'its material was refused'}); nothing was restored`, { cause: e });
      } finally {
        if (k.material.kind === 'raw') k.material.raw.fill(0);
      }
    }
    addKeys.push(material ? { info: k.info, material } : { info: k.info });
  }
  const a = p.payload.audit;
  const replay = p.preview.audit.mode === 'replay';
  const counts = Object.fromEntries(p.preview.changes.map((c) => [c.kind, c.added + c.replaced])) as Record<string, number>;
  const details = (newKeySha: string) => ({
    backupCreatedAt: p.payload.manifest.createdAt,
    mode: p.preview.audit.mode,
    keysRestored: counts.keys ?? 0,
    casRestored: counts.cas ?? 0,
    certificatesRestored: counts.certs ?? 0,
    conflictsKept: p.preview.changes.reduce((s, c) => s + c.conflicts, 0),
    notRestorable: p.preview.notRestorable.length,
    backupHead: a.head ? { seq: a.head.seq, hash: a.head.hash } : null,
    ...(a.auditKey ? { previousAuditKeySha256: a.auditKey.spkiSha256 } : {}),
    auditKeySha256: newKeySha,
    handover: replay
      ? `Entries 1–${a.entries.length} come from the backup and were signed by the audit key ${a.auditKey ? a.auditKey.spkiSha256.slice(0, 16) : '(none)'}…, which could not be restored (non-extractable); from this entry on the key ${newKeySha.slice(0, 16)}… signs.`
      : 'This vault keeps its own log and audit key; the backup’s log stays in the file and ends at the head recorded here.',
  });
  for (let attempt = 0; ; attempt++) {
    const carried = replay ? a.entries : [];
    const audit = await prepareRestoreAudit(ctx, carried, (sha) => auditDraft(ctx, 'vault.restore', [], details(sha)));
    const entry = audit.entries[audit.entries.length - 1]!;
    const handover: AuditHandover | undefined =
      replay && (a.head || a.auditKey)
        ? {
            seq: a.head?.seq ?? 0,
            hash: a.head?.hash ?? '',
            ...(a.head?.sig ? { sig: a.head.sig } : {}),
            ...(a.auditKey ? { spki: a.auditKey.spki, spkiSha256: a.auditKey.spkiSha256 } : {}),
            at: entry.at,
          }
        : undefined;
    try {
      await ctx.storage.commitRestore({
        ...audit,
        addKeys,
        cas: p.cas,
        certs: p.certs,
        serials: p.serials,
        revocations: p.revocations,
        crls: p.crls,
        counters: p.counters,
        principals: p.principals,
        keyUsage: p.keyUsage,
        importedCerts: p.importedCerts,
        importedCrls: p.importedCrls,
        ...(handover ? { handover } : {}),
      });
      return { preview: p.preview, auditSeq: entry.seq };
    } catch (e) {
      // Only the audit head moving (an append-mode restore while another write landed) is retried.
      if (e instanceof StorageError && e.name === 'AuditConflictError' && !replay && attempt < 8) continue;
      if (isEngineError(e, 'STORAGE')) {
        throw new StorageError(`backup: the vault changed while the backup was restored, or the browser refused the write; nothing was restored (${e.message.replace(/^storage: /, '')})`, { cause: e });
      }
      throw e;
    }
  }
}

/** The backup module over an engine context. */
export function createBackupModule(ctx: EngineContext): Backup {
  return {
    createBackup: (passphrase) => createBackup(ctx, passphrase),
    previewRestore: async (file, passphrase) => (await plan(ctx, file, passphrase)).preview,
    restoreBackup: (file, passphrase) => restoreBackup(ctx, file, passphrase),
  };
}
