// A key's material as a vault backup holds it, read through the export path and restored through the import path.
import { copy } from '../internal/bytes';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import type { EngineContext } from './context';
import { exportPublicKey } from './export-public';
import { dangerouslyExportRawSecret, dangerouslyExportUnprotectedKey } from './export-secret';
import { importPrivateJwk, importPublic, importSecret } from './import';
import { parseJwk } from './jwk';
import { malformed } from './key-shape';
import { templateOf } from './vault';

/** A key's material as a vault backup holds it: what the clear export gave (secret bytes or private JWK), or the public JWK. */
export type BackupMaterial = { kind: 'raw'; raw: Uint8Array<ArrayBuffer> } | { kind: 'jwk'; jwk: JsonWebKey } | { kind: 'public-jwk'; jwk: JsonWebKey };

/**
 * Reads a key's material for a vault backup through the export path (the clear export verbs, so
 * every rule that guards an export guards a backup too): symmetric keys as raw bytes
 * (a Fernet key as its 32 bytes), key pairs as the private JWK, public-only keys as the
 * public JWK. @throws NOT_EXTRACTABLE for a key that must stay in the vault; whatever
 * the export throws otherwise.
 */
export async function backupMaterial(ctx: EngineContext, info: KeyInfo): Promise<BackupMaterial> {
  if (info.kind === 'public') {
    return { kind: 'public-jwk', jwk: JSON.parse(await exportPublicKey(ctx, info.id, 'jwk')) as JsonWebKey };
  }
  if (info.kind === 'secret') return { kind: 'raw', raw: await dangerouslyExportRawSecret(ctx, info.id) };
  return { kind: 'jwk', jwk: JSON.parse(await dangerouslyExportUnprotectedKey(ctx, info.id, 'jwk')) as JsonWebKey };
}

/**
 * The CryptoKeys of a restored key from its backup material, under the key's own
 * template; secret and private parts stay extractable (they were, or they would not be
 * in the backup). @throws MALFORMED_INPUT (material that does not fit the template), UNSUPPORTED
 */
export async function restoreMaterial(ctx: EngineContext, info: KeyInfo, m: BackupMaterial): Promise<KeyMaterialRecord> {
  const t = templateOf(info.template);
  const id = info.id;
  if (m.kind === 'public-jwk') return { id, publicKey: await importPublic(ctx, t, 'jwk', m.jwk) };
  if (m.kind === 'raw') {
    if (t.kind !== 'secret') malformed(`keys: the backup holds secret bytes for the ${t.name} key pair "${info.name}"`);
    return (await importSecret(ctx, copy(m.raw), t.name, undefined, true, id)).material;
  }
  const j = parseJwk(m.jwk as Record<string, unknown>);
  if (j.kind !== 'asymmetric' || !j.isPrivate) malformed(`keys: the backup's material for "${info.name}" is not a private key`);
  return importPrivateJwk(ctx, t, j.privateJwk, j.publicJwk, true, id);
}
