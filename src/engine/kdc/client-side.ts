// The client's side of the protocol (C2): A checks the KDC's reply, presents the ticket (message 3) and confirms the key (message 5).
import { EngineError } from '../errors';
import { asKdcKeyId, asPrincipalId, asTicketId, type KdcKeyId, type PrincipalId } from '../ids';
import { toBase64, toHex } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import { b64Field, decodeSealed, encodeApRequest, header, numField, sealedFromJson, strField } from './codec';
import { cleanName, KDC_NAME, ownersNamed, parse, refusal, type ClientTicket, type KdcContext } from './context';
import * as kc from './crypto';
import type { KdcRefusal } from './types';
import { bodyFields, clearSection, underSession, wire } from './wire';

/** A's verbs: accept the reply (D2), send ticket and authenticator, check B's confirmation (D4). */
export function createClientSide(k: KdcContext) {
  const { ctx, pending, clientTickets, ownLongTermKey, heldKey, commit, refuse } = k;

  async function acceptReply(clientIn: PrincipalId, replyBytes: Uint8Array) {
    return (await acceptReplyWithWire(clientIn, replyBytes, 3)).result;
  }

  async function acceptReplyWithWire(clientIn: PrincipalId, replyBytes: Uint8Array, step: number) {
    const client = cleanName(clientIn, 'client');
    const s = await parse(() => decodeSealed(replyBytes, 'kdc-reply')).catch((e: KdcRefusal) => refuse(e, client, ownersNamed(client)));
    if (s.header.to !== client || s.header.from !== KDC_NAME) return refuse(refusal('addressing', `the reply is not addressed to ${client}`), client, ownersNamed(client));
    const { key: kA } = await ownLongTermKey(client);
    const body = await kc.open(ctx, kA, s, 'KDC reply').catch((e: KdcRefusal) => refuse(e, client, ownersNamed(client)));
    const f = await parse(() => ({ nonce: b64Field(body, 'nonce', 16), service: asPrincipalId(strField(body, 'service')), keyId: asKdcKeyId(strField(body, 'keyId')), ticketId: asTicketId(strField(body, 'ticketId')), expiresAt: numField(body, 'expiresAt'), ticket: sealedFromJson(body.ticket, 'ticket') }));
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

  async function apRequest(clientIn: PrincipalId, keyId: KdcKeyId): Promise<Uint8Array<ArrayBuffer>> {
    return (await apRequestWithWire(cleanName(clientIn, 'client'), keyId, 3)).bytes;
  }

  async function apRequestWithWire(client: PrincipalId, keyId: KdcKeyId, step: number) {
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
      service: t.service,
      sections: [
        { part: 'envelope', protection: { kind: 'clear' }, fields: [{ name: 'type', value: 'ap-request' }, { name: 'from', value: client }, { name: 'to', value: t.service }] },
        clearSection(t.ticket, 'ticket-header'),
        { part: 'ticket', protection: { kind: 'passed-on', service: t.service, carrier: client }, fields: [{ name: 'ciphertext', value: { of: 'ciphertext', bytes: t.ticket.ct.length } }] },
        clearSection(auth.sealed, 'authenticator-header'),
        { part: 'authenticator', protection: underSession(keyId), fields: bodyFields(authBody, { time: 'authenticator-time', authenticatorId: 'authenticator-id' }) },
      ],
    });
    return { bytes, wire: w };
  }

  async function clientConfirm(clientIn: PrincipalId, keyId: KdcKeyId, challengeBytes: Uint8Array) {
    return (await clientConfirmWithWire(clientIn, keyId, challengeBytes, 5)).bytes;
  }

  async function clientConfirmWithWire(clientIn: PrincipalId, keyId: KdcKeyId, challengeBytes: Uint8Array, step: number) {
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
      service: t.service,
      sections: [clearSection(sealed.sealed), { part: 'confirmation', protection: underSession(keyId), fields: bodyFields(confirmBody, { confirm: 'client-confirmation' }) }],
    });
    return { bytes: sealed.bytes, wire: w };
  }

  return { acceptReply, acceptReplyWithWire, apRequest, clientConfirm, clientConfirmWithWire };
}
