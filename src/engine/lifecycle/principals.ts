// Revoked keys and principals (B5): list revocations, revoke and reinstate an owner, list owners.
import { auditDraft, withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, KeyStateError } from '../errors';
import type { EngineContext } from '../keys/context';
import { cleanLabel } from '../keys/vault';
import type { PrincipalRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import { advance } from './dates';
import {
  applyPlannedTransition,
  isRevocationReason,
  planPrincipalRevocation,
  type PlannedTransition,
  type RevocationReason,
  type UnchangedKey,
} from './revocation';
import { isDestroyedState, type LifecycleEvent } from './states';
import { isoAt } from './transition';
import { newEvents, transitionDraft, transitionTime, type PrepareCascade } from './key-events';

/** A revoked key with the revocation that took it out of use. */
export interface RevokedKey {
  key: KeyInfo;
  reason: RevocationReason;
  /** ISO 8601. */
  revokedAt: string;
  cause: LifecycleEvent['cause'];
}

/** Keys revoked (by an operator or a cascade), newest revocation first, with reasons and dates. */
export async function listRevokedKeys(ctx: EngineContext): Promise<RevokedKey[]> {
  const out: RevokedKey[] = [];
  for (const key of await ctx.storage.listKeyInfos()) {
    const e = [...key.history].reverse().find((x) => isRevocationReason(x.reason));
    if (e) out.push({ key, reason: e.reason as RevocationReason, revokedAt: e.at, cause: e.cause });
  }
  return out.sort((a, b) => Date.parse(b.revokedAt) - Date.parse(a.revokedAt));
}

/** A principal (key owner) with its revocation status and how many keys it owns. */
export interface PrincipalInfo extends PrincipalRecord {
  keyCount: number;
}

/** What `revokePrincipal` did. */
export interface PrincipalRevocation {
  principal: PrincipalRecord;
  transitions: PlannedTransition[];
  unchanged: UnchangedKey[];
}

/**
 * Revokes a principal (an owner): records it as revoked, moves every key it owns per
 * `planPrincipalRevocation` (cause cascade; never-used keys are destroyed and shredded),
 * all in one transaction with one audit entry per change. New keys for it (generate,
 * import, unwrap, derive, rotate) then fail with KEY_STATE until `reinstatePrincipal`.
 * Certificates of its keys are the CA's to revoke (`certificatesToRevoke`).
 * @throws INVALID_ARGUMENT (empty owner, unknown reason), KEY_STATE (already revoked)
 */
export async function revokePrincipal(ctx: EngineContext, owner: string, reason: RevocationReason, cascade?: PrepareCascade): Promise<PrincipalRevocation> {
  const id = cleanLabel(owner, 'owner', true);
  if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason');
  return withAudit(ctx, async () => {
    const existing = await ctx.storage.getPrincipal(id);
    if (existing?.revoked) throw new KeyStateError(`keys: the owner was already revoked on ${existing.revokedAt ?? 'an earlier date'}`);
    const now = ctx.clock.now();
    const keys = await ctx.storage.listKeysByOwner(id);
    const clocked = new Map<string, KeyInfo>(keys.map((k) => [k.id, advance(k, now).record]));
    const plan = planPrincipalRevocation([...clocked.values()].map((record) => ({ keyId: record.id, record })), reason);
    for (const t of plan.transitions) {
      const rec = clocked.get(t.keyId)!;
      clocked.set(t.keyId, applyPlannedTransition(rec, t, transitionTime(rec, now)));
    }
    const principal: PrincipalRecord = { ...existing, id, revoked: true, reason, revokedAt: isoAt(now) };
    const drafts: AuditDraft[] = [auditDraft(ctx, 'principal.revoke', [], { principal: { name: id }, reason, keys: keys.length })];
    const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
    const deleteMaterial: string[] = [];
    for (const before of keys) {
      const after = clocked.get(before.id)!;
      const events = newEvents(before, after);
      if (events.length === 0) continue;
      putKeys.push({ info: after, before });
      drafts.push(...events.map((e) => transitionDraft(ctx, after, e)));
      if (isDestroyedState(after.state) && !isDestroyedState(before.state)) deleteMaterial.push(after.id);
    }
    const certs = cascade ? await cascade(plan.transitions.map((t) => t.keyId)) : undefined;
    if (certs) drafts.push(...certs.drafts);
    return {
      drafts,
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, putKeys, deleteMaterial, putPrincipals: [principal], ...(certs?.revocations.length ? { addRevocations: certs.revocations } : {}) });
        return { principal, transitions: plan.transitions, unchanged: plan.unchanged };
      },
    };
  });
}

/** Lifts a principal's revocation: new keys may be created for it again (its keys stay as they are). @throws KEY_STATE when not revoked */
export async function reinstatePrincipal(ctx: EngineContext, owner: string): Promise<PrincipalRecord> {
  const id = cleanLabel(owner, 'owner', true);
  return withAudit(ctx, async () => {
    const existing = await ctx.storage.getPrincipal(id);
    if (!existing?.revoked) throw new KeyStateError('keys: the owner is not revoked');
    const principal: PrincipalRecord = { ...existing, revoked: false, reinstatedAt: isoAt(ctx.clock.now()) };
    return {
      drafts: [auditDraft(ctx, 'principal.reinstate', [], { principal: { name: id } })],
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, putPrincipals: [principal] });
        return principal;
      },
    };
  });
}

/** Every owner of a key, and every principal ever revoked, by name. */
export async function listPrincipals(ctx: EngineContext): Promise<PrincipalInfo[]> {
  const [keys, records] = await Promise.all([ctx.storage.listKeyInfos(), ctx.storage.listPrincipals()]);
  const out = new Map<string, PrincipalInfo>();
  for (const r of records) out.set(r.id, { ...r, keyCount: 0 });
  for (const k of keys) {
    if (k.owner === '') continue;
    const p = out.get(k.owner) ?? { id: k.owner, revoked: false, keyCount: 0 };
    p.keyCount++;
    out.set(k.owner, p);
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}
