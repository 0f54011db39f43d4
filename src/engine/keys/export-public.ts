// Exporting a key's public half: SPKI PEM or DER, a public JWK, an OpenSSH line.
import { attempt } from '../internal/webcrypto';
import type { EngineContext } from './context';
import { publicJwkOf } from './jwk';
import { invalid, unsupported } from './key-shape';
import { opensshPublicKey } from './openssh';
import { encodePem } from './pem';
import { loadKey } from './vault';


/**
 * How a public key can leave: SPKI PEM, SPKI DER bytes, a public JWK (JSON text), or an
 * OpenSSH `authorized_keys` line (signature keys: Ed25519, ECDSA, RSA).
 */
export type PublicExportFormat = 'pem' | 'der' | 'jwk' | 'openssh';

const PUBLIC_FORMATS: readonly PublicExportFormat[] = ['pem', 'der', 'jwk', 'openssh'];

/**
 * Exports a key's public half: SPKI as PEM text ("PUBLIC KEY", 64-character lines) or
 * DER bytes, a JWK with only public members (JSON text), or an OpenSSH public key line
 * (`ssh-ed25519`, `ecdsa-sha2-nistp*`, `ssh-rsa`, commented with the key's name). Works for key pairs and
 * public-only keys whatever their extractability (public keys are always extractable).
 * @throws KEY_NOT_FOUND, INVALID_ARGUMENT (secret key, unknown format), UNSUPPORTED.
 */
export async function exportPublicKey(ctx: EngineContext, id: string, format: PublicExportFormat): Promise<string | Uint8Array> {
  if (!PUBLIC_FORMATS.includes(format)) invalid('keys: a public key exports as "pem", "der", "jwk" or "openssh"');
  const { info, material, template: t } = await loadKey(ctx, id);
  if (info.kind === 'secret' || !material.publicKey) invalid('keys: a symmetric key has no public half');
  const pk = material.publicKey;
  if (format === 'jwk' || format === 'openssh') {
    const jwk = await attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} public key as JWK`, () => ctx.subtle.exportKey('jwk', pk));
    if (format === 'openssh') {
      if (!t.operations.includes('sign')) unsupported(`keys: OpenSSH keys are signature keys; ${t.name} does not sign`);
      return opensshPublicKey(jwk, info.name);
    }
    return JSON.stringify(publicJwkOf(jwk));
  }
  const der = new Uint8Array(await attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} public key as SPKI`, () => ctx.subtle.exportKey('spki', pk)));
  return format === 'der' ? der : encodePem('PUBLIC KEY', der);
}
