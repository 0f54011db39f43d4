/** Fixtures for exchange tests: a fresh context, the CA, the exchange verbs and the demo parties. */
import { freshPki } from './pki-fixtures';
import { createExchange } from '../engine/exchange';
import type { SessionParams } from '../engine/exchange/session';

export async function freshExchange(opts: { wire?: SessionParams['wire'] } = {}) {
  const base = await freshPki();
  const ex = createExchange(base.ctx, async () => base.pki, opts.wire ? { wire: opts.wire } : {});
  return { ...base, ex };
}

/** A fresh exchange with Alice, Bob and Mallory certified by the demo CA. */
export async function withParties(opts: { wire?: SessionParams['wire'] } = {}) {
  const f = await freshExchange(opts);
  const [alice, bob, mallory] = await f.ex.createDemoParties();
  return { ...f, alice: alice!, bob: bob!, mallory: mallory! };
}
