// C1, W4, A4: the bulk-issuance writes (storage/issuance.ts) store a whole job or nothing.
import { describe, expect, it } from 'vitest';
import { toHex } from '../internal/bytes';
import { openStorage } from './db';
import { testCaId, testCertId } from '../../testing/ids';
import type { CertId } from '../ids';

const cert = (id: CertId, serialHex: string) => ({
  id, issuerId: testCaId('1'), serialHex, profile: 'tls-client' as const, subject: 'CN=x', issuer: 'CN=ca', sans: { dns: [], ip: [], email: [], uri: [] },
  notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', source: 'vault' as const, spkiSha256: 'aa', sha256: 'bb', truncated: false, der: new Uint8Array(3), createdAt: '2026-01-01T00:00:00.000Z',
});
const entry = (seq: number) => ({ seq, at: '2026-01-01T00:00:00.000Z', actor: 'operator', action: 'cert.issue', subject: [testCertId(`${seq}`)], details: {}, prevHash: '0'.repeat(64), hash: seq.toString(16).padStart(64, '0') });

describe('bulk issuance storage', () => {
  it('C1 W4 a batch with one serial not reserved, or burned, or a moved audit head, stores nothing; a good batch stores every record', async () => {
    const s = await openStorage({ name: `clavis-iss-${toHex(crypto.getRandomValues(new Uint8Array(6)))}` });
    const serials = ['01a1', '01a2', '01a3'].map((serialHex) => ({ issuerId: testCaId('1'), serialHex }));
    await s.reserveSerials(serials.slice(0, 2), '2026-01-01T00:00:00.000Z');
    const certs = serials.map((x, i) => cert(testCertId(`${i + 1}`), x.serialHex));
    const audit = { head: undefined, entries: [entry(1), entry(2), entry(3)] };
    // The third serial was never reserved.
    await expect(s.commitIssuanceBatch({ certs, audit })).rejects.toMatchObject({ code: 'CERT_INVALID' });
    expect(await s.countCerts()).toBe(0);
    expect(await s.listAuditEntries()).toHaveLength(0);
    expect((await s.getSerial(testCaId('1'), '01a1'))?.state).toBe('reserved');
    await s.reserveSerials(serials.slice(2), '2026-01-01T00:00:00.000Z');
    // A head that moved since the entries were chained: the caller must chain again.
    await expect(s.commitIssuanceBatch({ certs, audit: { ...audit, head: { seq: 9, hash: 'f'.repeat(64) } } })).rejects.toMatchObject({ name: 'AuditConflictError' });
    expect(await s.countCerts()).toBe(0);
    await s.commitIssuanceBatch({ certs, audit });
    expect(await s.countCerts()).toBe(3);
    expect(await s.listAuditEntries()).toHaveLength(3);
    expect(await s.getAuditHead()).toMatchObject({ seq: 3, hash: entry(3).hash });
    for (const x of serials) expect((await s.getSerial(testCaId('1'), x.serialHex))?.state).toBe('issued');
    // A reserved serial can be issued once only, and a burned one never.
    await expect(s.commitIssuanceBatch({ certs: [cert(testCertId('9'), '01a1')], audit: { head: { seq: 3, hash: entry(3).hash }, entries: [entry(4)] } })).rejects.toMatchObject({ code: 'CERT_INVALID' });
    await s.reserveSerials([{ issuerId: testCaId('1'), serialHex: '01b1' }], '2026-01-01T00:00:00.000Z');
    await s.burnSerials([{ issuerId: testCaId('1'), serialHex: '01b1' }, { issuerId: testCaId('1'), serialHex: '01a1' }]);
    expect((await s.getSerial(testCaId('1'), '01b1'))?.state).toBe('burned');
    expect((await s.getSerial(testCaId('1'), '01a1'))?.state).toBe('issued');
    await expect(s.commitIssuanceBatch({ certs: [cert(testCertId('9'), '01b1')], audit: { head: { seq: 3, hash: entry(3).hash }, entries: [entry(4)] } })).rejects.toMatchObject({ code: 'CERT_INVALID' });
    expect(await s.countCerts()).toBe(3);
    // A duplicate reservation refuses the whole reservation.
    await expect(s.reserveSerials([{ issuerId: testCaId('1'), serialHex: '01c1' }, { issuerId: testCaId('1'), serialHex: '01a2' }], '2026-01-01T00:00:00.000Z')).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await s.getSerial(testCaId('1'), '01c1')).toBeUndefined();
    s.close();
  });
});
