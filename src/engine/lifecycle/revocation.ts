/**
 * Revocation (B5): reasons (KMIP Revocation Reason Code, RFC 5280 §5.3.1 CRLReason) and
 * the lifecycle state each leads to; revoking a key; planning the revocation of every
 * key of a principal (a cascade), and of the certificates bound to a compromised key (K8).
 *
 * Common case:
 * ```ts
 * const rec2 = revokeKey(rec, 'superseded', { at: now });          // active → deactivated
 * const plan = planPrincipalRevocation(keysOfAlice, 'keyCompromise', now, certs);
 * // apply plan.transitions and plan.certificates in one transaction, one audit entry each
 * ```
 */
import { EngineError, KeyStateError } from '../errors';
import type { KeyState } from '../types';
import type { LifecycleRecord, TransitionCause } from './states';
import { transition } from './transition';

/** Revocation reasons Clavis accepts (RFC 5280 names). */
export type RevocationReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'privilegeWithdrawn'
  | 'aACompromise';

/** What a reason means for a key. */
export interface RevocationReasonInfo {
  reason: RevocationReason;
  /** RFC 5280 §5.3.1 CRLReason code (for CRL entries). */
  crlCode: number;
  /** KMIP Revocation Reason Code, where KMIP has one (certificateHold and aACompromise have none). */
  kmipCode?: number;
  /** Compromise reasons are permanent and move any state to a compromised one. */
  compromise: boolean;
  /** The state an active key moves to. */
  activeTo: KeyState;
  label: string;
}

/**
 * Reason → effect. Compromise reasons → compromised (KMIP #3, #5, #8, #10); certificateHold →
 * suspended (the X.509 analogue of Suspended, LIFECYCLE.md); every other reason is a
 * non-compromise revocation → deactivated (KMIP #6).
 */
export const REVOCATION_REASONS: Readonly<Record<RevocationReason, RevocationReasonInfo>> = {
  unspecified: { reason: 'unspecified', crlCode: 0, kmipCode: 1, compromise: false, activeTo: 'deactivated', label: 'Unspecified' },
  keyCompromise: { reason: 'keyCompromise', crlCode: 1, kmipCode: 2, compromise: true, activeTo: 'compromised', label: 'Key compromise' },
  cACompromise: { reason: 'cACompromise', crlCode: 2, kmipCode: 3, compromise: true, activeTo: 'compromised', label: 'CA compromise' },
  affiliationChanged: { reason: 'affiliationChanged', crlCode: 3, kmipCode: 4, compromise: false, activeTo: 'deactivated', label: 'Affiliation changed' },
  superseded: { reason: 'superseded', crlCode: 4, kmipCode: 5, compromise: false, activeTo: 'deactivated', label: 'Superseded' },
  cessationOfOperation: { reason: 'cessationOfOperation', crlCode: 5, kmipCode: 6, compromise: false, activeTo: 'deactivated', label: 'Cessation of operation' },
  certificateHold: { reason: 'certificateHold', crlCode: 6, compromise: false, activeTo: 'suspended', label: 'Certificate hold (suspend)' },
  privilegeWithdrawn: { reason: 'privilegeWithdrawn', crlCode: 9, kmipCode: 7, compromise: false, activeTo: 'deactivated', label: 'Privilege withdrawn' },
  aACompromise: { reason: 'aACompromise', crlCode: 10, compromise: true, activeTo: 'compromised', label: 'Attribute authority compromise' },
};

/** True when `x` is a known revocation reason. */
export function isRevocationReason(x: unknown): x is RevocationReason {
  return typeof x === 'string' && Object.hasOwn(REVOCATION_REASONS, x);
}

/**
 * The state a key in `state` moves to when revoked for `reason`.
 * Compromise: destroyed → destroyed-compromised, anything not yet compromised → compromised.
 * Non-compromise: only an active key (KMIP: "a non-compromise Revoke is valid only on an
 * Active object").
 * @throws KeyStateError naming the state and the rule; INVALID_ARGUMENT for an unknown reason.
 */
export function revocationTarget(state: KeyState, reason: RevocationReason): KeyState {
  if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason');
  const info = REVOCATION_REASONS[reason];
  if (info.compromise) {
    if (state === 'compromised' || state === 'destroyed-compromised') {
      throw new KeyStateError(`lifecycle: key is ${state}; it is already revoked as compromised`);
    }
    return state === 'destroyed' ? 'destroyed-compromised' : 'compromised';
  }
  if (state !== 'active') {
    throw new KeyStateError(
      `lifecycle: key is ${state}; a non-compromise revocation (${reason}) applies only to an active key (KMIP)`,
    );
  }
  return info.activeTo;
}

/** Options of `revokeKey`. */
export interface RevokeOptions {
  at: number;
  /** Defaults to `operator`. */
  cause?: TransitionCause;
  /** For compromise reasons: when it is believed to have happened. */
  compromiseOccurredAt?: number;
}

/**
 * Revokes one key: applies the transition its reason calls for, with the reason code
 * recorded in the history.
 * @throws KeyStateError when the key's state does not allow it.
 */
export function revokeKey<R extends LifecycleRecord>(record: R, reason: RevocationReason, opts: RevokeOptions): R {
  const to = revocationTarget(record.state, reason);
  return transition(record, to, {
    cause: opts.cause ?? 'operator',
    at: opts.at,
    reason,
    ...(opts.compromiseOccurredAt !== undefined ? { compromiseOccurredAt: opts.compromiseOccurredAt } : {}),
  });
}

/** A key as the planner sees it: its id and lifecycle. */
export interface PlannedKey {
  keyId: string;
  record: LifecycleRecord;
}

/** A certificate as the planner sees it: its id, whether it is revoked, and its key. */
export interface PlannedCertificate {
  certId: string;
  keyId: string;
  revoked: boolean;
}

/** One change the engine must apply. */
export interface PlannedTransition {
  keyId: string;
  from: KeyState;
  to: KeyState;
  cause: TransitionCause;
  reason: RevocationReason;
}

/** A key the plan leaves as it is, and why. */
export interface UnchangedKey {
  keyId: string;
  state: KeyState;
  why: string;
}

/** What revoking a principal (or one key, with its certificates) requires. */
export interface RevocationPlan {
  transitions: PlannedTransition[];
  unchanged: UnchangedKey[];
  /** Certificates to revoke (K8: all certificates of a compromised key, reason keyCompromise). */
  certificates: Array<{ certId: string; keyId: string; reason: RevocationReason }>;
}

/**
 * Plans the revocation of every key of a principal (cause `cascade`):
 * - compromise reasons: every key not yet compromised → compromised (destroyed →
 *   destroyed-compromised), and every unrevoked certificate of those keys → revoked for
 *   keyCompromise (K8);
 * - other reasons: active → deactivated; suspended → deactivated (the suspension can
 *   never be resolved for a revoked principal, SP 800-57 #12); pre-activation →
 *   destroyed (never used, and it must never activate, SP 800-57 #2); deactivated,
 *   compromised and destroyed keys are already out of use; their unrevoked
 *   certificates are revoked with the same reason.
 * Pure: returns the plan; the engine applies it with `applyPlannedTransition` and audits each change.
 */
export function planPrincipalRevocation(
  keys: readonly PlannedKey[],
  reason: RevocationReason,
  certificates: readonly PlannedCertificate[] = [],
): RevocationPlan {
  if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason');
  const info = REVOCATION_REASONS[reason];
  const plan: RevocationPlan = { transitions: [], unchanged: [], certificates: [] };
  for (const { keyId, record } of keys) {
    const from = record.state;
    let to: KeyState | undefined;
    let why = '';
    if (info.compromise) {
      if (from === 'compromised' || from === 'destroyed-compromised') why = 'already compromised';
      else to = from === 'destroyed' ? 'destroyed-compromised' : 'compromised';
    } else if (reason === 'certificateHold') {
      if (from === 'active') to = 'suspended';
      else why = 'only an active key can be put on hold';
    } else if (from === 'active' || from === 'suspended') {
      to = 'deactivated';
    } else if (from === 'pre-activation') {
      to = 'destroyed';
    } else {
      why = `already out of use (${from})`;
    }
    if (to) plan.transitions.push({ keyId, from, to, cause: 'cascade', reason });
    else plan.unchanged.push({ keyId, state: from, why });
  }
  plan.certificates = certificatesToRevoke(keys.map((k) => k.keyId), reason, certificates);
  return plan;
}

/**
 * Plans revoking one key by an operator (KMIP Revoke): its transition (or a
 * KeyStateError now, if its state forbids it) and, for a compromise, every unrevoked
 * certificate of the key (K8).
 * @throws KeyStateError naming the state and the rule.
 */
export function planKeyRevocation(key: PlannedKey, reason: RevocationReason, certificates: readonly PlannedCertificate[] = []): RevocationPlan {
  const to = revocationTarget(key.record.state, reason);
  return {
    transitions: [{ keyId: key.keyId, from: key.record.state, to, cause: 'operator', reason }],
    unchanged: [],
    certificates: certificatesToRevoke([key.keyId], reason, certificates),
  };
}

/**
 * The unrevoked certificates bound to these keys, with the CRL reason to use: for a
 * compromise keyCompromise (cACompromise stays cACompromise), otherwise the same reason.
 */
export function certificatesToRevoke(
  keyIds: readonly string[],
  reason: RevocationReason,
  certificates: readonly PlannedCertificate[],
): RevocationPlan['certificates'] {
  const ids = new Set(keyIds);
  const info = REVOCATION_REASONS[reason];
  const certReason: RevocationReason = info.compromise && reason !== 'cACompromise' ? 'keyCompromise' : reason;
  return certificates.filter((c) => ids.has(c.keyId) && !c.revoked).map((c) => ({ certId: c.certId, keyId: c.keyId, reason: certReason }));
}

/** Applies one planned transition to the key's record (re-checking it against the table). */
export function applyPlannedTransition<R extends LifecycleRecord>(record: R, planned: PlannedTransition, at: number): R {
  if (record.state !== planned.from) {
    throw new KeyStateError(`lifecycle: key is ${record.state}; the plan expected ${planned.from} (the key changed since it was planned)`);
  }
  return transition(record, planned.to, { cause: planned.cause, at, reason: planned.reason });
}
