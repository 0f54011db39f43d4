// A8 at scale: 10,000 keys render a bounded number of rows; search and scrolling move the
// window over the whole list; the table still tells assistive technology its real size.
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { asKeyId, type KeyInfo } from '../../engine';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { KeyListPage } from './key-list-page';
import { expectShown } from '../../testing/dom';

const N = 10_000;

async function tenThousandKeys() {
  const { engine } = await freshEngine();
  const real = await engine.generateKey({ template: 'AES-GCM-256', name: 'template key' });
  // Plain metadata records, as the store holds them after a refresh of a 10k vault.
  const keys: KeyInfo[] = Array.from({ length: N }, (_, i) => ({
    ...real,
    id: asKeyId(`key_${i.toString(16).padStart(32, '0')}`),
    name: `key ${String(i).padStart(5, '0')}`,
    owner: i % 2 ? 'alice' : 'bob',
  }));
  const view = await renderWithEngine(<KeyListPage />, { engine, preload: false });
  act(() => {
    view.store.setState((s) => ({ ...s, keys: { ...s.keys, byId: Object.fromEntries(keys.map((k) => [k.id, k])), ids: keys.map((k) => k.id), listStatus: 'ready' } }));
  });
  return view;
}

const dataRows = (table: HTMLElement) => table.querySelectorAll('tbody tr[data-row]');

afterEach(() => vi.restoreAllMocks());

describe('KeyListPage at 10,000 keys', () => {
  it('renders a bounded window of rows, announces the full row count, and search narrows it', async () => {
    const { user } = await tenThousandKeys();
    const table = await screen.findByRole('table', { name: 'Keys in the vault' });
    expect(table.getAttribute('aria-rowcount')).toBe(String(N + 1));
    const rows = dataRows(table);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThanOrEqual(100);
    expectShown(screen.getByText('10000 keys'));

    const search = screen.getByRole('searchbox', { name: 'Search keys' });
    await user.type(search, 'key 09999');
    expect(within(table).getAllByRole('rowheader').map((c) => c.textContent)).toEqual(['key 09999']);
    expect(dataRows(table)[0]!.getAttribute('aria-rowindex')).toBe('2');
    await user.clear(search);
    await waitFor(() => expect(dataRows(table).length).toBeGreaterThan(1));
    expect(dataRows(table).length).toBeLessThanOrEqual(100);
    expect(table.getAttribute('aria-rowcount')).toBe(String(N + 1));
  });

  it('scrolling the page moves the window: rows far down the list are rendered, the first ones are not', async () => {
    await tenThousandKeys();
    const table = await screen.findByRole('table', { name: 'Keys in the vault' });
    const body = table.querySelector('tbody')!;
    // jsdom has no layout: place the body as if the page had scrolled 5,000 rows down.
    vi.spyOn(body, 'getBoundingClientRect').mockReturnValue({ top: -41 * 5000, bottom: 0, left: 0, right: 0, width: 0, height: 41 * N, x: 0, y: 0, toJSON: () => ({}) });
    fireEvent.scroll(window);
    // (A generous wait: the re-render after the scroll is one event away, on a busy machine too.)
    await waitFor(() => expect(table.textContent).toContain('key 05000'));
    expectShown(within(table).getByRole('rowheader', { name: 'key 05000' }));
    expect(within(table).queryByRole('rowheader', { name: 'key 00000' })).toBeNull();
    const indexes = [...dataRows(table)].map((r) => Number(r.getAttribute('aria-rowindex')));
    expect(indexes.length).toBeLessThanOrEqual(100);
    expect(indexes).toContain(5002);
  });
});
