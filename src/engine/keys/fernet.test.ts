import { describe, expect, it } from 'vitest';
import { fixedClock, isEngineError, type Engine, type KeyId } from '..';
import { fromBase64, utf8 } from '../internal/bytes';
import { freshEngine } from '../../testing/engine';
import generate from '../../testing/vectors/fernet-generate.json';
import invalid from '../../testing/vectors/fernet-invalid.json';
import verifyVectors from '../../testing/vectors/fernet-verify.json';
import { fernetDecrypt, fernetEncrypt, FernetTokenError, toBase64UrlPadded, type FernetFailure } from './fernet';
import { fernetMaterial } from './vault';

const subtle = crypto.subtle;
const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);
const keyBytes = (secret: string) => fromBase64(secret.replace(/-/g, '+').replace(/_/g, '/'));
const material = (secret: string) => fernetMaterial(subtle, 'vector', keyBytes(secret));

async function reasonOf(p: Promise<unknown>): Promise<FernetFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof FernetTokenError) return e.reason;
    throw e;
  }
  throw new Error('the token was accepted');
}

describe('fernet: spec vectors (github.com/fernet/spec)', () => {
  it.each(generate.vectors)('generate.json: fixed IV and time give exactly $token', async (v) => {
    const token = await fernetEncrypt(subtle, await material(v.secret), utf8(v.src), seconds(v.now), new Uint8Array(v.iv));
    expect(token).toBe(v.token);
  });

  it.each(verifyVectors.vectors)('verify.json: $token opens to its source text', async (v) => {
    const opened = await fernetDecrypt(subtle, await material(v.secret), v.token, { now: seconds(v.now), ttlSeconds: v.ttl_sec });
    expect(new TextDecoder().decode(opened.plaintext)).toBe(v.src);
    expect(opened.timestamp).toBe(seconds('1985-10-26T01:20:00-07:00'));
  });

  it.each(invalid.vectors)('invalid.json: "$desc" is refused as $reason', async (v) => {
    const p = fernetDecrypt(subtle, await material(v.secret), v.token, { now: seconds(v.now), ttlSeconds: v.ttl_sec });
    expect(await reasonOf(p)).toBe(v.reason);
  });

  it('gives each failure its own message and the right code', async () => {
    const m = await material(invalid.vectors[0]!.secret);
    const messages = new Set<string>();
    for (const v of invalid.vectors) {
      const e = await fernetDecrypt(subtle, m, v.token, { now: seconds(v.now), ttlSeconds: v.ttl_sec }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(FernetTokenError);
      const err = e as FernetTokenError;
      expect(err.message.startsWith('fernet: ')).toBe(true);
      expect(err.code).toBe(['bad-base64', 'too-short', 'bad-version', 'bad-length'].includes(err.reason) ? 'MALFORMED_INPUT' : 'DECRYPT_FAILED');
      messages.add(`${err.reason}:${err.message}`);
    }
    expect(new Set([...messages].map((s) => s.split(':')[0])).size).toBe(new Set(invalid.vectors.map((v) => v.reason)).size);
    expect(new Set([...messages].map((s) => s.slice(s.indexOf(':') + 1))).size).toBe(messages.size);
  });
});

describe('fernet: checks beyond the spec files', () => {
  const v = generate.vectors[0]!;
  const made = seconds(v.now);

  it('refuses an unknown version byte even with a valid HMAC', async () => {
    const m = await material(v.secret);
    const raw = fromBase64(v.token.replace(/-/g, '+').replace(/_/g, '/'));
    raw[0] = 0x81;
    const body = raw.slice(0, raw.length - 32);
    const mac = new Uint8Array(await subtle.sign('HMAC', m.macSecret!, body));
    const token = toBase64UrlPadded(new Uint8Array([...body, ...mac]));
    expect(await reasonOf(fernetDecrypt(subtle, m, token, { now: made }))).toBe('bad-version');
  });

  it('accepts a token exactly ttl seconds old and refuses one a second older', async () => {
    const m = await material(v.secret);
    await expect(fernetDecrypt(subtle, m, v.token, { now: made + 60, ttlSeconds: 60 })).resolves.toBeDefined();
    expect(await reasonOf(fernetDecrypt(subtle, m, v.token, { now: made + 61, ttlSeconds: 60 }))).toBe('expired');
  });

  it('allows 60 seconds of clock skew and refuses 61, with or without a ttl', async () => {
    const m = await material(v.secret);
    await expect(fernetDecrypt(subtle, m, v.token, { now: made - 60 })).resolves.toBeDefined();
    expect(await reasonOf(fernetDecrypt(subtle, m, v.token, { now: made - 61 }))).toBe('future');
    expect(await reasonOf(fernetDecrypt(subtle, m, v.token, { now: made - 61, ttlSeconds: 3600 }))).toBe('future');
  });

  it('refuses an unpadded token (Python always pads) and one with standard-alphabet characters', async () => {
    const m = await material(v.secret);
    expect(await reasonOf(fernetDecrypt(subtle, m, v.token.replace(/=+$/, ''), { now: made }))).toBe('bad-base64');
    expect(await reasonOf(fernetDecrypt(subtle, m, v.token.replace(/_/g, '/'), { now: made }))).toBe('bad-base64');
  });

  it('refuses the right token under another key as a bad HMAC', async () => {
    const other = await fernetMaterial(subtle, 'other', crypto.getRandomValues(new Uint8Array(32)));
    expect(await reasonOf(fernetDecrypt(subtle, other, v.token, { now: made }))).toBe('bad-hmac');
  });
});

describe('fernet: through the engine', () => {
  const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

  async function setup(): Promise<{ engine: Engine; clock: ReturnType<typeof fixedClock>; id: KeyId }> {
    const clock = fixedClock(T0);
    const { engine } = await freshEngine({ clock });
    const key = await engine.generateKey({ template: 'FERNET', name: 'tokens' });
    return { engine, clock, id: key.id };
  }

  it('encryptText makes a padded base64url Fernet token stamped with the engine clock, and decryptText opens it', async () => {
    const { engine, id } = await setup();
    const token = await engine.encryptText(id, 'grüße 🔑');
    expect(token).toMatch(/^gAAAAA[A-Za-z0-9_-]+={0,2}$/);
    expect(token.length % 4).toBe(0);
    const raw = fromBase64(token.replace(/-/g, '+').replace(/_/g, '/'));
    expect(raw[0]).toBe(0x80);
    expect(new DataView(raw.buffer).getBigUint64(1)).toBe(BigInt(T0 / 1000));
    expect(await engine.decryptText(token, { keyId: id })).toBe('grüße 🔑');
  });

  it('makes a different token (fresh IV) for the same text', async () => {
    const { engine, id } = await setup();
    const a = await engine.encryptText(id, 'same');
    const b = await engine.encryptText(id, 'same');
    expect(a).not.toBe(b);
    expect(a.slice(0, 12)).toBe(b.slice(0, 12)); // version + timestamp agree
  });

  it('needs keyId to open a token, since a token names no key', async () => {
    const { engine, id } = await setup();
    const token = await engine.encryptText(id, 'x');
    await expect(engine.decryptText(token)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('honours ttlSeconds against the engine clock', async () => {
    const { engine, clock, id } = await setup();
    const token = await engine.encryptText(id, 'x');
    clock.advance(120_000);
    expect(await engine.decryptText(token, { keyId: id, ttlSeconds: 120 })).toBe('x');
    clock.advance(1_000);
    await expect(engine.decryptText(token, { keyId: id, ttlSeconds: 120 })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', reason: 'expired' });
    // Without a ttl an old token still opens (as in Python).
    expect(await engine.decryptText(token, { keyId: id })).toBe('x');
  });

  it('refuses a tampered token, the wrong Fernet key, and a non-Fernet key', async () => {
    const { engine, id } = await setup();
    const token = await engine.encryptText(id, 'secret text');
    const i = 40;
    const flipped = token.slice(0, i) + (token[i] === 'A' ? 'B' : 'A') + token.slice(i + 1);
    await expect(engine.decryptText(flipped, { keyId: id })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', reason: 'bad-hmac' });
    const other = await engine.generateKey({ template: 'FERNET', name: 'other' });
    await expect(engine.decryptText(token, { keyId: other.id })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', reason: 'bad-hmac' });
    const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'aes' });
    await expect(engine.decryptText(token, { keyId: aes.id })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
  });

  it('refuses associated data, which Fernet cannot carry', async () => {
    const { engine, id } = await setup();
    await expect(engine.encryptText(id, 'x', { aad: utf8('ctx') })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('encrypt() of bytes gives the token as ASCII bytes, and decrypt() with keyId opens it (files, as Python Fernet does)', async () => {
    const { engine, id } = await setup();
    const data = crypto.getRandomValues(new Uint8Array(1000));
    const token = await engine.encrypt(id, data);
    expect(new TextDecoder().decode(token)).toMatch(/^gAAAAA/);
    const out = await engine.decrypt(token, { keyId: id } as { aad?: Uint8Array });
    expect(out.plaintext).toEqual(data);
    expect(out.keyId).toBe(id);
    await expect(engine.decrypt(token)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('reports garbage given with a Fernet keyId by its exact fault', async () => {
    const { engine, id } = await setup();
    const e = await engine.decryptText('not a token!', { keyId: id }).catch((x: unknown) => x);
    expect(isEngineError(e, 'MALFORMED_INPUT')).toBe(true);
    expect((e as FernetTokenError).reason).toBe('bad-base64');
  });
});
