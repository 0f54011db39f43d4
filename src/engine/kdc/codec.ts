/**
 * The wire format of the Clavis KDC protocol (`clavis-kdc`, version 1): deterministic
 * JSON with base64 bytes, so the UI can show every field and every byte.
 *
 * A sealed part (KDC request, KDC reply, ticket, authenticator, challenge, confirmation,
 * data message) is the UTF-8 of the canonical JSON (keys sorted, no whitespace) of
 *
 *   { "proto": "clavis-kdc", "v": 1, "type": T, "from": F, "to": R, ...header, "iv": b64(12 bytes), "ct": b64(AES-GCM ciphertext || tag) }
 *
 * and is AES-GCM under the key the header names (kvno for a long-term key, keyId for a
 * session key), with AAD = UTF-8(canonical JSON of every field except `iv` and `ct`).
 * The AAD therefore names the protocol, its version and the message type (D1): a part
 * moved to another place in the protocol, or with any header field changed, fails to
 * decrypt. The plaintext is the canonical JSON of the body; byte fields are base64.
 *
 * The AP request (A → B) is not sealed as a whole: it is
 *   { "proto": "clavis-kdc", "v": 1, "type": "ap-request", "from": A, "to": B, "ticket": <sealed>, "authenticator": <sealed> }
 * whose two parts are each sealed.
 */
import { MalformedInputError } from '../errors';
import { fromBase64, fromUtf8, toBase64, utf8 } from '../internal/bytes';

export const PROTOCOL = 'clavis-kdc';
export const PROTOCOL_VERSION = 1;

/** Every message and sealed part of the protocol. */
export type KdcMessageType =
  | 'kdc-request'
  | 'kdc-reply'
  | 'ticket'
  | 'ap-request'
  | 'authenticator'
  | 'ap-challenge'
  | 'ap-confirm'
  | 'key-request'
  | 'key-reply'
  | 'data';

export const MESSAGE_TYPES: readonly KdcMessageType[] = ['kdc-request', 'kdc-reply', 'ticket', 'ap-request', 'authenticator', 'ap-challenge', 'ap-confirm', 'key-request', 'key-reply', 'data'];

/** A JSON value of a header or body. */
export type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** The clear header of a sealed part (bound as AAD). */
export interface SealedHeader {
  proto: string;
  v: number;
  type: KdcMessageType;
  from: string;
  to: string;
  /** Long-term key version of the key it is sealed under. */
  kvno?: number;
  /** The session or stored key it is sealed under. */
  keyId?: string;
  [k: string]: Json | undefined;
}

/** A sealed part: header plus IV and ciphertext. */
export interface Sealed {
  header: SealedHeader;
  iv: Uint8Array<ArrayBuffer>;
  ct: Uint8Array<ArrayBuffer>;
}

/** Canonical JSON: keys sorted by UTF-16 code units, no whitespace; undefined members are left out. */
export function canonical(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new MalformedInputError('kdc: numbers must be finite');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`).join(',')}}`;
    }
    default:
      throw new MalformedInputError('kdc: only plain JSON can be encoded');
  }
}

/** The AAD of a sealed part: its header, canonical. */
export function aadOf(header: SealedHeader): Uint8Array<ArrayBuffer> {
  return utf8(canonical(header));
}

/** A header for a new sealed part. */
export function header(type: KdcMessageType, from: string, to: string, extra: { kvno?: number; keyId?: string } = {}): SealedHeader {
  const h: SealedHeader = { proto: PROTOCOL, v: PROTOCOL_VERSION, type, from, to };
  if (extra.kvno !== undefined) h.kvno = extra.kvno;
  if (extra.keyId !== undefined) h.keyId = extra.keyId;
  return h;
}

/** The JSON object of a sealed part (as nested in an AP request or a KDC reply). */
export function sealedToJson(s: Sealed): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(s.header)) if (v !== undefined) out[k] = v;
  out.iv = toBase64(s.iv);
  out.ct = toBase64(s.ct);
  return out;
}

/** The bytes of a sealed part. */
export function encodeSealed(s: Sealed): Uint8Array<ArrayBuffer> {
  return utf8(canonical(sealedToJson(s)));
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(fromUtf8(bytes)) as unknown;
  } catch (e) {
    throw new MalformedInputError('kdc: the message is not valid UTF-8 JSON', { cause: e });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Decodes base64 or throws MALFORMED_INPUT naming the field. */
export function b64Field(obj: Record<string, unknown>, field: string, len?: number): Uint8Array<ArrayBuffer> {
  const v = obj[field];
  if (typeof v !== 'string') throw new MalformedInputError(`kdc: field ${field} is missing`);
  let b: Uint8Array<ArrayBuffer>;
  try {
    b = fromBase64(v);
  } catch (e) {
    throw new MalformedInputError(`kdc: field ${field} is not base64`, { cause: e });
  }
  if (len !== undefined && b.length !== len) throw new MalformedInputError(`kdc: field ${field} must be ${len} bytes`);
  return b;
}

export function strField(obj: Record<string, unknown>, field: string): string {
  const v = obj[field];
  if (typeof v !== 'string' || v.length === 0 || v.length > 200) throw new MalformedInputError(`kdc: field ${field} is missing`);
  return v;
}

export function numField(obj: Record<string, unknown>, field: string): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new MalformedInputError(`kdc: field ${field} must be an integer`);
  return v;
}

/** Reads a sealed part from its JSON object; checks protocol, version and (when given) type. */
export function sealedFromJson(v: unknown, expected?: KdcMessageType): Sealed {
  if (!isObject(v)) throw new MalformedInputError('kdc: a sealed part must be a JSON object');
  if (v.proto !== PROTOCOL) throw new MalformedInputError('kdc: not a clavis-kdc message');
  if (v.v !== PROTOCOL_VERSION) throw new MalformedInputError(`kdc: protocol version ${String(v.v)} is not supported`);
  const type = v.type;
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) throw new MalformedInputError('kdc: unknown message type');
  if (expected !== undefined && type !== expected) throw new MalformedInputError(`kdc: expected a ${expected} message, got ${type}`);
  const h: SealedHeader = { proto: PROTOCOL, v: PROTOCOL_VERSION, type: type as KdcMessageType, from: strField(v, 'from'), to: strField(v, 'to') };
  for (const [k, x] of Object.entries(v)) {
    if (k === 'iv' || k === 'ct' || k in h) continue;
    h[k] = x as Json;
  }
  return { header: h, iv: b64Field(v, 'iv', 12), ct: b64Field(v, 'ct') };
}

/** Decodes the bytes of a sealed part. */
export function decodeSealed(bytes: Uint8Array, expected?: KdcMessageType): Sealed {
  return sealedFromJson(parseJson(bytes), expected);
}

/** An AP request: ticket and authenticator, each sealed. */
export interface ApRequest {
  from: string;
  to: string;
  ticket: Sealed;
  authenticator: Sealed;
}

export function encodeApRequest(r: ApRequest): Uint8Array<ArrayBuffer> {
  return utf8(canonical({ proto: PROTOCOL, v: PROTOCOL_VERSION, type: 'ap-request', from: r.from, to: r.to, ticket: sealedToJson(r.ticket), authenticator: sealedToJson(r.authenticator) }));
}

export function decodeApRequest(bytes: Uint8Array): ApRequest {
  const v = parseJson(bytes);
  if (!isObject(v) || v.proto !== PROTOCOL || v.v !== PROTOCOL_VERSION || v.type !== 'ap-request') throw new MalformedInputError('kdc: not a clavis-kdc AP request');
  return { from: strField(v, 'from'), to: strField(v, 'to'), ticket: sealedFromJson(v.ticket, 'ticket'), authenticator: sealedFromJson(v.authenticator, 'authenticator') };
}

/** The body of a sealed part as bytes. */
export function encodeBody(body: { [k: string]: Json | undefined }): Uint8Array<ArrayBuffer> {
  return utf8(canonical(body));
}

/** Parses a decrypted body. */
export function decodeBody(bytes: Uint8Array): Record<string, unknown> {
  const v = parseJson(bytes);
  if (!isObject(v)) throw new MalformedInputError('kdc: a message body must be a JSON object');
  return v;
}

/** The top-level type of any protocol message's bytes (for display), or undefined. */
export function peekType(bytes: Uint8Array): KdcMessageType | undefined {
  try {
    const v = parseJson(bytes);
    return isObject(v) && typeof v.type === 'string' && (MESSAGE_TYPES as readonly string[]).includes(v.type) ? (v.type as KdcMessageType) : undefined;
  } catch {
    return undefined;
  }
}
