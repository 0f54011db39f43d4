/**
 * The exchange demo's namespace: its own engine over its own IndexedDB database
 * (`clavis-exchange-demo`), never the user's vault. "Create demo parties" makes the demo
 * CA, Alice's, Bob's and Mallory's keys and certificates there, so they never appear among
 * the user's keys, CAs and certificates (nor as defaults of the Issue form). One engine
 * per tab, opened on first use; the database stays, so the parties survive a reload.
 */
import type { Engine } from '../../engine';
import { openNamespace } from '../../state/namespace';

/** The database name of the exchange demo. */
export const EXCHANGE_DEMO_DB = 'clavis-exchange-demo';

const demo = openNamespace(EXCHANGE_DEMO_DB);

/** The tab's exchange-demo engine (opened once). @throws STORAGE */
export function exchangeDemoEngine(): Promise<Engine> {
  return demo.engine();
}
