// The unlocked session of one tab: the only holder of the wrapping key, its idle timeout, and the lock status it implies.
import { EngineError } from '../errors';
import type { Clock } from '../internal/clock';
import type { ClavisStorage } from '../storage/db';
import { DEFAULT_IDLE_TIMEOUT_MS, type LockStatus } from './basics';
import { LOCK_META_KEY, isLockConfig, lockedError, type LockConfig } from './seal';

/** The session state and what reads it (see `createLockSession`). */
export interface LockSession {
  readConfig(): Promise<LockConfig | undefined>;
  /** The current config, forgetting the session when it timed out or belongs to an older lock. */
  current(): Promise<LockConfig | undefined>;
  /** The wrapping key for a use, restarting the idle timeout. @throws VAULT_LOCKED, INVALID_ARGUMENT when off */
  requireKey(): Promise<{ key: CryptoKey; config: LockConfig }>;
  statusOf(config: LockConfig | undefined): LockStatus;
  /** The status after a change, told to every listener. */
  afterChange(): Promise<LockStatus>;
  emit(s: LockStatus): void;
  /** Holds `key` for the lock whose config this is, from now. */
  start(key: CryptoKey, config: LockConfig): void;
  /** Forgets the wrapping key; false when there was none. */
  end(): boolean;
  /** The wrapping key while unlocked (restarting the idle timeout), else undefined. */
  touch(): CryptoKey | undefined;
  setIdleTimeout(ms: number): void;
  noteActivity(): void;
  listeners: Set<(s: LockStatus) => void>;
}

/** The session of one engine's lock; `clock` is real time for the idle timeout. */
export function createLockSession(storage: ClavisStorage, clock: Clock): LockSession {
  // The only place the wrapping key is held: this closure, for this tab's lifetime.
  let session: { key: CryptoKey; stamp: string; lastActivity: number; idleTimeoutMs: number } | undefined;
  const listeners = new Set<(s: LockStatus) => void>();

  const readConfig = async (): Promise<LockConfig | undefined> => {
    const v = await storage.getMeta<unknown>(LOCK_META_KEY);
    return isLockConfig(v) ? v : undefined;
  };

  const expired = (s: NonNullable<typeof session>) => clock.now() - s.lastActivity >= s.idleTimeoutMs;

  const statusOf = (config: LockConfig | undefined): LockStatus => {
    if (!config) return { state: 'off', idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS };
    if (session && session.stamp === config.stamp) {
      return { state: 'unlocked', idleTimeoutMs: config.idleTimeoutMs, locksAt: session.lastActivity + config.idleTimeoutMs };
    }
    return { state: 'locked', idleTimeoutMs: config.idleTimeoutMs };
  };

  const emit = (s: LockStatus) => listeners.forEach((l) => l(s));

  const current = async (): Promise<LockConfig | undefined> => {
    const config = await readConfig();
    if (session && (!config || session.stamp !== config.stamp || expired(session))) {
      session = undefined;
      emit(statusOf(config));
    }
    if (session && config) session.idleTimeoutMs = config.idleTimeoutMs;
    return config;
  };

  return {
    readConfig,
    current,
    statusOf,
    emit,
    listeners,
    requireKey: async () => {
      const config = await current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is off');
      if (!session) throw lockedError();
      session.lastActivity = clock.now();
      return { key: session.key, config };
    },
    afterChange: async () => {
      const s = statusOf(await readConfig());
      emit(s);
      return s;
    },
    start: (key, config) => {
      session = { key, stamp: config.stamp, lastActivity: clock.now(), idleTimeoutMs: config.idleTimeoutMs };
    },
    end: () => {
      const had = session !== undefined;
      session = undefined;
      return had;
    },
    touch: () => {
      if (!session) return undefined;
      session.lastActivity = clock.now();
      return session.key;
    },
    setIdleTimeout: (ms) => {
      if (session) session.idleTimeoutMs = ms;
    },
    noteActivity: () => {
      if (session && !expired(session)) session.lastActivity = clock.now();
    },
  };
}
