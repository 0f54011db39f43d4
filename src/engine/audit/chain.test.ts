import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { concat, fromHex, toBase64, toBase64Url, toHex, utf8 } from '../internal/bytes';
import {
  appendEntries,
  appendEntry,
  auditHead,
  canonicalJson,
  GENESIS_HASH,
  verifyAuditLog,
  type AuditDraft,
  type AuditEntry,
  type JsonValue,
} from './chain';
import { parseJsonLines, toJsonLines } from './export';
import { assertNoSecrets } from './no-secrets';

const subtle = crypto.subtle;
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function draft(i: number): AuditDraft {
  return {
    at: new Date(T0 + i * 1000).toISOString(),
    actor: 'operator',
    action: i % 2 ? 'key.rotate' : 'key.create',
    subject: [`key_${i.toString(16).padStart(32, '0')}`],
    details: { version: i, template: 'AES-GCM-256', fingerprint: 'ab'.repeat(32), note: `entry ${i}` },
  };
}

async function buildLog(n: number): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let i = 1; i <= n; i++) out.push(await appendEntry(out.at(-1) ?? null, draft(i)));
  return out;
}

async function failure(entries: unknown[]) {
  const r = await verifyAuditLog(subtle, entries);
  if (r.ok) throw new Error('tampering was not detected');
  return r;
}

describe('audit chain: A1 construction', () => {
  it('canonical JSON sorts keys at every depth and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null, true], c: 'é' } })).toBe('{"a":{"c":"é","d":[1,"x",null,true]},"b":1}');
  });

  it('canonical JSON refuses what is not plain JSON', () => {
    for (const bad of [{ x: undefined }, { x: NaN }, { x: new Date(T0) }, { x: new Uint8Array(2) }, { x: () => 1 }]) {
      let e: unknown;
      try {
        canonicalJson(bad);
      } catch (x) {
        e = x;
      }
      expect(isEngineError(e, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('A1 h_1 = SHA-256(genesis || canonical(entry_1)) and h_i chains on h_{i-1}, recomputed independently', async () => {
    const log = await buildLog(3);
    let prev = GENESIS_HASH;
    for (const e of log) {
      const canon = `{"action":"${e.action}","actor":"operator","at":"${e.at}","details":${canonicalJson(e.details)},"seq":${e.seq},"subject":["${e.subject[0]}"]}`;
      const h = toHex(await subtle.digest('SHA-256', concat(fromHex(prev), utf8(canon))));
      expect(e.prevHash).toBe(prev);
      expect(e.hash).toBe(h);
      prev = h;
    }
    expect(log.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('verifies an intact log and reports its head; an empty log is fine', async () => {
    const log = await buildLog(5);
    expect(await verifyAuditLog(subtle, log)).toEqual({ ok: true, count: 5, head: { seq: 5, hash: log[4]!.hash } });
    expect(await verifyAuditLog(subtle, [])).toEqual({ ok: true, count: 0 });
  });

  it('the logged entry does not change when the caller later mutates its draft', async () => {
    const d = draft(1);
    const e = await appendEntry(null, d);
    (d.details as Record<string, JsonValue>).note = 'changed';
    d.subject.push('key_other');
    expect(await verifyAuditLog(subtle, [e])).toMatchObject({ ok: true });
  });

  it('refuses malformed drafts', async () => {
    const bad: Array<Partial<AuditDraft>> = [
      { ...draft(1), at: 'yesterday' },
      { ...draft(1), actor: '' },
      { ...draft(1), action: 'Key Rotate' },
      { ...draft(1), details: [] as unknown as AuditDraft['details'] },
    ];
    for (const d of bad) await expect(appendEntry(null, d as AuditDraft)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('JSON Lines export round-trips and still verifies', async () => {
    const log = await buildLog(4);
    const text = toJsonLines(log);
    expect(text.split('\n')).toHaveLength(5);
    expect(text).not.toMatch(/\n\s/);
    const back = parseJsonLines(text);
    expect(back).toEqual(log);
    expect((await verifyAuditLog(subtle, back)).ok).toBe(true);
    expect(() => parseJsonLines('{"seq":1}\n')).toThrow(/line 1 is not an audit entry/);
    expect(() => parseJsonLines('{oops\n')).toThrow(/line 1 is not JSON/);
  });
});

describe('audit chain: A1 tamper detection, each detected and located', () => {
  it('A1 changing one entry’s content is detected at that entry (changed)', async () => {
    const log = await buildLog(6);
    const t = structuredClone(log);
    (t[2]!.details as Record<string, JsonValue>).version = 99;
    expect(await failure(t)).toMatchObject({ kind: 'changed', firstBadSeq: 3, index: 2 });
  });

  it('A1 changing one entry and recomputing its hash is detected and blamed on that entry (changed)', async () => {
    const log = await buildLog(6);
    const t = structuredClone(log);
    const forged = await appendEntry(t[1]!, { ...draft(3), actor: 'mallory' });
    t[2] = forged;
    const r = await failure(t);
    expect(r).toMatchObject({ kind: 'changed', firstBadSeq: 3, index: 2 });
    expect(r.explanation).toMatch(/entry 3 was changed and its hash recomputed/);
  });

  it('A1 deleting one entry is detected and the missing seq named (removed)', async () => {
    const log = await buildLog(6);
    const t = log.filter((e) => e.seq !== 4);
    const r = await failure(t);
    expect(r).toMatchObject({ kind: 'removed', firstBadSeq: 4, index: 3 });
    expect(r.explanation).toBe('entry 4 is missing: the log jumps from 3 to 5');
  });

  it('A1 deleting the first entry is detected (removed, seq 1)', async () => {
    const log = await buildLog(3);
    expect(await failure(log.slice(1))).toMatchObject({ kind: 'removed', firstBadSeq: 1 });
  });

  it('A1 reordering two entries is detected and located (reordered)', async () => {
    const log = await buildLog(6);
    const t = [...log];
    [t[2], t[3]] = [t[3]!, t[2]!];
    const r = await failure(t);
    expect(r).toMatchObject({ kind: 'reordered', firstBadSeq: 3, index: 2 });
    expect(r.explanation).toBe('entry 4 appears before entry 3: the log was reordered');
  });

  it('A1 inserting a correctly chained forgery is detected and the forgery located (inserted)', async () => {
    const log = await buildLog(6);
    const forged = await appendEntry(log[1]!, { ...draft(3), action: 'key.destroy' });
    const t = [...log.slice(0, 2), forged, ...log.slice(2)];
    const r = await failure(t);
    expect(r).toMatchObject({ kind: 'inserted', firstBadSeq: 3, index: 2 });
  });

  it('A1 inserting a copied entry with edited content is detected and located (inserted)', async () => {
    const log = await buildLog(6);
    const copy = structuredClone(log[2]!);
    (copy.details as Record<string, JsonValue>).note = 'forged';
    const t = [...log.slice(0, 2), copy, ...log.slice(2)];
    expect(await failure(t)).toMatchObject({ kind: 'inserted', firstBadSeq: 3, index: 2 });
  });

  it('A1 inserting a duplicate of an earlier entry is detected (inserted)', async () => {
    const log = await buildLog(5);
    const t = [...log.slice(0, 3), log[1]!, ...log.slice(3)];
    expect(await failure(t)).toMatchObject({ kind: 'inserted', firstBadSeq: 2, index: 3 });
  });

  it('A1 truncation and appending past a recorded head are caught with the head', async () => {
    const log = await buildLog(5);
    const head = auditHead(log)!;
    expect((await verifyAuditLog(subtle, log.slice(0, 3))).ok).toBe(true); // the chain alone cannot see a cut at the end
    expect(await verifyAuditLog(subtle, log.slice(0, 3), { head })).toMatchObject({ ok: false, kind: 'removed', firstBadSeq: 4 });
    const more = [...log, await appendEntry(log[4]!, draft(6))];
    expect((await verifyAuditLog(subtle, more, { head })).ok).toBe(true);
    expect(await verifyAuditLog(subtle, more, { head, exact: true })).toMatchObject({ ok: false, kind: 'inserted', firstBadSeq: 6 });
  });

  it('A1 a full rewrite from some entry on is caught with the head', async () => {
    const log = await buildLog(5);
    const head = auditHead(log)!;
    const rewritten = [...log.slice(0, 2)];
    for (let i = 3; i <= 5; i++) rewritten.push(await appendEntry(rewritten.at(-1)!, { ...draft(i), actor: 'mallory' }));
    expect((await verifyAuditLog(subtle, rewritten)).ok).toBe(true);
    expect(await verifyAuditLog(subtle, rewritten, { head })).toMatchObject({ ok: false, kind: 'changed', firstBadSeq: 5 });
  });

  it('A1 every single-entry change anywhere in the log is detected at that entry', async () => {
    const log = await buildLog(8);
    for (let i = 0; i < log.length; i++) {
      for (const field of ['at', 'actor', 'action', 'subject', 'seq'] as const) {
        const t = structuredClone(log);
        const e = t[i]! as unknown as Record<string, unknown>;
        e[field] = field === 'seq' ? (e.seq as number) + 100 : field === 'subject' ? ['key_x'] : `${String(e[field])}x`;
        const r = await failure(t);
        expect(r.index, `${field} of entry ${i + 1}`).toBe(i);
      }
    }
  });
});

describe('audit chain: A3 no secrets in audit entries', () => {
  const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
  const pick = <T>(xs: readonly T[]): T => xs[random(1)[0]! % xs.length]!;

  /** Key material in the encodings it would leak in. */
  function secretEncodings(): JsonValue[] {
    const k = random(16 + (random(1)[0]! % 49)); // 16..64 bytes
    const pem = `-----BEGIN ${pick(['', 'EC ', 'RSA ', 'ENCRYPTED '])}PRIVATE KEY-----\n${toBase64(random(8))}\n-----END PRIVATE KEY-----`;
    return [
      toHex(k),
      toHex(k).toUpperCase(),
      toBase64(k),
      toBase64Url(k),
      `prefix ${toBase64(k)} suffix`,
      pem,
      Array.from(k),
      { kty: 'oct', k: toBase64Url(random(4)) },
      { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'dd' },
      { kty: 'RSA', n: 'n', e: 'AQAB', p: 'p', q: 'q', dp: 'a', dq: 'b', qi: 'c' },
      JSON.stringify({ kty: 'oct', k: 'abc' }),
    ];
  }

  /** Places `secret` somewhere inside an otherwise harmless details object. */
  function embed(secret: JsonValue): AuditDraft['details'] {
    // Machine fields; human-text and id fields have their own rules (tested below).
    const field = pick(['value', 'material', 'jwk', 'blob', 'data', 'wrapped', 'output']);
    const where = random(1)[0]! % 3;
    if (where === 0) return { template: 'AES-GCM-256', [field]: secret };
    if (where === 1) return { outer: { list: [1, 'ok', { [field]: secret }] } };
    return { items: [secret] };
  }

  it('A3 property: appendEntry refuses details that carry key material in any encoding, anywhere (300 random cases)', async () => {
    for (let i = 0; i < 300; i++) {
      const secret = pick(secretEncodings());
      const details = embed(secret);
      const err = await appendEntry(null, { ...draft(1), details }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isEngineError(err, 'INVALID_ARGUMENT'), `accepted: ${JSON.stringify(details)}`).toBe(true);
      // The refusal names the field, never the value.
      const text = typeof secret === 'string' ? secret : JSON.stringify(secret);
      expect((err as Error).message).toMatch(/^audit: .* looks like key material/);
      expect((err as Error).message).not.toContain(text.slice(0, 12));
    }
  });

  it('A3 real exported keys (JWK and PKCS#8 PEM of extractable test twins) are refused', async () => {
    const ec = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
    const aes = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
    const jwk = (await subtle.exportKey('jwk', ec.privateKey)) as unknown as JsonValue;
    const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', ec.privateKey));
    const pem = `-----BEGIN PRIVATE KEY-----\n${toBase64(pkcs8)}\n-----END PRIVATE KEY-----\n`;
    const raw = new Uint8Array(await subtle.exportKey('raw', aes));
    for (const secret of [jwk, pem, toBase64(pkcs8), toHex(raw), toBase64Url(raw), (jwk as Record<string, JsonValue>).d!]) {
      expect(() => assertNoSecrets({ exported: secret }), JSON.stringify(secret).slice(0, 20)).toThrow(/looks like key material/);
    }
  });

  it('A3 refuses secret-named fields, bytes and CryptoKeys, but not flags about them', async () => {
    expect(() => assertNoSecrets({ passphrase: 'hunter2' })).toThrow(/details\.passphrase looks like key material/);
    expect(() => assertNoSecrets({ privateKey: { a: 1 } })).toThrow(/privateKey/);
    expect(() => assertNoSecrets({ x: new Uint8Array(4) })).toThrow(/raw bytes/);
    const key = await subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']);
    expect(() => assertNoSecrets({ key })).toThrow(/a CryptoKey/);
    expect(() => assertNoSecrets({ passphraseChanged: true, secret: null })).not.toThrow();
  });

  it('A3 allows long hex digests only in digest fields, and only as hex', () => {
    const sha = toHex(random(32));
    expect(() => assertNoSecrets({ fingerprint: sha, spkiSha256: sha, headHash: sha, serial: toHex(random(20)) })).not.toThrow();
    expect(() => assertNoSecrets({ fingerprint: sha.match(/../g)!.join(':') })).not.toThrow();
    expect(() => assertNoSecrets({ note: sha })).toThrow(/details\.note looks like key material \(a 64-character hex\/base64 blob\)/);
    // A digest field is no hiding place for base64 key material or a PEM block.
    expect(() => assertNoSecrets({ hash: toBase64(random(32)) })).toThrow(/details\.hash/);
    expect(() => assertNoSecrets({ fingerprint: '-----BEGIN PRIVATE KEY-----' })).toThrow(/PEM private key/);
  });

  it('A3 human-text fields accept names people type but not long blobs; id fields accept ids', () => {
    expect(() => assertNoSecrets({ name: 'Backup2024ProductionDatabaseKey', reason: 'owner left (ticket OPS-1234)' })).not.toThrow();
    expect(() => assertNoSecrets({ name: toBase64(random(32)) })).toThrow(/details\.name looks like key material/);
    expect(() => assertNoSecrets({ value: 'Backup2024ProductionDatabaseKey' })).toThrow(/details\.value/); // machine field: too blob-like
    expect(() => assertNoSecrets({ template: 'RSASSA-PKCS1-v1_5-4096', keyId: `key_${toHex(random(16))}`, ticketId: toHex(random(16)) })).not.toThrow();
    expect(() => assertNoSecrets({ keyId: toBase64(random(32)) })).toThrow(/details\.keyId/);
  });

  it('A3 property: ordinary audit details are accepted (300 random cases)', async () => {
    const words = ['key.create', 'AES-GCM-256', 'ECDSA-P-256', 'superseded', 'operator', 'a-very-long-kebab-case-label-that-is-still-harmless-text'];
    for (let i = 0; i < 300; i++) {
      const details: AuditDraft['details'] = {
        keyId: `key_${toHex(random(16))}`,
        certId: `cert_${toHex(random(16))}`,
        version: random(1)[0]!,
        template: pick(words),
        fingerprint: toHex(random(32)),
        when: new Date(T0 + random(1)[0]! * 1000).toISOString(),
        reasons: [pick(words), pick(words)],
        ok: random(1)[0]! % 2 === 0,
        sizes: [1, 2, 3],
      };
      await expect(appendEntry(null, { ...draft(1), details })).resolves.toMatchObject({ seq: 1 });
    }
  });

  it('A3 a batch (appendEntries) refuses a blob in a machine field that it accepted in a text field earlier in the batch', async () => {
    const value = 'Backup2024ProductionDatabaseKey';
    const batch: AuditDraft[] = [{ ...draft(1), details: { name: value } }, { ...draft(2), details: { name: value } }, { ...draft(3), details: { value } }];
    await expect(appendEntries(null, batch)).rejects.toThrow(/details\.value looks like key material/);
    await expect(appendEntries(null, batch.slice(0, 2))).resolves.toHaveLength(2);
  });

  it('A3 a batch refuses key material in its last draft even when every other value repeats', async () => {
    const batch = Array.from({ length: 50 }, (_, i) => ({ ...draft(1), details: { issuerId: `ca_${'ab'.repeat(16)}`, profile: 'tls-server', n: i } }) as AuditDraft);
    batch.push({ ...draft(1), details: { issuerId: `ca_${'ab'.repeat(16)}`, profile: toBase64(random(32)) } });
    await expect(appendEntries(null, batch)).rejects.toThrow(/details\.profile looks like key material/);
  });

  it('A1 a batch chains exactly as appendEntry one at a time', async () => {
    const drafts = Array.from({ length: 5 }, (_, i) => draft(i + 1));
    const one = await buildLog(5);
    const batch = await appendEntries(null, drafts);
    expect(batch).toEqual(one);
    const more = await appendEntries(batch.at(-1)!, [draft(6), draft(7)]);
    expect(more.map((e) => e.seq)).toEqual([6, 7]);
    expect(more[0]!.prevHash).toBe(batch.at(-1)!.hash);
    await expect(verifyAuditLog(subtle, [...batch, ...more])).resolves.toMatchObject({ ok: true });
  });
});
