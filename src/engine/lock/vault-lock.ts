/**
 * The vault lock (issue 16, seed 002): an optional passphrase under which the vault keeps
 * its EXPORTABLE key material. Non-extractable keys are unaffected: WebCrypto never lets
 * their bytes out, so the browser guards them already, and they keep working while the
 * vault is locked.
 *
 * How it works
 * - Passphrase → PBKDF2-HMAC-SHA-256, {@link LOCK_ITERATIONS} iterations (the same 600,000
 *   as the passphrase exports), a fresh 128-bit salt → a NON-extractable AES-GCM-256
 *   wrapping key. WebCrypto runs PBKDF2 asynchronously, off the page's thread, as the
 *   exports do. The wrapping key lives only in this object's memory: never in zustand,
 *   storage or logs; closing the tab drops it, so a reload starts locked.
 * - The configuration is the `meta` record `vaultLock`: salt, iterations, idle timeout, a
 *   verifier (a known text sealed under the wrapping key: a wrong passphrase fails to
 *   open it, WRONG_PASSPHRASE, and nothing changes) and a random `stamp` that changes
 *   whenever the wrapping key or the on/off state changes.
 * - While the lock is on, every extractable piece of a key's material (secret, Fernet's
 *   MAC half, private key) is stored sealed: `wrapKey('jwk', piece, wrappingKey, AES-GCM)`
 *   with a random 96-bit IV and associated data naming the key id and the field, so a
 *   sealed piece cannot be moved to another key. The `keyMaterial` record then holds no
 *   extractable CryptoKey for the key (public keys stay as they are).
 * - Enabling seals every exportable key, disabling unseals them and a passphrase change
 *   re-seals them, each in ONE transaction with the new configuration and its audit
 *   entry; all the crypto runs before the transaction. The audit head guards the set of
 *   keys (every key creation writes an audit entry), so a key made meanwhile in another
 *   tab makes the change plan again. A failure leaves the vault as it was.
 * - New exportable keys made while unlocked are sealed on their way into storage (the
 *   storage guard below); the write carries the lock's stamp, checked inside the
 *   transaction, so a key planned as plain cannot land after another tab turned the lock
 *   on. Making or using an exportable key while locked is VAULT_LOCKED.
 * - Unsealing happens per use, in `loadKey`: an exportable key is unwrapped for the one
 *   operation that needs it and dropped afterwards. While locked, `loadKey` still gives
 *   the public half (verify, public export, encrypt to an exportable RSA key); reading
 *   the sealed half throws VAULT_LOCKED. Nothing extractable is kept in memory
 *   between uses, and there is no cache to keep in step with deletions, rotations or
 *   other tabs; an AES-GCM unwrap costs far less than the operation it serves.
 * - Idle timeout (default 15 minutes, 1 minute to 24 hours): each unseal, seal, unlock
 *   or `noteActivity` (the app reports the user's input) restarts it; once it has passed,
 *   the next look at the lock forgets the wrapping key. The time comes from the engine's
 *   injected real clock, so tests move it without waiting.
 *
 * Homes: seal.ts (the cryptography), session.ts (the wrapping key and idle timeout),
 * guard.ts (sealing on the way into storage); this file holds the operations.
 *
 * Audited: enable, disable, passphrase and timeout changes, unlocks, and every refused
 * passphrase (action `vault.lock.*`). The details never hold a passphrase or key bytes.
 */
import { auditDraft, withAudit } from '../audit/store';
import { EngineError } from '../errors';
import type { Clock } from '../internal/clock';
import type { RandomSource } from '../internal/random';
import { assertExportPassphrase, MAX_PASSPHRASE_LENGTH } from '../keys/pkcs8-encrypted';
import type { ClavisStorage } from '../storage/db';
import type { KeyMaterialRecord } from '../storage/schema';
import { DEFAULT_IDLE_TIMEOUT_MS, LOCK_ITERATIONS, LOCK_SALT_BYTES, MAX_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS, hasExtractablePiece, type LockStatus } from './basics';
import { guardStorage } from './guard';
import { LOCK_META_KEY, deriveWrappingKey, lockedView, newLockConfig, openRecord, openVerifier, sealRecord, wrongPassphrase, type LockConfig } from './seal';
import { createLockSession } from './session';

export { DEFAULT_IDLE_TIMEOUT_MS, LOCK_ITERATIONS, LOCK_SALT_BYTES, MAX_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS, hasExtractablePiece, type LockStatus };
export { LOCK_META_KEY, type LockConfig };

/** What the lock needs from the engine. */
export interface LockContext {
  subtle: SubtleCrypto;
  storage: ClavisStorage;
  random: RandomSource;
  /** The engine's clock: dates the audit entries like every other entry. */
  clock: Clock;
  /** Real time for the idle timeout (never the walkthroughs' simulated clock). */
  idleClock: Clock;
}

function assertTimeout(ms: unknown): asserts ms is number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < MIN_IDLE_TIMEOUT_MS || ms > MAX_IDLE_TIMEOUT_MS) {
    throw new EngineError('INVALID_ARGUMENT', 'lock: the idle timeout must be a whole number of milliseconds from 1 minute to 24 hours');
  }
}

/** The vault lock of one engine. */
export interface VaultLock {
  status(): Promise<LockStatus>;
  enable(passphrase: string, opts?: { idleTimeoutMs?: number }): Promise<LockStatus>;
  unlock(passphrase: string): Promise<LockStatus>;
  lock(): void;
  disable(passphrase: string): Promise<LockStatus>;
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<LockStatus>;
  setIdleTimeout(ms: number): Promise<LockStatus>;
  /** The user did something: restart the idle timeout (no effect while locked). */
  noteActivity(): void;
  onChange(listener: (s: LockStatus) => void): () => void;
  /** Opens a stored material record for one use (VAULT_LOCKED while locked). */
  open(m: KeyMaterialRecord): Promise<KeyMaterialRecord>;
  /** The storage the engine writes through: new exportable material is sealed while the lock is on. */
  guard(storage: ClavisStorage): ClavisStorage;
}

/** Derives the key for `passphrase` and checks it against the verifier (a refusal is audited). @throws WRONG_PASSPHRASE */
async function checkPassphrase(ctx: LockContext, config: LockConfig, passphrase: unknown, action: string): Promise<CryptoKey> {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new EngineError('INVALID_ARGUMENT', 'lock: enter the vault passphrase');
  if ([...passphrase].length > MAX_PASSPHRASE_LENGTH) throw wrongPassphrase();
  const key = await deriveWrappingKey(ctx.subtle, passphrase, config.salt, config.iterations);
  try {
    await openVerifier(ctx.subtle, config, key);
    return key;
  } catch (e) {
    try {
      await withAudit(ctx, async () => ({
        drafts: [auditDraft(ctx, 'vault.lock.refused', [LOCK_META_KEY], { attempted: action, reason: 'wrong passphrase' })],
        commit: (audit) => ctx.storage.commitAudited(audit),
      }));
    } catch {
      // The refusal stands even when its audit entry could not be written.
    }
    throw wrongPassphrase(e);
  }
}

/** Every stored material record (keys with material only), for enable/disable/change. */
async function allMaterial(storage: ClavisStorage): Promise<KeyMaterialRecord[]> {
  const infos = await storage.listKeyInfos();
  const recs = await Promise.all(infos.map((i) => storage.getKeyMaterial(i.id)));
  return recs.filter((r): r is KeyMaterialRecord => r !== undefined);
}

/** The vault lock of one engine (see the doc block above). */
export function createVaultLock(ctx: LockContext): VaultLock {
  const { subtle, random, storage } = ctx;
  const s = createLockSession(storage, ctx.idleClock);
  const seal = (key: CryptoKey, m: KeyMaterialRecord) => sealRecord(subtle, random, key, m);
  const unseal = (key: CryptoKey, m: KeyMaterialRecord) => openRecord(subtle, key, m);
  /** One audited transaction: `plan` does the crypto first and returns the entry's details and the commit's extra fields. */
  const audited = (action: string, plan: () => Promise<{ details: Record<string, number>; commit: Partial<Parameters<ClavisStorage['commitAudited']>[0]> }>) =>
    withAudit(ctx, async () => {
      const { details, commit } = await plan();
      return { drafts: [auditDraft(ctx, action, [LOCK_META_KEY], details)], commit: (audit) => storage.commitAudited({ ...audit, ...commit }) };
    });

  return {
    status: async () => s.statusOf(await s.current()),

    enable: async (passphrase, opts = {}) => {
      assertExportPassphrase(passphrase);
      const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
      assertTimeout(idleTimeoutMs);
      if (await s.readConfig()) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is already on');
      const { config, key } = await newLockConfig(subtle, random, passphrase, idleTimeoutMs, new Date(ctx.clock.now()).toISOString());
      await audited('vault.lock.enable', async () => {
        // Crypto first: every exportable key sealed under the new key; then one transaction.
        const sealed: KeyMaterialRecord[] = [];
        for (const m of await allMaterial(storage)) if (hasExtractablePiece(m)) sealed.push(await seal(key, m));
        const commit = { putMaterial: sealed, putMeta: [{ key: LOCK_META_KEY, value: config }], metaStamp: { key: LOCK_META_KEY, stamp: null } };
        return { details: { sealedKeys: sealed.length, iterations: config.iterations, idleTimeoutMs }, commit };
      });
      s.start(key, config);
      return s.afterChange();
    },

    unlock: async (passphrase) => {
      const config = await s.current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is off; there is nothing to unlock');
      const key = await checkPassphrase(ctx, config, passphrase, 'unlock');
      await audited('vault.lock.unlock', async () => ({ details: { idleTimeoutMs: config.idleTimeoutMs }, commit: {} }));
      s.start(key, config);
      return s.afterChange();
    },

    lock: () => {
      if (!s.end()) return;
      void s.afterChange().catch(() => undefined);
    },

    disable: async (passphrase) => {
      const config = await s.current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is already off');
      const key = await checkPassphrase(ctx, config, passphrase, 'disable');
      await audited('vault.lock.disable', async () => {
        const plain: KeyMaterialRecord[] = [];
        for (const m of await allMaterial(storage)) if (m.sealed) plain.push(await unseal(key, m));
        return { details: { unsealedKeys: plain.length }, commit: { putMaterial: plain, deleteMeta: [LOCK_META_KEY], metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } } };
      });
      s.end();
      return s.afterChange();
    },

    changePassphrase: async (oldPassphrase, newPassphrase) => {
      assertExportPassphrase(newPassphrase);
      const config = await s.current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is off');
      const oldKey = await checkPassphrase(ctx, config, oldPassphrase, 'change-passphrase');
      const next = await newLockConfig(subtle, random, newPassphrase, config.idleTimeoutMs, config.enabledAt);
      await audited('vault.lock.change-passphrase', async () => {
        const resealed: KeyMaterialRecord[] = [];
        for (const m of await allMaterial(storage)) if (m.sealed) resealed.push(await seal(next.key, await unseal(oldKey, m)));
        const commit = { putMaterial: resealed, putMeta: [{ key: LOCK_META_KEY, value: next.config }], metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } };
        return { details: { resealedKeys: resealed.length, iterations: next.config.iterations }, commit };
      });
      s.start(next.key, next.config);
      return s.afterChange();
    },

    setIdleTimeout: async (ms) => {
      assertTimeout(ms);
      const { config } = await s.requireKey();
      const next: LockConfig = { ...config, idleTimeoutMs: ms };
      await audited('vault.lock.timeout', async () => ({
        details: { idleTimeoutMs: ms },
        commit: { putMeta: [{ key: LOCK_META_KEY, value: next }], metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } },
      }));
      s.setIdleTimeout(ms);
      return s.afterChange();
    },

    noteActivity: () => s.noteActivity(),

    onChange: (l) => {
      s.listeners.add(l);
      return () => s.listeners.delete(l);
    },

    open: async (m) => {
      if (!m.sealed) return m;
      const config = await s.current();
      const key = config ? s.touch() : undefined;
      if (!key) return lockedView(m);
      return unseal(key, m);
    },

    guard: (inner) => guardStorage(inner, s, subtle, random),
  };
}
