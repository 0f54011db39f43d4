// The KDC's shared context: the parties' in-memory protocol state and the helpers every KDC module uses.
/**
 * `createKdcContext` holds what the modules of the KDC share: the engine context, the
 * master key, the parties' ephemeral protocol state (nonces, tickets, transcripts: memory
 * only, never stored), and the lookups, commits and refusals they all need.
 */
import { normalizeLabel, ownerKey } from '../internal/labels';
import { auditDraft, withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, isEngineError } from '../errors';
import { asPrincipalId, type KdcKeyId, type PrincipalId, type TicketId } from '../ids';
import type { EngineContext } from '../keys/context';
import { isoAt } from '../lifecycle/transition';
import type { KdcCommit, KdcCommitOutcome } from '../storage/commits';
import type { KdcHeldKeyRecord, KdcKeyRecord, KdcPrincipalRecord } from '../storage/schema';
import type { Json, Sealed } from './codec';
import * as kc from './crypto';
import { KdcRefusal, type DistributedKeyInfo, type KdcCheck, type KdcPrincipalInfo } from './types';

export const MIN_TICKET_LIFETIME_MS = 60_000;
export const MAX_TICKET_LIFETIME_MS = 24 * 3_600_000;
/** The KDC's own name in message headers. */
export const KDC_NAME = 'kdc';

const MASTER_ID = 'master';

/** A client's ticket for one session key (A's side). */
export interface ClientTicket {
  service: PrincipalId;
  ticket: Sealed;
  ticketId: TicketId;
  expiresAt: number;
  /** SHA-256 of the last AP request sent for this key (the transcript's first half). */
  apRequest?: Uint8Array<ArrayBuffer>;
  serviceConfirmed?: boolean;
}

/** A service's session for one session key (B's side). */
export interface ServiceSession {
  client: PrincipalId;
  apRequest: Uint8Array<ArrayBuffer>;
  nonceB: Uint8Array<ArrayBuffer>;
  confirmed: boolean;
}

/** A principal's own long-term key, and the previous version while old tickets stay good. */
export interface OwnLongTermKey {
  key: CryptoKey;
  kvno: number;
  previous?: { kvno: number; key: CryptoKey; acceptUntil: number };
}

/** What the KDC's modules share (one per KDC). */
export interface KdcContext {
  ctx: EngineContext;
  /** A → outstanding nonces (hex) → service (D2: single use). */
  pending: Map<string, Map<string, string>>;
  /** `${client}:${keyId}` → ticket state. */
  clientTickets: Map<string, ClientTicket>;
  /** `${service}:${keyId}` → session state. */
  serviceSessions: Map<string, ServiceSession>;
  /** The KDC's master key (created on first use). */
  master(): Promise<CryptoKey>;
  principalRecord(name: string): Promise<KdcPrincipalRecord>;
  info(p: KdcPrincipalRecord): Promise<KdcPrincipalInfo>;
  /** The KDC's working copy of a principal's long-term key. */
  kdcLongTermKey(p: KdcPrincipalRecord): Promise<CryptoKey>;
  /** A principal's own long-term key (its side of the simulation). */
  ownLongTermKey(name: string): Promise<OwnLongTermKey>;
  /** The key `holder` holds under `keyId`. @throws KEY_NOT_FOUND */
  heldKey(keyId: KdcKeyId, holder: PrincipalId): Promise<KdcHeldKeyRecord>;
  /** Commits a KDC change with its audit drafts; retries on audit conflicts. */
  commit(drafts: () => AuditDraft[], change: Omit<KdcCommit, 'head' | 'entries'>): Promise<KdcCommitOutcome>;
  /** Audits a refusal, then throws it. Never lets the audit write hide the refusal. */
  refuse(err: KdcRefusal, who: string, details: { [k: string]: Json }, subject?: string[]): Promise<never>;
}

/** Builds the shared context of a KDC over an engine context. */
export function createKdcContext(ctx: EngineContext): KdcContext {
  let masterPromise: Promise<CryptoKey> | undefined;

  function master(): Promise<CryptoKey> {
    masterPromise ??= (async () => {
      const existing = await ctx.storage.getKdcMasterKey();
      if (existing) return existing;
      const key = await kc.generateMasterKey(ctx);
      return ctx.storage.initKdcMasterKey({ id: MASTER_ID, key, createdAt: isoAt(ctx.clock.now()) });
    })();
    masterPromise.catch(() => (masterPromise = undefined));
    return masterPromise;
  }

  async function principalRecord(name: string): Promise<KdcPrincipalRecord> {
    const p = await ctx.storage.getKdcPrincipal(name);
    if (!p) throw new EngineError('KEY_NOT_FOUND', `kdc: no principal named ${name}`);
    return p;
  }

  async function info(p: KdcPrincipalRecord): Promise<KdcPrincipalInfo> {
    const owner = await ctx.storage.getPrincipal(p.name);
    return toInfo(p, owner?.revoked === true);
  }

  async function kdcLongTermKey(p: KdcPrincipalRecord): Promise<CryptoKey> {
    return kc.unwrapLongTermKey(ctx, await master(), p.wrappedKey);
  }

  async function ownLongTermKey(name: string): Promise<OwnLongTermKey> {
    const rec = await ctx.storage.getKdcPrincipalKey(name);
    if (!rec) throw new EngineError('KEY_NOT_FOUND', `kdc: ${name} holds no long-term key (not registered)`);
    return rec.previous ? { key: rec.key, kvno: rec.kvno, previous: rec.previous } : { key: rec.key, kvno: rec.kvno };
  }

  async function heldKey(keyId: KdcKeyId, holder: PrincipalId): Promise<KdcHeldKeyRecord> {
    const h = await ctx.storage.getKdcHeldKey(keyId, holder);
    if (!h) throw new EngineError('KEY_NOT_FOUND', `kdc: ${holder} holds no key ${keyId}`);
    return h;
  }

  function commit(drafts: () => AuditDraft[], change: Omit<KdcCommit, 'head' | 'entries'>) {
    return withAudit(ctx, async () => ({ drafts: drafts(), commit: (audit) => ctx.storage.commitKdc({ ...audit, ...change }) }));
  }

  async function refuse(err: KdcRefusal, who: string, details: { [k: string]: Json }, subject: string[] = []): Promise<never> {
    try {
      await commit(() => [auditDraft(ctx, 'kdc.ticket.refuse', subject, { by: { name: who }, check: err.check, error: err.message, ...details }, 'kdc')], {});
    } catch {
      // The refusal stands even if it could not be logged.
    }
    throw err;
  }

  return {
    ctx,
    pending: new Map(),
    clientTickets: new Map(),
    serviceSessions: new Map(),
    master,
    principalRecord,
    info,
    kdcLongTermKey,
    ownLongTermKey,
    heldKey,
    commit,
    refuse,
  };
}

/** A principal name in the engine's one owner identity; throws INVALID_ARGUMENT if it is not one. */
export function cleanName(name: unknown, what = 'principal name'): PrincipalId {
  if (typeof name !== 'string') throw new EngineError('INVALID_ARGUMENT', `kdc: the ${what} must be text`);
  // The engine's one owner identity (NFC, lower-case), as the vault and lifecycle use (issue 14 #12).
  try {
    return asPrincipalId(ownerKey(normalizeLabel(name).value));
  } catch (e) {
    throw new EngineError('INVALID_ARGUMENT', `kdc: the ${what} must be 1–64 letters, digits or . _ @ - (and not "${KDC_NAME}")`, { cause: e });
  }
}

/** A principal record as the screens show it. */
export function toInfo(p: KdcPrincipalRecord, ownerRevoked: boolean): KdcPrincipalInfo {
  const out: KdcPrincipalInfo = { name: p.name, kind: p.kind, status: p.status, kvno: p.kvno, kcv: p.kcv, createdAt: p.createdAt, ownerRevoked };
  if (p.reason !== undefined) out.reason = p.reason;
  if (p.statusAt !== undefined) out.statusAt = p.statusAt;
  return out;
}

/** A distributed key record without the key. */
export function keyInfo(k: KdcKeyRecord): DistributedKeyInfo {
  const { wrappedKey: _key, wrappedConfirmKey: _confirmKey, ...info } = k;
  return { ...info, parties: [...k.parties] };
}

/** A refusal by `check`, with the KDC's message prefix. */
export function refusal(check: KdcCheck, message: string, code: ConstructorParameters<typeof KdcRefusal>[0] = 'SIGNATURE_INVALID'): KdcRefusal {
  return new KdcRefusal(code, check, `kdc: ${message}`);
}

/** Runs `f`, turning format errors into a `message-format` refusal. */
export async function parse<T>(f: () => T): Promise<T> {
  try {
    return f();
  } catch (e) {
    if (e instanceof KdcRefusal) throw e;
    if (isEngineError(e)) throw new KdcRefusal(e.code, 'message-format', e.message, { cause: e });
    throw new KdcRefusal('MALFORMED_INPUT', 'message-format', 'kdc: the message is malformed', { cause: e });
  }
}

/** Audit details naming the parties: client, service, owner, then party3… */
export const ownersNamed = (...names: string[]) => Object.fromEntries(names.map((n, i) => [['client', 'service', 'owner'][i] ?? `party${i}`, { name: n }])) as { [k: string]: Json };

/** A copy of `b` in a fresh buffer. */
export function copyBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}
