/**
 * Encrypted vault backup and restore (PRODUCT.md A7, SECURITY.md W1–W3).
 *
 * One file for the whole vault: every exportable key with its material (read through the
 * export path, `backupMaterial`), every key record, the CAs with their certificates,
 * serials, revocations, CRLs and counters, the principals, key usage, and the audit log
 * with its signed head and the audit public key; encrypted under a passphrase with
 * PBKDF2-HMAC-SHA-256 (BACKUP_ITERATIONS) and AES-256-GCM. The file is JSON:
 *
 *   { format: 'clavis-vault-backup', version: 1, createdAt, kdf: {…, salt}, cipher: {…, iv}, ciphertext }
 *
 * where everything but `ciphertext` is the AES-GCM additional data (canonical JSON), so
 * a changed header fails like a wrong passphrase. The plaintext is the manifest (counts,
 * names and ids, what is NOT backed up and why) and the records.
 *
 * Not backed up, and said so in the manifest: non-extractable keys (their material cannot
 * leave the browser: a CA whose key is one cannot be restored), the audit signing key
 * (non-extractable; a restore hands over to a new one, recorded in the log), the KDC
 * (its master key is non-extractable and every principal's key is wrapped under it), and
 * walkthrough namespaces.
 *
 * Restore: `previewRestore` decrypts and says what the file holds and what would change
 * (new, unchanged, counters raised, conflicts kept as the vault has them); `restoreBackup`
 * writes it in ONE transaction. A restore never overwrites a record: an older backup must
 * not undo a revocation or a destruction. A wrong passphrase, a damaged, truncated or
 * changed file changes nothing and fails with WRONG_PASSPHRASE or MALFORMED_INPUT.
 *
 * Common case:
 * ```ts
 * const backup = await engine.backup();
 * const file = await backup.createBackup('a long passphrase');      // { bytes, manifest, fileName }
 * const preview = await backup.previewRestore(file.bytes, 'a long passphrase');
 * await backup.restoreBackup(file.bytes, 'a long passphrase');
 * ```
 */
import type { EngineContext } from '../keys/context';
import { createBackup } from './create';
import type { Backup } from './format';
import { plan, restoreBackup } from './restore';

export * from './format';

/** The backup module over an engine context. */
export function createBackupModule(ctx: EngineContext): Backup {
  return {
    createBackup: (passphrase) => createBackup(ctx, passphrase),
    previewRestore: async (file, passphrase) => (await plan(ctx, file, passphrase)).preview,
    restoreBackup: (file, passphrase) => restoreBackup(ctx, file, passphrase),
  };
}
