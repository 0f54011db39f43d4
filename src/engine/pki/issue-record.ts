/** The audit texts of issuance: a subject shown when the secrets guard accepts it, and the entry for a refused issuance (C7/A2). */
import type { AuditDraft } from '../audit/chain';
import { assertNoSecrets } from '../audit/no-secrets';
import { auditDraft, withAudit } from '../audit/store';
import { toErrorInfo } from '../errors';
import type { EngineContext } from '../keys/context';

/** Text for an audit entry when the secrets guard accepts it (a subject is never a secret, but may look like a blob). */
export function auditText(text: string): string | undefined {
  try {
    assertNoSecrets({ description: text });
    return text;
  } catch {
    return undefined;
  }
}

/** Audits a refused issuance (C7/A2): rule and code, never the request's bytes. */
export async function auditRefusal(ctx: EngineContext, issuerId: string, serialHex: string, profile: string, e: unknown): Promise<void> {
  const info = toErrorInfo(e);
  const rule = /^pki: lint ([\w.-]+):/.exec(info.message)?.[1];
  const details: AuditDraft['details'] = { issuerId, serial: serialHex, profile, code: info.code };
  if (rule) details.rule = rule;
  const message = auditText(info.message);
  if (message !== undefined) details.message = message;
  await withAudit(ctx, async () => ({
    drafts: [auditDraft(ctx, 'cert.refused', [issuerId], details)],
    commit: (audit) => ctx.storage.commitAudited(audit),
  }));
}

