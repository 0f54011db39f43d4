/**
 * Issuance: the one pipeline every certificate goes through, root or leaf, vault key or
 * CSR. Order matters (SECURITY.md C1, C7, W3, W4, Boulder `ca/ca.go`):
 *   checks → serial reserved in the store → TBS encoded once → lint → sign →
 *   one transaction: serial `issued` + certificate record (+ CA record).
 * A failure after the reservation burns the serial, so it is never reused.
 *
 * Common case: `pki.issueCertificate({ caId, keyId, profile: 'tls-server', subject: { CN: 'app.test' }, sans: { dns: ['app.test'] } })`.
 */
import { assertNoSecrets } from '../audit/no-secrets';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, KeyStateError, StorageError, isEngineError, toErrorInfo } from '../errors';
import { toHex } from '../internal/bytes';
import { randomId } from '../internal/random';
import type { EngineContext } from '../keys/context';
import { destroyedKeyError, loadKey } from '../keys/vault';
import { isDestroyedState } from '../lifecycle/states';
import { assertCrlSigningAllowed, assertOperationAllowed } from '../lifecycle/gates';
import type { CaRecord, CertRecord, StoredSans } from '../storage/schema';
import type { AuditDraft } from '../audit/chain';
import { assertCertifiableKey, createSigner, parseSpki, type Signer, type SpkiInfo } from './algorithms';
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
import { assertWithinNameConstraints, caLabel, generalNameValues, parseNameConstraints, type LabelledConstraints } from './name-constraints';
import { newSerial } from './serial';
import { DAY, HOUR, encodeTime, wholeSeconds } from '../internal/time';
import { parseBasicConstraints, parseCertificate, skiValue } from './x509';

/** Profiles a leaf can be issued with. */
export type LeafProfile = 'tls-server' | 'tls-client' | 'code-signing' | 'email';
export const LEAF_PROFILES: readonly LeafProfile[] = ['tls-server', 'tls-client', 'code-signing', 'email'];

/** What the subject key may do, which decides keyUsage (C5). */
export type KeyRole = 'sign' | 'encrypt' | 'agree' | 'any';

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

/** Who signs: a CA from the store, or (for a root) the new CA itself. */
export interface IssuerHandle {
  id: string;
  name: Uint8Array;
  display: string;
  ski: Uint8Array;
  notAfter?: Date;
  pathLen?: number;
  signer: Signer;
  crlUrl?: string;
  caIssuersUrl?: string;
  /** True when the CA's CRLs last longer than 10 days: it issues only CAs (BR 4.9.7). */
  caOnly?: boolean;
  /** Name constraints of this CA and every CA above it (RFC 5280 §4.2.1.10). */
  nameConstraints?: LabelledConstraints[];
}

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
  keyId?: string;
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

/**
 * What issuing needs from a CA that never changes while its record stays the same: its
 * certificate (immutable DER), the parsed chain above it (names, constraints, the links
 * whose revocation must be checked) and a signer over its non-extractable key.
 */
interface CachedIssuer {
  /** The CA record this was built from (JSON): any change of the CA's own record rebuilds it. */
  caJson: string;
  cert: CertRecord;
  /** Each certificate link above the CA: (parent CA, serial) to look up in the revocation index. */
  links: Array<{ parentId: string; serialHex: string; name: string }>;
  constraints: LabelledConstraints[];
  name: Uint8Array;
  ski: Uint8Array;
  pathLen?: number;
  signer: Signer;
}

/**
 * The issuer cache, per storage (so per engine and per database). Only facts that cannot
 * change under an unchanged CA record are kept; every use re-reads the CA record (a change
 * there, in this tab or another, rebuilds the entry), the CA key's lifecycle state and the
 * revocation of every certificate above, so a revocation, a suspended CA key or a CA
 * edited in another tab is seen at once without any message between tabs.
 */
const issuerCache = new WeakMap<object, Map<string, CachedIssuer>>();

/** Drops a CA's cached issuer (after a change of the CA; the next issuance rebuilds it). */
export function forgetIssuer(ctx: Pick<EngineContext, 'storage'>, caId: string): void {
  issuerCache.get(ctx.storage)?.delete(caId);
}

/** Loads a CA as an issuer, refusing expired, revoked or unusable CAs. */
export async function loadIssuer(
  ctx: EngineContext,
  caId: string,
  opts: { forCrl?: boolean } = {},
): Promise<{ handle: IssuerHandle; ca: CaRecord; cert: CertRecord }> {
  if (typeof caId !== 'string' || !caId) throw new EngineError('INVALID_ARGUMENT', 'pki: a CA id is required');
  const ca = await ctx.storage.getCa(caId);
  if (!ca) throw new EngineError('INVALID_ARGUMENT', 'pki: no CA with that id');
  if (!opts.forCrl) {
    const cached = issuerCache.get(ctx.storage)?.get(caId);
    if (cached && cached.caJson === JSON.stringify(ca)) return fromCache(ctx, ca, cached);
  }
  const cert = await ctx.storage.getCert(ca.certId);
  if (!cert) throw new EngineError('STORAGE', 'pki: the CA certificate is missing from the store');
  const now = ctx.clock.now();
  if (now >= Date.parse(ca.notAfter)) throw new EngineError('CERT_INVALID', `pki: the CA "${ca.name}" has expired`);
  // A CA whose certificate (or any ancestor's) is revoked must not issue (R8). The same
  // walk collects the name constraints of every CA above what will be issued.
  const constraints: LabelledConstraints[] = [];
  const links: CachedIssuer['links'] = [];
  // A revoked CA still publishes its CRL (its leaves' revocations stay visible).
  let walk: CaRecord | undefined = opts.forCrl ? undefined : ca;
  let walkCert: CertRecord | undefined = cert;
  for (let guard = 0; walk && walkCert && guard < 32; guard++) {
    const walkParts = parseCertificate(walkCert.der).parts;
    const nc = walkParts.extensions.find((e) => e.oid === OID.nameConstraints);
    if (nc) constraints.push({ label: caLabel(walkParts.subject), constraints: parseNameConstraints(nc.value) });
    if (!walk.parentId) break;
    links.push({ parentId: walk.parentId, serialHex: walkCert.serialHex, name: walk.name });
    if (await ctx.storage.getRevocation(walk.parentId, walkCert.serialHex)) {
      throw new EngineError('CERT_REVOKED', `pki: the certificate of CA "${walk.name}" is revoked`);
    }
    walk = await ctx.storage.getCa(walk.parentId);
    walkCert = walk ? await ctx.storage.getCert(walk.certId) : undefined;
  }
  const key = await loadKey(ctx, ca.keyId);
  // B2: the CA key signs certificates only when its lifecycle allows it (active, within
  // its dates); CRLs also after deactivation, until process-stop (K3).
  try {
    if (opts.forCrl) assertCrlSigningAllowed(key.info, now);
    else assertOperationAllowed(key.info, 'sign', now);
  } catch (e) {
    if (e instanceof KeyStateError) throw new KeyStateError(`pki: CA "${ca.name}" cannot sign: ${e.message}`, { cause: e });
    throw e;
  }
  if (!key.material.privateKey) throw new EngineError('KEY_STATE', 'pki: the CA key has no private half');
  const signer = await createSigner(ctx, key.material.privateKey);
  const parsed = parseCertificate(cert.der).parts;
  const skiExt = parsed.extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
  const bc = parsed.extensions.find((e) => e.oid === OID.basicConstraints);
  const pathLen = bc ? parseBasicConstraints(bc.value).pathLen : undefined;
  const handle: IssuerHandle = {
    id: ca.id,
    name: parsed.subject,
    display: cert.subject,
    ski: skiExt ? skiValue(skiExt.value) : new Uint8Array(0),
    notAfter: new Date(ca.notAfter),
    signer,
  };
  if (pathLen !== undefined) handle.pathLen = pathLen;
  if (constraints.length) handle.nameConstraints = constraints;
  if (ca.crlValidityDays > MAX_LEAF_CRL_VALIDITY_DAYS) handle.caOnly = true;
  if (ca.crlUrl) handle.crlUrl = ca.crlUrl;
  if (ca.caIssuersUrl) handle.caIssuersUrl = ca.caIssuersUrl;
  if (!opts.forCrl) {
    let perStorage = issuerCache.get(ctx.storage);
    if (!perStorage) issuerCache.set(ctx.storage, (perStorage = new Map()));
    const entry: CachedIssuer = { caJson: JSON.stringify(ca), cert, links, constraints, name: parsed.subject, ski: handle.ski, signer };
    if (pathLen !== undefined) entry.pathLen = pathLen;
    perStorage.set(ca.id, entry);
  }
  return { handle, ca, cert };
}

/** loadIssuer from the cache: the same refusals, with only the reads that can change the answer. */
async function fromCache(ctx: EngineContext, ca: CaRecord, c: CachedIssuer): Promise<{ handle: IssuerHandle; ca: CaRecord; cert: CertRecord }> {
  const now = ctx.clock.now();
  if (now >= Date.parse(ca.notAfter)) throw new EngineError('CERT_INVALID', `pki: the CA "${ca.name}" has expired`);
  const [info, ...revoked] = await Promise.all([ctx.storage.getKeyInfo(ca.keyId), ...c.links.map((l) => ctx.storage.getRevocation(l.parentId, l.serialHex))]);
  const hit = revoked.findIndex((r) => r !== undefined);
  if (hit >= 0) throw new EngineError('CERT_REVOKED', `pki: the certificate of CA "${c.links[hit]!.name}" is revoked`);
  if (!info) throw new EngineError('KEY_NOT_FOUND', 'keys: no key with that id is in the vault');
  if (isDestroyedState(info.state)) throw destroyedKeyError(info);
  try {
    assertOperationAllowed(info, 'sign', now);
  } catch (e) {
    if (e instanceof KeyStateError) throw new KeyStateError(`pki: CA "${ca.name}" cannot sign: ${e.message}`, { cause: e });
    throw e;
  }
  const handle: IssuerHandle = { id: ca.id, name: c.name, display: c.cert.subject, ski: c.ski, notAfter: new Date(ca.notAfter), signer: c.signer };
  if (c.pathLen !== undefined) handle.pathLen = c.pathLen;
  if (c.constraints.length) handle.nameConstraints = c.constraints;
  if (ca.crlValidityDays > MAX_LEAF_CRL_VALIDITY_DAYS) handle.caOnly = true;
  if (ca.crlUrl) handle.crlUrl = ca.crlUrl;
  if (ca.caIssuersUrl) handle.caIssuersUrl = ca.caIssuersUrl;
  return { handle, ca, cert: c.cert };
}

/**
 * The public key was revoked for key compromise, or its vault key is compromised: it can
 * never be certified again (C6, Boulder `goodkey`). Code KEY_STATE.
 */
export class CompromisedKeyError extends KeyStateError {
  constructor(message: string) {
    super(message);
    this.name = 'CompromisedKeyError';
  }
}

const COMPROMISED_STATES: readonly string[] = ['compromised', 'destroyed-compromised'];

/**
 * Refuses a public key (by SPKI SHA-256) that a certificate revocation for keyCompromise
 * named (the revocations' `bySpki` index), or whose vault key is compromised.
 * @throws CompromisedKeyError
 */
export async function assertKeyNotCompromised(ctx: EngineContext, spkiSha256: string): Promise<void> {
  const revs = await ctx.storage.listRevocationsBySpki(spkiSha256);
  if (revs.some((r) => r.reason === 1)) {
    throw new CompromisedKeyError('pki: this public key was revoked for key compromise and can never be certified again; make a new key');
  }
  // The `byFingerprint` index: only the vault keys with this fingerprint, never the whole vault.
  const keys = await ctx.storage.listKeysByFingerprint(spkiSha256);
  if (keys.some((k) => k.fingerprint.kind === 'spki-sha256' && k.fingerprint.value === spkiSha256 && COMPROMISED_STATES.includes(k.state))) {
    throw new CompromisedKeyError('pki: this public key belongs to a vault key marked compromised and can never be certified again; make a new key');
  }
}

/** Subject-key facts for a vault key. @throws KEY_NOT_FOUND, UNSUPPORTED, KEY_STATE */
export async function vaultSubjectKey(ctx: EngineContext, keyId: string): Promise<{ spki: SpkiInfo; role: KeyRole }> {
  const key = await loadKey(ctx, keyId);
  if (!key.material.publicKey) throw new EngineError('KEY_STATE', 'pki: only key pairs can be certified');
  if (COMPROMISED_STATES.includes(key.info.state)) throw new CompromisedKeyError('pki: the key is compromised and can never be certified again; make a new key');
  if (key.info.state !== 'active') throw new EngineError('KEY_STATE', `pki: the key is ${key.info.state}, not active`);
  const family = key.template.family;
  const role: KeyRole | undefined =
    family === 'ecdsa' || family === 'rsa-pss' || family === 'rsa-pkcs1' ? 'sign' : family === 'rsa-oaep' ? 'encrypt' : family === 'ecdh' ? 'agree' : undefined;
  // Ed25519, X25519 and the post-quantum keys cannot be certified with pkijs (M5, P11).
  if (!role) throw new EngineError('UNSUPPORTED', `pki: Clavis cannot issue certificates for ${key.template.label} keys`);
  const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', key.material.publicKey)));
  assertCertifiableKey(spki.type);
  return { spki, role };
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
  const spkiSha256 = await sha256Hex(ctx, spec.spki.der);

  if (opts.storeChecks !== false) await assertCertifiable(ctx, spkiSha256, isCa);
  let pathLen = spec.pathLen;
  if (spec.profile === 'sub-ca' && issuer.pathLen !== undefined) {
    if (issuer.pathLen === 0) throw new EngineError('INVALID_ARGUMENT', `pki: CA "${issuer.display}" has pathLen 0 and cannot issue intermediate CAs`);
    pathLen = Math.min(pathLen ?? issuer.pathLen - 1, issuer.pathLen - 1);
  }
  if (pathLen !== undefined && (!Number.isInteger(pathLen) || pathLen < 0 || pathLen > 16)) throw new EngineError('INVALID_ARGUMENT', 'pki: pathLen must be a whole number 0–16');

  const { notBefore, notAfter, truncated } = validity(ctx, spec, issuer);
  const ski = await keyIdentifier(ctx.subtle, spec.spki.subjectPublicKey);
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

/** C6: never certify a key reported compromised, or a CA's key as a leaf. */
export async function assertCertifiable(ctx: EngineContext, spkiSha256: string, isCa: boolean): Promise<void> {
  await assertKeyNotCompromised(ctx, spkiSha256);
  if (!isCa) {
    const others = await ctx.storage.listCertsBySpki(spkiSha256);
    if (others.some((c) => c.caId !== undefined)) throw new EngineError('INVALID_ARGUMENT', 'pki: a CA key cannot also get a leaf certificate');
  }
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
    id: randomId(ctx.random, 'cert'),
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
    sha256: await sha256Hex(ctx, der),
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
    await withAudit(ctx, async () => ({ drafts, commit: (audit) => ctx.storage.commitIssuance(cert, ca, audit) }));
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

/** Text for an audit entry when the secrets guard accepts it (a subject is never a secret, but may look like a blob). */
export function auditText(text: string): string | undefined {
  try {
    assertNoSecrets({ description: text });
    return text;
  } catch {
    return undefined;
  }
}

/** Audits a refused issuance (C7/A2): rule and code, never the request's bytes. */
export async function auditRefusal(ctx: EngineContext, issuerId: string, serialHex: string, profile: string, e: unknown): Promise<void> {
  const info = toErrorInfo(e);
  const rule = /^pki: lint ([\w.-]+):/.exec(info.message)?.[1];
  const details: AuditDraft['details'] = { issuerId, serial: serialHex, profile, code: info.code };
  if (rule) details.rule = rule;
  const message = auditText(info.message);
  if (message !== undefined) details.message = message;
  await withAudit(ctx, async () => ({
    drafts: [auditDraft(ctx, 'cert.refused', [issuerId], details)],
    commit: (audit) => ctx.storage.commitAudited(audit),
  }));
}
