// RFC 3394 known answers, checked with subtle.wrapKey/unwrapKey directly: that is the
// call wrapKey() in use.ts makes for AES-KW-256 wrapping keys.
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../internal/bytes';
import { RFC3394_VECTORS, type Rfc3394Vector } from '../../testing/vectors/rfc3394';

const hex = (h: string) => fromHex(h.replace(/\s+/g, ''));

async function importKek(v: Rfc3394Vector): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', hex(v.kekHex), 'AES-KW', false, ['wrapKey', 'unwrapKey']);
}

// Key data of any length imports as an HMAC key, so 'raw' wrapping sees exactly these bytes.
const HMAC = { name: 'HMAC', hash: 'SHA-256' };

async function wrapVector(v: Rfc3394Vector): Promise<string> {
  const kek = await importKek(v);
  const data = await crypto.subtle.importKey('raw', hex(v.keyDataHex), HMAC, true, ['sign']);
  return toHex(await crypto.subtle.wrapKey('raw', data, kek, 'AES-KW'));
}

const KEK256 = RFC3394_VECTORS.filter((v) => v.kekHex.length === 64);
const KEK128 = RFC3394_VECTORS.filter((v) => v.kekHex.length === 32);
const KEK192 = RFC3394_VECTORS.filter((v) => v.kekHex.length === 48);

async function aes192Available(): Promise<boolean> {
  try {
    await crypto.subtle.importKey('raw', new Uint8Array(24), 'AES-KW', false, ['wrapKey']);
    return true;
  } catch {
    return false;
  }
}

describe('AES-KW (RFC 3394 §4 known answers)', () => {
  it.each([...KEK256, ...KEK128].map((v) => [`§${v.section} ${v.title}`, v] as const))('%s: wrapKey gives the RFC ciphertext', async (_t, v) => {
    expect(await wrapVector(v)).toBe(toHex(hex(v.ciphertextHex)));
  });

  it.each([...KEK256, ...KEK128].map((v) => [`§${v.section}`, v] as const))('%s: unwrapKey recovers the key data', async (_t, v) => {
    const kek = await importKek(v);
    const k = await crypto.subtle.unwrapKey('raw', hex(v.ciphertextHex), kek, 'AES-KW', HMAC, true, ['sign']);
    expect(toHex(await crypto.subtle.exportKey('raw', k))).toBe(toHex(hex(v.keyDataHex)));
  });

  it.each(KEK256.map((v) => [`§${v.section}`, v] as const))('%s: a flipped bit anywhere fails the integrity check', async (_t, v) => {
    const kek = await importKek(v);
    const ct = hex(v.ciphertextHex);
    for (const i of [0, 7, 8, ct.length - 1]) {
      const bad = ct.slice();
      bad[i]! ^= 0x01;
      await expect(crypto.subtle.unwrapKey('raw', bad, kek, 'AES-KW', HMAC, true, ['sign'])).rejects.toBeDefined();
    }
  });

  it('192-bit KEK vectors (§4.2, §4.4) match where the platform has AES-192, and are refused where it does not (Chromium)', async () => {
    if (await aes192Available()) {
      for (const v of KEK192) expect(await wrapVector(v)).toBe(toHex(hex(v.ciphertextHex)));
    } else {
      for (const v of KEK192) await expect(importKek(v)).rejects.toBeDefined();
    }
  });

  it('refuses to wrap key data that is not a multiple of 8 bytes (why private keys need AES-GCM, SECURITY.md M6)', async () => {
    const kek = await crypto.subtle.importKey('raw', hex(KEK256[0]!.kekHex), 'AES-KW', false, ['wrapKey']);
    const odd = await crypto.subtle.importKey('raw', new Uint8Array(20), HMAC, true, ['sign']);
    await expect(crypto.subtle.wrapKey('raw', odd, kek, 'AES-KW')).rejects.toBeDefined();
  });
});
