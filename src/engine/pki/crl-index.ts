/**
 * Published CRLs read once and kept (issue 15, SECURITY.md M3, M7): a revocation check is
 * one Map lookup by serial hex, a page of entries is a slice of entry offsets,
 * and `verifyCertificate` neither re-reads nor re-parses a 100,000-entry CRL per call.
 *
 * A stored CRL never changes (its id is issuer + number, written once), so an index is
 * cached per storage under that id; the CA's counters (`getCrlState`, a few bytes) say
 * which number is the latest without reading the CRL.
 *
 * Common case: `const idx = await latestCrlIndex(ctx, caId); idx?.lookup(serialHex)`.
 */
import { MalformedInputError } from '../errors';
import type { EngineContext } from '../keys/context';
import type { CrlRecord } from '../storage/schema';
import { crlJobs } from './crl-client';
import type { CrlHeader, CrlIndexData } from './crl-codec';
import { readCrlEntry } from '../internal/x509-layout';
import { decodeCrlEntry, type CrlEntry } from './describe';
import { parseCrl, type Crl } from './validate/parse';

/** A CRL's header with its entries indexed by serial. */
export class CrlIndex {
  readonly header: CrlHeader;
  /** The stored CRL's id (`issuer:number`), when it came from storage. */
  readonly id: string | undefined;
  /** How many entries the CRL lists. */
  readonly count: number;
  /**
   * Serial (canonical hex) → the position of its first entry in CRL order. A check is one
   * hashed lookup of a string the caller already has: no comparison walk, no allocation,
   * whatever order the CRL lists its entries in.
   */
  private readonly positions: Map<string, number>;
  private readonly reasons: Int16Array;
  private readonly starts: Uint32Array;

  constructor(data: CrlIndexData, id?: string) {
    this.header = data.header;
    this.id = id;
    this.reasons = data.reasons;
    this.starts = data.starts;
    const positions = new Map<string, number>();
    let count = 0;
    if (data.serials !== '') {
      const all = data.serials;
      let from = 0;
      for (;;) {
        const comma = all.indexOf(',', from);
        const serial = all.slice(from, comma < 0 ? all.length : comma);
        if (!positions.has(serial)) positions.set(serial, count);
        count++;
        if (comma < 0) break;
        from = comma + 1;
      }
    }
    this.count = count;
    this.positions = positions;
  }

  /** The entry's position in CRL order, or -1 when the serial (canonical hex) is not listed. */
  find(serial: string): number {
    return this.positions.get(serial) ?? -1;
  }

  /** A listed serial's reason code (null without one); undefined when not listed. */
  lookup(serial: string): number | null | undefined {
    const pos = this.positions.get(serial);
    if (pos === undefined) return undefined;
    const r = this.reasons[pos]!;
    return r < 0 ? null : r;
  }

  /** Entries `offset` to `offset + limit` in CRL order, decoded (only those). @throws MALFORMED_INPUT */
  page(offset: number, limit: number): CrlEntry[] {
    const out: CrlEntry[] = [];
    const end = Math.min(this.count, offset + limit);
    try {
      for (let i = offset; i < end; i++) out.push(decodeCrlEntry(readCrlEntry(this.header.tbs, this.starts[i]!, this.starts[i + 1]!)));
    } catch (e) {
      throw new MalformedInputError('pki: the CRL could not be read', { cause: e });
    }
    return out;
  }
}

/** Reads a CRL into an index (in the CRL worker when big). @throws MALFORMED_INPUT */
export async function indexCrl(der: Uint8Array, id?: string): Promise<CrlIndex> {
  return new CrlIndex(await crlJobs.index(der), id);
}

/** How many indexed CRLs each storage keeps (the latest of a few CAs, and one being replaced). */
const CACHE_PER_STORAGE = 8;
const caches = new WeakMap<object, Map<string, Promise<CrlIndex>>>();

/** The cached index of a stored CRL, reading and indexing it on first use. */
export function cachedCrlIndex(ctx: Pick<EngineContext, 'storage'>, rec: Pick<CrlRecord, 'id' | 'der'>): Promise<CrlIndex> {
  let cache = caches.get(ctx.storage);
  if (!cache) caches.set(ctx.storage, (cache = new Map()));
  const hit = cache.get(rec.id);
  if (hit) return hit;
  const made = indexCrl(rec.der, rec.id);
  cache.set(rec.id, made);
  made.catch(() => cache.delete(rec.id));
  // Oldest out first (Map keeps insertion order).
  while (cache.size > CACHE_PER_STORAGE) cache.delete(cache.keys().next().value!);
  return made;
}

/**
 * The index of a CA's latest CRL, or undefined when it has published none. Reads only the
 * CA's counters when the latest CRL is already indexed.
 */
export async function latestCrlIndex(ctx: Pick<EngineContext, 'storage'>, caId: string): Promise<CrlIndex | undefined> {
  const { lastNumber } = await ctx.storage.getCrlState(caId);
  const id = `${caId}:${lastNumber}`;
  const hit = lastNumber > 0 ? caches.get(ctx.storage)?.get(id) : undefined;
  if (hit) return hit;
  // The counter can be ahead of the stored CRLs (a number taken before issue 14, then skipped).
  const rec = (lastNumber > 0 ? await ctx.storage.getCrl(caId, lastNumber) : undefined) ?? (await ctx.storage.getLatestCrl(caId));
  return rec ? cachedCrlIndex(ctx, rec) : undefined;
}

const parsedCaches = new WeakMap<object, Map<string, Promise<Crl>>>();

/**
 * A CA's latest CRL parsed for the path validator (validate/parse.ts), cached like the
 * indexes above: `verifyCertificate` checks revocation against it without reading or
 * parsing a 100,000-entry CRL per call. Undefined when the CA has published none.
 */
export async function latestParsedCrl(ctx: Pick<EngineContext, 'storage'>, caId: string): Promise<Crl | undefined> {
  let cache = parsedCaches.get(ctx.storage);
  if (!cache) parsedCaches.set(ctx.storage, (cache = new Map()));
  const { lastNumber } = await ctx.storage.getCrlState(caId);
  const id = `${caId}:${lastNumber}`;
  const hit = lastNumber > 0 ? cache.get(id) : undefined;
  if (hit) return hit;
  const rec = (lastNumber > 0 ? await ctx.storage.getCrl(caId, lastNumber) : undefined) ?? (await ctx.storage.getLatestCrl(caId));
  if (!rec) return undefined;
  const made = Promise.resolve().then(() => parseCrl(rec.der));
  cache.set(rec.id, made);
  made.catch(() => cache.delete(rec.id));
  while (cache.size > CACHE_PER_STORAGE) cache.delete(cache.keys().next().value!);
  return made;
}
