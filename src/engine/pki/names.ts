/**
 * Distinguished names (RFC 5280 §4.1.2.4). A name is a SEQUENCE of RDNs and Clavis
 * always writes one attribute per RDN: putting several attributes in one pkijs
 * `RelativeDistinguishedNames` gives a single multi-valued RDN instead (SECURITY.md M4).
 * Strings are UTF8String (PrintableString for countryName), length-limited, and free of
 * control characters, NUL and bidirectional overrides (C8), because subjects are shown
 * in the UI and copied into other tools.
 */
import { EngineError, MalformedInputError } from '../errors';
import * as OID from '../internal/oids';
import { TAG, oid, parseDer, printableString, seq, setOf, utf8String } from '../internal/der';
import { decodeDirectoryString, readNameAttributes } from './validate/parse-names';

/** The attribute types Clavis writes, in the order it writes them. */
export const NAME_ATTRIBUTES = ['C', 'ST', 'L', 'O', 'OU', 'CN'] as const;
export type NameAttribute = (typeof NAME_ATTRIBUTES)[number];

/** A subject or issuer as callers give it: every field optional, at least one required. */
export type DistinguishedName = Partial<Record<NameAttribute, string>>;

/** OIDs and upper bounds (RFC 5280 Appendix A ub-* values). */
export const ATTRIBUTE_INFO: Record<NameAttribute, { oid: string; max: number; label: string }> = {
  C: { oid: OID.countryName, max: 2, label: 'country' },
  ST: { oid: OID.stateOrProvinceName, max: 128, label: 'state or province' },
  L: { oid: OID.localityName, max: 128, label: 'locality' },
  O: { oid: OID.organizationName, max: 64, label: 'organization' },
  OU: { oid: OID.organizationalUnitName, max: 64, label: 'organizational unit' },
  CN: { oid: OID.commonName, max: 64, label: 'common name' },
};

const BY_OID = new Map<string, NameAttribute>(NAME_ATTRIBUTES.map((a) => [ATTRIBUTE_INFO[a].oid, a]));
const EXTRA_LABELS: Record<string, string> = {
  [OID.emailAddress]: 'emailAddress',
  [OID.serialNumber]: 'serialNumber',
  [OID.domainComponent]: 'DC',
};

/** True for C0 and C1 controls, DEL, NUL, bidi embeddings/overrides/isolates and marks, BOM (C8). */
export function hasForbiddenChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f) || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff) return true;
  }
  return false;
}
/** PrintableString's repertoire (X.680 §41.4). */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** Why a string may not appear in a name, or undefined when it may. */
export function nameStringProblem(value: string, max: number): string | undefined {
  if (value.length === 0) return 'is empty';
  if (value !== value.trim()) return 'has leading or trailing spaces';
  if (hasForbiddenChars(value)) return 'contains control, NUL or bidirectional-override characters';
  if (/[\ud800-\udfff]/.test(value.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) return 'contains an unpaired surrogate';
  if ([...value].length > max) return `is longer than ${max} characters`;
  return undefined;
}

/** Checks and normalises a caller's name. @throws INVALID_ARGUMENT */
export function checkName(dn: DistinguishedName, what: string): Array<[NameAttribute, string]> {
  if (!dn || typeof dn !== 'object') throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} must be an object of name fields`);
  const out: Array<[NameAttribute, string]> = [];
  for (const key of Object.keys(dn)) {
    if (!(NAME_ATTRIBUTES as readonly string[]).includes(key)) throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} has an unknown field "${key.slice(0, 20)}"`);
  }
  for (const a of NAME_ATTRIBUTES) {
    const raw = dn[a];
    if (raw === undefined || raw === '') continue;
    if (typeof raw !== 'string') throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} ${ATTRIBUTE_INFO[a].label} must be text`);
    const v = raw.normalize('NFC');
    const problem = nameStringProblem(v, ATTRIBUTE_INFO[a].max);
    if (problem) throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} ${ATTRIBUTE_INFO[a].label} ${problem}`);
    if (a === 'C' && !/^[A-Z]{2}$/.test(v)) throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} country must be two capital letters (ISO 3166)`);
    out.push([a, v]);
  }
  if (out.length === 0) throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} needs at least one field (e.g. a common name)`);
  return out;
}

/** Encodes a checked name: SEQUENCE OF SET (one attribute each) OF AttributeTypeAndValue. */
export function encodeName(dn: DistinguishedName, what = 'subject'): Uint8Array<ArrayBuffer> {
  const attrs = checkName(dn, what);
  return seq(
    ...attrs.map(([a, v]) => setOf(seq(oid(ATTRIBUTE_INFO[a].oid), a === 'C' && PRINTABLE.test(v) ? printableString(v) : utf8String(v)))),
  );
}

/** One decoded attribute of a name, with its RDN index. */
export interface NameEntry {
  rdn: number;
  oid: string;
  /** Short name (CN, O, …) or the dotted OID when unknown. */
  type: string;
  value: string;
  /** The ASN.1 string tag it was encoded with. */
  stringTag: number;
}

/** The string types a name Clavis reads back may use (VisibleString and NumericString are not among them). */
const STRING_TAGS = new Set<number>([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.IA5_STRING, TAG.T61_STRING, TAG.BMP_STRING, TAG.UNIVERSAL_STRING]);

/**
 * Decodes a Name with the verifier's Name reader and string decoder
 * (validate/parse-names.ts): the layout and the strings are read once, strictly, for
 * both. Every value must be one of the string types above and decode.
 * @throws MALFORMED_INPUT
 */
export function decodeName(der: Uint8Array): NameEntry[] {
  return readNameAttributes(parseDer(der), 'a distinguished name').map(({ rdn, oid: o, value }) => {
    const text = STRING_TAGS.has(value.tag) ? decodeDirectoryString(value) : undefined;
    if (text === undefined) throw new MalformedInputError('pki: a distinguished name has an attribute value that is not a readable string');
    return { rdn, oid: o, type: BY_OID.get(o) ?? EXTRA_LABELS[o] ?? o, value: text, stringTag: value.tag };
  });
}

/** RFC 4514-style text, most significant RDN first as OpenSSL prints it ("C=DE, O=x, CN=y"). */
export function formatName(entries: NameEntry[]): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return entries.map((e) => `${e.type}=${esc(e.value)}`).join(', ');
}

/**
 * Turns a foreign name (from a CSR) into a Clavis `DistinguishedName`, refusing types
 * Clavis does not issue and repeated attributes; the result is re-encoded by
 * `encodeName`, so a multi-valued RDN in the request becomes single-valued RDNs.
 * @throws INVALID_ARGUMENT
 */
export function toDistinguishedName(entries: NameEntry[]): DistinguishedName {
  const dn: DistinguishedName = {};
  for (const e of entries) {
    const a = BY_OID.get(e.oid);
    if (!a) throw new EngineError('INVALID_ARGUMENT', `pki: the request's subject has an attribute Clavis does not issue (${e.type.slice(0, 40)})`);
    if (dn[a] !== undefined) throw new EngineError('INVALID_ARGUMENT', `pki: the request's subject repeats ${a}`);
    dn[a] = e.value;
  }
  return dn;
}

/** The common name of a decoded name, if any. */
export const commonNameOf = (entries: NameEntry[]) => entries.find((e) => e.type === 'CN')?.value;
