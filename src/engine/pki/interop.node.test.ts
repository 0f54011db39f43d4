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
import { haveOpenssl, interopSuite, toolRuns, toolSpawns } from '../../testing/tools';
import type { Pki } from './index';
import type { CertId } from '../ids';

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
      it(`E9/C4/R5 ${tag}: openssl verify -x509_strict accepts the chain; -crl_check_all refuses the revoked leaf and accepts the others; crl -verify accepts each CRL`, async () => {
        const h = await build(rootKey, tag);
        const rootPem = file(`${tag}-root.pem`, h.root.pem);
        const intPem = file(`${tag}-int.pem`, h.int.pem);
        const crls = file(`${tag}-crls.pem`, `${await h.pki.exportCrl(h.root.ca.id, 'pem')}${await h.pki.exportCrl(h.int.ca.id, 'pem')}`);
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
        const intCrl = file(`${tag}-int.crl`, await h.pki.exportCrl(h.int.ca.id, 'pem'));
        const rootCrl = file(`${tag}-root.crl`, await h.pki.exportCrl(h.root.ca.id, 'pem'));
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

/**
 * A root valid into 2050 (GeneralizedTime), an intermediate, an ECDSA and an RSA leaf,
 * one leaf revoked for keyCompromise with an invalidity date: every artefact the DER
 * oracles below look at.
 */
async function artefacts() {
  const f = await freshPki({ now: Date.now() });
  const root = await f.pki.createRootCa({ name: 'oracle root', subject: { C: 'DE', O: 'Clavis Oracle', CN: 'Oracle Root' }, notAfter: new Date(Date.UTC(2050, 5, 1)), pathLen: 1 });
  const int = await f.pki.createIntermediateCa({ name: 'oracle int', parentId: root.ca.id, subject: { O: 'Clavis Oracle', CN: 'Oracle Issuing' }, pathLen: 0, crlUrl: 'http://crl.example.test/o.crl', caIssuersUrl: 'http://crl.example.test/o.cer' });
  const ec = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'ec' });
  const rsa = await generateKey(f.ctx, { template: 'RSASSA-PKCS1-v1_5-2048', name: 'rsa' });
  const bad = await generateKey(f.ctx, { template: 'ECDSA-P-384', name: 'bad' });
  const leafEc = await f.pki.issueCertificate({ caId: int.ca.id, keyId: ec.id, profile: 'tls-server', subject: { CN: 'ec.example.test' }, sans: { dns: ['ec.example.test'], ip: ['192.0.2.1'] } });
  const leafRsa = await f.pki.issueCertificate({ caId: int.ca.id, keyId: rsa.id, profile: 'tls-server', subject: { CN: 'rsa.example.test' } });
  const revoked = await f.pki.issueCertificate({ caId: int.ca.id, keyId: bad.id, profile: 'tls-client', subject: { CN: 'gone' } });
  await f.pki.revokeCertificate(revoked.cert.id, { reason: 'keyCompromise', invalidityDate: new Date(Date.now() - 3_600_000) });
  const certs = { root: root.pem, int: int.pem, leafEc: leafEc.pem, leafRsa: leafRsa.pem, revoked: revoked.pem };
  const crls = { root: await f.pki.exportCrl(root.ca.id, 'pem'), int: await f.pki.exportCrl(int.ca.id, 'pem') };
  const der = async (id: CertId) => await f.pki.exportCertificate(id, 'der');
  const ders = { root: await der(root.cert.id), int: await der(int.cert.id), leafEc: await der(leafEc.cert.id), leafRsa: await der(leafRsa.cert.id), revoked: await der(revoked.cert.id) };
  const crlDers = { root: await f.pki.exportCrl(root.ca.id, 'der'), int: await f.pki.exportCrl(int.ca.id, 'der') };
  return { certs, crls, ders, crlDers };
}

interopSuite(
  'dumpasn1 DER oracle (P3, P5, R3)',
  // dumpasn1 has no --version; it runs when spawning it does not fail (its usage text exits non-zero).
  toolSpawns('dumpasn1'),
  () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'clavis-dumpasn1-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('E9/C1/C3/R3 dumpasn1 parses every Clavis certificate and CRL with no error, warning or non-DER encoding', async () => {
      const a = await artefacts();
      const all = [...Object.entries(a.ders).map(([n, d]) => [`${n}.cer`, d] as const), ...Object.entries(a.crlDers).map(([n, d]) => [`${n}.crl`, d] as const)];
      for (const [name, der] of all) {
        const p = join(dir, name);
        writeFileSync(p, der);
        const r = spawnSync('dumpasn1', ['-a', p], { encoding: 'utf8', timeout: 30_000 });
        const out = `${r.stdout}${r.stderr}`;
        // dumpasn1's own limit, not a DER defect: it converts times to a 32-bit time_t, so a
        // valid 2050 GeneralizedTime is reported as unrepresentable. Every other finding fails.
        const Y2038 = 'Error: Time value cannot be represented in a 32-bit time_t.';
        const y2038 = out.split('\n').filter((l) => l.includes(Y2038)).length;
        expect(y2038, name).toBe(name === 'root.cer' ? 1 : 0);
        expect(r.status, `${name}: ${out}`).toBe(y2038);
        expect(out, name).toMatch(new RegExp(`0 warnings, ${y2038 === 0 ? '0 errors' : `${y2038} errors?`}`));
        expect(out.replaceAll(Y2038, ''), name).not.toMatch(/Error:|Warning:|non-DER|negative/i);
        // R3: a CRL never holds an empty SEQUENCE (an empty revokedCertificates list is
        // omitted). A leaf's basicConstraints is legitimately an empty SEQUENCE (cA FALSE).
        if (name.endsWith('.crl')) expect(out, name).not.toMatch(/SEQUENCE \{\}/);
      }
      // The root runs into 2050: its notAfter is GeneralizedTime, whole seconds (P4, P5).
      const root = spawnSync('dumpasn1', [join(dir, 'root.cer')], { encoding: 'utf8' }).stdout;
      expect(root).toMatch(/GeneralizedTime '?20500601000000Z'?|GeneralizedTime 01\/06\/2050 00:00:00 GMT/);
    });
  },
  'dumpasn1',
);

interopSuite(
  'GnuTLS certtool oracle',
  toolRuns('certtool', ['--version']),
  () => {
    let dir: string;
    const file = (name: string, content: string) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    };
    const certtool = (args: string[]) => {
      const r = spawnSync('certtool', args, { encoding: 'utf8', timeout: 30_000 });
      return { status: r.status, out: `${r.stdout}${r.stderr}` };
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'clavis-certtool-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('E9/C2–C5 certtool -i imports every Clavis certificate without error or warning', async () => {
      const a = await artefacts();
      for (const [name, pem] of Object.entries(a.certs)) {
        const r = certtool(['-i', '--infile', file(`${name}.pem`, pem)]);
        expect(r.status, `${name}: ${r.out}`).toBe(0);
        expect(r.out, name).toMatch(/Version: 3/);
        expect(r.out, name).not.toMatch(/warning|error|Error|broken/);
        expect(r.out, name).toMatch(/Signature Algorithm: (ECDSA-SHA256|ECDSA-SHA384|RSA-SHA256)/);
      }
      expect(certtool(['-i', '--infile', join(dir, 'root.pem')]).out).toMatch(/Not After: .*2050/);
    });

    it('R1–R5 certtool --crl-info reads every Clavis CRL (v2, number, AKI, reason) and --verify-crl accepts its signature', async () => {
      const a = await artefacts();
      for (const [name, pem] of Object.entries(a.crls)) {
        const crl = file(`${name}.crl`, pem);
        const r = certtool(['--crl-info', '--infile', crl]);
        expect(r.status, `${name}: ${r.out}`).toBe(0);
        expect(r.out, name).toMatch(/Version: 2/);
        expect(r.out, name).toMatch(/CRL Number/);
        expect(r.out, name).toMatch(/Authority Key Identifier/);
        expect(r.out, name).not.toMatch(/warning|error|broken/i);
        const v = certtool(['--verify-crl', '--load-ca-certificate', file(`${name}-ca.pem`, a.certs[name as 'root' | 'int']), '--infile', crl]);
        expect(v.status, `${name}: ${v.out}`).toBe(0);
        expect(v.out, name).toMatch(/Verified/);
      }
      expect(certtool(['--crl-info', '--infile', join(dir, 'int.crl')]).out).toMatch(/Revoked certificates \(1\)/);
    });

    it('E9 certtool --verify-chain accepts leaf → intermediate → root', async () => {
      const a = await artefacts();
      for (const leaf of ['leafEc', 'leafRsa'] as const) {
        const chain = file(`${leaf}-chain.pem`, a.certs[leaf] + a.certs.int + a.certs.root);
        const r = certtool(['--verify-chain', '--infile', chain]);
        expect(r.status, `${leaf}: ${r.out}`).toBe(0);
        expect(r.out).toMatch(/Chain verification output: Verified/);
      }
    });
  },
  'gnutls-bin (certtool)',
);
