/** Storage of the key distribution center's records and its one commit. */
import type { KdcHeldKeyRecord, KdcKeyRecord, KdcPrincipalKeyRecord, KdcPrincipalRecord, KdcStateRecord } from './schema';
import type { KdcCommit, KdcCommitOutcome } from './commits';
import { AUDIT_STORES, type Db, queueAuditEntries, abortOnThrow, requestQueue, guard } from './core';

export interface KdcRepo {

  // KDC (v4)
  /** Writes a KDC change and its audit entries in one transaction; refusals write nothing. @throws AuditConflictError (retry), STORAGE */
  commitKdc(c: KdcCommit): Promise<KdcCommitOutcome>;
  getKdcMasterKey(): Promise<CryptoKey | undefined>;
  /** Stores the master key unless one exists (another tab may have won); returns the stored one. */
  initKdcMasterKey(rec: KdcStateRecord): Promise<CryptoKey>;
  getKdcPrincipal(name: string): Promise<KdcPrincipalRecord | undefined>;
  listKdcPrincipals(): Promise<KdcPrincipalRecord[]>;
  getKdcPrincipalKey(name: string): Promise<KdcPrincipalKeyRecord | undefined>;
  getKdcKey(id: string): Promise<KdcKeyRecord | undefined>;
  listKdcKeys(): Promise<KdcKeyRecord[]>;
  listKdcKeysOf(party: string): Promise<KdcKeyRecord[]>;
  getKdcHeldKey(keyId: string, holder: string): Promise<KdcHeldKeyRecord | undefined>;
  hasKdcReplay(id: string): Promise<boolean>;
}

export function kdcRepo(db: Db): KdcRepo {
  return {

    // KDC
    commitKdc: (c) =>
      guard('saving the KDC change and its audit entry', async () => {
        const tx = db.transaction(['kdcPrincipals', 'kdcPrincipalKeys', 'kdcKeys', 'kdcHeldKeys', 'kdcReplay', 'principals', ...AUDIT_STORES], 'readwrite');
        const refuse = async (refused: 'replayed' | 'key-revoked' | 'principal-inactive', subject: string): Promise<KdcCommitOutcome> => {
          tx.abort();
          await tx.done.catch(() => undefined);
          return { ok: false, refused, subject };
        };
        return abortOnThrow(tx, async (): Promise<KdcCommitOutcome> => {
          const replay = tx.objectStore('kdcReplay');
          // Reads and checks first (IndexedDB requests only, W3), then every write queued.
          for (const r of c.addReplay ?? []) if ((await replay.getKey(r.id)) !== undefined) return refuse('replayed', r.id);
          for (const id of c.keysNotRevoked ?? []) {
            const k = await tx.objectStore('kdcKeys').get(id);
            if (!k || k.revoked) return refuse('key-revoked', id);
          }
          for (const name of c.principalsActive ?? []) {
            const [p, owner] = await Promise.all([tx.objectStore('kdcPrincipals').get(name), tx.objectStore('principals').get(name)]);
            if (!p || p.status !== 'active' || owner?.revoked) return refuse('principal-inactive', name);
          }
          const stale = c.pruneReplayBefore !== undefined ? await replay.index('byExpiry').getAllKeys(IDBKeyRange.upperBound(c.pruneReplayBefore, true)) : [];
          const auditWrites = await queueAuditEntries(tx, c);
          const w = requestQueue();
          for (const id of stale) w.q(replay.delete(id));
          for (const p of c.addPrincipals ?? []) w.q(tx.objectStore('kdcPrincipals').add(p));
          for (const p of c.putPrincipals ?? []) w.q(tx.objectStore('kdcPrincipals').put(p));
          for (const k of c.putPrincipalKeys ?? []) w.q(tx.objectStore('kdcPrincipalKeys').put(k));
          for (const k of c.addKeys ?? []) w.q(tx.objectStore('kdcKeys').add(k));
          for (const k of c.putKeys ?? []) w.q(tx.objectStore('kdcKeys').put(k));
          for (const h of c.putHeld ?? []) w.q(tx.objectStore('kdcHeldKeys').put(h));
          for (const r of c.addReplay ?? []) w.q(replay.add(r));
          await Promise.all([...w.list, ...auditWrites, tx.done]);
          return { ok: true };
        });
      }),
    getKdcMasterKey: () => guard('reading the KDC master key', async () => (await db.get('kdcState', 'master'))?.key),
    initKdcMasterKey: (rec) =>
      guard('saving the KDC master key', async () => {
        const tx = db.transaction('kdcState', 'readwrite');
        const existing = await tx.store.get(rec.id);
        if (existing) {
          await tx.done;
          return existing.key;
        }
        await Promise.all([tx.store.add(rec), tx.done]);
        return rec.key;
      }),
    getKdcPrincipal: (name) => guard('reading a KDC principal', () => db.get('kdcPrincipals', name)),
    listKdcPrincipals: () => guard('listing KDC principals', () => db.getAll('kdcPrincipals')),
    getKdcPrincipalKey: (name) => guard("reading a principal's key", () => db.get('kdcPrincipalKeys', name)),
    getKdcKey: (id) => guard('reading a distributed key', () => db.get('kdcKeys', id)),
    listKdcKeys: () => guard('listing distributed keys', () => db.getAll('kdcKeys')),
    listKdcKeysOf: (party) => guard('listing distributed keys', () => db.getAllFromIndex('kdcKeys', 'byParty', party)),
    getKdcHeldKey: (keyId, holder) => guard('reading a held key', () => db.get('kdcHeldKeys', `${keyId}:${holder}`)),
    hasKdcReplay: (id) => guard('reading the replay cache', async () => (await db.getKey('kdcReplay', id)) !== undefined),
  };
}
