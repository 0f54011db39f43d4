/**
 * Interop of the passphrase-protected secret key (JWE PBES2-HS512+A256KW / A256GCM) with
 * Python `cryptography`: Python follows RFC 7518 §4.8 and §5.3 with its own PBKDF2HMAC,
 * aes_key_unwrap and AESGCM to open what Clavis wrote, and writes one Clavis imports.
 * Keys are made at run time; nothing secret is committed.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { findPythonWithCryptography, interopSuite } from '../../testing/tools';

const PASS = 'seed 002 interop passphrase';
const python = findPythonWithCryptography();

/** RFC 7518 PBES2-HS512+A256KW + A256GCM in Python, from primitives. */
const PY = String.raw`
import base64, json, os, sys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def b64d(s): return base64.urlsafe_b64decode(s + '=' * (-len(s) % 4))
def b64e(b): return base64.urlsafe_b64encode(b).rstrip(b'=').decode()
def kek(pw, h):
    salt = h['alg'].encode() + b'\x00' + b64d(h['p2s'])
    return PBKDF2HMAC(algorithm=hashes.SHA512(), length=32, salt=salt, iterations=h['p2c']).derive(pw.encode())

mode, pw = sys.argv[1], sys.argv[2]
if mode == 'open':
    h64, ek, iv, ct, tag = sys.stdin.read().strip().split('.')
    h = json.loads(b64d(h64))
    assert h['alg'] == 'PBES2-HS512+A256KW' and h['enc'] == 'A256GCM', h
    cek = aes_key_unwrap(kek(pw, h), b64d(ek))
    jwk = json.loads(AESGCM(cek).decrypt(b64d(iv), b64d(ct) + b64d(tag), h64.encode()))
    print(json.dumps({'kty': jwk['kty'], 'alg': jwk.get('alg'), 'key_hex': b64d(jwk['k']).hex()}))
else:
    key = bytes.fromhex(sys.argv[3])
    h = {'alg': 'PBES2-HS512+A256KW', 'enc': 'A256GCM', 'cty': 'jwk+json', 'p2s': b64e(os.urandom(16)), 'p2c': 10000}
    h64 = b64e(json.dumps(h).encode())
    cek = AESGCM.generate_key(bit_length=256)
    iv = os.urandom(12)
    sealed = AESGCM(cek).encrypt(iv, json.dumps({'kty': 'oct', 'k': b64e(key), 'alg': 'A256GCM'}).encode(), h64.encode())
    print('.'.join([h64, b64e(aes_key_wrap(kek(pw, h), cek)), b64e(iv), b64e(sealed[:-16]), b64e(sealed[-16:])]))
`;

function py(args: string[], input?: string): string {
  const r = spawnSync(python!, ['-c', PY, ...args], { input, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}): ${r.stderr?.toString().trim()}`);
  return r.stdout.toString().trim();
}

interopSuite(
  'JWE PBES2 secret key export: Python cryptography interop',
  python !== null,
  () => {
    it('seed 002: Python opens the passphrase-protected AES-256 key Clavis exported, and gets the key bytes of the clear export', async () => {
      const { engine } = await freshEngine();
      const key = await engine.generateKey({ template: 'AES-GCM-256', name: 'seed 002', exportable: true });
      const jwe = await engine.exportKey(key.id, { format: 'jwe-pbes2', passphrase: PASS });
      const raw = await engine.dangerouslyExportRawSecret(key.id);
      const opened = JSON.parse(py(['open', PASS], jwe)) as { kty: string; alg: string; key_hex: string };
      expect(opened).toEqual({ kty: 'oct', alg: 'A256GCM', key_hex: Buffer.from(raw).toString('hex') });
      // The wrong passphrase does not open it in Python either (AES key unwrap's integrity check).
      expect(() => py(['open', 'wrong passphrase'], jwe)).toThrow(/InvalidUnwrap/);
    });

    it('seed 002: a JWE Python wrote imports into Clavis with the same key check value as the raw key', async () => {
      const { engine } = await freshEngine();
      const keyHex = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
      const jwe = py(['seal', PASS, keyHex]);
      const imported = await engine.importKey({ data: jwe, name: 'from python', passphrase: PASS });
      const direct = await engine.importKey({ data: keyHex, name: 'raw', template: 'AES-GCM-256' });
      expect(imported.template).toBe('AES-GCM-256');
      expect(imported.fingerprint.value).toBe(direct.fingerprint.value);
    });
  },
  'Python 3 with cryptography',
);
