// Passphrase-protected secret keys (seed 002; A5, E-items on passphrases): a JWE with
// PBES2-HS512+A256KW / A256GCM leaves the vault and comes back with the same KCV; a
// wrong passphrase, a tampered file or an unknown algorithm is refused with a typed
// error that never contains the passphrase.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import type { ProtectedExportOptions, TemplateName } from '..';
import { fromBase64Url, fromUtf8, toBase64Url, utf8 } from '../internal/bytes';
import { cryptoRandom } from '../internal/random';
import { JWE_ALG, JWE_ENC, looksLikeCompactJwe, openJwk, sealJwk } from './jwe-pbes2';
import { PBKDF2_ITERATIONS } from './pkcs8-encrypted';

const PASS = 'seed 002 passphrase';

function headerOf(jwe: string): Record<string, unknown> {
  return JSON.parse(fromUtf8(fromBase64Url(jwe.split('.')[0]!))) as Record<string, unknown>;
}

describe('passphrase-protected secret key export (JWE PBES2)', () => {
  const TEMPLATES: TemplateName[] = ['AES-GCM-256', 'AES-GCM-128', 'AES-KW-256', 'HMAC-SHA-256'];
  it.each(TEMPLATES)('seed 002: an exportable %s key leaves as a JWE and imports back with the passphrase, same KCV and template', async (template) => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template, name: 'protected', exportable: true });
    const jwe = await engine.exportKey(key.id, { format: 'jwe-pbes2', passphrase: PASS });
    expect(looksLikeCompactJwe(jwe)).toBe(true);
    expect(headerOf(jwe)).toMatchObject({ alg: JWE_ALG, enc: JWE_ENC, cty: 'jwk+json', p2c: PBKDF2_ITERATIONS });
    expect(await engine.sniffKeyFormat(jwe)).toBe('jwe-pbes2');
    // The key bytes are not in the file in any readable form.
    const clear = JSON.parse(await engine.dangerouslyExportUnprotectedKey(key.id, 'jwk')) as { k: string };
    expect(jwe).not.toContain(clear.k);

    const back = await engine.importKey({ data: jwe, name: 'restored', passphrase: PASS });
    expect(back.template).toBe(template);
    expect(back.fingerprint.value).toBe(key.fingerprint.value);
    expect(back.extractable).toBe(false);
    // Read as file bytes too.
    const again = await engine.importKey({ data: utf8(jwe), name: 'restored bytes', passphrase: PASS, exportable: true });
    expect(again.fingerprint.value).toBe(key.fingerprint.value);
    expect(again.extractable).toBe(true);
  });

  it('seed 002: a private key exports as a JWE too and imports back to the same fingerprint', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'signer', exportable: true });
    const jwe = await engine.exportKey(key.id, { format: 'jwe-pbes2', passphrase: PASS });
    const back = await engine.importKey({ data: jwe, name: 'signer again', passphrase: PASS });
    expect(back.fingerprint.value).toBe(key.fingerprint.value);
    expect(back.kind).toBe('key-pair');
  });

  it('E: a wrong passphrase is WRONG_PASSPHRASE, no passphrase is INVALID_ARGUMENT, and neither message holds a passphrase', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'k', exportable: true });
    const jwe = await engine.exportKey(key.id, { format: 'jwe-pbes2', passphrase: PASS });
    const wrong = await engine.importKey({ data: jwe, name: 'x', passphrase: 'not the passphrase' }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect(String((wrong as Error).message)).not.toContain('not the passphrase');
    await expect(engine.importKey({ data: jwe, name: 'x' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await engine.listKeys()).toHaveLength(1);
  });

  it('E: export refuses a short passphrase, a non-extractable key, and a Fernet key (which has its own string form)', async () => {
    const { engine } = await freshEngine();
    const open = await engine.generateKey({ template: 'AES-GCM-256', name: 'open', exportable: true });
    const locked = await engine.generateKey({ template: 'AES-GCM-256', name: 'locked' });
    const fernet = await engine.generateKey({ template: 'FERNET', name: 'fernet' });
    await expect(engine.exportKey(open.id, { format: 'jwe-pbes2', passphrase: 'short' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.exportKey(open.id, { format: 'jwe-pbes2' } as ProtectedExportOptions)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(engine.exportKey(locked.id, { format: 'jwe-pbes2', passphrase: PASS })).rejects.toMatchObject({ code: 'NOT_EXTRACTABLE' });
    await expect(engine.exportKey(fernet.id, { format: 'jwe-pbes2', passphrase: PASS })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a changed ciphertext is MALFORMED_INPUT (the passphrase is right), another alg is UNSUPPORTED, an absurd p2c is MALFORMED_INPUT', async () => {
    const subtle = crypto.subtle;
    const random = cryptoRandom(crypto);
    const payload = utf8('{"kty":"oct","k":"AAAAAAAAAAAAAAAAAAAAAA","alg":"A128GCM"}');
    const jwe = await sealJwk(subtle, random, payload, PASS, 2000);
    expect(fromUtf8(await openJwk(subtle, jwe, PASS))).toBe(fromUtf8(payload));

    const parts = jwe.split('.');
    const ct = fromBase64Url(parts[3]!);
    ct[0]! ^= 1;
    const tampered = [parts[0], parts[1], parts[2], toBase64Url(ct), parts[4]].join('.');
    await expect(openJwk(subtle, tampered, PASS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });

    const withHeader = (h: Record<string, unknown>) => [toBase64Url(utf8(JSON.stringify(h))), ...parts.slice(1)].join('.');
    const h = headerOf(jwe);
    await expect(openJwk(subtle, withHeader({ ...h, alg: 'PBES2-HS256+A128KW' }), PASS)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    await expect(openJwk(subtle, withHeader({ ...h, p2c: 1e12 }), PASS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    await expect(openJwk(subtle, withHeader({ ...h, p2c: 10 }), PASS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    await expect(openJwk(subtle, withHeader({ ...h, crit: ['exp'] }), PASS)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    // The header is authenticated: a changed salt no longer opens.
    await expect(openJwk(subtle, withHeader({ ...h, p2s: toBase64Url(new Uint8Array(16)) }), PASS)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
  });
});
