/**
 * The key-lifecycle state machine: SP 800-57 Part 1 §7 states plus KMIP's
 * Destroyed-Compromised, with KMIP's rules (see docs LIFECYCLE.md). The transition table
 * below is the one place these rules live; everything else (gates, the clock, rotation,
 * revocation, the UI diagram) asks it.
 *
 * Common case:
 * ```ts
 * let rec = newLifecycle({ createdAt: now, dates: defaultDates('AES-GCM-256', now) });
 * rec = advance(rec, now).record;                       // activation date reached → active
 * rec = transition(rec, 'suspended', { cause: 'operator', at: now, reason: 'investigating' });
 * ```
 * The table and the states are data here; moving a record through them (`transition`,
 * `newLifecycle`) lives in transition.ts.
 *
 * Pure: no storage, no clock of its own. Times are epoch milliseconds in, ISO 8601 strings
 * in the record (like `KeyInfo.createdAt`), so a record is plain JSON.
 */

/**
 * SP 800-57 key states (see LIFECYCLE.md). A key is created pre-activation and moves to
 * active at once when its activation date is now (the default); lifecycle/engine.ts
 * moves it through the rest.
 */
export type KeyState =
  | 'pre-activation'
  | 'active'
  | 'suspended'
  | 'deactivated'
  | 'compromised'
  | 'destroyed'
  | 'destroyed-compromised';

/** Every lifecycle state, in diagram order (pre-operational → destroyed). */
export const KEY_STATES: readonly KeyState[] = [
  'pre-activation',
  'active',
  'suspended',
  'deactivated',
  'compromised',
  'destroyed',
  'destroyed-compromised',
];

/**
 * What moved the key: an operator's action, the clock passing one of the key's dates,
 * or a cascade from a revoked principal or CA (LIFECYCLE.md, "How Clavis reconciles").
 */
export type TransitionCause = 'operator' | 'clock' | 'cascade';

/** The SP 800-57 phase a state belongs to (§7 / §8). */
export type LifecyclePhase = 'pre-operational' | 'operational' | 'post-operational' | 'destroyed';

/** The phase of each state, for grouping the diagram. */
export const STATE_PHASE: Readonly<Record<KeyState, LifecyclePhase>> = {
  'pre-activation': 'pre-operational',
  active: 'operational',
  suspended: 'operational',
  deactivated: 'post-operational',
  compromised: 'post-operational',
  destroyed: 'destroyed',
  'destroyed-compromised': 'destroyed',
};

/**
 * The dates of a key (KMIP date attributes; SP 800-57 §5.3 usage periods), ISO 8601.
 * A scheduled date (activation, protectStop, processStop, deactivation) may lie in the
 * future; the clock applies it. Event dates (suspension, compromise, destroyed) record
 * when a transition happened.
 */
export interface LifecycleDates {
  /** KMIP Initial Date: when the key was generated or imported. */
  createdAt: string;
  /** KMIP Activation Date: pre-activation → active when reached. */
  activation?: string;
  /** KMIP Protect Stop Date: end of the originator-usage period (no encrypt/sign/wrap from then). */
  protectStop?: string;
  /** KMIP Process Stop Date: end of the recipient-usage period (no decrypt/verify/unwrap from then). */
  processStop?: string;
  /** KMIP Deactivation Date: active → deactivated when reached (at the latest). */
  deactivation?: string;
  /** Start of the current or last suspension. Data protected from then on is not processed. */
  suspension?: string;
  /** KMIP Compromise Occurrence Date: when the compromise is believed to have happened. */
  compromiseOccurrence?: string;
  /** KMIP Compromise Date: when the key was marked compromised. */
  compromise?: string;
  /** KMIP Destroy Date: when the material was deleted. */
  destroyed?: string;
}

/** One applied transition, kept in the record so the UI can draw a timeline. */
export interface LifecycleEvent {
  from: KeyState;
  to: KeyState;
  cause: TransitionCause;
  /** ISO 8601. */
  at: string;
  /** Why, in words or as a revocation reason code. Never secret. */
  reason?: string;
}

/**
 * The lifecycle part of a key record: plain JSON, safe to store, log and show. The engine
 * keeps it inside its own key record; every function here is generic over the rest.
 */
export interface LifecycleRecord {
  state: KeyState;
  dates: LifecycleDates;
  history: readonly LifecycleEvent[];
  /**
   * A single-use key (SP 800-57 Table 1: ephemeral key-agreement keys): its
   * originator-usage period ends at its first use (see `consumeSingleUse` in dates.ts).
   */
  singleUse?: boolean;
}

/** One edge of the state machine with the causes that may drive it. */
export interface TransitionRule {
  from: KeyState;
  to: KeyState;
  causes: readonly TransitionCause[];
  /** The verb the UI puts on the button. */
  action: string;
  /** Where the rule comes from (SP 800-57 transition number, KMIP transition number). */
  source: string;
  /** What the transition means, for the diagram. */
  explanation: string;
}

/** An edge that does not exist, and why (for the disabled buttons of the diagram). */
export interface ForbiddenTransition {
  from: KeyState;
  to: KeyState;
  explanation: string;
}

/**
 * THE transition table. SP 800-57 Part 1 Rev. 4/5 §7 numbers and KMIP 'State' transition
 * numbers refer to the tables in LIFECYCLE.md. Edges SP 800-57 has but Clavis drops
 * because of a KMIP rule are explained in FORBIDDEN_EXPLANATIONS instead.
 */
export const TRANSITIONS: readonly TransitionRule[] = [
  {
    from: 'pre-activation',
    to: 'active',
    causes: ['operator', 'clock'],
    action: 'Activate',
    source: 'SP 800-57 #4; KMIP #4',
    explanation: 'The key becomes available for use: an operator activates it or its activation date is reached.',
  },
  {
    from: 'pre-activation',
    to: 'destroyed',
    // A revoked principal's never-used keys are destroyed by the cascade: nothing was protected with them.
    causes: ['operator', 'cascade'],
    action: 'Destroy',
    source: 'SP 800-57 #2; KMIP #2',
    explanation: 'The key will not be needed: it was never used, so its material can be deleted at once.',
  },
  {
    from: 'pre-activation',
    to: 'compromised',
    causes: ['operator', 'cascade'],
    action: 'Mark compromised',
    source: 'SP 800-57 #3; KMIP #3',
    explanation: 'Its integrity or confidentiality is suspect before it was ever used; it must never be activated.',
  },
  {
    from: 'active',
    to: 'suspended',
    // cascade: a principal put on hold (certificateHold) suspends its active keys.
    causes: ['operator', 'cascade'],
    action: 'Suspend',
    source: 'SP 800-57 #7',
    explanation: 'Use is put on hold (a compromise is being investigated, the owner is away). It stops protecting; processing needs an explicit acknowledgement.',
  },
  {
    from: 'active',
    to: 'deactivated',
    causes: ['operator', 'clock', 'cascade'],
    action: 'Deactivate',
    source: 'SP 800-57 #8; KMIP #6',
    explanation: 'The originator-usage period ends (protect-stop or deactivation date, a non-compromise revocation, or rotation): from now on the key only processes (decrypts, verifies, unwraps).',
  },
  {
    from: 'active',
    to: 'compromised',
    causes: ['operator', 'cascade'],
    action: 'Mark compromised',
    source: 'SP 800-57 #6; KMIP #5',
    explanation: 'Its integrity or confidentiality is suspect or confirmed: it is revoked and never protects again.',
  },
  {
    from: 'suspended',
    to: 'active',
    causes: ['operator'],
    action: 'Resume',
    source: 'SP 800-57 #10',
    explanation: 'The reason for the suspension no longer exists. Only before the end of the originator-usage period (protect-stop date).',
  },
  {
    from: 'suspended',
    to: 'deactivated',
    causes: ['operator', 'clock', 'cascade'],
    action: 'Deactivate',
    source: 'SP 800-57 #12',
    explanation: 'No compromise and the suspension is no longer needed, but the originator-usage period is over (its protect-stop date, rotation, or its principal was revoked): the key only processes.',
  },
  {
    from: 'suspended',
    to: 'compromised',
    causes: ['operator', 'cascade'],
    action: 'Mark compromised',
    source: 'SP 800-57 #11',
    explanation: 'The investigation confirms (or cannot rule out) a compromise: the key is revoked for good.',
  },
  {
    from: 'deactivated',
    to: 'compromised',
    causes: ['operator', 'cascade'],
    action: 'Mark compromised',
    source: 'SP 800-57 #13; KMIP #8',
    explanation: 'A compromise is suspected after the key stopped protecting: data it processes can no longer be trusted.',
  },
  {
    from: 'deactivated',
    to: 'destroyed',
    causes: ['operator'],
    action: 'Destroy',
    source: 'SP 800-57 #14; KMIP #7',
    explanation: 'The key is no longer needed to process anything: its material is deleted (crypto-shredded) and a tombstone of metadata is kept.',
  },
  {
    from: 'compromised',
    to: 'destroyed-compromised',
    causes: ['operator'],
    action: 'Destroy',
    source: 'SP 800-57 #15; KMIP #9',
    explanation: 'The compromised key is no longer needed: its material is deleted, and the compromise stays on record.',
  },
  {
    from: 'destroyed',
    to: 'destroyed-compromised',
    causes: ['operator', 'cascade'],
    action: 'Mark compromised',
    source: 'KMIP #10',
    explanation: 'A compromise is discovered after destruction (the material leaked before it was deleted): the record says so, so data it protected is not trusted.',
  },
];

const NO_RETURN = 'compromise is permanent: a compromised key never returns to a non-compromised state (KMIP).';

/**
 * Why each edge missing from TRANSITIONS is missing. Keys are `from>to`. Every pair of
 * distinct states is either in TRANSITIONS or here (a test checks this).
 */
export const FORBIDDEN_EXPLANATIONS: Readonly<Record<string, string>> = {
  'pre-activation>suspended': 'only an active key can be suspended; a pre-activation key is not in use yet.',
  'pre-activation>deactivated':
    'a key that was never active has no originator-usage period to end, and a non-compromise revocation applies only to an active key (KMIP); destroy it instead.',
  'pre-activation>destroyed-compromised': 'mark it compromised first, then destroy it.',
  'active>pre-activation': 'a key never goes back to pre-activation once it has been active.',
  'active>destroyed':
    'an active key cannot be destroyed directly (KMIP): deactivate or revoke it first, so nothing still protected under it is lost unnoticed.',
  'active>destroyed-compromised': 'an active key cannot be destroyed directly (KMIP): mark it compromised first, then destroy it.',
  'suspended>pre-activation': 'a key never goes back to pre-activation once it has been active.',
  'suspended>destroyed':
    'a suspended key is still in the operational phase; like an active key it must be deactivated or marked compromised before it is destroyed (KMIP: destroy only from pre-active, deactivated or compromised).',
  'suspended>destroyed-compromised': 'mark it compromised first, then destroy it.',
  'deactivated>pre-activation': 'a key never goes back to pre-activation once it has been active.',
  'deactivated>active':
    'deactivation ends the originator-usage period for good (post-operational phase); rotate to a new key instead of reactivating an old one.',
  'deactivated>suspended': 'only an active key can be suspended; a deactivated key no longer protects anything.',
  'deactivated>destroyed-compromised': 'mark it compromised first, then destroy it.',
  'compromised>pre-activation': NO_RETURN,
  'compromised>active': NO_RETURN,
  'compromised>suspended': NO_RETURN,
  'compromised>deactivated': NO_RETURN,
  'compromised>destroyed':
    'destroying a compromised key leads to destroyed-compromised, so the compromise stays visible after the material is gone.',
  'destroyed>pre-activation': 'a destroyed key has no material left; it can only be marked compromised.',
  'destroyed>active': 'a destroyed key has no material left; it can only be marked compromised.',
  'destroyed>suspended': 'a destroyed key has no material left; it can only be marked compromised.',
  'destroyed>deactivated': 'a destroyed key has no material left; it can only be marked compromised.',
  'destroyed>compromised': 'a destroyed key that turns out to be compromised becomes destroyed-compromised.',
  'destroyed-compromised>pre-activation': 'destroyed-compromised is final: no material is left and the compromise is permanent.',
  'destroyed-compromised>active': 'destroyed-compromised is final: no material is left and the compromise is permanent.',
  'destroyed-compromised>suspended': 'destroyed-compromised is final: no material is left and the compromise is permanent.',
  'destroyed-compromised>deactivated': 'destroyed-compromised is final: no material is left and the compromise is permanent.',
  'destroyed-compromised>compromised': 'destroyed-compromised is final: no material is left and the compromise is permanent.',
  'destroyed-compromised>destroyed': 'destroyed-compromised is final: no material is left and the compromise is permanent.',
};

/** The rule for `from → to`, or undefined when that edge does not exist. */
export function findTransition(from: KeyState, to: KeyState): TransitionRule | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to);
}

/** The edges leaving `state` (optionally only those a given cause may drive), for the diagram's buttons. */
export function allowedTransitions(state: KeyState, cause?: TransitionCause): TransitionRule[] {
  return TRANSITIONS.filter((t) => t.from === state && (cause === undefined || t.causes.includes(cause)));
}

/** Every state `state` can never move to directly, each with the reason. */
export function forbiddenTransitions(state: KeyState): ForbiddenTransition[] {
  return KEY_STATES.filter((to) => to !== state && !findTransition(state, to)).map((to) => ({
    from: state,
    to,
    explanation: FORBIDDEN_EXPLANATIONS[`${state}>${to}`] ?? 'no such transition in SP 800-57 or KMIP.',
  }));
}

/** True for the two states in which a key's compromise is on record. */
export function isCompromisedState(state: KeyState): boolean {
  return state === 'compromised' || state === 'destroyed-compromised';
}

/** True for the two states in which the material is gone. */
export function isDestroyedState(state: KeyState): boolean {
  return state === 'destroyed' || state === 'destroyed-compromised';
}
