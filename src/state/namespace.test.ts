// A namespace engine over its own database: opened once and kept, emptied by fresh(),
// deleted by remove(); the vault's own database can never be a namespace to delete.
import { describe, expect, it } from 'vitest';
import { toHex } from '../engine';
import { DB_NAME } from '../engine/storage/schema';
import { openNamespace } from './namespace';

const names = async () => (await indexedDB.databases()).map((d) => d.name);
const uniq = () => `clavis-test-ns-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;

describe('openNamespace', () => {
  it('keeps one engine per namespace; fresh() empties the database; remove() deletes it', async () => {
    const ns = openNamespace(uniq());
    const engine = await ns.engine();
    expect(await ns.engine()).toBe(engine);
    await engine.generateKey({ template: 'AES-GCM-256', name: 'demo key' });
    expect(await names()).toContain(ns.name);
    expect((await (await ns.engine()).listKeys()).map((k) => k.name)).toEqual(['demo key']);
    const empty = await ns.fresh();
    expect(empty).not.toBe(engine);
    expect(await empty.listKeys()).toEqual([]);
    expect(await ns.engine()).toBe(empty);
    await ns.remove();
    expect(await names()).not.toContain(ns.name);
  });

  it('refuses to delete the vault’s own database', async () => {
    await expect(openNamespace(DB_NAME).remove()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
