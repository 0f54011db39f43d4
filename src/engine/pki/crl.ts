/**
 * Certificate revocation lists (E7, SECURITY.md R1–R6, P6, P7, M1–M3). A CRL is always
 * derived from the revocation store, so a revocation persisted before a reload is on the
 * next CRL. Clavis writes the TBSCertList itself, encoded once (a 100,000-entry CRL is
 * one pass, not pkijs's encode-in-sign plus a second `toSchema(true)` encode), lints it,
 * signs it and stores the exact bytes.
 *
 * Common case: `pki.revokeCertificate(certId, { reason: 'keyCompromise' })` rebuilds the
 * issuer's CRL; `pki.exportCrl(caId, 'pem')` hands it out.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, MalformedInputError } from '../errors';
import type { EngineContext } from '../keys/context';
import type { CrlRecord } from '../storage/schema';
import { pkiCrypto, type Signer } from './algorithms';
import { crlJobs } from './crl-client';
import { createRevocationPacker, encodeTbsCertList, type CrlSummary, type PackedRevocations, type TbsCertListInput } from './crl-codec';
import { parseAsn1 } from './der';
import { assembleSigned, loadIssuer, sha256Hex } from './issue';
import { MAX_CA_CRL_VALIDITY_DAYS, MAX_LEAF_CRL_VALIDITY_DAYS, assertLintClean, lintTbsCertList } from './lint';
import { DAY, wholeSeconds } from './time';

export { compareSerialHex, encodeTbsCertList, parseCrl, type CrlEntryInput, type ParsedCrl, type TbsCertListInput } from './crl-codec';

/** RFC 5280 §5.3.1 reasons Clavis accepts (BR 7.2.2.1): never unspecified (0) or certificateHold (6). */
export const REVOCATION_REASONS = {
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;
export const REASON_NAMES: Record<number, RevocationReason> = Object.fromEntries(
  Object.entries(REVOCATION_REASONS).map(([k, v]) => [v, k as RevocationReason]),
);

/** thisUpdate is backdated a little so a verifier with a slow clock accepts the CRL (R2). */
export const CRL_BACKDATE_MS = 60_000;
/** BR 4.9.7: at most 10 days between thisUpdate and nextUpdate for CAs issuing leaves. */
export const MAX_CRL_VALIDITY_DAYS = MAX_LEAF_CRL_VALIDITY_DAYS;
/** BR 4.9.7: at most 365 days for a CA that issues only CA certificates (a root). */
export { MAX_CA_CRL_VALIDITY_DAYS };

/** Builds, lints and signs a CRL in-thread. Pure: no storage. */
export async function signCrl(
  signer: Signer,
  t: Omit<TbsCertListInput, 'algorithm'>,
  lint: { now: Date; previousNumber?: number; issuesLeaves: boolean },
): Promise<Uint8Array<ArrayBuffer>> {
  const tbs = encodeTbsCertList({ ...t, algorithm: signer.algorithm });
  assertLintClean(
    lintTbsCertList(tbs, {
      outerAlgorithm: signer.algorithm,
      issuerName: t.issuer,
      issuerSki: t.authorityKeyId,
      now: lint.now,
      issuesLeaves: lint.issuesLeaves,
      ...(lint.previousNumber !== undefined ? { previousNumber: lint.previousNumber } : {}),
    }),
    'CRL',
  );
  return assembleSigned(tbs, signer.algorithm, await signer.sign(tbs));
}

/** Metadata of a published CRL (no DER). */
export type CrlInfo = Omit<CrlRecord, 'der'>;

/**
 * Whether a CA issues end-entity certificates, which caps its CRLs at 10 days (BR
 * 4.9.7). Only a CA configured for longer CRLs (a root that issues only CAs) is looked
 * up; it is refused leaves at issuance, and this keeps the cap if one exists anyway.
 */
async function issuesLeaves(ctx: EngineContext, caId: string, crlValidityDays: number): Promise<boolean> {
  if (crlValidityDays <= MAX_LEAF_CRL_VALIDITY_DAYS) return true;
  return (await ctx.storage.listCerts(caId)).some((c) => c.caId === undefined);
}

/** What `buildAndSignCrl` needs besides the signer. */
export interface CrlBuildParams {
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  authorityKeyId: Uint8Array;
  number: number;
  revocations: PackedRevocations;
  lint: { now: Date; previousNumber?: number; issuesLeaves: boolean };
}

/**
 * The size-dependent part of publishing: R6 tidy (entries leave once the certificate has
 * expired), sort, encode and lint — in the CRL worker for big lists — then the signature
 * on this thread. No storage. @throws CERT_INVALID (lint)
 */
export async function buildAndSignCrl(signer: Signer, p: CrlBuildParams): Promise<{ der: Uint8Array<ArrayBuffer>; entries: number }> {
  const built = await crlJobs.build({
    algorithm: signer.algorithm,
    issuer: p.issuer.slice(),
    thisUpdate: p.thisUpdate.getTime(),
    nextUpdate: p.nextUpdate.getTime(),
    authorityKeyId: p.authorityKeyId.slice(),
    number: p.number,
    revocations: p.revocations,
    lint: p.lint,
  });
  assertLintClean(built.findings, 'CRL');
  return { der: assembleSigned(built.tbs, signer.algorithm, await signer.sign(built.tbs)), entries: built.entries };
}

/**
 * Rebuilds and stores the CRL of a CA from the revocation store. A big list is encoded
 * and linted in the CRL worker (see `crl-client.ts`); the CA key signs on this thread.
 * @throws CERT_INVALID, STORAGE
 */
export async function publishCrl(ctx: EngineContext, caId: string): Promise<CrlInfo> {
  const { handle, ca } = await loadIssuer(ctx, caId, { forCrl: true });
  const now = wholeSeconds(ctx.clock.now());
  const leaves = await issuesLeaves(ctx, caId, ca.crlValidityDays);
  const days = Math.min(ca.crlValidityDays, leaves ? MAX_LEAF_CRL_VALIDITY_DAYS : MAX_CA_CRL_VALIDITY_DAYS);
  const thisUpdate = new Date(now.getTime() - CRL_BACKDATE_MS);
  const nextUpdate = new Date(thisUpdate.getTime() + days * DAY);
  const revocations = await readRevocations(ctx, caId);
  const previous = (await ctx.storage.getLatestCrl(caId))?.number;
  // R1: the number is allocated (read-modify-write, one transaction) before signing; a
  // failed signing skips a number, which keeps the sequence strictly increasing.
  const number = await ctx.storage.allocateCrlNumber(caId);
  const built = await buildAndSignCrl(handle.signer, {
    issuer: handle.name,
    thisUpdate,
    nextUpdate,
    authorityKeyId: handle.ski,
    number,
    revocations,
    lint: { now, issuesLeaves: leaves, ...(previous !== undefined ? { previousNumber: previous } : {}) },
  });
  const der = built.der;
  const rec: CrlRecord = {
    id: `${caId}:${number}`,
    issuerId: caId,
    number,
    thisUpdate: thisUpdate.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    entries: built.entries,
    der,
    sha256: await sha256Hex(ctx, der),
  };
  // A2/A4: the CRL and its audit entry are stored together (number, dates, count; no key material).
  await withAudit(ctx, async () => ({
    drafts: [
      auditDraft(ctx, 'crl.publish', [caId], {
        issuerId: caId,
        number,
        thisUpdate: rec.thisUpdate,
        nextUpdate: rec.nextUpdate,
        entries: rec.entries,
        sha256: rec.sha256,
      }),
    ],
    commit: (audit) => ctx.storage.addCrl(rec, audit),
  }));
  const { der: _der, ...info } = rec;
  return info;
}

/** Revocations read per IndexedDB request while a CRL is built (M3, M7). */
export const REVOCATION_PAGE_SIZE = 1_000;

/** Lets the page run (input, rendering) between chunks; not clamped like setTimeout. */
function yieldToPage(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Reads an issuer's revocations from the (issuer, serial) index in pages of
 * {@link REVOCATION_PAGE_SIZE}, packing each page and yielding to the page in between,
 * so 100,000 revocations never arrive as one huge structured clone on the main thread.
 */
export async function readRevocations(ctx: EngineContext, caId: string, pageSize = REVOCATION_PAGE_SIZE): Promise<PackedRevocations> {
  const packer = createRevocationPacker();
  let after: string | undefined;
  for (;;) {
    const page = await ctx.storage.listRevocationsPage(caId, after === undefined ? { limit: pageSize } : { afterSerialHex: after, limit: pageSize });
    packer.add(page);
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.serialHex;
    await yieldToPage();
  }
  return packer.finish();
}

/** CAs whose latest CRL reaches nextUpdate within `graceMs` (or have none): rebuild these (R6). */
export async function crlsDue(ctx: EngineContext, graceMs: number): Promise<string[]> {
  const now = ctx.clock.now();
  const out: string[] = [];
  for (const ca of await ctx.storage.listCas()) {
    if (Date.parse(ca.notAfter) <= now) continue;
    const latest = await ctx.storage.getLatestCrl(ca.id);
    if (!latest || Date.parse(latest.nextUpdate) - graceMs <= now) out.push(ca.id);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Reading CRLs

/**
 * Parses a CRL with pkijs, sizing asn1js's limits for the input (M1): pkijs's own
 * `fromBER` stops at 10,000 nodes, about 1,245 entries with reason codes.
 * @throws MALFORMED_INPUT
 */
export function parseCrlWithPkijs(der: Uint8Array): pkijs.CertificateRevocationList {
  try {
    return new pkijs.CertificateRevocationList({ schema: parseAsn1(der, 'CRL') });
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: the CRL could not be parsed', { cause: e });
  }
}

/** Checks a CRL's signature with the issuer's certificate (pkijs, explicit engine). */
export async function verifyCrlSignature(ctx: EngineContext, crl: pkijs.CertificateRevocationList, issuer: pkijs.Certificate): Promise<boolean> {
  try {
    return await crl.verify({ issuerCertificate: issuer }, pkiCrypto(ctx));
  } catch {
    return false;
  }
}



/**
 * Checks a CRL's signature from its summary (the exact TBS bytes), without parsing the
 * revoked list with asn1js: a 100,000-entry CRL costs one hash and one verification.
 * False when the TBS and outer algorithms differ.
 */
export async function verifyCrlSummarySignature(ctx: EngineContext, crl: CrlSummary, issuer: pkijs.Certificate): Promise<boolean> {
  if (!crl.algorithmsMatch) return false;
  try {
    const algorithm = new pkijs.AlgorithmIdentifier({ schema: parseAsn1(crl.signatureAlgorithm, 'CRL signature algorithm') });
    const signature = new asn1js.BitString({ valueHex: crl.signature.slice().buffer });
    return await pkiCrypto(ctx).verifyWithPublicKey(crl.tbs.slice(), signature, issuer.subjectPublicKeyInfo, algorithm);
  } catch {
    return false;
  }
}
