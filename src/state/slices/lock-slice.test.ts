// The lock slice follows the vault lock's state.
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../engine';
import { freshEngine } from '../../testing/engine';
import { assertPlainData } from '../../testing/plain-data';
import { createAppStore } from '../store';

const PASS = 'seed 002 vault passphrase';

describe('lock slice (issue 16)', () => {
  it('mirrors the engine: off, unlocked after enabling, locked by the idle timeout; only plain status data is kept', async () => {
    const clock = fixedClock(Date.UTC(2026, 0, 1));
    const { engine } = await freshEngine({ clock });
    const store = createAppStore(engine, { storageManager: {} });
    const lock = () => store.getState().lock;
    await lock().refresh();
    expect(lock().status).toEqual({ state: 'off', idleTimeoutMs: 15 * 60_000 });

    const r = await lock().enable(PASS, 5 * 60_000);
    expect(r.ok).toBe(true);
    expect(lock().status).toEqual({ state: 'unlocked', idleTimeoutMs: 5 * 60_000, locksAt: clock.now() + 5 * 60_000 });
    assertPlainData(store.getState().lock);
    expect(JSON.stringify(store.getState())).not.toContain(PASS);

    clock.advance(5 * 60_000);
    await lock().refresh();
    expect(lock().status?.state).toBe('locked');
  });

  it('a request to unlock stays until the vault is unlocked; a wrong passphrase keeps it, as plain error data', async () => {
    const { engine } = await freshEngine();
    await engine.enableLock(PASS);
    engine.lock();
    const store = createAppStore(engine, { storageManager: {} });
    const lock = () => store.getState().lock;
    await lock().refresh();
    lock().requestUnlock(true);
    expect(lock().unlockRequested).toBe(true);
    const wrong = await lock().unlock('not the passphrase');
    expect(wrong.ok ? 'ok' : wrong.error.code).toBe('WRONG_PASSPHRASE');
    expect(lock().unlockRequested).toBe(true);
    expect(lock().ops['lock.unlock']).toMatchObject({ status: 'error', error: { code: 'WRONG_PASSPHRASE' } });
    expect(JSON.stringify(store.getState())).not.toContain('not the passphrase');
    expect((await lock().unlock(PASS)).ok).toBe(true);
    expect(lock().unlockRequested).toBe(false);
    expect(lock().status?.state).toBe('unlocked');
    // Locking from elsewhere (the engine) reaches the store through the change listener.
    const locked = new Promise<void>((resolve) => {
      const unsubscribe = store.subscribe((s) => {
        if (s.lock.status?.state === 'locked') {
          unsubscribe();
          resolve();
        }
      });
    });
    engine.lock();
    await locked;
    expect(lock().status?.state).toBe('locked');
    // Asking to unlock an unlocked vault does not leave a request behind.
    await lock().unlock(PASS);
    lock().requestUnlock(true);
    expect(lock().unlockRequested).toBe(false);
  });
});
