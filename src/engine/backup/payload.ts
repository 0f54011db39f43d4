// The backup payload: the records a backup carries, their checks on the way in, and what is not backed up and why.
import type { AuditEntry } from '../audit/chain';
import type { BackupMaterial } from '../keys/transfer';
import type { AuditHandover, VaultRecords } from '../storage/commits';
import type { CaRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import { BACKUP_FORMAT, type BackupManifest, type NotBackedUp } from './format';
import { damaged } from './file';

/** One key as the payload carries it: its record and, when exportable, its material. */
export interface BackupKey {
  info: KeyInfo;
  material?: BackupMaterial;
}

/** The decrypted file: its manifest, the keys with their material, every store's records, the audit log. */
export interface Payload extends VaultRecords {
  manifest: BackupManifest;
  keys: BackupKey[];
  audit: { entries: AuditEntry[]; head?: { seq: number; hash: string; sig?: string }; auditKey?: { spki: string; spkiSha256: string }; handovers: AuditHandover[] };
}

const LIST_FIELDS = ['keys', 'cas', 'certs', 'serials', 'revocations', 'crls', 'counters', 'principals', 'keyUsage', 'importedCerts', 'importedCrls'] as const;

/** Checks the decrypted payload has every store a backup carries. @throws MALFORMED_INPUT */
export function checkPayload(v: unknown): Payload {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw damaged('no records inside');
  const p = v as Record<string, unknown>;
  for (const f of LIST_FIELDS) if (!Array.isArray(p[f]) || !(p[f] as unknown[]).every((r) => r && typeof r === 'object')) throw damaged(`the ${f} are missing`);
  const m = p.manifest as Record<string, unknown> | undefined;
  if (!m || m.format !== BACKUP_FORMAT || !Array.isArray(m.notBackedUp) || !Array.isArray(m.keys) || !Array.isArray(m.cas)) throw damaged('the manifest is missing');
  const a = p.audit as Record<string, unknown> | undefined;
  if (!a || !Array.isArray(a.entries) || !Array.isArray(a.handovers)) throw damaged('the audit log is missing');
  for (const k of p.keys as Array<Record<string, unknown>>) {
    const info = k.info as Record<string, unknown> | undefined;
    if (!info || typeof info.id !== 'string' || typeof info.template !== 'string' || typeof info.keyringId !== 'string') throw damaged('a key record is incomplete');
    const m = k.material as Record<string, unknown> | undefined;
    if (m !== undefined && !((m.kind === 'raw' && m.raw instanceof Uint8Array) || ((m.kind === 'jwk' || m.kind === 'public-jwk') && m.jwk && typeof m.jwk === 'object'))) throw damaged('a key\'s material is incomplete');
  }
  for (const c of p.cas as Array<Record<string, unknown>>) if (typeof c.id !== 'string' || typeof c.keyId !== 'string' || typeof c.certId !== 'string') throw damaged('a CA record is incomplete');
  for (const c of p.certs as Array<Record<string, unknown>>) if (typeof c.id !== 'string' || typeof c.issuerId !== 'string' || !(c.der instanceof Uint8Array)) throw damaged('a certificate record is incomplete');
  for (const c of p.crls as Array<Record<string, unknown>>) if (typeof c.id !== 'string' || typeof c.issuerId !== 'string' || !(c.der instanceof Uint8Array)) throw damaged('a CRL record is incomplete');
  for (const f of ['serials', 'revocations'] as const) for (const r of p[f] as Array<Record<string, unknown>>) if (typeof r.id !== 'string' || typeof r.issuerId !== 'string') throw damaged(`a ${f} record is incomplete`);
  for (const c of p.counters as Array<Record<string, unknown>>) if (typeof c.key !== 'string' || !Number.isSafeInteger(c.value)) throw damaged('a counter is incomplete');
  for (const r of [...(p.principals as Array<Record<string, unknown>>), ...(p.keyUsage as Array<Record<string, unknown>>)]) if (typeof r.id !== 'string') throw damaged('a principal or usage record is incomplete');
  for (const r of [...(p.importedCerts as Array<Record<string, unknown>>), ...(p.importedCrls as Array<Record<string, unknown>>)]) {
    if (typeof r.id !== 'string' || typeof r.sha256 !== 'string' || !(r.der instanceof Uint8Array)) throw damaged('an imported certificate or CRL is incomplete');
  }
  return v as Payload;
}

/** The KDC, said in every manifest as not backed up. */
export const KDC_NOT_BACKED_UP: NotBackedUp = {
  kind: 'kdc',
  name: 'Key distribution center',
  why: 'The KDC’s master key is non-extractable and every principal’s long-term key and every distributed key is wrapped under it, so none of them can be opened elsewhere: after a restore, register the principals again.',
};
/** The audit signing key, said in every manifest as not backed up. */
export const AUDIT_KEY_NOT_BACKED_UP: NotBackedUp = {
  kind: 'audit-key',
  name: 'Audit signing key',
  why: 'The key that signs the audit head is non-extractable. The log, its signed head and the public key are backed up; a restore into an empty vault continues the log under a new audit key and records the hand-over.',
};
/** The walkthroughs, said in every manifest as not backed up. */
export const WALKTHROUGHS_NOT_BACKED_UP: NotBackedUp = { kind: 'walkthroughs', name: 'Walkthroughs', why: 'Walkthroughs work in their own databases and rebuild from scratch.' };

/** Why a non-extractable key is not in the backup, in words. */
export const nonExtractableWhy = 'Non-extractable: its secret part cannot leave this browser, so it is not in the backup. If this vault is lost, so is the key: whatever it encrypted cannot be decrypted and it can sign nothing more.';

/** A CA that cannot be restored because its key is not in the backup. */
export function caKeyGone(ca: CaRecord): NotBackedUp {
  return {
    kind: 'ca',
    id: ca.id,
    name: ca.name,
    why: 'Its signing key is non-extractable, so the CA cannot be restored (it could never sign or publish a CRL again); its certificates, serials, revocations and CRLs are left out with it. Create CAs with an exportable key to back them up.',
  };
}

/** The CAs that can be restored: their key's material is available (in `keyOk`) and so is their parent, recursively. */
export function restorableCas(cas: readonly CaRecord[], keyOk: (keyId: string) => boolean, existingCa: (id: string) => boolean): Set<string> {
  const byId = new Map<string, CaRecord>(cas.map((c) => [c.id, c]));
  const memo = new Map<string, boolean>();
  const ok = (id: string, depth: number): boolean => {
    if (existingCa(id)) return true;
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const ca = byId.get(id);
    const r = !!ca && depth < 64 && keyOk(ca.keyId) && (ca.parentId === undefined || ok(ca.parentId, depth + 1));
    memo.set(id, r);
    return r;
  };
  return new Set(cas.filter((c) => ok(c.id, 0)).map((c) => c.id));
}
