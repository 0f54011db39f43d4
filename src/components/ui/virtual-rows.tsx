// Table rows rendered only near the viewport, so a list of thousands stays a few dozen DOM rows.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** Rows rendered above and below the visible ones, so a fast scroll shows no gap. */
const OVERSCAN = 12;
/** A row's height until one is measured (px); rows of the lists are one line high. */
const ESTIMATE = 41;

/**
 * A request to bring the `index`th row into view: it is rendered, scrolled to the middle of
 * the viewport, then handed to `onShown` (to focus something in it). Pass a new object to
 * ask again; the same object is acted on once.
 */
export interface RowReveal {
  index: number;
  onShown?: (row: HTMLTableRowElement) => void;
}

/** The props of `VirtualRows`. */
export interface VirtualRowsProps {
  count: number;
  columns: number;
  /** The `index`th row; it must carry `data-row` (the rows are measured and found by it). */
  row: (index: number) => ReactNode;
  /**
   * Told the rendered rows `[start, end)` whenever they change (first render included), so a
   * list that loads its records on demand can fetch the ones about to be shown.
   */
  onRangeChange?: (start: number, end: number) => void;
  reveal?: RowReveal;
}

/**
 * The rows of a long table body, windowed: only the rows near the viewport are in the DOM
 * (a few dozen of 10,000), with spacer rows standing in for the rest so the page scrolls
 * as if every row were there. The page itself scrolls (no nested scroll box to trap the
 * keyboard or the wheel). The table keeps its real size for assistive technology through
 * `aria-rowcount` (set by the caller on the table: `count + 1` with the header row) and
 * each row's `aria-rowindex`.
 *
 * A list table gets all of this from `<DataTable … virtual />`; by hand:
 * `<tbody><VirtualRows count={keys.length} columns={8} row={(i) => <KeyRow key={keys[i].id} k={keys[i]} rowIndex={i + 2} />} /></tbody>`
 */
export function VirtualRows(props: VirtualRowsProps) {
  const { count, reveal } = props;
  const anchor = useRef<HTMLTableRowElement>(null);
  const [range, setRange] = useState(() => ({ start: 0, end: Math.min(count, 40), h: ESTIMATE }));
  const onRangeChange = useRef(props.onRangeChange);
  useEffect(() => {
    onRangeChange.current = props.onRangeChange;
  }, [props.onRangeChange]);

  // A new reveal renders the window around its row at once, whatever the page's scroll
  // position (state adjusted while rendering, as React advises for a changed prop); the
  // layout effect below then scrolls the page to it.
  const [asked, setAsked] = useState<RowReveal | undefined>(undefined);
  const revealed = useRef<RowReveal | undefined>(undefined);
  if (reveal !== asked) {
    setAsked(reveal);
    if (reveal && reveal.index >= 0 && reveal.index < count) {
      const index = reveal.index;
      setRange((r) => (r.start <= index && index < r.end ? r : { ...r, start: Math.max(0, index - OVERSCAN), end: Math.min(count, index + OVERSCAN + 1) }));
    }
  }

  useEffect(() => {
    let frame = 0;
    const update = () => {
      frame = 0;
      // The anchor is the first row of the body (the top spacer, or the first row).
      const body = anchor.current?.parentElement;
      if (!body) return;
      const measured = body.querySelector<HTMLElement>('tr[data-row]')?.offsetHeight;
      const h = measured && measured > 0 ? measured : ESTIMATE;
      const top = body.getBoundingClientRect().top;
      const viewport = window.innerHeight || 800;
      const start = Math.max(0, Math.min(count, Math.floor(-top / h) - OVERSCAN));
      const end = Math.max(start, Math.min(count, Math.ceil((viewport - top) / h) + OVERSCAN));
      setRange((r) => (r.start === start && r.end === end && r.h === h ? r : { start, end, h }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    window.addEventListener('scroll', schedule, { passive: true });
    window.addEventListener('resize', schedule);
    return () => {
      if (frame) cancelAnimationFrame(frame);
      window.removeEventListener('scroll', schedule);
      window.removeEventListener('resize', schedule);
    };
  }, [count]);

  const start = Math.min(range.start, count);
  const end = Math.min(Math.max(range.end, start), count);

  useEffect(() => {
    onRangeChange.current?.(start, end);
  }, [start, end]);

  // Once the revealed row is in the DOM, before the layout read of the effect above: scroll
  // it into view, so that read (and the page's scroll event) finds the window where it is.
  useLayoutEffect(() => {
    if (!asked || revealed.current === asked || asked.index < start || asked.index >= end) return;
    revealed.current = asked;
    const row = anchor.current?.parentElement?.querySelectorAll<HTMLTableRowElement>(':scope > tr[data-row]')[asked.index - start];
    if (!row) return;
    row.scrollIntoView({ block: 'center' });
    asked.onShown?.(row);
  });

  const h = range.h;
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) rows.push(props.row(i));
  return (
    <>
      <tr ref={anchor} aria-hidden="true" className="virtual-spacer" style={{ height: `${start * h}px` }}>
        <td colSpan={props.columns} />
      </tr>
      {rows}
      {end < count ? (
        <tr aria-hidden="true" className="virtual-spacer" style={{ height: `${(count - end) * h}px` }}>
          <td colSpan={props.columns} />
        </tr>
      ) : null}
    </>
  );
}
