/** A fresh engine over a fresh, uniquely named database: one per test. */
import { createEngine, isEngineError, openStorage, type Engine, type EngineOptions } from '../engine';
import { toHex } from '../engine/internal/bytes';
import type { ClavisStorage } from '../engine/storage/db';

export async function freshEngine(opts: Partial<EngineOptions> = {}): Promise<{ engine: Engine; storage: ClavisStorage; dbName: string }> {
  const dbName = `clavis-test-${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
  const storage = await openStorage({ name: dbName });
  return { engine: createEngine({ storage, ...opts }), storage, dbName };
}

/** An engine over the database `name` as it stands (for tests that look at the app's own database). */
export async function engineOn(name: string): Promise<{ engine: Engine; storage: ClavisStorage }> {
  const storage = await openStorage({ name });
  return { engine: createEngine({ storage }), storage };
}

/** The engine error code a promise rejects with ('resolved' if it does not; 'untyped: …' for any other error). */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isEngineError(e) ? e.code : `untyped: ${String(e)}`;
  }
  return 'resolved';
}
