/**
 * The audit log (B7, SECURITY.md A1–A3): append-only, hash-chained entries.
 *
 *   h_0 = GENESIS_HASH (32 zero bytes)
 *   h_i = SHA-256( h_{i-1} (32 raw bytes) || UTF-8(canonical(entry_i)) )
 *
 * where canonical(entry) is the JSON of {seq, at, actor, action, subject, details} with
 * keys sorted and no whitespace. Each entry also stores `prevHash` (a copy of h_{i-1}):
 * it is not trusted for verification, only used to say *what* went wrong where.
 *
 * Common case (storage integration writes the entry in the same transaction as the change, A4):
 * ```ts
 * const entry = await appendEntry(lastEntry, { at, actor: 'operator', action: 'key.rotate', subject: [id], details: { version: 2 } });
 * const result = await verifyAuditLog(subtle, entries, { head });   // { ok: true } or where it broke
 * ```
 * A chain alone cannot reveal a rewrite of everything after some point, nor a cut at the
 * end: keep a signed or remembered head (`auditHead`) and pass it to `verifyAuditLog`.
 */
import { EngineError } from '../errors';
import { concat, fromHex, toHex, utf8 } from '../internal/bytes';
import { sha256Hex } from '../internal/sha256';
import { scan, type ScanMemo } from './no-secrets';

/** A JSON value (what `details` may hold). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a caller supplies for a new entry. */
export interface AuditDraft {
  /** ISO 8601 time from the engine's clock. */
  at: string;
  /** Who: 'operator', 'clock', 'kdc', a principal id… */
  actor: string;
  /** What, as dotted lower-case words: 'key.create', 'key.rotate', 'cert.revoke'. */
  action: string;
  /** The ids the entry is about (key, certificate, keyring, principal ids). */
  subject: string[];
  /** Plain JSON facts. Never key material (checked by `assertNoSecrets`). */
  details: { [key: string]: JsonValue };
}

/** A stored entry: the draft plus its place in the chain. */
export interface AuditEntry extends AuditDraft {
  /** 1, 2, 3, … */
  seq: number;
  /** h_{i-1}, lower-case hex (GENESIS_HASH for seq 1). */
  prevHash: string;
  /** h_i, lower-case hex. */
  hash: string;
}

/** The chain's head: what to sign or remember so truncation and rewrites are caught. */
export interface AuditHead {
  seq: number;
  hash: string;
  /**
   * ECDSA P-256 signature (hex, IEEE P1363) over `headMessage(seq, hash)` by the vault's
   * non-extractable audit key, made at every append (SECURITY.md A1). Absent on heads
   * written before Clavis signed them.
   */
  sig?: string;
}

/** The bytes an audit head signature covers: a label, the entry count (= last seq) and the last hash. */
export function headMessage(seq: number, hash: string): Uint8Array<ArrayBuffer> {
  return utf8(`clavis-audit-head:v1\n${seq}\n${hash}`);
}

/**
 * The verdict on a head whose signature does not verify, for an export file (`export`:
 * the file's own audit key) or the stored log (`stored`: the vault's audit key; an
 * unsigned head is named as such). The damage is placed at the head's entry, or the
 * last entry there is.
 */
export function headSignatureFailure(where: 'export' | 'stored', head: { seq: number; sig?: string }, count: number): Extract<AuditVerification, { ok: false }> {
  const last = Math.max(1, Math.min(head.seq, count));
  const what =
    where === 'export'
      ? `the export's head (entry ${head.seq}) is not signed by the export's audit key: it was rewritten, e.g. after the file was cut short`
      : `the remembered head (entry ${head.seq}) is ${head.sig ? 'not signed by' : 'missing the signature of'} the audit key: it was rewritten, e.g. after the log was cut short`;
  return { ok: false, kind: head.seq < count ? 'changed' : 'removed', firstBadSeq: last, index: last - 1, explanation: `${what} or an entry was edited and the chain recomputed` };
}

/** h_0: 32 zero bytes, as hex. */
export const GENESIS_HASH = '0'.repeat(64);

const HEX64 = /^[0-9a-f]{64}$/;
const ACTION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and
 * strings as JSON.stringify writes them (the RFC 8785 rules for the values Clavis logs).
 * @throws INVALID_ARGUMENT for anything that is not plain JSON (undefined, NaN, bytes, Dates, class instances).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new EngineError('INVALID_ARGUMENT', 'audit: numbers must be finite');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        throw new EngineError('INVALID_ARGUMENT', 'audit: details must be plain JSON (no bytes, dates or class instances)');
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new EngineError('INVALID_ARGUMENT', `audit: ${typeof value} is not JSON`);
  }
}

/** The hashed part of an entry, canonicalised. */
export function canonicalEntry(e: AuditDraft & { seq: number }): string {
  return canonicalJson({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: e.details });
}

/**
 * `canonicalEntry` with the details already canonical: the same string (keys in sorted
 * order: action, actor, at, details, seq, subject), without walking the details again.
 */
function canonicalEntryWith(e: Omit<AuditDraft, 'details'>, seq: number, canonicalDetails: string): string {
  return `{"action":${canonicalJson(e.action)},"actor":${canonicalJson(e.actor)},"at":${canonicalJson(e.at)},"details":${canonicalDetails},"seq":${canonicalJson(seq)},"subject":${canonicalJson(e.subject)}}`;
}

/** h = SHA-256(prevHash bytes || UTF-8(canonical(entry))), lower-case hex. */
export async function entryHash(subtle: SubtleCrypto, prevHash: string, e: AuditDraft & { seq: number }): Promise<string> {
  const data = concat(fromHex(prevHash), utf8(canonicalEntry(e)));
  return toHex(await subtle.digest('SHA-256', data));
}

// --- append ---------------------------------------------------------------------------

function checkDraft(d: AuditDraft, memo?: ScanMemo): void {
  if (typeof d.at !== 'string' || Number.isNaN(Date.parse(d.at))) throw new EngineError('INVALID_ARGUMENT', 'audit: at must be an ISO 8601 time');
  if (typeof d.actor !== 'string' || d.actor.length === 0 || d.actor.length > 200) throw new EngineError('INVALID_ARGUMENT', 'audit: actor must be 1–200 characters');
  if (typeof d.action !== 'string' || !ACTION.test(d.action)) throw new EngineError('INVALID_ARGUMENT', "audit: action must be dotted lower-case words like 'key.rotate'");
  if (!Array.isArray(d.subject) || !d.subject.every((s) => typeof s === 'string')) throw new EngineError('INVALID_ARGUMENT', 'audit: subject must be a list of ids');
  if (typeof d.details !== 'object' || d.details === null || Array.isArray(d.details)) throw new EngineError('INVALID_ARGUMENT', 'audit: details must be a JSON object');
  scan(d.details, 'details', '', memo);
  scan(d.subject, 'subject', 'subject', memo);
  scan(d.actor, 'actor', 'actor', memo);
}

/**
 * The next entry after `prev` (null for the first entry), with seq, prevHash and hash.
 * Refuses drafts with key material (A3) or that are not plain JSON. The hash is computed
 * synchronously (`internal/sha256.ts`).
 * @throws INVALID_ARGUMENT
 */
export async function appendEntry(prev: AuditEntry | null, draft: AuditDraft): Promise<AuditEntry> {
  checkDraft(draft);
  return chainEntry(prev, draft);
}

/** The entry after `prev` for a draft already checked (`checkDraft`). */
function chainEntry(prev: AuditEntry | null, draft: AuditDraft): AuditEntry {
  const seq = prev ? prev.seq + 1 : 1;
  const prevHash = prev ? prev.hash : GENESIS_HASH;
  // Copy through JSON so later changes to the caller's objects cannot change the logged
  // entry; the details are canonicalised once, for the copy and for the hash.
  const details = canonicalJson(draft.details);
  const body = { at: draft.at, actor: draft.actor, action: draft.action, subject: [...draft.subject], details: JSON.parse(details) as AuditDraft['details'] };
  const data = concat(fromHex(prevHash), utf8(canonicalEntryWith(body, seq, details)));
  // Synchronous SHA-256: a batch of thousands of entries is chained without a thread hop
  // per entry. Verification (`entryHash`) recomputes with WebCrypto.
  return { seq, ...body, prevHash, hash: sha256Hex(data) };
}

/**
 * `appendEntry` for a batch: every draft is checked first (A3, plain JSON), repeated
 * values once per batch, so a refused draft stores nothing of the batch; then the drafts
 * are chained onto `prev` in order. @throws INVALID_ARGUMENT
 */
export async function appendEntries(prev: AuditEntry | null, drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
  const memo: ScanMemo = new Set();
  for (const d of drafts) checkDraft(d, memo);
  const out: AuditEntry[] = [];
  for (const d of drafts) {
    prev = chainEntry(prev, d);
    out.push(prev);
  }
  return out;
}

/** The head of a log (what to sign or remember), or undefined for an empty log. */
export function auditHead(entries: readonly AuditEntry[]): AuditHead | undefined {
  const last = entries[entries.length - 1];
  return last ? { seq: last.seq, hash: last.hash } : undefined;
}

// --- verify ---------------------------------------------------------------------------

/** How a log was damaged. */
export type AuditDamage = 'changed' | 'removed' | 'reordered' | 'inserted';

/** The verdict of `verifyAuditLog`. */
export type AuditVerification =
  | {
      ok: true;
      count: number;
      head?: AuditHead;
      /** For the stored log: true when its head carries a valid audit-key signature (absent when a bare array was verified). */
      headSigned?: boolean;
      /** For a restored log: where an earlier audit key handed over to the current one (each checked). */
      handovers?: Array<{ afterSeq: number; previousKeySha256: string; previousHeadSigned: boolean }>;
    }
  | {
      ok: false;
      /** The first sequence number affected (the changed, missing, displaced or duplicated one). */
      firstBadSeq: number;
      /** Position in the given array where the damage shows. */
      index: number;
      kind: AuditDamage;
      explanation: string;
    };

/** True when `e` has every field of a stored entry, each of the right type. */
export function wellFormed(e: unknown): e is AuditEntry {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return (
    Number.isInteger(x.seq) &&
    typeof x.at === 'string' &&
    typeof x.actor === 'string' &&
    typeof x.action === 'string' &&
    Array.isArray(x.subject) &&
    typeof x.details === 'object' &&
    x.details !== null &&
    typeof x.prevHash === 'string' &&
    typeof x.hash === 'string' &&
    HEX64.test(x.prevHash) &&
    HEX64.test(x.hash)
  );
}

/** Recomputes an entry's hash from `prev`; false when it does not match (or cannot be computed). */
async function chainsFrom(subtle: SubtleCrypto, prev: string, e: unknown, seq?: number): Promise<boolean> {
  if (!wellFormed(e)) return false;
  if (seq !== undefined && e.seq !== seq) return false;
  try {
    return (await entryHash(subtle, prev, e)) === e.hash;
  } catch {
    return false;
  }
}

/** Options of `verifyAuditLog`. */
export interface VerifyOptions {
  /** A head signed or remembered earlier: the log must contain it and, if `exact`, end there. */
  head?: AuditHead;
  /** The log must end exactly at `head` (nothing appended since). */
  exact?: boolean;
}

/**
 * Verifies the whole chain from the genesis and, at the first break, says what happened
 * and where: an entry `changed` (content edited, or edited and re-hashed), `removed`
 * (a gap in the sequence, or the log cut short of a known head), `reordered` (an entry
 * appears before one it should follow) or `inserted` (an entry that belongs to no
 * position: forged, duplicated, or appended past a known head).
 */
export async function verifyAuditLog(subtle: SubtleCrypto, entries: readonly unknown[], opts: VerifyOptions = {}): Promise<AuditVerification> {
  const hashes: string[] = [GENESIS_HASH]; // hashes[k] = h_k of the accepted entries
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    const expected = i + 1;
    const prev = hashes[i]!;
    if (await chainsFrom(subtle, prev, e, expected)) {
      hashes.push((e as AuditEntry).hash);
      continue;
    }
    const fail = (kind: AuditDamage, firstBadSeq: number, index: number, explanation: string): AuditVerification => ({ ok: false, kind, firstBadSeq, index, explanation });
    const next = entries[i + 1];
    if (!wellFormed(e)) {
      if (await chainsFrom(subtle, prev, next, expected)) return fail('inserted', expected, i, `a malformed record was inserted before entry ${expected}`);
      return fail('changed', expected, i, `entry ${expected} is malformed (missing or mistyped fields)`);
    }
    const seqs = entries.map((x) => (wellFormed(x) ? x.seq : undefined));
    if (e.seq < expected) {
      // A sequence number seen before. If this entry chains onto the one before the last
      // accepted entry, that accepted entry was the insertion; otherwise this one is.
      if (e.seq === expected - 1 && (await chainsFrom(subtle, hashes[i - 1]!, e, e.seq))) {
        return fail('inserted', e.seq, i - 1, `entry ${e.seq} at position ${i} is a forgery inserted before the genuine entry ${e.seq}, which follows it`);
      }
      return fail('inserted', e.seq, i, `a second entry ${e.seq} was inserted after entry ${expected - 1}`);
    }
    if (e.seq > expected) {
      if (seqs.slice(i + 1).includes(expected)) {
        return fail('reordered', expected, i, `entry ${e.seq} appears before entry ${expected}: the log was reordered`);
      }
      if (await chainsFrom(subtle, prev, next, expected)) return fail('inserted', e.seq, i, `an entry numbered ${e.seq} was inserted before entry ${expected}`);
      const gap = e.seq - expected === 1 ? `entry ${expected} is missing` : `entries ${expected}–${e.seq - 1} are missing`;
      return fail('removed', expected, i, `${gap}: the log jumps from ${expected - 1} to ${e.seq}`);
    }
    // Right sequence number, wrong hash.
    if (await chainsFrom(subtle, prev, next, expected)) return fail('inserted', expected, i, `an extra entry was inserted before entry ${expected}`);
    if (e.prevHash !== prev && expected > 1 && (await chainsFrom(subtle, e.prevHash, e, expected))) {
      return fail('changed', expected - 1, i - 1, `entry ${expected - 1} was changed and its hash recomputed: entry ${expected} no longer chains onto it`);
    }
    return fail('changed', expected, i, `entry ${expected} was changed: its content no longer matches its hash`);
  }
  const last = hashes.length - 1;
  if (opts.head) {
    const h = opts.head;
    if (h.seq > last) return { ok: false, kind: 'removed', firstBadSeq: last + 1, index: entries.length, explanation: `the log ends at ${last} but a head at ${h.seq} was recorded: entries were cut from the end` };
    if (hashes[h.seq] !== h.hash) return { ok: false, kind: 'changed', firstBadSeq: h.seq, index: h.seq - 1, explanation: `entry ${h.seq} does not match the recorded head: the log was rewritten up to there` };
    if (opts.exact && last > h.seq) return { ok: false, kind: 'inserted', firstBadSeq: h.seq + 1, index: h.seq, explanation: `entries after the recorded head (${h.seq}) were appended` };
  }
  const head = auditHead(entries as AuditEntry[]);
  return head ? { ok: true, count: entries.length, head } : { ok: true, count: 0 };
}
