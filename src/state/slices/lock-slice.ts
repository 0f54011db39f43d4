/**
 * The vault lock as the UI sees it (issue 16): off, locked or unlocked, the idle timeout
 * and when the vault locks. Only that status lives here: the passphrases go straight to
 * the engine and are never stored, and the wrapping key never leaves the engine.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { Engine, LockStatus } from '../../engine';
import type { OpStatus, Result } from '../types';
import { runOp } from './run-op';

export interface LockSlice {
  /** null until first read. */
  status: LockStatus | null;
  /** True while some screen asked for the unlock dialog (the header's control opens it). */
  unlockRequested: boolean;
  ops: Record<string, OpStatus>;
  refresh(): Promise<void>;
  requestUnlock(open: boolean): void;
  enable(passphrase: string, idleTimeoutMs?: number): Promise<Result<LockStatus>>;
  unlock(passphrase: string): Promise<Result<LockStatus>>;
  lockNow(): void;
  disable(passphrase: string): Promise<Result<LockStatus>>;
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<Result<LockStatus>>;
  setIdleTimeout(ms: number): Promise<Result<LockStatus>>;
  /** The user did something: restarts the idle timeout while unlocked. */
  noteActivity(): void;
}

export const lockOps = { enable: 'lock.enable', unlock: 'lock.unlock', disable: 'lock.disable', change: 'lock.change', timeout: 'lock.timeout' } as const;

export function createLockSlice<S extends { lock: LockSlice }>(set: StoreApi<S>['setState'], get: StoreApi<S>['getState'], engine: Engine): LockSlice {
  const patch = (p: Partial<LockSlice>) =>
    set((s) => {
      const next = { ...s.lock, ...p };
      // A request to unlock ends once the vault is no longer locked (however it got there).
      if (next.status && next.status.state !== 'locked') next.unlockRequested = false;
      return { ...s, lock: next };
    });
  const setOp = (name: string, op: OpStatus) => set((s) => ({ ...s, lock: { ...s.lock, ops: { ...s.lock.ops, [name]: op } } }));
  // The engine says when this tab's lock changes (unlock, lock, idle timeout noticed).
  engine.onLockChange((status) => patch({ status }));
  // The first read, so every screen knows the lock's state without asking.
  void Promise.resolve()
    .then(() => engine.lockStatus())
    .then((status) => patch({ status }))
    .catch(() => undefined);
  const withStatus = async (name: string, f: () => Promise<LockStatus>): Promise<Result<LockStatus>> => {
    const r = await runOp(setOp, name, f);
    if (r.ok) patch({ status: r.value });
    return r;
  };
  return {
    status: null,
    unlockRequested: false,
    ops: {},
    async refresh() {
      try {
        patch({ status: await engine.lockStatus() });
      } catch {
        // Storage trouble shows on the key list; the control keeps its last status.
      }
    },
    requestUnlock: (open) => patch({ unlockRequested: open }),
    enable: (p, ms) => withStatus(lockOps.enable, () => engine.enableLock(p, ms === undefined ? {} : { idleTimeoutMs: ms })),
    unlock(p) {
      return withStatus(lockOps.unlock, () => engine.unlock(p));
    },
    lockNow() {
      engine.lock();
      void get().lock.refresh();
    },
    disable: (p) => withStatus(lockOps.disable, () => engine.disableLock(p)),
    changePassphrase: (o, n) => withStatus(lockOps.change, () => engine.changeLockPassphrase(o, n)),
    setIdleTimeout: (ms) => withStatus(lockOps.timeout, () => engine.setLockTimeout(ms)),
    noteActivity: () => engine.noteLockActivity(),
  };
}
