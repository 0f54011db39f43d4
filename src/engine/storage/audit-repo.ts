/** Storage of the audited commit (a change and its audit entries in one transaction) and the audit log reads. */
import type { StoreNames } from 'idb';
import type { AuditEntry, AuditHead } from '../audit/chain';
import { EngineError, KeyStateError } from '../errors';
import { AUDIT_HEAD_KEY, type CertRecord, type ClavisDB } from './schema';
import { type AuditedCommit, AuditConflictError } from './commits';
import { AUDIT_STORES, type Db, queueAuditEntries, abortOnThrow, requestQueue, guard, serialId } from './core';
import { toStoredKey, fromStoredKey } from './key-records';
import { queueRevisionBumps, queueChunkInserts } from './revocation-repo';

export interface AuditRepo {

  // Lifecycle and audit (v3).

  /**
   * Writes a lifecycle change and its audit entries in one transaction (A4). Nothing is
   * written when any part fails. @throws AuditConflictError (retry), KEY_STATE (revoked owner), STORAGE
   */
  commitAudited(commit: AuditedCommit): Promise<void>;
  /** The remembered head of the audit chain, or undefined for an empty log. */
  getAuditHead(): Promise<AuditHead | undefined>;
  /** Every audit record in key (sequence) order, as stored: verification judges them. */
  listAuditEntries(): Promise<AuditEntry[]>;
}

export function auditRepo(db: Db): AuditRepo {
  return {

    commitAudited: (c) =>
      guard('saving the change and its audit entry', async () => {
        const revs = c.addRevocations ?? [];
        const stores: StoreNames<ClavisDB>[] = ['keys', 'keyMaterial', 'principals', ...AUDIT_STORES];
        if (revs.length || c.deleteGuard) stores.push('certs', 'revocations');
        if (revs.length) stores.push('counters', 'crlChunks');
        if (c.deleteGuard) stores.push('cas');
        const tx = db.transaction(stores, 'readwrite');
        const fail = async (e: EngineError): Promise<never> => {
          throw e;
        };
        return abortOnThrow(tx, async () => {
          const keys = tx.objectStore('keys');
          // Reads first (only IndexedDB requests), then every write queued before awaiting (W3).
          for (const { info, before } of c.putKeys ?? []) {
            const cur = await keys.get(info.id);
            if (!cur || cur.state !== before.state || cur.history.length !== before.history.length || cur.primary !== before.primary) {
              return fail(new AuditConflictError('storage: the key changed while the change was prepared'));
            }
          }
          for (const owner of c.ownersNotRevoked ?? []) {
            if (owner === '') continue;
            const p = await tx.objectStore('principals').get(owner);
            if (p?.revoked) return fail(new KeyStateError('keys: the owner is revoked; no new keys can be created for it until it is reinstated'));
          }
          if (c.metaStamp) {
            const rec = await tx.objectStore('meta').get(c.metaStamp.key);
            const stamp = (rec?.value as { stamp?: unknown } | undefined)?.stamp;
            if ((rec === undefined ? null : typeof stamp === 'string' ? stamp : '') !== c.metaStamp.stamp) {
              return fail(new AuditConflictError('storage: the vault lock changed while the change was prepared'));
            }
          }
          const materialKept = new Set<string>();
          for (const m of c.putMaterial ?? []) {
            if ((await tx.objectStore('keyMaterial').getKey(m.id)) !== undefined) materialKept.add(m.id);
          }
          for (const rev of revs) {
            const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').getKey(rev.id)]);
            if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
              return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
            }
            if (existing !== undefined) return fail(new AuditConflictError('storage: a certificate was revoked while the change was prepared'));
          }
          if (c.deleteGuard) {
            const g = c.deleteGuard;
            const [cas, keyring, certs] = await Promise.all([
              tx.objectStore('cas').getAll(),
              keys.index('byKeyring').getAll(g.keyringId),
              g.spkiSha256 !== undefined ? tx.objectStore('certs').index('bySpki').getAll(g.spkiSha256) : Promise.resolve([] as CertRecord[]),
            ]);
            const revoked = await Promise.all(certs.map((cert) => tx.objectStore('revocations').getKey(serialId(cert.issuerId, cert.serialHex))));
            const reason = g.check({
              cas: cas.filter((ca) => ca.keyId === g.keyId),
              keyring: keyring.map((k) => fromStoredKey(k)),
              certs: certs.map((cert, i) => ({ cert, revoked: revoked[i] !== undefined })),
            });
            if (reason !== undefined) return fail(new KeyStateError(reason));
          }
          const auditWrites = await queueAuditEntries(tx, c);
          const w = requestQueue();
          if (revs.length) for (const chunk of await queueChunkInserts(tx, revs)) w.q(chunk);
          if (revs.length) for (const bump of await queueRevisionBumps(tx, revs)) w.q(bump);
          for (const rev of revs) w.q(tx.objectStore('revocations').add(rev));
          for (const { info, material } of c.addKeys ?? []) {
            if (info.id !== material.id) return fail(new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ'));
            w.q(keys.add(toStoredKey(info)));
            w.q(tx.objectStore('keyMaterial').add(material));
          }
          for (const { info } of c.putKeys ?? []) w.q(keys.put(toStoredKey(info)));
          for (const id of c.deleteMaterial ?? []) w.q(tx.objectStore('keyMaterial').delete(id));
          for (const id of c.deleteKeys ?? []) {
            w.q(keys.delete(id));
            w.q(tx.objectStore('keyMaterial').delete(id));
          }
          for (const p of c.putPrincipals ?? []) w.q(tx.objectStore('principals').put(p));
          for (const m of c.putMaterial ?? []) if (materialKept.has(m.id)) w.q(tx.objectStore('keyMaterial').put(m));
          for (const m of c.putMeta ?? []) w.q(tx.objectStore('meta').put(m));
          for (const k of c.deleteMeta ?? []) w.q(tx.objectStore('meta').delete(k));
          // The state change is queued before the audit entries; a failing entry or write
          // aborts the whole transaction: all or nothing.
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
    getAuditHead: () => guard('reading the audit head', async () => (await db.get('meta', AUDIT_HEAD_KEY))?.value as AuditHead | undefined),
    listAuditEntries: () => guard('reading the audit log', () => db.getAll('audit')),
  };
}
