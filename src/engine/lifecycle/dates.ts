/**
 * Lifecycle dates (B3): default cryptoperiods from NIST SP 800-57 Part 1 Rev. 5 §5.3.6
 * Table 1 ("Suggested cryptoperiods for key types"), and the clock-driven transitions
 * they cause.
 *
 * Common case, at key creation and whenever the (simulated) clock moves:
 * ```ts
 * const rec = newLifecycle({ createdAt: now, dates: defaultDates('AES-GCM-256', now) });
 * const { record, applied } = advance(rec, clock.now());   // persist record, audit each of applied
 * setTimeout(tick, nextDueAt(record)! - clock.now());
 * ```
 */
import { EngineError } from '../errors';
import { TEMPLATES, type TemplateFamily, type TemplateName } from '../keys/templates';
import type { KeyState } from '../types';
import type { LifecycleRecord } from './states';
import {
  isoAt,
  msOf,
  originatorUsageEnd,
  transition,
  type ScheduledDates,
} from './transition';

/**
 * What a key is for, in the vocabulary of SP 800-57 Table 1. A template family has a
 * default purpose; a few families can serve another (an AES key as a KDC master key, an
 * ECDSA key as a CA key, an ECDH key as an ephemeral one).
 */
export type KeyPurpose =
  | 'data-encryption'
  | 'key-wrapping'
  | 'authentication'
  | 'signature'
  | 'ca-signature'
  | 'key-transport'
  | 'key-agreement'
  | 'ephemeral-key-agreement'
  | 'master';

/**
 * A cryptoperiod: how long after activation the key may protect (originator-usage
 * period, OUP) and process (recipient-usage period, RUP). `single-use` keys protect once.
 */
export interface Cryptoperiod {
  purpose: KeyPurpose;
  /** Years of originator use after activation, or single use. */
  protectYears: number | 'single-use';
  /** Years of recipient use after activation (≥ protectYears). */
  processYears: number | 'single-use';
  /** The Table 1 row(s) this follows, for the UI and reviewers. */
  citation: string;
}

/**
 * Default cryptoperiods per purpose. Where Table 1 gives a range Clavis picks a value
 * inside it and says which.
 */
export const CRYPTOPERIODS: Readonly<Record<KeyPurpose, Cryptoperiod>> = {
  // Table 1 "Symmetric data-encryption key": OUP ≤ 2 years; RUP ≤ OUP + 3 years.
  'data-encryption': { purpose: 'data-encryption', protectYears: 2, processYears: 5, citation: 'SP 800-57 Pt 1 Table 1, symmetric data-encryption key: OUP ≤ 2 y, RUP ≤ OUP + 3 y' },
  // Table 1 "Symmetric key-wrapping key": OUP ≤ 2 years; RUP ≤ OUP + 3 years.
  'key-wrapping': { purpose: 'key-wrapping', protectYears: 2, processYears: 5, citation: 'SP 800-57 Pt 1 Table 1, symmetric key-wrapping key: OUP ≤ 2 y, RUP ≤ OUP + 3 y' },
  // Table 1 "Symmetric authentication key": OUP ≤ 2 years; RUP ≤ OUP + 3 years.
  authentication: { purpose: 'authentication', protectYears: 2, processYears: 5, citation: 'SP 800-57 Pt 1 Table 1, symmetric authentication key: OUP ≤ 2 y, RUP ≤ OUP + 3 y' },
  // Table 1 "Private signature key": 1–3 years (Clavis: 2, inside SECURITY.md K2's leaf 1–2 y);
  // "Public signature-verification key": several years depending on key size (Clavis: OUP + 3 y).
  signature: { purpose: 'signature', protectYears: 2, processYears: 5, citation: 'SP 800-57 Pt 1 Table 1, private signature key: 1–3 y; public signature-verification key: several years' },
  // Same rows; a CA key takes the top of the range (SECURITY.md K2: CA signing key ≤ 3 y).
  'ca-signature': { purpose: 'ca-signature', protectYears: 3, processYears: 6, citation: 'SP 800-57 Pt 1 Table 1, private signature key: 1–3 y (CA: 3 y); public signature-verification key: several years' },
  // Table 1 "Public key-transport key": 1–2 years (protect, Clavis: 1);
  // "Private key-transport key": ≤ 2 years (process).
  'key-transport': { purpose: 'key-transport', protectYears: 1, processYears: 2, citation: 'SP 800-57 Pt 1 Table 1, public key-transport key: 1–2 y; private key-transport key: ≤ 2 y' },
  // Table 1 "Private/Public static key-agreement key" and "Symmetric key-agreement key": 1–2 years (Clavis: 2).
  'key-agreement': { purpose: 'key-agreement', protectYears: 2, processYears: 2, citation: 'SP 800-57 Pt 1 Table 1, static key-agreement keys: 1–2 y' },
  // Table 1 "Private/Public ephemeral key-agreement key": one key-agreement transaction.
  'ephemeral-key-agreement': { purpose: 'ephemeral-key-agreement', protectYears: 'single-use', processYears: 'single-use', citation: 'SP 800-57 Pt 1 Table 1, ephemeral key-agreement keys: one key-agreement transaction' },
  // Table 1 "Symmetric master key": about 1 year (SECURITY.md K2: KDC long-term keys ≤ 1 y).
  master: { purpose: 'master', protectYears: 1, processYears: 1, citation: 'SP 800-57 Pt 1 Table 1, symmetric master key: about 1 y' },
};

/** The default purpose of each template family (what the template is for). */
export const FAMILY_PURPOSE: Readonly<Record<TemplateFamily, KeyPurpose>> = {
  'aes-gcm': 'data-encryption',
  'chacha20-poly1305': 'data-encryption',
  fernet: 'data-encryption',
  'aes-kw': 'key-wrapping',
  hmac: 'authentication',
  'rsa-oaep': 'key-transport',
  // A KEM is key transport in SP 800-57's terms: the public key protects, the private key processes.
  'ml-kem': 'key-transport',
  'rsa-pss': 'signature',
  'rsa-pkcs1': 'signature',
  ecdsa: 'signature',
  ed25519: 'signature',
  'ml-dsa': 'signature',
  ecdh: 'key-agreement',
  x25519: 'key-agreement',
};

/** Which other purposes a family may be given (beyond its default). */
const ALTERNATIVE_PURPOSES: Partial<Record<TemplateFamily, readonly KeyPurpose[]>> = {
  'aes-gcm': ['key-wrapping', 'master'],
  'aes-kw': ['master'],
  hmac: ['master'],
  'rsa-pss': ['ca-signature'],
  'rsa-pkcs1': ['ca-signature'],
  ecdsa: ['ca-signature'],
  ed25519: ['ca-signature'],
  'ml-dsa': ['ca-signature'],
  ecdh: ['ephemeral-key-agreement'],
  x25519: ['ephemeral-key-agreement'],
};

/** The purposes a template may be created for, default first (for the UI's picker). */
export function purposesFor(template: TemplateName): KeyPurpose[] {
  const family = familyOf(template);
  return [FAMILY_PURPOSE[family], ...(ALTERNATIVE_PURPOSES[family] ?? [])];
}

function familyOf(template: TemplateName): TemplateFamily {
  const t = TEMPLATES.get(template);
  if (!t) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown template');
  return t.family;
}

/**
 * The default cryptoperiod for a template (and optionally a purpose it may serve).
 * @throws INVALID_ARGUMENT when the template cannot serve that purpose.
 */
export function defaultCryptoperiod(template: TemplateName, purpose?: KeyPurpose): Cryptoperiod {
  const allowed = purposesFor(template);
  const p = purpose ?? allowed[0]!;
  if (!allowed.includes(p)) {
    throw new EngineError('INVALID_ARGUMENT', `lifecycle: a ${template} key cannot serve as a ${p} key`);
  }
  return CRYPTOPERIODS[p];
}

/** `ms` plus whole calendar years, in UTC (29 February rolls to 1 March). */
export function addYears(ms: number, years: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
}

/**
 * Scheduled dates for a new key from its template's default cryptoperiod: activation
 * (default: `activation` = creation time), protect-stop = activation + OUP, process-stop
 * = activation + RUP, deactivation = protect-stop. Single-use keys get no stop dates:
 * `consumeSingleUse` ends their use at the first operation.
 */
export function defaultDates(template: TemplateName, activation: number, purpose?: KeyPurpose): ScheduledDates {
  const cp = defaultCryptoperiod(template, purpose);
  if (cp.protectYears === 'single-use' || cp.processYears === 'single-use') return { activation };
  const protectStop = addYears(activation, cp.protectYears);
  return { activation, protectStop, processStop: addYears(activation, cp.processYears), deactivation: protectStop };
}

/** A clock-driven transition that is due, with the date that made it due. */
export interface DueTransition {
  from: KeyState;
  to: KeyState;
  /** The date that was reached, epoch ms (the transition is recorded at this time). */
  at: number;
  /** Which of the key's dates it is. */
  date: 'activation' | 'protectStop' | 'deactivation';
}

/**
 * The clock-driven transitions due at `now`, in the order they happen: pre-activation →
 * active at the activation date; active or suspended → deactivated at the end of the
 * originator-usage period (the earlier of protect-stop and deactivation, SP 800-57 #8,
 * #12; KMIP #6). A date is due when `now >= date` (the boundary belongs to the new
 * state). Process-stop never moves a state: it only closes the gate for processing, and
 * destruction stays an operator's decision.
 */
export function dueTransitions(record: LifecycleRecord, now: number): DueTransition[] {
  const out: DueTransition[] = [];
  let state = record.state;
  const d = record.dates;
  const activation = msOf(d.activation);
  if (state === 'pre-activation' && activation !== undefined && activation <= now) {
    out.push({ from: 'pre-activation', to: 'active', at: activation, date: 'activation' });
    state = 'active';
  }
  const end = originatorUsageEnd(d);
  if ((state === 'active' || state === 'suspended') && end !== undefined && end <= now) {
    const date = msOf(d.protectStop) === end ? 'protectStop' : 'deactivation';
    // If activation and the end of use fall together, keep the order activation → deactivation.
    out.push({ from: state, to: 'deactivated', at: Math.max(end, out[0]?.at ?? end), date });
  }
  return out;
}

/** The applied clock transitions and the resulting record. */
export interface AdvanceResult<R extends LifecycleRecord> {
  record: R;
  applied: DueTransition[];
}

/**
 * Applies every due clock transition (cause `clock`, recorded at the date that was
 * reached, never earlier than the record's last event). The engine calls this at
 * start-up, on a timer and when the simulated clock moves, then stores the record and
 * writes one audit entry per applied transition.
 */
export function advance<R extends LifecycleRecord>(record: R, now: number): AdvanceResult<R> {
  const applied = dueTransitions(record, now);
  let rec = record;
  for (const t of applied) {
    const last = rec.history[rec.history.length - 1];
    const at = last ? Math.max(t.at, Date.parse(last.at)) : t.at;
    rec = transition(rec, t.to, { cause: 'clock', at, reason: `${t.date} date reached` });
  }
  return { record: rec, applied };
}

/**
 * When the next clock transition falls due (epoch ms), or undefined when none is
 * scheduled. For the engine's timer.
 */
export function nextDueAt(record: LifecycleRecord): number | undefined {
  const d = record.dates;
  if (record.state === 'pre-activation') return msOf(d.activation);
  if (record.state === 'active' || record.state === 'suspended') return originatorUsageEnd(d);
  return undefined;
}

/**
 * Ends a single-use key's originator-usage period at its first use (SP 800-57 Table 1,
 * ephemeral keys): protect-stop and process-stop become `at`, so `advance(record, at)`
 * then deactivates it and the gates refuse a second use. Other keys are returned as is.
 */
export function consumeSingleUse<R extends LifecycleRecord>(record: R, at: number): R {
  if (!record.singleUse) return record;
  const iso = isoAt(at);
  return { ...record, dates: { ...record.dates, protectStop: iso, processStop: iso } };
}

/** One point on a key's timeline (B8), past or scheduled. */
export interface TimelinePoint {
  /** ISO 8601. */
  at: string;
  label: string;
  kind: 'scheduled' | 'event';
}

/**
 * The key's dates and transitions in time order, for the timeline view: the scheduled
 * dates not yet reached at `now` and every event from the history.
 */
export function timeline(record: LifecycleRecord, now: number): TimelinePoint[] {
  const d = record.dates;
  const points: TimelinePoint[] = [{ at: d.createdAt, label: 'created', kind: 'event' }];
  for (const e of record.history) {
    points.push({ at: e.at, label: `${e.from} → ${e.to} (${e.cause}${e.reason ? `: ${e.reason}` : ''})`, kind: 'event' });
  }
  const scheduled: Array<[string | undefined, string]> = [
    [d.activation, 'activation'],
    [d.protectStop, 'protect-stop (end of originator use)'],
    [d.deactivation, 'deactivation'],
    [d.processStop, 'process-stop (end of recipient use)'],
  ];
  for (const [at, label] of scheduled) {
    if (at !== undefined && Date.parse(at) > now) points.push({ at, label, kind: 'scheduled' });
  }
  return points.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
