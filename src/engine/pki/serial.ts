/**
 * Certificate serial numbers (SECURITY.md C1, P3; CA/B BR §7.1): one prefix byte in
 * 0x01–0x7F followed by 16 CSPRNG bytes, like Boulder. The prefix keeps the INTEGER
 * positive and free of leading zeros, so the 17 content bytes are already minimal DER,
 * and 128 random bits leave collisions to the unique store index, never to luck.
 */
import { toHex } from '../internal/bytes';
import type { RandomSource } from '../internal/random';

/** Random bytes after the prefix byte. */
export const SERIAL_RANDOM_BYTES = 16;

/** A new serial: the INTEGER content bytes and their lower-case hex. */
export function newSerial(random: RandomSource): { bytes: Uint8Array<ArrayBuffer>; hex: string } {
  const r = random(SERIAL_RANDOM_BYTES + 1);
  const bytes = new Uint8Array(SERIAL_RANDOM_BYTES + 1);
  bytes.set(r.subarray(1), 1);
  // 0x01..0x7F: never zero (no leading zero), never high bit (never negative).
  bytes[0] = (r[0]! % 0x7f) + 1;
  return { bytes, hex: toHex(bytes) };
}

/** Why serial content bytes are not an RFC 5280 serial, or undefined when they are. */
export function serialProblem(content: Uint8Array): string | undefined {
  if (content.length === 0) return 'empty';
  if (content.length > 20) return `${content.length} octets (more than 20)`;
  if (content[0]! & 0x80) return 'negative';
  if (content.length > 1 && content[0] === 0 && !(content[1]! & 0x80)) return 'not minimally encoded';
  if (content.every((b) => b === 0)) return 'zero';
  return undefined;
}

/** Canonical hex of a serial given its INTEGER content bytes (leading 0x00 sign byte dropped). */
export function serialHex(content: Uint8Array): string {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return toHex(content.subarray(i));
}
