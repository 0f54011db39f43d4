import { describe, expect, it } from 'vitest';
import { KeyStateError } from '../errors';
import type { KeyOperation, KeyState } from '../types';
import { ALL_OPERATIONS, assertCrlSigningAllowed, assertOperationAllowed, checkOperation, operationKind, operationMatrix } from './gates';
import { KEY_STATES } from './states';
import { newLifecycle, transition } from './transition';
import { DAY, recordIn, T0, YEAR } from '../../testing/lifecycle-fixtures';

type Verdict = 'allowed' | 'refused' | 'with-acknowledgement';

/**
 * The B2 matrix, written out by hand from LIFECYCLE.md "What each state allows"
 * (protect = encrypt, sign, wrap, derive, encapsulate; process = decrypt, verify, unwrap, decapsulate).
 */
const EXPECTED: Record<KeyState, { protect: Verdict; process: Verdict }> = {
  'pre-activation': { protect: 'refused', process: 'refused' },
  active: { protect: 'allowed', process: 'allowed' },
  suspended: { protect: 'refused', process: 'with-acknowledgement' },
  deactivated: { protect: 'refused', process: 'allowed' },
  compromised: { protect: 'refused', process: 'with-acknowledgement' },
  destroyed: { protect: 'refused', process: 'refused' },
  'destroyed-compromised': { protect: 'refused', process: 'refused' },
};

const NOW = T0 + 100 * DAY; // inside every usage period of the fixtures

describe('lifecycle gates: B2 matrix of every operation against every state (fixed clock)', () => {
  it('classifies operations as protect or process', () => {
    expect(ALL_OPERATIONS.filter((o) => operationKind(o) === 'protect')).toEqual(['encrypt', 'sign', 'wrap', 'derive', 'encapsulate']);
    expect(ALL_OPERATIONS.filter((o) => operationKind(o) === 'process')).toEqual(['decrypt', 'verify', 'unwrap', 'decapsulate']);
  });

  const cases = KEY_STATES.flatMap((state) => ALL_OPERATIONS.map((op) => ({ state, op, verdict: EXPECTED[state][operationKind(op)] })));

  it.each(cases)('B2 $state × $op → $verdict', ({ state, op, verdict }) => {
    const rec = recordIn(state);
    const plain = () => assertOperationAllowed(rec, op, NOW);
    const acked = () => assertOperationAllowed(rec, op, NOW, { acknowledgeRisk: true });
    if (verdict === 'allowed') {
      expect(plain).not.toThrow();
    } else {
      expect(plain).toThrow(KeyStateError);
      expect(plain).toThrow(new RegExp(`^lifecycle: key is ${state}; `));
    }
    if (verdict === 'refused') expect(acked).toThrow(KeyStateError);
    else expect(acked).not.toThrow();
    expect(checkOperation(rec, op, NOW).needsAcknowledgement).toBe(verdict === 'with-acknowledgement');
  });

  it('names the state and the rule: deactivated keys may only process, not encrypt', () => {
    expect(() => assertOperationAllowed(recordIn('deactivated'), 'encrypt', NOW)).toThrow(
      'lifecycle: key is deactivated; deactivated keys may only process (decrypt, verify, unwrap, decapsulate), not encrypt',
    );
  });

  it('the acknowledgement never lets a suspended or compromised key protect', () => {
    for (const s of ['suspended', 'compromised'] as const) {
      for (const op of ['encrypt', 'sign', 'wrap'] as KeyOperation[]) {
        expect(() => assertOperationAllowed(recordIn(s), op, NOW, { acknowledgeRisk: true })).toThrow(`key is ${s}`);
      }
    }
  });

  it('operationMatrix gives the same verdicts as checkOperation', () => {
    const m = operationMatrix(recordIn('deactivated'), NOW);
    expect(Object.keys(m).sort()).toEqual([...ALL_OPERATIONS].sort());
    expect(m.decrypt.allowed).toBe(true);
    expect(m.sign.allowed).toBe(false);
  });
});

describe('lifecycle gates: dates (B3, K2)', () => {
  const rec = recordIn('active'); // protect-stop T0+1y, process-stop T0+2y
  const protectStop = T0 + YEAR;
  const processStop = T0 + 2 * YEAR;

  it('K2 protect is allowed 1 ms before protect-stop and refused at it', () => {
    expect(() => assertOperationAllowed(rec, 'encrypt', protectStop - 1)).not.toThrow();
    expect(() => assertOperationAllowed(rec, 'encrypt', protectStop)).toThrow(/key is deactivated; deactivated keys may only process/);
  });

  it('K2 process still works after protect-stop, 1 ms before process-stop, and is refused at it', () => {
    expect(() => assertOperationAllowed(rec, 'decrypt', protectStop)).not.toThrow();
    expect(() => assertOperationAllowed(rec, 'verify', processStop - 1)).not.toThrow();
    expect(() => assertOperationAllowed(rec, 'verify', processStop)).toThrow(/may verify only until its process-stop date/);
    expect(() => assertOperationAllowed(recordIn('deactivated'), 'decrypt', processStop)).toThrow(/key is deactivated; it may decrypt only until its process-stop date/);
  });

  it('a pre-activation key is usable from its activation date on (the gate applies the due clock transition), not 1 ms before', () => {
    const pre = newLifecycle({ createdAt: T0, dates: { activation: T0 + DAY, protectStop: T0 + YEAR } });
    expect(() => assertOperationAllowed(pre, 'sign', T0 + DAY - 1)).toThrow(/key is pre-activation; a key cannot be used before it is activated \(activation date 2030-01-02/);
    expect(() => assertOperationAllowed(pre, 'sign', T0 + DAY)).not.toThrow();
  });

  it('even with the acknowledgement, a suspended key refuses data protected during the suspension', () => {
    const s = recordIn('suspended'); // suspended at T0+1d
    expect(() => assertOperationAllowed(s, 'decrypt', NOW, { acknowledgeRisk: true, dataProtectedAt: T0 + DAY - 1 })).not.toThrow();
    expect(() => assertOperationAllowed(s, 'decrypt', NOW, { acknowledgeRisk: true, dataProtectedAt: T0 + DAY })).toThrow(
      /key is suspended; data protected during the suspension/,
    );
  });

  it('even with the acknowledgement, a compromised key refuses data protected after the compromise occurred', () => {
    const c = transition(recordIn('active'), 'compromised', { cause: 'operator', at: T0 + 10 * DAY, compromiseOccurredAt: T0 + 5 * DAY });
    expect(() => assertOperationAllowed(c, 'verify', NOW, { acknowledgeRisk: true, dataProtectedAt: T0 + 5 * DAY - 1 })).not.toThrow();
    expect(() => assertOperationAllowed(c, 'verify', NOW, { acknowledgeRisk: true, dataProtectedAt: T0 + 5 * DAY })).toThrow(
      /key is compromised; data protected after the compromise/,
    );
  });
});

describe('lifecycle gates: CRL signing by a CA key (K3)', () => {
  it('K3 an active or deactivated CA key signs CRLs until process-stop; a deactivated one may not sign anything else', () => {
    for (const state of ['active', 'deactivated'] as const) {
      expect(() => assertCrlSigningAllowed(recordIn(state), NOW), state).not.toThrow();
      expect(() => assertCrlSigningAllowed(recordIn(state), T0 + 2 * YEAR), state).toThrow(/process-stop/);
    }
    expect(() => assertOperationAllowed(recordIn('deactivated'), 'sign', NOW)).toThrow(KeyStateError);
  });

  it('K3 a suspended, compromised, pre-activation or destroyed CA key signs no CRL', () => {
    for (const state of ['pre-activation', 'suspended', 'compromised', 'destroyed', 'destroyed-compromised'] as const) {
      expect(() => assertCrlSigningAllowed(recordIn(state), NOW), state).toThrow(KeyStateError);
      expect(() => assertCrlSigningAllowed(recordIn(state), NOW), state).toThrow(new RegExp(`key is ${state}`));
    }
  });
});
