// Rotation of a principal's long-term key (D5), with a grace period for tickets sealed under the old version.
import { auditDraft } from '../audit/store';
import { EngineError, KeyStateError } from '../errors';
import type { PrincipalId } from '../ids';
import { isoAt } from '../lifecycle/transition';
import type { KdcPrincipalKeyRecord, KdcPrincipalRecord } from '../storage/schema';
import { cleanName, MAX_TICKET_LIFETIME_MS, type KdcContext } from './context';
import * as kc from './crypto';
import type { KdcPrincipalInfo } from './types';

/** The key-rotation verb of a KDC. */
export function createRotation(k: KdcContext) {
  const { ctx, master, principalRecord, info, commit } = k;

  /**
   * Rotates a principal's long-term key (D5): a new key version for every new message;
   * tickets already sealed under the old version stay acceptable until the longest of
   * them could expire, or are refused at once with `retireAtOnce` (a suspected leak).
   */
  async function rotatePrincipalKey(nameIn: PrincipalId, opts: { retireAtOnce?: boolean } = {}): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    const p = await principalRecord(name);
    if (p.status === 'revoked') throw new KeyStateError(`kdc: ${name} is revoked; reinstate it before rotating its key`);
    const current = await ctx.storage.getKdcPrincipalKey(name);
    if (!current) throw new EngineError('KEY_NOT_FOUND', `kdc: ${name} holds no long-term key (not registered)`);
    const { wrapped, principalKey, kcv } = await kc.newLongTermKey(ctx, await master());
    const kvno = p.kvno + 1;
    const updated: KdcPrincipalRecord = { ...p, kvno, wrappedKey: wrapped, kcv };
    const acceptUntil = ctx.clock.now() + MAX_TICKET_LIFETIME_MS;
    const keyRec: KdcPrincipalKeyRecord = opts.retireAtOnce
      ? { name, kvno, key: principalKey }
      : { name, kvno, key: principalKey, previous: { kvno: current.kvno, key: current.key, acceptUntil } };
    await commit(
      () => [
        auditDraft(
          ctx,
          'kdc.principal.rotate',
          [],
          { principal: { name }, kvno, previousKvno: p.kvno, kcv, oldTickets: opts.retireAtOnce ? 'refused at once' : `accepted until ${isoAt(acceptUntil)}` },
          'kdc',
        ),
      ],
      { putPrincipals: [updated], putPrincipalKeys: [keyRec] },
    );
    return info(updated);
  }

  return { rotatePrincipalKey };
}
