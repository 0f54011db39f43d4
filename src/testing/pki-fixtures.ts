/**
 * Fixtures for certificate-authority tests: a fresh engine context over a fresh database,
 * the PKI verbs on it, and a ready-made root → intermediate → leaf hierarchy. Real
 * WebCrypto and real (or fake-indexeddb) IndexedDB; nothing is mocked.
 */
import { openStorage } from '../engine/storage/db';
import { fixedClock } from '../engine/internal/clock';
import { cryptoRandom, type RandomSource } from '../engine/internal/random';
import { toHex } from '../engine/internal/bytes';
import { inThreadBulkCipher, type EngineContext } from '../engine/keys/context';
import { createFeatureProbe } from '../engine/keys/features';
import { createPki, type Pki } from '../engine/pki';

/** A fixed instant used by PKI tests unless they move the clock. */
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);

/** A fresh context and PKI. `random` can be replaced to force serial collisions. */
export async function freshPki(opts: { now?: number; random?: RandomSource } = {}) {
  const dbName = `clavis-pki-test-${toHex(crypto.getRandomValues(new Uint8Array(8)))}`;
  const storage = await openStorage({ name: dbName });
  const clock = fixedClock(opts.now ?? T0);
  const ctx: EngineContext = {
    crypto: globalThis.crypto,
    subtle: globalThis.crypto.subtle,
    storage,
    clock,
    random: opts.random ?? cryptoRandom(globalThis.crypto),
    bulk: inThreadBulkCipher(globalThis.crypto.subtle),
    supports: createFeatureProbe(globalThis.crypto.subtle),
  };
  return { ctx, pki: createPki(ctx), storage, clock, dbName };
}

/** A root (pathLen 1), an intermediate (pathLen 0) and a TLS server leaf for a vault key. */
export async function hierarchy(p: Pki, opts: { rootKey?: 'ECDSA-P-256' | 'ECDSA-P-384' | 'RSASSA-PKCS1-v1_5-2048' } = {}) {
  const root = await p.createRootCa({ name: 'Test Root', subject: { C: 'DE', O: 'Clavis Test', CN: 'Clavis Test Root' }, pathLen: 1, keyTemplate: opts.rootKey ?? 'ECDSA-P-256' });
  const int = await p.createIntermediateCa({
    name: 'Test Issuing',
    parentId: root.ca.id,
    subject: { C: 'DE', O: 'Clavis Test', CN: 'Clavis Test Issuing CA' },
    pathLen: 0,
    crlUrl: 'http://crl.clavis.test/issuing.crl',
    caIssuersUrl: 'http://crl.clavis.test/issuing.cer',
  });
  return { root, int };
}
