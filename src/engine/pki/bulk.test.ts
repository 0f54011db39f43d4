// E2 at scale, C1, C6, C7, A4, W3: bulk issuance through the real pipeline (WebCrypto,
// IndexedDB): the job lands whole in one transaction, or (refused, cancelled) not at all.
import { describe, expect, it } from 'vitest';
import { verifyStoredAuditLog } from '../audit/store';
import { isEngineError } from '../errors';
import { fromBase64 } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import { compromiseKey } from '../lifecycle/engine';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { parseBulkCsv } from './bulk';
import { OID } from './extensions';
import { parseCertificate, parseGeneralNames } from './x509';

const derOf = (pem: string) => fromBase64(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''));
const pemBlocks = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

async function codeOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    expect(isEngineError(e), String(e)).toBe(true);
    return { code: (e as { code: string }).code, message: (e as Error).message };
  }
  throw new Error('expected a refusal');
}

function csvOf(n: number): string {
  const lines = ['cn,sans,profile,validity_days'];
  for (let i = 0; i < n; i++) lines.push(`host${i}.bulk.test,"www${i}.bulk.test;10.0.${Math.floor(i / 250)}.${i % 250}",tls-server,90`);
  return lines.join('\n');
}

describe('bulk issuance (E2 at scale)', () => {
  it('E2 A4 a job of 1,000 CSV rows leaves 1,000 certificates, 1,000 cert.issue entries and 1,000 new non-extractable keys; the chain verifies', async () => {
    const { pki, ctx, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const rows = pki.parseBulkCsv(csvOf(1000));
    expect(rows).toHaveLength(1000);
    const progress: string[] = [];
    const out = await pki.issueBulk({ caId: int.ca.id, rows, onProgress: (p) => progress.push(`${p.phase}:${p.done}/${p.total}`) });
    if (out.status !== 'issued') throw new Error('the job was not issued');
    expect(out.certs).toHaveLength(1000);
    expect(progress).toContain('signing:1000/1000');
    expect(progress.at(-1)).toBe('saving:1000/1000');

    const stored = await storage.listCerts(int.ca.id);
    expect(stored).toHaveLength(1000);
    expect(new Set(stored.map((c) => c.serialHex)).size).toBe(1000);
    const entries = await storage.listAuditEntries();
    expect(entries.filter((e) => e.action === 'cert.issue' && e.details.issuerId === int.ca.id)).toHaveLength(1000);
    expect(entries.filter((e) => e.action === 'key.create' && out.newKeyIds.some((id) => id === e.subject[0]))).toHaveLength(1000);
    expect(await verifyStoredAuditLog(ctx)).toMatchObject({ ok: true });

    // Every serial went reserved → issued; every new key is stored, non-extractable, and certified.
    for (const c of stored.slice(0, 50)) expect((await storage.getSerial(int.ca.id, c.serialHex))?.state).toBe('issued');
    const keyId = out.certs[7]!.keyId!;
    const material = await storage.getKeyMaterial(keyId);
    expect(material?.privateKey?.extractable).toBe(false);
    expect((await storage.getKeyInfo(keyId))?.name).toBe('host7.bulk.test');

    // The bundle is the certificates, in row order, each with its row's names.
    const blocks = pemBlocks(out.pem);
    expect(blocks).toHaveLength(1000);
    const parts = parseCertificate(derOf(blocks[7]!)).parts;
    const san = parts.extensions.find((e) => e.oid === OID.subjectAltName)!;
    const names = parseGeneralNames(san.value).map((g) => ((g.tag & 0x1f) === 2 ? new TextDecoder().decode(g.content) : [...g.content].join('.')));
    expect(names).toEqual(['host7.bulk.test', 'www7.bulk.test', '10.0.0.7']);
    const verdict = await pki.verifyCertificate(out.certs[999]!.id, { usage: 'tls-server', hostname: 'www999.bulk.test' });
    expect(verdict.valid, JSON.stringify(verdict.steps.filter((s) => !s.ok))).toBe(true);
  }, 240_000);

  it('E2 W3 a job cancelled while signing stores nothing: no certificate, no new key, no cert.issue entry, every reserved serial burned', async () => {
    const { pki, ctx, storage, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const before = await storage.listAuditEntries();
    const keysBefore = (await storage.listKeyInfos()).length;
    const controller = new AbortController();
    const out = await pki.issueBulk({
      caId: int.ca.id,
      rows: pki.parseBulkCsv(csvOf(600)),
      signal: controller.signal,
      // Cancel at an explicit point: when half the rows are signed.
      onProgress: (p) => {
        if (p.phase === 'signing' && p.done >= 300) controller.abort();
      },
    });
    expect(out.status).toBe('cancelled');
    if (out.status === 'cancelled') expect(out.signed).toBeGreaterThanOrEqual(300);
    expect(await storage.listCerts(int.ca.id)).toHaveLength(0);
    expect(await storage.listKeyInfos()).toHaveLength(keysBefore);
    const after = await storage.listAuditEntries();
    expect(after).toHaveLength(before.length);
    expect(await verifyStoredAuditLog(ctx)).toMatchObject({ ok: true });
    // The serials are still there, burned: never to be used again (C1).
    const serials = await new Promise<Array<{ state: string; issuerId: string }>>((resolve, reject) => {
      const open = indexedDB.open(dbName);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const r = db.transaction('serials').objectStore('serials').getAll();
        r.onsuccess = () => {
          db.close();
          resolve(r.result as Array<{ state: string; issuerId: string }>);
        };
        r.onerror = () => reject(r.error);
      };
    });
    const mine = serials.filter((x) => x.issuerId === int.ca.id);
    expect(mine).toHaveLength(600);
    expect(mine.every((s) => s.state === 'burned')).toBe(true);

    // The CA still issues afterwards: the job left a consistent store.
    const again = await pki.issueBulk({ caId: int.ca.id, rows: pki.parseBulkCsv(csvOf(3)) });
    expect(again.status).toBe('issued');
    expect(await storage.listCerts(int.ca.id)).toHaveLength(3);
  }, 240_000);

  it('E2 C7 a refused row refuses the whole job, naming the row, and nothing is reserved or stored', async () => {
    const { pki, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const rows = pki.parseBulkCsv(csvOf(5));
    rows[2] = { ...rows[2]!, validityDays: 500 };
    const refused = await codeOf(pki.issueBulk({ caId: int.ca.id, rows }));
    expect(refused.code).toBe('INVALID_ARGUMENT');
    expect(refused.message).toMatch(/^pki: row 3: .*398 days/);
    expect(await storage.listCerts(int.ca.id)).toHaveLength(0);
    expect((await storage.listAuditEntries()).filter((e) => e.action === 'cert.issue' && e.details.issuerId === int.ca.id)).toHaveLength(0);
    const empty = await codeOf(pki.issueBulk({ caId: int.ca.id, rows: [] }));
    expect(empty.code).toBe('INVALID_ARGUMENT');
  }, 120_000);

  it('E2 C6 rows certify vault keys and CSRs; a compromised vault key is refused by its row', async () => {
    const { pki, ctx, storage } = await freshPki();
    const { int } = await hierarchy(pki);
    const a = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'a' });
    const b = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'b' });
    const csr = await pki.createCsr(b.id, { subject: { CN: 'csr.bulk.test' }, sans: { dns: ['csr.bulk.test', 'alt.bulk.test'] } });
    const out = await pki.issueBulk({
      caId: int.ca.id,
      rows: [
        { profile: 'tls-client', subject: { CN: 'client a' }, keyId: a.id },
        { profile: 'tls-server', csr },
      ],
    });
    if (out.status !== 'issued') throw new Error('not issued');
    expect(out.newKeyIds).toEqual([]);
    expect(out.certs.map((c) => [c.source, c.keyId ?? null, c.subject])).toEqual([
      ['vault', a.id, 'CN=client a'],
      ['csr', null, 'CN=csr.bulk.test'],
    ]);
    expect(out.certs[1]!.sans.dns).toEqual(['csr.bulk.test', 'alt.bulk.test']);

    await compromiseKey(ctx, a.id);
    const refused = await codeOf(pki.issueBulk({ caId: int.ca.id, rows: [{ profile: 'tls-server', csr }, { profile: 'tls-client', subject: { CN: 'again' }, keyId: a.id }] }));
    expect(refused.code).toBe('KEY_STATE');
    expect(refused.message).toMatch(/^pki: row 2: /);
    expect(await storage.listCerts(int.ca.id)).toHaveLength(2);
  }, 120_000);
});

describe('bulk CSV', () => {
  it('reads a header, quoted cells and SANs sorted by shape; defaults profile and validity', () => {
    const rows = parseBulkCsv('\uFEFFCN,SANs,profile,validity_days\r\na.test,"b.test c@test.example; 192.0.2.1 https://u.test/x",,\n\n"Alice, ""A""",,tls-client,30\n');
    expect(rows).toEqual([
      { profile: 'tls-server', subject: { CN: 'a.test' }, sans: { dns: ['b.test'], ip: ['192.0.2.1'], email: ['c@test.example'], uri: ['https://u.test/x'] } },
      { profile: 'tls-client', subject: { CN: 'Alice, "A"' }, validityDays: 30 },
    ]);
  });

  it('MALFORMED_INPUT names the line: unknown profile, bad validity, no name, an open quote, too many columns, no rows', () => {
    const cases: Array<[string, RegExp]> = [
      ['a.test,,root-ca,', /line 1: the profile/],
      ['a.test\nb.test,,tls-server,ten', /line 2: validity_days/],
      ['a.test\n,,tls-server,', /line 2: a common name/],
      ['"a.test,,tls-server,', /line 1: a quote/],
      ['a,b,tls-server,1,extra', /line 1: at most 4 columns/],
      ['cn,sans\n\n', /no rows/],
    ];
    for (const [text, message] of cases) {
      try {
        parseBulkCsv(text);
        expect.unreachable(text);
      } catch (e) {
        expect(isEngineError(e, 'MALFORMED_INPUT'), text).toBe(true);
        expect((e as Error).message).toMatch(message);
      }
    }
  });
});
