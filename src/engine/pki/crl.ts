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
import type { CaId } from '../ids';
import * as pkijs from 'pkijs';
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, MalformedInputError } from '../errors';
import type { EngineContext } from '../keys/context';
import type { CrlState } from '../storage/commits';
import { latestRevokedAt, liveEntries } from '../storage/crl-chunks';
import type { CrlChunkRecord, CrlRecord } from '../storage/schema';
import { pkiCrypto, type Signer } from './algorithms';
import { crlJobs } from './crl-client';
import { createRevocationPacker, encodeTbsCertList, encodeTbsCertListFrom, type PackedRevocations, type TbsCertListInput } from './crl-codec';
import { parseAsn1 } from './parse-asn1';
import { assembleSigned, loadIssuer, sha256Hex } from './issue';
import { MAX_CA_CRL_VALIDITY_DAYS, MAX_LEAF_CRL_VALIDITY_DAYS, assertLintClean, lintTbsCertList } from './lint';
import { DAY, wholeSeconds } from '../internal/time';
import { yieldToPage } from '../internal/yield';

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
async function issuesLeaves(ctx: EngineContext, caId: CaId, crlValidityDays: number): Promise<boolean> {
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
 * The CRL write path (issue 15): the TBSCertList from an issuer's CRL chunks, its entries
 * encoded and linted when their revocations were recorded. R6 tidy drops the entries of
 * certificates expired at thisUpdate; the rest is concatenated as stored, the header is
 * linted, and the TBS signed once. No storage. @throws CERT_INVALID (lint)
 */
export async function signCrlFromChunks(
  signer: Signer,
  p: Omit<CrlBuildParams, 'revocations'> & { chunks: readonly CrlChunkRecord[] },
): Promise<{ der: Uint8Array<ArrayBuffer>; entries: number }> {
  const live = liveEntries(p.chunks, p.thisUpdate.getTime());
  const tbs = encodeTbsCertListFrom(
    { algorithm: signer.algorithm, issuer: p.issuer, thisUpdate: p.thisUpdate, nextUpdate: p.nextUpdate, authorityKeyId: p.authorityKeyId, number: p.number },
    live.pieces,
  );
  assertLintClean(
    lintTbsCertList(tbs, {
      outerAlgorithm: signer.algorithm,
      issuerName: p.issuer,
      issuerSki: p.authorityKeyId,
      now: p.lint.now,
      issuesLeaves: p.lint.issuesLeaves,
      entriesLinted: true,
      ...(p.lint.previousNumber !== undefined ? { previousNumber: p.lint.previousNumber } : {}),
    }),
    'CRL',
  );
  return { der: assembleSigned(tbs, signer.algorithm, await signer.sign(tbs)), entries: live.entries };
}

/**
 * An issuer's CRL snapshot (counters and chunks, one transaction). Chunks that do not
 * add up to the issuer's revocation records (a database whose revocations were written
 * without them) are rebuilt from the records first, once.
 */
async function readCrlSnapshot(ctx: EngineContext, caId: CaId): Promise<{ state: CrlState; chunks: CrlChunkRecord[] }> {
  let snap = await ctx.storage.readCrlSnapshot(caId);
  if (snap.chunks.reduce((n, c) => n + c.count, 0) !== snap.revocations) {
    await ctx.storage.rebuildCrlChunks(caId);
    snap = await ctx.storage.readCrlSnapshot(caId);
  }
  return snap;
}

/** Options of `publishCrl`. */
export interface PublishCrlOptions {
  /**
   * Publish only if the CA's latest CRL misses a recorded revocation (or there is none):
   * otherwise the latest CRL is returned as it is. Rebuilds after a revocation use this,
   * so concurrent tabs converge on one complete CRL instead of racing each other.
   */
  onlyIfStale?: boolean;
}

/**
 * Rebuilds and stores the CRL of a CA from its revocations (issue 14, R1, R6).
 *
 * One consistent snapshot: the CA's counters (last CRL number, revocations recorded) and
 * its CRL chunks (the revocations as CRL entries, encoded and linted when recorded, issue
 * 15) are read in one transaction; the CRL gets number `last + 1`, its entries are
 * concatenated and it is signed outside any transaction; the storing
 * transaction checks that neither counter moved (`storage.commitCrl`) and otherwise the
 * whole build is redone from a fresh snapshot (`withAudit` retries). So a CRL that misses
 * a revocation recorded before it is never stored, and a higher number never lists less.
 * thisUpdate is backdated by {@link CRL_BACKDATE_MS} (R2) but never before a revocation
 * it lists.
 * @throws CERT_INVALID, STORAGE
 */
export async function publishCrl(ctx: EngineContext, caId: CaId, opts: PublishCrlOptions = {}): Promise<CrlInfo> {
  const { handle, ca } = await loadIssuer(ctx, caId, { forCrl: true });
  let firstSeen: number | undefined;
  return withAudit(ctx, async () => {
    const state = await ctx.storage.getCrlState(caId);
    firstSeen ??= state.lastNumber;
    // A catch-up rebuild, or a retry after another tab stored a CRL meanwhile, that finds
    // the latest CRL covering every recorded revocation returns it: no number is spent.
    const caughtUp = state.covered === state.revisions && state.lastNumber > 0;
    if (caughtUp && (opts.onlyIfStale || state.lastNumber > firstSeen)) {
      const latest = await ctx.storage.getLatestCrl(caId);
      if (latest && latest.number === state.lastNumber) {
        const { der: _der, ...info } = latest;
        return { drafts: [], commit: async () => info };
      }
    }
    const now = wholeSeconds(ctx.clock.now());
    const leaves = await issuesLeaves(ctx, caId, ca.crlValidityDays);
    const days = Math.min(ca.crlValidityDays, leaves ? MAX_LEAF_CRL_VALIDITY_DAYS : MAX_CA_CRL_VALIDITY_DAYS);
    // The counters and the encoded entries from ONE snapshot (the counters checked again
    // when the CRL is stored).
    const snap = await readCrlSnapshot(ctx, caId);
    const lastNumber = snap.state.lastNumber;
    // Backdated for slow verifier clocks (R2), but never before a revocation it lists.
    const thisUpdate = new Date(Math.min(now.getTime(), Math.max(now.getTime() - CRL_BACKDATE_MS, latestRevokedAt(snap.chunks))));
    const nextUpdate = new Date(thisUpdate.getTime() + days * DAY);
    const number = lastNumber + 1;
    const built = await signCrlFromChunks(handle.signer, {
      issuer: handle.name,
      thisUpdate,
      nextUpdate,
      authorityKeyId: handle.ski,
      number,
      chunks: snap.chunks,
      lint: { now, issuesLeaves: leaves, ...(lastNumber > 0 ? { previousNumber: lastNumber } : {}) },
    });
    const der = built.der;
    const rec: CrlRecord & { revisions: number } = {
      id: `${caId}:${number}`,
      issuerId: caId,
      number,
      thisUpdate: thisUpdate.toISOString(),
      nextUpdate: nextUpdate.toISOString(),
      entries: built.entries,
      der,
      sha256: await sha256Hex(ctx, der),
      revisions: snap.state.revisions,
    };
    const { der: _der, ...info } = rec;
    // A2/A4: the CRL and its audit entry are stored together (number, dates, count; no key material).
    return {
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
      commit: async (audit) => {
        await ctx.storage.commitCrl(rec, audit);
        return info;
      },
    };
  });
}

/** True when the CA's latest CRL misses a recorded revocation, or it has none (issue 14). */
export async function crlIsStale(ctx: EngineContext, caId: CaId): Promise<boolean> {
  const s = await ctx.storage.getCrlState(caId);
  return s.lastNumber === 0 || s.covered === undefined || s.covered < s.revisions;
}

/**
 * Rebuilds the CRL of every live CA whose latest CRL misses a recorded revocation (a tab
 * closed between a revocation and its CRL, a failed rebuild). Run at start-up (through
 * `crlsDue`) and after every revocation. Returns the CRLs published; a CA that cannot
 * sign now is skipped (it stays stale, and the next run tries again).
 */
export async function rebuildStaleCrls(ctx: EngineContext, except: readonly string[] = []): Promise<CrlInfo[]> {
  const now = ctx.clock.now();
  const out: CrlInfo[] = [];
  for (const ca of await ctx.storage.listCas()) {
    if (except.includes(ca.id) || Date.parse(ca.notAfter) <= now || !(await crlIsStale(ctx, ca.id))) continue;
    try {
      out.push(await publishCrl(ctx, ca.id, { onlyIfStale: true }));
    } catch {
      // Stays stale: the scheduler and the next revocation retry, and `crlsDue` lists it.
    }
  }
  return out;
}

/** Revocations read per IndexedDB request while a CRL is built (M3, M7). */
export const REVOCATION_PAGE_SIZE = 1_000;

/**
 * Reads an issuer's revocations from the (issuer, serial) index in pages of
 * {@link REVOCATION_PAGE_SIZE}, packing each page and yielding to the page in between,
 * so 100,000 revocations never arrive as one huge structured clone on the main thread.
 */
export async function readRevocations(ctx: EngineContext, caId: CaId, pageSize = REVOCATION_PAGE_SIZE): Promise<PackedRevocations> {
  return (await readRevocationsWithLatest(ctx, caId, pageSize)).packed;
}

/** `readRevocations` plus the newest revocation date read (epoch ms; -Infinity for none). */
async function readRevocationsWithLatest(ctx: EngineContext, caId: CaId, pageSize = REVOCATION_PAGE_SIZE): Promise<{ packed: PackedRevocations; latestRevokedAt: number }> {
  const packer = createRevocationPacker();
  let latestRevokedAt = Number.NEGATIVE_INFINITY;
  let after: string | undefined;
  for (;;) {
    const page = await ctx.storage.listRevocationsPage(caId, after === undefined ? { limit: pageSize } : { afterSerialHex: after, limit: pageSize });
    packer.add(page);
    for (const r of page) latestRevokedAt = Math.max(latestRevokedAt, Date.parse(r.revokedAt));
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.serialHex;
    await yieldToPage();
  }
  return { packed: packer.finish(), latestRevokedAt };
}

/**
 * CAs to rebuild now: those whose latest CRL reaches nextUpdate within `graceMs` (R6),
 * has none, or misses a recorded revocation (issue 14: a tab closed between a revocation
 * and its CRL). The app's scheduler runs this at start-up and periodically.
 */
export async function crlsDue(ctx: EngineContext, graceMs: number): Promise<CaId[]> {
  const now = ctx.clock.now();
  const out: CaId[] = [];
  for (const ca of await ctx.storage.listCas()) {
    if (Date.parse(ca.notAfter) <= now) continue;
    if (await crlIsStale(ctx, ca.id)) {
      out.push(ca.id);
      continue;
    }
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
