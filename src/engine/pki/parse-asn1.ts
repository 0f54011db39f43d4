/**
 * The one door to asn1js (used where pkijs needs its object tree: CRL and CSR objects),
 * with limits sized for the input. Clavis's own reads go through the strict DER reader
 * in src/engine/internal/der.ts.
 */
import * as asn1js from 'asn1js';
import { MalformedInputError } from '../errors';

/**
 * Parses DER with asn1js, sizing `maxNodes`/`maxContentLength` for the input instead of
 * the 10,000-node default that makes pkijs fail above ~1,245 CRL entries (M1). A DER
 * node takes at least 2 bytes, so `length / 2 + 16` nodes is always enough.
 */
export function parseAsn1(der: Uint8Array, what: string): asn1js.AsnType {
  const buf = der.slice();
  const res = asn1js.fromBER(buf, { maxNodes: Math.ceil(der.length / 2) + 16, maxContentLength: der.length + 16 });
  if (res.offset === -1 || res.offset !== der.length) throw new MalformedInputError(`pki: ${what} is not valid DER`);
  return res.result;
}
