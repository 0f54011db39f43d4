// M7 at scale: a large encryption's envelope header is joined to the ciphertext where
// the cipher runs (the worker in Chromium; this thread where there is no Worker), and the
// envelope is byte-identical to the in-thread one and decrypts.
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerBulkCipher, WORKER_THRESHOLD_BYTES, type WorkerBulkCipher } from '../workers/bulk-client';
import { createEngine, openStorage } from '..';
import { equalBytes, toHex } from '../internal/bytes';
import { inThreadBulkCipher } from './context';

const opened: WorkerBulkCipher[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.terminate();
});

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

describe('bulk cipher: header joined where the cipher runs', () => {
  it('M7 prefix || ciphertext equals the in-thread result, above and below the worker threshold', async () => {
    const bulk = createWorkerBulkCipher();
    opened.push(bulk);
    const local = inThreadBulkCipher(crypto.subtle);
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const prefix = randomBytes(40);
    for (const size of [1024, WORKER_THRESHOLD_BYTES + 17]) {
      const iv = randomBytes(12);
      const aad = randomBytes(9);
      const data = randomBytes(size);
      const joined = new Uint8Array(await bulk.aesGcmEncryptAfter!(prefix, key, iv, aad, data));
      const plain = new Uint8Array(await local.aesGcm('encrypt', key, iv, aad, data));
      expect(joined.length).toBe(prefix.length + plain.length);
      expect(equalBytes(joined.subarray(0, prefix.length), prefix)).toBe(true);
      expect(equalBytes(joined.subarray(prefix.length), plain)).toBe(true);
      // The caller's buffers are untouched.
      expect(data.byteLength).toBe(size);
    }
  });

  it('M7 an engine over the worker cipher seals a 6 MiB file into an envelope that opens, header first', async () => {
    const storage = await openStorage({ name: `clavis-prefix-${toHex(crypto.getRandomValues(new Uint8Array(6)))}` });
    const bulk = createWorkerBulkCipher();
    opened.push(bulk);
    const engine = createEngine({ storage, bulk });
    const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'file key' });
    const file = randomBytes(6 * 1024 * 1024);
    const sealed = await engine.encrypt(key.id, file, { aad: new TextEncoder().encode('name.bin') });
    const back = await engine.decrypt(sealed, { aad: new TextEncoder().encode('name.bin') });
    expect(equalBytes(back.plaintext, file)).toBe(true);
    // Header (magic "CLV"…) in front, then ciphertext + 16-byte tag.
    expect(sealed[0]).toBe(0x43);
    expect(sealed.length).toBeGreaterThan(file.length + 16);
    storage.close();
  }, 60_000);
});
