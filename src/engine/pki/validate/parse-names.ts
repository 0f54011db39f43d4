// Parsing X.509 names and general names (RFC 5280 4.1.2.4, 4.2.1.6) for the path validator, with their comparison keys.
import { MalformedInputError } from '../../errors';
import { toHex } from '../../internal/bytes';
import { DerReader, TAG, decodeOid, parseDer, type DerElement } from '../../internal/der';
import * as OID from '../../internal/oids';
import type { GeneralName, Name, NameAttribute } from './cert-types';

/**
 * Bytes as one char code each. `fromCharCode.apply` over an index range is an order of
 * magnitude cheaper than spreading a typed array (an iterator per call): a certificate
 * with thousands of names (limbo pathological::nc-dos-*) reads each in one call.
 */
function byteString(c: Uint8Array): string {
  const CHUNK = 8192;
  if (c.length <= CHUNK) return String.fromCharCode.apply(null, c as unknown as number[]);
  let s = '';
  for (let i = 0; i < c.length; i += CHUNK) s += String.fromCharCode.apply(null, c.subarray(i, i + CHUNK) as unknown as number[]);
  return s;
}

const STRING_TAGS = new Set<number>([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.T61_STRING, TAG.IA5_STRING, TAG.BMP_STRING, TAG.UNIVERSAL_STRING, 0x1a, 0x12]);

/**
 * The text of a directory string (UTF8String, PrintableString, IA5String, T61String,
 * BMPString, UniversalString, VisibleString, NumericString), or undefined when the value
 * is another type or does not decode (invalid UTF-8, a BMP or Universal string of the
 * wrong length). The one string decoder for names, the verifier's and the CA's.
 */
export function decodeDirectoryString(el: DerElement): string | undefined {
  const c = el.content;
  try {
    switch (el.tag) {
      case TAG.UTF8_STRING:
        return new TextDecoder('utf-8', { fatal: true }).decode(c);
      case TAG.BMP_STRING: {
        if (c.length % 2) return undefined;
        let s = '';
        for (let i = 0; i < c.length; i += 2) s += String.fromCharCode((c[i]! << 8) | c[i + 1]!);
        return s;
      }
      case TAG.UNIVERSAL_STRING: {
        if (c.length % 4) return undefined;
        let s = '';
        for (let i = 0; i < c.length; i += 4) s += String.fromCodePoint(((c[i]! << 24) | (c[i + 1]! << 16) | (c[i + 2]! << 8) | c[i + 3]!) >>> 0);
        return s;
      }
      default:
        return STRING_TAGS.has(el.tag) ? byteString(c) : undefined;
    }
  } catch {
    return undefined;
  }
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  [OID.commonName]: 'CN',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.serialNumber]: 'serialNumber',
  [OID.domainComponent]: 'DC',
  [OID.emailAddress]: 'E',
};

function shortName(oid: string): string {
  return Object.hasOwn(SHORT_NAMES, oid) ? SHORT_NAMES[oid]! : oid;
}

/** One AttributeTypeAndValue of a Name, with the index of its RDN. */
export interface NameAttributeElement {
  rdn: number;
  oid: string;
  value: DerElement;
}

/**
 * The one reader of the Name layout (RFC 5280 4.1.2.4): a SEQUENCE OF non-empty SET OF
 * SEQUENCE { OID, value }, nothing else. Values are left to the caller.
 * @throws MALFORMED_INPUT
 */
export function readNameAttributes(el: DerElement, what = 'a name'): NameAttributeElement[] {
  if (el.tag !== TAG.SEQUENCE) throw new MalformedInputError(`validate: ${what} is not a SEQUENCE`);
  const r = new DerReader(el.content, what);
  const out: NameAttributeElement[] = [];
  for (let rdn = 0; !r.done; rdn++) {
    const set = r.set('a relative distinguished name');
    if (set.done) throw new MalformedInputError(`validate: ${what} has an empty relative distinguished name`);
    while (!set.done) {
      const ava = set.sequence('an attribute');
      const oid = decodeOid(ava.expect(TAG.OID, 'attribute type'), 'an attribute type');
      const value = ava.next('an attribute value');
      ava.end();
      out.push({ rdn, oid, value });
    }
  }
  return out;
}

/** Parses a Name (SEQUENCE OF SET OF AttributeTypeAndValue). @throws MALFORMED_INPUT */
export function parseName(el: DerElement, what = 'a name'): Name {
  const rdns: NameAttribute[][] = [];
  for (const { rdn, oid, value: v } of readNameAttributes(el, what)) {
    const s = decodeDirectoryString(v);
    const text = s ?? toHex(v.encoded);
    // RFC 5280 7.1 / RFC 4518 in brief: trimmed, inner white space folded, case folded.
    const norm = s === undefined ? `#${text}` : (/\s\s|[\t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/.test(s) ? s.trim().replace(/\s+/g, ' ') : s.trim()).toLowerCase();
    (rdns[rdn] ??= []).push({ oid, text, norm });
  }
  // A one-attribute RDN (nearly all) needs no array to sort: its key is the same JSON.
  const rdnKeys = rdns.map((rdn) => (rdn.length === 1 ? `[${JSON.stringify(`${rdn[0]!.oid}=${rdn[0]!.norm}`)}]` : JSON.stringify(rdn.map((a) => `${a.oid}=${a.norm}`).sort())));
  const key = `[${rdnKeys.join(',')}]`;
  const text = rdns.map((rdn) => rdn.map((a) => `${shortName(a.oid)}=${a.text}`).join('+')).join(', ') || '(empty name)';
  return { der: el.encoded, rdns, key, rdnKeys, text };
}

function ia5(el: DerElement, what: string): string {
  const c = el.content;
  for (let i = 0; i < c.length; i++) if (c[i]! > 0x7f) throw new MalformedInputError(`validate: ${what} is not IA5 text`);
  return byteString(c);
}

/** Parses one GeneralName. @throws MALFORMED_INPUT */
export function parseGeneralName(el: DerElement): GeneralName {
  switch (el.tag) {
    case 0x81:
      return { type: 'email', value: ia5(el, 'an e-mail name') };
    case 0x82:
      return { type: 'dns', value: ia5(el, 'a DNS name') };
    case 0x86:
      return { type: 'uri', value: ia5(el, 'a URI') };
    case 0x87:
      return { type: 'ip', bytes: el.content };
    case 0xa4:
      return { type: 'dn', name: parseName(parseDer(el.content), 'a directory name') };
    default:
      if ((el.tag & 0xc0) !== 0x80) throw new MalformedInputError('validate: a general name has a universal tag');
      return { type: 'other', tag: el.tag & 0x1f, der: el.encoded };
  }
}

export function generalNames(bytes: Uint8Array, what: string): GeneralName[] {
  const r = new DerReader(bytes, what);
  const out: GeneralName[] = [];
  while (!r.done) out.push(parseGeneralName(r.next('a general name')));
  return out;
}
