// The client–service exchange of the protocol (C2): A checks the reply and presents the ticket (3), B accepts it (4), both confirm the key (5).
import { auditDraft } from '../audit/store';
import { EngineError } from '../errors';
import { toBase64, toHex } from '../internal/bytes';
import { isoAt } from '../lifecycle/states';
import { b64Field, decodeApRequest, decodeSealed, encodeApRequest, header, numField, sealedFromJson, strField, type Json } from './codec';
import { cleanName, copyBytes, KDC_NAME, ownersNamed, parse, refusal, type ClientTicket, type KdcContext } from './context';
import * as kc from './crypto';
import { CLOCK_SKEW_MS, KdcRefusal } from './types';
import { bodyFields, clearSection, underSession, wire } from './wire';

/** Messages 3 to 5, each party's side: ticket, authenticator, challenge and key confirmation. */
export function createApExchange(k: KdcContext) {
  const { ctx, pending, clientTickets, serviceSessions, ownLongTermKey, heldKey, commit, refuse } = k;

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

  return { acceptReply, acceptReplyWithWire, apRequest, serviceAccept, serviceAcceptWithWire, clientConfirm, clientConfirmWithWire, serviceFinish };
}
