// The seeds' store_key / get_key, done honestly: the KDC keeps a key for one principal and only that principal, authenticated, gets it back.
import { auditDraft } from '../audit/store';
import { EngineError, KeyStateError } from '../errors';
import { mintKdcKeyId, type KdcKeyId, type PrincipalId } from '../ids';
import { equalBytes, toBase64 } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import type { KdcKeyRecord } from '../storage/schema';
import { b64Field, decodeSealed, header, numField, strField, type Json } from './codec';
import { cleanName, KDC_NAME, keyInfo, refusal, type KdcContext } from './context';
import * as kc from './crypto';
import { CLOCK_SKEW_MS, type DistributedKeyInfo, type KdcRefusal } from './types';

/** The key-store verbs of a KDC. */
export function createKeyStore(k: KdcContext) {
  const { ctx, master, principalRecord, kdcLongTermKey, ownLongTermKey, commit, refuse } = k;

  async function storeKey(ownerIn: PrincipalId, label?: string): Promise<DistributedKeyInfo> {
    const owner = cleanName(ownerIn, 'owner');
    const p = await principalRecord(owner);
    if (p.status !== 'active') throw new KeyStateError(`kdc: ${owner} is ${p.status}; no keys are stored for it`);
    const clean = label?.trim().slice(0, 100);
    const m = await master();
    const { key } = await kc.newSessionKeys(ctx);
    const [wrappedKey, kcv] = await Promise.all([kc.wrapForRecord(ctx, m, key), kc.kcvOf(ctx, key)]);
    const rec: KdcKeyRecord = { id: mintKdcKeyId(ctx.random), kind: 'stored', parties: [owner], wrappedKey, kcv, issuedAt: isoAt(ctx.clock.now()), revoked: false };
    if (clean) rec.label = clean;
    const out = await commit(() => [auditDraft(ctx, 'kdc.key.store', [rec.id], { keyId: rec.id, owner: { name: owner }, kcv }, 'kdc')], { addKeys: [rec], principalsActive: [owner] });
    if (!out.ok) throw new KeyStateError(`kdc: ${owner} is not active; no key was stored`);
    return keyInfo(rec);
  }

  async function getKey(requesterIn: PrincipalId, keyId: KdcKeyId): Promise<{ key: DistributedKeyInfo; kcv: string }> {
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

  return { storeKey, getKey };
}
