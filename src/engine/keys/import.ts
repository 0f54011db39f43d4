// Importing keys into the vault from the formats other tools write (sniffed, mapped to a template).
import { MalformedInputError } from '../errors';
import { fromBase64Url, fromUtf8 } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo, TemplateName } from '../types';
import type { EngineContext } from './context';
import { openJwk } from './jwe-pbes2';
import { parseJwk, publicJwkOf } from './jwk';
import { importAlgorithm, invalid, malformed, parsePkcs8, parseSpki, rawFormat, requireSupport, templateForShape } from './key-shape';
import { assertImportPassphrase, decryptPrivateKeyInfo, parseEncryptedPrivateKeyInfo } from './pkcs8-encrypted';
import { sniff, type Sniffed } from './sniff';
import { isTemplateName, type KeyTemplate } from './templates';
import { cleanLabel, describeKey, fernetMaterial, newKeyId, storeNewKey, templateOf } from './vault';

/** What to import. */
export interface ImportKeyParams {
  /** File bytes or pasted text. */
  data: Uint8Array | string;
  name: string;
  owner?: string;
  /** Needed for encrypted PKCS#8. */
  passphrase?: string;
  /** Disambiguates raw bytes and keys whose encoding fits several templates. */
  template?: TemplateName;
  /** Keep the private/secret part exportable after import. */
  exportable?: boolean;
}


/** What an import produced, ready for describeKey. */
interface Imported {
  template: KeyTemplate;
  material: KeyMaterialRecord;
  publicOnly: boolean;
  exportable: boolean;
}

export async function importPublic(ctx: EngineContext, t: KeyTemplate, format: 'spki' | 'jwk', data: Uint8Array<ArrayBuffer> | JsonWebKey): Promise<CryptoKey> {
  await requireSupport(ctx, t);
  return attempt('MALFORMED_INPUT', `keys: the ${t.label} public key is invalid (WebCrypto rejected it)`, () =>
    format === 'spki'
      ? ctx.subtle.importKey('spki', data as Uint8Array<ArrayBuffer>, importAlgorithm(t), true, t.usages.public ?? [])
      : ctx.subtle.importKey('jwk', data as JsonWebKey, importAlgorithm(t), true, t.usages.public ?? []),
  );
}

/**
 * RSA pairwise-consistency check (FIPS 140 style): the private key must undo the
 * public one. Catches a private key stored with another key's modulus.
 */
async function checkRsaPair(ctx: EngineContext, t: KeyTemplate, privateKey: CryptoKey, publicKey: CryptoKey): Promise<void> {
  const probe = ctx.random(32);
  let ok: boolean;
  try {
    if (t.family === 'rsa-oaep') {
      const ct = await ctx.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, probe);
      const pt = new Uint8Array(await ctx.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, ct));
      ok = pt.length === probe.length && pt.every((b, i) => b === probe[i]);
    } else {
      const alg = t.family === 'rsa-pss' ? { name: 'RSA-PSS', saltLength: 32 } : { name: 'RSASSA-PKCS1-v1_5' };
      const sig = await ctx.subtle.sign(alg, privateKey, probe);
      ok = await ctx.subtle.verify(alg, publicKey, sig, probe);
    }
  } catch {
    ok = false;
  }
  if (!ok) malformed('keys: the RSA private key does not match its own public key (the key data is damaged)');
}

async function importPrivatePkcs8(ctx: EngineContext, t: KeyTemplate, pkcs8: Uint8Array<ArrayBuffer>, exportable: boolean, id: string): Promise<KeyMaterialRecord> {
  await requireSupport(ctx, t);
  const alg = importAlgorithm(t);
  const rejected = `keys: the ${t.label} private key is invalid (WebCrypto rejected it)`;
  // The public half comes from the JWK export of a temporarily extractable import; the
  // temporary handle is dropped, and the stored key is imported non-extractable.
  const temp = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('pkcs8', pkcs8, alg, true, t.usages.private ?? []));
  const jwk = await attempt('UNSUPPORTED', `keys: this browser cannot read the public half of a ${t.label} private key`, () => ctx.subtle.exportKey('jwk', temp));
  const publicKey = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('jwk', publicJwkOf(jwk), alg, true, t.usages.public ?? []));
  const privateKey = exportable ? temp : await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('pkcs8', pkcs8, alg, false, t.usages.private ?? []));
  if (t.family.startsWith('rsa-')) await checkRsaPair(ctx, t, privateKey, publicKey);
  return { id, privateKey, publicKey };
}

export async function importPrivateJwk(ctx: EngineContext, t: KeyTemplate, privateJwk: JsonWebKey, publicJwk: JsonWebKey, exportable: boolean, id: string): Promise<KeyMaterialRecord> {
  await requireSupport(ctx, t);
  const alg = importAlgorithm(t);
  const rejected = `keys: the ${t.label} private key is invalid (WebCrypto rejected it)`;
  const privateKey = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('jwk', privateJwk, alg, exportable, t.usages.private ?? []));
  const publicKey = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('jwk', publicJwk, alg, true, t.usages.public ?? []));
  if (t.family.startsWith('rsa-')) await checkRsaPair(ctx, t, privateKey, publicKey);
  return { id, privateKey, publicKey };
}

const SECRET_BYTES: Partial<Record<TemplateName, number>> = {
  'AES-GCM-128': 16,
  'AES-GCM-256': 32,
  'AES-KW-256': 32,
  'HMAC-SHA-256': 32,
  FERNET: 32,
  'ChaCha20-Poly1305': 32,
};

/** Imports symmetric key bytes under a template (explicit, else implied, else by length). */
export async function importSecret(ctx: EngineContext, raw: Uint8Array<ArrayBuffer>, requested: TemplateName | undefined, implied: TemplateName | undefined, exportable: boolean, id: string): Promise<Imported> {
  const name = requested ?? implied ?? (raw.length === 32 ? 'AES-GCM-256' : raw.length === 16 ? 'AES-GCM-128' : undefined);
  if (!name) malformed(`keys: a raw symmetric key is 16 or 32 bytes; this one is ${raw.length}`);
  const t = templateOf(name);
  if (t.kind !== 'secret') invalid(`keys: raw key bytes can only be a symmetric key; ${t.name} is a key pair`);
  const want = SECRET_BYTES[t.name]!;
  if (raw.length !== want) invalid(`keys: ${t.name} takes a ${want}-byte key; this one is ${raw.length} bytes`);
  await requireSupport(ctx, t);
  if (t.family === 'fernet') {
    return { template: t, material: await fernetMaterial(ctx.subtle, id, raw), publicOnly: false, exportable: true };
  }
  const secret = await attempt('UNSUPPORTED', `keys: this browser could not import a ${t.label} key`, () =>
    ctx.subtle.importKey(rawFormat(t), raw, importAlgorithm(t), exportable, t.usages.secret ?? []),
  );
  return { template: t, material: { id, secret }, publicOnly: false, exportable };
}

async function importSniffed(ctx: EngineContext, s: Sniffed, params: ImportKeyParams, id: string): Promise<Imported> {
  const exportable = params.exportable === true;
  const requested = params.template;
  switch (s.format) {
    case 'pem-spki':
    case 'der-spki': {
      const t = templateForShape(parseSpki(s.der!), requested, undefined);
      return { template: t, material: { id, publicKey: await importPublic(ctx, t, 'spki', s.der!) }, publicOnly: true, exportable: false };
    }
    case 'pem-pkcs8':
    case 'der-pkcs8': {
      try {
        const t = templateForShape(parsePkcs8(s.der!), requested, undefined);
        return { template: t, material: await importPrivatePkcs8(ctx, t, s.der!, exportable, id), publicOnly: false, exportable };
      } finally {
        s.der!.fill(0); // our own copy of the cleartext private key
      }
    }
    case 'pem-encrypted-pkcs8':
    case 'der-encrypted-pkcs8': {
      parseEncryptedPrivateKeyInfo(s.der!); // structure and scheme errors before asking for a passphrase
      assertImportPassphrase(params.passphrase);
      const pkcs8 = await decryptPrivateKeyInfo(ctx.subtle, s.der!, params.passphrase);
      try {
        const t = templateForShape(parsePkcs8(pkcs8), requested, undefined);
        return { template: t, material: await importPrivatePkcs8(ctx, t, pkcs8, exportable, id), publicOnly: false, exportable };
      } finally {
        pkcs8.fill(0);
      }
    }
    case 'jwk': {
      const j = parseJwk(s.jwk!);
      if (j.kind === 'oct') {
        try {
          return await importSecret(ctx, j.raw, requested, j.template, exportable, id);
        } finally {
          j.raw.fill(0);
        }
      }
      const t = templateForShape(j.shape, requested, j.hint);
      if (!j.isPrivate) {
        return { template: t, material: { id, publicKey: await importPublic(ctx, t, 'jwk', j.publicJwk) }, publicOnly: true, exportable: false };
      }
      return { template: t, material: await importPrivateJwk(ctx, t, j.privateJwk, j.publicJwk, exportable, id), publicOnly: false, exportable };
    }
    case 'jwe-pbes2': {
      assertImportPassphrase(params.passphrase);
      const payload = await openJwk(ctx.subtle, s.jwe!, params.passphrase);
      let jwk: unknown;
      try {
        jwk = JSON.parse(fromUtf8(payload));
      } catch (e) {
        throw new MalformedInputError('keys: the JWE opened, but what it holds is not a JWK', { cause: e });
      } finally {
        payload.fill(0);
      }
      if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) malformed('keys: the JWE opened, but what it holds is not a JWK');
      return importSniffed(ctx, { format: 'jwk', jwk: jwk as Record<string, unknown> }, params, id);
    }
    case 'fernet': {
      if (requested !== undefined && requested !== 'FERNET') invalid(`keys: this is a Fernet key; the template ${requested} does not fit it`);
      const raw = fromBase64Url(s.fernet!.slice(0, 43));
      try {
        return await importSecret(ctx, raw, 'FERNET', undefined, true, id);
      } finally {
        raw.fill(0);
      }
    }
    case 'raw': {
      try {
        return await importSecret(ctx, s.raw!, requested, undefined, exportable, id);
      } finally {
        s.raw!.fill(0);
      }
    }
  }
}

/**
 * Imports a key, sniffing its format (see `sniffKeyFormat`), and stores it in the vault
 * with origin `imported`. Private and secret keys are non-extractable unless
 * `params.exportable`; a public key alone becomes a `public` key.
 * @throws INVALID_ARGUMENT (bad name, template that does not fit, missing passphrase),
 *   MALFORMED_INPUT, UNSUPPORTED, WRONG_PASSPHRASE, STORAGE.
 */
export async function importKey(ctx: EngineContext, params: ImportKeyParams): Promise<KeyInfo> {
  if (!params || typeof params !== 'object') invalid('keys: import parameters are required');
  const name = cleanLabel(params.name, 'name', true);
  const owner = cleanLabel(params.owner, 'owner', false);
  if (params.template !== undefined && !isTemplateName(params.template)) invalid('keys: choose one of the named templates');
  const s = sniff(params.data);
  const id = newKeyId(ctx);
  const r = await importSniffed(ctx, s, params, id);
  // Crypto first (fingerprint), then one IndexedDB transaction (W3).
  const info = await describeKey(ctx, r.template, r.material, {
    name,
    owner,
    exportable: r.exportable,
    origin: 'imported',
    publicOnly: r.publicOnly,
  });
  // With its lifecycle record (describeKey) and its key.create audit entry, in one transaction.
  await storeNewKey(ctx, info, r.material);
  return info;
}
