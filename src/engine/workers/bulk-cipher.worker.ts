/**
 * The bulk-encryption worker: runs AES-GCM off the page's thread, because Chromium runs
 * AES-GCM synchronously on the calling thread (SECURITY.md M7: 64 MiB blocked the page
 * 110 ms). Started by `createWorkerBulkCipher()` in ./bulk-client.ts; nothing else
 * should post to it.
 *
 * The key arrives as a structured-cloned CryptoKey, which keeps its [[extractable]]
 * slot: a non-extractable key stays non-extractable here and no key bytes ever cross.
 * Failures go back as an error name only (`OperationError` for a failed tag check),
 * never a message, so nothing a library might print about its input leaves the worker.
 */

/** One AES-GCM job. `data` is transferred in; the worker owns it afterwards. */
export interface BulkRequest {
  id: number;
  op: 'encrypt' | 'decrypt';
  key: CryptoKey;
  iv: Uint8Array<ArrayBuffer>;
  aad: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
  /** Put in front of the output, in the same buffer (the envelope header). */
  prefix?: Uint8Array<ArrayBuffer>;
}

/** The answer to one request: the result (transferred back) or the error's name. */
export type BulkResponse = { id: number; ok: true; result: ArrayBuffer } | { id: number; ok: false; error: { name: BulkErrorName } };

/** The error names the worker reports; anything else is reported as plain `Error`. */
export type BulkErrorName = 'OperationError' | 'InvalidAccessError' | 'DataError' | 'NotSupportedError' | 'QuotaExceededError' | 'TypeError' | 'Error';

const KNOWN_NAMES: ReadonlySet<string> = new Set<BulkErrorName>([
  'OperationError',
  'InvalidAccessError',
  'DataError',
  'NotSupportedError',
  'QuotaExceededError',
  'TypeError',
]);

function errorName(e: unknown): BulkErrorName {
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  return KNOWN_NAMES.has(name) ? (name as BulkErrorName) : 'Error';
}

function isRequest(m: unknown): m is BulkRequest {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Partial<BulkRequest>;
  return (
    (r.op === 'encrypt' || r.op === 'decrypt') &&
    r.key instanceof CryptoKey &&
    r.iv instanceof Uint8Array &&
    r.aad instanceof Uint8Array &&
    r.data instanceof ArrayBuffer &&
    (r.prefix === undefined || r.prefix instanceof Uint8Array)
  );
}

function reply(msg: BulkResponse, transfer: Transferable[] = []): void {
  // In a dedicated worker global scope postMessage(message, { transfer }) answers the
  // page; the DOM lib types `self` as a Window, whose overload has the same shape.
  self.postMessage(msg, { transfer });
}

async function run(req: BulkRequest): Promise<ArrayBuffer> {
  const params: AesGcmParams = { name: 'AES-GCM', iv: req.iv, additionalData: req.aad };
  const out = req.op === 'encrypt' ? await crypto.subtle.encrypt(params, req.key, req.data) : await crypto.subtle.decrypt(params, req.key, req.data);
  if (!req.prefix?.length) return out;
  // Joined here, off the page's thread, then transferred back in one piece.
  const joined = new Uint8Array(req.prefix.length + out.byteLength);
  joined.set(req.prefix, 0);
  joined.set(new Uint8Array(out), req.prefix.length);
  return joined.buffer;
}

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  const msg = event.data;
  const id = typeof msg === 'object' && msg !== null ? (msg as { id?: unknown }).id : undefined;
  // Without a numeric id there is no caller to answer.
  if (typeof id !== 'number') return;
  if (!isRequest(msg)) {
    reply({ id, ok: false, error: { name: 'TypeError' } });
    return;
  }
  run(msg).then(
    (result) => reply({ id, ok: true, result }, [result]),
    (e: unknown) => reply({ id, ok: false, error: { name: errorName(e) } }),
  );
});
