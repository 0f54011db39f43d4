/**
 * The simulated clock (B8): move the engine's time forward to watch keys age, and back
 * to real time. While time is simulated a banner says so on every screen. Stored
 * creation dates never change; transitions the clock applies are recorded at the
 * simulated time.
 */
import { useEffect, useState } from 'react';
import type { AppliedTransition } from '../../engine';
import { addYears } from '../../engine/lifecycle/dates';
import { formatUtc } from '../../components/ui/format';
import { ErrorAlert, StatusMessage } from '../../components/ui/messages';
import { useAppStore } from '../../state/engine-provider';
import { lifecycleOpNames } from '../../state/slices/lifecycle-slice';
import { STATE_LABELS } from './labels';
import { useLifecycleOp } from './use-lifecycle';
import { href } from '../../routes/routes';
import './lifecycle.css';

const DAY = 86_400_000;
/** How often the banner re-reads the running simulated clock. */
const BANNER_REFRESH_MS = 30_000;

const at = (ms: number) => formatUtc(new Date(ms).toISOString());

/** The buttons that move the clock, with the current engine time. */
export function ClockControl() {
  const clock = useAppStore((s) => s.lifecycle.clock);
  const byId = useAppStore((s) => s.keys.byId);
  const advanceClock = useAppStore((s) => s.lifecycle.advanceClock);
  const setSimulatedTime = useAppStore((s) => s.lifecycle.setSimulatedTime);
  const op = useLifecycleOp(lifecycleOpNames.clock);
  const busy = op?.status === 'busy';
  // What the last move of this control did (not the start-up or timer runs).
  const [moved, setMoved] = useState<AppliedTransition[] | null>(null);
  const describe = (list: AppliedTransition[]) =>
    list.length > 0
      ? `The clock moved keys: ${list.map((t) => `${byId[t.keyId]?.name ?? t.keyId}: ${STATE_LABELS[t.from]} → ${STATE_LABELS[t.to]}`).join('; ')}.`
      : 'No key changed state.';
  const move = async (f: () => Promise<{ ok: true; value: AppliedTransition[] } | { ok: false }>) => {
    setMoved(null);
    const r = await f();
    if (r.ok) setMoved(r.value);
  };

  return (
    <section aria-labelledby="clock-control" className="panel clock-control">
      <h2 id="clock-control">Clock</h2>
      <p>
        {clock.simulated ? 'Simulated time' : 'Real time'}: <time dateTime={new Date(clock.now).toISOString()}>{at(clock.now)}</time>
      </p>
      <p className="hint">
        Move time forward to watch keys reach their dates: the engine applies every transition that falls due, as it would on that
        day. Creation dates never change. Returning to real time keeps what happened.
      </p>
      <div className="actions" role="group" aria-label="Move the clock">
        <button type="button" className="button" disabled={busy} onClick={() => void move(() => advanceClock(DAY))}>
          +1 day
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void move(() => advanceClock(30 * DAY))}>
          +30 days
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => void move(() => advanceClock(addYears(clock.now, 1) - clock.now))}>
          +1 year
        </button>
        <button type="button" className="button" disabled={busy || !clock.simulated} onClick={() => void move(() => setSimulatedTime(null))}>
          Back to real time
        </button>
      </div>
      <ErrorAlert error={op?.status === 'error' ? op.error : null} title="The clock did not move" />
      <StatusMessage>{moved ? describe(moved) : ''}</StatusMessage>
    </section>
  );
}

/** "Simulated time: …" on every screen while the engine's time is simulated. */
export function SimulatedTimeBanner() {
  const clock = useAppStore((s) => s.lifecycle.clock);
  const readClock = useAppStore((s) => s.lifecycle.readClock);
  const setSimulatedTime = useAppStore((s) => s.lifecycle.setSimulatedTime);
  const op = useLifecycleOp(lifecycleOpNames.clock);

  useEffect(() => {
    if (!clock.simulated) return;
    const t = setInterval(readClock, BANNER_REFRESH_MS);
    return () => clearInterval(t);
  }, [clock.simulated, readClock]);

  if (!clock.simulated) return null;
  return (
    <div className="sim-banner">
      <p role="status">
        Simulated time: <time dateTime={new Date(clock.now).toISOString()}>{at(clock.now)}</time>
      </p>
      <a href={href({ name: 'lifecycle' })}>Clock</a>
      <button type="button" className="button button-small" disabled={op?.status === 'busy'} onClick={() => void setSimulatedTime(null)}>
        Return to real time
      </button>
    </div>
  );
}
