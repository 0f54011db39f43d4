import { describe, expect, it } from 'vitest';
import { EngineError } from './errors';
import { asCaId, asCertId, asKeyId, mintCaId, mintCertId, mintKeyId, type CaId, type CertId, type KeyId } from './ids';

const HEX = '0123456789abcdef0123456789abcdef';
const counter = (n: number) => new Uint8Array(n).fill(7);

/** The code an id brand function throws for `s`, or undefined when it passes. */
function codeOf(f: (s: string) => string, s: string): string | undefined {
  try {
    f(s);
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(EngineError);
    return (e as EngineError).code;
  }
}

describe('id brands', () => {
  it('pass a well-formed id through unchanged', () => {
    expect(asKeyId(`key_${HEX}`)).toBe(`key_${HEX}`);
    expect(asCaId(`ca_${HEX}`)).toBe(`ca_${HEX}`);
    expect(asCertId(`cert_${HEX}`)).toBe(`cert_${HEX}`);
  });

  it('accept every id the engine mints', () => {
    expect(asKeyId(mintKeyId(counter))).toBe(`key_${'07'.repeat(16)}`);
    expect(asCaId(mintCaId(counter))).toBe(`ca_${'07'.repeat(16)}`);
    expect(asCertId(mintCertId(counter))).toBe(`cert_${'07'.repeat(16)}`);
  });

  it.each([
    ['empty', ''],
    ['another kind of id', `ca_${HEX}`],
    ['no prefix', HEX],
    ['short', 'key_1'],
    ['upper-case hex', `key_${HEX.toUpperCase()}`],
    ['too long', `key_${HEX}0`],
    ['a path', `key_${HEX}/..`],
    ['surrounding space', ` key_${HEX}`],
  ])('refuse a malformed key id (%s) with INVALID_ARGUMENT', (_, s) => {
    expect(codeOf(asKeyId, s)).toBe('INVALID_ARGUMENT');
  });

  it('refuse an id of another kind for CAs and certificates', () => {
    expect(codeOf(asCaId, `key_${HEX}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(asCertId, `ca_${HEX}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(asCaId, `cert_${HEX}`)).toBe('INVALID_ARGUMENT');
  });

  it('refuse a value that is not a string (a backup or JSON may hold anything)', () => {
    expect(codeOf(asKeyId, 42 as unknown as string)).toBe('INVALID_ARGUMENT');
  });

  it('name the kind of id in the message, never the value', () => {
    expect(() => asCertId('cert_secret-looking-text')).toThrow(/ids: not a CertId/);
    expect(() => asCertId('cert_secret-looking-text')).not.toThrow(/secret-looking-text/);
  });

  it('keep the kinds apart at compile time', () => {
    const key: KeyId = asKeyId(`key_${HEX}`);
    const ca: CaId = asCaId(`ca_${HEX}`);
    const cert: CertId = asCertId(`cert_${HEX}`);
    const needsKey = (id: KeyId) => id;
    const needsCa = (id: CaId) => id;
    // @ts-expect-error -- a CaId is not a KeyId: passing a CA's id where a key's is required does not compile.
    needsKey(ca);
    // @ts-expect-error -- a CertId is not a CaId.
    needsCa(cert);
    // @ts-expect-error -- a plain string must go through asKeyId first.
    needsKey(`key_${HEX}`);
    // A branded id is still a string wherever a string is expected.
    const text: string = key;
    expect(needsKey(key)).toBe(text);
  });
});
