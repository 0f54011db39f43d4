import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { systemClock } from '../internal/clock';
import type { CertRecord } from '../storage/schema';
import { auditDraft, prepareAudit, readAuditState, verifyStoredAuditLog, withAudit } from './store';
import { testCaId, testCertId } from '../../testing/ids';
import type { CertId } from '../ids';

async function setup() {
  const s = await freshEngine();
  return { ...s, ctx: { storage: s.storage, subtle: crypto.subtle, clock: systemClock } };
}

const cert = (id: CertId): CertRecord => ({
  id,
  issuerId: testCaId('1'),
  serialHex: '01',
  profile: 'tls-server',
  subject: 'CN=x',
  issuer: 'CN=ca',
  sans: { dns: [], ip: [], email: [], uri: [] },
  notBefore: '2030-01-01T00:00:00.000Z',
  notAfter: '2031-01-01T00:00:00.000Z',
  source: 'csr',
  spkiSha256: 'ab'.repeat(32),
  sha256: 'cd'.repeat(32),
  truncated: false,
  der: new Uint8Array([0x30, 0x00]),
  createdAt: '2030-01-01T00:00:00.000Z',
});

describe('audit store: appending inside the change\'s transaction', () => {
  it('withAudit rebuilds and retries when another write moved the head in between', async () => {
    const { ctx, storage } = await setup();
    let builds = 0;
    await withAudit(ctx, async () => {
      builds++;
      if (builds === 1) {
        // Another tab appends after this step read the head.
        const other = await prepareAudit(ctx, [auditDraft(ctx, 'test.other', [], {})]);
        const mine = await prepareAudit(ctx, [auditDraft(ctx, 'test.mine', [], {})]);
        await storage.commitAudited(other);
        return { drafts: [], commit: () => storage.commitAudited(mine) };
      }
      return { drafts: [auditDraft(ctx, 'test.mine', [], {})], commit: (audit) => storage.commitAudited(audit) };
    });
    expect(builds).toBe(2);
    expect((await storage.listAuditEntries()).map((e) => [e.seq, e.action])).toEqual([
      [1, 'test.other'],
      [2, 'test.mine'],
    ]);
  });

  it('A1 a head read ahead that another write moved meanwhile is not used: the first commit is refused and the retry reads afresh', async () => {
    const { ctx, storage } = await setup();
    const ahead = readAuditState(ctx);
    await ahead.head;
    // Another write lands after the head was read ahead.
    await storage.commitAudited(await prepareAudit(ctx, [auditDraft(ctx, 'test.other', [], {})]));
    let commits = 0;
    await withAudit(
      ctx,
      async () => ({
        drafts: [auditDraft(ctx, 'test.mine', [], {})],
        commit: (audit) => {
          commits++;
          return storage.commitAudited(audit);
        },
      }),
      ahead,
    );
    expect(commits).toBe(2);
    expect((await storage.listAuditEntries()).map((e) => [e.seq, e.action])).toEqual([
      [1, 'test.other'],
      [2, 'test.mine'],
    ]);
    expect((await verifyStoredAuditLog(ctx)).ok).toBe(true);
  });

  it('A3: a draft with key material is refused before anything is written', async () => {
    const { ctx, storage } = await setup();
    await expect(
      withAudit(ctx, async () => ({ drafts: [auditDraft(ctx, 'key.export', [], { passphrase: 'hunter2hunter2' })], commit: (a) => storage.commitAudited(a) })),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await storage.listAuditEntries()).toEqual([]);
    expect(await storage.getAuditHead()).toBeUndefined();
  });

  it('the CA hook: commitIssuance appends the entry in the issuance transaction, and a stale head writes neither', async () => {
    const { ctx, storage, engine } = await setup();
    await storage.reserveSerial(testCaId('1'), '01', '2030-01-01T00:00:00.000Z');
    const stale = await prepareAudit(ctx, [auditDraft(ctx, 'cert.issue', [testCertId('1')], { issuerId: testCaId('1'), serial: '01' })]);
    await storage.commitAudited(await prepareAudit(ctx, [auditDraft(ctx, 'test.first', [], {})]));
    await expect(storage.commitIssuance(cert(testCertId('1')), undefined, stale)).rejects.toMatchObject({ name: 'AuditConflictError' });
    expect(await storage.getCert(testCertId('1'))).toBeUndefined();
    expect((await storage.getSerial(testCaId('1'), '01'))?.state).toBe('reserved');

    await withAudit(ctx, async () => ({
      drafts: [auditDraft(ctx, 'cert.issue', [testCertId('1')], { issuerId: testCaId('1'), serial: '01' })],
      commit: (audit) => storage.commitIssuance(cert(testCertId('1')), undefined, audit),
    }));
    expect((await storage.getSerial(testCaId('1'), '01'))?.state).toBe('issued');
    expect((await engine.listAuditEntries()).map((e) => e.action)).toEqual(['test.first', 'cert.issue']);
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });
});
