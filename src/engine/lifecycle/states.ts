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
 * Pure: no storage, no clock of its own. Times are epoch milliseconds in, ISO 8601 strings
 * in the record (like `KeyInfo.createdAt`), so a record is plain JSON.
 */
import { EngineError, KeyStateError } from '../errors';

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
const FORBIDDEN_EXPLANATIONS: Readonly<Record<string, string>> = {
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

/** Options of `transition`. */
export interface TransitionOptions {
  cause: TransitionCause;
  /** When it happens, epoch ms (the engine's clock; for clock transitions, the date that was reached). */
  at: number;
  /** Why, in words or a revocation reason code. Shown and audited, so never secret. */
  reason?: string;
  /** For compromise: when the compromise is believed to have happened (defaults to `at`). */
  compromiseOccurredAt?: number;
}

/** ISO 8601 from epoch ms, refusing values that are not a time. */
export function isoAt(ms: number, name = 'at'): string {
  if (!Number.isFinite(ms)) throw new EngineError('INVALID_ARGUMENT', `lifecycle: ${name} must be a time in milliseconds`);
  return new Date(ms).toISOString();
}

/** Epoch ms of an ISO date from a record (undefined stays undefined). */
export function msOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: a date in the record is not ISO 8601');
  return t;
}

/** The earlier of two optional ISO dates. */
function earlier(a: string | undefined, b: string): string {
  return a !== undefined && Date.parse(a) <= Date.parse(b) ? a : b;
}

/** The end of the originator-usage period: the earlier of protect-stop and deactivation. */
export function originatorUsageEnd(dates: LifecycleDates): number | undefined {
  const p = msOf(dates.protectStop);
  const d = msOf(dates.deactivation);
  if (p === undefined) return d;
  if (d === undefined) return p;
  return Math.min(p, d);
}

/**
 * Moves a record to `to`, or throws KeyStateError naming the state and the rule. Returns
 * a new record (the input is not changed) of the same type, with the transition's date
 * recorded and appended to `history`.
 *
 * Beyond the table it enforces: a clock transition only once its date is reached;
 * resume only before the protect-stop date (SP 800-57 #10); time never runs backwards
 * within one record.
 */
export function transition<R extends LifecycleRecord>(record: R, to: KeyState, opts: TransitionOptions): R {
  const from = record.state;
  const at = isoAt(opts.at);
  if (from === to) throw new KeyStateError(`lifecycle: key is already ${from}`);
  const rule = findTransition(from, to);
  if (!rule) {
    const why = FORBIDDEN_EXPLANATIONS[`${from}>${to}`] ?? 'no such transition.';
    throw new KeyStateError(`lifecycle: key is ${from}; cannot move to ${to}: ${why}`);
  }
  if (!rule.causes.includes(opts.cause)) {
    throw new KeyStateError(
      `lifecycle: key is ${from}; ${from} → ${to} (${rule.source}) is driven only by ${rule.causes.join(' or ')}, not by ${opts.cause}`,
    );
  }
  const last = record.history[record.history.length - 1];
  if (last && Date.parse(last.at) > opts.at) {
    throw new EngineError('INVALID_ARGUMENT', `lifecycle: transition at ${at} is earlier than the last one (${last.at})`);
  }
  const d = record.dates;
  if (opts.cause === 'clock') {
    const due = to === 'active' ? msOf(d.activation) : originatorUsageEnd(d);
    if (due === undefined || due > opts.at) {
      throw new KeyStateError(`lifecycle: key is ${from}; the clock moves it to ${to} only once its ${to === 'active' ? 'activation' : 'protect-stop or deactivation'} date is reached`);
    }
  }
  if (from === 'suspended' && to === 'active') {
    const end = originatorUsageEnd(d);
    if (end !== undefined && opts.at >= end) {
      throw new KeyStateError(
        'lifecycle: key is suspended; it can be resumed only before the end of its originator-usage period (SP 800-57 #10), which has passed',
      );
    }
  }

  const dates: LifecycleDates = { ...d };
  switch (to) {
    case 'active':
      // KMIP Activate sets the Activation Date to now when it was later or unset.
      if (from === 'pre-activation') dates.activation = earlier(d.activation, at);
      break;
    case 'suspended':
      dates.suspension = at;
      break;
    case 'deactivated':
      // Protection ends now whatever was scheduled; processing keeps its own date.
      dates.protectStop = earlier(d.protectStop, at);
      dates.deactivation = earlier(d.deactivation, at);
      break;
    case 'compromised':
      dates.compromise = at;
      dates.compromiseOccurrence = opts.compromiseOccurredAt === undefined ? at : isoAt(opts.compromiseOccurredAt, 'compromiseOccurredAt');
      dates.protectStop = earlier(d.protectStop, at);
      break;
    case 'destroyed':
      dates.destroyed = at;
      break;
    case 'destroyed-compromised':
      if (from === 'destroyed') {
        dates.compromise = at;
        dates.compromiseOccurrence = opts.compromiseOccurredAt === undefined ? at : isoAt(opts.compromiseOccurredAt, 'compromiseOccurredAt');
      } else {
        dates.destroyed = at;
      }
      break;
    default:
      break;
  }
  const event: LifecycleEvent = { from, to, cause: opts.cause, at };
  if (opts.reason !== undefined) event.reason = opts.reason;
  return { ...record, state: to, dates, history: [...record.history, event] };
}

/** Parameters of a new lifecycle record. */
export interface NewLifecycleParams {
  /** When the key was generated or imported, epoch ms. */
  createdAt: number;
  /** Scheduled dates (epoch ms); see `defaultDates` in dates.ts for the SP 800-57 defaults. */
  dates?: ScheduledDates;
  singleUse?: boolean;
}

/** The dates a caller schedules when creating a key, epoch ms. */
export interface ScheduledDates {
  activation?: number;
  protectStop?: number;
  processStop?: number;
  deactivation?: number;
}

/**
 * Checks that scheduled dates are in a possible order: activation ≤ protect-stop ≤
 * process-stop, activation ≤ deactivation, and none before creation.
 * @throws INVALID_ARGUMENT naming the two dates out of order.
 */
export function assertDateOrder(createdAt: number, s: ScheduledDates): void {
  const pairs: Array<[string, number | undefined, string, number | undefined]> = [
    ['creation', createdAt, 'activation', s.activation],
    ['activation', s.activation ?? createdAt, 'protect-stop', s.protectStop],
    ['protect-stop', s.protectStop, 'process-stop', s.processStop],
    ['activation', s.activation ?? createdAt, 'process-stop', s.processStop],
    ['activation', s.activation ?? createdAt, 'deactivation', s.deactivation],
  ];
  for (const [an, a, bn, b] of pairs) {
    if (a !== undefined && b !== undefined) {
      if (!Number.isFinite(a) || !Number.isFinite(b)) throw new EngineError('INVALID_ARGUMENT', `lifecycle: ${an} and ${bn} must be times in milliseconds`);
      if (b < a) throw new EngineError('INVALID_ARGUMENT', `lifecycle: the ${bn} date must not be before the ${an} date`);
    }
  }
}

/**
 * A new key's lifecycle: pre-activation (SP 800-57 #1, KMIP #1) with its scheduled
 * dates. If the activation date has already passed, `advance(record, now)` activates it
 * at once, as KMIP prescribes; the engine calls it right after creation.
 * @throws INVALID_ARGUMENT when the dates are out of order.
 */
export function newLifecycle(params: NewLifecycleParams): LifecycleRecord {
  const s = params.dates ?? {};
  assertDateOrder(params.createdAt, s);
  const dates: LifecycleDates = { createdAt: isoAt(params.createdAt, 'createdAt') };
  if (s.activation !== undefined) dates.activation = isoAt(s.activation, 'activation');
  if (s.protectStop !== undefined) dates.protectStop = isoAt(s.protectStop, 'protectStop');
  if (s.processStop !== undefined) dates.processStop = isoAt(s.processStop, 'processStop');
  if (s.deactivation !== undefined) dates.deactivation = isoAt(s.deactivation, 'deactivation');
  const rec: LifecycleRecord = { state: 'pre-activation', dates, history: [] };
  if (params.singleUse) rec.singleUse = true;
  return rec;
}
