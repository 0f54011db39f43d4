// The one plain-data check every slice test uses: it must catch what JSON would hide.
import { describe, expect, it } from 'vitest';
import { assertPlainData } from './plain-data';

class Holder {
  x = 1;
}

describe('assertPlainData', () => {
  it('accepts primitives, arrays and plain objects, nested', () => {
    expect(() => assertPlainData({ a: 1, b: 'x', c: [true, null, undefined, { d: [1, 2] }], f: () => 1 })).not.toThrow();
  });

  it.each([
    ['a Uint8Array', new Uint8Array(4)],
    ['an ArrayBuffer', new ArrayBuffer(4)],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a class instance', new Holder()],
    ['a null-prototype object', Object.create(null) as object],
    ['a bigint', 1n],
  ])('refuses %s, naming where it is', (_, bad) => {
    expect(() => assertPlainData({ view: { items: [{ ok: 1 }, { bad }] } })).toThrow(/^state\.view\.items\[1\]\.bad is a /);
  });

  it('refuses a CryptoKey', async () => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
    expect(() => assertPlainData({ key })).toThrow(/state\.key is a CryptoKey, not plain data/);
  });
});
