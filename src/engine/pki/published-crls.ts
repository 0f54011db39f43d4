// Reading the CRLs a CA published: the latest one, a page of its entries, and the history.
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { latestCrlIndex } from './crl-index';
import type { CrlEntry } from './describe';
import type { CrlInfo } from './types';

/** The latest CRL of a CA (metadata, no DER). */
export async function getCrl(ctx: EngineContext, caId: string): Promise<CrlInfo | undefined> {
  const rec = await ctx.storage.getLatestCrl(caId);
  if (!rec) return undefined;
  const { der: _der, ...info } = rec;
  return info;
}

/** One page of the latest CRL's entries (`total` counts them all). @throws INVALID_ARGUMENT for a bad page */
export async function crlEntries(ctx: EngineContext, caId: string, page: { offset: number; limit: number }): Promise<{ total: number; entries: CrlEntry[] }> {
  const { offset, limit } = page ?? {};
  if (!Number.isInteger(offset) || offset! < 0 || !Number.isInteger(limit) || limit! < 1 || limit! > 1000) {
    throw new EngineError('INVALID_ARGUMENT', 'pki: a CRL page needs an offset ≥ 0 and a limit of 1–1000');
  }
  // A slice of the cached index of the latest CRL (issue 15): no walk from the first entry.
  const index = await latestCrlIndex(ctx, caId);
  return index ? { total: index.count, entries: index.page(offset!, limit!) } : { total: 0, entries: [] };
}

/** The CA's published CRLs, newest first, at most `limit` (default 20, at most 100). */
export async function listCrls(ctx: EngineContext, caId: string, limit = 20): Promise<CrlInfo[]> {
  const n = Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100) : 20;
  return (await ctx.storage.listCrls(caId, n)).map(({ der: _der, ...info }) => info);
}
