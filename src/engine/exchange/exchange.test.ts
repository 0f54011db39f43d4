// Key exchange (D1–D3; SECURITY.md E1–E3): both sides derive the same key, the man in the
// middle succeeds without authentication and is caught with it, tampering with any signed
// field, identity or certificate fails, revoked and expired certificates are refused, and
// outcomes reach the audit log without key material. Runs in Node and in real Chromium.
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { fromHex, toHex, utf8 } from '../internal/bytes';
import { withAudit } from '../audit/store';
import { freshExchange, withParties } from '../../testing/exchange-fixtures';
import type { WireMessage } from './session';
import type { ExchangeCurve } from './types';
import { deriveSessionKeys, hkdfInfo, messageAad, openMessage, sealMessage, sessionKeyKcv } from './derive';
import { agree, generateEphemeral, importPeerKey } from './peer-key';
import type { CertId } from '../ids';

const X25519_AVAILABLE = await crypto.subtle.generateKey({ name: 'X25519' }, false, ['deriveBits']).then(
  () => true,
  () => false,
);
const IN_BROWSER = typeof window !== 'undefined';

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isEngineError(e)) return e.code;
    throw e;
  }
  return 'OK';
}

function flip(b: Uint8Array<ArrayBuffer>, at = b.length - 1): Uint8Array<ArrayBuffer> {
  const c = b.slice();
  c[at]! ^= 0x01;
  return c;
}

async function unauthenticatedRoundTrip(curve: ExchangeCurve) {
  const { ex } = await freshExchange();
  const s = await ex.start({ mode: 'unauthenticated', curve, initiator: { name: 'Alice' }, responder: { name: 'Bob' } });
  const v = await s.runToEnd();
  expect(v.status).toBe('established');
  expect(v.initiator.sessionKeyKcv).toMatch(/^[0-9a-f]{6}$/);
  expect(v.initiator.sessionKeyKcv).toBe(v.responder.sessionKeyKcv);
  expect(v.comparison?.match).toBe(true);
  expect(v.initiator.ephemeralDestroyed && v.responder.ephemeralDestroyed).toBe(true);
  const ab = await s.send('initiator', 'hello Bob');
  const ba = await s.send('responder', 'hello Alice');
  expect(ab.delivered).toEqual({ ok: true, text: 'hello Bob' });
  expect(ba.delivered).toEqual({ ok: true, text: 'hello Alice' });
  expect(ab.ciphertextHex).not.toContain(toHex(utf8('hello Bob')));
}

describe('D1/E3: both sides derive the same key', () => {
  it.each(['P-256', 'P-384'] as const)('%s: encrypt on one side, decrypt on the other, both ways', async (curve) => {
    await unauthenticatedRoundTrip(curve);
  });

  if (X25519_AVAILABLE) {
    it('X25519: encrypt on one side, decrypt on the other, both ways', async () => {
      await unauthenticatedRoundTrip('X25519');
    });
  } else {
    it('X25519: NOT RUN (this runtime’s WebCrypto lacks X25519); the engine says UNSUPPORTED', async () => {
      expect(IN_BROWSER).toBe(false);
      const { ex } = await freshExchange();
      expect(await codeOf(ex.start({ mode: 'unauthenticated', curve: 'X25519', initiator: { name: 'A' }, responder: { name: 'B' } }))).toBe('UNSUPPORTED');
    });
  }

  it('X25519 is offered in Chromium and feature-detected elsewhere', async () => {
    const { ex } = await freshExchange();
    const x = (await ex.curves()).find((c) => c.curve === 'X25519')!;
    expect(x.available).toBe(X25519_AVAILABLE);
    if (IN_BROWSER) expect(x.available).toBe(true);
  });

  it('E3: HKDF yields non-extractable AES-GCM-256 and HMAC keys; the secret buffer is zeroed; info binds the transcript', async () => {
    const { ctx } = await freshExchange();
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const copy1 = secret.slice();
    const salt = crypto.getRandomValues(new Uint8Array(64));
    const th1 = crypto.getRandomValues(new Uint8Array(32));
    const k1 = await deriveSessionKeys(ctx, secret, salt, th1);
    expect(secret.every((b) => b === 0)).toBe(true);
    expect(k1.sessionKey.extractable).toBe(false);
    expect(k1.sessionKey.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 });
    expect(k1.confirmationKey.extractable).toBe(false);
    expect(k1.confirmationKey.algorithm.name).toBe('HMAC');
    await expect(crypto.subtle.exportKey('raw', k1.sessionKey)).rejects.toThrow();
    // Never the raw secret as the key: an AES key made from the raw secret differs.
    const rawAsKey = await crypto.subtle.importKey('raw', copy1.slice(), 'AES-GCM', false, ['encrypt']);
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, rawAsKey, new Uint8Array(16));
    expect(toHex(new Uint8Array(ct).slice(0, 3))).not.toBe(await sessionKeyKcv(ctx, k1));
    // The info names the protocol and the transcript hash; another transcript gives another key.
    expect(new TextDecoder().decode(hkdfInfo('session key', th1).slice(0, 22))).toBe('Clavis key exchange v1');
    const k2 = await deriveSessionKeys(ctx, copy1.slice(), salt, crypto.getRandomValues(new Uint8Array(32)));
    expect(await sessionKeyKcv(ctx, k2)).not.toBe(await sessionKeyKcv(ctx, k1));
    const k3 = await deriveSessionKeys(ctx, copy1.slice(), salt, th1);
    expect(await sessionKeyKcv(ctx, k3)).toBe(await sessionKeyKcv(ctx, k1));
  });

  it('E3: ephemeral private keys are non-extractable and single use', async () => {
    const { ctx } = await freshExchange();
    const a = await generateEphemeral(ctx, 'P-256');
    const b = await generateEphemeral(ctx, 'P-256');
    const peer = await importPeerKey(ctx, 'P-256', b.publicRaw);
    const bits = await agree(ctx, a, peer.key);
    expect(bits.length).toBe(32);
    expect(a.destroyed).toBe(true);
    expect(await codeOf(agree(ctx, a, peer.key))).toBe('KEY_STATE');
    const priv = b.take();
    expect(priv.extractable).toBe(false);
    expect(priv.usages).toEqual(['deriveBits']);
    expect(b.destroyed).toBe(true);
  });

  it('messages are bound to direction and order: a replayed or reflected message does not open', async () => {
    const { ctx } = await freshExchange();
    const keys = await deriveSessionKeys(ctx, crypto.getRandomValues(new Uint8Array(32)), new Uint8Array(64), new Uint8Array(32));
    const m = await sealMessage(ctx, keys.sessionKey, messageAad('initiator-to-responder', 0), utf8('x'));
    expect(await openMessage(ctx, keys.sessionKey, messageAad('initiator-to-responder', 0), m)).toEqual(utf8('x'));
    expect(await openMessage(ctx, keys.sessionKey, messageAad('initiator-to-responder', 1), m)).toBeUndefined();
    expect(await openMessage(ctx, keys.sessionKey, messageAad('responder-to-initiator', 0), m)).toBeUndefined();
  });
});

describe('E1: unauthenticated exchange with a man in the middle', () => {
  it('E1: the attack succeeds: two different keys (A–M, M–B), the fingerprints and SAS differ and are flagged, the attacker reads and alters messages', async () => {
    const { ex } = await freshExchange();
    const s = await ex.start({ mode: 'unauthenticated', curve: 'P-256', initiator: { name: 'Alice' }, responder: { name: 'Bob' }, attacker: { mode: 'substitute' } });
    const v = await s.runToEnd();
    expect(v.status).toBe('established');
    expect(v.initiator.outcome).toBe('established');
    expect(v.responder.outcome).toBe('established');
    expect(v.initiator.checks.find((c) => c.name === 'key-confirmation')?.ok).toBe(true);
    expect(v.initiator.sessionKeyKcv).not.toBe(v.responder.sessionKeyKcv);
    expect(v.attacker?.kcvWithInitiator).toBe(v.initiator.sessionKeyKcv);
    expect(v.attacker?.kcvWithResponder).toBe(v.responder.sessionKeyKcv);
    expect(v.initiator.peerPublicHex).toBe(v.attacker?.publicHexToInitiator);
    expect(v.responder.peerPublicHex).toBe(v.attacker?.publicHexToResponder);
    expect(v.comparison?.match).toBe(false);
    expect(v.comparison?.initiator.keysFingerprint).not.toBe(v.comparison?.responder.keysFingerprint);
    expect(v.comparison?.initiator.sas).not.toBe(v.comparison?.responder.sas);
    expect(v.steps.at(-1)).toMatchObject({ kind: 'fingerprints-compared', actor: 'initiator' });
    // Messages are reported by kind and relay; only the replaced fields are marked.
    expect(v.steps.map((st) => st.message && `${st.message.kind}${st.message.relay ? `/${st.message.relay}` : ''}`)).toEqual(['hello', 'hello/altered', 'response', 'response/altered', 'finish', 'finish/altered', undefined, undefined]);
    expect(v.steps[1]!.message!.fields.filter((f) => f.changed).map((f) => f.id)).toEqual(['ephemeral-key']);
    expect(v.steps[3]!.message!.fields.filter((f) => f.changed).map((f) => f.id)).toEqual(['ephemeral-key', 'mac']);
    expect(v.attacker?.canRead).toBe(true);
    const read = await s.send('initiator', 'the safe code is 1234');
    expect(read.attackerRead).toBe('the safe code is 1234');
    expect(read.delivered).toEqual({ ok: true, text: 'the safe code is 1234' });
    const altered = await s.send('initiator', 'pay Bob 10', { tamper: 'pay Mallory 1000' });
    expect(altered.altered).toBe(true);
    expect(altered.delivered).toEqual({ ok: true, text: 'pay Mallory 1000' });
    const back = await s.send('responder', 'ok');
    expect(back.attackerRead).toBe('ok');
    expect(back.delivered).toEqual({ ok: true, text: 'ok' });
  });

  it('E1: a passive eavesdropper records everything but reads nothing; what it alters is refused', async () => {
    const { ex } = await freshExchange();
    const s = await ex.start({ mode: 'unauthenticated', curve: 'P-384', initiator: { name: 'Alice' }, responder: { name: 'Bob' }, attacker: { mode: 'eavesdrop' } });
    const v = await s.runToEnd();
    expect(v.status).toBe('established');
    expect(v.comparison?.match).toBe(true);
    expect(v.attacker?.canRead).toBe(false);
    const d = await s.send('initiator', 'secret plans');
    expect(d.attackerRead).toBeNull();
    expect(d.delivered).toEqual({ ok: true, text: 'secret plans' });
    const t = await s.send('initiator', 'more plans', { tamper: 'anything' });
    expect(t.altered).toBe(true);
    expect(t.delivered).toEqual({ ok: false, reason: 'does-not-decrypt' });
  });
});

describe('E2/D3: authenticated exchange', () => {
  it('E2: Alice and Bob with Clavis CA certificates: chain, CRL, identity, signature and key confirmation pass on both sides', async () => {
    const { ex, alice, bob, storage } = await withParties();
    const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId } });
    const v = await s.runToEnd();
    expect(v.status).toBe('established');
    for (const side of [v.initiator, v.responder]) {
      expect(side.checks.every((c) => c.ok)).toBe(true);
    }
    expect(v.initiator.checks.map((c) => c.name)).toEqual(['peer-key', 'certificate-chain', 'certificate-revocation', 'identity', 'signature', 'key-confirmation']);
    expect(v.responder.checks.map((c) => c.name)).toEqual(['peer-key', 'certificate-chain', 'certificate-revocation', 'identity', 'signature', 'key-confirmation']);
    expect(v.initiator.sessionKeyKcv).toBe(v.responder.sessionKeyKcv);
    const sigs = v.steps.flatMap((st) => st.values.filter((x) => x.id === 'signature'));
    expect(sigs).toHaveLength(2);
    // The certificate on the wire: its subject's common name and DER size.
    const cert = v.steps[1]!.message!.fields.find((f) => f.id === 'certificate');
    expect(cert).toMatchObject({ value: 'Bob', derBytes: expect.any(Number) });
    expect(cert!.derBytes).toBeGreaterThan(100);
    expect((await s.send('responder', 'hi')).delivered).toEqual({ ok: true, text: 'hi' });
    // The audit log has the outcome, without key material.
    const entries = (await storage.listAuditEntries()).filter((e) => e.action.startsWith('exchange.'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'exchange.established', subject: [v.id, alice.certId, bob.certId] });
    expect(entries[0]!.details).toMatchObject({ mode: 'authenticated', curve: 'P-256', initiatorOutcome: 'established', responderOutcome: 'established', fingerprintsMatch: true });
    const json = JSON.stringify(entries[0]);
    expect(json).not.toContain(v.initiator.ownPublicHex!);
    expect(json).not.toContain(v.initiator.sessionKeyKcv!);
  });

  it('E2: the same man in the middle (relaying the signatures) is detected: the signature check fails and no key is used', async () => {
    const { ex, alice, bob, storage } = await withParties();
    const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId }, attacker: { mode: 'substitute', strategy: 'relay-signatures' } });
    const v = await s.runToEnd();
    expect(v.status).toBe('refused');
    expect(v.failure).toMatchObject({ party: 'initiator', check: 'signature' });
    expect(v.initiator.checks.find((c) => c.name === 'certificate-chain')?.ok).toBe(true);
    expect(v.initiator.checks.at(-1)).toMatchObject({ name: 'signature', ok: false });
    expect(v.initiator.ephemeralDestroyed && v.responder.ephemeralDestroyed).toBe(true);
    expect(await codeOf(s.send('initiator', 'x'))).toBe('KEY_STATE');
    const e = (await storage.listAuditEntries()).find((x) => x.action === 'exchange.refused');
    expect(e?.details).toMatchObject({ failedCheck: 'signature', failedAt: 'initiator', attacker: 'substitute' });
  });

  it('E2: an attacker signing with its own valid Clavis certificate is detected by the identity check', async () => {
    const { ex, alice, bob, mallory } = await withParties();
    const s = await ex.start({
      mode: 'authenticated',
      curve: 'P-384',
      initiator: { certId: alice.certId },
      responder: { certId: bob.certId },
      attacker: { mode: 'substitute', strategy: 'own-certificate', party: { certId: mallory.certId } },
    });
    const v = await s.runToEnd();
    expect(v.status).toBe('refused');
    expect(v.failure).toMatchObject({ party: 'initiator', check: 'identity' });
    expect(v.failure?.detail).toEqual({ id: 'names-other', names: ['Mallory'], peer: 'Bob' });
  });

  it('E2: a passive eavesdropper cannot read an authenticated session', async () => {
    const { ex, alice, bob } = await withParties();
    const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId }, attacker: { mode: 'eavesdrop' } });
    expect((await s.runToEnd()).status).toBe('established');
    const d = await s.send('initiator', 'private');
    expect(d.attackerRead).toBeNull();
    expect(d.delivered).toEqual({ ok: true, text: 'private' });
  });

  it('D3: a revoked certificate is refused (certificate-revocation)', async () => {
    const { ex, pki, alice, bob } = await withParties();
    await pki.revokeCertificate(bob.certId, { reason: 'affiliationChanged' });
    const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId } });
    const v = await s.runToEnd();
    expect(v.status).toBe('refused');
    expect(v.failure).toMatchObject({ party: 'initiator', check: 'certificate-revocation' });
    expect(v.initiator.checks.at(-1)?.ok).toBe(false);
  });

  it('D3: a revoked initiator is refused by the responder', async () => {
    const { ex, pki, alice, bob } = await withParties();
    await pki.revokeCertificate(alice.certId, { reason: 'affiliationChanged' });
    const v = await (await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId } })).runToEnd();
    expect(v.failure).toMatchObject({ party: 'responder', check: 'certificate-revocation' });
    expect(v.initiator.outcome).toBe('established');
    expect(v.responder.outcome).toBe('refused');
  });

  it('D3: after a keyCompromise revocation the party’s own signing key refuses to sign (KEY_STATE)', async () => {
    const { ex, pki, alice, bob } = await withParties();
    await pki.revokeCertificate(bob.certId, { reason: 'keyCompromise' });
    const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: bob.certId } });
    expect(await codeOf(s.runToEnd())).toBe('KEY_STATE');
    expect(s.view().initiator.ephemeralDestroyed).toBe(true);
  });

  it('D3: an expired certificate is refused (certificate-chain)', async () => {
    const { ex, pki, ctx, clock, alice } = await withParties();
    const ca = (await pki.listCas()).find((c) => c.name === 'Clavis Exchange CA')!;
    const { generateKey } = await import('../keys/vault');
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'short-lived Bob' });
    const short = await pki.issueCertificate({ caId: ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'Bob' }, validityDays: 1 });
    clock.advance(2 * 86_400_000);
    const v = await (await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice.certId }, responder: { certId: short.cert.id } })).runToEnd();
    expect(v.status).toBe('refused');
    expect(v.failure).toMatchObject({ party: 'initiator', check: 'certificate-chain' });
  });
});

describe('E2: tampering with any signed field, identity or certificate fails', () => {
  type Tamper = { name: string; expectCheck: string; expectParty: 'initiator' | 'responder'; f: (m: WireMessage, ctx: { malloryChain: Uint8Array<ArrayBuffer>[]; aliceChain: Uint8Array<ArrayBuffer>[]; otherKey: Uint8Array<ArrayBuffer> }) => WireMessage };
  const cases: Tamper[] = [
    { name: "hello: Alice's ephemeral key swapped", expectCheck: 'signature', expectParty: 'initiator', f: (m, c) => (m.kind === 'hello' ? { ...m, ephemeral: c.otherKey } : m) },
    { name: "hello: Alice's nonce changed", expectCheck: 'signature', expectParty: 'initiator', f: (m) => (m.kind === 'hello' ? { ...m, nonce: flip(m.nonce) } : m) },
    { name: 'hello: the claimed identity changed', expectCheck: 'signature', expectParty: 'initiator', f: (m) => (m.kind === 'hello' ? { ...m, from: 'Carol' } : m) },
    { name: 'hello: addressed to someone else', expectCheck: 'identity', expectParty: 'responder', f: (m) => (m.kind === 'hello' ? { ...m, to: 'Carol' } : m) },
    { name: "response: Bob's ephemeral key swapped", expectCheck: 'signature', expectParty: 'initiator', f: (m, c) => (m.kind === 'response' ? { ...m, ephemeral: c.otherKey } : m) },
    { name: "response: Bob's nonce changed", expectCheck: 'signature', expectParty: 'initiator', f: (m) => (m.kind === 'response' ? { ...m, nonce: flip(m.nonce) } : m) },
    { name: "response: Bob's signature changed", expectCheck: 'signature', expectParty: 'initiator', f: (m) => (m.kind === 'response' && m.auth ? { ...m, auth: { ...m.auth, signature: flip(m.auth.signature, 5) } } : m) },
    { name: "response: Bob's certificate replaced by Mallory's", expectCheck: 'identity', expectParty: 'initiator', f: (m, c) => (m.kind === 'response' && m.auth ? { ...m, auth: { ...m.auth, chain: c.malloryChain } } : m) },
    { name: "response: Bob's certificate replaced by Alice's", expectCheck: 'identity', expectParty: 'initiator', f: (m, c) => (m.kind === 'response' && m.auth ? { ...m, auth: { ...m.auth, chain: c.aliceChain } } : m) },
    { name: "response: a byte of Bob's certificate changed", expectCheck: 'certificate-chain', expectParty: 'initiator', f: (m) => (m.kind === 'response' && m.auth ? { ...m, auth: { ...m.auth, chain: [flip(m.auth.chain[0]!, m.auth.chain[0]!.length - 10)] } } : m) },
    { name: "response: Bob's certificate removed", expectCheck: 'certificate-chain', expectParty: 'initiator', f: (m) => (m.kind === 'response' && m.auth ? { ...m, auth: { ...m.auth, chain: [] } } : m) },
    { name: "response: Bob's MAC changed", expectCheck: 'key-confirmation', expectParty: 'initiator', f: (m) => (m.kind === 'response' ? { ...m, mac: flip(m.mac) } : m) },
    { name: "finish: Alice's signature changed", expectCheck: 'signature', expectParty: 'responder', f: (m) => (m.kind === 'finish' && m.auth ? { ...m, auth: { ...m.auth, signature: flip(m.auth.signature, 3) } } : m) },
    { name: "finish: Alice's certificate replaced by Mallory's", expectCheck: 'identity', expectParty: 'responder', f: (m, c) => (m.kind === 'finish' && m.auth ? { ...m, auth: { ...m.auth, chain: c.malloryChain } } : m) },
    { name: "finish: Alice's MAC changed", expectCheck: 'key-confirmation', expectParty: 'responder', f: (m) => (m.kind === 'finish' ? { ...m, mac: flip(m.mac) } : m) },
  ];

  it.each(cases)('E2: $name → $expectParty refuses ($expectCheck)', async (t) => {
    let hook: ((m: WireMessage) => WireMessage) | undefined;
    const f = await withParties({ wire: (m) => (hook ? hook(m) : m) });
    const chainOf = async (certId: CertId) => [await f.pki.exportCertificate(certId, 'der')];
    const other = await generateEphemeral(f.ctx, 'P-256');
    const c = { malloryChain: await chainOf(f.mallory.certId), aliceChain: await chainOf(f.alice.certId), otherKey: other.publicRaw };
    hook = (m) => t.f(m, c);
    const v = await (await f.ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: f.alice.certId }, responder: { certId: f.bob.certId } })).runToEnd();
    expect(v.status).toBe('refused');
    expect(v.failure).toMatchObject({ party: t.expectParty, check: t.expectCheck });
  });
});

describe('audit', () => {
  it('exchange entries keep the chain verifiable and hold no key material', async () => {
    const { ex, ctx, storage } = await freshExchange();
    await (await ex.start({ mode: 'unauthenticated', curve: 'P-256', initiator: { name: 'Alice' }, responder: { name: 'Bob' }, attacker: { mode: 'substitute' } })).runToEnd();
    const entries = await storage.listAuditEntries();
    expect(entries.map((e) => e.action)).toEqual(['exchange.established']);
    expect(entries[0]!.details).toMatchObject({ attacker: 'substitute', fingerprintsMatch: false });
    const { verifyStoredAuditLog } = await import('../audit/store');
    expect((await verifyStoredAuditLog(ctx)).ok).toBe(true);
    // A draft that carried a secret would be refused by the audit log itself.
    await expect(withAudit(ctx, async () => ({ drafts: [{ at: new Date().toISOString(), actor: 'operator', action: 'exchange.established', subject: [], details: { sessionKey: toHex(fromHex('00'.repeat(32))) } }], commit: (a) => storage.commitAudited(a) }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
