// Revocation (E6): one certificate, or a selection revoked as one act, then the issuers' CRLs rebuilt from the store.
import type { CaId, CertId, KeyId } from '../ids';
import type { AuditDraft } from '../audit/chain';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, toErrorInfo } from '../errors';
import { wholeSeconds } from '../internal/time';
import type { EngineContext } from '../keys/context';
import { prepareCompromise } from '../lifecycle/engine';
import type { CertRecord, RevocationRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import { certInfo, getRecord, vaultKeysOf } from './certs-view';
import { REASON_NAMES, REVOCATION_REASONS, publishCrl, rebuildStaleCrls, type RevocationReason } from './crl';
import type { CertInfo, CrlInfo } from './types';

/** Revoke a certificate (E6). */
export interface RevokeParams {
  reason: RevocationReason;
  /** When the key is known or suspected to have been compromised (not after now). */
  invalidityDate?: Date;
}

/**
 * The certificates a bulk revocation takes: a selection; every unexpired certificate a CA
 * issued except its sub-CA certificates (`caId`); or every unexpired certificate of a vault
 * key's public key, at every CA, including a CA certificate when the key is a CA key (`keyId`).
 */
export type RevokeSelection = { certIds: readonly CertId[] } | { caId: CaId } | { keyId: KeyId };

/** What a bulk revocation did. */
export interface BulkRevocation {
  revoked: CertInfo[];
  skipped: Array<{ certId: CertId; why: string }>;
  /** The CRLs published, one per CA that revoked something. */
  crls: CrlInfo[];
  crlErrors: Array<{ caId: CaId; code: string; message: string }>;
}

/** What revoking one certificate did: the CRL rebuilt, or why it could not be now. */
export interface SingleRevocation {
  cert: CertInfo;
  crl?: CrlInfo;
  crlError?: { code: string; message: string };
}

/** The revocation record of a certificate (dates in whole seconds). */
function revocationRecord(rec: CertRecord, reason: number, now: Date, invalidityDate: string | undefined): RevocationRecord {
  const rev: RevocationRecord = {
    id: `${rec.issuerId}:${rec.serialHex}`,
    issuerId: rec.issuerId,
    serialHex: rec.serialHex,
    certId: rec.id,
    reason,
    revokedAt: now.toISOString(),
    spkiSha256: rec.spkiSha256,
    certNotAfter: rec.notAfter,
  };
  if (invalidityDate !== undefined) rev.invalidityDate = invalidityDate;
  return rev;
}

/** The audit details of one certificate revocation (identifiers and reason; no key material). */
function revocationDetails(rec: CertRecord, rev: RevocationRecord): AuditDraft['details'] {
  const details: AuditDraft['details'] = {
    issuerId: rec.issuerId,
    serial: rec.serialHex,
    reason: REASON_NAMES[rev.reason] ?? String(rev.reason),
    spkiSha256: rec.spkiSha256,
    sha256: rec.sha256,
  };
  if (rev.invalidityDate) details.invalidityDate = rev.invalidityDate;
  return details;
}

function reasonCode(reason: unknown): number {
  if (typeof reason !== 'string' || !Object.hasOwn(REVOCATION_REASONS, reason)) {
    throw new EngineError('INVALID_ARGUMENT', `pki: the reason must be one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
  }
  return REVOCATION_REASONS[reason as RevocationReason];
}

/** The reason code, the revocation time and the invalidity date (ISO) of a revocation request. @throws INVALID_ARGUMENT */
function readParams(ctx: EngineContext, p: RevokeParams): { reason: number; now: Date; invalidityDate: string | undefined } {
  const reason = reasonCode(p?.reason);
  const now = wholeSeconds(ctx.clock.now());
  let invalidityDate: string | undefined;
  if (p.invalidityDate !== undefined) {
    const d = wholeSeconds(p.invalidityDate);
    if (!Number.isFinite(d.getTime()) || d.getTime() > now.getTime()) throw new EngineError('INVALID_ARGUMENT', 'pki: the invalidity date must be a date not in the future');
    invalidityDate = d.toISOString();
  }
  return { reason, now, invalidityDate };
}

/** Every vault key id by SPKI SHA-256 (one read for a bulk revocation). */
async function vaultKeysBySpki(ctx: EngineContext): Promise<Map<string, string[]>> {
  const m = new Map<string, string[]>();
  for (const k of await ctx.storage.listKeyInfos()) {
    if (k.fingerprint.kind !== 'spki-sha256') continue;
    m.set(k.fingerprint.value, [...(m.get(k.fingerprint.value) ?? []), k.id]);
  }
  return m;
}

/** Why a sweep leaves a sub-CA certificate alone (issue 15). */
const SUB_CA_WHY = 'an intermediate CA certificate: revoke it by selection, which also ends every certificate under it';

/**
 * Why a sweep (every certificate of a CA or of a key, issue 15) leaves a certificate
 * alone before it is even considered; undefined when it is in scope. A sweep takes only
 * certificates still worth revoking: expired ones fall off CRLs anyway (R6 "tidy"), and
 * "by CA" stops at its own leaves, so one click on a CA never ends the CAs below it.
 */
function sweepSkip(ctx: EngineContext, rec: CertRecord, scope: 'ca' | 'key'): string | undefined {
  if (ctx.clock.now() >= Date.parse(rec.notAfter)) return 'expired';
  if (scope === 'ca' && rec.profile === 'sub-ca') return SUB_CA_WHY;
  return undefined;
}

/** What a selection names: the records to consider, and those a sweep left out with why. */
interface Selected {
  records: CertRecord[];
  skipped: BulkRevocation['skipped'];
}

/** Splits a sweep's records into those in scope and those it leaves alone. */
function sweep(ctx: EngineContext, recs: readonly CertRecord[], scope: 'ca' | 'key'): Selected {
  const out: Selected = { records: [], skipped: [] };
  for (const rec of recs) {
    const why = sweepSkip(ctx, rec, scope);
    if (why) out.skipped.push({ certId: rec.id, why });
    else out.records.push(rec);
  }
  return out;
}

/** The certificate records a bulk revocation names. @throws INVALID_ARGUMENT (unknown certificate or CA), KEY_NOT_FOUND */
async function selectCertificates(ctx: EngineContext, sel: RevokeSelection): Promise<Selected> {
  if (sel && 'certIds' in sel && Array.isArray(sel.certIds)) {
    const out: CertRecord[] = [];
    for (const id of new Set(sel.certIds)) out.push(await getRecord(ctx, id));
    return { records: out, skipped: [] };
  }
  if (sel && 'caId' in sel && typeof sel.caId === 'string') {
    if (!(await ctx.storage.getCa(sel.caId))) throw new EngineError('INVALID_ARGUMENT', 'pki: no CA with that id');
    return sweep(ctx, (await ctx.storage.listCerts(sel.caId)).filter((c) => c.issuerId === sel.caId), 'ca');
  }
  if (sel && 'keyId' in sel && typeof sel.keyId === 'string') {
    const key = await ctx.storage.getKeyInfo(sel.keyId);
    if (!key) throw new EngineError('KEY_NOT_FOUND', 'pki: no vault key with that id');
    // A secret key certifies nothing: an empty sweep, not an error.
    return sweep(ctx, key.fingerprint.kind === 'spki-sha256' ? await ctx.storage.listCertsBySpki(key.fingerprint.value) : [], 'key');
  }
  throw new EngineError('INVALID_ARGUMENT', 'pki: name the certificates to revoke: certIds, caId or keyId');
}

/**
 * Revokes a certificate and rebuilds its issuer's CRL. The revocation is stored first;
 * if the CRL cannot be rebuilt now, `crlError` says why and the next rebuild includes it.
 * @throws CERT_REVOKED (already), INVALID_ARGUMENT
 */
export async function revokeCertificate(ctx: EngineContext, id: string, p: RevokeParams): Promise<SingleRevocation> {
  const rec = await getRecord(ctx, id);
  if (rec.profile === 'root-ca') throw new EngineError('INVALID_ARGUMENT', 'pki: a root cannot be revoked on a CRL; remove it from the trust store instead');
  const { reason, now, invalidityDate } = readParams(ctx, p);
  const rev = revocationRecord(rec, reason, now, invalidityDate);
  // Persist the revocation first: the CRL is derived from the store (R6). The
  // revocation, its audit entry and (for keyCompromise) the certified vault keys'
  // move to compromised are ONE transaction (A4, K8).
  await withAudit(ctx, async () => {
    const drafts = [auditDraft(ctx, 'cert.revoke', [rec.id], revocationDetails(rec, rev))];
    const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
    if (reason === REVOCATION_REASONS.keyCompromise) {
      for (const keyId of await vaultKeysOf(ctx, rec)) {
        const change = await prepareCompromise(ctx, keyId, rev.invalidityDate ? { compromiseOccurredAt: Date.parse(rev.invalidityDate) } : {});
        if (!change) continue;
        putKeys.push({ info: change.after, before: change.before });
        drafts.push(...change.drafts);
      }
    }
    return { drafts, commit: (audit) => ctx.storage.commitRevocation({ rev, audit, putKeys }) };
  });
  const cert = certInfo(ctx, rec, rev);
  try {
    return { cert, crl: await publishCrl(ctx, rec.issuerId, { onlyIfStale: true }) };
  } catch (e) {
    return { cert, crlError: toErrorInfo(e) };
  } finally {
    // Any other CA left stale (a tab closed mid-way) catches up on every revocation.
    await rebuildStaleCrls(ctx, [rec.issuerId]);
  }
}

/**
 * Revokes many certificates as ONE act (E6): every revocation and its audit entry (and,
 * for keyCompromise, the certified vault keys' move to compromised) in one transaction,
 * then one CRL per issuing CA. Roots and certificates already revoked are skipped and
 * listed with why; so are, in a sweep (`caId`, `keyId`), expired certificates and (by CA)
 * sub-CA certificates. A selection with nothing left to revoke writes nothing and returns
 * `revoked: []` and `crls: []`. `crlErrors` names CAs whose CRL could not be rebuilt now.
 * @throws INVALID_ARGUMENT (unknown certificate, CA or reason), KEY_NOT_FOUND (unknown key), STORAGE
 */
export async function revokeCertificates(ctx: EngineContext, selection: RevokeSelection, p: RevokeParams): Promise<BulkRevocation> {
  const { reason, now, invalidityDate } = readParams(ctx, p);
  const { records, skipped: leftOut } = await selectCertificates(ctx, selection);
  const skipped: BulkRevocation['skipped'] = [];
  const revoked: CertInfo[] = [];
  const affected = new Set<CaId>();
  await withAudit(ctx, async () => {
    skipped.splice(0, skipped.length, ...leftOut);
    revoked.length = 0;
    affected.clear();
    const revs: RevocationRecord[] = [];
    const drafts: AuditDraft[] = [];
    for (const rec of records) {
      if (rec.profile === 'root-ca') {
        skipped.push({ certId: rec.id, why: 'a root certificate is not on any CRL; remove it from trust stores instead' });
        continue;
      }
      if (await ctx.storage.getRevocation(rec.issuerId, rec.serialHex)) {
        skipped.push({ certId: rec.id, why: 'already revoked' });
        continue;
      }
      const rev = revocationRecord(rec, reason, now, invalidityDate);
      revs.push(rev);
      revoked.push(certInfo(ctx, rec, rev));
      affected.add(rec.issuerId);
      drafts.push(auditDraft(ctx, 'cert.revoke', [rec.id], revocationDetails(rec, rev)));
    }
    const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
    if (reason === REVOCATION_REASONS.keyCompromise && revs.length) {
      const keyIds = new Set<string>();
      const bySpki = await vaultKeysBySpki(ctx);
      for (const rec of records) if (revs.some((r) => r.certId === rec.id)) for (const id of bySpki.get(rec.spkiSha256) ?? []) keyIds.add(id);
      for (const keyId of keyIds) {
        const change = await prepareCompromise(ctx, keyId, invalidityDate ? { compromiseOccurredAt: Date.parse(invalidityDate) } : {});
        if (!change) continue;
        putKeys.push({ info: change.after, before: change.before });
        drafts.push(...change.drafts);
      }
    }
    return { drafts, commit: (audit) => (revs.length ? ctx.storage.commitAudited({ ...audit, addRevocations: revs, putKeys }) : Promise.resolve()) };
  });
  const out: BulkRevocation = { revoked, skipped, crls: [], crlErrors: [] };
  for (const caId of affected) {
    try {
      out.crls.push(await publishCrl(ctx, caId, { onlyIfStale: true }));
    } catch (e) {
      out.crlErrors.push({ caId, ...toErrorInfo(e) });
    }
  }
  if (affected.size) await rebuildStaleCrls(ctx, [...affected]);
  return out;
}
