/**
 * The certificate-authority slice (E1–E7, E10): the CAs, the certificate inventory, the
 * latest CRL of each CA, and every CA verb the screens offer. Each action loads the CA
 * module on demand (`engine.pki()`, which keeps pkijs out of the first page), records the
 * operation's status and `{ code, message }` error under a name in `ops`, and returns a
 * `Result` to the view that asked.
 *
 * What is stored: CaInfo, CertInfo and CrlInfo metadata (plain data), filters, statuses.
 * What is never stored: DER or PEM exports, decoded details, CSR text. Those go back to
 * the calling view only.
 */
import type { StoreApi } from 'zustand/vanilla';
import {
  compareCerts,
  toErrorInfo,
  type CaId,
  type CaInfo,
  type CertId,
  type CaKeyTemplate,
  type CertificateDetails,
  type CertInfo,
  type CreateCaParams,
  type CreateIntermediateParams,
  type CreateCsrParams,
  type CrlEntry,
  type CrlInfo,
  type CsrInfo,
  type Engine,
  type BulkRow,
  type IssueBulkParams,
  type IssueBulkResult,
  type IssueCertificateParams,
  type IssueFromCsrParams,
  type KeyId,
  type LeafProfile,
  type RevokeParams,
  type RevokeSelection,
  type VerifyResult,
} from '../../engine';
import { loadList } from './load-list';
import type { OpStatus, Result } from '../types';
import { runOp } from './run-op';

/** Inventory filters as the form holds them; empty string means "any". */
export interface CertListFilter {
  text: string;
  caId: string;
  profile: string;
  status: CertInfo['status'] | '';
}

/** No filter at all. */
export const EMPTY_CERT_FILTER: CertListFilter = { text: '', caId: '', profile: '', status: '' };

/** Days before notAfter from which a certificate is flagged as expiring (E10). */
export const EXPIRY_WARNING_DAYS = 30;
const DAY = 86_400_000;

/** Names of operations in `ops`; per-object operations end with the id. */
/** Certificates shown from the index before every certificate is read. */
export const FIRST_CERT_PAGE = 100;
/** Certificates per read while the whole list loads. */
export const CERT_CHUNK = 1000;

export const pkiOpNames = {
  listCas: 'list-cas',
  listCerts: 'list-certs',
  createCa: 'create-ca',
  issue: 'issue',
  inspectCsr: 'inspect-csr',
  loadCert: (id: string) => `load-cert:${id}`,
  describe: (id: string) => `describe:${id}`,
  verify: (id: string) => `verify:${id}`,
  exportCert: (id: string) => `export-cert:${id}`,
  exportPkcs12: (id: string) => `export-pkcs12:${id}`,
  revoke: (id: string) => `revoke:${id}`,
  revokeMany: 'revoke-many',
  /** "Revoke all certificates of this CA / key" (issue 15): one operation per CA or key. */
  revokeAll: (scope: 'ca' | 'key', id: string) => `revoke-all:${scope}:${id}`,
  loadCrl: (caId: string) => `load-crl:${caId}`,
  crlEntries: (caId: string) => `crl-entries:${caId}`,
  publishCrl: (caId: string) => `publish-crl:${caId}`,
  exportCrl: (caId: string) => `export-crl:${caId}`,
  crlHistory: (caId: string) => `crl-history:${caId}`,
  createCsr: 'create-csr',
  readBulk: 'read-bulk',
  issueBulk: 'issue-bulk',
  rebuildDue: 'rebuild-due-crls',
} as const;

/** How often the open app checks for CRLs to rebuild (R6). */
export const CRL_CHECK_INTERVAL_MS = 10 * 60_000;
/** A CRL is rebuilt this long before its nextUpdate (Vault's auto_rebuild_grace_period). */
export const CRL_REBUILD_GRACE_MS = 24 * 60 * 60_000;

/** What the CA form asks for: the engine's parameters plus the exportable-key choice. */
export type CreateCaRequest = (CreateCaParams | CreateIntermediateParams) & {
  /**
   * Generate the CA key as an exportable vault key (so the CA can later move to a server
   * CA). Off by default: a non-extractable CA key can never leave this browser.
   */
  exportableKey?: boolean;
};

/** What a bulk revocation did, as the screen reports it (plain data). */
export interface BulkRevocationSummary {
  revoked: number;
  skipped: Array<{ certId: CertId; why: string }>;
  crls: CrlInfo[];
  crlErrors: Array<{ caId: CaId; code: string; message: string }>;
}

/** State and actions of the certificate authority. */
export interface PkiSlice {
  cas: CaInfo[];
  casStatus: 'idle' | 'loading' | 'ready' | 'error';
  /** Every loaded certificate by id. */
  certsById: Record<string, CertInfo>;
  /** Inventory order (newest first), as the engine returns it. */
  certIds: CertId[];
  certsStatus: 'idle' | 'loading' | 'ready' | 'error';
  /** The latest CRL of each CA, by CA id (absent: not loaded or none published). */
  crls: Record<string, CrlInfo>;
  filter: CertListFilter;
  ops: Record<string, OpStatus>;

  refreshCas(): Promise<void>;
  refreshCerts(): Promise<void>;
  setFilter(patch: Partial<CertListFilter>): void;
  clearFilter(): void;
  clearOp(name: string): void;
  /** Creates a root (no `parentId`) or an intermediate CA. */
  createCa(req: CreateCaRequest): Promise<Result<{ ca: CaInfo; cert: CertInfo; truncated: boolean }>>;
  issueCertificate(p: IssueCertificateParams): Promise<Result<{ cert: CertInfo; truncated: boolean }>>;
  issueFromCsr(p: IssueFromCsrParams): Promise<Result<{ cert: CertInfo; truncated: boolean }>>;
  /** Reads a bulk CSV into rows (returned to the view, not stored). */
  parseBulkCsv(text: string): Promise<Result<BulkRow[]>>;
  /**
   * Runs a bulk issuance job (progress through `p.onProgress`, cancel through `p.signal`);
   * the issued certificates join the inventory; the PEM bundle goes back to the view only.
   */
  issueBulk(p: IssueBulkParams): Promise<Result<IssueBulkResult>>;
  /** Reads and verifies a CSR without issuing; stores nothing. */
  inspectCsr(csr: string | Uint8Array): Promise<Result<CsrInfo>>;
  loadCertificate(id: CertId): Promise<Result<CertInfo>>;
  /** Decoded details for the viewer; returned to the caller only. */
  describeCertificate(id: CertId): Promise<Result<CertificateDetails>>;
  verifyCertificate(id: CertId, opts?: { usage?: LeafProfile | 'any'; hostname?: string }): Promise<Result<VerifyResult>>;
  /** PEM/DER of a certificate or its chain bundle; returned to the caller only. */
  /** `chain`: leaf and intermediates (PEM); `full-chain`: root included (PEM); `p7b`: root included, certs-only PKCS#7 (DER). */
  exportCertificate(id: CertId, format: 'pem' | 'der' | 'chain' | 'full-chain' | 'p7b'): Promise<Result<string | Uint8Array>>;
  /** Certificate, encrypted private key and chain as a PKCS #12 file; the bytes go to the caller only. */
  exportPkcs12(id: CertId, passphrase: string): Promise<Result<Uint8Array>>;
  revokeCertificate(id: CertId, p: RevokeParams): Promise<Result<{ cert: CertInfo; crlError?: { code: string; message: string } }>>;
  /**
   * Revokes a selection (certificate ids, every certificate of a CA or of a vault key) as
   * one act; the revoked certificates and the CRLs published replace theirs in the store.
   */
  revokeCertificates(selection: RevokeSelection, p: RevokeParams): Promise<Result<BulkRevocationSummary>>;
  /**
   * Revokes every unexpired certificate a CA issued, its sub-CA certificates excepted
   * (issue 15), as one act with one CRL; status under `pkiOpNames.revokeAll('ca', caId)`.
   */
  revokeCaCertificates(caId: CaId, p: RevokeParams): Promise<Result<BulkRevocationSummary>>;
  /**
   * Revokes every unexpired certificate of a vault key at every CA as one act, one CRL per
   * affected CA; status under `pkiOpNames.revokeAll('key', keyId)`. keyCompromise also
   * marks the key compromised: the view reloads the key.
   */
  revokeKeyCertificates(keyId: KeyId, p: RevokeParams): Promise<Result<BulkRevocationSummary>>;
  loadCrl(caId: CaId): Promise<Result<CrlInfo | undefined>>;
  crlEntries(caId: CaId, page: { offset: number; limit: number }): Promise<Result<{ total: number; entries: CrlEntry[] }>>;
  publishCrl(caId: CaId): Promise<Result<CrlInfo>>;
  /** The latest CRL, or the one with `number` from the history; returned to the caller only. */
  exportCrl(caId: CaId, format: 'pem' | 'der', number?: number): Promise<Result<string | Uint8Array>>;
  /** A CA's CRL history (metadata, newest first); returned to the caller only. */
  listCrls(caId: CaId, limit?: number): Promise<Result<CrlInfo[]>>;
  /** A PKCS#10 request (PEM) signed by a vault key; returned to the caller only, never stored. */
  createCsr(keyId: KeyId, p: CreateCsrParams): Promise<Result<string>>;
  /**
   * Rebuilds every CRL that reaches nextUpdate within CRL_REBUILD_GRACE_MS (R6). Does not
   * load the CA module when this browser has no CA. Returns the CA ids rebuilt.
   */
  rebuildDueCrls(graceMs?: number): Promise<Result<string[]>>;
}

/** Applies the inventory filters: text matches subject, SANs or serial (E10). */
export function filterCerts(certs: readonly CertInfo[], f: CertListFilter): CertInfo[] {
  const q = f.text.trim().toLowerCase();
  // Serials are often pasted grouped ("1a:2b…" or "1a2b 3c4d"); compare them without separators.
  const serialQ = q.replace(/[\s:]/g, '');
  return certs.filter((c) => {
    if (f.caId && c.issuerId !== f.caId) return false;
    if (f.profile && c.profile !== f.profile) return false;
    if (f.status && c.status !== f.status) return false;
    if (!q) return true;
    if (serialQ && c.serialHex.includes(serialQ)) return true;
    return [c.subject, ...c.sans.dns, ...c.sans.ip, ...c.sans.email, ...c.sans.uri].some((s) => s.toLowerCase().includes(q));
  });
}

/** Why a certificate deserves attention (E10): expiring soon, or a CA above it expires first. */
export function expiryWarnings(cert: CertInfo, cas: readonly CaInfo[], now: number): string[] {
  const out: string[] = [];
  if (cert.status !== 'valid') return out;
  const left = Date.parse(cert.notAfter) - now;
  if (left <= EXPIRY_WARNING_DAYS * DAY) out.push(`Expires in ${Math.max(0, Math.ceil(left / DAY))} days`);
  const byId = new Map(cas.map((c) => [c.id, c]));
  let ca = byId.get(cert.issuerId);
  for (let guard = 0; ca && guard < 32; guard++) {
    if (ca.certId !== cert.id && Date.parse(ca.notAfter) < Date.parse(cert.notAfter)) {
      out.push(`Its CA “${ca.name}” expires first (${ca.notAfter.slice(0, 10)})`);
      break;
    }
    ca = ca.parentId ? byId.get(ca.parentId) : undefined;
  }
  return out;
}

/**
 * The loaded certificates a sweep would revoke (issue 15), for the confirmation to count:
 * unrevoked and unexpired, no root; by CA its own leaves (no sub-CA certificate), by key
 * every certificate of that public key. The engine decides; this only announces.
 */
export function sweepCandidates(certs: readonly CertInfo[], scope: { caId: string } | { spkiSha256: string }): CertInfo[] {
  return certs.filter((c) => {
    if (c.profile === 'root-ca' || (c.status !== 'valid' && c.status !== 'not-yet-valid')) return false;
    return 'caId' in scope ? c.issuerId === scope.caId && c.profile !== 'sub-ca' : c.spkiSha256 === scope.spkiSha256;
  });
}

/** CAs as a forest: roots first, each with its children, in creation order. */
export interface CaTreeNode {
  ca: CaInfo;
  children: CaTreeNode[];
}

/** Builds the CA hierarchy from the flat list; CAs whose parent is missing become roots. */
export function caTree(cas: readonly CaInfo[]): CaTreeNode[] {
  const ids = new Set(cas.map((c) => c.id));
  const sorted = [...cas].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const build = (parent: string | undefined, depth: number): CaTreeNode[] =>
    depth > 32
      ? []
      : sorted
          .filter((c) => (parent === undefined ? !c.parentId || !ids.has(c.parentId) : c.parentId === parent))
          .map((ca) => ({ ca, children: build(ca.id, depth + 1) }));
  return build(undefined, 0);
}

/** Builds the PKI slice over an engine. */
export function createPkiSlice<S extends { pki: PkiSlice }>(set: StoreApi<S>['setState'], get: StoreApi<S>['getState'], engine: Engine): PkiSlice {
  const patch = (p: Partial<PkiSlice> | ((k: PkiSlice) => Partial<PkiSlice>)) =>
    set((s) => ({ ...s, pki: { ...s.pki, ...(typeof p === 'function' ? p(s.pki) : p) } }));
  const setOp = (name: string, op: OpStatus) => patch((k) => ({ ops: { ...k.ops, [name]: op } }));

  function run<T>(name: string, f: (pki: Awaited<ReturnType<Engine['pki']>>) => Promise<T>): Promise<Result<T>> {
    return runOp(setOp, name, async () => f(await engine.pki()));
  }


  /** Counts refreshes of the certificate list: only the latest one writes it (an older one stops between chunks). */
  let certRefreshes = 0;

  function rememberCert(c: CertInfo) {
    patch((k) => ({ certsById: { ...k.certsById, [c.id]: c }, certIds: k.certIds.includes(c.id) ? k.certIds : [c.id, ...k.certIds] }));
  }
  /** One bulk revocation under the operation `name`: one state change for the whole act, however many certificates it took. */
  async function revokeSelection(name: string, selection: RevokeSelection, p: RevokeParams): Promise<Result<BulkRevocationSummary>> {
    const r = await run(name, (pki) => pki.revokeCertificates(selection, p));
    if (!r.ok) return r;
    const { revoked, skipped, crls, crlErrors } = r.value;
    patch((k) => ({
      certsById: { ...k.certsById, ...Object.fromEntries(revoked.map((c) => [c.id, c])) },
      crls: { ...k.crls, ...Object.fromEntries(crls.map((c) => [c.issuerId, c])) },
    }));
    return { ok: true, value: { revoked: revoked.length, skipped, crls, crlErrors } };
  }
  function rememberCa(ca: CaInfo) {
    patch((k) => ({ cas: [...k.cas.filter((c) => c.id !== ca.id), ca] }));
  }

  return {
    cas: [],
    casStatus: 'idle',
    certsById: {},
    certIds: [],
    certsStatus: 'idle',
    crls: {},
    filter: EMPTY_CERT_FILTER,
    ops: {},

    async refreshCas() {
      patch({ casStatus: 'loading' });
      const r = await run(pkiOpNames.listCas, (pki) => pki.listCas());
      patch(r.ok ? { cas: r.value, casStatus: 'ready' } : { casStatus: 'error' });
    },
    async refreshCerts() {
      const mine = ++certRefreshes;
      patch({ certsStatus: 'loading' });
      const r = await run(pkiOpNames.listCerts, async (pki) => {
        // The newest page from an index, so the list shows before every certificate is read; then all of them.
        await loadList({
          current: () => mine === certRefreshes,
          empty: get().pki.certIds.length === 0,
          firstPage: () => pki.listCertificatesNewest(FIRST_CERT_PAGE),
          pageSize: FIRST_CERT_PAGE,
          chunks: () => pki.certificateChunks(CERT_CHUNK),
          compare: compareCerts,
          show: (list, complete) =>
            patch({ certsById: Object.fromEntries(list.map((c) => [c.id, c])), certIds: list.map((c) => c.id), ...(complete ? { certsStatus: 'ready' as const } : {}) }),
        });
      });
      if (!r.ok && mine === certRefreshes) patch({ certsStatus: 'error' });
    },
    setFilter(p) {
      patch((k) => ({ filter: { ...k.filter, ...p } }));
    },
    clearFilter() {
      patch({ filter: EMPTY_CERT_FILTER });
    },
    clearOp(name) {
      patch((k) => {
        const { [name]: _gone, ...rest } = k.ops;
        return { ops: rest };
      });
    },

    async createCa(req) {
      const r = await run(pkiOpNames.createCa, async (pki) => {
        const { exportableKey, ...params } = req;
        let keyId = params.keyId;
        if (exportableKey && !keyId) {
          const template: CaKeyTemplate = params.keyTemplate ?? 'ECDSA-P-256';
          const key = await engine.generateKey({ template, name: `${params.name} (CA key)`, owner: 'certificate authority', exportable: true });
          keyId = key.id;
        }
        const full: CreateCaParams & { parentId?: CaId } = keyId ? { ...params, keyId } : params;
        try {
          if (full.parentId) {
            const out = await pki.createIntermediateCa({ ...full, parentId: full.parentId });
            return { ca: out.ca, cert: out.cert, truncated: out.truncated };
          }
          const out = await pki.createRootCa(full);
          return { ca: out.ca, cert: out.cert, truncated: false };
        } catch (e) {
          // The key was generated for this CA only: do not leave an orphan in the vault.
          if (keyId && keyId !== params.keyId) await engine.deleteKey(keyId).catch(() => undefined);
          throw e;
        }
      });
      if (!r.ok) return r;
      rememberCa(r.value.ca);
      rememberCert(r.value.cert);
      const crl = await run(pkiOpNames.loadCrl(r.value.ca.id), (pki) => pki.getCrl(r.value.ca.id));
      if (crl.ok && crl.value) patch((k) => ({ crls: { ...k.crls, [r.value.ca.id]: crl.value! } }));
      return r;
    },

    async issueCertificate(p) {
      const r = await run(pkiOpNames.issue, (pki) => pki.issueCertificate(p));
      if (!r.ok) return r;
      rememberCert(r.value.cert);
      return { ok: true, value: { cert: r.value.cert, truncated: r.value.truncated } };
    },
    async issueFromCsr(p) {
      const r = await run(pkiOpNames.issue, (pki) => pki.issueFromCsr(p));
      if (!r.ok) return r;
      rememberCert(r.value.cert);
      return { ok: true, value: { cert: r.value.cert, truncated: r.value.truncated } };
    },
    inspectCsr: (csr) => run(pkiOpNames.inspectCsr, (pki) => pki.inspectCsr(csr)),
    parseBulkCsv: (text) => run(pkiOpNames.readBulk, async (pki) => pki.parseBulkCsv(text)),
    async issueBulk(p) {
      const r = await run(pkiOpNames.issueBulk, (pki) => pki.issueBulk(p));
      if (r.ok && r.value.status === 'issued') {
        const certs = r.value.certs;
        // One state change for the whole job, newest first like the inventory.
        patch((k) => ({
          certsById: { ...k.certsById, ...Object.fromEntries(certs.map((c) => [c.id, c])) },
          certIds: [...[...certs].reverse().map((c) => c.id), ...k.certIds],
        }));
      }
      return r;
    },

    async loadCertificate(id) {
      const r = await run(pkiOpNames.loadCert(id), (pki) => pki.getCertificate(id));
      if (r.ok) rememberCert(r.value);
      return r;
    },
    describeCertificate: (id) => run(pkiOpNames.describe(id), (pki) => pki.describeCertificate(id)),
    verifyCertificate: (id, opts) => run(pkiOpNames.verify(id), (pki) => pki.verifyCertificate(id, opts)),
    exportCertificate: (id, format) =>
      run(pkiOpNames.exportCert(id), (pki): Promise<string | Uint8Array> => {
        if (format === 'chain') return pki.exportChain(id);
        if (format === 'full-chain') return pki.exportFullChain(id, 'pem');
        if (format === 'p7b') return pki.exportFullChain(id, 'p7b');
        return format === 'der' ? pki.exportCertificate(id, 'der') : pki.exportCertificate(id, 'pem');
      }),

    exportPkcs12: (id, passphrase) => run(pkiOpNames.exportPkcs12(id), (pki) => pki.exportPkcs12(id, passphrase)),

    async revokeCertificate(id, p) {
      const r = await run(pkiOpNames.revoke(id), (pki) => pki.revokeCertificate(id, p));
      if (!r.ok) return r;
      rememberCert(r.value.cert);
      const { crl } = r.value;
      if (crl) patch((k) => ({ crls: { ...k.crls, [crl.issuerId]: crl } }));
      return { ok: true, value: r.value.crlError ? { cert: r.value.cert, crlError: r.value.crlError } : { cert: r.value.cert } };
    },

    revokeCertificates: (selection, p) => revokeSelection(pkiOpNames.revokeMany, selection, p),
    revokeCaCertificates: (caId, p) => revokeSelection(pkiOpNames.revokeAll('ca', caId), { caId }, p),
    revokeKeyCertificates: (keyId, p) => revokeSelection(pkiOpNames.revokeAll('key', keyId), { keyId }, p),

    async loadCrl(caId) {
      const r = await run(pkiOpNames.loadCrl(caId), (pki) => pki.getCrl(caId));
      if (r.ok && r.value) {
        const crl = r.value;
        patch((k) => ({ crls: { ...k.crls, [caId]: crl } }));
      }
      return r;
    },
    crlEntries: (caId, page) => run(pkiOpNames.crlEntries(caId), (pki) => pki.crlEntries(caId, page)),
    async publishCrl(caId) {
      const r = await run(pkiOpNames.publishCrl(caId), (pki) => pki.publishCrl(caId));
      if (r.ok) patch((k) => ({ crls: { ...k.crls, [caId]: r.value } }));
      return r;
    },
    exportCrl: (caId, format, number) =>
      run(pkiOpNames.exportCrl(caId), (pki): Promise<string | Uint8Array> => (format === 'der' ? pki.exportCrl(caId, 'der', number) : pki.exportCrl(caId, 'pem', number))),
    listCrls: (caId, limit) => run(pkiOpNames.crlHistory(caId), (pki) => pki.listCrls(caId, limit)),
    createCsr: (keyId, p) => run(pkiOpNames.createCsr, (pki) => pki.createCsr(keyId, p)),

    async rebuildDueCrls(graceMs = CRL_REBUILD_GRACE_MS) {
      setOp(pkiOpNames.rebuildDue, { status: 'busy' });
      try {
        if (!(await engine.hasCertificateAuthorities())) {
          setOp(pkiOpNames.rebuildDue, { status: 'done' });
          return { ok: true, value: [] };
        }
        const pki = await engine.pki();
        const done: string[] = [];
        let failed: Result<string[]> | undefined;
        for (const caId of await pki.crlsDue(graceMs)) {
          // One CA that cannot sign (e.g. its key is suspended) does not stop the others.
          const r = await run(pkiOpNames.publishCrl(caId), (p) => p.publishCrl(caId));
          if (r.ok) {
            done.push(caId);
            patch((k) => ({ crls: { ...k.crls, [caId]: r.value } }));
          } else failed ??= r;
        }
        if (failed && !failed.ok) {
          setOp(pkiOpNames.rebuildDue, { status: 'error', error: failed.error });
          return failed;
        }
        setOp(pkiOpNames.rebuildDue, { status: 'done' });
        return { ok: true, value: done };
      } catch (e) {
        const error = toErrorInfo(e);
        setOp(pkiOpNames.rebuildDue, { status: 'error', error });
        return { ok: false, error };
      }
    },
  };
}
