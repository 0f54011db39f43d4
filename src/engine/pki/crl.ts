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
import * as pkijs from 'pkijs';
import { EngineError, MalformedInputError } from '../errors';
import type { EngineContext } from '../keys/context';
import type { CrlRecord } from '../storage/schema';
import { pkiCrypto, type Signer } from './algorithms';
import { TAG, children, contentOf, enumerated, explicit, parseAsn1, readTop, seq, tlvList, uint, uintBytes } from './der';
import { OID, authorityKeyIdentifier, extension } from './extensions';
import { assembleSigned, loadIssuer, sha256Hex } from './issue';
import { assertLintClean, lintTbsCertList } from './lint';
import { serialHex } from './serial';
import { DAY, encodeGeneralizedTime, encodeTime, wholeSeconds } from './time';
import { akiKeyId, parseExtensions, parseTime, splitSigned } from './x509';

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
export const MAX_CRL_VALIDITY_DAYS = 10;

/** One revoked certificate on a CRL. */
export interface CrlEntryInput {
  /** The serial's INTEGER content bytes (minimal, positive). */
  serial: Uint8Array;
  revocationDate: Date;
  reason?: number;
  invalidityDate?: Date;
}

/** Everything a TBSCertList holds. */
export interface TbsCertListInput {
  algorithm: Uint8Array;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: CrlEntryInput[];
  authorityKeyId: Uint8Array;
  number: number;
}

function encodeEntry(e: CrlEntryInput): Uint8Array {
  const exts: Uint8Array[] = [];
  if (e.reason !== undefined) exts.push(extension(OID.reasonCode, false, enumerated(e.reason)));
  if (e.invalidityDate) exts.push(extension(OID.invalidityDate, false, encodeGeneralizedTime(e.invalidityDate)));
  return exts.length ? seq(uintBytes(e.serial), encodeTime(e.revocationDate), seq(...exts)) : seq(uintBytes(e.serial), encodeTime(e.revocationDate));
}

/** Encodes a v2 TBSCertList (R1–R4): version 1, no empty revokedCertificates, AKI and cRLNumber. */
export function encodeTbsCertList(t: TbsCertListInput): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [uint(1), t.algorithm, t.issuer, encodeTime(t.thisUpdate), encodeTime(t.nextUpdate)];
  // RFC 5280 §5.1.2.6: when there are no revoked certificates the list MUST be absent.
  if (t.entries.length > 0) parts.push(tlvList(TAG.SEQUENCE, t.entries.map(encodeEntry)));
  parts.push(explicit(0, seq(authorityKeyIdentifier(t.authorityKeyId), extension(OID.cRLNumber, false, uint(t.number)))));
  return seq(...parts);
}

/** Orders serials numerically (shorter minimal encodings are smaller numbers). */
export function compareSerialHex(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Builds, lints and signs a CRL. Pure: no storage. */
export async function signCrl(
  signer: Signer,
  t: Omit<TbsCertListInput, 'algorithm'>,
  lint: { now: Date; previousNumber?: number; maxValidityDays?: number },
): Promise<Uint8Array<ArrayBuffer>> {
  const tbs = encodeTbsCertList({ ...t, algorithm: signer.algorithm });
  assertLintClean(
    lintTbsCertList(tbs, {
      outerAlgorithm: signer.algorithm,
      issuerName: t.issuer,
      issuerSki: t.authorityKeyId,
      now: lint.now,
      maxValidityDays: lint.maxValidityDays ?? MAX_CRL_VALIDITY_DAYS,
      ...(lint.previousNumber !== undefined ? { previousNumber: lint.previousNumber } : {}),
    }),
    'CRL',
  );
  return assembleSigned(tbs, signer.algorithm, await signer.sign(tbs));
}

/** Metadata of a published CRL (no DER). */
export type CrlInfo = Omit<CrlRecord, 'der'>;

/** Rebuilds and stores the CRL of a CA from the revocation store. @throws CERT_INVALID, STORAGE */
export async function publishCrl(ctx: EngineContext, caId: string): Promise<CrlInfo> {
  const { handle, ca } = await loadIssuer(ctx, caId, { forCrl: true });
  const now = wholeSeconds(ctx.clock.now());
  const thisUpdate = new Date(now.getTime() - CRL_BACKDATE_MS);
  const nextUpdate = new Date(thisUpdate.getTime() + ca.crlValidityDays * DAY);
  const revs = await ctx.storage.listRevocations(caId);
  // R6 tidy: an entry leaves the CRL only once the certificate itself has expired.
  const live = revs.filter((r) => Date.parse(r.certNotAfter) > thisUpdate.getTime()).sort((a, b) => compareSerialHex(a.serialHex, b.serialHex));
  const entries: CrlEntryInput[] = live.map((r) => {
    const e: CrlEntryInput = { serial: hexBytes(r.serialHex), revocationDate: new Date(r.revokedAt), reason: r.reason };
    if (r.invalidityDate) e.invalidityDate = new Date(r.invalidityDate);
    return e;
  });
  const previous = (await ctx.storage.getLatestCrl(caId))?.number;
  // R1: the number is allocated (read-modify-write, one transaction) before signing; a
  // failed signing skips a number, which keeps the sequence strictly increasing.
  const number = await ctx.storage.allocateCrlNumber(caId);
  const der = await signCrl(
    handle.signer,
    { issuer: handle.name, thisUpdate, nextUpdate, entries, authorityKeyId: handle.ski, number },
    { now, ...(previous !== undefined ? { previousNumber: previous } : {}) },
  );
  const rec: CrlRecord = {
    id: `${caId}:${number}`,
    issuerId: caId,
    number,
    thisUpdate: thisUpdate.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    entries: entries.length,
    der,
    sha256: await sha256Hex(ctx, der),
  };
  await ctx.storage.addCrl(rec);
  const { der: _der, ...info } = rec;
  return info;
}

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
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

/** A parsed CRL with its revoked serials indexed for O(1) lookups (M3). */
export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  number?: number;
  authorityKeyId?: Uint8Array;
  /** Revoked serials (canonical hex) → reason code (undefined when no reasonCode). */
  revoked: Map<string, number | undefined>;
  /** Unknown critical entry or CRL extensions found (P7: pkijs does not check entry extensions). */
  unknownCritical: string[];
}

/**
 * Parses a CRL with the DER walker (no 10,000-node limit, no per-lookup re-encoding).
 * @throws MALFORMED_INPUT
 */
export function parseCrl(der: Uint8Array): ParsedCrl {
  try {
    const s = splitSigned(der, 'CRL');
    const parts = children(readTop(s.tbs, TAG.SEQUENCE));
    let i = 0;
    if (parts[i]?.tag === TAG.INTEGER) i++;
    i++; // signature
    const issuer = parts[i++]!;
    const thisUpdate = parseTime(parts[i++]);
    let nextUpdate: Date | undefined;
    if (parts[i] && (parts[i]!.tag === TAG.UTC_TIME || parts[i]!.tag === TAG.GENERALIZED_TIME)) nextUpdate = parseTime(parts[i++]).date;
    const revoked = new Map<string, number | undefined>();
    const unknownCritical: string[] = [];
    if (parts[i]?.tag === TAG.SEQUENCE) {
      for (const e of children(parts[i++]!)) {
        const ec = children(e);
        let reason: number | undefined;
        if (ec[2]) {
          for (const x of parseExtensions(ec[2])) {
            if (x.oid === OID.reasonCode) reason = contentOf(readTop(x.value, TAG.ENUMERATED))[0];
            else if (x.critical && x.oid !== OID.invalidityDate) unknownCritical.push(x.oid);
          }
        }
        revoked.set(serialHex(contentOf(ec[0]!)), reason);
      }
    }
    const out: ParsedCrl = { der, tbs: s.tbs, issuer: s.tbs.subarray(issuer.start, issuer.end), thisUpdate: thisUpdate.date ?? new Date(NaN), revoked, unknownCritical };
    if (nextUpdate) out.nextUpdate = nextUpdate;
    if (parts[i]?.tag === 0xa0) {
      for (const x of parseExtensions(readTop(contentOf(parts[i]!), TAG.SEQUENCE))) {
        if (x.oid === OID.authorityKeyIdentifier) {
          const k = akiKeyId(x.value);
          if (k) out.authorityKeyId = k;
        } else if (x.oid === OID.cRLNumber) {
          out.number = [...contentOf(readTop(x.value, TAG.INTEGER))].reduce((a, b) => a * 256 + b, 0);
        } else if (x.critical) unknownCritical.push(x.oid);
      }
    }
    return out;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: the CRL could not be parsed', { cause: e });
  }
}

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


