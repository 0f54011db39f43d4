// A key's lifecycle events as audit drafts, and when an operator transition is recorded.
import { auditDraft } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import type { EngineContext } from '../keys/context';
import type { RevocationRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import type { LifecycleEvent } from './states';

const ACTOR: Record<LifecycleEvent['cause'], string> = { operator: 'operator', clock: 'clock', cascade: 'cascade' };

/** The audit draft of one applied transition of `info` (after the change). */
export function transitionDraft(ctx: EngineContext, info: KeyInfo, e: LifecycleEvent): AuditDraft {
  const details: AuditDraft['details'] = {
    keyId: info.id,
    keyringId: info.keyringId,
    version: info.version,
    from: e.from,
    to: e.to,
    cause: e.cause,
    effectiveAt: e.at,
  };
  if (e.reason !== undefined) details.reason = e.reason;
  return auditDraft(ctx, 'key.transition', [info.id], details, ACTOR[e.cause]);
}

const lastEventMs = (info: KeyInfo): number => {
  const last = info.history[info.history.length - 1];
  return last ? Date.parse(last.at) : Number.NEGATIVE_INFINITY;
};

/**
 * When an operator transition is recorded: now, but never before the record's last
 * event (after the simulated clock went back to real time, events may lie "ahead").
 */
export const transitionTime = (info: KeyInfo, now: number): number => Math.max(now, lastEventMs(info));

export const newEvents = (before: KeyInfo, after: KeyInfo): LifecycleEvent[] => after.history.slice(before.history.length);

/**
 * Certificate revocations written in the same transaction as a key change (K8, issue 14):
 * prepared by lifecycle/certificates.ts from the keys being moved.
 */
export interface CertificateCascadeStep {
  revocations: RevocationRecord[];
  drafts: AuditDraft[];
}

/** Prepares the certificate revocations of the keys a change moves (re-run on every retry). */
export type PrepareCascade = (keyIds: readonly string[]) => Promise<CertificateCascadeStep>;
