/**
 * The key-exchange slice (D1–D5): the curves this browser offers, the parties that can
 * authenticate, the current exchange as plain data, the forward-secrecy report and the
 * classic-DH walkthrough. The live `ExchangeSession` (which holds CryptoKeys) stays in
 * this slice's closure, never in the state: the state keeps only its `ExchangeView`
 * (fingerprints, hex of public values, steps, messages as shown).
 */
import type { StoreApi } from 'zustand/vanilla';
import {
  EngineError,
  type ClassicDhParams,
  type ClassicDhResult,
  type DeliveryView,
  type Engine,
  type ExchangeApi,
  type ExchangeCurve,
  type ExchangeParty,
  type ExchangeSession,
  type ExchangeView,
  type ForwardSecrecyCurve,
  type ForwardSecrecyReport,
  type StartExchangeParams,
} from '../../engine';
import type { OpStatus, Result } from '../types';
import { runOp } from './run-op';

export const exchangeOpNames = {
  setup: 'setup',
  demoParties: 'demo-parties',
  start: 'start',
  step: 'step',
  send: 'send',
  forwardSecrecy: 'forward-secrecy',
  classic: 'classic',
} as const;

/** A curve and whether this browser offers it (the app names it). */
export interface CurveOption {
  curve: ExchangeCurve;
  available: boolean;
}

export interface ExchangeSlice {
  curves: CurveOption[];
  parties: ExchangeParty[];
  setupStatus: 'idle' | 'loading' | 'ready' | 'error';
  /** The current exchange, or null before the first start. */
  view: ExchangeView | null;
  forwardSecrecy: ForwardSecrecyReport | null;
  classic: ClassicDhResult | null;
  ops: Record<string, OpStatus>;

  /** Loads the curves and the parties. */
  loadSetup(): Promise<void>;
  /** Creates (or finds) Alice, Bob and Mallory with certificates from the exchange CA. */
  createDemoParties(): Promise<Result<ExchangeParty[]>>;
  /** Starts a new exchange (the previous one is closed). */
  start(p: StartExchangeParams): Promise<Result<ExchangeView>>;
  /** Runs the next step. */
  step(): Promise<Result<ExchangeView>>;
  /** Runs every remaining step. */
  runToEnd(): Promise<Result<ExchangeView>>;
  /** Sends a message under the session key; `tamper` is what the attacker puts in its place. */
  send(from: 'initiator' | 'responder', text: string, tamper?: string): Promise<Result<DeliveryView>>;
  /** Closes the exchange and forgets its view. */
  reset(): void;
  runForwardSecrecy(p: { curve: ForwardSecrecyCurve; message: string }): Promise<Result<ForwardSecrecyReport>>;
  runClassicDh(p: ClassicDhParams): Promise<Result<ClassicDhResult>>;
  clearOp(name: string): void;
}

export function createExchangeSlice<S extends { exchange: ExchangeSlice }>(set: StoreApi<S>['setState'], _get: StoreApi<S>['getState'], engine: Engine): ExchangeSlice {
  const patch = (p: Partial<ExchangeSlice> | ((k: ExchangeSlice) => Partial<ExchangeSlice>)) =>
    set((s) => ({ ...s, exchange: { ...s.exchange, ...(typeof p === 'function' ? p(s.exchange) : p) } }));
  const setOp = (name: string, op: OpStatus) => patch((k) => ({ ops: { ...k.ops, [name]: op } }));
  // The live session: CryptoKeys inside, so never in the state.
  let session: ExchangeSession | undefined;

  function run<T>(name: string, f: (ex: ExchangeApi) => Promise<T>): Promise<Result<T>> {
    return runOp(setOp, name, async () => f(await engine.exchange()));
  }


  const noSession = () => {
    throw new EngineError('KEY_STATE', 'exchange: start an exchange first');
  };

  async function advance(name: string, f: (s: ExchangeSession) => Promise<ExchangeView>): Promise<Result<ExchangeView>> {
    const s = session;
    const r = await run(name, async () => (s ? f(s) : noSession()));
    // Even a failed step changes the view (the exchange ends).
    if (s && s === session) patch({ view: s.view() });
    return r;
  }

  return {
    curves: [],
    parties: [],
    setupStatus: 'idle',
    view: null,
    forwardSecrecy: null,
    classic: null,
    ops: {},

    async loadSetup() {
      patch({ setupStatus: 'loading' });
      const r = await run(exchangeOpNames.setup, async (ex) => ({ curves: await ex.curves(), parties: await ex.listParties() }));
      patch(r.ok ? { curves: r.value.curves, parties: r.value.parties, setupStatus: 'ready' } : { setupStatus: 'error' });
    },
    async createDemoParties() {
      const r = await run(exchangeOpNames.demoParties, async (ex) => {
        const created = await ex.createDemoParties();
        patch({ parties: await ex.listParties() });
        return created;
      });
      return r;
    },
    async start(p) {
      session?.close();
      session = undefined;
      patch({ view: null });
      const r = await run(exchangeOpNames.start, (ex) => ex.start(p));
      if (!r.ok) return r;
      session = r.value;
      const view = session.view();
      patch({ view });
      return { ok: true, value: view };
    },
    step: () => advance(exchangeOpNames.step, (s) => s.next()),
    runToEnd: () => advance(exchangeOpNames.step, (s) => s.runToEnd()),
    async send(from, text, tamper) {
      const s = session;
      const r = await run(exchangeOpNames.send, async () => (s ? s.send(from, text, tamper !== undefined && tamper !== '' ? { tamper } : {}) : noSession()));
      if (s && s === session) patch({ view: s.view() });
      return r;
    },
    reset() {
      session?.close();
      session = undefined;
      patch({ view: null });
    },
    async runForwardSecrecy(p) {
      const r = await run(exchangeOpNames.forwardSecrecy, (ex) => ex.forwardSecrecyDemo(p));
      if (r.ok) patch({ forwardSecrecy: r.value });
      return r;
    },
    async runClassicDh(p) {
      const r = await run(exchangeOpNames.classic, async (ex) => ex.classicDh(p));
      if (r.ok) patch({ classic: r.value });
      return r;
    },
    clearOp(name) {
      patch((k) => {
        const { [name]: _gone, ...rest } = k.ops;
        return { ops: rest };
      });
    },
  };
}
