/**
 * CRL encoding and reading with no storage, no keys and no DOM: the part of CRL work
 * that grows with the number of entries, so it can run in a worker (SECURITY.md M1, M2,
 * M7) as well as in-thread (`crl-client.ts` decides). A TBSCertList is encoded once, in
 * one pass; a CRL is read with the one layout reader (`readTbsCertList`,
 * internal/x509-layout.ts), entry by entry as offsets (no asn1js node limit).
 *
 * Common case: `crl.ts` calls `buildCrlTbs` through the client; `verify.ts` calls
 * `summariseCrl` through the client to learn a CRL's header and look up a few serials.
 */
import { EngineError, MalformedInputError } from '../errors';
import type { RevocationRecord } from '../storage/schema';
import { fromHex } from '../internal/bytes';
import { TAG, contentOf, enumerated, encodeLength as lengthBytes, explicit, rawOf, seq, tlvList, uint, uintBytes } from '../internal/der';
import { readCrlEntry, readSigned, readTbsCertList } from '../internal/x509-layout';
import { OID, authorityKeyIdentifier, extension } from './extensions';
import { lintTbsCertList, type CrlLintContext, type LintFinding } from './lint';
import { serialHex } from './serial';
import { encodeGeneralizedTime, encodeTime } from '../internal/time';
import { akiKeyId, parseExtensions, parseTime } from './x509';
import { decodeCrlNumber, decodeExtensionList, decodeReasonCode } from './validate/extension-values';

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

/** One `revokedCertificates` entry (storage keeps its own copy of this encoder, tested byte-equal). */
export function encodeEntry(e: CrlEntryInput): Uint8Array {
  const exts: Uint8Array[] = [];
  if (e.reason !== undefined) exts.push(extension(OID.reasonCode, false, enumerated(e.reason)));
  if (e.invalidityDate) exts.push(extension(OID.invalidityDate, false, encodeGeneralizedTime(e.invalidityDate)));
  return exts.length ? seq(uintBytes(e.serial), encodeTime(e.revocationDate), seq(...exts)) : seq(uintBytes(e.serial), encodeTime(e.revocationDate));
}

/** Encodes a v2 TBSCertList (R1–R4): version 1, no empty revokedCertificates, AKI and cRLNumber. */
export function encodeTbsCertList(t: TbsCertListInput): Uint8Array<ArrayBuffer> {
  const { entries, ...header } = t;
  return encodeTbsCertListFrom(header, entries.map(encodeEntry));
}

/**
 * Encodes a v2 TBSCertList around entries already encoded (in serial order), given as
 * byte ranges to concatenate: one allocation, one copy of each range (the CRL write
 * path, issue 15: publishing is read + concatenate + sign).
 */
export function encodeTbsCertListFrom(t: Omit<TbsCertListInput, 'entries'>, entries: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const head: Uint8Array[] = [uint(1), t.algorithm, t.issuer, encodeTime(t.thisUpdate), encodeTime(t.nextUpdate)];
  let listBytes = 0;
  for (const e of entries) listBytes += e.length;
  // RFC 5280 §5.1.2.6: when there are no revoked certificates the list MUST be absent.
  if (listBytes > 0) head.push(Uint8Array.of(TAG.SEQUENCE, ...lengthBytes(listBytes)));
  const exts = explicit(0, seq(authorityKeyIdentifier(t.authorityKeyId), extension(OID.cRLNumber, false, uint(t.number))));
  return tlvList(TAG.SEQUENCE, listBytes > 0 ? [...head, ...entries, exts] : [...head, exts]);
}

/**
 * The CRLReason code for "unspecified". Clavis records it (a key revoked without a
 * reason takes its certificates with it) but never writes it: such an entry has no
 * reasonCode extension, which is how RFC 5280 §5.3.1 and BR 7.2.2 say to express it.
 */
export const UNSPECIFIED_REASON = 0;

/** Orders serials numerically (shorter minimal encodings are smaller numbers). */
export function compareSerialHex(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

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
 * Reads a CRL through the one layout reader (`readSigned`, `readTbsCertList`,
 * `crlEntries`, internal/x509-layout.ts): its header, with each entry handed to `onEntry`
 * as its canonical serial hex, its reason code (-1 without one) and its offset in
 * `header.tbs` (a copy of the TBS, so nothing refers back to `der`). No per-entry object
 * is kept. Returns the header and the offset just past the entry list (0 without one).
 * @throws MALFORMED_INPUT
 */
function readCrl(der: Uint8Array, onEntry: (serial: string, reason: number, start: number) => void): { header: CrlHeader; listEnd: number } {
  try {
    const s = readSigned(der, 'CRL');
    const tbs = s.tbs.encoded.slice();
    const f = readTbsCertList(tbs);
    const unknownCritical: string[] = [];
    let count = 0;
    // A plain loop over `readCrlEntry` (what `crlEntries` yields, without a generator step per entry): the 100,000-entry path.
    const list = f.revoked;
    for (let p = list ? list.contentStart : 0; list && p < list.end; ) {
      const e = readCrlEntry(tbs, p, list.end);
      p = e.end;
      let reason = -1;
      if (e.extensions) {
        for (const x of parseExtensions(e.extensions)) {
          if (x.oid === OID.reasonCode) reason = decodeReasonCode(x.value);
          else if (x.critical && x.oid !== OID.invalidityDate) unknownCritical.push(x.oid);
        }
      }
      onEntry(serialHex(contentOf(e.serial)), reason, e.start);
      count++;
    }
    const header: CrlHeader = {
      tbs,
      signatureAlgorithm: s.algorithm.encoded.slice(),
      signature: s.signature.slice(),
      algorithmsMatch: equalRaw(rawOf(f.signature), s.algorithm.encoded),
      issuer: rawOf(f.issuer).slice(),
      thisUpdate: parseTime(f.thisUpdate).date ?? new Date(NaN),
      unknownCritical,
      count,
    };
    const nextUpdate = f.nextUpdate ? parseTime(f.nextUpdate).date : undefined;
    if (nextUpdate) header.nextUpdate = nextUpdate;
    for (const x of f.extensionList ? decodeExtensionList(f.extensionList) : []) {
      if (x.oid === OID.authorityKeyIdentifier) {
        const k = akiKeyId(x.value);
        if (k) header.authorityKeyId = k.slice();
      } else if (x.oid === OID.cRLNumber) {
        header.number = [...decodeCrlNumber(x.value)].reduce((a, b) => a * 256 + b, 0);
      } else if (x.critical) unknownCritical.push(x.oid);
    }
    return { header, listEnd: f.revoked ? f.revoked.end : 0 };
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: the CRL could not be parsed', { cause: e });
  }
}

/** A CRL's header and its revoked serials in a Map (the last entry of a serial listed twice wins). @throws MALFORMED_INPUT */
function readCrlMap(der: Uint8Array): { header: CrlHeader; revoked: Map<string, number | undefined> } {
  const revoked = new Map<string, number | undefined>();
  const { header } = readCrl(der, (serial, reason) => revoked.set(serial, reason < 0 ? undefined : reason));
  return { header, revoked };
}

/**
 * Parses a CRL with the one layout reader (no 10,000-node limit, no per-lookup re-encoding).
 * @throws MALFORMED_INPUT
 */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const { header: h, revoked } = readCrlMap(der);
  const out: ParsedCrl = { der, tbs: h.tbs, issuer: h.issuer, thisUpdate: h.thisUpdate, revoked, unknownCritical: h.unknownCritical };
  if (h.nextUpdate) out.nextUpdate = h.nextUpdate;
  if (h.number !== undefined) out.number = h.number;
  if (h.authorityKeyId) out.authorityKeyId = h.authorityKeyId;
  return out;
}

// ---------------------------------------------------------------------------------------
// Jobs (run in the worker for big CRLs, in-thread otherwise)

/** Revocation records packed for a postMessage: one comma-joined string per field (cheap to clone). */
export interface PackedRevocations {
  count: number;
  /** Canonical serial hex. */
  serials: string;
  /** ISO revocation dates. */
  revokedAt: string;
  /** ISO invalidity dates, or empty. */
  invalidity: string;
  /** ISO notAfter of each revoked certificate. */
  certNotAfter: string;
  reasons: Uint8Array<ArrayBuffer>;
}

/** Packs revocations chunk by chunk (a page of records at a time, none of them kept). */
export interface RevocationPacker {
  add(revs: readonly RevocationRecord[]): void;
  finish(): PackedRevocations;
}

/** A packer for revocations read in pages (`listRevocationsPage`). */
export function createRevocationPacker(): RevocationPacker {
  const serials: string[] = [];
  const revokedAt: string[] = [];
  const invalidity: string[] = [];
  const certNotAfter: string[] = [];
  const reasons: number[] = [];
  return {
    add(revs) {
      for (const r of revs) {
        serials.push(r.serialHex);
        revokedAt.push(r.revokedAt);
        invalidity.push(r.invalidityDate ?? '');
        certNotAfter.push(r.certNotAfter);
        reasons.push(r.reason);
      }
    },
    finish() {
      return {
        count: serials.length,
        serials: serials.join(','),
        revokedAt: revokedAt.join(','),
        invalidity: invalidity.join(','),
        certNotAfter: certNotAfter.join(','),
        reasons: Uint8Array.from(reasons),
      };
    },
  };
}

/** Packs revocation records (one pass, no per-record objects kept). */
export function packRevocations(revs: readonly RevocationRecord[]): PackedRevocations {
  const p = createRevocationPacker();
  p.add(revs);
  return p.finish();
}

/** Everything to build one TBSCertList from packed revocations. Times in ms since the epoch. */
export interface CrlBuildRequest {
  algorithm: Uint8Array<ArrayBuffer>;
  issuer: Uint8Array<ArrayBuffer>;
  thisUpdate: number;
  nextUpdate: number;
  authorityKeyId: Uint8Array<ArrayBuffer>;
  number: number;
  revocations: PackedRevocations;
  /** The lint context, minus what the request already says. */
  lint: Omit<CrlLintContext, 'outerAlgorithm' | 'issuerName' | 'issuerSki'>;
}

/** The encoded TBSCertList, how many entries it lists, and the lint findings. */
export interface CrlBuildResult {
  tbs: Uint8Array<ArrayBuffer>;
  entries: number;
  findings: LintFinding[];
}

const hexBytes = fromHex;

/**
 * Entries for a CRL from packed revocations: only certificates not yet expired at
 * thisUpdate (R6 tidy), in serial order.
 */
export function crlEntriesFrom(p: PackedRevocations, thisUpdate: number): CrlEntryInput[] {
  if (p.count === 0) return [];
  const serials = p.serials.split(',');
  const revokedAt = p.revokedAt.split(',');
  const invalidity = p.invalidity.split(',');
  const notAfter = p.certNotAfter.split(',');
  const live: number[] = [];
  for (let i = 0; i < p.count; i++) if (Date.parse(notAfter[i]!) > thisUpdate) live.push(i);
  live.sort((a, b) => compareSerialHex(serials[a]!, serials[b]!));
  return live.map((i) => {
    const e: CrlEntryInput = { serial: hexBytes(serials[i]!), revocationDate: new Date(revokedAt[i]!) };
    // Unspecified (0) is written as no reasonCode at all (RFC 5280 §5.3.1, BR 7.2.2).
    if (p.reasons[i]! !== UNSPECIFIED_REASON) e.reason = p.reasons[i]!;
    if (invalidity[i]) e.invalidityDate = new Date(invalidity[i]!);
    return e;
  });
}

/** Encodes and lints a TBSCertList from packed revocations. */
export function buildCrlTbs(r: CrlBuildRequest): CrlBuildResult {
  const entries = crlEntriesFrom(r.revocations, r.thisUpdate);
  const tbs = encodeTbsCertList({
    algorithm: r.algorithm,
    issuer: r.issuer,
    thisUpdate: new Date(r.thisUpdate),
    nextUpdate: new Date(r.nextUpdate),
    entries,
    authorityKeyId: r.authorityKeyId,
    number: r.number,
  });
  const findings = lintTbsCertList(tbs, { ...r.lint, outerAlgorithm: r.algorithm, issuerName: r.issuer, issuerSki: r.authorityKeyId });
  return { tbs, entries: entries.length, findings };
}

/** A CRL's header and the status of the serials asked about: what a verifier needs, without the whole list. */
export interface CrlSummary {
  tbs: Uint8Array;
  signatureAlgorithm: Uint8Array;
  signature: Uint8Array;
  /** True when the TBS signature algorithm equals the outer one. */
  algorithmsMatch: boolean;
  issuer: Uint8Array;
  thisUpdate: Date;
  nextUpdate?: Date;
  number?: number;
  authorityKeyId?: Uint8Array;
  unknownCritical: string[];
  /** Number of entries. */
  count: number;
  /** For each serial asked about that is on the list: its reason code (null without one). */
  hits: Record<string, number | null>;
}

/** Reads a CRL and looks up `serials` (canonical hex). @throws MALFORMED_INPUT */
export function summariseCrl(der: Uint8Array, serials: readonly string[]): CrlSummary {
  const { header, revoked } = readCrlMap(der);
  const hits: Record<string, number | null> = {};
  for (const x of serials) if (revoked.has(x)) hits[x] = revoked.get(x) ?? null;
  return { ...header, count: revoked.size, hits };
}

function equalRaw(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

// ---------------------------------------------------------------------------------------
// Index of a published CRL (issue 15): read once, then lookups are a binary search and a
// page is a slice of entry offsets.

/** A CRL's header (what a verifier needs besides the entries). */
export type CrlHeader = Omit<CrlSummary, 'hits'>;

/** A CRL read once for lookups and paging (M3): its header, and each entry's serial, reason and offset. Cheap to post. */
export interface CrlIndexData {
  header: CrlHeader;
  /** Canonical serial hex of each entry in CRL order, comma-joined. */
  serials: string;
  /** Reason code of each entry in CRL order; -1 without one. */
  reasons: Int16Array<ArrayBuffer>;
  /** Offset in `header.tbs` of each entry's TLV, in CRL order, then the end of the list. */
  starts: Uint32Array<ArrayBuffer>;
}

/** Reads a CRL into an index (one walk over the entries, no per-entry objects kept). @throws MALFORMED_INPUT */
export function indexCrlData(der: Uint8Array): CrlIndexData {
  const serials: string[] = [];
  const reasons: number[] = [];
  const starts: number[] = [];
  const { header, listEnd } = readCrl(der, (serial, reason, start) => {
    serials.push(serial);
    reasons.push(reason);
    starts.push(start);
  });
  starts.push(listEnd);
  return { header, serials: serials.join(','), reasons: Int16Array.from(reasons), starts: Uint32Array.from(starts) };
}
