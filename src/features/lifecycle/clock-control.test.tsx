// The simulated clock control and the banner shown while time is simulated.
import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../engine';
import { renderWithEngine } from '../../testing/render';
import { freshEngine } from '../../testing/engine';
import { ClockControl, SimulatedTimeBanner } from './clock-control';

const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const DAY = 86_400_000;

async function setup() {
  const { engine } = await freshEngine({ clock: fixedClock(T0) });
  const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'short' });
  await engine.setKeyDates(key.id, { protectStop: T0 + 10 * DAY });
  const view = await renderWithEngine(
    <>
      <SimulatedTimeBanner />
      <ClockControl />
    </>,
    { engine },
  );
  return { ...view, key };
}

describe('ClockControl and SimulatedTimeBanner', () => {
  it('B8: no banner on real time; +30 days deactivates a key and shows "Simulated time" until real time returns', async () => {
    const { user, engine, key } = await setup();
    const control = screen.getByRole('region', { name: 'Clock' });
    expect(control.textContent).toContain('Real time: 2030-01-01 12:00 UTC');
    expect(screen.queryByText(/Simulated time:/)).toBeNull();
    expect((within(control).getByRole('button', { name: 'Back to real time' }) as HTMLButtonElement).disabled).toBe(true);

    await user.click(within(control).getByRole('button', { name: '+30 days' }));
    await waitFor(() => expect(within(control).getByRole('status').textContent).toBe('The clock moved keys: short: Active → Deactivated.'));
    const banner = screen.getAllByRole('status').find((s) => s.textContent?.includes('Simulated time:'))!;
    expect(banner.textContent).toBe('Simulated time: 2030-01-31 12:00 UTC');
    expect(control.textContent).toContain('Simulated time: 2030-01-31 12:00 UTC');
    expect((await engine.getKey(key.id)).state).toBe('deactivated');
    expect(engine.now()).toBe(T0 + 30 * DAY);

    await user.click(within(control).getByRole('button', { name: '+1 day' }));
    await waitFor(() => expect(within(control).getByRole('status').textContent).toBe('No key changed state.'));
    await user.click(within(control).getByRole('button', { name: '+1 year' }));
    await waitFor(() => expect(control.textContent).toContain('Simulated time: 2031-02-01 12:00 UTC'));

    await user.click(screen.getByRole('button', { name: 'Return to real time' }));
    await waitFor(() => expect(screen.queryByText(/Simulated time:/)).toBeNull());
    expect(control.textContent).toContain('Real time: 2030-01-01 12:00 UTC');
    expect(engine.now()).toBe(T0);
    // What happened under simulated time stays; the key's creation date never moved.
    const k = await engine.getKey(key.id);
    expect(k.state).toBe('deactivated');
    expect(k.createdAt).toBe(new Date(T0).toISOString());
  });
});
