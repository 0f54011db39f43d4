/**
 * A ZIP archive of stored (uncompressed) entries, for downloading many small files at
 * once (a bulk job's certificates). Certificates are public and barely compress, so no
 * deflate: each entry is a local header, the bytes, and a central-directory record
 * (APPNOTE 6.3.x §4.3). No ZIP64: at most 65,535 entries and 4 GiB.
 */
import { utf8 } from './bytes';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3), as ZIP stores it. */
export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One file of the archive; the name is ASCII (a safe file name). */
export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** The archive's bytes. @throws RangeError beyond 65,535 entries or 4 GiB */
export function zipStored(entries: readonly ZipEntry[]): Uint8Array<ArrayBuffer> {
  if (entries.length > 0xffff) throw new RangeError('zip: at most 65,535 files');
  const names = entries.map((e) => utf8(e.name));
  const size = entries.reduce((n, e, i) => n + 30 + names[i]!.length + e.data.length + 46 + names[i]!.length, 22);
  if (size > 0xffffffff) throw new RangeError('zip: at most 4 GiB');
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const offsets: number[] = [];
  const crcs = entries.map((e) => crc32(e.data));
  // DOS date 1980-01-01 00:00: the archive says nothing about when it was made.
  const DOS_DATE = (0 << 9) | (1 << 5) | 1;
  entries.forEach((e, i) => {
    offsets.push(at);
    view.setUint32(at, 0x04034b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 0, true);
    view.setUint16(at + 8, 0, true);
    view.setUint16(at + 10, 0, true);
    view.setUint16(at + 12, DOS_DATE, true);
    view.setUint32(at + 14, crcs[i]!, true);
    view.setUint32(at + 18, e.data.length, true);
    view.setUint32(at + 22, e.data.length, true);
    view.setUint16(at + 26, names[i]!.length, true);
    view.setUint16(at + 28, 0, true);
    out.set(names[i]!, at + 30);
    at += 30 + names[i]!.length;
    out.set(e.data, at);
    at += e.data.length;
  });
  const cdStart = at;
  entries.forEach((e, i) => {
    view.setUint32(at, 0x02014b50, true);
    view.setUint16(at + 4, 20, true);
    view.setUint16(at + 6, 20, true);
    view.setUint16(at + 8, 0, true);
    view.setUint16(at + 10, 0, true);
    view.setUint16(at + 12, 0, true);
    view.setUint16(at + 14, DOS_DATE, true);
    view.setUint32(at + 16, crcs[i]!, true);
    view.setUint32(at + 20, e.data.length, true);
    view.setUint32(at + 24, e.data.length, true);
    view.setUint16(at + 28, names[i]!.length, true);
    // extra, comment, disk, internal attributes: 0; external attributes: 0.
    view.setUint32(at + 42, offsets[i]!, true);
    out.set(names[i]!, at + 46);
    at += 46 + names[i]!.length;
  });
  view.setUint32(at, 0x06054b50, true);
  view.setUint16(at + 8, entries.length, true);
  view.setUint16(at + 10, entries.length, true);
  view.setUint32(at + 12, at - cdStart, true);
  view.setUint32(at + 16, cdStart, true);
  return out;
}
