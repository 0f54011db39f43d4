/**
 * The audit log in storage (B7, A4): chain new entries onto the stored head and write
 * them in the same IndexedDB transaction as the change they record.
 *
 * The hashes (`appendEntry`) and the head signature are computed before the transaction
 * (SECURITY.md W3), so the write is optimistic: storage checks the head is still the one
 * the entries were chained from, and `withAudit` recomputes and retries when it is not.
 *
 * Common case (the CA, inside pki):
 * ```ts
 * await withAudit(ctx, async () => ({
 *   drafts: [auditDraft(ctx, 'cert.issue', [cert.id], { issuerId, serial: cert.serialHex })],
 *   commit: (audit) => ctx.storage.commitIssuance(cert, ca, audit),
 * }));
 * ```
 */
import { EngineError } from '../errors';
import type { EngineContext } from '../keys/context';
import { isoAt } from '../lifecycle/transition';
import { AUDIT_HANDOVERS_META, AUDIT_KEY_META, AuditConflictError, type AuditHandover, type PreparedAudit } from '../storage/commits';
import { fromBase64, fromHex, toBase64, toHex } from '../internal/bytes';
import {
  appendEntries,
  appendEntry,
  headMessage,
  headSignatureFailure,
  verifyAuditLog as verifyChain,
  type AuditDraft,
  type AuditEntry,
  type AuditHead,
  type AuditVerification,
} from './chain';
import { AUDIT_EXPORT_FORMAT, AUDIT_EXPORT_LIMITS, AUDIT_HASH_RECIPE, toAuditExport, type AuditExportHeader } from './export';

/** How often a write whose audit head moved is recomputed before giving up. */
export const MAX_AUDIT_RETRIES = 16;

/** A draft stamped with the engine's clock (`actor` defaults to 'operator'). */
export function auditDraft(ctx: Pick<EngineContext, 'clock'>, action: string, subject: string[], details: AuditDraft['details'], actor = 'operator'): AuditDraft {
  return { at: isoAt(ctx.clock.now()), actor, action, subject, details };
}

/** The stored head and the audit signing key an audited write chains onto, both being read. */
export interface AuditState {
  head: ReturnType<EngineContext['storage']['getAuditHead']>;
  signing: ReturnType<typeof auditSigningKey>;
}

/**
 * Starts reading the audit head and key (two reads, one wait). A write may start this
 * before its slow part (a signature) so the reads overlap it; if the head moves meanwhile,
 * its commit is refused with AuditConflictError and `withAudit` rebuilds from a fresh read.
 */
export function readAuditState(ctx: Pick<EngineContext, 'storage' | 'subtle'>): AuditState {
  const signing = auditSigningKey(ctx);
  signing.catch(() => undefined);
  const head = ctx.storage.getAuditHead();
  head.catch(() => undefined);
  return { head, signing };
}

/**
 * Chains drafts onto the stored head (read now, or read ahead as `state`). `appendEntry`
 * reads only `seq` and `hash` of the previous entry, which is all the head holds.
 */
export async function prepareAudit(ctx: Pick<EngineContext, 'storage' | 'subtle'>, drafts: readonly AuditDraft[], state: AuditState = readAuditState(ctx)): Promise<PreparedAudit> {
  const head = await state.head;
  let prev: AuditEntry | null = head ? ({ seq: head.seq, hash: head.hash } as AuditEntry) : null;
  const entries = await appendEntries(prev, drafts);
  prev = entries[entries.length - 1] ?? prev;
  if (!prev || entries.length === 0) return { head, entries };
  // Sign the new head before the transaction (W3): a cut tail with a rewritten head, or a
  // cleared log, no longer verifies (SECURITY.md A1, issue 14 #6).
  const { key, created } = await state.signing;
  const sig = new Uint8Array(await ctx.subtle.sign(SIGN_ALGORITHM, key.privateKey, headMessage(prev.seq, prev.hash)));
  return { head, entries, headSignature: toHex(sig), ...(created ? { newAuditKey: key } : {}) };
}

/**
 * Audit entries for a restore (A7): `carried` (a backup's whole log, replayed into an
 * empty vault, or none) then one entry from `draft`, chained onto the last carried entry
 * (or the stored head), and the new head signed by this vault's audit key (made now if
 * the vault has none). `draft` receives the SHA-256 of that key's SPKI, so the restore
 * entry names the key that signs from it on.
 */
export async function prepareRestoreAudit(
  ctx: Pick<EngineContext, 'storage' | 'subtle'>,
  carried: readonly AuditEntry[],
  draft: (auditKeySha256: string) => AuditDraft,
): Promise<PreparedAudit> {
  const head = await ctx.storage.getAuditHead();
  const last = carried.length > 0 ? carried[carried.length - 1]! : head ? ({ seq: head.seq, hash: head.hash } as AuditEntry) : null;
  const { key, created } = await auditSigningKey(ctx);
  const keySha = toHex(await ctx.subtle.digest('SHA-256', await ctx.subtle.exportKey('spki', key.publicKey)));
  const entry = await appendEntry(last, draft(keySha));
  const sig = new Uint8Array(await ctx.subtle.sign(SIGN_ALGORITHM, key.privateKey, headMessage(entry.seq, entry.hash)));
  return { head, entries: [...carried, entry], headSignature: toHex(sig), ...(created ? { newAuditKey: key } : {}) };
}

const SIGN_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** The stored audit key pair: the private half is non-extractable; the public half verifies heads. */
interface AuditKeyRecord {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  createdAt: string;
}

/** The vault's audit key pair, generated (non-extractable private key) the first time an entry is written. */
async function auditSigningKey(ctx: Pick<EngineContext, 'storage' | 'subtle'>): Promise<{ key: AuditKeyRecord; created: boolean }> {
  const stored = await ctx.storage.getMeta<AuditKeyRecord>(AUDIT_KEY_META);
  if (stored) return { key: stored, created: false };
  const pair = (await ctx.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  // Stored with the first signed head; if another tab stored its key first, the head moved too and withAudit retries with that key.
  return { key: { privateKey: pair.privateKey, publicKey: pair.publicKey, createdAt: new Date().toISOString() }, created: true };
}

/**
 * What a verification of the stored log can and cannot prove, shown with the verdict.
 * Kept as one text so the screen and the export say the same thing.
 */
export const AUDIT_VERIFICATION_LIMITS =
  'Proves: no entry was changed, removed, reordered or inserted since it was written; the log was not cut short or cleared without the signed head showing it, as long as the audit key is intact. ' +
  "Cannot prove: that code running in this browser origin (a malicious script, an extension, the developer tools) did not use the audit key to sign a rewritten log, since a non-extractable key can still be used where it lives; nor anything if the whole origin's storage, audit key included, was deleted (the eviction marker notices that). Compare the head of an exported copy to detect a rewrite. " +
  'After a restore from a backup, the entries before the restore were signed by the earlier audit key, which could not be restored (it is non-extractable): its public key and last signed head are kept and checked, and the restore entry names the new key; that the earlier key was this vault\'s own rests on the backup file, which only its passphrase opens.';

/** One attempt of an audited write: the entries to append and the write that carries them. */
export interface AuditedStep<T> {
  drafts: AuditDraft[];
  commit: (audit: PreparedAudit) => Promise<T>;
}

/**
 * Runs an audited write with optimistic concurrency: `build` reads what it needs and
 * computes the change (crypto included); its drafts are chained onto the current head;
 * `commit` writes change and entries in one transaction. When the head (or a key) moved
 * in between, storage refuses with AuditConflictError and the whole step is rebuilt.
 * `ahead` (from `readAuditState`) serves the first attempt; a retry reads afresh.
 * @throws whatever `build` or `commit` throws; STORAGE after MAX_AUDIT_RETRIES conflicts.
 */
export async function withAudit<T>(ctx: Pick<EngineContext, 'storage' | 'subtle'>, build: () => Promise<AuditedStep<T>>, ahead?: AuditState): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const step = await build();
    const audit = await prepareAudit(ctx, step.drafts, attempt === 0 && ahead ? ahead : readAuditState(ctx));
    try {
      return await step.commit(audit);
    } catch (e) {
      if (!(e instanceof AuditConflictError)) throw e;
      if (attempt + 1 >= MAX_AUDIT_RETRIES) throw new EngineError('STORAGE', 'audit: the log kept changing while the change was written; try again', { cause: e });
      // Writers that collided (several tabs, a bulk job) back off for a random while, so
      // they stop rebuilding in lock step (no transaction is open here).
      await conflictBackoff(attempt);
    }
  }
}

/** Waits a random 0 to min(2^attempt, 64) × 4 ms before the next attempt (full-jitter backoff). */
function conflictBackoff(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 64) * 4;
  const r = crypto.getRandomValues(new Uint16Array(1))[0]! / 0x10000;
  return new Promise((resolve) => setTimeout(resolve, Math.floor(r * ceiling)));
}

/** Filters of `listAuditEntries`. */
export interface AuditFilter {
  /** Entries about this id (key, keyring, certificate…). */
  subject?: string;
  /** Exact action, or a prefix ending in '.' ('key.' for every key action). */
  action?: string;
  /** ISO 8601 or epoch ms bounds on `at`, inclusive. */
  since?: string | number;
  until?: string | number;
  /** The newest `limit` entries. */
  limit?: number;
}

const msOfBound = (b: string | number | undefined): number | undefined => (b === undefined ? undefined : typeof b === 'number' ? b : Date.parse(b));

/** Stored entries matching the filter, oldest first. */
export async function listAuditEntries(ctx: Pick<EngineContext, 'storage'>, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const since = msOfBound(filter.since);
  const until = msOfBound(filter.until);
  const out = (await ctx.storage.listAuditEntries()).filter((e) => {
    if (filter.subject !== undefined && !e.subject.includes(filter.subject)) return false;
    if (filter.action !== undefined && !(filter.action.endsWith('.') ? e.action.startsWith(filter.action) : e.action === filter.action)) return false;
    const t = Date.parse(e.at);
    if (since !== undefined && t < since) return false;
    if (until !== undefined && t > until) return false;
    return true;
  });
  return filter.limit !== undefined && filter.limit >= 0 ? out.slice(Math.max(0, out.length - filter.limit)) : out;
}

/**
 * Verifies the stored log against the head remembered in `meta` (exactly: nothing may
 * be cut from or appended past it): a changed, removed, reordered or inserted entry is
 * found and located. A log whose remembered head is gone is reported as damaged.
 */
export async function verifyStoredAuditLog(ctx: Pick<EngineContext, 'storage' | 'subtle'>): Promise<AuditVerification> {
  const [entries, head, key] = await Promise.all([ctx.storage.listAuditEntries(), ctx.storage.getAuditHead(), ctx.storage.getMeta<AuditKeyRecord>(AUDIT_KEY_META)]);
  if (!head) {
    if (entries.length === 0) {
      // The audit key is made with the first entry: a key with no log means the log and its head were cleared.
      if (key) return { ok: false, kind: 'removed', firstBadSeq: 1, index: 0, explanation: 'the audit log and its head were cleared: the audit key shows entries were written' };
      return { ok: true, count: 0, headSigned: false };
    }
    return { ok: false, kind: 'changed', firstBadSeq: entries.length, index: entries.length - 1, explanation: 'the remembered head of the audit log is missing: the log cannot be checked for truncation' };
  }
  if (key) {
    const sig = head.sig && /^[0-9a-f]+$/.test(head.sig) ? fromHex(head.sig) : undefined;
    const good = sig ? await ctx.subtle.verify(SIGN_ALGORITHM, key.publicKey, sig, headMessage(head.seq, head.hash)).catch(() => false) : false;
    if (!good) return headSignatureFailure('stored', head, entries.length);
  }
  const out = await verifyChain(ctx.subtle, entries, { head: { seq: head.seq, hash: head.hash } satisfies AuditHead, exact: true });
  if (!out.ok) return out;
  // Audit key hand-overs (restores): the earlier key's signed head and the restore entry that follows it.
  const handovers = (await ctx.storage.getMeta<AuditHandover[]>(AUDIT_HANDOVERS_META)) ?? [];
  for (const h of handovers) {
    const bad = (why: string): AuditVerification => ({ ok: false, kind: 'changed', firstBadSeq: h.seq + 1, index: h.seq, explanation: `the audit key hand-over after entry ${h.seq} does not check: ${why}` });
    const at = entries[h.seq - 1];
    const restore = entries[h.seq];
    if (h.seq > 0 && (!at || at.hash !== h.hash)) return bad('the chain does not pass through the head the earlier key signed');
    if (!restore || restore.action !== 'vault.restore' || (h.spkiSha256 !== undefined && restore.details.previousAuditKeySha256 !== h.spkiSha256)) return bad('the entry after it is not the restore that names the earlier key');
    if (h.spki !== undefined && h.sig !== undefined) {
      const good = await (async () => {
        try {
          const spki = fromBase64(h.spki!);
          if (toHex(await ctx.subtle.digest('SHA-256', spki)) !== h.spkiSha256) return false;
          const pub = await ctx.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
          return await ctx.subtle.verify(SIGN_ALGORITHM, pub, fromHex(h.sig!), headMessage(h.seq, h.hash));
        } catch {
          return false;
        }
      })();
      if (!good) return bad('the earlier audit key did not sign that head');
    }
  }
  return {
    ...out,
    headSigned: key !== undefined,
    ...(handovers.length ? { handovers: handovers.map((h) => ({ afterSeq: h.seq, previousKeySha256: h.spkiSha256 ?? '', previousHeadSigned: h.sig !== undefined })) } : {}),
  };
}

/**
 * The stored log as an export: a first line with the hash recipe, the signed head and the
 * audit public key (SPKI and JWK), then one canonical entry per line, so a reader can
 * verify the file offline (`verifyAuditExport`) and see a cut tail or a rewritten head.
 */
export async function exportAuditLog(ctx: Pick<EngineContext, 'storage' | 'subtle'>): Promise<string> {
  const [entries, head, key] = await Promise.all([ctx.storage.listAuditEntries(), ctx.storage.getAuditHead(), ctx.storage.getMeta<AuditKeyRecord>(AUDIT_KEY_META)]);
  let auditKey: AuditExportHeader['auditKey'];
  if (key) {
    const spki = new Uint8Array(await ctx.subtle.exportKey('spki', key.publicKey));
    const jwk = await ctx.subtle.exportKey('jwk', key.publicKey);
    auditKey = { spki: toBase64(spki), jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JsonWebKey, spkiSha256: toHex(await ctx.subtle.digest('SHA-256', spki)) };
  }
  const header: AuditExportHeader = {
    format: AUDIT_EXPORT_FORMAT,
    version: 1,
    recipe: AUDIT_HASH_RECIPE,
    count: entries.length,
    ...(head ? { head: { seq: head.seq, hash: head.hash, ...(head.sig ? { sig: head.sig } : {}) } } : {}),
    ...(auditKey ? { auditKey } : {}),
    limits: AUDIT_EXPORT_LIMITS,
  };
  return toAuditExport(header, entries);
}

/** The SHA-256 (hex) of the vault's audit public key's SPKI, or undefined before the first signed head: the fingerprint to compare an export's key with. */
export async function auditKeyFingerprint(ctx: Pick<EngineContext, 'storage' | 'subtle'>): Promise<string | undefined> {
  const key = await ctx.storage.getMeta<AuditKeyRecord>(AUDIT_KEY_META);
  if (!key) return undefined;
  return toHex(await ctx.subtle.digest('SHA-256', await ctx.subtle.exportKey('spki', key.publicKey)));
}
