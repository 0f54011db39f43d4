/** Storage of cA and certificate records and their indexed reads. */
import { EngineError } from '../errors';
import type { CaRecord, CertRecord } from './schema';
import { type Db, guard } from './core';

export interface CertRepo {
  getCa(id: string): Promise<CaRecord | undefined>;
  listCas(): Promise<CaRecord[]>;
  /** Replaces a CA's settings (the CA must exist). */
  putCa(ca: CaRecord): Promise<void>;
  getCert(id: string): Promise<CertRecord | undefined>;
  getCertByIssuerSerial(issuerId: string, serialHex: string): Promise<CertRecord | undefined>;
  listCerts(issuerId?: string): Promise<CertRecord[]>;
  /** Certificates whose subject key has this SPKI SHA-256. */
  listCertsBySpki(spkiSha256: string): Promise<CertRecord[]>;
  /**
   * An issuer's certificates whose notAfter lies in [from, to) (ISO 8601, either bound
   * optional), from the (issuer, notAfter) index: the valid or expired ones without
   * reading the rest.
   */
  listCertsByIssuerNotAfter(issuerId: string, range: { from?: string; to?: string }): Promise<CertRecord[]>;
  /** Up to `limit` certificates, newest first, skipping `offset` (index `byCreated`): a list's first page. */
  listCertsNewest(limit: number, offset?: number): Promise<CertRecord[]>;
  /** Up to `limit` certificates in id order, strictly after `afterId` (from the first without it): the whole store in bounded reads. */
  listCertChunk(afterId: string | undefined, limit: number): Promise<CertRecord[]>;
  /** How many certificates are stored (all issuers). */
  countCerts(): Promise<number>;
}

export function certRepo(db: Db): CertRepo {
  return {
    getCa: (id) => guard('reading a CA', () => db.get('cas', id)),
    listCas: () => guard('listing CAs', () => db.getAll('cas')),
    putCa: (ca) =>
      guard('updating the CA', async () => {
        const tx = db.transaction('cas', 'readwrite');
        const existing = await tx.store.getKey(ca.id);
        if (existing === undefined) {
          await tx.done;
          throw new EngineError('INVALID_ARGUMENT', 'storage: no such CA');
        }
        await Promise.all([tx.store.put(ca), tx.done]);
      }),
    getCert: (id) => guard('reading a certificate', () => db.get('certs', id)),
    getCertByIssuerSerial: (issuerId, serialHex) =>
      guard('reading a certificate', () => db.getFromIndex('certs', 'byIssuerSerial', [issuerId, serialHex])),
    listCerts: (issuerId) =>
      guard('listing certificates', () => (issuerId === undefined ? db.getAll('certs') : db.getAllFromIndex('certs', 'byIssuer', issuerId))),
    listCertsBySpki: (spki) => guard('listing certificates', () => db.getAllFromIndex('certs', 'bySpki', spki)),
    listCertsByIssuerNotAfter: (issuerId, range) =>
      guard('listing certificates', () => {
        // [issuerId, '\uffff'] sorts after every ISO date of this issuer.
        const lower: [string, string] = [issuerId, range.from ?? ''];
        const upper: [string, string] = [issuerId, range.to ?? '\uffff'];
        return db.getAllFromIndex('certs', 'byIssuerNotAfter', IDBKeyRange.bound(lower, upper, false, range.to !== undefined));
      }),
    listCertsNewest: (limit, offset = 0) =>
      guard('listing certificates', async () => {
        const tx = db.transaction('certs', 'readonly');
        const out: CertRecord[] = [];
        let cursor = await tx.store.index('byCreated').openCursor(null, 'prev');
        if (cursor && offset > 0) cursor = await cursor.advance(Math.floor(offset));
        while (cursor && out.length < limit) {
          out.push(cursor.value);
          cursor = await cursor.continue();
        }
        await tx.done;
        return out;
      }),
    listCertChunk: (afterId, limit) =>
      guard('listing certificates', () => db.getAll('certs', afterId === undefined ? undefined : IDBKeyRange.lowerBound(afterId, true), limit)),
    countCerts: () => guard('counting certificates', () => db.count('certs')),
  };
}
