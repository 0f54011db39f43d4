// A7 with the vault lock (issue 16): a backup restored into a vault whose lock is on keeps
// the restored exportable material sealed, like every other exportable key there; a
// locked vault refuses the restore (VAULT_LOCKED) and changes nothing; a backup of a
// locked vault is refused rather than written without the sealed keys.
import { describe, expect, it } from 'vitest';
import { errorCode, freshEngine } from '../../testing/engine';

const PASS = 'correct horse battery staple';
const LOCK = 'a lock passphrase';

const code = errorCode;

async function backedUpVault() {
  const { engine } = await freshEngine();
  const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'orders', exportable: true });
  const ciphertext = await engine.encryptText(aes.id, 'the order book');
  const jwk = await engine.dangerouslyExportUnprotectedKey(aes.id, 'jwk');
  const file = await (await engine.backup()).createBackup(PASS);
  return { engine, aes, ciphertext, jwk, file };
}

describe('A7 + vault lock: restored material follows the lock', () => {
  it('restoring into an unlocked vault seals the exportable keys; after locking they refuse to work, after unlocking they decrypt and export the same key', async () => {
    const v = await backedUpVault();
    const { engine, storage } = await freshEngine();
    await engine.enableLock(LOCK);
    await (await engine.backup()).restoreBackup(v.file.bytes, PASS);

    const stored = (await storage.getKeyMaterial(v.aes.id))!;
    expect(stored.secret).toBeUndefined();
    expect(Object.keys(stored.sealed ?? {})).toEqual(['secret']);

    await engine.lock();
    expect(await code(engine.decryptText(v.ciphertext))).toBe('VAULT_LOCKED');
    await engine.unlock(LOCK);
    expect(await engine.decryptText(v.ciphertext)).toBe('the order book');
    expect(await engine.dangerouslyExportUnprotectedKey(v.aes.id, 'jwk')).toEqual(v.jwk);
  });

  it('a locked vault refuses the restore with VAULT_LOCKED and changes nothing', async () => {
    const v = await backedUpVault();
    const { engine } = await freshEngine();
    await engine.enableLock(LOCK);
    await engine.lock();
    const before = { keys: (await engine.listKeys()).length, audit: await engine.auditCount() };
    expect(await code((await engine.backup()).restoreBackup(v.file.bytes, PASS))).toBe('VAULT_LOCKED');
    expect({ keys: (await engine.listKeys()).length, audit: await engine.auditCount() }).toEqual(before);
  });

  it('a backup of a locked vault is refused (no file without the sealed keys); unlocked, it holds them', async () => {
    const { engine } = await freshEngine();
    await engine.generateKey({ template: 'AES-GCM-256', name: 'orders', exportable: true });
    await engine.enableLock(LOCK);
    await engine.lock();
    const backup = await engine.backup();
    expect(await code(backup.createBackup(PASS))).toBe('VAULT_LOCKED');
    await engine.unlock(LOCK);
    const file = await backup.createBackup(PASS);
    expect(file.manifest.keys[0]).toMatchObject({ name: 'orders', material: 'included' });
  });
});
