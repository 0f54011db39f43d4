/**
 * Certificate and CRL parsing for the path validator (E8), with the engine's one strict
 * DER reader (src/engine/internal/der.ts). The validator decides from these structures
 * only; pkijs is not consulted.
 *
 * A certificate whose outer structure is broken cannot be parsed at all (MALFORMED_INPUT);
 * a certificate whose extension contents are broken parses, keeps the problem in
 * `problems`, and fails validation with that sentence (RFC 5280 4.2: a verifier that
 * cannot understand an extension must not silently ignore it).
 *
 * Common case: `const cert = parseCert(der); cert.subject.key === issuer.subject.key`.
 */
import { MalformedInputError, isEngineError } from '../../errors';
import { toHex } from '../../internal/bytes';
import {
  DerReader,
  TAG,
  decodeBitString,
  decodeBoolean,
  decodeIntegerBytes,
  decodeNamedBits,
  decodeOctetString,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  encodeElement,
  parseDer,
  type DerElement,
} from '../../internal/der';
import * as OID from '../../internal/oids';
import { decodePem } from '../../keys/pem';


/** Object identifiers the validator understands, from the engine's one table (src/engine/internal/oids.ts). */
export const VOID = {
  subjectKeyIdentifier: OID.subjectKeyIdentifier,
  keyUsage: OID.keyUsage,
  subjectAltName: OID.subjectAltName,
  issuerAltName: OID.issuerAltName,
  basicConstraints: OID.basicConstraints,
  cRLNumber: OID.cRLNumber,
  reasonCode: OID.reasonCode,
  invalidityDate: OID.invalidityDate,
  deltaCRLIndicator: OID.deltaCRLIndicator,
  issuingDistributionPoint: OID.issuingDistributionPoint,
  certificateIssuer: OID.certificateIssuer,
  nameConstraints: OID.nameConstraints,
  cRLDistributionPoints: OID.cRLDistributionPoints,
  certificatePolicies: OID.certificatePolicies,
  policyMappings: OID.policyMappings,
  authorityKeyIdentifier: OID.authorityKeyIdentifier,
  policyConstraints: OID.policyConstraints,
  extKeyUsage: OID.extKeyUsage,
  freshestCRL: OID.freshestCRL,
  inhibitAnyPolicy: OID.inhibitAnyPolicy,
  authorityInfoAccess: OID.authorityInfoAccess,
  anyPolicy: OID.anyPolicy,
  anyExtendedKeyUsage: OID.anyExtendedKeyUsage,
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  codeSigning: OID.codeSigning,
  emailProtection: OID.emailProtection,
  commonName: OID.commonName,
  emailAddress: OID.emailAddress,
} as const;

/** One attribute of a distinguished name, with its value normalised for comparison. */
export interface NameAttribute {
  oid: string;
  /** Decoded text for string types, else hex of the encoding. */
  text: string;
  /** RFC 5280 7.1 / RFC 4518 comparison form: case folded, spaces collapsed. */
  norm: string;
}

/** A distinguished name: raw DER, its RDNs, and a key equal for names RFC 5280 calls equal. */
export interface Name {
  der: Uint8Array;
  rdns: NameAttribute[][];
  key: string;
  /** Per-RDN comparison keys, so subtree checks compare strings only. */
  rdnKeys: string[];
  /** Readable form for explanations, e.g. "CN=Root, O=Clavis". */
  text: string;
}

/** One GeneralName (RFC 5280 4.2.1.6). */
export type GeneralName =
  | { type: 'dns' | 'email' | 'uri'; value: string }
  | { type: 'ip'; bytes: Uint8Array }
  | { type: 'dn'; name: Name }
  | { type: 'other'; tag: number; der: Uint8Array };

/** A GeneralSubtree of a name constraint (minimum/maximum are refused unless 0/absent). */
export interface Subtree {
  base: GeneralName;
}

/** An extension as found: OID, critical flag, the extnValue contents. */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

/** One entry of certificatePolicies. */
export interface PolicyInfo {
  oid: string;
  qualifiers: string[];
}

/** A DistributionPoint (certificate CRLDP) or the IDP of a CRL. */
export interface DistributionPoint {
  fullName?: GeneralName[];
  relativeName?: NameAttribute[];
  reasons?: number; // bit mask, bit i = reason code i
  crlIssuer?: GeneralName[];
}

/** A parsed certificate. */
export interface Cert {
  der: Uint8Array;
  /** Hex SHA-free identity: the whole DER as hex would be large, so a short fingerprint. */
  id: string;
  tbs: Uint8Array;
  sigAlg: { oid: string; params?: Uint8Array };
  /** The TBS signature field, which RFC 5280 4.1.1.2 wants equal to the outer one. */
  tbsSigAlgDer: Uint8Array;
  outerSigAlgDer: Uint8Array;
  signature: Uint8Array;
  version: number;
  /** Serial content octets as hex (sign kept: 0xff and 0x00ff differ). */
  serial: string;
  serialBytes: Uint8Array;
  issuer: Name;
  subject: Name;
  notBefore: number;
  notAfter: number;
  spki: Uint8Array;
  spkiAlg: { oid: string; params?: Uint8Array };
  publicKey: Uint8Array;
  extensions: Extension[];
  /** Problems found in the certificate's structure or extensions. */
  problems: string[];
  basicConstraints?: { ca: boolean; pathLen?: number };
  keyUsage?: { bytes: Uint8Array; unused: number };
  extKeyUsage?: string[];
  san?: GeneralName[];
  ski?: Uint8Array;
  aki?: { keyId?: Uint8Array; issuer?: GeneralName[]; serial?: Uint8Array };
  nameConstraints?: { permitted?: Subtree[]; excluded?: Subtree[] };
  policies?: PolicyInfo[];
  policyMappings?: { issuer: string; subject: string }[];
  policyConstraints?: { requireExplicit?: number; inhibitMapping?: number };
  inhibitAnyPolicy?: number;
  crlDistributionPoints?: DistributionPoint[];
  /** Self-issued: issuer and subject names equal (RFC 5280 6.1). */
  selfIssued: boolean;
}

/** One revoked entry of a CRL. */
export interface CrlEntry {
  serial: string;
  revocationDate: number;
  reason?: number;
  /** For indirect CRLs: the certificate issuer this entry (and the following) speak of. */
  certIssuer?: Name;
  criticalUnknown?: string;
}

/** A parsed CRL. */
export interface Crl {
  der: Uint8Array;
  tbs: Uint8Array;
  sigAlg: { oid: string; params?: Uint8Array };
  signature: Uint8Array;
  issuer: Name;
  thisUpdate: number;
  nextUpdate?: number;
  entries: CrlEntry[];
  extensions: Extension[];
  problems: string[];
  crlNumber?: string;
  deltaBase?: string;
  aki?: { keyId?: Uint8Array };
  idp?: DistributionPoint & { onlyUser: boolean; onlyCA: boolean; onlyAttr: boolean; indirect: boolean };
}

/**
 * Bytes as one char code each. `fromCharCode.apply` over an index range is an order of
 * magnitude cheaper than spreading a typed array (an iterator per call): a certificate
 * with thousands of names (limbo pathological::nc-dos-*) reads each in one call.
 */
function byteString(c: Uint8Array): string {
  const CHUNK = 8192;
  if (c.length <= CHUNK) return String.fromCharCode.apply(null, c as unknown as number[]);
  let s = '';
  for (let i = 0; i < c.length; i += CHUNK) s += String.fromCharCode.apply(null, c.subarray(i, i + CHUNK) as unknown as number[]);
  return s;
}

const STRING_TAGS = new Set<number>([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.T61_STRING, TAG.IA5_STRING, TAG.BMP_STRING, TAG.UNIVERSAL_STRING, 0x1a, 0x12]);

function decodeString(el: DerElement): string | undefined {
  const c = el.content;
  try {
    switch (el.tag) {
      case TAG.UTF8_STRING:
        return new TextDecoder('utf-8', { fatal: true }).decode(c);
      case TAG.BMP_STRING: {
        if (c.length % 2) return undefined;
        let s = '';
        for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
        return s;
      }
      case TAG.UNIVERSAL_STRING: {
        if (c.length % 4) return undefined;
        let s = '';
        for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0);
        return s;
      }
      default:
        return STRING_TAGS.has(el.tag) ? byteString(c) : undefined;
    }
  } catch {
    return undefined;
  }
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.serialNumber]: 'serialNumber',
  [OID.domainComponent]: 'DC',
  [OID.emailAddress]: 'E',
};

function shortName(oid: string): string {
  return Object.hasOwn(SHORT_NAMES, oid) ? SHORT_NAMES[oid]! : oid;
}

/** Parses a Name (SEQUENCE OF SET OF AttributeTypeAndValue). @throws MALFORMED_INPUT */
export function parseName(el: DerElement, what = 'a name'): Name {
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError(`validate: ${what} is not a SEQUENCE`);
  const r = new DerReader(el.content, what);
  const rdns: NameAttribute[][] = [];
  while (!r.done) {
    const set = r.set('a relative distinguished name');
    const rdn: NameAttribute[] = [];
    while (!set.done) {
      const ava = set.sequence('an attribute');
      const oid = decodeOid(ava.expect(TAG.OID, 'attribute type'), 'an attribute type');
      const v = ava.next('an attribute value');
      ava.end();
      const s = decodeString(v);
      const text = s ?? toHex(v.encoded);
      // RFC 5280 7.1 / RFC 4518 in brief: trimmed, inner white space folded, case folded.
      const norm = s === undefined ? `#${text}` : (/\s\s|[\t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(s) ? s.trim().replace(/\s+/g, ' ') : s.trim()).toLowerCase();
      rdn.push({ oid, text, norm });
    }
    if (rdn.length === 0) throw new MalformedInputError(`validate: ${what} has an empty relative distinguished name`);
    rdns.push(rdn);
  }
  // A one-attribute RDN (nearly all) needs no array to sort: its key is the same JSON.
  const rdnKeys = rdns.map((rdn) => (rdn.length === 1 ? `[${JSON.stringify(`${rdn[0]!.oid}=${rdn[0]!.norm}`)}]` : JSON.stringify(rdn.map((a) => `${a.oid}=${a.norm}`).sort())));
  const key = `[${rdnKeys.join(',')}]`;
  const text = rdns.map((rdn) => rdn.map((a) => `${shortName(a.oid)}=${a.text}`).join('+')).join(', ') || '(empty name)';
  return { der: el.encoded, rdns, key, rdnKeys, text };
}

function ia5(el: DerElement, what: string): string {
  const c = el.content;
  for (let i = 0; i < c.length; i++) if (c[i]! > 0x7f) throw new MalformedInputError(`validate: ${what} is not IA5 text`);
  return byteString(c);
}

/** Parses one GeneralName. @throws MALFORMED_INPUT */
export function parseGeneralName(el: DerElement): GeneralName {
  switch (el.tag) {
    case 0x81:
      return { type: 'email', value: ia5(el, 'an e-mail name') };
    case 0x82:
      return { type: 'dns', value: ia5(el, 'a DNS name') };
    case 0x86:
      return { type: 'uri', value: ia5(el, 'a URI') };
    case 0x87:
      return { type: 'ip', bytes: el.content };
    case 0xa4:
      return { type: 'dn', name: parseName(parseDer(el.content), 'a directory name') };
    default:
      if ((el.tag & 0xc0) !== 0x80) throw new MalformedInputError('validate: a general name has a universal tag');
      return { type: 'other', tag: el.tag & 0x1f, der: el.encoded };
  }
}

function generalNames(bytes: Uint8Array, what: string): GeneralName[] {
  const r = new DerReader(bytes, what);
  const out: GeneralName[] = [];
  while (!r.done) out.push(parseGeneralName(r.next('a general name')));
  return out;
}

function seqOf(value: Uint8Array, what: string): DerReader {
  const el = parseDer(value);
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError(`validate: ${what} is not a SEQUENCE`);
  return new DerReader(el.content, what);
}

function algorithm(el: DerElement): { oid: string; params?: Uint8Array } {
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: an algorithm identifier is not a SEQUENCE');
  const r = new DerReader(el.content, 'AlgorithmIdentifier');
  const oid = decodeOid(r.expect(TAG.OID, 'algorithm'));
  const params = r.done ? undefined : r.next('parameters').encoded;
  r.end();
  return params ? { oid, params } : { oid };
}

function readExtensions(el: DerElement, problems: string[]): Extension[] {
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

function distributionPoint(r: DerReader): DistributionPoint {
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

function reasonMask(bits: { bytes: Uint8Array }): number {
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

function parseCertExtension(c: Cert, e: Extension): void {
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
      return;
  }
}

let idCounter = 0;

/** Parses a DER certificate. @throws MALFORMED_INPUT when the outer structure is broken. */
export function parseCert(der: Uint8Array): Cert {
  const outer = parseDer(der);
  if (outer.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: a certificate is not a SEQUENCE');
  const r = new DerReader(outer.content, 'Certificate');
  const tbsEl = r.expect(TAG.SEQUENCE, 'tbsCertificate');
  const sigAlgEl = r.expect(TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = decodeBitString(r.expect(TAG.BIT_STRING, 'signatureValue'), 'the signature');
  r.end();
  const t = new DerReader(tbsEl.content, 'TBSCertificate');
  const problems: string[] = [];
  let version = 1;
  const vEl = t.optional(0xa0, 'version');
  if (vEl) {
    version = decodeSmallInteger(parseDer(vEl.content), 'version', 2) + 1;
    if (version === 1) problems.push('the version field encodes the default v1 (non-DER)');
  }
  const serialEl = t.expect(TAG.INTEGER, 'serialNumber');
  const serialBytes = decodeIntegerBytes(serialEl, 'the serial number');
  const tbsSig = t.expect(TAG.SEQUENCE, 'signature');
  const issuer = parseName(t.expect(TAG.SEQUENCE, 'issuer'), 'the issuer');
  const validity = t.sequence('validity');
  const notBefore = decodeTime(validity.next('notBefore'), 'notBefore');
  const notAfter = decodeTime(validity.next('notAfter'), 'notAfter');
  validity.end();
  const subject = parseName(t.expect(TAG.SEQUENCE, 'subject'), 'the subject');
  const spkiEl = t.expect(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const spkiR = new DerReader(spkiEl.content, 'SubjectPublicKeyInfo');
  const spkiAlg = algorithm(spkiR.expect(TAG.SEQUENCE, 'algorithm'));
  const publicKey = decodeBitString(spkiR.expect(TAG.BIT_STRING, 'subjectPublicKey'), 'the public key');
  spkiR.end();
  t.optional(0x81, 'issuerUniqueID');
  t.optional(0x82, 'subjectUniqueID');
  const extEl = t.optional(0xa3, 'extensions');
  t.end();
  const cert: Cert = {
    der,
    id: `c${++idCounter}`,
    tbs: tbsEl.encoded,
    sigAlg: algorithm(sigAlgEl),
    tbsSigAlgDer: tbsSig.encoded,
    outerSigAlgDer: sigAlgEl.encoded,
    signature,
    version,
    serial: toHex(serialBytes),
    serialBytes,
    issuer,
    subject,
    notBefore,
    notAfter,
    spki: spkiEl.encoded,
    spkiAlg,
    publicKey,
    extensions: [],
    problems,
    selfIssued: issuer.key === subject.key,
  };
  if (extEl) {
    if (version !== 3) problems.push('a certificate below v3 carries extensions (RFC 5280 4.1.2.9)');
    cert.extensions = readExtensions(extEl, problems);
    for (const e of cert.extensions) {
      try {
        parseCertExtension(cert, e);
      } catch (err) {
        if (!isEngineError(err)) throw err;
        problems.push(`extension ${e.oid} is malformed: ${err.message.replace(/^[a-z]+: /, '')}`);
      }
    }
  }
  return cert;
}

/** Parses a DER CRL. @throws MALFORMED_INPUT when the outer structure is broken. */
export function parseCrl(der: Uint8Array): Crl {
  const outer = parseDer(der);
  if (outer.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: a CRL is not a SEQUENCE');
  const r = new DerReader(outer.content, 'CertificateList');
  const tbsEl = r.expect(TAG.SEQUENCE, 'tbsCertList');
  const sigAlg = algorithm(r.expect(TAG.SEQUENCE, 'signatureAlgorithm'));
  const signature = decodeBitString(r.expect(TAG.BIT_STRING, 'signatureValue'), 'the signature');
  r.end();
  const t = new DerReader(tbsEl.content, 'TBSCertList');
  const problems: string[] = [];
  const v = t.optional(TAG.INTEGER, 'version');
  if (v) decodeSmallInteger(v, 'version', 1);
  t.expect(TAG.SEQUENCE, 'signature');
  const issuer = parseName(t.expect(TAG.SEQUENCE, 'issuer'), 'the CRL issuer');
  const thisUpdate = decodeTime(t.next('thisUpdate'), 'thisUpdate');
  let nextUpdate: number | undefined;
  const pk = t.peekTag();
  if (pk === TAG.UTC_TIME || pk === TAG.GENERALIZED_TIME) nextUpdate = decodeTime(t.next('nextUpdate'), 'nextUpdate');
  const entries: CrlEntry[] = [];
  const revoked = t.optional(TAG.SEQUENCE, 'revokedCertificates');
  const crl: Crl = { der, tbs: tbsEl.encoded, sigAlg, signature, issuer, thisUpdate, nextUpdate, entries, extensions: [], problems };
  const extEl = t.optional(0xa0, 'crlExtensions');
  t.end();
  if (extEl) {
    crl.extensions = readExtensions(extEl, problems);
    for (const e of crl.extensions) {
      try {
        if (e.oid === VOID.cRLNumber) crl.crlNumber = toHex(decodeIntegerBytes(parseDer(e.value), 'cRLNumber'));
        else if (e.oid === VOID.deltaCRLIndicator) crl.deltaBase = toHex(decodeIntegerBytes(parseDer(e.value), 'deltaCRLIndicator'));
        else if (e.oid === VOID.authorityKeyIdentifier) {
          const a = seqOf(e.value, 'AuthorityKeyIdentifier');
          const kid = a.optional(0x80, 'keyIdentifier');
          crl.aki = kid ? { keyId: kid.content } : {};
        } else if (e.oid === VOID.issuingDistributionPoint) {
          const d = seqOf(e.value, 'IssuingDistributionPoint');
          const dp = distributionPoint(new DerReader(new Uint8Array(0)));
          const dpn = d.optional(0xa0, 'distributionPoint');
          if (dpn) Object.assign(dp, distributionPoint(new DerReader(dpn.encoded)));
          const flag = (tag: number, what: string) => {
            const el = d.optional(tag, what);
            return el ? decodeBoolean({ ...el, tag: TAG.BOOLEAN }, what) : false;
          };
          const onlyUser = flag(0x81, 'onlyContainsUserCerts');
          const onlyCA = flag(0x82, 'onlyContainsCACerts');
          const reasons = d.optional(0x83, 'onlySomeReasons');
          if (reasons) dp.reasons = reasonMask(decodeNamedBits({ ...reasons, tag: TAG.BIT_STRING }, 'onlySomeReasons'));
          const indirect = flag(0x84, 'indirectCRL');
          const onlyAttr = flag(0x85, 'onlyContainsAttributeCerts');
          d.end();
          crl.idp = { ...dp, onlyUser, onlyCA, onlyAttr, indirect };
        }
      } catch (err) {
        if (!isEngineError(err)) throw err;
        problems.push(`CRL extension ${e.oid} is malformed`);
      }
    }
  }
  if (revoked) {
    const rr = new DerReader(revoked.content, 'revokedCertificates');
    let certIssuer: Name | undefined;
    while (!rr.done) {
      const e = rr.sequence('a revoked certificate');
      const serial = toHex(decodeIntegerBytes(e.expect(TAG.INTEGER, 'userCertificate'), 'a revoked serial'));
      const revocationDate = decodeTime(e.next('revocationDate'), 'revocationDate');
      const entry: CrlEntry = { serial, revocationDate };
      const ex = e.optional(TAG.SEQUENCE, 'crlEntryExtensions');
      e.end();
      if (ex) {
        for (const x of readExtensions({ tag: TAG.OCTET_STRING, content: ex.encoded, encoded: ex.encoded }, problems)) {
          try {
            if (x.oid === VOID.reasonCode) {
              const el = parseDer(x.value);
              if (el.tag !== TAG.ENUMERATED) throw new MalformedInputError('validate: reasonCode is not ENUMERATED');
              entry.reason = decodeSmallInteger({ ...el, tag: TAG.INTEGER }, 'reasonCode', 10);
            } else if (x.oid === VOID.certificateIssuer) {
              const gns = generalNames(parseDer(x.value).content, 'certificateIssuer');
              const dn = gns.find((g) => g.type === 'dn');
              certIssuer = dn && dn.type === 'dn' ? dn.name : undefined;
            } else if (x.critical && x.oid !== VOID.invalidityDate) entry.criticalUnknown = x.oid;
          } catch (err) {
            if (!isEngineError(err)) throw err;
            problems.push(`CRL entry extension ${x.oid} is malformed`);
          }
        }
      }
      if (certIssuer) entry.certIssuer = certIssuer;
      entries.push(entry);
    }
  }
  return crl;
}

/** Decodes PEM blocks of the given label with the engine's one PEM codec. @throws MALFORMED_INPUT */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  return decodePem(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
}
