/**
 * Trust material from outside (E8): certificates, chains and CRLs the user brings to the
 * Verify screen, read strictly and stored apart from Clavis's own CAs (`importedCerts`,
 * `importedCrls`, schema v6). Nothing imported is ever a Clavis CA, signs anything or
 * appears in the CA list; an imported certificate becomes a trust anchor only by an
 * explicit act, and only when it is a self-signed CA certificate.
 *
 * Accepted forms: PEM (one block or a bundle of CERTIFICATE, X509 CRL, PKCS7/CMS blocks),
 * DER certificates and CRLs, and certs-only PKCS #7 SignedData (.p7b, PEM or DER). Size
 * caps are checked before anything is parsed; every structure goes through the engine's
 * one strict DER reader (validate/parse.ts); anything else is MALFORMED_INPUT with a
 * sentence that says what was found.
 *
 * Common case:
 * ```ts
 * const { certs, crls } = readTrustMaterial(pemBundleText);       // DER, in input order
 * const out = await importTrustMaterial(ctx, fileBytes);          // audited, one transaction
 * await setImportedTrust(ctx, out.added[0].id, true);             // a self-signed CA only
 * ```
 */
import type { AuditDraft } from '../audit/chain';
import { auditDraft, withAudit } from '../audit/store';
import * as OID from '../internal/oids';
import { EngineError, MalformedInputError, isEngineError } from '../errors';
import { toHex } from '../internal/bytes';
import { DerReader, TAG, decodeOid, parseDer } from '../internal/der';
import type { EngineContext } from '../keys/context';
import { decodePem, pemCharsFor } from '../keys/pem';
import type { ImportedCertRecord, ImportedCrlRecord } from '../storage/schema';
import { parseCert, parseCrl, type Cert, type Crl } from './validate/parse';
import { verifySignature } from './validate/signature';

/** Largest single certificate read (DER bytes). */
export const MAX_IMPORT_CERT_BYTES = 64 * 1024;
/** Largest CRL read (DER bytes): a CRL with ~100,000 entries fits. */
export const MAX_IMPORT_CRL_BYTES = 8 * 1024 * 1024;
/** Largest input (DER bytes, or PEM text of that many bytes). */
export const MAX_IMPORT_BYTES = 8 * 1024 * 1024;
/** Most certificates and CRLs one input may carry. */
export const MAX_IMPORT_ITEMS = 200;

const OID_SIGNED_DATA = OID.signedData;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE']);
const CRL_LABELS = new Set(['X509 CRL']);
const P7_LABELS = new Set(['PKCS7', 'CMS']);

/** What an input carries, as DER, in input order. */
export interface TrustMaterial {
  certs: Uint8Array[];
  crls: Uint8Array[];
}

/** An imported certificate as the UI shows it (no DER). */
export type ImportedCertInfo = Omit<ImportedCertRecord, 'der'> & { kind: 'certificate' };
/** An imported CRL as the UI shows it (no DER). */
export type ImportedCrlInfo = Omit<ImportedCrlRecord, 'der'> & { kind: 'crl' };

/** What an import did. */
export interface ImportOutcome {
  added: Array<ImportedCertInfo | ImportedCrlInfo>;
  /** Items already imported (same SHA-256 of the DER): not stored again. */
  duplicates: Array<{ id: string; kind: 'certificate' | 'crl'; what: string }>;
}

function tooLarge(what: string): never {
  throw new MalformedInputError(`pki: the ${what} is too large to import`);
}

function why(e: unknown): string {
  return e instanceof Error ? e.message.replace(/^[a-z]+: /, '') : 'unreadable';
}

/** Reads a certs-only PKCS #7 SignedData (RFC 5652 5.1, RFC 2315 9.1's degenerate case). */
function readPkcs7(der: Uint8Array, out: TrustMaterial): void {
  const top = parseDer(der);
  if (top.tag !== TAG.SEQUENCE) throw new MalformedInputError('pki: a PKCS #7 bundle is not a SEQUENCE');
  const ci = new DerReader(top.content, 'ContentInfo');
  const type = decodeOid(ci.expect(TAG.OID, 'contentType'), 'the content type');
  if (type !== OID_SIGNED_DATA) throw new MalformedInputError(`pki: the PKCS #7 content is ${type}, not SignedData: only certificate bundles (.p7b) are read`);
  const wrapped = new DerReader(ci.expect(0xa0, 'content').content, 'content');
  const sd = wrapped.sequence('SignedData');
  wrapped.end();
  ci.end();
  sd.expect(TAG.INTEGER, 'version');
  sd.set('digestAlgorithms');
  sd.sequence('encapContentInfo');
  const certSet = sd.optional(0xa0, 'certificates');
  const crlSet = sd.optional(0xa1, 'crls');
  const signers = sd.set('signerInfos');
  sd.end();
  if (!signers.done) throw new MalformedInputError('pki: this PKCS #7 file is a signed message, not a certs-only bundle (.p7b)');
  if (certSet) {
    const r = new DerReader(certSet.content, 'certificates');
    while (!r.done) {
      if (r.peekTag() !== TAG.SEQUENCE) throw new MalformedInputError('pki: the PKCS #7 bundle holds an attribute or other certificate, not an X.509 certificate');
      out.certs.push(r.next('a certificate').encoded.slice());
    }
  }
  if (crlSet) {
    const r = new DerReader(crlSet.content, 'crls');
    while (!r.done) {
      if (r.peekTag() !== TAG.SEQUENCE) throw new MalformedInputError('pki: the PKCS #7 bundle holds revocation information that is not an X.509 CRL');
      out.crls.push(r.next('a CRL').encoded.slice());
    }
  }
}

/** Sorts one DER object: certificate, CRL, or PKCS #7 bundle. */
function readDerObject(der: Uint8Array, out: TrustMaterial): void {
  const top = parseDer(der);
  if (top.tag !== TAG.SEQUENCE) throw new MalformedInputError('pki: the DER data is not a SEQUENCE, so it is no certificate, CRL or PKCS #7 bundle');
  if (new DerReader(top.content).peekTag() === TAG.OID) return readPkcs7(der, out);
  try {
    parseCert(der);
    out.certs.push(der.slice());
    return;
  } catch (e) {
    if (!isEngineError(e, 'MALFORMED_INPUT')) throw e;
    try {
      parseCrl(der);
    } catch (e2) {
      if (!isEngineError(e2, 'MALFORMED_INPUT')) throw e2;
      throw new MalformedInputError(`pki: the DER data is neither a certificate (${why(e)}) nor a CRL (${why(e2)})`);
    }
    out.crls.push(der.slice());
  }
}

/**
 * Reads every certificate and CRL an input carries (PEM text or bytes, DER, .p7b), in
 * input order, checking each parses strictly. Size caps come first.
 * @throws MALFORMED_INPUT (empty, too large, not one of the forms, a broken structure)
 */
export function readTrustMaterial(input: string | Uint8Array): TrustMaterial {
  const out: TrustMaterial = { certs: [], crls: [] };
  const maxChars = pemCharsFor(MAX_IMPORT_BYTES);
  let text: string | undefined;
  if (typeof input === 'string') {
    if (input.length > maxChars) tooLarge('text');
    text = input;
  } else if (input instanceof Uint8Array) {
    if (input.length === 0) throw new MalformedInputError('pki: the file is empty');
    if (input[0] === TAG.SEQUENCE) {
      if (input.length > MAX_IMPORT_BYTES) tooLarge('file');
      readDerObject(input, out);
    } else {
      if (input.length > maxChars) tooLarge('file');
      text = new TextDecoder('utf-8', { fatal: false }).decode(input);
    }
  } else {
    throw new EngineError('INVALID_ARGUMENT', 'pki: import takes PEM text or the bytes of a file');
  }
  if (text !== undefined) {
    if (!text.includes('-----BEGIN ')) {
      throw new MalformedInputError(text.trim() === '' ? 'pki: nothing was given to import' : 'pki: the text holds no PEM block ("-----BEGIN CERTIFICATE-----" or "-----BEGIN X509 CRL-----")');
    }
    let blocks;
    try {
      blocks = decodePem(text, { maxChars });
    } catch (e) {
      if (isEngineError(e) && e.code !== 'MALFORMED_INPUT') throw e;
      throw new MalformedInputError(`pki: the PEM text cannot be read (${why(e)})`, { cause: e });
    }
    for (const b of blocks) {
      if (CERT_LABELS.has(b.label)) {
        if (b.der.length > MAX_IMPORT_CERT_BYTES) tooLarge('certificate');
        parseCert(b.der);
        out.certs.push(b.der);
      } else if (CRL_LABELS.has(b.label)) {
        if (b.der.length > MAX_IMPORT_CRL_BYTES) tooLarge('CRL');
        parseCrl(b.der);
        out.crls.push(b.der);
      } else if (P7_LABELS.has(b.label)) {
        readPkcs7(b.der, out);
      } else if (/PRIVATE KEY/.test(b.label)) {
        // The key itself is never echoed or kept.
        throw new MalformedInputError('pki: the text holds a private key; only certificates and CRLs are imported here, and the key was not read');
      } else if (b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST') {
        throw new MalformedInputError('pki: the text holds a certificate request (CSR); paste the certificate the CA sent back instead');
      } else {
        throw new MalformedInputError(`pki: a PEM block labelled "${b.label}" is not a certificate, CRL or PKCS #7 bundle`);
      }
    }
  }
  for (const c of out.certs) {
    if (c.length > MAX_IMPORT_CERT_BYTES) tooLarge('certificate');
    parseCert(c);
  }
  for (const c of out.crls) {
    if (c.length > MAX_IMPORT_CRL_BYTES) tooLarge('CRL');
    parseCrl(c);
  }
  if (out.certs.length + out.crls.length === 0) throw new MalformedInputError('pki: the input holds no certificate and no CRL');
  if (out.certs.length + out.crls.length > MAX_IMPORT_ITEMS) throw new MalformedInputError(`pki: the input holds more than ${MAX_IMPORT_ITEMS} certificates and CRLs`);
  return out;
}

async function sha256Hex(ctx: Pick<EngineContext, 'subtle'>, der: Uint8Array): Promise<string> {
  return toHex(await ctx.subtle.digest('SHA-256', der as Uint8Array<ArrayBuffer>));
}

/** Issuer and subject equal, and the certificate's own key verifies its signature. */
async function isSelfSigned(ctx: Pick<EngineContext, 'subtle'>, c: Cert): Promise<boolean> {
  if (!c.selfIssued) return false;
  const s = await verifySignature(ctx.subtle, c, c, { allowSha1: true });
  return s.ok;
}

const iso = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? undefined : new Date(ms).toISOString());

async function certRecord(ctx: Pick<EngineContext, 'subtle'>, der: Uint8Array, now: string): Promise<ImportedCertRecord> {
  const c = parseCert(der);
  const sha256 = await sha256Hex(ctx, der);
  return {
    id: `imp-cert_${sha256}`,
    sha256,
    der: der.slice(),
    subject: c.subject.text,
    issuer: c.issuer.text,
    serialHex: c.serial,
    notBefore: iso(c.notBefore) ?? '',
    notAfter: iso(c.notAfter) ?? '',
    isCa: c.basicConstraints?.ca === true,
    selfSigned: await isSelfSigned(ctx, c),
    trusted: false,
    importedAt: now,
  };
}

async function crlRecord(ctx: Pick<EngineContext, 'subtle'>, der: Uint8Array, now: string): Promise<ImportedCrlRecord> {
  const c: Crl = parseCrl(der);
  const sha256 = await sha256Hex(ctx, der);
  const rec: ImportedCrlRecord = { id: `imp-crl_${sha256}`, sha256, der: der.slice(), issuer: c.issuer.text, thisUpdate: iso(c.thisUpdate) ?? '', entries: c.entries.length, importedAt: now };
  const next = iso(c.nextUpdate);
  if (next) rec.nextUpdate = next;
  if (c.crlNumber !== undefined) rec.crlNumber = c.crlNumber;
  return rec;
}

export function importedCertInfo(r: ImportedCertRecord): ImportedCertInfo {
  const { der: _der, ...info } = r;
  return { ...info, kind: 'certificate' };
}

export function importedCrlInfo(r: ImportedCrlRecord): ImportedCrlInfo {
  const { der: _der, ...info } = r;
  return { ...info, kind: 'crl' };
}

/**
 * Imports every certificate and CRL of an input, with one audit entry per item, in ONE
 * transaction. Items already imported (same SHA-256) are reported, not stored again.
 * Nothing is stored when the input is refused.
 * @throws MALFORMED_INPUT, INVALID_ARGUMENT, STORAGE
 */
export async function importTrustMaterial(ctx: EngineContext, input: string | Uint8Array): Promise<ImportOutcome> {
  const material = readTrustMaterial(input);
  const now = new Date(ctx.clock.now()).toISOString();
  // Hashing, parsing and self-signature checks happen before any transaction (W3).
  const certs: ImportedCertRecord[] = [];
  const crls: ImportedCrlRecord[] = [];
  const seen = new Set<string>();
  for (const der of material.certs) {
    const r = await certRecord(ctx, der, now);
    if (!seen.has(r.id)) certs.push(r);
    seen.add(r.id);
  }
  for (const der of material.crls) {
    const r = await crlRecord(ctx, der, now);
    if (!seen.has(r.id)) crls.push(r);
    seen.add(r.id);
  }
  let outcome: ImportOutcome = { added: [], duplicates: [] };
  await withAudit(ctx, async () => {
    const newCerts: ImportedCertRecord[] = [];
    const newCrls: ImportedCrlRecord[] = [];
    const duplicates: ImportOutcome['duplicates'] = [];
    for (const r of certs) {
      if (await ctx.storage.getImportedCert(r.id)) duplicates.push({ id: r.id, kind: 'certificate', what: r.subject });
      else newCerts.push(r);
    }
    for (const r of crls) {
      if (await ctx.storage.getImportedCrl(r.id)) duplicates.push({ id: r.id, kind: 'crl', what: `CRL of ${r.issuer}` });
      else newCrls.push(r);
    }
    outcome = { added: [...newCerts.map(importedCertInfo), ...newCrls.map(importedCrlInfo)], duplicates };
    const drafts: AuditDraft[] = [
      ...newCerts.map((r) => auditDraft(ctx, 'trust.import', [r.id], { kind: 'certificate', subject: r.subject, issuer: r.issuer, serial: r.serialHex, sha256: r.sha256 })),
      ...newCrls.map((r) => auditDraft(ctx, 'trust.import', [r.id], { kind: 'crl', issuer: r.issuer, entries: r.entries, sha256: r.sha256 })),
    ];
    return {
      drafts,
      commit: (audit) => (drafts.length ? ctx.storage.commitImported({ ...audit, addCerts: newCerts, addCrls: newCrls }) : Promise.resolve()),
    };
  });
  return outcome;
}

/** Every imported certificate and CRL (metadata). */
export async function listImported(ctx: EngineContext): Promise<{ certs: ImportedCertInfo[]; crls: ImportedCrlInfo[] }> {
  const [certs, crls] = await Promise.all([ctx.storage.listImportedCerts(), ctx.storage.listImportedCrls()]);
  const byTime = <T extends { importedAt: string; id: string }>(a: T, b: T) => a.importedAt.localeCompare(b.importedAt) || a.id.localeCompare(b.id);
  return { certs: certs.sort(byTime).map(importedCertInfo), crls: crls.sort(byTime).map(importedCrlInfo) };
}

/**
 * Marks an imported certificate as a trust anchor for verification, or takes the mark
 * away. Only a self-signed CA certificate may be trusted: a leaf or an intermediate as an
 * anchor would make whatever it signed look rooted. Audited.
 * @throws INVALID_ARGUMENT (no such certificate; not a self-signed CA, with why)
 */
export async function setImportedTrust(ctx: EngineContext, id: string, trusted: boolean): Promise<ImportedCertInfo> {
  const rec = typeof id === 'string' && id ? await ctx.storage.getImportedCert(id) : undefined;
  if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no imported certificate with that id');
  if (trusted) {
    if (!rec.isCa) throw new EngineError('INVALID_ARGUMENT', `pki: "${rec.subject}" is not a CA certificate (basicConstraints cA is not set), so it cannot be a trust anchor`);
    if (!rec.selfSigned) throw new EngineError('INVALID_ARGUMENT', `pki: "${rec.subject}" is not self-signed (issued by "${rec.issuer}"), so it cannot be a trusted root; import and trust its root instead`);
  }
  let out = importedCertInfo(rec);
  await withAudit(ctx, async () => {
    const cur = await ctx.storage.getImportedCert(rec.id);
    if (!cur) throw new EngineError('INVALID_ARGUMENT', 'pki: no imported certificate with that id');
    const next = { ...cur, trusted };
    out = importedCertInfo(next);
    return {
      drafts: cur.trusted === trusted ? [] : [auditDraft(ctx, trusted ? 'trust.anchor.add' : 'trust.anchor.remove', [cur.id], { subject: cur.subject, sha256: cur.sha256 })],
      commit: (audit) => (cur.trusted === trusted ? Promise.resolve() : ctx.storage.commitImported({ ...audit, putCert: { rec: next, trustedBefore: cur.trusted } })),
    };
  });
  return out;
}

/**
 * Removes an imported certificate or CRL. Audited.
 * @throws INVALID_ARGUMENT (nothing imported has that id)
 */
export async function removeImported(ctx: EngineContext, id: string): Promise<void> {
  const cert = typeof id === 'string' && id ? await ctx.storage.getImportedCert(id) : undefined;
  const crl = !cert && typeof id === 'string' && id ? await ctx.storage.getImportedCrl(id) : undefined;
  if (!cert && !crl) throw new EngineError('INVALID_ARGUMENT', 'pki: nothing imported has that id');
  const details: AuditDraft['details'] = cert ? { kind: 'certificate', subject: cert.subject, sha256: cert.sha256, trusted: cert.trusted } : { kind: 'crl', issuer: crl!.issuer, sha256: crl!.sha256 };
  await withAudit(ctx, async () => ({
    drafts: [auditDraft(ctx, 'trust.remove', [id], details)],
    commit: (audit) => ctx.storage.commitImported({ ...audit, deleteIds: [id] }),
  }));
}
