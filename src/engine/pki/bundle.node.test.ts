// Chain bundles and PKCS #12 (A5 formats): the full PEM chain (root included) and the
// certs-only .p7b are read by OpenSSL 3, which verifies the leaf against them; the
// PKCS #12 file opens in `openssl pkcs12` and in Python `cryptography`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKey } from '../keys/vault';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { findPythonWithCryptography, haveOpenssl, interopSuite } from '../../testing/tools';

const python = findPythonWithCryptography();
const PASS = 'pkcs12 interop passphrase';

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interopSuite(
  'certificate bundles and PKCS #12: OpenSSL and Python interop',
  haveOpenssl() && python !== null,
  () => {
    let dir = '';
    const file = (name: string, content: string | Uint8Array) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'clavis-bundle-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('the .p7b holds leaf, intermediate and root (openssl pkcs7 -print_certs), and the full PEM chain lets openssl verify the leaf', async () => {
      const f = await freshPki({ now: Date.now() });
      const { root, int } = await hierarchy(f.pki);
      const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'web' });
      const leaf = await f.pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'www.example.test' }, sans: { dns: ['www.example.test'] } });

      const p7b = await f.pki.exportFullChain(leaf.cert.id, 'p7b');
      const printed = openssl(['pkcs7', '-inform', 'DER', '-in', file('chain.p7b', p7b), '-print_certs', '-noout']);
      expect(printed.status, printed.out).toBe(0);
      for (const cn of ['www.example.test', 'Clavis Test Issuing CA', 'Clavis Test Root']) expect(printed.out).toContain(`CN = ${cn}`);
      // openssl's own re-encoding of the certificates is byte-identical to Clavis's.
      const pemOut = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', join(dir, 'chain.p7b'), '-print_certs'], { encoding: 'utf8' }).stdout;
      expect(pemOut).toContain(await f.pki.exportCertificate(root.cert.id, 'pem'));

      const full = await f.pki.exportFullChain(leaf.cert.id, 'pem');
      expect(full.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
      expect(full.endsWith(await f.pki.exportCertificate(root.cert.id, 'pem'))).toBe(true);
      // Root as the trust anchor, everything as untrusted intermediates: the chain is complete.
      const v = openssl(['verify', '-CAfile', file('root.pem', await f.pki.exportCertificate(root.cert.id, 'pem')), '-untrusted', file('full.pem', full), file('leaf.pem', await f.pki.exportCertificate(leaf.cert.id, 'pem'))]);
      expect(v.status, v.out).toBe(0);
    });

    it('seed 003: a PKCS #12 file opens in openssl pkcs12 (MAC verified, key and three certificates) and in Python with the same key and chain', async () => {
      const f = await freshPki({ now: Date.now() });
      const { int } = await hierarchy(f.pki);
      const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'p12 server', exportable: true });
      const leaf = await f.pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'p12.example.test' }, sans: { dns: ['p12.example.test'] } });
      const pfx = await f.pki.exportPkcs12(leaf.cert.id, PASS);
      const path = file('server.p12', pfx);

      const info = openssl(['pkcs12', '-in', path, '-passin', `pass:${PASS}`, '-info', '-nokeys']);
      expect(info.status, info.out).toBe(0);
      expect(info.out).toContain('MAC: sha256');
      expect(info.out.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
      expect(info.out).toContain('friendlyName: p12 server');
      const keyOut = spawnSync('openssl', ['pkcs12', '-in', path, '-passin', `pass:${PASS}`, '-nocerts', '-nodes'], { encoding: 'utf8' });
      expect(keyOut.status, keyOut.stderr).toBe(0);
      const pub = spawnSync('openssl', ['pkey', '-pubout', '-outform', 'DER'], { input: keyOut.stdout });
      expect(pub.status).toBe(0);
      const { createHash } = await import('node:crypto');
      expect(createHash('sha256').update(pub.stdout).digest('hex')).toBe(key.fingerprint.value);
      expect(openssl(['pkcs12', '-in', path, '-passin', 'pass:wrong passphrase', '-noout']).status).not.toBe(0);

      {
        const py = spawnSync(python!, ['-c', [
          'import sys',
          'from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PublicFormat',
          'k, c, extra = pkcs12.load_key_and_certificates(open(sys.argv[1], "rb").read(), sys.argv[2].encode())',
          'import hashlib',
          'print(hashlib.sha256(k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest())',
          'print(c.subject.rfc4514_string())',
          'print(len(extra))',
        ].join('\n'), path, PASS], { encoding: 'utf8' });
        expect(py.status, py.stderr).toBe(0);
        expect(py.stdout.trim().split('\n')).toEqual([key.fingerprint.value, 'CN=p12.example.test', '2']);
      }
    });

    it('a certificate whose key is non-extractable gives NOT_EXTRACTABLE, and a short passphrase INVALID_ARGUMENT', async () => {
      const f = await freshPki({ now: Date.now() });
      const { int } = await hierarchy(f.pki);
      const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'locked' });
      const leaf = await f.pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'locked.example.test' }, sans: { dns: ['locked.example.test'] } });
      await expect(f.pki.exportPkcs12(leaf.cert.id, PASS)).rejects.toMatchObject({ code: 'NOT_EXTRACTABLE' });
      await expect(f.pki.exportPkcs12(leaf.cert.id, 'short')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  },
  'openssl and Python 3 with cryptography',
);
