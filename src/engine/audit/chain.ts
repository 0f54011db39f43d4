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
 * const entry = await appendEntry(subtle, lastEntry, { at, actor: 'operator', action: 'key.rotate', subject: [id], details: { version: 2 } });
 * const result = await verifyAuditLog(subtle, entries, { head });   // { ok: true } or where it broke
 * ```
 * A chain alone cannot reveal a rewrite of everything after some point, nor a cut at the
 * end: keep a signed or remembered head (`auditHead`) and pass it to `verifyAuditLog`.
 */
import { EngineError, MalformedInputError } from '../errors';
import { concat, fromBase64, fromHex, toHex, utf8 } from '../internal/bytes';
import { sha256Hex } from '../internal/sha256';
import { TEMPLATE_NAMES } from '../keys/templates';

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

// --- A3: no secrets -------------------------------------------------------------------

/** JWK private members (RFC 7517/7518): their presence means a private or secret JWK. */
const JWK_PRIVATE = new Set(['d', 'k', 'p', 'q', 'dp', 'dq', 'qi', 'oth']);
/** Field names that announce a secret; refused unless the value is a boolean or null (e.g. `passphraseChanged: true` is fine, `passphrase: '…'` is not). */
const SECRET_NAMES = new Set(['secret', 'secretkey', 'privatekey', 'private_key', 'passphrase', 'password', 'keymaterial', 'rawkey', 'plaintext', 'sessionkey']);
const PEM_PRIVATE = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
const JWK_IN_TEXT = /"(d|k|p|q|dp|dq|qi)"\s*:/;
/** Longest run of base64/base64url/hex characters allowed anywhere, even in human text. */
export const MAX_BLOB_CHARS = 40;
/**
 * Longest such run allowed in machine fields (not human text): 22 characters is 16 bytes
 * of unpadded base64, the shortest symmetric key Clavis makes.
 */
export const MAX_MACHINE_RUN = 21;
const RUN = /[A-Za-z0-9+/_=-]+/g;
/** Fields that may hold a long hex digest (fingerprints, hashes, key identifiers): up to 128 hex digits, optionally colon-separated. */
const DIGEST_VALUE = /^(?:[0-9a-fA-F]{2}:){0,63}[0-9a-fA-F]{2}$|^[0-9a-fA-F]{1,128}$/;
/** A Clavis id (`key_3f9a…`, K5: 128-bit random) or a bare hex id of 64–256 bits. */
const ID_VALUE = /^(?:[a-z][a-z0-9-]*_)?[0-9a-f]{16,64}$/;
/** Fields holding human text (names people type, explanations): only the long-run rule applies. */
const TEXT_FIELDS = new Set(['name', 'owner', 'label', 'title', 'description', 'reason', 'message', 'note', 'comment', 'explanation', 'error', 'actor', 'why']);
const TEMPLATE_SET: ReadonlySet<string> = new Set(TEMPLATE_NAMES);

/**
 * True for field names whose value may be a long hex digest: `fingerprint`, `hash`,
 * anything ending in Fingerprint/Hash/Sha256/Serial/SerialNumber, and `ski`, `aki`, `kcv`.
 */
export function isDigestField(name: string): boolean {
  const n = name.toLowerCase();
  return ['fingerprint', 'hash', 'sha256', 'serial', 'serialnumber'].some((s) => n.endsWith(s)) || n === 'ski' || n === 'aki' || n === 'kcv';
}

/**
 * True for id fields (`id`, `keyId`, `certIds`, `subject`), whose values may be a Clavis
 * id or a bare hex id of up to 256 bits. Known limit: a hex key of that size placed in an
 * id field is indistinguishable from an id and passes; ids are never derived from keys.
 */
export function isIdField(name: string): boolean {
  return /(^|[a-z])(id|ids|Id|Ids)$/.test(name) || name === 'subject';
}

type FieldKind = 'digest' | 'id' | 'text' | 'machine';

function fieldKind(name: string): FieldKind {
  if (isDigestField(name)) return 'digest';
  if (isIdField(name)) return 'id';
  if (TEXT_FIELDS.has(name.toLowerCase())) return 'text';
  return 'machine';
}

/** One word of a name: lower-case, Capitalised, an acronym, a number, a short tag (v2, Q1), or camelCase words. */
const WORD_PART = /^(?:[a-z]{1,24}|[A-Z][a-z]{1,23}|[A-Z]{1,6}|[0-9]{1,8}|[A-Za-z0-9]{1,3})$/;
/** camelCase / PascalCase words with short numbers (PaymentsDatabaseKey2025): every capital starts a word of 3+ letters. */
const CAMEL_WORDS = /^[A-Z]?[a-z]{2,23}(?:[A-Z][a-z]{2,23}|[0-9]{1,4})+$/;

/**
 * True when a run reads as words (issue 14 #12): pieces joined by "-" or "_" (kebab/snake
 * case, dates; leading, trailing or doubled separators allowed), or camelCase words. Each
 * piece is lower-case, Capitalised, an acronym, a number, a short tag (v2, Q1) or camelCase
 * words. Random base64url over 40 characters essentially never splits that way (its
 * capitals and digits fall anywhere, and "+", "/" or "=" appear); hex has no separators.
 * camelCase counts only in human-text fields (`name`, `reason`…): machine fields stay strict.
 */
function isWordy(run: string, camel: boolean): boolean {
  const parts = run.split(/[-_]/).filter((p) => p.length > 0);
  if (parts.length === 0) return true;
  if (parts.length === 1) return camel && CAMEL_WORDS.test(parts[0]!);
  return parts.every((p) => WORD_PART.test(p) || (camel && CAMEL_WORDS.test(p)));
}

function refuse(path: string, what: string): never {
  throw new EngineError('INVALID_ARGUMENT', `audit: ${path} looks like key material (${what}); audit entries never hold secrets`);
}

/**
 * Strings already found clean in this batch, by field and value (`appendEntries`): a
 * batch repeats its issuer, profile, actor… in every entry, and each is checked once.
 * Only values that passed are remembered, so a refusal is never skipped.
 */
type ScanMemo = Set<string>;

function scanString(s: string, path: string, field: string, memo?: ScanMemo): void {
  const memoKey = memo ? `${field}\u0000${s}` : '';
  if (memo?.has(memoKey)) return;
  checkString(s, path, field);
  memo?.add(memoKey);
}

function checkString(s: string, path: string, field: string): void {
  if (PEM_PRIVATE.test(s)) refuse(path, 'a PEM private key block');
  if (JWK_IN_TEXT.test(s)) refuse(path, 'a JWK with private members');
  const kind = fieldKind(field);
  if (kind === 'digest' && DIGEST_VALUE.test(s)) return;
  if (kind === 'id' && ID_VALUE.test(s)) return;
  if (TEMPLATE_SET.has(s)) return;
  for (const [run] of s.matchAll(RUN)) {
    // A name like my-production-database-encryption-key-2025 is words, not key material (issue 14 #12).
    if (isWordy(run, kind === 'text')) continue;
    const upper = /[A-Z]/.test(run);
    const lower = /[a-z]/.test(run);
    const digit = /[0-9]/.test(run);
    // Long runs: a kebab-case or all-lower identifier is not a blob; random base64/hex has a digit, mixed case or +/=.
    if (run.length > MAX_BLOB_CHARS && (digit || (upper && lower) || /[+/=]/.test(run))) refuse(path, `a ${run.length}-character hex/base64 blob`);
    // Shorter runs in machine fields: random base64 has both cases, random hex digits and letters.
    if (kind !== 'text' && run.length > MAX_MACHINE_RUN && ((upper && lower) || (digit && (upper || lower)))) {
      refuse(path, `a ${run.length}-character hex/base64 blob`);
    }
  }
}

function scan(value: unknown, path: string, field: string, memo?: ScanMemo): void {
  if (value === null || typeof value === 'boolean' || typeof value === 'number') return;
  if (typeof value === 'string') return scanString(value, path, field, memo);
  if (typeof value !== 'object') refuse(path, `a ${typeof value}`);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) refuse(path, 'raw bytes');
  if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) refuse(path, 'a CryptoKey');
  if (Array.isArray(value)) {
    // Sixteen or more small integers in a row is a byte array in disguise.
    if (value.length >= 16 && value.every((x) => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 255)) refuse(path, 'an array of bytes');
    value.forEach((x, i) => scan(x, `${path}[${i}]`, field, memo));
    return;
  }
  const obj = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    const p = `${path}.${k}`;
    if (JWK_PRIVATE.has(k)) refuse(p, 'a JWK private member');
    if (SECRET_NAMES.has(k.toLowerCase()) && v !== null && typeof v !== 'boolean') refuse(p, 'a field named as a secret');
    scan(v, p, k, memo);
  }
}

/**
 * Refuses details that look like key material (A3; SECURITY.md H4 detectors), naming
 * the field, never the value:
 * - PEM private key blocks; JWK private members (d, k, p, q, dp, dq, qi, oth) as fields
 *   or inside text; fields named like secrets (passphrase, privateKey…) unless boolean/null;
 *   raw bytes, CryptoKeys, arrays of 16+ byte values;
 * - hex/base64 runs longer than MAX_BLOB_CHARS anywhere, and longer than
 *   MAX_MACHINE_RUN in machine fields (not human-text fields such as `name`, `reason`);
 * - except: hex digests in digest fields (`isDigestField`), ids in id fields
 *   (`isIdField`), and exact template names.
 * @throws INVALID_ARGUMENT
 */
export function assertNoSecrets(details: unknown, path = 'details', field = ''): void {
  scan(details, path, field);
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
 * synchronously (`internal/sha256.ts`); `_subtle` stays in the signature for its callers.
 * @throws INVALID_ARGUMENT
 */
export async function appendEntry(_subtle: SubtleCrypto, prev: AuditEntry | null, draft: AuditDraft): Promise<AuditEntry> {
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
export async function appendEntries(_subtle: SubtleCrypto, prev: AuditEntry | null, drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
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

function wellFormed(e: unknown): e is AuditEntry {
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

// --- JSON Lines ---------------------------------------------------------------------

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
    if (!good) {
      const last = Math.max(1, Math.min(head.seq, entries.length));
      return {
        ok: false,
        kind: head.seq < entries.length ? 'changed' : 'removed',
        firstBadSeq: last,
        index: last - 1,
        explanation: `the export's head (entry ${head.seq}) is not signed by the export's audit key: it was rewritten, e.g. after the file was cut short or an entry was edited and the chain recomputed`,
        headSigned: false,
        ...extra,
      };
    }
    headSigned = true;
  }
  const out = await verifyAuditLog(subtle, entries, { head: { seq: head.seq, hash: head.hash }, exact: true });
  if (out.ok && header.count !== entries.length) {
    return { ok: false, kind: 'removed', firstBadSeq: entries.length + 1, index: entries.length, explanation: `the export says it holds ${header.count} entries but ${entries.length} follow`, headSigned, ...extra };
  }
  return { ...out, headSigned, ...extra };
}
