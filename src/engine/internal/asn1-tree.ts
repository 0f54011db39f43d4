/**
 * The ASN.1 tree of one DER structure as plain JSON, read with the engine's one strict
 * DER reader (./der.ts): the certificate viewer (E5) and the walkthroughs' "decoded DER"
 * view (F2) both render it. OCTET STRINGs and BIT STRINGs that wrap DER are opened too;
 * depth and node count are bounded. Anything that is not DER is refused, never guessed.
 *
 * Common case: `asn1Tree(certDer).children`.
 */
import { EngineError, MalformedInputError } from '../errors';
import { fromUtf8, toHex } from './bytes';
import { TAG, children, contentOf, oidToString, readTop, type Tlv } from './der';
import { OID_NAMES } from './oid-names';

/** One node of an ASN.1 tree: where it sits in the DER and what it holds. */
export interface Asn1Node {
  /** The identifier octet. */
  tag: number;
  /** "SEQUENCE", "INTEGER", "[0]", … */
  label: string;
  /** Offset of the tag byte in the DER. */
  offset: number;
  /** Length of the content in bytes. */
  length: number;
  /** The decoded value of a primitive (OID with its name, string, time, hex). */
  value?: string;
  children?: Asn1Node[];
}

const UNIVERSAL: Record<number, string> = {
  0x01: 'BOOLEAN',
  0x02: 'INTEGER',
  0x03: 'BIT STRING',
  0x04: 'OCTET STRING',
  0x05: 'NULL',
  0x06: 'OBJECT IDENTIFIER',
  0x0a: 'ENUMERATED',
  0x0c: 'UTF8String',
  0x13: 'PrintableString',
  0x14: 'T61String',
  0x16: 'IA5String',
  0x17: 'UTCTime',
  0x18: 'GeneralizedTime',
  0x1e: 'BMPString',
  0x30: 'SEQUENCE',
  0x31: 'SET',
};

/** Hex shown for a byte value, cut after `max` bytes. */
export function hexValue(b: Uint8Array, max = 48): string {
  return b.length > max ? `${toHex(b.subarray(0, max))}… (${b.length} bytes)` : toHex(b);
}

export function tagLabel(tag: number): string {
  if ((tag & 0xc0) === 0x80) return `[${tag & 0x1f}]`;
  if ((tag & 0xc0) === 0x40) return `[APPLICATION ${tag & 0x1f}]`;
  return UNIVERSAL[tag] ?? `tag 0x${tag.toString(16).padStart(2, '0')}`;
}

function primitiveValue(t: Tlv): string | undefined {
  const c = contentOf(t);
  switch (t.tag) {
    case TAG.BOOLEAN:
      return c[0] ? 'TRUE' : 'FALSE';
    case TAG.NULL:
      return undefined;
    case TAG.OID: {
      const o = oidToString(c);
      return OID_NAMES[o] ? `${o} (${OID_NAMES[o]})` : o;
    }
    case TAG.INTEGER:
    case TAG.ENUMERATED:
      return c.length <= 6 ? String(c.reduce((n, b) => n * 256 + b, 0)) : hexValue(c);
    case TAG.UTF8_STRING:
    case TAG.PRINTABLE_STRING:
    case TAG.IA5_STRING:
    case TAG.UTC_TIME:
    case TAG.GENERALIZED_TIME:
      return fromUtf8(c);
    default:
      return hexValue(c);
  }
}

/** Whether `b` is exactly one well-formed DER structure (for OCTET/BIT STRINGs that wrap DER). */
function wrapsDer(b: Uint8Array): boolean {
  if (b.length < 2 || (b[0] !== TAG.SEQUENCE && b[0] !== TAG.SET)) return false;
  try {
    const t = readTop(b);
    return walkCheck(t, 0);
  } catch {
    return false;
  }
}

function walkCheck(t: Tlv, depth: number): boolean {
  if (depth > 12) return false;
  if (t.tag & 0x20) return children(t).every((c) => walkCheck(c, depth + 1));
  return true;
}

/**
 * The ASN.1 tree of one DER structure. OCTET STRINGs and BIT STRINGs that wrap DER (an
 * extension value, an RSA public key) are opened too. Depth and node count are bounded.
 * @throws MALFORMED_INPUT
 */
export function asn1Tree(der: Uint8Array, maxNodes = 4000): Asn1Node {
  let count = 0;
  const walk = (t: Tlv, base: number, depth: number): Asn1Node => {
    if (++count > maxNodes || depth > 24) throw new MalformedInputError('pki: the structure is too large or too deep to show');
    const node: Asn1Node = { tag: t.tag, label: tagLabel(t.tag), offset: base + t.start, length: t.end - t.contentStart };
    const content = contentOf(t);
    if (t.tag & 0x20) {
      node.children = children(t).map((c) => walk(c, base, depth + 1));
    } else if (t.tag === TAG.OCTET_STRING && wrapsDer(content)) {
      node.children = [walk(readTop(content), base + t.contentStart, depth + 1)];
    } else if (t.tag === TAG.BIT_STRING && content[0] === 0 && wrapsDer(content.subarray(1))) {
      node.children = [walk(readTop(content.subarray(1)), base + t.contentStart + 1, depth + 1)];
    } else {
      const v = primitiveValue(t);
      if (v !== undefined) node.value = v;
    }
    return node;
  };
  try {
    return walk(readTop(der), 0, 0);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: the DER could not be read', { cause: e });
  }
}

