/**
 * Issue 12 "one ASN.1/DER layer": each of the DER reader, the DER writer, the PEM codec,
 * the OID table and the bytes module is imported from its one home and refuses what the
 * strict contract (internal/der.ts, keys/pem.ts, internal/bytes.ts) says it refuses. The
 * CA's short-named writers and offset walker are the same functions, not copies.
 * (one-home.node.test.ts scans src/ for a second implementation.)
 */
import { describe, expect, it } from 'vitest';
import * as bytes from './bytes';
import * as der from './der';
import * as OID from './oids';
import { OID_NAMES } from './oid-names';
import * as pem from '../keys/pem';
import { parseExtensions } from '../pki/x509';
import { derToRaw, spkiAlgorithm } from '../keys/ecdsa-der';
import { readCertificateFacts } from '../exchange/certificate';
import { asn1Tree } from './asn1-tree';
import * as publicApi from '../index';
import * as asn1Entry from '../asn1';

/** Every OID of the table (the `prefix…` exports are families, not OIDs). */
const OID_VALUES = Object.entries(OID)
  .filter(([name]) => !name.startsWith('prefix'))
  .map(([, dotted]) => dotted as string);

const malformed = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'MALFORMED_INPUT' }));

/** The SEQUENCE { OID 2.5.29.19, BOOLEAN TRUE, OCTET STRING { SEQUENCE {} } } of one extension, with the OID bytes given. */
function extensions(oidContent: number[], critical = [0x01, 0x01, 0xff]): Uint8Array {
  const ext = der.seq(der.tlv(der.TAG.OID, Uint8Array.from(oidContent)), Uint8Array.from(critical), der.octetString(der.seq()));
  return der.seq(ext);
}

describe('one DER reader (src/engine/internal/der.ts)', () => {
  it('refuses non-minimal lengths, indefinite lengths, truncation and trailing bytes through every entry point', () => {
    const longFormShort = Uint8Array.of(0x30, 0x81, 0x03, 0x02, 0x01, 0x00);
    const leadingZero = Uint8Array.of(0x30, 0x82, 0x00, 0x83, ...new Uint8Array(0x83));
    const indefinite = Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00);
    const truncated = Uint8Array.of(0x30, 0x05, 0x02, 0x01);
    const trailing = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00, 0x00);
    for (const bad of [longFormShort, leadingZero, indefinite, truncated, trailing]) {
      malformed(() => der.parseDer(bad));
      malformed(() => der.readTop(bad));
      malformed(() => der.readSequence(bad, 'a test'));
    }
    // The offset walker and the element reader agree on a well-formed input.
    const ok = Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x05);
    expect(der.contentOf(der.readTop(ok))).toEqual(der.parseDer(ok).content);
  });

  it('refuses padded OID subidentifiers everywhere, including the extension list the unknown-critical check reads', () => {
    // 2.5.29.19 with its last arc padded: 0x80 0x13 instead of 0x13.
    const padded = [0x55, 0x1d, 0x80, 0x13];
    malformed(() => der.oidToString(Uint8Array.from(padded)));
    malformed(() => der.decodeOid({ tag: der.TAG.OID, content: Uint8Array.from(padded), encoded: new Uint8Array() }));
    malformed(() => parseExtensions(der.readTop(extensions(padded))));
    expect(parseExtensions(der.readTop(extensions([0x55, 0x1d, 0x13])))[0]).toMatchObject({ oid: OID.basicConstraints, critical: true });
    // A critical flag that is not DER TRUE (0xFF) is refused too.
    malformed(() => parseExtensions(der.readTop(extensions([0x55, 0x1d, 0x13], [0x01, 0x01, 0x01]))));
  });

  it('refuses non-minimal and negative INTEGERs in ECDSA signatures, and padded curve OIDs in SubjectPublicKeyInfo', () => {
    const sig = (r: number[], s: number[]) => der.seq(der.tlv(der.TAG.INTEGER, Uint8Array.from(r)), der.tlv(der.TAG.INTEGER, Uint8Array.from(s)));
    expect(derToRaw(sig([0x01], [0x02]), 32)[31]).toBe(1);
    malformed(() => derToRaw(sig([0x00, 0x01], [0x02]), 32));
    malformed(() => derToRaw(sig([0x81], [0x02]), 32));
    const spki = (curve: Uint8Array) => der.seq(der.seq(der.oid(OID.ecPublicKey), curve), der.bitString(Uint8Array.of(4)));
    expect(spkiAlgorithm(spki(der.oid(OID.p256)))).toEqual({ kind: 'ec', curve: 'P-256' });
    const paddedP384 = der.tlv(der.TAG.OID, Uint8Array.of(0x2b, 0x81, 0x04, 0x00, 0x80, 0x22));
    malformed(() => spkiAlgorithm(spki(paddedP384)));
  });

  it('the exchange reads certificates with the same parser: a certificate with trailing bytes is refused', () => {
    expect(() => readCertificateFacts(Uint8Array.of(0x30, 0x00, 0x00))).toThrow(expect.objectContaining({ code: 'CERT_INVALID' }));
  });

  it('the ASN.1 tree (the engine export the walkthroughs render) refuses what the reader refuses', () => {
    expect(asn1Entry.asn1Tree).toBe(asn1Tree);
    malformed(() => asn1Tree(Uint8Array.of(0x30, 0x81, 0x03, 0x02, 0x01, 0x00)));
    const tree = asn1Tree(der.seq(der.oid(OID.commonName), der.utf8String('Clavis')));
    expect(tree.children?.map((c) => c.value)).toEqual(['2.5.4.3 (commonName)', 'Clavis']);
  });
});

describe('one DER writer (src/engine/internal/der.ts)', () => {
  it('the CA short names are the writer itself, not copies', () => {
    expect(der.tlv).toBe(der.encodeElement);
    expect(der.seq).toBe(der.encodeSequence);
    expect(der.oid).toBe(der.encodeOid);
    expect(der.octetString).toBe(der.encodeOctetString);
    expect(der.bitString).toBe(der.encodeBitString);
    expect(der.derNull).toBe(der.encodeNull);
  });

  it('writes minimal lengths and INTEGERs, sorted SET OF, and what it writes reads back strictly', () => {
    expect(bytes.toHex(der.tlv(der.TAG.OCTET_STRING, new Uint8Array(0x7f))).slice(0, 4)).toBe('047f');
    expect(bytes.toHex(der.tlv(der.TAG.OCTET_STRING, new Uint8Array(0x80))).slice(0, 6)).toBe('048180');
    expect(bytes.toHex(der.tlvList(der.TAG.OCTET_STRING, [new Uint8Array(0x100)])).slice(0, 8)).toBe('04820100');
    expect(bytes.toHex(der.uint(0))).toBe('020100');
    expect(bytes.toHex(der.uint(128))).toBe('02020080');
    expect(bytes.toHex(der.uintBytes(Uint8Array.of(0, 0, 0x7f)))).toBe('02017f');
    expect(bytes.toHex(der.enumerated(1))).toBe('0a0101');
    expect(bytes.toHex(der.setOf(der.uint(2), der.uint(1)))).toBe('3106020101020102');
    for (const dotted of OID_VALUES) expect(der.decodeOid(der.parseDer(der.oid(dotted)))).toBe(dotted);
  });
});

describe('one PEM codec (src/engine/keys/pem.ts)', () => {
  const body = der.seq(der.uint(5));
  it('certificates and keys are armoured by the same encoder', () => {
    expect(pem.toPem(body, 'CERTIFICATE')).toBe(pem.encodePem('CERTIFICATE', body));
    expect(pem.fromPemOrDer(pem.encodePem('CERTIFICATE', body), ['CERTIFICATE'], 'certificate')).toEqual(body);
  });

  it('refuses mismatched labels, bad base64 and a missing block, and names legacy encrypted PEM as unsupported', () => {
    const text = pem.encodePem('CERTIFICATE', body);
    malformed(() => pem.decodePem(text.replace('END CERTIFICATE', 'END X509 CRL')));
    malformed(() => pem.decodePem(text.replace(/\n[A-Za-z0-9+/]/, '\n!')));
    expect(() => pem.decodePem(text.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n'))).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    malformed(() => pem.fromPemOrDer(pem.encodePem('PUBLIC KEY', body), ['CERTIFICATE'], 'certificate'));
  });
});

describe('one OID table (src/engine/internal/oids.ts)', () => {
  it('names each OID once and names only OIDs of the table', () => {
    const values = OID_VALUES;
    expect(new Set(values).size).toBe(values.length);
    for (const dotted of Object.keys(OID_NAMES)) expect(values).toContain(dotted);
  });
});

describe('one bytes module (src/engine/internal/bytes.ts), exported to the UI by the engine', () => {
  it('is what the engine exports', () => {
    expect(publicApi.toHex).toBe(bytes.toHex);
    expect(publicApi.fromHex).toBe(bytes.fromHex);
    expect(publicApi.fromBase64).toBe(bytes.fromBase64);
    expect(publicApi.fromBase64Url).toBe(bytes.fromBase64Url);
    expect(publicApi.fromUtf8).toBe(bytes.fromUtf8);
    expect(publicApi.decodePem).toBe(pem.decodePem);
  });

  it('refuses odd or non-hex text, non-base64 and base64 in base64url, and invalid UTF-8', () => {
    expect(bytes.toHex(bytes.fromHex('00ff10'))).toBe('00ff10');
    expect(() => bytes.fromHex('abc')).toThrow(TypeError);
    expect(() => bytes.fromHex('zz')).toThrow(TypeError);
    expect(bytes.toBase64(bytes.fromBase64('AP8Q'))).toBe('AP8Q');
    expect(() => bytes.fromBase64('AP8Q!')).toThrow(TypeError);
    expect(() => bytes.fromBase64('A')).toThrow(TypeError);
    expect(bytes.toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(() => bytes.fromBase64Url('+/8')).toThrow(TypeError);
    expect(() => bytes.fromUtf8(Uint8Array.of(0xc3, 0x28))).toThrow(TypeError);
    expect(bytes.fromUtf8Lenient(Uint8Array.of(0xc3, 0x28))).toBe('\ufffd(');
  });
});
