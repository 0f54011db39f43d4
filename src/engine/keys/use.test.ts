import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { itEachTemplate, itWith } from '../../testing/platform';
import { isEngineError, type BulkCipher, type Engine, type EngineOptions, type KeyInfo, type TemplateName } from '..';
import { systemClock } from '../internal/clock';
import { concat, copy, fromUtf8, toBase64, toHex, utf8 } from '../internal/bytes';
import { cryptoRandom } from '../internal/random';
import type { ClavisStorage } from '../storage/db';
import { inThreadBulkCipher, type EngineContext } from './context';
import { derToRaw, EC_SCALAR_BYTES } from './ecdsa-der';
import { armor, parseEnvelope, wrapHeader, wrapParts, type CipherEnvelope, type WrapEnvelope } from './envelope';
import { createFeatureProbe } from './features';
import { keyCheckValue } from './fingerprint';
import { DERIVE_SALT, deriveInfo } from './use';
import * as use from './use';
import { describeKey, newKeyId, templateOf } from './vault';
import { testKeyId } from '../../testing/ids';

// ---------------------------------------------------------------------------------------
// Helpers

interface Setup {
  engine: Engine;
  storage: ClavisStorage;
  /** The same vault as `engine`, for calls the engine facade does not expose yet (keyId on decrypt). */
  ctx: EngineContext;
}

async function setup(opts: Partial<EngineOptions> = {}): Promise<Setup> {
  const { engine, storage } = await freshEngine(opts);
  const ctx: EngineContext = {
    crypto,
    subtle: crypto.subtle,
    storage,
    clock: opts.clock ?? systemClock,
    random: opts.random ?? cryptoRandom(crypto),
    bulk: opts.bulk ?? inThreadBulkCipher(crypto.subtle),
    supports: createFeatureProbe(crypto.subtle),
  };
  return { engine, storage, ctx };
}

/** Generates a key of `template` (tests that need one are registered per platform, see src/testing/platform.ts). */
function newKey(engine: Engine, template: TemplateName, exportable = false): Promise<KeyInfo> {
  return engine.generateKey({ template, name: `${template} key`, exportable });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isEngineError(e)) return e.code;
    throw e;
  }
  return 'OK';
}

async function materialOf(s: Setup, id: string) {
  const m = await s.storage.getKeyMaterial(id);
  if (!m) throw new Error('no material');
  return m;
}

async function spkiOf(s: Setup, id: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.exportKey('spki', (await materialOf(s, id)).publicKey!));
}

function pem(spki: Uint8Array): string {
  const b64 = toBase64(spki).replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PUBLIC KEY-----\n${b64}\n-----END PUBLIC KEY-----\n`;
}

/** Adds the public half of a vault key as a separate public-only key (as an import would). */
async function publicOnlyCopy(s: Setup, info: KeyInfo): Promise<KeyInfo> {
  const m = await materialOf(s, info.id);
  const t = templateOf(info.template);
  const material = { id: newKeyId(s.ctx), publicKey: m.publicKey! };
  const pub = await describeKey(s.ctx, t, material, { name: 'public copy', owner: '', exportable: false, origin: 'imported', publicOnly: true });
  await s.storage.addKey(pub, material);
  return pub;
}

function flip(b: Uint8Array, i: number, mask = 0x01): Uint8Array<ArrayBuffer> {
  const out = b.slice();
  out[i]! ^= mask;
  return out;
}

const sha256 = async (b: Uint8Array<ArrayBuffer>) => new Uint8Array(await crypto.subtle.digest('SHA-256', b));

// ---------------------------------------------------------------------------------------
// encrypt / decrypt

const ENCRYPTING: TemplateName[] = ['AES-GCM-128', 'AES-GCM-256', 'ChaCha20-Poly1305', 'RSA-OAEP-2048', 'RSA-OAEP-3072', 'RSA-OAEP-4096'];
const ALG_OF: Record<string, string> = { 'AES-GCM-128': 'AES-GCM', 'AES-GCM-256': 'AES-GCM', 'ChaCha20-Poly1305': 'ChaCha20-Poly1305' };
const AEAD: TemplateName[] = ['AES-GCM-256', 'ChaCha20-Poly1305', 'RSA-OAEP-2048'];

describe('encrypt/decrypt: round trip for every template that encrypts', () => {
  itEachTemplate(ENCRYPTING, '%s: bytes with AAD and text both round-trip, and the envelope names key and version', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    const pt = crypto.getRandomValues(new Uint8Array(1000));
    const aad = utf8('record 42');
    const ct = await s.engine.encrypt(key.id, pt, { aad });
    const env = parseEnvelope(ct) as CipherEnvelope;
    expect(env).toMatchObject({ type: 'cipher', algorithm: ALG_OF[template] ?? 'RSA-OAEP', keyId: key.id, keyVersion: 1 });
    expect(env.body.length).toBe(pt.length + 16);
    const out = await s.engine.decrypt(ct, { aad });
    expect(out).toEqual({ plaintext: pt, keyId: key.id, version: 1 });
    const armored = await s.engine.encryptText(key.id, 'Grüße, 世界 🔐');
    expect(armored.startsWith('clavis:v1:')).toBe(true);
    expect(await s.engine.decryptText(armored)).toBe('Grüße, 世界 🔐');
  });

  it('encrypts the empty message and a 1 MiB message', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    expect((await s.engine.decrypt(await s.engine.encrypt(key.id, new Uint8Array(0)))).plaintext).toEqual(new Uint8Array(0));
    const big = new Uint8Array(1 << 20);
    for (let i = 0; i < big.length; i += 65536) crypto.getRandomValues(big.subarray(i, i + 65536));
    expect((await s.engine.decrypt(await s.engine.encrypt(key.id, big))).plaintext).toEqual(big);
  });

  it('RSA-OAEP hybrid: the envelope carries the RSA-wrapped content key (one modulus long)', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'RSA-OAEP-2048', name: 'rsa' });
    const env = parseEnvelope(await s.engine.encrypt(key.id, utf8('hi'))) as CipherEnvelope;
    expect(env.wrappedKey?.length).toBe(256);
  });
});

describe('encrypt: randomness (K5, K6)', () => {
  it('encrypts the same plaintext differently each time (fresh IV and, for RSA, a fresh content key)', async () => {
    const s = await setup();
    for (const template of ['AES-GCM-256', 'RSA-OAEP-2048'] as const) {
      const key = await s.engine.generateKey({ template, name: template });
      const a = parseEnvelope(await s.engine.encrypt(key.id, utf8('same'))) as CipherEnvelope;
      const b = parseEnvelope(await s.engine.encrypt(key.id, utf8('same'))) as CipherEnvelope;
      expect(toHex(a.iv)).not.toBe(toHex(b.iv));
      expect(toHex(a.body)).not.toBe(toHex(b.body));
      if (template === 'RSA-OAEP-2048') expect(toHex(a.wrappedKey!)).not.toBe(toHex(b.wrappedKey!));
    }
  });

  it('K6 AES-GCM: 10,000 encryptions under one key use 10,000 distinct 96-bit IVs', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k6' });
    const ivs = new Set<string>();
    const pt = utf8('x');
    for (let i = 0; i < 10_000; i++) {
      const env = parseEnvelope(await s.engine.encrypt(key.id, pt)) as CipherEnvelope;
      expect(env.iv.length).toBe(12);
      ivs.add(toHex(env.iv));
    }
    expect(ivs.size).toBe(10_000);
  }, 600_000);

  it('K5: the IV comes from the injected random source (never from the caller or Math.random)', async () => {
    const drawn: string[] = [];
    const random = (n: number) => {
      const b = crypto.getRandomValues(new Uint8Array(n));
      drawn.push(toHex(b));
      return b;
    };
    const s = await setup({ random });
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const env = parseEnvelope(await s.engine.encrypt(key.id, utf8('x'))) as CipherEnvelope;
    expect(drawn.at(-1)).toBe(toHex(env.iv));
  });

  it('M7: AES-GCM data (plain and RSA hybrid) goes through ctx.bulk, the worker-backed cipher', async () => {
    const calls: string[] = [];
    const inner = inThreadBulkCipher(crypto.subtle);
    const bulk: BulkCipher = {
      aesGcm: (op, key, iv, aad, data) => {
        calls.push(op);
        return inner.aesGcm(op, key, iv, aad, data);
      },
    };
    const s = await setup({ bulk });
    for (const template of ['AES-GCM-128', 'RSA-OAEP-2048'] as const) {
      const key = await s.engine.generateKey({ template, name: template });
      await s.engine.decrypt(await s.engine.encrypt(key.id, utf8('bulk')));
    }
    expect(calls).toEqual(['encrypt', 'decrypt', 'encrypt', 'decrypt']);
  });
});

describe('decrypt: tampering, wrong key, wrong AAD, truncation', () => {
  itEachTemplate(AEAD, '%s: a bit flip in magic, version, algorithm, key id, key version, IV, content key, ciphertext or tag is refused with the right code', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    const pt = utf8('attack at dawn, attack at dawn!');
    const ct = await s.engine.encrypt(key.id, pt, { aad: utf8('aad') });
    const env = parseEnvelope(ct) as CipherEnvelope;
    const idAt = 6;
    const versionAt = idAt + key.id.length;
    const ivAt = versionAt + 4;
    const cases: Array<[string, Uint8Array, string]> = [
      ['magic', flip(ct, 0), 'MALFORMED_INPUT'],
      ['version', flip(ct, 3), 'MALFORMED_INPUT'],
      ['algorithm (unknown)', flip(ct, 4, 0x40), 'MALFORMED_INPUT'],
      ['key id', flip(ct, idAt + key.id.length - 1), 'KEY_NOT_FOUND'],
      ['key version', flip(ct, versionAt + 3), 'KEY_NOT_FOUND'],
      ['IV', flip(ct, ivAt + 5), 'DECRYPT_FAILED'],
      ['first ciphertext byte', flip(ct, env.header.length), 'DECRYPT_FAILED'],
      ['last tag byte', flip(ct, ct.length - 1, 0x80), 'DECRYPT_FAILED'],
    ];
    if (env.wrappedKey) cases.push(['wrapped content key', flip(ct, ivAt + 12 + 2 + 17), 'DECRYPT_FAILED']);
    for (const [what, bad, code] of cases) {
      expect([what, await codeOf(s.engine.decrypt(bad, { aad: utf8('aad') }))]).toEqual([what, code]);
    }
    expect((await s.engine.decrypt(ct, { aad: utf8('aad') })).plaintext).toEqual(pt);
  });

  it('an envelope whose algorithm byte is changed to another valid algorithm is refused (DECRYPT_FAILED)', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const ct = await s.engine.encrypt(key.id, utf8('x'));
    const bad = ct.slice();
    bad[4] = 0x02; // ChaCha20-Poly1305
    expect(await codeOf(s.engine.decrypt(bad))).toBe('DECRYPT_FAILED');
  });

  itEachTemplate(AEAD, '%s: wrong AAD, missing AAD and unexpected AAD are DECRYPT_FAILED', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    const ct = await s.engine.encrypt(key.id, utf8('x'), { aad: utf8('invoice 1') });
    expect(await codeOf(s.engine.decrypt(ct, { aad: utf8('invoice 2') }))).toBe('DECRYPT_FAILED');
    expect(await codeOf(s.engine.decrypt(ct))).toBe('DECRYPT_FAILED');
    const plain = await s.engine.encrypt(key.id, utf8('x'));
    expect(await codeOf(s.engine.decrypt(plain, { aad: utf8('extra') }))).toBe('DECRYPT_FAILED');
  });

  itEachTemplate(AEAD, '%s: the wrong key is DECRYPT_FAILED, whether chosen with keyId or named in a rewritten header', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    const other = await s.engine.generateKey({ template, name: 'other' });
    const ct = await s.engine.encrypt(key.id, utf8('secret'));
    expect(await codeOf(use.decrypt(s.ctx, ct, { keyId: other.id }))).toBe('DECRYPT_FAILED');
    const renamed = ct.slice();
    renamed.set(utf8(other.id), 6); // ids have equal length
    expect(await codeOf(s.engine.decrypt(renamed))).toBe('DECRYPT_FAILED');
    // A key of another kind named by keyId is refused too.
    const ecdsa = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'sig' });
    expect(await codeOf(use.decrypt(s.ctx, ct, { keyId: ecdsa.id }))).toBe('KEY_STATE');
  });

  itEachTemplate(AEAD, '%s: truncation at several lengths is MALFORMED_INPUT inside the header or tag, else DECRYPT_FAILED', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    const ct = await s.engine.encrypt(key.id, crypto.getRandomValues(new Uint8Array(64)));
    const headerLen = (parseEnvelope(ct) as CipherEnvelope).header.length;
    for (const n of [0, 2, 3, 5, 6, 20, headerLen - 1, headerLen, headerLen + 15]) {
      expect([n, await codeOf(s.engine.decrypt(ct.subarray(0, n)))]).toEqual([n, 'MALFORMED_INPUT']);
    }
    for (const n of [headerLen + 16, headerLen + 40, ct.length - 16, ct.length - 1]) {
      expect([n, await codeOf(s.engine.decrypt(ct.subarray(0, n)))]).toEqual([n, 'DECRYPT_FAILED']);
    }
  });

  it('names KEY_NOT_FOUND when the key the envelope names is gone, and MALFORMED_INPUT for non-envelopes', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const ct = await s.engine.encrypt(key.id, utf8('x'));
    await s.engine.deleteKey(key.id);
    await expect(s.engine.decrypt(ct)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', message: expect.stringMatching(/^keys: /) });
    expect(await codeOf(s.engine.decrypt(utf8('hello world, not an envelope')))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.decryptText('hello'))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.decryptText('clavis:v1:%%%'))).toBe('MALFORMED_INPUT');
  });

  it('decryptText refuses plaintext that is not UTF-8 with MALFORMED_INPUT, pointing to decrypt', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const armored = armor(await s.engine.encrypt(key.id, Uint8Array.of(0xff, 0xfe, 0x00)));
    await expect(s.engine.decryptText(armored)).rejects.toMatchObject({ code: 'MALFORMED_INPUT', message: expect.stringMatching(/decrypt/) });
  });
});

describe('encrypt: keys that cannot (KEY_STATE)', () => {
  const NON_ENCRYPTING: TemplateName[] = ['ECDSA-P-256', 'HMAC-SHA-256', 'AES-KW-256', 'ECDH-P-256', 'RSA-PSS-2048', 'RSASSA-PKCS1-v1_5-2048', 'X25519', 'Ed25519', 'ML-KEM-768', 'ML-DSA-65'];

  it('says what an ECDSA key does instead', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'signer' });
    await expect(s.engine.encrypt(key.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: 'keys: an ECDSA-P-256 key signs; it cannot encrypt' });
  });

  itEachTemplate(NON_ENCRYPTING, '%s: encrypt and encryptText are KEY_STATE', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    await expect(s.engine.encrypt(key.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^keys: an? .* key .*; it cannot encrypt$/) });
    expect(await codeOf(s.engine.encryptText(key.id, 'x'))).toBe('KEY_STATE');
  });

  it('a public RSA-OAEP key encrypts, but only the private key decrypts', async () => {
    const s = await setup();
    const pair = await s.engine.generateKey({ template: 'RSA-OAEP-2048', name: 'pair' });
    const pub = await publicOnlyCopy(s, pair);
    expect(pub.kind).toBe('public');
    const ct = await s.engine.encrypt(pub.id, utf8('to the owner'));
    await expect(s.engine.decrypt(ct)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/public key only/) });
    expect(fromUtf8((await use.decrypt(s.ctx, ct, { keyId: pair.id })).plaintext)).toBe('to the owner');
  });

  it('unknown key ids are KEY_NOT_FOUND', async () => {
    const s = await setup();
    expect(await codeOf(s.engine.encrypt(testKeyId('missing'), utf8('x')))).toBe('KEY_NOT_FOUND');
    expect(await codeOf(s.engine.sign(testKeyId('missing'), utf8('x')))).toBe('KEY_NOT_FOUND');
  });

  it('B2: a suspended key decrypts (with the risk acknowledged) but no longer encrypts; a destroyed or pre-activation key does neither', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'k' });
    const ct = await s.engine.encrypt(key.id, utf8('old data'));
    await s.engine.suspendKey(key.id, 'investigating');
    await expect(s.engine.encrypt(key.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^lifecycle: key is suspended; suspended keys must not protect \(encrypt\)/) });
    await expect(s.engine.decrypt(ct)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/acknowledged/) });
    expect(fromUtf8((await s.engine.decrypt(ct, { acknowledgeRisk: true })).plaintext)).toBe('old data');
    await s.engine.deactivateKey(key.id);
    await s.engine.destroyKey(key.id);
    await expect(s.engine.decrypt(ct)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/was destroyed on/) });
    const later = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'later', activateAt: Date.now() + 86_400_000 });
    expect(later.state).toBe('pre-activation');
    await expect(s.engine.encrypt(later.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/^lifecycle: key is pre-activation/) });
  });
});

// ---------------------------------------------------------------------------------------
// sign / verify

const SIGNING: TemplateName[] = [
  'ECDSA-P-256',
  'ECDSA-P-384',
  'ECDSA-P-521',
  'RSA-PSS-2048',
  'RSA-PSS-3072',
  'RSA-PSS-4096',
  'RSASSA-PKCS1-v1_5-2048',
  'RSASSA-PKCS1-v1_5-3072',
  'RSASSA-PKCS1-v1_5-4096',
  'Ed25519',
  'HMAC-SHA-256',
  'ML-DSA-65',
];

describe('sign/verify: every signing template', () => {
  itEachTemplate(SIGNING, '%s: a signature verifies, and fails for changed data or a changed signature', async (template) => {
    const s = await setup();
    const key = await newKey(s.engine, template);
    const data = utf8('the document');
    const sig = await s.engine.sign(key.id, data);
    expect(await s.engine.verify(key.id, data, sig)).toBe(true);
    expect(await s.engine.verify(key.id, utf8('the documenT'), sig)).toBe(false);
    expect(await s.engine.verify(key.id, data, flip(sig, sig.length - 1))).toBe(false);
    expect(await s.engine.verify(key.id, data, sig.subarray(0, sig.length - 1))).toBe(false);
    expect(await s.engine.verify(key.id, data, new Uint8Array(0))).toBe(false);
  });

  it.each(['P-256', 'P-384', 'P-521'] as const)('ECDSA-%s: DER by default with the curve’s hash, raw r||s on request, both verify independently', async (curve) => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: `ECDSA-${curve}`, name: 'ec' });
    const size = EC_SCALAR_BYTES[curve];
    const hash = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' }[curve];
    const data = utf8('payload');
    const der = await s.engine.sign(key.id, data);
    expect(der[0]).toBe(0x30);
    const raw = derToRaw(der, size); // strict DER, or this throws
    const pub = (await materialOf(s, key.id)).publicKey!;
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash }, pub, raw, data)).toBe(true);
    const rawSig = await s.engine.sign(key.id, data, { encoding: 'raw' });
    expect(rawSig.length).toBe(2 * size);
    expect(await s.engine.verify(key.id, data, rawSig, { encoding: 'raw' })).toBe(true);
    expect(await s.engine.verify(key.id, data, raw, { encoding: 'raw' })).toBe(true);
    // Encodings are not guessed: DER given as raw (and the reverse) does not verify.
    expect(await s.engine.verify(key.id, data, der, { encoding: 'raw' })).toBe(false);
    expect(await s.engine.verify(key.id, data, rawSig)).toBe(false);
  });

  it('P9: a non-minimal (BER) DER encoding of a valid ECDSA signature is refused (no malleability), returning false', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'ec' });
    const data = utf8('payload');
    const der = await s.engine.sign(key.id, data);
    // Re-encode the SEQUENCE length in long form: same values, not DER.
    const ber = concat(Uint8Array.of(0x30, 0x81, der[1]!), der.subarray(2));
    expect(await s.engine.verify(key.id, data, ber)).toBe(false);
    expect(await s.engine.verify(key.id, data, utf8('garbage'))).toBe(false);
  });

  it('RSA-PSS uses a 32-byte salt (a 20-byte-salt verifier refuses the signature)', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'RSA-PSS-2048', name: 'pss' });
    const data = utf8('payload');
    const sig = await s.engine.sign(key.id, data);
    const pub = (await materialOf(s, key.id)).publicKey!;
    expect(await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, pub, copy(sig), data)).toBe(true);
    expect(await crypto.subtle.verify({ name: 'RSA-PSS', saltLength: 20 }, pub, copy(sig), data)).toBe(false);
  });

  it('HMAC: the tag is HMAC-SHA-256 of the data (32 bytes), checked by subtle.verify', async () => {
    const s = await setup();
    const key = await s.engine.generateKey({ template: 'HMAC-SHA-256', name: 'mac' });
    const data = utf8('message');
    const tag = await s.engine.sign(key.id, data);
    expect(tag.length).toBe(32);
    expect(toHex(tag)).toBe(toHex(await crypto.subtle.sign('HMAC', (await materialOf(s, key.id)).secret!, data)));
    const other = await s.engine.generateKey({ template: 'HMAC-SHA-256', name: 'other' });
    expect(await s.engine.verify(other.id, data, tag)).toBe(false);
  });

  it('a public-only key verifies but cannot sign (KEY_STATE)', async () => {
    const s = await setup();
    const pair = await s.engine.generateKey({ template: 'ECDSA-P-384', name: 'pair' });
    const pub = await publicOnlyCopy(s, pair);
    const data = utf8('x');
    const sig = await s.engine.sign(pair.id, data);
    expect(await s.engine.verify(pub.id, data, sig)).toBe(true);
    await expect(s.engine.sign(pub.id, data)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/public key only; to sign you need its private key/) });
  });

  it('keys that do not sign are KEY_STATE, with what they do instead', async () => {
    const s = await setup();
    const aes = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'aes' });
    await expect(s.engine.sign(aes.id, utf8('x'))).rejects.toMatchObject({ code: 'KEY_STATE', message: 'keys: an AES-GCM-256 key encrypts and wraps keys; it cannot sign' });
    const fernet = await s.engine.generateKey({ template: 'FERNET', name: 'f' });
    expect(await codeOf(s.engine.sign(fernet.id, utf8('x')))).toBe('KEY_STATE');
    expect(await codeOf(s.engine.verify(fernet.id, utf8('x'), new Uint8Array(32)))).toBe('KEY_STATE');
    const ec = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'ec' });
    expect(await codeOf(s.engine.sign(ec.id, utf8('x'), { encoding: 'pem' as 'der' }))).toBe('INVALID_ARGUMENT');
  });
});

// ---------------------------------------------------------------------------------------
// wrap / unwrap

const WRAPPERS: TemplateName[] = ['AES-KW-256', 'AES-GCM-128', 'AES-GCM-256', 'RSA-OAEP-2048'];
const SECRET_TARGETS: TemplateName[] = ['AES-GCM-128', 'AES-GCM-256', 'AES-KW-256', 'HMAC-SHA-256', 'FERNET', 'ChaCha20-Poly1305'];
const PRIVATE_TARGETS: TemplateName[] = ['ECDSA-P-256', 'ECDH-P-384', 'RSA-PSS-2048', 'Ed25519', 'X25519', 'ML-DSA-65', 'ML-KEM-768'];
const WRAP_ALG: Record<string, string> = { 'AES-KW-256': 'AES-KW', 'AES-GCM-128': 'AES-GCM', 'AES-GCM-256': 'AES-GCM', 'RSA-OAEP-2048': 'RSA-OAEP' };

/** Proves `copy` does the same as `original` (same key material). */
async function sameKey(s: Setup, original: KeyInfo, copy: KeyInfo): Promise<void> {
  const e = s.engine;
  const data = utf8('same key?');
  switch (templateOf(original.template).family) {
    case 'aes-gcm':
    case 'chacha20-poly1305':
      expect((await use.decrypt(s.ctx, await e.encrypt(original.id, data), { keyId: copy.id })).plaintext).toEqual(data);
      return;
    case 'aes-kw': {
      const t = await e.generateKey({ template: 'AES-GCM-128', name: 't', exportable: true });
      const again = await e.unwrapKey(copy.id, await e.wrapKey(original.id, t.id), { name: 'again' });
      expect(again.fingerprint).toEqual(t.fingerprint);
      return;
    }
    case 'hmac':
      expect(toHex(await e.sign(copy.id, data))).toBe(toHex(await e.sign(original.id, data)));
      return;
    case 'fernet':
      expect(await use.decryptText(s.ctx, await e.encryptText(original.id, 'fernet'), { keyId: copy.id })).toBe('fernet');
      return;
    case 'ecdh':
    case 'x25519': {
      const peer = await e.generateKey({ template: original.template, name: 'peer' });
      const spki = await spkiOf(s, peer.id);
      const a = await e.deriveKey(original.id, spki, { name: 'a' });
      const b = await e.deriveKey(copy.id, spki, { name: 'b' });
      expect(b.fingerprint).toEqual(a.fingerprint);
      return;
    }
    case 'ml-kem': {
      const { ciphertext, key } = await e.encapsulate(original.id, { name: 'enc' });
      expect((await e.decapsulate(copy.id, ciphertext, { name: 'dec' })).fingerprint).toEqual(key.fingerprint);
      return;
    }
    default:
      expect(await e.verify(original.id, data, await e.sign(copy.id, data))).toBe(true);
  }
}

async function checkUnwrapped(s: Setup, target: KeyInfo, copy: KeyInfo): Promise<void> {
  expect(copy).toMatchObject({ template: target.template, kind: target.kind, origin: 'unwrapped', state: 'active', name: 'restored', owner: 'ops' });
  expect(copy.id).not.toBe(target.id);
  expect(copy.fingerprint).toEqual(target.fingerprint);
  const fernet = target.template === 'FERNET';
  expect(copy.extractable).toBe(fernet);
  const m = await materialOf(s, copy.id);
  for (const k of [m.secret, m.macSecret, m.privateKey]) if (k) expect(k.extractable).toBe(fernet);
  await sameKey(s, target, copy);
}

describe('wrapKey/unwrapKey: every wrapping template and target', () => {
  const combos = WRAPPERS.flatMap((w) => SECRET_TARGETS.map((t) => [w, t] as const));
  for (const [wrapper, target] of combos) itWith([wrapper, target], `${wrapper} wraps ${target}; unwrap makes a new non-extractable key with the same KCV that works the same`, async () => {
    const s = await setup();
    const w = await s.engine.generateKey({ template: wrapper, name: 'kek' });
    const t = await newKey(s.engine, target, true);
    const wrapped = await s.engine.wrapKey(w.id, t.id);
    const env = parseEnvelope(wrapped) as WrapEnvelope;
    expect(env).toMatchObject({ type: 'wrap', algorithm: WRAP_ALG[wrapper], keyId: w.id, keyVersion: 1, template: target, fingerprint: t.fingerprint });
    expect(env.parts).toHaveLength(target === 'FERNET' ? 2 : 1);
    const copy = await s.engine.unwrapKey(w.id, wrapped, { name: 'restored', owner: 'ops' });
    await checkUnwrapped(s, t, copy);
  });

  itEachTemplate(PRIVATE_TARGETS, 'AES-GCM-256 wraps a %s private key (PKCS#8) with its SPKI; unwrap restores a working non-extractable pair', async (target) => {
    const s = await setup();
    const w = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'kek' });
    const t = await newKey(s.engine, target, true);
    const wrapped = await s.engine.wrapKey(w.id, t.id);
    const env = parseEnvelope(wrapped) as WrapEnvelope;
    expect(toHex(env.spki)).toBe(toHex(await spkiOf(s, t.id)));
    const copy = await s.engine.unwrapKey(w.id, wrapped, { name: 'restored', owner: 'ops' });
    await checkUnwrapped(s, t, copy);
  });

  it('AES-KW and RSA-OAEP refuse private keys (M6) with KEY_STATE, naming AES-GCM instead', async () => {
    const s = await setup();
    const target = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'ec', exportable: true });
    for (const wrapper of ['AES-KW-256', 'RSA-OAEP-2048'] as const) {
      const w = await s.engine.generateKey({ template: wrapper, name: wrapper });
      await expect(s.engine.wrapKey(w.id, target.id)).rejects.toMatchObject({ code: 'KEY_STATE', message: expect.stringMatching(/AES-GCM/) });
    }
  });

  it('W2/K4: wrapping a non-extractable key is NOT_EXTRACTABLE, for secret and private keys', async () => {
    const s = await setup();
    const w = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'kek' });
    for (const template of ['AES-GCM-256', 'HMAC-SHA-256', 'ECDSA-P-256'] as const) {
      const t = await s.engine.generateKey({ template, name: 'locked' });
      await expect(s.engine.wrapKey(w.id, t.id)).rejects.toMatchObject({ code: 'NOT_EXTRACTABLE', message: expect.stringMatching(/^keys: .*not extractable/) });
      const m = await materialOf(s, t.id);
      await expect(crypto.subtle.exportKey('pkcs8', (m.privateKey ?? m.secret)!)).rejects.toBeDefined();
    }
  });

  it('keys that cannot wrap, public-only targets and self-wrapping are refused', async () => {
    const s = await setup();
    const t = await s.engine.generateKey({ template: 'AES-GCM-256', name: 't', exportable: true });
    const ec = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'ec' });
    await expect(s.engine.wrapKey(ec.id, t.id)).rejects.toMatchObject({ code: 'KEY_STATE', message: 'keys: an ECDSA-P-256 key signs; it cannot wrap' });
    const hmac = await s.engine.generateKey({ template: 'HMAC-SHA-256', name: 'h' });
    expect(await codeOf(s.engine.wrapKey(hmac.id, t.id))).toBe('KEY_STATE');
    const w = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'kek', exportable: true });
    expect(await codeOf(s.engine.wrapKey(w.id, (await publicOnlyCopy(s, ec)).id))).toBe('KEY_STATE');
    expect(await codeOf(s.engine.wrapKey(w.id, w.id))).toBe('INVALID_ARGUMENT');
    // A public RSA-OAEP key wraps; unwrapping needs the private key.
    const rsa = await s.engine.generateKey({ template: 'RSA-OAEP-2048', name: 'rsa' });
    const rsaPub = await publicOnlyCopy(s, rsa);
    const wrapped = await s.engine.wrapKey(rsaPub.id, t.id);
    expect(await codeOf(s.engine.unwrapKey(rsaPub.id, wrapped, { name: 'x' }))).toBe('KEY_STATE');
    expect((await s.engine.unwrapKey(rsa.id, wrapped, { name: 'x' })).fingerprint).toEqual(t.fingerprint);
  });

  it.each(['AES-GCM-256', 'RSA-OAEP-2048'] as const)('%s: flipping any single byte of the wrapped key is refused (header bound as AAD / OAEP label)', async (wrapper) => {
    const s = await setup();
    const w = await s.engine.generateKey({ template: wrapper, name: 'kek' });
    const t = await s.engine.generateKey({ template: 'AES-GCM-128', name: 't', exportable: true });
    const wrapped = await s.engine.wrapKey(w.id, t.id);
    const step = wrapper === 'RSA-OAEP-2048' ? 7 : 1;
    for (let i = 0; i < wrapped.length; i += step) {
      const code = await codeOf(s.engine.unwrapKey(w.id, flip(wrapped, i), { name: 'x' }));
      expect([i, ['MALFORMED_INPUT', 'DECRYPT_FAILED', 'UNSUPPORTED'].includes(code)]).toEqual([i, true]);
    }
    expect(await s.engine.listKeys()).toHaveLength(2);
  });

  it('AES-KW (no associated data): a swapped template or swapped Fernet halves are caught by the KCV check', async () => {
    const s = await setup();
    const w = await s.engine.generateKey({ template: 'AES-KW-256', name: 'kek' });
    const t = await s.engine.generateKey({ template: 'AES-GCM-256', name: 't', exportable: true });
    const env = parseEnvelope(await s.engine.wrapKey(w.id, t.id)) as WrapEnvelope;
    const asHmac = concat(wrapHeader({ ...env, template: 'HMAC-SHA-256', partCount: 1 }), wrapParts('AES-KW', env.parts));
    await expect(s.engine.unwrapKey(w.id, asHmac, { name: 'x' })).rejects.toMatchObject({ code: 'DECRYPT_FAILED', message: expect.stringMatching(/fingerprint/) });
    const f = await s.engine.generateKey({ template: 'FERNET', name: 'f' });
    const fenv = parseEnvelope(await s.engine.wrapKey(w.id, f.id)) as WrapEnvelope;
    const swapped = concat(fenv.header, wrapParts('AES-KW', [fenv.parts[1]!, fenv.parts[0]!]));
    expect(await codeOf(s.engine.unwrapKey(w.id, swapped, { name: 'x' }))).toBe('DECRYPT_FAILED');
    const flippedPart = concat(env.header, wrapParts('AES-KW', [{ iv: new Uint8Array(0), data: flip(env.parts[0]!.data, 3) }]));
    expect(await codeOf(s.engine.unwrapKey(w.id, flippedPart, { name: 'x' }))).toBe('DECRYPT_FAILED');
  });

  it('unwrapping with the wrong key, or a key of another kind, is DECRYPT_FAILED; data envelopes are not wrapped keys', async () => {
    const s = await setup();
    const w = await s.engine.generateKey({ template: 'AES-KW-256', name: 'kek' });
    const w2 = await s.engine.generateKey({ template: 'AES-KW-256', name: 'kek2' });
    const g = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'gcm' });
    const t = await s.engine.generateKey({ template: 'HMAC-SHA-256', name: 't', exportable: true });
    const wrapped = await s.engine.wrapKey(w.id, t.id);
    expect(await codeOf(s.engine.unwrapKey(w2.id, wrapped, { name: 'x' }))).toBe('DECRYPT_FAILED');
    expect(await codeOf(s.engine.unwrapKey(g.id, wrapped, { name: 'x' }))).toBe('DECRYPT_FAILED');
    expect(await codeOf(s.engine.unwrapKey(g.id, await s.engine.encrypt(g.id, utf8('data')), { name: 'x' }))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.decrypt(wrapped))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.unwrapKey(w.id, wrapped, { name: '' }))).toBe('INVALID_ARGUMENT');
  });
});

// ---------------------------------------------------------------------------------------
// deriveKey

const DERIVING: TemplateName[] = ['ECDH-P-256', 'ECDH-P-384', 'ECDH-P-521', 'X25519'];

describe('deriveKey: ECDH and X25519 with HKDF-SHA-256 (D1, E3)', () => {
  itEachTemplate(DERIVING, '%s: two vaults derive keys with the same KCV and read each other’s ciphertexts', async (template) => {
    const alice = await setup();
    const bob = await setup();
    const a = await newKey(alice.engine, template);
    const b = await newKey(bob.engine, template);
    const ka = await alice.engine.deriveKey(a.id, await spkiOf(bob, b.id), { name: 'with bob', owner: 'alice' });
    const kb = await bob.engine.deriveKey(b.id, pem(await spkiOf(alice, a.id)), { name: 'with alice' });
    expect(ka).toMatchObject({ template: 'AES-GCM-256', kind: 'secret', origin: 'derived', extractable: false, name: 'with bob', owner: 'alice' });
    expect(ka.fingerprint.kind).toBe('kcv');
    expect(kb.fingerprint).toEqual(ka.fingerprint);
    expect((await materialOf(alice, ka.id)).secret!.extractable).toBe(false);
    const text = await alice.engine.encryptText(ka.id, 'hello bob');
    expect(await use.decryptText(bob.ctx, text, { keyId: kb.id })).toBe('hello bob');
    const bytes = await bob.engine.encrypt(kb.id, utf8('hello alice'), { aad: utf8('chat') });
    expect(fromUtf8((await use.decrypt(alice.ctx, bytes, { keyId: ka.id, aad: utf8('chat') })).plaintext)).toBe('hello alice');
    // A third party gets a different key from Alice's public key.
    const c = await bob.engine.generateKey({ template, name: 'carol' });
    const kc = await bob.engine.deriveKey(c.id, await spkiOf(alice, a.id), { name: 'carol' });
    expect(kc.fingerprint.value).not.toBe(ka.fingerprint.value);
  });

  it('E3: the key is HKDF-SHA-256(salt = DERIVE_SALT, info = label + template + sorted SPKI hashes), never the raw shared secret', async () => {
    const s = await setup();
    const a = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'a' });
    const b = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'b' });
    const spkiA = await spkiOf(s, a.id);
    const spkiB = await spkiOf(s, b.id);
    const derived = await s.engine.deriveKey(a.id, spkiB, { name: 'k' });
    const peer = await crypto.subtle.importKey('spki', spkiB, { name: 'ECDH', namedCurve: 'P-256' }, false, []);
    const bits = await crypto.subtle.deriveBits({ name: 'ECDH', public: peer }, (await materialOf(s, a.id)).privateKey!, 256);
    const rawKey = await crypto.subtle.importKey('raw', bits, 'AES-GCM', false, ['encrypt']);
    expect((await keyCheckValue(crypto.subtle, rawKey)).value).not.toBe(derived.fingerprint.value);
    const hkdf = await crypto.subtle.importKey('raw', bits, 'HKDF', false, ['deriveKey']);
    const info = deriveInfo('ECDH-P-256', await sha256(spkiB), await sha256(spkiA)); // order does not matter
    const expected = await crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: DERIVE_SALT, info }, hkdf, { name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    expect((await keyCheckValue(crypto.subtle, expected)).value).toBe(derived.fingerprint.value);
  });

  it('refuses a peer key on another curve or of another kind with INVALID_ARGUMENT naming both', async () => {
    const s = await setup();
    const a = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'a' });
    const p384 = await s.engine.generateKey({ template: 'ECDH-P-384', name: 'p384' });
    await expect(s.engine.deriveKey(a.id, await spkiOf(s, p384.id), { name: 'k' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'keys: the peer public key is on P-384, but this is an ECDH-P-256 key; both sides must use the same curve',
    });
    const rsa = await s.engine.generateKey({ template: 'RSA-OAEP-2048', name: 'rsa' });
    await expect(s.engine.deriveKey(a.id, await spkiOf(s, rsa.id), { name: 'k' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/not an elliptic-curve key/) });
    const x = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'ecdsa-as-peer' });
    expect(await codeOf(s.engine.deriveKey(a.id, await spkiOf(s, x.id), { name: 'k' }))).toBe('OK');
  });

  it('refuses an off-curve point, garbage bytes and bad PEM with MALFORMED_INPUT', async () => {
    const s = await setup();
    const a = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'a' });
    const b = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'b' });
    const spki = await spkiOf(s, b.id);
    await expect(s.engine.deriveKey(a.id, flip(spki, spki.length - 1), { name: 'k' })).rejects.toMatchObject({ code: 'MALFORMED_INPUT', message: expect.stringMatching(/not a valid P-256 public key/) });
    expect(await codeOf(s.engine.deriveKey(a.id, utf8('definitely not a key'), { name: 'k' }))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.deriveKey(a.id, spki.subarray(0, 40), { name: 'k' }))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.deriveKey(a.id, '-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----', { name: 'k' }))).toBe('MALFORMED_INPUT');
    expect(await codeOf(s.engine.deriveKey(a.id, pem(spki).replace('PUBLIC KEY', 'PRIVATE KEY'), { name: 'k' }))).toBe('MALFORMED_INPUT');
    expect(await s.engine.listKeys()).toHaveLength(2);
  });

  itWith(['X25519'], 'X25519: refuses the all-zero (low-order) public key and a key of another curve', async () => {
    const s = await setup();
    const x = await newKey(s.engine, 'X25519');
    const zero = concat(Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00), new Uint8Array(32));
    expect(await codeOf(s.engine.deriveKey(x.id, zero, { name: 'k' }))).toBe('INVALID_ARGUMENT');
    const ec = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'ec' });
    expect(await codeOf(s.engine.deriveKey(x.id, await spkiOf(s, ec.id), { name: 'k' }))).toBe('INVALID_ARGUMENT');
  });

  it('keys that do not agree keys, and public-only keys, are KEY_STATE', async () => {
    const s = await setup();
    const peer = await s.engine.generateKey({ template: 'ECDH-P-256', name: 'peer' });
    const ecdsa = await s.engine.generateKey({ template: 'ECDSA-P-256', name: 'ecdsa' });
    await expect(s.engine.deriveKey(ecdsa.id, await spkiOf(s, peer.id), { name: 'k' })).rejects.toMatchObject({ code: 'KEY_STATE', message: 'keys: an ECDSA-P-256 key signs; it cannot derive' });
    const pub = await publicOnlyCopy(s, peer);
    expect(await codeOf(s.engine.deriveKey(pub.id, await spkiOf(s, peer.id), { name: 'k' }))).toBe('KEY_STATE');
  });
});

// ---------------------------------------------------------------------------------------
// encapsulate / decapsulate

describe('encapsulate/decapsulate: ML-KEM-768', () => {
  it('a key that is not a KEM key cannot encapsulate (KEY_STATE)', async () => {
    const s = await setup();
    const aes = await s.engine.generateKey({ template: 'AES-GCM-256', name: 'aes' });
    await expect(s.engine.encapsulate(aes.id, { name: 'x' })).rejects.toMatchObject({ code: 'KEY_STATE', message: 'keys: an AES-GCM-256 key encrypts and wraps keys; it cannot encapsulate' });
  });

  itWith(['ML-KEM-768'], 'both sides get an AES-256-GCM vault key with the same KCV', async () => {
    const s = await setup();
    const kem = await newKey(s.engine, 'ML-KEM-768');
    const { ciphertext, key } = await s.engine.encapsulate(kem.id, { name: 'sender', owner: 'alice' });
    expect(ciphertext.length).toBe(1088);
    expect(key).toMatchObject({ template: 'AES-GCM-256', origin: 'derived', extractable: false, owner: 'alice' });
    const got = await s.engine.decapsulate(kem.id, ciphertext, { name: 'receiver' });
    expect(got.fingerprint).toEqual(key.fingerprint);
    expect((await materialOf(s, got.id)).secret!.extractable).toBe(false);
    const msg = await s.engine.encryptText(key.id, 'post-quantum hello');
    expect(await use.decryptText(s.ctx, msg, { keyId: got.id })).toBe('post-quantum hello');
    const again = await s.engine.encapsulate(kem.id, { name: 'second' });
    expect(again.key.fingerprint.value).not.toBe(key.fingerprint.value);
  });

  itWith(['ML-KEM-768'], 'a tampered ciphertext gives a different key (implicit rejection); a wrong length is MALFORMED_INPUT', async () => {
    const s = await setup();
    const kem = await newKey(s.engine, 'ML-KEM-768');
    const { ciphertext, key } = await s.engine.encapsulate(kem.id, { name: 'sender' });
    const bad = await s.engine.decapsulate(kem.id, flip(ciphertext, 100), { name: 'bad' });
    expect(bad.fingerprint.value).not.toBe(key.fingerprint.value);
    expect(await codeOf(s.engine.decapsulate(kem.id, ciphertext.subarray(0, 1000), { name: 'x' }))).toBe('MALFORMED_INPUT');
  });

  itWith(['ML-KEM-768'], 'a public-only ML-KEM key encapsulates; only the private key decapsulates', async () => {
    const s = await setup();
    const kem = await newKey(s.engine, 'ML-KEM-768');
    const pub = await publicOnlyCopy(s, kem);
    const { ciphertext, key } = await s.engine.encapsulate(pub.id, { name: 'to owner' });
    expect(await codeOf(s.engine.decapsulate(pub.id, ciphertext, { name: 'x' }))).toBe('KEY_STATE');
    expect((await s.engine.decapsulate(kem.id, ciphertext, { name: 'owner' })).fingerprint).toEqual(key.fingerprint);
  });
});
