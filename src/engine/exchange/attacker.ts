/**
 * The attacker in the middle: it records each message (eavesdrop) or replaces each
 * ephemeral key with its own and recomputes what it can (substitute), and afterwards
 * reads, re-encrypts or tampers with the messages sent under the session keys.
 */
import { concat, fromUtf8, toHex, utf8 } from '../internal/bytes';
import { confirmationMac, deriveSessionKeys, messageAad, openMessage, sealMessage, sessionKeyKcv, verifyConfirmationMac, type SealedMessage } from './derive';
import { agree, generateEphemeral, importPeerKey } from './peer-key';
import { addStep, authPart, macDataFor, transcript, type AttackerLeg, type Run } from './run';
import { wireView } from './wire';

/** True once an active attack has succeeded: the attacker holds a key with each established side. */
export function attackerCanRead(run: Run): boolean {
  return run.active && !!run.legI?.keys && !!run.legR?.keys && run.I.outcome === 'established' && run.R.outcome === 'established';
}

/** Hello on the wire: recorded and forwarded, or its public key replaced by the attacker's. */
export async function interceptHello(run: Run): Promise<void> {
  const orig = run.hello!;
  if (!run.active) {
    addStep(run, { actor: 'attacker', kind: 'attacker-records-hello', values: [{ id: 'recorded-key', value: toHex(orig.ephemeral) }], message: wireView('attacker', 'responder', orig, 'forwarded') });
    return;
  }
  run.legR = { ephemeral: await generateEphemeral(run.ctx, run.p.curve), sendSeq: 0 };
  run.hello = { ...orig, ephemeral: run.legR.ephemeral.publicRaw };
  addStep(run, {
    actor: 'attacker',
    kind: 'attacker-replaces-hello',
    values: [
      { id: 'attacker-key-to-responder', value: toHex(run.legR.ephemeral.publicRaw) },
      { id: 'kept-initiator-key', value: toHex(orig.ephemeral) },
    ],
    message: wireView('attacker', 'responder', run.hello, { altered: orig }),
  });
}

/**
 * The response on the wire: recorded and forwarded, or the attacker completes its leg
 * with the responder, opens a leg with the initiator posing as the responder, and sends
 * the initiator its own key with a MAC (and, with `own-certificate`, its own signature).
 */
export async function interceptResponse(run: Run): Promise<void> {
  const { ctx, I, p } = run;
  if (!run.response) return;
  const orig = run.response;
  if (!run.active) {
    addStep(run, { actor: 'attacker', kind: 'attacker-records-response', values: [{ id: 'recorded-key', value: toHex(orig.ephemeral) }], message: wireView('attacker', 'initiator', orig, 'forwarded') });
    return;
  }
  // Leg with the responder: the attacker's key (sent in hello) and the responder's key.
  const h = run.hello!;
  const legR = run.legR!;
  const peerR = await importPeerKey(ctx, p.curve, orig.ephemeral);
  legR.th = await transcript(run, { initiatorNonce: h.nonce, responderNonce: orig.nonce, initiatorKey: legR.ephemeral.publicRaw, responderKey: orig.ephemeral, initiator: h.from, responder: h.to });
  legR.keys = await deriveSessionKeys(ctx, await agree(ctx, legR.ephemeral, peerR.key), concat(h.nonce, orig.nonce), legR.th);
  legR.kcv = await sessionKeyKcv(ctx, legR.keys);
  // Leg with the initiator: a fresh key towards it, posing as the responder.
  const legI: AttackerLeg = { ephemeral: await generateEphemeral(ctx, p.curve), sendSeq: 0 };
  run.legI = legI;
  const initiatorKey = (await importPeerKey(ctx, p.curve, I.ephemeral!.publicRaw)).key;
  legI.th = await transcript(run, { initiatorNonce: I.nonce!, responderNonce: orig.nonce, initiatorKey: I.ephemeral!.publicRaw, responderKey: legI.ephemeral.publicRaw });
  legI.keys = await deriveSessionKeys(ctx, await agree(ctx, legI.ephemeral, initiatorKey), concat(I.nonce!, orig.nonce), legI.th);
  legI.kcv = await sessionKeyKcv(ctx, legI.keys);
  let auth = orig.auth;
  if (run.authenticated && run.strategy === 'own-certificate') auth = await authPart(run, 'responder', p.attacker.credential!, legI.th);
  const mac = await confirmationMac(ctx, legI.keys, 'responder', await macDataFor(run, legI.th, auth));
  run.response = { ...orig, ephemeral: legI.ephemeral.publicRaw, ...(auth ? { auth } : {}), mac };
  addStep(run, {
    actor: 'attacker',
    kind: 'attacker-replaces-response',
    values: [
      { id: 'attacker-key-to-initiator', value: toHex(legI.ephemeral.publicRaw) },
      { id: 'kcv-with-initiator', value: legI.kcv },
      { id: 'kcv-with-responder', value: legR.kcv },
    ],
    message: wireView('attacker', 'initiator', run.response, { altered: orig }),
  });
}

/** Finish on the wire: recorded and forwarded, or its MAC (and signature) recomputed for the responder. */
export async function interceptFinish(run: Run): Promise<void> {
  const { ctx, p } = run;
  if (!run.finish) return;
  const orig = run.finish;
  if (!run.active) {
    addStep(run, { actor: 'attacker', kind: 'attacker-records-finish', values: [], message: wireView('attacker', 'responder', orig, 'forwarded') });
    return;
  }
  const legI = run.legI!;
  const legR = run.legR!;
  const initiatorMacOk = await verifyConfirmationMac(ctx, legI.keys!, 'initiator', await macDataFor(run, legI.th!, orig.auth, run.response!.mac), orig.mac);
  let auth = orig.auth;
  if (run.authenticated && run.strategy === 'own-certificate') auth = await authPart(run, 'initiator', p.attacker.credential!, legR.th!);
  const mac = await confirmationMac(ctx, legR.keys!, 'initiator', await macDataFor(run, legR.th!, auth, run.R.responderMac!));
  run.finish = { ...orig, ...(auth ? { auth } : {}), mac };
  addStep(run, { actor: 'attacker', kind: 'attacker-replaces-finish', macVerified: initiatorMacOk, values: [], message: wireView('attacker', 'responder', run.finish, { altered: orig }) });
}

/**
 * A message sealed by one side, as the attacker handles it: read and re-encrypted (with
 * `tamper` in its place, if given) when it holds both legs' keys; otherwise, with
 * `tamper`, one ciphertext bit flipped (it cannot read, only break).
 */
export async function relayMessage(
  run: Run,
  from: 'initiator' | 'responder',
  sealed: SealedMessage,
  aad: { direction: 'initiator-to-responder' | 'responder-to-initiator'; seq: number },
  tamper: string | undefined,
): Promise<{ onWire: SealedMessage; attackerRead: string | null; altered: boolean }> {
  if (run.attackerMode === 'none') return { onWire: sealed, attackerRead: null, altered: false };
  if (attackerCanRead(run)) {
    const inLeg = from === 'initiator' ? run.legI! : run.legR!;
    const outLeg = from === 'initiator' ? run.legR! : run.legI!;
    const pt = await openMessage(run.ctx, inLeg.keys!.sessionKey, messageAad(aad.direction, aad.seq), sealed);
    const attackerRead = pt ? fromUtf8(pt) : null;
    const forward = tamper !== undefined ? tamper : (attackerRead ?? '');
    const onWire = await sealMessage(run.ctx, outLeg.keys!.sessionKey, messageAad(aad.direction, outLeg.sendSeq++), utf8(forward));
    return { onWire, attackerRead, altered: tamper !== undefined && tamper !== attackerRead };
  }
  if (tamper === undefined) return { onWire: sealed, attackerRead: null, altered: false };
  // Without the key the attacker can only change bits it cannot read.
  const ct = sealed.ciphertext.slice();
  ct[0]! ^= 0x01;
  return { onWire: { iv: sealed.iv, ciphertext: ct }, attackerRead: null, altered: true };
}
