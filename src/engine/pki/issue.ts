/**
 * Issuance: the one pipeline every certificate goes through, root or leaf, vault key or
 * CSR. Order matters (SECURITY.md C1, C7, W3, W4, Boulder `ca/ca.go`):
 *   checks → serial reserved in the store → TBS encoded once → lint → sign →
 *   one transaction: serial `issued` + certificate record (+ CA record).
 * A failure after the reservation burns the serial, so it is never reused.
 *
 * Common case: `pki.issueCertificate({ caId, keyId, profile: 'tls-server', subject: { CN: 'app.test' }, sans: { dns: ['app.test'] } })`.
 */
import { mintCertId, type KeyId } from '../ids';
import { auditDraft, readAuditState, withAudit } from '../audit/store';
import { EngineError, StorageError, isEngineError } from '../errors';
import { toHex } from '../internal/bytes';
import { sha256Hex as syncSha256Hex } from '../internal/sha256';
import type { EngineContext } from '../keys/context';
import type { CaRecord, CertRecord, StoredSans } from '../storage/schema';
import type { AuditDraft } from '../audit/chain';
import { assertCertifiableKey, type SpkiInfo } from './algorithms';
import { bitString, explicit, seq, uint, uintBytes } from '../internal/der';
import {
  OID,
  authorityInfoAccess,
  authorityKeyIdentifier,
  basicConstraints,
  certificateSans,
  crlDistributionPoint,
  extKeyUsage,
  generalNames,
  keyIdentifier,
  keyUsage,
  nameConstraints,
  sanCount,
  subjectAltName,
  subjectKeyIdentifier,
  type KeyUsageName,
  type NameConstraints,
  type SubjectAltNames,
} from './extensions';
import { MAX_LEAF_CRL_VALIDITY_DAYS, assertLintClean, lintTbsCertificate, type CertProfile } from './lint';
import { decodeName, encodeName, formatName, type DistinguishedName } from './names';
import { assertWithinNameConstraints, generalNameValues } from './name-constraints';
import { newSerial } from './serial';
import { DAY, HOUR, encodeTime, wholeSeconds } from '../internal/time';
export { forgetIssuer, loadIssuer, type IssuerHandle } from './issuer';
export { CompromisedKeyError, assertCertifiable, assertKeyNotCompromised, vaultSubjectKey, type KeyRole } from './issue-checks';
export { auditRefusal, auditText } from './issue-record';
import type { IssuerHandle } from './issuer';
import { assertCertifiable, type KeyRole } from './issue-checks';
import { auditRefusal, auditText } from './issue-record';

/** Profiles a leaf can be issued with. */
export type LeafProfile = 'tls-server' | 'tls-client' | 'code-signing' | 'email';
export const LEAF_PROFILES: readonly LeafProfile[] = ['tls-server', 'tls-client', 'code-signing', 'email'];

/** Default and maximum validity per profile, in days (TLS server: BR 6.3.2, 398 days). */
export const VALIDITY_DAYS: Record<CertProfile, { default: number; max: number }> = {
  'root-ca': { default: 3650, max: 9131 },
  'sub-ca': { default: 1825, max: 9131 },
  'tls-server': { default: 397, max: 398 },
  'tls-client': { default: 365, max: 825 },
  'code-signing': { default: 365, max: 1185 },
  email: { default: 365, max: 825 },
};

/** notBefore is backdated so a client with a slow clock still accepts the certificate (C3). */
export const BACKDATE_MS = HOUR;

/** One certificate to make. */
export interface CertSpec {
  profile: CertProfile;
  subject: DistinguishedName;
  sans?: SubjectAltNames;
  spki: SpkiInfo;
  keyRole: KeyRole;
  validityDays?: number;
  notAfter?: Date;
  /** sub-ca/root-ca only. */
  pathLen?: number;
  nameConstraints?: NameConstraints;
  keyId?: KeyId;
  source: CertRecord['source'];
  /** For CA certificates: the CA record to create with it (ids filled in here). */
  ca?: Omit<CaRecord, 'certId' | 'ski' | 'notBefore' | 'notAfter' | 'subject' | 'createdAt' | 'pathLen'>;
}

/** What issuance returns. */
export interface IssueOutcome {
  cert: CertRecord;
  ca?: CaRecord;
  /** True when notAfter was cut to the issuer's notAfter (a leaf never outlives its issuer). */
  truncated: boolean;
}

/** Hex SHA-256. */
export async function sha256Hex(ctx: EngineContext, data: Uint8Array): Promise<string> {
  return toHex(await ctx.subtle.digest('SHA-256', data.slice()));
}

function keyUsageFor(profile: CertProfile, role: KeyRole, kind: 'ec' | 'rsa'): KeyUsageName[] {
  if (profile === 'root-ca' || profile === 'sub-ca') {
    if (role !== 'sign' && role !== 'any') throw new EngineError('INVALID_ARGUMENT', 'pki: a CA needs a signing key');
    return ['keyCertSign', 'cRLSign'];
  }
  const refuse = () => new EngineError('INVALID_ARGUMENT', `pki: a ${role === 'agree' ? 'key-agreement' : 'encryption'} key cannot get a ${profile} certificate`);
  switch (role) {
    case 'agree':
      if (profile === 'code-signing') throw refuse();
      return ['keyAgreement'];
    case 'encrypt':
      if (profile !== 'tls-server' && profile !== 'email') throw refuse();
      return ['keyEncipherment'];
    default:
      // RSA TLS servers and S/MIME also decrypt key transport; EC keys never encipher (C5).
      return kind === 'rsa' && (profile === 'tls-server' || profile === 'email') ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  }
}

const EKU: Record<LeafProfile, string> = {
  'tls-server': OID.serverAuth,
  'tls-client': OID.clientAuth,
  'code-signing': OID.codeSigning,
  email: OID.emailProtection,
};

function validity(ctx: EngineContext, spec: CertSpec, issuer: IssuerHandle): { notBefore: Date; notAfter: Date; truncated: boolean } {
  const policy = VALIDITY_DAYS[spec.profile];
  const now = wholeSeconds(ctx.clock.now());
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  let notAfter: Date;
  if (spec.notAfter !== undefined) {
    notAfter = wholeSeconds(spec.notAfter);
    if (!Number.isFinite(notAfter.getTime())) throw new EngineError('INVALID_ARGUMENT', 'pki: notAfter is not a date');
  } else {
    const days = spec.validityDays ?? policy.default;
    if (!Number.isInteger(days) || days < 1) throw new EngineError('INVALID_ARGUMENT', 'pki: validity must be a whole number of days, at least 1');
    notAfter = new Date(now.getTime() + days * DAY);
  }
  if (notAfter.getTime() - notBefore.getTime() > policy.max * DAY) {
    if (spec.notAfter !== undefined || (spec.validityDays ?? 0) > policy.max) {
      throw new EngineError('INVALID_ARGUMENT', `pki: a ${spec.profile} certificate may be valid for at most ${policy.max} days`);
    }
    notAfter = new Date(notBefore.getTime() + policy.max * DAY);
  }
  let truncated = false;
  if (issuer.notAfter && notAfter.getTime() > issuer.notAfter.getTime()) {
    notAfter = wholeSeconds(issuer.notAfter);
    truncated = true;
  }
  if (notAfter.getTime() <= now.getTime()) throw new EngineError('INVALID_ARGUMENT', 'pki: the certificate would already be expired (is the issuer about to expire?)');
  return { notBefore, notAfter, truncated };
}

/** Encodes TBSCertificate (v3). */
export function encodeTbsCertificate(t: {
  serial: Uint8Array;
  algorithm: Uint8Array;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  spki: Uint8Array;
  extensions: Uint8Array[];
}): Uint8Array<ArrayBuffer> {
  return seq(
    explicit(0, uint(2)),
    uintBytes(t.serial),
    t.algorithm,
    t.issuer,
    seq(encodeTime(t.notBefore), encodeTime(t.notAfter)),
    t.subject,
    t.spki,
    explicit(3, seq(...t.extensions)),
  );
}

/** `SEQUENCE { tbs, algorithm, BIT STRING signature }`, built from the exact TBS bytes (no re-encode). */
export function assembleSigned(tbs: Uint8Array, algorithm: Uint8Array, signature: Uint8Array): Uint8Array<ArrayBuffer> {
  return seq(tbs, algorithm, bitString(signature));
}

function isConstraintError(e: unknown): boolean {
  const cause = e instanceof StorageError ? (e.cause as { name?: string } | undefined) : undefined;
  return cause?.name === 'ConstraintError';
}

/**
 * A certificate checked and laid out, waiting for its serial: everything of the pipeline
 * before the reservation (checks, names, validity, extensions). Issuance and bulk
 * issuance share it, so a bulk job refuses exactly what a single issuance refuses.
 */
export interface PreparedCert {
  spec: CertSpec;
  isCa: boolean;
  kind: 'ec' | 'rsa';
  subjectDer: Uint8Array;
  subjectDisplay: string;
  sans: StoredSans;
  spkiSha256: string;
  pathLen?: number;
  notBefore: Date;
  notAfter: Date;
  truncated: boolean;
  ski: Uint8Array;
  issuerSki: Uint8Array;
  issuerName: Uint8Array;
  extensions: Uint8Array[];
}

/**
 * The checks and layout of one certificate (every refusal before a serial is reserved).
 * `storeChecks: false` leaves out the C6 store reads, for a caller that made them itself.
 */
export async function prepareCert(ctx: EngineContext, issuer: IssuerHandle, spec: CertSpec, opts: { storeChecks?: boolean } = {}): Promise<PreparedCert> {
  const isCa = spec.profile === 'root-ca' || spec.profile === 'sub-ca';
  const kind = spec.spki.type.kind;
  if (kind !== 'ec' && kind !== 'rsa') throw new EngineError('UNSUPPORTED', 'pki: unsupported subject key');
  assertCertifiableKey(spec.spki.type);
  const subjectDer = encodeName(spec.subject, 'subject');
  const subjectDisplay = formatName(decodeName(subjectDer));
  // BR 7.1.4.3: a TLS server's CN is added to the SAN when it is a host name or IP (the issue form previews the same function).
  const { sans } = certificateSans(spec.profile, spec.subject.CN, spec.sans);
  if (!isCa && issuer.caOnly) {
    throw new EngineError('INVALID_ARGUMENT', `pki: CA "${issuer.display}" publishes CRLs valid for more than ${MAX_LEAF_CRL_VALIDITY_DAYS} days, so it issues only CA certificates (BR 4.9.7)`);
  }
  if (isCa && sanCount(sans) > 0) throw new EngineError('INVALID_ARGUMENT', 'pki: CA certificates carry no subjectAltName in Clavis');
  // RFC 5280 §4.2.1.10: refuse, before any serial is reserved or anything signed, names
  // outside a permitted subtree or inside an excluded one of any CA above.
  if (spec.profile !== 'root-ca' && issuer.nameConstraints?.length) {
    assertWithinNameConstraints(issuer.nameConstraints, { subject: subjectDer, sans: generalNameValues(generalNames(sans)) });
  }
  // Synchronous SHA-256 (no thread hop); the SHA-1 key identifier is computed while the store is checked.
  const spkiSha256 = syncSha256Hex(spec.spki.der);
  const skiP = keyIdentifier(ctx.subtle, spec.spki.subjectPublicKey);
  skiP.catch(() => undefined);

  if (opts.storeChecks !== false) await assertCertifiable(ctx, spkiSha256, isCa);
  let pathLen = spec.pathLen;
  if (spec.profile === 'sub-ca' && issuer.pathLen !== undefined) {
    if (issuer.pathLen === 0) throw new EngineError('INVALID_ARGUMENT', `pki: CA "${issuer.display}" has pathLen 0 and cannot issue intermediate CAs`);
    pathLen = Math.min(pathLen ?? issuer.pathLen - 1, issuer.pathLen - 1);
  }
  if (pathLen !== undefined && (!Number.isInteger(pathLen) || pathLen < 0 || pathLen > 16)) throw new EngineError('INVALID_ARGUMENT', 'pki: pathLen must be a whole number 0–16');

  const { notBefore, notAfter, truncated } = validity(ctx, spec, issuer);
  const ski = await skiP;
  const issuerSki = spec.profile === 'root-ca' ? ski : issuer.ski;
  const issuerName = spec.profile === 'root-ca' ? subjectDer : issuer.name;

  const extensions: Uint8Array[] = [basicConstraints(isCa, isCa ? pathLen : undefined), keyUsage(keyUsageFor(spec.profile, spec.keyRole, kind))];
  if (!isCa) extensions.push(extKeyUsage([EKU[spec.profile as LeafProfile]]));
  extensions.push(subjectKeyIdentifier(ski), authorityKeyIdentifier(issuerSki));
  if (sanCount(sans) > 0) extensions.push(subjectAltName(sans, false));
  if (spec.profile === 'sub-ca') {
    const nc = nameConstraints(spec.nameConstraints);
    if (nc) extensions.push(nc);
  } else if (spec.nameConstraints) throw new EngineError('INVALID_ARGUMENT', 'pki: name constraints belong on intermediate CAs only');
  if (spec.profile !== 'root-ca') {
    if (issuer.crlUrl) extensions.push(crlDistributionPoint(issuer.crlUrl));
    if (issuer.caIssuersUrl) extensions.push(authorityInfoAccess(issuer.caIssuersUrl));
  }
  const out: PreparedCert = {
    spec, isCa, kind, subjectDer, subjectDisplay, sans: sans as StoredSans, spkiSha256, notBefore, notAfter, truncated, ski, issuerSki, issuerName, extensions,
  };
  if (pathLen !== undefined) out.pathLen = pathLen;
  return out;
}

/** C7 then signing: the TBS encoded once with its serial, linted, signed; returns the certificate DER. */
export async function encodeLintSign(issuer: IssuerHandle, p: PreparedCert, serial: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const tbs = encodeTbsCertificate({
    serial,
    algorithm: issuer.signer.algorithm,
    issuer: p.issuerName,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    subject: p.subjectDer,
    spki: p.spec.spki.der,
    extensions: p.extensions,
  });
  // C7: lint the exact bytes that will be signed.
  const lintCtx = {
    profile: p.spec.profile,
    outerAlgorithm: issuer.signer.algorithm,
    issuerName: p.issuerName,
    issuerSki: p.issuerSki,
    subjectSki: p.ski,
    maxValidityDays: VALIDITY_DAYS[p.spec.profile].max,
    keyKind: p.kind,
    ...(issuer.notAfter ? { issuerNotAfter: issuer.notAfter } : {}),
  };
  assertLintClean(lintTbsCertificate(tbs, lintCtx), 'certificate');
  return assembleSigned(tbs, issuer.signer.algorithm, await issuer.signer.sign(tbs));
}

/** The stored record of a signed certificate. */
export async function certRecordOf(ctx: EngineContext, issuer: IssuerHandle, p: PreparedCert, serialHex: string, der: Uint8Array<ArrayBuffer>, nowIso: string): Promise<CertRecord> {
  const cert: CertRecord = {
    id: mintCertId(ctx.random),
    issuerId: issuer.id,
    serialHex,
    profile: p.spec.profile,
    subject: p.subjectDisplay,
    issuer: p.spec.profile === 'root-ca' ? p.subjectDisplay : issuer.display,
    sans: p.sans,
    notBefore: p.notBefore.toISOString(),
    notAfter: p.notAfter.toISOString(),
    source: p.spec.source,
    spkiSha256: p.spkiSha256,
    // Synchronous SHA-256: a bulk job fingerprints thousands of certificates without a thread hop each.
    sha256: syncSha256Hex(der),
    truncated: p.truncated,
    der,
    createdAt: nowIso,
  };
  if (p.spec.keyId) cert.keyId = p.spec.keyId;
  return cert;
}

/** The `cert.issue` audit draft of a certificate (facts only, never the request's bytes). */
export function issueDraft(ctx: EngineContext, cert: CertRecord, p: PreparedCert): AuditDraft {
  const details: AuditDraft['details'] = {
    issuerId: cert.issuerId,
    serial: cert.serialHex,
    profile: cert.profile,
    sha256: cert.sha256,
    spkiSha256: cert.spkiSha256,
    ski: toHex(p.ski),
    source: cert.source,
    notAfter: cert.notAfter,
    lint: 'clean',
  };
  const description = auditText(p.subjectDisplay);
  if (description !== undefined) details.description = description;
  if (p.spec.keyId) details.keyId = p.spec.keyId;
  return auditDraft(ctx, 'cert.issue', [cert.id], details);
}

/** Runs the issuance pipeline. See the module comment for the order of steps. */
export async function issue(ctx: EngineContext, issuer: IssuerHandle, spec: CertSpec): Promise<IssueOutcome> {
  const p = await prepareCert(ctx, issuer, spec);

  // C1: reserve the serial before anything is signed; a collision is refused, not retried.
  const serial = newSerial(ctx.random);
  const nowIso = new Date(wholeSeconds(ctx.clock.now())).toISOString();
  try {
    await ctx.storage.reserveSerial(issuer.id, serial.hex, nowIso);
  } catch (e) {
    if (isConstraintError(e)) throw new EngineError('CERT_INVALID', 'pki: serial number collision for this issuer; nothing was issued', { cause: e });
    throw e;
  }
  // The audit head and key are read while the certificate is signed.
  const ahead = readAuditState(ctx);
  try {
    const der = await encodeLintSign(issuer, p, serial.bytes);
    const cert = await certRecordOf(ctx, issuer, p, serial.hex, der, nowIso);
    const certId = cert.id;
    let ca: CaRecord | undefined;
    if (spec.ca) {
      ca = { ...spec.ca, certId, subject: p.subjectDisplay, ski: toHex(p.ski), notBefore: cert.notBefore, notAfter: cert.notAfter, createdAt: nowIso };
      if (p.pathLen !== undefined) ca.pathLen = p.pathLen;
      cert.caId = ca.id;
    }
    // W4/A4: serial `issued`, certificate record (+ CA record) and the audit entries in ONE transaction.
    const drafts = [issueDraft(ctx, cert, p)];
    if (ca) drafts.push(auditDraft(ctx, 'ca.create', [ca.id, certId], { caId: ca.id, certId, kind: ca.kind, keyId: ca.keyId, ...(ca.parentId ? { parentId: ca.parentId } : {}), ski: ca.ski }));
    await withAudit(ctx, async () => ({ drafts, commit: (audit) => ctx.storage.commitIssuance(cert, ca, audit) }), ahead);
    return ca ? { cert, ca, truncated: p.truncated } : { cert, truncated: p.truncated };
  } catch (e) {
    // Burn the serial: it was reserved and may have been signed into something; never reuse it.
    await ctx.storage.burnSerial(issuer.id, serial.hex).catch(() => undefined);
    // C7/A2: a refused issuance is audited (rule and code, never the request's bytes).
    await auditRefusal(ctx, issuer.id, serial.hex, spec.profile, e).catch(() => undefined);
    if (isEngineError(e)) throw e;
    throw new EngineError('CERT_INVALID', 'pki: issuance failed', { cause: e });
  }
}