// Making a backup: reading the vault through the export path, writing the manifest and sealing the file.
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, isEngineError } from '../errors';
import { toBase64, toHex } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { backupMaterial, type BackupMaterial } from '../keys/transfer';
import { isDestroyedState } from '../lifecycle/states';
import type { VaultSnapshot } from '../storage/commits';
import { BACKUP_FORMAT, BACKUP_ITERATIONS, BACKUP_VERSION, MIN_BACKUP_PASSPHRASE, type BackupFile, type NotBackedUp } from './format';
import { checkPassphrase, encodePayload, sealFile } from './file';
import { AUDIT_KEY_NOT_BACKED_UP, KDC_NOT_BACKED_UP, WALKTHROUGHS_NOT_BACKED_UP, caKeyGone, nonExtractableWhy, restorableCas, type BackupKey, type Payload } from './payload';

/** Makes the encrypted backup of the whole vault. @throws INVALID_ARGUMENT for a short passphrase */
export async function createBackup(ctx: EngineContext, passphrase: string): Promise<BackupFile> {
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
