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
 * This is also the engine's one X.509 reader (issue 12): the TBSCertificate layout is
 * `readTbsCertificate` here, a Name is `readNameAttributes` (parse-names.ts) and each
 * extension value has one decoder in extension-values.ts. The CA's view (pki/x509.ts,
 * names.ts, describe.ts, csr.ts, crl-codec.ts, lint.ts) and the exchange call these.
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
  decodeSmallInteger,
  decodeTime,
  parseDer,
  type DerElement,
} from '../../internal/der';
import { decodePem } from '../../keys/pem';
import { VOID, type Cert, type Crl, type CrlEntry, type Name } from './cert-types';
import { decodeAuthorityKeyIdentifier, decodeCrlNumber, decodeReasonCode } from './extension-values';
import { algorithm, distributionPoint, parseCertExtension, readExtensions, reasonMask, seqOf } from './parse-extensions';
import { generalNames, parseName } from './parse-names';

export * from './cert-types';
export { parseGeneralName, parseName } from './parse-names';

let idCounter = 0;

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
  if (tbs.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: a TBSCertificate is not a SEQUENCE');
  const t = new DerReader(tbs.content, 'TBSCertificate');
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

/** Parses a DER certificate. @throws MALFORMED_INPUT when the outer structure is broken. */
export function parseCert(der: Uint8Array): Cert {
  const outer = parseDer(der);
  if (outer.tag !== TAG.SEQUENCE) throw new MalformedInputError('validate: a certificate is not a SEQUENCE');
  const r = new DerReader(outer.content, 'Certificate');
  const tbsEl = r.expect(TAG.SEQUENCE, 'tbsCertificate');
  const sigAlgEl = r.expect(TAG.SEQUENCE, 'signatureAlgorithm');
  const signature = decodeBitString(r.expect(TAG.BIT_STRING, 'signatureValue'), 'the signature');
  r.end();
  const f = readTbsCertificate(tbsEl);
  const problems: string[] = [];
  const version = f.version;
  if (f.explicitV1) problems.push('the version field encodes the default v1 (non-DER)');
  const serialBytes = decodeIntegerBytes(f.serial, 'the serial number');
  const tbsSig = f.signature;
  const issuer = parseName(f.issuer, 'the issuer');
  const notBefore = decodeTime(f.notBefore, 'notBefore');
  const notAfter = decodeTime(f.notAfter, 'notAfter');
  const subject = parseName(f.subject, 'the subject');
  const spkiEl = f.spki;
  const spkiR = new DerReader(spkiEl.content, 'SubjectPublicKeyInfo');
  const spkiAlg = algorithm(spkiR.expect(TAG.SEQUENCE, 'algorithm'));
  const publicKey = decodeBitString(spkiR.expect(TAG.BIT_STRING, 'subjectPublicKey'), 'the public key');
  spkiR.end();
  const extEl = f.extensions;
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
        if (e.oid === VOID.cRLNumber) crl.crlNumber = toHex(decodeCrlNumber(e.value));
        else if (e.oid === VOID.deltaCRLIndicator) crl.deltaBase = toHex(decodeCrlNumber(e.value, 'deltaCRLIndicator'));
        else if (e.oid === VOID.authorityKeyIdentifier) {
          const { keyId } = decodeAuthorityKeyIdentifier(e.value);
          crl.aki = keyId ? { keyId } : {};
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
              entry.reason = decodeReasonCode(x.value);
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
