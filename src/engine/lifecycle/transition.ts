// Moving a lifecycle record through the transition table: `transition`, a new record (`newLifecycle`), and the record's date helpers.
import { EngineError, KeyStateError } from '../errors';
import { FORBIDDEN_EXPLANATIONS, findTransition, type KeyState, type LifecycleDates, type LifecycleEvent, type LifecycleRecord, type TransitionCause } from './states';

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
