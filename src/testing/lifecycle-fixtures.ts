/** Shared test fixtures for the lifecycle tests: a fixed clock and a record in each state. */
import type { KeyState } from '../engine/types';
import type { LifecycleRecord } from '../engine/lifecycle/states';
import { newLifecycle, transition } from '../engine/lifecycle/transition';

/** The fixed "now" the lifecycle tests start from. */
export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
/** One day in milliseconds. */
export const DAY = 86_400_000;
/** 365 days in milliseconds (not a calendar year: `addYears` is for those). */
export const YEAR = 365 * DAY;

/**
 * A record that reached `state` by legal transitions: activated by an operator at T0,
 * protect-stop T0+1y, process-stop T0+2y; the last transition happens at T0+1d.
 */
export function recordIn(state: KeyState): LifecycleRecord {
  const base = newLifecycle({ createdAt: T0, dates: { protectStop: T0 + YEAR, processStop: T0 + 2 * YEAR } });
  if (state === 'pre-activation') return base;
  const op = (r: LifecycleRecord, to: KeyState, at: number) => transition(r, to, { cause: 'operator', at });
  const active = op(base, 'active', T0);
  switch (state) {
    case 'active':
      return active;
    case 'suspended':
    case 'deactivated':
    case 'compromised':
      return op(active, state, T0 + DAY);
    case 'destroyed':
      return op(op(active, 'deactivated', T0 + DAY), 'destroyed', T0 + DAY);
    case 'destroyed-compromised':
      return op(op(active, 'compromised', T0 + DAY), 'destroyed-compromised', T0 + DAY);
  }
}
