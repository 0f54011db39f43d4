// Fernet interop with Python's `cryptography` (the library whose format Clavis promises to
// match, PRODUCT.md A1): tokens go both ways through a real Python process. Node only.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { fixedClock } from '..';
import { concat, fromBase64, toBase64 } from '../internal/bytes';
import { freshEngine } from '../../testing/engine';
import { findPythonWithCryptography, interopSuite } from '../../testing/tools';

const python = findPythonWithCryptography();

// Reads a JSON request on stdin (key material never goes on the command line).
const SCRIPT = `
import base64, json, sys
from cryptography.fernet import Fernet, InvalidToken
req = json.load(sys.stdin)
f = Fernet(req["key"].encode())
op = req["op"]
if op == "decrypt":
    ttl = req.get("ttl")
    try:
        data = f.decrypt_at_time(req["token"].encode(), ttl, req["now"]) if ttl is not None else f.decrypt(req["token"].encode())
        print(json.dumps({"ok": True, "data": base64.b64encode(data).decode()}))
    except InvalidToken:
        print(json.dumps({"ok": False}))
elif op == "encrypt":
    data = base64.b64decode(req["data"])
    token = f.encrypt_at_time(data, req["now"]) if "now" in req else f.encrypt(data)
    print(json.dumps({"token": token.decode()}))
`;

function py(req: Record<string, unknown>): Record<string, unknown> {
  const out = execFileSync(python!, ['-c', SCRIPT], { input: JSON.stringify(req), encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out) as Record<string, unknown>;
}

const b64 = (s: string) => toBase64(new TextEncoder().encode(s));

/** A vault Fernet key and its key string (Fernet keys are extractable by definition). */
async function fernetKey(now = Date.now()) {
  const clock = fixedClock(now);
  const { engine, storage } = await freshEngine({ clock });
  const info = await engine.generateKey({ template: 'FERNET', name: 'interop' });
  const m = (await storage.getKeyMaterial(info.id))!;
  const raw = concat(new Uint8Array(await crypto.subtle.exportKey('raw', m.macSecret!)), new Uint8Array(await crypto.subtle.exportKey('raw', m.secret!)));
  const key = toBase64(raw).replace(/\+/g, '-').replace(/\//g, '_');
  return { engine, clock, id: info.id, key };
}

interopSuite(
  'python cryptography interop',
  python !== null,
  () => {
    it('a token made by Clavis decrypts in Python to the same text', async () => {
      const { engine, id, key } = await fernetKey();
      const token = await engine.encryptText(id, 'från Clavis ✓ 🔑');
      expect(py({ op: 'decrypt', key, token })).toEqual({ ok: true, data: b64('från Clavis ✓ 🔑') });
    });

    it('a token made by Python decrypts in Clavis to the same text', async () => {
      const { engine, id, key } = await fernetKey();
      const { token } = py({ op: 'encrypt', key, data: b64('from Python ✓') }) as { token: string };
      expect(token).toMatch(/^gAAAAA/);
      expect(await engine.decryptText(token, { keyId: id })).toBe('from Python ✓');
    });

    it('binary file bytes encrypted by Clavis (encrypt) decrypt in Python byte for byte', async () => {
      const { engine, id, key } = await fernetKey();
      const data = crypto.getRandomValues(new Uint8Array(4096));
      const token = new TextDecoder().decode(await engine.encrypt(id, data));
      const r = py({ op: 'decrypt', key, token }) as { ok: boolean; data: string };
      expect(r.ok).toBe(true);
      expect(fromBase64(r.data)).toEqual(data);
    });

    it('timestamps agree: a Python token 120 s old passes ttl 120 in Clavis and fails ttl 119; Python judges Clavis tokens the same', async () => {
      const now = Date.UTC(2031, 5, 1, 8, 0, 0);
      const { engine, id, key } = await fernetKey(now);
      const { token } = py({ op: 'encrypt', key, data: b64('aged'), now: now / 1000 - 120 }) as { token: string };
      expect(await engine.decryptText(token, { keyId: id, ttlSeconds: 120 })).toBe('aged');
      await expect(engine.decryptText(token, { keyId: id, ttlSeconds: 119 })).rejects.toMatchObject({ reason: 'expired' });
      const ours = await engine.encryptText(id, 'stamped');
      expect(py({ op: 'decrypt', key, token: ours, ttl: 10, now: now / 1000 + 10 })).toMatchObject({ ok: true });
      expect(py({ op: 'decrypt', key, token: ours, ttl: 10, now: now / 1000 + 11 })).toEqual({ ok: false });
    });

    it('Python refuses a Clavis token under another key, and Clavis refuses a tampered Python token', async () => {
      const a = await fernetKey();
      const b = await fernetKey();
      const token = await a.engine.encryptText(a.id, 'for a only');
      expect(py({ op: 'decrypt', key: b.key, token })).toEqual({ ok: false });
      const { token: pyToken } = py({ op: 'encrypt', key: a.key, data: b64('x') }) as { token: string };
      const tampered = pyToken.slice(0, 30) + (pyToken[30] === 'A' ? 'B' : 'A') + pyToken.slice(31);
      await expect(a.engine.decryptText(tampered, { keyId: a.id })).rejects.toMatchObject({ code: 'DECRYPT_FAILED' });
    });
  },
  'python3-cryptography',
);
