/**
 * The one reader of the X.509 layouts every part of Clavis walks: the signed envelope
 * (`readSigned`: a certificate, a CRL or a PKCS #10 request, whose info is
 * `readCsrInfo`), the TBSCertificate (`readTbsCertificate`), SubjectPublicKeyInfo
 * (`readSpki`, with an RSA key's size: `rsaModulusBits`) and the TBSCertList with its
 * entries (`readTbsCertList`, `readCrlEntry`, `crlEntries`, RFC 5280 5.1). Each field is checked for its place and tag, on the one
 * strict DER reader (der.ts), and a layout that is wrong anywhere is refused with
 * MALFORMED_INPUT; values (serials, times, names, extensions) are left to the caller,
 * so the verifier can decode them strictly and the CA's lint can report a bad value as
 * a finding.
 *
 * A CRL's entries are not read with its header: `revoked` is the span of the
 * revokedCertificates SEQUENCE inside the TBS, and `crlEntries` walks it one entry at a
 * time as offsets, so a 100,000-entry CRL is indexed without an object per field.
 *
 * Common case:
 * ```ts
 * const s = readSigned(der, 'CRL');
 * const f = readTbsCertList(s.tbs.encoded);
 * if (f.revoked) for (const e of crlEntries(f.revoked)) use(contentOf(e.serial));
 * ```
 */
import { DerReader, TAG, bitLength, decodeBitString, decodeUnsignedInteger, decodeSmallInteger, elementOf, parseDer, readSequence, readTlv, readTop, tagName, type DerElement, type Tlv } from './der';

import { fail, isTime } from './crl-entry';

export { crlEntries, readCrlEntry, type CrlEntryFields } from './crl-entry';

/** A reader over the fields of the SEQUENCE `el`, named `what`. @throws MALFORMED_INPUT */
function fieldsOf(el: DerElement, what: string): DerReader {
  if (el.tag !== TAG.SEQUENCE) fail(`a ${what} is not a SEQUENCE`);
  return new DerReader(el.content, what);
}

/** A signed object's three parts: the TBS SEQUENCE, the outer AlgorithmIdentifier, the signature bits. */
export interface SignedFields {
  tbs: DerElement;
  algorithm: DerElement;
  /** The signature BIT STRING's value, without its unused-bits byte (which must be 0). */
  signature: Uint8Array;
}

/**
 * Reads `SEQUENCE { tbs SEQUENCE, signatureAlgorithm SEQUENCE, signature BIT STRING }`
 * filling `der` (RFC 5280 4.1, 5.1; RFC 2986 4.2). @throws MALFORMED_INPUT
 */
export function readSigned(der: Uint8Array, what: string): SignedFields {
  const outer = parseDer(der);
  if (outer.tag !== TAG.SEQUENCE) fail(`the ${what} is not a signed structure`);
  const r = new DerReader(outer.content, `the ${what}`);
  const tbs = r.expect(TAG.SEQUENCE, 'signed content');
  const algorithm = r.expect(TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = decodeBitString(r.expect(TAG.BIT_STRING, 'signature'), `the ${what} signature`);
  r.end();
  return { tbs, algorithm, signature };
}

/** The fields of a TBSCertificate as elements, in RFC 5280 4.1 order. */
export interface TbsFields {
  /** X.509 version (1, 2 or 3). */
  version: number;
  /** True when the version field is present and says v1 (the DEFAULT, which DER omits). */
  explicitV1: boolean;
  serial: DerElement;
  signature: DerElement;
  issuer: DerElement;
  notBefore: DerElement;
  notAfter: DerElement;
  subject: DerElement;
  spki: DerElement;
  /** The `[3]` wrapper of the extensions, when present. */
  extensions?: DerElement;
}

/**
 * The one reader of the TBSCertificate layout (RFC 5280 4.1): every field in order with
 * its tag, the version a DER INTEGER of at most 2, nothing after the extensions. Values
 * (serial, times, names, key, extensions) are left to the caller to decode: the
 * verifier decodes them strictly, the CA's lint reports a non-DER value as a finding.
 * @throws MALFORMED_INPUT
 */
export function readTbsCertificate(tbs: DerElement): TbsFields {
  const t = fieldsOf(tbs, 'TBSCertificate');
  const vEl = t.optional(0xa0, 'version');
  const version = vEl ? decodeSmallInteger(parseDer(vEl.content), 'version', 2) + 1 : 1;
  const serial = t.expect(TAG.INTEGER, 'serialNumber');
  const signature = t.expect(TAG.SEQUENCE, 'signature');
  const issuer = t.expect(TAG.SEQUENCE, 'issuer');
  const validity = t.sequence('validity');
  const notBefore = validity.next('notBefore');
  const notAfter = validity.next('notAfter');
  validity.end();
  const subject = t.expect(TAG.SEQUENCE, 'subject');
  const spki = t.expect(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  t.optional(0x81, 'issuerUniqueID');
  t.optional(0x82, 'subjectUniqueID');
  const extensions = t.optional(0xa3, 'extensions');
  t.end();
  const f: TbsFields = { version, explicitV1: vEl !== undefined && version === 1, serial, signature, issuer, notBefore, notAfter, subject, spki };
  if (extensions) f.extensions = extensions;
  return f;
}

/** A SubjectPublicKeyInfo's two parts. */
export interface SpkiFields {
  /** The AlgorithmIdentifier SEQUENCE. */
  algorithm: DerElement;
  /** The subjectPublicKey BIT STRING's value, without its unused-bits byte (which must be 0). */
  publicKey: Uint8Array;
}

/** Reads `SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }` filling `der` (RFC 5280 4.1.2.7). @throws MALFORMED_INPUT */
export function readSpki(der: Uint8Array): SpkiFields {
  const r = readSequence(der, 'SubjectPublicKeyInfo');
  const algorithm = r.expect(TAG.SEQUENCE, 'AlgorithmIdentifier');
  const publicKey = decodeBitString(r.expect(TAG.BIT_STRING, 'subjectPublicKey'), 'the public key');
  r.end();
  return { algorithm, publicKey };
}

/** The fields of a PKCS #10 CertificationRequestInfo (RFC 2986 4.1). */
export interface CsrInfoFields {
  version: DerElement;
  subject: DerElement;
  /** The SubjectPublicKeyInfo SEQUENCE (read it with `readSpki`). */
  spki: DerElement;
  /** The `[0]` attributes, when present. */
  attributes?: DerElement;
}

/**
 * Reads `CertificationRequestInfo ::= SEQUENCE { version INTEGER, subject Name,
 * subjectPKInfo, attributes [0] }` from its element (the `tbs` of `readSigned`); the
 * attributes are read as optional, as some writers leave them out. @throws MALFORMED_INPUT
 */
export function readCsrInfo(info: DerElement): CsrInfoFields {
  const r = fieldsOf(info, 'CertificationRequestInfo');
  const version = r.expect(TAG.INTEGER, 'version');
  const subject = r.expect(TAG.SEQUENCE, 'subject');
  const spki = r.expect(TAG.SEQUENCE, 'subjectPKInfo');
  const attributes = r.optional(0xa0, 'attributes');
  r.end();
  return attributes ? { version, subject, spki, attributes } : { version, subject, spki };
}

/**
 * The size in bits of an RSA key's modulus, from the subjectPublicKey of its SPKI:
 * `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1),
 * both non-negative. @throws MALFORMED_INPUT
 */
export function rsaModulusBits(publicKey: Uint8Array): number {
  const k = readSequence(publicKey, 'RSAPublicKey');
  const n = decodeUnsignedInteger(k.expect(TAG.INTEGER, 'modulus'), 'the RSA modulus');
  decodeUnsignedInteger(k.expect(TAG.INTEGER, 'public exponent'), 'the RSA public exponent');
  k.end();
  return bitLength(n);
}

/** The fields of a TBSCertList (RFC 5280 5.1) as spans of the TBS bytes, in order. */
export interface TbsCertListFields {
  /** 2 when the version field says v2; 1 when it is absent (or, not DER for a CRL, says v1). */
  version: number;
  /** The version INTEGER, when present. */
  versionField?: Tlv;
  signature: Tlv;
  issuer: Tlv;
  thisUpdate: Tlv;
  nextUpdate?: Tlv;
  /** The revokedCertificates SEQUENCE (possibly empty, which the lint reports); walk it with `crlEntries`. */
  revoked?: Tlv;
  /** The `[0]` wrapper of the crlExtensions. */
  extensions?: Tlv;
  /** The `Extensions` SEQUENCE inside `[0]`. */
  extensionList?: DerElement;
}

/**
 * The one reader of the TBSCertList layout: every field in order with its tag, the
 * version a DER INTEGER of at most 1 (v2), the times UTCTime or GeneralizedTime, the
 * crlExtensions `[0]` holding exactly one SEQUENCE, and nothing after it. The entries
 * are not read here (see `crlEntries`). `tbs` is the whole TBSCertList encoding.
 * @throws MALFORMED_INPUT
 */
export function readTbsCertList(tbs: Uint8Array): TbsCertListFields {
  const top = readTop(tbs, TAG.SEQUENCE);
  let p = top.contentStart;
  const peek = () => (p < top.end ? tbs[p] : undefined);
  const next = (what: string, ok: (tag: number) => boolean, expected: string): Tlv => {
    if (p >= top.end) fail(`the TBSCertList ends before its ${what}`);
    if (!ok(tbs[p]!)) fail(`TBSCertList: expected ${what} (${expected}), found ${tagName(tbs[p]!)}`);
    const t = readTlv(tbs, p, top.end);
    p = t.end;
    return t;
  };
  const seqField = (what: string) => next(what, (t) => t === TAG.SEQUENCE, 'SEQUENCE');
  const timeField = (what: string) => next(what, isTime, 'UTCTime or GeneralizedTime');
  const versionField = peek() === TAG.INTEGER ? next('version', () => true, 'INTEGER') : undefined;
  const version = versionField ? decodeSmallInteger(elementOf(versionField), 'the CRL version', 1) + 1 : 1;
  const f: TbsCertListFields = { version, signature: seqField('signature'), issuer: seqField('issuer'), thisUpdate: timeField('thisUpdate') };
  if (versionField) f.versionField = versionField;
  if (isTime(peek())) f.nextUpdate = timeField('nextUpdate');
  if (peek() === TAG.SEQUENCE) f.revoked = seqField('revokedCertificates');
  if (peek() === 0xa0) {
    f.extensions = next('crlExtensions', () => true, '[0]');
    const list = parseDer(tbs.subarray(f.extensions.contentStart, f.extensions.end));
    if (list.tag !== TAG.SEQUENCE) fail('the crlExtensions are not a SEQUENCE');
    f.extensionList = list;
  }
  if (p !== top.end) fail(`the TBSCertList has an unexpected ${tagName(tbs[p]!)} after its fields`);
  return f;
}
