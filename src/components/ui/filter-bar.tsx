/**
 * The filters row every list page repeats (a search landmark with "Clear filters" while a
 * filter is set) and the count message read out when the list changes ("Showing 2 of 6 keys").
 */
import type { ReactNode } from 'react';
import { StatusMessage } from './messages';

/** The filters of a list: a search landmark named `label`, and "Clear filters" while `filtering`. */
export function FilterBar(props: { label: string; filtering: boolean; onClear: () => void; className?: string; children: ReactNode }) {
  return (
    <div role="search" className={props.className ? `filters ${props.className}` : 'filters'} aria-label={props.label}>
      {props.children}
      {props.filtering ? (
        <button type="button" className="button" onClick={props.onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}

/** "Showing 2 of 6 keys" while filtering, "6 keys" (or "1 key") otherwise. */
export function countText(shown: number, total: number, filtering: boolean, one: string, many: string): string {
  return filtering ? `Showing ${shown} of ${total} ${many}` : `${total} ${total === 1 ? one : many}`;
}

/** The count message of a list, announced as a status. */
export function CountMessage(props: { shown: number; total: number; filtering: boolean; one: string; many: string }) {
  return <StatusMessage>{countText(props.shown, props.total, props.filtering, props.one, props.many)}</StatusMessage>;
}
