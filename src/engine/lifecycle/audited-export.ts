// Audited export (B7): a key export withheld unless its key.export audit entry is written.
import { auditDraft, withAudit } from '../audit/store';
import type { EngineContext } from '../keys/context';
import type * as transfer from '../keys/transfer';

/**
 * One export verb of keys/transfer (`exportIt`, which exports key `id` in `format`), then
 * a `key.export` audit entry (format only; never the key or the passphrase). When the
 * entry cannot be written the export is withheld. The result keeps the verb's type.
 */
export async function exportKeyAudited<T extends string | Uint8Array>(ctx: EngineContext, id: string, format: transfer.SecretExportFormat, exportIt: () => Promise<T>): Promise<T> {
  const out = await exportIt();
  try {
    await withAudit(ctx, async () => ({
      drafts: [auditDraft(ctx, 'key.export', [id], { keyId: id, format, encrypted: format === 'pkcs8-encrypted-pem' || format === 'jwe-pbes2' })],
      commit: (audit) => ctx.storage.commitAudited(audit),
    }));
  } catch (e) {
    if (out instanceof Uint8Array) out.fill(0);
    throw e;
  }
  return out;
}
