/**
 * The CRL write path (issue 15, SECURITY.md M3, R1, R4, R6): every revocation of a CA is
 * kept a second time as its CRL entry, already DER-encoded and checked when it is
 * recorded, in chunks sorted by serial (`crlChunks`, v8). Publishing a CRL is then: read
 * the CA's chunks, concatenate, sign — no per-revocation records, no sort, no encoding.
 *
 * This module is pure (no IndexedDB, no pkijs/asn1js, so the vault's first page load stays
 * small): it encodes one `revokedCertificates` entry exactly as `pki/crl-codec.ts` does
 * (tested byte-equal), and splits, merges and re-packs chunks. `db.ts` writes the chunks
 * in the same transaction as the revocation records they mirror.
 *
 * Chunk invariants: the entries of a chunk are sorted by serial (numerically, as
 * `compareSerialHex`); the chunks of an issuer do not overlap, and ordered by `lo` (the
 * sort key of their first entry) they list the issuer's revocations in serial order.
 */
import { EngineError } from '../errors';
import { fromHex, toHex } from '../internal/bytes';
import { contentOf, encodeOctetString, encodeOid, encodeSequence, encodeUnsignedInteger, enumerated } from '../internal/der';
import { readCrlEntry } from '../internal/crl-entry';
import * as OID from '../internal/oids';
import { encodeGeneralizedTime, encodeTime, wholeSeconds } from '../internal/time';
import type { CrlChunkRecord, RevocationRecord } from './schema';

/** A chunk growing past this many entries is split. */
export const CRL_CHUNK_MAX = 1024;
/** Entries per chunk when chunks are built or split (room to grow before the next split). */
export const CRL_CHUNK_FILL = 512;

/** Reason codes an entry may carry: 0 (unspecified) is written as no reasonCode (RFC 5280 §5.3.1); never 2, 6 or 8 (BR 7.2.2.1). */
const ENTRY_REASONS: ReadonlySet<number> = new Set([0, 1, 3, 4, 5, 9]);

/** Orders canonical serial hex numerically (shorter minimal encodings are smaller); same order as `compareSerialHex` in pki. */
export function compareSerial(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The string a chunk is indexed under (its first serial): orders as `compareSerial`. */
export function serialSortKey(hex: string): string {
  return `${String(hex.length).padStart(4, '0')}${hex}`;
}

/** RFC 5280 Time for a revocation's dates (`internal/time.ts`), refused here as CERT_INVALID when outside 1950–9999. */
function time(ms: number, forceGeneralized: boolean, what: string): Uint8Array<ArrayBuffer> {
  const d = wholeSeconds(ms);
  const y = d.getUTCFullYear();
  if (!Number.isFinite(d.getTime()) || y < 1950 || y > 9999) throw new EngineError('CERT_INVALID', `storage: the ${what} of a revocation is outside 1950–9999`);
  return forceGeneralized ? encodeGeneralizedTime(d) : encodeTime(d);
}


/**
 * Encodes a revocation as its `revokedCertificates` entry, checking it first (the lint
 * of the CRL entry, done once when the revocation is recorded): the serial is a positive
 * DER-minimal INTEGER of at most 20 octets (canonical hex), the reason one Clavis may
 * write, the dates inside 1950–9999.
 * @throws CERT_INVALID
 */
export function encodeRevokedEntry(rev: Pick<RevocationRecord, 'serialHex' | 'reason' | 'revokedAt' | 'invalidityDate'>): Uint8Array<ArrayBuffer> {
  const hex = rev.serialHex;
  if (typeof hex !== 'string' || !/^[0-9a-f]+$/.test(hex) || hex.length % 2 !== 0 || hex.length > 40 || (hex.length > 2 && hex.startsWith('00')) || /^0+$/.test(hex)) {
    throw new EngineError('CERT_INVALID', 'storage: a revoked serial is not a positive, minimal hex serial of at most 20 octets');
  }
  if (!ENTRY_REASONS.has(rev.reason)) throw new EngineError('CERT_INVALID', `storage: reason code ${String(rev.reason)} may not be written on a CRL`);
  // The one DER writer (internal/der.ts) adds the INTEGER's sign byte where the first bit is set.
  const exts: Uint8Array[] = [];
  if (rev.reason !== 0) exts.push(encodeSequence(encodeOid(OID.reasonCode), encodeOctetString(enumerated(rev.reason))));
  if (rev.invalidityDate) exts.push(encodeSequence(encodeOid(OID.invalidityDate), encodeOctetString(time(Date.parse(rev.invalidityDate), true, 'invalidity date'))));
  const parts = [encodeUnsignedInteger(fromHex(hex)), time(Date.parse(rev.revokedAt), false, 'revocation date')];
  if (exts.length) parts.push(encodeSequence(...exts));
  return encodeSequence(...parts);
}

/** Canonical serial hex of an encoded entry (read by `readCrlEntry`; its INTEGER content without a sign byte). @throws MALFORMED_INPUT */
export function entrySerialHex(entry: Uint8Array): string {
  const serial = contentOf(readCrlEntry(entry, 0, entry.length).serial);
  let start = 0;
  while (start < serial.length - 1 && serial[start] === 0) start++;
  return toHex(serial.subarray(start));
}

/** A chunk opened for changes: one array slot per entry. */
export interface OpenChunk {
  /** The stored record's key, when it came from the store (it is replaced on write). */
  key?: [string, string, string];
  issuerId: string;
  serials: string[];
  entries: Uint8Array[];
  notAfter: number[];
  revokedAt: number[];
}

/** A fresh write stamp (random, 64 bits): a chunk's key changes with every write. */
export function chunkStamp(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(8)));
}

/** Opens a stored chunk for changes. */
export function openChunk(rec: PackedChunk & { ver?: string }): OpenChunk {
  const out: OpenChunk = { issuerId: rec.issuerId, serials: [], entries: [], notAfter: Array.from(rec.notAfter), revokedAt: Array.from(rec.revokedAt) };
  if (rec.ver !== undefined) out.key = [rec.issuerId, rec.lo, rec.ver];
  for (let i = 0; i < rec.count; i++) {
    const e = rec.der.subarray(rec.offsets[i]!, rec.offsets[i + 1]!);
    out.entries.push(e);
    out.serials.push(entrySerialHex(e));
  }
  return out;
}

/** Inserts a revocation's entry at its place in serial order. @throws CERT_REVOKED when the serial is listed already */
export function insertEntry(c: OpenChunk, rev: RevocationRecord, entry: Uint8Array): void {
  let lo = 0;
  let hi = c.serials.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareSerial(c.serials[mid]!, rev.serialHex) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (c.serials[lo] === rev.serialHex) throw new EngineError('CERT_REVOKED', 'storage: the certificate is already on the CRL');
  c.serials.splice(lo, 0, rev.serialHex);
  c.entries.splice(lo, 0, entry);
  c.notAfter.splice(lo, 0, Date.parse(rev.certNotAfter));
  c.revokedAt.splice(lo, 0, Date.parse(rev.revokedAt));
}

/** A chunk as packed, before storage stamps it (`ver`). */
export type PackedChunk = Omit<CrlChunkRecord, 'ver'>;

function packRange(c: OpenChunk, from: number, to: number): PackedChunk {
  let size = 0;
  for (let i = from; i < to; i++) size += c.entries[i]!.length;
  const der = new Uint8Array(size);
  const offsets = new Uint32Array(to - from + 1);
  let o = 0;
  let minNotAfter = Number.POSITIVE_INFINITY;
  let maxRevokedAt = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    offsets[i - from] = o;
    der.set(c.entries[i]!, o);
    o += c.entries[i]!.length;
    // An unreadable notAfter (NaN) makes the chunk go entry by entry at publication.
    const na = c.notAfter[i]!;
    if (Number.isNaN(na) || na < minNotAfter) minNotAfter = Number.isNaN(minNotAfter) ? minNotAfter : na;
    if (c.revokedAt[i]! > maxRevokedAt) maxRevokedAt = c.revokedAt[i]!;
  }
  offsets[to - from] = o;
  return {
    issuerId: c.issuerId,
    lo: serialSortKey(c.serials[from]!),
    count: to - from,
    der,
    offsets,
    notAfter: Float64Array.from(c.notAfter.slice(from, to)),
    revokedAt: Float64Array.from(c.revokedAt.slice(from, to)),
    minNotAfter,
    maxRevokedAt,
  };
}

/**
 * Packs an open chunk back into records: one when it is at most {@link CRL_CHUNK_MAX}
 * entries, otherwise pieces of {@link CRL_CHUNK_FILL}. Storage replaces the old record.
 */
export function packChunk(c: OpenChunk): PackedChunk[] {
  const n = c.serials.length;
  if (n === 0) return [];
  if (n <= CRL_CHUNK_MAX) return [packRange(c, 0, n)];
  const out: PackedChunk[] = [];
  for (let from = 0; from < n; from += CRL_CHUNK_FILL) out.push(packRange(c, from, Math.min(n, from + CRL_CHUNK_FILL)));
  return out;
}

/** Builds an issuer's chunks from its revocation records (the v8 migration, and a repair). @throws CERT_INVALID */
export function buildChunks(issuerId: string, revs: readonly RevocationRecord[]): PackedChunk[] {
  const sorted = revs.filter((r) => r.issuerId === issuerId).sort((a, b) => compareSerial(a.serialHex, b.serialHex));
  const c: OpenChunk = { issuerId, serials: [], entries: [], notAfter: [], revokedAt: [] };
  for (const r of sorted) {
    if (c.serials[c.serials.length - 1] === r.serialHex) continue;
    c.serials.push(r.serialHex);
    c.entries.push(encodeRevokedEntry(r));
    c.notAfter.push(Date.parse(r.certNotAfter));
    c.revokedAt.push(Date.parse(r.revokedAt));
  }
  const out: PackedChunk[] = [];
  for (let from = 0; from < c.serials.length; from += CRL_CHUNK_FILL) out.push(packRange(c, from, Math.min(c.serials.length, from + CRL_CHUNK_FILL)));
  return out;
}

/**
 * The `revokedCertificates` content of a CRL from an issuer's chunks (ordered by `lo`):
 * the entries of certificates still valid at `thisUpdate` (R6 tidy), in serial order, as
 * byte ranges to concatenate (a whole chunk when none of its certificates expired).
 */
export function liveEntries(chunks: readonly PackedChunk[], thisUpdate: number): { pieces: Uint8Array[]; entries: number; bytes: number } {
  const pieces: Uint8Array[] = [];
  let entries = 0;
  let bytes = 0;
  for (const c of chunks) {
    if (c.minNotAfter > thisUpdate) {
      pieces.push(c.der);
      entries += c.count;
      bytes += c.der.length;
      continue;
    }
    // Runs of live entries, each one byte range.
    let runStart = -1;
    for (let i = 0; i <= c.count; i++) {
      // Listed while the certificate is valid at thisUpdate (an unreadable notAfter is not).
      const live = i < c.count && c.notAfter[i]! > thisUpdate;
      if (live && runStart < 0) runStart = i;
      if (!live && runStart >= 0) {
        const piece = c.der.subarray(c.offsets[runStart]!, c.offsets[i]!);
        pieces.push(piece);
        bytes += piece.length;
        entries += i - runStart;
        runStart = -1;
      }
    }
  }
  return { pieces, entries, bytes };
}

/** The newest revocation date in an issuer's chunks (epoch ms; -Infinity for none). */
export function latestRevokedAt(chunks: readonly PackedChunk[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const c of chunks) if (c.maxRevokedAt > max) max = c.maxRevokedAt;
  return max;
}
