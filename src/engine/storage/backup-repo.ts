/** Storage of the whole-vault snapshot a backup reads and the restore commit. */
import type { AuditHead } from '../audit/chain';
import { EngineError } from '../errors';
import { AUDIT_HEAD_KEY } from './schema';
import { AUDIT_KEY_META, AUDIT_HANDOVERS_META, type AuditHandover, type VaultSnapshot, type RestoreCommit, AuditConflictError } from './commits';
import { AUDIT_STORES, type Db, queueAuditEntries, abortOnThrow, requestQueue, guard } from './core';
import { toStoredKey, fromStoredKey } from './key-records';
import type { CrlCaches } from './crl-repo';

export interface BackupRepo {

  // Backup and restore (A7)
  /** Every record a vault backup holds, read in one readonly transaction. */
  readVaultSnapshot(): Promise<VaultSnapshot>;
  /**
   * Writes a restore in ONE transaction: every record is added (never overwritten: a
   * record that appeared since the preview aborts everything with STORAGE), counters
   * raised, the audit entries appended after the head check. All or nothing.
   */
  commitRestore(c: RestoreCommit): Promise<void>;
}

export function backupRepo(db: Db, caches: CrlCaches): BackupRepo {
  return {

    readVaultSnapshot: () =>
      guard('reading the vault for a backup', async () => {
        const tx = db.transaction(['keys', 'cas', 'certs', 'serials', 'revocations', 'crls', 'counters', 'principals', 'keyUsage', 'importedCerts', 'importedCrls', 'audit', 'meta'], 'readonly');
        const [keys, cas, certs, serials, revocations, crls, counters, principals, keyUsage, importedCerts, importedCrls, audit, head, auditKey, handovers] = await Promise.all([
          tx.objectStore('keys').getAll(),
          tx.objectStore('cas').getAll(),
          tx.objectStore('certs').getAll(),
          tx.objectStore('serials').getAll(),
          tx.objectStore('revocations').getAll(),
          tx.objectStore('crls').getAll(),
          tx.objectStore('counters').getAll(),
          tx.objectStore('principals').getAll(),
          tx.objectStore('keyUsage').getAll(),
          tx.objectStore('importedCerts').getAll(),
          tx.objectStore('importedCrls').getAll(),
          tx.objectStore('audit').getAll(),
          tx.objectStore('meta').get(AUDIT_HEAD_KEY),
          tx.objectStore('meta').get(AUDIT_KEY_META),
          tx.objectStore('meta').get(AUDIT_HANDOVERS_META),
        ]);
        await tx.done;
        return {
          keys: keys.map((k) => fromStoredKey(k)),
          cas,
          certs,
          serials,
          revocations,
          crls,
          counters,
          principals,
          keyUsage,
          importedCerts,
          importedCrls,
          audit,
          auditHead: head?.value as AuditHead | undefined,
          auditKey: auditKey?.value,
          handovers: Array.isArray(handovers?.value) ? (handovers.value as AuditHandover[]) : [],
        };
      }),
    commitRestore: (c) =>
      guard('restoring the backup', async () => {
        // Restored revocations come without chunks: every issuer is counted again.
        caches.counted.clear();
        const tx = db.transaction(['keys', 'keyMaterial', 'cas', 'certs', 'serials', 'revocations', 'crls', 'counters', 'principals', 'keyUsage', 'importedCerts', 'importedCrls', ...AUDIT_STORES], 'readwrite');
        await abortOnThrow(tx, async () => {
          // Reads first (IndexedDB requests only, W3): the head check and the counters.
          const auditWrites = await queueAuditEntries(tx, c);
          const counters = tx.objectStore('counters');
          const current = await Promise.all(c.counters.map((k) => counters.get(k.key)));
          const handovers = c.handover ? ((await tx.objectStore('meta').get(AUDIT_HANDOVERS_META))?.value as AuditHandover[] | undefined) : undefined;
          if (c.metaStamp) {
            const rec = await tx.objectStore('meta').get(c.metaStamp.key);
            const stamp = (rec?.value as { stamp?: unknown } | undefined)?.stamp;
            if ((rec === undefined ? null : typeof stamp === 'string' ? stamp : '') !== c.metaStamp.stamp) {
              throw new AuditConflictError('storage: the vault lock changed while the restore was prepared');
            }
          }
          const w = requestQueue();
          for (const { info, material } of c.addKeys) {
            w.q(tx.objectStore('keys').add(toStoredKey(info)));
            if (material) {
              if (material.id !== info.id) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
              w.q(tx.objectStore('keyMaterial').add(material));
            }
          }
          for (const r of c.cas) w.q(tx.objectStore('cas').add(r));
          for (const r of c.certs) w.q(tx.objectStore('certs').add(r));
          for (const r of c.serials) w.q(tx.objectStore('serials').add(r));
          for (const r of c.revocations) w.q(tx.objectStore('revocations').add(r));
          for (const r of c.crls) w.q(tx.objectStore('crls').add(r));
          // A counter the vault lacks is written even at 0: a CRL's `crlrevs:` of 0 says
          // the CRL covers every (no) revocation, and without it the CA reads as stale.
          c.counters.forEach((k, i) => {
            const cur = current[i];
            if (cur === undefined || cur.value < k.value) w.q(counters.put(k));
          });
          for (const r of c.principals) w.q(tx.objectStore('principals').add(r));
          for (const r of c.keyUsage) w.q(tx.objectStore('keyUsage').add(r));
          for (const r of c.importedCerts) w.q(tx.objectStore('importedCerts').add(r));
          for (const r of c.importedCrls) w.q(tx.objectStore('importedCrls').add(r));
          if (c.handover) w.q(tx.objectStore('meta').put({ key: AUDIT_HANDOVERS_META, value: [...(Array.isArray(handovers) ? handovers : []), c.handover] }));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
  };
}
