// Distributed keys: verify a holder's copy against the KDC's record (C3), list them, revoke them (C4).
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, KeyStateError } from '../errors';
import type { KdcKeyId, PrincipalId } from '../ids';
import { equalBytes, utf8 } from '../internal/bytes';
import { isRevocationReason, type RevocationReason } from '../lifecycle/revocation';
import { isoAt } from '../lifecycle/transition';
import type { KdcKeyRecord } from '../storage/schema';
import { cleanName, keyInfo, type KdcContext } from './context';
import * as kc from './crypto';
import type { DistributedKeyInfo, RevokedDistributedKey, VerifyKeyResult } from './types';

/** The distributed-key verbs of a KDC. */
export function createRevocation(k: KdcContext) {
  const { ctx, master, heldKey } = k;

  async function verifyDistributedKey(keyId: KdcKeyId, holderIn: PrincipalId): Promise<VerifyKeyResult> {
    const holder = cleanName(holderIn, 'holder');
    const rec = await ctx.storage.getKdcKey(keyId);
    if (!rec) throw new EngineError('KEY_NOT_FOUND', 'kdc: no such distributed key');
    const held = await heldKey(keyId, holder);
    const kdcCopy = await kc.unwrapRecord(ctx, await master(), rec.wrappedKey);
    const [holderKcv, kdcKcv] = await Promise.all([kc.kcvOf(ctx, held.key), kc.kcvOf(ctx, kdcCopy)]);
    return { keyId, holder, match: equalBytes(utf8(holderKcv), utf8(kdcKcv)) && kdcKcv === rec.kcv, holderKcv, kdcKcv, revoked: rec.revoked };
  }

  async function listDistributedKeys(): Promise<DistributedKeyInfo[]> {
    return (await ctx.storage.listKdcKeys()).map(keyInfo).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt) || a.id.localeCompare(b.id));
  }

  async function revokeDistributedKey(id: KdcKeyId, reason: RevocationReason): Promise<DistributedKeyInfo> {
    if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown revocation reason');
    let out: KdcKeyRecord | undefined;
    await withAudit(ctx, async () => {
      const rec = await ctx.storage.getKdcKey(id);
      if (!rec) throw new EngineError('KEY_NOT_FOUND', 'kdc: no such distributed key');
      if (rec.revoked) throw new KeyStateError(`kdc: the key ${id} was already revoked on ${rec.revokedAt ?? 'an earlier date'}`);
      out = { ...rec, revoked: true, revokedAt: isoAt(ctx.clock.now()), reason };
      return {
        drafts: [auditDraft(ctx, 'kdc.key.revoke', [id], { keyId: id, parties: rec.parties.map((n) => ({ name: n })), reason }, 'kdc')],
        commit: (audit) => ctx.storage.commitKdc({ ...audit, putKeys: [out!] }),
      };
    });
    return keyInfo(out!);
  }

  async function revokeKeysOf(principalIn: PrincipalId, reason: RevocationReason): Promise<DistributedKeyInfo[]> {
    const name = cleanName(principalIn);
    if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown revocation reason');
    let out: KdcKeyRecord[] = [];
    await withAudit(ctx, async () => {
      const now = isoAt(ctx.clock.now());
      out = (await ctx.storage.listKdcKeysOf(name)).filter((k) => !k.revoked).map((k) => ({ ...k, revoked: true, revokedAt: now, reason }));
      return {
        drafts: out.map((k) => auditDraft(ctx, 'kdc.key.revoke', [k.id], { keyId: k.id, parties: k.parties.map((n) => ({ name: n })), reason, principal: { name } }, 'kdc')),
        commit: (audit) => ctx.storage.commitKdc({ ...audit, putKeys: out }),
      };
    });
    return out.map(keyInfo);
  }

  async function listRevokedKeys(): Promise<RevokedDistributedKey[]> {
    return (await ctx.storage.listKdcKeys())
      .filter((k) => k.revoked)
      .map((k) => ({ id: k.id, parties: [...k.parties], reason: k.reason ?? 'unspecified', revokedAt: k.revokedAt ?? '' }))
      .sort((a, b) => b.revokedAt.localeCompare(a.revokedAt));
  }

  return { verifyDistributedKey, listDistributedKeys, revokeDistributedKey, revokeKeysOf, listRevokedKeys };
}
