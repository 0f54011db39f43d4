/**
 * The KDC's WebCrypto: the master key, long-term keys, sealing protocol parts with
 * AES-GCM (AAD = header), carrying keys wrapped in flight, key check values and the
 * key-confirmation HMAC. Keys are non-extractable everywhere except the KDC's own fresh
 * copies, which must be extractable for `wrapKey` and are dropped right after wrapping.
 */
import type { EngineContext } from '../keys/context';
import { concat, fromBase64, toBase64, utf8 } from '../internal/bytes';
import { keyCheckValue } from '../keys/fingerprint';
import { aadOf, decodeBody, encodeBody, encodeSealed, type Json, type Sealed, type SealedHeader } from './codec';
import { KdcRefusal } from './types';

type Ctx = Pick<EngineContext, 'subtle' | 'random'>;

/** Usages of a long-term key: seal and open messages, wrap (KDC) and unwrap (principal) session keys. */
export const LONG_TERM_USAGES: KeyUsage[] = ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'];
const AES_GCM_256 = { name: 'AES-GCM', length: 256 } as const;
const HMAC_256 = { name: 'HMAC', hash: 'SHA-256', length: 256 } as const;

/** A new KDC master key: AES-KW-256, non-extractable (it only wraps and unwraps). */
export function generateMasterKey(ctx: Ctx): Promise<CryptoKey> {
  return ctx.subtle.generateKey({ name: 'AES-KW', length: 256 }, false, ['wrapKey', 'unwrapKey']) as Promise<CryptoKey>;
}

/**
 * A new long-term key, delivered two ways: wrapped (AES-KW) under the master key for the
 * KDC's record, and as the principal's own non-extractable CryptoKey, obtained by
 * unwrapping that record (the enrolment channel). The extractable original is dropped.
 */
export async function newLongTermKey(ctx: Ctx, master: CryptoKey): Promise<{ wrapped: Uint8Array<ArrayBuffer>; principalKey: CryptoKey; kcv: string }> {
  const fresh = (await ctx.subtle.generateKey(AES_GCM_256, true, LONG_TERM_USAGES)) as CryptoKey;
  const wrapped = new Uint8Array(await ctx.subtle.wrapKey('raw', fresh, master, 'AES-KW'));
  const principalKey = await unwrapLongTermKey(ctx, master, wrapped);
  return { wrapped, principalKey, kcv: (await keyCheckValue(ctx.subtle, principalKey)).value };
}

/** The KDC's working copy of a long-term key: unwrapped from its record, non-extractable. */
export function unwrapLongTermKey(ctx: Ctx, master: CryptoKey, wrapped: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return ctx.subtle.unwrapKey('raw', wrapped, master, 'AES-KW', AES_GCM_256, false, LONG_TERM_USAGES);
}

/** A fresh session key pair at the KDC: AES-GCM-256 for messages, HMAC-SHA-256 for key confirmation (extractable: they must be wrapped). */
export async function newSessionKeys(ctx: Ctx): Promise<{ key: CryptoKey; confirmKey: CryptoKey }> {
  const key = (await ctx.subtle.generateKey(AES_GCM_256, true, ['encrypt', 'decrypt'])) as CryptoKey;
  const confirmKey = (await ctx.subtle.generateKey(HMAC_256, true, ['sign', 'verify'])) as CryptoKey;
  return { key, confirmKey };
}

/** RFC 3394 wrap under the master key (the KDC's record of a distributed key, C3). */
export async function wrapForRecord(ctx: Ctx, master: CryptoKey, key: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.wrapKey('raw', key, master, 'AES-KW'));
}

/** The KDC's record unwrapped again, non-extractable: only to compute its KCV. */
export function unwrapRecord(ctx: Ctx, master: CryptoKey, wrapped: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return ctx.subtle.unwrapKey('raw', wrapped, master, 'AES-KW', AES_GCM_256, false, ['encrypt', 'decrypt']);
}

export async function kcvOf(ctx: Pick<EngineContext, 'subtle'>, key: CryptoKey): Promise<string> {
  return (await keyCheckValue(ctx.subtle, key)).value;
}

/** A key in flight: AES-GCM `wrapKey` under the recipient's key, AAD naming what it is. */
export interface WrappedInFlight {
  iv: string;
  wrapped: string;
}

function keyAad(kind: 'session' | 'confirm', keyId: string, recipient: string): Uint8Array<ArrayBuffer> {
  return utf8(`clavis-kdc/1 ${kind}-key ${keyId} for ${recipient}`);
}

/** Wraps a key for one recipient under its long-term key. */
export async function wrapInFlight(ctx: Ctx, under: CryptoKey, key: CryptoKey, kind: 'session' | 'confirm', keyId: string, recipient: string): Promise<WrappedInFlight> {
  const iv = ctx.random(12);
  const wrapped = new Uint8Array(await ctx.subtle.wrapKey('raw', key, under, { name: 'AES-GCM', iv, additionalData: keyAad(kind, keyId, recipient) }));
  return { iv: toBase64(iv), wrapped: toBase64(wrapped) };
}

/** Unwraps a key in flight into a non-extractable key on the recipient's side. @throws KdcRefusal aead */
export async function unwrapInFlight(ctx: Ctx, under: CryptoKey, w: unknown, kind: 'session' | 'confirm', keyId: string, recipient: string): Promise<CryptoKey> {
  const o = w as { iv?: unknown; wrapped?: unknown };
  if (typeof o !== 'object' || o === null || typeof o.iv !== 'string' || typeof o.wrapped !== 'string') {
    throw new KdcRefusal('MALFORMED_INPUT', 'message-format', `kdc: the ${kind} key field is malformed`);
  }
  try {
    const alg = kind === 'session' ? AES_GCM_256 : HMAC_256;
    const usages: KeyUsage[] = kind === 'session' ? ['encrypt', 'decrypt'] : ['sign', 'verify'];
    return await ctx.subtle.unwrapKey('raw', fromBase64(o.wrapped), under, { name: 'AES-GCM', iv: fromBase64(o.iv), additionalData: keyAad(kind, keyId, recipient) }, alg, false, usages);
  } catch (e) {
    throw new KdcRefusal('DECRYPT_FAILED', 'aead', `kdc: the ${kind} key does not unwrap (wrong key or tampered)`, { cause: e });
  }
}

/** Seals a body under `key` with the header as AAD. */
export async function seal(ctx: Ctx, key: CryptoKey, header: SealedHeader, body: { [k: string]: Json | undefined }): Promise<{ sealed: Sealed; bytes: Uint8Array<ArrayBuffer> }> {
  const iv = ctx.random(12);
  const ct = new Uint8Array(await ctx.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aadOf(header) }, key, encodeBody(body)));
  const sealed: Sealed = { header, iv, ct };
  return { sealed, bytes: encodeSealed(sealed) };
}

/** Opens a sealed part. @throws KdcRefusal aead (wrong key, changed header or ciphertext) */
export async function open(ctx: Pick<EngineContext, 'subtle'>, key: CryptoKey, s: Sealed, what: string): Promise<Record<string, unknown>> {
  let pt: ArrayBuffer;
  try {
    pt = await ctx.subtle.decrypt({ name: 'AES-GCM', iv: s.iv, additionalData: aadOf(s.header) }, key, s.ct);
  } catch (e) {
    throw new KdcRefusal('DECRYPT_FAILED', 'aead', `kdc: the ${what} failed AES-GCM authentication (wrong key, or tampered ciphertext or header)`, { cause: e });
  }
  try {
    return decodeBody(new Uint8Array(pt));
  } catch (e) {
    throw new KdcRefusal('MALFORMED_INPUT', 'message-format', `kdc: the ${what} body is malformed`, { cause: e });
  }
}

/** Which way a key confirmation goes: the label is inside the MAC, so a reflected tag never verifies (D4). */
export type ConfirmDirection = 'service-to-client' | 'client-to-service';

/** SHA-256 of the transcript: the AP request's exact bytes and B's nonce. */
export async function transcriptHash(ctx: Pick<EngineContext, 'subtle'>, apRequest: Uint8Array, nonceB: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.digest('SHA-256', concat(apRequest, nonceB)));
}

function confirmInput(direction: ConfirmDirection, transcript: Uint8Array): Uint8Array<ArrayBuffer> {
  return concat(utf8(`clavis-kdc/1 key-confirmation ${direction}`), transcript);
}

/** HMAC-SHA-256 under the confirmation key over the direction label and the transcript hash. */
export async function confirmTag(ctx: Pick<EngineContext, 'subtle'>, confirmKey: CryptoKey, direction: ConfirmDirection, transcript: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await ctx.subtle.sign('HMAC', confirmKey, confirmInput(direction, transcript)));
}

/** Verifies a confirmation tag (constant time inside WebCrypto). */
export async function verifyConfirmTag(ctx: Pick<EngineContext, 'subtle'>, confirmKey: CryptoKey, direction: ConfirmDirection, transcript: Uint8Array, tag: Uint8Array<ArrayBuffer>): Promise<boolean> {
  return ctx.subtle.verify('HMAC', confirmKey, tag, confirmInput(direction, transcript));
}
