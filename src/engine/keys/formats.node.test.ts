/**
 * Interop of the key formats users expect (A5): OpenSSH public key lines read by
 * ssh-keygen and Python `cryptography`, unencrypted PKCS#8 PEM read by openssl, and a
 * DER ECDSA signature file checked by `openssl dgst -verify`. Keys are made at run time
 * in a temporary directory; nothing secret is committed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { findPythonWithCryptography, haveOpenssl, interopSuite } from '../../testing/tools';
import type { Engine, TemplateName } from '..';
import { utf8 } from '../internal/bytes';

const python = findPythonWithCryptography();
const sshKeygen = spawnSync('ssh-keygen', ['-?'], { stdio: 'ignore' }).error === undefined;
let dir = '';
let n = 0;

function run(cmd: string, args: string[], input?: string | Uint8Array): { status: number | null; out: Buffer; err: string } {
  const r = spawnSync(cmd, args, { input, timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr?.toString() ?? '' };
}

function file(name: string, data: string | Uint8Array): string {
  const p = join(dir, `${n++}-${name}`);
  writeFileSync(p, data);
  return p;
}

interopSuite(
  'key formats: ssh-keygen, openssl and Python interop',
  haveOpenssl() && python !== null && sshKeygen,
  () => {
    let engine: Engine;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'clavis-formats-'));
      engine = (await freshEngine()).engine;
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const SSH: TemplateName[] = ['Ed25519', 'ECDSA-P-256', 'ECDSA-P-384', 'ECDSA-P-521', 'RSASSA-PKCS1-v1_5-2048', 'RSA-PSS-2048'];
    it.each(SSH)('%s: ssh-keygen reads the OpenSSH line (and converts it back to the same SPKI where it can), and Python loads it to that SPKI', async (template) => {
      const key = await engine.generateKey({ template, name: `ssh ${template}` });
      const line = await engine.exportPublicKey(key.id, 'openssh');
      const spkiPem = await engine.exportPublicKey(key.id, 'pem');
      const path = file('id.pub', line);
      const listed = run('ssh-keygen', ['-l', '-E', 'sha256', '-f', path]);
      expect(listed.status, listed.err).toBe(0);
      const blob = Buffer.from(line.split(' ')[1]!, 'base64');
      const sshFingerprint = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
      expect(listed.out.toString()).toContain(`SHA256:${sshFingerprint} ssh ${template}`);
      if (template !== 'Ed25519') {
        // ssh-keygen -e -m PKCS8 has no Ed25519 conversion.
        const converted = run('ssh-keygen', ['-e', '-m', 'PKCS8', '-f', path]);
        expect(converted.status, converted.err).toBe(0);
        expect(converted.out.toString().replace(/\s+/g, '')).toBe(spkiPem.replace(/\s+/g, ''));
      }
      const py = run(python!, [
        '-c',
        'import sys;from cryptography.hazmat.primitives import serialization as s;k=s.load_ssh_public_key(sys.stdin.buffer.read());sys.stdout.write(k.public_bytes(s.Encoding.PEM,s.PublicFormat.SubjectPublicKeyInfo).decode())',
      ], line);
      expect(py.status, py.err).toBe(0);
      expect(py.out.toString().replace(/\s+/g, '')).toBe(spkiPem.replace(/\s+/g, ''));
    });

    it('an unencrypted PKCS#8 PEM export opens in openssl pkey and gives the same public key', async () => {
      const key = await engine.generateKey({ template: 'ECDSA-P-384', name: 'clear', exportable: true });
      const pem = await engine.dangerouslyExportUnprotectedKey(key.id, 'pkcs8-pem');
      const out = run('openssl', ['pkey', '-in', file('clear.pem', pem), '-pubout', '-outform', 'DER']);
      expect(out.status, out.err).toBe(0);
      expect(Buffer.from(await engine.exportPublicKeyDer(key.id)).equals(out.out)).toBe(true);
    });

    it('a DER ECDSA signature file verifies with openssl dgst; the raw r‖s form of the same key does not pass as DER', async () => {
      const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'dgst' });
      const data = utf8('seed 003 release notes');
      const pub = file('pub.pem', await engine.exportPublicKey(key.id, 'pem'));
      const msg = file('msg.txt', data);
      const der = await engine.sign(key.id, data);
      const ok = run('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', file('sig.der', der), msg]);
      expect(ok.status, ok.err).toBe(0);
      const raw = await engine.sign(key.id, data, { encoding: 'raw' });
      expect(raw.length).toBe(64);
      expect(run('openssl', ['dgst', '-sha256', '-verify', pub, '-signature', file('sig.raw', raw), msg]).status).not.toBe(0);
    });
  },
  'openssl, ssh-keygen and Python 3 with cryptography',
);
