// Operator transitions of one key (B1, B5, B6): activate, suspend, resume, deactivate, revoke, compromise, destroy, dates.
import { auditDraft, withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, KeyStateError } from '../errors';
import type { EngineContext } from '../keys/context';
import { cleanLabel, getKeyInfo } from '../keys/vault';
import type { KeyInfo, KeyState } from '../types';
import { advance } from './dates';
import { isRevocationReason, revokeKey as revokeRecord, type RevocationReason } from './revocation';
import { isDestroyedState } from './states';
import { assertDateOrder, isoAt, msOf, transition, type ScheduledDates } from './transition';
import { newEvents, transitionDraft, transitionTime, type PrepareCascade } from './key-events';

/** Options of `changeKey`. */
interface ChangeOptions {
  /** More audit drafts, after the transitions' ones. */
  extra?: (after: KeyInfo) => AuditDraft[];
  /** Certificate revocations committed with the change. */
  cascade?: PrepareCascade;
}

/**
 * Applies due clock transitions, then `apply`, to one key, and stores the result with
 * one audit entry per transition; entering a destroyed state deletes the material in
 * the same transaction (crypto-shredding).
 */
async function changeKey(ctx: EngineContext, id: string, apply: (current: KeyInfo, at: number) => KeyInfo, opts: ChangeOptions = {}): Promise<KeyInfo> {
  return withAudit(ctx, async () => {
    const before = await getKeyInfo(ctx, id);
    const now = ctx.clock.now();
    const clocked = advance(before, now).record;
    const after = apply(clocked, transitionTime(clocked, now));
    const drafts = newEvents(before, after).map((e) => transitionDraft(ctx, after, e));
    drafts.push(...(opts.extra?.(after) ?? []));
    const cascade = opts.cascade ? await opts.cascade([after.id]) : undefined;
    if (cascade) drafts.push(...cascade.drafts);
    const shred = isDestroyedState(after.state) && !isDestroyedState(before.state);
    return {
      drafts,
      commit: async (audit) => {
        await ctx.storage.commitAudited({
          ...audit,
          putKeys: [{ info: after, before }],
          ...(shred ? { deleteMaterial: [after.id] } : {}),
          ...(cascade?.revocations.length ? { addRevocations: cascade.revocations } : {}),
        });
        return after;
      },
    };
  });
}

const operatorMove = (to: KeyState, reason?: string) => (rec: KeyInfo, at: number) =>
  transition(rec, to, { cause: 'operator', at, ...(reason !== undefined ? { reason: cleanLabel(reason, 'reason', false) } : {}) });

// ---------------------------------------------------------------------------------------
// Operator transitions (B1)

/** Pre-activation → active (SP 800-57 #4). @throws KEY_STATE naming the state and the rule */
export function activateKey(ctx: EngineContext, id: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('active'));
}

/** Active → suspended (SP 800-57 #7): stops protecting; processing needs `acknowledgeRisk`. @throws KEY_STATE */
export function suspendKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('suspended', reason));
}

/** Suspended → active (SP 800-57 #10), only before the protect-stop date. @throws KEY_STATE */
export function resumeKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('active', reason));
}

/** Active or suspended → deactivated (SP 800-57 #8, #12): process only from now on. @throws KEY_STATE */
export function deactivateKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('deactivated', reason));
}

/** Options of `revokeKey` / `compromiseKey`. */
export interface RevokeKeyOptions {
  /** For compromise reasons: when the compromise is believed to have happened, epoch ms. */
  compromiseOccurredAt?: number;
}

/**
 * Revokes a key for an RFC 5280 reason (revocation.ts): a compromise reason moves any
 * state to compromised (destroyed → destroyed-compromised); certificateHold suspends an
 * active key; other reasons deactivate an active key (KMIP: only an active key).
 * @throws KEY_STATE naming the state and the rule; INVALID_ARGUMENT for an unknown reason
 */
export function revokeKey(ctx: EngineContext, id: string, reason: RevocationReason, opts: RevokeKeyOptions = {}, cascade?: PrepareCascade): Promise<KeyInfo> {
  if (!isRevocationReason(reason)) return Promise.reject(new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason'));
  return changeKey(
    ctx,
    id,
    (rec, at) => revokeRecord(rec, reason, { at, cause: 'operator', ...(opts.compromiseOccurredAt !== undefined ? { compromiseOccurredAt: opts.compromiseOccurredAt } : {}) }),
    cascade ? { cascade } : {},
  );
}

/**
 * Prepares marking a key compromised as the consequence of another change (the CA revoking
 * a certificate of the key for keyCompromise, K8): due clock transitions, then the
 * compromise (cause `cascade`), with one audit draft per transition. The caller writes
 * `after` (checked against `before`) and the drafts in its own transaction. Undefined when
 * the key is already compromised (or destroyed-compromised).
 * @throws KEY_NOT_FOUND
 */
export async function prepareCompromise(
  ctx: EngineContext,
  id: string,
  opts: RevokeKeyOptions = {},
): Promise<{ before: KeyInfo; after: KeyInfo; drafts: AuditDraft[] } | undefined> {
  const before = await getKeyInfo(ctx, id);
  const now = ctx.clock.now();
  const clocked = advance(before, now).record;
  if (clocked.state === 'compromised' || clocked.state === 'destroyed-compromised') return undefined;
  const at = transitionTime(clocked, now);
  const occurred = opts.compromiseOccurredAt !== undefined ? Math.min(opts.compromiseOccurredAt, at) : undefined;
  const after = revokeRecord(clocked, 'keyCompromise', { at, cause: 'cascade', ...(occurred !== undefined ? { compromiseOccurredAt: occurred } : {}) });
  return { before, after, drafts: newEvents(before, after).map((e) => transitionDraft(ctx, after, e)) };
}

/** Marks a key compromised (revocation reason keyCompromise). @throws KEY_STATE */
export function compromiseKey(ctx: EngineContext, id: string, opts: RevokeKeyOptions = {}): Promise<KeyInfo> {
  return revokeKey(ctx, id, 'keyCompromise', opts);
}

/**
 * Destroys a key (B6): its material is deleted (crypto-shredding) and its metadata stays
 * as a tombstone in state destroyed, or destroyed-compromised for a compromised key.
 * Only pre-activation, deactivated and compromised keys (KMIP); data under it can never
 * be decrypted again.
 * @throws KEY_STATE naming the state and the rule
 */
export function destroyKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, (rec, at) => operatorMove(rec.state === 'compromised' ? 'destroyed-compromised' : 'destroyed', reason)(rec, at));
}

/**
 * Changes scheduled dates (KMIP Set Attribute). The activation date can change only
 * before activation; an activation or protect-stop date set to now or earlier takes
 * effect at once (clock transitions, audited). Destroyed keys keep their dates.
 * @throws INVALID_ARGUMENT (dates out of order), KEY_STATE
 */
export function setKeyDates(ctx: EngineContext, id: string, dates: ScheduledDates): Promise<KeyInfo> {
  const names = ['activation', 'protectStop', 'processStop', 'deactivation'] as const;
  if (!dates || typeof dates !== 'object') return Promise.reject(new EngineError('INVALID_ARGUMENT', 'lifecycle: dates are required'));
  const given = names.filter((n) => dates[n] !== undefined);
  return changeKey(
    ctx,
    id,
    (rec) => {
      if (isDestroyedState(rec.state)) throw new KeyStateError(`lifecycle: key is ${rec.state}; a destroyed key's dates are history and cannot change`);
      if (dates.activation !== undefined && rec.state !== 'pre-activation') {
        throw new KeyStateError(`lifecycle: key is ${rec.state}; the activation date can change only before activation`);
      }
      const merged: ScheduledDates = {};
      for (const n of names) {
        const v = dates[n] ?? msOf(rec.dates[n]);
        if (v !== undefined) merged[n] = v;
      }
      assertDateOrder(msOf(rec.dates.createdAt)!, merged);
      const next = { ...rec.dates };
      for (const n of given) next[n] = isoAt(dates[n]!, n);
      return advance({ ...rec, dates: next }, ctx.clock.now()).record;
    },
    {
      extra: (after) => {
        const changed: AuditDraft['details'] = {};
        for (const n of given) changed[n] = after.dates[n]!;
        return [auditDraft(ctx, 'key.dates', [after.id], { keyId: after.id, dates: changed })];
      },
    },
  );
}
