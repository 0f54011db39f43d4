// The engine's clock with a simulated time the app can move forward and reset (B3, B8).
import { EngineError } from '../errors';
import type { Clock } from '../internal/clock';

/** The engine's clock with a simulated time the app can move forward and reset. */
export interface SimulatedClock extends Clock {
  /** Moves the engine's time to `ms` (it then runs on from there), or back to the real clock with null. */
  set(ms: number | null): void;
  /** True while a simulated time is in effect. */
  simulated(): boolean;
}

/** Wraps the injected clock so walkthroughs can move time; stored dates never change. */
export function simulatedClock(base: Clock): SimulatedClock {
  let offset: number | null = null;
  return {
    now: () => base.now() + (offset ?? 0),
    set: (ms) => {
      if (ms === null) {
        offset = null;
        return;
      }
      if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: the simulated time must be epoch milliseconds or null');
      offset = ms - base.now();
    },
    simulated: () => offset !== null,
  };
}
