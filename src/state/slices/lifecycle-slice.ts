/**
 * The lifecycle slice (B1–B8): the engine's clock (real or simulated), the timer that
 * applies clock-driven transitions while the app is open, every lifecycle verb the
 * screens offer (transitions, revocation, rotation, dates, principals) and the audit
 * log's read side (entries, chain verification, export).
 *
 * Each action calls one engine verb, records the operation's status and `{ code,
 * message }` error under a name in `ops`, and returns a `Result` to the view that asked.
 * After any change the keys slice is refreshed and the timer re-scheduled.
 *
 * What is stored: KeyInfo metadata, revocations, principals, audit entries (plain JSON
 * by construction: the engine refuses secrets in them), verdicts, times in epoch ms.
 * What is never stored: CryptoKeys, key bytes, plaintext, passphrases.
 */
import type { StoreApi } from 'zustand/vanilla';
import {
  type AppliedTransition,
  type AuditEntry,
  type AuditVerification,
  type CertificateCascade,
  type CertificatePreview,
  type Engine,
  type KeyId,
  type KeyInfo,
  type KeyRevocationReason,
  type PrincipalInfo,
  type RevokedKey,
  type ScheduledDates,
} from '../../engine';
import { timeline } from '../../engine/lifecycle/dates';
import type { OpStatus, Result } from '../types';
import type { KeysSlice } from './keys-slice';
import { runOp } from './run-op';

/** setTimeout's largest delay (2^31 − 1 ms, about 24.8 days); longer waits are re-armed. */
export const MAX_TIMER_DELAY = 2 ** 31 - 1;
/** Wait before re-checking when a due date was reached but nothing moved (never spin). */
export const IDLE_RECHECK_MS = 60_000;
/** Window of the overview's "what changes soon". */
export const UPCOMING_DAYS = 30;
const DAY = 86_400_000;

/** Names of operations in `ops`; per-object operations end with the id. */
export const lifecycleOpNames = {
  clock: 'clock',
  overview: 'overview',
  transition: (id: string) => `transition:${id}`,
  rotate: (id: string) => `rotate:${id}`,
  dates: (id: string) => `dates:${id}`,
  keyring: (id: string) => `keyring:${id}`,
  principal: (owner: string) => `principal:${owner}`,
  preview: (id: string) => `preview:${id}`,
  auditLoad: 'audit-load',
  auditVerify: 'audit-verify',
  auditExport: 'audit-export',
} as const;

/** The operator transitions a key page offers (each one engine verb). */
export type LifecycleVerb = 'activate' | 'suspend' | 'resume' | 'deactivate' | 'compromise' | 'destroy';

/** The engine's clock as the UI shows it. */
export interface ClockState {
  simulated: boolean;
  /** The engine's time when last read, epoch ms. */
  now: number;
}

/** One scheduled date that will move (or close) a key within the window. */
export interface UpcomingChange {
  keyId: string;
  name: string;
  /** ISO 8601. */
  at: string;
  /** What happens, e.g. "protect-stop (end of originator use)". */
  label: string;
}

/** State and actions of the key lifecycle and the audit log. */
/** A key after a change, with what a revocation did to its certificates (K8). */
export type KeyChange = KeyInfo & { certificates?: CertificateCascade[] };

export interface LifecycleSlice {
  clock: ClockState;
  /** When the next clock transition falls due (epoch ms), or null. */
  nextDueAt: number | null;
  /** The clock transitions applied by the last start-up, tick or clock move. */
  lastApplied: AppliedTransition[];
  revoked: RevokedKey[];
  principals: PrincipalInfo[];
  overviewStatus: 'idle' | 'loading' | 'ready' | 'error';
  /** Versions of each loaded keyring by keyring id, oldest first. */
  keyrings: Record<string, KeyInfo[]>;
  /** Use counts by key id (each entry names its key, so the loaded keys can be listed with their brand). */
  usage: Record<string, { keyId: KeyId; count: number; lastUsedAt?: string }>;
  auditEntries: AuditEntry[];
  auditStatus: 'idle' | 'loading' | 'ready' | 'error';
  auditVerification: AuditVerification | null;
  ops: Record<string, OpStatus>;

  /**
   * Start-up: applies the transitions due now, then keeps a timer armed for the next
   * one while the app is open. Returns the function that stops the timer.
   */
  start(): Promise<() => void>;
  /** Stops the timer (the app is closing or the view unmounting). */
  stop(): void;
  /** Re-arms the timer from the engine's next due date (after a change made elsewhere). */
  reschedule(): Promise<void>;
  /** Applies the transitions due now (what the timer does). */
  applyDue(): Promise<Result<AppliedTransition[]>>;
  /** Re-reads the engine's clock. */
  readClock(): void;
  /** Moves the simulated clock to `ms`, or back to real time with null, and applies what falls due. */
  setSimulatedTime(ms: number | null): Promise<Result<AppliedTransition[]>>;
  /** Moves the simulated clock forward by `ms` from the engine's current time. */
  advanceClock(ms: number): Promise<Result<AppliedTransition[]>>;
  /** Loads revoked keys and principals. */
  loadOverview(): Promise<void>;
  /** One operator transition of a key (a compromise also revokes its certificates). */
  transition(id: KeyId, verb: LifecycleVerb, reason?: string): Promise<Result<KeyChange>>;
  /** Revokes a key for an RFC 5280 reason, and its certificates with it (K8). */
  revoke(id: KeyId, reason: KeyRevocationReason): Promise<Result<KeyChange>>;
  /** What revoking the key for `reason` will do to its certificates (for the dialog; nothing is written or kept). */
  previewRevocation(id: KeyId, reason: KeyRevocationReason): Promise<Result<CertificatePreview[]>>;
  /** A new primary version; returns the new version. */
  rotate(id: KeyId): Promise<Result<KeyInfo>>;
  /** Changes scheduled dates (epoch ms). */
  setDates(id: KeyId, dates: ScheduledDates): Promise<Result<KeyInfo>>;
  /** Loads the versions of a key's keyring and the key's use count. */
  loadKeyring(id: KeyId): Promise<Result<KeyInfo[]>>;
  /** Revokes an owner; the certificates of the keys it moved are revoked too (K8). */
  revokePrincipal(owner: string, reason: KeyRevocationReason): Promise<Result<{ certificates: CertificateCascade[] }>>;
  reinstatePrincipal(owner: string): Promise<Result<void>>;
  loadAudit(): Promise<void>;
  verifyAudit(): Promise<Result<AuditVerification>>;
  /** The log as JSON Lines, for the caller to download (not stored). */
  exportAudit(): Promise<Result<string>>;
}

/**
 * The scheduled dates of these keys that fall within [now, now + days], soonest first:
 * activations, protect-stops, deactivations, process-stops.
 */
export function upcomingChanges(keys: readonly KeyInfo[], now: number, days = UPCOMING_DAYS): UpcomingChange[] {
  const end = now + days * DAY;
  const out: UpcomingChange[] = [];
  for (const k of keys) {
    for (const p of timeline(k, now)) {
      if (p.kind !== 'scheduled') continue;
      const t = Date.parse(p.at);
      if (t >= now && t <= end) out.push({ keyId: k.id, name: k.name, at: p.at, label: p.label });
    }
  }
  return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.name.localeCompare(b.name));
}

/** The delay until `due` from `now`, clamped to what setTimeout accepts. */
export function timerDelay(due: number, now: number): number {
  return Math.min(Math.max(0, due - now), MAX_TIMER_DELAY);
}

/** Builds the lifecycle slice over an engine. */
export function createLifecycleSlice<S extends { lifecycle: LifecycleSlice; keys: KeysSlice }>(
  set: StoreApi<S>['setState'],
  get: StoreApi<S>['getState'],
  engine: Engine,
): LifecycleSlice {
  const patch = (p: Partial<LifecycleSlice> | ((l: LifecycleSlice) => Partial<LifecycleSlice>)) =>
    set((s) => ({ ...s, lifecycle: { ...s.lifecycle, ...(typeof p === 'function' ? p(s.lifecycle) : p) } }));
  const setOp = (name: string, op: OpStatus) => patch((l) => ({ ops: { ...l.ops, [name]: op } }));

  function run<T>(name: string, f: () => Promise<T>): Promise<Result<T>> {
    return runOp(setOp, name, f);
  }


  // The timer lives here, not in state (a handle is not data).
  let running = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  /** True when the last tick found a date due but nothing moved: back off instead of spinning. */
  let idle = false;
  /** The engine starts on real time and only this slice moves it. */
  let simulated = false;

  const clockNow = (): ClockState => ({ simulated, now: engine.now() });

  function clear() {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  async function schedule(): Promise<void> {
    const gen = ++generation;
    let next: number | undefined;
    try {
      next = await engine.nextDueAt();
    } catch {
      next = undefined;
    }
    if (gen !== generation) return;
    // Something changed (a key, the clock): the time the views judge keys at moves on too.
    patch({ nextDueAt: next ?? null, clock: clockNow() });
    clear();
    if (!running || next === undefined) return;
    let delay = timerDelay(next, engine.now());
    if (delay === 0 && idle) delay = IDLE_RECHECK_MS;
    timer = setTimeout(() => {
      timer = undefined;
      void get().lifecycle.applyDue();
    }, delay);
  }

  /** After any change: the key list, the overview if loaded, the keyrings shown, the timer. */
  async function afterChange(touched: readonly KeyId[] = []): Promise<void> {
    patch({ clock: clockNow() });
    const l = get().lifecycle;
    const refreshes: Array<Promise<unknown>> = [get().keys.refresh()];
    if (l.overviewStatus !== 'idle') refreshes.push(l.loadOverview());
    for (const id of touched) refreshes.push(get().lifecycle.loadKeyring(id));
    await Promise.all(refreshes);
    await schedule();
  }

  async function clockMove(target: () => number | null): Promise<Result<AppliedTransition[]>> {
    let ms: number | null = null;
    const r = await run(lifecycleOpNames.clock, () => {
      ms = target();
      const moving = engine.setSimulatedTime(ms);
      // The engine's clock has moved even if applying the due transitions fails.
      simulated = ms !== null;
      return moving;
    });
    patch({ clock: clockNow() });
    if (r.ok) {
      idle = false;
      patch({ lastApplied: r.value });
      await afterChange(Object.values(get().lifecycle.usage).map((u) => u.keyId));
    }
    return r;
  }

  const VERBS: Record<LifecycleVerb, (id: KeyId, reason?: string) => Promise<KeyChange>> = {
    activate: (id) => engine.activateKey(id),
    suspend: (id, r) => engine.suspendKey(id, r),
    resume: (id, r) => engine.resumeKey(id, r),
    deactivate: (id, r) => engine.deactivateKey(id, r),
    compromise: (id) => engine.compromiseKey(id),
    destroy: (id, r) => engine.destroyKey(id, r),
  };

  async function keyChange<T extends KeyInfo>(id: KeyId, name: string, f: () => Promise<T>): Promise<Result<T>> {
    const r = await run(name, f);
    if (r.ok) await afterChange([id]);
    return r;
  }

  return {
    clock: clockNow(),
    nextDueAt: null,
    lastApplied: [],
    revoked: [],
    principals: [],
    overviewStatus: 'idle',
    keyrings: {},
    usage: {},
    auditEntries: [],
    auditStatus: 'idle',
    auditVerification: null,
    ops: {},

    async start() {
      running = true;
      await get().lifecycle.applyDue();
      return () => get().lifecycle.stop();
    },

    stop() {
      running = false;
      generation++;
      clear();
    },

    reschedule: () => schedule(),

    async applyDue() {
      const r = await run(lifecycleOpNames.clock, () => engine.applyDueTransitions());
      if (r.ok) {
        idle = r.value.length === 0 && get().lifecycle.nextDueAt !== null && get().lifecycle.nextDueAt! <= engine.now();
        patch({ lastApplied: r.value, clock: clockNow() });
        if (r.value.length > 0) await afterChange([...new Set(r.value.map((t) => t.keyId))]);
        else await schedule();
      }
      return r;
    },

    readClock() {
      patch({ clock: clockNow() });
    },

    setSimulatedTime: (ms) => clockMove(() => ms),

    advanceClock(ms) {
      if (!Number.isFinite(ms) || ms <= 0) {
        const error = { code: 'INVALID_ARGUMENT' as const, message: 'lifecycle: the clock only moves forward by a positive time' };
        setOp(lifecycleOpNames.clock, { status: 'error', error });
        return Promise.resolve({ ok: false, error });
      }
      return clockMove(() => engine.now() + ms);
    },

    async loadOverview() {
      if (get().lifecycle.overviewStatus === 'idle') patch({ overviewStatus: 'loading' });
      const r = await run(lifecycleOpNames.overview, () => Promise.all([engine.listRevokedKeys(), engine.listPrincipals()]));
      if (r.ok) patch({ revoked: r.value[0], principals: r.value[1], overviewStatus: 'ready', clock: clockNow() });
      else patch({ overviewStatus: 'error' });
    },

    transition: (id, verb, reason) => keyChange(id, lifecycleOpNames.transition(id), () => VERBS[verb](id, reason)),

    revoke: (id, reason) => keyChange(id, lifecycleOpNames.transition(id), () => engine.revokeKey(id, reason)),
    previewRevocation: (id, reason) => run(lifecycleOpNames.preview(id), () => engine.previewKeyRevocation(id, reason)),

    rotate: (id) => keyChange(id, lifecycleOpNames.rotate(id), () => engine.rotateKey(id)),

    setDates: (id, dates) => keyChange(id, lifecycleOpNames.dates(id), () => engine.setKeyDates(id, dates)),

    async loadKeyring(id) {
      const r = await run(lifecycleOpNames.keyring(id), () => Promise.all([engine.listKeyring(id), engine.keyUsage(id)]));
      if (!r.ok) return r;
      const [ring, usage] = r.value;
      const keyringId = ring[0]?.keyringId ?? id;
      patch((l) => ({ keyrings: { ...l.keyrings, [keyringId]: ring }, usage: { ...l.usage, [id]: { keyId: id, ...usage } } }));
      return { ok: true, value: ring };
    },

    async revokePrincipal(owner, reason) {
      const r = await run(lifecycleOpNames.principal(owner), () => engine.revokePrincipal(owner, reason));
      if (!r.ok) return r;
      if (get().lifecycle.overviewStatus === 'idle') patch({ overviewStatus: 'loading' });
      await afterChange();
      return { ok: true, value: { certificates: r.value.certificates } };
    },

    async reinstatePrincipal(owner) {
      const r = await run(lifecycleOpNames.principal(owner), () => engine.reinstatePrincipal(owner));
      if (!r.ok) return r;
      if (get().lifecycle.overviewStatus === 'idle') patch({ overviewStatus: 'loading' });
      await afterChange();
      return { ok: true, value: undefined };
    },

    async loadAudit() {
      if (get().lifecycle.auditStatus === 'idle') patch({ auditStatus: 'loading' });
      const r = await run(lifecycleOpNames.auditLoad, () => engine.listAuditEntries());
      if (r.ok) patch({ auditEntries: r.value, auditStatus: 'ready' });
      else patch({ auditStatus: 'error' });
    },

    async verifyAudit() {
      patch({ auditVerification: null });
      const r = await run(lifecycleOpNames.auditVerify, () => engine.verifyAuditLog());
      if (r.ok) {
        patch({ auditVerification: r.value });
        await get().lifecycle.loadAudit();
      }
      return r;
    },

    exportAudit: () => run(lifecycleOpNames.auditExport, () => engine.exportAuditLog()),
  };
}

/**
 * Starts the lifecycle clock of an app store: applies what is due now, keeps the timer
 * armed, and re-arms it whenever the key inventory changes (a key generated or imported
 * elsewhere may fall due sooner). Returns the function that stops it all.
 */
export function startLifecycleClock<S extends { lifecycle: LifecycleSlice; keys: KeysSlice }>(store: StoreApi<S>): () => void {
  void store.getState().lifecycle.start();
  const unsubscribe = store.subscribe((s, prev) => {
    if (s.keys.byId !== prev.keys.byId) void s.lifecycle.reschedule();
  });
  return () => {
    unsubscribe();
    store.getState().lifecycle.stop();
  };
}
