// A table of records from column definitions: caption, header row, one row per record, windowed when the list is long.
import type { HTMLAttributes, ReactNode } from 'react';
import { VirtualRows, type RowReveal } from './virtual-rows';

/** One column of a `DataTable`: its header and what its cell shows for a record. */
export interface Column<T> {
  /** The header cell's content (`<th scope="col">`); a visually hidden text names a column without a visible title. */
  header: ReactNode;
  /** The cell of `row` (the `index`th record of the table). */
  cell: (row: T, index: number) => ReactNode;
  /** The cell heads its row (`<th scope="row">`), as the name or id of a record does. */
  rowHeader?: boolean;
  /** The cell's class, the same for every row or chosen by the record. */
  className?: string | ((row: T) => string | undefined);
}

/** What a record may set on its own `<tr>`. */
export type RowAttributes = Pick<HTMLAttributes<HTMLTableRowElement>, 'className' | 'aria-current'>;

/**
 * What surrounds the table: `'region'` (the default) a focusable, named region that scrolls
 * sideways; `'none'` nothing; `{ className }` a plain box of that class (not a region, not focusable).
 */
export type TableFrame = 'region' | 'none' | { className: string };

/**
 * Records a virtual table loads on demand (a CRL of 100,000 entries): `count` is their real
 * number, `at(i)` the `i`th record or `undefined` while it is not loaded, and its row then
 * shows `loading(i)` in one cell across the columns. Load them from `onRangeChange`.
 */
export interface LazyRows<T> {
  count: number;
  at: (index: number) => T | undefined;
  loading: (index: number) => string;
}

/** The props of `DataTable`: its records are `rows`, or, in a virtual table, `lazy`. */
export type DataTableProps<T> = DataTableBase<T> & ({ rows: readonly T[]; lazy?: never } | { rows?: never; lazy: LazyRows<T>; virtual: true });

/** What every `DataTable` takes, whatever holds its records. */
export interface DataTableBase<T> {
  /** The table's name: its `<caption>`, visually hidden unless `captionShown`. Leave it out when `labelledBy` names the table (with neither, the table has no name). */
  caption?: string;
  captionShown?: boolean;
  /** The id of an element on the page (usually its heading) that names the table, in place of a caption. */
  labelledBy?: string;
  /** The name of the keyboard-scrollable region around the table; by default the caption and "(table, scrolls sideways on small screens)". */
  regionLabel?: string;
  /** Classes added after `key-table`. */
  className?: string;
  /** Leave out the `key-table` class: the table is styled by `className` and its context only. */
  plain?: boolean;
  frame?: TableFrame;
  columns: readonly Column<T>[];
  /** A stable React key per record. */
  rowKey: (row: T, index: number) => string;
  rowAttributes?: (row: T, index: number) => RowAttributes;
  /**
   * Render only the rows near the viewport (`VirtualRows`), for lists that can hold
   * thousands: the table then states its real size in `aria-rowcount` and each row its
   * `aria-rowindex`, and each rendered record row carries `data-row`.
   */
  virtual?: boolean;
  /** Virtual only: told the rendered rows `[start, end)` whenever they change (see `VirtualRows`). */
  onRangeChange?: (start: number, end: number) => void;
  /** Virtual only: bring a row into view (see `RowReveal`). */
  reveal?: RowReveal;
}

/**
 * The list table every list page repeats, inside a focusable region that scrolls sideways
 * on small screens. Columns are data: a header and a cell function each.
 *
 * `<DataTable caption="Distributed keys" columns={[{ header: 'Key id', rowHeader: true, cell: (k) => k.id }, …]} rows={keys} rowKey={(k) => k.id} />`
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { columns, virtual, lazy } = props;
  const rows = props.rows ?? [];
  const count = lazy ? lazy.count : rows.length;

  const renderRow = (row: T, index: number) => (
    <tr key={props.rowKey(row, index)} data-row={virtual || undefined} aria-rowindex={virtual ? index + 2 : undefined} {...props.rowAttributes?.(row, index)}>
      {columns.map((c, at) => {
        const className = typeof c.className === 'function' ? c.className(row) : c.className;
        return c.rowHeader ? (
          <th key={at} scope="row" className={className}>
            {c.cell(row, index)}
          </th>
        ) : (
          <td key={at} className={className}>
            {c.cell(row, index)}
          </td>
        );
      })}
    </tr>
  );

  const renderAt = (index: number) => {
    const row = lazy ? lazy.at(index) : rows[index];
    if (row !== undefined) return renderRow(row, index);
    // A record not loaded yet: a placeholder row of the same height, in its place.
    return (
      <tr key={`loading-${index}`} data-row aria-rowindex={index + 2} className="row-loading">
        <td colSpan={columns.length}>{lazy?.loading(index)}</td>
      </tr>
    );
  };

  const classes = [props.plain ? null : 'key-table', props.className].filter(Boolean).join(' ') || undefined;
  const table = (
    <table className={classes} aria-labelledby={props.labelledBy} aria-rowcount={virtual ? count + 1 : undefined}>
      {props.caption === undefined ? null : <caption className={props.captionShown ? undefined : 'visually-hidden'}>{props.caption}</caption>}
      <thead>
        <tr aria-rowindex={virtual ? 1 : undefined}>
          {columns.map((c, at) => (
            <th key={at} scope="col">
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {virtual ? (
          <VirtualRows count={count} columns={columns.length} row={renderAt} onRangeChange={props.onRangeChange} reveal={props.reveal} />
        ) : (
          rows.map(renderRow)
        )}
      </tbody>
    </table>
  );
  const frame = props.frame ?? 'region';
  if (frame === 'none') return table;
  if (frame !== 'region') return <div className={frame.className}>{table}</div>;
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={props.regionLabel ?? `${props.caption ?? ''} (table, scrolls sideways on small screens)`}>
      {table}
    </div>
  );
}
