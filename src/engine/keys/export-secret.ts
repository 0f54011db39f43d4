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
 */
export type SecretExportFormat = 'jwk' | 'raw' | 'pkcs8-encrypted-pem' | 'pkcs8-pem' | 'fernet' | 'jwe-pbes2';

const SECRET_FORMATS: readonly SecretExportFormat[] = ['jwk', 'raw', 'pkcs8-encrypted-pem', 'pkcs8-pem', 'fernet', 'jwe-pbes2'];

function notExtractable(): never {
  throw new EngineError(
    'NOT_EXTRACTABLE',
    'keys: this key is non-extractable: it was created or imported to stay in the vault, so its secret part cannot be exported (its public half, if any, can)',
  );
}

/**
 * Exports an extractable key's secret or private part:
 * - `jwk`: the secret or private JWK (JSON text);
 * - `raw`: symmetric key bytes (a Fernet key gives its 32 bytes, signing half first);
 * - `fernet`: a Fernet key as Python's `Fernet.generate_key()` prints it;
 * - `pkcs8-encrypted-pem`: a private key as "ENCRYPTED PRIVATE KEY" PEM (PBES2,
 *   PBKDF2-HMAC-SHA-256 600,000 iterations, AES-256-CBC) under `passphrase` (at least
 *   8 characters), which `openssl pkey -passin` opens;
 * - `jwe-pbes2`: the secret or private JWK as a compact JWE under `passphrase` (same
 *   rules), PBES2-HS512+A256KW with 600,000 iterations and A256GCM, which RFC 7518 JOSE
 *   libraries open and Clavis imports back.
 * @throws KEY_NOT_FOUND, NOT_EXTRACTABLE (the key must stay in the vault),
 *   INVALID_ARGUMENT (format does not fit the key, bad passphrase).
 */
export async function exportKey(ctx: EngineContext, id: string, opts: { format: SecretExportFormat; passphrase?: string }): Promise<string | Uint8Array> {
  if (!opts || !SECRET_FORMATS.includes(opts.format)) invalid('keys: a key exports as "jwk", "jwe-pbes2", "raw", "fernet", "pkcs8-encrypted-pem" or "pkcs8-pem"');
  const { info, material, template: t } = await loadKey(ctx, id);
  if (info.kind === 'public') invalid('keys: this is a public key only; export it with exportPublicKey');
  if (!info.extractable) notExtractable();
  const format = opts.format;
  const subtle = ctx.subtle;
  const exportOf = async (key: CryptoKey | undefined, f: KeyFormat): Promise<ArrayBuffer | JsonWebKey> => {
    if (!key) invalid(`keys: the ${t.name} key has no material to export`);
    if (!key.extractable) notExtractable();
    return attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} key as ${format}`, () => subtle.exportKey(f as 'jwk', key));
  };

  if (t.family === 'fernet') {
    if (format !== 'fernet' && format !== 'raw') invalid('keys: a Fernet key exports as its Fernet string ("fernet") or its 32 raw bytes ("raw")');
    const mac = new Uint8Array((await exportOf(material.macSecret, 'raw')) as ArrayBuffer);
    const enc = new Uint8Array((await exportOf(material.secret, 'raw')) as ArrayBuffer);
    const raw = new Uint8Array(32);
    raw.set(mac, 0);
    raw.set(enc, 16);
    mac.fill(0);
    enc.fill(0);
    if (format === 'raw') return raw;
    // Fernet keys are urlsafe base64 WITH padding (Python's base64.urlsafe_b64encode).
    const s = `${toBase64Url(raw)}=`;
    raw.fill(0);
    return s;
  }
  if (format === 'fernet') invalid(`keys: only Fernet keys export in the Fernet format; this is ${t.name}`);

  if (format === 'jwe-pbes2') {
    assertExportPassphrase(opts.passphrase);
    const jwk = (await exportOf(info.kind === 'secret' ? material.secret : material.privateKey, 'jwk')) as JsonWebKey;
    const json = utf8(JSON.stringify(jwk));
    try {
      return await sealJwk(subtle, ctx.random, json, opts.passphrase);
    } finally {
      json.fill(0);
    }
  }

  if (info.kind === 'secret') {
    if (format === 'pkcs8-encrypted-pem' || format === 'pkcs8-pem') invalid('keys: a symmetric key has no PKCS#8 form; export it as "jwe-pbes2", "jwk" or "raw"');
    if (format === 'raw') return new Uint8Array((await exportOf(material.secret, rawFormat(t))) as ArrayBuffer);
    return JSON.stringify(await exportOf(material.secret, 'jwk'));
  }

  // Key pairs.
  if (format === 'raw') invalid('keys: raw export is for symmetric keys; export a private key as "jwk" or "pkcs8-encrypted-pem"');
  if (format === 'jwk') return JSON.stringify(await exportOf(material.privateKey, 'jwk'));
  if (format === 'pkcs8-pem') {
    const der = new Uint8Array((await exportOf(material.privateKey, 'pkcs8')) as ArrayBuffer);
    try {
      return encodePem('PRIVATE KEY', der);
    } finally {
      der.fill(0);
    }
  }
  assertExportPassphrase(opts.passphrase);
  const pkcs8 = new Uint8Array((await exportOf(material.privateKey, 'pkcs8')) as ArrayBuffer);
  try {
    return encodePem('ENCRYPTED PRIVATE KEY', await encryptPrivateKeyInfo(subtle, ctx.random, pkcs8, opts.passphrase));
  } finally {
    pkcs8.fill(0);
  }
}
