/**
 * OpenSSH public keys (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4): the one-line
 * `authorized_keys` form, "<type> <base64 blob> <comment>", built from a public JWK.
 * Only signature keys have an SSH form: Ed25519, ECDSA on P-256/384/521, and RSA.
 */
import { EngineError } from '../errors';
import { concat, fromBase64Url, toBase64, uintBE, utf8 } from '../internal/bytes';

/** SSH `string`: a uint32 length, then the bytes. */
function sshString(b: Uint8Array): Uint8Array {
  return concat(uintBE(b.length, 4), b);
}

/** SSH `mpint` of a non-negative big-endian integer: no leading zeros, a 0x00 when the top bit is set. */
function mpint(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return sshString(v[0]! & 0x80 ? concat(Uint8Array.of(0), v) : v);
}

const EC_NAMES: Record<string, string> = { 'P-256': 'nistp256', 'P-384': 'nistp384', 'P-521': 'nistp521' };

/**
 * The OpenSSH public key line of a public JWK; `comment` (the key's name) ends the line
 * with line breaks flattened to spaces.
 * @throws UNSUPPORTED for keys SSH has no type for (X25519, ECDH, ML-KEM…).
 */
export function opensshPublicKey(jwk: JsonWebKey, comment: string): string {
  let type: string;
  let blob: Uint8Array;
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.x) {
    type = 'ssh-ed25519';
    blob = concat(sshString(utf8(type)), sshString(fromBase64Url(jwk.x)));
  } else if (jwk.kty === 'EC' && jwk.crv && EC_NAMES[jwk.crv] && jwk.x && jwk.y) {
    const curve = EC_NAMES[jwk.crv]!;
    type = `ecdsa-sha2-${curve}`;
    const point = concat(Uint8Array.of(4), fromBase64Url(jwk.x), fromBase64Url(jwk.y));
    blob = concat(sshString(utf8(type)), sshString(utf8(curve)), sshString(point));
  } else if (jwk.kty === 'RSA' && jwk.n && jwk.e) {
    type = 'ssh-rsa';
    blob = concat(sshString(utf8(type)), mpint(fromBase64Url(jwk.e)), mpint(fromBase64Url(jwk.n)));
  } else {
    throw new EngineError('UNSUPPORTED', 'keys: OpenSSH has a public key format for Ed25519, ECDSA and RSA keys only');
  }
  const note = comment.replace(/[\r\n\t]+/g, ' ').trim();
  return `${type} ${toBase64(blob)}${note ? ` ${note}` : ''}\n`;
}
