// How a KDC protocol message is shown: its bytes, its header and its decoded, labelled fields.
import { toHex } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import { b64Field, type Sealed } from './codec';
import type { KdcKeyId, PrincipalId } from '../ids';
import type { KdcFieldNote, KdcMessageField, KdcMessagePart, KdcMessageSection, KdcProtection, WireMessage } from './types';

/** A message as the sequence diagram shows it. */
export function wire(step: number, bytes: Uint8Array, m: Omit<WireMessage, 'step' | 'hex' | 'length'>): WireMessage {
  return { step, hex: toHex(bytes), length: bytes.length, ...m };
}

/** The clear header of a sealed part (authenticated as AAD). */
export const clearSection = (s: Sealed, part: KdcMessagePart = 'header'): KdcMessageSection => ({
  part,
  protection: { kind: 'aad' },
  fields: Object.entries(s.header)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ name: k, value: String(v) })),
});

/** What protects a part sealed under a principal's long-term key. */
export const underLongTerm = (principal: PrincipalId, kvno: number): KdcProtection => ({ kind: 'long-term', principal, kvno });
/** What protects a part sealed under the session key. */
export const underSession = (keyId: KdcKeyId): KdcProtection => ({ kind: 'session', keyId });

/** The decoded fields of a body, with wrapped keys, dates and nonces made readable. */
export function bodyFields(body: Record<string, unknown>, notes: Partial<Record<string, KdcFieldNote>> = {}): KdcMessageSection['fields'] {
  return Object.entries(body).map(([k, v]) => {
    let value: KdcMessageField['value'];
    if (k === 'sessionKey' || k === 'confirmKey') {
      const w = v as { wrapped?: string };
      value = { of: 'wrapped-key', bytes: Math.floor(((w.wrapped ?? '').length * 3) / 4) - ((w.wrapped ?? '').match(/=+$/)?.[0].length ?? 0) };
    } else if (k === 'ticket') value = { of: 'sealed-ticket' };
    else if ((k === 'time' || k === 'issuedAt' || k === 'expiresAt') && typeof v === 'number') value = isoAt(v);
    else if (typeof v === 'string' && (k === 'nonce' || k === 'nonceB' || k === 'confirm' || k === 'authenticatorId')) value = toHex(b64Field(body, k));
    else value = typeof v === 'string' ? v : JSON.stringify(v);
    const f: KdcMessageSection['fields'][number] = { name: k, value };
    const note = notes[k];
    if (note) f.note = note;
    return f;
  });
}
