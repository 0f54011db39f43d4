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
export type PublicExportFormat = PublicTextFormat | 'der';
/** The public-key formats that are text (`exportPublicKey`); DER bytes have their own verb. */
export type PublicTextFormat = 'pem' | 'jwk' | 'openssh';

const TEXT_FORMATS: readonly PublicTextFormat[] = ['pem', 'jwk', 'openssh'];

/** The key's public half as WebCrypto holds it; public keys are always extractable. */
async function publicHalf(ctx: EngineContext, id: string) {
  const { info, material, template } = await loadKey(ctx, id);
  if (info.kind === 'secret' || !material.publicKey) invalid('keys: a symmetric key has no public half');
  return { info, template, publicKey: material.publicKey };
}

async function spkiOf(ctx: EngineContext, id: string): Promise<Uint8Array<ArrayBuffer>> {
  const { template: t, publicKey } = await publicHalf(ctx, id);
  return new Uint8Array(await attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} public key as SPKI`, () => ctx.subtle.exportKey('spki', publicKey)));
}

/**
 * Exports a key's public half as text: SPKI PEM ("PUBLIC KEY", 64-character lines), a
 * JWK with only public members (JSON text), or an OpenSSH public key line
 * (`ssh-ed25519`, `ecdsa-sha2-nistp*`, `ssh-rsa`, commented with the key's name). Works for key pairs and
 * public-only keys whatever their extractability (public keys are always extractable).
 * @throws KEY_NOT_FOUND, INVALID_ARGUMENT (secret key, unknown format), UNSUPPORTED.
 */
export async function exportPublicKey(ctx: EngineContext, id: string, format: PublicTextFormat): Promise<string> {
  if (!TEXT_FORMATS.includes(format)) invalid('keys: a public key exports as "pem", "jwk" or "openssh" text, or as DER bytes (exportPublicKeyDer)');
  if (format === 'pem') return encodePem('PUBLIC KEY', await spkiOf(ctx, id));
  const { info, template: t, publicKey } = await publicHalf(ctx, id);
  const jwk = await attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} public key as JWK`, () => ctx.subtle.exportKey('jwk', publicKey));
  if (format === 'openssh') {
    if (!t.operations.includes('sign')) unsupported(`keys: OpenSSH keys are signature keys; ${t.name} does not sign`);
    return opensshPublicKey(jwk, info.name);
  }
  return JSON.stringify(publicJwkOf(jwk));
}

/**
 * Exports a key's public half as SPKI DER bytes (the SubjectPublicKeyInfo of X.509).
 * @throws KEY_NOT_FOUND, INVALID_ARGUMENT (secret key), UNSUPPORTED.
 */
export async function exportPublicKeyDer(ctx: EngineContext, id: string): Promise<Uint8Array> {
  return spkiOf(ctx, id);
}
