// Chain bundles (A5 formats): the full PEM chain (root included) and the certs-only
// .p7b that Clavis writes are read by OpenSSL 3, which verifies the leaf against them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateKey } from '../keys/vault';
import { freshPki, hierarchy } from '../../testing/pki-fixtures';
import { haveOpenssl, interopSuite } from '../../testing/tools';

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interopSuite(
  'certificate bundles: OpenSSL interop',
  haveOpenssl(),
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

      const p7b = (await f.pki.exportFullChain(leaf.cert.id, 'p7b')) as Uint8Array;
      const printed = openssl(['pkcs7', '-inform', 'DER', '-in', file('chain.p7b', p7b), '-print_certs', '-noout']);
      expect(printed.status, printed.out).toBe(0);
      for (const cn of ['www.example.test', 'Clavis Test Issuing CA', 'Clavis Test Root']) expect(printed.out).toContain(`CN = ${cn}`);
      // openssl's own re-encoding of the certificates is byte-identical to Clavis's.
      const pemOut = spawnSync('openssl', ['pkcs7', '-inform', 'DER', '-in', join(dir, 'chain.p7b'), '-print_certs'], { encoding: 'utf8' }).stdout;
      expect(pemOut).toContain((await f.pki.exportCertificate(root.cert.id, 'pem')) as string);

      const full = (await f.pki.exportFullChain(leaf.cert.id, 'pem')) as string;
      expect(full.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
      expect(full.endsWith((await f.pki.exportCertificate(root.cert.id, 'pem')) as string)).toBe(true);
      // Root as the trust anchor, everything as untrusted intermediates: the chain is complete.
      const v = openssl(['verify', '-CAfile', file('root.pem', (await f.pki.exportCertificate(root.cert.id, 'pem')) as string), '-untrusted', file('full.pem', full), file('leaf.pem', (await f.pki.exportCertificate(leaf.cert.id, 'pem')) as string)]);
      expect(v.status, v.out).toBe(0);
    });
  },
  'openssl',
);
