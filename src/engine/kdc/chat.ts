// Messages under a distributed session key (C6): seal and open chat text between its two holders.
import { EngineError, KeyStateError } from '../errors';
import type { KdcKeyId, PrincipalId } from '../ids';
import { utf8 } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import { decodeSealed, header, strField } from './codec';
import { cleanName, parse, type KdcContext } from './context';
import * as kc from './crypto';
import { KdcRefusal, type SealedMessage } from './types';
import { clearSection, underSession, wire } from './wire';

/** The chat verbs of a KDC. */
export function createChat(k: KdcContext) {
  const { ctx, heldKey } = k;

  async function sendMessage(keyId: KdcKeyId, fromIn: PrincipalId, text: string): Promise<SealedMessage> {
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
      sections: [clearSection(sealed.sealed), { part: 'message', protection: underSession(keyId), fields: [{ name: 'text', value: { of: 'text', bytes: utf8(text).length } }, { name: 'time', value: isoAt(body.time) }] }],
    });
    return { keyId, from, to, bytes: sealed.bytes, wire: w };
  }

  async function receiveMessage(keyId: KdcKeyId, toIn: PrincipalId, bytes: Uint8Array): Promise<string> {
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

  return { sendMessage, receiveMessage };
}
