// The audit log as a file: JSON Lines with a signed-head header line, its parser, and its offline verification.
import { MalformedInputError } from '../errors';
import { fromBase64, fromHex, toHex } from '../internal/bytes';
import { canonicalJson, headMessage, headSignatureFailure, verifyAuditLog, wellFormed, type AuditEntry, type AuditHead, type AuditVerification, type JsonValue } from './chain';

/** Marks the first line of an export (`AuditExportHeader`). */
export const AUDIT_EXPORT_FORMAT = 'clavis-audit-export';

/** How each entry's hash is computed, in words, written at the top of every export. */
export const AUDIT_HASH_RECIPE =
  'Each line after this one is an entry. h_0 is 64 zero hex digits (32 zero bytes). For entry i (seq = i, from 1): ' +
  'h_i = SHA-256( the 32 bytes of h_(i-1) followed by the UTF-8 bytes of canonical JSON of the object {seq, at, actor, action, subject, details} ), ' +
  'written as lower-case hex in "hash"; "prevHash" repeats h_(i-1). Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, ' +
  'strings and numbers as JavaScript JSON.stringify writes them. The head below is the last entry\'s seq and hash; its signature covers the UTF-8 bytes of ' +
  '"clavis-audit-head:v1" + LF + seq (decimal) + LF + hash, by ECDSA P-256 with SHA-256 (signature in hex, r then s, 32 bytes each), verified with "auditKey".';

/** The first line of an export: the recipe, the signed head and the key that signed it. */
export interface AuditExportHeader {
  format: typeof AUDIT_EXPORT_FORMAT;
  version: 1;
  recipe: string;
  /** How many entries follow (= head.seq for a whole log). */
  count: number;
  /** The head stored with the log (absent for an empty log). `sig` is absent for a head written before heads were signed. */
  head?: AuditHead;
  /** The audit public key (absent before the first signed head): SPKI (base64 DER), JWK, and the SHA-256 of the SPKI to compare with a copy kept elsewhere. */
  auditKey?: { spki: string; jwk: JsonWebKey; spkiSha256: string };
  /** What a verification of this file proves and does not. */
  limits: string;
}

/** What a reader of an export can check from the file alone, and what not. */
export const AUDIT_EXPORT_LIMITS =
  'From this file alone a reader can prove: every entry chains onto the one before; the file ends exactly at the signed head (a cut tail or appended lines show); the head was signed by the audit key given here. ' +
  'It cannot prove the audit key is the vault\'s own: someone who rewrites the file can put in a key of their own and sign a forged head, so compare auditKey.spkiSha256 with a fingerprint kept from an earlier export or shown in Clavis.';

/** The log as JSON Lines: one canonical JSON entry per line, each line ending in \n (no header). */
export function toJsonLines(entries: readonly AuditEntry[]): string {
  return entries.map((e) => `${canonicalJson({ ...e })}\n`).join('');
}

/** An export: the header line (`AuditExportHeader`), then one entry per line. */
export function toAuditExport(header: AuditExportHeader, entries: readonly AuditEntry[]): string {
  return `${canonicalJson(header as unknown as JsonValue)}\n${toJsonLines(entries)}`;
}

function isExportHeader(v: unknown): v is AuditExportHeader {
  return typeof v === 'object' && v !== null && (v as { format?: unknown }).format === AUDIT_EXPORT_FORMAT;
}

/**
 * Parses an export, or plain JSON Lines of entries, into its header (when the first line
 * is one) and entries (blank lines ignored). Does not verify: see `verifyAuditExport`.
 * @throws MALFORMED_INPUT naming the line.
 */
export function parseAuditExport(text: string): { header?: AuditExportHeader; entries: AuditEntry[] } {
  if (typeof text !== 'string') throw new MalformedInputError('audit: an export is text');
  const out: AuditEntry[] = [];
  let header: AuditExportHeader | undefined;
  let first = true;
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new MalformedInputError(`audit: line ${i + 1} is not JSON`, { cause: e });
    }
    if (first && isExportHeader(v)) {
      first = false;
      const h = v as unknown as Record<string, unknown>;
      const head = h.head as Record<string, unknown> | undefined;
      if (h.version !== 1 || !Number.isInteger(h.count) || (head !== undefined && (!Number.isInteger(head.seq) || typeof head.hash !== 'string' || (head.sig !== undefined && typeof head.sig !== 'string')))) {
        throw new MalformedInputError(`audit: line ${i + 1} is not a Clavis audit export header this version reads`);
      }
      header = v;
      return;
    }
    first = false;
    if (!wellFormed(v)) throw new MalformedInputError(`audit: line ${i + 1} is not an audit entry`);
    out.push(v);
  });
  return header ? { header, entries: out } : { entries: out };
}

/**
 * Parses JSON Lines back into entries (blank lines ignored); an export's header line is
 * accepted and skipped. Does not verify: call `verifyAuditLog` on the result, or
 * `verifyAuditExport` on the text.
 * @throws MALFORMED_INPUT naming the line.
 */
export function parseJsonLines(text: string): AuditEntry[] {
  return parseAuditExport(text).entries;
}

/** The verdict of `verifyAuditExport`: the chain's, plus what the head signature showed. */
export type AuditExportVerification = AuditVerification & {
  /** True when the file's head is signed by the file's audit key (and the entries end exactly there). */
  headSigned: boolean;
  /** SHA-256 of the audit key's SPKI in the file: compare it with a copy kept elsewhere. */
  auditKeySha256?: string;
  /** What this verification proves and does not. */
  limits: string;
};

/**
 * Verifies an export from the file alone (offline, no vault): the head signature with the
 * file's audit key, then the chain, which must end exactly at that head. A cut tail, a
 * rewritten head or an edited entry is found; a file without a header (plain entries)
 * verifies as a chain only, with `headSigned: false`.
 * @throws MALFORMED_INPUT when the text is not an export.
 */
export async function verifyAuditExport(subtle: SubtleCrypto, text: string): Promise<AuditExportVerification> {
  const { header, entries } = parseAuditExport(text);
  const limits = AUDIT_EXPORT_LIMITS;
  if (!header) return { ...(await verifyAuditLog(subtle, entries)), headSigned: false, limits };
  const keyHash = header.auditKey?.spkiSha256;
  const extra = { limits, ...(keyHash !== undefined ? { auditKeySha256: keyHash } : {}) };
  const head = header.head;
  if (!head) {
    if (entries.length === 0 && !header.auditKey) return { ok: true, count: 0, headSigned: false, ...extra };
    return { ok: false, kind: 'removed', firstBadSeq: 1, index: 0, explanation: 'the export has no head but holds entries or an audit key: its head was removed', headSigned: false, ...extra };
  }
  let headSigned = false;
  if (header.auditKey) {
    let good = false;
    try {
      const spki = fromBase64(header.auditKey.spki);
      const digest = toHex(await subtle.digest('SHA-256', spki));
      const key = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
      const sig = head.sig && /^[0-9a-f]+$/.test(head.sig) ? fromHex(head.sig) : undefined;
      good = digest === header.auditKey.spkiSha256 && sig !== undefined && (await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, sig, headMessage(head.seq, head.hash)));
    } catch {
      good = false;
    }
    if (!good) return { ...headSignatureFailure('export', head, entries.length), headSigned: false, ...extra };
    headSigned = true;
  }
  const out = await verifyAuditLog(subtle, entries, { head: { seq: head.seq, hash: head.hash }, exact: true });
  if (out.ok && header.count !== entries.length) {
    return { ok: false, kind: 'removed', firstBadSeq: entries.length + 1, index: entries.length, explanation: `the export says it holds ${header.count} entries but ${entries.length} follow`, headSigned, ...extra };
  }
  return { ...out, headSigned, ...extra };
}
