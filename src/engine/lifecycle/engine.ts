/**
 * The lifecycle verbs of the engine (B2–B8): operator transitions, revocation, rotation,
 * crypto-shredding, principals, the clock, and the audit log's read side. Each verb
 * reads the key records, computes the change with the pure cores (states, dates,
 * revocation), chains its audit entries, and writes change and entries in ONE
 * IndexedDB transaction (`withAudit` + `storage.commitAudited`), retrying when the log
 * or the key moved in between.
 *
 * Common case:
 * ```ts
 * await engine.suspendKey(id, 'investigating');
 * const v2 = await engine.rotateKey(id);               // new primary; v1 decrypts only
 * const fresh = await engine.rewrap(oldCiphertext);    // re-encrypted under v2
 * const check = await engine.verifyAuditLog();         // { ok: true, … } or where it broke
 * ```
 */
import { auditDraft, withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, KeyStateError, MalformedInputError } from '../errors';
import { assertBytes } from '../internal/assert';
import type { Clock } from '../internal/clock';
import type { EngineContext } from '../keys/context';
import { armor, isArmored, parseEnvelope, unarmor } from '../keys/envelope';
import * as transfer from '../keys/transfer';

import { assertOwnerNotRevoked, cleanLabel, describeKey, generateMaterial, getKeyInfo, keyCreatedDraft, newKeyId, templateOf } from '../keys/vault';
import type { PrincipalRecord, RevocationRecord } from '../storage/schema';
import type { KeyInfo, KeyState } from '../types';
import { advance } from './dates';
import {
  applyPlannedTransition,
  isRevocationReason,
  planPrincipalRevocation,
  revokeKey as revokeRecord,
  type PlannedTransition,
  type RevocationReason,
  type UnchangedKey,
} from './revocation';
import { isDestroyedState, type LifecycleEvent } from './states';
import { assertDateOrder, isoAt, msOf, transition, type ScheduledDates } from './transition';

// ---------------------------------------------------------------------------------------
// The clock (B3, B8)

/** The engine's clock with a simulated time the app can move forward and reset. */
export interface SimulatedClock extends Clock {
  /** Moves the engine's time to `ms` (it then runs on from there), or back to the real clock with null. */
  set(ms: number | null): void;
  /** True while a simulated time is in effect. */
  simulated(): boolean;
}

/** Wraps the injected clock so walkthroughs can move time; stored dates never change. */
export function simulatedClock(base: Clock): SimulatedClock {
  let offset: number | null = null;
  return {
    now: () => base.now() + (offset ?? 0),
    set: (ms) => {
      if (ms === null) {
        offset = null;
        return;
      }
      if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: the simulated time must be epoch milliseconds or null');
      offset = ms - base.now();
    },
    simulated: () => offset !== null,
  };
}

// ---------------------------------------------------------------------------------------
// Audit drafts

const ACTOR: Record<LifecycleEvent['cause'], string> = { operator: 'operator', clock: 'clock', cascade: 'cascade' };

/** The audit draft of one applied transition of `info` (after the change). */
export function transitionDraft(ctx: EngineContext, info: KeyInfo, e: LifecycleEvent): AuditDraft {
  const details: AuditDraft['details'] = {
    keyId: info.id,
    keyringId: info.keyringId,
    version: info.version,
    from: e.from,
    to: e.to,
    cause: e.cause,
    effectiveAt: e.at,
  };
  if (e.reason !== undefined) details.reason = e.reason;
  return auditDraft(ctx, 'key.transition', [info.id], details, ACTOR[e.cause]);
}

const lastEventMs = (info: KeyInfo): number => {
  const last = info.history[info.history.length - 1];
  return last ? Date.parse(last.at) : Number.NEGATIVE_INFINITY;
};

/**
 * When an operator transition is recorded: now, but never before the record's last
 * event (after the simulated clock went back to real time, events may lie "ahead").
 */
const transitionTime = (info: KeyInfo, now: number): number => Math.max(now, lastEventMs(info));

const newEvents = (before: KeyInfo, after: KeyInfo): LifecycleEvent[] => after.history.slice(before.history.length);

/**
 * Certificate revocations written in the same transaction as a key change (K8, issue 14):
 * prepared by lifecycle/certificates.ts from the keys being moved.
 */
export interface CertificateCascadeStep {
  revocations: RevocationRecord[];
  drafts: AuditDraft[];
}

/** Prepares the certificate revocations of the keys a change moves (re-run on every retry). */
export type PrepareCascade = (keyIds: readonly string[]) => Promise<CertificateCascadeStep>;

/** Options of `changeKey`. */
interface ChangeOptions {
  /** More audit drafts, after the transitions' ones. */
  extra?: (after: KeyInfo) => AuditDraft[];
  /** Certificate revocations committed with the change. */
  cascade?: PrepareCascade;
}

/**
 * Applies due clock transitions, then `apply`, to one key, and stores the result with
 * one audit entry per transition; entering a destroyed state deletes the material in
 * the same transaction (crypto-shredding).
 */
async function changeKey(ctx: EngineContext, id: string, apply: (current: KeyInfo, at: number) => KeyInfo, opts: ChangeOptions = {}): Promise<KeyInfo> {
  return withAudit(ctx, async () => {
    const before = await getKeyInfo(ctx, id);
    const now = ctx.clock.now();
    const clocked = advance(before, now).record;
    const after = apply(clocked, transitionTime(clocked, now));
    const drafts = newEvents(before, after).map((e) => transitionDraft(ctx, after, e));
    drafts.push(...(opts.extra?.(after) ?? []));
    const cascade = opts.cascade ? await opts.cascade([after.id]) : undefined;
    if (cascade) drafts.push(...cascade.drafts);
    const shred = isDestroyedState(after.state) && !isDestroyedState(before.state);
    return {
      drafts,
      commit: async (audit) => {
        await ctx.storage.commitAudited({
          ...audit,
          putKeys: [{ info: after, before }],
          ...(shred ? { deleteMaterial: [after.id] } : {}),
          ...(cascade?.revocations.length ? { addRevocations: cascade.revocations } : {}),
        });
        return after;
      },
    };
  });
}

const operatorMove = (to: KeyState, reason?: string) => (rec: KeyInfo, at: number) =>
  transition(rec, to, { cause: 'operator', at, ...(reason !== undefined ? { reason: cleanLabel(reason, 'reason', false) } : {}) });

// ---------------------------------------------------------------------------------------
// Operator transitions (B1)

/** Pre-activation → active (SP 800-57 #4). @throws KEY_STATE naming the state and the rule */
export function activateKey(ctx: EngineContext, id: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('active'));
}

/** Active → suspended (SP 800-57 #7): stops protecting; processing needs `acknowledgeRisk`. @throws KEY_STATE */
export function suspendKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('suspended', reason));
}

/** Suspended → active (SP 800-57 #10), only before the protect-stop date. @throws KEY_STATE */
export function resumeKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('active', reason));
}

/** Active or suspended → deactivated (SP 800-57 #8, #12): process only from now on. @throws KEY_STATE */
export function deactivateKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, operatorMove('deactivated', reason));
}

/** Options of `revokeKey` / `compromiseKey`. */
export interface RevokeKeyOptions {
  /** For compromise reasons: when the compromise is believed to have happened, epoch ms. */
  compromiseOccurredAt?: number;
}

/**
 * Revokes a key for an RFC 5280 reason (revocation.ts): a compromise reason moves any
 * state to compromised (destroyed → destroyed-compromised); certificateHold suspends an
 * active key; other reasons deactivate an active key (KMIP: only an active key).
 * @throws KEY_STATE naming the state and the rule; INVALID_ARGUMENT for an unknown reason
 */
export function revokeKey(ctx: EngineContext, id: string, reason: RevocationReason, opts: RevokeKeyOptions = {}, cascade?: PrepareCascade): Promise<KeyInfo> {
  if (!isRevocationReason(reason)) return Promise.reject(new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason'));
  return changeKey(
    ctx,
    id,
    (rec, at) => revokeRecord(rec, reason, { at, cause: 'operator', ...(opts.compromiseOccurredAt !== undefined ? { compromiseOccurredAt: opts.compromiseOccurredAt } : {}) }),
    cascade ? { cascade } : {},
  );
}

/**
 * Prepares marking a key compromised as the consequence of another change (the CA revoking
 * a certificate of the key for keyCompromise, K8): due clock transitions, then the
 * compromise (cause `cascade`), with one audit draft per transition. The caller writes
 * `after` (checked against `before`) and the drafts in its own transaction. Undefined when
 * the key is already compromised (or destroyed-compromised).
 * @throws KEY_NOT_FOUND
 */
export async function prepareCompromise(
  ctx: EngineContext,
  id: string,
  opts: RevokeKeyOptions = {},
): Promise<{ before: KeyInfo; after: KeyInfo; drafts: AuditDraft[] } | undefined> {
  const before = await getKeyInfo(ctx, id);
  const now = ctx.clock.now();
  const clocked = advance(before, now).record;
  if (clocked.state === 'compromised' || clocked.state === 'destroyed-compromised') return undefined;
  const at = transitionTime(clocked, now);
  const occurred = opts.compromiseOccurredAt !== undefined ? Math.min(opts.compromiseOccurredAt, at) : undefined;
  const after = revokeRecord(clocked, 'keyCompromise', { at, cause: 'cascade', ...(occurred !== undefined ? { compromiseOccurredAt: occurred } : {}) });
  return { before, after, drafts: newEvents(before, after).map((e) => transitionDraft(ctx, after, e)) };
}

/** Marks a key compromised (revocation reason keyCompromise). @throws KEY_STATE */
export function compromiseKey(ctx: EngineContext, id: string, opts: RevokeKeyOptions = {}): Promise<KeyInfo> {
  return revokeKey(ctx, id, 'keyCompromise', opts);
}

/**
 * Destroys a key (B6): its material is deleted (crypto-shredding) and its metadata stays
 * as a tombstone in state destroyed, or destroyed-compromised for a compromised key.
 * Only pre-activation, deactivated and compromised keys (KMIP); data under it can never
 * be decrypted again.
 * @throws KEY_STATE naming the state and the rule
 */
export function destroyKey(ctx: EngineContext, id: string, reason?: string): Promise<KeyInfo> {
  return changeKey(ctx, id, (rec, at) => operatorMove(rec.state === 'compromised' ? 'destroyed-compromised' : 'destroyed', reason)(rec, at));
}

/**
 * Changes scheduled dates (KMIP Set Attribute). The activation date can change only
 * before activation; an activation or protect-stop date set to now or earlier takes
 * effect at once (clock transitions, audited). Destroyed keys keep their dates.
 * @throws INVALID_ARGUMENT (dates out of order), KEY_STATE
 */
export function setKeyDates(ctx: EngineContext, id: string, dates: ScheduledDates): Promise<KeyInfo> {
  const names = ['activation', 'protectStop', 'processStop', 'deactivation'] as const;
  if (!dates || typeof dates !== 'object') return Promise.reject(new EngineError('INVALID_ARGUMENT', 'lifecycle: dates are required'));
  const given = names.filter((n) => dates[n] !== undefined);
  return changeKey(
    ctx,
    id,
    (rec) => {
      if (isDestroyedState(rec.state)) throw new KeyStateError(`lifecycle: key is ${rec.state}; a destroyed key's dates are history and cannot change`);
      if (dates.activation !== undefined && rec.state !== 'pre-activation') {
        throw new KeyStateError(`lifecycle: key is ${rec.state}; the activation date can change only before activation`);
      }
      const merged: ScheduledDates = {};
      for (const n of names) {
        const v = dates[n] ?? msOf(rec.dates[n]);
        if (v !== undefined) merged[n] = v;
      }
      assertDateOrder(msOf(rec.dates.createdAt)!, merged);
      const next = { ...rec.dates };
      for (const n of given) next[n] = isoAt(dates[n]!, n);
      return advance({ ...rec, dates: next }, ctx.clock.now()).record;
    },
    {
      extra: (after) => {
        const changed: AuditDraft['details'] = {};
        for (const n of given) changed[n] = after.dates[n]!;
        return [auditDraft(ctx, 'key.dates', [after.id], { keyId: after.id, dates: changed })];
      },
    },
  );
}

// ---------------------------------------------------------------------------------------
// Rotation (B4)

const byVersion = (a: KeyInfo, b: KeyInfo) => a.version - b.version;

/** The versions of a key's keyring, oldest first. */
export async function listKeyring(ctx: EngineContext, id: string): Promise<KeyInfo[]> {
  const info = await getKeyInfo(ctx, id);
  return (await ctx.storage.listKeyring(info.keyringId)).sort(byVersion);
}

/**
 * Rotates a key's keyring (keyring.ts `rotate`, K3): a new key of the same template
 * becomes version n+1 and the primary; the old primary's originator-usage period ends
 * now (active or suspended → deactivated, reason "superseded by version n+1"), so it keeps
 * decrypting and verifying until its process-stop date. `encrypt` with any version's id
 * then uses the new primary.
 * @throws KEY_STATE (a public key alone, or a revoked owner), UNSUPPORTED, STORAGE
 */
export async function rotateKey(ctx: EngineContext, id: string): Promise<KeyInfo> {
  const first = await listKeyring(ctx, id);
  const current = first.find((k) => k.primary) ?? first[first.length - 1]!;
  if (current.kind === 'public') throw new KeyStateError('keys: a public key alone cannot be rotated: the new version needs a private key; import the new public key instead');
  const t = templateOf(current.template);
  if (!(await ctx.supports(t.name))) throw new EngineError('UNSUPPORTED', `keys: this browser does not offer ${t.label}`);
  await assertOwnerNotRevoked(ctx, current.owner);
  const exportable = current.extractable && t.extractableReason === undefined;
  const newId = newKeyId(ctx);
  const material = await generateMaterial(ctx, t, newId, t.extractableReason !== undefined || exportable);
  return withAudit(ctx, async () => {
    const ring = await listKeyring(ctx, id);
    const old = ring.find((k) => k.primary) ?? ring[ring.length - 1]!;
    const version = Math.max(...ring.map((k) => k.version)) + 1;
    const fresh = await describeKey(ctx, t, material, { name: old.name, owner: old.owner, exportable, origin: 'generated', keyring: { id: old.keyringId, version } });
    if (fresh.state !== 'active') throw new KeyStateError(`keyring: the new version is ${fresh.state}; only an active key can become the primary`);
    const now = ctx.clock.now();
    let next: KeyInfo = advance(old, now).record;
    if (next.state === 'active' || next.state === 'suspended') {
      next = transition(next, 'deactivated', { cause: 'operator', at: transitionTime(next, now), reason: `superseded by version ${version}` });
    }
    next = { ...next, primary: false };
    const drafts = [
      keyCreatedDraft(ctx, fresh),
      auditDraft(ctx, 'key.rotate', [old.keyringId, old.id, fresh.id], { keyringId: old.keyringId, previousKeyId: old.id, keyId: fresh.id, fromVersion: old.version, toVersion: version }),
      ...newEvents(old, next).map((e) => transitionDraft(ctx, next, e)),
    ];
    return {
      drafts,
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, addKeys: [{ info: fresh, material }], putKeys: [{ info: next, before: old }], ownersNotRevoked: [old.owner] });
        return fresh;
      },
    };
  });
}

/** Options of `rewrap`. */
export interface RewrapOptions {
  /** The associated data the ciphertext was made with (kept for the new one). */
  aad?: Uint8Array;
  /** Allow decrypting with a suspended or compromised version (see DecryptOptions). */
  acknowledgeRisk?: boolean;
}

/**
 * Re-encrypts a Clavis ciphertext (bytes or `clavis:v1:` armor) under the primary
 * version of the keyring of the key it names (B4: rewrap to the newest version). The
 * plaintext stays inside the engine and is wiped; the result has the input's form.
 * @throws MALFORMED_INPUT, KEY_NOT_FOUND, KEY_STATE, DECRYPT_FAILED
 */
export async function rewrap(ctx: EngineContext, ciphertext: Uint8Array | string, opts: RewrapOptions = {}): Promise<Uint8Array | string> {
  const text = typeof ciphertext === 'string';
  let bytes: Uint8Array;
  if (text) {
    const t = ciphertext.trim();
    if (!isArmored(t)) throw new MalformedInputError('keys: not a Clavis ciphertext (clavis:v1:…); Fernet tokens cannot be rewrapped');
    bytes = unarmor(t);
  } else {
    assertBytes(ciphertext, 'ciphertext');
    bytes = ciphertext;
  }
  if (parseEnvelope(bytes).type !== 'cipher') throw new MalformedInputError('keys: this is a wrapped key, not encrypted data');
  const aad = opts.aad === undefined ? {} : { aad: opts.aad };
  const use = await import('../keys/use');
  const opened = await use.decrypt(ctx, bytes, { ...aad, ...(opts.acknowledgeRisk ? { acknowledgeRisk: true } : {}) });
  try {
    const out = await use.encrypt(ctx, opened.keyId, opened.plaintext, aad);
    return text ? armor(out) : out;
  } finally {
    opened.plaintext.fill(0);
  }
}

// ---------------------------------------------------------------------------------------
// Revocation (B5)

/** A revoked key with the revocation that took it out of use. */
export interface RevokedKey {
  key: KeyInfo;
  reason: RevocationReason;
  /** ISO 8601. */
  revokedAt: string;
  cause: LifecycleEvent['cause'];
}

/** Keys revoked (by an operator or a cascade), newest revocation first, with reasons and dates. */
export async function listRevokedKeys(ctx: EngineContext): Promise<RevokedKey[]> {
  const out: RevokedKey[] = [];
  for (const key of await ctx.storage.listKeyInfos()) {
    const e = [...key.history].reverse().find((x) => isRevocationReason(x.reason));
    if (e) out.push({ key, reason: e.reason as RevocationReason, revokedAt: e.at, cause: e.cause });
  }
  return out.sort((a, b) => Date.parse(b.revokedAt) - Date.parse(a.revokedAt));
}

/** A principal (key owner) with its revocation status and how many keys it owns. */
export interface PrincipalInfo extends PrincipalRecord {
  keyCount: number;
}

/** What `revokePrincipal` did. */
export interface PrincipalRevocation {
  principal: PrincipalRecord;
  transitions: PlannedTransition[];
  unchanged: UnchangedKey[];
}

/**
 * Revokes a principal (an owner): records it as revoked, moves every key it owns per
 * `planPrincipalRevocation` (cause cascade; never-used keys are destroyed and shredded),
 * all in one transaction with one audit entry per change. New keys for it (generate,
 * import, unwrap, derive, rotate) then fail with KEY_STATE until `reinstatePrincipal`.
 * Certificates of its keys are the CA's to revoke (`certificatesToRevoke`).
 * @throws INVALID_ARGUMENT (empty owner, unknown reason), KEY_STATE (already revoked)
 */
export async function revokePrincipal(ctx: EngineContext, owner: string, reason: RevocationReason, cascade?: PrepareCascade): Promise<PrincipalRevocation> {
  const id = cleanLabel(owner, 'owner', true);
  if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'lifecycle: unknown revocation reason');
  return withAudit(ctx, async () => {
    const existing = await ctx.storage.getPrincipal(id);
    if (existing?.revoked) throw new KeyStateError(`keys: the owner was already revoked on ${existing.revokedAt ?? 'an earlier date'}`);
    const now = ctx.clock.now();
    const keys = await ctx.storage.listKeysByOwner(id);
    const clocked = new Map<string, KeyInfo>(keys.map((k) => [k.id, advance(k, now).record]));
    const plan = planPrincipalRevocation([...clocked.values()].map((record) => ({ keyId: record.id, record })), reason);
    for (const t of plan.transitions) {
      const rec = clocked.get(t.keyId)!;
      clocked.set(t.keyId, applyPlannedTransition(rec, t, transitionTime(rec, now)));
    }
    const principal: PrincipalRecord = { ...existing, id, revoked: true, reason, revokedAt: isoAt(now) };
    const drafts: AuditDraft[] = [auditDraft(ctx, 'principal.revoke', [], { principal: { name: id }, reason, keys: keys.length })];
    const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
    const deleteMaterial: string[] = [];
    for (const before of keys) {
      const after = clocked.get(before.id)!;
      const events = newEvents(before, after);
      if (events.length === 0) continue;
      putKeys.push({ info: after, before });
      drafts.push(...events.map((e) => transitionDraft(ctx, after, e)));
      if (isDestroyedState(after.state) && !isDestroyedState(before.state)) deleteMaterial.push(after.id);
    }
    const certs = cascade ? await cascade(plan.transitions.map((t) => t.keyId)) : undefined;
    if (certs) drafts.push(...certs.drafts);
    return {
      drafts,
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, putKeys, deleteMaterial, putPrincipals: [principal], ...(certs?.revocations.length ? { addRevocations: certs.revocations } : {}) });
        return { principal, transitions: plan.transitions, unchanged: plan.unchanged };
      },
    };
  });
}

/** Lifts a principal's revocation: new keys may be created for it again (its keys stay as they are). @throws KEY_STATE when not revoked */
export async function reinstatePrincipal(ctx: EngineContext, owner: string): Promise<PrincipalRecord> {
  const id = cleanLabel(owner, 'owner', true);
  return withAudit(ctx, async () => {
    const existing = await ctx.storage.getPrincipal(id);
    if (!existing?.revoked) throw new KeyStateError('keys: the owner is not revoked');
    const principal: PrincipalRecord = { ...existing, revoked: false, reinstatedAt: isoAt(ctx.clock.now()) };
    return {
      drafts: [auditDraft(ctx, 'principal.reinstate', [], { principal: { name: id } })],
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, putPrincipals: [principal] });
        return principal;
      },
    };
  });
}

/** Every owner of a key, and every principal ever revoked, by name. */
export async function listPrincipals(ctx: EngineContext): Promise<PrincipalInfo[]> {
  const [keys, records] = await Promise.all([ctx.storage.listKeyInfos(), ctx.storage.listPrincipals()]);
  const out = new Map<string, PrincipalInfo>();
  for (const r of records) out.set(r.id, { ...r, keyCount: 0 });
  for (const k of keys) {
    if (k.owner === '') continue;
    const p = out.get(k.owner) ?? { id: k.owner, revoked: false, keyCount: 0 };
    p.keyCount++;
    out.set(k.owner, p);
  }
  return [...out.values()].sort((a, b) => a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------------------------------
// Clock-driven transitions (B3)

/** One transition the clock applied. */
export interface AppliedTransition {
  keyId: string;
  from: KeyState;
  to: KeyState;
  /** The date that was reached, ISO 8601. */
  at: string;
}

/**
 * Applies every clock transition due at `now` (default: the engine's clock) to every
 * key, cause `clock`, each with its audit entry, in one transaction. Call at start-up,
 * from a timer (`nextDueAt`) and whenever the simulated clock moves.
 */
export async function applyDueTransitions(ctx: EngineContext, now?: number): Promise<AppliedTransition[]> {
  return withAudit(ctx, async () => {
    const at = now ?? ctx.clock.now();
    const putKeys: Array<{ info: KeyInfo; before: KeyInfo }> = [];
    const drafts: AuditDraft[] = [];
    const applied: AppliedTransition[] = [];
    // Only the keys whose next transition is due (index `byDueAt`), never the whole vault.
    for (const before of await ctx.storage.listKeysDueBy(at)) {
      const after = advance(before, at).record;
      const events = newEvents(before, after);
      if (events.length === 0) continue;
      putKeys.push({ info: after, before });
      for (const e of events) {
        drafts.push(transitionDraft(ctx, after, e));
        applied.push({ keyId: after.id, from: e.from, to: e.to, at: e.at });
      }
    }
    return {
      drafts,
      commit: async (audit) => {
        if (putKeys.length > 0) await ctx.storage.commitAudited({ ...audit, putKeys });
        return applied;
      },
    };
  });
}

/** When the next clock transition of any key falls due (epoch ms), or undefined. */
export async function nextDueAt(ctx: EngineContext): Promise<number | undefined> {
  // The first entry of the `byDueAt` index: storage keeps each record's next due date.
  return ctx.storage.firstDueAt();
}

// ---------------------------------------------------------------------------------------
// Audited export (B7)

/**
 * One export verb of keys/transfer (`exportIt`, which exports key `id` in `format`), then
 * a `key.export` audit entry (format only; never the key or the passphrase). When the
 * entry cannot be written the export is withheld. The result keeps the verb's type.
 */
export async function exportKeyAudited<T extends string | Uint8Array>(ctx: EngineContext, id: string, format: transfer.SecretExportFormat, exportIt: () => Promise<T>): Promise<T> {
  const out = await exportIt();
  try {
    await withAudit(ctx, async () => ({
      drafts: [auditDraft(ctx, 'key.export', [id], { keyId: id, format, encrypted: format === 'pkcs8-encrypted-pem' || format === 'jwe-pbes2' })],
      commit: (audit) => ctx.storage.commitAudited(audit),
    }));
  } catch (e) {
    if (out instanceof Uint8Array) out.fill(0);
    throw e;
  }
  return out;
}
