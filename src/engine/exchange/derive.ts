/**
 * What both sides compute from the exchange (D1, E1, E3): the transcript hash, the
 * HKDF-SHA-256 derivation of the session and key-confirmation keys, the short
 * authentication string, and the encryption of messages under the session key.
 *
 * Derivation: the shared secret from ECDH/X25519 is only ever HKDF input keying
 * material, never a key:
 *   salt = nonce_I ‖ nonce_R                                  (32 random bytes each)
 *   info = "Clavis key exchange v1" ‖ 0 ‖ purpose ‖ 0 ‖ transcript hash
 *   session key      = HKDF(…, purpose "session key")          → AES-GCM-256, non-extractable
 *   confirmation key = HKDF(…, purpose "key confirmation")     → HMAC-SHA-256, non-extractable
 * The raw secret buffer is zeroed as soon as it has been imported as HKDF material.
 */
import { concat, toHex, uintBE, utf8 } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { keyCheckValue } from '../keys/fingerprint';
import type { ExchangeCurve } from './peer-key';

/** The protocol's name, in every label and in the HKDF info. */
export const PROTOCOL_LABEL = 'Clavis key exchange v1';
/** Random bytes of each side's nonce. */
export const NONCE_BYTES = 32;

export type ExchangeMode = 'authenticated' | 'unauthenticated';

/** Everything a side knows when it derives: its own view of the exchange. */
export interface TranscriptFields {
  mode: ExchangeMode;
  curve: ExchangeCurve;
  initiator: string;
  responder: string;
  initiatorNonce: Uint8Array;
  responderNonce: Uint8Array;
  initiatorKey: Uint8Array;
  responderKey: Uint8Array;
}

/** Each field prefixed with its 4-byte length, so no two transcripts encode alike. */
export function encodeFields(...fields: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return concat(...fields.flatMap((f) => [uintBE(f.length, 4), f]));
}

export async function sha256(ctx: EngineContext, data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.digest('SHA-256', data.slice()));
}

/** SHA-256 over the length-prefixed transcript: protocol, mode, curve, both identities, nonces and ephemeral keys. */
export async function transcriptHash(ctx: EngineContext, t: TranscriptFields): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(
    ctx,
    encodeFields(utf8(PROTOCOL_LABEL), utf8(t.mode), utf8(t.curve), utf8(t.initiator), utf8(t.responder), t.initiatorNonce, t.responderNonce, t.initiatorKey, t.responderKey),
  );
}

/** HKDF info for one purpose. */
export function hkdfInfo(purpose: 'session key' | 'key confirmation', th: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat(utf8(PROTOCOL_LABEL), Uint8Array.of(0), utf8(purpose), Uint8Array.of(0), th);
}

/** The two keys an exchange yields. Both non-extractable. */
export interface SessionKeys {
  sessionKey: CryptoKey;
  confirmationKey: CryptoKey;
}

/** HKDF-SHA-256 from the shared secret to the session (AES-GCM-256) and confirmation (HMAC) keys. Zeroes `secret`. */
export async function deriveSessionKeys(ctx: EngineContext, secret: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, th: Uint8Array): Promise<SessionKeys> {
  let base: CryptoKey;
  try {
    base = await ctx.subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  } finally {
    secret.fill(0);
  }
  const sessionKey = await ctx.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt, info: hkdfInfo('session key', th) }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const confirmationKey = await ctx.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt, info: hkdfInfo('key confirmation', th) },
    base,
    { name: 'HMAC', hash: 'SHA-256', length: 256 },
    false,
    ['sign', 'verify'],
  );
  return { sessionKey, confirmationKey };
}

/** The key check value (3 bytes hex) of the session key: equal on both sides exactly when the keys are. */
export async function sessionKeyKcv(ctx: EngineContext, keys: SessionKeys): Promise<string> {
  return (await keyCheckValue(ctx.subtle, keys.sessionKey)).value;
}

/** E1: SHA-256 of both public keys in ascending byte order, hex: what the two sides compare. */
export async function keysFingerprint(ctx: EngineContext, a: Uint8Array, b: Uint8Array): Promise<string> {
  const [lo, hi] = compare(a, b) <= 0 ? [a, b] : [b, a];
  return toHex(await sha256(ctx, encodeFields(lo, hi)));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A six-digit short authentication string from the transcript hash, for reading aloud ("042 913"). */
export async function shortAuthString(ctx: EngineContext, th: Uint8Array): Promise<string> {
  const h = await sha256(ctx, concat(utf8(`${PROTOCOL_LABEL} SAS`), th));
  const n = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
  const s = String(n % 1_000_000).padStart(6, '0');
  return `${s.slice(0, 3)} ${s.slice(3)}`;
}

/** Key confirmation: HMAC-SHA-256 under the confirmation key over a role label and what that side has seen. */
export async function confirmationMac(ctx: EngineContext, keys: SessionKeys, role: 'initiator' | 'responder', data: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.sign('HMAC', keys.confirmationKey, macInput(role, data)));
}

export async function verifyConfirmationMac(ctx: EngineContext, keys: SessionKeys, role: 'initiator' | 'responder', data: Uint8Array, mac: Uint8Array): Promise<boolean> {
  return ctx.subtle.verify('HMAC', keys.confirmationKey, mac.slice(), macInput(role, data));
}

function macInput(role: string, data: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeFields(utf8(`${PROTOCOL_LABEL} ${role} finished`), data);
}

/** What a side signs with its long-term key: its role, the transcript hash and its certificate's SHA-256. */
export function signedContent(role: 'initiator' | 'responder', th: Uint8Array, certSha256: Uint8Array): Uint8Array<ArrayBuffer> {
  return encodeFields(utf8(`${PROTOCOL_LABEL} ${role} signature`), th, certSha256);
}

/** Bytes of the random IV of each message. */
export const MESSAGE_IV_BYTES = 12;

/** AAD of message number `seq` in one direction. */
export function messageAad(direction: 'initiator-to-responder' | 'responder-to-initiator', seq: number): Uint8Array<ArrayBuffer> {
  return encodeFields(utf8(`${PROTOCOL_LABEL} message`), utf8(direction), uintBE(seq, 4));
}

/** An encrypted message as it travels. */
export interface SealedMessage {
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
}

export async function sealMessage(ctx: EngineContext, key: CryptoKey, aad: Uint8Array<ArrayBuffer>, plaintext: Uint8Array<ArrayBuffer>): Promise<SealedMessage> {
  const iv = ctx.random(MESSAGE_IV_BYTES);
  const ciphertext = new Uint8Array(await ctx.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad }, key, plaintext));
  return { iv, ciphertext };
}

/** Opens a message; undefined when the key, AAD or ciphertext is wrong (tampered or another key). */
export async function openMessage(ctx: EngineContext, key: CryptoKey, aad: Uint8Array<ArrayBuffer>, m: SealedMessage): Promise<Uint8Array<ArrayBuffer> | undefined> {
  try {
    return new Uint8Array(await ctx.subtle.decrypt({ name: 'AES-GCM', iv: m.iv, additionalData: aad }, key, m.ciphertext));
  } catch {
    return undefined;
  }
}
