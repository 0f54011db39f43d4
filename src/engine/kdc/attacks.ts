/**
 * Attack demonstrations (C5). Each attack runs for real against Clavis's protocol (the
 * same code paths the parties use; refusals are audited) and against the unfixed
 * Needham–Schroeder of insecure-ns.ts, and reports what the attacker tried and which
 * check refused it, as ids and data: the screens word the moves and explain the outcome
 * (src/copy/kdc.ts). "Compromise" of a session key is modelled by handing the attacker
 * the party's key handle: it can use the key, as a thief of the key could.
 */
import { toBase64, utf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import type { PrincipalId } from '../ids';
import { decodeApRequest, decodeSealed, encodeApRequest, encodeSealed, header, sealedFromJson } from './codec';
import * as kc from './crypto';
import * as ns from './insecure-ns';
import type { KdcInternals } from './internals';
import { KDC_ATTACK_NAMES, KdcRefusal, type AttackAttempt, type AttackOutcome, type AttackReport, type Kdc, type KdcAttackMove, type KdcAttackName, type KdcCheck } from './types';
import { EngineError } from '../errors';

/** Tries `f`; a KdcRefusal becomes a refused attempt naming its check. */
async function attempt(move: KdcAttackMove, f: () => Promise<unknown>): Promise<AttackAttempt> {
  try {
    await f();
    return { move, accepted: true };
  } catch (e) {
    if (e instanceof KdcRefusal) return { move, accepted: false, check: e.check, refusal: e.message };
    throw e;
  }
}

function clavisOutcome(attempts: AttackAttempt[], main: number): AttackOutcome {
  const succeeded = attempts.some((a) => a.accepted);
  const out: AttackOutcome = { protocol: 'clavis', succeeded, attempts };
  const refusedBy: KdcCheck | undefined = succeeded ? undefined : attempts[main]?.check;
  if (refusedBy) out.refusedBy = refusedBy;
  return out;
}

function flip(b: Uint8Array<ArrayBuffer>, at: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(b);
  out[at]! ^= 0x01;
  return out;
}

/** Same-length stand-in for a name (the attacker's), for bit-flipping a known plaintext. */
function forgedName(name: string): string {
  return 'mallory'.padEnd(name.length, 'y').slice(0, name.length);
}

/** What every attack works with: the parties, the protocol steps and the report builder. */
interface AttackScene {
  ctx: EngineContext;
  kdc: Kdc;
  internals: KdcInternals;
  A: PrincipalId;
  B: PrincipalId;
  P: Kdc['protocol'];
  report: (clavis: AttackOutcome, unfixed: AttackOutcome) => AttackReport;
}

/** C5: runs `attack` between `p.client` and `p.service` against Clavis's protocol and the unfixed one. */
export async function runAttack(ctx: EngineContext, kdc: Kdc, internals: KdcInternals, attack: KdcAttackName, p: { client: PrincipalId; service: PrincipalId }): Promise<AttackReport> {
  if (!KDC_ATTACK_NAMES.includes(attack)) throw new EngineError('INVALID_ARGUMENT', 'kdc: unknown attack');
  const A = internals.cleanName(p.client, 'client');
  const B = internals.cleanName(p.service, 'service');
  if (A === B) throw new EngineError('INVALID_ARGUMENT', 'kdc: A and B must be two different principals');
  const P = kdc.protocol;
  const report = (clavis: AttackOutcome, unfixed: AttackOutcome): AttackReport => ({ attack, client: A, service: B, clavis, unfixed });

  const scene: AttackScene = { ctx, kdc, internals, A, B, P, report };
  return ATTACKS[attack](scene);
}

/** Each attack, run against both protocols. */
const ATTACKS: Readonly<Record<KdcAttackName, (s: AttackScene) => Promise<AttackReport>>> = {
  'replay-kdc-reply': replayKdcReply,
  'denning-sacco': denningSacco,
  'reflection': reflection,
  'tamper-ticket': tamperTicket,
  'tamper-reply': tamperReply,
};

/** A recorded KDC reply answers A's new request (D2). */
async function replayKdcReply({ ctx, A, B, P, report }: AttackScene): Promise<AttackReport> {
  // A legitimate exchange the attacker records; later the old session key leaks.
  const reply1 = await P.issue(await P.request(A, B));
  await P.acceptReply(A, reply1);
  await P.request(A, B); // A's new request; the attacker intercepts it.
  const a1 = await attempt('replay-reply-old-key', () => P.acceptReply(A, reply1));
  const clavis = clavisOutcome([a1], 0);

  const w = await ns.newWorld(ctx, A, B);
  const old = await ns.nsReply(ctx, w, ns.nsRequest(ctx, w));
  const first = await ns.nsAcceptReply(ctx, w, old, { checkNonce: false });
  ns.nsRequest(ctx, w);
  const second = await ns.nsAcceptReply(ctx, w, old, { checkNonce: false });
  const secret = await ns.nsSeal(ctx, second.key, `for ${B} only`);
  const read = await ns.nsOpen(ctx, first.key, secret); // the attacker holds the old key
  const unfixed: AttackOutcome = { protocol: 'unfixed', succeeded: read === `for ${B} only`, attempts: [{ move: 'replay-reply', accepted: true }] };
  return report(clavis, unfixed);
}

/** Denning–Sacco: an old ticket with a compromised session key (D3, C4). */
async function denningSacco({ ctx, kdc, internals, A, B, P, report }: AttackScene): Promise<AttackReport> {
  const { keyId, apRequest, expiresAt } = await P.acceptReply(A, await P.issue(await P.request(A, B)));
  await P.serviceAccept(B, apRequest);
  const stolen = await internals.heldKey(keyId, A); // the old session key is compromised
  const now = ctx.clock.now();
  const after = Date.parse(expiresAt) + 3_600_000;
  const forge = async (time: number) => {
    const ap = decodeApRequest(apRequest);
    const auth = await kc.seal(ctx, stolen, header('authenticator', A, B, { keyId }), { client: A, ticketId: await ticketIdOf(ctx, stolen, ap.authenticator), authenticatorId: toBase64(ctx.random(16)), time });
    return encodeApRequest({ ...ap, authenticator: auth.sealed });
  };
  const attempts = [
    await attempt('replay-ticket-at-once', () => P.serviceAccept(B, apRequest)),
    await attempt('replay-ticket-later', () => P.serviceAccept(B, apRequest, { at: now + 6 * 60_000 })),
    await attempt('expired-ticket-stolen-key', async () => P.serviceAccept(B, await forge(after), { at: after })),
  ];
  // Within the ticket's lifetime a stolen session key is the operator's to revoke (C4).
  await kdc.revokeDistributedKey(keyId, 'keyCompromise');
  attempts.push(await attempt('revoked-key-fresh-authenticator', async () => P.serviceAccept(B, await forge(ctx.clock.now()))));
  const clavis = clavisOutcome(attempts, 2);

  const w = await ns.newWorld(ctx, A, B);
  const r = await ns.nsAcceptReply(ctx, w, await ns.nsReply(ctx, w, ns.nsRequest(ctx, w)), { checkNonce: true });
  const ticket = r.ticket; // recorded by the attacker
  await ns.nsServiceFinish(ctx, w, await ns.nsClientAnswer(ctx, r.key, await ns.nsServiceAccept(ctx, w, ticket)));
  // Much later: the old K_AB is compromised; the attacker replays the old ticket.
  const challenge = await ns.nsServiceAccept(ctx, w, ticket);
  const accepted = await ns.nsServiceFinish(ctx, w, await ns.nsClientAnswer(ctx, r.key, challenge));
  const secret = await ns.nsSeal(ctx, w.serviceSession!.key, `for ${A} only`);
  const read = await ns.nsOpen(ctx, r.key, secret);
  const unfixed: AttackOutcome = { protocol: 'unfixed', succeeded: accepted && w.serviceSession!.peer === A && read === `for ${A} only`, attempts: [{ move: 'replay-old-ticket', accepted }] };
  return report(clavis, unfixed);
}

/** B's own challenge sent back as A's confirmation (D4). */
async function reflection({ ctx, internals, A, B, P, report }: AttackScene): Promise<AttackReport> {
  const { keyId, apRequest } = await P.acceptReply(A, await P.issue(await P.request(A, B)));
  const { challenge } = await P.serviceAccept(B, apRequest);
  const s = decodeSealed(challenge, 'ap-challenge');
  const relabelled = encodeSealed({ ...s, header: { ...s.header, type: 'ap-confirm', from: A, to: B } });
  const stolen = await internals.heldKey(keyId, A);
  const attempts = [
    await attempt('reflect-unchanged', () => P.serviceFinish(B, keyId, challenge)),
    await attempt('reflect-relabelled', () => P.serviceFinish(B, keyId, relabelled)),
    await attempt('reflect-resealed', async () => {
      const body = await kc.open(ctx, stolen, s, 'challenge');
      const forged = await kc.seal(ctx, stolen, header('ap-confirm', A, B, { keyId }), { confirm: body.confirm as string });
      await P.serviceFinish(B, keyId, forged.bytes);
    }),
  ];
  const clavis = clavisOutcome(attempts, 2);

  const w = await ns.newWorld(ctx, A, B);
  const r = await ns.nsAcceptReply(ctx, w, await ns.nsReply(ctx, w, ns.nsRequest(ctx, w)), { checkNonce: true });
  const c = await ns.nsServiceAccept(ctx, w, r.ticket);
  const accepted = await ns.nsServiceFinish(ctx, w, c, { symmetric: true });
  const unfixed: AttackOutcome = { protocol: 'unfixed', succeeded: accepted, attempts: [{ move: 'reflect-challenge', accepted }] };
  return report(clavis, unfixed);
}

/** Bits of the ticket flipped in transit (D1). */
async function tamperTicket({ ctx, A, B, P, report }: AttackScene): Promise<AttackReport> {
  const { apRequest } = await P.acceptReply(A, await P.issue(await P.request(A, B)));
  const ap = decodeApRequest(apRequest);
  const bad = encodeApRequest({ ...ap, ticket: { ...ap.ticket, ct: flip(ap.ticket.ct, 8) } });
  const badHeader = encodeApRequest({ ...ap, ticket: { ...ap.ticket, header: { ...ap.ticket.header, issuer: 'forged' } } });
  const attempts = [
    await attempt('flip-ticket-bit', () => P.serviceAccept(B, bad)),
    await attempt('add-ticket-header-field', () => P.serviceAccept(B, badHeader)),
  ];
  const clavis = clavisOutcome(attempts, 0);

  const w = await ns.newWorld(ctx, A, B);
  const r = await ns.nsAcceptReply(ctx, w, await ns.nsReply(ctx, w, ns.nsRequest(ctx, w)), { checkNonce: true });
  const forged = forgedName(A);
  const t = new Uint8Array(r.ticket);
  const from = utf8(A);
  const to = utf8(forged);
  for (let i = 0; i < from.length; i++) t[ns.TICKET_NAME_OFFSET + i]! ^= from[i]! ^ to[i]!;
  await ns.nsServiceAccept(ctx, w, t);
  const peer = w.serviceSession!.peer;
  const unfixed: AttackOutcome = { protocol: 'unfixed', succeeded: peer === forged, attempts: [{ move: 'rewrite-ticket-client', accepted: peer === forged, forged, believed: peer }] };
  return report(clavis, unfixed);
}

/** Bits of the KDC's reply flipped in transit (D1). */
async function tamperReply({ ctx, A, B, P, report }: AttackScene): Promise<AttackReport> {
  const reply = await P.issue(await P.request(A, B));
  const s = decodeSealed(reply, 'kdc-reply');
  const bad = encodeSealed({ ...s, ct: flip(s.ct, 20) });
  const badHeader = encodeSealed({ ...s, header: { ...s.header, kvno: (s.header.kvno ?? 1) + 0, note: 'forged' } });
  const attempts = [
    await attempt('flip-reply-bit', () => P.acceptReply(A, bad)),
    await attempt('add-reply-header-field', () => P.acceptReply(A, badHeader)),
  ];
  const clavis = clavisOutcome(attempts, 0);

  const w = await ns.newWorld(ctx, A, B);
  const rep = await ns.nsReply(ctx, w, ns.nsRequest(ctx, w));
  const forged = forgedName(B);
  const t = new Uint8Array(rep);
  // {"nonce":"<32 hex>","service":"  — 55 bytes before the service name in the plaintext.
  const offset = 48 + 16 + 55;
  const from = utf8(B);
  const to = utf8(forged);
  for (let i = 0; i < from.length; i++) t[offset + i]! ^= from[i]! ^ to[i]!;
  const got = await ns.nsAcceptReply(ctx, w, t, { checkNonce: true });
  const unfixed: AttackOutcome = { protocol: 'unfixed', succeeded: got.service === forged, attempts: [{ move: 'rewrite-reply-service', accepted: got.service === forged, forged, believed: got.service }] };
  return report(clavis, unfixed);
}


/** The ticket id inside a recorded authenticator (the attacker holds the session key). */
async function ticketIdOf(ctx: EngineContext, key: CryptoKey, auth: ReturnType<typeof sealedFromJson>): Promise<string> {
  const body = await kc.open(ctx, key, auth, 'authenticator');
  return String(body.ticketId);
}
