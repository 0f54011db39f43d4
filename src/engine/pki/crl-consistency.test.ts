// Issue 14 defect 1 (R1, R2, R6, G3): a CRL's number and contents come from one snapshot;
// a CRL missing a recorded revocation is never stored as the latest; a CA left stale (a
// tab closed between revocation and publication) is rebuilt at start-up and on the next
// revocation; thisUpdate is never before a revocation it lists. Runs in Node and Chromium.
import { describe, expect, it } from 'vitest';
import { generateKey } from '../keys/vault';
import type { ClavisStorage } from '../storage/db';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { createPki } from './index';
import { parseCrl } from './crl';
import type { CaId } from '../ids';

/** A promise and its resolver: the test decides when a stalled call continues. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

async function setup() {
  const f = await freshPki();
  const h = await hierarchy(f.pki);
  const leaf = async (cn: string, caId = h.int.ca.id) => {
    const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: cn });
    return f.pki.issueCertificate({ caId, keyId: key.id, profile: 'tls-server', subject: { CN: cn } });
  };
  return { ...f, ...h, leaf };
}

/** Every stored CRL of a CA, oldest first, parsed. */
async function history(pki: ReturnType<typeof createPki>, caId: CaId) {
  const infos = (await pki.listCrls(caId, 100)).reverse();
  return Promise.all(infos.map(async (i) => ({ info: i, crl: parseCrl(await pki.exportCrl(caId, 'der', i.number)) })));
}

describe('issue 14: CRLs from one consistent snapshot', () => {
  it('R1/G3 a rebuild that read the revocations before another tab revoked and published never stores an older snapshot as the latest', async () => {
    const { ctx, pki, int, leaf } = await setup();
    const a = await leaf('a.example.test');
    const b = await leaf('b.example.test');
    await pki.revokeCertificate(a.cert.id, { reason: 'superseded' });
    // "Tab 2": its first read of the revocations (the CRL snapshot: counters and encoded
    // entries) completes, then stalls until the test opens the gate.
    const stall = gate();
    const read = gate();
    let stalled = false;
    const slow: ClavisStorage = new Proxy(ctx.storage, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'readCrlSnapshot' || typeof v !== 'function') return v;
        return async (...args: unknown[]) => {
          const page = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (!stalled) {
            stalled = true;
            read.open();
            await stall.opened;
          }
          return page;
        };
      },
    });
    const tab2 = createPki({ ...ctx, storage: slow });
    const rebuilding = tab2.publishCrl(int.ca.id);
    await read.opened;
    // "Tab 1" revokes b and publishes while tab 2's snapshot (without b) is in flight.
    const rb = await pki.revokeCertificate(b.cert.id, { reason: 'keyCompromise' });
    expect(rb.crl).toBeDefined();
    stall.open();
    await rebuilding;

    const latest = parseCrl(await pki.exportCrl(int.ca.id, 'der'));
    expect([...latest.revoked.keys()].sort()).toEqual([a.cert.serialHex, b.cert.serialHex].sort());
    // Numbers unique and increasing; no CRL lists less than the one before it.
    const all = await history(pki, int.ca.id);
    const numbers = all.map((h) => h.crl.number!);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    expect(new Set(numbers).size).toBe(numbers.length);
    for (let i = 1; i < all.length; i++) {
      for (const serial of all[i - 1]!.crl.revoked.keys()) expect(all[i]!.crl.revoked.has(serial), `CRL ${numbers[i]} keeps ${serial}`).toBe(true);
    }
  });

  it('R6 a revocation whose CRL was never published (tab closed) makes the CA due at start-up, and the rebuild lists it', async () => {
    const { ctx, pki, storage, int, leaf } = await setup();
    const a = await leaf('a.example.test');
    // The revocation is stored; the tab closes before the CRL is built.
    await storage.addRevocation({ id: `${int.ca.id}:${a.cert.serialHex}`, issuerId: int.ca.id, serialHex: a.cert.serialHex, certId: a.cert.id, reason: 1, revokedAt: new Date(ctx.clock.now()).toISOString(), spkiSha256: a.cert.spkiSha256, certNotAfter: a.cert.notAfter });
    // nextUpdate is days away, yet the CA is due: its latest CRL misses a revocation.
    const due = await pki.crlsDue(0);
    expect(due).toContain(int.ca.id);
    await pki.publishCrl(int.ca.id);
    expect(parseCrl(await pki.exportCrl(int.ca.id, 'der')).revoked.has(a.cert.serialHex)).toBe(true);
    expect(await pki.crlsDue(0)).not.toContain(int.ca.id);
  });

  it('R6 the next revocation at any CA also rebuilds another CA left stale', async () => {
    const { ctx, pki, storage, root, int, leaf } = await setup();
    const other = await pki.createIntermediateCa({ name: 'Other', parentId: root.ca.id, subject: { CN: 'Clavis Test Other CA' }, pathLen: 0 });
    const a = await leaf('a.example.test');
    const b = await leaf('b.example.test', other.ca.id);
    await storage.addRevocation({ id: `${int.ca.id}:${a.cert.serialHex}`, issuerId: int.ca.id, serialHex: a.cert.serialHex, certId: a.cert.id, reason: 4, revokedAt: new Date(ctx.clock.now()).toISOString(), spkiSha256: a.cert.spkiSha256, certNotAfter: a.cert.notAfter });
    await pki.revokeCertificate(b.cert.id, { reason: 'superseded' });
    expect(parseCrl(await pki.exportCrl(other.ca.id, 'der')).revoked.has(b.cert.serialHex)).toBe(true);
    expect(parseCrl(await pki.exportCrl(int.ca.id, 'der')).revoked.has(a.cert.serialHex)).toBe(true);
  });

  it('R2 thisUpdate is never earlier than a revocation date the CRL lists', async () => {
    const { pki, int, leaf, clock } = await setup();
    const a = await leaf('a.example.test');
    clock.advance(3_600_000);
    const out = await pki.revokeCertificate(a.cert.id, { reason: 'keyCompromise' });
    const crl = parseCrl(await pki.exportCrl(int.ca.id, 'der'));
    expect(crl.thisUpdate.getTime()).toBeGreaterThanOrEqual(Date.parse(out.cert.revocation!.revokedAt));
    expect(crl.thisUpdate.getTime()).toBeLessThanOrEqual(clock.now());
  });

  it('R1 concurrent revocations and rebuilds from two connections: the latest CRL lists every revocation, numbers unique and increasing', async () => {
    const { ctx, pki, int, leaf, dbName } = await setup();
    const { openStorage } = await import('../storage/db');
    const storage2 = await openStorage({ name: dbName });
    const tab2 = createPki({ ...ctx, storage: storage2 });
    const leaves = [];
    for (let i = 0; i < 8; i++) leaves.push(await leaf(`c${i}.example.test`));
    await Promise.all(
      leaves.flatMap((l, i) => {
        const p = i % 2 ? tab2 : pki;
        return [p.revokeCertificate(l.cert.id, { reason: 'superseded' }), (i % 2 ? pki : tab2).publishCrl(int.ca.id)];
      }),
    );
    const latest = parseCrl(await pki.exportCrl(int.ca.id, 'der'));
    expect(latest.revoked.size).toBe(leaves.length);
    const numbers = (await history(pki, int.ca.id)).map((h) => h.crl.number!);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    const verified = await ctx.storage.listAuditEntries();
    expect(verified.filter((e) => e.action === 'cert.revoke')).toHaveLength(leaves.length);
    storage2.close();
  });
});
