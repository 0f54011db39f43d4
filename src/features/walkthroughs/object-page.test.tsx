// F2 "what changed, with a link to the object's own page": a step links the objects it
// made; the object page renders inside the walkthrough's namespace (its engine and a
// store of its own), never over the user's database.
import { render, screen, waitFor } from '@testing-library/react';
import { useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../engine/internal/bytes';
import { useAppStore, useAppStoreApi } from '../../state/engine-provider';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { keyLife } from './key-life';
import { storageNamespace } from './namespace';
import { WalkthroughObjectPage } from './object-page';
import { createRunner, type WalkthroughRunner } from './runner';
import { WalkthroughStepPage } from './step-page';
import { expectShown } from '../../testing/dom';

const runners: WalkthroughRunner[] = [];
afterEach(async () => {
  for (const r of runners.splice(0)) await r.reset();
});
function runnerOf() {
  const r = createRunner(keyLife, storageNamespace(`clavis-test-wt-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`));
  runners.push(r);
  return r;
}

/** Stands in for the app's key page: lists the keys of whatever engine it is given. */
function KeyNames(props: { id: string }) {
  const store = useAppStoreApi();
  const byId = useAppStore((s) => s.keys.byId);
  const count = useAppStore((s) => s.keys.ids.length);
  useEffect(() => void store.getState().keys.refresh(), [store]);
  const target = byId[props.id];
  return <p>{target ? `found ${target.name} v${target.version} (${target.state}) among ${count} keys` : 'not found'}</p>;
}

describe('walkthrough objects on their own pages', () => {
  it('F2: a step links each key it made to a page that reads the namespace, not the user’s vault', async () => {
    const runner = runnerOf();
    render(<WalkthroughStepPage walkthroughId="key-life" step={0} navigate={vi.fn()} runner={runner} />);
    const link = await screen.findByRole('link', { name: 'Key orders-db v1' });
    const v1 = (runner.state() as { v1: string }).v1;
    expect(link.getAttribute('href')).toBe(`#/walkthroughs/key-life/0/key/${v1}`);
    expectShown(screen.getByRole('link', { name: 'Key alice-signing' }));
  });

  it('F2: the object page renders the app’s page inside the namespace, with the way back to its step', async () => {
    const runner = runnerOf();
    await runner.ensure(3);
    const v2 = (runner.state() as { v2: string }).v2;
    // The user's own engine, with a key of its own, provides the surrounding app.
    const { engine: user } = await freshEngine();
    await user.generateKey({ template: 'AES-GCM-256', name: 'my own key' });
    const render = (kind: string, id: string) => (kind === 'key' ? <KeyNames id={id} /> : null);
    await renderWithEngine(<WalkthroughObjectPage walkthroughId="key-life" step={3} kind="key" objectId={v2} runner={runner} render={render} />, { engine: user });
    await waitFor(() => expectShown(screen.getByText(/^found orders-db v2 \(active\) among 3 keys$/)));
    expect(screen.queryByText(/my own key/)).toBeNull();
    expect(screen.getByRole('complementary', { name: 'Walkthrough data' }).textContent).toContain(keyLife.title);
    expect(screen.getByRole('link', { name: 'Back to step 4' }).getAttribute('href')).toBe('#/walkthroughs/key-life/3');
  });

  it('F2: opened before the walkthrough has run in this tab, the page rebuilds the step and shows its object', async () => {
    const runner = runnerOf();
    const render2 = (kind: string, id: string) => (kind === 'key' ? <KeyNames id={id} /> : null);
    const { engine: user } = await freshEngine();
    // An id from an earlier page load: the rebuilt step has new ids.
    await renderWithEngine(<WalkthroughObjectPage walkthroughId="key-life" step={0} kind="key" objectId="key_0123456789abcdef" runner={runner} render={render2} />, { engine: user });
    expect(screen.queryByRole('heading', { name: 'Walkthrough object not available' })).toBeNull();
    // Step 1 makes two keys (orders-db and alice-signing): the page lists them with their new links.
    await screen.findByRole('heading', { level: 1, name: 'Walkthrough object rebuilt' });
    expect(runner.snapshot().results).toHaveLength(1);
    const v1 = (runner.state() as { v1: string }).v1;
    expect(screen.getByRole('link', { name: 'Key orders-db v1' }).getAttribute('href')).toBe(`#/walkthroughs/key-life/0/key/${v1}`);
  });

  it('F2: an object link from this tab, opened after the data was deleted, rebuilds the step and shows the object again', async () => {
    const runner = runnerOf();
    await runner.ensure(1);
    const v1 = (runner.state() as { v1: string }).v1;
    await runner.reset();
    const { engine: user } = await freshEngine();
    const render2 = (kind: string, id: string) => (kind === 'key' ? <KeyNames id={id} /> : null);
    await renderWithEngine(<WalkthroughObjectPage walkthroughId="key-life" step={1} kind="key" objectId={v1} runner={runner} render={render2} />, { engine: user });
    // Step 2 (activate) links one key: the rebuilt step's orders-db v1, under its new id.
    await waitFor(() => expectShown(screen.getByText(/^found orders-db v1 \(active\) among 2 keys$/)));
    expect((runner.state() as { v1: string }).v1).not.toBe(v1);
    expect(screen.getByRole('complementary', { name: 'Walkthrough data' }).textContent).toMatch(/Step 2 was rebuilt from scratch/);
  });
});
