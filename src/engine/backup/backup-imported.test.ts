// A7 + E8: the backup is the whole vault, so it carries the trust material imported from
// outside (roots, certificates, CRLs) with its trust flags; a restore brings it back
// apart from Clavis's own CAs, and an item already in the vault is kept, not doubled.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';

const PASS = 'correct horse battery staple';

describe('A7: imported trust material in the backup', () => {
  it('a trusted imported root and an imported CRL are backed up and restored as imported items, never as Clavis CAs', async () => {
    // Another Clavis plays the outside world: its root certificate and CRL are imported here.
    const outside = await (await freshEngine()).engine.pki();
    const root = await outside.createRootCa({ name: 'Outside Root', subject: { CN: 'Outside Root' } });
    const crlPem = await outside.exportCrl(root.ca.id, 'pem');

    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const imported = await pki.importTrustMaterial(root.pem + crlPem);
    expect(imported.added.map((a) => a.kind)).toEqual(['certificate', 'crl']);
    const rootId = (await pki.listImported()).certs[0]!.id;
    await pki.setImportedTrust(rootId, true);
    const file = await (await engine.backup()).createBackup(PASS);
    expect(file.manifest.counts).toMatchObject({ importedCerts: 1, importedCrls: 1 });

    const restored = await freshEngine();
    const b2 = await restored.engine.backup();
    const preview = await b2.previewRestore(file.bytes, PASS);
    expect(preview.changes.find((c) => c.kind === 'importedCerts')).toMatchObject({ added: 1 });
    expect(preview.changes.find((c) => c.kind === 'importedCrls')).toMatchObject({ added: 1 });
    await b2.restoreBackup(file.bytes, PASS);
    const pki2 = await restored.engine.pki();
    const listed = await pki2.listImported();
    expect(listed.certs).toMatchObject([{ id: rootId, subject: 'CN=Outside Root', trusted: true }]);
    expect(listed.crls).toMatchObject([{ issuer: 'CN=Outside Root' }]);
    expect(await pki2.listCas()).toEqual([]);

    // A second restore finds them already there: unchanged, nothing doubled.
    const again = await b2.previewRestore(file.bytes, PASS);
    expect(again.changes.find((c) => c.kind === 'importedCerts')).toMatchObject({ added: 0, unchanged: 1 });
  });
});
