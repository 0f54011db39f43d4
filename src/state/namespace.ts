/**
 * The one door to a namespace engine: an engine over its own IndexedDB database, apart
 * from the user's vault (the exchange demo's parties, each walkthrough's data). Features
 * open their namespaces here and never build engines themselves.
 *
 * ```ts
 * const demo = openNamespace('clavis-exchange-demo');
 * const engine = await demo.engine();   // opened once, kept for the tab
 * await walkthrough.fresh();            // deleted and reopened empty
 * await walkthrough.remove();           // closed and deleted
 * ```
 */
import { createEngine, deleteStorage, openStorage, type ClavisStorage, type Engine } from '../engine';

/** An engine over its own database. */
export interface Namespace {
  /** The IndexedDB database name. */
  readonly name: string;
  /** The namespace's engine, opened on first use and kept (reopened after another tab's upgrade). @throws STORAGE */
  engine(): Promise<Engine>;
  /** Deletes the namespace's database and opens a new, empty engine over it. @throws STORAGE */
  fresh(): Promise<Engine>;
  /** Closes and deletes the namespace's database. @throws STORAGE */
  remove(): Promise<void>;
}

/**
 * A namespace over the database `name` (never the vault's own: deleting it is refused).
 * Nothing is opened until `engine()` or `fresh()`.
 */
export function openNamespace(name: string): Namespace {
  let opening: Promise<{ storage: ClavisStorage; engine: Engine }> | undefined;
  const open = () => {
    const p = openStorage({
      name,
      // Another tab upgraded the schema and the database closed: open anew on next use.
      onVersionChange: () => {
        if (opening === p) opening = undefined;
      },
    }).then((storage) => ({ storage, engine: createEngine({ storage }) }));
    opening = p;
    p.catch(() => {
      if (opening === p) opening = undefined;
    });
    return p;
  };
  const close = async () => {
    const was = opening;
    opening = undefined;
    (await was?.catch(() => undefined))?.storage.close();
  };
  return {
    name,
    async engine() {
      return (await (opening ?? open())).engine;
    },
    async fresh() {
      await close();
      await deleteStorage(name);
      return (await open()).engine;
    },
    async remove() {
      await close();
      await deleteStorage(name);
    },
  };
}
