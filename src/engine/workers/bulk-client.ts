/**
 * A `BulkCipher` backed by one Web Worker, so large AES-GCM jobs do not freeze the page
 * (SECURITY.md M7: Chromium runs AES-GCM synchronously on the calling thread).
 *
 * Common case, when the app builds its engine:
 * ```ts
 * const engine = createEngine({ storage, bulk: createWorkerBulkCipher() });
 * ```
 * Inputs under {@link WORKER_THRESHOLD_BYTES} run in-thread (a round trip costs more
 * than the work), as does everything where `Worker` does not exist (Node, tests). The
 * worker starts on the first large job. Errors match the in-thread cipher's: a failed
 * tag check rejects with a DOMException named `OperationError`, which the engine maps
 * to DECRYPT_FAILED.
 */
import { inThreadBulkCipher, type BulkCipher } from '../keys/context';
import type { BulkRequest, BulkResponse } from './bulk-cipher.worker';
import { yieldToPage } from '../internal/yield';

/** Inputs smaller than this (256 KiB) are encrypted in-thread, not in the worker. */
export const WORKER_THRESHOLD_BYTES = 256 * 1024;

/** The worker-backed bulk cipher, with control over its worker for tests and teardown. */
export interface WorkerBulkCipher extends BulkCipher {
  /** True while a worker is running (it starts on the first large job). */
  readonly workerRunning: boolean;
  /** Stops the worker; jobs in flight reject with `AbortError`. A later large job starts a new one. */
  terminate(): void;
}

/** The subset of the Trusted Types API used here (not yet in TypeScript's DOM lib). */
interface TrustedTypePolicyLike {
  createScriptURL(input: string): unknown;
}
interface TrustedTypesLike {
  createPolicy(name: string, rules: { createScriptURL(input: string): string }): TrustedTypePolicyLike;
}

/** The production CSP allows exactly this Trusted Types policy name (scripts/security-headers.mjs). */
const POLICY_NAME = 'clavis';

let policy: TrustedTypePolicyLike | null | undefined;

/** The URL, resolved against the page, if it is same-origin; throws TypeError otherwise. */
function sameOriginHref(input: string): string {
  const url = new URL(input, globalThis.location.href);
  if (url.origin !== globalThis.location.origin) {
    throw new TypeError('clavis: refusing a script URL from another origin');
  }
  return url.href;
}

/**
 * The `clavis` Trusted Types policy, created once on first use and only where the
 * browser has Trusted Types. It only passes same-origin script URLs. The production
 * CSP (`trusted-types clavis`) allows this one policy name, once: code that needs a
 * TrustedScriptURL must come through {@link clavisScriptURL}, not create its own.
 */
function clavisPolicy(): TrustedTypePolicyLike | null {
  if (policy !== undefined) return policy;
  const tt = (globalThis as { trustedTypes?: TrustedTypesLike }).trustedTypes;
  policy = tt ? tt.createPolicy(POLICY_NAME, { createScriptURL: sameOriginHref }) : null;
  return policy;
}

/**
 * A script URL as `new Worker()` must receive it under `require-trusted-types-for
 * 'script'`: a TrustedScriptURL from the `clavis` policy where the browser has Trusted
 * Types, else the checked href. Typed as string, which the DOM accepts in both cases.
 * @throws TypeError when the URL is not same-origin (with or without Trusted Types).
 */
export function clavisScriptURL(url: URL | string): string {
  const href = sameOriginHref(String(url));
  const p = clavisPolicy();
  return p ? (p.createScriptURL(href) as string) : href;
}

function startWorker(): Worker {
  // Vite bundles a worker only when it sees the literal `new Worker(new URL('…',
  // import.meta.url), …)` (plugin vite:worker-import-meta-url), so the call keeps that
  // shape and this local subclass turns the URL into a TrustedScriptURL on the way in.
  const Worker = class extends globalThis.Worker {
    constructor(url: URL, options: WorkerOptions) {
      super(clavisScriptURL(url), options);
    }
  };
  return new Worker(new URL('./bulk-cipher.worker.ts', import.meta.url), { type: 'module' });
}

interface Pending {
  op: BulkRequest['op'];
  resolve(result: ArrayBuffer): void;
  reject(error: Error): void;
}

/** Bytes copied per main-thread task: about a millisecond of work on a slow machine. */
const COPY_SLICE_BYTES = 1024 * 1024;

/**
 * Copies `data` into a fresh buffer, yielding to the page between 1 MiB slices.
 * Transferring the caller's own buffer would detach their plaintext (and, for a view,
 * everything else in its buffer); copying 64 MiB in one go blocked the page ~25-40 ms
 * in the benchmark, which is the stall the worker exists to avoid. Callers must not
 * modify `data` until the promise settles.
 */
async function copyYielding(data: Uint8Array): Promise<ArrayBuffer> {
  const out = new Uint8Array(data.byteLength);
  for (let off = 0; off < data.byteLength; off += COPY_SLICE_BYTES) {
    if (off > 0) await yieldToPage();
    out.set(data.subarray(off, Math.min(data.byteLength, off + COPY_SLICE_BYTES)), off);
  }
  return out.buffer;
}

function workerError(op: BulkRequest['op'], name: string): Error {
  const message = `bulk: AES-GCM ${op} failed in the worker (${name})`;
  return name === 'TypeError' ? new TypeError(message) : new DOMException(message, name);
}

/**
 * Creates a bulk cipher that runs large AES-GCM jobs in one lazily started module
 * worker and small ones in-thread. Falls back to in-thread everywhere `Worker` is
 * missing. Rejects like `SubtleCrypto` does (`OperationError` on a failed decrypt), and
 * with `AbortError` when the worker dies or is terminated mid-job.
 */
export function createWorkerBulkCipher(): WorkerBulkCipher {
  const local = inThreadBulkCipher(globalThis.crypto.subtle);
  const pending = new Map<number, Pending>();
  let worker: Worker | null = null;
  let nextId = 1;
  // Bumped whenever the worker goes away, so jobs still being copied when it died are
  // rejected too instead of being handed to its replacement.
  let generation = 0;
  let lastFailure = '';

  function failAll(reason: string): void {
    const w = worker;
    worker = null;
    generation++;
    lastFailure = reason;
    w?.terminate();
    const jobs = [...pending.values()];
    pending.clear();
    for (const job of jobs) job.reject(new DOMException(`bulk: ${reason}`, 'AbortError'));
  }

  function ensureWorker(): Worker {
    if (worker) return worker;
    const w = startWorker();
    w.addEventListener('message', (event: MessageEvent<BulkResponse>) => {
      const msg = event.data;
      const job = pending.get(msg.id);
      if (!job) return;
      pending.delete(msg.id);
      if (msg.ok) job.resolve(msg.result);
      else job.reject(workerError(job.op, msg.error.name));
    });
    // A script that fails to load, an uncaught exception and an unreadable reply all
    // leave callers waiting forever unless every pending job is rejected here.
    w.addEventListener('error', (event) => {
      event.preventDefault();
      if (worker === w) failAll('the encryption worker stopped');
    });
    w.addEventListener('messageerror', () => {
      if (worker === w) failAll('the encryption worker sent an unreadable reply');
    });
    worker = w;
    return w;
  }

  return {
    get workerRunning() {
      return worker !== null;
    },
    terminate() {
      failAll('the encryption worker was terminated');
    },
    aesGcm: (op, key, iv, aad, data) => submit(op, key, iv, aad, data),
    aesGcmEncryptAfter: (prefix, key, iv, aad, data) => submit('encrypt', key, iv, aad, data, prefix),
  };

  /** Runs one job in the worker (large data) or in this thread; `prefix` goes in front of the output. */
  async function submit(op: 'encrypt' | 'decrypt', key: CryptoKey, iv: Uint8Array<ArrayBuffer>, aad: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>, prefix?: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer> {
    if (typeof Worker === 'undefined' || data.byteLength < WORKER_THRESHOLD_BYTES) {
      return prefix ? local.aesGcmEncryptAfter!(prefix, key, iv, aad, data) : local.aesGcm(op, key, iv, aad, data);
    }
    // iv and aad are copied at once (cloning a view would clone its whole underlying
    // buffer); the data is copied slice by slice, then the copy is transferred.
    const ivCopy = iv.slice();
    const aadCopy = aad.slice();
    const submitted = generation;
    const buffer = await copyYielding(data);
    if (generation !== submitted) throw new DOMException(`bulk: ${lastFailure}`, 'AbortError');
    const w = ensureWorker();
    const id = nextId++;
    return new Promise<ArrayBuffer>((resolve, reject) => {
      pending.set(id, { op, resolve, reject });
      const req: BulkRequest = { id, op, key, iv: ivCopy, aad: aadCopy, data: buffer, ...(prefix?.length ? { prefix: prefix.slice() } : {}) };
      w.postMessage(req, [buffer]);
    });
  }
}
