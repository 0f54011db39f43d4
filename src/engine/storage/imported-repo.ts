/** Storage of certificates and CRLs imported from elsewhere (trust anchors, foreign CRLs). */
import { EngineError } from '../errors';
import type { ImportedCertRecord, ImportedCrlRecord } from './schema';
import { type ImportedCommit, AuditConflictError } from './commits';
import { AUDIT_STORES, type Db, queueAuditEntries, abortOnThrow, requestQueue, guard } from './core';

export interface ImportedRepo {

  // Imported trust material (v6): never mixed with the CA stores.
  /** Writes an import, a trust change or a removal with its audit entries in ONE transaction. @throws AuditConflictError (retry), INVALID_ARGUMENT (no such record), STORAGE */
  commitImported(c: ImportedCommit): Promise<void>;
  getImportedCert(id: string): Promise<ImportedCertRecord | undefined>;
  getImportedCrl(id: string): Promise<ImportedCrlRecord | undefined>;
  listImportedCerts(): Promise<ImportedCertRecord[]>;
  listImportedCrls(): Promise<ImportedCrlRecord[]>;
}

export function importedRepo(db: Db): ImportedRepo {
  return {

    commitImported: (c) =>
      guard('saving the imported certificates and CRLs', async () => {
        const tx = db.transaction(['importedCerts', 'importedCrls', ...AUDIT_STORES], 'readwrite');
        return abortOnThrow(tx, async () => {
          const certs = tx.objectStore('importedCerts');
          const crls = tx.objectStore('importedCrls');
          // Reads and checks first (IndexedDB requests only, W3), then every write queued.
          for (const r of c.addCerts ?? []) if ((await certs.getKey(r.id)) !== undefined) throw new AuditConflictError('storage: that certificate was imported while this import was prepared');
          for (const r of c.addCrls ?? []) if ((await crls.getKey(r.id)) !== undefined) throw new AuditConflictError('storage: that CRL was imported while this import was prepared');
          if (c.putCert) {
            const cur = await certs.get(c.putCert.rec.id);
            if (!cur) throw new EngineError('INVALID_ARGUMENT', 'storage: no imported certificate with that id');
            if (cur.trusted !== c.putCert.trustedBefore) throw new AuditConflictError('storage: the certificate changed while the change was prepared');
          }
          const deletes: Array<{ store: typeof certs | typeof crls; id: string }> = [];
          for (const id of c.deleteIds ?? []) {
            if ((await certs.getKey(id)) !== undefined) deletes.push({ store: certs, id });
            else if ((await crls.getKey(id)) !== undefined) deletes.push({ store: crls, id });
            else throw new EngineError('INVALID_ARGUMENT', 'storage: nothing imported has that id');
          }
          const auditWrites = await queueAuditEntries(tx, c);
          const w = requestQueue();
          for (const r of c.addCerts ?? []) w.q(certs.add(r));
          for (const r of c.addCrls ?? []) w.q(crls.add(r));
          if (c.putCert) w.q(certs.put(c.putCert.rec));
          for (const d of deletes) w.q(d.store.delete(d.id));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
    getImportedCert: (id) => guard('reading an imported certificate', () => db.get('importedCerts', id)),
    getImportedCrl: (id) => guard('reading an imported CRL', () => db.get('importedCrls', id)),
    listImportedCerts: () => guard('listing imported certificates', () => db.getAll('importedCerts')),
    listImportedCrls: () => guard('listing imported CRLs', () => db.getAll('importedCrls')),
  };
}
