/**
 * Forward secrecy, demonstrated with real keys (D4). Two recorded conversations, both
 * later hit by the theft of every long-term private key:
 *
 * - Ephemeral: an exchange signed with long-term ECDSA keys whose session key came from
 *   ephemeral ECDH keys that were used once and dropped. The thief holds the signing
 *   keys and the whole recording, tries every combination, and cannot decrypt: the
 *   ephemeral private keys no longer exist anywhere. (The stolen keys do let the thief
 *   sign as the parties in *future* exchanges: that is what revocation is for.)
 * - Static: the session key came from the parties' long-term (static) ECDH keys. The
 *   thief derives the same secret from the stolen key and the recorded public key, and
 *   reads the recorded message.
 *
 * The demo's long-term keys live in memory only and are generated *exportable* so that
 * their theft can be simulated by exporting them; they never reach the vault, the store
 * or the result (which shows fingerprints, never key bytes). Vault keys stay
 * non-extractable.
 */
import { EngineError } from '../errors';
import { concat, fromUtf8, toHex, utf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import {
  NONCE_BYTES,
  deriveSessionKeys,
  messageAad,
  openMessage,
  sealMessage,
  sha256,
  signedContent,
  transcriptHash,
  type SealedMessage,
} from './derive';
import { agree, agreeStatic, generateEphemeral, importPeerKey } from './peer-key';

export type ForwardSecrecyCurve = 'P-256' | 'P-384';

/** The two demo parties. */
export type DemoParty = 'Alice' | 'Bob';

/**
 * One attempt of the thief, as an id (the app words it): the ECDH of a stolen long-term
 * key with a recorded ephemeral key (`stolen`'s key, `recorded`'s public key); using the
 * recording's ephemeral private keys; signing a future exchange as Alice; the ECDH of
 * Bob's stolen static key with Alice's recorded static key.
 */
export type TheftAttempt = { succeeded: boolean } & (
  | { kind: 'long-term-with-ephemeral'; stolen: DemoParty; recorded: DemoParty }
  | { kind: 'use-ephemeral-keys' }
  | { kind: 'sign-future-exchange' }
  | { kind: 'static-with-static' }
);

/** Which value the eavesdropper recorded or the thief stole (keys by fingerprint). */
export type ForwardSecrecyValueId =
  | 'alice-ephemeral-key'
  | 'bob-ephemeral-key'
  | 'nonces'
  | 'alice-signature'
  | 'bob-signature'
  | 'iv'
  | 'ciphertext'
  | 'alice-static-key'
  | 'bob-static-key'
  | 'alice-signing-key'
  | 'bob-signing-key'
  | 'bob-ecdh-key';

/** A value of the demo, named by id (hex; `nonces` is both nonces, space-separated). */
export interface ForwardSecrecyValue {
  id: ForwardSecrecyValueId;
  value: string;
}

/** One recorded conversation and what its later compromise yields. */
export interface ForwardSecrecyRun {
  /** Which conversation this is; the screen titles it by this id. */
  kind: 'ephemeral' | 'static';
  /** What the eavesdropper recorded (public values and ciphertext, hex). */
  recorded: ForwardSecrecyValue[];
  /** Which private keys were stolen later (by fingerprint). */
  stolen: ForwardSecrecyValue[];
  /** True when the exchange's ephemeral private keys no longer exist (ephemeral run). */
  ephemeralKeysDestroyed: boolean;
  attempts: TheftAttempt[];
  /** The recorded message as the thief recovered it, or null. */
  recovered: string | null;
}

export interface ForwardSecrecyReport {
  curve: ForwardSecrecyCurve;
  message: string;
  ephemeral: ForwardSecrecyRun;
  static: ForwardSecrecyRun;
}

const hash = (c: ForwardSecrecyCurve) => (c === 'P-256' ? 'SHA-256' : 'SHA-384');

async function spkiFp(ctx: EngineContext, k: CryptoKey): Promise<string> {
  return toHex(await sha256(ctx, new Uint8Array(await ctx.subtle.exportKey('spki', k))));
}

/** The thief's tool: a stolen PKCS#8 key imported as an ECDH key (ECDSA and ECDH keys share the encoding). */
async function importStolen(ctx: EngineContext, curve: ForwardSecrecyCurve, pkcs8: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  try {
    return await ctx.subtle.importKey('pkcs8', pkcs8, { name: 'ECDH', namedCurve: curve }, false, ['deriveBits']);
  } finally {
    pkcs8.fill(0);
  }
}

async function tryDecrypt(
  ctx: EngineContext,
  curve: ForwardSecrecyCurve,
  priv: CryptoKey,
  peerRaw: Uint8Array,
  salt: Uint8Array<ArrayBuffer>,
  th: Uint8Array,
  sealed: SealedMessage,
): Promise<string | null> {
  const peer = await importPeerKey(ctx, curve, peerRaw);
  const keys = await deriveSessionKeys(ctx, await agreeStatic(ctx, curve, priv, peer.key), salt, th);
  const pt = await openMessage(ctx, keys.sessionKey, messageAad('initiator-to-responder', 0), sealed);
  return pt ? fromUtf8(pt) : null;
}

/** Runs both conversations and both thefts. @throws INVALID_ARGUMENT for a bad curve or message */
export async function forwardSecrecyDemo(ctx: EngineContext, p: { curve?: ForwardSecrecyCurve; message: string }): Promise<ForwardSecrecyReport> {
  const curve = p.curve ?? 'P-256';
  if (curve !== 'P-256' && curve !== 'P-384') throw new EngineError('INVALID_ARGUMENT', 'exchange: the forward-secrecy demo uses P-256 or P-384');
  if (typeof p.message !== 'string' || p.message.length === 0 || p.message.length > 1000) throw new EngineError('INVALID_ARGUMENT', 'exchange: the message must be 1–1000 characters');
  const text = utf8(p.message);
  const aad = messageAad('initiator-to-responder', 0);

  const ephemeral = await runEphemeral(ctx, curve, text, p.message, aad);
  const statics = await runStatic(ctx, curve, text, aad);
  return { curve, message: p.message, ephemeral, static: statics };
}

/** Conversation 1: ephemeral ECDH keys signed with long-term keys, then the theft of the long-term keys. */
async function runEphemeral(ctx: EngineContext, curve: ForwardSecrecyCurve, text: Uint8Array<ArrayBuffer>, message: string, aad: Uint8Array<ArrayBuffer>): Promise<ForwardSecrecyRun> {
  // --- 1. Ephemeral keys, signed with long-term keys ---------------------------------
  const ecdsa = { name: 'ECDSA', namedCurve: curve };
  const signA = (await ctx.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const signB = (await ctx.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  const eA = await generateEphemeral(ctx, curve);
  const eB = await generateEphemeral(ctx, curve);
  const nA = ctx.random(NONCE_BYTES);
  const nB = ctx.random(NONCE_BYTES);
  const salt = concat(nA, nB);
  const th = await transcriptHash(ctx, { mode: 'authenticated', curve, initiator: 'Alice', responder: 'Bob', initiatorNonce: nA, responderNonce: nB, initiatorKey: eA.publicRaw, responderKey: eB.publicRaw });
  const idA = await sha256(ctx, new Uint8Array(await ctx.subtle.exportKey('spki', signA.publicKey)));
  const idB = await sha256(ctx, new Uint8Array(await ctx.subtle.exportKey('spki', signB.publicKey)));
  const sigA = new Uint8Array(await ctx.subtle.sign({ name: 'ECDSA', hash: hash(curve) }, signA.privateKey, signedContent('initiator', th, idA)));
  const sigB = new Uint8Array(await ctx.subtle.sign({ name: 'ECDSA', hash: hash(curve) }, signB.privateKey, signedContent('responder', th, idB)));
  const keysA = await deriveSessionKeys(ctx, await agree(ctx, eA, (await importPeerKey(ctx, curve, eB.publicRaw)).key), salt, th);
  const keysB = await deriveSessionKeys(ctx, await agree(ctx, eB, (await importPeerKey(ctx, curve, eA.publicRaw)).key), salt, th);
  const sealed = await sealMessage(ctx, keysA.sessionKey, aad, text);
  const bobRead = await openMessage(ctx, keysB.sessionKey, aad, sealed);
  if (!bobRead || fromUtf8(bobRead) !== message) throw new EngineError('DECRYPT_FAILED', 'exchange: the demo conversation did not decrypt on the other side');
  const destroyed = eA.destroyed && eB.destroyed;

  const stolenA = await importStolen(ctx, curve, new Uint8Array(await ctx.subtle.exportKey('pkcs8', signA.privateKey)));
  const stolenB = await importStolen(ctx, curve, new Uint8Array(await ctx.subtle.exportKey('pkcs8', signB.privateKey)));
  const attempts: TheftAttempt[] = [];
  let recoveredEphemeral: string | null = null;
  for (const [who, key] of [
    ['Alice', stolenA],
    ['Bob', stolenB],
  ] as const) {
    for (const [peerName, raw] of [
      ['Alice', eA.publicRaw],
      ['Bob', eB.publicRaw],
    ] as const) {
      const out = await tryDecrypt(ctx, curve, key, raw, salt, th, sealed);
      recoveredEphemeral ??= out;
      attempts.push({ kind: 'long-term-with-ephemeral', stolen: who, recorded: peerName, succeeded: out !== null });
    }
  }
  let ephemeralTaken = false;
  try {
    eA.take();
    ephemeralTaken = true;
  } catch {
    ephemeralTaken = false;
  }
  attempts.push({ kind: 'use-ephemeral-keys', succeeded: ephemeralTaken });
  // What the theft does allow: signing as Alice from now on.
  const forged = new Uint8Array(await ctx.subtle.sign({ name: 'ECDSA', hash: hash(curve) }, (await ctx.subtle.importKey('pkcs8', await ctx.subtle.exportKey('pkcs8', signA.privateKey), ecdsa, false, ['sign'])), signedContent('initiator', utf8('a future exchange'), idA)));
  const forgedOk = await ctx.subtle.verify({ name: 'ECDSA', hash: hash(curve) }, signA.publicKey, forged, signedContent('initiator', utf8('a future exchange'), idA));
  attempts.push({ kind: 'sign-future-exchange', succeeded: forgedOk });
  const ephemeralRun: ForwardSecrecyRun = {
    kind: 'ephemeral',
    recorded: [
      { id: 'alice-ephemeral-key', value: toHex(eA.publicRaw) },
      { id: 'bob-ephemeral-key', value: toHex(eB.publicRaw) },
      { id: 'nonces', value: `${toHex(nA)} ${toHex(nB)}` },
      { id: 'alice-signature', value: toHex(sigA) },
      { id: 'bob-signature', value: toHex(sigB) },
      { id: 'iv', value: toHex(sealed.iv) },
      { id: 'ciphertext', value: toHex(sealed.ciphertext) },
    ],
    stolen: [
      { id: 'alice-signing-key', value: await spkiFp(ctx, signA.publicKey) },
      { id: 'bob-signing-key', value: await spkiFp(ctx, signB.publicKey) },
    ],
    ephemeralKeysDestroyed: destroyed,
    attempts,
    recovered: recoveredEphemeral,
  };
  return ephemeralRun;
}

/** Conversation 2: static (long-term) ECDH keys, then the theft of Bob's. */
async function runStatic(ctx: EngineContext, curve: ForwardSecrecyCurve, text: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>): Promise<ForwardSecrecyRun> {
  // --- 2. Static keys ----------------------------------------------------------------
  const ecdh = { name: 'ECDH', namedCurve: curve };
  const staticA = (await ctx.subtle.generateKey(ecdh, true, ['deriveBits'])) as CryptoKeyPair;
  const staticB = (await ctx.subtle.generateKey(ecdh, true, ['deriveBits'])) as CryptoKeyPair;
  const rawA = new Uint8Array(await ctx.subtle.exportKey('raw', staticA.publicKey));
  const rawB = new Uint8Array(await ctx.subtle.exportKey('raw', staticB.publicKey));
  const sA = ctx.random(NONCE_BYTES);
  const sB = ctx.random(NONCE_BYTES);
  const sSalt = concat(sA, sB);
  const sTh = await transcriptHash(ctx, { mode: 'authenticated', curve, initiator: 'Alice', responder: 'Bob', initiatorNonce: sA, responderNonce: sB, initiatorKey: rawA, responderKey: rawB });
  const sKeys = await deriveSessionKeys(ctx, await agreeStatic(ctx, curve, staticA.privateKey, staticB.publicKey), sSalt, sTh);
  const sSealed = await sealMessage(ctx, sKeys.sessionKey, aad, text);
  const stolenStaticB = await importStolen(ctx, curve, new Uint8Array(await ctx.subtle.exportKey('pkcs8', staticB.privateKey)));
  const recovered = await tryDecrypt(ctx, curve, stolenStaticB, rawA, sSalt, sTh, sSealed);
  const staticRun: ForwardSecrecyRun = {
    kind: 'static',
    recorded: [
      { id: 'alice-static-key', value: toHex(rawA) },
      { id: 'bob-static-key', value: toHex(rawB) },
      { id: 'nonces', value: `${toHex(sA)} ${toHex(sB)}` },
      { id: 'iv', value: toHex(sSealed.iv) },
      { id: 'ciphertext', value: toHex(sSealed.ciphertext) },
    ],
    stolen: [{ id: 'bob-ecdh-key', value: await spkiFp(ctx, staticB.publicKey) }],
    ephemeralKeysDestroyed: false,
    attempts: [{ kind: 'static-with-static', succeeded: recovered !== null }],
    recovered,
  };
  return staticRun;
}

