/** The engine's notion of time, injected so tests and walkthroughs can fix or move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * True while the time is simulated (the engine's clock control, B8). Modules must not
   * let simulated time write state that real time then trusts (issue 14 #5).
   */
  simulated?(): boolean;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until told to move: for tests and simulations. */
export function fixedClock(start: number | Date): Clock & { set(t: number | Date): void; advance(ms: number): void } {
  let t = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => t,
    set: (v) => {
      t = typeof v === 'number' ? v : v.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
}
