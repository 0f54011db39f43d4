/**
 * The key vault: generate, list, look up and delete keys. Every private or secret key
 * is generated non-extractable unless its template says why it must not be (A2).
 *
 * Common case: `const info = await engine.generateKey({ template: 'ECDSA-P-256', name: 'signer' })`.
 */
import { auditDraft, withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, KeyStateError } from '../errors';
import { assertString } from '../internal/assert';
import { normalizeLabel, ownerKey } from '../internal/labels';
import { keyringOf, mintKeyId, type KeyringId } from '../ids';
import { advance, defaultDates } from '../lifecycle/dates';
import { isDestroyedState } from '../lifecycle/states';
import { newLifecycle } from '../lifecycle/transition';
import type { DeleteDependents } from '../storage/commits';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyFilter, KeyId, KeyInfo, KeyOrigin } from '../types';
import type { EngineContext } from './context';
import { keyCheckValue, spkiFingerprint } from './fingerprint';
import { isTemplateName, TEMPLATES, type KeyTemplate, type TemplateName } from './templates';
import { compareKeys } from './key-list';

/** What to generate. */
export interface GenerateKeyParams {
  template: TemplateName;
  name: string;
  owner?: string;
  /**
   * Make the private/secret part exportable (encrypted PKCS#8 or JWK export). Off by
   * default; the reason is recorded and shown.
   */
  exportable?: boolean;
  /**
   * Epoch ms of the activation date. Default: now (the key is active at once). A future
   * date creates the key pre-activation; the clock (or `activate`) activates it.
   */
  activateAt?: number;
}

export const EXPORTABLE_REASON = 'Created as exportable at the owner’s request, so it can be backed up or moved to another system.';
export const MAX_NAME = 200;

/** A key as the engine uses it internally: metadata plus its CryptoKeys. */
export interface LoadedKey {
  info: KeyInfo;
  material: KeyMaterialRecord;
  template: KeyTemplate;
}

export function templateOf(name: TemplateName): KeyTemplate {
  const t = TEMPLATES.get(name);
  if (!t) throw new EngineError('INVALID_ARGUMENT', `keys: unknown template "${String(name).slice(0, 40)}"`);
  return t;
}

/**
 * Checks a display name or owner; both are plain text shown as text, never markup. An
 * owner comes back as its owner identity (lower-cased), the one rule the lifecycle and
 * the KDC use too.
 */
export function cleanLabel(value: unknown, what: string, required: boolean): string {
  if (value === undefined && !required) return '';
  assertString(value, what, { max: MAX_NAME });
  // One rule for every name people read (issue 14 #12): NFC, no invisible characters, no
  // stray combining marks, so two keys can never display as the same "payments".
  const { value: v, problem } = normalizeLabel(value);
  if (required && v.length === 0) throw new EngineError('INVALID_ARGUMENT', `keys: ${what} must not be empty`);
  if (problem) throw new EngineError('INVALID_ARGUMENT', `keys: ${what} contains ${problem}; names may not hide characters (SECURITY.md C8)`);
  return what === 'owner' ? ownerKey(v) : v;
}

/** Fingerprint or KCV for a material record. */
export async function fingerprintOf(ctx: EngineContext, t: KeyTemplate, m: KeyMaterialRecord) {
  if (m.publicKey) return spkiFingerprint(ctx.subtle, m.publicKey);
  if (m.secret) return keyCheckValue(ctx.subtle, m.secret, m.macSecret);
  throw new EngineError('INVALID_ARGUMENT', `keys: ${t.name} key has no material`);
}

/** Generates the CryptoKeys for a template. Exported for unwrap/derive flows. */
export async function generateMaterial(ctx: EngineContext, t: KeyTemplate, id: string, extractable: boolean): Promise<KeyMaterialRecord> {
  if (t.family === 'fernet') {
    // A Fernet key is 32 random bytes: first half signs (HMAC-SHA-256), second half encrypts (AES-128-CBC).
    const raw = ctx.random(32);
    try {
      return await fernetMaterial(ctx.subtle, id, raw);
    } finally {
      raw.fill(0);
    }
  }
  if (t.kind === 'secret') {
    const secret = (await ctx.subtle.generateKey(t.algorithm, extractable, t.usages.secret ?? [])) as CryptoKey;
    return { id, secret };
  }
  const pair = (await ctx.subtle.generateKey(t.algorithm, extractable, [
    ...(t.usages.private ?? []),
    ...(t.usages.public ?? []),
  ])) as CryptoKeyPair;
  return { id, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/** Imports the two halves of a Fernet key (32 bytes). Fernet keys are extractable by definition. */
export async function fernetMaterial(subtle: SubtleCrypto, id: string, raw: Uint8Array<ArrayBuffer>): Promise<KeyMaterialRecord> {
  if (raw.length !== 32) throw new EngineError('INVALID_ARGUMENT', 'fernet: a key is 32 bytes');
  const macSecret = await subtle.importKey('raw', raw.slice(0, 16), { name: 'HMAC', hash: 'SHA-256' }, true, ['sign', 'verify']);
  const secret = await subtle.importKey('raw', raw.slice(16), { name: 'AES-CBC' }, true, ['encrypt', 'decrypt']);
  return { id, secret, macSecret };
}

/** Options of `describeKey`. */
export interface DescribeKeyOptions {
  name: string;
  owner: string;
  exportable: boolean;
  origin: KeyOrigin;
  publicOnly?: boolean;
  /** Activation date, epoch ms (default now). */
  activateAt?: number;
  /** For a rotated version: its keyring and version number (default: a keyring of its own, version 1). */
  keyring?: { id: KeyringId; version: number };
}

/**
 * Builds the KeyInfo for a new key, with its lifecycle: created now, the template's
 * default dates from the activation date (`defaultDates`), pre-activation, then advanced
 * to now (so a key whose activation date is now is active, KMIP #1).
 * @throws INVALID_ARGUMENT when `activateAt` is before the creation time or not a time.
 */
export async function describeKey(ctx: EngineContext, t: KeyTemplate, material: KeyMaterialRecord, opts: DescribeKeyOptions): Promise<KeyInfo> {
  const extractable = t.extractableReason !== undefined || opts.exportable;
  const now = ctx.clock.now();
  const created = Math.floor(now / 1000) * 1000;
  const activation = opts.activateAt ?? now;
  if (typeof activation !== 'number' || !Number.isFinite(activation)) throw new EngineError('INVALID_ARGUMENT', 'keys: activateAt must be a time in milliseconds');
  const lifecycle = advance(newLifecycle({ createdAt: created, dates: defaultDates(t.name, activation) }), now).record;
  const info: KeyInfo = {
    id: material.id as KeyId,
    name: opts.name,
    owner: opts.owner,
    template: t.name,
    kind: opts.publicOnly ? 'public' : t.kind,
    operations: opts.publicOnly ? publicOperations(t) : [...t.operations],
    extractable: opts.publicOnly ? false : extractable,
    origin: opts.origin,
    state: lifecycle.state,
    version: opts.keyring?.version ?? 1,
    createdAt: lifecycle.dates.createdAt,
    fingerprint: await fingerprintOf(ctx, t, material),
    dates: lifecycle.dates,
    history: lifecycle.history,
    keyringId: opts.keyring?.id ?? keyringOf(material.id as KeyId),
    primary: true,
  };
  if (info.extractable) info.extractableReason = t.extractableReason ?? EXPORTABLE_REASON;
  return info;
}

const PUBLIC_OPERATIONS = new Set<KeyInfo['operations'][number]>(['encrypt', 'verify', 'wrap', 'encapsulate']);

/** What a public key alone can do. */
export function publicOperations(t: KeyTemplate): KeyInfo['operations'] {
  return t.operations.filter((op) => PUBLIC_OPERATIONS.has(op));
}

/** Plain, secret-free facts about a key for its audit entries. */
export function keyAuditDetails(info: KeyInfo): AuditDraft['details'] {
  return {
    keyId: info.id,
    name: info.name,
    owner: { name: info.owner },
    template: info.template,
    kind: info.kind,
    origin: info.origin,
    state: info.state,
    keyringId: info.keyringId,
    version: info.version,
    fingerprint: info.fingerprint.value,
    extractable: info.extractable,
  };
}

/** The audit draft of a key's creation (generate, import, unwrap, derive, rotate). */
export function keyCreatedDraft(ctx: EngineContext, info: KeyInfo): AuditDraft {
  return auditDraft(ctx, 'key.create', [info.id], keyAuditDetails(info));
}

/**
 * Stores a new key with its material and its `key.create` audit entry in one
 * transaction. Refuses (KEY_STATE) when its owner is a revoked principal (B5).
 * @throws KEY_STATE, STORAGE
 */
export async function storeNewKey(ctx: EngineContext, info: KeyInfo, material: KeyMaterialRecord): Promise<void> {
  await assertOwnerNotRevoked(ctx, info.owner);
  await withAudit(ctx, async () => ({
    drafts: [keyCreatedDraft(ctx, info)],
    commit: (audit) => ctx.storage.commitAudited({ ...audit, addKeys: [{ info, material }], ownersNotRevoked: [info.owner] }),
  }));
}

/** KEY_STATE when `owner` is a revoked principal (checked again inside the write). */
export async function assertOwnerNotRevoked(ctx: EngineContext, owner: string): Promise<void> {
  if (owner === '') return;
  const p = await ctx.storage.getPrincipal(owner);
  if (p?.revoked) {
    throw new KeyStateError(`keys: the owner was revoked on ${p.revokedAt ?? 'an earlier date'} (${p.reason ?? 'unspecified'}); no new keys can be created for it until it is reinstated`);
  }
}

export function newKeyId(ctx: EngineContext): KeyId {
  return mintKeyId(ctx.random);
}

export async function generateKey(ctx: EngineContext, params: GenerateKeyParams): Promise<KeyInfo> {
  if (!params || !isTemplateName(params.template)) {
    throw new EngineError('INVALID_ARGUMENT', 'keys: choose one of the named templates');
  }
  const t = templateOf(params.template);
  const name = cleanLabel(params.name, 'name', true);
  const owner = cleanLabel(params.owner, 'owner', false);
  if (!(await ctx.supports(t.name))) {
    throw new EngineError('UNSUPPORTED', `keys: this browser does not offer ${t.label}`);
  }
  const exportable = params.exportable === true;
  const extractable = t.extractableReason !== undefined || exportable;
  if (params.activateAt !== undefined && (typeof params.activateAt !== 'number' || !Number.isFinite(params.activateAt))) {
    throw new EngineError('INVALID_ARGUMENT', 'keys: activateAt must be a time in milliseconds');
  }
  await assertOwnerNotRevoked(ctx, owner);
  const id = newKeyId(ctx);
  let material: KeyMaterialRecord;
  try {
    material = await generateMaterial(ctx, t, id, extractable);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', `keys: the browser could not generate a ${t.label} key`, { cause: e });
  }
  // Crypto first (fingerprint), then one transaction with only IndexedDB requests (W3).
  const info = await describeKey(ctx, t, material, {
    name,
    owner,
    exportable,
    origin: 'generated',
    ...(params.activateAt !== undefined ? { activateAt: params.activateAt } : {}),
  });
  await storeNewKey(ctx, info, material);
  return info;
}

/** A key's metadata (tombstones of destroyed keys included), or throws KEY_NOT_FOUND. */
export async function getKeyInfo(ctx: EngineContext, id: string): Promise<KeyInfo> {
  if (typeof id !== 'string' || id.length === 0) throw new EngineError('INVALID_ARGUMENT', 'keys: a key id is required');
  const info = await ctx.storage.getKeyInfo(id);
  if (!info) throw new EngineError('KEY_NOT_FOUND', 'keys: no key with that id is in the vault');
  return info;
}

/** The KEY_STATE error for using a destroyed key (its tombstone says when). */
export function destroyedKeyError(info: KeyInfo): KeyStateError {
  const compromised = info.state === 'destroyed-compromised' ? ', after it was compromised' : '';
  return new KeyStateError(
    `keys: the key was destroyed on ${info.dates.destroyed ?? 'an earlier date'}${compromised}; its material was deleted, so nothing can be decrypted, verified or signed with it any more`,
  );
}

/**
 * Loads a key with its material.
 * @throws KEY_NOT_FOUND; KEY_STATE for a destroyed key (its material is gone); VAULT_LOCKED
 *   for an exportable key while the vault lock is on and locked.
 */
export async function loadKey(ctx: EngineContext, id: string): Promise<LoadedKey> {
  if (typeof id !== 'string' || id.length === 0) throw new EngineError('INVALID_ARGUMENT', 'keys: a key id is required');
  const [info, material] = await Promise.all([ctx.storage.getKeyInfo(id), ctx.storage.getKeyMaterial(id)]);
  if (info && isDestroyedState(info.state)) throw destroyedKeyError(info);
  if (!info || !material) throw new EngineError('KEY_NOT_FOUND', 'keys: no key with that id is in the vault');
  // Exportable material sealed by the vault lock opens here, for this one use (VAULT_LOCKED while locked).
  if (material.sealed) {
    if (!ctx.lock) throw new EngineError('VAULT_LOCKED', 'keys: the vault is locked; unlock it to use this exportable key');
    return { info, material: await ctx.lock.open(material), template: templateOf(info.template) };
  }
  return { info, material, template: templateOf(info.template) };
}

export function matchesFilter(k: KeyInfo, f: KeyFilter): boolean {
  if (f.text) {
    const q = f.text.trim().toLowerCase();
    if (q && !`${k.name}\u0000${k.owner}\u0000${k.template}\u0000${k.fingerprint.value}`.toLowerCase().includes(q)) return false;
  }
  if (f.owner !== undefined && f.owner !== '' && k.owner !== ownerKey(f.owner.normalize('NFC').trim())) return false;
  if (f.template && k.template !== f.template) return false;
  if (f.kind && k.kind !== f.kind) return false;
  if (f.extractable !== undefined && k.extractable !== f.extractable) return false;
  if (f.state && k.state !== f.state) return false;
  return true;
}

export async function listKeys(ctx: EngineContext, filter: KeyFilter = {}): Promise<KeyInfo[]> {
  const all = await ctx.storage.listKeyInfos();
  return all.filter((k) => matchesFilter(k, filter)).sort(compareKeys);
}

/**
 * Why a key may not be deleted outright, or undefined when nothing depends on it: a CA
 * that signs with it (the CA could never publish a CRL again), a keyring it is a version
 * of (ciphertexts and rotation name the keyring's versions), or a certificate for it that
 * is neither revoked nor expired (issue 14 #7). Such a key leaves through the lifecycle
 * instead: revoke or deactivate, then Destroy, which keeps a tombstone. A pure rule over
 * the dependents storage reads inside the delete's own transaction (`deleteGuard`), so
 * nothing created just before the delete slips past it.
 */
export function deleteBlocker(info: KeyInfo, deps: DeleteDependents, now: number): string | undefined {
  const ca = deps.cas.find((c) => c.keyId === info.id);
  if (ca) {
    return `keys: "${info.name}" is the signing key of the CA "${ca.name}"; a CA's key cannot be deleted while the CA exists (the CA could never publish a CRL again)`;
  }
  const others = deps.keyring.filter((k) => k.id !== info.id && !isDestroyedState(k.state));
  if (others.length > 0) {
    return `keys: "${info.name}" is version ${info.version} of a keyring with ${others.length + 1} versions; retire it through the lifecycle (deactivate, then Destroy), which keeps the record the keyring needs`;
  }
  for (const { cert, revoked } of deps.certs) {
    if (Date.parse(cert.notAfter) <= now || revoked) continue;
    return `keys: "${info.name}" is certified by the live certificate ${cert.subject} (serial ${cert.serialHex}); revoke the certificate first, or revoke the key through the lifecycle (which revokes its certificates) and then Destroy it`;
  }
  return undefined;
}

/**
 * Deletes a key's metadata and material outright (the vault screens' delete; the
 * lifecycle's crypto-shredding is `destroyKey`, which keeps a tombstone). Audited
 * (`key.delete`) in the same transaction. Refused while a CA, a keyring or a live
 * certificate depends on the key (`deleteBlocker`, checked inside that transaction).
 * @throws KEY_NOT_FOUND, KEY_STATE (something depends on the key), STORAGE
 */
export async function deleteKey(ctx: EngineContext, id: string): Promise<void> {
  await withAudit(ctx, async () => {
    const info = await getKeyInfo(ctx, id);
    const now = ctx.clock.now();
    return {
      drafts: [auditDraft(ctx, 'key.delete', [info.id], keyAuditDetails(info))],
      // `putKeys` with the record unchanged makes the delete fail (and retry) if the key changed meanwhile.
      commit: (audit) =>
        ctx.storage.commitAudited({
          ...audit,
          putKeys: [{ info, before: info }],
          deleteKeys: [info.id],
          deleteGuard: {
            keyId: info.id,
            keyringId: info.keyringId,
            ...(info.fingerprint.kind === 'spki-sha256' ? { spkiSha256: info.fingerprint.value } : {}),
            check: (deps) => deleteBlocker(info, deps, now),
          },
        }),
    };
  });
}

/** Renames a key (audited as `key.rename`). @throws KEY_NOT_FOUND, INVALID_ARGUMENT */
export async function renameKey(ctx: EngineContext, id: string, name: string): Promise<KeyInfo> {
  const clean = cleanLabel(name, 'name', true);
  return withAudit(ctx, async () => {
    const info = await getKeyInfo(ctx, id);
    const next = { ...info, name: clean };
    return {
      drafts: [auditDraft(ctx, 'key.rename', [info.id], { keyId: info.id, name: clean })],
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, putKeys: [{ info: next, before: info }] });
        return next;
      },
    };
  });
}
