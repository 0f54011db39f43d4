/**
 * The walkthrough runner (F1, F2): no React. It runs a walkthrough's steps in order
 * against its namespace's engine, keeps each step's result, and rebuilds a step from
 * scratch (reset the namespace, run steps 0…n) when a deep link opens it directly.
 *
 * Common case:
 * ```ts
 * const runner = createRunner(keyLife, storageNamespace(namespaceName(keyLife.id)));
 * const result = await runner.ensure(3);   // runs steps 0…3 (only those not run yet)
 * await runner.reset();                    // deletes the namespace's database only
 * ```
 *
 * Operations are queued, so two quick clicks on "Next" run each step once, in order.
 */
import { EngineError, type Engine } from '../../engine';
import type { WalkthroughNamespace } from './namespace';
import type { StepResult, Walkthrough, WalkthroughState } from './types';

/** A step's failure as plain data (engine errors keep their code). */
export interface StepFailure {
  step: number;
  code: string;
  message: string;
}

/** What views read: immutable, replaced on every change. */
export interface RunnerSnapshot {
  /** Results of steps 0…k-1 in order (k = results.length). */
  results: readonly StepResult[];
  /** The step now running, if any. */
  running?: number;
  /** The step that failed; later steps cannot run until a rebuild. */
  failure?: StepFailure;
  /** True after `reset()`: the namespace was deleted and nothing has run since. */
  cleared: boolean;
  /** Counts rebuilds and resets, so views can tell a new run from the old one. */
  generation: number;
}

export interface WalkthroughRunner {
  readonly walkthrough: Walkthrough;
  readonly namespace: WalkthroughNamespace;
  snapshot(): RunnerSnapshot;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /**
   * Makes sure steps 0…n have run, running only the missing ones in order (from a fresh
   * namespace when nothing has run yet). @throws what the failing step threw
   */
  ensure(n: number): Promise<StepResult>;
  /** Deletes the namespace, then runs steps 0…n from scratch (a deep link). */
  rebuild(n: number): Promise<StepResult>;
  /** Deletes the namespace's database and forgets every result. */
  reset(): Promise<void>;
  /** The namespace's engine while a run is live (tests and diagnostics). */
  engine(): Engine | undefined;
  /** The plain state the steps have passed forward so far. */
  state(): WalkthroughState;
}

function failureOf(step: number, e: unknown): StepFailure {
  if (e instanceof EngineError) return { step, code: e.code, message: e.message };
  return { step, code: 'UNEXPECTED', message: e instanceof Error ? e.message : String(e) };
}

/** A runner for one walkthrough over one namespace. */
export function createRunner(walkthrough: Walkthrough, namespace: WalkthroughNamespace): WalkthroughRunner {
  const steps = walkthrough.steps;
  let engine: Engine | undefined;
  let state: WalkthroughState = {};
  let snap: RunnerSnapshot = { results: [], cleared: false, generation: 0 };
  const listeners = new Set<() => void>();
  let queue: Promise<unknown> = Promise.resolve();

  const set = (next: Partial<RunnerSnapshot>) => {
    snap = { ...snap, ...next };
    for (const l of [...listeners]) l();
  };

  /** Runs `op` after every earlier operation, whatever their outcome. */
  function enqueue<T>(op: () => Promise<T>): Promise<T> {
    const out = queue.then(op, op);
    queue = out.catch(() => undefined);
    return out;
  }

  /** Undefined for a valid step index, else the rejection to return. */
  function badIndex(n: number): Promise<never> | undefined {
    if (Number.isInteger(n) && n >= 0 && n < steps.length) return undefined;
    // Counted from 1, as the screen counts them (the URL's index is one less).
    return Promise.reject(new EngineError('INVALID_ARGUMENT', `walkthroughs: "${walkthrough.title}" has steps 1 to ${steps.length}`));
  }

  async function start() {
    engine = undefined;
    state = {};
    set({ results: [], failure: undefined, running: undefined, cleared: false, generation: snap.generation + 1 });
    engine = await namespace.fresh();
  }

  async function runUpTo(n: number): Promise<StepResult> {
    if (!engine) await start();
    if (snap.failure) throw new EngineError('INVALID_ARGUMENT', `walkthroughs: step ${snap.failure.step + 1} failed; rebuild to run again`);
    for (let i = snap.results.length; i <= n; i++) {
      set({ running: i });
      try {
        const out = await steps[i]!.run({ engine: engine!, state });
        state = { ...state, ...out.state };
        set({ results: [...snap.results, out.result], running: undefined });
      } catch (e) {
        set({ running: undefined, failure: failureOf(i, e) });
        throw e;
      }
    }
    return snap.results[n]!;
  }

  return {
    walkthrough,
    namespace,
    snapshot: () => snap,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    ensure(n) {
      return badIndex(n) ?? enqueue(() => (snap.results.length > n ? Promise.resolve(snap.results[n]!) : runUpTo(n)));
    },
    rebuild(n) {
      return badIndex(n) ?? enqueue(async () => {
        await start();
        return runUpTo(n);
      });
    },
    reset() {
      return enqueue(async () => {
        engine = undefined;
        state = {};
        await namespace.remove();
        set({ results: [], failure: undefined, running: undefined, cleared: true, generation: snap.generation + 1 });
      });
    },
    engine: () => engine,
    state: () => state,
  };
}
