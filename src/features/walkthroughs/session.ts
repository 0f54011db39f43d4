/**
 * The app's runners, one per walkthrough, kept for the life of the tab so Next and Back
 * reuse what already ran. A page load starts with none: opening a step's URL directly
 * rebuilds it from scratch in a fresh namespace.
 */
import { WALKTHROUGHS } from './index';
import { namespaceName, storageNamespace } from './namespace';
import { createRunner, type WalkthroughRunner } from './runner';
import type { Walkthrough } from './types';

const runners = new Map<string, WalkthroughRunner>();

/** The runner of a walkthrough over its own database `clavis-walkthrough-<id>`. */
export function runnerFor(w: Walkthrough): WalkthroughRunner {
  let r = runners.get(w.id);
  if (!r) {
    r = createRunner(w, storageNamespace(namespaceName(w.id)));
    runners.set(w.id, r);
  }
  return r;
}

/** Deletes every walkthrough's database (and nothing else). */
export async function resetAllWalkthroughs(): Promise<void> {
  for (const w of WALKTHROUGHS) await runnerFor(w).reset();
}
