// SECURITY.md A1, issue 14 #6: the audit export carries the hash recipe, the signed head
// and the audit public key on its first line, so a reader can verify the file offline and
// a cut tail or a rewritten head is seen from the export alone. Runs in Node and Chromium.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { toBase64, toHex } from '../internal/bytes';
import { headMessage } from './chain';
import { AUDIT_EXPORT_FORMAT, parseAuditExport, parseJsonLines, verifyAuditExport, type AuditExportHeader } from './export';

async function loggedExport() {
  const { engine } = await freshEngine();
  const k = await engine.generateKey({ template: 'AES-GCM-256', name: 'orders' });
  await engine.renameKey(k.id, 'orders-2');
  await engine.rotateKey(k.id);
  await engine.generateKey({ template: 'ECDSA-P-256', name: 'signer' });
  const text = await engine.exportAuditLog();
  return { engine, text };
}

const lines = (t: string) => t.trim().split('\n');
const header = (t: string) => JSON.parse(lines(t)[0]!) as AuditExportHeader;
const withHeader = (h: AuditExportHeader, entryLines: string[]) => `${JSON.stringify(h)}\n${entryLines.map((l) => `${l}\n`).join('')}`;

describe('A1: the audit export verifies offline from the file alone', () => {
  it('the first line states the hash recipe and holds the signed head and the audit public key; the file verifies', async () => {
    const { engine, text } = await loggedExport();
    const h = header(text);
    expect(h.format).toBe(AUDIT_EXPORT_FORMAT);
    expect(h.recipe).toMatch(/SHA-256/);
    expect(h.recipe).toMatch(/canonical JSON/);
    const entries = parseJsonLines(text);
    expect(h.count).toBe(entries.length);
    expect(h.head).toMatchObject({ seq: entries.length, hash: entries.at(-1)!.hash, sig: expect.stringMatching(/^[0-9a-f]{128}$/) });
    expect(h.auditKey!.jwk).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect(h.auditKey!.jwk).not.toHaveProperty('d');
    expect(h.auditKey!.spkiSha256).toBe(await engine.auditKeyFingerprint());
    // Offline: a bare SubtleCrypto, no vault.
    expect(await verifyAuditExport(crypto.subtle, text)).toMatchObject({ ok: true, count: entries.length, headSigned: true, auditKeySha256: h.auditKey!.spkiSha256 });
    expect(await engine.verifyAuditExport(text)).toMatchObject({ ok: true, headSigned: true });
  });

  it('a truncated export (the last entries cut, header kept) is detected', async () => {
    const { text } = await loggedExport();
    const ls = lines(text);
    const cut = `${ls.slice(0, -2).join('\n')}\n`;
    expect(await verifyAuditExport(crypto.subtle, cut)).toMatchObject({ ok: false, kind: 'removed' });
  });

  it('a rewritten head (the tail cut and the head moved to the new end) fails its signature', async () => {
    const { text } = await loggedExport();
    const h = header(text);
    const entryLines = lines(text).slice(1, -2);
    const newEnd = parseJsonLines(entryLines.join('\n')).at(-1)!;
    const forged = withHeader({ ...h, count: entryLines.length, head: { ...h.head!, seq: newEnd.seq, hash: newEnd.hash } }, entryLines);
    const v = await verifyAuditExport(crypto.subtle, forged);
    expect(v).toMatchObject({ ok: false, headSigned: false });
    expect(v.ok ? '' : v.explanation).toMatch(/not signed by the export's audit key/);
  });

  it('an edited entry with its chain recomputed is caught by the head; an edited entry alone by the chain', async () => {
    const { text } = await loggedExport();
    const ls = lines(text);
    const e2 = JSON.parse(ls[2]!) as Record<string, unknown>;
    const edited = [...ls];
    edited[2] = JSON.stringify({ ...e2, actor: 'someone else' });
    expect(await verifyAuditExport(crypto.subtle, `${edited.join('\n')}\n`)).toMatchObject({ ok: false, kind: 'changed', firstBadSeq: 2 });
  });

  it('a head re-signed with a key of the forger\'s own verifies, but its key fingerprint is not the vault\'s (the stated limit)', async () => {
    const { engine, text } = await loggedExport();
    const h = header(text);
    const entryLines = lines(text).slice(1, -1);
    const newEnd = parseJsonLines(entryLines.join('\n')).at(-1)!;
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
    const sig = toHex(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, headMessage(newEnd.seq, newEnd.hash)));
    const forgedHeader: AuditExportHeader = {
      ...h,
      count: entryLines.length,
      head: { seq: newEnd.seq, hash: newEnd.hash, sig },
      auditKey: { spki: toBase64(spki), jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, spkiSha256: toHex(await crypto.subtle.digest('SHA-256', spki)) },
    };
    const v = await verifyAuditExport(crypto.subtle, withHeader(forgedHeader, entryLines));
    expect(v).toMatchObject({ ok: true, headSigned: true });
    expect(v.auditKeySha256).not.toBe(await engine.auditKeyFingerprint());
    expect(v.limits).toMatch(/cannot prove the audit key is the vault's own/);
  });

  it('plain JSON Lines without a header still parse; a malformed header is refused by line', async () => {
    const { text } = await loggedExport();
    const plain = `${lines(text).slice(1).join('\n')}\n`;
    expect(parseAuditExport(plain).header).toBeUndefined();
    expect(await verifyAuditExport(crypto.subtle, plain)).toMatchObject({ ok: true, headSigned: false });
    expect(() => parseJsonLines(`{"format":"${AUDIT_EXPORT_FORMAT}","version":9}\n`)).toThrow(/line 1 is not a Clavis audit export header/);
  });

  it('an empty log exports a header with no head and verifies as empty', async () => {
    const { engine } = await freshEngine();
    const text = await engine.exportAuditLog();
    expect(header(text)).toMatchObject({ count: 0 });
    expect(await verifyAuditExport(crypto.subtle, text)).toMatchObject({ ok: true, count: 0 });
  });
});
