// Refuses audit details that look like key material (A3): the scanner every entry passes before it is chained.
import { EngineError } from '../errors';
import { TEMPLATE_NAMES } from '../keys/templates';

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
export type ScanMemo = Set<string>;

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

export function scan(value: unknown, path: string, field: string, memo?: ScanMemo): void {
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
