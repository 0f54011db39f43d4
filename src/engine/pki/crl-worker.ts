/**
 * The CRL worker: encodes and lints big TBSCertLists, and reads big CRLs, off the page's
 * thread (SECURITY.md M1, M2, M7: a 100,000-entry CRL is ~4 MB of DER whose encoding,
 * lint and parse take long enough to freeze the page). Started by `crl-client.ts`;
 * nothing else should post to it. No key ever comes here: the CA signs the returned TBS
 * on the page (one signature, a few milliseconds). Failures go back as the EngineError
 * code and message (engine messages carry no secrets), anything else as a plain name.
 */
import { isEngineError } from '../errors';
import { buildCrlTbs, indexCrlData, summariseCrl, type CrlBuildRequest, type CrlBuildResult, type CrlIndexData, type CrlSummary } from './crl-codec';

/** One job for the worker. */
export type CrlWorkerRequest =
  | { id: number; op: 'build'; request: CrlBuildRequest }
  | { id: number; op: 'summarise'; der: Uint8Array<ArrayBuffer>; serials: string[] }
  | { id: number; op: 'index'; der: Uint8Array<ArrayBuffer> };

/** The answer to one job. */
export type CrlWorkerResponse =
  | { id: number; ok: true; op: 'build'; result: CrlBuildResult }
  | { id: number; ok: true; op: 'summarise'; result: CrlSummary }
  | { id: number; ok: true; op: 'index'; result: CrlIndexData }
  | { id: number; ok: false; error: { code?: string; message: string } };

function reply(msg: CrlWorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(msg, { transfer });
}

self.addEventListener('message', (event: MessageEvent<CrlWorkerRequest>) => {
  const msg = event.data;
  if (typeof msg !== 'object' || msg === null || typeof msg.id !== 'number') return;
  try {
    if (msg.op === 'build') {
      const result = buildCrlTbs(msg.request);
      reply({ id: msg.id, ok: true, op: 'build', result }, [result.tbs.buffer]);
    } else if (msg.op === 'summarise') {
      const result = summariseCrl(msg.der, msg.serials);
      reply({ id: msg.id, ok: true, op: 'summarise', result }, [result.tbs.buffer as ArrayBuffer]);
    } else if (msg.op === 'index') {
      const result = indexCrlData(msg.der);
      reply({ id: msg.id, ok: true, op: 'index', result }, [result.header.tbs.buffer as ArrayBuffer, result.reasons.buffer, result.starts.buffer]);
    } else {
      reply({ id: (msg as { id: number }).id, ok: false, error: { message: 'pki: unknown CRL worker job' } });
    }
  } catch (e) {
    const error = isEngineError(e) ? { code: e.code, message: e.message } : { message: `pki: the CRL job failed in the worker (${e instanceof Error ? e.name : 'Error'})` };
    reply({ id: msg.id, ok: false, error });
  }
});
