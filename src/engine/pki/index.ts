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
import { EngineError } from '../errors';
import type { CaId, CertId, KeyId } from '../ids';
import type { EngineContext } from '../keys/context';
import { fromPemOrDer, toPem } from '../keys/pem';
import type { CertRecord } from '../storage/schema';
import { parseSpki } from './algorithms';
import { issueBulk, parseBulkCsv, type BulkProgress, type BulkRow } from './bulk';
import { createIntermediateCa, createRootCa, type CreateCaParams, type CreateIntermediateParams } from './ca';
import { certInfo, certificateChunks, describeRecord, getRecord, listCertificates, listCertificatesNewest, type CertFilter } from './certs-view';
import { crlsDue, publishCrl, type PublishCrlOptions } from './crl';
import { createCsr, readCsr, type CreateCsrParams, type CsrInfo } from './csr';
import { describeCertificateDer, type CertificateDetails, type CrlEntry } from './describe';
import { certificateExport, crlExport, exportChain, exportPkcs12, fullChainExport, type CertificateExport, type CrlExport, type FullChainExport } from './exports';
import type { SubjectAltNames } from './extensions';
import { importTrustMaterial, listImported, readTrustMaterial, removeImported, setImportedTrust, type ImportOutcome, type ImportedCertInfo, type ImportedCrlInfo } from './imported';
import { LEAF_PROFILES, issue, loadIssuer, vaultSubjectKey, type LeafProfile } from './issue';
import { decodeName, toDistinguishedName, type DistinguishedName } from './names';
import { crlEntries, getCrl, listCrls } from './published-crls';
import { revokeCertificate, revokeCertificates, type BulkRevocation, type RevokeParams, type RevokeSelection, type SingleRevocation } from './revoke';
import type { CaInfo, CertInfo, CrlInfo, IssueResult, VerifyResult } from './types';
import { verifyCertificate, verifyInput, type VerifyInputParams, type VerifyStoredOptions } from './verification';
import { verifyChain, type VerifyChainParams } from './verify';

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
export type { CertFilter } from './certs-view';
export type { BulkRevocation, RevokeParams, RevokeSelection, SingleRevocation } from './revoke';
export type { VerifyInputParams, VerifyStoredOptions } from './verification';
export type { CertificateExport, CrlExport, FullChainExport } from './exports';

/** Issue a leaf certificate for a key pair in the vault. */
export interface IssueCertificateParams {
  caId: CaId;
  keyId: KeyId;
  profile: LeafProfile;
  subject: DistinguishedName;
  sans?: SubjectAltNames;
  /** Default per profile (TLS server 397, max 398). */
  validityDays?: number;
  notAfter?: Date;
}

/** Issue a certificate from a PKCS#10 request (PEM or DER). */
export interface IssueFromCsrParams {
  caId: CaId;
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

/** A bulk issuance job (E2 at scale): see `Pki.issueBulk`. */
export interface IssueBulkParams {
  caId: CaId;
  rows: readonly BulkRow[];
  /** Cancels the job until its final transaction starts; a cancelled job stores nothing. */
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
}

/** What a bulk job did: every certificate (with their PEM bundle), or nothing (cancelled). */
export type IssueBulkResult =
  | { status: 'issued'; certs: CertInfo[]; pem: string; newKeyIds: KeyId[] }
  | { status: 'cancelled'; signed: number };

/** The CA verbs. */
export interface Pki {
  /** Creates a self-signed root CA with a new non-extractable vault key, and its first CRL. */
  createRootCa(p: CreateCaParams): Promise<{ ca: CaInfo; cert: CertInfo; pem: string }>;
  /** Creates an intermediate CA signed by `parentId`. @throws CERT_REVOKED, INVALID_ARGUMENT (pathLen 0 parent) */
  createIntermediateCa(p: CreateIntermediateParams): Promise<{ ca: CaInfo; cert: CertInfo; pem: string; truncated: boolean }>;
  listCas(): Promise<CaInfo[]>;
  /** @throws INVALID_ARGUMENT when there is no such CA */
  getCa(id: CaId): Promise<CaInfo>;
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
  createCsr(keyId: KeyId, p: CreateCsrParams): Promise<string>;
  /** Reads and verifies a CSR without issuing. @throws SIGNATURE_INVALID, MALFORMED_INPUT, UNSUPPORTED */
  inspectCsr(csr: string | Uint8Array): Promise<CsrInfo>;
  listCertificates(filter?: CertFilter): Promise<CertInfo[]>;
  /** The newest `limit` certificates (1–10,000), newest first, without reading the rest: a list's first page. @throws INVALID_ARGUMENT */
  listCertificatesNewest(limit: number): Promise<CertInfo[]>;
  /** Every certificate, `size` (1–10,000, default 1,000) at a time, in no list order: sort the whole with `compareCerts`. @throws INVALID_ARGUMENT */
  certificateChunks(size?: number): AsyncGenerator<CertInfo[], void, undefined>;
  /** @throws INVALID_ARGUMENT when there is no such certificate */
  getCertificate(id: CertId): Promise<CertInfo>;
  /** Decoded extensions, fingerprints and the ASN.1 tree of a stored certificate (E5). @throws INVALID_ARGUMENT */
  describeCertificate(id: CertId): Promise<CertificateDetails>;
  /** The original DER (P14), or PEM. */
  exportCertificate: CertificateExport;
  /** PEM of the certificate followed by its CA certificates up to (not including) the root. */
  exportChain(id: CertId): Promise<string>;
  /**
   * The whole chain, root included: `pem` as one PEM bundle (leaf first, root last), or
   * `p7b` as a DER certs-only PKCS#7 (bundle.ts).
   */
  exportFullChain: FullChainExport;
  /**
   * A PKCS #12 file (DER) with the certificate, its exportable vault private key
   * (encrypted under `passphrase`) and the chain up to the root (pkcs12.ts). Audited as
   * a `key.export` of format `pkcs12`.
   * @throws INVALID_ARGUMENT (no private key in the vault, bad passphrase), NOT_EXTRACTABLE
   */
  exportPkcs12(id: CertId, passphrase: string): Promise<Uint8Array>;
  /**
   * Revokes a certificate and rebuilds its issuer's CRL. The revocation is stored first;
   * if the CRL cannot be rebuilt now, `crlError` says why and the next rebuild includes it.
   * @throws CERT_REVOKED (already), INVALID_ARGUMENT
   */
  revokeCertificate(id: CertId, p: RevokeParams): Promise<SingleRevocation>;
  /**
   * Revokes many certificates as ONE act (issue 14, E6): every revocation and its audit
   * entry (and, for keyCompromise, the certified vault keys' move to compromised) in one
   * transaction, then one CRL per issuing CA. Roots and certificates already revoked are
   * skipped and listed with why. `crlErrors` names CAs whose CRL could not be rebuilt now
   * (they stay stale and are rebuilt by the scheduler).
   *
   * Sweeps (issue 15): `{ caId }` takes every unexpired certificate the CA issued but not
   * its sub-CA certificates (revoke those by selection: it ends everything under them);
   * `{ keyId }` takes every unexpired certificate of the key's public key at every CA (one
   * CRL per affected CA), a CA certificate included when the key is a CA key, as K8 does.
   * Unlike `engine.revokeKey`, a sweep leaves the key's state alone (except keyCompromise,
   * which marks the key compromised). Nothing left to revoke is not an error: nothing is
   * written and `revoked` and `crls` are empty.
   * @throws INVALID_ARGUMENT (unknown certificate, CA or reason), KEY_NOT_FOUND (unknown key), STORAGE
   */
  revokeCertificates(selection: RevokeSelection, p: RevokeParams): Promise<BulkRevocation>;
  /** Rebuilds a CA's CRL from the revocation store (R6); `onlyIfStale` returns a complete latest CRL as it is. */
  publishCrl(caId: CaId, opts?: PublishCrlOptions): Promise<CrlInfo>;
  /** The latest CRL of a CA. */
  getCrl(caId: CaId): Promise<CrlInfo | undefined>;
  /** One page of the latest CRL's entries (`total` counts them all). Empty when none was published. */
  crlEntries(caId: CaId, page: { offset: number; limit: number }): Promise<{ total: number; entries: CrlEntry[] }>;
  /** The CA's published CRLs, newest first, at most `limit` (default 20): the CRL history. */
  listCrls(caId: CaId, limit?: number): Promise<CrlInfo[]>;
  /**
   * The latest CRL (or the one with `number`, from the history) as PEM or DER.
   * @throws INVALID_ARGUMENT when none was published / there is no such number
   */
  exportCrl: CrlExport;
  /** CA ids whose CRL reaches nextUpdate within `graceMs`: schedule their rebuild (R6). */
  crlsDue(graceMs: number): Promise<CaId[]>;
  /** Verifies a stored certificate against its stored chain and CRLs, step by step. */
  verifyCertificate(id: CertId, opts?: VerifyStoredOptions): Promise<VerifyResult>;
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

/** The leaf profile asked for. @throws INVALID_ARGUMENT for a CA or unknown profile */
function checkProfile(profile: unknown): LeafProfile {
  if (!LEAF_PROFILES.includes(profile as LeafProfile)) throw new EngineError('INVALID_ARGUMENT', `pki: the profile must be one of ${LEAF_PROFILES.join(', ')} (CAs have their own verbs)`);
  return profile as LeafProfile;
}

/** The validity an issuance asks for (days or an end date), without undefined fields. */
function validityOf(p: { validityDays?: number; notAfter?: Date }) {
  return {
    ...(p.validityDays !== undefined ? { validityDays: p.validityDays } : {}),
    ...(p.notAfter !== undefined ? { notAfter: p.notAfter } : {}),
  };
}

/** Builds the CA verbs over an engine context. Nothing global is read or set. */
export function createPki(ctx: EngineContext): Pki {
  const describe = (rec: CertRecord) => describeRecord(ctx, rec);
  const result = async (out: { cert: CertRecord; truncated: boolean }): Promise<IssueResult> => ({
    cert: await describe(out.cert),
    pem: toPem(out.cert.der, 'CERTIFICATE'),
    truncated: out.truncated,
  });

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
      // The issuer and the subject key are read together; the issuer's refusal is still the one named first.
      const issuer = loadIssuer(ctx, p.caId);
      const subjectKey = vaultSubjectKey(ctx, p.keyId);
      subjectKey.catch(() => undefined);
      const { handle } = await issuer;
      const key = await subjectKey;
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
        certs: out.certs.map((c) => certInfo(ctx, c, undefined)),
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
    listCertificates: (filter) => listCertificates(ctx, filter),
    listCertificatesNewest: (limit) => listCertificatesNewest(ctx, limit),
    certificateChunks: (size) => certificateChunks(ctx, size),
    getCertificate: async (id) => describe(await getRecord(ctx, id)),
    describeCertificate: async (id) => describeCertificateDer(ctx, (await getRecord(ctx, id)).der),
    exportCertificate: certificateExport(ctx),
    exportChain: (id) => exportChain(ctx, id),
    exportPkcs12: (id, passphrase) => exportPkcs12(ctx, id, passphrase),
    exportFullChain: fullChainExport(ctx),
    revokeCertificate: (id, p) => revokeCertificate(ctx, id, p),
    revokeCertificates: (selection, p) => revokeCertificates(ctx, selection, p),
    publishCrl: (caId, opts) => publishCrl(ctx, caId, opts),
    getCrl: (caId) => getCrl(ctx, caId),
    crlEntries: (caId, page) => crlEntries(ctx, caId, page),
    listCrls: (caId, limit) => listCrls(ctx, caId, limit),
    exportCrl: crlExport(ctx),
    crlsDue: (graceMs) => crlsDue(ctx, graceMs),
    verifyCertificate: (id, opts) => verifyCertificate(ctx, id, opts),
    verifyChain: (p) => verifyChain(ctx, p),

    readTrustMaterial(input) {
      const m = readTrustMaterial(input);
      return { certs: m.certs.length, crls: m.crls.length };
    },
    importTrustMaterial: (input) => importTrustMaterial(ctx, input),
    listImported: () => listImported(ctx),
    setImportedTrust: (id, trusted) => setImportedTrust(ctx, id, trusted),
    removeImported: (id) => removeImported(ctx, id),
    verifyInput: (p) => verifyInput(ctx, p),
  };
}

/** Reads DER from PEM or DER input (certificates, CRLs). Re-exported for the UI's import flows. */
export function certificateDer(input: string | Uint8Array): Uint8Array<ArrayBuffer> {
  return fromPemOrDer(input, ['CERTIFICATE'], 'certificate');
}


