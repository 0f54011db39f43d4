// KDC principals (C1): register, list, suspend, revoke and reinstate users and services.
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, KeyStateError } from '../errors';
import type { PrincipalId } from '../ids';
import * as lifecycle from '../lifecycle/engine';
import { isRevocationReason, type RevocationReason } from '../lifecycle/revocation';
import { isoAt } from '../lifecycle/transition';
import type { KdcPrincipalRecord } from '../storage/schema';
import { cleanName, toInfo, type KdcContext } from './context';
import * as kc from './crypto';
import type { KdcPrincipalInfo } from './types';

/** The principal verbs of a KDC. */
export function createPrincipals(k: KdcContext) {
  const { ctx, master, principalRecord, info, commit } = k;

  async function registerPrincipal(p: { name: string; kind: 'user' | 'service' }): Promise<KdcPrincipalInfo> {
    const name = cleanName(p?.name);
    if (p.kind !== 'user' && p.kind !== 'service') throw new EngineError('INVALID_ARGUMENT', 'kdc: a principal is a user or a service');
    if (await ctx.storage.getKdcPrincipal(name)) throw new EngineError('INVALID_ARGUMENT', `kdc: a principal named ${name} is already registered`);
    const { wrapped, principalKey, kcv } = await kc.newLongTermKey(ctx, await master());
    const rec: KdcPrincipalRecord = { name, kind: p.kind, status: 'active', kvno: 1, wrappedKey: wrapped, kcv, createdAt: isoAt(ctx.clock.now()) };
    await commit(() => [auditDraft(ctx, 'kdc.principal.register', [], { principal: { name }, kind: p.kind, kvno: 1, kcv }, 'kdc')], {
      addPrincipals: [rec],
      putPrincipalKeys: [{ name, kvno: 1, key: principalKey }],
    });
    return info(rec);
  }

  async function listPrincipals(): Promise<KdcPrincipalInfo[]> {
    const [all, owners] = await Promise.all([ctx.storage.listKdcPrincipals(), ctx.storage.listPrincipals()]);
    const revoked = new Set(owners.filter((o) => o.revoked).map((o) => o.id));
    return all.map((p) => toInfo(p, revoked.has(p.name))).sort((a, b) => a.name.localeCompare(b.name));
  }

  async function setStatus(name: string, status: KdcPrincipalRecord['status'], reason: string | undefined, action: string, revokeKeys: boolean): Promise<KdcPrincipalInfo> {
    const now = isoAt(ctx.clock.now());
    let updated: KdcPrincipalRecord | undefined;
    await withAudit(ctx, async () => {
      const p = await principalRecord(name);
      updated = { ...p, status, statusAt: now };
      if (reason !== undefined) updated.reason = reason;
      else delete updated.reason;
      const keys = revokeKeys ? (await ctx.storage.listKdcKeysOf(name)).filter((k) => !k.revoked) : [];
      const putKeys = keys.map((k) => ({ ...k, revoked: true, revokedAt: now, reason: reason ?? 'unspecified' }));
      const drafts = [
        auditDraft(ctx, action, [], { principal: { name }, status, ...(reason !== undefined ? { reason } : {}), keys: putKeys.length }, 'kdc'),
        ...putKeys.map((k) => auditDraft(ctx, 'kdc.key.revoke', [k.id], { keyId: k.id, parties: k.parties.map((n) => ({ name: n })), reason: k.reason ?? 'unspecified', cascade: true }, 'kdc')),
      ];
      return { drafts, commit: (audit) => ctx.storage.commitKdc({ ...audit, putPrincipals: [updated!], putKeys }) };
    });
    return info(updated!);
  }

  async function suspendPrincipal(nameIn: PrincipalId, reason?: string): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    const p = await principalRecord(name);
    if (p.status !== 'active') throw new KeyStateError(`kdc: ${name} is ${p.status}; only an active principal can be suspended`);
    return setStatus(name, 'suspended', reason?.trim() || 'suspended', 'kdc.principal.suspend', false);
  }

  async function revokePrincipal(nameIn: PrincipalId, reason: RevocationReason): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown revocation reason');
    const p = await principalRecord(name);
    if (p.status === 'revoked') throw new KeyStateError(`kdc: ${name} is already revoked`);
    // The lifecycle's principal revocation (B5): its vault keys cascade, and B refuses its
    // tickets even before the KDC record below is written (fail closed).
    const owner = await ctx.storage.getPrincipal(name);
    if (!owner?.revoked) await lifecycle.revokePrincipal(ctx, name, reason);
    return setStatus(name, 'revoked', reason, 'kdc.principal.revoke', true);
  }

  async function reinstatePrincipal(nameIn: PrincipalId): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    const p = await principalRecord(name);
    if (p.status === 'active') throw new KeyStateError(`kdc: ${name} is active; nothing to reinstate`);
    const owner = await ctx.storage.getPrincipal(name);
    if (owner?.revoked) await lifecycle.reinstatePrincipal(ctx, name);
    return setStatus(name, 'active', undefined, 'kdc.principal.reinstate', false);
  }

  return { registerPrincipal, listPrincipals, suspendPrincipal, revokePrincipal, reinstatePrincipal };
}
