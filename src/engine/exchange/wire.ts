// The exchange's three messages on the wire and their plain-data view (fields by id, bytes as hex).
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
    { id: 'from', value: msg.from },
    { id: 'to', value: msg.to },
  ];
  if (msg.kind === 'hello') out.push({ id: 'curve', value: msg.curve }, { id: 'nonce', value: toHex(msg.nonce) }, { id: 'ephemeral-key', value: toHex(msg.ephemeral) });
  if (msg.kind === 'response') out.push({ id: 'nonce', value: toHex(msg.nonce) }, { id: 'ephemeral-key', value: toHex(msg.ephemeral) });
  if (msg.kind !== 'hello') {
    if (msg.auth) {
      const facts = safeFacts(msg.auth.chain[0]);
      out.push(facts ? { id: 'certificate', value: facts.commonNames.join(', '), derBytes: msg.auth.chain[0]!.length } : { id: 'certificate', value: '' });
      out.push({ id: 'signature', value: toHex(msg.auth.signature) });
    }
    out.push({ id: 'mac', value: toHex(msg.mac) });
  }
  return out;
}

/**
 * A message as drawn between two actors. `relay` says the attacker forwarded it or, with
 * `orig`, altered it: every field that differs from `orig` is marked.
 */
export function wireView(from: ExchangeRole, to: ExchangeRole, m: WireMessage, relay?: 'forwarded' | { altered: WireMessage }): WireMessageView {
  const fields = fieldsOf(m);
  if (relay && relay !== 'forwarded') {
    const before = fieldsOf(relay.altered);
    for (const field of fields) {
      const o = before.find((b) => b.id === field.id);
      if (!o || o.value !== field.value || o.derBytes !== field.derBytes) field.changed = true;
    }
  }
  const view: WireMessageView = { from, to, kind: m.kind, fields };
  if (relay) view.relay = relay === 'forwarded' ? 'forwarded' : 'altered';
  return view;
}

function safeFacts(der: Uint8Array | undefined) {
  if (!der) return undefined;
  try {
    return readCertificateFacts(der);
  } catch {
    return undefined;
  }
}
