/**
 * Import and export (A5): keys in and out of the vault in the formats other tools
 * speak. Public keys leave as SPKI (PEM or DER) or a public JWK; extractable secret and
 * private keys as JWK, raw bytes (symmetric), a Fernet key string, or passphrase-
 * encrypted PKCS#8 PEM that openssl opens. Imports sniff the format (PEM label, DER
 * structure, JSON, Fernet string, raw bytes), map the key to a named template from its
 * OID, curve or modulus size, and store it like a generated key (origin `imported`).
 *
 * Common case:
 * ```ts
 * const pem = await engine.exportPublicKey(id, 'pem');
 * const info = await engine.importKey({ data: fileBytes, name: 'from openssl', passphrase });
 * ```
 *
 * Rules:
 * - Private and secret keys import NON-extractable unless `exportable` is set (Fernet
 *   keys are always extractable: a Fernet key is a shared string by definition).
 * - The public half of an imported private key is stored too. For PKCS#8 the key is
 *   imported once as extractable only to read its public members from the JWK export,
 *   then imported again non-extractable; the temporary handle is dropped (never stored).
 *   RSA private keys additionally pass a pairwise-consistency check (sign/verify or
 *   encrypt/decrypt), because some WebCrypto implementations (Node) accept a private
 *   JWK whose `n` belongs to another key.
 * - For RSA and EC keys `template` picks the scheme (RSA-OAEP/PSS/PKCS1, ECDSA/ECDH);
 *   the size or curve always comes from the key itself. Without a template an RSA key is
 *   refused with the choices (INVALID_ARGUMENT) unless a JWK `alg` says its scheme; EC
 *   keys become ECDSA, raw 32 bytes AES-GCM-256 and raw 16 bytes AES-GCM-128.
 * - Every failure is an EngineError: MALFORMED_INPUT (cannot be parsed), UNSUPPORTED
 *   (parsed, but an algorithm, curve, size or format Clavis or this browser lacks),
 *   WRONG_PASSPHRASE, INVALID_ARGUMENT (a caller mistake), NOT_EXTRACTABLE. No message
 *   contains key material or a passphrase.
 */
export type { PublicExportFormat, PublicTextFormat } from './export-public';
export type { ProtectedExportFormat, ProtectedExportOptions, SecretExportFormat, UnprotectedExportFormat } from './export-secret';
export type { ImportKeyParams } from './import';
export type { SniffedFormat } from './sniff';
export type { BackupMaterial } from './backup-material';
export { KEY_OID } from './key-shape';
export { MAX_IMPORT_BYTES, sniffKeyFormat } from './sniff';
export { importKey } from './import';
export { exportPublicKey, exportPublicKeyDer } from './export-public';
export { dangerouslyExportRawSecret, dangerouslyExportUnprotectedKey, exportKey } from './export-secret';
export { backupMaterial, restoreMaterial } from './backup-material';
