/**
 * Helpers that turn what the engine returned into step data: hex, the labelled parts of
 * a Clavis ciphertext envelope, a KDC protocol message's bytes and fields. Plain
 * functions over public bytes; nothing here sees key material.
 */
import { fromBase64, fromHex, fromUtf8, toHex, type EngineError, type KdcRefusal, type WireMessage } from '../../engine';
import { KDC_PART_LABELS, kdcFieldNoteText, kdcFieldValueText, kdcProtectionText } from '../../copy/kdc';
import type { ByteSegment, StepDatum } from './types';

/** Lower-case hex of bytes (the engine's one bytes module). */
export const hex = toHex;

/**
 * The labelled parts of a Clavis v1 data envelope (envelope.ts):
 * "CLV" 0x01 alg idLen keyId keyVersion(uint32) iv(12) ciphertext tag(16).
 */
export function envelopeSegments(bytes: Uint8Array): ByteSegment[] {
  const idLen = bytes[5] ?? 0;
  const at = (from: number, to?: number) => hex(bytes.subarray(from, to));
  const ivStart = 6 + idLen + 4;
  const tagStart = bytes.length - 16;
  const keyId = fromUtf8(bytes.subarray(6, 6 + idLen));
  return [
    { label: 'magic "CLV"', hex: at(0, 3) },
    { label: 'format version 1', hex: at(3, 4) },
    { label: 'algorithm (0x01 AES-GCM)', hex: at(4, 5) },
    { label: 'key id length', hex: at(5, 6) },
    { label: `key id "${keyId}"`, hex: at(6, 6 + idLen) },
    { label: `key version ${new DataView(bytes.buffer, bytes.byteOffset + 6 + idLen, 4).getUint32(0)}`, hex: at(6 + idLen, ivStart) },
    { label: 'IV (96 bits, fresh)', hex: at(ivStart, ivStart + 12) },
    { label: 'ciphertext', hex: at(ivStart + 12, tagStart) },
    { label: 'GCM tag (128 bits)', hex: at(tagStart) },
  ];
}

/** The IV, ciphertext and tag of one sealed KDC part (`{…, "iv": b64, "ct": b64}`). */
function sealedSegments(name: string, part: { iv?: unknown; ct?: unknown }): ByteSegment[] {
  if (typeof part.iv !== 'string' || typeof part.ct !== 'string') return [];
  const ct = fromBase64(part.ct);
  return [
    { label: `${name}: IV`, hex: hex(fromBase64(part.iv)) },
    { label: `${name}: AES-GCM ciphertext`, hex: hex(ct.subarray(0, ct.length - 16)) },
    { label: `${name}: GCM tag`, hex: hex(ct.subarray(ct.length - 16)) },
  ];
}

/** A KDC wire message: its exact bytes (JSON text), the sealed parts in hex, and its decoded fields. */
export function wireData(m: WireMessage): StepDatum[] {
  const text = fromUtf8(fromHex(m.hex));
  const out: StepDatum[] = [{ kind: 'text', label: `Message ${m.step} on the wire (${m.length} bytes, ${m.type})`, value: text }];
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    const parts: ByteSegment[] =
      m.type === 'ap-request'
        ? [...sealedSegments('ticket', (json.ticket ?? {}) as object), ...sealedSegments('authenticator', (json.authenticator ?? {}) as object)]
        : sealedSegments(m.type, json);
    if (parts.length > 0) out.push({ kind: 'hex', label: `Message ${m.step}: the sealed parts, decoded from base64`, segments: parts });
  } catch {
    // Message 1 and refusals may not be sealed JSON; the text above is the whole message.
  }
  for (const s of m.sections) {
    out.push({
      kind: 'fields',
      label: `Message ${m.step}: ${KDC_PART_LABELS[s.part]}`,
      caption: kdcProtectionText(s.protection),
      fields: s.fields.map((f) => ({ name: f.name, value: kdcFieldValueText(f.value), ...(f.note ? { note: kdcFieldNoteText(f.note, s) } : {}) })),
    });
  }
  return out;
}

/** Runs `f`, which should be refused; returns the error (or undefined when it was accepted). */
export async function refusalOf(f: () => Promise<unknown>): Promise<(EngineError & Partial<Pick<KdcRefusal, 'check'>>) | undefined> {
  try {
    await f();
    return undefined;
  } catch (e) {
    if (e instanceof Error && 'code' in e) return e as EngineError & Partial<Pick<KdcRefusal, 'check'>>;
    throw e;
  }
}

/** A one-line date for explanations. */
export const shortDate = (iso: string | number) => new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
