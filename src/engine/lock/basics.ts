/**
 * The vault lock's small part that every page load needs (issue 16): its limits, the
 * pieces of key material it seals, and its status shape. The lock itself
 * (`vault-lock.ts`: PBKDF2, sealing, enable/disable) loads on first use through `lazy.ts`.
 */
import type { KeyMaterialRecord } from '../storage/schema';

/** PBKDF2-HMAC-SHA-256 iterations (OWASP Password Storage: at least 600,000). */
export const LOCK_ITERATIONS = 600_000;
export const LOCK_SALT_BYTES = 16;
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;
export const MIN_IDLE_TIMEOUT_MS = 60_000;
export const MAX_IDLE_TIMEOUT_MS = 24 * 60 * 60_000;

/** The pieces of key material the lock seals: the extractable secret and private halves. */
export const PIECES = ['secret', 'macSecret', 'privateKey'] as const;

/** True when a material record has an extractable piece the lock would seal. */
export function hasExtractablePiece(m: KeyMaterialRecord): boolean {
  return PIECES.some((f) => m[f]?.extractable === true);
}

/** What the app shows: off, locked or unlocked (with when the idle timeout locks it). */
export interface LockStatus {
  state: 'off' | 'locked' | 'unlocked';
  /** The idle timeout (ms); the default while the lock is off. */
  idleTimeoutMs: number;
  /** While unlocked: epoch ms (real time) at which the vault locks unless used. */
  locksAt?: number;
}
