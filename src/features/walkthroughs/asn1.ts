/**
 * A small DER reader for the ASN.1 view of a step (certificates, CSRs, CRLs): tag,
 * length and a short rendering of each value. Display only; the engine's own parser
 * (pkijs, inside engine/pki) does everything that matters. Never throws: what it cannot
 * read becomes a node that says so.
 */

/** One decoded TLV. */
export interface Asn1Node {
  /** Byte offset of the tag. */
  offset: number;
  /** "SEQUENCE", "INTEGER", "[0]", … */
  name: string;
  /** Header length + content length. */
  length: number;
  /** A short rendering of a primitive value. */
  value?: string;
  children?: Asn1Node[];
}

const UNIVERSAL: Record<number, string> = {
  1: 'BOOLEAN',
  2: 'INTEGER',
  3: 'BIT STRING',
  4: 'OCTET STRING',
  5: 'NULL',
  6: 'OBJECT IDENTIFIER',
  10: 'ENUMERATED',
  12: 'UTF8String',
  16: 'SEQUENCE',
  17: 'SET',
  19: 'PrintableString',
  22: 'IA5String',
  23: 'UTCTime',
  24: 'GeneralizedTime',
};

/** Well-known OIDs a learner meets in certificates. */
const OIDS: Record<string, string> = {
  '2.5.4.3': 'commonName',
  '2.5.4.6': 'countryName',
  '2.5.4.10': 'organizationName',
  '2.5.4.11': 'organizationalUnitName',
  '1.2.840.10045.2.1': 'ecPublicKey',
  '1.2.840.10045.3.1.7': 'prime256v1 (P-256)',
  '1.3.132.0.34': 'secp384r1 (P-384)',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.113549.1.1.1': 'rsaEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.9.14': 'extensionRequest',
  '1.3.101.112': 'Ed25519',
  '2.5.29.14': 'subjectKeyIdentifier',
  '2.5.29.15': 'keyUsage',
  '2.5.29.17': 'subjectAltName',
  '2.5.29.19': 'basicConstraints',
  '2.5.29.20': 'cRLNumber',
  '2.5.29.21': 'reasonCode',
  '2.5.29.31': 'cRLDistributionPoints',
  '2.5.29.35': 'authorityKeyIdentifier',
  '2.5.29.37': 'extKeyUsage',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
};

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const preview = (b: Uint8Array, max = 24) => (b.length > max ? `${hex(b.subarray(0, max))}… (${b.length} bytes)` : hex(b));

function oid(b: Uint8Array): string {
  if (b.length === 0) return '';
  const parts = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if ((b[i]! & 0x80) === 0) {
      parts.push(v);
      v = 0;
    }
  }
  const dotted = parts.join('.');
  return OIDS[dotted] ? `${dotted} (${OIDS[dotted]})` : dotted;
}

function render(tag: number, b: Uint8Array): string {
  switch (tag) {
    case 1:
      return b[0] ? 'TRUE' : 'FALSE';
    case 2:
    case 10:
      return preview(b);
    case 3:
      return `${(b.length - 1) * 8 - (b[0] ?? 0)} bits: ${preview(b.subarray(1))}`;
    case 5:
      return '';
    case 6:
      return oid(b);
    case 12:
    case 19:
    case 22:
    case 23:
    case 24:
      return new TextDecoder().decode(b);
    default:
      return preview(b);
  }
}

function parse(bytes: Uint8Array, start: number, end: number, depth: number): Asn1Node[] {
  const out: Asn1Node[] = [];
  let i = start;
  while (i < end) {
    const at = i;
    const t = bytes[i++]!;
    if ((t & 0x1f) === 0x1f) return [...out, { offset: at, name: 'unreadable (long tag)', length: end - at }];
    let len = bytes[i++];
    if (len === undefined) return [...out, { offset: at, name: 'truncated', length: end - at }];
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4) return [...out, { offset: at, name: 'unreadable length', length: end - at }];
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + (bytes[i++] ?? 0);
    }
    const contentEnd = i + len;
    if (contentEnd > end) return [...out, { offset: at, name: 'truncated', length: end - at }];
    const cls = t >> 6;
    const constructed = (t & 0x20) !== 0;
    const num = t & 0x1f;
    const name = cls === 0 ? (UNIVERSAL[num] ?? `UNIVERSAL ${num}`) : cls === 2 ? `[${num}]` : `${cls === 1 ? 'APPLICATION' : 'PRIVATE'} ${num}`;
    const node: Asn1Node = { offset: at, name, length: contentEnd - at };
    const content = bytes.subarray(i, contentEnd);
    if (constructed && depth < 24) node.children = parse(bytes, i, contentEnd, depth + 1);
    else if (cls === 0) node.value = render(num, content);
    else node.value = preview(content);
    out.push(node);
    i = contentEnd;
  }
  return out;
}

/** Decodes DER given as hex into a tree of nodes. */
export function decodeDer(derHex: string): Asn1Node[] {
  const clean = derHex.replace(/[^0-9a-f]/gi, '');
  const bytes = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return parse(bytes, 0, bytes.length, 0);
}
