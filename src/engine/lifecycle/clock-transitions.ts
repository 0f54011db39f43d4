// Clock-driven transitions (B3): apply what the clock made due, and when the next one falls due.
import type { KeyId } from '../ids';
import { withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import type { EngineContext } from '../keys/context';
import type { KeyInfo, KeyState } from '../types';
import { advance } from './dates';
import { newEvents, transitionDraft } from './key-events';

/** One transition the clock applied. */
export interface AppliedTransition {
  keyId: KeyId;
  from: KeyState;
  to: KeyState;
  /** The date that was reached, ISO 8601. */
  at: string;
}

/**
 * Applies every clock transition due at `now` (default: the engine's clock) to every
 * key, cause `clock`, each with its audit entry, in one transaction. Call at start-up,
 * from a timer (`nextDueAt`) and whenever the simulated clock moves.
 */
export async function applyDueTransitions(ctx: EngineContext, now?: number): Promise<AppliedTransition[]> {
  return withAudit(ctx, async () => {
    const at = now ?? ctx.clock.now();
    const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
    const drafts: AuditDraft[] = [];
    const applied: AppliedTransition[] = [];
    // Only the keys whose next transition is due (index `byDueAt`), never the whole vault.
    for (const before of await ctx.storage.listKeysDueBy(at)) {
      const after = advance(before, at).record;
      const events = newEvents(before, after);
      if (events.length === 0) continue;
      putKeys.push({ info: after, before });
      for (const e of events) {
        drafts.push(transitionDraft(ctx, after, e));
        applied.push({ keyId: after.id, from: e.from, to: e.to, at: e.at });
      }
    }
    return {
      drafts,
      commit: async (audit) => {
        if (putKeys.length > 0) await ctx.storage.commitAudited({ ...audit, putKeys });
        return applied;
      },
    };
  });
}

/** When the next clock transition of any key falls due (epoch ms), or undefined. */
export async function nextDueAt(ctx: EngineContext): Promise<number | undefined> {
  // The first entry of the `byDueAt` index: storage keeps each record's next due date.
  return ctx.storage.firstDueAt();
}
