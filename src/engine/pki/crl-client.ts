/**
 * Runs the size-dependent CRL work (`crl-codec.ts`) in a module worker when the page has
 * `Worker` and the CRL is big, and in-thread otherwise (Node, tests, small CRLs), so a
 * CA with 100,000 revoked certificates builds and reads its CRL without freezing the page
 * (SECURITY.md M1, M2, M7). The worker starts on the first big job and is shared by
 * every engine in the page; it never sees a key.
 *
 * Worker creation goes through the `clavis` Trusted Types policy (`clavisScriptURL`),
 * and keeps the literal `new Worker(new URL('./crl-worker.ts', import.meta.url), …)`
 * shape Vite needs to bundle the worker. If the worker cannot start or dies, its jobs
 * (and later ones) run in-thread instead: slower, never wrong.
 *
 * Common case: `const { tbs, entries, findings } = await crlJobs.build(request)`.
 */
import { EngineError, MalformedInputError, type EngineErrorCode } from '../errors';
import { clavisScriptURL } from '../workers/bulk-client';
import { buildCrlTbs, indexCrlData, summariseCrl, type CrlBuildRequest, type CrlBuildResult, type CrlIndexData, type CrlSummary } from './crl-codec';
import type { CrlWorkerRequest, CrlWorkerResponse } from './crl-worker';

/** CRLs with more entries than this are built in the worker (where there is one). */
export const CRL_WORKER_THRESHOLD_ENTRIES = 2_000;
/** CRLs larger than this (about 2,000 entries) are read in the worker. */
export const CRL_WORKER_THRESHOLD_BYTES = 80_000;

/** Big-CRL jobs, in a worker where possible. */
export interface CrlJobs {
  /** Encodes and lints a TBSCertList. */
  build(request: CrlBuildRequest): Promise<CrlBuildResult>;
  /** Reads a CRL's header and looks up serials. @throws MALFORMED_INPUT */
  summarise(der: Uint8Array, serials: readonly string[]): Promise<CrlSummary>;
  /** Reads a CRL into an index (header, serials, reasons, entry offsets). @throws MALFORMED_INPUT */
  index(der: Uint8Array): Promise<CrlIndexData>;
  /** True while a worker is running. */
  readonly workerRunning: boolean;
  /** How many jobs have run in the worker (tests, benchmarks). */
  readonly workerJobs: number;
  /** Stops the worker; jobs in flight finish in-thread. A later big job starts a new one. */
  terminate(): void;
}

function startWorker(): Worker {
  // Same pattern as engine/workers/bulk-client.ts: Vite needs the literal form, and the local
  // subclass turns the URL into a TrustedScriptURL on the way in.
  const Worker = class extends globalThis.Worker {
    constructor(url: URL, options: WorkerOptions) {
      super(clavisScriptURL(url), options);
    }
  };
  return new Worker(new URL('./crl-worker.ts', import.meta.url), { type: 'module' });
}

type Job = { op: 'build'; request: CrlBuildRequest } | { op: 'summarise'; der: Uint8Array; serials: readonly string[] } | { op: 'index'; der: Uint8Array };
type JobResult = CrlBuildResult | CrlSummary | CrlIndexData;

function runLocal(job: Job): JobResult {
  return job.op === 'build' ? buildCrlTbs(job.request) : job.op === 'summarise' ? summariseCrl(job.der, job.serials) : indexCrlData(job.der);
}

function rebuildError(e: { code?: string; message: string }): Error {
  if (e.code === 'MALFORMED_INPUT') return new MalformedInputError(e.message);
  return new EngineError((e.code ?? 'CERT_INVALID') as EngineErrorCode, e.message);
}

/**
 * Creates a job runner. `threshold` lowers the worker thresholds (tests); by default a
 * build goes to the worker above {@link CRL_WORKER_THRESHOLD_ENTRIES} entries and a read
 * above {@link CRL_WORKER_THRESHOLD_BYTES} bytes.
 */
export function createCrlJobs(opts: { entries?: number; bytes?: number } = {}): CrlJobs {
  const minEntries = opts.entries ?? CRL_WORKER_THRESHOLD_ENTRIES;
  const minBytes = opts.bytes ?? CRL_WORKER_THRESHOLD_BYTES;
  const pending = new Map<number, { job: Job; resolve(v: JobResult): void; reject(e: Error): void }>();
  let worker: Worker | null = null;
  let nextId = 1;
  let jobs = 0;

  // Jobs of a dead worker finish in-thread: the work is deterministic and has no secrets.
  function fallBack(): void {
    const w = worker;
    worker = null;
    w?.terminate();
    const left = [...pending.values()];
    pending.clear();
    for (const p of left) {
      try {
        p.resolve(runLocal(p.job));
      } catch (e) {
        p.reject(e instanceof Error ? e : new EngineError('CERT_INVALID', 'pki: the CRL job failed'));
      }
    }
  }

  function ensureWorker(): Worker {
    if (worker) return worker;
    const w = startWorker();
    w.addEventListener('message', (event: MessageEvent<CrlWorkerResponse>) => {
      const msg = event.data;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(rebuildError(msg.error));
    });
    w.addEventListener('error', (event) => {
      event.preventDefault();
      if (worker === w) fallBack();
    });
    w.addEventListener('messageerror', () => {
      if (worker === w) fallBack();
    });
    worker = w;
    return w;
  }

  function post(job: Job, req: CrlWorkerRequest, transfer: Transferable[]): Promise<JobResult> {
    const w = ensureWorker();
    jobs++;
    return new Promise((resolve, reject) => {
      pending.set(req.id, { job, resolve, reject });
      w.postMessage(req, transfer);
    });
  }

  const hasWorker = () => typeof Worker !== 'undefined';

  return {
    get workerRunning() {
      return worker !== null;
    },
    get workerJobs() {
      return jobs;
    },
    terminate() {
      fallBack();
    },
    async build(request) {
      if (!hasWorker() || request.revocations.count <= minEntries) return buildCrlTbs(request);
      const id = nextId++;
      return (await post({ op: 'build', request }, { id, op: 'build', request }, [])) as CrlBuildResult;
    },
    async summarise(der, serials) {
      if (!hasWorker() || der.length <= minBytes) return summariseCrl(der, serials);
      const id = nextId++;
      // A copy goes over (transferred), so the caller's bytes stay usable.
      const copy = der.slice();
      return (await post({ op: 'summarise', der, serials }, { id, op: 'summarise', der: copy, serials: [...serials] }, [copy.buffer])) as CrlSummary;
    },
    async index(der) {
      if (!hasWorker() || der.length <= minBytes) return indexCrlData(der);
      const id = nextId++;
      const copy = der.slice();
      return (await post({ op: 'index', der }, { id, op: 'index', der: copy }, [copy.buffer])) as CrlIndexData;
    },
  };
}

/** The page's shared CRL job runner (the worker starts on the first big job). */
export const crlJobs: CrlJobs = createCrlJobs();
