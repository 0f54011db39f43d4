import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { TEMPLATE_NAMES, TEMPLATES } from '../keys/templates';
import {
  addYears,
  advance,
  consumeSingleUse,
  CRYPTOPERIODS,
  defaultCryptoperiod,
  defaultDates,
  dueTransitions,
  FAMILY_PURPOSE,
  nextDueAt,
  purposesFor,
  timeline,
} from './dates';
import { assertOperationAllowed } from './gates';
import { newLifecycle, transition } from './transition';
import { DAY, recordIn, T0, YEAR } from '../../testing/lifecycle-fixtures';

const iso = (ms: number) => new Date(ms).toISOString();

describe('lifecycle dates: K2 default cryptoperiods (SP 800-57 Part 1 Table 1)', () => {
  it('every template has a default purpose and cryptoperiod', () => {
    for (const name of TEMPLATE_NAMES) {
      const cp = defaultCryptoperiod(name);
      expect(cp.purpose).toBe(FAMILY_PURPOSE[TEMPLATES.get(name)!.family]);
      expect(cp.citation).toMatch(/Table 1/);
    }
  });

  it('K2 AES data / key-wrapping keys: originator use 2 y, recipient use OUP + 3 y', () => {
    for (const t of ['AES-GCM-256', 'AES-GCM-128', 'ChaCha20-Poly1305', 'FERNET', 'AES-KW-256', 'HMAC-SHA-256'] as const) {
      const d = defaultDates(t, T0);
      expect(d.protectStop).toBe(addYears(T0, 2));
      expect(d.processStop).toBe(addYears(T0, 5));
      expect(d.deactivation).toBe(d.protectStop);
    }
  });

  it('K2 signing keys: leaf 2 y (inside 1–3 y), CA 3 y', () => {
    for (const t of ['ECDSA-P-256', 'RSA-PSS-3072', 'RSASSA-PKCS1-v1_5-2048', 'Ed25519', 'ML-DSA-65'] as const) {
      expect(defaultDates(t, T0).protectStop).toBe(addYears(T0, 2));
    }
    expect(defaultDates('ECDSA-P-384', T0, 'ca-signature').protectStop).toBe(addYears(T0, 3));
  });

  it('K2 key agreement 1–2 y; ephemeral single use; KDC master about 1 y; key transport 1 y protect, 2 y process', () => {
    expect(defaultDates('ECDH-P-256', T0).protectStop).toBe(addYears(T0, 2));
    expect(CRYPTOPERIODS['ephemeral-key-agreement'].protectYears).toBe('single-use');
    expect(defaultDates('X25519', T0, 'ephemeral-key-agreement')).toEqual({ activation: T0 });
    expect(defaultDates('AES-GCM-256', T0, 'master').protectStop).toBe(addYears(T0, 1));
    expect(defaultDates('RSA-OAEP-3072', T0)).toMatchObject({ protectStop: addYears(T0, 1), processStop: addYears(T0, 2) });
    expect(defaultDates('ML-KEM-768', T0)).toMatchObject({ protectStop: addYears(T0, 1), processStop: addYears(T0, 2) });
  });

  it('refuses a purpose the template cannot serve', () => {
    expect(purposesFor('ECDSA-P-256')).toEqual(['signature', 'ca-signature']);
    let err: unknown;
    try {
      defaultCryptoperiod('ECDSA-P-256', 'data-encryption');
    } catch (e) {
      err = e;
    }
    expect(isEngineError(err, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('adds calendar years in UTC (leap day rolls to 1 March)', () => {
    expect(iso(addYears(Date.parse('2028-02-29T12:00:00Z'), 1))).toBe('2029-03-01T12:00:00.000Z');
    expect(iso(addYears(T0, 2))).toBe('2032-01-01T00:00:00.000Z');
  });
});

describe('lifecycle dates: B3 clock-driven transitions at each date boundary', () => {
  const activation = T0 + 10 * DAY;
  const protectStop = T0 + YEAR;
  const processStop = T0 + 2 * YEAR;
  const fresh = () => newLifecycle({ createdAt: T0, dates: { activation, protectStop, processStop } });

  it('pre-activation → active: not due 1 ms before the activation date, due at it', () => {
    expect(dueTransitions(fresh(), activation - 1)).toEqual([]);
    expect(dueTransitions(fresh(), activation)).toEqual([{ from: 'pre-activation', to: 'active', at: activation, date: 'activation' }]);
  });

  it('active → deactivated: not due 1 ms before protect-stop, due at it', () => {
    const a = advance(fresh(), activation).record;
    expect(a.state).toBe('active');
    expect(dueTransitions(a, protectStop - 1)).toEqual([]);
    expect(dueTransitions(a, protectStop)).toEqual([{ from: 'active', to: 'deactivated', at: protectStop, date: 'protectStop' }]);
  });

  it('active → deactivated at the deactivation date when it comes before protect-stop (KMIP #6)', () => {
    const r = newLifecycle({ createdAt: T0, dates: { activation: T0, protectStop, deactivation: T0 + 30 * DAY } });
    const a = advance(r, T0).record;
    expect(dueTransitions(a, T0 + 30 * DAY - 1)).toEqual([]);
    expect(dueTransitions(a, T0 + 30 * DAY)).toEqual([{ from: 'active', to: 'deactivated', at: T0 + 30 * DAY, date: 'deactivation' }]);
  });

  it('suspended → deactivated at the end of the originator-usage period (SP 800-57 #12)', () => {
    const s = recordIn('suspended');
    expect(dueTransitions(s, T0 + YEAR - 1)).toEqual([]);
    expect(dueTransitions(s, T0 + YEAR)).toEqual([{ from: 'suspended', to: 'deactivated', at: T0 + YEAR, date: 'protectStop' }]);
  });

  it('after a long time off, both transitions are due in order and advance applies them at their own dates', () => {
    const due = dueTransitions(fresh(), processStop + YEAR);
    expect(due.map((d) => `${d.from}>${d.to}`)).toEqual(['pre-activation>active', 'active>deactivated']);
    const { record, applied } = advance(fresh(), processStop + YEAR);
    expect(applied).toEqual(due);
    expect(record.state).toBe('deactivated');
    expect(record.history.map((h) => [h.cause, h.at])).toEqual([
      ['clock', iso(activation)],
      ['clock', iso(protectStop)],
    ]);
  });

  it('process-stop never moves the state, nor does anything in deactivated, compromised or destroyed states', () => {
    for (const s of ['deactivated', 'compromised', 'destroyed', 'destroyed-compromised'] as const) {
      expect(dueTransitions(recordIn(s), T0 + 10 * YEAR)).toEqual([]);
      expect(nextDueAt(recordIn(s))).toBeUndefined();
    }
  });

  it('a key without scheduled dates is never moved by the clock', () => {
    const r = newLifecycle({ createdAt: T0 });
    expect(dueTransitions(r, T0 + 100 * YEAR)).toEqual([]);
    expect(nextDueAt(r)).toBeUndefined();
  });

  it('nextDueAt gives the timer its next deadline', () => {
    expect(nextDueAt(fresh())).toBe(activation);
    expect(nextDueAt(advance(fresh(), activation).record)).toBe(protectStop);
  });

  it('a single-use (ephemeral) key protects once: its use ends at the first operation', () => {
    const r = advance(newLifecycle({ createdAt: T0, dates: defaultDates('ECDH-P-256', T0, 'ephemeral-key-agreement'), singleUse: true }), T0).record;
    expect(() => assertOperationAllowed(r, 'derive', T0 + 1)).not.toThrow();
    const used = advance(consumeSingleUse(r, T0 + 1), T0 + 1).record;
    expect(used.state).toBe('deactivated');
    expect(() => assertOperationAllowed(used, 'derive', T0 + 1)).toThrow(/key is deactivated/);
    // Keys that are not single-use are untouched.
    expect(consumeSingleUse(recordIn('active'), T0 + 1)).toEqual(recordIn('active'));
  });

  it('timeline lists past events and future scheduled dates in time order', () => {
    const a = transition(advance(fresh(), activation).record, 'suspended', { cause: 'operator', at: activation + DAY, reason: 'audit' });
    const t = timeline(a, activation + 2 * DAY);
    expect(t.map((p) => p.kind)).toEqual(['event', 'event', 'event', 'scheduled', 'scheduled']);
    expect(t[2]!.label).toBe('active → suspended (operator: audit)');
    expect(t.map((p) => Date.parse(p.at))).toEqual([...t.map((p) => Date.parse(p.at))].sort((x, y) => x - y));
  });
});
