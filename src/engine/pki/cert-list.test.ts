// The certificate list at scale (E10, A8): its first page from the index and every certificate in bounded chunks, each with its status.
import { describe, expect, it } from 'vitest';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { compareCerts } from './cert-order';
import { certificateChunks } from './certs-view';
import type { CertInfo } from './types';

async function fleet(n: number) {
  const f = await freshPki();
  const { int } = await hierarchy(f.pki);
  const job = await f.pki.issueBulk({ caId: int.ca.id, rows: Array.from({ length: n }, (_, i) => ({ profile: 'tls-client' as const, subject: { CN: `client ${i}` } })) });
  if (job.status !== 'issued') throw new Error('the bulk job did not issue');
  return { ...f, int, certs: job.certs };
}

describe('certificate list chunks (E10, A8)', () => {
  it('certificateChunks yields every certificate once, in chunks of at most the size, with revocations as listCertificates gives them', async () => {
    const { pki, certs } = await fleet(230);
    await pki.revokeCertificate(certs[17]!.id, { reason: 'superseded' });
    await pki.revokeCertificate(certs[199]!.id, { reason: 'keyCompromise' });
    const chunks: CertInfo[][] = [];
    for await (const chunk of pki.certificateChunks(50)) chunks.push(chunk);
    // 230 leaves + the root and the intermediate's certificates = 232: five chunks, the last short.
    expect(chunks.map((c) => c.length)).toEqual([50, 50, 50, 50, 32]);
    const all = chunks.flat();
    expect(new Set(all.map((c) => c.id)).size).toBe(232);
    expect([...all].sort(compareCerts)).toEqual(await pki.listCertificates());
    const byId = new Map(all.map((c) => [c.id, c]));
    expect(byId.get(certs[17]!.id)).toMatchObject({ status: 'revoked', revocation: { reason: 'superseded' } });
    expect(byId.get(certs[199]!.id)).toMatchObject({ status: 'revoked', revocation: { reason: 'keyCompromise' } });
    expect(byId.get(certs[18]!.id)?.status).toBe('valid');
    // No DER in the public view.
    expect(all.some((c) => 'der' in c)).toBe(false);
  }, 240_000);

  it('an issuer with more revocations than a listing reads at once is looked up per certificate, with the same statuses', async () => {
    const { ctx, pki, certs } = await fleet(40);
    await pki.revokeCertificate(certs[3]!.id, { reason: 'superseded' });
    await pki.revokeCertificate(certs[31]!.id, { reason: 'affiliationChanged' });
    const whole: CertInfo[] = [];
    for await (const chunk of certificateChunks(ctx, 16)) whole.push(...chunk);
    // Two revocations, over a threshold of one: every certificate of that issuer is looked up.
    const perCert: CertInfo[] = [];
    for await (const chunk of certificateChunks(ctx, 16, 1)) perCert.push(...chunk);
    expect(perCert).toEqual(whole);
    expect(perCert.filter((c) => c.status === 'revoked').map((c) => c.id).sort()).toEqual([certs[3]!.id, certs[31]!.id].sort());
  }, 240_000);

  it('listCertificatesNewest gives the newest page in list order, with revocations', async () => {
    const { pki, certs } = await fleet(30);
    await pki.revokeCertificate(certs[29]!.id, { reason: 'cessationOfOperation' });
    const all = await pki.listCertificates();
    const page = await pki.listCertificatesNewest(10);
    expect(page).toEqual(all.slice(0, 10));
    expect(await pki.listCertificatesNewest(1000)).toEqual(all);
    expect(all.find((c) => c.id === certs[29]!.id)?.status).toBe('revoked');
  }, 240_000);

  it('refuses a page or chunk size outside 1–10000 with INVALID_ARGUMENT', async () => {
    const { pki } = await freshPki();
    for (const bad of [0, -1, 1.5, 10_001, Number.NaN]) {
      await expect(pki.listCertificatesNewest(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(pki.certificateChunks(bad).next()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });
});
