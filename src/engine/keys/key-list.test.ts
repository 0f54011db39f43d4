// A8 at scale: the key list's first page comes from an index, and the whole vault reads in
// bounded chunks that together hold every key exactly once.
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../internal/clock';
import { compareKeys } from './key-list';
import { freshEngine, errorCode } from '../../testing/engine';

describe('key list in pieces', () => {
  it('A8 keyChunks reads every key once, in chunks of the size asked; sorted with compareKeys they are listKeys', async () => {
    const { engine } = await freshEngine();
    const names = Array.from({ length: 1200 }, (_, i) => `fleet ${i}`);
    await engine.generateKeys({ template: 'AES-GCM-256', names, batchSize: 600 });
    const sizes: number[] = [];
    const ids: string[] = [];
    for await (const chunk of engine.keyChunks(500)) {
      sizes.push(chunk.length);
      ids.push(...chunk.map((k) => k.id));
    }
    expect(sizes).toEqual([500, 500, 200]);
    expect(new Set(ids).size).toBe(1200);
    const listed = await engine.listKeys();
    const all: typeof listed = [];
    for await (const chunk of engine.keyChunks()) all.push(...chunk);
    expect(all.sort(compareKeys).map((k) => k.id)).toEqual(listed.map((k) => k.id));
    expect(await errorCode(engine.keyChunks(0).next())).toBe('INVALID_ARGUMENT');
  }, 240_000);

  it('A8 listKeysNewest is the head of listKeys, read from the creation index', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const { engine } = await freshEngine({ clock });
    for (let i = 0; i < 30; i++) {
      await engine.generateKey({ template: 'HMAC-SHA-256', name: `k${i}` });
      clock.advance(1000);
    }
    const listed = await engine.listKeys();
    expect((await engine.listKeysNewest(10)).map((k) => k.name)).toEqual(listed.slice(0, 10).map((k) => k.name));
    expect((await engine.listKeysNewest(10))[0]!.name).toBe('k29');
    expect(await engine.listKeysNewest(100)).toHaveLength(30);
    expect(await errorCode(engine.listKeysNewest(0))).toBe('INVALID_ARGUMENT');
  }, 120_000);
});
