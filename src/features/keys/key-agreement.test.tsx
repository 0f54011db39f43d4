// Deriving, wrapping and unwrapping with ECDH and X25519 keys on the key page.
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine, KeyInfo } from '../../engine';
import { captureDownloads, renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { KeyPage } from './key-page';
import { fullFingerprint } from './labels';
import { asKeyId, type KeyId } from '../../engine';

afterEach(() => vi.restoreAllMocks());

/** Renders one key's page over `engine` and waits for it to load. */
async function openPage(engine: Engine, key: KeyInfo) {
  const view = await renderWithEngine(<KeyPage id={key.id} navigate={vi.fn()} />, { engine });
  await screen.findByRole('heading', { level: 1, name: key.name });
  return view;
}

/** The name of the new key the status line links to. */
async function newKeyLink(name: string): Promise<HTMLAnchorElement> {
  // An upper bound for a busy machine (key agreement and storage), not a measurement.
  return (await screen.findByRole('link', { name })) as HTMLAnchorElement;
}

/** The key id a link points at, read back from its href and branded like every id from a URL. */
function idFromHref(a: HTMLAnchorElement): KeyId {
  return asKeyId(decodeURIComponent(a.getAttribute('href')!.replace('#/keys/', '')));
}

describe('Use this key: derive, wrap and unwrap (A4, seed 001)', () => {
  it('A4 seed 001: two parties’ X25519 keys derive the same wrapping key; a session key wrapped by one unwraps on the other with the same KCV', async () => {
    const { engine } = await freshEngine();
    const alice = await engine.generateKey({ template: 'X25519', name: 'Alice DH', owner: 'alice' });
    const bob = await engine.generateKey({ template: 'X25519', name: 'Bob DH', owner: 'bob' });
    const session = await engine.generateKey({ template: 'AES-GCM-256', name: 'KDC session key', owner: 'kdc', exportable: true });

    // Alice: her private key with Bob's public key.
    let view = await openPage(engine, alice);
    const use = screen.getByRole('region', { name: 'Use this key' });
    const peer = within(use).getByRole('combobox', { name: 'Other party’s public key' }) as HTMLSelectElement;
    expect([...peer.options].map((o) => o.textContent)).toEqual(['Bob DH (bob)', 'Paste a PEM public key…']);
    await view.user.clear(within(use).getByRole('textbox', { name: 'Name of the shared key' }));
    await view.user.type(within(use).getByRole('textbox', { name: 'Name of the shared key' }), 'Alice wrapping key');
    await view.user.click(within(use).getByRole('button', { name: 'Derive shared key' }));
    const aliceShared = idFromHref(await newKeyLink('Alice wrapping key'));
    view.unmount();

    // Bob: his private key with Alice's public key, pasted as PEM this time.
    const alicePem = await engine.exportPublicKey(alice.id, 'pem');
    view = await openPage(engine, bob);
    await view.user.selectOptions(screen.getByRole('combobox', { name: 'Other party’s public key' }), 'Paste a PEM public key…');
    fireEvent.change(screen.getByRole('textbox', { name: 'PEM text of the other party’s key' }), { target: { value: alicePem } });
    await view.user.clear(screen.getByRole('textbox', { name: 'Name of the shared key' }));
    await view.user.type(screen.getByRole('textbox', { name: 'Name of the shared key' }), 'Bob wrapping key');
    await view.user.click(screen.getByRole('button', { name: 'Derive shared key' }));
    const bobShared = idFromHref(await newKeyLink('Bob wrapping key'));
    view.unmount();

    const [a, b] = await Promise.all([engine.getKey(aliceShared), engine.getKey(bobShared)]);
    expect(a.template).toBe('AES-GCM-256');
    expect(a.extractable).toBe(false);
    expect(a.fingerprint.value).toBe(b.fingerprint.value);

    // Alice wraps the session key under her derived key.
    view = await openPage(engine, a);
    await view.user.selectOptions(screen.getByRole('combobox', { name: 'Key to wrap' }), 'KDC session key (AES-GCM-256)');
    await view.user.click(screen.getByRole('button', { name: 'Wrap key' }));
    const wrapped = ((await screen.findByRole('textbox', { name: 'Wrapped key (base64)' })) as HTMLTextAreaElement).value;
    expect(wrapped).toMatch(/^[A-Za-z0-9+/]+=*$/);
    view.unmount();

    // Bob unwraps it with his own derived key: the session key's KCV comes out.
    view = await openPage(engine, b);
    fireEvent.change(screen.getByRole('textbox', { name: 'Wrapped key to unwrap (base64)' }), { target: { value: wrapped } });
    await view.user.clear(screen.getByRole('textbox', { name: 'Name of the unwrapped key' }));
    await view.user.type(screen.getByRole('textbox', { name: 'Name of the unwrapped key' }), 'Session key at Bob');
    await view.user.click(screen.getByRole('button', { name: 'Unwrap key' }));
    const link = await newKeyLink('Session key at Bob');
    const status = link.closest('[role="status"]')!;
    expect(status.textContent).toContain(fullFingerprint(session.fingerprint));
    expect((await engine.getKey(idFromHref(link))).fingerprint.value).toBe(session.fingerprint.value);
  });

  it('A4 ECDH P-384 refuses a peer key on another curve with a message, and makes no key', async () => {
    const { engine } = await freshEngine();
    const mine = await engine.generateKey({ template: 'ECDH-P-384', name: 'P-384 party' });
    const other = await engine.generateKey({ template: 'ECDH-P-256', name: 'P-256 party' });
    const before = (await engine.listKeys()).length;
    const view = await openPage(engine, mine);
    // Only same-curve keys are offered; a wrong curve can still be pasted.
    expect(screen.queryByRole('option', { name: 'P-256 party' })).toBeNull();
    fireEvent.change(screen.getByRole('textbox', { name: 'PEM text of the other party’s key' }), {
      target: { value: await engine.exportPublicKey(other.id, 'pem') },
    });
    await view.user.click(screen.getByRole('button', { name: 'Derive shared key' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No shared key was made');
    expect(alert.textContent).toMatch(/on P-256.*same curve/);
    expect((await engine.listKeys()).length).toBe(before);
  });

  it('A4 ECDH P-521 derives with a vault public key of the same curve', async () => {
    const { engine } = await freshEngine();
    const mine = await engine.generateKey({ template: 'ECDH-P-521', name: 'Mine 521' });
    const theirs = await engine.generateKey({ template: 'ECDH-P-521', name: 'Theirs 521' });
    const view = await openPage(engine, mine);
    await view.user.click(screen.getByRole('button', { name: 'Derive shared key' }));
    const link = await newKeyLink('Shared key of Mine 521');
    const derived = await engine.getKey(idFromHref(link));
    // The other side agrees.
    const back = await engine.deriveKey(theirs.id, await engine.exportPublicKey(mine.id, 'pem'), { name: 'check' });
    expect(derived.fingerprint.value).toBe(back.fingerprint.value);
  });

  it('A4 AES-KW-256 wraps an exportable secret key (download too) and unwraps it; private and non-extractable keys are not offered', async () => {
    const files = captureDownloads();
    const { engine } = await freshEngine();
    const kek = await engine.generateKey({ template: 'AES-KW-256', name: 'KEK' });
    const hmac = await engine.generateKey({ template: 'HMAC-SHA-256', name: 'MAC key', exportable: true });
    await engine.generateKey({ template: 'AES-GCM-256', name: 'Locked key' });
    await engine.generateKey({ template: 'ECDSA-P-256', name: 'Signer', exportable: true });
    const view = await openPage(engine, kek);
    const select = screen.getByRole('combobox', { name: 'Key to wrap' }) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['MAC key (HMAC-SHA-256)']);
    // An AES-KW key has no text encryption to offer.
    expect(screen.queryByRole('button', { name: 'Encrypt' })).toBeNull();

    await view.user.click(screen.getByRole('button', { name: 'Wrap key' }));
    const wrapped = ((await screen.findByRole('textbox', { name: 'Wrapped key (base64)' })) as HTMLTextAreaElement).value;
    await view.user.click(screen.getByRole('button', { name: 'Download wrapped key' }));
    await waitFor(() => expect(files.map((f) => f.name)).toEqual(['MAC-key.wrapped.b64']));
    expect(await files[0]!.blob.text()).toBe(wrapped);

    await view.user.click(screen.getByRole('button', { name: 'Use below to unwrap' }));
    await view.user.click(screen.getByRole('button', { name: 'Unwrap key' }));
    const link = await newKeyLink('Unwrapped key');
    const unwrapped = await engine.getKey(idFromHref(link));
    expect(unwrapped.fingerprint.value).toBe(hmac.fingerprint.value);
    expect(unwrapped.extractable).toBe(false);
  });

  it('A4 unwrapping text that is not base64, or a wrapped key altered by one byte, says so and makes no key', async () => {
    const { engine } = await freshEngine();
    const kek = await engine.generateKey({ template: 'AES-KW-256', name: 'KEK' });
    const target = await engine.generateKey({ template: 'AES-GCM-128', name: 'Data', exportable: true });
    const wrapped = await engine.wrapKey(kek.id, target.id);
    const before = (await engine.listKeys()).length;
    const view = await openPage(engine, kek);
    const box = screen.getByRole('textbox', { name: 'Wrapped key to unwrap (base64)' });
    fireEvent.change(box, { target: { value: 'not base64 at all!' } });
    await view.user.click(screen.getByRole('button', { name: 'Unwrap key' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/[Pp]aste the wrapped key as base64/);

    const bad = wrapped.slice();
    bad[bad.length - 3]! ^= 0x01;
    fireEvent.change(box, { target: { value: Buffer.from(bad).toString('base64') } });
    await view.user.click(screen.getByRole('button', { name: 'Unwrap key' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('DECRYPT_FAILED'));
    expect((await engine.listKeys()).length).toBe(before);
  });
});
