/**
 * Test helpers for views: a real engine over a fresh fake-indexeddb database, a fresh
 * store, and Testing Library's render inside the EngineProvider. Only tests import this.
 */
import { render, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { expect, vi } from 'vitest';
import type { Engine } from '../engine';
import { freshEngine } from './engine';
import { EngineProvider } from '../state/engine-provider';
import type { StorageManagerLike } from '../state/slices/storage-slice';
import { createAppStore } from '../state/store';

/** Options of `renderWithEngine`. */
export interface RenderWithEngineOptions {
  /** Reuse an engine (e.g. one with keys already generated). */
  engine?: Engine;
  /** navigator.storage stand-in; by default none (the API is absent). */
  storageManager?: StorageManagerLike;
  /** Load the key list and templates before rendering (default true), as the shell does. */
  preload?: boolean;
}

/** Renders `ui` with a real engine and store. */
export async function renderWithEngine(ui: ReactElement, opts: RenderWithEngineOptions = {}) {
  const engine = opts.engine ?? (await freshEngine()).engine;
  const store = createAppStore(engine, { storageManager: opts.storageManager ?? {} });
  if (opts.preload !== false) {
    await Promise.all([store.getState().keys.refresh(), store.getState().keys.loadTemplates()]);
  }
  const user = userEvent.setup();
  const view = render(
    <EngineProvider engine={engine} store={store}>
      {ui}
    </EngineProvider>,
  );
  return { ...view, engine, store, user };
}

/** A file the page saved through `downloadFile`. */
export interface CapturedDownload {
  name: string;
  blob: Blob;
}

/**
 * Records downloads instead of letting jsdom try to navigate to blob: URLs: the Blob
 * given to URL.createObjectURL and the name of the `<a download>` that was clicked.
 * Restored by `vi.restoreAllMocks()`.
 */
export function captureDownloads(): CapturedDownload[] {
  const blobs = new Map<string, Blob>();
  const files: CapturedDownload[] = [];
  let n = 0;
  vi.spyOn(URL, 'createObjectURL').mockImplementation((obj: Blob | MediaSource) => {
    const url = `blob:http://localhost:3000/capture-${++n}`;
    blobs.set(url, obj as Blob);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url: string) => void blobs.delete(url));
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (this.download && blob) files.push({ name: this.download, blob });
  });
  return files;
}

/**
 * Clicks `button` once it is enabled. A button a page disables while an earlier operation
 * runs (a key page exports its PEM on mount) ignores a click, so a test that clicked at
 * once would wait for an effect that never comes whenever the machine is slow.
 */
export async function clickWhenEnabled(user: ReturnType<typeof userEvent.setup>, button: HTMLElement): Promise<void> {
  await waitFor(() => expect((button as HTMLButtonElement).disabled, `${button.textContent ?? ''} is enabled`).toBe(false));
  await user.click(button);
}
