// W4/W7: the v2 migration adds the CA stores and keeps every v1 record.
import { describe, expect, it } from 'vitest';
import { toHex } from '../internal/bytes';
import { openStorage } from '../storage/db';
import { testCaId, testCertId, testKeyId } from '../../testing/ids';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

describe('storage v2 migration', () => {
  it('W4 upgrading a v1 vault keeps its keys and adds the CA stores with unique (issuer, serial)', async () => {
    const name = `clavis-mig-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`;
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      const keys = db.createObjectStore('keys', { keyPath: 'id' });
      keys.createIndex('byOwner', 'owner');
      keys.createIndex('byTemplate', 'template');
      keys.createIndex('byCreated', 'createdAt');
      db.createObjectStore('keyMaterial', { keyPath: 'id' });
      db.createObjectStore('meta', { keyPath: 'key' });
    };
    const v1 = await req(open);
    const tx = v1.transaction(['keys', 'meta'], 'readwrite');
    tx.objectStore('keys').put({ id: testKeyId('old'), name: 'old', owner: '', template: 'AES-GCM-256', createdAt: '2025-01-01T00:00:00.000Z' });
    tx.objectStore('meta').put({ key: 'probe', value: 42 });
    await new Promise((r) => (tx.oncomplete = r));
    v1.close();

    const s = await openStorage({ name });
    expect((await s.getKeyInfo(testKeyId('old')))?.name).toBe('old');
    expect(await s.getMeta('probe')).toBe(42);
    await s.reserveSerial(testCaId('1'), '01ab', '2026-01-01T00:00:00.000Z');
    await expect(s.reserveSerial(testCaId('1'), '01ab', '2026-01-01T00:00:00.000Z')).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await s.allocateCrlNumber(testCaId('1'))).toBe(1);
    expect(await s.allocateCrlNumber(testCaId('1'))).toBe(2);
    expect(await s.listCas()).toEqual([]);
    s.close();
  });

  it('W4 commitIssuance refuses a serial that was never reserved and writes nothing', async () => {
    const s = await openStorage({ name: `clavis-mig-${toHex(crypto.getRandomValues(new Uint8Array(6)))}` });
    const cert = {
      id: testCertId('1'), issuerId: testCaId('1'), serialHex: '0102', profile: 'tls-client', subject: 'CN=x', issuer: 'CN=ca', sans: { dns: [], ip: [], email: [], uri: [] },
      notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', source: 'vault' as const, spkiSha256: 'aa', sha256: 'bb', truncated: false, der: new Uint8Array(3), createdAt: '2026-01-01T00:00:00.000Z',
    };
    await expect(s.commitIssuance(cert)).rejects.toMatchObject({ code: 'CERT_INVALID' });
    expect(await s.getCert(testCertId('1'))).toBeUndefined();
    await s.reserveSerial(testCaId('1'), '0102', cert.createdAt);
    await s.commitIssuance(cert);
    expect((await s.getSerial(testCaId('1'), '0102'))?.state).toBe('issued');
    // A second commit for the same serial fails: it is no longer "reserved".
    await expect(s.commitIssuance({ ...cert, id: testCertId('2') })).rejects.toMatchObject({ code: 'CERT_INVALID' });
    expect(await s.getCert(testCertId('2'))).toBeUndefined();
    s.close();
  });
});
