/** The checks on a subject key before anything is reserved: never a compromised key, never a CA's key as a leaf, only certifiable vault keys (C6). */
import { EngineError, KeyStateError } from '../errors';
import type { EngineContext } from '../keys/context';
import { loadKey } from '../keys/vault';
import { assertCertifiableKey, parseSpki, type SpkiInfo } from './algorithms';

/** What the subject key may do, which decides keyUsage (C5). */
export type KeyRole = 'sign' | 'encrypt' | 'agree' | 'any';

/**
 * The public key was revoked for key compromise, or its vault key is compromised: it can
 * never be certified again (C6, Boulder `goodkey`). Code KEY_STATE.
 */
export class CompromisedKeyError extends KeyStateError {
  constructor(message: string) {
    super(message);
    this.name = 'CompromisedKeyError';
  }
}

const COMPROMISED_STATES: readonly string[] = ['compromised', 'destroyed-compromised'];

/**
 * Refuses a public key (by SPKI SHA-256) that a certificate revocation for keyCompromise
 * named (the revocations' `bySpki` index), or whose vault key is compromised.
 * @throws CompromisedKeyError
 */
export async function assertKeyNotCompromised(ctx: EngineContext, spkiSha256: string): Promise<void> {
  const keysOfSpki = ctx.storage.listKeysByFingerprint(spkiSha256);
  keysOfSpki.catch(() => undefined);
  const revs = await ctx.storage.listRevocationsBySpki(spkiSha256);
  if (revs.some((r) => r.reason === 1)) {
    throw new CompromisedKeyError('pki: this public key was revoked for key compromise and can never be certified again; make a new key');
  }
  // The `byFingerprint` index: only the vault keys with this fingerprint, never the whole vault.
  const keys = await keysOfSpki;
  if (keys.some((k) => k.fingerprint.kind === 'spki-sha256' && k.fingerprint.value === spkiSha256 && COMPROMISED_STATES.includes(k.state))) {
    throw new CompromisedKeyError('pki: this public key belongs to a vault key marked compromised and can never be certified again; make a new key');
  }
}

/** Subject-key facts for a vault key. @throws KEY_NOT_FOUND, UNSUPPORTED, KEY_STATE */
export async function vaultSubjectKey(ctx: EngineContext, keyId: string): Promise<{ spki: SpkiInfo; role: KeyRole }> {
  const key = await loadKey(ctx, keyId);
  if (!key.material.publicKey) throw new EngineError('KEY_STATE', 'pki: only key pairs can be certified');
  if (COMPROMISED_STATES.includes(key.info.state)) throw new CompromisedKeyError('pki: the key is compromised and can never be certified again; make a new key');
  if (key.info.state !== 'active') throw new EngineError('KEY_STATE', `pki: the key is ${key.info.state}, not active`);
  const family = key.template.family;
  const role: KeyRole | undefined =
    family === 'ecdsa' || family === 'rsa-pss' || family === 'rsa-pkcs1' ? 'sign' : family === 'rsa-oaep' ? 'encrypt' : family === 'ecdh' ? 'agree' : undefined;
  // Ed25519, X25519 and the post-quantum keys cannot be certified with pkijs (M5, P11).
  if (!role) throw new EngineError('UNSUPPORTED', `pki: Clavis cannot issue certificates for ${key.template.label} keys`);
  const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', key.material.publicKey)));
  assertCertifiableKey(spki.type);
  return { spki, role };
}

/** C6: never certify a key reported compromised, or a CA's key as a leaf. */
export async function assertCertifiable(ctx: EngineContext, spkiSha256: string, isCa: boolean): Promise<void> {
  // The reads run together; a compromised key is still the refusal named first.
  const others = isCa ? Promise.resolve([]) : ctx.storage.listCertsBySpki(spkiSha256);
  others.catch(() => undefined);
  await assertKeyNotCompromised(ctx, spkiSha256);
  if ((await others).some((c) => c.caId !== undefined)) throw new EngineError('INVALID_ARGUMENT', 'pki: a CA key cannot also get a leaf certificate');
}
