// Issue 15, the CRL write path (M3, R1, R4, R6): revocations are kept per CA as encoded,
// linted CRL entries in chunks sorted by serial, written with the revocation; a CRL is
// read + concatenate + sign, byte-equal to the old one-pass encoder's for the same
// entries. Runs in Node (fake-indexeddb) and in Chromium (real IndexedDB).
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { toHex } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import { openStorage, type ClavisStorage } from '../storage/db';
import { CRL_CHUNK_MAX, buildChunks, compareSerial, encodeRevokedEntry, openChunk } from '../storage/crl-chunks';
import type { CertRecord, CrlChunkRecord, RevocationRecord } from '../storage/schema';
import { freshPki, hierarchy, T0 } from '../../testing/pki-fixtures';
import { compareSerialHex, crlEntriesFrom, encodeEntry, encodeTbsCertList, packRevocations } from './crl-codec';
import { parseCrl } from './crl';
import { TAG, children, readTop } from '../internal/der';
import { lintTbsCertList } from './lint';
import { newSerial } from './serial';
import { splitSigned } from './x509';
import { testCaId, testCertId } from '../../testing/ids';
import type { CaId } from '../ids';

const DAY = 86_400_000;

/** Raw IndexedDB: one transaction that adds `records` to `store` of the test's own database. */
function seed(dbName: string, store: 'revocations' | 'certs', records: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(store, 'readwrite');
      for (const r of records) tx.objectStore(store).add(r);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
  });
}

/** A revocation of serial `serialHex` with a reason, dates and expiry that vary with `i`. */
function revocation(issuerId: CaId, serialHex: string, i: number): RevocationRecord {
  const r: RevocationRecord = {
    id: `${issuerId}:${serialHex}`,
    issuerId,
    serialHex,
    certId: testCertId(`${serialHex}`),
    reason: [0, 1, 3, 4, 5, 9][i % 6]!,
    // Milliseconds on purpose: the entry is written in whole seconds.
    revokedAt: new Date(T0 - (i % 977) * 1_003 - 5 * DAY).toISOString(),
    spkiSha256: 'seed',
    // Every 7th certificate has expired at T0: R6 leaves it off the CRL.
    certNotAfter: new Date(i % 7 === 0 ? T0 - DAY : T0 + 90 * DAY).toISOString(),
  };
  if (i % 5 === 0) r.invalidityDate = new Date(T0 - 30 * DAY - i * 1000).toISOString();
  return r;
}

/** A certificate record for a revocation to refer to (the storage checks it exists). */
function certFor(rev: RevocationRecord): CertRecord {
  return {
    id: rev.certId,
    issuerId: rev.issuerId,
    serialHex: rev.serialHex,
    profile: 'tls-server',
    subject: 'CN=seed',
    issuer: 'CN=seed CA',
    sans: { dns: [], ip: [], email: [], uri: [] },
    notBefore: new Date(T0 - 100 * DAY).toISOString(),
    notAfter: rev.certNotAfter,
    source: 'csr',
    spkiSha256: rev.spkiSha256,
    sha256: rev.serialHex,
    truncated: false,
    der: new Uint8Array(1),
    createdAt: new Date(T0 - 100 * DAY).toISOString(),
  };
}

/** Checks the chunk invariants of an issuer and returns its serials in chunk order. */
async function checkChunks(storage: ClavisStorage, issuerId: string, expected: readonly RevocationRecord[]): Promise<CrlChunkRecord[]> {
  const { chunks, revocations } = await storage.readCrlSnapshot(issuerId);
  expect(revocations).toBe(expected.length);
  const serials: string[] = [];
  for (const c of chunks) {
    expect(c.issuerId).toBe(issuerId);
    expect(c.count).toBeLessThanOrEqual(CRL_CHUNK_MAX);
    expect(c.offsets.length).toBe(c.count + 1);
    expect(c.offsets[c.count]).toBe(c.der.length);
    const open = openChunk(c);
    serials.push(...open.serials);
  }
  const want = expected.map((r) => r.serialHex).sort(compareSerialHex);
  // Complete, each serial once, and in serial order across chunks.
  expect(serials).toEqual(want);
  // Each entry is the old encoder's bytes for its revocation.
  const byserial = new Map(expected.map((r) => [r.serialHex, r]));
  for (const c of chunks) {
    const open = openChunk(c);
    for (let i = 0; i < c.count; i++) {
      const r = byserial.get(open.serials[i]!)!;
      const [old] = crlEntriesFrom(packRevocations([{ ...r, certNotAfter: new Date(T0 + DAY).toISOString() }]), T0);
      expect(toHex(open.entries[i]!)).toBe(toHex(encodeEntry(old!)));
      expect(c.notAfter[i]).toBe(Date.parse(r.certNotAfter));
    }
  }
  return chunks;
}

describe('issue 15: CRL entries kept encoded, in sorted chunks', () => {
  it('R4 storage encodes an entry byte-equal to the CRL encoder: high-bit serials, no reasonCode for unspecified, invalidity dates, GeneralizedTime from 2050', () => {
    const cases: RevocationRecord[] = [
      { ...revocation(testCaId('ca'), '01', 0), revokedAt: '2026-03-04T05:06:07.890Z' },
      { ...revocation(testCaId('ca'), '80', 1), revokedAt: '2049-12-31T23:59:59.999Z' },
      { ...revocation(testCaId('ca'), 'ff00aa', 2), revokedAt: '2050-01-01T00:00:00.000Z', invalidityDate: '2025-12-31T10:00:00.500Z' },
      { ...revocation(testCaId('ca'), '7f' + 'ab'.repeat(19), 3), reason: 9 },
      { ...revocation(testCaId('ca'), '00ff'.slice(2), 4), reason: 5, invalidityDate: '2060-06-06T06:06:06.000Z' },
    ];
    for (const r of cases) {
      const [old] = crlEntriesFrom(packRevocations([{ ...r, certNotAfter: '9999-01-01T00:00:00.000Z' }]), T0);
      expect(toHex(encodeRevokedEntry(r))).toBe(toHex(encodeEntry(old!)));
    }
  });

  it('R4 an entry that may not go on a CRL is refused when recorded (reason, serial), with nothing stored', async () => {
    for (const bad of [{ reason: 6 }, { reason: 2 }, { serialHex: '00' }, { serialHex: '0080' }, { serialHex: 'ab'.repeat(21) }, { revokedAt: 'not a date' }]) {
      expect(() => encodeRevokedEntry({ ...revocation(testCaId('ca'), '0a', 1), ...bad }), JSON.stringify(bad)).toThrow();
    }
    const { pki, storage, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const rev = { ...revocation(int.ca.id, '1234', 1), reason: 6 };
    await seed(dbName, 'certs', [certFor(rev)]);
    const before = await storage.getCrlState(int.ca.id);
    const err = await storage.addRevocation(rev).catch((e: unknown) => e);
    expect(isEngineError(err, 'CERT_INVALID'), String(err)).toBe(true);
    // One transaction: no revocation record, no counter bump, no chunk.
    expect(await storage.getRevocation(int.ca.id, '1234')).toBeUndefined();
    expect(await storage.getCrlState(int.ca.id)).toEqual(before);
    expect((await storage.readCrlSnapshot(int.ca.id)).chunks).toEqual([]);
  });

  it('M3 random revocations, one at a time and in batches: chunks stay sorted, complete and split below the maximum', async () => {
    const { pki, ctx, storage, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const revs = Array.from({ length: 2_600 }, (_, i) => revocation(int.ca.id, newSerial(ctx.random).hex, i));
    // A few short serials too, which sort before every 17-byte one.
    revs.push(revocation(int.ca.id, '05', 2_600), revocation(int.ca.id, '7fff', 2_601), revocation(int.ca.id, '0100', 2_602));
    await seed(dbName, 'certs', revs.map(certFor));
    const recorded: RevocationRecord[] = [];
    let i = 0;
    // Single revocations (addRevocation), then batches (commitAudited, as a key's or an owner's
    // certificates are revoked with it), in random serial order.
    for (; i < 40; i++) {
      await storage.addRevocation(revs[i]!);
      recorded.push(revs[i]!);
    }
    await checkChunks(storage, int.ca.id, recorded);
    while (i < revs.length) {
      const batch = revs.slice(i, i + 700);
      await storage.commitAudited({ head: await storage.getAuditHead(), entries: [], addRevocations: batch });
      recorded.push(...batch);
      i += batch.length;
      await checkChunks(storage, int.ca.id, recorded);
    }
    const chunks = await checkChunks(storage, int.ca.id, recorded);
    expect(chunks.length).toBeGreaterThan(revs.length / CRL_CHUNK_MAX);
    // The revision counter moved with every revocation, in the same transactions.
    expect((await storage.getCrlState(int.ca.id)).revisions).toBe(revs.length);
    // A serial already listed is refused, and the chunks are unchanged.
    const again = await storage.addRevocation(revs[7]!).catch((e: unknown) => e);
    expect(isEngineError(again, 'CERT_REVOKED'), String(again)).toBe(true);
    await checkChunks(storage, int.ca.id, recorded);
  }, 300_000);

  it('R1/R6 a published CRL is byte-equal to the one-pass encoder over the same revocations, whether the chunks were rebuilt or grown revocation by revocation', async () => {
    const { pki, ctx, storage, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    // Revocations written without chunks (a vault from before them): the first publication rebuilds them.
    const seeded = Array.from({ length: 3_000 }, (_, i) => revocation(int.ca.id, newSerial(ctx.random).hex, i));
    await seed(dbName, 'revocations', seeded);
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'leaf' });
    const real = [];
    for (let i = 0; i < 3; i++) real.push(await pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: `l${i}` } }));

    const compare = async () => {
      const der = await pki.exportCrl(int.ca.id, 'der');
      const crl = parseCrl(der);
      const tbs = splitSigned(der, 'CRL').tbs;
      const parts = children(readTop(tbs, TAG.SEQUENCE));
      const all = await storage.listRevocations(int.ca.id);
      const old = encodeTbsCertList({
        algorithm: tbs.slice(parts[1]!.start, parts[1]!.end),
        issuer: tbs.slice(parts[2]!.start, parts[2]!.end),
        thisUpdate: crl.thisUpdate,
        nextUpdate: crl.nextUpdate!,
        entries: crlEntriesFrom(packRevocations(all), crl.thisUpdate.getTime()),
        authorityKeyId: crl.authorityKeyId!,
        number: crl.number!,
      });
      expect(toHex(tbs)).toBe(toHex(old));
      // The entries' full lint (which publication skips: they were linted when recorded).
      expect(lintTbsCertList(tbs, { outerAlgorithm: tbs.slice(parts[1]!.start, parts[1]!.end), issuerName: crl.issuer, issuerSki: crl.authorityKeyId!, now: new Date(T0), issuesLeaves: true })).toEqual([]);
      return crl;
    };

    const first = await pki.publishCrl(int.ca.id);
    // R6: every 7th seeded certificate has expired.
    expect(first.entries).toBe(seeded.filter((_, i) => i % 7 !== 0).length);
    await compare();
    await checkChunks(storage, int.ca.id, seeded);

    // Revocations through the CA grow the chunks in place.
    for (const r of real) await pki.revokeCertificate(r.cert.id, { reason: 'keyCompromise' });
    const crl = await compare();
    for (const r of real) expect(crl.revoked.get(r.cert.serialHex)).toBe(1);
    expect((await pki.getCrl(int.ca.id))!.entries).toBe(first.entries + real.length);
    const sorted = [...crl.revoked.keys()];
    expect(sorted).toEqual([...sorted].sort(compareSerial));
  }, 300_000);

  it('R1 a connection that read the chunks before sees a revocation another connection recorded since: the changed chunk is read again', async () => {
    const { pki, ctx, storage, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const revs = Array.from({ length: 1_500 }, (_, i) => revocation(int.ca.id, newSerial(ctx.random).hex, i + 1));
    await seed(dbName, 'certs', revs.map(certFor));
    await storage.commitAudited({ head: await storage.getAuditHead(), entries: [], addRevocations: revs.slice(0, 1_400) });
    const before = await storage.readCrlSnapshot(int.ca.id);
    // "Another tab": its own connection records 100 more.
    const other = await openStorage({ name: dbName });
    await other.commitAudited({ head: await other.getAuditHead(), entries: [], addRevocations: revs.slice(1_400) });
    other.close();
    const after = await storage.readCrlSnapshot(int.ca.id);
    expect(after.revocations).toBe(1_500);
    expect(after.chunks.reduce((n, c) => n + c.count, 0)).toBe(1_500);
    expect(after.state.revisions).toBe(before.state.revisions + 100);
    await checkChunks(storage, int.ca.id, revs);
  });

  it('R1 a snapshot counts the revocation records again when the chunks did not move with the revs counter (records written without chunks)', async () => {
    const { pki, ctx, storage, dbName } = await freshPki();
    const { int } = await hierarchy(pki);
    const revs = Array.from({ length: 1_430 }, (_, i) => revocation(int.ca.id, newSerial(ctx.random).hex, i + 1));
    await seed(dbName, 'certs', revs.map(certFor));
    await storage.commitAudited({ head: await storage.getAuditHead(), entries: [], addRevocations: revs.slice(0, 1_400) });
    // Counted, and found complete.
    expect((await storage.readCrlSnapshot(int.ca.id)).revocations).toBe(1_400);
    // Then 30 records and a counter bump of 50 arrive without chunks: the counter alone would say 1,450.
    await seed(dbName, 'revocations', revs.slice(1_400));
    const state = await storage.getCrlState(int.ca.id);
    await new Promise<void>((resolve, reject) => {
      const open = indexedDB.open(dbName);
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        const tx = db.transaction('counters', 'readwrite');
        tx.objectStore('counters').put({ key: `revs:${int.ca.id}`, value: state.revisions + 50 });
        tx.oncomplete = () => {
          db.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
    });
    const snap = await storage.readCrlSnapshot(int.ca.id);
    expect(snap.revocations).toBe(1_430);
    expect(snap.chunks.reduce((n, c) => n + c.count, 0)).toBe(1_400);
    // Publication rebuilds the chunks from the records: the CRL lists all 1,430 that have not expired.
    await pki.publishCrl(int.ca.id);
    await checkChunks(storage, int.ca.id, revs);
  });

  it('W4 the v7 → v8 step builds the chunks of the revocations a vault already holds', async () => {
    const name = `clavis-chunks-v7-${Date.now()}-${Math.floor(performance.now())}`;
    const open = indexedDB.open(name, 7);
    open.onupgradeneeded = () => {
      const db = open.result;
      const revocations = db.createObjectStore('revocations', { keyPath: 'id' });
      revocations.createIndex('byIssuer', 'issuerId');
      revocations.createIndex('byIssuerSerial', ['issuerId', 'serialHex'], { unique: true });
      revocations.createIndex('bySpki', 'spkiSha256');
      db.createObjectStore('counters', { keyPath: 'key' });
    };
    const v7 = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const a = Array.from({ length: 1_300 }, (_, i) => revocation(testCaId('a'), (0x100000 + i * 7919).toString(16), i));
    const b = [revocation(testCaId('b'), '42', 1)];
    const tx = v7.transaction('revocations', 'readwrite');
    for (const r of [...b, ...a]) tx.objectStore('revocations').add(r);
    await new Promise((r) => (tx.oncomplete = r));
    v7.close();

    const storage = await openStorage({ name });
    const chunksA = await checkChunks(storage, testCaId('a'), a);
    expect(chunksA.map((c) => c.count)).toEqual(buildChunks(testCaId('a'), a).map((c) => c.count));
    await checkChunks(storage, testCaId('b'), b);
    storage.close();
  });
});
