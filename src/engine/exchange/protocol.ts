/**
 * The honest parties' steps of the exchange: hello, the responder's answer, the
 * initiator's check and finish, the responder's check, and the fingerprint comparison.
 * Each step records what happened as ids and data (`addStep`); the words are the app's.
 */
import { concat, toHex } from '../internal/bytes';
import { NONCE_BYTES, confirmationMac, verifyConfirmationMac } from './derive';
import { checkPeerAuth } from './peer-auth';
import { PeerKeyError, agree, generateEphemeral, importPeerKey } from './peer-key';
import { addStep, authPart, deliver, deriveFor, macDataFor, refuse, transcript, type Run, type Side } from './run';
import type { ExchangeCheckDetail, StepValue } from './types';
import { wireView } from './wire';

/** Where a party's message goes: straight to the peer, or to the attacker on the wire. */
const towards = (run: Run, peer: 'initiator' | 'responder') => (run.attackerMode === 'none' ? peer : 'attacker');

/** Step 1: the initiator makes an ephemeral key pair and sends hello. */
export async function sendHello(run: Run): Promise<void> {
  const { ctx, I, R, p } = run;
  I.ephemeral = await generateEphemeral(ctx, p.curve);
  I.nonce = ctx.random(NONCE_BYTES);
  run.hello = { kind: 'hello', from: I.name, to: R.name, mode: p.mode, curve: p.curve, nonce: I.nonce, ephemeral: I.ephemeral.publicRaw };
  addStep(run, {
    actor: 'initiator',
    kind: 'hello',
    values: [
      { id: 'own-ephemeral', value: toHex(I.ephemeral.publicRaw) },
      { id: 'nonce', value: toHex(I.nonce) },
    ],
    message: wireView('initiator', towards(run, 'responder'), run.hello),
  });
}

/** A side refuses the peer's ephemeral key at import. */
function refusePeerKey(run: Run, side: Side, e: unknown) {
  const detail: ExchangeCheckDetail = { id: 'peer-key-refused', ...(e instanceof PeerKeyError ? { problem: e.problem } : {}), ...(e instanceof Error ? { message: e.message } : {}) };
  side.checks.push({ name: 'peer-key', ok: false, detail });
  refuse(run, side, 'peer-key', detail);
  addStep(run, { actor: side.role, kind: 'refused', check: 'peer-key', values: [], checks: [...side.checks] });
}

/** Step 2: the responder checks hello, agrees a secret, derives, signs (authenticated) and answers. */
export async function answerHello(run: Run): Promise<void> {
  const { ctx, R, p } = run;
  const h = await deliver(run, run.hello!);
  // The responder learns who calls from hello itself; the certificate must later match it.
  R.peerName = h.from;
  if (h.to !== R.name || h.curve !== p.curve || h.mode !== p.mode) {
    const detail: ExchangeCheckDetail = h.to !== R.name ? { id: 'hello-misaddressed', to: h.to, self: R.name } : { id: 'hello-parameters' };
    R.checks.push({ name: 'identity', ok: false, detail });
    refuse(run, R, 'identity', detail, true);
    addStep(run, { actor: 'responder', kind: 'responder-refuses-hello', values: [], checks: [...R.checks] });
    return;
  }
  R.peerNonce = h.nonce.slice();
  R.nonce = ctx.random(NONCE_BYTES);
  let peer;
  try {
    peer = await importPeerKey(ctx, p.curve, h.ephemeral);
  } catch (e) {
    refusePeerKey(run, R, e);
    return;
  }
  R.peerPublic = peer.raw;
  R.checks.push({ name: 'peer-key', ok: true, detail: { id: 'peer-key-valid', curve: p.curve } });
  R.ephemeral = await generateEphemeral(ctx, p.curve);
  const secret = await agree(ctx, R.ephemeral, peer.key);
  const th = await transcript(run, { initiatorNonce: R.peerNonce, responderNonce: R.nonce, initiatorKey: peer.raw, responderKey: R.ephemeral.publicRaw, initiator: h.from, responder: R.name });
  await deriveFor(run, R, secret, th, concat(R.peerNonce, R.nonce), R.ephemeral.publicRaw, peer.raw);
  const auth = run.authenticated ? await authPart(run, 'responder', R.credential!, th) : undefined;
  const mac = await confirmationMac(ctx, R.keys!, 'responder', await macDataFor(run, th, auth));
  R.responderMac = mac;
  run.response = { kind: 'response', from: R.name, to: h.from, nonce: R.nonce, ephemeral: R.ephemeral.publicRaw, ...(auth ? { auth } : {}), mac };
  const values: StepValue[] = [
    { id: 'own-ephemeral', value: toHex(R.ephemeral.publicRaw) },
    { id: 'transcript-hash', value: toHex(th) },
    { id: 'session-kcv', value: R.kcv! },
  ];
  if (auth) values.push({ id: 'signature', value: toHex(auth.signature) });
  addStep(run, { actor: 'responder', kind: 'responder-answers', values, message: wireView('responder', towards(run, 'initiator'), run.response), checks: [...R.checks] });
}

/** Step 3: the initiator checks the response (peer key, authentication, MAC) and sends finish. */
export async function checkResponse(run: Run): Promise<void> {
  const { ctx, I, R, p } = run;
  if (!run.response) return;
  const m = await deliver(run, run.response);
  I.peerNonce = m.nonce.slice();
  let peer;
  try {
    peer = await importPeerKey(ctx, p.curve, m.ephemeral);
  } catch (e) {
    I.ephemeral?.destroy();
    refusePeerKey(run, I, e);
    return;
  }
  I.peerPublic = peer.raw;
  I.checks.push({ name: 'peer-key', ok: true, detail: { id: 'peer-key-valid', curve: p.curve } });
  const th = await transcript(run, { initiatorNonce: I.nonce!, responderNonce: I.peerNonce, initiatorKey: I.ephemeral!.publicRaw, responderKey: peer.raw, initiator: I.name, responder: I.peerName });
  const secret = await agree(ctx, I.ephemeral!, peer.key);
  await deriveFor(run, I, secret, th, concat(I.nonce!, I.peerNonce), I.ephemeral!.publicRaw, peer.raw);
  const values: StepValue[] = [
    { id: 'transcript-hash', value: toHex(th) },
    { id: 'session-kcv', value: I.kcv! },
  ];
  if (run.authenticated && !(await checkPeerAuth(run, I, 'responder', m.auth))) {
    const bad = I.checks[I.checks.length - 1]!;
    refuse(run, I, bad.name, bad.detail);
    addStep(run, { actor: 'initiator', kind: 'refused', check: bad.name, values, checks: [...I.checks] });
    return;
  }
  const macOk = await verifyConfirmationMac(ctx, I.keys!, 'responder', await macDataFor(run, th, m.auth), m.mac);
  I.checks.push({ name: 'key-confirmation', ok: macOk, detail: macOk ? { id: 'mac-valid', self: I.name } : { id: 'mac-invalid', by: 'initiator' } });
  if (!macOk) {
    refuse(run, I, 'key-confirmation', I.checks.at(-1)!.detail);
    addStep(run, { actor: 'initiator', kind: 'refused', check: 'key-confirmation', values, checks: [...I.checks] });
    return;
  }
  const auth = run.authenticated ? await authPart(run, 'initiator', I.credential!, th) : undefined;
  const mac = await confirmationMac(ctx, I.keys!, 'initiator', await macDataFor(run, th, auth, m.mac));
  I.responderMac = m.mac;
  I.outcome = 'established';
  run.finish = { kind: 'finish', from: I.name, to: R.name, ...(auth ? { auth } : {}), mac };
  if (auth) values.push({ id: 'signature', value: toHex(auth.signature) });
  addStep(run, { actor: 'initiator', kind: 'initiator-checks-response', values, message: wireView('initiator', towards(run, 'responder'), run.finish), checks: [...I.checks] });
}

/** Step 4: the responder checks finish (authentication, MAC); the exchange is complete. */
export async function checkFinish(run: Run): Promise<void> {
  const { ctx, R } = run;
  if (!run.finish) return;
  const m = await deliver(run, run.finish);
  if (run.authenticated && !(await checkPeerAuth(run, R, 'initiator', m.auth))) {
    const bad = R.checks[R.checks.length - 1]!;
    refuse(run, R, bad.name, bad.detail);
    addStep(run, { actor: 'responder', kind: 'refused', check: bad.name, values: [], checks: [...R.checks] });
    return;
  }
  const ok = await verifyConfirmationMac(ctx, R.keys!, 'initiator', await macDataFor(run, R.th!, m.auth, R.responderMac!), m.mac);
  R.checks.push({ name: 'key-confirmation', ok, detail: ok ? { id: 'mac-valid', self: R.name } : { id: 'mac-invalid', by: 'responder' } });
  if (!ok) {
    refuse(run, R, 'key-confirmation', R.checks.at(-1)!.detail);
    addStep(run, { actor: 'responder', kind: 'refused', check: 'key-confirmation', values: [], checks: [...R.checks] });
    return;
  }
  R.outcome = 'established';
  addStep(run, { actor: 'responder', kind: 'responder-checks-finish', values: [{ id: 'session-kcv', value: R.kcv! }], checks: [...R.checks] });
}

/** Last step: both sides compare their fingerprints and short authentication strings. */
export async function compareFingerprints(run: Run): Promise<void> {
  const { I, R } = run;
  if (I.outcome !== 'established' || R.outcome !== 'established') return;
  run.comparison = {
    initiator: { keysFingerprint: I.keysFingerprint!, sas: I.sas! },
    responder: { keysFingerprint: R.keysFingerprint!, sas: R.sas! },
    match: I.keysFingerprint === R.keysFingerprint && I.sas === R.sas,
  };
  addStep(run, {
    actor: 'initiator',
    kind: 'fingerprints-compared',
    values: [
      { id: 'initiator-fingerprint', value: I.keysFingerprint! },
      { id: 'responder-fingerprint', value: R.keysFingerprint! },
      { id: 'initiator-sas', value: I.sas! },
      { id: 'responder-sas', value: R.sas! },
    ],
  });
}
