// The one OBJECT IDENTIFIER codec: dotted form to DER and back, strict (no padded subidentifiers).
import { fail, TAG, type DerElement } from './der-reader';
import { encodeElement } from './der-writer';

/** Dotted form of an OBJECT IDENTIFIER. @throws MALFORMED_INPUT */
export function decodeOid(el: DerElement, what = 'an algorithm identifier'): string {
  if (el.tag !== TAG.OID) fail(`${what} is not an OBJECT IDENTIFIER`);
  const c = el.content;
  if (c.length === 0) fail(`${what} is an empty OBJECT IDENTIFIER`);
  if (c[c.length - 1]! & 0x80) fail(`${what} is a truncated OBJECT IDENTIFIER`);
  const arcs: number[] = [];
  let v = 0;
  let started = false;
  for (const b of c) {
    if (!started && b === 0x80) fail(`${what} has a padded subidentifier (non-DER)`);
    started = true;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER) fail(`${what} has an oversized arc`);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0;
      started = false;
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** Dotted form of the content octets of an OBJECT IDENTIFIER (strict, as `decodeOid`). @throws MALFORMED_INPUT */
export function oidToString(content: Uint8Array, what = 'an object identifier'): string {
  return decodeOid({ tag: TAG.OID, content, encoded: content }, what);
}

/** Encodings already made: a certificate names the same dozen OIDs every time. */
const encoded = new Map<string, Uint8Array<ArrayBuffer>>();

/** OBJECT IDENTIFIER from its dotted form (a fresh copy each call). */
export function encodeOid(dotted: string): Uint8Array<ArrayBuffer> {
  let der = encoded.get(dotted);
  if (!der) {
    der = encodeOidUncached(dotted);
    if (encoded.size < 1024) encoded.set(dotted, der);
  }
  return der.slice();
}

function encodeOidUncached(dotted: string): Uint8Array<ArrayBuffer> {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError('not a dotted OID');
    return Number(s);
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError('not a valid OID');
  const out: number[] = [];
  const sub = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  for (const a of sub) {
    if (!Number.isSafeInteger(a)) throw new RangeError('OID arc too large');
    const bytes = [a % 128];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift(0x80 | (v % 128));
    out.push(...bytes);
  }
  return encodeElement(TAG.OID, Uint8Array.from(out));
}

/** OBJECT IDENTIFIER (short name). */
export const oid = encodeOid;
