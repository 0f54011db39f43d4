// Well-formed branded ids for tests and fixtures, made from a short readable tag ('v1', 'a', '1').
import { asCaId, asCertId, asKdcKeyId, asKeyId, type CaId, type CertId, type KdcKeyId, type KeyId } from '../engine';

/**
 * The tag's UTF-8 bytes as the 32 hex digits of an engine id: zero-padded when short, and
 * folded (XOR, then the length) when longer than 16 bytes, so every tag gives a well-formed id.
 */
function hexOf(tag: string): string {
  const bytes = new TextEncoder().encode(tag);
  const out = new Uint8Array(16);
  if (bytes.length <= 16) out.set(bytes);
  else {
    bytes.forEach((b, i) => (out[i % 15] = out[i % 15]! ^ b));
    out[15] = bytes.length & 0xff;
  }
  return [...out].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A key id for a fixture: the same tag always gives the same id. */
export const testKeyId = (tag: string): KeyId => asKeyId(`key_${hexOf(tag)}`);
/** A CA id for a fixture. */
export const testCaId = (tag: string): CaId => asCaId(`ca_${hexOf(tag)}`);
/** A certificate id for a fixture. */
export const testCertId = (tag: string): CertId => asCertId(`cert_${hexOf(tag)}`);
/** A KDC key id for a fixture (a principal's id is its readable name: use `asPrincipalId('alice')`). */
export const testKdcKeyId = (tag: string): KdcKeyId => asKdcKeyId(`kdk_${hexOf(tag)}`);
