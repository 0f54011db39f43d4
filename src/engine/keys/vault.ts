/**
 * The key vault: generate, list, look up and delete keys. Every private or secret key
 * is generated non-extractable unless its template says why it must not be (A2).
 *
 * Common case: `const info = await engine.generateKey({ template: 'ECDSA-P-256', name: 'signer' })`.
 */
import { EngineError } from '../errors';
import { assertString } from '../internal/assert';
import { randomId } from '../internal/random';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyFilter, KeyId, KeyInfo, KeyOrigin } from '../types';
import type { EngineContext } from './context';
import { keyCheckValue, spkiFingerprint } from './fingerprint';
import { isTemplateName, TEMPLATES, type KeyTemplate, type TemplateName } from './templates';

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

/** Checks a display name or owner; both are plain text shown as text, never markup. */
export function cleanLabel(value: unknown, what: string, required: boolean): string {
  if (value === undefined && !required) return '';
  assertString(value, what, { max: MAX_NAME });
  const v = value.trim();
  if (required && v.length === 0) throw new EngineError('INVALID_ARGUMENT', `keys: ${what} must not be empty`);
  // Control characters and bidi overrides make names lie about themselves (SECURITY.md C8).
  // oxlint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(v)) {
    throw new EngineError('INVALID_ARGUMENT', `keys: ${what} contains control or bidirectional-override characters`);
  }
  return v;
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

/** Builds the KeyInfo for a new key. */
export async function describeKey(
  ctx: EngineContext,
  t: KeyTemplate,
  material: KeyMaterialRecord,
  opts: { name: string; owner: string; exportable: boolean; origin: KeyOrigin; publicOnly?: boolean },
): Promise<KeyInfo> {
  const extractable = t.extractableReason !== undefined || opts.exportable;
  const info: KeyInfo = {
    id: material.id as KeyId,
    name: opts.name,
    owner: opts.owner,
    template: t.name,
    kind: opts.publicOnly ? 'public' : t.kind,
    operations: opts.publicOnly ? publicOperations(t) : [...t.operations],
    extractable: opts.publicOnly ? false : extractable,
    origin: opts.origin,
    state: 'active',
    version: 1,
    createdAt: new Date(Math.floor(ctx.clock.now() / 1000) * 1000).toISOString(),
    fingerprint: await fingerprintOf(ctx, t, material),
  };
  if (info.extractable) info.extractableReason = t.extractableReason ?? EXPORTABLE_REASON;
  return info;
}

const PUBLIC_OPERATIONS = new Set<KeyInfo['operations'][number]>(['encrypt', 'verify', 'wrap', 'encapsulate']);

/** What a public key alone can do. */
export function publicOperations(t: KeyTemplate): KeyInfo['operations'] {
  return t.operations.filter((op) => PUBLIC_OPERATIONS.has(op));
}

export function newKeyId(ctx: EngineContext): KeyId {
  return randomId(ctx.random, 'key') as KeyId;
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
  const id = newKeyId(ctx);
  let material: KeyMaterialRecord;
  try {
    material = await generateMaterial(ctx, t, id, extractable);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', `keys: the browser could not generate a ${t.label} key`, { cause: e });
  }
  // Crypto first (fingerprint), then one transaction with only IndexedDB requests (W3).
  const info = await describeKey(ctx, t, material, { name, owner, exportable, origin: 'generated' });
  await ctx.storage.addKey(info, material);
  return info;
}

/** Loads a key with its material, or throws KEY_NOT_FOUND. */
export async function loadKey(ctx: EngineContext, id: string): Promise<LoadedKey> {
  if (typeof id !== 'string' || id.length === 0) throw new EngineError('INVALID_ARGUMENT', 'keys: a key id is required');
  const [info, material] = await Promise.all([ctx.storage.getKeyInfo(id), ctx.storage.getKeyMaterial(id)]);
  if (!info || !material) throw new EngineError('KEY_NOT_FOUND', 'keys: no key with that id is in the vault');
  return { info, material, template: templateOf(info.template) };
}

export function matchesFilter(k: KeyInfo, f: KeyFilter): boolean {
  if (f.text) {
    const q = f.text.trim().toLowerCase();
    if (q && !`${k.name}\u0000${k.owner}\u0000${k.template}\u0000${k.fingerprint.value}`.toLowerCase().includes(q)) return false;
  }
  if (f.owner !== undefined && f.owner !== '' && k.owner !== f.owner) return false;
  if (f.template && k.template !== f.template) return false;
  if (f.kind && k.kind !== f.kind) return false;
  if (f.extractable !== undefined && k.extractable !== f.extractable) return false;
  if (f.state && k.state !== f.state) return false;
  return true;
}

export async function listKeys(ctx: EngineContext, filter: KeyFilter = {}): Promise<KeyInfo[]> {
  const all = await ctx.storage.listKeyInfos();
  return all.filter((k) => matchesFilter(k, filter)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name.localeCompare(b.name)));
}

export async function deleteKey(ctx: EngineContext, id: string): Promise<void> {
  const removed = await ctx.storage.deleteKey(id);
  if (!removed) throw new EngineError('KEY_NOT_FOUND', 'keys: no key with that id is in the vault');
}

export async function renameKey(ctx: EngineContext, id: string, name: string): Promise<KeyInfo> {
  const { info } = await loadKey(ctx, id);
  const next = { ...info, name: cleanLabel(name, 'name', true) };
  await ctx.storage.putKeyInfo(next);
  return next;
}
