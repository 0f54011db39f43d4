/**
 * Storage: the only module that imports idb. `openStorage()` opens (and migrates) the
 * Clavis database and returns a small repository whose writes that belong together
 * run in one transaction with no foreign awaits inside it (SECURITY.md W3): callers do
 * their crypto first, then hand finished records here.
 */
import { openDB, type IDBPDatabase } from 'idb';
import { StorageError, EngineError } from '../errors';
import type { KeyInfo } from '../types';
import {
  DB_NAME,
  DB_VERSION,
  type CaRecord,
  type CertRecord,
  type ClavisDB,
  type CrlRecord,
  type KeyMaterialRecord,
  type RevocationRecord,
  type SerialRecord,
} from './schema';

/** The repository the engine uses. Every method throws StorageError on IndexedDB failure. */
export interface ClavisStorage {
  /** Stores a key's metadata and material together, atomically. Fails if the id exists. */
  addKey(info: KeyInfo, material: KeyMaterialRecord): Promise<void>;
  getKeyInfo(id: string): Promise<KeyInfo | undefined>;
  getKeyMaterial(id: string): Promise<KeyMaterialRecord | undefined>;
  listKeyInfos(): Promise<KeyInfo[]>;
  /** Replaces a key's metadata (the key must exist). */
  putKeyInfo(info: KeyInfo): Promise<void>;
  /** Removes metadata and material together. Returns false when there was no such key. */
  deleteKey(id: string): Promise<boolean>;
  getMeta<T>(key: string): Promise<T | undefined>;
  setMeta(key: string, value: unknown): Promise<void>;
  /** Closes the connection (tests, and when another tab upgrades the schema). */
  close(): void;

  // Certificate authority (v2). Each write below is one transaction with only IndexedDB
  // requests inside it (W3/W4); the CA does its signing before or after, never during.

  /**
   * Reserves a serial for an issuer before anything is signed (C1). Fails with STORAGE
   * when the issuer already has that serial (reserved, issued or burned).
   */
  reserveSerial(issuerId: string, serialHex: string, at: string): Promise<void>;
  /** Marks a reserved serial as never to be used (its signing failed). */
  burnSerial(issuerId: string, serialHex: string): Promise<void>;
  /**
   * Completes an issuance atomically: the reserved serial becomes `issued`, the
   * certificate record is added and, for a CA certificate, the CA record too. Nothing is
   * written if the serial is not `reserved` or any record already exists.
   */
  commitIssuance(cert: CertRecord, ca?: CaRecord): Promise<void>;
  getSerial(issuerId: string, serialHex: string): Promise<SerialRecord | undefined>;
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
   * Records a revocation. The certificate must exist and not be revoked already
   * (CERT_REVOKED); the check and the write are one transaction.
   */
  addRevocation(rev: RevocationRecord): Promise<void>;
  getRevocation(issuerId: string, serialHex: string): Promise<RevocationRecord | undefined>;
  listRevocations(issuerId: string): Promise<RevocationRecord[]>;
  listRevocationsBySpki(spkiSha256: string): Promise<RevocationRecord[]>;
  /**
   * Allocates the next CRL number for an issuer: read, increment and write in one
   * transaction, so two tabs can never get the same number (R1, G3).
   */
  allocateCrlNumber(issuerId: string): Promise<number>;
  /** Stores a signed CRL. */
  addCrl(crl: CrlRecord): Promise<void>;
  /** The CRL with the highest number for an issuer. */
  getLatestCrl(issuerId: string): Promise<CrlRecord | undefined>;
}

/** Migrations, one per version step. Never edit a released step; add a new one. */
const MIGRATIONS: Array<(db: IDBPDatabase<ClavisDB>) => void> = [
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
];

const serialId = (issuerId: string, serialHex: string) => `${issuerId}:${serialHex}`;

export interface OpenStorageOptions {
  /** Database name; tests and walkthrough namespaces use their own. */
  name?: string;
  /** Called when another tab wants a newer schema: this connection has been closed. */
  onVersionChange?: () => void;
}

function storageError(what: string, e: unknown): StorageError {
  const name = e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException) ? (e as Error).name : '';
  if (name === 'QuotaExceededError') {
    return new StorageError(`storage: the browser's storage quota is full; ${what} was not saved`, { cause: e });
  }
  if (name === 'DataCloneError') {
    return new StorageError(`storage: this browser cannot store keys in IndexedDB (${what})`, { cause: e });
  }
  if (name === 'ConstraintError') {
    return new StorageError(`storage: ${what} conflicts with an existing record`, { cause: e });
  }
  return new StorageError(`storage: ${what} failed${name ? ` (${name})` : ''}`, { cause: e });
}

async function guard<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw storageError(what, e);
  }
}

/** Opens the Clavis database, running any pending migrations. Throws StorageError. */
export async function openStorage(opts: OpenStorageOptions = {}): Promise<ClavisStorage> {
  const name = opts.name ?? DB_NAME;
  const db = await guard('opening the database', () =>
    openDB<ClavisDB>(name, DB_VERSION, {
      upgrade(database, oldVersion) {
        for (let v = oldVersion; v < DB_VERSION; v++) MIGRATIONS[v]!(database);
      },
      blocking() {
        // Another tab needs a newer schema: step aside so its upgrade can run.
        db.close();
        opts.onVersionChange?.();
      },
    }),
  );

  return {
    addKey: (info, material) =>
      guard('saving the key', async () => {
        if (info.id !== material.id) throw new EngineError('INVALID_ARGUMENT', 'storage: key and material ids differ');
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        // Both puts are queued before any await, and nothing else is awaited (W3).
        const a = tx.objectStore('keys').add(info);
        const b = tx.objectStore('keyMaterial').add(material);
        await Promise.all([a, b, tx.done]);
      }),
    getKeyInfo: (id) => guard('reading a key', () => db.get('keys', id)),
    getKeyMaterial: (id) => guard('reading key material', () => db.get('keyMaterial', id)),
    listKeyInfos: () => guard('listing keys', () => db.getAll('keys')),
    putKeyInfo: (info) =>
      guard('updating the key', async () => {
        const tx = db.transaction('keys', 'readwrite');
        const existing = await tx.store.get(info.id);
        if (!existing) {
          await tx.done;
          throw new EngineError('KEY_NOT_FOUND', 'storage: no such key');
        }
        await Promise.all([tx.store.put(info), tx.done]);
      }),
    deleteKey: (id) =>
      guard('deleting the key', async () => {
        const tx = db.transaction(['keys', 'keyMaterial'], 'readwrite');
        const existing = await tx.objectStore('keys').getKey(id);
        if (existing === undefined) {
          await tx.done;
          return false;
        }
        await Promise.all([tx.objectStore('keys').delete(id), tx.objectStore('keyMaterial').delete(id), tx.done]);
        return true;
      }),
    getMeta: <T,>(key: string) => guard('reading settings', async () => (await db.get('meta', key))?.value as T | undefined),
    setMeta: (key, value) => guard('saving settings', async () => void (await db.put('meta', { key, value }))),
    close: () => db.close(),

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
    commitIssuance: (cert, ca) =>
      guard('saving the certificate', async () => {
        const stores = ca ? (['serials', 'certs', 'cas'] as const) : (['serials', 'certs'] as const);
        const tx = db.transaction(stores, 'readwrite');
        const serials = tx.objectStore('serials');
        const rec = await serials.get(serialId(cert.issuerId, cert.serialHex));
        if (!rec || rec.state !== 'reserved') {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw new EngineError('CERT_INVALID', 'storage: the serial number was not reserved for this issuer, or was already used');
        }
        const writes: Promise<unknown>[] = [serials.put({ ...rec, state: 'issued', certId: cert.id }), tx.objectStore('certs').add(cert)];
        if (ca) writes.push(tx.objectStore('cas').add(ca));
        await Promise.all([...writes, tx.done]);
      }),
    getSerial: (issuerId, serialHex) => guard('reading a serial number', () => db.get('serials', serialId(issuerId, serialHex))),
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
    addRevocation: (rev) =>
      guard('saving the revocation', async () => {
        const tx = db.transaction(['certs', 'revocations'], 'readwrite');
        const [cert, existing] = await Promise.all([tx.objectStore('certs').get(rev.certId), tx.objectStore('revocations').get(rev.id)]);
        const fail = async (e: EngineError) => {
          tx.abort();
          await tx.done.catch(() => undefined);
          throw e;
        };
        if (!cert || cert.issuerId !== rev.issuerId || cert.serialHex !== rev.serialHex) {
          return fail(new EngineError('INVALID_ARGUMENT', 'storage: no such certificate for that issuer and serial'));
        }
        if (existing) return fail(new EngineError('CERT_REVOKED', 'storage: the certificate is already revoked'));
        await Promise.all([tx.objectStore('revocations').add(rev), tx.done]);
      }),
    getRevocation: (issuerId, serialHex) => guard('reading a revocation', () => db.get('revocations', serialId(issuerId, serialHex))),
    listRevocations: (issuerId) => guard('listing revocations', () => db.getAllFromIndex('revocations', 'byIssuer', issuerId)),
    listRevocationsBySpki: (spki) => guard('listing revocations', () => db.getAllFromIndex('revocations', 'bySpki', spki)),
    allocateCrlNumber: (issuerId) =>
      guard('allocating a CRL number', async () => {
        const tx = db.transaction('counters', 'readwrite');
        const key = `crl:${issuerId}`;
        const cur = await tx.store.get(key);
        const next = (cur?.value ?? 0) + 1;
        await Promise.all([tx.store.put({ key, value: next }), tx.done]);
        return next;
      }),
    addCrl: (crl) =>
      guard('saving the CRL', async () => {
        const tx = db.transaction('crls', 'readwrite');
        await Promise.all([tx.store.add(crl), tx.done]);
      }),
    getLatestCrl: (issuerId) =>
      guard('reading the CRL', async () => {
        const tx = db.transaction('crls', 'readonly');
        const cursor = await tx.store.index('byIssuerNumber').openCursor(IDBKeyRange.bound([issuerId, 0], [issuerId, Number.MAX_SAFE_INTEGER]), 'prev');
        const value = cursor?.value;
        await tx.done;
        return value;
      }),
  };
}
