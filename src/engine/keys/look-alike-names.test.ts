// C8 / issue 14 #12: names cannot hide characters. Key, owner and CA names are NFC-
// normalised; invisible characters (zero-width, bidi marks) and stray combining marks are
// refused, so three keys can no longer all display as "payments". Owners are one identity
// (lower-case) in the vault, the lifecycle and the KDC. The audit filter refuses key
// material, not long names. Runs in Node and Chromium.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { toBase64 } from '../internal/bytes';

const DISGUISED = [
  'pay\u200bments', // zero-width space
  'payments\u200e', // left-to-right mark
  'pay\u200dments', // zero-width joiner
  '\u2066payments\u2069', // bidi isolate
  'pay\u034fments', // combining grapheme joiner
  'payments\u0334', // combining tilde overlay on an ASCII letter (no precomposed form)
  '\u0301payments', // a mark with nothing to sit on
  'pay\u00adments', // soft hyphen
  'payments\ufe0f', // variation selector
];

describe('look-alike names are refused (C8, issue 14 #12)', () => {
  it.each(DISGUISED.map((n) => [JSON.stringify(n), n]))('refuses the key name %s', async (_label, name) => {
    const { engine } = await freshEngine();
    await expect(engine.generateKey({ template: 'AES-GCM-256', name })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^keys: name contains/) });
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: 'ok', owner: name })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await engine.listKeys()).toEqual([]);
  });

  it('NFC: a decomposed and a precomposed "café" are the same stored name; real accents and scripts stay allowed', async () => {
    const { engine } = await freshEngine();
    const a = await engine.generateKey({ template: 'AES-GCM-256', name: 'cafe\u0301' });
    const b = await engine.generateKey({ template: 'AES-GCM-256', name: 'caf\u00e9' });
    expect(a.name).toBe('caf\u00e9');
    expect(a.name).toBe(b.name);
    for (const name of ['Zürich', 'नमस्ते', 'Tiếng Việt', 'שָׁלוֹם', '東京']) {
      expect((await engine.generateKey({ template: 'AES-GCM-256', name })).name).toBe(name.normalize('NFC'));
    }
    await expect(engine.renameKey(a.id, 'caf\u00e9\u200b')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses CA names with invisible characters', async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    await expect(pki.createRootCa({ name: 'Pay\u200bments Root', subject: { CN: 'Payments Root' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(pki.createRootCa({ name: 'Payments Root\u0334', subject: { CN: 'Payments Root' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await pki.listCas()).toEqual([]);
    expect(await engine.listKeys()).toEqual([]);
  });

  it('B5 owners are one identity across vault, lifecycle and KDC: "Alice" is "alice"', async () => {
    const { engine } = await freshEngine();
    const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'k', owner: 'Alice' });
    expect(k.owner).toBe('alice');
    expect((await engine.listKeys({ owner: 'ALICE' })).map((x) => x.id)).toEqual([k.id]);
    const kdc = await engine.kdc();
    expect((await kdc.registerPrincipal({ name: 'ALICE', kind: 'user' })).name).toBe('alice');
    // Revoking "ALICE" in the lifecycle revokes alice's vault keys and stops alice at the KDC.
    await engine.revokePrincipal('ALICE', 'cessationOfOperation');
    expect((await engine.getKey(k.id)).state).not.toBe('active');
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: 'k2', owner: 'alice' })).rejects.toMatchObject({ code: 'KEY_STATE' });
    expect((await kdc.listPrincipals()).find((p) => p.name === 'alice')).toMatchObject({ ownerRevoked: true });
  });

  it('A3 the audit filter accepts long kebab-case names and still refuses key material', async () => {
    const { engine } = await freshEngine();
    const name = 'my-production-database-encryption-key-2025';
    expect((await engine.generateKey({ template: 'AES-GCM-256', name })).name).toBe(name);
    expect((await engine.generateKey({ template: 'AES-GCM-256', name: 'payments-team_EU-west-2-PCI-DSS-rotation-2026-Q1' })).name).toMatch(/^payments/);
    // 200-character names: words with a trailing hyphen, and camelCase words (issue 16 a11y: refused before).
    for (const long of ['Long-name-'.repeat(20), 'ProductionPaymentsDatabaseKey2025'.repeat(6).slice(0, 198)]) {
      expect((await engine.generateKey({ template: 'AES-GCM-256', name: long })).name).toBe(long);
    }
    const blob = toBase64(crypto.getRandomValues(new Uint8Array(32)));
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: `key ${blob}` })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/key material/) });
    const b64url = blob.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: b64url })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/key material/) });
    // Separators around a blob do not make it a name.
    await expect(engine.generateKey({ template: 'AES-GCM-256', name: `-${b64url}-` })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/key material/) });
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });
});
