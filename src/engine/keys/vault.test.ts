import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { itEachTemplate } from '../../testing/platform';
import { TEMPLATES, TEMPLATE_NAMES, isEngineError, type TemplateName } from '..';

const FAST: TemplateName[] = TEMPLATE_NAMES.filter((n) => !/RSA.*-(3072|4096)$/.test(n));

describe('vault: generate from named templates (A1, A2)', () => {
  itEachTemplate(FAST, 'generates %s, stores it and lists it', async (name) => {
    const { engine } = await freshEngine();
    const info = await engine.generateKey({ template: name, name: `my ${name}`, owner: 'alice' });
    const t = TEMPLATES.get(name)!;
    expect(info.template).toBe(name);
    expect(info.kind).toBe(t.kind);
    expect(info.state).toBe('active');
    expect(info.extractable).toBe(t.extractableReason !== undefined);
    expect(info.fingerprint.kind).toBe(t.kind === 'secret' ? 'kcv' : 'spki-sha256');
    expect(info.fingerprint.value).toMatch(t.kind === 'secret' ? /^[0-9a-f]{6}$/ : /^[0-9a-f]{64}$/);
    expect(await engine.listKeys()).toEqual([info]);
    expect(await engine.getKey(info.id)).toEqual(info);
  });

  it('makes keys non-extractable unless the template or the owner asks (A2)', async () => {
    const { engine, storage } = await freshEngine();
    const plain = await engine.generateKey({ template: 'ECDSA-P-256', name: 'plain' });
    const exportable = await engine.generateKey({ template: 'ECDSA-P-256', name: 'exp', exportable: true });
    const fernet = await engine.generateKey({ template: 'FERNET', name: 'f' });
    expect(plain.extractable).toBe(false);
    expect(plain.extractableReason).toBeUndefined();
    expect(exportable.extractable).toBe(true);
    expect(exportable.extractableReason).toMatch(/exportable/);
    expect(fernet.extractable).toBe(true);
    expect(fernet.extractableReason).toMatch(/shared secret/);
    const m = await storage.getKeyMaterial(plain.id);
    expect(m?.privateKey?.extractable).toBe(false);
    expect(m?.publicKey?.extractable).toBe(true);
    await expect(crypto.subtle.exportKey('pkcs8', m!.privateKey!)).rejects.toBeDefined();
  });

  it('refuses unknown templates, empty names and control characters with INVALID_ARGUMENT', async () => {
    const { engine } = await freshEngine();
    await expect(engine.generateKey({ template: 'AES-GCM-512' as TemplateName, name: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: '   ' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: 'evil\u202Eexe' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await engine.listKeys()).toEqual([]);
  });

  it('gives two keys of the same template different fingerprints', async () => {
    const { engine } = await freshEngine();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'a' });
    const b = await engine.generateKey({ template: 'AES-GCM-256', name: 'b' });
    expect(a.fingerprint.value).not.toBe(b.fingerprint.value);
    expect(a.id).not.toBe(b.id);
  });
});

describe('vault: inventory (A8)', () => {
  it('filters by text, owner, template, kind and extractability', async () => {
    const { engine } = await freshEngine();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'Payroll data', owner: 'alice' });
    const b = await engine.generateKey({ template: 'ECDSA-P-256', name: 'Release signing', owner: 'bob' });
    const c = await engine.generateKey({ template: 'FERNET', name: 'Session tokens', owner: 'alice' });
    const ids = (ks: { id: string }[]) => ks.map((k) => k.id).sort();
    expect(ids(await engine.listKeys({ text: 'payroll' }))).toEqual([a.id]);
    expect(ids(await engine.listKeys({ owner: 'alice' }))).toEqual(ids([a, c]));
    expect(ids(await engine.listKeys({ template: 'ECDSA-P-256' }))).toEqual([b.id]);
    expect(ids(await engine.listKeys({ kind: 'key-pair' }))).toEqual([b.id]);
    expect(ids(await engine.listKeys({ extractable: true }))).toEqual([c.id]);
    expect(ids(await engine.listKeys({ text: b.fingerprint.value.slice(0, 12) }))).toEqual([b.id]);
  });
});

describe('vault: delete and persistence (A3)', () => {
  it('deletes metadata and material together', async () => {
    const { engine, storage } = await freshEngine();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'gone' });
    await engine.deleteKey(k.id);
    expect(await storage.getKeyInfo(k.id)).toBeUndefined();
    expect(await storage.getKeyMaterial(k.id)).toBeUndefined();
    await expect(engine.deleteKey(k.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    await expect(engine.getKey(k.id)).rejects.toSatisfy((e: unknown) => isEngineError(e, 'KEY_NOT_FOUND'));
  });

  it('keeps keys usable after the database is closed and reopened', async () => {
    const { openStorage, createEngine } = await import('..');
    const { engine, storage, dbName } = await freshEngine();
    const k = await engine.generateKey({ template: 'ECDSA-P-256', name: 'persist' });
    storage.close();
    const storage2 = await openStorage({ name: dbName });
    const engine2 = createEngine({ storage: storage2 });
    expect(await engine2.getKey(k.id)).toEqual(k);
    const m = await storage2.getKeyMaterial(k.id);
    expect(m?.privateKey?.extractable).toBe(false);
    const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, m!.privateKey!, new Uint8Array([1, 2, 3]));
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, m!.publicKey!, sig, new Uint8Array([1, 2, 3]))).toBe(true);
  });
});
