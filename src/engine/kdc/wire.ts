// How a KDC protocol message is shown: its bytes, its header and its decoded, labelled fields.
import { toHex } from '../internal/bytes';
import { isoAt } from '../lifecycle/transition';
import { b64Field, type Sealed } from './codec';
import type { KdcMessageSection, WireMessage } from './types';

/** A message as the sequence diagram shows it. */
export function wire(step: number, bytes: Uint8Array, m: Omit<WireMessage, 'step' | 'hex' | 'length'>): WireMessage {
  return { step, hex: toHex(bytes), length: bytes.length, ...m };
}

/** The clear header of a sealed part (authenticated as AAD). */
export const clearSection = (s: Sealed, label = 'Header'): KdcMessageSection => ({
  label,
  protection: 'clear, authenticated as AES-GCM additional data (AAD)',
  fields: Object.entries(s.header)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ name: k, value: String(v) })),
});

/** What protects a part sealed under a principal's long-term key. */
export const underLongTerm = (name: string, kvno: number) => `AES-GCM under K_${name} (${name}'s long-term key, kvno ${kvno})`;
/** What protects a part sealed under the session key. */
export const underSession = (keyId: string) => `AES-GCM under K_AB (the session key ${keyId})`;

/** The decoded fields of a body, with wrapped keys, dates and nonces made readable. */
export function bodyFields(body: Record<string, unknown>, notes: Record<string, string> = {}): KdcMessageSection['fields'] {
  return Object.entries(body).map(([k, v]) => {
    let value: string;
    if (k === 'sessionKey' || k === 'confirmKey') {
      const w = v as { wrapped?: string };
      value = `wrapped, ${Math.floor(((w.wrapped ?? '').length * 3) / 4) - ((w.wrapped ?? '').match(/=+$/)?.[0].length ?? 0)} bytes`;
    } else if (k === 'ticket') value = 'sealed for the service (opaque here; decoded below)';
    else if ((k === 'time' || k === 'issuedAt' || k === 'expiresAt') && typeof v === 'number') value = isoAt(v);
    else if (typeof v === 'string' && (k === 'nonce' || k === 'nonceB' || k === 'confirm' || k === 'authenticatorId')) value = toHex(b64Field(body, k));
    else value = typeof v === 'string' ? v : JSON.stringify(v);
    const f: KdcMessageSection['fields'][number] = { name: k, value };
    if (notes[k]) f.note = notes[k];
    return f;
  });
}
