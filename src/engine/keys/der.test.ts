import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../internal/bytes';
import {
  bitLength,
  decodeBitString,
  decodeNull,
  decodeOid,
  decodeSmallInteger,
  decodeUnsignedInteger,
  DerReader,
  encodeBitString,
  encodeContext,
  encodeElement,
  encodeNull,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeUnsignedInteger,
  parseDer,
  readSequence,
  TAG,
} from './der';

const malformed = (f: () => unknown, message: RegExp) => {
  expect(f).toThrow(message);
  try {
    f();
  } catch (e) {
    expect(e).toMatchObject({ code: 'MALFORMED_INPUT' });
    expect((e as Error).message).toMatch(/^der: /);
  }
};

describe('der: writer produces canonical DER (X.690 §10)', () => {
  it('encodes INTEGERs minimally, adding a 0x00 only before a high bit', () => {
    expect(toHex(encodeUnsignedInteger(0))).toBe('020100');
    expect(toHex(encodeUnsignedInteger(127))).toBe('02017f');
    expect(toHex(encodeUnsignedInteger(128))).toBe('02020080');
    expect(toHex(encodeUnsignedInteger(600_000))).toBe('02030927c0');
    expect(toHex(encodeUnsignedInteger(fromHex('0000ff')))).toBe('020200ff');
    expect(toHex(encodeUnsignedInteger(fromHex('0000')))).toBe('020100');
  });

  it('encodes well-known OIDs as openssl does', () => {
    expect(toHex(encodeOid('1.2.840.113549.1.1.1'))).toBe('06092a864886f70d010101');
    expect(toHex(encodeOid('1.2.840.10045.3.1.7'))).toBe('06082a8648ce3d030107');
    expect(toHex(encodeOid('1.3.101.112'))).toBe('06032b6570');
    expect(toHex(encodeOid('2.16.840.1.101.3.4.1.42'))).toBe('060960864801650304012a');
  });

  it('uses the short length form below 128 and the shortest long form above', () => {
    expect(toHex(encodeOctetString(new Uint8Array(127)).subarray(0, 2))).toBe('047f');
    expect(toHex(encodeOctetString(new Uint8Array(128)).subarray(0, 3))).toBe('048180');
    expect(toHex(encodeOctetString(new Uint8Array(256)).subarray(0, 4))).toBe('04820100');
  });

  it('writes NULL, BIT STRING and context tags', () => {
    expect(toHex(encodeNull())).toBe('0500');
    expect(toHex(encodeBitString(fromHex('abcd')))).toBe('030300abcd');
    expect(toHex(encodeContext(0, encodeNull()))).toBe('a0020500');
    expect(toHex(encodeContext(1, fromHex('01'), false))).toBe('810101');
  });

  it('round-trips a nested structure through the reader', () => {
    const der = encodeSequence(
      encodeSequence(encodeOid('1.2.840.10045.2.1'), encodeOid('1.3.132.0.34')),
      encodeBitString(fromHex('04aabb')),
      encodeUnsignedInteger(65537),
    );
    const r = readSequence(der, 'test');
    const alg = r.sequence('alg');
    expect(decodeOid(alg.expect(TAG.OID, 'a'))).toBe('1.2.840.10045.2.1');
    expect(decodeOid(alg.expect(TAG.OID, 'b'))).toBe('1.3.132.0.34');
    alg.end();
    expect(toHex(decodeBitString(r.expect(TAG.BIT_STRING, 'bits')))).toBe('04aabb');
    expect(decodeSmallInteger(r.expect(TAG.INTEGER, 'n'), 'n')).toBe(65537);
    r.end();
  });

  it('decodes OIDs with large first arcs (2.x) and multi-byte arcs', () => {
    for (const oid of ['2.999.1', '1.3.6.1.4.1.11591.4.11', '2.16.840.1.101.3.4.3.18', '0.9.2342.19200300.100.1.1']) {
      expect(decodeOid(parseDer(encodeOid(oid)))).toBe(oid);
    }
  });

  it('measures the bit length of a modulus, ignoring a sign byte', () => {
    expect(bitLength(fromHex('00ff'))).toBe(8);
    expect(bitLength(fromHex('0100'))).toBe(9);
    expect(bitLength(new Uint8Array([0x80, ...new Uint8Array(255)]))).toBe(2048);
    expect(bitLength(fromHex('00'))).toBe(0);
  });
});

describe('der: the reader refuses BER and damaged input', () => {
  it('refuses truncated data with a "truncated" message', () => {
    malformed(() => parseDer(fromHex('300a0201')), /truncated/);
    malformed(() => parseDer(fromHex('30')), /truncated/);
    malformed(() => parseDer(fromHex('3082')), /truncated/);
    malformed(() => parseDer(new Uint8Array(0)), /truncated/);
  });

  it('refuses trailing bytes after the outer element', () => {
    malformed(() => parseDer(fromHex('3000ff')), /1 unexpected bytes after/);
  });

  it('refuses indefinite lengths (BER)', () => {
    malformed(() => parseDer(fromHex('308005000000')), /indefinite/);
  });

  it('refuses non-minimal lengths: long form for short lengths and leading zero length bytes', () => {
    malformed(() => parseDer(fromHex('30810100')), /long form for a short length/);
    malformed(() => parseDer(fromHex('3082000100')), /leading zero/);
  });

  it('refuses oversized length fields and multi-byte tags', () => {
    malformed(() => parseDer(fromHex('3085010000000000')), /too large/);
    malformed(() => parseDer(fromHex('1f810100')), /multi-byte tag/);
  });

  it('refuses non-minimal and empty INTEGERs, and negative ones where a size is expected', () => {
    malformed(() => decodeUnsignedInteger(parseDer(fromHex('02020001'))), /not minimally encoded/);
    malformed(() => decodeUnsignedInteger(parseDer(fromHex('0202ff80'))), /not minimally encoded/);
    malformed(() => decodeUnsignedInteger(parseDer(fromHex('0200'))), /empty INTEGER/);
    malformed(() => decodeUnsignedInteger(parseDer(fromHex('020180'))), /negative/);
    malformed(() => decodeSmallInteger(parseDer(fromHex('020101')), 'the version', 0), /too large/);
  });

  it('refuses padded, truncated and empty OIDs', () => {
    malformed(() => decodeOid(parseDer(fromHex('0603808648'))), /padded/);
    malformed(() => decodeOid(parseDer(fromHex('06022a86'))), /truncated OBJECT IDENTIFIER/);
    malformed(() => decodeOid(parseDer(fromHex('0600'))), /empty/);
  });

  it('refuses BIT STRINGs with unused bits and NULLs with content', () => {
    malformed(() => decodeBitString(parseDer(fromHex('030201ff'))), /unused bits/);
    malformed(() => decodeBitString(parseDer(fromHex('0300'))), /empty BIT STRING/);
    malformed(() => decodeNull(parseDer(fromHex('050100'))), /NULL/);
  });

  it('names the expected and found types when a tag is wrong, and refuses leftover elements', () => {
    const r = new DerReader(fromHex('04000500'), 'PrivateKeyInfo');
    malformed(() => r.expect(TAG.INTEGER, 'version'), /PrivateKeyInfo: expected version \(INTEGER\), found OCTET STRING/);
    r.next();
    malformed(() => r.end(), /unexpected extra elements/);
    const empty = new DerReader(new Uint8Array(0), 'SubjectPublicKeyInfo');
    malformed(() => empty.expect(TAG.SEQUENCE, 'algorithm'), /SubjectPublicKeyInfo ends before its algorithm/);
  });

  it('refuses an inner length that runs past its parent', () => {
    // SEQUENCE of length 3 containing an OCTET STRING claiming 5 bytes.
    const r = readSequence(fromHex('3003040501'), 'outer');
    malformed(() => r.next(), /truncated/);
  });

  it('never echoes input bytes in messages', () => {
    const secret = fromHex('deadbeefcafebabe');
    const f = () => parseDer(encodeElement(TAG.OCTET_STRING, secret).subarray(0, 6));
    expect(f).toThrow(/^der: the data is truncated/);
    expect(f).not.toThrow(/dead|beef|cafe|babe|3q2\+7/i);
  });
});
