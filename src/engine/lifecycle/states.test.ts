import { describe, expect, it } from 'vitest';
import { isEngineError, KeyStateError } from '../errors';
import type { KeyState } from '../types';
import {
  allowedTransitions,
  findTransition,
  forbiddenTransitions,
  KEY_STATES,
  TRANSITIONS,
  type TransitionCause,
} from './states';
import { newLifecycle, transition } from './transition';
import { DAY, recordIn, T0, YEAR } from '../../testing/lifecycle-fixtures';

const CAUSES: TransitionCause[] = ['operator', 'clock', 'cascade'];

/** The edges LIFECYCLE.md asks for, written out independently of the table under test. */
const EXPECTED_EDGES: Array<[KeyState, KeyState]> = [
  ['pre-activation', 'active'],
  ['pre-activation', 'destroyed'],
  ['pre-activation', 'compromised'],
  ['active', 'suspended'],
  ['active', 'deactivated'],
  ['active', 'compromised'],
  ['suspended', 'active'],
  ['suspended', 'deactivated'],
  ['suspended', 'compromised'],
  ['deactivated', 'compromised'],
  ['deactivated', 'destroyed'],
  ['compromised', 'destroyed-compromised'],
  ['destroyed', 'destroyed-compromised'],
];

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('lifecycle states: the transition table (B1)', () => {
  it('has exactly the SP 800-57 + KMIP edges of LIFECYCLE.md and no others', () => {
    const got = TRANSITIONS.map((t) => `${t.from}>${t.to}`).sort();
    expect(got).toEqual(EXPECTED_EDGES.map(([a, b]) => `${a}>${b}`).sort());
  });

  it('explains every missing edge: allowed + forbidden cover every pair of distinct states', () => {
    for (const from of KEY_STATES) {
      const allowed = allowedTransitions(from).map((t) => t.to);
      const forbidden = forbiddenTransitions(from);
      expect([...allowed, ...forbidden.map((f) => f.to)].sort()).toEqual(KEY_STATES.filter((s) => s !== from).sort());
      for (const f of forbidden) expect(f.explanation).not.toBe('no such transition in SP 800-57 or KMIP.');
    }
  });

  it('KMIP: an active key cannot be destroyed directly', () => {
    expect(findTransition('active', 'destroyed')).toBeUndefined();
    const e = thrown(() => transition(recordIn('active'), 'destroyed', { cause: 'operator', at: T0 + 2 * DAY }));
    expect(e).toBeInstanceOf(KeyStateError);
    expect((e as Error).message).toMatch(/^lifecycle: key is active; cannot move to destroyed: an active key cannot be destroyed directly/);
  });

  it('KMIP: compromise is permanent — no edge leads from a compromised state to a non-compromised one', () => {
    for (const from of ['compromised', 'destroyed-compromised'] as const) {
      for (const t of allowedTransitions(from)) expect(t.to).toBe('destroyed-compromised');
    }
    for (const to of ['pre-activation', 'active', 'suspended', 'deactivated'] as const) {
      expect(() => transition(recordIn('compromised'), to, { cause: 'operator', at: T0 + 2 * DAY })).toThrow(/compromise is permanent/);
    }
  });

  it('suspended ↔ active: suspend and resume are both edges', () => {
    const s = transition(recordIn('active'), 'suspended', { cause: 'operator', at: T0 + DAY, reason: 'investigating' });
    expect(s.state).toBe('suspended');
    expect(s.dates.suspension).toBe(new Date(T0 + DAY).toISOString());
    const a = transition(s, 'active', { cause: 'operator', at: T0 + 2 * DAY });
    expect(a.state).toBe('active');
    expect(a.history.map((h) => h.to)).toEqual(['active', 'suspended', 'active']);
    expect(a.history[1]!.reason).toBe('investigating');
  });

  it('SP 800-57 #10: a suspended key can be resumed 1 ms before its protect-stop date, not at it', () => {
    const s = recordIn('suspended');
    const stop = T0 + YEAR;
    expect(transition(s, 'active', { cause: 'operator', at: stop - 1 }).state).toBe('active');
    expect(() => transition(s, 'active', { cause: 'operator', at: stop })).toThrow(/key is suspended; it can be resumed only before the end of its originator-usage period/);
  });

  it('does not change the record it was given', () => {
    const a = recordIn('active');
    const copy = structuredClone(a);
    transition(a, 'compromised', { cause: 'operator', at: T0 + DAY });
    expect(a).toEqual(copy);
  });

  it('keeps the caller’s extra fields (generic over the engine’s key record)', () => {
    const rec = { ...recordIn('active'), keyId: 'key_1', name: 'notes' };
    const out = transition(rec, 'deactivated', { cause: 'operator', at: T0 + DAY });
    expect(out.keyId).toBe('key_1');
    expect(out.name).toBe('notes');
  });

  it('refuses a transition dated before the record’s last one', () => {
    const e = thrown(() => transition(recordIn('suspended'), 'compromised', { cause: 'operator', at: T0 }));
    expect(isEngineError(e, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('records the dates each transition sets', () => {
    const at = T0 + 10 * DAY;
    const d = transition(recordIn('active'), 'deactivated', { cause: 'operator', at });
    expect(d.dates.deactivation).toBe(new Date(at).toISOString());
    expect(d.dates.protectStop).toBe(new Date(at).toISOString());
    expect(d.dates.processStop).toBe(new Date(T0 + 2 * YEAR).toISOString());
    const c = transition(recordIn('active'), 'compromised', { cause: 'operator', at, compromiseOccurredAt: T0 + 5 * DAY });
    expect(c.dates.compromise).toBe(new Date(at).toISOString());
    expect(c.dates.compromiseOccurrence).toBe(new Date(T0 + 5 * DAY).toISOString());
    const x = transition(c, 'destroyed-compromised', { cause: 'operator', at: at + DAY });
    expect(x.dates.destroyed).toBe(new Date(at + DAY).toISOString());
    const y = transition(recordIn('destroyed'), 'destroyed-compromised', { cause: 'operator', at });
    expect(y.dates.compromise).toBe(new Date(at).toISOString());
  });

  it('operator activation before the scheduled activation date moves the activation date to now (KMIP Activate)', () => {
    const r = newLifecycle({ createdAt: T0, dates: { activation: T0 + 10 * DAY } });
    const a = transition(r, 'active', { cause: 'operator', at: T0 + DAY });
    expect(a.dates.activation).toBe(new Date(T0 + DAY).toISOString());
  });

  it('newLifecycle refuses dates out of order', () => {
    expect(() => newLifecycle({ createdAt: T0, dates: { activation: T0 + 2 * DAY, protectStop: T0 + DAY } })).toThrow(
      /protect-stop date must not be before the activation date/,
    );
    expect(() => newLifecycle({ createdAt: T0, dates: { protectStop: T0 + 2 * DAY, processStop: T0 + DAY } })).toThrow(
      /process-stop date must not be before the protect-stop date/,
    );
    expect(() => newLifecycle({ createdAt: T0, dates: { activation: T0 - 1 } })).toThrow(/activation date must not be before the creation date/);
  });
});

describe('lifecycle states: every allowed transition with every cause', () => {
  // Clock transitions need their date reached: use a time past both scheduled dates.
  const cases = TRANSITIONS.flatMap((t) => CAUSES.map((cause) => ({ ...t, cause, allowed: t.causes.includes(cause) })));

  it.each(cases)('$from → $to by $cause: allowed=$allowed', ({ from, to, cause, allowed }) => {
    let rec = recordIn(from);
    if (from === 'pre-activation') rec = newLifecycle({ createdAt: T0, dates: { activation: T0 + DAY, protectStop: T0 + YEAR } });
    // For clock edges the date that drives them must have passed; for resume it must not have.
    const at = cause === 'clock' && to === 'deactivated' ? T0 + YEAR : T0 + 2 * DAY;
    if (allowed) {
      const out = transition(rec, to, { cause, at });
      expect(out.state).toBe(to);
      expect(out.history.at(-1)).toMatchObject({ from, to, cause, at: new Date(at).toISOString() });
    } else {
      const e = thrown(() => transition(rec, to, { cause, at }));
      expect(e).toBeInstanceOf(KeyStateError);
      expect((e as Error).message).toContain(`key is ${from}`);
      expect((e as Error).message).toContain(`not by ${cause}`);
    }
  });

  it('a clock transition before its date is refused (activation 1 ms early, deactivation 1 ms early)', () => {
    const pre = newLifecycle({ createdAt: T0, dates: { activation: T0 + DAY, protectStop: T0 + YEAR } });
    expect(() => transition(pre, 'active', { cause: 'clock', at: T0 + DAY - 1 })).toThrow(/only once its activation date is reached/);
    expect(transition(pre, 'active', { cause: 'clock', at: T0 + DAY }).state).toBe('active');
    const act = recordIn('active');
    expect(() => transition(act, 'deactivated', { cause: 'clock', at: T0 + YEAR - 1 })).toThrow(/protect-stop or deactivation date/);
    expect(transition(act, 'deactivated', { cause: 'clock', at: T0 + YEAR }).state).toBe('deactivated');
  });
});

describe('lifecycle states: every forbidden transition', () => {
  const cases = KEY_STATES.flatMap((from) => forbiddenTransitions(from));

  it('lists 49 − 7 − 13 = 29 forbidden edges', () => {
    expect(cases).toHaveLength(29);
  });

  it.each(cases)('$from → $to is refused by every cause, naming the state and the rule', ({ from, to, explanation }) => {
    for (const cause of CAUSES) {
      const e = thrown(() => transition(recordIn(from), to, { cause, at: T0 + 2 * YEAR }));
      expect(e).toBeInstanceOf(KeyStateError);
      expect((e as KeyStateError).code).toBe('KEY_STATE');
      expect((e as Error).message).toBe(`lifecycle: key is ${from}; cannot move to ${to}: ${explanation}`);
    }
  });

  it('moving to the same state is refused', () => {
    for (const s of KEY_STATES) expect(() => transition(recordIn(s), s, { cause: 'operator', at: T0 + 2 * YEAR })).toThrow(`key is already ${s}`);
  });
});
