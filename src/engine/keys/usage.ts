// Use counts of vault keys: per key, batched so an operation never waits for a write.
import { isoAt } from '../lifecycle/transition';
import type { ClavisStorage } from '../storage/db';
import type { EngineContext } from './context';
import { getKeyInfo } from './vault';

interface UsageBatch {
  pending: Map<string, { count: number; lastUsedAt: string }>;
  timer: ReturnType<typeof setTimeout> | undefined;
  flushing: Promise<void>;
}

const USAGE = new WeakMap<ClavisStorage, UsageBatch>();
/** How long uses are gathered before one write stores them. */
export const USAGE_FLUSH_MS = 200;

function batchOf(storage: ClavisStorage): UsageBatch {
  let b = USAGE.get(storage);
  if (!b) {
    b = { pending: new Map(), timer: undefined, flushing: Promise.resolve() };
    USAGE.set(storage, b);
  }
  return b;
}

export function countUse(storage: ClavisStorage, id: string, now: number): void {
  const b = batchOf(storage);
  const cur = b.pending.get(id);
  b.pending.set(id, { count: (cur?.count ?? 0) + 1, lastUsedAt: isoAt(now) });
  b.timer ??= setTimeout(() => void flushUsage(storage), USAGE_FLUSH_MS);
}

/**
 * Writes the gathered use counts now (one transaction). A failed write keeps nothing
 * back from the caller: the counts are best-effort and never block a crypto operation.
 */
export async function flushUsage(storage: ClavisStorage): Promise<void> {
  const b = batchOf(storage);
  if (b.timer !== undefined) clearTimeout(b.timer);
  b.timer = undefined;
  const batch = b.pending;
  b.pending = new Map();
  b.flushing = b.flushing.then(async () => {
    if (batch.size === 0) return;
    try {
      await storage.addKeyUsage(batch);
    } catch {
      // The database closed or refused: the counts of this batch are lost, the uses happened.
    }
  });
  await b.flushing;
}

/** How often a key was used (operations its gate allowed) and when last. */
export async function keyUsage(ctx: EngineContext, id: string): Promise<{ count: number; lastUsedAt?: string }> {
  await getKeyInfo(ctx, id);
  await flushUsage(ctx.storage);
  const u = await ctx.storage.getKeyUsage(id);
  return u ? { count: u.count, lastUsedAt: u.lastUsedAt } : { count: 0 };
}
