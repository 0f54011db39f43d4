import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors';
import { concat, toHex, utf8 } from '../internal/bytes';
import {
  ARMOR_PREFIX,
  armor,
  boundAad,
  cipherHeader,
  parseEnvelope,
  unarmor,
  wrapHeader,
  wrapParts,
  type CipherEnvelope,
  type WrapEnvelope,
} from './envelope';

const IV = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const BODY = Uint8Array.from({ length: 21 }, (_, i) => 0xa0 + i);
const KEY_ID = 'key_0123456789abcdef0123456789abcdef';

function malformed(f: () => unknown): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(EngineError);
  expect((thrown as EngineError).code).toBe('MALFORMED_INPUT');
}

function aesGcmEnvelope(): Uint8Array<ArrayBuffer> {
  return concat(cipherHeader({ algorithm: 'AES-GCM', keyId: KEY_ID, keyVersion: 7, iv: IV }), BODY);
}

function wrapEnvelope(): Uint8Array<ArrayBuffer> {
  const header = wrapHeader({
    algorithm: 'AES-GCM',
    keyId: KEY_ID,
    keyVersion: 2,
    template: 'FERNET',
    fingerprint: { kind: 'kcv', value: 'a1b2c3' },
    spki: new Uint8Array(0),
    partCount: 2,
  });
  return concat(
    header,
    wrapParts('AES-GCM', [
      { iv: IV, data: new Uint8Array(32).fill(1) },
      { iv: IV.slice().reverse(), data: new Uint8Array(32).fill(2) },
    ]),
  );
}

describe('envelope v1: layout', () => {
  it('starts with "CLV", version 1, the algorithm byte, the key id and the big-endian key version', () => {
    const env = aesGcmEnvelope();
    expect(toHex(env.subarray(0, 6))).toBe(`434c560101${(KEY_ID.length).toString(16)}`);
    expect(new TextDecoder().decode(env.subarray(6, 6 + KEY_ID.length))).toBe(KEY_ID);
    expect(toHex(env.subarray(6 + KEY_ID.length, 10 + KEY_ID.length))).toBe('00000007');
    expect(env.subarray(10 + KEY_ID.length, 22 + KEY_ID.length)).toEqual(IV);
  });

  it('parses a data envelope back to its fields, keeping the exact header bytes', () => {
    const env = aesGcmEnvelope();
    const p = parseEnvelope(env) as CipherEnvelope;
    expect(p).toMatchObject({ type: 'cipher', algorithm: 'AES-GCM', keyId: KEY_ID, keyVersion: 7 });
    expect(p.iv).toEqual(IV);
    expect(p.body).toEqual(BODY);
    expect(concat(p.header, p.body)).toEqual(env);
  });

  it('carries the wrapped content key of an RSA-OAEP hybrid envelope in the header', () => {
    const wrappedKey = new Uint8Array(256).fill(9);
    const header = cipherHeader({ algorithm: 'RSA-OAEP', keyId: KEY_ID, keyVersion: 1, iv: IV, wrappedKey });
    const p = parseEnvelope(concat(header, BODY)) as CipherEnvelope;
    expect(p.algorithm).toBe('RSA-OAEP');
    expect(p.wrappedKey).toEqual(wrappedKey);
    expect(p.header).toEqual(header);
  });

  it('round-trips a wrapped-key envelope with two parts (a Fernet key)', () => {
    const p = parseEnvelope(wrapEnvelope()) as WrapEnvelope;
    expect(p).toMatchObject({ type: 'wrap', algorithm: 'AES-GCM', keyId: KEY_ID, keyVersion: 2, template: 'FERNET', fingerprint: { kind: 'kcv', value: 'a1b2c3' } });
    expect(p.parts).toHaveLength(2);
    expect(p.parts[1]!.data).toEqual(new Uint8Array(32).fill(2));
    expect(p.parts[1]!.iv).toEqual(IV.slice().reverse());
    expect(p.spki.length).toBe(0);
  });

  it('writes no IV for AES-KW parts', () => {
    const header = wrapHeader({ algorithm: 'AES-KW', keyId: KEY_ID, keyVersion: 1, template: 'AES-GCM-256', fingerprint: { kind: 'kcv', value: '010203' }, spki: new Uint8Array(0), partCount: 1 });
    const env = concat(header, wrapParts('AES-KW', [{ iv: new Uint8Array(0), data: new Uint8Array(40).fill(5) }]));
    expect(env.length).toBe(header.length + 2 + 40);
    expect((parseEnvelope(env) as WrapEnvelope).parts[0]!.data).toEqual(new Uint8Array(40).fill(5));
  });
});

describe('envelope v1: strict parsing (everything malformed is MALFORMED_INPUT)', () => {
  it('refuses every truncation that cuts into the header or the tag', () => {
    const env = aesGcmEnvelope();
    const headerLen = env.length - BODY.length;
    for (let n = 0; n < headerLen + 16; n++) malformed(() => parseEnvelope(env.subarray(0, n)));
    // Longer cuts still parse: the AEAD tag check is what refuses them (see use.test.ts).
    expect(() => parseEnvelope(env.subarray(0, headerLen + 16))).not.toThrow();
  });

  it('refuses every truncation of a wrapped-key envelope, and trailing bytes', () => {
    const env = wrapEnvelope();
    for (let n = 0; n < env.length; n++) malformed(() => parseEnvelope(env.subarray(0, n)));
    malformed(() => parseEnvelope(concat(env, Uint8Array.of(0))));
  });

  it('refuses a wrong magic, an unknown version and an unknown algorithm, naming which', () => {
    const env = aesGcmEnvelope();
    const set = (i: number, v: number) => {
      const b = env.slice();
      b[i] = v;
      return b;
    };
    expect(() => parseEnvelope(set(0, 0x41))).toThrow(/bad magic/);
    expect(() => parseEnvelope(set(3, 2))).toThrow(/version 2 is not supported/);
    expect(() => parseEnvelope(set(4, 0x7f))).toThrow(/unknown algorithm 0x7f/);
    for (const b of [set(0, 0x41), set(3, 2), set(4, 0x7f)]) malformed(() => parseEnvelope(b));
  });

  it('refuses an empty or non-printable key id', () => {
    const env = aesGcmEnvelope();
    const empty = env.slice();
    empty[5] = 0;
    malformed(() => parseEnvelope(empty));
    const ctrl = env.slice();
    ctrl[6] = 0x0a;
    malformed(() => parseEnvelope(ctrl));
    malformed(() => cipherHeader({ algorithm: 'AES-GCM', keyId: 'bad id', keyVersion: 1, iv: IV }));
  });

  it('refuses wrapped-key envelopes with zero or three parts, or an unknown fingerprint kind', () => {
    const env = wrapEnvelope();
    const p = parseEnvelope(env) as WrapEnvelope;
    const countAt = p.header.length - 1;
    for (const bad of [0, 3]) {
      const b = env.slice();
      b[countAt] = bad;
      malformed(() => parseEnvelope(b));
    }
    const fpKindAt = 6 + KEY_ID.length + 4 + 1 + 'FERNET'.length;
    const b = env.slice();
    b[fpKindAt] = 9;
    malformed(() => parseEnvelope(b));
  });

  it('never throws anything but MALFORMED_INPUT on 3,000 random inputs behind a valid prefix', () => {
    const prefixes = [Uint8Array.of(0x43, 0x4c, 0x56, 1, 1), Uint8Array.of(0x43, 0x4c, 0x56, 1, 3), Uint8Array.of(0x43, 0x4c, 0x56, 1, 0x12), Uint8Array.of(0x43, 0x4c, 0x56, 1, 0x11)];
    for (let i = 0; i < 3000; i++) {
      const rnd = crypto.getRandomValues(new Uint8Array(crypto.getRandomValues(new Uint8Array(1))[0]!));
      const input = concat(prefixes[i % prefixes.length]!, rnd);
      try {
        parseEnvelope(input);
      } catch (e) {
        expect(e).toBeInstanceOf(EngineError);
        expect((e as EngineError).code).toBe('MALFORMED_INPUT');
      }
    }
  });
});

describe('envelope v1: associated data binding', () => {
  it('length-prefixes header and caller AAD so bytes cannot move from one to the other', () => {
    const h = utf8('headerAAD');
    const a = boundAad(h, utf8(''));
    const b = boundAad(utf8('header'), utf8('AAD'));
    expect(toHex(a)).not.toBe(toHex(b));
    expect(toHex(boundAad(h))).toBe(toHex(a));
  });

  it('binds the part index of wrapped keys', () => {
    const h = utf8('h');
    expect(toHex(boundAad(h, undefined, 0))).not.toBe(toHex(boundAad(h, undefined, 1)));
  });
});

describe('envelope v1: text armor', () => {
  it('is "clavis:v1:" + unpadded base64url, and decodes back (line breaks tolerated)', () => {
    const env = aesGcmEnvelope();
    const text = armor(env);
    expect(text.startsWith(ARMOR_PREFIX)).toBe(true);
    expect(text.slice(ARMOR_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(unarmor(text)).toEqual(env);
    const wrapped = `  ${text.slice(0, 30)}\n${text.slice(30)}\n`;
    expect(unarmor(wrapped)).toEqual(env);
  });

  it('refuses a missing prefix or bad base64url as MALFORMED_INPUT', () => {
    const text = armor(aesGcmEnvelope());
    malformed(() => unarmor(text.replace('clavis:v1:', 'clavis:v2:')));
    malformed(() => unarmor(`${text}*`));
    malformed(() => unarmor(`${ARMOR_PREFIX}abc/def`));
    malformed(() => unarmor(`${ARMOR_PREFIX}A`));
  });
});
