/** Storage of serial reservations and the issuance commits (C1: a serial is reserved before anything is signed, never reused). */
import type { CaId } from '../ids';
import type { StoreNames } from 'idb';
import { EngineError } from '../errors';
import type { KeyInfo } from '../types';
import type { CaRecord, CertRecord, ClavisDB, KeyMaterialRecord, SerialRecord } from './schema';
import type { PreparedAudit } from './commits';
import { AUDIT_STORES, type Db, queueAuditEntries, abortOnThrow, requestQueue, guard, serialId } from './core';
import { toStoredKey } from './key-records';

export interface IssuanceRepo {

  // Certificate authority (v2). Each write below is one transaction with only IndexedDB
  // requests inside it (W3/W4); the CA does its signing before or after, never during.

  /**
   * Reserves a serial for an issuer before anything is signed (C1). Fails with STORAGE
   * when the issuer already has that serial (reserved, issued or burned).
   */
  reserveSerial(issuerId: CaId, serialHex: string, at: string): Promise<void>;
  /** Marks a reserved serial as never to be used (its signing failed). */
  burnSerial(issuerId: CaId, serialHex: string): Promise<void>;
  /**
   * Completes an issuance atomically: the reserved serial becomes `issued`, the
   * certificate record is added and, for a CA certificate, the CA record too. Nothing is
   * written if the serial is not `reserved` or any record already exists. With `audit`
   * (from `withAudit`), its entries are appended in the same transaction.
   */
  commitIssuance(cert: CertRecord, ca?: CaRecord, audit?: PreparedAudit): Promise<void>;
  /**
   * Undoes the creation of a CA whose set-up failed after its record was committed (its
   * first CRL could not be published): removes the CA record, its certificate and any
   * CRL and CRL counter of it, and burns the certificate's serial, with `audit`'s entries,
   * in one transaction. Refused (INVALID_ARGUMENT) when the CA has issued anything.
   */
  discardNewCa(caId: string, audit: PreparedAudit): Promise<void>;
  getSerial(issuerId: CaId, serialHex: string): Promise<SerialRecord | undefined>;
  /** Reserves many serials in one transaction (all or none). */
  reserveSerials(serials: Array<{ issuerId: CaId; serialHex: string }>, at: string): Promise<void>;
  /** Marks reserved serials as never to be used, in one transaction. */
  burnSerials(serials: Array<{ issuerId: CaId; serialHex: string }>): Promise<void>;
  /**
   * Completes many issuances in ONE transaction (bulk issuance): every reserved serial
   * becomes `issued`, every certificate is added, the new vault keys they certify (with
   * their material) too, and the audit entries appended. Nothing is written if any serial
   * is not `reserved` for its issuer or any record already exists.
   * @throws CERT_INVALID, AuditConflictError (retry), STORAGE
   */
  commitIssuanceBatch(c: { certs: CertRecord[]; addKeys?: Array<{ info: KeyInfo; material: KeyMaterialRecord }>; audit: PreparedAudit }): Promise<void>;
}

export function issuanceRepo(db: Db): IssuanceRepo {
  return {

    reserveSerial: (issuerId, serialHex, at) =>
      guard('reserving the serial number', async () => {
        const tx = db.transaction('serials', 'readwrite');
        await Promise.all([tx.store.add({ id: serialId(issuerId, serialHex), issuerId, serialHex, state: 'reserved', at }), tx.done]);
      }),
    burnSerial: (issuerId, serialHex) =>
      guard('burning the serial number', async () => {
        const tx = db.transaction('serials', 'readwrite');
        const rec = await tx.store.get(serialId(issuerId, serialHex));
        if (rec && rec.state === 'reserved') await tx.store.put({ ...rec, state: 'burned' });
        await tx.done;
      }),
    commitIssuance: (cert, ca, audit) =>
      guard('saving the certificate', async () => {
        const stores: StoreNames<ClavisDB>[] = ca ? ['serials', 'certs', 'cas'] : ['serials', 'certs'];
        if (audit) stores.push(...AUDIT_STORES);
        const tx = db.transaction(stores, 'readwrite');
        await abortOnThrow(tx, async () => {
          // The serial is read while the audit head is checked (two requests, one wait).
          const serials = tx.objectStore('serials');
          const reading = serials.get(serialId(cert.issuerId, cert.serialHex));
          reading.catch(() => undefined);
          const auditWrites = audit ? await queueAuditEntries(tx, audit) : [];
          const rec = await reading;
          if (!rec || rec.state !== 'reserved') {
            throw new EngineError('CERT_INVALID', 'storage: the serial number was not reserved for this issuer, or was already used');
          }
          const w = requestQueue();
          w.q(serials.put({ ...rec, state: 'issued', certId: cert.id }));
          w.q(tx.objectStore('certs').add(cert));
          if (ca) w.q(tx.objectStore('cas').add(ca));
          await Promise.all([...auditWrites, ...w.list, tx.done]);
        });
      }),
    discardNewCa: (caId, audit) =>
      guard('removing the unfinished CA', async () => {
        const tx = db.transaction(['cas', 'certs', 'serials', 'crls', 'counters', ...AUDIT_STORES], 'readwrite');
        await abortOnThrow(tx, async () => {
          const ca = await tx.objectStore('cas').get(caId);
          if (!ca) throw new EngineError('INVALID_ARGUMENT', 'storage: no such CA');
          const [cert, issued, crlKeys] = await Promise.all([
            tx.objectStore('certs').get(ca.certId),
            tx.objectStore('certs').index('byIssuer').getAllKeys(caId),
            tx.objectStore('crls').index('byIssuerNumber').getAllKeys(IDBKeyRange.bound([caId, 0], [caId, Number.MAX_SAFE_INTEGER])),
          ]);
          // A root's own certificate is the only one it may have issued.
          if (issued.some((k) => k !== ca.certId)) throw new EngineError('INVALID_ARGUMENT', 'storage: the CA has issued certificates; it cannot be discarded');
          const serial = cert ? await tx.objectStore('serials').get(serialId(cert.issuerId, cert.serialHex)) : undefined;
          const auditWrites = await queueAuditEntries(tx, audit);
          const w = requestQueue();
          w.q(tx.objectStore('cas').delete(caId));
          if (cert) w.q(tx.objectStore('certs').delete(cert.id));
          if (serial) w.q(tx.objectStore('serials').put({ ...serial, state: 'burned' }));
          for (const k of crlKeys) w.q(tx.objectStore('crls').delete(k));
          w.q(tx.objectStore('counters').delete(`crl:${caId}`));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
        });
      }),
    getSerial: (issuerId, serialHex) => guard('reading a serial number', () => db.get('serials', serialId(issuerId, serialHex))),
    reserveSerials: (serials, at) =>
      guard('reserving serial numbers', async () => {
        const tx = db.transaction('serials', 'readwrite');
        const writes = serials.map(({ issuerId, serialHex }) => tx.store.add({ id: serialId(issuerId, serialHex), issuerId, serialHex, state: 'reserved', at }));
        await Promise.all([...writes, tx.done]);
      }),
    burnSerials: (serials) =>
      guard('burning serial numbers', async () => {
        const tx = db.transaction('serials', 'readwrite');
        const recs = await Promise.all(serials.map(({ issuerId, serialHex }) => tx.store.get(serialId(issuerId, serialHex))));
        const writes = recs.flatMap((rec) => (rec && rec.state === 'reserved' ? [tx.store.put({ ...rec, state: 'burned' })] : []));
        await Promise.all([...writes, tx.done]);
      }),
    commitIssuanceBatch: ({ certs, addKeys = [], audit }) =>
      guard('saving the certificates', async () => {
        if (addKeys.some(({ info, material }) => info.id !== material.id)) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
        const stores: StoreNames<ClavisDB>[] = ['serials', 'certs', ...AUDIT_STORES];
        if (addKeys.length) stores.push('keys', 'keyMaterial');
        const tx = db.transaction(stores, 'readwrite');
        // Only IndexedDB requests from here to tx.done (W3): reads first, then the writes.
        const auditWrites = await queueAuditEntries(tx, audit);
        const serials = tx.objectStore('serials');
        const recs = await Promise.all(certs.map((c) => serials.get(serialId(c.issuerId, c.serialHex))));
        if (recs.some((rec) => !rec || rec.state !== 'reserved')) {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw new EngineError('CERT_INVALID', 'storage: a serial number was not reserved for its issuer, or was already used');
        }
        const store = tx.objectStore('certs');
        const writes: Promise<unknown>[] = [...auditWrites];
        for (const { info, material } of addKeys) {
          writes.push(tx.objectStore('keys').add(toStoredKey(info)), tx.objectStore('keyMaterial').add(material));
        }
        certs.forEach((cert, i) => writes.push(serials.put({ ...recs[i]!, state: 'issued', certId: cert.id }), store.add(cert)));
        await Promise.all([...writes, tx.done]);
      }),
  };
}
