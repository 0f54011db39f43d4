// The KDC exchange of the protocol (C2): A's request (message 1) and the KDC's reply with the ticket (message 2).
import { auditDraft } from '../audit/store';
import { EngineError, isEngineError } from '../errors';
import { mintKdcKeyId, mintTicketId, type PrincipalId } from '../ids';
import { toBase64, toHex } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import type { KdcKeyRecord } from '../storage/schema';
import { b64Field, decodeSealed, header, numField, sealedToJson, strField, type Json, type Sealed } from './codec';
import { cleanName, KDC_NAME, MAX_TICKET_LIFETIME_MS, MIN_TICKET_LIFETIME_MS, ownersNamed, parse, refusal, type KdcContext } from './context';
import * as kc from './crypto';
import { CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS, KdcRefusal } from './types';
import { bodyFields, clearSection, underLongTerm, wire } from './wire';

/** Messages 1 and 2: A's side of the request, the KDC's checks and issuance. */
export function createKdcExchange(k: KdcContext) {
  const { ctx, pending, master, kdcLongTermKey, ownLongTermKey, commit, refuse } = k;

  async function request(clientIn: PrincipalId, serviceIn: PrincipalId): Promise<Uint8Array<ArrayBuffer>> {
    return (await requestWithWire(clientIn, serviceIn, 1)).bytes;
  }

  async function requestWithWire(clientIn: PrincipalId, serviceIn: PrincipalId, step: number) {
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
      service,
      sections: [clearSection(sealed), { part: 'request', protection: underLongTerm(client, kvno), fields: bodyFields(body, { nonce: 'request-nonce' }) }],
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
    const keyId = mintKdcKeyId(ctx.random);
    const ticketId = mintTicketId(ctx.random);
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
    const rec: KdcKeyRecord = { id: keyId, kind: 'session', parties: [clientRec.name, serviceRec.name], wrappedKey, wrappedConfirmKey, kcv, ticketId, issuedAt: isoAt(issuedAt), expiresAt: isoAt(expiresAt), revoked: false };
    const out = await commit(
      () => [auditDraft(ctx, 'kdc.ticket.issue', [keyId, ticketId], { keyId, ticketId, ...ownersNamed(clientName, serviceRec.name), kcv, issuedAt: rec.issuedAt, expiresAt: rec.expiresAt!, lifetimeMs: lifetime }, 'kdc')],
      { addKeys: [rec], principalsActive: [clientName, serviceRec.name] },
    );
    if (!out.ok) return refuse(refusal('principal-status', `${out.subject} is not active; no ticket was issued`, 'KEY_STATE'), KDC_NAME, ownersNamed(clientName, serviceRec.name));
    const w = wire(step, reply.bytes, {
      type: 'kdc-reply',
      from: KDC_NAME,
      to: clientName,
      service: serviceRec.name,
      sections: [
        clearSection(reply.sealed),
        { part: 'reply', protection: underLongTerm(clientRec.name, clientRec.kvno), fields: bodyFields(replyBody, { nonce: 'reply-nonce', sessionKey: 'wrapped-under-sealing-key', confirmKey: 'confirm-key' }) },
        clearSection(ticket.sealed, 'ticket-header'),
        { part: 'ticket', protection: underLongTerm(serviceRec.name, serviceRec.kvno), fields: bodyFields(ticketBody, { sessionKey: 'wrapped-under-sealing-key', expiresAt: 'ticket-expiry' }) },
      ],
    });
    return { bytes: reply.bytes, wire: w, keyId, ticketId, expiresAt };
  }

  return { request, requestWithWire, issue, issueWithWire };
}
