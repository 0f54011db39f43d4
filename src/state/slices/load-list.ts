// Loading a long list into a slice: the newest page from an index first, then every record in bounded chunks, written once.
import { yieldToPage } from '../../engine/internal/yield';

/** What `loadList` needs from a slice. */
export interface ListLoad<T> {
  /** True while this load is the latest one: an older one stops between two reads. */
  current: () => boolean;
  /** The slice shows nothing yet, so the newest page is read and shown first. */
  empty: boolean;
  /** The newest `pageSize` records, in list order, from an index. */
  firstPage: () => Promise<T[]>;
  pageSize: number;
  /** Every record, a bounded chunk (one read) at a time, in any order. */
  chunks: () => AsyncIterable<T[]>;
  /** The list order. */
  compare: (a: T, b: T) => number;
  /** Writes the list into the slice; `complete` when it holds every record. */
  show: (list: T[], complete: boolean) => void;
}

/**
 * Loads a list that may hold 10,000 records without one long task: the first page (when the
 * slice is empty), then every chunk with the page given the event loop back between them;
 * the state changes once more, at the end. A short first page is the whole list.
 */
export async function loadList<T>(l: ListLoad<T>): Promise<void> {
  if (l.empty) {
    const first = await l.firstPage();
    if (!l.current()) return;
    if (first.length < l.pageSize) return l.show(first, true);
    l.show(first, false);
  }
  const all: T[] = [];
  for await (const chunk of l.chunks()) {
    if (!l.current()) return;
    for (const x of chunk) all.push(x);
    await yieldToPage();
  }
  if (l.current()) l.show(all.sort(l.compare), true);
}
