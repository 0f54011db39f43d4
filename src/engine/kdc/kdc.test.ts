// The key distribution center (PRODUCT.md C1–C6, SECURITY.md D1–D5), over a real engine:
// runs in Node (fake-indexeddb) and in Chromium (real WebCrypto and IndexedDB).
import { describe, expect, it } from 'vitest';
import { asPrincipalId } from '../ids';
import { fixedClock, type Engine } from '..';
import { fromUtf8, toHex } from '../internal/bytes';
import { freshEngine } from '../../testing/engine';

import { decodeApRequest, decodeSealed, encodeApRequest, encodeSealed } from './codec';
import { CLOCK_SKEW_MS, DEFAULT_TICKET_LIFETIME_MS } from './kdc';
import { KDC_ATTACK_NAMES, KdcRefusal, type KdcAttackName, type KdcCheck } from './types';

const ALICE = asPrincipalId('alice');
const FILES = asPrincipalId('files');
const MAIL = asPrincipalId('mail');

const T0 = Date.UTC(2030, 0, 15, 9, 0, 0);

async function setup() {
  const clock = fixedClock(T0);
  const { engine, storage } = await freshEngine({ clock });
  const kdc = await engine.kdc();
  await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
  await kdc.registerPrincipal({ name: 'files', kind: 'service' });
  return { engine, storage, kdc, clock };
}

/** Expects `p` to be refused by `check`. */
async function refusedBy(p: Promise<unknown>, check: KdcCheck): Promise<KdcRefusal> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected a refusal by ${check}`).toBeInstanceOf(KdcRefusal);
  expect((e as KdcRefusal).check).toBe(check);
  return e as KdcRefusal;
}

/** Message 1–3 of a fresh run: the AP request A would send to B. */
async function toApRequest(engine: Engine, client = ALICE, service = FILES) {
  const P = (await engine.kdc()).protocol;
  return P.acceptReply(client, await P.issue(await P.request(client, service)));
}

describe('KDC principals (C1)', () => {
  it('C1 registers principals: non-extractable long-term key on the principal side, AES-KW-wrapped at the KDC, with a KCV', async () => {
    const { kdc, storage } = await setup();
    const list = await kdc.listPrincipals();
    expect(list.map((p) => [p.name, p.kind, p.status, p.kvno])).toEqual([
      ['alice', 'user', 'active', 1],
      ['files', 'service', 'active', 1],
    ]);
    const own = await storage.getKdcPrincipalKey('alice');
    expect(own?.key.extractable).toBe(false);
    expect(own?.key.algorithm.name).toBe('AES-GCM');
    const rec = await storage.getKdcPrincipal('alice');
    expect(rec?.wrappedKey).toBeInstanceOf(Uint8Array);
    expect(rec?.wrappedKey.length).toBe(40); // RFC 3394: 32-byte key + 8
    expect(rec?.kcv).toMatch(/^[0-9a-f]{6}$/);
    expect(list[0]!.kcv).toBe(rec?.kcv);
    const master = await storage.getKdcMasterKey();
    expect(master?.extractable).toBe(false);
    expect(master?.algorithm.name).toBe('AES-KW');
    await expect(kdc.registerPrincipal({ name: 'alice', kind: 'user' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(kdc.registerPrincipal({ name: 'kdc', kind: 'service' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('suspend, revoke and reinstate; a suspended principal gets no tickets', async () => {
    const { kdc } = await setup();
    expect((await kdc.suspendPrincipal(FILES, 'maintenance')).status).toBe('suspended');
    const run = await kdc.distribute({ client: ALICE, service: FILES });
    expect(run.refusal?.check).toBe('principal-status');
    expect(run.confirmed).toBe(false);
    expect((await kdc.reinstatePrincipal(FILES)).status).toBe('active');
    expect((await kdc.distribute({ client: ALICE, service: FILES })).confirmed).toBe(true);
    await expect(kdc.reinstatePrincipal(FILES)).rejects.toMatchObject({ code: 'KEY_STATE' });
  });
});

describe('KDC session-key distribution (C2, C3, C6)', () => {
  it('C2 runs the five messages step by step, and both sides end with the same non-extractable AES-GCM key (encrypt on one side, decrypt on the other)', async () => {
    const { kdc, storage } = await setup();
    let run = await kdc.startDistribution({ client: ALICE, service: FILES });
    expect(run.messages.map((m) => m.type)).toEqual(['kdc-request']);
    // The run names its next delivery by id; the screens put it in words.
    const nexts = [run.next];
    while (!run.done) {
      run = await kdc.nextStep(run.id);
      nexts.push(run.next);
    }
    expect(nexts).toEqual(['issue', 'present-ticket', 'accept-ticket', 'confirm', 'finish', undefined]);
    expect(run.refusal).toBeUndefined();
    expect(run.confirmed).toBe(true);
    // Messages are ids and names; the screens word them (src/copy/kdc.ts).
    expect(run.messages.map((m) => [m.step, m.type, m.from, m.to, m.service])).toEqual([
      [1, 'kdc-request', 'alice', 'kdc', 'files'],
      [2, 'kdc-reply', 'kdc', 'alice', 'files'],
      [3, 'ap-request', 'alice', 'files', 'files'],
      [4, 'ap-challenge', 'files', 'alice', 'files'],
      [5, 'ap-confirm', 'alice', 'files', 'files'],
    ]);
    expect(run.messages.every((m) => !('title' in m))).toBe(true);
    // Each message is shown decoded and as its exact bytes.
    const reply = run.messages[1]!;
    // Parts and protections are ids and data (the screens word them); no English from the engine.
    expect(reply.sections.map((s) => [s.part, s.protection])).toEqual([
      ['header', { kind: 'aad' }],
      ['reply', { kind: 'long-term', principal: 'alice', kvno: 1 }],
      ['ticket-header', { kind: 'aad' }],
      ['ticket', { kind: 'long-term', principal: 'files', kvno: 1 }],
    ]);
    expect(reply.sections[1]!.fields.filter((f) => f.note).map((f) => [f.name, f.note])).toEqual([
      ['nonce', 'reply-nonce'],
      ['sessionKey', 'wrapped-under-sealing-key'],
      ['confirmKey', 'confirm-key'],
    ]);
    expect(run.messages[2]!.sections.map((s) => s.part)).toEqual(['envelope', 'ticket-header', 'ticket', 'authenticator-header', 'authenticator']);
    expect(run.messages[2]!.sections[2]!.protection).toEqual({ kind: 'passed-on', service: 'files', carrier: 'alice' });
    // Sizes are numbers, not sentences.
    expect(reply.sections[1]!.fields.find((f) => f.name === 'sessionKey')!.value).toEqual({ of: 'wrapped-key', bytes: expect.any(Number) });
    expect(reply.sections[1]!.fields.find((f) => f.name === 'ticket')!.value).toEqual({ of: 'sealed-ticket' });
    expect(JSON.parse(fromUtf8(Uint8Array.from(reply.hex.match(/../g)!.map((h) => parseInt(h, 16)))))).toMatchObject({ proto: 'clavis-kdc', v: 1, type: 'kdc-reply' });

    const keyId = run.keyId!;
    const a = await storage.getKdcHeldKey(keyId, 'alice');
    const b = await storage.getKdcHeldKey(keyId, 'files');
    expect(a?.key.extractable).toBe(false);
    expect(b?.key.extractable).toBe(false);
    expect(a?.key.algorithm.name).toBe('AES-GCM');
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, a!.key, new TextEncoder().encode('same key'));
    expect(new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, b!.key, ct))).toBe('same key');

    // C3: the KCVs of both copies agree with the KDC's record (AES-KW under the master key).
    const va = await kdc.verifyDistributedKey(keyId, ALICE);
    const vb = await kdc.verifyDistributedKey(keyId, FILES);
    expect(va).toMatchObject({ match: true, revoked: false });
    expect(vb.holderKcv).toBe(va.holderKcv);
    expect(va.kdcKcv).toBe(va.holderKcv);
    const rec = (await kdc.listDistributedKeys()).find((k) => k.id === keyId);
    expect(rec).toMatchObject({ kind: 'session', parties: ['alice', 'files'], kcv: va.kdcKcv, revoked: false });
    expect((await storage.getKdcKey(keyId))?.wrappedKey.length).toBe(40);
  });

  it('C6 the parties exchange messages under the session key, both ways', async () => {
    const { kdc } = await setup();
    const run = await kdc.distribute({ client: ALICE, service: FILES });
    const m = await kdc.sendMessage(run.keyId!, ALICE, 'hello files');
    expect(m.to).toBe('files');
    expect(m.wire.sections.at(-1)!).toMatchObject({ part: 'message', protection: { kind: 'session', keyId: run.keyId } });
    expect(await kdc.receiveMessage(run.keyId!, FILES, m.bytes)).toBe('hello files');
    const back = await kdc.sendMessage(run.keyId!, FILES, 'hello alice');
    expect(await kdc.receiveMessage(run.keyId!, ALICE, back.bytes)).toBe('hello alice');
    const tampered = decodeSealed(m.bytes);
    tampered.ct[0]! ^= 1;
    await refusedBy(kdc.receiveMessage(run.keyId!, FILES, encodeSealed(tampered)), 'aead');
  });

  it("the seeds' store/get: a key stored for a principal comes back only to that authenticated principal", async () => {
    const { kdc } = await setup();
    const stored = await kdc.storeKey(ALICE, 'backup key');
    expect(stored).toMatchObject({ kind: 'stored', parties: ['alice'], label: 'backup key' });
    const got = await kdc.getKey(ALICE, stored.id);
    expect(got.kcv).toBe(stored.kcv);
    expect((await kdc.verifyDistributedKey(stored.id, ALICE)).match).toBe(true);
    await refusedBy(kdc.getKey(FILES, stored.id), 'owner');
    await kdc.revokeDistributedKey(stored.id, 'superseded');
    await refusedBy(kdc.getKey(ALICE, stored.id), 'key-revoked');
  });
});

describe('KDC protections (D1–D5)', () => {
  it('D1 a tampered ticket is refused by AES-GCM (ciphertext or header)', async () => {
    const { engine } = await setup();
    const { apRequest } = await toApRequest(engine);
    const ap = decodeApRequest(apRequest);
    const badCt = { ...ap, ticket: { ...ap.ticket, ct: Uint8Array.from(ap.ticket.ct, (x, i) => (i === 3 ? x ^ 0x80 : x)) } };
    await refusedBy((await engine.kdc()).protocol.serviceAccept(FILES, encodeApRequest(badCt)), 'aead');
    const badHeader = { ...ap, ticket: { ...ap.ticket, header: { ...ap.ticket.header, extra: 'x' } } };
    await refusedBy((await engine.kdc()).protocol.serviceAccept(FILES, encodeApRequest(badHeader)), 'aead');
    // The untouched request still works: the refusals did not consume it.
    expect((await (await engine.kdc()).protocol.serviceAccept(FILES, apRequest)).client).toBe(ALICE);
  });

  it('D1 a tampered KDC reply is refused by AES-GCM', async () => {
    const { engine } = await setup();
    const P = (await engine.kdc()).protocol;
    const reply = await P.issue(await P.request(ALICE, FILES));
    const s = decodeSealed(reply);
    s.ct[10]! ^= 1;
    await refusedBy(P.acceptReply(ALICE, encodeSealed(s)), 'aead');
  });

  it("D2 nonce mismatch: a replayed old KDC reply is refused by A's nonce check; nonces are single use", async () => {
    const { engine } = await setup();
    const P = (await engine.kdc()).protocol;
    const old = await P.issue(await P.request(ALICE, FILES));
    await P.acceptReply(ALICE, old);
    await refusedBy(P.acceptReply(ALICE, old), 'nonce'); // single use
    await P.request(ALICE, FILES); // a new outstanding request
    await refusedBy(P.acceptReply(ALICE, old), 'nonce');
    // A reply to a request for another service does not match either.
    await (await engine.kdc()).registerPrincipal({ name: 'mail', kind: 'service' });
    const other = await P.issue(await P.request(ALICE, MAIL));
    const s = decodeSealed(other);
    expect(s.header.to).toBe('alice');
  });

  it('D3 replayed authenticator: the same ticket + authenticator is refused by the replay cache', async () => {
    const { engine } = await setup();
    const { apRequest } = await toApRequest(engine);
    await (await engine.kdc()).protocol.serviceAccept(FILES, apRequest);
    await refusedBy((await engine.kdc()).protocol.serviceAccept(FILES, apRequest), 'replay-cache');
  });

  it('D3 expired ticket: replayed after expiry it is refused, even with a fresh authenticator', async () => {
    const { engine, clock } = await setup();
    const P = (await engine.kdc()).protocol;
    const { keyId } = await toApRequest(engine);
    clock.advance(DEFAULT_TICKET_LIFETIME_MS + 1);
    await refusedBy(P.serviceAccept(FILES, await P.apRequest(ALICE, keyId)), 'expiry');
  });

  it('D3 skew outside the window: an authenticator more than 5 minutes old (or ahead) is refused', async () => {
    const { engine, clock } = await setup();
    const P = (await engine.kdc()).protocol;
    const { apRequest, keyId } = await toApRequest(engine);
    clock.advance(CLOCK_SKEW_MS + 1);
    await refusedBy(P.serviceAccept(FILES, apRequest), 'skew');
    // Inside the window a fresh authenticator for the same ticket is fine.
    expect((await P.serviceAccept(FILES, await P.apRequest(ALICE, keyId))).keyId).toBe(keyId);
    // B's clock behind by more than the window sees it as from the future.
    const fresh = await P.apRequest(ALICE, keyId);
    await refusedBy(P.serviceAccept(FILES, fresh, { at: clock.now() - CLOCK_SKEW_MS - 1 }), 'skew');
  });

  it("D4 reflection: B's own challenge sent back (as is, relabelled, or re-sealed with the session key) never confirms", async () => {
    const { engine, storage } = await setup();
    const P = (await engine.kdc()).protocol;
    const { apRequest, keyId } = await toApRequest(engine);
    const { challenge } = await P.serviceAccept(FILES, apRequest);
    await refusedBy(P.serviceFinish(FILES, keyId, challenge), 'message-format');
    const s = decodeSealed(challenge);
    await refusedBy(P.serviceFinish(FILES, keyId, encodeSealed({ ...s, header: { ...s.header, type: 'ap-confirm', from: ALICE, to: FILES } })), 'aead');
    const report = await (await engine.kdc()).runAttack('reflection', { client: ALICE, service: FILES });
    expect(report.clavis.succeeded).toBe(false);
    expect(report.clavis.refusedBy).toBe('key-confirmation');
    expect(report.clavis.attempts.map((a) => a.check)).toEqual(['message-format', 'aead', 'key-confirmation']);
    // The honest answer still confirms.
    await P.serviceFinish(FILES, keyId, await P.clientConfirm(ALICE, keyId, challenge));
    expect((await storage.getKdcHeldKey(keyId, 'files'))?.confirmKey?.extractable).toBe(false);
  });

  it('D5/C4 revoked key: B refuses a ticket for a revoked key; the revoked list shows id, parties, reason and date', async () => {
    const { engine, kdc } = await setup();
    const { apRequest, keyId } = await toApRequest(engine);
    const revoked = await kdc.revokeDistributedKey(keyId, 'keyCompromise');
    expect(revoked).toMatchObject({ revoked: true, reason: 'keyCompromise', revokedAt: new Date(T0).toISOString() });
    await refusedBy(kdc.protocol.serviceAccept(FILES, apRequest), 'key-revoked');
    expect(await kdc.listRevokedKeys()).toEqual([{ id: keyId, parties: ['alice', 'files'], reason: 'keyCompromise', revokedAt: new Date(T0).toISOString() }]);
    expect((await kdc.verifyDistributedKey(keyId, ALICE)).revoked).toBe(true);
    await expect(kdc.sendMessage(keyId, ALICE, 'x')).rejects.toMatchObject({ code: 'KEY_STATE' });
    await expect(kdc.revokeDistributedKey(keyId, 'keyCompromise')).rejects.toMatchObject({ code: 'KEY_STATE' });
  });

  it('D5/C4 revoked principal: its keys are revoked, B refuses its outstanding ticket and the KDC issues it no new one', async () => {
    const { engine, kdc } = await setup();
    const { apRequest } = await toApRequest(engine);
    const done = await kdc.distribute({ client: ALICE, service: FILES });
    const p = await kdc.revokePrincipal(ALICE, 'affiliationChanged');
    expect(p).toMatchObject({ status: 'revoked', ownerRevoked: true });
    expect((await kdc.listDistributedKeys()).every((k) => k.revoked)).toBe(true);
    expect((await kdc.listRevokedKeys()).map((k) => k.id)).toContain(done.keyId);
    const e = await kdc.protocol.serviceAccept(FILES, apRequest).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(KdcRefusal);
    expect(['key-revoked', 'principal-status']).toContain((e as KdcRefusal).check);
    const run = await kdc.distribute({ client: ALICE, service: FILES });
    expect(run.refusal?.check).toBe('principal-status');
    // Lifecycle integration (B5): the owner is revoked there too; reinstating lifts both.
    expect((await engine.listPrincipals()).find((o) => o.id === 'alice')?.revoked).toBe(true);
    await kdc.reinstatePrincipal(ALICE);
    expect((await engine.listPrincipals()).find((o) => o.id === 'alice')?.revoked).toBe(false);
    expect((await kdc.distribute({ client: ALICE, service: FILES })).confirmed).toBe(true);
  });

  it('D5 rotating a long-term key: old tickets stay good until they could have expired, new ones use the new key version', async () => {
    const { engine, kdc, clock } = await setup();
    const P = kdc.protocol;
    const before = await toApRequest(engine);
    const rotated = await kdc.rotatePrincipalKey(FILES);
    expect(rotated.kvno).toBe(2);
    expect(rotated.kcv).not.toBe((await kdc.listPrincipals()).find((p) => p.name === 'alice')!.kcv);
    // The ticket sealed under kvno 1 before the rotation is still accepted.
    expect((await P.serviceAccept(FILES, before.apRequest)).keyId).toBe(before.keyId);
    // A new ticket is sealed under kvno 2 and accepted.
    const after = await toApRequest(engine);
    expect(decodeApRequest(after.apRequest).ticket.header.kvno).toBe(2);
    expect((await P.serviceAccept(FILES, after.apRequest)).keyId).toBe(after.keyId);
    // Once the longest ticket issued before the rotation has expired, the old version is retired.
    clock.advance(24 * 3_600_000 + 1);
    const late = await P.apRequest(ALICE, before.keyId);
    const refusal = await refusedBy(P.serviceAccept(FILES, late), 'expiry');
    expect(refusal.message).toMatch(/retired/);
  });

  it('D5 a rotation that retires the old key at once refuses every ticket sealed under it; the audit entry holds no key', async () => {
    const { engine, kdc } = await setup();
    const before = await toApRequest(engine);
    await kdc.rotatePrincipalKey(FILES, { retireAtOnce: true });
    await refusedBy(kdc.protocol.serviceAccept(FILES, before.apRequest), 'addressing');
    const fresh = await toApRequest(engine);
    expect((await kdc.protocol.serviceAccept(FILES, fresh.apRequest)).client).toBe(ALICE);
    const entries = await engine.listAuditEntries();
    const rotate = entries.find((e) => e.action === 'kdc.principal.rotate')!;
    expect(rotate).toBeDefined();
    expect(JSON.stringify(rotate)).not.toMatch(/wrapped|"key"/);
    expect(JSON.stringify(rotate)).toContain('refused at once');
    await expect(kdc.revokePrincipal(FILES, 'cessationOfOperation').then(() => kdc.rotatePrincipalKey(FILES))).rejects.toMatchObject({ code: 'KEY_STATE' });
  });

  it("D5 a principal revoked through the lifecycle (engine.revokePrincipal) gets its tickets refused by B", async () => {
    const { engine, kdc } = await setup();
    const { apRequest } = await toApRequest(engine);
    await engine.revokePrincipal('alice', 'privilegeWithdrawn');
    await refusedBy(kdc.protocol.serviceAccept(FILES, apRequest), 'principal-status');
    expect((await kdc.listPrincipals()).find((p) => p.name === 'alice')?.ownerRevoked).toBe(true);
  });

  it('D5 audit: every issuance, refusal and revocation is logged, and no entry holds key material', async () => {
    const { engine, kdc } = await setup();
    const P = kdc.protocol;
    const reply = await P.issue(await P.request(ALICE, FILES));
    const { apRequest, keyId } = await P.acceptReply(ALICE, reply);
    await P.serviceAccept(FILES, apRequest);
    await P.serviceAccept(FILES, apRequest).catch(() => undefined);
    await kdc.revokeDistributedKey(keyId, 'superseded');
    const entries = await engine.listAuditEntries({ action: 'kdc.' });
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['kdc.principal.register', 'kdc.ticket.issue', 'kdc.ticket.accept', 'kdc.ticket.refuse', 'kdc.key.revoke']));
    const issue = entries.find((e) => e.action === 'kdc.ticket.issue')!;
    expect(issue.subject).toContain(keyId);
    expect(issue.details).toMatchObject({ keyId, client: { name: 'alice' }, service: { name: 'files' } });
    expect(entries.find((e) => e.action === 'kdc.ticket.refuse')!.details).toMatchObject({ check: 'replay-cache' });
    // None of the bytes in flight (IVs, ciphertexts, wrapped keys) appears in the log.
    const log = await engine.exportAuditLog();
    const blobs = [...fromUtf8(reply).matchAll(/"(?:iv|ct|wrapped)":"([^"]+)"/g), ...fromUtf8(apRequest).matchAll(/"(?:iv|ct)":"([^"]+)"/g)].map((m) => m[1]!);
    expect(blobs.length).toBe(6);
    for (const b of blobs) expect(log).not.toContain(b);
    expect(log).not.toMatch(/wrapped|sessionKey|confirmKey/);
    expect((await engine.verifyAuditLog()).ok).toBe(true);
  });
});

describe('KDC attacks (C5)', () => {
  it('Denning–Sacco: the unfixed Needham–Schroeder falls to a replayed old ticket with a compromised session key; Clavis refuses it', async () => {
    const { kdc } = await setup();
    const r = await kdc.runAttack('denning-sacco', { client: ALICE, service: FILES });
    expect(r).toMatchObject({ attack: 'denning-sacco', client: 'alice', service: 'files' });
    expect(r.unfixed.protocol).toBe('unfixed');
    // The demonstration is real: B accepted the replayed ticket and the attacker read B's message.
    expect(r.unfixed.succeeded).toBe(true);
    expect(r.unfixed.attempts[0]!.accepted).toBe(true);
    expect(r.clavis.succeeded).toBe(false);
    expect(r.clavis.refusedBy).toBe('expiry');
    expect(r.clavis.attempts.map((a) => a.check)).toEqual(['replay-cache', 'skew', 'expiry', 'key-revoked']);
    // What was tried is an id per move; the refusal keeps its own message. The screens word the rest.
    expect(r.clavis.attempts.map((a) => a.move)).toEqual(['replay-ticket-at-once', 'replay-ticket-later', 'expired-ticket-stolen-key', 'revoked-key-fresh-authenticator']);
    expect(r.clavis.attempts.every((a) => typeof a.refusal === 'string' && a.refusal.startsWith('kdc: '))).toBe(true);
    expect(r.unfixed.attempts).toEqual([{ move: 'replay-old-ticket', accepted: true }]);
  });

  it('every attack fails against Clavis and succeeds against the unfixed protocol, naming the refusing check', async () => {
    const { kdc } = await setup();
    const want: Record<string, KdcCheck> = { 'replay-kdc-reply': 'nonce', 'denning-sacco': 'expiry', reflection: 'key-confirmation', 'tamper-ticket': 'aead', 'tamper-reply': 'aead' };
    expect([...KDC_ATTACK_NAMES].sort()).toEqual(Object.keys(want).sort());
    for (const name of KDC_ATTACK_NAMES) {
      const r = await kdc.runAttack(name, { client: ALICE, service: FILES });
      // The report is ids and results; the screens word the attack (src/copy/kdc.ts).
      expect(Object.keys(r).sort()).toEqual(['attack', 'clavis', 'client', 'service', 'unfixed']);
      expect(r.attack).toBe(name);
      expect(r.clavis.succeeded, name).toBe(false);
      expect(r.clavis.refusedBy, name).toBe(want[name]);
      expect(r.clavis.attempts.every((x) => !x.accepted && x.check), name).toBe(true);
      expect(r.unfixed.succeeded, name).toBe(true);
      expect(JSON.parse(JSON.stringify(r))).toEqual(r);
    }
    await expect(kdc.runAttack('no-such-attack' as KdcAttackName, { client: ALICE, service: FILES })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('message bytes are deterministic canonical JSON (sorted keys, base64 bytes)', async () => {
    const { engine } = await setup();
    const req = await (await engine.kdc()).protocol.request(ALICE, FILES);
    const text = fromUtf8(req);
    const obj = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(obj)).toEqual([...Object.keys(obj)].sort());
    expect(obj).toMatchObject({ proto: 'clavis-kdc', v: 1, type: 'kdc-request', from: 'alice', to: 'kdc', kvno: 1 });
    expect(toHex(req).length).toBe(req.length * 2);
  });
});


