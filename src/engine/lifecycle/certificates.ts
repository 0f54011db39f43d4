/**
 * K8: when keys are revoked in the lifecycle (one key, or every key of a principal), the
 * certificates that certify them are revoked at their CAs too: for a compromise with
 * keyCompromise, otherwise with the same reason. The pure plan is `certificatesToRevoke`
 * (revocation.ts); this runs it against the store and the CA. The CA module is loaded
 * only when some certificate is affected.
 */
import type { EngineContext } from '../keys/context';
import type { Pki, RevocationReason as CertReason } from '../pki';
import { certificatesToRevoke, type RevocationReason } from './revocation';

/** What happened to one certificate of a revoked key. */
export interface CertificateCascade {
  certId: string;
  keyId: string;
  reason: RevocationReason;
  revoked: boolean;
  /** Why it was not revoked (a root, a reason with no CRL use, the CA refused). */
  why?: string;
}

/** Reasons the CA writes on its CRLs (RFC 5280 §5.3.1, less unspecified and hold). */
const CRL_REASONS: ReadonlySet<string> = new Set<CertReason>(['keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'privilegeWithdrawn']);

/**
 * Revokes the unrevoked certificates of `keyIds` for `reason`. Each certificate is its own
 * CA transaction (revocation, audit entry, CRL); one refusal does not stop the others.
 */
export async function revokeCertificatesOfKeys(
  ctx: EngineContext,
  loadPki: () => Promise<Pki>,
  keyIds: readonly string[],
  reason: RevocationReason,
  opts: { invalidityDate?: number } = {},
): Promise<CertificateCascade[]> {
  const planned: Array<{ certId: string; keyId: string; revoked: boolean; root: boolean }> = [];
  for (const keyId of keyIds) {
    const key = await ctx.storage.getKeyInfo(keyId);
    if (!key || key.fingerprint.kind !== 'spki-sha256') continue;
    for (const cert of await ctx.storage.listCertsBySpki(key.fingerprint.value)) {
      const revoked = (await ctx.storage.getRevocation(cert.issuerId, cert.serialHex)) !== undefined;
      planned.push({ certId: cert.id, keyId, revoked, root: cert.profile === 'root-ca' });
    }
  }
  const todo = certificatesToRevoke(keyIds, reason, planned);
  if (todo.length === 0) return [];
  const pki = await loadPki();
  const out: CertificateCascade[] = [];
  for (const c of todo) {
    // A compromised CA key is revoked on its parent's CRL as keyCompromise (Clavis's CRLs carry no cACompromise).
    const certReason = c.reason === 'cACompromise' ? 'keyCompromise' : c.reason;
    if (planned.find((p) => p.certId === c.certId)?.root) {
      out.push({ ...c, revoked: false, why: 'a root certificate is not on any CRL; remove it from trust stores instead' });
      continue;
    }
    if (!CRL_REASONS.has(certReason)) {
      out.push({ ...c, revoked: false, why: `${c.reason} is not a reason Clavis writes on a CRL` });
      continue;
    }
    try {
      const invalidity = certReason === 'keyCompromise' && opts.invalidityDate !== undefined ? { invalidityDate: new Date(opts.invalidityDate) } : {};
      await pki.revokeCertificate(c.certId, { reason: certReason as CertReason, ...invalidity });
      out.push({ ...c, reason: certReason, revoked: true });
    } catch (e) {
      out.push({ ...c, revoked: false, why: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
