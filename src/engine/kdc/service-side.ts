// The service's side of the protocol (C2): B checks ticket and authenticator and answers with its key confirmation (message 4), then checks A's (message 5).
import { EngineError } from '../errors';
import { asKdcKeyId, asPrincipalId, asTicketId, type KdcKeyId, type PrincipalId } from '../ids';
import { toBase64, toHex } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import type { KdcCommitOutcome } from '../storage/commits';
import { auditDraft } from '../audit/store';
import { b64Field, decodeApRequest, decodeSealed, header, numField, strField, type Json } from './codec';
import { cleanName, copyBytes, KDC_NAME, ownersNamed, parse, refusal, type KdcContext } from './context';
import * as kc from './crypto';
import { CLOCK_SKEW_MS, type KdcRefusal } from './types';
import { bodyFields, clearSection, underSession, wire } from './wire';

/** B's verbs: accept an AP request (D1, D3, C4, D5) and finish the key confirmation (D4). */
export function createServiceSide(k: KdcContext) {
  const { ctx, serviceSessions, ownLongTermKey, heldKey, commit, refuse } = k;

  async function serviceAccept(serviceIn: PrincipalId, apBytes: Uint8Array, opts: { at?: number } = {}) {
    return (await serviceAcceptWithWire(serviceIn, apBytes, opts, 4)).result;
  }

  async function serviceAcceptWithWire(serviceIn: PrincipalId, apBytes: Uint8Array, opts: { at?: number }, step: number) {
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
    const t = await parse(() => ({ client: asPrincipalId(strField(tb, 'client')), service: strField(tb, 'service'), keyId: asKdcKeyId(strField(tb, 'keyId')), ticketId: asTicketId(strField(tb, 'ticketId')), issuedAt: numField(tb, 'issuedAt'), expiresAt: numField(tb, 'expiresAt') })).catch((e: KdcRefusal) => fail(e));
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
    if (!out.ok) return fail(acceptRefusal(out, t.keyId), base, ids);
    serviceSessions.set(`${service}:${t.keyId}`, { client: t.client, apRequest: copyBytes(apBytes), nonceB, confirmed: false });
    const w = wire(step, challenge.bytes, {
      type: 'ap-challenge',
      from: service,
      to: t.client,
      service,
      sections: [
        clearSection(challenge.sealed),
        {
          part: 'challenge',
          protection: underSession(t.keyId),
          fields: bodyFields(challengeBody, { nonceB: 'service-nonce', confirm: 'service-confirmation' }),
        },
      ],
    });
    return { result: { keyId: t.keyId, client: t.client, challenge: challenge.bytes }, wire: w };
  }

  async function serviceFinish(serviceIn: PrincipalId, keyId: KdcKeyId, confirmBytes: Uint8Array): Promise<void> {
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

  return { serviceAccept, serviceAcceptWithWire, serviceFinish };
}

/** Why the acceptance's transaction wrote nothing, as a refusal. */
function acceptRefusal(out: Exclude<KdcCommitOutcome, { ok: true }>, keyId: string): KdcRefusal {
  if (out.refused === 'replayed') return refusal('replay-cache', 'this authenticator was already used (replay cache)');
  if (out.refused === 'key-revoked') return refusal('key-revoked', `the session key ${keyId} is revoked`, 'KEY_STATE');
  return refusal('principal-status', `${out.subject} is suspended or revoked`, 'KEY_STATE');
}
