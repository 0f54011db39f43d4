// PRODUCT.md A7, SECURITY.md W1–W3: encrypted backup and restore of the whole vault.
// Back up, restore into an empty vault, and everything exportable works again: old
// ciphertext decrypts, old signatures verify, a CA with an exportable key issues and
// publishes its CRL; non-extractable keys and CAs are listed as not backed up; a wrong
// passphrase or a damaged file changes nothing; the audit chain verifies and records the
// restore and the audit key hand-over. Runs in Node (fake-indexeddb) and Chromium.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { fromUtf8, utf8 } from '../internal/bytes';
import { BACKUP_ITERATIONS, MAX_BACKUP_BYTES } from '.';

const PASS = 'correct horse battery staple';

async function populatedVault() {
  const { engine, storage } = await freshEngine();
  const aes = await engine.generateKey({ template: 'AES-GCM-256', name: 'orders', owner: 'Payments', exportable: true });
  const signer = await engine.generateKey({ template: 'ECDSA-P-256', name: 'release signer', exportable: true });
  const fernet = await engine.generateKey({ template: 'FERNET', name: 'tokens' });
  const stuck = await engine.generateKey({ template: 'AES-GCM-256', name: 'stays here' });
  const ciphertext = await engine.encryptText(aes.id, 'the order book');
  const token = await engine.encryptText(fernet.id, 'a fernet secret');
  const message = utf8('release 1.0');
  const signature = await engine.sign(signer.id, message);
  const pki = await engine.pki();
  const root = await pki.createRootCa({ name: 'Backed Root', subject: { CN: 'Backed Root' }, pathLen: 0, keyExportable: true });
  const leafKey = await engine.generateKey({ template: 'ECDSA-P-256', name: 'web', exportable: true });
  const leaf = await pki.issueCertificate({ caId: root.ca.id, keyId: leafKey.id, profile: 'tls-server', subject: { CN: 'web.test' }, sans: { dns: ['web.test'] } });
  const gone = await pki.issueCertificate({ caId: root.ca.id, keyId: signer.id, profile: 'code-signing', subject: { CN: 'signer' } });
  await pki.revokeCertificate(gone.cert.id, { reason: 'superseded' });
  const lost = await pki.createRootCa({ name: 'Unbacked Root', subject: { CN: 'Unbacked Root' } });
  const crlBefore = (await pki.listCrls(root.ca.id, 1))[0]!;
  return { engine, storage, aes, signer, fernet, stuck, ciphertext, token, message, signature, root, leaf, gone, lost, crlBefore };
}

async function emptyVaultState(engine: Awaited<ReturnType<typeof freshEngine>>['engine']) {
  const pki = await engine.pki();
  return { keys: (await engine.listKeys()).length, cas: (await pki.listCas()).length, audit: await engine.auditCount() };
}

describe('A7: encrypted vault backup and restore', () => {
  it('round trip: back up, restore into an empty vault; keys, signatures and the exportable CA work; non-extractable things are listed as not backed up', async () => {
    const v = await populatedVault();
    const backup = await v.engine.backup();
    const file = await backup.createBackup(PASS);
    const text = fromUtf8(file.bytes);
    // Nothing readable in the file: no names, no key material.
    expect(text).not.toMatch(/orders|release signer|Backed Root|PRIVATE/);
    const outer = JSON.parse(text) as { format: string; kdf: { iterations: number; hash: string }; cipher: { name: string } };
    expect(outer).toMatchObject({ format: 'clavis-vault-backup', kdf: { hash: 'SHA-256', iterations: BACKUP_ITERATIONS }, cipher: { name: 'AES-256-GCM' } });
    expect(BACKUP_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const m = file.manifest;
    expect(m.notBackedUp).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'key', id: v.stuck.id, why: expect.stringMatching(/Non-extractable/) }),
        expect.objectContaining({ kind: 'key', id: v.lost.ca.keyId }),
        expect.objectContaining({ kind: 'ca', id: v.lost.ca.id, why: expect.stringMatching(/cannot be restored/) }),
        expect.objectContaining({ kind: 'kdc' }),
        expect.objectContaining({ kind: 'audit-key' }),
      ]),
    );
    expect(m.keys.find((k) => k.id === v.aes.id)).toMatchObject({ material: 'included' });
    expect(m.keys.map((k) => k.id)).not.toContain(v.stuck.id);
    const auditBefore = await v.engine.auditCount();
    expect((await v.engine.listAuditEntries()).at(-1)!.action).toBe('vault.backup');

    // A cleared vault (a new database) restores the file.
    const { engine, storage } = await freshEngine();
    const b2 = await engine.backup();
    const preview = await b2.previewRestore(file.bytes, PASS);
    expect(await emptyVaultState(engine)).toEqual({ keys: 0, cas: 0, audit: 0 });
    expect(preview.audit.mode).toBe('replay');
    expect(preview.changes.find((c) => c.kind === 'keys')).toMatchObject({ added: m.counts.keys, conflicts: 0 });
    expect(preview.changes.find((c) => c.kind === 'cas')).toMatchObject({ added: 1 });
    expect(preview.notRestorable).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'ca', id: v.lost.ca.id })]));

    const result = await b2.restoreBackup(file.bytes, PASS);
    expect(result.auditSeq).toBe(auditBefore);
    // Old ciphertext decrypts, the old signature verifies, the Fernet token opens.
    expect(await engine.decryptText(v.ciphertext)).toBe('the order book');
    expect(await engine.decryptText(v.token, { keyId: v.fernet.id })).toBe('a fernet secret');
    expect(await engine.verify(v.signer.id, v.message, v.signature)).toBe(true);
    expect((await engine.getKey(v.aes.id)).owner).toBe('payments');
    await expect(engine.getKey(v.stuck.id)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    // The CA with an exportable key issues and publishes; its CRL numbers go on and still list the revocation.
    const pki = await engine.pki();
    expect((await pki.listCas()).map((c) => c.id)).toEqual([v.root.ca.id]);
    const next = await pki.issueCertificate({ caId: v.root.ca.id, keyId: v.signer.id, profile: 'code-signing', subject: { CN: 'signer 2' } });
    expect(next.cert.serialHex).not.toBe(v.gone.cert.serialHex);
    const crl = await pki.publishCrl(v.root.ca.id);
    expect(crl.number).toBeGreaterThan(v.crlBefore.number);
    expect((await storage.getRevocation(v.root.ca.id, v.gone.cert.serialHex))?.reason).toBe(4);
    expect(crl.entries).toBe(1);
    // The audit chain verifies, holds the backup's entries and records the restore with the key hand-over.
    const verdict = await engine.verifyAuditLog();
    expect(verdict).toMatchObject({ ok: true, headSigned: true, handovers: [expect.objectContaining({ afterSeq: auditBefore - 1, previousHeadSigned: true })] });
    const entries = await engine.listAuditEntries();
    const restore = entries.find((e) => e.action === 'vault.restore')!;
    expect(restore.seq).toBe(auditBefore);
    expect(restore.details).toMatchObject({ mode: 'replay', previousAuditKeySha256: await v.engine.auditKeyFingerprint(), auditKeySha256: await engine.auditKeyFingerprint() });
    expect(restore.details.previousAuditKeySha256).not.toBe(restore.details.auditKeySha256);
    // The backup's entries are the source vault's, byte for byte (its own `vault.backup` entry came after the snapshot).
    expect(entries.slice(0, auditBefore - 1).map((e) => e.hash)).toEqual((await v.engine.listAuditEntries()).slice(0, auditBefore - 1).map((e) => e.hash));
  });

  it('R6: a restored CA whose CRL lists its revocations is not due, so no tab republishes it (a counter at 0 is restored too)', async () => {
    const v = await populatedVault();
    const file = await (await v.engine.backup()).createBackup(PASS);
    const { engine } = await freshEngine();
    await (await engine.backup()).restoreBackup(file.bytes, PASS);
    const pki = await engine.pki();
    expect(await pki.crlsDue(0)).toEqual([]);
    expect((await pki.getCrl(v.root.ca.id))?.number).toBe(v.crlBefore.number);
    // A CA with no revocation at all: its CRL's covered count is 0, and restored as such.
    const { engine: src } = await freshEngine();
    const fresh = await (await src.pki()).createRootCa({ name: 'Quiet Root', subject: { CN: 'Quiet Root' }, keyExportable: true });
    const quiet = await (await src.backup()).createBackup(PASS);
    const { engine: dst } = await freshEngine();
    await (await dst.backup()).restoreBackup(quiet.bytes, PASS);
    const dstPki = await dst.pki();
    expect(await dstPki.crlsDue(0)).toEqual([]);
    expect((await dstPki.getCrl(fresh.ca.id))?.number).toBe(1);
  });

  it('A1: a rewritten audit key hand-over after a restore is caught by verification', async () => {
    const v = await populatedVault();
    const file = await (await v.engine.backup()).createBackup(PASS);
    const { engine, storage } = await freshEngine();
    await (await engine.backup()).restoreBackup(file.bytes, PASS);
    expect((await engine.verifyAuditLog()).ok).toBe(true);
    // Someone swaps in a key of their own as "the earlier audit key".
    const handovers = (await storage.getMeta<Array<Record<string, unknown>>>('auditKeyHandovers'))!;
    await storage.setMeta('auditKeyHandovers', [{ ...handovers[0]!, spkiSha256: '00'.repeat(32) }]);
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: false, explanation: expect.stringMatching(/hand-over after entry \d+ does not check/) });
    // Or keeps the key and forges the head it signed.
    await storage.setMeta('auditKeyHandovers', [{ ...handovers[0]!, sig: 'ab'.repeat(64) }]);
    expect(await engine.verifyAuditLog()).toMatchObject({ ok: false, explanation: expect.stringMatching(/earlier audit key did not sign/) });
  });

  it('a wrong passphrase changes nothing and says so', async () => {
    const v = await populatedVault();
    const file = await (await v.engine.backup()).createBackup(PASS);
    const { engine } = await freshEngine();
    const b = await engine.backup();
    await expect(b.previewRestore(file.bytes, 'not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE', message: expect.stringMatching(/passphrase does not open this backup/) });
    await expect(b.restoreBackup(file.bytes, 'not the passphrase')).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    expect(await emptyVaultState(engine)).toEqual({ keys: 0, cas: 0, audit: 0 });
  });

  it('a tampered, truncated or oversized file changes nothing and fails with a typed error', async () => {
    const v = await populatedVault();
    const file = await (await v.engine.backup()).createBackup(PASS);
    const text = fromUtf8(file.bytes);
    const outer = JSON.parse(text) as Record<string, unknown> & { ciphertext: string; kdf: Record<string, unknown>; createdAt: string };
    const { engine } = await freshEngine();
    const b = await engine.backup();
    // One character of the ciphertext changed.
    const i = Math.floor(outer.ciphertext.length / 2);
    const flipped = outer.ciphertext.slice(0, i) + (outer.ciphertext[i] === 'A' ? 'B' : 'A') + outer.ciphertext.slice(i + 1);
    await expect(b.restoreBackup(JSON.stringify({ ...outer, ciphertext: flipped }), PASS)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE', message: expect.stringMatching(/changed after it was made/) });
    // The header is authenticated too.
    await expect(b.restoreBackup(JSON.stringify({ ...outer, createdAt: '2020-01-01T00:00:00.000Z' }), PASS)).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });
    await expect(b.restoreBackup(JSON.stringify({ ...outer, kdf: { ...outer.kdf, iterations: 1000 } }), PASS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT', message: expect.stringMatching(/PBKDF2 iterations/) });
    // Cut short.
    await expect(b.restoreBackup(file.bytes.slice(0, Math.floor(file.bytes.length * 0.7)), PASS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT', message: expect.stringMatching(/damaged or truncated/) });
    await expect(b.restoreBackup(utf8('{"format":"something else"}'), PASS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT', message: expect.stringMatching(/not a Clavis vault backup/) });
    // Too large: refused before it is parsed.
    await expect(b.previewRestore(new Uint8Array(MAX_BACKUP_BYTES + 1), PASS)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/larger than/) });
    expect(await emptyVaultState(engine)).toEqual({ keys: 0, cas: 0, audit: 0 });
  });

  it('restoring into the same vault adds nothing, keeps its own log and records the restore; the chain still verifies', async () => {
    const v = await populatedVault();
    const b = await v.engine.backup();
    const file = await b.createBackup(PASS);
    const keysBefore = (await v.engine.listKeys()).length;
    const preview = await b.previewRestore(file.bytes, PASS);
    expect(preview.audit.mode).toBe('append');
    expect(preview.changes.every((c) => c.added === 0 && c.replaced === 0)).toBe(true);
    expect(preview.nothingToDo).toBe(true);
    // A key deactivated since the backup is a conflict: the vault keeps its state.
    await v.engine.deactivateKey(v.aes.id, 'retired');
    const again = await b.previewRestore(file.bytes, PASS);
    expect(again.conflicts).toEqual([expect.objectContaining({ kind: 'keys', id: v.aes.id })]);
    await b.restoreBackup(file.bytes, PASS);
    expect((await v.engine.getKey(v.aes.id)).state).toBe('deactivated');
    expect((await v.engine.listKeys()).length).toBe(keysBefore);
    expect((await v.engine.listAuditEntries()).at(-1)).toMatchObject({ action: 'vault.restore', details: { mode: 'append' } });
    expect(await v.engine.verifyAuditLog()).toMatchObject({ ok: true, headSigned: true });
  });

  it('refuses a short passphrase, and a key whose material is unavailable fails the backup with a typed error (no partial file)', async () => {
    const v = await populatedVault();
    await expect((await v.engine.backup()).createBackup('short')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/at least 12 characters/) });
    const { createEngine } = await import('..');
    const missing = createEngine({ storage: { ...v.storage, getKeyMaterial: async (id: string) => (id === v.aes.id ? undefined : v.storage.getKeyMaterial(id)) } });
    const before = await v.engine.auditCount();
    await expect((await missing.backup()).createBackup(PASS)).rejects.toMatchObject({ code: 'KEY_NOT_FOUND', message: expect.stringMatching(/material of the key "orders" is not available.*no backup was made/) });
    expect(await v.engine.auditCount()).toBe(before);
  });
});
