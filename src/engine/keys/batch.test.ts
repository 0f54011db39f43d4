// A1 at scale, A4: batch key generation stores whole batches with their audit entries,
// reports progress, and a cancel between batches keeps the vault and the log in step.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { freshEngine } from '../../testing/engine';

describe('batch key generation', () => {
  it('A4 1,000 keys in batches of 250: every key stored non-extractable with its key.create entry, progress per batch, the log verifies', async () => {
    const { engine, storage } = await freshEngine();
    const names = Array.from({ length: 1000 }, (_, i) => `student ${i}`);
    const progress: number[] = [];
    const out = await engine.generateKeys({ template: 'ECDSA-P-256', names, owner: 'class-2026', batchSize: 250, onProgress: (p) => progress.push(p.done) });
    expect(out.cancelled).toBe(false);
    expect(out.keys.map((k) => k.name)).toEqual(names);
    expect(progress).toEqual([250, 500, 750, 1000]);
    expect(await storage.listKeyInfos()).toHaveLength(1000);
    expect(new Set(out.keys.map((k) => k.fingerprint.value)).size).toBe(1000);
    const material = await storage.getKeyMaterial(out.keys[999]!.id);
    expect(material?.privateKey?.extractable).toBe(false);
    const entries = await engine.listAuditEntries({ action: 'key.create' });
    expect(entries).toHaveLength(1000);
    expect((await engine.verifyAuditLog()).ok).toBe(true);
    // The keys work: one of them signs.
    const sig = await engine.sign(out.keys[123]!.id, new Uint8Array([1, 2, 3]));
    expect(await engine.verify(out.keys[123]!.id, new Uint8Array([1, 2, 3]), sig)).toBe(true);
  }, 240_000);

  it('A4 a cancel after the second batch keeps exactly two whole batches and their entries', async () => {
    const { engine, storage } = await freshEngine();
    const controller = new AbortController();
    const out = await engine.generateKeys({
      template: 'AES-GCM-256',
      names: Array.from({ length: 500 }, (_, i) => `k${i}`),
      batchSize: 100,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 200) controller.abort();
      },
    });
    expect(out.cancelled).toBe(true);
    expect(out.keys).toHaveLength(200);
    expect(await storage.listKeyInfos()).toHaveLength(200);
    expect(await engine.listAuditEntries({ action: 'key.create' })).toHaveLength(200);
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  }, 120_000);

  it('refuses bad input before generating anything, and a revoked owner', async () => {
    const { engine, storage } = await freshEngine();
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        expect(isEngineError(e)).toBe(true);
        return (e as { code: string }).code;
      }
      return 'none';
    };
    expect(await codeOf(engine.generateKeys({ template: 'AES-GCM-256', names: [] }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(engine.generateKeys({ template: 'AES-GCM-256', names: ['ok', ''] }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(engine.generateKeys({ template: 'AES-GCM-256', names: ['ok'], batchSize: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(engine.generateKeys({ template: 'nope' as never, names: ['ok'] }))).toBe('INVALID_ARGUMENT');
    await engine.generateKey({ template: 'AES-GCM-256', name: 'owned', owner: 'mallory' });
    await engine.revokePrincipal('mallory', 'keyCompromise');
    expect(await codeOf(engine.generateKeys({ template: 'AES-GCM-256', names: ['a', 'b'], owner: 'mallory' }))).toBe('KEY_STATE');
    expect(await storage.listKeyInfos()).toHaveLength(1);
  }, 60_000);
});
