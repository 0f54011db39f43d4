/**
 * K8 and issue 14: when keys are revoked in the lifecycle (one key, or every key of a
 * principal), the certificates that certify them are revoked at their CAs in the SAME
 * IndexedDB transaction as the key change, with one audit entry per certificate; then
 * each affected CA publishes ONE CRL. A tab closed after the commit leaves the CA's CRL
 * stale, and start-up rebuilds it (`crlsDue`); a tab closed before leaves nothing.
 *
 * What happens to a certificate is decided by `CERTIFICATE_REASON_RULES` (rules as data)
 * and can be shown before anything is done (`previewCertificateCascade`), so a revoke
 * dialog says beforehand which certificates will be revoked and which stay valid.
 *
 * Common case: `engine.revokeKey(id, 'superseded')` → `revokeKeyWithCertificates(…)`.
 */
import type { CaId, CertId, KeyId } from '../ids';
import type { AuditDraft } from '../audit/chain';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, isEngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { getKeyInfo } from '../keys/vault';
import type { Pki } from '../pki';
import type { CertRecord, RevocationRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import { revokeKey as revokeKeyRecord, revokePrincipal as revokePrincipalRecord, type CertificateCascadeStep, type PrincipalRevocation, type RevokeKeyOptions } from './engine';
import { REVOCATION_REASONS, isRevocationReason, type RevocationReason } from './revocation';

/** What happened to one certificate of a revoked key. */
export interface CertificateCascade {
  certId: CertId;
  keyId: KeyId;
  /** The reason written for the certificate ('unspecified': an entry without reasonCode). */
  reason: RevocationReason;
  revoked: boolean;
  /** Why it was not revoked (a root, a hold, already revoked). */
  why?: string;
}

/** What a key revocation will do to one certificate, said before it is done. */
export interface CertificatePreview extends CertificateCascade {
  subject: string;
  issuerId: CaId;
  serialHex: string;
}

/** How a key's revocation reason reaches its certificates: the CRL reason, or why they stay valid. */
export type CertificateReasonRule = { revoke: true; reason: RevocationReason; code: number } | { revoke: false; why: string };

/**
 * Key reason → certificate outcome (rules as data). Decisions (issue 14, defect 3):
 * - every compromise reason revokes the certificates for keyCompromise (Clavis's CRLs carry
 *   no cACompromise/aACompromise for leaves; a relying party treats keyCompromise the same);
 * - "unspecified" revokes them too, with NO reasonCode on the CRL entry: that is how RFC
 *   5280 §5.3.1 and BR 7.2.2 spell "unspecified" (the code 0 must not be written). A key
 *   revoked for no stated reason must never leave its certificates silently valid;
 * - certificateHold only suspends the key, which can be resumed; BR 7.2.2 forbids
 *   certificateHold on a CRL and a revocation cannot be undone, so the certificates stay
 *   valid and the dialog says so before the hold is applied.
 */
export const CERTIFICATE_REASON_RULES: Readonly<Record<RevocationReason, CertificateReasonRule>> = {
  unspecified: { revoke: true, reason: 'unspecified', code: 0 },
  keyCompromise: { revoke: true, reason: 'keyCompromise', code: 1 },
  cACompromise: { revoke: true, reason: 'keyCompromise', code: 1 },
  aACompromise: { revoke: true, reason: 'keyCompromise', code: 1 },
  affiliationChanged: { revoke: true, reason: 'affiliationChanged', code: 3 },
  superseded: { revoke: true, reason: 'superseded', code: 4 },
  cessationOfOperation: { revoke: true, reason: 'cessationOfOperation', code: 5 },
  privilegeWithdrawn: { revoke: true, reason: 'privilegeWithdrawn', code: 9 },
  certificateHold: {
    revoke: false,
    why: 'a hold only suspends the key and can be lifted; Clavis never writes certificateHold on a CRL, so this certificate stays valid (revoke the key with another reason to revoke it)',
  },
};

const ROOT_WHY = 'a root certificate is not on any CRL; remove it from trust stores instead';

/** The certificates of `keyIds` with what `reason` does to each (nothing written). */
async function plan(ctx: EngineContext, keyIds: readonly string[], reason: RevocationReason): Promise<Array<{ rec: CertRecord; out: CertificatePreview }>> {
  const rule = CERTIFICATE_REASON_RULES[reason];
  const out: Array<{ rec: CertRecord; out: CertificatePreview }> = [];
  const seen = new Set<string>();
  for (const keyId of keyIds) {
    const key = await ctx.storage.getKeyInfo(keyId);
    if (!key || key.fingerprint.kind !== 'spki-sha256') continue;
    for (const rec of await ctx.storage.listCertsBySpki(key.fingerprint.value)) {
      if (seen.has(rec.id)) continue;
      seen.add(rec.id);
      if (await ctx.storage.getRevocation(rec.issuerId, rec.serialHex)) continue;
      const base = { certId: rec.id, keyId: key.id, subject: rec.subject, issuerId: rec.issuerId, serialHex: rec.serialHex };
      if (rec.profile === 'root-ca') out.push({ rec, out: { ...base, reason, revoked: false, why: ROOT_WHY } });
      else if (!rule.revoke) out.push({ rec, out: { ...base, reason, revoked: false, why: rule.why } });
      else out.push({ rec, out: { ...base, reason: rule.reason, revoked: true } });
    }
  }
  return out;
}

/**
 * What revoking `keyIds` for `reason` will do to their unrevoked certificates, for the
 * revoke dialog: `revoked: true` means it will be revoked with `reason`.
 * @throws INVALID_ARGUMENT (unknown reason)
 */
export async function previewCertificateCascade(ctx: EngineContext, keyIds: readonly string[], reason: RevocationReason): Promise<CertificatePreview[]> {
  if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason');
  return (await plan(ctx, keyIds, reason)).map((p) => p.out);
}

/** The revocation records and audit drafts of a planned cascade (one entry per certificate). */
function cascadeStep(ctx: EngineContext, planned: Array<{ rec: CertRecord; out: CertificatePreview }>, opts: { invalidityDate?: number }): CertificateCascadeStep {
  const now = Math.floor(ctx.clock.now() / 1000) * 1000;
  const step: CertificateCascadeStep = { revocations: [], drafts: [] };
  for (const { rec, out } of planned) {
    if (!out.revoked) continue;
    const code = out.reason === 'unspecified' ? 0 : REVOCATION_REASONS[out.reason].crlCode;
    const rev: RevocationRecord = {
      id: `${rec.issuerId}:${rec.serialHex}`,
      issuerId: rec.issuerId,
      serialHex: rec.serialHex,
      certId: rec.id,
      reason: code,
      revokedAt: new Date(now).toISOString(),
      spkiSha256: rec.spkiSha256,
      certNotAfter: rec.notAfter,
    };
    if (code === 1 && opts.invalidityDate !== undefined) rev.invalidityDate = new Date(Math.floor(Math.min(opts.invalidityDate, now) / 1000) * 1000).toISOString();
    step.revocations.push(rev);
    const details: AuditDraft['details'] = { issuerId: rec.issuerId, serial: rec.serialHex, reason: out.reason, spkiSha256: rec.spkiSha256, sha256: rec.sha256, keyId: out.keyId };
    if (rev.invalidityDate) details.invalidityDate = rev.invalidityDate;
    step.drafts.push(auditDraft(ctx, 'cert.revoke', [rec.id], details, 'cascade'));
  }
  return step;
}

const publicOutcome = (p: CertificatePreview): CertificateCascade => {
  const { subject: _s, issuerId: _i, serialHex: _n, ...rest } = p;
  return rest;
};

/** One CRL per CA that revoked something; a CA that cannot sign now stays stale for the scheduler. */
async function publishAffected(loadPki: () => Promise<Pki>, revocations: readonly RevocationRecord[]): Promise<void> {
  const cas = [...new Set(revocations.map((r) => r.issuerId))];
  if (cas.length === 0) return;
  const pki = await loadPki();
  for (const caId of cas) {
    try {
      await pki.publishCrl(caId, { onlyIfStale: true });
    } catch {
      // The revocations are stored and the CA shows as stale: `crlsDue` lists it.
    }
  }
}

/**
 * Revokes a key (lifecycle) and its certificates (CA) in ONE transaction, then publishes
 * one CRL per affected CA. A compromise of a key that is already compromised is not
 * refused while some of its certificates are still unrevoked (a cascade interrupted before
 * issue 14's fix, or revoked elsewhere since): those are revoked now.
 * @throws KEY_STATE (the key's state forbids the revocation and nothing is left to do), KEY_NOT_FOUND
 */
export async function revokeKeyWithCertificates(
  ctx: EngineContext,
  loadPki: () => Promise<Pki>,
  id: string,
  reason: RevocationReason,
  opts: RevokeKeyOptions = {},
): Promise<KeyInfo & { certificates: CertificateCascade[] }> {
  const invalidity = opts.compromiseOccurredAt !== undefined ? { invalidityDate: opts.compromiseOccurredAt } : {};
  let outcomes: CertificatePreview[] = [];
  let step: CertificateCascadeStep = { revocations: [], drafts: [] };
  const cascade = async (keyIds: readonly string[]) => {
    const planned = await plan(ctx, keyIds, reason);
    outcomes = planned.map((p) => p.out);
    step = cascadeStep(ctx, planned, invalidity);
    return step;
  };
  let info: KeyInfo;
  try {
    info = await revokeKeyRecord(ctx, id, reason, opts, cascade);
  } catch (e) {
    if (!isEngineError(e, 'KEY_STATE') || !REVOCATION_REASONS[reason]?.compromise) throw e;
    const key = await getKeyInfo(ctx, id);
    if (key.state !== 'compromised' && key.state !== 'destroyed-compromised') throw e;
    // Finishing an earlier compromise: only the certificates are left to revoke.
    info = await withAudit(ctx, async () => {
      const s = await cascade([id]);
      if (s.revocations.length === 0) throw e;
      return { drafts: s.drafts, commit: async (audit) => (await ctx.storage.commitAudited({ ...audit, addRevocations: s.revocations }), key) };
    });
  }
  await publishAffected(loadPki, step.revocations);
  return { ...info, certificates: outcomes.map(publicOutcome) };
}

/** Revokes a principal, its keys and their certificates in ONE transaction, then one CRL per affected CA. */
export async function revokePrincipalWithCertificates(
  ctx: EngineContext,
  loadPki: () => Promise<Pki>,
  owner: string,
  reason: RevocationReason,
): Promise<PrincipalRevocation & { certificates: CertificateCascade[] }> {
  let outcomes: CertificatePreview[] = [];
  let step: CertificateCascadeStep = { revocations: [], drafts: [] };
  const out = await revokePrincipalRecord(ctx, owner, reason, async (keyIds) => {
    const planned = await plan(ctx, keyIds, reason);
    outcomes = planned.map((p) => p.out);
    step = cascadeStep(ctx, planned, {});
    return step;
  });
  await publishAffected(loadPki, step.revocations);
  return { ...out, certificates: outcomes.map(publicOutcome) };
}
