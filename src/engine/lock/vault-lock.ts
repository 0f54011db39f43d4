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
 * Audited: enable, disable, passphrase and timeout changes, unlocks, and every refused
 * passphrase (action `vault.lock.*`). The details never hold a passphrase or key bytes.
 */
import { auditDraft, withAudit } from '../audit/store';
import { EngineError } from '../errors';
import { utf8 } from '../internal/bytes';
import type { Clock } from '../internal/clock';
import { randomId, type RandomSource } from '../internal/random';
import { assertExportPassphrase, MAX_PASSPHRASE_LENGTH } from '../keys/pkcs8-encrypted';
import type { AuditedCommit } from '../storage/commits';
import type { ClavisStorage } from '../storage/db';
import type { KeyMaterialRecord, SealedMaterial, SealedPiece } from '../storage/schema';
import { DEFAULT_IDLE_TIMEOUT_MS, LOCK_ITERATIONS, LOCK_SALT_BYTES, MAX_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS, PIECES, hasExtractablePiece, type LockStatus } from './basics';

export { DEFAULT_IDLE_TIMEOUT_MS, LOCK_ITERATIONS, LOCK_SALT_BYTES, MAX_IDLE_TIMEOUT_MS, MIN_IDLE_TIMEOUT_MS, hasExtractablePiece, type LockStatus };

/** The `meta` key of the lock's configuration. */
export const LOCK_META_KEY = 'vaultLock';

const VERIFIER_TEXT = 'clavis vault lock v1';
type PieceName = (typeof PIECES)[number];

/** The lock's configuration as stored in `meta` (no secret in it). */
export interface LockConfig {
  v: 1;
  salt: Uint8Array<ArrayBuffer>;
  iterations: number;
  verifier: { iv: Uint8Array<ArrayBuffer>; ct: Uint8Array<ArrayBuffer> };
  idleTimeoutMs: number;
  /** Changes with every enable and passphrase change (the storage guard compares it). */
  stamp: string;
  enabledAt: string;
}


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

function lockedError(): EngineError {
  return new EngineError('VAULT_LOCKED', 'lock: the vault is locked; unlock it with its passphrase to make or use exportable keys (non-extractable keys keep working)');
}

function wrongPassphrase(cause?: unknown): EngineError {
  return new EngineError('WRONG_PASSPHRASE', 'lock: that is not the vault passphrase; nothing was changed', cause === undefined ? undefined : { cause });
}

function aad(id: string, field: PieceName): Uint8Array<ArrayBuffer> {
  return utf8(`clavis-vault-lock\u0000${id}\u0000${field}`);
}


function isLockConfig(v: unknown): v is LockConfig {
  const c = v as LockConfig | undefined;
  return !!c && c.v === 1 && c.salt instanceof Uint8Array && typeof c.iterations === 'number' && typeof c.stamp === 'string' && !!c.verifier;
}

function assertTimeout(ms: unknown): asserts ms is number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < MIN_IDLE_TIMEOUT_MS || ms > MAX_IDLE_TIMEOUT_MS) {
    throw new EngineError('INVALID_ARGUMENT', 'lock: the idle timeout must be a whole number of milliseconds from 1 minute to 24 hours');
  }
}

async function deriveWrappingKey(subtle: SubtleCrypto, passphrase: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<CryptoKey> {
  const pass = utf8(passphrase);
  try {
    const base = await subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveKey']);
    return await subtle.deriveKey({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, base, { name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'lock: this browser could not run PBKDF2 for the passphrase', { cause: e });
  } finally {
    pass.fill(0);
  }
}

/**
 * A sealed record as a locked vault offers it: the public half is there (verifying and
 * exporting a public key need no unlock); reading a sealed piece throws VAULT_LOCKED, so
 * every operation that needs the secret or private half is refused with that code.
 */
function lockedView(m: KeyMaterialRecord): KeyMaterialRecord {
  const view: KeyMaterialRecord = { id: m.id };
  if (m.publicKey) view.publicKey = m.publicKey;
  for (const f of PIECES) {
    if (m[f]) view[f] = m[f];
    else if (m.sealed?.[f]) {
      Object.defineProperty(view, f, {
        enumerable: true,
        get: () => {
          throw lockedError();
        },
      });
    }
  }
  return view;
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

export function createVaultLock(ctx: LockContext): VaultLock {
  const { subtle, random, idleClock: clock } = ctx;
  const storage = ctx.storage;
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

  /** The current config, forgetting the session when it timed out or belongs to an older lock. */
  const current = async (): Promise<LockConfig | undefined> => {
    const config = await readConfig();
    if (session && (!config || session.stamp !== config.stamp || expired(session))) {
      session = undefined;
      emit(statusOf(config));
    }
    if (session && config) session.idleTimeoutMs = config.idleTimeoutMs;
    return config;
  };

  /** The wrapping key for a use, restarting the idle timeout. */
  const requireKey = async (): Promise<{ key: CryptoKey; config: LockConfig }> => {
    const config = await current();
    if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is off');
    if (!session) throw lockedError();
    session.lastActivity = clock.now();
    return { key: session.key, config };
  };

  /** Derives the key for `passphrase` and checks it against the verifier (audited on failure). */
  const checkPassphrase = async (config: LockConfig, passphrase: unknown, action: string): Promise<CryptoKey> => {
    if (typeof passphrase !== 'string' || passphrase.length === 0) throw new EngineError('INVALID_ARGUMENT', 'lock: enter the vault passphrase');
    if ([...passphrase].length > MAX_PASSPHRASE_LENGTH) throw wrongPassphrase();
    const key = await deriveWrappingKey(subtle, passphrase, config.salt, config.iterations);
    try {
      const plain = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: config.verifier.iv, additionalData: utf8(LOCK_META_KEY) }, key, config.verifier.ct));
      if (new TextDecoder().decode(plain) !== VERIFIER_TEXT) throw new Error('verifier mismatch');
      return key;
    } catch (e) {
      try {
        await withAudit(ctx, async () => ({
          drafts: [auditDraft(ctx, 'vault.lock.refused', [LOCK_META_KEY], { attempted: action, reason: 'wrong passphrase' })],
          commit: (audit) => storage.commitAudited(audit),
        }));
      } catch {
        // The refusal stands even when its audit entry could not be written.
      }
      throw wrongPassphrase(e);
    }
  };

  const newConfig = async (passphrase: string, idleTimeoutMs: number, enabledAt: string): Promise<{ config: LockConfig; key: CryptoKey }> => {
    const salt = random(LOCK_SALT_BYTES);
    const key = await deriveWrappingKey(subtle, passphrase, salt, LOCK_ITERATIONS);
    const iv = random(12);
    const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(LOCK_META_KEY) }, key, utf8(VERIFIER_TEXT)));
    return {
      key,
      config: { v: 1, salt, iterations: LOCK_ITERATIONS, verifier: { iv, ct }, idleTimeoutMs, stamp: randomId(random, 'lock'), enabledAt },
    };
  };

  const sealPiece = async (key: CryptoKey, id: string, field: PieceName, piece: CryptoKey): Promise<SealedPiece> => {
    const iv = random(12);
    let ct: Uint8Array<ArrayBuffer>;
    try {
      ct = new Uint8Array(await subtle.wrapKey('jwk', piece, key, { name: 'AES-GCM', iv, additionalData: aad(id, field) }));
    } catch (e) {
      throw new EngineError('UNSUPPORTED', `lock: this browser cannot seal a ${piece.algorithm.name} key`, { cause: e });
    }
    const alg = piece.algorithm as SealedPiece['algorithm'];
    // A plain copy of the algorithm (KeyAlgorithm objects clone, but RSA's carries a view).
    const algorithm = JSON.parse(JSON.stringify({ ...alg, publicExponent: undefined })) as SealedPiece['algorithm'];
    return { algorithm, usages: [...piece.usages], iv, ct };
  };

  const openPiece = async (key: CryptoKey, id: string, field: PieceName, p: SealedPiece): Promise<CryptoKey> => {
    try {
      return await subtle.unwrapKey('jwk', p.ct, key, { name: 'AES-GCM', iv: p.iv, additionalData: aad(id, field) }, p.algorithm as AlgorithmIdentifier, true, p.usages);
    } catch (e) {
      throw new EngineError('DECRYPT_FAILED', 'lock: the sealed key material did not open (it was altered or belongs to another key)', { cause: e });
    }
  };

  /** Seals the extractable pieces of a record (others stay as they are). */
  const sealRecord = async (key: CryptoKey, m: KeyMaterialRecord): Promise<KeyMaterialRecord> => {
    if (!hasExtractablePiece(m)) return m;
    const out: KeyMaterialRecord = { ...m };
    const sealed: SealedMaterial = { ...(m.sealed ?? {}) };
    for (const f of PIECES) {
      const piece = m[f];
      if (piece?.extractable) {
        sealed[f] = await sealPiece(key, m.id, f, piece);
        delete out[f];
      }
    }
    out.sealed = sealed;
    return out;
  };

  const openRecord = async (key: CryptoKey, m: KeyMaterialRecord): Promise<KeyMaterialRecord> => {
    if (!m.sealed) return m;
    const out: KeyMaterialRecord = { ...m };
    delete out.sealed;
    for (const f of PIECES) {
      const p = m.sealed[f];
      if (p) out[f] = await openPiece(key, m.id, f, p);
    }
    return out;
  };

  /** Every stored material record (keys with material only), for enable/disable/change. */
  const allMaterial = async (): Promise<KeyMaterialRecord[]> => {
    const infos = await storage.listKeyInfos();
    const recs = await Promise.all(infos.map((i) => storage.getKeyMaterial(i.id)));
    return recs.filter((r): r is KeyMaterialRecord => r !== undefined);
  };

  const afterChange = async (): Promise<LockStatus> => {
    const s = statusOf(await readConfig());
    emit(s);
    return s;
  };

  const lock: VaultLock = {
    status: async () => statusOf(await current()),

    enable: async (passphrase, opts = {}) => {
      assertExportPassphrase(passphrase);
      const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
      assertTimeout(idleTimeoutMs);
      if (await readConfig()) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is already on');
      const { config, key } = await newConfig(passphrase, idleTimeoutMs, new Date(ctx.clock.now()).toISOString());
      await withAudit(ctx, async () => {
        // Crypto first: every exportable key sealed under the new key; then one transaction.
        const sealed: KeyMaterialRecord[] = [];
        for (const m of await allMaterial()) if (hasExtractablePiece(m)) sealed.push(await sealRecord(key, m));
        return {
          drafts: [auditDraft(ctx, 'vault.lock.enable', [LOCK_META_KEY], { sealedKeys: sealed.length, iterations: config.iterations, idleTimeoutMs })],
          commit: (audit) =>
            storage.commitAudited({ ...audit, putMaterial: sealed, putMeta: [{ key: LOCK_META_KEY, value: config }], metaStamp: { key: LOCK_META_KEY, stamp: null } }),
        };
      });
      session = { key, stamp: config.stamp, lastActivity: clock.now(), idleTimeoutMs };
      return afterChange();
    },

    unlock: async (passphrase) => {
      const config = await current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is off; there is nothing to unlock');
      const key = await checkPassphrase(config, passphrase, 'unlock');
      await withAudit(ctx, async () => ({
        drafts: [auditDraft(ctx, 'vault.lock.unlock', [LOCK_META_KEY], { idleTimeoutMs: config.idleTimeoutMs })],
        commit: (audit) => storage.commitAudited(audit),
      }));
      session = { key, stamp: config.stamp, lastActivity: clock.now(), idleTimeoutMs: config.idleTimeoutMs };
      return afterChange();
    },

    lock: () => {
      if (!session) return;
      session = undefined;
      void afterChange().catch(() => undefined);
    },

    disable: async (passphrase) => {
      const config = await current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is already off');
      const key = await checkPassphrase(config, passphrase, 'disable');
      await withAudit(ctx, async () => {
        const plain: KeyMaterialRecord[] = [];
        for (const m of await allMaterial()) if (m.sealed) plain.push(await openRecord(key, m));
        return {
          drafts: [auditDraft(ctx, 'vault.lock.disable', [LOCK_META_KEY], { unsealedKeys: plain.length })],
          commit: (audit) => storage.commitAudited({ ...audit, putMaterial: plain, deleteMeta: [LOCK_META_KEY], metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } }),
        };
      });
      session = undefined;
      return afterChange();
    },

    changePassphrase: async (oldPassphrase, newPassphrase) => {
      assertExportPassphrase(newPassphrase);
      const config = await current();
      if (!config) throw new EngineError('INVALID_ARGUMENT', 'lock: the vault lock is off');
      const oldKey = await checkPassphrase(config, oldPassphrase, 'change-passphrase');
      const next = await newConfig(newPassphrase, config.idleTimeoutMs, config.enabledAt);
      await withAudit(ctx, async () => {
        const resealed: KeyMaterialRecord[] = [];
        for (const m of await allMaterial()) if (m.sealed) resealed.push(await sealRecord(next.key, await openRecord(oldKey, m)));
        return {
          drafts: [auditDraft(ctx, 'vault.lock.change-passphrase', [LOCK_META_KEY], { resealedKeys: resealed.length, iterations: next.config.iterations })],
          commit: (audit) =>
            storage.commitAudited({ ...audit, putMaterial: resealed, putMeta: [{ key: LOCK_META_KEY, value: next.config }], metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } }),
        };
      });
      session = { key: next.key, stamp: next.config.stamp, lastActivity: clock.now(), idleTimeoutMs: next.config.idleTimeoutMs };
      return afterChange();
    },

    setIdleTimeout: async (ms) => {
      assertTimeout(ms);
      const { config } = await requireKey();
      const next: LockConfig = { ...config, idleTimeoutMs: ms };
      await withAudit(ctx, async () => ({
        drafts: [auditDraft(ctx, 'vault.lock.timeout', [LOCK_META_KEY], { idleTimeoutMs: ms })],
        commit: (audit) => storage.commitAudited({ ...audit, putMeta: [{ key: LOCK_META_KEY, value: next }], metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } }),
      }));
      if (session) session.idleTimeoutMs = ms;
      return afterChange();
    },

    noteActivity: () => {
      if (session && !expired(session)) session.lastActivity = clock.now();
    },

    onChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },

    open: async (m) => {
      if (!m.sealed) return m;
      const config = await current();
      if (!config || !session) return lockedView(m);
      session.lastActivity = clock.now();
      return openRecord(session.key, m);
    },

    guard: (inner) => {
      /** Seals the exportable material of new keys, and pins the lock state the plan was made for. */
      const prepare = async <C extends Pick<AuditedCommit, 'addKeys' | 'metaStamp'>>(c: C): Promise<C> => {
        const adds = c.addKeys ?? [];
        if (!adds.some(({ material }) => hasExtractablePiece(material))) return c;
        const config = await current();
        if (!config) return { ...c, metaStamp: { key: LOCK_META_KEY, stamp: null } };
        const { key } = await requireKey();
        const addKeys = await Promise.all(adds.map(async ({ info, material }) => ({ info, material: await sealRecord(key, material) })));
        return { ...c, addKeys, metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } };
      };
      return {
        ...inner,
        commitAudited: async (c) => inner.commitAudited(await prepare(c)),
        // A restore brings exportable material back: sealed like a new key's while the lock is on.
        commitRestore: async (c) => {
          if (!c.addKeys.some(({ material }) => material && hasExtractablePiece(material))) return inner.commitRestore(c);
          const config = await current();
          if (!config) return inner.commitRestore({ ...c, metaStamp: { key: LOCK_META_KEY, stamp: null } });
          const { key } = await requireKey();
          const addKeys = await Promise.all(c.addKeys.map(async ({ info, material }) => ({ info, material: material ? await sealRecord(key, material) : undefined })));
          return inner.commitRestore({ ...c, addKeys, metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } });
        },
        addKey: async (info, material) => {
          const { addKeys } = await prepare({ addKeys: [{ info, material }] });
          return inner.addKey(info, addKeys![0]!.material);
        },
      };
    },
  };
  return lock;
}

