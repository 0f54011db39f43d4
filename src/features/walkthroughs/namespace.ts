/**
 * A walkthrough's namespace: its own engine over its own IndexedDB database, never the
 * user's. `fresh()` deletes whatever an earlier run left and opens a new, empty engine;
 * `remove()` closes it and deletes the database. Nothing else is touched, so the user's
 * keys, CAs and KDC stay exactly as they were (F2 "reset", F3).
 */
import { EngineError, type Engine } from '../../engine';
import { openNamespace } from '../../state/namespace';

/** Where a walkthrough's data lives. */
export interface WalkthroughNamespace {
  /** The IndexedDB database name. */
  readonly name: string;
  /** Deletes the namespace's database and opens a new, empty engine over it. */
  fresh(): Promise<Engine>;
  /** Closes and deletes the namespace's database. */
  remove(): Promise<void>;
}

/** Prefix of every walkthrough database: `clavis-walkthrough-<walkthrough id>`. */
export const NAMESPACE_PREFIX = 'clavis-walkthrough-';

/** The database name of a walkthrough's namespace. */
export const namespaceName = (walkthroughId: string) => `${NAMESPACE_PREFIX}${walkthroughId}`;

/** A namespace backed by its own IndexedDB database named `name`. */
export function storageNamespace(name: string): WalkthroughNamespace {
  if (!name.startsWith(NAMESPACE_PREFIX) && !name.startsWith('clavis-test-')) {
    // A guard against a typo pointing a walkthrough at the user's database.
    throw new EngineError('INVALID_ARGUMENT', `walkthroughs: a namespace database is named ${NAMESPACE_PREFIX}…`);
  }
  return openNamespace(name);
}
