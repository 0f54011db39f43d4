/**
 * The key distribution center (PRODUCT.md C1–C6, SECURITY.md D1–D5): principals with
 * long-term keys, Needham–Schroeder symmetric-key distribution with the Kerberos fixes,
 * key confirmation, revocation, and the seeds' store/get API done honestly.
 *
 * The protocol (every sealed part is AES-GCM with the header as AAD, see codec.ts):
 *
 *   1. A → KDC  kdc-request   {client A, service B, nonce N_A, time}            under K_A
 *   2. KDC → A  kdc-reply     {N_A, B, keyId, issuedAt, expiresAt,
 *                              K_AB and K_conf wrapped under K_A, ticket}       under K_A
 *               ticket        {A, B, keyId, ticketId, issuedAt, expiresAt,
 *                              K_AB and K_conf wrapped under K_B}              under K_B
 *   3. A → B    ap-request    ticket + authenticator {A, ticketId, id, time}   under K_AB
 *   4. B → A    ap-challenge  {N_B, HMAC(K_conf, "service-to-client" ‖ H)}      under K_AB
 *   5. A → B    ap-confirm    {HMAC(K_conf, "client-to-service" ‖ H)}           under K_AB
 *
 * where H = SHA-256(message 3 bytes ‖ N_B). A checks N_A against its outstanding
 * requests (D2); B checks the ticket (AEAD, D1), expiry, the authenticator's time
 * within the 5-minute skew window and B's replay cache (D3), that neither the key nor a
 * principal is revoked (C4), and both sides check the direction-bound confirmation (D4).
 * The session key ends up non-extractable on each side; the KDC keeps it wrapped
 * (AES-KW) under its master key with a KCV (C3). Issuance, refusals and revocations are
 * audited in the same transaction as the change, without key material (D5).
 *
 * Common case:
 * ```ts
 * const kdc = engine.kdc();
 * await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
 * await kdc.registerPrincipal({ name: 'files', kind: 'service' });
 * const run = await kdc.distribute({ client: 'alice', service: 'files' });
 * const m = await kdc.sendMessage(run.keyId!, 'alice', 'hello');
 * await kdc.receiveMessage(run.keyId!, 'files', m.bytes); // 'hello'
 * ```
 */
import { normalizeLabel, ownerKey } from '../internal/labels';
import { auditDraft, withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, KeyStateError, isEngineError } from '../errors';
import { equalBytes, toBase64, toHex, utf8 } from '../internal/bytes';
import { randomId } from '../internal/random';
import type { EngineContext } from '../keys/context';
import * as lifecycle from '../lifecycle/engine';
import { isRevocationReason, type RevocationReason } from '../lifecycle/revocation';
import { isoAt } from '../lifecycle/transition';
import type { KdcCommit } from '../storage/commits';
import type { KdcKeyRecord, KdcPrincipalKeyRecord, KdcPrincipalRecord } from '../storage/schema';
import {
  b64Field,
  decodeApRequest,
  decodeSealed,
  encodeApRequest,
  header,
  numField,
  sealedFromJson,
  sealedToJson,
  strField,
  type Json,
  type Sealed,
} from './codec';
import * as kc from './crypto';
import { runAttack } from './attacks';
import type { KdcInternals } from './internals';
import {
  KdcRefusal,
  type DistributedKeyInfo,
  type Kdc,
  type KdcCheck,
  type KdcPrincipalInfo,
  type KdcProtocol,
  type KdcProtocolRun,
  type KdcMessageSection,
  type RevokedDistributedKey,
  type VerifyKeyResult,
  type WireMessage,
  CLOCK_SKEW_MS,
  DEFAULT_TICKET_LIFETIME_MS,
} from './types';

export { CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS };
export const MIN_TICKET_LIFETIME_MS = 60_000;
export const MAX_TICKET_LIFETIME_MS = 24 * 3_600_000;
/** The KDC's own name in message headers. */
export const KDC_NAME = 'kdc';

const NAME = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const MASTER_ID = 'master';

/** Ephemeral protocol state of each party (nonces, tickets, transcripts): memory only. */
interface ClientTicket {
  service: string;
  ticket: Sealed;
  ticketId: string;
  expiresAt: number;
  /** SHA-256 of the last AP request sent for this key (the transcript's first half). */
  apRequest?: Uint8Array<ArrayBuffer>;
  serviceConfirmed?: boolean;
}
interface ServiceSession {
  client: string;
  apRequest: Uint8Array<ArrayBuffer>;
  nonceB: Uint8Array<ArrayBuffer>;
  confirmed: boolean;
}
interface RunState {
  run: KdcProtocolRun;
  lifetimeMs: number;
  last?: Uint8Array<ArrayBuffer>;
  stage: number;
}

/** Builds the KDC over an engine context. One per engine. */
export function createKdc(ctx: EngineContext): Kdc {
  /** A → outstanding nonces (hex) → service (D2: single use). */
  const pending = new Map<string, Map<string, string>>();
  /** `${client}:${keyId}` → ticket state. */
  const clientTickets = new Map<string, ClientTicket>();
  /** `${service}:${keyId}` → session state. */
  const serviceSessions = new Map<string, ServiceSession>();
  const runs = new Map<string, RunState>();
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

  // -------------------------------------------------------------------------------------
  // Helpers

  function cleanName(name: unknown, what = 'principal name'): string {
    if (typeof name !== 'string') throw new EngineError('INVALID_ARGUMENT', `kdc: the ${what} must be text`);
    // The engine's one owner identity (NFC, lower-case), as the vault and lifecycle use (issue 14 #12).
    const n = ownerKey(normalizeLabel(name).value);
    if (!NAME.test(n) || n === KDC_NAME) throw new EngineError('INVALID_ARGUMENT', `kdc: the ${what} must be 1–64 letters, digits or . _ @ - (and not "kdc")`);
    return n;
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

  function toInfo(p: KdcPrincipalRecord, ownerRevoked: boolean): KdcPrincipalInfo {
    const out: KdcPrincipalInfo = { name: p.name, kind: p.kind, status: p.status, kvno: p.kvno, kcv: p.kcv, createdAt: p.createdAt, ownerRevoked };
    if (p.reason !== undefined) out.reason = p.reason;
    if (p.statusAt !== undefined) out.statusAt = p.statusAt;
    return out;
  }

  function keyInfo(k: KdcKeyRecord): DistributedKeyInfo {
    const out: DistributedKeyInfo = { id: k.id, kind: k.kind, parties: [...k.parties], kcv: k.kcv, issuedAt: k.issuedAt, revoked: k.revoked };
    for (const f of ['ticketId', 'label', 'expiresAt', 'revokedAt', 'reason'] as const) if (k[f] !== undefined) out[f] = k[f];
    return out;
  }

  /** The KDC's working copy of a principal's long-term key. */
  async function kdcLongTermKey(p: KdcPrincipalRecord): Promise<CryptoKey> {
    return kc.unwrapLongTermKey(ctx, await master(), p.wrappedKey);
  }

  /** A principal's own long-term key (its side of the simulation). */
  async function ownLongTermKey(name: string): Promise<{ key: CryptoKey; kvno: number; previous?: { kvno: number; key: CryptoKey; acceptUntil: number } }> {
    const rec = await ctx.storage.getKdcPrincipalKey(name);
    if (!rec) throw new EngineError('KEY_NOT_FOUND', `kdc: ${name} holds no long-term key (not registered)`);
    return rec.previous ? { key: rec.key, kvno: rec.kvno, previous: rec.previous } : { key: rec.key, kvno: rec.kvno };
  }

  async function heldKey(keyId: string, holder: string) {
    const h = await ctx.storage.getKdcHeldKey(keyId, holder);
    if (!h) throw new EngineError('KEY_NOT_FOUND', `kdc: ${holder} holds no key ${keyId}`);
    return h;
  }

  /** Commits a KDC change with its audit drafts; retries on audit conflicts. */
  function commit(drafts: () => AuditDraft[], change: Omit<KdcCommit, 'head' | 'entries'>) {
    return withAudit(ctx, async () => ({ drafts: drafts(), commit: (audit) => ctx.storage.commitKdc({ ...audit, ...change }) }));
  }

  /** Audits a refusal, then throws it. Never lets the audit write hide the refusal. */
  async function refuse(err: KdcRefusal, who: string, details: { [k: string]: Json }, subject: string[] = []): Promise<never> {
    try {
      await commit(() => [auditDraft(ctx, 'kdc.ticket.refuse', subject, { by: { name: who }, check: err.check, error: err.message, ...details }, 'kdc')], {});
    } catch {
      // The refusal stands even if it could not be logged.
    }
    throw err;
  }

  function refusal(check: KdcCheck, message: string, code: ConstructorParameters<typeof KdcRefusal>[0] = 'SIGNATURE_INVALID'): KdcRefusal {
    return new KdcRefusal(code, check, `kdc: ${message}`);
  }

  /** Runs `f`, turning format errors into a `message-format` refusal. */
  async function parse<T>(f: () => T): Promise<T> {
    try {
      return f();
    } catch (e) {
      if (e instanceof KdcRefusal) throw e;
      if (isEngineError(e)) throw new KdcRefusal(e.code, 'message-format', e.message, { cause: e });
      throw new KdcRefusal('MALFORMED_INPUT', 'message-format', 'kdc: the message is malformed', { cause: e });
    }
  }

  const ownersNamed = (...names: string[]) => Object.fromEntries(names.map((n, i) => [['client', 'service', 'owner'][i] ?? `party${i}`, { name: n }])) as { [k: string]: Json };

  // -------------------------------------------------------------------------------------
  // Principals (C1)

  async function registerPrincipal(p: { name: string; kind: 'user' | 'service' }): Promise<KdcPrincipalInfo> {
    const name = cleanName(p?.name);
    if (p.kind !== 'user' && p.kind !== 'service') throw new EngineError('INVALID_ARGUMENT', 'kdc: a principal is a user or a service');
    if (await ctx.storage.getKdcPrincipal(name)) throw new EngineError('INVALID_ARGUMENT', `kdc: a principal named ${name} is already registered`);
    const { wrapped, principalKey, kcv } = await kc.newLongTermKey(ctx, await master());
    const rec: KdcPrincipalRecord = { name, kind: p.kind, status: 'active', kvno: 1, wrappedKey: wrapped, kcv, createdAt: isoAt(ctx.clock.now()) };
    await commit(() => [auditDraft(ctx, 'kdc.principal.register', [], { principal: { name }, kind: p.kind, kvno: 1, kcv }, 'kdc')], {
      addPrincipals: [rec],
      putPrincipalKeys: [{ name, kvno: 1, key: principalKey }],
    });
    return info(rec);
  }

  async function listPrincipals(): Promise<KdcPrincipalInfo[]> {
    const [all, owners] = await Promise.all([ctx.storage.listKdcPrincipals(), ctx.storage.listPrincipals()]);
    const revoked = new Set(owners.filter((o) => o.revoked).map((o) => o.id));
    return all.map((p) => toInfo(p, revoked.has(p.name))).sort((a, b) => a.name.localeCompare(b.name));
  }

  async function setStatus(name: string, status: KdcPrincipalRecord['status'], reason: string | undefined, action: string, revokeKeys: boolean): Promise<KdcPrincipalInfo> {
    const now = isoAt(ctx.clock.now());
    let updated: KdcPrincipalRecord | undefined;
    await withAudit(ctx, async () => {
      const p = await principalRecord(name);
      updated = { ...p, status, statusAt: now };
      if (reason !== undefined) updated.reason = reason;
      else delete updated.reason;
      const keys = revokeKeys ? (await ctx.storage.listKdcKeysOf(name)).filter((k) => !k.revoked) : [];
      const putKeys = keys.map((k) => ({ ...k, revoked: true, revokedAt: now, reason: reason ?? 'unspecified' }));
      const drafts = [
        auditDraft(ctx, action, [], { principal: { name }, status, ...(reason !== undefined ? { reason } : {}), keys: putKeys.length }, 'kdc'),
        ...putKeys.map((k) => auditDraft(ctx, 'kdc.key.revoke', [k.id], { keyId: k.id, parties: k.parties.map((n) => ({ name: n })), reason: k.reason ?? 'unspecified', cascade: true }, 'kdc')),
      ];
      return { drafts, commit: (audit) => ctx.storage.commitKdc({ ...audit, putPrincipals: [updated!], putKeys }) };
    });
    return info(updated!);
  }

  async function suspendPrincipal(nameIn: string, reason?: string): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    const p = await principalRecord(name);
    if (p.status !== 'active') throw new KeyStateError(`kdc: ${name} is ${p.status}; only an active principal can be suspended`);
    return setStatus(name, 'suspended', reason?.trim() || 'suspended', 'kdc.principal.suspend', false);
  }

  async function revokePrincipal(nameIn: string, reason: RevocationReason): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown revocation reason');
    const p = await principalRecord(name);
    if (p.status === 'revoked') throw new KeyStateError(`kdc: ${name} is already revoked`);
    // The lifecycle's principal revocation (B5): its vault keys cascade, and B refuses its
    // tickets even before the KDC record below is written (fail closed).
    const owner = await ctx.storage.getPrincipal(name);
    if (!owner?.revoked) await lifecycle.revokePrincipal(ctx, name, reason);
    return setStatus(name, 'revoked', reason, 'kdc.principal.revoke', true);
  }

  async function reinstatePrincipal(nameIn: string): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    const p = await principalRecord(name);
    if (p.status === 'active') throw new KeyStateError(`kdc: ${name} is active; nothing to reinstate`);
    const owner = await ctx.storage.getPrincipal(name);
    if (owner?.revoked) await lifecycle.reinstatePrincipal(ctx, name);
    return setStatus(name, 'active', undefined, 'kdc.principal.reinstate', false);
  }

  /**
   * Rotates a principal's long-term key (D5): a new key version for every new message;
   * tickets already sealed under the old version stay acceptable until the longest of
   * them could expire, or are refused at once with `retireAtOnce` (a suspected leak).
   */
  async function rotatePrincipalKey(nameIn: string, opts: { retireAtOnce?: boolean } = {}): Promise<KdcPrincipalInfo> {
    const name = cleanName(nameIn);
    const p = await principalRecord(name);
    if (p.status === 'revoked') throw new KeyStateError(`kdc: ${name} is revoked; reinstate it before rotating its key`);
    const current = await ctx.storage.getKdcPrincipalKey(name);
    if (!current) throw new EngineError('KEY_NOT_FOUND', `kdc: ${name} holds no long-term key (not registered)`);
    const { wrapped, principalKey, kcv } = await kc.newLongTermKey(ctx, await master());
    const kvno = p.kvno + 1;
    const updated: KdcPrincipalRecord = { ...p, kvno, wrappedKey: wrapped, kcv };
    const acceptUntil = ctx.clock.now() + MAX_TICKET_LIFETIME_MS;
    const keyRec: KdcPrincipalKeyRecord = opts.retireAtOnce
      ? { name, kvno, key: principalKey }
      : { name, kvno, key: principalKey, previous: { kvno: current.kvno, key: current.key, acceptUntil } };
    await commit(
      () => [
        auditDraft(
          ctx,
          'kdc.principal.rotate',
          [],
          { principal: { name }, kvno, previousKvno: p.kvno, kcv, oldTickets: opts.retireAtOnce ? 'refused at once' : `accepted until ${isoAt(acceptUntil)}` },
          'kdc',
        ),
      ],
      { putPrincipals: [updated], putPrincipalKeys: [keyRec] },
    );
    return info(updated);
  }

  // -------------------------------------------------------------------------------------
  // The protocol (C2)

  function wire(step: number, bytes: Uint8Array, m: Omit<WireMessage, 'step' | 'hex' | 'length'>): WireMessage {
    return { step, hex: toHex(bytes), length: bytes.length, ...m };
  }

  const clearSection = (s: Sealed, label = 'Header'): KdcMessageSection => ({
    label,
    protection: 'clear, authenticated as AES-GCM additional data (AAD)',
    fields: Object.entries(s.header)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => ({ name: k, value: String(v) })),
  });

  const underLongTerm = (name: string, kvno: number) => `AES-GCM under K_${name} (${name}'s long-term key, kvno ${kvno})`;
  const underSession = (keyId: string) => `AES-GCM under K_AB (the session key ${keyId})`;

  function bodyFields(body: Record<string, unknown>, notes: Record<string, string> = {}): KdcMessageSection['fields'] {
    return Object.entries(body).map(([k, v]) => {
      let value: string;
      if (k === 'sessionKey' || k === 'confirmKey') {
        const w = v as { wrapped?: string };
        value = `wrapped, ${Math.floor(((w.wrapped ?? '').length * 3) / 4) - ((w.wrapped ?? '').match(/=+$/)?.[0].length ?? 0)} bytes`;
      } else if (k === 'ticket') value = 'sealed for the service (opaque here; decoded below)';
      else if ((k === 'time' || k === 'issuedAt' || k === 'expiresAt') && typeof v === 'number') value = isoAt(v);
      else if (typeof v === 'string' && (k === 'nonce' || k === 'nonceB' || k === 'confirm' || k === 'authenticatorId')) value = toHex(b64Field(body, k));
      else value = typeof v === 'string' ? v : JSON.stringify(v);
      const f: KdcMessageSection['fields'][number] = { name: k, value };
      if (notes[k]) f.note = notes[k];
      return f;
    });
  }

  async function request(clientIn: string, serviceIn: string): Promise<Uint8Array<ArrayBuffer>> {
    return (await requestWithWire(clientIn, serviceIn, 1)).bytes;
  }

  async function requestWithWire(clientIn: string, serviceIn: string, step: number) {
    const client = cleanName(clientIn, 'client');
    const service = cleanName(serviceIn, 'service');
    const { key, kvno } = await ownLongTermKey(client);
    const nonce = ctx.random(16);
    const body = { client, service, nonce: toBase64(nonce), time: ctx.clock.now() };
    const { sealed, bytes } = await kc.seal(ctx, key, header('kdc-request', client, KDC_NAME, { kvno }), body);
    const mine = pending.get(client) ?? new Map<string, string>();
    mine.set(toHex(nonce), service);
    pending.set(client, mine);
    const w = wire(step, bytes, {
      type: 'kdc-request',
      from: client,
      to: KDC_NAME,
      title: `${client} asks the KDC for a key to talk to ${service}`,
      sections: [clearSection(sealed), { label: 'Request', protection: underLongTerm(client, kvno), fields: bodyFields(body, { nonce: 'N_A: 128 bits, fresh, single use (D2)' }) }],
    });
    return { bytes, wire: w };
  }

  async function issue(requestBytes: Uint8Array, opts: { lifetimeMs?: number } = {}): Promise<Uint8Array<ArrayBuffer>> {
    return (await issueWithWire(requestBytes, opts, 2)).bytes;
  }

  async function issueWithWire(requestBytes: Uint8Array, opts: { lifetimeMs?: number }, step: number) {
    const lifetime = opts.lifetimeMs ?? DEFAULT_TICKET_LIFETIME_MS;
    if (!Number.isSafeInteger(lifetime) || lifetime < MIN_TICKET_LIFETIME_MS || lifetime > MAX_TICKET_LIFETIME_MS) {
      throw new EngineError('INVALID_ARGUMENT', 'kdc: the ticket lifetime must be between 1 minute and 24 hours');
    }
    let s: Sealed;
    try {
      s = decodeSealed(requestBytes, 'kdc-request');
    } catch (e) {
      return refuse(new KdcRefusal('MALFORMED_INPUT', 'message-format', isEngineError(e) ? e.message : 'kdc: malformed request'), KDC_NAME, {});
    }
    if (s.header.to !== KDC_NAME) return refuse(refusal('addressing', 'the request is not addressed to the KDC'), KDC_NAME, {});
    const clientName = s.header.from;
    const clientRec = await ctx.storage.getKdcPrincipal(clientName);
    if (!clientRec) return refuse(refusal('principal-status', `no principal named ${clientName}`, 'KEY_NOT_FOUND'), KDC_NAME, {});
    if (s.header.kvno !== clientRec.kvno) return refuse(refusal('addressing', `the request names key version ${String(s.header.kvno)}, not ${clientRec.kvno}`), KDC_NAME, ownersNamed(clientName));
    const kA = await kdcLongTermKey(clientRec);
    let body: Record<string, unknown>;
    try {
      body = await kc.open(ctx, kA, s, 'request');
    } catch (e) {
      return refuse(e as KdcRefusal, KDC_NAME, ownersNamed(clientName));
    }
    const fields = await parse(() => ({ client: strField(body, 'client'), service: strField(body, 'service'), nonce: b64Field(body, 'nonce', 16), time: numField(body, 'time') }));
    if (fields.client !== clientName) return refuse(refusal('addressing', 'the request body names another client than its header'), KDC_NAME, ownersNamed(clientName));
    const now = ctx.clock.now();
    if (Math.abs(now - fields.time) > CLOCK_SKEW_MS) return refuse(refusal('skew', 'the request time is outside the 5-minute clock-skew window'), KDC_NAME, ownersNamed(clientName, fields.service));
    const serviceRec = await ctx.storage.getKdcPrincipal(fields.service);
    if (!serviceRec) return refuse(refusal('principal-status', `no principal named ${fields.service}`, 'KEY_NOT_FOUND'), KDC_NAME, ownersNamed(clientName));
    for (const p of [clientRec, serviceRec]) {
      if (p.status !== 'active') return refuse(refusal('principal-status', `${p.name} is ${p.status}; no tickets are issued for it`, 'KEY_STATE'), KDC_NAME, ownersNamed(clientName, fields.service));
      if ((await ctx.storage.getPrincipal(p.name))?.revoked) return refuse(refusal('principal-status', `${p.name} is revoked as a key owner; no tickets are issued for it`, 'KEY_STATE'), KDC_NAME, ownersNamed(clientName, fields.service));
    }

    // Compute everything before the transaction (W3).
    const m = await master();
    const kB = await kdcLongTermKey(serviceRec);
    const keyId = randomId(ctx.random, 'kdk');
    const ticketId = randomId(ctx.random, 'tkt');
    const issuedAt = now;
    const expiresAt = now + lifetime;
    const { key: kAB, confirmKey } = await kc.newSessionKeys(ctx);
    const [wrappedKey, wrappedConfirmKey, kcv] = await Promise.all([kc.wrapForRecord(ctx, m, kAB), kc.wrapForRecord(ctx, m, confirmKey), kc.kcvOf(ctx, kAB)]);
    const ticketBody = {
      client: clientName,
      service: serviceRec.name,
      keyId,
      ticketId,
      issuedAt,
      expiresAt,
      sessionKey: (await kc.wrapInFlight(ctx, kB, kAB, 'session', keyId, serviceRec.name)) as unknown as Json,
      confirmKey: (await kc.wrapInFlight(ctx, kB, confirmKey, 'confirm', keyId, serviceRec.name)) as unknown as Json,
    };
    const ticket = await kc.seal(ctx, kB, header('ticket', KDC_NAME, serviceRec.name, { kvno: serviceRec.kvno }), ticketBody);
    const replyBody = {
      nonce: toBase64(fields.nonce),
      service: serviceRec.name,
      keyId,
      ticketId,
      issuedAt,
      expiresAt,
      sessionKey: (await kc.wrapInFlight(ctx, kA, kAB, 'session', keyId, clientName)) as unknown as Json,
      confirmKey: (await kc.wrapInFlight(ctx, kA, confirmKey, 'confirm', keyId, clientName)) as unknown as Json,
      ticket: sealedToJson(ticket.sealed),
    };
    const reply = await kc.seal(ctx, kA, header('kdc-reply', KDC_NAME, clientName, { kvno: clientRec.kvno }), replyBody);
    const rec: KdcKeyRecord = { id: keyId, kind: 'session', parties: [clientName, serviceRec.name], wrappedKey, wrappedConfirmKey, kcv, ticketId, issuedAt: isoAt(issuedAt), expiresAt: isoAt(expiresAt), revoked: false };
    const out = await commit(
      () => [auditDraft(ctx, 'kdc.ticket.issue', [keyId, ticketId], { keyId, ticketId, ...ownersNamed(clientName, serviceRec.name), kcv, issuedAt: rec.issuedAt, expiresAt: rec.expiresAt!, lifetimeMs: lifetime }, 'kdc')],
      { addKeys: [rec], principalsActive: [clientName, serviceRec.name] },
    );
    if (!out.ok) return refuse(refusal('principal-status', `${out.subject} is not active; no ticket was issued`, 'KEY_STATE'), KDC_NAME, ownersNamed(clientName, serviceRec.name));
    const w = wire(step, reply.bytes, {
      type: 'kdc-reply',
      from: KDC_NAME,
      to: clientName,
      title: `The KDC answers ${clientName} with a session key and a ticket for ${serviceRec.name}`,
      sections: [
        clearSection(reply.sealed),
        { label: 'Reply', protection: underLongTerm(clientName, clientRec.kvno), fields: bodyFields(replyBody, { nonce: 'N_A echoed: A checks it (D2)', sessionKey: 'K_AB, AES-GCM wrapKey under K_' + clientName, confirmKey: 'K_conf (HMAC) for key confirmation' }) },
        clearSection(ticket.sealed, 'Ticket header'),
        { label: 'Ticket', protection: underLongTerm(serviceRec.name, serviceRec.kvno), fields: bodyFields(ticketBody, { sessionKey: 'K_AB, AES-GCM wrapKey under K_' + serviceRec.name, expiresAt: 'B refuses the ticket after this (D3)' }) },
      ],
    });
    return { bytes: reply.bytes, wire: w, keyId, ticketId, expiresAt };
  }

  async function acceptReply(clientIn: string, replyBytes: Uint8Array) {
    return (await acceptReplyWithWire(clientIn, replyBytes, 3)).result;
  }

  async function acceptReplyWithWire(clientIn: string, replyBytes: Uint8Array, step: number) {
    const client = cleanName(clientIn, 'client');
    const s = await parse(() => decodeSealed(replyBytes, 'kdc-reply')).catch((e: KdcRefusal) => refuse(e, client, ownersNamed(client)));
    if (s.header.to !== client || s.header.from !== KDC_NAME) return refuse(refusal('addressing', `the reply is not addressed to ${client}`), client, ownersNamed(client));
    const { key: kA } = await ownLongTermKey(client);
    const body = await kc.open(ctx, kA, s, 'KDC reply').catch((e: KdcRefusal) => refuse(e, client, ownersNamed(client)));
    const f = await parse(() => ({ nonce: b64Field(body, 'nonce', 16), service: strField(body, 'service'), keyId: strField(body, 'keyId'), ticketId: strField(body, 'ticketId'), expiresAt: numField(body, 'expiresAt'), ticket: sealedFromJson(body.ticket, 'ticket') }));
    // D2: the nonce must be one this client is waiting for, for this service; single use.
    const mine = pending.get(client);
    const nonceHex = toHex(f.nonce);
    if (!mine || mine.get(nonceHex) !== f.service) {
      return refuse(refusal('nonce', "the reply's nonce matches no outstanding request (a replayed or foreign KDC reply)"), client, { ...ownersNamed(client, f.service), keyId: f.keyId }, [f.keyId]);
    }
    const sessionKey = await kc.unwrapInFlight(ctx, kA, body.sessionKey, 'session', f.keyId, client).catch((e: KdcRefusal) => refuse(e, client, ownersNamed(client)));
    const confirmKey = await kc.unwrapInFlight(ctx, kA, body.confirmKey, 'confirm', f.keyId, client).catch((e: KdcRefusal) => refuse(e, client, ownersNamed(client)));
    mine.delete(nonceHex);
    await commit(() => [], { putHeld: [{ id: `${f.keyId}:${client}`, keyId: f.keyId, holder: client, peer: f.service, key: sessionKey, confirmKey, receivedAt: isoAt(ctx.clock.now()) }] });
    const t: ClientTicket = { service: f.service, ticket: f.ticket, ticketId: f.ticketId, expiresAt: f.expiresAt };
    clientTickets.set(`${client}:${f.keyId}`, t);
    const ap = await apRequestWithWire(client, f.keyId, step);
    return { result: { keyId: f.keyId, ticketId: t.ticketId, expiresAt: isoAt(f.expiresAt), apRequest: ap.bytes }, wire: ap.wire };
  }

  async function apRequest(clientIn: string, keyId: string): Promise<Uint8Array<ArrayBuffer>> {
    return (await apRequestWithWire(cleanName(clientIn, 'client'), keyId, 3)).bytes;
  }

  async function apRequestWithWire(client: string, keyId: string, step: number) {
    const t = clientTickets.get(`${client}:${keyId}`);
    if (!t) throw new EngineError('KEY_NOT_FOUND', `kdc: ${client} holds no ticket for key ${keyId}`);
    const held = await heldKey(keyId, client);
    const authBody = { client, ticketId: t.ticketId, authenticatorId: toBase64(ctx.random(16)), time: ctx.clock.now() };
    const auth = await kc.seal(ctx, held.key, header('authenticator', client, t.service, { keyId }), authBody);
    const bytes = encodeApRequest({ from: client, to: t.service, ticket: t.ticket, authenticator: auth.sealed });
    t.apRequest = bytes;
    const w = wire(step, bytes, {
      type: 'ap-request',
      from: client,
      to: t.service,
      title: `${client} presents the ticket and a fresh authenticator to ${t.service}`,
      sections: [
        { label: 'Envelope', protection: 'clear', fields: [{ name: 'type', value: 'ap-request' }, { name: 'from', value: client }, { name: 'to', value: t.service }] },
        clearSection(t.ticket, 'Ticket header'),
        { label: 'Ticket', protection: `AES-GCM under K_${t.service} (opaque to ${client}; the KDC's seal, passed on unchanged)`, fields: [{ name: 'ciphertext', value: `${t.ticket.ct.length} bytes` }] },
        clearSection(auth.sealed, 'Authenticator header'),
        { label: 'Authenticator', protection: underSession(keyId), fields: bodyFields(authBody, { time: 'B accepts it within ±5 minutes (D3)', authenticatorId: "Goes into B's replay cache (D3)" }) },
      ],
    });
    return { bytes, wire: w };
  }

  async function serviceAccept(serviceIn: string, apBytes: Uint8Array, opts: { at?: number } = {}) {
    return (await serviceAcceptWithWire(serviceIn, apBytes, opts, 4)).result;
  }

  async function serviceAcceptWithWire(serviceIn: string, apBytes: Uint8Array, opts: { at?: number }, step: number) {
    const service = cleanName(serviceIn, 'service');
    const now = opts.at ?? ctx.clock.now();
    const fail = (e: KdcRefusal, extra: { [k: string]: Json } = {}, subject: string[] = []) => refuse(e, service, { ...extra, service: { name: service } }, subject);
    const ap = await parse(() => decodeApRequest(apBytes)).catch((e: KdcRefusal) => fail(e));
    if (ap.to !== service || ap.ticket.header.to !== service || ap.ticket.header.from !== KDC_NAME) return fail(refusal('addressing', `the ticket is not for ${service}`));
    const own = await ownLongTermKey(service);
    // D5: after a rotation, tickets sealed under the previous key version are accepted
    // until the longest such ticket could have expired; a rotation "at once" retires it.
    let ticketKey = own.key;
    if (ap.ticket.header.kvno !== own.kvno) {
      const prev = own.previous;
      if (!prev || ap.ticket.header.kvno !== prev.kvno) return fail(refusal('addressing', `the ticket is sealed under key version ${String(ap.ticket.header.kvno)}, not ${own.kvno}`));
      if (now >= prev.acceptUntil) return fail(refusal('expiry', `the ticket is sealed under key version ${prev.kvno}, retired at ${isoAt(prev.acceptUntil)}`));
      ticketKey = prev.key;
    }
    // D1: the ticket is AES-GCM under B's long-term key, header as AAD.
    const tb = await kc.open(ctx, ticketKey, ap.ticket, 'ticket').catch((e: KdcRefusal) => fail(e));
    const t = await parse(() => ({ client: strField(tb, 'client'), service: strField(tb, 'service'), keyId: strField(tb, 'keyId'), ticketId: strField(tb, 'ticketId'), issuedAt: numField(tb, 'issuedAt'), expiresAt: numField(tb, 'expiresAt') })).catch((e: KdcRefusal) => fail(e));
    const ids = [t.keyId, t.ticketId];
    const base = { keyId: t.keyId, ticketId: t.ticketId, client: { name: t.client } };
    if (t.service !== service || t.client !== ap.from) return fail(refusal('addressing', 'the ticket names other parties than the request'), base, ids);
    // D3: expiry (Kerberos-style) — an old ticket is refused whatever key the attacker holds.
    if (now >= t.expiresAt) return fail(refusal('expiry', `the ticket expired at ${isoAt(t.expiresAt)}`), base, ids);
    if (t.issuedAt > now + CLOCK_SKEW_MS) return fail(refusal('skew', 'the ticket was issued in the future (beyond the clock-skew window)'), base, ids);
    const sessionKey = await kc.unwrapInFlight(ctx, ticketKey, tb.sessionKey, 'session', t.keyId, service).catch((e: KdcRefusal) => fail(e, base, ids));
    const confirmKey = await kc.unwrapInFlight(ctx, ticketKey, tb.confirmKey, 'confirm', t.keyId, service).catch((e: KdcRefusal) => fail(e, base, ids));
    if (ap.authenticator.header.keyId !== t.keyId || ap.authenticator.header.to !== service || ap.authenticator.header.from !== t.client) {
      return fail(refusal('addressing', 'the authenticator header does not match the ticket'), base, ids);
    }
    const ab = await kc.open(ctx, sessionKey, ap.authenticator, 'authenticator').catch((e: KdcRefusal) => fail(e, base, ids));
    const a = await parse(() => ({ client: strField(ab, 'client'), ticketId: strField(ab, 'ticketId'), authenticatorId: b64Field(ab, 'authenticatorId', 16), time: numField(ab, 'time') })).catch((e: KdcRefusal) => fail(e, base, ids));
    if (a.client !== t.client || a.ticketId !== t.ticketId) return fail(refusal('addressing', 'the authenticator names another client or ticket'), base, ids);
    // D3: the authenticator's time must be within the skew window.
    if (Math.abs(now - a.time) > CLOCK_SKEW_MS) return fail(refusal('skew', 'the authenticator time is outside the 5-minute clock-skew window'), base, ids);
    const replayId = `${service}:${toHex(a.authenticatorId)}`;
    if (await ctx.storage.hasKdcReplay(replayId)) return fail(refusal('replay-cache', 'this authenticator was already used (replay cache)'), base, ids);
    const nonceB = ctx.random(16);
    const transcript = await kc.transcriptHash(ctx, apBytes, nonceB);
    const tag = await kc.confirmTag(ctx, confirmKey, 'service-to-client', transcript);
    const challengeBody = { nonceB: toBase64(nonceB), confirm: toBase64(tag) };
    const challenge = await kc.seal(ctx, sessionKey, header('ap-challenge', service, t.client, { keyId: t.keyId }), challengeBody);
    // Under a simulated time (an `at`, or the engine's clock control) the real replay cache
    // is never pruned: an authenticator accepted at real time must stay refused (issue 14 #5).
    const simulated = opts.at !== undefined || ctx.clock.simulated?.() === true;
    const out = await commit(
      () => [auditDraft(ctx, 'kdc.ticket.accept', ids, { ...base, service: { name: service } }, service)],
      {
        addReplay: [{ id: replayId, service, expiresAt: a.time + CLOCK_SKEW_MS }],
        keysNotRevoked: [t.keyId],
        principalsActive: [t.client, service],
        putHeld: [{ id: `${t.keyId}:${service}`, keyId: t.keyId, holder: service, peer: t.client, key: sessionKey, confirmKey, receivedAt: isoAt(now) }],
        // A simulated later time must not prune the real cache.
        ...(simulated ? {} : { pruneReplayBefore: now - CLOCK_SKEW_MS }),
      },
    );
    if (!out.ok) {
      const e =
        out.refused === 'replayed'
          ? refusal('replay-cache', 'this authenticator was already used (replay cache)')
          : out.refused === 'key-revoked'
            ? refusal('key-revoked', `the session key ${t.keyId} is revoked`, 'KEY_STATE')
            : refusal('principal-status', `${out.subject} is suspended or revoked`, 'KEY_STATE');
      return fail(e, base, ids);
    }
    serviceSessions.set(`${service}:${t.keyId}`, { client: t.client, apRequest: copyBytes(apBytes), nonceB, confirmed: false });
    const w = wire(step, challenge.bytes, {
      type: 'ap-challenge',
      from: service,
      to: t.client,
      title: `${service} accepts the ticket and proves it holds the key`,
      sections: [
        clearSection(challenge.sealed),
        {
          label: 'Challenge',
          protection: underSession(t.keyId),
          fields: bodyFields(challengeBody, { nonceB: 'N_B, fresh', confirm: 'HMAC-SHA-256(K_conf, "service-to-client" ‖ SHA-256(message 3 ‖ N_B)) (D4)' }),
        },
      ],
    });
    return { result: { keyId: t.keyId, client: t.client, challenge: challenge.bytes }, wire: w };
  }

  async function clientConfirm(clientIn: string, keyId: string, challengeBytes: Uint8Array) {
    return (await clientConfirmWithWire(clientIn, keyId, challengeBytes, 5)).bytes;
  }

  async function clientConfirmWithWire(clientIn: string, keyId: string, challengeBytes: Uint8Array, step: number) {
    const client = cleanName(clientIn, 'client');
    const t = clientTickets.get(`${client}:${keyId}`);
    if (!t?.apRequest) throw new EngineError('KEY_NOT_FOUND', `kdc: ${client} sent no ticket for key ${keyId}`);
    const held = await heldKey(keyId, client);
    const fail = (e: KdcRefusal) => refuse(e, client, { keyId, ...ownersNamed(client, t.service) }, [keyId]);
    const s = await parse(() => decodeSealed(challengeBytes, 'ap-challenge')).catch(fail);
    if (s.header.keyId !== keyId || s.header.to !== client || s.header.from !== t.service) return fail(refusal('addressing', 'the challenge is not for this key and client'));
    const body = await kc.open(ctx, held.key, s, 'challenge').catch(fail);
    const f = await parse(() => ({ nonceB: b64Field(body, 'nonceB', 16), confirm: b64Field(body, 'confirm', 32) })).catch(fail);
    const transcript = await kc.transcriptHash(ctx, t.apRequest, f.nonceB);
    if (!held.confirmKey || !(await kc.verifyConfirmTag(ctx, held.confirmKey, 'service-to-client', transcript, f.confirm))) {
      return fail(refusal('key-confirmation', "the service's key confirmation does not verify"));
    }
    t.serviceConfirmed = true;
    const tag = await kc.confirmTag(ctx, held.confirmKey, 'client-to-service', transcript);
    const confirmBody = { confirm: toBase64(tag) };
    const sealed = await kc.seal(ctx, held.key, header('ap-confirm', client, t.service, { keyId }), confirmBody);
    const w = wire(step, sealed.bytes, {
      type: 'ap-confirm',
      from: client,
      to: t.service,
      title: `${client} confirms the key back to ${t.service}`,
      sections: [clearSection(sealed.sealed), { label: 'Confirmation', protection: underSession(keyId), fields: bodyFields(confirmBody, { confirm: 'HMAC-SHA-256(K_conf, "client-to-service" ‖ SHA-256(message 3 ‖ N_B)): the direction label defeats reflection (D4)' }) }],
    });
    return { bytes: sealed.bytes, wire: w };
  }

  async function serviceFinish(serviceIn: string, keyId: string, confirmBytes: Uint8Array): Promise<void> {
    const service = cleanName(serviceIn, 'service');
    const sess = serviceSessions.get(`${service}:${keyId}`);
    if (!sess) throw new EngineError('KEY_NOT_FOUND', `kdc: ${service} accepted no ticket for key ${keyId}`);
    const held = await heldKey(keyId, service);
    const fail = (e: KdcRefusal) => refuse(e, service, { keyId, ...ownersNamed(sess.client, service) }, [keyId]);
    const s = await parse(() => decodeSealed(confirmBytes, 'ap-confirm')).catch(fail);
    if (s.header.keyId !== keyId || s.header.to !== service || s.header.from !== sess.client) return fail(refusal('addressing', 'the confirmation is not for this key and service'));
    const body = await kc.open(ctx, held.key, s, 'confirmation').catch(fail);
    const tag = await parse(() => b64Field(body, 'confirm', 32)).catch(fail);
    const transcript = await kc.transcriptHash(ctx, sess.apRequest, sess.nonceB);
    if (!held.confirmKey || !(await kc.verifyConfirmTag(ctx, held.confirmKey, 'client-to-service', transcript, tag))) {
      return fail(refusal('key-confirmation', "the client's key confirmation does not verify (a reflected or forged answer)"));
    }
    sess.confirmed = true;
  }

  const protocol: KdcProtocol = { request, issue, acceptReply, apRequest, serviceAccept, clientConfirm, serviceFinish };

  // -------------------------------------------------------------------------------------
  // Step-by-step runs (the sequence diagram)

  const NEXT = [
    (r: KdcProtocolRun) => `${r.client} sends the request to the KDC`,
    (r: KdcProtocolRun) => `The KDC checks the request and issues a key and a ticket for ${r.service}`,
    (r: KdcProtocolRun) => `${r.client} checks the reply (nonce, AEAD), unwraps the key and sends the ticket with an authenticator to ${r.service}`,
    (r: KdcProtocolRun) => `${r.service} checks ticket, expiry, clock skew, replay cache and revocation, then sends its key confirmation`,
    (r: KdcProtocolRun) => `${r.client} checks ${r.service}'s confirmation and sends its own`,
    (r: KdcProtocolRun) => `${r.service} checks ${r.client}'s confirmation`,
  ];

  function snapshot(st: RunState): KdcProtocolRun {
    return { ...st.run, messages: [...st.run.messages] };
  }

  async function startDistribution(p: { client: string; service: string; lifetimeMs?: number }): Promise<KdcProtocolRun> {
    const client = cleanName(p?.client, 'client');
    const service = cleanName(p.service, 'service');
    if (client === service) throw new EngineError('INVALID_ARGUMENT', 'kdc: A and B must be two different principals');
    await principalRecord(client);
    await principalRecord(service);
    const first = await requestWithWire(client, service, 1);
    const run: KdcProtocolRun = { id: randomId(ctx.random, 'run'), client, service, messages: [first.wire], done: false, confirmed: false };
    const st: RunState = { run, lifetimeMs: p.lifetimeMs ?? DEFAULT_TICKET_LIFETIME_MS, last: first.bytes, stage: 1 };
    run.next = NEXT[1]!(run);
    runs.set(run.id, st);
    return snapshot(st);
  }

  async function nextStep(runId: string): Promise<KdcProtocolRun> {
    const st = runs.get(runId);
    if (!st) throw new EngineError('INVALID_ARGUMENT', 'kdc: no such protocol run');
    const r = st.run;
    if (r.done) return snapshot(st);
    try {
      switch (st.stage) {
        case 1: {
          const out = await issueWithWire(st.last!, { lifetimeMs: st.lifetimeMs }, 2);
          r.messages.push(out.wire);
          r.keyId = out.keyId;
          r.ticketId = out.ticketId;
          r.expiresAt = isoAt(out.expiresAt);
          st.last = out.bytes;
          break;
        }
        case 2: {
          const out = await acceptReplyWithWire(r.client, st.last!, 3);
          r.messages.push(out.wire);
          st.last = out.result.apRequest;
          break;
        }
        case 3: {
          const out = await serviceAcceptWithWire(r.service, st.last!, {}, 4);
          r.messages.push(out.wire);
          st.last = out.result.challenge;
          break;
        }
        case 4: {
          const out = await clientConfirmWithWire(r.client, r.keyId!, st.last!, 5);
          r.messages.push(out.wire);
          st.last = out.bytes;
          break;
        }
        case 5: {
          await serviceFinish(r.service, r.keyId!, st.last!);
          r.confirmed = true;
          r.done = true;
          break;
        }
      }
      st.stage++;
      if (r.done) delete r.next;
      else r.next = NEXT[st.stage]!(r);
    } catch (e) {
      if (!(e instanceof KdcRefusal)) throw e;
      r.refusal = { check: e.check, code: e.code, message: e.message };
      r.done = true;
      delete r.next;
    }
    return snapshot(st);
  }

  async function distribute(p: { client: string; service: string; lifetimeMs?: number }): Promise<KdcProtocolRun> {
    let run = await startDistribution(p);
    while (!run.done) run = await nextStep(run.id);
    runs.delete(run.id);
    return run;
  }

  // -------------------------------------------------------------------------------------
  // Messages under the session key (C6)

  async function sendMessage(keyId: string, fromIn: string, text: string): Promise<import('./types').SealedMessage> {
    const from = cleanName(fromIn, 'sender');
    if (typeof text !== 'string' || text.length === 0 || text.length > 10_000) throw new EngineError('INVALID_ARGUMENT', 'kdc: a message is 1–10,000 characters');
    const rec = await ctx.storage.getKdcKey(keyId);
    if (!rec) throw new EngineError('KEY_NOT_FOUND', 'kdc: no such distributed key');
    if (rec.revoked) throw new KeyStateError(`kdc: the key ${keyId} is revoked; it protects nothing new`);
    const held = await heldKey(keyId, from);
    const to = held.peer ?? rec.parties.find((p) => p !== from) ?? from;
    const body = { text, time: ctx.clock.now() };
    const sealed = await kc.seal(ctx, held.key, header('data', from, to, { keyId }), body);
    const w = wire(0, sealed.bytes, {
      type: 'data',
      from,
      to,
      title: `${from} → ${to}`,
      sections: [clearSection(sealed.sealed), { label: 'Message', protection: underSession(keyId), fields: [{ name: 'text', value: `${utf8(text).length} bytes of text` }, { name: 'time', value: isoAt(body.time) }] }],
    });
    return { keyId, from, to, bytes: sealed.bytes, wire: w };
  }

  async function receiveMessage(keyId: string, toIn: string, bytes: Uint8Array): Promise<string> {
    const to = cleanName(toIn, 'receiver');
    const rec = await ctx.storage.getKdcKey(keyId);
    if (!rec) throw new EngineError('KEY_NOT_FOUND', 'kdc: no such distributed key');
    if (rec.revoked) throw new KdcRefusal('KEY_STATE', 'key-revoked', `kdc: the key ${keyId} is revoked`);
    const held = await heldKey(keyId, to);
    const s = await parse(() => decodeSealed(bytes, 'data'));
    if (s.header.keyId !== keyId || s.header.to !== to) throw new KdcRefusal('SIGNATURE_INVALID', 'addressing', 'kdc: the message is not for this key and receiver');
    const body = await kc.open(ctx, held.key, s, 'message');
    return parse(() => strField(body, 'text'));
  }

  // -------------------------------------------------------------------------------------
  // Distributed keys: verify (C3), list, revoke (C4)

  async function verifyDistributedKey(keyId: string, holderIn: string): Promise<VerifyKeyResult> {
    const holder = cleanName(holderIn, 'holder');
    const rec = await ctx.storage.getKdcKey(keyId);
    if (!rec) throw new EngineError('KEY_NOT_FOUND', 'kdc: no such distributed key');
    const held = await heldKey(keyId, holder);
    const kdcCopy = await kc.unwrapRecord(ctx, await master(), rec.wrappedKey);
    const [holderKcv, kdcKcv] = await Promise.all([kc.kcvOf(ctx, held.key), kc.kcvOf(ctx, kdcCopy)]);
    return { keyId, holder, match: equalBytes(utf8(holderKcv), utf8(kdcKcv)) && kdcKcv === rec.kcv, holderKcv, kdcKcv, revoked: rec.revoked };
  }

  async function listDistributedKeys(): Promise<DistributedKeyInfo[]> {
    return (await ctx.storage.listKdcKeys()).map(keyInfo).sort((a, b) => b.issuedAt.localeCompare(a.issuedAt) || a.id.localeCompare(b.id));
  }

  async function revokeDistributedKey(id: string, reason: RevocationReason): Promise<DistributedKeyInfo> {
    if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown revocation reason');
    let out: KdcKeyRecord | undefined;
    await withAudit(ctx, async () => {
      const rec = await ctx.storage.getKdcKey(id);
      if (!rec) throw new EngineError('KEY_NOT_FOUND', 'kdc: no such distributed key');
      if (rec.revoked) throw new KeyStateError(`kdc: the key ${id} was already revoked on ${rec.revokedAt ?? 'an earlier date'}`);
      out = { ...rec, revoked: true, revokedAt: isoAt(ctx.clock.now()), reason };
      return {
        drafts: [auditDraft(ctx, 'kdc.key.revoke', [id], { keyId: id, parties: rec.parties.map((n) => ({ name: n })), reason }, 'kdc')],
        commit: (audit) => ctx.storage.commitKdc({ ...audit, putKeys: [out!] }),
      };
    });
    return keyInfo(out!);
  }

  async function revokeKeysOf(principalIn: string, reason: RevocationReason): Promise<DistributedKeyInfo[]> {
    const name = cleanName(principalIn);
    if (!isRevocationReason(reason)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown revocation reason');
    let out: KdcKeyRecord[] = [];
    await withAudit(ctx, async () => {
      const now = isoAt(ctx.clock.now());
      out = (await ctx.storage.listKdcKeysOf(name)).filter((k) => !k.revoked).map((k) => ({ ...k, revoked: true, revokedAt: now, reason }));
      return {
        drafts: out.map((k) => auditDraft(ctx, 'kdc.key.revoke', [k.id], { keyId: k.id, parties: k.parties.map((n) => ({ name: n })), reason, principal: { name } }, 'kdc')),
        commit: (audit) => ctx.storage.commitKdc({ ...audit, putKeys: out }),
      };
    });
    return out.map(keyInfo);
  }

  async function listRevokedKeys(): Promise<RevokedDistributedKey[]> {
    return (await ctx.storage.listKdcKeys())
      .filter((k) => k.revoked)
      .map((k) => ({ id: k.id, parties: [...k.parties], reason: k.reason ?? 'unspecified', revokedAt: k.revokedAt ?? '' }))
      .sort((a, b) => b.revokedAt.localeCompare(a.revokedAt));
  }

  // -------------------------------------------------------------------------------------
  // The seeds' store_key / get_key, honestly: only the authenticated owner gets it back.

  async function storeKey(ownerIn: string, label?: string): Promise<DistributedKeyInfo> {
    const owner = cleanName(ownerIn, 'owner');
    const p = await principalRecord(owner);
    if (p.status !== 'active') throw new KeyStateError(`kdc: ${owner} is ${p.status}; no keys are stored for it`);
    const clean = label?.trim().slice(0, 100);
    const m = await master();
    const { key } = await kc.newSessionKeys(ctx);
    const [wrappedKey, kcv] = await Promise.all([kc.wrapForRecord(ctx, m, key), kc.kcvOf(ctx, key)]);
    const rec: KdcKeyRecord = { id: randomId(ctx.random, 'kdk'), kind: 'stored', parties: [owner], wrappedKey, kcv, issuedAt: isoAt(ctx.clock.now()), revoked: false };
    if (clean) rec.label = clean;
    const out = await commit(() => [auditDraft(ctx, 'kdc.key.store', [rec.id], { keyId: rec.id, owner: { name: owner }, kcv }, 'kdc')], { addKeys: [rec], principalsActive: [owner] });
    if (!out.ok) throw new KeyStateError(`kdc: ${owner} is not active; no key was stored`);
    return keyInfo(rec);
  }

  async function getKey(requesterIn: string, keyId: string): Promise<{ key: DistributedKeyInfo; kcv: string }> {
    const requester = cleanName(requesterIn, 'requester');
    // The requester's side: a request sealed under its own long-term key, with a nonce.
    const own = await ownLongTermKey(requester);
    const nonce = ctx.random(16);
    const req = await kc.seal(ctx, own.key, header('key-request', requester, KDC_NAME, { kvno: own.kvno }), { keyId, nonce: toBase64(nonce), time: ctx.clock.now() });
    // The KDC's side: authenticate the request, then check ownership and status.
    const s = decodeSealed(req.bytes, 'key-request');
    const p = await principalRecord(s.header.from);
    const fail = (e: KdcRefusal) => refuse(e, KDC_NAME, { keyId, requester: { name: p.name } }, [keyId]);
    if (s.header.kvno !== p.kvno) return fail(refusal('addressing', 'the request names another key version'));
    const body = await kc.open(ctx, await kdcLongTermKey(p), s, 'key request').catch(fail);
    if (Math.abs(ctx.clock.now() - numField(body, 'time')) > CLOCK_SKEW_MS) return fail(refusal('skew', 'the request time is outside the clock-skew window'));
    const rec = await ctx.storage.getKdcKey(strField(body, 'keyId'));
    if (!rec || rec.kind !== 'stored') throw new EngineError('KEY_NOT_FOUND', 'kdc: no such stored key');
    if (rec.parties[0] !== p.name) return fail(refusal('owner', `${p.name} does not own this key; only its owner can get it`, 'KEY_STATE'));
    if (rec.revoked) return fail(refusal('key-revoked', `the key ${keyId} is revoked`, 'KEY_STATE'));
    if (p.status !== 'active' || (await ctx.storage.getPrincipal(p.name))?.revoked) return fail(refusal('principal-status', `${p.name} is not active`, 'KEY_STATE'));
    const kA = await kdcLongTermKey(p);
    const kdcCopy = await ctx.subtle.unwrapKey('raw', rec.wrappedKey, await master(), 'AES-KW', { name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
    const replyBody = { nonce: toBase64(nonce), keyId, key: (await kc.wrapInFlight(ctx, kA, kdcCopy, 'session', keyId, p.name)) as unknown as Json };
    const reply = await kc.seal(ctx, kA, header('key-reply', KDC_NAME, p.name, { kvno: p.kvno }), replyBody);
    // The requester's side again: nonce, then unwrap into a non-extractable key.
    const rb = await kc.open(ctx, own.key, decodeSealed(reply.bytes, 'key-reply'), 'key reply');
    if (!equalBytes(b64Field(rb, 'nonce', 16), nonce)) throw refusal('nonce', 'the key reply does not answer this request');
    const held = await kc.unwrapInFlight(ctx, own.key, rb.key, 'session', keyId, requester);
    const kcv = await kc.kcvOf(ctx, held);
    await commit(() => [auditDraft(ctx, 'kdc.key.retrieve', [keyId], { keyId, owner: { name: requester }, kcv }, 'kdc')], {
      putHeld: [{ id: `${keyId}:${requester}`, keyId, holder: requester, key: held, receivedAt: isoAt(ctx.clock.now()) }],
      keysNotRevoked: [keyId],
    });
    return { key: keyInfo(rec), kcv };
  }

  const kdc: Kdc = {
    registerPrincipal,
    rotatePrincipalKey,
    listPrincipals,
    suspendPrincipal,
    revokePrincipal,
    reinstatePrincipal,
    startDistribution,
    nextStep,
    distribute,
    sendMessage,
    receiveMessage,
    verifyDistributedKey,
    listDistributedKeys,
    revokeDistributedKey,
    revokeKeysOf,
    listRevokedKeys,
    storeKey,
    getKey,
    runAttack: (attack, p) => runAttack(ctx, kdc, internals, attack, p),
    protocol,
  };
  const internals: KdcInternals = {
    heldKey: async (keyId, holder) => (await heldKey(keyId, holder)).key,
    cleanName,
  };
  return kdc;
}


function copyBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(b.length);
  out.set(b);
  return out;
}
