// The exchange's three messages on the wire and their plain-data view (fields as hex).
import { toHex } from '../internal/bytes';
import { readCertificateFacts } from './certificate';
import type { ExchangeMode } from './derive';
import type { ExchangeCurve } from './peer-key';
import type { ExchangeRole, MessageField, WireMessageView } from './types';

export interface HelloMessage {
  kind: 'hello';
  from: string;
  to: string;
  mode: ExchangeMode;
  curve: ExchangeCurve;
  nonce: Uint8Array<ArrayBuffer>;
  ephemeral: Uint8Array<ArrayBuffer>;
}
/** A party's certificate chain (leaf first) and its signature over the transcript. */
export interface AuthPart {
  chain: Uint8Array<ArrayBuffer>[];
  signature: Uint8Array<ArrayBuffer>;
}
export interface ResponseMessage {
  kind: 'response';
  from: string;
  to: string;
  nonce: Uint8Array<ArrayBuffer>;
  ephemeral: Uint8Array<ArrayBuffer>;
  auth?: AuthPart;
  mac: Uint8Array<ArrayBuffer>;
}
export interface FinishMessage {
  kind: 'finish';
  from: string;
  to: string;
  auth?: AuthPart;
  mac: Uint8Array<ArrayBuffer>;
}
export type WireMessage = HelloMessage | ResponseMessage | FinishMessage;

function fieldsOf(msg: WireMessage): MessageField[] {
  const out: MessageField[] = [
    { name: 'from', value: msg.from },
    { name: 'to', value: msg.to },
  ];
  if (msg.kind === 'hello') out.push({ name: 'curve', value: msg.curve }, { name: 'nonce', value: toHex(msg.nonce) }, { name: 'ephemeral public key', value: toHex(msg.ephemeral) });
  if (msg.kind === 'response') out.push({ name: 'nonce', value: toHex(msg.nonce) }, { name: 'ephemeral public key', value: toHex(msg.ephemeral) });
  if (msg.kind !== 'hello') {
    if (msg.auth) {
      const facts = safeFacts(msg.auth.chain[0]);
      out.push({ name: 'certificate', value: facts ? `CN=${facts.commonNames.join(', ')} (${msg.auth.chain[0]!.length} bytes DER)` : 'unreadable' });
      out.push({ name: 'signature', value: toHex(msg.auth.signature) });
    }
    out.push({ name: 'key confirmation MAC', value: toHex(msg.mac) });
  }
  return out;
}

/** A message as drawn between two actors; with `orig`, every field the attacker replaced is marked. */
export function wireView(from: ExchangeRole, to: ExchangeRole, label: string, m: WireMessage, orig?: WireMessage): WireMessageView {
  const fields = fieldsOf(m);
  if (orig) {
    const before = fieldsOf(orig);
    for (const field of fields) {
      const o = before.find((b) => b.name === field.name);
      if (!o || o.value !== field.value) field.changed = true;
    }
  }
  return { from, to, label, fields };
}

function safeFacts(der: Uint8Array | undefined) {
  if (!der) return undefined;
  try {
    return readCertificateFacts(der);
  } catch {
    return undefined;
  }
}
