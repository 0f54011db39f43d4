// The one home for decoding X.509 extension lists and extension values (RFC 5280 4.2), strictly, on the one DER reader; the verifier, the CA's lint, reader, viewer and CSR reader all call these.
import { MalformedInputError } from '../../errors';
import { toHex } from '../../internal/bytes';
import {
  DerReader,
  TAG,
  decodeBoolean,
  decodeIntegerBytes,
  decodeNamedBits,
  decodeOctetString,
  decodeOid,
  decodeSmallInteger,
  encodeElement,
  parseDer,
  type DerElement,
} from '../../internal/der';
import type { DistributionPoint, Extension, GeneralName, PolicyInfo, Subtree } from './cert-types';
import { generalNames, parseGeneralName, parseName } from './parse-names';

/** An extension as encoded, with whether its critical flag was written out as FALSE (not DER, but readable). */
export interface ListedExtension extends Extension {
  explicitFalse: boolean;
}

/** A reader over the single SEQUENCE that must fill `value`. @throws MALFORMED_INPUT */
export function seqOf(value: Uint8Array, what: string): DerReader {
  const el = parseDer(value);
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError(`validate: ${what} is not a SEQUENCE`);
  return new DerReader(el.content, what);
}

/**
 * `Extensions ::= SEQUENCE OF Extension` from the SEQUENCE element itself. A critical
 * FALSE written out is kept as `explicitFalse` (callers decide whether that is a
 * problem or a lint finding); a critical flag that is not DER (0x00/0xFF) is refused.
 * @throws MALFORMED_INPUT
 */
export function decodeExtensionList(seq: DerElement): ListedExtension[] {
  if (seq.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: Extensions is not a SEQUENCE');
  const r = new DerReader(seq.content, 'Extensions');
  const out: ListedExtension[] = [];
  while (!r.done) {
    const e = r.sequence('Extension');
    const oid = decodeOid(e.expect(TAG.OID, 'extnID'), 'an extension id');
    const critEl = e.optional(TAG.BOOLEAN, 'critical');
    const critical = critEl ? decodeBoolean(critEl, 'the critical flag') : false;
    const value = e.expect(TAG.OCTET_STRING, 'extnValue').content;
    e.end();
    out.push({ oid, critical, value, explicitFalse: critEl !== undefined && !critical });
  }
  return out;
}

/** basicConstraints (4.2.1.9): cA, pathLenConstraint (at most 2^30), and whether cA FALSE was written out. @throws MALFORMED_INPUT */
export function decodeBasicConstraints(value: Uint8Array): { ca: boolean; pathLen?: number; explicitFalse: boolean } {
  const r = seqOf(value, 'BasicConstraints');
  const caEl = r.optional(TAG.BOOLEAN, 'cA');
  const ca = caEl ? decodeBoolean(caEl, 'cA') : false;
  const plEl = r.optional(TAG.INTEGER, 'pathLenConstraint');
  r.end();
  const explicitFalse = caEl !== undefined && !ca;
  return plEl ? { ca, pathLen: decodeSmallInteger(plEl, 'pathLenConstraint', 1 << 30), explicitFalse } : { ca, explicitFalse };
}

/** keyUsage (4.2.1.3): the named-bit string, unused bits checked zero. @throws MALFORMED_INPUT */
export function decodeKeyUsage(value: Uint8Array): { bytes: Uint8Array; unused: number } {
  return decodeNamedBits(parseDer(value), 'keyUsage');
}

/** extKeyUsage (4.2.1.12): the KeyPurposeId OIDs in order. @throws MALFORMED_INPUT */
export function decodeExtKeyUsage(value: Uint8Array): string[] {
  const r = seqOf(value, 'ExtKeyUsage');
  const out: string[] = [];
  while (!r.done) out.push(decodeOid(r.expect(TAG.OID, 'KeyPurposeId'), 'a key purpose'));
  return out;
}

/** subjectAltName (4.2.1.6) or any other `GeneralNames` value. @throws MALFORMED_INPUT */
export function decodeGeneralNames(value: Uint8Array, what = 'subjectAltName'): GeneralName[] {
  const el = parseDer(value);
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError(`validate: ${what} is not a SEQUENCE`);
  return generalNames(el.content, what);
}

/** subjectKeyIdentifier (4.2.1.2). @throws MALFORMED_INPUT */
export function decodeSubjectKeyIdentifier(value: Uint8Array): Uint8Array {
  return decodeOctetString(parseDer(value), 'subjectKeyIdentifier');
}

/** authorityKeyIdentifier (4.2.1.1, 5.2.1): keyIdentifier, authorityCertIssuer, authorityCertSerialNumber. @throws MALFORMED_INPUT */
export function decodeAuthorityKeyIdentifier(value: Uint8Array): { keyId?: Uint8Array; issuer?: GeneralName[]; serial?: Uint8Array } {
  const r = seqOf(value, 'AuthorityKeyIdentifier');
  const aki: { keyId?: Uint8Array; issuer?: GeneralName[]; serial?: Uint8Array } = {};
  const kid = r.optional(0x80, 'keyIdentifier');
  if (kid) aki.keyId = kid.content;
  const iss = r.optional(0xa1, 'authorityCertIssuer');
  if (iss) aki.issuer = generalNames(iss.content, 'authorityCertIssuer');
  const ser = r.optional(0x82, 'authorityCertSerialNumber');
  if (ser) aki.serial = ser.content;
  r.end();
  return aki;
}

/** The reasons of a DistributionPoint or IDP as a mask (bit i = reason code i). */
export function reasonMask(bits: { bytes: Uint8Array }): number {
  let m = 0;
  for (let i = 0; i < 9; i++) {
    const byte = bits.bytes[i >> 3];
    if (byte !== undefined && byte & (0x80 >> (i & 7))) m |= 1 << i;
  }
  return m;
}

/** The fields of one DistributionPoint (CRLDP) or the leading ones of an IDP, read from `r`. @throws MALFORMED_INPUT */
export function distributionPoint(r: DerReader): DistributionPoint {
  const dp: DistributionPoint = {};
  const dpn = r.optional(0xa0, 'distributionPoint');
  if (dpn) {
    const inner = parseDer(dpn.content);
    if (inner.tag === 0xa0) dp.fullName = generalNames(inner.content, 'fullName');
    else if (inner.tag === 0xa1) {
      const rdn = parseName({ tag: TAG.SEQUENCE, content: encodeElement(TAG.SET, inner.content), encoded: inner.encoded });
      dp.relativeName = rdn.rdns[0];
    } else throw new MalformedInputError('validate: a distribution point name has an unknown form');
  }
  const reasons = r.optional(0x81, 'reasons');
  if (reasons) dp.reasons = reasonMask(decodeNamedBits({ ...reasons, tag: TAG.BIT_STRING }, 'reasons'));
  const issuer = r.optional(0xa2, 'cRLIssuer');
  if (issuer) dp.crlIssuer = generalNames(issuer.content, 'cRLIssuer');
  return dp;
}

/** cRLDistributionPoints (4.2.1.13). @throws MALFORMED_INPUT */
export function decodeCrlDistributionPoints(value: Uint8Array): DistributionPoint[] {
  const r = seqOf(value, 'CRLDistributionPoints');
  const out: DistributionPoint[] = [];
  while (!r.done) {
    const d = r.sequence('DistributionPoint');
    out.push(distributionPoint(d));
    d.end();
  }
  return out;
}

function subtrees(el: DerElement): Subtree[] {
  const r = new DerReader(el.content, 'GeneralSubtrees');
  const out: Subtree[] = [];
  while (!r.done) {
    const st = r.sequence('GeneralSubtree');
    const base = parseGeneralName(st.next('base'));
    const min = st.optional(0x80, 'minimum');
    if (min && decodeSmallInteger({ ...min, tag: TAG.INTEGER }, 'minimum') !== 0) throw new MalformedInputError('validate: a name constraint has a minimum other than 0 (RFC 5280 4.2.1.10)');
    if (min) throw new MalformedInputError('validate: a name constraint encodes the default minimum 0 (non-DER)');
    if (st.optional(0x81, 'maximum')) throw new MalformedInputError('validate: a name constraint has a maximum (RFC 5280 4.2.1.10)');
    st.end();
    out.push({ base });
  }
  return out;
}

/** nameConstraints (4.2.1.10): permitted and excluded subtrees as present. @throws MALFORMED_INPUT */
export function decodeNameConstraints(value: Uint8Array): { permitted?: Subtree[]; excluded?: Subtree[] } {
  const r = seqOf(value, 'NameConstraints');
  const nc: { permitted?: Subtree[]; excluded?: Subtree[] } = {};
  const p = r.optional(0xa0, 'permittedSubtrees');
  if (p) nc.permitted = subtrees(p);
  const x = r.optional(0xa1, 'excludedSubtrees');
  if (x) nc.excluded = subtrees(x);
  r.end();
  return nc;
}

/** authorityInfoAccess (4.2.2.1): each access method and location. @throws MALFORMED_INPUT */
export function decodeAuthorityInfoAccess(value: Uint8Array): { method: string; location: GeneralName }[] {
  const r = seqOf(value, 'AuthorityInfoAccess');
  const out: { method: string; location: GeneralName }[] = [];
  while (!r.done) {
    const ad = r.sequence('AccessDescription');
    const method = decodeOid(ad.expect(TAG.OID, 'accessMethod'), 'an access method');
    const location = parseGeneralName(ad.next('accessLocation'));
    ad.end();
    out.push({ method, location });
  }
  return out;
}

/** certificatePolicies (4.2.1.4): each policy with its qualifiers as hex of their encodings. @throws MALFORMED_INPUT */
export function decodeCertificatePolicies(value: Uint8Array): PolicyInfo[] {
  const r = seqOf(value, 'certificatePolicies');
  const out: PolicyInfo[] = [];
  while (!r.done) {
    const pi = r.sequence('PolicyInformation');
    const oid = decodeOid(pi.expect(TAG.OID, 'policyIdentifier'), 'a policy');
    const qualifiers: string[] = [];
    if (!pi.done) {
      const qs = pi.sequence('policyQualifiers');
      while (!qs.done) qualifiers.push(toHex(qs.next('a qualifier').encoded));
    }
    pi.end();
    out.push({ oid, qualifiers });
  }
  return out;
}

/** policyMappings (4.2.1.5). @throws MALFORMED_INPUT */
export function decodePolicyMappings(value: Uint8Array): { issuer: string; subject: string }[] {
  const r = seqOf(value, 'PolicyMappings');
  const out: { issuer: string; subject: string }[] = [];
  while (!r.done) {
    const m = r.sequence('a policy mapping');
    out.push({ issuer: decodeOid(m.expect(TAG.OID, 'issuerDomainPolicy'), 'a policy'), subject: decodeOid(m.expect(TAG.OID, 'subjectDomainPolicy'), 'a policy') });
    m.end();
  }
  return out;
}

/** policyConstraints (4.2.1.11). @throws MALFORMED_INPUT */
export function decodePolicyConstraints(value: Uint8Array): { requireExplicit?: number; inhibitMapping?: number } {
  const r = seqOf(value, 'PolicyConstraints');
  const pc: { requireExplicit?: number; inhibitMapping?: number } = {};
  const a = r.optional(0x80, 'requireExplicitPolicy');
  if (a) pc.requireExplicit = decodeSmallInteger({ ...a, tag: TAG.INTEGER }, 'requireExplicitPolicy', 1 << 30);
  const b = r.optional(0x81, 'inhibitPolicyMapping');
  if (b) pc.inhibitMapping = decodeSmallInteger({ ...b, tag: TAG.INTEGER }, 'inhibitPolicyMapping', 1 << 30);
  r.end();
  return pc;
}

/** inhibitAnyPolicy (4.2.1.14). @throws MALFORMED_INPUT */
export function decodeInhibitAnyPolicy(value: Uint8Array): number {
  return decodeSmallInteger(parseDer(value), 'inhibitAnyPolicy', 1 << 30);
}

/** cRLNumber (5.2.3) or deltaCRLIndicator (5.2.4): the INTEGER's content octets, minimal, sign kept. @throws MALFORMED_INPUT */
export function decodeCrlNumber(value: Uint8Array, what = 'cRLNumber'): Uint8Array {
  return decodeIntegerBytes(parseDer(value), what);
}

/** reasonCode (5.3.1): an ENUMERATED CRLReason, 0..10. @throws MALFORMED_INPUT */
export function decodeReasonCode(value: Uint8Array): number {
  const el = parseDer(value);
  if (el.tag !== TAG.ENUMERATED) throw new MalformedInputError('validate: reasonCode is not ENUMERATED');
  return decodeSmallInteger({ ...el, tag: TAG.INTEGER }, 'reasonCode', 10);
}

/** A GeneralName back as its tag byte and content octets (the CA's matching and lint work on those). */
export function generalNameTlv(g: GeneralName): { tag: number; content: Uint8Array } {
  switch (g.type) {
    case 'email':
    case 'dns':
    case 'uri':
      // IA5 text: one byte per character, all below 0x80 (parseGeneralName checked).
      return { tag: g.type === 'email' ? 0x81 : g.type === 'dns' ? 0x82 : 0x86, content: Uint8Array.from(g.value, (ch) => ch.charCodeAt(0)) };
    case 'ip':
      return { tag: 0x87, content: g.bytes };
    case 'dn':
      return { tag: 0xa4, content: g.name.der };
    default:
      return { tag: g.der[0]!, content: parseDer(g.der).content };
  }
}
