// E9, C4, R5: what Clavis issues is accepted by OpenSSL 3 and Node's X509Certificate.
// Uses the real clock (OpenSSL checks CRL and certificate dates against it).
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { generateKey } from '../keys/vault';
import { freshPki } from '../../testing/pki-fixtures';
import { haveOpenssl, interopSuite } from '../../testing/tools';
import type { Pki } from './index';

type Fresh = Awaited<ReturnType<typeof freshPki>>;

function openssl(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input, timeout: 30_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interopSuite(
  'OpenSSL and Node X509Certificate interop (E9)',
  haveOpenssl(),
  () => {
    let dir: string;
    const file = (name: string, content: string) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'clavis-pki-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    async function build(rootKey: 'ECDSA-P-256' | 'ECDSA-P-384' | 'RSASSA-PKCS1-v1_5-2048', tag: string) {
      const f: Fresh = await freshPki({ now: Date.now() });
      const pki: Pki = f.pki;
      const root = await pki.createRootCa({ name: `${tag} root`, subject: { C: 'DE', O: 'Clavis Interop', CN: `${tag} Root` }, keyTemplate: rootKey, pathLen: 1 });
      const int = await pki.createIntermediateCa({ name: `${tag} int`, parentId: root.ca.id, subject: { O: 'Clavis Interop', CN: `${tag} Issuing` }, keyTemplate: rootKey === 'ECDSA-P-384' ? 'ECDSA-P-384' : 'ECDSA-P-256', pathLen: 0, crlUrl: 'http://crl.example.test/i.crl' });
      const leaves = [];
      for (const [template, profile, cn] of [
        ['ECDSA-P-256', 'tls-server', 'good.example.test'],
        ['ECDSA-P-256', 'tls-server', 'revoked.example.test'],
        ['RSASSA-PKCS1-v1_5-2048', 'tls-server', 'rsa.example.test'],
        ['ECDSA-P-384', 'tls-client', 'client.example.test'],
        ['RSA-OAEP-2048', 'email', 'mail.example.test'],
      ] as const) {
        const k = await generateKey(f.ctx, { template, name: cn });
        leaves.push(await pki.issueCertificate({ caId: int.ca.id, keyId: k.id, profile, subject: { CN: cn }, ...(profile === 'email' ? { sans: { email: ['a@mail.example.test'] } } : {}) }));
      }
      await pki.revokeCertificate(leaves[1]!.cert.id, { reason: 'keyCompromise', invalidityDate: new Date(Date.now() - 3_600_000) });
      return { ...f, root, int, leaves };
    }

    for (const [rootKey, tag] of [['ECDSA-P-256', 'p256'], ['ECDSA-P-384', 'p384'], ['RSASSA-PKCS1-v1_5-2048', 'rsa']] as const) {
      it(`E9/C4 ${tag}: openssl verify -x509_strict accepts the chain; -crl_check_all refuses the revoked leaf and accepts the others; crl -verify accepts each CRL`, async () => {
        const h = await build(rootKey, tag);
        const rootPem = file(`${tag}-root.pem`, h.root.pem);
        const intPem = file(`${tag}-int.pem`, h.int.pem);
        const crls = file(`${tag}-crls.pem`, `${(await h.pki.exportCrl(h.root.ca.id, 'pem')) as string}${(await h.pki.exportCrl(h.int.ca.id, 'pem')) as string}`);
        for (const [i, leaf] of h.leaves.entries()) {
          const leafPem = file(`${tag}-leaf${i}.pem`, leaf.pem);
          const strict = openssl(['verify', '-x509_strict', '-CAfile', rootPem, '-untrusted', intPem, leafPem]);
          expect(strict.status, strict.out).toBe(0);
          const crl = openssl(['verify', '-x509_strict', '-crl_check_all', '-CRLfile', crls, '-CAfile', rootPem, '-untrusted', intPem, leafPem]);
          if (i === 1) {
            expect(crl.status).not.toBe(0);
            expect(crl.out).toMatch(/certificate revoked/);
          } else {
            expect(crl.status, crl.out).toBe(0);
          }
        }
        const intCrl = file(`${tag}-int.crl`, (await h.pki.exportCrl(h.int.ca.id, 'pem')) as string);
        const rootCrl = file(`${tag}-root.crl`, (await h.pki.exportCrl(h.root.ca.id, 'pem')) as string);
        const v1 = openssl(['crl', '-in', intCrl, '-noout', '-verify', '-CAfile', file(`${tag}-both.pem`, h.root.pem + h.int.pem)]);
        expect(v1.out).toMatch(/verify OK/);
        const v2 = openssl(['crl', '-in', rootCrl, '-noout', '-verify', '-CAfile', rootPem]);
        expect(v2.out).toMatch(/verify OK/);
        const text = openssl(['crl', '-in', intCrl, '-noout', '-text']).out;
        expect(text).toMatch(/Version 2/);
        expect(text).toMatch(/Key Compromise/);
        expect(text).toMatch(/Invalidity Date/);
        expect(text).toMatch(/X509v3 CRL Number:\s*\n\s*2/);
        // OpenSSL prints a one-attribute-per-RDN subject (M4).
        expect(openssl(['x509', '-in', rootPem, '-noout', '-subject']).out.trim()).toBe(`subject=C = DE, O = Clavis Interop, CN = ${tag} Root`);
      });

      it(`C4 ${tag}: Node X509Certificate parses every certificate and verifies it against its issuer`, async () => {
        const h = await build(rootKey, tag);
        const root = new X509Certificate(h.root.pem);
        const int = new X509Certificate(h.int.pem);
        expect(root.verify(root.publicKey)).toBe(true);
        expect(int.checkIssued(root)).toBe(true);
        expect(int.verify(root.publicKey)).toBe(true);
        expect(int.ca).toBe(true);
        for (const leaf of h.leaves) {
          const x = new X509Certificate(leaf.pem);
          expect(x.checkIssued(int)).toBe(true);
          expect(x.verify(int.publicKey)).toBe(true);
          expect(x.ca).toBe(false);
          expect(x.serialNumber.toLowerCase()).toBe(leaf.cert.serialHex);
          expect(new Date(x.validTo).getTime()).toBe(Date.parse(leaf.cert.notAfter));
        }
      });
    }

    it('E2/P16 a CSR from `openssl req -new` is signed, and the certificate carries the CSR key', async () => {
      const f = await freshPki({ now: Date.now() });
      const root = await f.pki.createRootCa({ name: 'r', subject: { CN: 'CSR Root' } });
      const keyPath = join(dir, 'csr-key.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
      const csr = execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', '/O=Interop/CN=openssl.example.test', '-addext', 'subjectAltName=DNS:openssl.example.test,IP:10.0.0.9', '-addext', 'basicConstraints=critical,CA:TRUE'], { encoding: 'utf8' });
      const r = await f.pki.issueFromCsr({ caId: root.ca.id, csr, profile: 'tls-server' });
      expect(r.cert.subject).toBe('O=Interop, CN=openssl.example.test');
      expect(r.cert.sans).toMatchObject({ dns: ['openssl.example.test'], ip: ['10.0.0.9'] });
      const cert = new X509Certificate(r.pem);
      expect(cert.ca).toBe(false);
      const want = createPublicKey(readFileSync(keyPath, 'utf8')).export({ type: 'spki', format: 'der' });
      expect(Buffer.from(cert.publicKey.export({ type: 'spki', format: 'der' })).equals(want)).toBe(true);
      const leafPem = file('csr-leaf.pem', r.pem);
      const v = openssl(['verify', '-x509_strict', '-CAfile', file('csr-root.pem', root.pem), leafPem]);
      expect(v.status, v.out).toBe(0);
      // RSA request from OpenSSL, too.
      const rsaKey = join(dir, 'csr-rsa.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', rsaKey]);
      const rsaCsr = execFileSync('openssl', ['req', '-new', '-key', rsaKey, '-subj', '/CN=rsa-openssl.example.test'], { encoding: 'utf8' });
      const rr = await f.pki.issueFromCsr({ caId: root.ca.id, csr: rsaCsr, profile: 'tls-server' });
      expect(new X509Certificate(rr.pem).verify(new X509Certificate(root.pem).publicKey)).toBe(true);
    });

    it('M5 an Ed25519 CSR from openssl is refused as UNSUPPORTED', async () => {
      const f = await freshPki({ now: Date.now() });
      const root = await f.pki.createRootCa({ name: 'r', subject: { CN: 'Ed Root' } });
      const keyPath = join(dir, 'ed.pem');
      execFileSync('openssl', ['genpkey', '-algorithm', 'ED25519', '-out', keyPath]);
      const csr = execFileSync('openssl', ['req', '-new', '-key', keyPath, '-subj', '/CN=ed.example.test'], { encoding: 'utf8' });
      try {
        await f.pki.issueFromCsr({ caId: root.ca.id, csr, profile: 'tls-client' });
        expect.unreachable();
      } catch (e) {
        expect(isEngineError(e, 'UNSUPPORTED'), String(e)).toBe(true);
      }
    });

    it('P8/E8 verifyChain refuses an OpenSSL-made chain that violates the root pathLen 0 (pkijs alone accepts it)', async () => {
      const f = await freshPki({ now: Date.now() });
      const cnf = file('ext.cnf', '[root]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n[int]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n[leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:deep.example.test\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
      const k = (n: string) => {
        const p = join(dir, `${n}.key`);
        execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p]);
        return p;
      };
      const rk = k('pl-root');
      const ik = k('pl-int');
      const lk = k('pl-leaf');
      const rootPem = join(dir, 'pl-root.pem');
      execFileSync('openssl', ['req', '-x509', '-new', '-key', rk, '-subj', '/CN=PL Root', '-days', '30', '-extensions', 'root', '-config', cnf, '-out', rootPem, '-sha256']);
      const sign = (key: string, subj: string, ext: string, caPem: string, caKey: string, out: string) => {
        const csr = execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subj]);
        execFileSync('openssl', ['x509', '-req', '-CA', caPem, '-CAkey', caKey, '-CAcreateserial', '-days', '10', '-extfile', cnf, '-extensions', ext, '-out', out, '-sha256'], { input: csr, stdio: ['pipe', 'pipe', 'pipe'] });
      };
      const intPem = join(dir, 'pl-int.pem');
      const leafPem = join(dir, 'pl-leaf.pem');
      sign(ik, '/CN=PL Int', 'int', rootPem, rk, intPem);
      sign(lk, '/CN=deep.example.test', 'leaf', intPem, ik, leafPem);
      expect(openssl(['verify', '-CAfile', rootPem, '-untrusted', intPem, leafPem]).status).not.toBe(0);
      const der = (p: string) => new Uint8Array(new X509Certificate(readFileSync(p)).raw);
      const v = await f.pki.verifyChain({ target: der(leafPem), intermediates: [der(intPem)], trustAnchors: [der(rootPem)], usage: 'tls-server', at: new Date(Date.now() + 2000) });
      expect(v.steps.find((s) => s.name === 'path')?.ok, JSON.stringify(v.steps)).toBe(true);
      expect(v.steps.find((s) => s.name === 'path-length')?.ok).toBe(false);
      expect(v.valid).toBe(false);
    });
  },
  'openssl',
);
