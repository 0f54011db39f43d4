// CRLs due for republishing are published while Clavis is open.
import { waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { renderWithEngine } from '../../testing/render';
import { useCrlScheduler } from './crl-scheduler';

function Scheduler() {
  useCrlScheduler({ firstMs: 10, intervalMs: 40 });
  return null;
}

describe('useCrlScheduler (R6)', () => {
  it('R6 while the app is open, a CRL reaching nextUpdate is rebuilt without anyone asking', async () => {
    let now = Date.UTC(2026, 2, 1, 12);
    const { engine } = await freshEngine({ clock: { now: () => now } });
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Timer', subject: { CN: 'Timer Root' }, crlValidityDays: 2 });
    // Count the scheduler's checks: waits below are on checks having happened, not on time.
    const due = vi.spyOn(pki, 'crlsDue');
    const view = await renderWithEngine(<Scheduler />, { engine });
    // Two completed checks while nothing is due rebuild nothing.
    await waitFor(() => expect(due.mock.results.filter((r) => r.type === 'return').length).toBeGreaterThanOrEqual(2));
    await Promise.all(due.mock.results.map((r) => r.value));
    expect((await pki.getCrl(root.ca.id))?.number).toBe(1);
    now += 2 * 86_400_000 - 3_600_000;
    await waitFor(async () => expect((await pki.getCrl(root.ca.id))?.number).toBe(2));
    await waitFor(() => expect(view.store.getState().pki.crls[root.ca.id]?.number).toBe(2));
    view.unmount();
  });
});
