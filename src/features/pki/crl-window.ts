// A CRL's entries read window by window as its list scrolls, in a bounded cache: 100,000 entries never sit in memory at once.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { CrlEntry } from '../../engine';
import type { Result } from '../../state/types';

/** Entries read per request (the engine's page verb takes 1–1000). */
export const CRL_WINDOW = 100;
/** Windows kept in memory: those on screen and a few around them (800 entries at most). */
export const CRL_WINDOWS_KEPT = 8;

/**
 * Windows of records by number, at most `max` of them: adding one past that drops those
 * farthest from the windows in use, never one of them.
 */
export class WindowCache<T> {
  private readonly windows = new Map<number, T>();

  constructor(private readonly max: number) {}

  get(w: number): T | undefined {
    return this.windows.get(w);
  }

  has(w: number): boolean {
    return this.windows.has(w);
  }

  get size(): number {
    return this.windows.size;
  }

  /** The windows held now, as a map of their own. */
  snapshot(): ReadonlyMap<number, T> {
    return new Map(this.windows);
  }

  /** Stores window `w`; windows `first`–`last` are in use. */
  set(w: number, value: T, first: number, last: number): void {
    this.windows.set(w, value);
    const distance = (n: number) => (n < first ? first - n : n > last ? n - last : 0);
    const far = [...this.windows.keys()].filter((n) => distance(n) > 0).sort((a, b) => distance(b) - distance(a));
    for (const n of far) {
      if (this.windows.size <= this.max) break;
      this.windows.delete(n);
    }
  }
}

/** Reads `limit` entries from `offset` of the current CRL (the slice's `crlEntries`). */
export type ReadCrlWindow = (offset: number, limit: number) => Promise<Result<{ total: number; entries: CrlEntry[] }>>;

/** What the CRL page's table needs: the real number of entries, each loaded one, and where the list is. */
export interface CrlWindows {
  /** The number of entries the engine reports; null until the first window is read. */
  total: number | null;
  /** The `index`th entry, or undefined while its window is not loaded. */
  at: (index: number) => CrlEntry | undefined;
  /** Tell it the rows on screen `[start, end)`: the windows they fall in are read if missing. */
  onRangeChange: (start: number, end: number) => void;
}

/**
 * The entries of the CRL named by `source` (its CA and number; null when there is none),
 * read through `read` in windows of `CRL_WINDOW` as the rows on screen change. A new
 * source (a rebuilt CRL) empties the cache and reads the windows on screen again; the old
 * total stays until then, so the list keeps its place.
 */
export function useCrlWindows(source: string | null, read: ReadCrlWindow): CrlWindows {
  const reader = useRef(read);
  useEffect(() => {
    reader.current = read;
  }, [read]);
  const state = useRef({ cache: new WindowCache<CrlEntry[]>(CRL_WINDOWS_KEPT), reading: new Set<number>(), first: 0, last: 0 });
  // What the table renders: the total and the cached windows as of the last read.
  const [view, setView] = useState<{ total: number | null; windows: ReadonlyMap<number, CrlEntry[]> }>({ total: null, windows: new Map() });

  const fill = useCallback(() => {
    const s = state.current;
    for (let w = s.first; w <= s.last; w++) {
      if (s.cache.has(w) || s.reading.has(w)) continue;
      s.reading.add(w);
      void reader.current(w * CRL_WINDOW, CRL_WINDOW).then((r) => {
        // An answer about a CRL no longer shown (a new source replaced the state) is dropped.
        if (state.current !== s) return;
        s.reading.delete(w);
        if (!r.ok) return; // the slice reports the error; the window is read again on the next scroll
        s.cache.set(w, r.value.entries, s.first, s.last);
        setView({ total: r.value.total, windows: s.cache.snapshot() });
      });
    }
  }, []);

  useEffect(() => {
    if (source === null) return;
    const s = state.current;
    state.current = { ...s, cache: new WindowCache<CrlEntry[]>(CRL_WINDOWS_KEPT), reading: new Set() };
    fill();
  }, [source, fill]);

  const onRangeChange = useCallback(
    (start: number, end: number) => {
      const s = state.current;
      s.first = Math.floor(start / CRL_WINDOW);
      s.last = Math.floor(Math.max(start, end - 1) / CRL_WINDOW);
      fill();
    },
    [fill],
  );

  const { windows } = view;
  const at = useCallback((index: number) => windows.get(Math.floor(index / CRL_WINDOW))?.[index % CRL_WINDOW], [windows]);
  return { total: view.total, at, onRangeChange };
}
