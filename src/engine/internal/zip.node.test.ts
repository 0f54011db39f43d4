// The bulk job's ZIP download opens with Python's zipfile (CRC-checked) and holds the exact bytes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32, zipStored } from './zip';

describe('zip of the bulk results', () => {
  it('CRC-32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('an archive of three files is read back whole by Python zipfile, CRCs checked', () => {
    const files = [
      { name: 'a.pem', data: new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n') },
      { name: 'b.pem', data: new Uint8Array(0) },
      { name: 'c.der', data: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff) },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'clavis-zip-'));
    const path = join(dir, 'certs.zip');
    writeFileSync(path, zipStored(files));
    const script = 'import sys, zipfile, json\nz = zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps([[i.filename, list(z.read(i.filename))] for i in z.infolist()]))';
    const out = JSON.parse(execFileSync('python3', ['-c', script, path], { encoding: 'utf8' })) as Array<[string, number[]]>;
    expect(out.map(([n]) => n)).toEqual(['a.pem', 'b.pem', 'c.der']);
    out.forEach(([, bytes], i) => expect(Uint8Array.from(bytes)).toEqual(files[i]!.data));
  });
});
