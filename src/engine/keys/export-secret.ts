// Exporting an extractable key's secret or private part, protected by a passphrase or in the clear.
import { EngineError } from '../errors';
import { toBase64Url, utf8 } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { EngineContext } from './context';
import { sealJwk } from './jwe-pbes2';
import { invalid, rawFormat } from './key-shape';
import { encodePem } from './pem';
import { assertExportPassphrase, encryptPrivateKeyInfo } from './pkcs8-encrypted';
import { loadKey } from './vault';

/**
 * How an extractable key can leave: `jwk` (secret or private JWK, JSON text), `raw`
 * (symmetric key bytes), `fernet` (the Fernet key string), or `pkcs8-encrypted-pem`
 * (private keys, under a passphrase), or `jwe-pbes2` (the JWK as a compact JWE under a
 * passphrase, PBES2-HS512+A256KW with A256GCM: the passphrase-protected form of a
 * symmetric key; see jwe-pbes2.ts), or `pkcs8-pem` (a private key as unencrypted
 * "PRIVATE KEY" PEM, for tools that cannot take a passphrase; the UI warns first).
 * The audit log names the format of every export.
 */
export type SecretExportFormat = ProtectedExportFormat | UnprotectedExportFormat | 'raw';
/** The formats that keep the key under a passphrase (`exportKey`). */
export type ProtectedExportFormat = 'pkcs8-encrypted-pem' | 'jwe-pbes2';
/** The text formats that hold the key in the clear (`dangerouslyExportUnprotectedKey`). */
export type UnprotectedExportFormat = 'jwk' | 'pkcs8-pem' | 'fernet';

/** What `exportKey` takes: a protected format and the passphrase that protects it. */
export interface ProtectedExportOptions {
  format: ProtectedExportFormat;
  passphrase: string;
}

const PROTECTED: readonly string[] = ['pkcs8-encrypted-pem', 'jwe-pbes2'];
const UNPROTECTED: readonly string[] = ['jwk', 'pkcs8-pem', 'fernet'];

function notExtractable(): never {
  throw new EngineError(
    'NOT_EXTRACTABLE',
    'keys: this key is non-extractable: it was created or imported to stay in the vault, so its secret part cannot be exported (its public half, if any, can)',
  );
}

/** An extractable key loaded for export in `format`, with typed readers of its CryptoKeys. */
async function exportable(ctx: EngineContext, id: string, format: SecretExportFormat) {
  const { info, material, template: t } = await loadKey(ctx, id);
  if (info.kind === 'public') invalid('keys: this is a public key only; export it with exportPublicKey');
  if (!info.extractable) notExtractable();
  const usable = (key: CryptoKey | undefined): CryptoKey => {
    if (!key) invalid(`keys: the ${t.name} key has no material to export`);
    if (!key.extractable) notExtractable();
    return key;
  };
  const failed = `keys: this browser cannot export a ${t.label} key as ${format}`;
  return {
    info,
    material,
    t,
    bytes: async (key: CryptoKey | undefined, f: 'raw' | 'pkcs8'): Promise<Uint8Array<ArrayBuffer>> => {
      const k = usable(key);
      return new Uint8Array(await attempt('UNSUPPORTED', failed, () => ctx.subtle.exportKey(f, k)));
    },
    jwk: (key: CryptoKey | undefined): Promise<JsonWebKey> => {
      const k = usable(key);
      return attempt('UNSUPPORTED', failed, () => ctx.subtle.exportKey('jwk', k));
    },
  };
}
type Exportable = Awaited<ReturnType<typeof exportable>>;

const FERNET_FORMATS = 'keys: a Fernet key exports as its Fernet string ("fernet") or its 32 raw bytes ("raw")';

/** A Fernet key's 32 bytes, signing half first. */
async function fernetBytes(e: Exportable): Promise<Uint8Array<ArrayBuffer>> {
  const mac = await e.bytes(e.material.macSecret, 'raw');
  const enc = await e.bytes(e.material.secret, 'raw');
  const raw = new Uint8Array(32);
  raw.set(mac, 0);
  raw.set(enc, 16);
  mac.fill(0);
  enc.fill(0);
  return raw;
}

/**
 * Exports an extractable key under a passphrase (at least 8 characters):
 * - `pkcs8-encrypted-pem`: a private key as "ENCRYPTED PRIVATE KEY" PEM (PBES2,
 *   PBKDF2-HMAC-SHA-256 600,000 iterations, AES-256-CBC), which `openssl pkey -passin` opens;
 * - `jwe-pbes2`: the secret or private JWK as a compact JWE, PBES2-HS512+A256KW with
 *   600,000 iterations and A256GCM, which RFC 7518 JOSE libraries open and Clavis imports back.
 * @throws KEY_NOT_FOUND, NOT_EXTRACTABLE (the key must stay in the vault),
 *   INVALID_ARGUMENT (format does not fit the key, bad passphrase).
 */
export async function exportKey(ctx: EngineContext, id: string, opts: ProtectedExportOptions): Promise<string> {
  if (!opts || !PROTECTED.includes(opts.format)) invalid('keys: a key exports under a passphrase as "jwe-pbes2" or "pkcs8-encrypted-pem"');
  const e = await exportable(ctx, id, opts.format);
  if (e.t.family === 'fernet') invalid(FERNET_FORMATS);
  if (opts.format === 'jwe-pbes2') {
    assertExportPassphrase(opts.passphrase);
    const json = utf8(JSON.stringify(await e.jwk(e.info.kind === 'secret' ? e.material.secret : e.material.privateKey)));
    try {
      return await sealJwk(ctx.subtle, ctx.random, json, opts.passphrase);
    } finally {
      json.fill(0);
    }
  }
  if (e.info.kind === 'secret') invalid('keys: a symmetric key has no PKCS#8 form; export it as "jwe-pbes2", "jwk" or "raw"');
  assertExportPassphrase(opts.passphrase);
  const pkcs8 = await e.bytes(e.material.privateKey, 'pkcs8');
  try {
    return encodePem('ENCRYPTED PRIVATE KEY', await encryptPrivateKeyInfo(ctx.subtle, ctx.random, pkcs8, opts.passphrase));
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * Exports an extractable key IN THE CLEAR, as text: anyone who gets the result can use
 * the key. Prefer `exportKey` (under a passphrase).
 * - `jwk`: the secret or private JWK (JSON text);
 * - `fernet`: a Fernet key as Python's `Fernet.generate_key()` prints it;
 * - `pkcs8-pem`: a private key as unencrypted "PRIVATE KEY" PEM.
 * @throws KEY_NOT_FOUND, NOT_EXTRACTABLE, INVALID_ARGUMENT (format does not fit the key).
 */
export async function dangerouslyExportUnprotectedKey(ctx: EngineContext, id: string, format: UnprotectedExportFormat): Promise<string> {
  if (!UNPROTECTED.includes(format)) invalid('keys: a key exports in the clear as "jwk", "fernet" or "pkcs8-pem"');
  const e = await exportable(ctx, id, format);
  if (e.t.family === 'fernet') {
    if (format !== 'fernet') invalid(FERNET_FORMATS);
    const raw = await fernetBytes(e);
    // Fernet keys are urlsafe base64 WITH padding (Python's base64.urlsafe_b64encode).
    const s = `${toBase64Url(raw)}=`;
    raw.fill(0);
    return s;
  }
  if (format === 'fernet') invalid(`keys: only Fernet keys export in the Fernet format; this is ${e.t.name}`);
  if (e.info.kind === 'secret') {
    if (format === 'pkcs8-pem') invalid('keys: a symmetric key has no PKCS#8 form; export it as "jwe-pbes2", "jwk" or "raw"');
    return JSON.stringify(await e.jwk(e.material.secret));
  }
  if (format === 'jwk') return JSON.stringify(await e.jwk(e.material.privateKey));
  const der = await e.bytes(e.material.privateKey, 'pkcs8');
  try {
    return encodePem('PRIVATE KEY', der);
  } finally {
    der.fill(0);
  }
}

/**
 * Exports a symmetric key's raw bytes IN THE CLEAR (a Fernet key gives its 32 bytes,
 * signing half first): anyone who gets them can use the key. Prefer `exportKey`.
 * @throws KEY_NOT_FOUND, NOT_EXTRACTABLE, INVALID_ARGUMENT (a key pair has no raw form).
 */
export async function dangerouslyExportRawSecret(ctx: EngineContext, id: string): Promise<Uint8Array<ArrayBuffer>> {
  const e = await exportable(ctx, id, 'raw');
  if (e.t.family === 'fernet') return fernetBytes(e);
  if (e.info.kind !== 'secret') invalid('keys: raw export is for symmetric keys; export a private key as "jwk" or "pkcs8-encrypted-pem"');
  return e.bytes(e.material.secret, rawFormat(e.t));
}
