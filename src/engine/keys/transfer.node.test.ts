/**
 * Interop of key import/export (A5) with OpenSSL, shelling out to the `openssl` binary.
 * Every key here is made at run time (by Clavis or by `openssl genpkey`) in a temporary
 * directory that is removed afterwards; nothing secret is committed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { haveOpenssl, interopSuite } from '../../testing/tools';
import type { Engine, TemplateName } from '..';
import { PBKDF2_ITERATIONS } from './pkcs8-encrypted';

const PASS = 'interop passphrase 1';
let dir = '';
let n = 0;

/** Runs openssl; throws with its stderr when it exits non-zero. */
function openssl(args: string[], input?: Uint8Array | string): Buffer {
  const r = spawnSync('openssl', args, { input, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed (${r.status}): ${r.stderr?.toString().trim()}`);
  return r.stdout;
}

/** Exit status of openssl (for verify, where failure is an answer). */
function opensslStatus(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { timeout: 60_000 });
  return { status: r.status, out: `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}` };
}

/** Writes a file in the temp dir and returns its path. */
function file(name: string, data: Uint8Array | string): string {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, data);
  return p;
}

function tmpPath(name: string): string {
  return join(dir, `${n++}-${name}`);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The fingerprint openssl computes: `openssl pkey -pubout -outform DER | sha256`. */
function opensslFingerprint(keyPath: string, passin?: string): string {
  return sha256(openssl(['pkey', '-in', keyPath, ...(passin ? ['-passin', `pass:${passin}`] : []), '-pubout', '-outform', 'DER']));
}

interopSuite(
  'transfer: openssl interop',
  haveOpenssl(),
  () => {
    let engine: Engine;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'clavis-transfer-'));
      engine = (await freshEngine()).engine;
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    // (a) Clavis exports → openssl reads them.
    const EXPORTED: TemplateName[] = ['ECDSA-P-256', 'ECDSA-P-384', 'ECDSA-P-521', 'ECDH-P-256', 'RSA-OAEP-2048', 'RSA-PSS-2048', 'Ed25519', 'X25519'];
    it.each(EXPORTED)('(a) %s: an encrypted PKCS#8 export opens with openssl pkey -passin, and openssl derives the same public key as the SPKI export', async (template) => {
      const key = await engine.generateKey({ template, name: `export ${template}`, exportable: true });
      const pem = await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS });
      const path = file('enc.pem', pem);
      const publicDer = openssl(['pkey', '-in', path, '-passin', `pass:${PASS}`, '-pubout', '-outform', 'DER']);
      const spki = await engine.exportPublicKeyDer(key.id);
      expect(Buffer.from(spki).equals(publicDer)).toBe(true);
      expect(sha256(publicDer)).toBe(key.fingerprint.value);
      // openssl also reads the PEM form of the public key identically.
      const pubPem = await engine.exportPublicKey(key.id, 'pem');
      expect(openssl(['pkey', '-pubin', '-in', file('pub.pem', pubPem), '-outform', 'DER']).equals(publicDer)).toBe(true);
      // A wrong passphrase does not open it in openssl either.
      expect(opensslStatus(['pkey', '-in', path, '-passin', 'pass:wrong passphrase', '-noout']).status).not.toBe(0);
    });

    it('(a) openssl sees PBES2 with PBKDF2-HMAC-SHA-256 at 600,000 iterations and AES-256-CBC in the export', async () => {
      const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'params', exportable: true });
      const pem = await engine.exportKey(key.id, { format: 'pkcs8-encrypted-pem', passphrase: PASS });
      const dump = openssl(['asn1parse', '-in', file('enc.pem', pem)]).toString();
      expect(dump).toMatch(/OBJECT\s+:PBES2/);
      expect(dump).toMatch(/OBJECT\s+:PBKDF2/);
      expect(dump).toMatch(/OBJECT\s+:hmacWithSHA256/);
      expect(dump).toMatch(/OBJECT\s+:aes-256-cbc/);
      expect(dump).toContain(`INTEGER           :${PBKDF2_ITERATIONS.toString(16).toUpperCase().padStart(6, '0')}`);
      expect(PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    });

    // (b) openssl-made keys → Clavis imports them with openssl's fingerprint.
    const GENERATED: Array<[string, string[], TemplateName]> = [
      ['EC P-256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ECDSA-P-256'],
      ['EC P-384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ECDSA-P-384'],
      ['EC P-521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'ECDSA-P-521'],
      ['RSA 2048', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], 'RSA-OAEP-2048'],
      ['Ed25519', ['-algorithm', 'ED25519'], 'Ed25519'],
      ['X25519', ['-algorithm', 'X25519'], 'X25519'],
    ];
    it.each(GENERATED)('(b) an openssl genpkey %s key imports (PEM, DER, encrypted, public) with the fingerprint openssl computes', async (_label, genArgs, template) => {
      const keyPath = tmpPath('key.pem');
      openssl(['genpkey', ...genArgs, '-out', keyPath]);
      const fingerprint = opensslFingerprint(keyPath);

      // RSA keys do not say their scheme: name the template (EC and the others need none).
      const scheme = template.startsWith('RSA') ? { template } : {};
      const plain = await engine.importKey({ data: readFileSync(keyPath, 'utf8'), name: `openssl ${template}`, ...scheme });
      expect(plain).toMatchObject({ template, kind: 'key-pair', extractable: false, fingerprint: { kind: 'spki-sha256', value: fingerprint } });

      // `openssl pkey -outform DER` writes SEC 1 / PKCS#1 for EC and RSA; pkcs8 writes PKCS#8.
      const der = openssl(['pkcs8', '-topk8', '-nocrypt', '-in', keyPath, '-outform', 'DER']);
      expect(await engine.sniffKeyFormat(new Uint8Array(der))).toBe('der-pkcs8');
      expect((await engine.importKey({ data: new Uint8Array(der), name: 'der', ...scheme })).fingerprint.value).toBe(fingerprint);

      const encPath = tmpPath('enc.pem');
      openssl(['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-in', keyPath, '-passout', `pass:${PASS}`, '-out', encPath]);
      const enc = await engine.importKey({ data: readFileSync(encPath), passphrase: PASS, name: 'encrypted', ...scheme });
      expect(enc.fingerprint.value).toBe(fingerprint);
      await expect(engine.importKey({ data: readFileSync(encPath), passphrase: 'not it', name: 'x' })).rejects.toMatchObject({ code: 'WRONG_PASSPHRASE' });

      const pub = openssl(['pkey', '-in', keyPath, '-pubout']).toString();
      expect(await engine.importKey({ data: pub, name: 'public', ...scheme })).toMatchObject({ kind: 'public', template, fingerprint: { value: fingerprint } });
    });

    it('(b) reads the other PBES2 variants openssl writes: default -topk8, AES-128-CBC with hmacWithSHA512, high iteration counts', async () => {
      const keyPath = tmpPath('key.pem');
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
      const fingerprint = opensslFingerprint(keyPath);
      for (const extra of [[], ['-v2', 'aes-128-cbc', '-v2prf', 'hmacWithSHA512'], ['-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA1'], ['-v2', 'aes-256-cbc', '-iter', '600000']]) {
        const encPath = tmpPath('enc.pem');
        openssl(['pkcs8', '-topk8', ...extra, '-in', keyPath, '-passout', `pass:${PASS}`, '-out', encPath]);
        const k = await engine.importKey({ data: readFileSync(encPath, 'utf8'), passphrase: PASS, name: `variant ${extra.join(' ')}` });
        expect(k.fingerprint.value).toBe(fingerprint);
      }
    });

    it('(b) refuses what openssl can write but browsers cannot open, each with its own message', async () => {
      const keyPath = tmpPath('key.pem');
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
      const cases: Array<[string[], string, RegExp]> = [
        [['pkcs8', '-topk8', '-v2', 'des3', '-passout', `pass:${PASS}`], 'UNSUPPORTED', /Triple-DES/],
        [['pkcs8', '-topk8', '-v2', 'aes-192-cbc', '-passout', `pass:${PASS}`], 'UNSUPPORTED', /AES-192-CBC/],
        [['pkcs8', '-topk8', '-scrypt', '-passout', `pass:${PASS}`], 'UNSUPPORTED', /scrypt/],
        [['ec', '-aes256', '-passout', `pass:${PASS}`], 'UNSUPPORTED', /legacy PEM encryption/],
        [['ec'], 'UNSUPPORTED', /"EC PRIVATE KEY".*openssl pkcs8 -topk8/],
        [['pkey', '-outform', 'DER'], 'UNSUPPORTED', /SEC 1 "EC PRIVATE KEY".*openssl pkcs8 -topk8/],
      ];
      for (const [args, code, message] of cases) {
        const out = openssl([...args, '-in', keyPath]);
        const err = await engine.importKey({ data: new Uint8Array(out), passphrase: PASS, name: 'x' }).catch((e: unknown) => e);
        expect(err, args.join(' ')).toMatchObject({ code });
        expect((err as Error).message, args.join(' ')).toMatch(message);
        expect((err as Error).message).not.toContain(PASS);
      }
      const rsaPath = tmpPath('rsa.pem');
      openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsaPath]);
      const traditional = openssl(['rsa', '-in', rsaPath, '-traditional']).toString();
      expect(traditional).toContain('BEGIN RSA PRIVATE KEY');
      await expect(engine.importKey({ data: traditional, name: 'x' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/openssl pkcs8 -topk8/) });
      const k1 = tmpPath('k1.pem');
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1', '-out', k1]);
      await expect(engine.importKey({ data: readFileSync(k1, 'utf8'), name: 'x' })).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/secp256k1/) });
    });

    it('(b) an openssl RSA 3072 key maps to the 3072-bit template of the chosen scheme', async () => {
      const keyPath = tmpPath('rsa3072.pem');
      openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072', '-out', keyPath]);
      const k = await engine.importKey({ data: readFileSync(keyPath, 'utf8'), name: 'rsa3072', template: 'RSA-PSS-2048' });
      expect(k).toMatchObject({ template: 'RSA-PSS-3072', fingerprint: { value: opensslFingerprint(keyPath) } });
    });

    // (c) Clavis signatures verify under openssl with the exported public key.
    const data = new TextEncoder().encode('release 1.2.3 of the thing, signed by Clavis');
    const SIGNERS: Array<[TemplateName, string[]]> = [
      ['ECDSA-P-256', ['-sha256']],
      ['ECDSA-P-384', ['-sha384']],
      ['ECDSA-P-521', ['-sha512']],
      ['RSA-PSS-2048', ['-sha256', '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32']],
      ['RSASSA-PKCS1-v1_5-2048', ['-sha256']],
    ];
    it.each(SIGNERS)('(c) %s: openssl dgst -verify accepts a Clavis signature with the exported public key, and rejects tampered data', async (template, dgstArgs) => {
      const key = await engine.generateKey({ template, name: `signer ${template}` });
      const sig = await engine.sign(key.id, data);
      const pub = file('pub.pem', await engine.exportPublicKey(key.id, 'pem'));
      const sigPath = file('sig.bin', sig);
      const ok = opensslStatus(['dgst', ...dgstArgs, '-verify', pub, '-signature', sigPath, file('data.bin', data)]);
      expect(ok.out).toContain('Verified OK');
      expect(ok.status).toBe(0);
      const tampered = Uint8Array.from(data);
      tampered[0]! ^= 1;
      const bad = opensslStatus(['dgst', ...dgstArgs, '-verify', pub, '-signature', sigPath, file('data.bin', tampered)]);
      expect(bad.out).toMatch(/Verification failure/i);
      expect(bad.status).not.toBe(0);
    });

    it('(c) Ed25519: openssl pkeyutl -verify -rawin accepts a Clavis signature with the exported public key', async () => {
      const key = await engine.generateKey({ template: 'Ed25519', name: 'ed signer' });
      const sig = await engine.sign(key.id, data);
      const pub = file('pub.pem', await engine.exportPublicKey(key.id, 'pem'));
      const r = opensslStatus(['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', file('data.bin', data), '-sigfile', file('sig.bin', sig)]);
      expect(r.out).toContain('Signature Verified Successfully');
      expect(r.status).toBe(0);
    });

    it('(c) the reverse: an openssl ECDSA signature verifies in Clavis under the imported openssl public key', async () => {
      const keyPath = tmpPath('key.pem');
      openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
      const dataPath = file('data.bin', data);
      const sig = openssl(['dgst', '-sha256', '-sign', keyPath, dataPath]);
      const pub = await engine.importKey({ data: openssl(['pkey', '-in', keyPath, '-pubout']).toString(), name: 'openssl pub' });
      expect(await engine.verify(pub.id, data, new Uint8Array(sig))).toBe(true);
      expect(await engine.verify(pub.id, data.subarray(1), new Uint8Array(sig))).toBe(false);
    });
  },
  'openssl',
);
