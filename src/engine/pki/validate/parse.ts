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
 * This is also the engine's one X.509 reader (issue 12): every layout (the signed
 * envelope, the TBSCertificate, SubjectPublicKeyInfo, the TBSCertList and its entries) is
 * read by internal/x509-layout.ts (`readSigned`, `readTbsCertificate`, `readSpki`,
 * `readTbsCertList`, `crlEntries`), a Name is `readNameAttributes` (parse-names.ts)
 * and each extension value has one decoder in extension-values.ts. The CA's view
 * (pki/x509.ts, names.ts, describe.ts, csr.ts, crl-codec.ts, lint.ts) and the exchange
 * call these.
 *
 * Common case: `const cert = parseCert(der); cert.subject.key === issuer.subject.key`.
 */
import { isEngineError } from '../../errors';
import { toHex } from '../../internal/bytes';
import { DerReader, TAG, decodeBoolean, decodeIntegerBytes, decodeNamedBits, decodeTime, elementOf, parseDer, rawOf, type DerElement } from '../../internal/der';
import { crlEntries, readSigned, readSpki, readTbsCertList, readTbsCertificate } from '../../internal/x509-layout';
import { decodePem } from '../../keys/pem';
import { VOID, type Cert, type Crl, type CrlEntry, type Name } from './cert-types';
import { decodeAuthorityKeyIdentifier, decodeCrlNumber, decodeReasonCode } from './extension-values';
import { algorithm, distributionPoint, parseCertExtension, readExtensions, reasonMask, seqOf } from './parse-extensions';
import { generalNames, parseName } from './parse-names';

export * from './cert-types';
export { parseGeneralName, parseName } from './parse-names';

let idCounter = 0;

/** Parses a DER certificate. @throws MALFORMED_INPUT when the outer structure is broken. */
export function parseCert(der: Uint8Array): Cert {
  const { tbs: tbsEl, algorithm: sigAlgEl, signature } = readSigned(der, 'certificate');
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
  const spkiFields = readSpki(spkiEl.encoded);
  const spkiAlg = algorithm(spkiFields.algorithm);
  const publicKey = spkiFields.publicKey;
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

/** The issuingDistributionPoint extension value (RFC 5280 5.2.5). @throws MALFORMED_INPUT */
function decodeIdp(value: Uint8Array): NonNullable<Crl['idp']> {
  const d = seqOf(value, 'IssuingDistributionPoint');
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
  return { ...dp, onlyUser, onlyCA, onlyAttr, indirect };
}

/** The CRL extensions into their fields of `crl`; a malformed one is a problem. @throws MALFORMED_INPUT */
function readCrlExtensions(crl: Crl, extEl: DerElement): void {
  crl.extensions = readExtensions(extEl, crl.problems);
  for (const e of crl.extensions) {
    try {
      if (e.oid === VOID.cRLNumber) crl.crlNumber = toHex(decodeCrlNumber(e.value));
      else if (e.oid === VOID.deltaCRLIndicator) crl.deltaBase = toHex(decodeCrlNumber(e.value, 'deltaCRLIndicator'));
      else if (e.oid === VOID.authorityKeyIdentifier) {
        const { keyId } = decodeAuthorityKeyIdentifier(e.value);
        crl.aki = keyId ? { keyId } : {};
      } else if (e.oid === VOID.issuingDistributionPoint) crl.idp = decodeIdp(e.value);
    } catch (err) {
      if (!isEngineError(err)) throw err;
      crl.problems.push(`CRL extension ${e.oid} is malformed`);
    }
  }
}

/** Parses a DER CRL through the one TBSCertList reader (`readTbsCertList`). @throws MALFORMED_INPUT when the outer structure is broken. */
export function parseCrl(der: Uint8Array): Crl {
  const { tbs: tbsEl, algorithm: sigAlgEl, signature } = readSigned(der, 'CRL');
  const sigAlg = algorithm(sigAlgEl);
  const f = readTbsCertList(tbsEl.encoded);
  const problems: string[] = [];
  const issuer = parseName(elementOf(f.issuer), 'the CRL issuer');
  const thisUpdate = decodeTime(elementOf(f.thisUpdate), 'thisUpdate');
  const nextUpdate = f.nextUpdate ? decodeTime(elementOf(f.nextUpdate), 'nextUpdate') : undefined;
  const entries: CrlEntry[] = [];
  const crl: Crl = { der, tbs: tbsEl.encoded, sigAlg, signature, issuer, thisUpdate, nextUpdate, entries, extensions: [], problems };
  if (f.extensions) readCrlExtensions(crl, elementOf(f.extensions));
  if (!f.revoked) return crl;
  let certIssuer: Name | undefined;
  for (const e of crlEntries(f.revoked)) {
    const serial = toHex(decodeIntegerBytes(elementOf(e.serial), 'a revoked serial'));
    const revocationDate = decodeTime(elementOf(e.revocationDate), 'revocationDate');
    const entry: CrlEntry = { serial, revocationDate };
    if (e.extensions) {
      const encoded = rawOf(e.extensions);
      for (const x of readExtensions({ tag: TAG.OCTET_STRING, content: encoded, encoded }, problems)) {
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
  return crl;
}

/** Decodes PEM blocks of the given label with the engine's one PEM codec. @throws MALFORMED_INPUT */
export function pemBlocks(text: string, label: string): Uint8Array[] {
  return decodePem(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
}
