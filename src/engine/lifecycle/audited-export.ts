// Audited export (B7): a key export withheld unless its key.export audit entry is written.
import { auditDraft, withAudit } from '../audit/store';
import type { EngineContext } from '../keys/context';
import * as transfer from '../keys/transfer';

/**
 * `transfer.exportKey`, then a `key.export` audit entry (format only; never the key or
 * the passphrase). When the entry cannot be written the export is withheld.
 */
export async function exportKeyAudited(ctx: EngineContext, id: string, opts: { format: transfer.SecretExportFormat; passphrase?: string }): Promise<string | Uint8Array> {
  const out = await transfer.exportKey(ctx, id, opts);
  try {
    await withAudit(ctx, async () => ({
      drafts: [auditDraft(ctx, 'key.export', [id], { keyId: id, format: opts.format, encrypted: opts.format === 'pkcs8-encrypted-pem' || opts.format === 'jwe-pbes2' })],
      commit: (audit) => ctx.storage.commitAudited(audit),
    }));
  } catch (e) {
    if (out instanceof Uint8Array) out.fill(0);
    throw e;
  }
  return out;
}
