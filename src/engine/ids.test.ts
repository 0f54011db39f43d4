import { describe, expect, it } from 'vitest';
import { EngineError } from './errors';
import {
  asCaId,
  asCertId,
  asKdcKeyId,
  asKdcRunId,
  asKeyId,
  asKeyringId,
  asPrincipalId,
  keyringOf,
  asTicketId,
  mintCaId,
  mintCertId,
  mintKdcKeyId,
  mintKdcRunId,
  mintKeyId,
  mintTicketId,
  type CaId,
  type CertId,
  type KdcKeyId,
  type KeyId,
  type PrincipalId,
} from './ids';
import { KDC_NAME } from './kdc/kdc';

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

describe('keyring ids', () => {
  it('a keyring id is shaped as the key id of its first version, and refused otherwise without echoing the value', () => {
    const first = mintKeyId(counter);
    const ring = keyringOf(first);
    expect(ring).toBe(first);
    expect(asKeyringId(`key_${HEX}`)).toBe(`key_${HEX}`);
    for (const bad of [`ca_${HEX}`, `key_${HEX.toUpperCase()}`, `key_${HEX}0`, '', '<script>']) {
      expect(codeOf(asKeyringId, bad)).toBe('INVALID_ARGUMENT');
    }
    try {
      asKeyringId('secret-looking value');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-looking');
      expect((e as Error).message).toMatch(/not a KeyringId/);
    }
  });
});

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
    expect(asKdcKeyId(mintKdcKeyId(counter))).toBe(`kdk_${'07'.repeat(16)}`);
    expect(asTicketId(mintTicketId(counter))).toBe(`tkt_${'07'.repeat(16)}`);
    expect(asKdcRunId(mintKdcRunId(counter))).toBe(`run_${'07'.repeat(16)}`);
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

  it('keep the KDC kinds apart: a key, a ticket and a run id are not one another', () => {
    expect(asKdcKeyId(`kdk_${HEX}`)).toBe(`kdk_${HEX}`);
    expect(codeOf(asKdcKeyId, `tkt_${HEX}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(asKdcKeyId, `key_${HEX}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(asTicketId, `kdk_${HEX}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(asKdcRunId, `tkt_${HEX}`)).toBe('INVALID_ARGUMENT');
    expect(codeOf(asKeyId, `kdk_${HEX}`)).toBe('INVALID_ARGUMENT');
  });

  it.each(['alice', 'files.example', 'a', 'svc-1_x@corp', 'x'.repeat(64)])('pass a registered principal name through unchanged (%s)', (name) => {
    expect(asPrincipalId(name)).toBe(name);
  });

  it.each([
    ['empty', ''],
    ["the KDC's own name", KDC_NAME],
    ['upper case (not yet normalised)', 'Alice'],
    ['a leading dot', '.alice'],
    ['a space', 'alice smith'],
    ['a slash', 'alice/..'],
    ['65 characters', 'x'.repeat(65)],
  ])('refuse a malformed principal name (%s) with INVALID_ARGUMENT', (_, s) => {
    expect(codeOf(asPrincipalId, s)).toBe('INVALID_ARGUMENT');
  });

  it('refuse a value that is not a string (a backup or JSON may hold anything)', () => {
    expect(codeOf(asKeyId, 42 as unknown as string)).toBe('INVALID_ARGUMENT');
  });

  it('name the kind of id in the message, never the value', () => {
    expect(() => asCertId('cert_secret-looking-text')).toThrow(/ids: not a CertId/);
    expect(() => asCertId('cert_secret-looking-text')).not.toThrow(/secret-looking-text/);
    expect(() => asPrincipalId('Secret Looking Name')).toThrow(/ids: not a PrincipalId/);
    expect(() => asPrincipalId('Secret Looking Name')).not.toThrow(/Secret Looking Name/);
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
    const principal: PrincipalId = asPrincipalId('alice');
    const kdcKey: KdcKeyId = asKdcKeyId(`kdk_${HEX}`);
    const needsKdcKey = (id: KdcKeyId) => id;
    // @ts-expect-error -- a principal's id is not a KDC key id.
    needsKdcKey(principal);
    // @ts-expect-error -- a vault key id is not a KDC key id either.
    needsKdcKey(key);
    expect(needsKdcKey(kdcKey)).toBe(`kdk_${HEX}`);
    // A branded id is still a string wherever a string is expected.
    const text: string = key;
    expect(needsKey(key)).toBe(text);
  });
});
