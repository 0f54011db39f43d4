// A7: the backup screen. Back up with the passphrase typed twice (mismatch and a short
// passphrase refused with a sentence), the manifest's "Not backed up" list; restore into
// another vault: a wrong passphrase is an alert and changes nothing, the preview shows what
// would change, and the restore adds the keys.
import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { BackupPage, passphraseHint } from './backup-page';
import { expectShown } from '../../testing/dom';

afterEach(() => vi.restoreAllMocks());

const PASS = 'lantern quarry velvet orbit';

describe('A7 backup page', () => {
  it('backs up, then restores the file into an empty vault after a preview; mistakes are sentences', async () => {
    const files = captureDownloads();
    const { engine } = await freshEngine();
    const kept = await engine.generateKey({ template: 'AES-GCM-256', name: 'kept', exportable: true });
    await engine.generateKey({ template: 'AES-GCM-256', name: 'left behind' });
    const first = await renderWithEngine(<BackupPage />, { engine });
    await screen.findByRole('heading', { level: 1, name: 'Backup and restore' });
    await first.user.type(screen.getByLabelText('Passphrase'), 'short');
    expectShown(screen.getByText(/^Too short/));
    await first.user.click(screen.getByRole('button', { name: 'Create encrypted backup' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/at least 12 characters/);
    await first.user.clear(screen.getByLabelText('Passphrase'));
    await first.user.type(screen.getByLabelText('Passphrase'), PASS);
    await first.user.type(screen.getByLabelText('Passphrase again'), `${PASS}!`);
    await first.user.click(screen.getByRole('button', { name: 'Create encrypted backup' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/two passphrases differ/));
    await first.user.clear(screen.getByLabelText('Passphrase again'));
    await first.user.type(screen.getByLabelText('Passphrase again'), PASS);
    await first.user.click(screen.getByRole('button', { name: 'Create encrypted backup' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual([expect.stringMatching(/\.clavisbackup$/)]));
    expectShown(within(await screen.findByRole('region', { name: 'Not backed up' })).getByText('left behind'));
    const bytes = new Uint8Array(await files[0]!.blob.arrayBuffer());
    first.unmount();

    const { engine: empty } = await freshEngine();
    const second = await renderWithEngine(<BackupPage />, { engine: empty });
    await screen.findByRole('heading', { level: 1, name: 'Backup and restore' });
    await second.user.upload(screen.getByLabelText('Backup file'), new File([bytes], files[0]!.name, { type: 'application/json' }));
    await waitFor(() => expectShown(screen.getByText(`Chosen: ${files[0]!.name}`)));
    await second.user.type(screen.getByLabelText('Backup passphrase'), 'the wrong passphrase');
    await second.user.click(screen.getByRole('button', { name: 'Preview restore' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/The passphrase does not open this backup/);
    expect(await empty.listKeys()).toEqual([]);
    await second.user.clear(screen.getByLabelText('Backup passphrase'));
    await second.user.type(screen.getByLabelText('Backup passphrase'), PASS);
    await second.user.click(screen.getByRole('button', { name: 'Preview restore' }));
    const preview = await screen.findByRole('region', { name: 'What the backup holds' });
    expect(within(preview).getByRole('row', { name: /^Keys/ }).textContent).toBe('Keys1000');
    expect(await empty.listKeys()).toEqual([]);
    await second.user.click(screen.getByRole('button', { name: 'Restore this backup' }));
    expect((await screen.findByText(/^Restored .*: 1 record added/)).getAttribute('role')).toBe('status');
    expect((await empty.listKeys()).map((k) => k.id)).toEqual([kept.id]);
  });

  it('the strength hint grows with length and variety', () => {
    expect(passphraseHint('short').level).toBe('too-short');
    expect(passphraseHint('abcdefghijkl').level).toBe('weak');
    expect(passphraseHint('Abcdefgh1234').level).toBe('fair');
    expect(passphraseHint(PASS).level).toBe('strong');
  });
});
