import { describe, expect, it } from 'vitest';
import { isEngineError, KeyStateError } from '../errors';
import type { KeyState } from '../types';
import {
  applyPlannedTransition,
  planKeyRevocation,
  planPrincipalRevocation,
  REVOCATION_REASONS,
  revocationTarget,
  revokeKey,
  type RevocationReason,
} from './revocation';
import { KEY_STATES } from './states';
import { DAY, recordIn, T0 } from '../../testing/lifecycle-fixtures';

const AT = T0 + 10 * DAY;
const COMPROMISE: RevocationReason[] = ['keyCompromise', 'cACompromise', 'aACompromise'];
const NON_COMPROMISE: RevocationReason[] = ['unspecified', 'superseded', 'cessationOfOperation', 'affiliationChanged', 'privilegeWithdrawn'];

describe('lifecycle revocation: B5 reason → state', () => {
  it.each(COMPROMISE)('%s moves an active key to compromised', (reason) => {
    const r = revokeKey(recordIn('active'), reason, { at: AT });
    expect(r.state).toBe('compromised');
    expect(r.history.at(-1)).toMatchObject({ cause: 'operator', reason });
  });

  it.each(NON_COMPROMISE)('%s moves an active key to deactivated (still processes)', (reason) => {
    const r = revokeKey(recordIn('active'), reason, { at: AT });
    expect(r.state).toBe('deactivated');
    expect(r.history.at(-1)!.reason).toBe(reason);
  });

  it('certificateHold suspends an active key', () => {
    expect(revokeKey(recordIn('active'), 'certificateHold', { at: AT }).state).toBe('suspended');
  });

  it('uses the RFC 5280 CRLReason and KMIP codes', () => {
    expect(Object.fromEntries(Object.values(REVOCATION_REASONS).map((r) => [r.reason, r.crlCode]))).toEqual({
      unspecified: 0,
      keyCompromise: 1,
      cACompromise: 2,
      affiliationChanged: 3,
      superseded: 4,
      cessationOfOperation: 5,
      certificateHold: 6,
      privilegeWithdrawn: 9,
      aACompromise: 10,
    });
    expect(REVOCATION_REASONS.superseded.kmipCode).toBe(5);
    expect(REVOCATION_REASONS.keyCompromise.kmipCode).toBe(2);
  });

  const compromiseTarget: Record<KeyState, KeyState | 'refused'> = {
    'pre-activation': 'compromised',
    active: 'compromised',
    suspended: 'compromised',
    deactivated: 'compromised',
    compromised: 'refused',
    destroyed: 'destroyed-compromised',
    'destroyed-compromised': 'refused',
  };
  it.each(KEY_STATES)('keyCompromise on a %s key', (state) => {
    const want = compromiseTarget[state];
    if (want === 'refused') expect(() => revocationTarget(state, 'keyCompromise')).toThrow(`lifecycle: key is ${state}; it is already revoked as compromised`);
    else expect(revokeKey(recordIn(state), 'keyCompromise', { at: AT }).state).toBe(want);
  });

  it.each(KEY_STATES.filter((s) => s !== 'active'))('KMIP: a non-compromise revocation of a %s key is refused', (state) => {
    for (const reason of NON_COMPROMISE) {
      const f = () => revokeKey(recordIn(state), reason, { at: AT });
      expect(f).toThrow(KeyStateError);
      expect(f).toThrow(`lifecycle: key is ${state}; a non-compromise revocation (${reason}) applies only to an active key (KMIP)`);
    }
  });

  it('refuses an unknown reason', () => {
    let e: unknown;
    try {
      revocationTarget('active', 'removeFromCRL' as RevocationReason);
    } catch (x) {
      e = x;
    }
    expect(isEngineError(e, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('lifecycle revocation: principal revocation plan (B5) and K8', () => {
  const keys = KEY_STATES.map((s) => ({ keyId: `key_${s}`, record: recordIn(s) }));
  const certs = [
    { certId: 'cert_a', keyId: 'key_active', revoked: false },
    { certId: 'cert_b', keyId: 'key_active', revoked: true },
    { certId: 'cert_c', keyId: 'key_deactivated', revoked: false },
    { certId: 'cert_other', keyId: 'key_someone_else', revoked: false },
  ];

  it('non-compromise (privilegeWithdrawn): active/suspended → deactivated, pre-activation → destroyed, the rest unchanged', () => {
    const plan = planPrincipalRevocation(keys, 'privilegeWithdrawn', certs);
    expect(plan.transitions.map((t) => [t.from, t.to, t.cause])).toEqual([
      ['pre-activation', 'destroyed', 'cascade'],
      ['active', 'deactivated', 'cascade'],
      ['suspended', 'deactivated', 'cascade'],
    ]);
    expect(plan.unchanged.map((u) => u.state)).toEqual(['deactivated', 'compromised', 'destroyed', 'destroyed-compromised']);
    expect(plan.certificates).toEqual([
      { certId: 'cert_a', keyId: 'key_active', reason: 'privilegeWithdrawn' },
      { certId: 'cert_c', keyId: 'key_deactivated', reason: 'privilegeWithdrawn' },
    ]);
  });

  it('K8 compromise: every key not yet compromised becomes compromised and its unrevoked certificates are revoked for keyCompromise', () => {
    const plan = planPrincipalRevocation(keys, 'keyCompromise', certs);
    expect(plan.transitions.map((t) => `${t.from}>${t.to}`)).toEqual([
      'pre-activation>compromised',
      'active>compromised',
      'suspended>compromised',
      'deactivated>compromised',
      'destroyed>destroyed-compromised',
    ]);
    expect(plan.unchanged.map((u) => u.state)).toEqual(['compromised', 'destroyed-compromised']);
    expect(plan.certificates.map((c) => [c.certId, c.reason])).toEqual([
      ['cert_a', 'keyCompromise'],
      ['cert_c', 'keyCompromise'],
    ]);
  });

  it('every planned transition applies cleanly through the state table', () => {
    for (const reason of ['keyCompromise', 'superseded', 'certificateHold'] as const) {
      const plan = planPrincipalRevocation(keys, reason);
      for (const t of plan.transitions) {
        const rec = keys.find((k) => k.keyId === t.keyId)!.record;
        expect(applyPlannedTransition(rec, t, AT).state).toBe(t.to);
      }
    }
  });

  it('applyPlannedTransition refuses a plan made for a key that has changed since', () => {
    const plan = planPrincipalRevocation(keys, 'superseded');
    const t = plan.transitions.find((x) => x.from === 'active')!;
    expect(() => applyPlannedTransition(recordIn('compromised'), t, AT)).toThrow(/the plan expected active/);
  });

  it('K8 planKeyRevocation: one key compromised, its certificates revoked; a refused state throws before anything is planned', () => {
    const plan = planKeyRevocation({ keyId: 'key_active', record: recordIn('active') }, 'keyCompromise', certs);
    expect(plan.transitions).toEqual([{ keyId: 'key_active', from: 'active', to: 'compromised', cause: 'operator', reason: 'keyCompromise' }]);
    expect(plan.certificates.map((c) => c.certId)).toEqual(['cert_a']);
    expect(() => planKeyRevocation({ keyId: 'key_x', record: recordIn('deactivated') }, 'superseded', certs)).toThrow(KeyStateError);
  });
});
