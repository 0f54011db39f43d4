// The Web Worker behind bulk AES-GCM (SECURITY.md M7). In the chromium project these
// tests drive the real module worker that Vite serves; in the node project, where there
// is no Worker, they prove the client falls back to the in-thread cipher.
import { afterEach, describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { clavisScriptURL, createWorkerBulkCipher, WORKER_THRESHOLD_BYTES, type WorkerBulkCipher } from '../workers/bulk-client';
import { equalBytes } from '../internal/bytes';
import { inThreadBulkCipher } from './context';

const MiB = 1024 * 1024;
const subtle = globalThis.crypto.subtle;
const local = inThreadBulkCipher(subtle);

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let off = 0; off < n; off += 65536) crypto.getRandomValues(out.subarray(off, Math.min(n, off + 65536)));
  return out;
}

async function aesKey(extractable = false): Promise<CryptoKey> {
  return subtle.generateKey({ name: 'AES-GCM', length: 256 }, extractable, ['encrypt', 'decrypt']);
}

/**
 * A job's outcome in a form small enough to print: a failed expectation on a settled
 * multi-MiB ArrayBuffer would otherwise try to ship the whole buffer in its diff.
 */
type Settled = { ok: true; bytes: number } | { ok: false; name: string; message: string; isError: boolean };
async function settle(p: Promise<ArrayBuffer>): Promise<Settled> {
  try {
    return { ok: true, bytes: (await p).byteLength };
  } catch (e) {
    return { ok: false, name: (e as Error).name, message: String((e as Error).message), isError: e instanceof Error };
  }
}

const opened: WorkerBulkCipher[] = [];
function cipher(): WorkerBulkCipher {
  const c = createWorkerBulkCipher();
  opened.push(c);
  return c;
}
afterEach(() => {
  for (const c of opened.splice(0)) c.terminate();
});

if (typeof Worker !== 'undefined') {
  describe('bulk worker: AES-GCM off the page thread (M7)', () => {
    it('round trips 8 MiB through the worker, byte-identical to the in-thread cipher', async () => {
      const bulk = cipher();
      const key = await aesKey();
      const iv = randomBytes(12);
      const aad = randomBytes(40);
      const plaintext = randomBytes(8 * MiB);

      const ct = new Uint8Array(await bulk.aesGcm('encrypt', key, iv, aad, plaintext));
      expect(bulk.workerRunning).toBe(true);
      expect(ct.byteLength).toBe(8 * MiB + 16);
      // Same key and IV give the same AES-GCM output wherever it runs.
      expect(equalBytes(ct, new Uint8Array(await local.aesGcm('encrypt', key, iv, aad, plaintext)))).toBe(true);
      const back = new Uint8Array(await bulk.aesGcm('decrypt', key, iv, aad, ct));
      expect(equalBytes(back, plaintext)).toBe(true);
    });

    it('leaves the caller’s buffers attached (it transfers a copy, not their data)', async () => {
      const bulk = cipher();
      const key = await aesKey();
      const plaintext = randomBytes(WORKER_THRESHOLD_BYTES);
      const before = plaintext.slice();
      await bulk.aesGcm('encrypt', key, randomBytes(12), new Uint8Array(0), plaintext);
      expect(bulk.workerRunning).toBe(true);
      expect(plaintext.byteLength).toBe(WORKER_THRESHOLD_BYTES);
      expect(equalBytes(plaintext, before)).toBe(true);
    });

    it('K4 passes a non-extractable key to the worker and it stays non-extractable', async () => {
      const bulk = cipher();
      const key = await aesKey(false);
      const iv = randomBytes(12);
      const plaintext = randomBytes(MiB);
      const ct = await bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), plaintext);
      expect(bulk.workerRunning).toBe(true);
      // The worker really used this key: the page opens what it sealed.
      expect(equalBytes(new Uint8Array(await local.aesGcm('decrypt', key, iv, new Uint8Array(0), new Uint8Array(ct))), plaintext)).toBe(true);
      expect(key.extractable).toBe(false);
      await expect(subtle.exportKey('raw', key)).rejects.toMatchObject({ name: 'InvalidAccessError' });
      // postMessage uses the same structured clone as this channel: the copy a worker
      // receives is still non-extractable and cannot be exported either.
      const channel = new MessageChannel();
      const cloned = new Promise<CryptoKey>((resolve) => {
        channel.port2.onmessage = (e: MessageEvent<CryptoKey>) => resolve(e.data);
      });
      channel.port1.postMessage(key);
      const copy = await cloned;
      channel.port1.close();
      expect(copy.extractable).toBe(false);
      await expect(subtle.exportKey('raw', copy)).rejects.toMatchObject({ name: 'InvalidAccessError' });
    });

    it('rejects a tampered, truncated or wrong-AAD ciphertext with OperationError (maps to DECRYPT_FAILED)', async () => {
      const bulk = cipher();
      const key = await aesKey();
      const iv = randomBytes(12);
      const aad = randomBytes(16);
      const plaintext = randomBytes(MiB);
      const ct = new Uint8Array(await bulk.aesGcm('encrypt', key, iv, aad, plaintext));

      const flipped = ct.slice();
      flipped[1234] = flipped[1234]! ^ 0x01;
      const wrongAad = aad.slice();
      wrongAad[0] = wrongAad[0]! ^ 0x80;
      const otherKey = await aesKey();
      const failures = [
        bulk.aesGcm('decrypt', key, iv, aad, flipped),
        bulk.aesGcm('decrypt', key, iv, aad, ct.slice(0, ct.length - 1)),
        bulk.aesGcm('decrypt', key, iv, wrongAad, ct),
        bulk.aesGcm('decrypt', otherKey, iv, aad, ct),
      ];
      for (const f of failures) {
        expect(await settle(f)).toEqual({ ok: false, name: 'OperationError', message: expect.stringMatching(/^bulk: /), isError: true });
      }
      // The worker survives a failed job and keeps serving.
      expect(bulk.workerRunning).toBe(true);
      expect(equalBytes(new Uint8Array(await bulk.aesGcm('decrypt', key, iv, aad, ct)), plaintext)).toBe(true);
    });

    it('resolves concurrent requests to the right callers', async () => {
      const bulk = cipher();
      const jobs = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const key = await aesKey();
          const iv = randomBytes(12);
          const aad = Uint8Array.of(i);
          const plaintext = randomBytes(WORKER_THRESHOLD_BYTES + i * 4099);
          return { key, iv, aad, plaintext };
        }),
      );
      const sealed = await Promise.all(jobs.map((j) => bulk.aesGcm('encrypt', j.key, j.iv, j.aad, j.plaintext)));
      sealed.forEach((ct, i) => expect(ct.byteLength).toBe(jobs[i]!.plaintext.byteLength + 16));
      // Interleave good decryptions with ones under the neighbour's key, which must fail.
      const pairs = jobs.map((j, i) => [
        bulk.aesGcm('decrypt', j.key, j.iv, j.aad, new Uint8Array(sealed[i]!)),
        bulk.aesGcm('decrypt', jobs[(i + 1) % jobs.length]!.key, j.iv, j.aad, new Uint8Array(sealed[i]!)),
      ]);
      for (const [i, [good, wrong]] of pairs.entries()) {
        expect(equalBytes(new Uint8Array(await good!), jobs[i]!.plaintext)).toBe(true);
        expect(await settle(wrong!)).toMatchObject({ ok: false, name: 'OperationError' });
      }
    });

    it('H2 starts workers only from same-origin TrustedScriptURLs made by the clavis policy', () => {
      const tt = (globalThis as { trustedTypes?: { isScriptURL(x: unknown): boolean } }).trustedTypes;
      const own = clavisScriptURL(new URL('./some-worker.js', location.href));
      expect(String(own)).toBe(new URL('./some-worker.js', location.href).href);
      // Chromium has Trusted Types: the result is a real TrustedScriptURL, not a string.
      expect(tt?.isScriptURL(own)).toBe(true);
      expect(typeof own).toBe('object');
      expect(() => clavisScriptURL('https://example.invalid/worker.js')).toThrow(TypeError);
      expect(() => clavisScriptURL('//example.invalid/worker.js')).toThrow(/another origin/);
      expect(() => clavisScriptURL('data:text/javascript,postMessage(1)')).toThrow(TypeError);
    });

    it('keeps inputs under 256 KiB in-thread and starts no worker for them', async () => {
      const bulk = cipher();
      const key = await aesKey();
      const iv = randomBytes(12);
      const plaintext = randomBytes(WORKER_THRESHOLD_BYTES - 1);
      const ct = await bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), plaintext);
      expect(bulk.workerRunning).toBe(false);
      expect(equalBytes(new Uint8Array(await local.aesGcm('decrypt', key, iv, new Uint8Array(0), new Uint8Array(ct))), plaintext)).toBe(true);
    });

    it('rejects jobs still being handed over with AbortError when the worker is terminated', async () => {
      const bulk = cipher();
      const key = await aesKey();
      const iv = randomBytes(12);
      const plaintext = randomBytes(4 * MiB);
      const handingOver = [bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), plaintext), bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), plaintext)];
      bulk.terminate();
      for (const p of handingOver) expect(await settle(p)).toMatchObject({ ok: false, name: 'AbortError' });
      expect(bulk.workerRunning).toBe(false);
    });

    it('rejects jobs inside the worker with AbortError when it stops, then serves the next job from a new one', async () => {
      const bulk = cipher();
      const key = await aesKey();
      const iv = randomBytes(12);
      // Large enough that the worker is still busy when it is stopped.
      const plaintext = randomBytes(32 * MiB);
      const inWorker = bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), plaintext);
      // The job is posted in the same task that starts the worker; poll task by task
      // (a MessageChannel round, not a clamped timer) so the worker is caught mid-job.
      while (!bulk.workerRunning) {
        await new Promise<void>((resolve) => {
          const c = new MessageChannel();
          c.port1.onmessage = () => {
            c.port1.close();
            resolve();
          };
          c.port2.postMessage(null);
        });
      }
      bulk.terminate();
      expect(await settle(inWorker)).toMatchObject({ ok: false, name: 'AbortError' });
      expect(bulk.workerRunning).toBe(false);

      const small = plaintext.subarray(0, 2 * WORKER_THRESHOLD_BYTES);
      const ct = await bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), small);
      expect(bulk.workerRunning).toBe(true);
      expect(equalBytes(new Uint8Array(ct), new Uint8Array(await local.aesGcm('encrypt', key, iv, new Uint8Array(0), small)))).toBe(true);
    });
  });
} else {
  describe('bulk worker: where there is no Worker (Node)', () => {
    it('has no Worker here, so the client runs 8 MiB in-thread and starts nothing', async () => {
      expect(typeof Worker).toBe('undefined');
      const bulk = cipher();
      const key = await aesKey();
      const iv = randomBytes(12);
      const plaintext = randomBytes(8 * MiB);
      const ct = new Uint8Array(await bulk.aesGcm('encrypt', key, iv, new Uint8Array(0), plaintext));
      expect(bulk.workerRunning).toBe(false);
      expect(equalBytes(new Uint8Array(await bulk.aesGcm('decrypt', key, iv, new Uint8Array(0), ct)), plaintext)).toBe(true);
      ct[0] = ct[0]! ^ 1;
      expect(await settle(bulk.aesGcm('decrypt', key, iv, new Uint8Array(0), ct))).toMatchObject({ ok: false, name: 'OperationError' });
    });
  });
}

describe('bulk worker: behind the engine', () => {
  it('encrypts and decrypts 8 MiB through engine.encrypt, and a flipped bit is DECRYPT_FAILED', async () => {
    const bulk = cipher();
    const { engine, storage } = await freshEngine({ bulk });
    try {
      const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'bulk' });
      const plaintext = randomBytes(8 * MiB);
      const aad = randomBytes(8);
      const ct = await engine.encrypt(key.id, plaintext, { aad });
      // The worker runs wherever the platform has one; Node falls back to in-thread.
      expect(bulk.workerRunning).toBe(typeof Worker !== 'undefined');
      const opened = await engine.decrypt(ct, { aad });
      expect(opened.keyId).toBe(key.id);
      expect(equalBytes(opened.plaintext, plaintext)).toBe(true);

      const tampered = ct.slice();
      tampered[tampered.length - 100] = tampered[tampered.length - 100]! ^ 0x04;
      const failure = await engine.decrypt(tampered, { aad }).then(
        () => 'decrypted',
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ code: 'DECRYPT_FAILED' });
      expect(String((failure as Error).message)).not.toMatch(/bulk:/);
    } finally {
      storage.close();
    }
  });
});
