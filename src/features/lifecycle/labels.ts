/**
 * Words for lifecycle states, causes and revocation reasons, shared by the lifecycle and
 * audit screens.
 */
import type { CertificateCascade, CertificatePreview, KeyRevocationReason, KeyState, TransitionCause } from '../../engine';
import { REVOCATION_REASONS } from '../../engine/lifecycle/revocation';
import type { LifecyclePhase } from '../../engine/lifecycle/states';

/** Display names of the states (SP 800-57 names, plus KMIP's Destroyed Compromised). */
export const STATE_LABELS: Readonly<Record<KeyState, string>> = {
  'pre-activation': 'Pre-activation',
  active: 'Active',
  suspended: 'Suspended',
  deactivated: 'Deactivated',
  compromised: 'Compromised',
  destroyed: 'Destroyed',
  'destroyed-compromised': 'Destroyed (compromised)',
};

/** What a key in each state may do, in one line. */
export const STATE_SUMMARY: Readonly<Record<KeyState, string>> = {
  'pre-activation': 'not usable yet; waits for activation',
  active: 'protects and processes',
  suspended: 'on hold: no protecting; processing only at acknowledged risk',
  deactivated: 'processes only (decrypt, verify, unwrap)',
  compromised: 'never protects; processing only at acknowledged risk',
  destroyed: 'material deleted; nothing can be done with it',
  'destroyed-compromised': 'material deleted, and it was compromised',
};

export const PHASE_LABELS: Readonly<Record<LifecyclePhase, string>> = {
  'pre-operational': 'Pre-operational',
  operational: 'Operational',
  'post-operational': 'Post-operational',
  destroyed: 'Destroyed',
};

export const CAUSE_LABELS: Readonly<Record<TransitionCause, string>> = {
  operator: 'operator',
  clock: 'clock (a date was reached)',
  cascade: 'cascade (owner revoked)',
};

/** The label of a revocation reason code, or the text itself for free-form reasons. */
export function reasonLabel(reason: string): string {
  return Object.hasOwn(REVOCATION_REASONS, reason) ? REVOCATION_REASONS[reason as KeyRevocationReason].label : reason;
}

/** Every revocation reason, compromise reasons last. */
export const REVOCATION_REASON_LIST: readonly KeyRevocationReason[] = (Object.keys(REVOCATION_REASONS) as KeyRevocationReason[]).sort(
  (a, b) => Number(REVOCATION_REASONS[a].compromise) - Number(REVOCATION_REASONS[b].compromise),
);

/** Reasons that apply to a key in `state` (non-compromise reasons only to an active key, KMIP). */
export function reasonsFor(state: KeyState): KeyRevocationReason[] {
  if (state === 'compromised' || state === 'destroyed-compromised') return [];
  return REVOCATION_REASON_LIST.filter((r) => REVOCATION_REASONS[r].compromise || state === 'active');
}

/** The state a key in `state` moves to when revoked for `reason`. */
export function revocationOutcome(state: KeyState, reason: KeyRevocationReason): KeyState {
  const info = REVOCATION_REASONS[reason];
  if (info.compromise) return state === 'destroyed' ? 'destroyed-compromised' : 'compromised';
  return info.activeTo;
}

/**
 * What a revocation will do to the key's certificates, said in the dialog before the
 * operator confirms (issue 14): how many are revoked and with which CRL reason, and which
 * stay valid and why. Empty when the key has no unrevoked certificate.
 */
export function certificatePreviewText(certs: readonly CertificatePreview[]): string {
  if (certs.length === 0) return '';
  const revoked = certs.filter((c) => c.revoked);
  const kept = certs.filter((c) => !c.revoked);
  const parts: string[] = [];
  if (revoked.length) {
    const reason = revoked[0]!.reason === 'unspecified' ? 'listed without a reason code, which means unspecified' : reasonLabel(revoked[0]!.reason);
    parts.push(`${revoked.length === 1 ? '1 certificate of this key' : `${revoked.length} certificates of this key`} will be revoked too (${reason}) in the same step, and each CA publishes one new CRL.`);
  }
  if (kept.length) {
    parts.push(`${kept.length === 1 ? '1 certificate stays' : `${kept.length} certificates stay`} valid: ${[...new Set(kept.map((c) => c.why ?? 'refused'))].join('; ')}.`);
  }
  return parts.join(' ');
}

/** What a key revocation did to the key's certificates (K8), as a sentence; empty when it had none. */
export function certificateOutcome(certs: readonly CertificateCascade[] | undefined): string {
  if (!certs || certs.length === 0) return '';
  const revoked = certs.filter((c) => c.revoked);
  const kept = certs.filter((c) => !c.revoked);
  const parts: string[] = [];
  if (revoked.length) parts.push(`${revoked.length} ${revoked.length === 1 ? 'certificate was' : 'certificates were'} revoked (${reasonLabel(revoked[0]!.reason)}) and ${revoked.length === 1 ? 'is' : 'are'} on the CA's new CRL`);
  if (kept.length) parts.push(`${kept.length} ${kept.length === 1 ? 'certificate was' : 'certificates were'} not revoked: ${[...new Set(kept.map((c) => c.why ?? 'refused'))].join('; ')}`);
  return ` ${parts.join('; ')}.`;
}
