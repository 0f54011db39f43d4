// The key list at scale: its order, its first page from an index, and the whole vault in bounded chunks.
import { EngineError } from '../errors';
import type { KeyInfo } from '../types';
import type { EngineContext } from './context';

// One collator for every comparison: the same order as `localeCompare`, without building
// one per call (a batch of keys shares one creation second, so names decide).
const collator = new Intl.Collator();

/** The list order: newest first, then by name. */
export function compareKeys(a: KeyInfo, b: KeyInfo): number {
  return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : collator.compare(a.name, b.name);
}

/** Keys per chunk of `keyChunks` by default: one read of this many records stays well under a frame budget's worth of work. */
export const DEFAULT_KEY_CHUNK = 1000;

const checkSize = (n: number, what: string) => {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new EngineError('INVALID_ARGUMENT', `keys: the ${what} must be a whole number 1–10000`);
};

/** The newest `limit` keys in list order (index `byCreated`), without reading the rest. @throws INVALID_ARGUMENT, STORAGE */
export async function listKeysNewest(ctx: EngineContext, limit: number): Promise<KeyInfo[]> {
  checkSize(limit, 'page size');
  return (await ctx.storage.listKeysNewest(limit)).sort(compareKeys);
}

/**
 * Every key, `size` at a time in id order (not list order: sort the whole with
 * `compareKeys`). Each chunk is one storage read, so the caller's page gets the event
 * loop back between chunks. @throws INVALID_ARGUMENT, STORAGE
 */
export async function* keyChunks(ctx: EngineContext, size = DEFAULT_KEY_CHUNK): AsyncGenerator<KeyInfo[], void, undefined> {
  checkSize(size, 'chunk size');
  let after: string | undefined;
  for (;;) {
    const chunk = await ctx.storage.listKeyInfoChunk(after, size);
    if (chunk.length > 0) yield chunk;
    if (chunk.length < size) return;
    after = chunk[chunk.length - 1]!.id;
  }
}
