// A CRL's revokedCertificates entries, read one at a time as offsets (RFC 5280 5.1): the part of the X.509 layout reader (x509-layout.ts) that storage needs too, kept small for the first page.
import { MalformedInputError } from '../errors';
import { TAG, readTlv, tagName, type Tlv } from './der';

/** Refuses a layout; every X.509 layout refusal starts with "x509:". @throws MALFORMED_INPUT */
export function fail(message: string): never {
  throw new MalformedInputError(`x509: ${message}`);
}

/** True for the two ASN.1 time tags a certificate or CRL may use. */
export const isTime = (tag: number | undefined) => tag === TAG.UTC_TIME || tag === TAG.GENERALIZED_TIME;

/** One revokedCertificates entry as spans of the TBS bytes. */
export interface CrlEntryFields {
  /** Offset of the entry's SEQUENCE tag. */
  start: number;
  /** Offset just past the entry. */
  end: number;
  /** The userCertificate INTEGER (its value is the caller's to judge). */
  serial: Tlv;
  revocationDate: Tlv;
  /** The crlEntryExtensions `Extensions` SEQUENCE, when present. */
  extensions?: Tlv;
}

/**
 * Reads the entry at `offset` (before `limit`):
 * `SEQUENCE { userCertificate INTEGER, revocationDate Time, crlEntryExtensions Extensions OPTIONAL }`.
 * @throws MALFORMED_INPUT
 */
export function readCrlEntry(bytes: Uint8Array, offset: number, limit: number): CrlEntryFields {
  const e = readTlv(bytes, offset, limit);
  if (e.tag !== TAG.SEQUENCE) fail(`a revokedCertificates entry is a ${tagName(e.tag)}, not a SEQUENCE`);
  if (e.contentStart === e.end) fail('a revokedCertificates entry is empty');
  const serial = readTlv(bytes, e.contentStart, e.end);
  if (serial.tag !== TAG.INTEGER) fail(`a revoked serial is a ${tagName(serial.tag)}, not an INTEGER`);
  if (serial.end === e.end) fail('a revokedCertificates entry has no revocationDate');
  const revocationDate = readTlv(bytes, serial.end, e.end);
  if (!isTime(revocationDate.tag)) fail('a revocationDate is not a UTCTime or GeneralizedTime');
  if (revocationDate.end === e.end) return { start: offset, end: e.end, serial, revocationDate };
  const extensions = readTlv(bytes, revocationDate.end, e.end);
  if (extensions.tag !== TAG.SEQUENCE) fail('the crlEntryExtensions are not a SEQUENCE');
  if (extensions.end !== e.end) fail('a revokedCertificates entry has unexpected extra elements');
  return { start: offset, end: e.end, serial, revocationDate, extensions };
}

/** Walks the entries of a revokedCertificates span, one at a time, each read by `readCrlEntry`. @throws MALFORMED_INPUT */
export function* crlEntries(revoked: Tlv): Generator<CrlEntryFields> {
  for (let p = revoked.contentStart; p < revoked.end; ) {
    const e = readCrlEntry(revoked.bytes, p, revoked.end);
    p = e.end;
    yield e;
  }
}
