/**
 * Pre-issuance lint (SECURITY.md C7, §5): every TBSCertificate and TBSCertList is read
 * back from its encoded bytes and checked before the real signature, as Boulder does.
 * Any finding refuses issuance; the error names the rule (`pki: lint <rule>: …`). Rule
 * names follow zlint/Boulder where one exists; each maps to a checklist item.
 */
import { EngineError } from '../errors';
import { equalBytes, fromUtf8Lenient, toHex } from '../internal/bytes';
import { SIGNATURE_ALLOW_LIST } from './algorithms';
import { TAG, children, contentOf, oidToString, rawOf, readTop } from '../internal/der';
import { crlEntries, readTbsCertList, type CrlEntryFields } from '../internal/x509-layout';
import * as OID from '../internal/oids';
import { ATTRIBUTE_INFO, decodeName, nameStringProblem, type NameAttribute } from './names';
import { serialProblem } from './serial';
import { DAY } from '../internal/time';
import {
  akiKeyId,
  parseBasicConstraints,
  parseExtKeyUsage,
  parseExtensions,
  parseGeneralNames,
  parseKeyUsage,
  parseTbsCertificate,
  parseTime,
  skiValue,
  type ParsedExtension,
  type ParsedTime,
} from './x509';
import { decodeCrlNumber, decodeExtensionList, decodeReasonCode } from './validate/extension-values';

/** One lint finding: the rule's name and what is wrong. */
export interface LintFinding {
  rule: string;
  message: string;
}

/** The certificate profiles Clavis issues. */
export type CertProfile = 'root-ca' | 'sub-ca' | 'tls-server' | 'tls-client' | 'code-signing' | 'email';

/** What the lint needs to know beyond the TBS itself. */
export interface CertLintContext {
  profile: CertProfile;
  /** The outer signatureAlgorithm that will be written (must equal the TBS one). */
  outerAlgorithm: Uint8Array;
  /** The issuer's subject DER (the TBS issuer must be byte-equal). */
  issuerName: Uint8Array;
  /** The issuer's SKI (AKI must equal it). */
  issuerSki: Uint8Array;
  /** The expected SKI of the subject key (method 1). */
  subjectSki: Uint8Array;
  /** The issuer's notAfter; absent for a self-signed root. */
  issuerNotAfter?: Date;
  /** Maximum notAfter − notBefore for the profile, in days. */
  maxValidityDays: number;
  /** Public key kind, for keyUsage consistency. */
  keyKind: 'ec' | 'rsa';
}

const KNOWN_CERT_EXTENSIONS = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.cRLDistributionPoints,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.authorityInfoAccess,
]);
const LEAF_EKU: Record<string, string> = {
  'tls-server': OID.serverAuth,
  'tls-client': OID.clientAuth,
  'code-signing': OID.codeSigning,
  email: OID.emailProtection,
};
const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

function lintTime(f: LintFinding[], t: ParsedTime, field: string): void {
  if (!t.date) {
    f.push({ rule: 'e_time_not_der', message: `${field} "${t.text.slice(0, 24)}" is not YYMMDDHHMMSSZ / YYYYMMDDHHMMSSZ (whole seconds, Zulu)` });
    return;
  }
  const y = t.date.getUTCFullYear();
  if (t.tag === TAG.UTC_TIME && y >= 2050) f.push({ rule: 'e_utc_time_after_2049', message: `${field} is UTCTime in ${y}` });
  if (t.tag === TAG.GENERALIZED_TIME && y < 2050) f.push({ rule: 'e_generalized_time_before_2050', message: `${field} is GeneralizedTime in ${y}` });
}

/** Allow-listed OID with the parameters its RFC demands (ECDSA: absent; PKCS #1 v1.5: NULL). */
function lintAlgorithm(f: LintFinding[], alg: Uint8Array, rule: string): void {
  const [id, params, ...rest] = children(readTop(alg, TAG.SEQUENCE));
  const algOid = id && id.tag === TAG.OID ? oidToString(contentOf(id)) : '?';
  if (!SIGNATURE_ALLOW_LIST.has(algOid)) {
    f.push({ rule, message: `signature algorithm ${algOid}` });
    return;
  }
  const paramsOk =
    rest.length === 0 &&
    (algOid.startsWith(OID.prefixEcdsaWithSha2) ? params === undefined : algOid === OID.sha256WithRSAEncryption ? params?.tag === TAG.NULL && params.end === params.contentStart : params?.tag === TAG.SEQUENCE);
  if (!paramsOk) f.push({ rule: 'e_signature_algorithm_parameters', message: `parameters of ${algOid} are not as RFC 4055/5758 require` });
}

function lintName(f: LintFinding[], der: Uint8Array, field: 'subject' | 'issuer'): number {
  const top = readTop(der, TAG.SEQUENCE);
  for (const rdn of children(top)) {
    if (children(rdn).length !== 1) f.push({ rule: `e_${field}_multi_valued_rdn`, message: `${field} has an RDN with ${children(rdn).length} attributes` });
  }
  const entries = decodeName(der);
  for (const e of entries) {
    if (e.stringTag !== TAG.UTF8_STRING && e.stringTag !== TAG.PRINTABLE_STRING) {
      f.push({ rule: `e_${field}_string_type`, message: `${field} ${e.type} is not UTF8String or PrintableString` });
    }
    if (e.stringTag === TAG.PRINTABLE_STRING && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(e.value)) {
      f.push({ rule: `e_${field}_printable_string_badalpha`, message: `${field} ${e.type} has characters outside PrintableString` });
    }
    const info = ATTRIBUTE_INFO[e.type as NameAttribute];
    const problem = nameStringProblem(e.value, info?.max ?? 256);
    if (problem) {
      const rule = problem.startsWith('is longer') ? (e.type === 'CN' ? `e_${field}_common_name_max_length` : `e_${field}_attribute_max_length`) : `e_${field}_bad_characters`;
      f.push({ rule, message: `${field} ${e.type} ${problem}` });
    }
  }
  return entries.length;
}

function findExt(exts: ParsedExtension[], id: string): ParsedExtension | undefined {
  return exts.find((e) => e.oid === id);
}

/** Lints an encoded TBSCertificate. Returns every finding (empty when clean). */
export function lintTbsCertificate(tbs: Uint8Array, c: CertLintContext): LintFinding[] {
  const f: LintFinding[] = [];
  let p;
  try {
    p = parseTbsCertificate(tbs);
  } catch (e) {
    return [{ rule: 'e_tbs_not_der', message: e instanceof Error ? e.message : 'unparseable' }];
  }
  // C2
  if (p.version !== 2) f.push({ rule: 'e_cert_version_not_v3', message: `version field is ${p.version}, not 2 (v3)` });
  // C1
  const sp = serialProblem(p.serial);
  if (sp) f.push({ rule: 'e_serial_number_invalid', message: `serial is ${sp}` });
  if (p.serial.length < 9) f.push({ rule: 'e_serial_number_low_entropy', message: 'serial carries fewer than 64 random bits' });
  // C4
  lintAlgorithm(f, p.signatureAlgorithm, 'e_signature_algorithm_not_allowed');
  if (!equalBytes(p.signatureAlgorithm, c.outerAlgorithm)) f.push({ rule: 'e_signature_algorithm_mismatch', message: 'TBS signature algorithm differs from the outer one' });
  // Issuer chaining
  if (!equalBytes(p.issuer, c.issuerName)) f.push({ rule: 'e_issuer_name_mismatch', message: 'issuer is not byte-equal to the CA subject' });
  // C3
  lintTime(f, p.notBefore, 'notBefore');
  lintTime(f, p.notAfter, 'notAfter');
  if (p.notBefore.date && p.notAfter.date) {
    const span = p.notAfter.date.getTime() - p.notBefore.date.getTime();
    if (span <= 0) f.push({ rule: 'e_validity_inverted', message: 'notAfter is not after notBefore' });
    if (span > c.maxValidityDays * DAY) f.push({ rule: 'e_validity_too_long', message: `validity exceeds ${c.maxValidityDays} days for ${c.profile}` });
    if (c.issuerNotAfter && p.notAfter.date.getTime() > c.issuerNotAfter.getTime()) {
      f.push({ rule: 'e_validity_exceeds_issuer', message: 'notAfter is later than the issuer certificate’s notAfter' });
    }
  }
  // C8
  const subjectCount = lintName(f, p.subject, 'subject');
  // C5: extensions
  const exts = p.extensions;
  const seen = new Set<string>();
  for (const e of exts) {
    if (seen.has(e.oid)) f.push({ rule: 'e_ext_duplicate', message: `extension ${e.oid} appears twice` });
    seen.add(e.oid);
    if (e.explicitFalse) f.push({ rule: 'e_ext_critical_false_encoded', message: `extension ${e.oid} encodes critical FALSE (DEFAULT must be omitted)` });
    if (!KNOWN_CERT_EXTENSIONS.has(e.oid)) f.push({ rule: e.critical ? 'e_ext_unknown_critical' : 'e_ext_not_allow_listed', message: `extension ${e.oid}` });
  }
  const isCa = c.profile === 'root-ca' || c.profile === 'sub-ca';
  const bcExt = findExt(exts, OID.basicConstraints);
  if (!bcExt) f.push({ rule: 'e_basic_constraints_missing', message: 'basicConstraints is absent' });
  else {
    if (!bcExt.critical) f.push({ rule: 'e_basic_constraints_not_critical', message: 'basicConstraints must be critical' });
    const bc = parseBasicConstraints(bcExt.value);
    if (bc.explicitFalse) f.push({ rule: 'e_basic_constraints_ca_false_encoded', message: 'cA FALSE must be omitted (DEFAULT)' });
    if (isCa && !bc.ca) f.push({ rule: 'e_ca_basic_constraints_not_ca', message: 'a CA certificate needs cA TRUE' });
    if (!isCa && bc.ca) f.push({ rule: 'e_leaf_is_ca', message: 'a leaf certificate has cA TRUE' });
    if (!bc.ca && bc.pathLen !== undefined) f.push({ rule: 'e_path_len_without_ca', message: 'pathLenConstraint on a non-CA' });
  }
  const kuExt = findExt(exts, OID.keyUsage);
  if (!kuExt) f.push({ rule: 'e_key_usage_missing', message: 'keyUsage is absent' });
  else {
    if (!kuExt.critical) f.push({ rule: 'e_key_usage_not_critical', message: 'keyUsage should be critical' });
    const ku = parseKeyUsage(kuExt.value);
    if (ku.size === 0) f.push({ rule: 'e_key_usage_empty', message: 'no keyUsage bit is set' });
    if (isCa && (!ku.has(5) || !ku.has(6))) f.push({ rule: 'e_ca_key_usage_missing_cert_sign', message: 'a CA needs keyCertSign and cRLSign' });
    if (!isCa && (ku.has(5) || ku.has(6))) f.push({ rule: 'e_leaf_key_usage_cert_sign', message: 'a leaf has keyCertSign or cRLSign' });
    if (c.keyKind === 'ec' && (ku.has(2) || ku.has(3))) f.push({ rule: 'e_ec_key_usage_encipherment', message: 'an EC key cannot do key or data encipherment' });
    for (const b of ku) if (b > 8) f.push({ rule: 'e_key_usage_unknown_bit', message: `bit ${b}` });
  }
  const skiExt = findExt(exts, OID.subjectKeyIdentifier);
  if (!skiExt) f.push({ rule: 'e_subject_key_identifier_missing', message: 'SKI is absent' });
  else {
    if (skiExt.critical) f.push({ rule: 'e_subject_key_identifier_critical', message: 'SKI must not be critical' });
    if (!equalBytes(skiValue(skiExt.value), c.subjectSki)) f.push({ rule: 'e_subject_key_identifier_mismatch', message: 'SKI is not the SHA-1 of the subject key' });
  }
  const akiExt = findExt(exts, OID.authorityKeyIdentifier);
  if (!akiExt) f.push({ rule: 'e_authority_key_identifier_missing', message: 'AKI is absent' });
  else {
    if (akiExt.critical) f.push({ rule: 'e_authority_key_identifier_critical', message: 'AKI must not be critical' });
    const k = akiKeyId(akiExt.value);
    if (!k || !equalBytes(k, c.issuerSki)) f.push({ rule: 'e_authority_key_identifier_mismatch', message: `AKI ${k ? toHex(k) : '(none)'} is not the issuer SKI` });
  }
  const ekuExt = findExt(exts, OID.extKeyUsage);
  if (!isCa) {
    const want = LEAF_EKU[c.profile];
    if (!ekuExt) f.push({ rule: 'e_leaf_eku_missing', message: 'extKeyUsage is absent' });
    else {
      const ekus = parseExtKeyUsage(ekuExt.value);
      if (want && !ekus.includes(want)) f.push({ rule: 'e_leaf_eku_profile_mismatch', message: `extKeyUsage lacks ${want}` });
      if (ekus.includes(OID.anyExtendedKeyUsage)) f.push({ rule: 'e_eku_any_usage', message: 'anyExtendedKeyUsage is not issued' });
    }
  }
  if (!isCa && findExt(exts, OID.nameConstraints)) f.push({ rule: 'e_name_constraints_on_leaf', message: 'nameConstraints on a leaf' });
  const ncExt = findExt(exts, OID.nameConstraints);
  if (ncExt && !ncExt.critical) f.push({ rule: 'e_name_constraints_not_critical', message: 'nameConstraints must be critical' });
  const sanExt = findExt(exts, OID.subjectAltName);
  if (sanExt) {
    const gns = parseGeneralNames(sanExt.value);
    if (gns.length === 0) f.push({ rule: 'e_ext_san_empty', message: 'subjectAltName has no names' });
    if (subjectCount === 0 && !sanExt.critical) f.push({ rule: 'e_ext_san_not_critical_without_subject', message: 'SAN must be critical when the subject is empty' });
    for (const g of gns) {
      const text = fromUtf8Lenient(g.content);
      if (g.tag === 0x82 && !DNS_NAME.test(text)) f.push({ rule: 'e_san_dns_name_bad_syntax', message: `DNS name "${text.slice(0, 80)}"` });
      if (g.tag === 0x87 && g.content.length !== 4 && g.content.length !== 16) f.push({ rule: 'e_san_iana_bad_ip', message: 'iPAddress is not 4 or 16 bytes' });
      if ((g.tag === 0x81 || g.tag === 0x86) && !/^[\x21-\x7e]+$/.test(text)) f.push({ rule: 'e_san_ia5_bad_characters', message: 'rfc822Name/URI has non-printable characters' });
    }
  } else if (subjectCount === 0) {
    f.push({ rule: 'e_subject_empty_without_san', message: 'no subject and no subjectAltName' });
  }
  if (c.profile === 'tls-server' && (!sanExt || !parseGeneralNames(sanExt.value).some((g) => g.tag === 0x82 || g.tag === 0x87))) {
    f.push({ rule: 'e_tls_server_san_missing', message: 'a TLS server certificate needs a DNS or IP subjectAltName' });
  }
  return f;
}

/** Throws CERT_INVALID naming the first rule when there are findings. */
export function assertLintClean(findings: LintFinding[], what: string): void {
  const first = findings[0];
  if (!first) return;
  const more = findings.length > 1 ? ` (+${findings.length - 1} more: ${findings.slice(1, 4).map((x) => x.rule).join(', ')})` : '';
  throw new EngineError('CERT_INVALID', `pki: lint ${first.rule}: ${first.message} — the ${what} was not signed${more}`);
}

// ---------------------------------------------------------------------------------------
// CRLs (R1–R5)

/** What the CRL lint needs. */
export interface CrlLintContext {
  outerAlgorithm: Uint8Array;
  issuerName: Uint8Array;
  issuerSki: Uint8Array;
  now: Date;
  /**
   * Whether the CA issues end-entity certificates: then nextUpdate − thisUpdate is at most
   * {@link MAX_LEAF_CRL_VALIDITY_DAYS}; a CA that issues only CAs (a root) may go up to
   * {@link MAX_CA_CRL_VALIDITY_DAYS} (BR 4.9.7).
   */
  issuesLeaves: boolean;
  /** The highest CRL number already allocated before this one. */
  previousNumber?: number;
  /**
   * The entries were linted one by one when their revocations were recorded (the CRL
   * write path, issue 15: storage refuses an entry that breaks a rule below, and keeps
   * each serial once per issuer): only the header and the list's presence are checked.
   */
  entriesLinted?: boolean;
}

/** BR 4.9.7: CRLs of CAs that issue end-entity certificates: nextUpdate at most 10 days after thisUpdate. */
export const MAX_LEAF_CRL_VALIDITY_DAYS = 10;
/** BR 4.9.7: CRLs of CAs that issue only CA certificates: at most twelve months (365 days). */
export const MAX_CA_CRL_VALIDITY_DAYS = 365;

/** Reason codes Clavis may write (BR 7.2.2.1): never 0 (unspecified) or 6 (certificateHold). */
export const ALLOWED_REASONS: ReadonlySet<number> = new Set([1, 3, 4, 5, 9]);

/** Lints one revokedCertificates entry (R4), read by `readCrlEntry`; `serials` gathers the serials seen. */
function lintCrlEntry(f: LintFinding[], e: CrlEntryFields, serials: Set<string>): void {
  const serial = contentOf(e.serial);
  const sp = serialProblem(serial);
  if (sp) f.push({ rule: 'e_crl_entry_serial_invalid', message: `serial is ${sp}` });
  const hex = toHex(serial);
  if (serials.has(hex)) f.push({ rule: 'e_crl_entry_duplicate_serial', message: `serial ${hex} appears twice` });
  serials.add(hex);
  lintTime(f, parseTime(e.revocationDate), 'revocationDate');
  for (const x of e.extensions ? parseExtensions(e.extensions) : []) {
    if (x.oid === OID.reasonCode) {
      // Not a CRLReason at all (not ENUMERATED, not DER, out of range) is one more reason not allowed.
      let code: number;
      try {
        code = decodeReasonCode(x.value);
      } catch {
        code = -1;
      }
      if (!ALLOWED_REASONS.has(code)) f.push({ rule: 'e_crl_reason_code_not_allowed', message: `reason code ${code}` });
      if (x.critical) f.push({ rule: 'e_crl_reason_code_critical', message: 'reasonCode must not be critical' });
    } else if (x.oid === OID.invalidityDate) {
      const t = readTop(x.value);
      const pt = parseTime(t);
      if (t.tag !== TAG.GENERALIZED_TIME || !pt.date) f.push({ rule: 'e_crl_invalidity_date_not_generalized_time', message: 'invalidityDate must be GeneralizedTime, whole seconds' });
      if (x.critical) f.push({ rule: 'e_crl_invalidity_date_critical', message: 'invalidityDate must not be critical' });
    } else {
      f.push({ rule: x.critical ? 'e_crl_entry_unknown_critical_extension' : 'e_crl_entry_extension_not_allow_listed', message: x.oid });
    }
    if (x.explicitFalse) f.push({ rule: 'e_ext_critical_false_encoded', message: `entry extension ${x.oid} encodes critical FALSE` });
  }
}

/**
 * Lints an encoded TBSCertList, read by the one layout reader (`readTbsCertList`): a
 * field out of place or of the wrong tag is `e_crl_not_der`. Walks every entry as
 * offsets, so 100,000 entries are cheap.
 */
export function lintTbsCertList(tbs: Uint8Array, c: CrlLintContext): LintFinding[] {
  const f: LintFinding[] = [];
  try {
    const t = readTbsCertList(tbs);
    if (t.version !== 2) f.push({ rule: 'e_crl_version_not_v2', message: 'version is not 1 (v2)' });
    const alg = rawOf(t.signature);
    lintAlgorithm(f, alg, 'e_crl_signature_algorithm_not_allowed');
    if (!equalBytes(alg, c.outerAlgorithm)) f.push({ rule: 'e_crl_signature_algorithm_mismatch', message: 'TBS signature algorithm differs from the outer one' });
    if (!equalBytes(rawOf(t.issuer), c.issuerName)) f.push({ rule: 'e_crl_issuer_name_mismatch', message: 'issuer is not byte-equal to the CA subject' });
    const thisUpdate = parseTime(t.thisUpdate);
    lintTime(f, thisUpdate, 'thisUpdate');
    const nextUpdate = t.nextUpdate ? parseTime(t.nextUpdate) : undefined;
    if (nextUpdate) lintTime(f, nextUpdate, 'nextUpdate');
    else f.push({ rule: 'e_crl_next_update_missing', message: 'nextUpdate is absent' });
    if (thisUpdate.date && thisUpdate.date.getTime() > c.now.getTime()) f.push({ rule: 'e_crl_this_update_in_future', message: 'thisUpdate is after now' });
    if (thisUpdate.date && nextUpdate?.date) {
      const span = nextUpdate.date.getTime() - thisUpdate.date.getTime();
      if (span <= 0) f.push({ rule: 'e_crl_next_update_before_this_update', message: 'nextUpdate is not after thisUpdate' });
      if (c.issuesLeaves && span > MAX_LEAF_CRL_VALIDITY_DAYS * DAY) {
        f.push({ rule: 'e_crl_validity_period_too_long', message: `nextUpdate − thisUpdate exceeds ${MAX_LEAF_CRL_VALIDITY_DAYS} days for a CA that issues end-entity certificates (BR 4.9.7)` });
      }
      if (!c.issuesLeaves && span > MAX_CA_CRL_VALIDITY_DAYS * DAY) {
        f.push({ rule: 'e_ca_crl_validity_period_too_long', message: `nextUpdate − thisUpdate exceeds ${MAX_CA_CRL_VALIDITY_DAYS} days for a CA that issues only CAs (BR 4.9.7)` });
      }
    }
    if (t.revoked) {
      if (t.revoked.contentStart === t.revoked.end) f.push({ rule: 'e_crl_empty_revoked_certificates', message: 'revokedCertificates is an empty SEQUENCE (omit it)' });
      if (!c.entriesLinted) {
        const serials = new Set<string>();
        for (const e of crlEntries(t.revoked)) lintCrlEntry(f, e, serials);
      }
    }
    const exts = t.extensionList ? decodeExtensionList(t.extensionList) : [];
    const aki = findExt(exts, OID.authorityKeyIdentifier);
    if (!aki) f.push({ rule: 'e_crl_missing_authority_key_identifier', message: 'AKI is absent' });
    else {
      const k = akiKeyId(aki.value);
      if (!k || !equalBytes(k, c.issuerSki)) f.push({ rule: 'e_crl_authority_key_identifier_mismatch', message: 'AKI is not the CA SKI' });
    }
    const num = findExt(exts, OID.cRLNumber);
    if (!num) f.push({ rule: 'e_crl_missing_crl_number', message: 'cRLNumber is absent' });
    else {
      if (num.critical) f.push({ rule: 'e_crl_number_critical', message: 'cRLNumber must not be critical' });
      const n = decodeCrlNumber(num.value);
      const sp = n.length > 20 ? 'longer than 20 octets' : n[0]! & 0x80 ? 'negative' : undefined;
      if (sp) f.push({ rule: 'e_crl_number_invalid', message: `cRLNumber is ${sp}` });
      const value = [...n].reduce((a, b) => a * 256 + b, 0);
      if (c.previousNumber !== undefined && value <= c.previousNumber) f.push({ rule: 'e_crl_number_not_increasing', message: `cRLNumber ${value} does not exceed ${c.previousNumber}` });
    }
    for (const x of exts) {
      if (x.oid !== OID.authorityKeyIdentifier && x.oid !== OID.cRLNumber) f.push({ rule: x.critical ? 'e_crl_unknown_critical_extension' : 'e_crl_extension_not_allow_listed', message: x.oid });
    }
  } catch (e) {
    f.push({ rule: 'e_crl_not_der', message: e instanceof Error ? e.message : 'unparseable' });
  }
  return f;
}
