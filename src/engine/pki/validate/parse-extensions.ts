// Parsing certificate and CRL extensions (RFC 5280 4.2) for the path validator: each into its field of the certificate, or a problem.
import { MalformedInputError } from '../../errors';
import { toHex } from '../../internal/bytes';
import {
  DerReader,
  TAG,
  decodeBoolean,
  decodeNamedBits,
  decodeOctetString,
  decodeOid,
  decodeSmallInteger,
  encodeElement,
  parseDer,
  type DerElement,
} from '../../internal/der';
import { VOID, type Cert, type DistributionPoint, type Extension, type PolicyInfo, type Subtree } from './cert-types';
import { generalNames, parseGeneralName, parseName } from './parse-names';

export function seqOf(value: Uint8Array, what: string): DerReader {
  const el = parseDer(value);
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError(`validate: ${what} is not a SEQUENCE`);
  return new DerReader(el.content, what);
}

export function algorithm(el: DerElement): { oid: string; params?: Uint8Array } {
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: an algorithm identifier is not a SEQUENCE');
  const r = new DerReader(el.content, 'AlgorithmIdentifier');
  const oid = decodeOid(r.expect(TAG.OID, 'algorithm'));
  const params = r.done ? undefined : r.next('parameters').encoded;
  r.end();
  return params ? { oid, params } : { oid };
}

export function readExtensions(el: DerElement, problems: string[]): Extension[] {
  const r = seqOf(el.content, 'Extensions');
  const out: Extension[] = [];
  const seen = new Set<string>();
  while (!r.done) {
    const e = r.sequence('Extension');
    const oid = decodeOid(e.expect(TAG.OID, 'extnID'), 'an extension id');
    const critEl = e.optional(TAG.BOOLEAN, 'critical');
    const critical = critEl ? decodeBoolean(critEl, 'the critical flag') : false;
    if (critEl && !critical) problems.push(`extension ${oid} encodes critical FALSE, which DER omits`);
    const value = e.expect(TAG.OCTET_STRING, 'extnValue').content;
    e.end();
    if (seen.has(oid)) problems.push(`extension ${oid} appears more than once (RFC 5280 4.2)`);
    seen.add(oid);
    out.push({ oid, critical, value });
  }
  if (out.length === 0) problems.push('the extensions field is present but empty (RFC 5280 4.1)');
  return out;
}

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

export function reasonMask(bits: { bytes: Uint8Array }): number {
  let m = 0;
  for (let i = 0; i < 9; i++) {
    const byte = bits.bytes[i >> 3];
    if (byte !== undefined && byte & (0x80 >> (i & 7))) m |= 1 << i;
  }
  return m;
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

export function parseCertExtension(c: Cert, e: Extension): void {
  switch (e.oid) {
    case VOID.basicConstraints: {
      const r = seqOf(e.value, 'BasicConstraints');
      const caEl = r.optional(TAG.BOOLEAN, 'cA');
      const ca = caEl ? decodeBoolean(caEl, 'cA') : false;
      if (caEl && !ca) c.problems.push('basicConstraints encodes cA FALSE, which DER omits');
      const plEl = r.optional(TAG.INTEGER, 'pathLenConstraint');
      r.end();
      c.basicConstraints = plEl ? { ca, pathLen: decodeSmallInteger(plEl, 'pathLenConstraint', 1 << 30) } : { ca };
      return;
    }
    case VOID.keyUsage:
      c.keyUsage = decodeNamedBits(parseDer(e.value), 'keyUsage');
      return;
    case VOID.extKeyUsage: {
      const r = seqOf(e.value, 'ExtKeyUsage');
      const out: string[] = [];
      while (!r.done) out.push(decodeOid(r.expect(TAG.OID, 'KeyPurposeId'), 'a key purpose'));
      c.extKeyUsage = out;
      return;
    }
    case VOID.subjectAltName: {
      const el = parseDer(e.value);
      if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: subjectAltName is not a SEQUENCE');
      c.san = generalNames(el.content, 'subjectAltName');
      if (c.san.length === 0) c.problems.push('subjectAltName is empty (RFC 5280 4.2.1.6)');
      return;
    }
    case VOID.subjectKeyIdentifier:
      c.ski = decodeOctetString(parseDer(e.value), 'subjectKeyIdentifier');
      return;
    case VOID.authorityKeyIdentifier: {
      const r = seqOf(e.value, 'AuthorityKeyIdentifier');
      const aki: NonNullable<Cert['aki']> = {};
      const kid = r.optional(0x80, 'keyIdentifier');
      if (kid) aki.keyId = kid.content;
      const iss = r.optional(0xa1, 'authorityCertIssuer');
      if (iss) aki.issuer = generalNames(iss.content, 'authorityCertIssuer');
      const ser = r.optional(0x82, 'authorityCertSerialNumber');
      if (ser) aki.serial = ser.content;
      r.end();
      c.aki = aki;
      return;
    }
    case VOID.nameConstraints: {
      const r = seqOf(e.value, 'NameConstraints');
      const nc: NonNullable<Cert['nameConstraints']> = {};
      const p = r.optional(0xa0, 'permittedSubtrees');
      if (p) nc.permitted = subtrees(p);
      const x = r.optional(0xa1, 'excludedSubtrees');
      if (x) nc.excluded = subtrees(x);
      r.end();
      if ((!p && !x) || (p && nc.permitted!.length === 0) || (x && nc.excluded!.length === 0)) c.problems.push('nameConstraints has no subtrees or an empty one (RFC 5280 4.2.1.10)');
      c.nameConstraints = nc;
      return;
    }
    case VOID.cRLDistributionPoints: {
      const r = seqOf(e.value, 'CRLDistributionPoints');
      const out: DistributionPoint[] = [];
      while (!r.done) {
        const d = r.sequence('DistributionPoint');
        out.push(distributionPoint(d));
        d.end();
      }
      c.crlDistributionPoints = out;
      return;
    }
    case VOID.authorityInfoAccess: {
      const r = seqOf(e.value, 'AuthorityInfoAccess');
      while (!r.done) {
        const ad = r.sequence('AccessDescription');
        decodeOid(ad.expect(TAG.OID, 'accessMethod'), 'an access method');
        parseGeneralName(ad.next('accessLocation'));
        ad.end();
      }
      return;
    }
    default:
      parsePolicyExtension(c, e);
  }
}

/** The policy extensions (RFC 5280 4.2.1.4, 4.2.1.5, 4.2.1.11, 4.2.1.14) into `c`; others are left alone. @throws MALFORMED_INPUT */
function parsePolicyExtension(c: Cert, e: Extension): void {
  switch (e.oid) {
    case VOID.certificatePolicies: {
      const r = seqOf(e.value, 'certificatePolicies');
      const out: PolicyInfo[] = [];
      const seen = new Set<string>();
      while (!r.done) {
        const pi = r.sequence('PolicyInformation');
        const oid = decodeOid(pi.expect(TAG.OID, 'policyIdentifier'), 'a policy');
        const qualifiers: string[] = [];
        if (!pi.done) {
          const qs = pi.sequence('policyQualifiers');
          while (!qs.done) qualifiers.push(toHex(qs.next('a qualifier').encoded));
        }
        pi.end();
        if (seen.has(oid)) c.problems.push(`certificatePolicies lists ${oid} twice (RFC 5280 4.2.1.4)`);
        seen.add(oid);
        out.push({ oid, qualifiers });
      }
      c.policies = out;
      return;
    }
    case VOID.policyMappings: {
      const r = seqOf(e.value, 'PolicyMappings');
      const out: { issuer: string; subject: string }[] = [];
      while (!r.done) {
        const m = r.sequence('a policy mapping');
        out.push({ issuer: decodeOid(m.expect(TAG.OID, 'issuerDomainPolicy'), 'a policy'), subject: decodeOid(m.expect(TAG.OID, 'subjectDomainPolicy'), 'a policy') });
        m.end();
      }
      c.policyMappings = out;
      return;
    }
    case VOID.policyConstraints: {
      const r = seqOf(e.value, 'PolicyConstraints');
      const pc: NonNullable<Cert['policyConstraints']> = {};
      const a = r.optional(0x80, 'requireExplicitPolicy');
      if (a) pc.requireExplicit = decodeSmallInteger({ ...a, tag: TAG.INTEGER }, 'requireExplicitPolicy', 1 << 30);
      const b = r.optional(0x81, 'inhibitPolicyMapping');
      if (b) pc.inhibitMapping = decodeSmallInteger({ ...b, tag: TAG.INTEGER }, 'inhibitPolicyMapping', 1 << 30);
      r.end();
      c.policyConstraints = pc;
      return;
    }
    case VOID.inhibitAnyPolicy:
      c.inhibitAnyPolicy = decodeSmallInteger(parseDer(e.value), 'inhibitAnyPolicy', 1 << 30);
      return;
    default:
      return;
  }
}
