// E4: invalid peer public keys are refused at import with typed errors (wrong curve, point
// not on the curve, compressed form, malformed encodings, low-order X25519 points), both
// directly and inside an exchange. Crafted raw and SPKI inputs.
import { describe, expect, it } from 'vitest';
import { concat } from '../internal/bytes';
import { freshExchange } from '../../testing/exchange-fixtures';
import { PeerKeyError, agree, generateEphemeral, importPeerKey, type ExchangeCurve, type PeerKeyProblem } from './peer-key';

const X25519_AVAILABLE = await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']).then(
  () => true,
  () => false,
);

async function problemOf(p: Promise<unknown>): Promise<{ problem: PeerKeyProblem; code: string } | 'OK'> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof PeerKeyError) return { problem: e.problem, code: e.code };
    throw e;
  }
}

async function ecPublic(curve: 'P-256' | 'P-384' | 'P-521', format: 'raw' | 'spki') {
  const k = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])) as CryptoKeyPair;
  return new Uint8Array(await crypto.subtle.exportKey(format, k.publicKey));
}

describe('E4: invalid peer keys are refused at import', () => {
  it('E4: valid raw and SPKI keys import, and give the same raw value', async () => {
    const { ctx } = await freshExchange();
    for (const curve of ['P-256', 'P-384'] as const) {
      const k = (await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])) as CryptoKeyPair;
      const raw = new Uint8Array(await crypto.subtle.exportKey('raw', k.publicKey));
      const spki = new Uint8Array(await crypto.subtle.exportKey('spki', k.publicKey));
      expect((await importPeerKey(ctx, curve, raw)).raw).toEqual(raw);
      expect((await importPeerKey(ctx, curve, spki)).raw).toEqual(raw);
    }
  });

  it('E4: wrong curve (raw P-384 point, P-384/P-521 SPKI, X25519 key, RSA SPKI for P-256) → wrong-curve, INVALID_ARGUMENT', async () => {
    const { ctx } = await freshExchange();
    const rsa = (await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['encrypt', 'decrypt'])) as CryptoKeyPair;
    const inputs = [await ecPublic('P-384', 'raw'), await ecPublic('P-384', 'spki'), await ecPublic('P-521', 'spki'), new Uint8Array(await crypto.subtle.exportKey('spki', rsa.publicKey)), crypto.getRandomValues(new Uint8Array(32))];
    for (const input of inputs) expect(await problemOf(importPeerKey(ctx, 'P-256', input))).toEqual({ problem: 'wrong-curve', code: 'INVALID_ARGUMENT' });
    expect(await problemOf(importPeerKey(ctx, 'P-384', await ecPublic('P-256', 'raw')))).toEqual({ problem: 'wrong-curve', code: 'INVALID_ARGUMENT' });
    expect(await problemOf(importPeerKey(ctx, 'X25519', await ecPublic('P-256', 'raw')))).toEqual({ problem: 'wrong-curve', code: 'INVALID_ARGUMENT' });
  });

  it.each(['P-256', 'P-384'] as const)('E4: %s: a point not on the curve (raw and inside SPKI) → not-on-curve, MALFORMED_INPUT', async (curve) => {
    const { ctx } = await freshExchange();
    const raw = await ecPublic(curve, 'raw');
    const offCurve = raw.slice();
    offCurve[offCurve.length - 1]! ^= 0x01;
    expect(await problemOf(importPeerKey(ctx, curve, offCurve))).toEqual({ problem: 'not-on-curve', code: 'MALFORMED_INPUT' });
    const spki = await ecPublic(curve, 'spki');
    spki[spki.length - 1]! ^= 0x01;
    expect(await problemOf(importPeerKey(ctx, curve, spki))).toEqual({ problem: 'not-on-curve', code: 'MALFORMED_INPUT' });
    // Coordinates outside the field, and the all-zero "point".
    const size = (raw.length - 1) / 2;
    const big = concat(Uint8Array.of(4), new Uint8Array(2 * size).fill(0xff));
    expect(await problemOf(importPeerKey(ctx, curve, big))).toEqual({ problem: 'not-on-curve', code: 'MALFORMED_INPUT' });
    expect(await problemOf(importPeerKey(ctx, curve, concat(Uint8Array.of(4), new Uint8Array(2 * size))))).toEqual({ problem: 'not-on-curve', code: 'MALFORMED_INPUT' });
  });

  it('E4: a compressed point is refused (compressed-point, UNSUPPORTED), consistently in every browser', async () => {
    const { ctx } = await freshExchange();
    const raw = await ecPublic('P-256', 'raw');
    const compressed = concat(Uint8Array.of(2 + (raw[64]! & 1)), raw.subarray(1, 33));
    expect(await problemOf(importPeerKey(ctx, 'P-256', compressed))).toEqual({ problem: 'compressed-point', code: 'UNSUPPORTED' });
  });

  it('E4: malformed encodings (empty, truncated, bad prefix, broken DER, trailing bytes) → malformed, MALFORMED_INPUT', async () => {
    const { ctx } = await freshExchange();
    const raw = await ecPublic('P-256', 'raw');
    const spki = await ecPublic('P-256', 'spki');
    const bad: Uint8Array[] = [new Uint8Array(0), raw.subarray(0, 64), concat(Uint8Array.of(5), raw.subarray(1)), spki.subarray(0, 40), concat(spki, Uint8Array.of(0)), Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)];
    for (const b of bad) expect(await problemOf(importPeerKey(ctx, 'P-256', b))).toEqual({ problem: 'malformed', code: 'MALFORMED_INPUT' });
    expect(await problemOf(importPeerKey(ctx, 'P-256', 'not bytes' as unknown as Uint8Array))).toEqual({ problem: 'malformed', code: 'MALFORMED_INPUT' });
  });

  it('E4: the exchange refuses an off-curve key in hello before any agreement (peer-key check)', async () => {
    const f = await freshExchange({
      wire: (m) => {
        if (m.kind !== 'hello') return m;
        const e = m.ephemeral.slice();
        e[e.length - 1]! ^= 0x01;
        return { ...m, ephemeral: e };
      },
    });
    const v = await (await f.ex.start({ mode: 'unauthenticated', curve: 'P-256', initiator: { name: 'Alice' }, responder: { name: 'Bob' } })).runToEnd();
    expect(v.status).toBe('refused');
    expect(v.failure).toMatchObject({ party: 'responder', check: 'peer-key', detail: { id: 'peer-key-refused', problem: 'not-on-curve' } });
    expect(v.responder.sessionKeyKcv).toBeUndefined();
  });

  it('E4: checkPeerKey (the engine verb) reports the same typed errors', async () => {
    const { ex } = await freshExchange();
    await expect(ex.checkPeerKey('P-256', await ecPublic('P-384', 'raw'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', problem: 'wrong-curve' });
    expect((await ex.checkPeerKey('P-256', await ecPublic('P-256', 'raw'))).publicHex).toMatch(/^04[0-9a-f]{128}$/);
    await expect(ex.checkPeerKey('P-521' as ExchangeCurve, new Uint8Array(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  if (X25519_AVAILABLE) {
    it('E4: X25519: a low-order point is refused at agreement (all-zero output never becomes a key); a 31-byte key is malformed', async () => {
      const { ctx } = await freshExchange();
      // u = 0 and u = 1 are low-order points (RFC 7748 §6.1).
      for (const u of [new Uint8Array(32), concat(Uint8Array.of(1), new Uint8Array(31))]) {
        const own = await generateEphemeral(ctx, 'X25519');
        let problem: PeerKeyProblem | 'OK' = 'OK';
        try {
          const peer = await importPeerKey(ctx, 'X25519', u);
          await agree(ctx, own, peer.key);
        } catch (e) {
          problem = e instanceof PeerKeyError ? e.problem : 'OK';
        }
        expect(problem).toBe('low-order');
      }
      expect(await problemOf(importPeerKey(ctx, 'X25519', new Uint8Array(31)))).toEqual({ problem: 'malformed', code: 'MALFORMED_INPUT' });
    });
  } else {
    it('E4: X25519 low-order points: NOT RUN (this runtime’s WebCrypto lacks X25519)', () => {
      expect(typeof window).toBe('undefined');
    });
  }
});
