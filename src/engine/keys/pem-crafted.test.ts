// Issue 14 #9: crafted PEM must not freeze the tab. Every PEM reader in the engine
// (key import, certificates and CSRs, peer public keys) goes through the one strict
// codec in keys/pem.ts, which is linear in its input and checks size caps first. These
// tests feed the inputs that took seconds to minutes with the old backtracking regexes
// and assert a typed error; a quadratic parser would run past the test timeout.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { decodePem, encodePem, looksLikePem, MAX_PEM_CHARS } from './pem';
import { fromPemOrDer } from './pem';

const MiB = 1024 * 1024;

/** Runs `f` and returns the EngineError code it threw (or 'returned'). */
function codeOf(f: () => unknown): string {
  try {
    f();
    return 'returned';
  } catch (e) {
    return (e as { code?: string }).code ?? `untyped ${(e as Error).name}`;
  }
}

async function codeOfAsync(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
    return 'returned';
  } catch (e) {
    return (e as { code?: string }).code ?? `untyped ${(e as Error).name}`;
  }
}

// A "-----BEGIN x" line followed by ~1 MiB of newlines and one more character: the old
// `looksLikePem` regex `(^|\n)\s*-----BEGIN …` restarted `\s*` at every newline.
const NEWLINES = '-----BEGIN x' + '\n'.repeat(MiB - 64) + 'x';
// ~1 MiB of "-----BEGIN A-----" lines: the old certificate regex scanned to the end for every one.
const BEGINS = '-----BEGIN A-----\n'.repeat(Math.floor(MiB / 18));
// A PUBLIC KEY block whose body never ends: the old peer-key regex's lazy body and `\s*` overlapped.
const OPEN_BODY = (n: number) => '-----BEGIN PUBLIC KEY-----\n' + 'A \n'.repeat(n);

describe('PEM: crafted input is refused in linear time with a typed error (issue 14 #9)', () => {
  it('decodePem and looksLikePem: newline floods, BEGIN floods, END floods, long labels', () => {
    expect(looksLikePem(NEWLINES)).toBe(true);
    expect(codeOf(() => decodePem(NEWLINES))).toBe('MALFORMED_INPUT');
    expect(codeOf(() => decodePem(BEGINS))).toBe('MALFORMED_INPUT');
    expect(codeOf(() => decodePem('-----END A-----\n'.repeat(60_000)))).toBe('MALFORMED_INPUT');
    expect(codeOf(() => decodePem(`-----BEGIN ${'A '.repeat(400_000)}A-----\n`))).toBe('MALFORMED_INPUT');
    expect(codeOf(() => decodePem(`-----BEGIN ${'A'.repeat(MiB)}`))).toBe('MALFORMED_INPUT');
    expect(codeOf(() => decodePem(OPEN_BODY(300_000)))).toBe('MALFORMED_INPUT');
    expect(looksLikePem('\n'.repeat(MiB) + 'x')).toBe(false);
  });

  it('decodePem refuses text over its cap before reading it', () => {
    const big = 'x'.repeat(MAX_PEM_CHARS + 1);
    expect(() => decodePem(big)).toThrow(/larger than any PEM file/);
    expect(() => decodePem(encodePem('PUBLIC KEY', new Uint8Array(4000)), { maxChars: 1000 })).toThrow(/larger/);
  });

  it('still reads well-formed PEM, with CRLF and explanatory text', () => {
    const der = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const pem = encodePem('CERTIFICATE', der);
    expect(decodePem(`Subject: x\r\n${pem.replace(/\n/g, '\r\n')}`)[0]!.der).toEqual(der);
    expect(fromPemOrDer(`junk\n${pem}`, ['CERTIFICATE'], 'certificate')).toEqual(der);
  });

  it('key import (sniffing): the newline flood is a MALFORMED_INPUT, not a hang', async () => {
    const { engine } = await freshEngine();
    expect(await codeOfAsync(() => engine.sniffKeyFormat(NEWLINES))).toBe('MALFORMED_INPUT');
    expect(await codeOfAsync(() => engine.importKey({ data: NEWLINES, name: 'x' }))).toBe('MALFORMED_INPUT');
    expect(await codeOfAsync(() => engine.importKey({ data: new TextEncoder().encode(BEGINS), name: 'x' }))).toBe('MALFORMED_INPUT');
  });

  it('certificates and CSRs: BEGIN floods and oversized requests are refused (the CSR cap comes first)', async () => {
    const { engine } = await freshEngine();
    expect(codeOf(() => fromPemOrDer(BEGINS, ['CERTIFICATE'], 'certificate'))).toBe('MALFORMED_INPUT');
    expect(codeOf(() => fromPemOrDer(new TextEncoder().encode(BEGINS), ['CERTIFICATE'], 'certificate'))).toBe('MALFORMED_INPUT');
    const pki = await engine.pki();
    await expect(pki.inspectCsr(BEGINS)).rejects.toMatchObject({ code: 'MALFORMED_INPUT', message: expect.stringMatching(/too large/) });
    // Under the CSR cap, the flood still parses linearly to a typed refusal.
    await expect(pki.inspectCsr('-----BEGIN A-----\n'.repeat(4000))).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
    await expect(pki.inspectCsr(NEWLINES)).rejects.toMatchObject({ code: 'MALFORMED_INPUT' });
  });

  it('peer public keys (deriveKey): an unterminated body is a MALFORMED_INPUT, not a hang', async () => {
    const { engine } = await freshEngine();
    const mine = await engine.generateKey({ template: 'ECDH-P-256', name: 'mine' });
    for (const peer of [OPEN_BODY(300_000), OPEN_BODY(5_000), NEWLINES]) {
      expect(await codeOfAsync(() => engine.deriveKey(mine.id, peer, { name: 'shared', owner: '' }))).toBe('MALFORMED_INPUT');
    }
    // A real peer key still works.
    const peer = await engine.generateKey({ template: 'ECDH-P-256', name: 'peer' });
    const pem = await engine.exportPublicKey(peer.id, 'pem');
    expect((await engine.deriveKey(mine.id, pem, { name: 'shared', owner: '' })).template).toBe('AES-GCM-256');
  });
});

/** Deterministic xorshift32, so a failing case can be replayed. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const PIECES = ['-----BEGIN ', '-----END ', 'PUBLIC KEY', 'CERTIFICATE REQUEST', 'CERTIFICATE', 'A', '-----', '\n', '\r\n', ' ', 'Proc-Type: 4,ENCRYPTED\n', 'MIIB', '====', '\u0000', '\u200b', 'x'.repeat(70), '\n'.repeat(200)];

/** A random PEM-looking text built from armour pieces and base64 of real DER. */
function craft(rand: () => number, real: string): string {
  const parts: string[] = [];
  const n = 1 + Math.floor(rand() * 40);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.15) parts.push(real.slice(0, Math.floor(rand() * real.length)));
    else if (r < 0.25) parts.push(real.slice(Math.floor(rand() * real.length)));
    else parts.push(PIECES[Math.floor(rand() * PIECES.length)]!);
  }
  return parts.join('');
}

describe('PEM fuzz: every importer answers crafted PEM with a typed error or a value (issue 14 #9)', () => {
  const CASES = 250;
  it(`decodePem, fromPemOrDer, key sniffing, CSR and peer-key readers: ${CASES} inputs each`, async () => {
    const { engine } = await freshEngine();
    const pki = await engine.pki();
    const mine = await engine.generateKey({ template: 'ECDH-P-256', name: 'mine' });
    const signer = await engine.generateKey({ template: 'ECDSA-P-256', name: 'csr key' });
    const realSpki = await engine.exportPublicKey(mine.id, 'pem');
    const realCsr = await pki.createCsr(signer.id, { subject: { CN: 'fuzz.example.test' } });
    const rand = prng(0x14);
    const untyped: string[] = [];
    const note = (where: string, code: string) => {
      if (code.startsWith('untyped')) untyped.push(`${where}: ${code}`);
    };
    for (let i = 0; i < CASES; i++) {
      const spkiText = craft(rand, realSpki);
      const csrText = craft(rand, realCsr);
      note('decodePem', codeOf(() => decodePem(spkiText)));
      note('fromPemOrDer', codeOf(() => fromPemOrDer(csrText, ['CERTIFICATE REQUEST'], 'certificate request')));
      note('sniffKeyFormat', await codeOfAsync(() => engine.sniffKeyFormat(spkiText)));
      note('inspectCsr', await codeOfAsync(() => pki.inspectCsr(csrText)));
      note('deriveKey', await codeOfAsync(() => engine.deriveKey(mine.id, spkiText, { name: 'd', owner: '' })));
    }
    expect(untyped).toEqual([]);
  });
});
