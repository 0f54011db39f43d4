/**
 * The Clavis certificate authority: the only module that imports pkijs and asn1js, and
 * loaded lazily by the app (`const { createPki } = await import('./pki')`) because pkijs
 * weighs ~400 kB (SECURITY.md P13). `createPki(ctx)` returns the CA's verbs over the
 * engine's context; CA keys are vault keys, non-extractable.
 *
 * Common case:
 * ```ts
 * const pki = createPki(ctx);
 * const root = await pki.createRootCa({ name: 'Dev root', subject: { CN: 'Dev Root CA' } });
 * const { pem } = await pki.issueCertificate({ caId: root.ca.id, keyId, profile: 'tls-server', subject: { CN: 'app.test' } });
 * await pki.revokeCertificate(certId, { reason: 'keyCompromise' });   // rebuilds the CRL
 * const result = await pki.verifyCertificate(certId, { usage: 'tls-server' });
 * ```
 * Every verb throws `EngineError` with a code; lint refusals are `CERT_INVALID` with
 * "pki: lint <rule>: …".
 */
import { assertExportPassphrase } from '../keys/pkcs8-encrypted';
import { loadKey, type LoadedKey } from '../keys/vault';
import { buildPkcs12, friendlyNameOf } from './pkcs12';
import { certsOnlyPkcs7 } from './bundle';
import type { AuditDraft } from '../audit/chain';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, toErrorInfo } from '../errors';
import { prepareCompromise } from '../lifecycle/engine';
import type { KeyInfo } from '../types';
import type { EngineContext } from '../keys/context';
import type { CertRecord, RevocationRecord } from '../storage/schema';
import { createIntermediateCa, createRootCa, type CreateCaParams, type CreateIntermediateParams } from './ca';
import { REASON_NAMES, REVOCATION_REASONS, crlsDue, publishCrl, rebuildStaleCrls, type PublishCrlOptions, type RevocationReason } from './crl';
import { UNSPECIFIED_REASON } from './crl-codec';
import { createCsr, readCsr, type CreateCsrParams, type CsrInfo } from './csr';
import { fromPemOrDer, toPem } from '../keys/pem';
import type { SubjectAltNames } from './extensions';
import { LEAF_PROFILES, issue, loadIssuer, vaultSubjectKey, type LeafProfile } from './issue';
import { decodeName, toDistinguishedName, type DistinguishedName } from './names';
import { parseSpki } from './algorithms';
import { wholeSeconds } from '../internal/time';
import type { CaInfo, CertInfo, CrlInfo, IssueResult, VerifyResult } from './types';
import { verifyChain, type VerifyChainParams } from './verify';
import { issueBulk, parseBulkCsv, type BulkProgress, type BulkRow } from './bulk';
import { describeCertificateDer, type CertificateDetails, type CrlEntry } from './describe';
import { latestCrlIndex, latestParsedCrl } from './crl-index';
import { importTrustMaterial, listImported, readTrustMaterial, removeImported, setImportedTrust, type ImportOutcome, type ImportedCertInfo, type ImportedCrlInfo } from './imported';
import type { ProfileName, RevocationMode, PeerName, Purpose } from './validate/index';
import { parseCert } from './validate/parse';

export type { CaInfo, CertInfo, CrlInfo, IssueResult, VerifyResult, VerifyStep, LintFinding } from './types';
export type { CreateCaParams, CreateIntermediateParams, CaKeyTemplate } from './ca';
export { CA_KEY_TEMPLATES } from './ca';
export type { CreateCsrParams, CsrInfo } from './csr';
export type { DistinguishedName } from './names';
export type { NameConstraints, NameSubtrees, SubjectAltNames } from './extensions';
export type { LeafProfile } from './issue';
export { LEAF_PROFILES, VALIDITY_DAYS } from './issue';
export type { PublishCrlOptions, RevocationReason } from './crl';
export { REVOCATION_REASONS } from './crl';
export type { VerifyChainParams } from './verify';
export type { BulkProgress, BulkRow } from './bulk';
export { BULK_CSV_COLUMNS, MAX_BULK_ROWS } from './bulk';
export type { Asn1Node, CertificateDetails, CrlEntry, DecodedExtension } from './describe';
export type { ImportOutcome, ImportedCertInfo, ImportedCrlInfo, TrustMaterial } from './imported';
export { MAX_IMPORT_BYTES, MAX_IMPORT_ITEMS } from './imported';
export type { ProfileName as VerifyProfile, RevocationMode, PeerName, Purpose as VerifyPurpose } from './validate/index';

/**
 * A verification of certificates brought from outside (the Verify screen, E8): the chain
 * as the user pasted or dropped it, trust anchors and CRLs picked from Clavis's CAs and
 * the imported trust material, and the verifier's settings.
 */
export interface VerifyInputParams {
  /**
   * PEM text and/or file bytes (PEM, DER, .p7b), in any order. The certificate verified is
   * the first one that issued none of the others (the first of all in a cycle); the others
   * form the pool the path is built from. CRLs found here are used too.
   */
  chain: ReadonlyArray<string | Uint8Array>;
  /** Trust anchors: Clavis CAs (their certificates) and imported trusted roots, by id. */
  anchors: { caIds?: readonly string[]; importedIds?: readonly string[] };
  /** CRLs: the latest CRL of Clavis CAs, and imported CRLs, by id. */
  crls?: { caIds?: readonly string[]; importedIds?: readonly string[] };
  at?: Date;
  purpose?: Purpose;
  peer?: PeerName;
  profile?: ProfileName;
  revocation?: RevocationMode;
}

/** Issue a leaf certificate for a key pair in the vault. */
export interface IssueCertificateParams {
  caId: string;
  keyId: string;
  profile: LeafProfile;
  subject: DistinguishedName;
  sans?: SubjectAltNames;
  /** Default per profile (TLS server 397, max 398). */
  validityDays?: number;
  notAfter?: Date;
}

/** Issue a certificate from a PKCS#10 request (PEM or DER). */
export interface IssueFromCsrParams {
  caId: string;
  csr: string | Uint8Array;
  profile: LeafProfile;
  /** Replaces the request's subject. */
  subject?: DistinguishedName;
  /** Replaces the request's SANs. */
  sans?: SubjectAltNames;
  /** Take the SANs the request asks for (default true). Other requested extensions are always ignored. */
  useRequestedSans?: boolean;
  validityDays?: number;
  notAfter?: Date;
}

/** Revoke a certificate (E6). */
export interface RevokeParams {
  reason: RevocationReason;
  /** When the key is known or suspected to have been compromised (not after now). */
  invalidityDate?: Date;
}

/** The certificates a bulk revocation takes: a selection, every certificate a CA issued, or every certificate of a vault key. */
export type RevokeSelection = { certIds: readonly string[] } | { caId: string } | { keyId: string };

/** What a bulk revocation did. */
export interface BulkRevocation {
  revoked: CertInfo[];
  skipped: Array<{ certId: string; why: string }>;
  /** The CRLs published, one per CA that revoked something. */
  crls: CrlInfo[];
  crlErrors: Array<{ caId: string; code: string; message: string }>;
}

/** Certificate filters for listings (E10). */
export interface CertFilter {
  issuerId?: string;
  text?: string;
  status?: CertInfo['status'];
}

/** A bulk issuance job (E2 at scale): see `Pki.issueBulk`. */
export interface IssueBulkParams {
  caId: string;
  rows: readonly BulkRow[];
  /** Cancels the job until its final transaction starts; a cancelled job stores nothing. */
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
}

/** What a bulk job did: every certificate (with their PEM bundle), or nothing (cancelled). */
export type IssueBulkResult =
  | { status: 'issued'; certs: CertInfo[]; pem: string; newKeyIds: string[] }
  | { status: 'cancelled'; signed: number };

/** The CA verbs. */
export interface Pki {
  /** Creates a self-signed root CA with a new non-extractable vault key, and its first CRL. */
  createRootCa(p: CreateCaParams): Promise<{ ca: CaInfo; cert: CertInfo; pem: string }>;
  /** Creates an intermediate CA signed by `parentId`. @throws CERT_REVOKED, INVALID_ARGUMENT (pathLen 0 parent) */
  createIntermediateCa(p: CreateIntermediateParams): Promise<{ ca: CaInfo; cert: CertInfo; pem: string; truncated: boolean }>;
  listCas(): Promise<CaInfo[]>;
  /** @throws INVALID_ARGUMENT when there is no such CA */
  getCa(id: string): Promise<CaInfo>;
  /** Issues a leaf for a vault key pair. @throws UNSUPPORTED (Ed25519 etc.), KEY_STATE, CERT_INVALID (lint) */
  issueCertificate(p: IssueCertificateParams): Promise<IssueResult>;
  /** Issues a leaf from a CSR after checking its proof of possession. @throws SIGNATURE_INVALID, MALFORMED_INPUT */
  issueFromCsr(p: IssueFromCsrParams): Promise<IssueResult>;
  /**
   * Issues many certificates from one CA in one job: each row certifies a vault key, a
   * CSR's key, or a new non-extractable ECDSA P-256 vault key; every certificate, new key
   * and audit entry is written in ONE transaction, so the job lands whole or not at all.
   * @throws INVALID_ARGUMENT ("pki: row N: …" for a refused row), the codes of issueCertificate
   */
  issueBulk(p: IssueBulkParams): Promise<IssueBulkResult>;
  /** Reads a bulk CSV (cn, sans, profile, validity_days) into rows. @throws MALFORMED_INPUT naming the line */
  parseBulkCsv(text: string): BulkRow[];
  /** Creates a PKCS#10 request (PEM) signed by a vault key. */
  createCsr(keyId: string, p: CreateCsrParams): Promise<string>;
  /** Reads and verifies a CSR without issuing. @throws SIGNATURE_INVALID, MALFORMED_INPUT, UNSUPPORTED */
  inspectCsr(csr: string | Uint8Array): Promise<CsrInfo>;
  listCertificates(filter?: CertFilter): Promise<CertInfo[]>;
  /** @throws INVALID_ARGUMENT when there is no such certificate */
  getCertificate(id: string): Promise<CertInfo>;
  /** Decoded extensions, fingerprints and the ASN.1 tree of a stored certificate (E5). @throws INVALID_ARGUMENT */
  describeCertificate(id: string): Promise<CertificateDetails>;
  /** The original DER (P14), or PEM. */
  exportCertificate(id: string, format: 'pem' | 'der'): Promise<string | Uint8Array>;
  /** PEM of the certificate followed by its CA certificates up to (not including) the root. */
  exportChain(id: string): Promise<string>;
  /**
   * The whole chain, root included: `pem` as one PEM bundle (leaf first, root last), or
   * `p7b` as a DER certs-only PKCS#7 (bundle.ts).
   */
  exportFullChain(id: string, format: 'pem' | 'p7b'): Promise<string | Uint8Array>;
  /**
   * A PKCS #12 file (DER) with the certificate, its exportable vault private key
   * (encrypted under `passphrase`) and the chain up to the root (pkcs12.ts). Audited as
   * a `key.export` of format `pkcs12`.
   * @throws INVALID_ARGUMENT (no private key in the vault, bad passphrase), NOT_EXTRACTABLE
   */
  exportPkcs12(id: string, passphrase: string): Promise<Uint8Array>;
  /**
   * Revokes a certificate and rebuilds its issuer's CRL. The revocation is stored first;
   * if the CRL cannot be rebuilt now, `crlError` says why and the next rebuild includes it.
   * @throws CERT_REVOKED (already), INVALID_ARGUMENT
   */
  revokeCertificate(id: string, p: RevokeParams): Promise<{ cert: CertInfo; crl?: CrlInfo; crlError?: { code: string; message: string } }>;
  /**
   * Revokes many certificates as ONE act (issue 14, E6): every revocation and its audit
   * entry (and, for keyCompromise, the certified vault keys' move to compromised) in one
   * transaction, then one CRL per issuing CA. Roots and certificates already revoked are
   * skipped and listed with why. `crlErrors` names CAs whose CRL could not be rebuilt now
   * (they stay stale and are rebuilt by the scheduler).
   * @throws INVALID_ARGUMENT (unknown certificate, CA or reason), STORAGE
   */
  revokeCertificates(selection: RevokeSelection, p: RevokeParams): Promise<BulkRevocation>;
  /** Rebuilds a CA's CRL from the revocation store (R6); `onlyIfStale` returns a complete latest CRL as it is. */
  publishCrl(caId: string, opts?: PublishCrlOptions): Promise<CrlInfo>;
  /** The latest CRL of a CA. */
  getCrl(caId: string): Promise<CrlInfo | undefined>;
  /** One page of the latest CRL's entries (`total` counts them all). Empty when none was published. */
  crlEntries(caId: string, page: { offset: number; limit: number }): Promise<{ total: number; entries: CrlEntry[] }>;
  /** The CA's published CRLs, newest first, at most `limit` (default 20): the CRL history. */
  listCrls(caId: string, limit?: number): Promise<CrlInfo[]>;
  /**
   * The latest CRL (or the one with `number`, from the history) as PEM or DER.
   * @throws INVALID_ARGUMENT when none was published / there is no such number
   */
  exportCrl(caId: string, format: 'pem' | 'der', number?: number): Promise<string | Uint8Array>;
  /** CA ids whose CRL reaches nextUpdate within `graceMs`: schedule their rebuild (R6). */
  crlsDue(graceMs: number): Promise<string[]>;
  /** Verifies a stored certificate against its stored chain and CRLs, step by step. */
  verifyCertificate(id: string, opts?: { usage?: LeafProfile | 'any'; hostname?: string; at?: Date }): Promise<VerifyResult>;
  /** Verifies arbitrary DER certificates and CRLs. */
  verifyChain(p: VerifyChainParams): Promise<VerifyResult>;

  // Imported trust material (E8): kept apart from the CAs above, never signing anything.
  /** Reads what an input carries (certificates and CRLs, DER) without storing it. @throws MALFORMED_INPUT */
  readTrustMaterial(input: string | Uint8Array): { certs: number; crls: number };
  /** Imports certificates and CRLs (PEM, DER, .p7b) in one audited transaction; duplicates are reported, not stored. @throws MALFORMED_INPUT */
  importTrustMaterial(input: string | Uint8Array): Promise<ImportOutcome>;
  listImported(): Promise<{ certs: ImportedCertInfo[]; crls: ImportedCrlInfo[] }>;
  /** Makes an imported self-signed CA certificate a trust anchor (or not). Audited. @throws INVALID_ARGUMENT with why it cannot be */
  setImportedTrust(id: string, trusted: boolean): Promise<ImportedCertInfo>;
  /** Removes an imported certificate or CRL. Audited. @throws INVALID_ARGUMENT */
  removeImported(id: string): Promise<void>;
  /**
   * Verifies a chain brought from outside against the anchors and CRLs picked (the Verify
   * screen). @throws MALFORMED_INPUT (the chain cannot be read), INVALID_ARGUMENT (no
   * certificate, no anchor, an unknown or untrusted anchor id)
   */
  verifyInput(p: VerifyInputParams): Promise<VerifyResult>;
}

/** The revocation record of a certificate (dates in whole seconds). */
function revocationRecord(rec: CertRecord, reason: number, now: Date, invalidityDate: string | undefined): RevocationRecord {
  const rev: RevocationRecord = {
    id: `${rec.issuerId}:${rec.serialHex}`,
    issuerId: rec.issuerId,
    serialHex: rec.serialHex,
    certId: rec.id,
    reason,
    revokedAt: now.toISOString(),
    spkiSha256: rec.spkiSha256,
    certNotAfter: rec.notAfter,
  };
  if (invalidityDate !== undefined) rev.invalidityDate = invalidityDate;
  return rev;
}

/** The audit details of one certificate revocation (identifiers and reason; no key material). */
function revocationDetails(rec: CertRecord, rev: RevocationRecord): AuditDraft['details'] {
  const details: AuditDraft['details'] = {
    issuerId: rec.issuerId,
    serial: rec.serialHex,
    reason: REASON_NAMES[rev.reason] ?? String(rev.reason),
    spkiSha256: rec.spkiSha256,
    sha256: rec.sha256,
  };
  if (rev.invalidityDate) details.invalidityDate = rev.invalidityDate;
  return details;
}

function reasonCode(reason: unknown): number {
  if (typeof reason !== 'string' || !Object.hasOwn(REVOCATION_REASONS, reason)) {
    throw new EngineError('INVALID_ARGUMENT', `pki: the reason must be one of ${Object.keys(REVOCATION_REASONS).join(', ')}`);
  }
  return REVOCATION_REASONS[reason as RevocationReason];
}

/** Builds the CA verbs over an engine context. Nothing global is read or set. */
export function createPki(ctx: EngineContext): Pki {
  const certInfo = (rec: CertRecord, rev: RevocationRecord | undefined): CertInfo => {
    const { der: _der, ...meta } = rec;
    const now = ctx.clock.now();
    const status: CertInfo['status'] = rev ? 'revoked' : now >= Date.parse(rec.notAfter) ? 'expired' : now < Date.parse(rec.notBefore) ? 'not-yet-valid' : 'valid';
    const info: CertInfo = { ...meta, status };
    if (rev) {
      info.revocation = { reason: rev.reason === UNSPECIFIED_REASON ? 'unspecified' : (REASON_NAMES[rev.reason] ?? String(rev.reason)), revokedAt: rev.revokedAt };
      if (rev.invalidityDate) info.revocation.invalidityDate = rev.invalidityDate;
    }
    return info;
  };
  const describe = async (rec: CertRecord) => certInfo(rec, await ctx.storage.getRevocation(rec.issuerId, rec.serialHex));
  const getRecord = async (id: string) => {
    const rec = typeof id === 'string' && id ? await ctx.storage.getCert(id) : undefined;
    if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no certificate with that id');
    return rec;
  };
  const result = async (out: { cert: CertRecord; truncated: boolean }): Promise<IssueResult> => ({
    cert: await describe(out.cert),
    pem: toPem(out.cert.der, 'CERTIFICATE'),
    truncated: out.truncated,
  });
  const checkProfile = (profile: unknown): LeafProfile => {
    if (!LEAF_PROFILES.includes(profile as LeafProfile)) throw new EngineError('INVALID_ARGUMENT', `pki: the profile must be one of ${LEAF_PROFILES.join(', ')} (CAs have their own verbs)`);
    return profile as LeafProfile;
  };
  const validityOf = (p: { validityDays?: number; notAfter?: Date }) => ({
    ...(p.validityDays !== undefined ? { validityDays: p.validityDays } : {}),
    ...(p.notAfter !== undefined ? { notAfter: p.notAfter } : {}),
  });
  /**
   * The vault keys a certificate certifies: the key it was issued for, and any vault key
   * with the same public key (a CSR made from a vault key).
   */
  const vaultKeysOf = async (rec: CertRecord): Promise<string[]> => {
    const ids = new Set<string>();
    if (rec.keyId) ids.add(rec.keyId);
    for (const k of await ctx.storage.listKeysByFingerprint(rec.spkiSha256)) {
      if (k.fingerprint.kind === 'spki-sha256') ids.add(k.id);
    }
    const out: string[] = [];
    for (const id of ids) if (await ctx.storage.getKeyInfo(id)) out.push(id);
    return out;
  };
  /** Every vault key id by SPKI SHA-256 (one read for a bulk revocation). */
  const vaultKeysBySpki = async (): Promise<Map<string, string[]>> => {
    const m = new Map<string, string[]>();
    for (const k of await ctx.storage.listKeyInfos()) {
      if (k.fingerprint.kind !== 'spki-sha256') continue;
      m.set(k.fingerprint.value, [...(m.get(k.fingerprint.value) ?? []), k.id]);
    }
    return m;
  };
  /** The vault keys a certificate certifies: those with its public key (its own key, or the key behind a CSR). */
  const vaultKeyIdsOf = (rec: CertRecord, bySpki: Map<string, string[]>): string[] => bySpki.get(rec.spkiSha256) ?? [];
  /** The certificate records a bulk revocation names. @throws INVALID_ARGUMENT */
  const selectCertificates = async (sel: RevokeSelection): Promise<CertRecord[]> => {
    if (sel && 'certIds' in sel && Array.isArray(sel.certIds)) {
      const out: CertRecord[] = [];
      for (const id of new Set(sel.certIds)) out.push(await getRecord(id));
      return out;
    }
    if (sel && 'caId' in sel && typeof sel.caId === 'string') {
      if (!(await ctx.storage.getCa(sel.caId))) throw new EngineError('INVALID_ARGUMENT', 'pki: no CA with that id');
      return (await ctx.storage.listCerts(sel.caId)).filter((c) => c.issuerId === sel.caId);
    }
    if (sel && 'keyId' in sel && typeof sel.keyId === 'string') {
      const key = await ctx.storage.getKeyInfo(sel.keyId);
      if (!key) throw new EngineError('KEY_NOT_FOUND', 'pki: no vault key with that id');
      return key.fingerprint.kind === 'spki-sha256' ? ctx.storage.listCertsBySpki(key.fingerprint.value) : [];
    }
    throw new EngineError('INVALID_ARGUMENT', 'pki: name the certificates to revoke: certIds, caId or keyId');
  };
  /** The chain of CA certificates above a certificate, nearest first, root last. */
  const chainOf = async (rec: CertRecord): Promise<CertRecord[]> => {
    const out: CertRecord[] = [];
    let issuerId: string | undefined = rec.caId === rec.issuerId ? undefined : rec.issuerId;
    for (let guard = 0; issuerId && guard < 32; guard++) {
      const ca = await ctx.storage.getCa(issuerId);
      const caCert = ca ? await ctx.storage.getCert(ca.certId) : undefined;
      if (!ca || !caCert) throw new EngineError('STORAGE', 'pki: a CA of the chain is missing from the store');
      out.push(caCert);
      issuerId = ca.parentId;
    }
    return out;
  };

  return {
    async createRootCa(p) {
      const out = await createRootCa(ctx, p);
      return { ca: out.ca, cert: await describe(out.cert), pem: toPem(out.cert.der, 'CERTIFICATE') };
    },
    async createIntermediateCa(p) {
      const out = await createIntermediateCa(ctx, p);
      return { ca: out.ca, cert: await describe(out.cert), pem: toPem(out.cert.der, 'CERTIFICATE'), truncated: out.truncated };
    },
    listCas: () => ctx.storage.listCas(),
    async getCa(id) {
      const ca = typeof id === 'string' && id ? await ctx.storage.getCa(id) : undefined;
      if (!ca) throw new EngineError('INVALID_ARGUMENT', 'pki: no CA with that id');
      return ca;
    },
    async issueCertificate(p) {
      const profile = checkProfile(p?.profile);
      const { handle } = await loadIssuer(ctx, p.caId);
      const key = await vaultSubjectKey(ctx, p.keyId);
      const out = await issue(ctx, handle, {
        profile,
        subject: p.subject,
        ...(p.sans ? { sans: p.sans } : {}),
        spki: key.spki,
        keyRole: key.role,
        keyId: p.keyId,
        source: 'vault',
        ...validityOf(p),
      });
      return result(out);
    },
    async issueFromCsr(p) {
      const profile = checkProfile(p?.profile);
      const { handle } = await loadIssuer(ctx, p.caId);
      const csr = await readCsr(ctx, p.csr);
      const subject = p.subject ?? toDistinguishedName(decodeName(csr.subjectDer));
      const sans = p.sans ?? (p.useRequestedSans === false ? undefined : csr.info.sans);
      const spki = parseSpki(csr.spkiDer);
      // Only subject, key and (optionally) SAN come from the request (P16).
      const out = await issue(ctx, handle, {
        profile,
        subject,
        ...(sans ? { sans } : {}),
        spki,
        keyRole: spki.type.kind === 'ec' ? 'sign' : 'any',
        source: 'csr',
        ...validityOf(p),
      });
      return result(out);
    },
    async issueBulk(p) {
      const out = await issueBulk(ctx, p);
      if (out.status === 'cancelled') return out;
      return {
        status: 'issued',
        // Fresh certificates: valid (or not yet valid), never revoked; no store read per row.
        certs: out.certs.map((c) => certInfo(c, undefined)),
        pem: out.certs.map((c) => toPem(c.der, 'CERTIFICATE')).join(''),
        newKeyIds: out.newKeys.map((k) => k.id),
      };
    },
    parseBulkCsv: (text) => parseBulkCsv(text),
    async createCsr(keyId, p) {
      return (await createCsr(ctx, keyId, p)).pem;
    },
    async inspectCsr(input) {
      return (await readCsr(ctx, input)).info;
    },
    async listCertificates(filter = {}) {
      const recs = await ctx.storage.listCerts(filter.issuerId);
      // One revocation read per issuer, not one per certificate (10,000 certificates).
      const revoked = new Map<string, Map<string, RevocationRecord>>();
      for (const issuerId of new Set(recs.map((r) => r.issuerId))) {
        revoked.set(issuerId, new Map((await ctx.storage.listRevocations(issuerId)).map((r) => [r.serialHex, r])));
      }
      const infos = recs.map((rec) => certInfo(rec, revoked.get(rec.issuerId)?.get(rec.serialHex)));
      const q = filter.text?.trim().toLowerCase();
      return infos
        .filter((c) => !filter.status || c.status === filter.status)
        .filter((c) => !q || [c.subject, c.serialHex, ...c.sans.dns, ...c.sans.ip, ...c.sans.email, ...c.sans.uri].some((s) => s.toLowerCase().includes(q)))
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id.localeCompare(b.id)));
    },
    async getCertificate(id) {
      return describe(await getRecord(id));
    },
    async describeCertificate(id) {
      return describeCertificateDer(ctx, (await getRecord(id)).der);
    },
    async exportCertificate(id, format) {
      const rec = await getRecord(id);
      if (format === 'der') return rec.der.slice();
      if (format === 'pem') return toPem(rec.der, 'CERTIFICATE');
      throw new EngineError('INVALID_ARGUMENT', 'pki: export format must be pem or der');
    },
    async exportChain(id) {
      const rec = await getRecord(id);
      const chain = await chainOf(rec);
      return [rec, ...chain.filter((c) => c.profile !== 'root-ca')].map((c) => toPem(c.der, 'CERTIFICATE')).join('');
    },
    async exportPkcs12(id, passphrase) {
      assertExportPassphrase(passphrase);
      const rec = await getRecord(id);
      let holder: LoadedKey | undefined;
      for (const keyId of await vaultKeysOf(rec)) {
        const k = await loadKey(ctx, keyId);
        if (k.material.privateKey && (!holder || k.material.privateKey.extractable)) holder = k;
      }
      if (!holder) throw new EngineError('INVALID_ARGUMENT', 'pki: the private key of this certificate is not in this vault, so there is nothing to put in a PKCS #12 file; download the certificate and chain instead');
      const privateKey = holder.material.privateKey!;
      if (!privateKey.extractable) {
        throw new EngineError('NOT_EXTRACTABLE', 'pki: the key of this certificate is non-extractable, so it cannot leave the vault in a PKCS #12 file; the certificate and chain can');
      }
      const pkcs8 = new Uint8Array(await ctx.subtle.exportKey('pkcs8', privateKey));
      let pfx: Uint8Array<ArrayBuffer>;
      try {
        const all = [rec, ...(await chainOf(rec))];
        pfx = await buildPkcs12(ctx.subtle, ctx.random, { pkcs8, certificates: all.map((c) => c.der), passphrase, friendlyName: friendlyNameOf(holder.info.name) });
      } finally {
        pkcs8.fill(0);
      }
      const keyId = holder.info.id;
      await withAudit(ctx, async () => ({
        drafts: [auditDraft(ctx, 'key.export', [keyId, rec.id], { keyId, certId: rec.id, format: 'pkcs12', encrypted: true })],
        commit: (audit) => ctx.storage.commitAudited(audit),
      }));
      return pfx;
    },
    async exportFullChain(id, format) {
      const rec = await getRecord(id);
      const all = [rec, ...(await chainOf(rec))];
      if (format === 'p7b') return certsOnlyPkcs7(all.map((c) => c.der));
      if (format === 'pem') return all.map((c) => toPem(c.der, 'CERTIFICATE')).join('');
      throw new EngineError('INVALID_ARGUMENT', 'pki: a full chain exports as pem or p7b');
    },
    async revokeCertificate(id, p) {
      const rec = await getRecord(id);
      if (rec.profile === 'root-ca') throw new EngineError('INVALID_ARGUMENT', 'pki: a root cannot be revoked on a CRL; remove it from the trust store instead');
      const reason = reasonCode(p?.reason);
      const now = wholeSeconds(ctx.clock.now());
      let invalidityDate: string | undefined;
      if (p.invalidityDate !== undefined) {
        const d = wholeSeconds(p.invalidityDate);
        if (!Number.isFinite(d.getTime()) || d.getTime() > now.getTime()) throw new EngineError('INVALID_ARGUMENT', 'pki: the invalidity date must be a date not in the future');
        invalidityDate = d.toISOString();
      }
      const rev = revocationRecord(rec, reason, now, invalidityDate);
      // Persist the revocation first: the CRL is derived from the store (R6). The
      // revocation, its audit entry and (for keyCompromise) the certified vault keys'
      // move to compromised are ONE transaction (A4, K8).
      await withAudit(ctx, async () => {
        const drafts = [auditDraft(ctx, 'cert.revoke', [rec.id], revocationDetails(rec, rev))];
        const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
        if (reason === REVOCATION_REASONS.keyCompromise) {
          for (const keyId of await vaultKeysOf(rec)) {
            const change = await prepareCompromise(ctx, keyId, rev.invalidityDate ? { compromiseOccurredAt: Date.parse(rev.invalidityDate) } : {});
            if (!change) continue;
            putKeys.push({ info: change.after, before: change.before });
            drafts.push(...change.drafts);
          }
        }
        return { drafts, commit: (audit) => ctx.storage.commitRevocation({ rev, audit, putKeys }) };
      });
      const cert = certInfo(rec, rev);
      try {
        return { cert, crl: await publishCrl(ctx, rec.issuerId, { onlyIfStale: true }) };
      } catch (e) {
        return { cert, crlError: toErrorInfo(e) };
      } finally {
        // Any other CA left stale (a tab closed mid-way) catches up on every revocation.
        await rebuildStaleCrls(ctx, [rec.issuerId]);
      }
    },
    async revokeCertificates(selection, p) {
      const reason = reasonCode(p?.reason);
      const now = wholeSeconds(ctx.clock.now());
      let invalidityDate: string | undefined;
      if (p.invalidityDate !== undefined) {
        const d = wholeSeconds(p.invalidityDate);
        if (!Number.isFinite(d.getTime()) || d.getTime() > now.getTime()) throw new EngineError('INVALID_ARGUMENT', 'pki: the invalidity date must be a date not in the future');
        invalidityDate = d.toISOString();
      }
      const records = await selectCertificates(selection);
      const skipped: BulkRevocation['skipped'] = [];
      const revoked: CertInfo[] = [];
      const affected = new Set<string>();
      await withAudit(ctx, async () => {
        skipped.length = 0;
        revoked.length = 0;
        affected.clear();
        const revs: RevocationRecord[] = [];
        const drafts: AuditDraft[] = [];
        for (const rec of records) {
          if (rec.profile === 'root-ca') {
            skipped.push({ certId: rec.id, why: 'a root certificate is not on any CRL; remove it from trust stores instead' });
            continue;
          }
          if (await ctx.storage.getRevocation(rec.issuerId, rec.serialHex)) {
            skipped.push({ certId: rec.id, why: 'already revoked' });
            continue;
          }
          const rev = revocationRecord(rec, reason, now, invalidityDate);
          revs.push(rev);
          revoked.push(certInfo(rec, rev));
          affected.add(rec.issuerId);
          drafts.push(auditDraft(ctx, 'cert.revoke', [rec.id], revocationDetails(rec, rev)));
        }
        const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
        if (reason === REVOCATION_REASONS.keyCompromise && revs.length) {
          const keyIds = new Set<string>();
          const bySpki = await vaultKeysBySpki();
          for (const rec of records) if (revs.some((r) => r.certId === rec.id)) for (const id of vaultKeyIdsOf(rec, bySpki)) keyIds.add(id);
          for (const keyId of keyIds) {
            const change = await prepareCompromise(ctx, keyId, invalidityDate ? { compromiseOccurredAt: Date.parse(invalidityDate) } : {});
            if (!change) continue;
            putKeys.push({ info: change.after, before: change.before });
            drafts.push(...change.drafts);
          }
        }
        return { drafts, commit: (audit) => (revs.length ? ctx.storage.commitAudited({ ...audit, addRevocations: revs, putKeys }) : Promise.resolve()) };
      });
      const out: BulkRevocation = { revoked, skipped, crls: [], crlErrors: [] };
      for (const caId of affected) {
        try {
          out.crls.push(await publishCrl(ctx, caId, { onlyIfStale: true }));
        } catch (e) {
          out.crlErrors.push({ caId, ...toErrorInfo(e) });
        }
      }
      if (affected.size) await rebuildStaleCrls(ctx, [...affected]);
      return out;
    },
    publishCrl: (caId, opts) => publishCrl(ctx, caId, opts),
    async getCrl(caId) {
      const rec = await ctx.storage.getLatestCrl(caId);
      if (!rec) return undefined;
      const { der: _der, ...info } = rec;
      return info;
    },
    async crlEntries(caId, page) {
      const { offset, limit } = page ?? {};
      if (!Number.isInteger(offset) || offset! < 0 || !Number.isInteger(limit) || limit! < 1 || limit! > 1000) {
        throw new EngineError('INVALID_ARGUMENT', 'pki: a CRL page needs an offset ≥ 0 and a limit of 1–1000');
      }
      // A slice of the cached index of the latest CRL (issue 15): no walk from the first entry.
      const index = await latestCrlIndex(ctx, caId);
      return index ? { total: index.count, entries: index.page(offset!, limit!) } : { total: 0, entries: [] };
    },
    async listCrls(caId, limit = 20) {
      const n = Number.isInteger(limit) && limit > 0 ? Math.min(limit, 100) : 20;
      return (await ctx.storage.listCrls(caId, n)).map(({ der: _der, ...info }) => info);
    },
    async exportCrl(caId, format, number) {
      const rec = number === undefined ? await ctx.storage.getLatestCrl(caId) : Number.isInteger(number) ? await ctx.storage.getCrl(caId, number) : undefined;
      if (!rec) throw new EngineError('INVALID_ARGUMENT', number === undefined ? 'pki: this CA has not published a CRL' : 'pki: this CA has no CRL with that number');
      if (format === 'der') return rec.der.slice();
      if (format === 'pem') return toPem(rec.der, 'X509 CRL');
      throw new EngineError('INVALID_ARGUMENT', 'pki: export format must be pem or der');
    },
    crlsDue: (graceMs) => crlsDue(ctx, graceMs),
    async verifyCertificate(id, opts = {}) {
      const rec = await getRecord(id);
      const chain = await chainOf(rec);
      const root = rec.profile === 'root-ca' ? rec : chain[chain.length - 1];
      if (!root) throw new EngineError('STORAGE', 'pki: the chain has no root');
      const cas = [rec, ...chain].filter((c) => c.caId).map((c) => c.caId!);
      // The cached parses of the latest CRLs: a 100,000-entry CRL is read and parsed once, not per call (issue 15).
      const parsedCrls = (await Promise.all([...new Set([rec.issuerId, ...cas])].map((c) => latestParsedCrl(ctx, c)))).flatMap((c) => (c ? [c] : []));
      return verifyChain(ctx, {
        target: rec.der,
        intermediates: chain.filter((c) => c !== root).map((c) => c.der),
        trustAnchors: [root.der],
        parsedCrls,
        ...(opts.usage ? { usage: opts.usage } : {}),
        ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
        ...(opts.at ? { at: opts.at } : {}),
      });
    },
    verifyChain: (p) => verifyChain(ctx, p),

    readTrustMaterial(input) {
      const m = readTrustMaterial(input);
      return { certs: m.certs.length, crls: m.crls.length };
    },
    importTrustMaterial: (input) => importTrustMaterial(ctx, input),
    listImported: () => listImported(ctx),
    setImportedTrust: (id, trusted) => setImportedTrust(ctx, id, trusted),
    removeImported: (id) => removeImported(ctx, id),
    async verifyInput(p) {
      if (!p || !Array.isArray(p.chain) || !p.anchors) throw new EngineError('INVALID_ARGUMENT', 'pki: a verification needs a chain and trust anchors');
      const certs: Uint8Array[] = [];
      const inputCrls: Uint8Array[] = [];
      for (const part of p.chain) {
        if (typeof part === 'string' && part.trim() === '') continue;
        const m = readTrustMaterial(part);
        certs.push(...m.certs);
        inputCrls.push(...m.crls);
      }
      if (certs.length === 0) throw new EngineError('INVALID_ARGUMENT', 'pki: paste or drop at least one certificate to verify');
      const anchors: Uint8Array[] = [];
      for (const caId of new Set(p.anchors.caIds ?? [])) {
        const ca = await ctx.storage.getCa(caId);
        const cert = ca ? await ctx.storage.getCert(ca.certId) : undefined;
        if (!cert) throw new EngineError('INVALID_ARGUMENT', 'pki: no Clavis CA with that id');
        anchors.push(cert.der);
      }
      for (const id of new Set(p.anchors.importedIds ?? [])) {
        const rec = await ctx.storage.getImportedCert(id);
        if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no imported certificate with that id');
        if (!rec.trusted) throw new EngineError('INVALID_ARGUMENT', `pki: the imported certificate "${rec.subject}" is not marked as a trusted root`);
        anchors.push(rec.der);
      }
      if (anchors.length === 0) throw new EngineError('INVALID_ARGUMENT', 'pki: pick at least one trust anchor (a Clavis CA or an imported trusted root)');
      const parsedCrls = [];
      for (const caId of new Set(p.crls?.caIds ?? [])) {
        const crl = await latestParsedCrl(ctx, caId);
        if (crl) parsedCrls.push(crl);
      }
      const crls = [...inputCrls];
      for (const id of new Set(p.crls?.importedIds ?? [])) {
        const rec = await ctx.storage.getImportedCrl(id);
        if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no imported CRL with that id');
        crls.push(rec.der);
      }
      // The target is the first certificate that issued none of the others (a .p7b's SET OF
      // has no order; a bundle may start with the root), or the first one when every
      // certificate issued another (a cycle).
      const parsed = certs.map((der) => parseCert(der));
      let t = parsed.findIndex((c, i) => !parsed.some((o, j) => j !== i && o.issuer.key === c.subject.key));
      if (t < 0) t = 0;
      return verifyChain(ctx, {
        target: certs[t]!,
        intermediates: certs.filter((_, i) => i !== t),
        trustAnchors: anchors,
        crls,
        parsedCrls,
        ...(p.at ? { at: p.at } : {}),
        ...(p.purpose ? { usage: p.purpose } : {}),
        ...(p.peer ? { peer: p.peer } : {}),
        ...(p.profile ? { profile: p.profile } : {}),
        ...(p.revocation ? { revocation: p.revocation } : {}),
      });
    },
  };
}

/** Reads DER from PEM or DER input (certificates, CRLs). Re-exported for the UI's import flows. */
export function certificateDer(input: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return fromPemOrDer(input, ['CERTIFICATE'], 'certificate');
}


