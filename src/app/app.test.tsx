// The app shell: the home page, navigation and header behave (hash parsing: src/routes/routes.test.ts).
import { screen, waitFor, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderWithEngine } from '../testing/render';
import { freshEngine } from '../testing/engine';
import { App } from './app';
import { parseHash } from '../routes/routes';
import { THEME_STORAGE_KEY } from './theme';
import { expectShown } from '../testing/dom';

beforeEach(() => {
  window.history.replaceState(null, '', '/');
  window.localStorage.clear();
  delete document.documentElement.dataset.theme;
});

const h1 = () => screen.getByRole('heading', { level: 1 });

describe('Home page', () => {
  it('links every area of Clavis to a screen that exists', async () => {
    await renderWithEngine(<App />);
    const list = within(screen.getByRole('region', { name: 'What Clavis does' })).getByRole('list');
    const links = within(list).getAllByRole('link');
    expect(links.map((a) => a.textContent)).toEqual(['Keys', 'Lifecycle', 'Audit log', 'Key distribution center', 'Key exchange', 'Certificate authority', 'Walkthroughs']);
    for (const a of links) expect(parseHash(a.getAttribute('href')!).name, a.textContent!).not.toBe('not-found');
  });
});

describe('App shell', () => {
  it('has a skip link, a "Clavis" header and a Main navigation with Home, Keys and Certificates', async () => {
    await renderWithEngine(<App />);
    expectShown(screen.getByRole('link', { name: 'Skip to main content' }));
    expectShown(within(screen.getByRole('banner')).getByText('Clavis'));
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const labels = within(nav).getAllByRole('link').map((a) => a.textContent);
    expect(labels.slice(0, 3)).toEqual(['Home', 'Keys', 'Certificates']);
    expect(labels).toEqual(expect.arrayContaining(['Lifecycle', 'Audit']));
    expect(within(nav).getByRole('link', { name: 'Home' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expectShown(screen.getByRole('main'));
  });

  it('navigates with the main menu, marks the current page and moves focus to the new h1', async () => {
    const { user } = await renderWithEngine(<App />);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    await user.click(within(nav).getByRole('link', { name: 'Keys' }));
    await waitFor(() => expect(h1().textContent).toBe('Keys'));
    expect(within(nav).getByRole('link', { name: 'Keys' }).getAttribute('aria-current')).toBe('page');
    expect(within(nav).getByRole('link', { name: 'Home' }).getAttribute('aria-current')).toBeNull();
    expect(document.activeElement).toBe(h1());
    expect(document.title).toBe('Keys · Clavis');

    await user.click(within(nav).getByRole('link', { name: 'Home' }));
    await waitFor(() => expect(h1().textContent).toBe('A key-management system in a browser tab'));
  });

  it('the phone Menu button: aria-expanded and aria-controls, opens by keyboard, Escape closes with focus back, a navigation closes it', async () => {
    const { user } = await renderWithEngine(<App />);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const menu = within(nav).getByRole('button', { name: 'Menu' });
    expect(menu.getAttribute('aria-expanded')).toBe('false');
    expect(document.getElementById(menu.getAttribute('aria-controls')!)?.tagName).toBe('UL');
    menu.focus();
    await user.keyboard('{Enter}');
    expect(menu.getAttribute('aria-expanded')).toBe('true');
    expect(nav.classList.contains('main-nav-open')).toBe(true);
    await user.keyboard('{Escape}');
    expect(menu.getAttribute('aria-expanded')).toBe('false');
    expect(document.activeElement).toBe(menu);
    await user.click(menu);
    expect(menu.getAttribute('aria-expanded')).toBe('true');
    await user.click(within(nav).getByRole('link', { name: 'Keys' }));
    await waitFor(() => expect(h1().textContent).toBe('Keys'));
    expect(menu.getAttribute('aria-expanded')).toBe('false');
    // Opened again, then the address changes some other way (a link in the page): closed too.
    await user.click(menu);
    window.location.hash = '#/audit';
    await waitFor(() => expect(menu.getAttribute('aria-expanded')).toBe('false'));
  });

  it('opens a deep link to a key directly, as after a reload', async () => {
    const { engine } = await freshEngine();
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'deep linked' });
    window.location.hash = `#/keys/${key.id}`;
    await renderWithEngine(<App />, { engine });
    await waitFor(() => expect(h1().textContent).toBe('deep linked'));
    expect(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('link', { name: 'Keys' }).getAttribute('aria-current')).toBe('page');
  });

  it('goes from the empty list to the form, generates a key and lands on its page; home counts it', async () => {
    const { user, engine } = await renderWithEngine(<App />);
    window.location.hash = '#/keys';
    await waitFor(() => expect(h1().textContent).toBe('Keys'));
    // The empty state shows once the vault has been read (the heading comes first).
    await user.click(await screen.findByRole('link', { name: 'Generate your first key' }));
    await waitFor(() => expect(h1().textContent).toBe('Generate a key'));
    await user.type(screen.getByRole('textbox', { name: /^Name/ }), 'first key');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await waitFor(() => expect(h1().textContent).toBe('first key'));
    const [key] = await engine.listKeys();
    expect(window.location.hash).toBe(`#/keys/${key!.id}`);

    await user.click(screen.getByRole('link', { name: 'Home' }));
    await waitFor(() => expectShown(screen.getByRole('region', { name: 'Your vault' })));
    const vault = screen.getByRole('region', { name: 'Your vault' });
    expect(within(vault).getByText('Keys').nextElementSibling?.textContent).toBe('1');
  });

  it('shows "Page not found" for an unknown address', async () => {
    window.location.hash = '#/nowhere';
    await renderWithEngine(<App />);
    expect(h1().textContent).toBe('Page not found');
  });

  it('the skip link moves focus to main without changing the route', async () => {
    window.location.hash = '#/keys';
    const { user } = await renderWithEngine(<App />);
    await user.click(screen.getByRole('link', { name: 'Skip to main content' }));
    expect(document.activeElement).toBe(screen.getByRole('main'));
    expect(window.location.hash).toBe('#/keys');
  });

  it('saves an explicit theme in localStorage (UI preference only) and "System" removes it', async () => {
    const { user } = await renderWithEngine(<App />);
    const theme = screen.getByRole('combobox', { name: 'Theme' });
    await user.selectOptions(theme, 'Dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    await user.selectOptions(theme, 'System');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(window.localStorage.length).toBe(0);
  });

  it('W5 shows storage as not persistent until the first generation asks for it', async () => {
    let granted = false;
    const storageManager = {
      persisted: async () => granted,
      persist: async () => (granted = true),
      estimate: async () => ({ usage: 3 * 1024, quota: 2 * 1024 ** 3 }),
    };
    window.location.hash = '#/keys/new';
    const { user } = await renderWithEngine(<App />, { storageManager });
    const status = screen.getByRole('region', { name: 'Storage status' });
    await waitFor(() => expect(status.textContent).toContain('Storage is not persistent yet'));
    expect(status.textContent).toContain('Using 3.0 KiB of 2.0 GiB');
    // The generate screen is its own chunk: it arrives after the shell.
    await user.type(await screen.findByRole('textbox', { name: /^Name/ }), 'k');
    await user.click(screen.getByRole('button', { name: 'Generate key' }));
    await waitFor(() => expect(status.textContent).toContain('Storage is persistent'));
    // The generation ends by opening the key's page: wait for it, so nothing runs after the test.
    await waitFor(() => expect(h1().textContent).toBe('k'));
  });

  it('shows a clear error screen when the vault’s storage cannot be used', async () => {
    const { engine, storage } = await freshEngine();
    storage.close();
    await renderWithEngine(<App />, { engine, preload: false });
    await waitFor(() => expect(h1().textContent).toBe('Clavis cannot use this browser’s storage'));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('STORAGE');
    expect(alert.textContent).toContain('storage: listing keys failed');
  });
});
