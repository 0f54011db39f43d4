// Reading stored certificates: their public view (status, revocation), lookups, listings, chains and the vault keys they certify.
import type { CaId } from '../ids';
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import type { CertRecord, RevocationRecord } from '../storage/schema';
import { REASON_NAMES } from './crl';
import { UNSPECIFIED_REASON } from './crl-codec';
import type { CertInfo } from './types';
import { compareCerts } from './cert-order';

/** Certificate filters for listings (E10). */
export interface CertFilter {
  issuerId?: CaId;
  text?: string;
  status?: CertInfo['status'];
}

/** The public view of a certificate record: metadata without the DER, its status now and its revocation. */
export function certInfo(ctx: Pick<EngineContext, 'clock'>, rec: CertRecord, rev: RevocationRecord | undefined): CertInfo {
  const { der: _der, ...meta } = rec;
  const now = ctx.clock.now();
  const status: CertInfo['status'] = rev ? 'revoked' : now >= Date.parse(rec.notAfter) ? 'expired' : now < Date.parse(rec.notBefore) ? 'not-yet-valid' : 'valid';
  const info: CertInfo = { ...meta, status };
  if (rev) {
    info.revocation = { reason: rev.reason === UNSPECIFIED_REASON ? 'unspecified' : (REASON_NAMES[rev.reason] ?? String(rev.reason)), revokedAt: rev.revokedAt };
    if (rev.invalidityDate) info.revocation.invalidityDate = rev.invalidityDate;
  }
  return info;
}

/** The public view of a certificate record, its revocation read from the store. */
export async function describeRecord(ctx: EngineContext, rec: CertRecord): Promise<CertInfo> {
  return certInfo(ctx, rec, await ctx.storage.getRevocation(rec.issuerId, rec.serialHex));
}

/** The stored record of a certificate. @throws INVALID_ARGUMENT when there is no such certificate */
export async function getRecord(ctx: EngineContext, id: string): Promise<CertRecord> {
  const rec = typeof id === 'string' && id ? await ctx.storage.getCert(id) : undefined;
  if (!rec) throw new EngineError('INVALID_ARGUMENT', 'pki: no certificate with that id');
  return rec;
}

/** The certificates matching a filter, newest first. */
export async function listCertificates(ctx: EngineContext, filter: CertFilter = {}): Promise<CertInfo[]> {
  const recs = await ctx.storage.listCerts(filter.issuerId);
  const infos = await listingInfosOf(ctx, recs, new Map());
  const q = filter.text?.trim().toLowerCase();
  return infos
    .filter((c) => !filter.status || c.status === filter.status)
    .filter((c) => !q || [c.subject, c.serialHex, ...c.sans.dns, ...c.sans.ip, ...c.sans.email, ...c.sans.uri].some((s) => s.toLowerCase().includes(q)))
    .sort(compareCerts);
}

/** Certificates per chunk of `certificateChunks` by default: one read of this many records stays well under a frame budget's worth of work. */
export const DEFAULT_CERT_CHUNK = 1000;

const checkSize = (n: number, what: string) => {
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new EngineError('INVALID_ARGUMENT', `pki: the ${what} must be a whole number 1–10000`);
};

/** The public views of `recs`, their revocations read in one transaction. */
async function infosOf(ctx: EngineContext, recs: CertRecord[]): Promise<CertInfo[]> {
  const revs = await ctx.storage.getRevocationsOf(recs);
  return recs.map((rec, i) => certInfo(ctx, rec, revs[i]));
}

/** Issuers with at most this many revocations have them read once for a whole listing; larger ones are looked up per certificate. */
export const WHOLE_REVOCATION_READ = 5000;

/** What a listing knows of each issuer's revocations: all of them by serial, or null (too many: look up per certificate). */
type KnownRevocations = Map<string, Map<string, RevocationRecord> | null>;

/**
 * The public views of `recs` during one listing: an issuer's revocations are read once
 * (kept in `known`) when it has few, as most do; a CA with a large CRL is looked up per
 * certificate instead, so no single read holds its 100,000 records.
 */
async function listingInfosOf(ctx: EngineContext, recs: CertRecord[], known: KnownRevocations, whole = WHOLE_REVOCATION_READ): Promise<CertInfo[]> {
  for (const issuerId of new Set(recs.map((r) => r.issuerId))) {
    if (known.has(issuerId)) continue;
    const few = (await ctx.storage.countRevocations(issuerId)) <= whole;
    known.set(issuerId, few ? new Map((await ctx.storage.listRevocations(issuerId)).map((r) => [r.serialHex, r])) : null);
  }
  const lookedUp = recs.filter((r) => known.get(r.issuerId) === null);
  const byId = new Map(lookedUp.length ? (await infosOf(ctx, lookedUp)).map((c) => [c.id, c]) : []);
  return recs.map((rec) => byId.get(rec.id) ?? certInfo(ctx, rec, known.get(rec.issuerId)?.get(rec.serialHex)));
}

/** The newest `limit` certificates in list order (index `byCreated`), without reading the rest. @throws INVALID_ARGUMENT, STORAGE */
export async function listCertificatesNewest(ctx: EngineContext, limit: number): Promise<CertInfo[]> {
  checkSize(limit, 'page size');
  return (await infosOf(ctx, await ctx.storage.listCertsNewest(limit))).sort(compareCerts);
}

/**
 * Every certificate, `size` at a time in id order (not list order: sort the whole with
 * `compareCerts`), each with its status. Each chunk is one read of certificates (and of an
 * issuer's revocations the first time it appears), so the caller's page gets the event loop
 * back between chunks. @throws INVALID_ARGUMENT, STORAGE
 */
export async function* certificateChunks(ctx: EngineContext, size = DEFAULT_CERT_CHUNK, whole = WHOLE_REVOCATION_READ): AsyncGenerator<CertInfo[], void, undefined> {
  checkSize(size, 'chunk size');
  let after: string | undefined;
  const known: KnownRevocations = new Map();
  for (;;) {
    const recs = await ctx.storage.listCertChunk(after, size);
    if (recs.length > 0) yield await listingInfosOf(ctx, recs, known, whole);
    if (recs.length < size) return;
    after = recs[recs.length - 1]!.id;
  }
}

/** The chain of CA certificates above a certificate, nearest first, root last. */
export async function chainOf(ctx: EngineContext, rec: CertRecord): Promise<CertRecord[]> {
  const out: CertRecord[] = [];
  let issuerId: string | undefined = rec.caId === rec.issuerId ? undefined : rec.issuerId;
  for (let guard = 0; issuerId && guard < 32; guard++) {
    const ca = await ctx.storage.getCa(issuerId);
    const caCert = ca ? await ctx.storage.getCert(ca.certId) : undefined;
    if (!ca || !caCert) throw new EngineError('STORAGE', 'pki: a CA of the chain is missing from the store');
    out.push(caCert);
    issuerId = ca.parentId;
  }
  return out;
}

/**
 * The vault keys a certificate certifies: the key it was issued for, and any vault key
 * with the same public key (a CSR made from a vault key).
 */
export async function vaultKeysOf(ctx: EngineContext, rec: CertRecord): Promise<string[]> {
  const ids = new Set<string>();
  if (rec.keyId) ids.add(rec.keyId);
  for (const k of await ctx.storage.listKeysByFingerprint(rec.spkiSha256)) {
    if (k.fingerprint.kind === 'spki-sha256') ids.add(k.id);
  }
  const out: string[] = [];
  for (const id of ids) if (await ctx.storage.getKeyInfo(id)) out.push(id);
  return out;
}
