// DataTable: a named table in a named, focusable region; header and row headers; rows from data; windowed rows at 10,000, loaded or on demand.
import { fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataTable, type Column } from './data-table';

interface Fruit {
  id: string;
  name: string;
  colour: string;
  ripe: boolean;
}

const FRUIT: Fruit[] = [
  { id: 'f1', name: 'Apple', colour: 'red', ripe: true },
  { id: 'f2', name: 'Lime', colour: 'green', ripe: false },
];

const COLUMNS: Column<Fruit>[] = [
  { header: 'Name', rowHeader: true, cell: (f) => f.name },
  { header: 'Colour', cell: (f) => f.colour, className: 'mono' },
  { header: <span className="visually-hidden">Ripe</span>, cell: (f) => (f.ripe ? 'ripe' : 'not yet'), className: (f) => (f.ripe ? undefined : 'muted') },
];

afterEach(() => vi.restoreAllMocks());

describe('DataTable', () => {
  it('is a table named by its caption, inside a focusable region named after it', () => {
    render(<DataTable caption="Fruit in the bowl" columns={COLUMNS} rows={FRUIT} rowKey={(f) => f.id} />);
    const region = screen.getByRole('region', { name: 'Fruit in the bowl (table, scrolls sideways on small screens)' });
    expect(region.tabIndex).toBe(0);
    const table = within(region).getByRole('table', { name: 'Fruit in the bowl' });
    expect(table.className).toBe('key-table');
    expect(table.querySelector('caption')!.className).toBe('visually-hidden');
    expect(table.hasAttribute('aria-rowcount')).toBe(false);
  });

  it('has one header row of column headers, then a row per record headed by its row-header cell', () => {
    render(<DataTable caption="Fruit" columns={COLUMNS} rows={FRUIT} rowKey={(f) => f.id} />);
    const table = screen.getByRole('table', { name: 'Fruit' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Name', 'Colour', 'Ripe']);
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(rows[1]!).getByRole('rowheader').textContent).toBe('Apple');
    expect(within(rows[2]!).getAllByRole('cell').map((c) => [c.textContent, c.className])).toEqual([
      ['green', 'mono'],
      ['not yet', 'muted'],
    ]);
    expect(within(table).getByRole('cell', { name: 'ripe' }).hasAttribute('class')).toBe(false);
    expect(table.querySelectorAll('tr[data-row]')).toHaveLength(0);
  });

  it('takes a region label, a shown caption, extra classes and per-row attributes', () => {
    render(
      <DataTable
        caption="Fruit, ripest first"
        captionShown
        regionLabel="Fruit table"
        className="fruit-table"
        columns={COLUMNS}
        rows={FRUIT}
        rowKey={(f) => f.id}
        rowAttributes={(f) => (f.ripe ? { className: 'ripe', 'aria-current': 'true' } : {})}
      />,
    );
    const table = within(screen.getByRole('region', { name: 'Fruit table' })).getByRole('table', { name: 'Fruit, ripest first' });
    expect(table.className).toBe('key-table fruit-table');
    expect(table.querySelector('caption')!.hasAttribute('class')).toBe(false);
    const [, apple, lime] = within(table).getAllByRole('row');
    expect([apple!.className, apple!.getAttribute('aria-current')]).toEqual(['ripe', 'true']);
    expect([lime!.hasAttribute('class'), lime!.hasAttribute('aria-current')]).toEqual([false, false]);
  });

  it('plain and framed: no key-table class, named by a heading, in a plain box or in nothing', () => {
    render(
      <>
        <h3 id="fruit-heading">Fruit on the shelf</h3>
        <DataTable labelledBy="fruit-heading" plain frame={{ className: 'table-scroll' }} columns={COLUMNS} rows={FRUIT} rowKey={(f) => f.id} />
        <DataTable caption="Fruit sold" captionShown plain className="sold" frame="none" columns={COLUMNS} rows={FRUIT} rowKey={(f) => f.id} />
      </>,
    );
    expect(screen.queryByRole('region')).toBeNull();
    const shelf = screen.getByRole('table', { name: 'Fruit on the shelf' });
    expect(shelf.hasAttribute('class')).toBe(false);
    expect(shelf.querySelector('caption')).toBeNull();
    const box = shelf.parentElement!;
    expect([box.tagName, box.className, box.hasAttribute('tabindex')]).toEqual(['DIV', 'table-scroll', false]);
    const sold = screen.getByRole('table', { name: 'Fruit sold' });
    expect(sold.className).toBe('sold');
    // No frame: the table sits directly beside the other one's box.
    expect(sold.previousElementSibling).toBe(box);
  });

  it('virtual: 10,000 records put a bounded window of rows in the DOM, with the real size for assistive technology', () => {
    const N = 10_000;
    const many = Array.from({ length: N }, (_, i) => ({ id: `f${i}`, name: `fruit ${i}`, colour: 'red', ripe: true }));
    render(<DataTable caption="Many fruit" columns={COLUMNS} rows={many} rowKey={(f) => f.id} virtual />);
    const table = screen.getByRole('table', { name: 'Many fruit' });
    expect(table.getAttribute('aria-rowcount')).toBe(String(N + 1));
    expect(within(table).getAllByRole('row')[0]!.getAttribute('aria-rowindex')).toBe('1');
    const rendered = () => [...table.querySelectorAll('tbody tr[data-row]')];
    expect(rendered().length).toBeGreaterThan(0);
    expect(rendered().length).toBeLessThanOrEqual(100);
    expect(rendered()[0]!.getAttribute('aria-rowindex')).toBe('2');
    // Spacer rows stand in for the rest and are hidden from assistive technology.
    expect([...table.querySelectorAll('tbody tr:not([data-row])')].every((tr) => tr.getAttribute('aria-hidden') === 'true')).toBe(true);

    // jsdom has no layout: place the body as if the page had scrolled 5,000 rows down.
    const body = table.querySelector('tbody')!;
    vi.spyOn(body, 'getBoundingClientRect').mockReturnValue({ top: -41 * 5000, bottom: 0, left: 0, right: 0, width: 0, height: 41 * N, x: 0, y: 0, toJSON: () => ({}) });
    vi.spyOn(window, 'requestAnimationFrame').mockImplementation((f) => {
      f(0);
      return 1;
    });
    fireEvent.scroll(window);
    const names = rendered().map((tr) => within(tr as HTMLElement).getByRole('rowheader').textContent);
    expect(names).toContain('fruit 5000');
    expect(names).not.toContain('fruit 0');
    expect(rendered().length).toBeLessThanOrEqual(100);
  });

  it('virtual and lazy: the real size from the count, placeholder rows for records not loaded, the rendered range told to the caller', () => {
    const N = 5_000;
    const loaded = new Map<number, Fruit>([[1, { id: 'f1', name: 'fruit 1', colour: 'red', ripe: true }]]);
    const ranges: [number, number][] = [];
    const lazy = { count: N, at: (i: number) => loaded.get(i), loading: (i: number) => `Loading fruit ${i + 1}…` };
    const { rerender } = render(<DataTable caption="Fruit on demand" columns={COLUMNS} lazy={lazy} virtual rowKey={(f) => f.id} onRangeChange={(a, b) => ranges.push([a, b])} />);
    const table = screen.getByRole('table', { name: 'Fruit on demand' });
    expect(table.getAttribute('aria-rowcount')).toBe(String(N + 1));
    const rendered = () => [...table.querySelectorAll<HTMLElement>('tbody tr[data-row]')];
    expect(rendered().length).toBeLessThanOrEqual(100);
    expect(ranges.at(-1)).toEqual([0, rendered().length]);
    const [first, second] = rendered();
    // Row 0 is not loaded: one cell across every column says so, in its place in the table.
    expect(first!.getAttribute('aria-rowindex')).toBe('2');
    expect(within(first!).getByRole('cell').textContent).toBe('Loading fruit 1…');
    expect(within(first!).getByRole('cell').getAttribute('colspan')).toBe(String(COLUMNS.length));
    expect(within(second!).getByRole('rowheader').textContent).toBe('fruit 1');
    expect(second!.getAttribute('aria-rowindex')).toBe('3');

    loaded.set(0, { id: 'f0', name: 'fruit 0', colour: 'green', ripe: false });
    rerender(<DataTable caption="Fruit on demand" columns={COLUMNS} lazy={{ ...lazy }} virtual rowKey={(f) => f.id} onRangeChange={(a, b) => ranges.push([a, b])} />);
    expect(within(rendered()[0]!).getByRole('rowheader').textContent).toBe('fruit 0');
    expect(screen.queryByText('Loading fruit 1…')).toBeNull();
  });
});
