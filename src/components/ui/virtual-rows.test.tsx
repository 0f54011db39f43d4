// VirtualRows: tells its caller the rendered range as the page scrolls, and reveals a row far down on request.
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualRows, type RowReveal } from './virtual-rows';

const N = 10_000;
/** The row height VirtualRows assumes while jsdom measures none. */
const H = 41;

function Table(props: { onRangeChange?: (start: number, end: number) => void; reveal?: RowReveal }) {
  return (
    <table aria-label="Numbers" aria-rowcount={N + 1}>
      <tbody>
        <VirtualRows
          count={N}
          columns={1}
          row={(i) => (
            <tr key={i} data-row aria-rowindex={i + 2}>
              <td>
                <button type="button">number {i}</button>
              </td>
            </tr>
          )}
          onRangeChange={props.onRangeChange}
          reveal={props.reveal}
        />
      </tbody>
    </table>
  );
}

/** jsdom has no layout: place the table body as if the page had scrolled `row` rows down. */
function scrollTo(body: HTMLElement, row: number) {
  vi.spyOn(body, 'getBoundingClientRect').mockReturnValue({ top: -H * row, bottom: 0, left: 0, right: 0, width: 0, height: H * N, x: 0, y: 0, toJSON: () => ({}) });
}

const rendered = () => [...screen.getByRole('table', { name: 'Numbers' }).querySelectorAll('tbody tr[data-row]')].map((tr) => Number(tr.getAttribute('aria-rowindex')) - 2);

beforeEach(() => {
  vi.spyOn(window, 'requestAnimationFrame').mockImplementation((f) => {
    f(0);
    return 1;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('VirtualRows', () => {
  it('tells onRangeChange the rendered rows, first on mount and again whenever a scroll moves them', () => {
    const ranges: [number, number][] = [];
    render(<Table onRangeChange={(start, end) => ranges.push([start, end])} />);
    const shown = rendered();
    expect(ranges.at(-1)).toEqual([shown[0], shown.at(-1)! + 1]);
    expect(ranges.at(-1)![0]).toBe(0);

    const body = screen.getByRole('table', { name: 'Numbers' }).querySelector('tbody')!;
    scrollTo(body, 5000);
    fireEvent.scroll(window);
    const [start, end] = ranges.at(-1)!;
    expect(start).toBeLessThanOrEqual(5000);
    expect(end).toBeGreaterThan(5000);
    expect(end - start).toBeLessThanOrEqual(100);
    expect(rendered()).toEqual(Array.from({ length: end - start }, (_, i) => start + i));

    // A scroll that keeps the same rows reports nothing new.
    const calls = ranges.length;
    fireEvent.scroll(window);
    expect(ranges).toHaveLength(calls);
  });

  it('reveal: renders a row far down, scrolls it into view, hands it over once, and the page scroll then takes over', () => {
    // As a browser would: scrolling a row into view moves the page (here, the body's place) to it.
    const scrolled: Element[] = [];
    vi.spyOn(Element.prototype, 'scrollIntoView').mockImplementation(function (this: Element) {
      scrolled.push(this);
      scrollTo(this.closest('tbody')!, Number(this.getAttribute('aria-rowindex')) - 2 - 8);
    });
    const onShown = vi.fn((row: HTMLTableRowElement) => within(row).getByRole('button').focus());
    const reveal = { index: 7000, onShown };
    const { rerender } = render(<Table reveal={reveal} />);
    const row = screen.getByRole('button', { name: 'number 7000' }).closest('tr')!;
    expect(row.getAttribute('aria-rowindex')).toBe('7002');
    expect(scrolled).toEqual([row]);
    expect(onShown).toHaveBeenCalledTimes(1);
    expect(onShown).toHaveBeenCalledWith(row);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'number 7000' }));
    expect(rendered().length).toBeLessThanOrEqual(100);
    expect(rendered()).not.toContain(0);

    // The same request again is not acted on again.
    rerender(<Table reveal={reveal} />);
    expect(onShown).toHaveBeenCalledTimes(1);
    // A new one is, even for a row already rendered.
    act(() => rerender(<Table reveal={{ index: 7001, onShown }} />));
    expect(onShown).toHaveBeenCalledTimes(2);
    expect(scrolled.at(-1)).toBe(screen.getByRole('button', { name: 'number 7001' }).closest('tr'));

    // Where the page then scrolls, the rows follow.
    scrollTo(screen.getByRole('table', { name: 'Numbers' }).querySelector('tbody')!, 100);
    fireEvent.scroll(window);
    expect(rendered()).toContain(100);
    expect(rendered()).not.toContain(7000);
  });

  it('reveal: a row outside the list is ignored', () => {
    const onShown = vi.fn();
    render(<Table reveal={{ index: N, onShown }} />);
    expect(onShown).not.toHaveBeenCalled();
    expect(rendered()[0]).toBe(0);
  });
});
