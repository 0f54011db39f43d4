import { describe, expect, it } from 'vitest';
import { fromHex, toHex, utf8 } from '../internal/bytes';
import { ECDSA_DER_VECTORS } from '../../testing/vectors/ecdsa-der';
import { derToRaw, EC_SCALAR_BYTES, rawToDer, spkiAlgorithm } from './ecdsa-der';

const HASH = { 'P-256': 'SHA-256', 'P-384': 'SHA-384', 'P-521': 'SHA-512' } as const;

function malformed(f: () => unknown): void {
  expect(f).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));
}

describe('ecdsa-der: r||s to DER (P9)', () => {
  it('strips leading zeros and pads a set high bit with 0x00', () => {
    const r = new Uint8Array(32);
    r[31] = 0x01; // r = 1: 31 leading zeros
    const s = new Uint8Array(32).fill(0xff); // high bit set
    const der = rawToDer(new Uint8Array([...r, ...s]));
    expect(toHex(der)).toBe(`3026020101022100${'ff'.repeat(32)}`);
    expect(toHex(derToRaw(der, 32))).toBe(toHex(new Uint8Array([...r, ...s])));
  });

  it('encodes a zero integer as one 0x00 byte', () => {
    const der = rawToDer(new Uint8Array(64));
    expect(toHex(der)).toBe('3006020100020100');
    expect(derToRaw(der, 32)).toEqual(new Uint8Array(64));
  });

  it('uses a long-form length when the P-521 sequence exceeds 127 bytes', () => {
    const raw = new Uint8Array(132).fill(0x01);
    const der = rawToDer(raw);
    expect(der[0]).toBe(0x30);
    expect(der[1]).toBe(0x81);
    expect(der[2]).toBe(der.length - 3);
    expect(derToRaw(der, 66)).toEqual(raw);
  });

  it('refuses an odd or empty r||s', () => {
    malformed(() => rawToDer(new Uint8Array(63)));
    malformed(() => rawToDer(new Uint8Array(0)));
  });
});

describe('ecdsa-der: OpenSSL-made DER vectors', () => {
  it.each(ECDSA_DER_VECTORS.map((v) => [v.case, v] as const))('%s: converts, verifies in WebCrypto and re-encodes byte-identically', async (_c, v) => {
    const size = EC_SCALAR_BYTES[v.curve];
    const der = fromHex(v.derHex);
    const raw = derToRaw(der, size);
    expect(raw.length).toBe(2 * size);
    expect(toHex(rawToDer(raw))).toBe(v.derHex);
    const pub = await crypto.subtle.importKey('spki', fromHex(v.spkiHex), { name: 'ECDSA', namedCurve: v.curve }, false, ['verify']);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: HASH[v.curve] }, pub, raw, utf8(v.message))).toBe(true);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: HASH[v.curve] }, pub, raw, utf8(`${v.message}!`))).toBe(false);
  });

  it('round-trips 600 fresh WebCrypto P-256 signatures through strict DER (catches a 1-in-256 leading-zero bug)', async () => {
    const kp = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
    let padded = 0;
    for (let i = 0; i < 600; i++) {
      const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, kp.privateKey, utf8(`m${i}`)));
      const der = rawToDer(raw);
      expect(derToRaw(der, 32)).toEqual(raw);
      if (der[4] === 0x00) padded++;
    }
    // About half of all r values have the high bit set.
    expect(padded).toBeGreaterThan(200);
  });
});

describe('ecdsa-der: strict parsing (no BER malleability)', () => {
  const good = fromHex(ECDSA_DER_VECTORS[0]!.derHex);

  it('refuses every truncation of a valid signature', () => {
    for (let n = 0; n < good.length; n++) malformed(() => derToRaw(good.subarray(0, n), 32));
  });

  it('refuses trailing bytes, a wrong tag, and extra elements', () => {
    malformed(() => derToRaw(new Uint8Array([...good, 0x00]), 32));
    malformed(() => derToRaw(new Uint8Array([0x31, ...good.subarray(1)]), 32));
    malformed(() => derToRaw(fromHex('3009020101020101020101'), 32));
  });

  it('refuses non-minimal INTEGERs, negative INTEGERs, empty INTEGERs and oversize values', () => {
    malformed(() => derToRaw(fromHex('30070202000102010f'), 32)); // 00 01: unneeded pad
    malformed(() => derToRaw(fromHex('300602018002010f'), 32)); // 0x80: negative
    malformed(() => derToRaw(fromHex('3005020002010f'), 32)); // empty
    malformed(() => derToRaw(fromHex(`3026022101${'11'.repeat(32)}02010f`), 32)); // 33 significant bytes
  });

  it('refuses non-minimal and indefinite lengths', () => {
    malformed(() => derToRaw(fromHex('308106020101020101'), 32)); // long form for 6
    malformed(() => derToRaw(fromHex('3080020101020101'), 32)); // indefinite
  });
});

describe('ecdsa-der: SubjectPublicKeyInfo algorithm', () => {
  it.each(['P-256', 'P-384', 'P-521'] as const)('names the curve of a %s SPKI', async (curve) => {
    const kp = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])) as CryptoKeyPair;
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', kp.publicKey));
    expect(spkiAlgorithm(spki)).toEqual({ kind: 'ec', curve });
  });

  it('tells RSA apart from EC keys and refuses garbage', async () => {
    const rsa = (await crypto.subtle.generateKey(
      { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      true,
      ['encrypt', 'decrypt'],
    )) as CryptoKeyPair;
    expect(spkiAlgorithm(new Uint8Array(await crypto.subtle.exportKey('spki', rsa.publicKey)))).toEqual({ kind: 'other' });
    expect(spkiAlgorithm(fromHex('302a300506032b656e032100' + '09'.repeat(32)))).toEqual({ kind: 'x25519' });
    malformed(() => spkiAlgorithm(utf8('not a key')));
    malformed(() => spkiAlgorithm(fromHex('302a300506032b656e032100')));
  });
});
