/**
 * Words for people where the engine speaks to programs: error codes as short headings,
 * engine messages as sentences (without the module prefix, times in local time,
 * revocation reasons in words), RFC 5280 revocation reasons in words.
 *
 * Common case: `<ErrorAlert error={op.error} />` uses these; a page showing a reason writes
 * `reasonWords(entry.reason)`.
 */
import { formatLocal } from './format';

/** A short heading for each engine error code (EngineErrorCode plus UNEXPECTED). */
const HEADINGS: Readonly<Record<string, string>> = {
  INVALID_ARGUMENT: 'Not accepted as entered',
  KEY_NOT_FOUND: 'No such key',
  KEY_STATE: 'Not allowed in the key’s present state',
  DECRYPT_FAILED: 'Could not decrypt',
  SIGNATURE_INVALID: 'The signature does not verify',
  MALFORMED_INPUT: 'Unreadable input',
  WRONG_PASSPHRASE: 'Wrong passphrase',
  NOT_EXTRACTABLE: 'This key cannot leave the vault',
  CERT_INVALID: 'The certificate is not valid',
  CERT_REVOKED: 'The certificate is revoked',
  STORAGE: 'The browser’s storage refused',
  UNSUPPORTED: 'Not supported by this browser',
  UNEXPECTED: 'Something unexpected went wrong',
};

/** The heading of an error code; "Error" for a code this list does not know. */
export function errorHeading(code: string): string {
  return Object.hasOwn(HEADINGS, code) ? HEADINGS[code]! : 'Error';
}

/** RFC 5280 §5.3.1 CRLReason names in words, indexed by their code (7 is unused). */
const REASONS: ReadonlyArray<readonly [string, string] | null> = [
  ['unspecified', 'unspecified'],
  ['keyCompromise', 'key compromise'],
  ['cACompromise', 'CA compromise'],
  ['affiliationChanged', 'affiliation changed'],
  ['superseded', 'superseded'],
  ['cessationOfOperation', 'cessation of operation'],
  ['certificateHold', 'certificate hold'],
  null,
  ['removeFromCRL', 'removed from the CRL'],
  ['privilegeWithdrawn', 'privilege withdrawn'],
  ['aACompromise', 'attribute authority compromise'],
];
const REASON_BY_NAME = new Map(REASONS.filter((r) => r !== null).map((r) => [r[0], r[1]]));

/** A revocation reason (RFC 5280 name or CRLReason code) in words; free text comes back as it is. */
export function reasonWords(reason: string | number | undefined | null): string {
  if (reason === undefined || reason === null || reason === '') return 'no reason given';
  if (typeof reason === 'number') return REASONS[reason]?.[1] ?? `reason code ${reason}`;
  return REASON_BY_NAME.get(reason) ?? reason;
}

/** A module prefix of an engine message ("keys: ", "pki: validate: "). */
const PREFIX = /^(?:[a-z][a-z0-9-]{0,15}: )+/;
const ISO = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})/g;
const REASON_CODE = /\breason (\d{1,2})\b/g;
const REASON_NAME = /\b(keyCompromise|cACompromise|affiliationChanged|cessationOfOperation|certificateHold|removeFromCRL|privilegeWithdrawn|aACompromise)\b/g;

/**
 * An engine message as a sentence for people: without its module prefix, with times in
 * local time and revocation reasons in words, starting with a capital and ending with a
 * full stop. A first word that is an id or code (digits, `_`, `.`) keeps its case.
 */
export function readableMessage(message: string): string {
  let m = message.trim().replace(PREFIX, '');
  m = m.replace(ISO, (iso) => formatLocal(iso));
  m = m.replace(REASON_CODE, (_, code: string) => reasonWords(Number(code)));
  m = m.replace(REASON_NAME, (name: string) => reasonWords(name));
  const first = /^[^\s,;:]+/.exec(m)?.[0] ?? '';
  if (/^[a-z][a-z’'-]*$/.test(first)) m = m.charAt(0).toUpperCase() + m.slice(1);
  if (m && !/[.!?…]$/.test(m)) m += '.';
  return m;
}
