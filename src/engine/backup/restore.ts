// Restoring a backup: the plan (what the file holds and what would change) and its one-transaction write.
import { auditDraft, prepareRestoreAudit } from '../audit/store';
import { EngineError, isEngineError, StorageError } from '../errors';
import { fromUtf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { restoreMaterial } from '../keys/transfer';
import type { AuditHandover, RestoreCommit, VaultRecords } from '../storage/commits';
import type { CounterRecord, KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import type { NotBackedUp, RestoreChange, RestorePreview, RestoreResult } from './format';
import { encodePayload, openFile } from './file';
import { caKeyGone, checkPayload, restorableCas, type BackupKey, type Payload } from './payload';

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

/** Decrypts a backup and works out what a restore would write. @throws WRONG_PASSPHRASE, MALFORMED_INPUT */
export async function plan(ctx: EngineContext, file: Uint8Array | string, passphrase: string): Promise<Plan> {
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
  const vaultCaIds = new Set<string>(vault.cas.map((c) => c.id));
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

/** Restores a backup in one transaction, never overwriting a record. @throws WRONG_PASSPHRASE, MALFORMED_INPUT */
export async function restoreBackup(ctx: EngineContext, file: Uint8Array | string, passphrase: string): Promise<RestoreResult> {
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
