/**
 * INSECURE — DEMONSTRATION ONLY. The original Needham–Schroeder symmetric-key protocol
 * (1978), without the fixes Clavis's protocol has, so the attacks can be shown to
 * succeed. Never used to protect anything: its keys are fresh, in memory only, and
 * thrown away after each demonstration.
 *
 *   1. A → KDC  A, B, N_A                               (clear)
 *   2. KDC → A  {N_A, B, K_AB, {K_AB, A}K_B}K_A          (AES-CTR: encryption without integrity)
 *   3. A → B    {K_AB, A}K_B                             (no timestamp, no expiry, no ticket id)
 *   4. B → A    {N_B}K_AB
 *   5. A → B    {N_B − 1}K_AB
 *
 * Byte layouts (all AES-CTR, 16-byte counter block first, 64-bit counter):
 *   wrapped key = ctr ‖ AES-CTR wrapKey(raw K_AB)     (48 bytes)
 *   ticket      = wrapped key under K_B ‖ ctr ‖ CTR_K_B(UTF-8 A)
 *   reply       = wrapped key under K_A ‖ ctr ‖ CTR_K_A(JSON {nonce, service, ticket(hex)})
 *
 * `variant` options remove one more check where the 1978 protocol already had it, for
 * the attacks that need it (each labelled in the attack report).
 */
import { concat, fromHex, fromUtf8, toHex, utf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';

type Ctx = Pick<EngineContext, 'subtle' | 'random'>;

const CTR = (counter: Uint8Array<ArrayBuffer>) => ({ name: 'AES-CTR', counter, length: 64 });
const AES_CTR_256 = { name: 'AES-CTR', length: 256 } as const;

async function encCtr(ctx: Ctx, key: CryptoKey, pt: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const counter = ctx.random(16);
  return concat(counter, new Uint8Array(await ctx.subtle.encrypt(CTR(counter), key, pt)));
}

async function decCtr(ctx: Ctx, key: CryptoKey, b: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.decrypt(CTR(b.slice(0, 16)), key, b.slice(16)));
}

async function wrapCtr(ctx: Ctx, under: CryptoKey, key: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  const counter = ctx.random(16);
  return concat(counter, new Uint8Array(await ctx.subtle.wrapKey('raw', key, under, CTR(counter))));
}

function unwrapCtr(ctx: Ctx, under: CryptoKey, b: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return ctx.subtle.unwrapKey('raw', b.slice(16, 48), under, CTR(b.slice(0, 16)), AES_CTR_256, false, ['encrypt', 'decrypt']);
}

function minusOne(n: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! > 0) {
      out[i]!--;
      break;
    }
    out[i] = 0xff;
  }
  return out;
}

/** One unfixed world: a KDC, A and B with fresh AES-CTR long-term keys. */
export interface NsWorld {
  client: string;
  service: string;
  /** A's outstanding nonces (hex). */
  pending: Set<string>;
  /** B's state after message 3. */
  serviceSession?: { key: CryptoKey; peer: string; nonceB: Uint8Array<ArrayBuffer>; accepted: boolean };
  kA: CryptoKey;
  kB: CryptoKey;
}

export async function newWorld(ctx: Ctx, client: string, service: string): Promise<NsWorld> {
  const gen = () => ctx.subtle.generateKey(AES_CTR_256, false, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']) as Promise<CryptoKey>;
  return { client, service, pending: new Set(), kA: await gen(), kB: await gen() };
}

/** Message 1 (clear). */
export function nsRequest(ctx: Ctx, w: NsWorld): Uint8Array<ArrayBuffer> {
  const nonce = ctx.random(16);
  w.pending.add(toHex(nonce));
  return utf8(JSON.stringify({ client: w.client, service: w.service, nonce: toHex(nonce) }));
}

/** Message 2 from the KDC. */
export async function nsReply(ctx: Ctx, w: NsWorld, request: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const r = JSON.parse(fromUtf8(request)) as { client: string; service: string; nonce: string };
  const kAB = (await ctx.subtle.generateKey(AES_CTR_256, true, ['encrypt', 'decrypt'])) as CryptoKey;
  const ticket = concat(await wrapCtr(ctx, w.kB, kAB), await encCtr(ctx, w.kB, utf8(r.client)));
  const inner = utf8(JSON.stringify({ nonce: r.nonce, service: r.service, ticket: toHex(ticket) }));
  return concat(await wrapCtr(ctx, w.kA, kAB), await encCtr(ctx, w.kA, inner));
}

/** A reads message 2; returns the session key and the ticket (message 3). */
export async function nsAcceptReply(ctx: Ctx, w: NsWorld, reply: Uint8Array<ArrayBuffer>, variant: { checkNonce: boolean }): Promise<{ key: CryptoKey; service: string; ticket: Uint8Array<ArrayBuffer> }> {
  const key = await unwrapCtr(ctx, w.kA, reply.slice(0, 48));
  const inner = JSON.parse(fromUtf8(await decCtr(ctx, w.kA, reply.slice(48)))) as { nonce: string; service: string; ticket: string };
  if (variant.checkNonce) {
    if (!w.pending.has(inner.nonce)) throw new Error('nonce mismatch');
    w.pending.delete(inner.nonce);
  }
  return { key, service: inner.service, ticket: fromHex(inner.ticket) };
}

/** B reads a ticket (message 3) and answers with {N_B}K_AB (message 4). No expiry, no replay cache, no integrity. */
export async function nsServiceAccept(ctx: Ctx, w: NsWorld, ticket: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const key = await unwrapCtr(ctx, w.kB, ticket.slice(0, 48));
  const peer = fromUtf8(await decCtr(ctx, w.kB, ticket.slice(48)));
  const nonceB = ctx.random(16);
  w.serviceSession = { key, peer, nonceB, accepted: false };
  return encCtr(ctx, key, nonceB);
}

/** A answers {N_B}K_AB with {N_B − 1}K_AB (message 5). */
export async function nsClientAnswer(ctx: Ctx, key: CryptoKey, challenge: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return encCtr(ctx, key, minusOne(await decCtr(ctx, key, challenge)));
}

/**
 * B checks message 5. `symmetric` is the variant whose answer is E_K(N_B) itself (a
 * confirmation with no direction), which reflection defeats.
 */
export async function nsServiceFinish(ctx: Ctx, w: NsWorld, answer: Uint8Array, variant: { symmetric: boolean } = { symmetric: false }): Promise<boolean> {
  const s = w.serviceSession;
  if (!s) return false;
  const got = await decCtr(ctx, s.key, answer);
  const want = variant.symmetric ? s.nonceB : minusOne(s.nonceB);
  s.accepted = got.length === want.length && got.every((x, i) => x === want[i]);
  return s.accepted;
}

/** A party seals a message under the session key; the other opens it. */
export function nsSeal(ctx: Ctx, key: CryptoKey, text: string): Promise<Uint8Array<ArrayBuffer>> {
  return encCtr(ctx, key, utf8(text));
}
export async function nsOpen(ctx: Ctx, key: CryptoKey, b: Uint8Array): Promise<string> {
  return fromUtf8(await decCtr(ctx, key, b));
}

/** The offset of the client name's ciphertext inside a ticket (after wrapped key and counter). */
export const TICKET_NAME_OFFSET = 48 + 16;
