/**
 * Bulk issuance (E2 at scale): many certificates from one CA in one job, through the same
 * checks, lint and signing as a single issuance (`prepareCert`, `encodeLintSign` in
 * issue.ts), with every store write of the job in ONE transaction:
 *
 *   load the issuer once → per row: subject key (vault key, CSR, or a new vault key) and
 *   checks → every serial reserved in one transaction (C1) → encode, lint, sign, in
 *   slices (WebCrypto signs off the main thread; the page stays responsive and the job
 *   reports progress) → one transaction: new keys + serials `issued` + certificates + one
 *   `cert.issue` audit entry per certificate (and `key.create` per new key), chained.
 *
 * A refused row refuses the job before anything is reserved, naming the row. A cancel
 * (the AbortSignal) before the final transaction burns the reserved serials and writes
 * nothing else: the store holds all of the job or none of it.
 *
 * Common case:
 * ```ts
 * const rows = parseBulkCsv('cn,sans,profile,validity_days\napp1.test,,tls-server,90\n');
 * const out = await pki.issueBulk({ caId, rows, signal, onProgress: (p) => bar(p.done / p.total) });
 * ```
 */
import type { CaId, KeyId } from '../ids';
import { withAudit } from '../audit/store';
import type { AuditDraft } from '../audit/chain';
import { EngineError, MalformedInputError, isEngineError, toErrorInfo } from '../errors';
import type { EngineContext } from '../keys/context';
import { describeKey, generateMaterial, keyCreatedDraft, newKeyId, templateOf } from '../keys/vault';
import type { CertRecord, KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import { parseSpki } from './algorithms';
import { readCsr } from './csr';
import type { SubjectAltNames } from './extensions';
import {
  LEAF_PROFILES,
  assertCertifiable,
  auditRefusal,
  certRecordOf,
  encodeLintSign,
  issueDraft,
  loadIssuer,
  prepareCert,
  vaultSubjectKey,
  type CertSpec,
  type LeafProfile,
  type PreparedCert,
} from './issue';
import { decodeName, toDistinguishedName, type DistinguishedName } from './names';
import { newSerial } from './serial';
import { wholeSeconds } from '../internal/time';
import { yieldToPage } from '../internal/yield';

/** The most rows one job takes (one transaction holds them all). */
export const MAX_BULK_ROWS = 20_000;

/** Rows prepared or signed between two progress reports (and two looks at the signal). */
const SLICE = 64;

/**
 * One certificate of a bulk job. Its subject key is the vault key `keyId`, the key of the
 * request `csr` (proof of possession checked; its subject and requested SANs are used
 * unless `subject`/`sans` replace them), or, with neither, a new non-extractable ECDSA
 * P-256 vault key named after the common name, stored with the certificate.
 */
export interface BulkRow {
  profile: LeafProfile;
  subject?: DistinguishedName;
  sans?: SubjectAltNames;
  validityDays?: number;
  keyId?: KeyId;
  csr?: string | Uint8Array;
}

/** Where a job is: checking rows, signing, or writing its one transaction. */
export interface BulkProgress {
  phase: 'preparing' | 'signing' | 'saving';
  done: number;
  total: number;
}

/** A bulk job. */
export interface BulkIssueParams {
  caId: CaId;
  rows: readonly BulkRow[];
  /** Cancels the job; honoured until the final transaction starts. */
  signal?: AbortSignal;
  onProgress?: (p: BulkProgress) => void;
}

/** What a job did: everything, or (cancelled) nothing but burning its reserved serials. */
export type BulkIssueOutcome =
  | { status: 'issued'; certs: CertRecord[]; newKeys: KeyInfo[] }
  | { status: 'cancelled'; /** Rows signed when the cancel was seen (none of them was stored). */ signed: number };

const NEW_KEY_TEMPLATE = templateOf('ECDSA-P-256');

interface RowWork {
  prepared: PreparedCert;
  newKey?: { info: KeyInfo; material: KeyMaterialRecord };
}

/** Re-throws a row's refusal with its row number (1-based), keeping the code. */
function rowError(row: number, e: unknown): EngineError {
  const info = toErrorInfo(e);
  return new EngineError(info.code === 'UNEXPECTED' ? 'CERT_INVALID' : info.code, `pki: row ${row}: ${info.message.replace(/^\w+: /, '')}`, { cause: e });
}

/** Per-job memos: a vault key or a public key named by many rows is loaded and checked once. */
interface JobMemo {
  vaultKeys: Map<string, ReturnType<typeof vaultSubjectKey>>;
  certifiable: Map<string, Promise<void>>;
}

async function subjectOf(ctx: EngineContext, row: BulkRow, index: number, memo: JobMemo): Promise<{ spec: Omit<CertSpec, 'profile'>; newKey?: RowWork['newKey'] }> {
  if (row.keyId !== undefined && row.csr !== undefined) throw new EngineError('INVALID_ARGUMENT', 'pki: a row names a vault key or a request, not both');
  if (row.csr !== undefined) {
    const csr = await readCsr(ctx, row.csr);
    const subject = row.subject ?? toDistinguishedName(decodeName(csr.subjectDer));
    const sans = row.sans ?? csr.info.sans;
    const spki = parseSpki(csr.spkiDer);
    return { spec: { subject, ...(sans ? { sans } : {}), spki, keyRole: spki.type.kind === 'ec' ? 'sign' : 'any', source: 'csr' } };
  }
  if (!row.subject) throw new EngineError('INVALID_ARGUMENT', 'pki: a subject is required');
  if (row.keyId !== undefined) {
    let loading = memo.vaultKeys.get(row.keyId);
    if (!loading) memo.vaultKeys.set(row.keyId, (loading = vaultSubjectKey(ctx, row.keyId)));
    const key = await loading;
    return { spec: { subject: row.subject, ...(row.sans ? { sans: row.sans } : {}), spki: key.spki, keyRole: key.role, keyId: row.keyId, source: 'vault' } };
  }
  // A new vault key, non-extractable: only its certificate leaves Clavis.
  const id = newKeyId(ctx);
  const material = await generateMaterial(ctx, NEW_KEY_TEMPLATE, id, false);
  const name = (row.subject.CN ?? '').trim() || `bulk certificate ${index + 1}`;
  const info = await describeKey(ctx, NEW_KEY_TEMPLATE, material, { name: name.slice(0, 200), owner: '', exportable: false, origin: 'generated' });
  const spki = parseSpki(new Uint8Array(await ctx.subtle.exportKey('spki', material.publicKey!)));
  return {
    spec: { subject: row.subject, ...(row.sans ? { sans: row.sans } : {}), spki, keyRole: 'sign', keyId: id, source: 'vault' },
    newKey: { info, material },
  };
}

/**
 * Issues every row of a job, or none (see the module comment).
 * @throws INVALID_ARGUMENT (no rows, too many, a refused row: "pki: row N: …"), the
 *   codes of a single issuance, STORAGE
 */
export async function issueBulk(ctx: EngineContext, p: BulkIssueParams): Promise<BulkIssueOutcome> {
  const rows = p?.rows;
  if (!Array.isArray(rows) || rows.length === 0) throw new EngineError('INVALID_ARGUMENT', 'pki: a bulk job needs at least one row');
  if (rows.length > MAX_BULK_ROWS) throw new EngineError('INVALID_ARGUMENT', `pki: a bulk job takes at most ${MAX_BULK_ROWS} rows`);
  const total = rows.length;
  const report = (phase: BulkProgress['phase'], done: number) => p.onProgress?.({ phase, done, total });
  const cancelled = () => p.signal?.aborted === true;
  const { handle: issuer } = await loadIssuer(ctx, p.caId);

  // 1. Every row checked and laid out; nothing is stored or reserved yet.
  const work: RowWork[] = [];
  const memo: JobMemo = { vaultKeys: new Map(), certifiable: new Map() };
  for (let start = 0; start < total; start += SLICE) {
    if (cancelled()) return { status: 'cancelled', signed: 0 };
    const slice = rows.slice(start, start + SLICE);
    const done = await Promise.all(
      slice.map(async (row, j) => {
        const index = start + j;
        try {
          if (!row || !LEAF_PROFILES.includes(row.profile)) throw new EngineError('INVALID_ARGUMENT', `pki: the profile must be one of ${LEAF_PROFILES.join(', ')}`);
          const { spec, newKey } = await subjectOf(ctx, row, index, memo);
          const full: CertSpec = { ...spec, profile: row.profile, ...(row.validityDays !== undefined ? { validityDays: row.validityDays } : {}) };
          // A new key has no history to check; a vault key or a request's key does (C6),
          // once per public key in the job.
          const prepared = await prepareCert(ctx, issuer, full, { storeChecks: false });
          if (!newKey) {
            let check = memo.certifiable.get(prepared.spkiSha256);
            if (!check) memo.certifiable.set(prepared.spkiSha256, (check = assertCertifiable(ctx, prepared.spkiSha256, false)));
            await check;
          }
          return newKey ? { prepared, newKey } : { prepared };
        } catch (e) {
          throw rowError(index + 1, e);
        }
      }),
    );
    work.push(...done);
    report('preparing', work.length);
    await yieldToPage();
  }
  if (cancelled()) return { status: 'cancelled', signed: 0 };

  // 2. C1: every serial reserved before anything is signed, in one transaction.
  const serials = work.map(() => newSerial(ctx.random));
  const reserved = serials.map((s) => ({ issuerId: issuer.id, serialHex: s.hex }));
  const nowIso = new Date(wholeSeconds(ctx.clock.now())).toISOString();
  try {
    await ctx.storage.reserveSerials(reserved, nowIso);
  } catch (e) {
    throw new EngineError('CERT_INVALID', 'pki: the serial numbers could not be reserved (a collision?); nothing was issued', { cause: e });
  }
  try {
    // 3. Encode, lint and sign in slices.
    const certs: CertRecord[] = [];
    for (let start = 0; start < work.length; start += SLICE) {
      if (cancelled()) {
        await ctx.storage.burnSerials(reserved);
        return { status: 'cancelled', signed: certs.length };
      }
      const slice = work.slice(start, start + SLICE);
      const signed = await Promise.all(
        slice.map(async (w, j) => {
          const serial = serials[start + j]!;
          try {
            const der = await encodeLintSign(issuer, w.prepared, serial.bytes);
            return await certRecordOf(ctx, issuer, w.prepared, serial.hex, der, nowIso);
          } catch (e) {
            throw rowError(start + j + 1, e);
          }
        }),
      );
      certs.push(...signed);
      report('signing', certs.length);
      await yieldToPage();
    }
    if (cancelled()) {
      await ctx.storage.burnSerials(reserved);
      return { status: 'cancelled', signed: certs.length };
    }

    // 4. One transaction: new keys, serials issued, certificates, chained audit entries (A4).
    report('saving', total);
    const addKeys = work.flatMap((w) => (w.newKey ? [w.newKey] : []));
    const drafts: AuditDraft[] = [];
    work.forEach((w, i) => {
      if (w.newKey) drafts.push(keyCreatedDraft(ctx, w.newKey.info));
      drafts.push(issueDraft(ctx, certs[i]!, w.prepared));
    });
    await withAudit(ctx, async () => ({ drafts, commit: (audit) => ctx.storage.commitIssuanceBatch({ certs, addKeys, audit }) }));
    return { status: 'issued', certs, newKeys: addKeys.map((k) => k.info) };
  } catch (e) {
    // Nothing of the job was stored: burn its serials (they may be signed into something).
    await ctx.storage.burnSerials(reserved).catch(() => undefined);
    await auditRefusal(ctx, issuer.id, reserved[0]!.serialHex, 'bulk', e).catch(() => undefined);
    if (isEngineError(e)) throw e;
    throw new EngineError('CERT_INVALID', 'pki: bulk issuance failed', { cause: e });
  }
}

// ---------------------------------------------------------------------------------------
// CSV

/** The columns of a bulk CSV, in order; a first line naming them is skipped. */
export const BULK_CSV_COLUMNS = ['cn', 'sans', 'profile', 'validity_days'] as const;

/** Splits one CSV line (RFC 4180 quotes: "a,b" and "" inside quotes). */
function csvCells(line: string, lineNo: number): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  if (quoted) throw new MalformedInputError(`pki: CSV line ${lineNo}: a quote is not closed`);
  out.push(cell);
  return out.map((s) => s.trim());
}

/** Sorts SAN entries by their shape: an address with @ is an email, with :// a URI, digits and dots (or a colon) an IP, else a DNS name. */
function sansOf(text: string): SubjectAltNames | undefined {
  const items = text.split(/[;\s]+/).filter(Boolean);
  if (items.length === 0) return undefined;
  const sans: Required<SubjectAltNames> = { dns: [], ip: [], email: [], uri: [] };
  for (const s of items) {
    if (s.includes('://')) sans.uri.push(s);
    else if (s.includes('@')) sans.email.push(s);
    else if (/^[\d.]+$/.test(s) || s.includes(':')) sans.ip.push(s);
    else sans.dns.push(s);
  }
  return sans;
}

/**
 * Reads a bulk CSV: one certificate per line, columns cn, sans (separated by ';' or
 * spaces), profile (default tls-server) and validity_days (default per profile). Blank
 * lines are skipped; a header line naming the columns is allowed.
 * @throws MALFORMED_INPUT naming the line (unknown profile, bad validity, no CN and no SAN, too many rows)
 */
export function parseBulkCsv(text: string): BulkRow[] {
  if (typeof text !== 'string') throw new MalformedInputError('pki: the CSV must be text');
  const rows: BulkRow[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    const cells = csvCells(raw, lineNo);
    if (rows.length === 0 && cells[0]?.toLowerCase() === 'cn') return;
    if (cells.length > BULK_CSV_COLUMNS.length) throw new MalformedInputError(`pki: CSV line ${lineNo}: at most ${BULK_CSV_COLUMNS.length} columns (${BULK_CSV_COLUMNS.join(', ')})`);
    const [cn = '', sanText = '', profileText = '', validityText = ''] = cells;
    const profile = (profileText || 'tls-server') as LeafProfile;
    if (!LEAF_PROFILES.includes(profile)) throw new MalformedInputError(`pki: CSV line ${lineNo}: the profile must be one of ${LEAF_PROFILES.join(', ')}`);
    const sans = sansOf(sanText);
    if (!cn && !sans) throw new MalformedInputError(`pki: CSV line ${lineNo}: a common name or a subject alternative name is required`);
    const row: BulkRow = { profile, subject: cn ? { CN: cn } : {} };
    if (sans) row.sans = sans;
    if (validityText) {
      if (!/^\d{1,5}$/.test(validityText) || Number(validityText) < 1) throw new MalformedInputError(`pki: CSV line ${lineNo}: validity_days must be a whole number of days`);
      row.validityDays = Number(validityText);
    }
    rows.push(row);
    if (rows.length > MAX_BULK_ROWS) throw new MalformedInputError(`pki: the CSV has more than ${MAX_BULK_ROWS} rows`);
  });
  if (rows.length === 0) throw new MalformedInputError('pki: the CSV has no rows');
  return rows;
}
