// Table rows rendered only near the viewport, so a list of thousands stays a few dozen DOM rows.
import { useEffect, useRef, useState, type ReactNode } from 'react';

/** Rows rendered above and below the visible ones, so a fast scroll shows no gap. */
const OVERSCAN = 12;
/** A row's height until one is measured (px); rows of the lists are one line high. */
const ESTIMATE = 41;

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
export function VirtualRows(props: { count: number; columns: number; row: (index: number) => ReactNode }) {
  const { count } = props;
  const anchor = useRef<HTMLTableRowElement>(null);
  const [range, setRange] = useState(() => ({ start: 0, end: Math.min(count, 40), h: ESTIMATE }));

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
