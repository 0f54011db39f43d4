// The CRL page's window cache: bounded, it drops the windows farthest from those in use and never one in use.
import { describe, expect, it } from 'vitest';
import { WindowCache } from './crl-window';

describe('WindowCache', () => {
  it('holds at most its bound, dropping the windows farthest from those in use first', () => {
    const cache = new WindowCache<string>(3);
    cache.set(0, 'w0', 0, 0);
    cache.set(1, 'w1', 1, 1);
    cache.set(2, 'w2', 2, 2);
    expect(cache.size).toBe(3);
    // In use: 5–6. Window 0 is the farthest from them.
    cache.set(5, 'w5', 5, 6);
    expect([...cache.snapshot().keys()].sort()).toEqual([1, 2, 5]);
    cache.set(6, 'w6', 5, 6);
    expect([...cache.snapshot().keys()].sort()).toEqual([2, 5, 6]);
    expect(cache.get(6)).toBe('w6');
    expect(cache.has(1)).toBe(false);
  });

  it('keeps every window in use even past its bound', () => {
    const cache = new WindowCache<number>(1);
    cache.set(3, 3, 3, 4);
    cache.set(4, 4, 3, 4);
    expect([...cache.snapshot().keys()]).toEqual([3, 4]);
    cache.set(9, 9, 9, 9);
    expect([...cache.snapshot().keys()]).toEqual([9]);
  });
});
