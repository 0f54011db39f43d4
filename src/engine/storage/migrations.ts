/** The schema's migrations, one per version (index = version - 1), and the record rewrites they need. */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { KeyInfo } from '../types';
import type { ClavisDB, PrincipalRecord, RevocationRecord } from './schema';
import { buildChunks, chunkStamp } from './crl-chunks';
import { upgradeKeyRecord, toStoredKey } from './key-records';

/** Migrations, one per version step (index = old version). Never edit a released step; add a new one. Exported for the upgrade tests. */
export const MIGRATIONS: Array<(db: IDBPDatabase<ClavisDB>, tx: IDBPTransaction<ClavisDB, StoreNames<ClavisDB>[], 'versionchange'>) => void> = [
  // v0 -> v1: the vault.
  (db) => {
    const keys = db.createObjectStore('keys', { keyPath: 'id' });
    keys.createIndex('byOwner', 'owner');
    keys.createIndex('byTemplate', 'template');
    keys.createIndex('byCreated', 'createdAt');
    db.createObjectStore('keyMaterial', { keyPath: 'id' });
    db.createObjectStore('meta', { keyPath: 'key' });
  },
  // v1 -> v2: the certificate authority.
  (db) => {
    const cas = db.createObjectStore('cas', { keyPath: 'id' });
    cas.createIndex('byParent', 'parentId');
    cas.createIndex('byCreated', 'createdAt');
    const certs = db.createObjectStore('certs', { keyPath: 'id' });
    certs.createIndex('byIssuer', 'issuerId');
    certs.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
    certs.createIndex('bySpki', 'spkiSha256');
    certs.createIndex('byCreated', 'createdAt');
    const serials = db.createObjectStore('serials', { keyPath: 'id' });
    serials.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
    const revocations = db.createObjectStore('revocations', { keyPath: 'id' });
    revocations.createIndex('byIssuer', 'issuerId');
    revocations.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
    revocations.createIndex('bySpki', 'spkiSha256');
    const crls = db.createObjectStore('crls', { keyPath: 'id' });
    crls.createIndex('byIssuerNumber', ['issuerId', 'number'], { unique: true });
    db.createObjectStore('counters', { keyPath: 'key' });
  },
  // v2 -> v3: the key lifecycle and the audit log.
  (db, tx) => {
    // Out-of-line keys (the seq): a reordering of records stays visible to the verifier.
    const audit = db.createObjectStore('audit');
    audit.createIndex('byAction', 'action');
    audit.createIndex('bySubject', 'subject', { multiEntry: true });
    db.createObjectStore('principals', { keyPath: 'id' });
    db.createObjectStore('keyUsage', { keyPath: 'id' });
    const keys = tx.objectStore('keys');
    keys.createIndex('byKeyring', 'keyringId');
    // Only IndexedDB requests inside the upgrade transaction; a failure aborts the upgrade.
    const migrate = async () => {
      let cursor = await keys.openCursor();
      while (cursor) {
        const v = cursor.value as Partial<KeyInfo> & KeyInfo;
        if (v.dates === undefined || v.keyringId === undefined) await cursor.update(upgradeKeyRecord(v));
        cursor = await cursor.continue();
      }
    };
    migrate().catch(() => tx.abort());
  },
  // KDC: v3 -> v4: the key distribution center.
  (db) => {
    db.createObjectStore('kdcState', { keyPath: 'id' });
    db.createObjectStore('kdcPrincipals', { keyPath: 'name' });
    db.createObjectStore('kdcPrincipalKeys', { keyPath: 'name' });
    const keys = db.createObjectStore('kdcKeys', { keyPath: 'id' });
    keys.createIndex('byParty', 'parties', { multiEntry: true });
    const held = db.createObjectStore('kdcHeldKeys', { keyPath: 'id' });
    held.createIndex('byKey', 'keyId');
    const replay = db.createObjectStore('kdcReplay', { keyPath: 'id' });
    replay.createIndex('byExpiry', 'expiresAt');
  },
  // Scale: v4 -> v5: indexes for the hot paths (nothing on them reads every record).
  (db, tx) => {
    const keys = tx.objectStore('keys');
    keys.createIndex('byFingerprint', 'fingerprint.value');
    keys.createIndex('byDueAt', 'dueAt');
    // (A database that never had the CA stores gets nothing to index there.)
    if (db.objectStoreNames.contains('certs')) tx.objectStore('certs').createIndex('byIssuerNotAfter', ['issuerId', 'notAfter']);
    // Every v3+ key gets its `dueAt`; a record from before v3 is left to the v3 step in
    // the same upgrade, whose `upgradeKeyRecord` writes `dueAt` too (so the two walks
    // never write the same record).
    const migrate = async () => {
      let cursor = await keys.openCursor();
      while (cursor) {
        const v = cursor.value as Partial<KeyInfo> & KeyInfo;
        if (v.dates !== undefined && v.keyringId !== undefined) await cursor.update(toStoredKey(v));
        cursor = await cursor.continue();
      }
    };
    migrate().catch(() => tx.abort());
  },
  // Verifier: v5 -> v6: imported certificates and CRLs, apart from the CA's own stores.
  (db) => {
    db.createObjectStore('importedCerts', { keyPath: 'id' });
    db.createObjectStore('importedCrls', { keyPath: 'id' });
  },
  // Owners: v6 -> v7: owners stored before owner identity became one rule (NFC,
  // lower-case, `ownerKey`) are brought to it, so "Alice"'s old keys are alice's keys.
  (db, tx) => {
    // (A database without the vault's stores has no owners to move.)
    if (!db.objectStoreNames.contains('keys')) return;
    const keys = tx.objectStore('keys');
    // (A database that never had the lifecycle stores has no principals to move.)
    const principals = db.objectStoreNames.contains('principals') ? tx.objectStore('principals') : undefined;
    const migrate = async () => {
      // Every key record is written whole, composed with the v3 and v5 steps' own
      // transforms: when those steps walk the same records in this upgrade, this step's
      // write (queued after theirs) still leaves a record with dates and `dueAt`.
      let cursor = await keys.openCursor();
      while (cursor) {
        const v = cursor.value as Partial<KeyInfo> & KeyInfo;
        const owner = typeof v.owner === 'string' ? migratedOwner(v.owner) : '';
        const next = { ...v, owner };
        await cursor.update(v.dates === undefined || v.keyringId === undefined ? upgradeKeyRecord(next) : toStoredKey(next));
        cursor = await cursor.continue();
      }
      // Principals under the old spelling move to their owner identity; two spellings of
      // one owner become one record, revoked if either was (a revocation is never lost).
      if (!principals) return;
      const all = await principals.getAll();
      const merged = new Map<string, PrincipalRecord>();
      for (const p of all) {
        const id = migratedOwner(p.id);
        const prev = merged.get(id);
        merged.set(id, prev ? mergePrincipals(prev, { ...p, id }) : { ...p, id });
      }
      for (const p of all) if (!merged.has(p.id)) await principals.delete(p.id);
      for (const p of merged.values()) await principals.put(p);
    };
    migrate().catch(() => tx.abort());
  },
  // CRL write path: v7 -> v8: the revocations of each CA as encoded CRL entries in sorted chunks.
  (db, tx) => {
    const chunks = db.createObjectStore('crlChunks', { keyPath: ['issuerId', 'lo', 'ver'] });
    if (!db.objectStoreNames.contains('revocations')) return;
    const migrate = async () => {
      const byIssuer = new Map<string, RevocationRecord[]>();
      for (const r of await tx.objectStore('revocations').getAll()) {
        const list = byIssuer.get(r.issuerId) ?? [];
        list.push(r);
        byIssuer.set(r.issuerId, list);
      }
      for (const [issuerId, revs] of byIssuer) {
        let built: ReturnType<typeof buildChunks>;
        try {
          built = buildChunks(issuerId, revs);
        } catch {
          // A revocation that cannot go on a CRL: that CA gets no chunks, and its next
          // publication fails its lint as before instead of the upgrade failing.
          continue;
        }
        for (const rec of built) await chunks.add({ ...rec, ver: chunkStamp() });
      }
    };
    migrate().catch(() => tx.abort());
  },
];

/** An owner as stored before v7, as its owner identity: NFC, trimmed, lower-case. */
export function migratedOwner(owner: string): string {
  return owner.normalize('NFC').trim().toLowerCase().normalize('NFC');
}

/** Two principal records of one owner identity as one: revoked if either is (the earlier revocation kept). */
function mergePrincipals(a: PrincipalRecord, b: PrincipalRecord): PrincipalRecord {
  if (a.revoked !== b.revoked) return a.revoked ? a : b;
  if (a.revoked) return (a.revokedAt ?? '') <= (b.revokedAt ?? '') ? a : b;
  return (a.reinstatedAt ?? '') >= (b.reinstatedAt ?? '') ? a : b;
}
