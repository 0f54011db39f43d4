/**
 * One key exchange between an initiator and a responder, optionally through an
 * attacker, run one step at a time (D1–D3). Lives in memory: the session object holds
 * the CryptoKeys; `view()` gives plain data only: each step as an id with its values,
 * which the app words.
 *
 * Protocol (SIGMA / station-to-station style; "I" initiator, "R" responder):
 *   1. I → R  hello:    I, R, mode, curve, nonce_I, e_I
 *   2. R → I  response: nonce_R, e_R, [chain_R, sig_R(role ‖ TH ‖ H(cert_R))], mac_R
 *   3. I → R  finish:   [chain_I, sig_I(role ‖ TH ‖ H(cert_I))], mac_I
 * TH is the SHA-256 transcript hash over protocol, mode, curve, both identities, both
 * nonces and both ephemeral public keys (derive.ts), so each signature covers the
 * signer's ephemeral key, the peer's ephemeral key and both identities. Each side
 * validates the peer's chain and CRLs through the CA (`verifyChain`), checks the
 * certificate names the identity it expects, verifies the signature over its own view
 * of the transcript, then the key-confirmation MAC. Without authentication only the
 * MAC is checked, which an attacker in the middle can always recompute.
 *
 * The parties' steps are in protocol.ts, the attacker's in attacker.ts; this file runs
 * them in order, audits the outcome and carries messages afterwards.
 */
import type { CertId } from '../ids';
import { EngineError, KeyStateError } from '../errors';
import { fromUtf8, toHex, utf8 } from '../internal/bytes';
import { randomId } from '../internal/random';
import type { EngineContext } from '../keys/context';
import { attackerCanRead, interceptFinish, interceptHello, interceptResponse, relayMessage } from './attacker';
import { messageAad, openMessage, sealMessage } from './derive';
import { answerHello, checkFinish, checkResponse, compareFingerprints, sendHello } from './protocol';
import { ephemerals, newSide, type Run, type SessionDeps, type SessionParams, type Side } from './run';
import type { AttackerView, DeliveryView, ExchangePhase, ExchangeView, PartyView } from './types';

export type { Credential, PartySetup, SessionDeps, SessionParams } from './run';
export type { AuthPart, FinishMessage, HelloMessage, ResponseMessage, WireMessage } from './wire';

/** An exchange in progress. */
export interface ExchangeSession {
  readonly id: string;
  /** A plain-data snapshot. */
  view(): ExchangeView;
  /** Performs the next step; returns the new view. @throws KEY_STATE when finished */
  next(): Promise<ExchangeView>;
  /** Performs every remaining step. */
  runToEnd(): Promise<ExchangeView>;
  /** Sends a text message under the session key; the attacker may replace it (`tamper`). */
  send(from: 'initiator' | 'responder', text: string, opts?: { tamper?: string }): Promise<DeliveryView>;
  /** Drops every key the session holds. */
  close(): void;
}

type Program = Array<{ phase: ExchangePhase; run: (run: Run) => Promise<void> }>;

/** The steps in order: the parties' own, with the attacker's between them when there is one. */
function programOf(withAttacker: boolean): Program {
  const program: Program = [{ phase: 'hello', run: sendHello }];
  if (withAttacker) program.push({ phase: 'attacker-intercepts-hello', run: interceptHello });
  program.push({ phase: 'responder-answers', run: answerHello });
  if (withAttacker) program.push({ phase: 'attacker-intercepts-response', run: interceptResponse });
  program.push({ phase: 'initiator-checks-response', run: checkResponse });
  if (withAttacker) program.push({ phase: 'attacker-intercepts-finish', run: interceptFinish });
  program.push({ phase: 'responder-checks-finish', run: checkFinish }, { phase: 'compare-fingerprints', run: compareFingerprints });
  return program;
}

/** Creates a session; nothing runs until `next()`. */
export function createSession(ctx: EngineContext, deps: SessionDeps, p: SessionParams): ExchangeSession {
  const authenticated = p.mode === 'authenticated';
  const active = p.attacker.mode === 'substitute';
  const strategy = active && authenticated ? (p.attacker.strategy ?? 'relay-signatures') : undefined;
  if (strategy === 'own-certificate' && !p.attacker.credential) throw new EngineError('INVALID_ARGUMENT', 'exchange: the attacker needs a certificate to sign with its own');
  if (authenticated && (!p.initiator.credential || !p.responder.credential)) throw new EngineError('INVALID_ARGUMENT', 'exchange: an authenticated exchange needs a certificate for each party');

  const run: Run = {
    id: randomId(ctx.random, 'exch'),
    ctx,
    deps,
    p,
    authenticated,
    attackerMode: p.attacker.mode,
    active,
    strategy,
    I: newSide('initiator', p.initiator, p.responder),
    R: newSide('responder', p.responder, p.initiator),
    steps: [],
    deliveries: [],
  };
  const program = programOf(p.attacker.mode !== 'none');
  let cursor = 0;
  let finished = false;
  let closed = false;
  const view = () => viewOf(run, finished ? undefined : program[cursor]?.phase, finished);

  async function next(): Promise<ExchangeView> {
    if (closed) throw new KeyStateError('exchange: this exchange was closed');
    if (finished) throw new KeyStateError('exchange: this exchange has finished; start a new one');
    const s = program[cursor++]!;
    try {
      await s.run(run);
    } catch (e) {
      // A failure inside a step (storage, a refused signing key) ends the exchange too.
      for (const eph of ephemerals(run)) eph?.destroy();
      finished = true;
      throw e;
    }
    if (run.I.outcome === 'refused' || run.R.outcome === 'refused' || cursor >= program.length) {
      finished = true;
      // Whatever happened, no ephemeral private key survives the exchange.
      for (const eph of ephemerals(run)) eph?.destroy();
      await writeAudit(run);
    }
    return view();
  }

  return {
    id: run.id,
    view,
    next,
    async runToEnd() {
      while (!finished) await next();
      return view();
    },
    async send(from, text, opts = {}) {
      if (closed) throw new KeyStateError('exchange: this exchange was closed');
      if (typeof text !== 'string' || text.length > 10_000) throw new EngineError('INVALID_ARGUMENT', 'exchange: a message is text of at most 10,000 characters');
      if (status(run, finished) !== 'established') throw new KeyStateError('exchange: there is no session key: the exchange did not complete');
      return send(run, from, text, opts);
    },
    close() {
      closed = true;
      for (const eph of ephemerals(run)) eph?.destroy();
      for (const s of [run.I, run.R]) delete s.keys;
      if (run.legI) delete run.legI.keys;
      if (run.legR) delete run.legR.keys;
    },
  };
}

async function writeAudit(run: Run) {
  const { I, R, p, failure, comparison, strategy } = run;
  const established = I.outcome === 'established' && R.outcome === 'established';
  await run.deps.audit({
    at: new Date(run.ctx.clock.now()).toISOString(),
    actor: 'operator',
    action: established ? 'exchange.established' : 'exchange.refused',
    subject: [run.id, ...[I.credential?.certId, R.credential?.certId].filter((x): x is CertId => !!x)],
    details: {
      mode: p.mode,
      curve: p.curve,
      initiatorName: I.name,
      responderName: R.name,
      attacker: run.attackerMode,
      ...(strategy ? { attackerStrategy: strategy } : {}),
      initiatorOutcome: I.outcome,
      responderOutcome: R.outcome,
      ...(failure ? { failedCheck: failure.check, failedAt: failure.party } : {}),
      ...(I.th ? { initiatorTranscriptHash: toHex(I.th) } : {}),
      ...(R.th ? { responderTranscriptHash: toHex(R.th) } : {}),
      ...(comparison ? { fingerprintsMatch: comparison.match } : {}),
    },
  });
}

function status(run: Run, finished: boolean): ExchangeView['status'] {
  const { I, R } = run;
  if (I.outcome === 'refused' || R.outcome === 'refused') return 'refused';
  if (I.outcome === 'established' && R.outcome === 'established' && finished) return 'established';
  return 'running';
}

function partyView(s: Side): PartyView {
  return {
    role: s.role,
    name: s.name,
    ...(s.credential ? { certId: s.credential.certId } : {}),
    peerName: s.peerName,
    ...(s.ephemeral ? { ownPublicHex: toHex(s.ephemeral.publicRaw) } : {}),
    ...(s.peerPublic ? { peerPublicHex: toHex(s.peerPublic) } : {}),
    ...(s.th ? { transcriptHashHex: toHex(s.th) } : {}),
    ...(s.keysFingerprint ? { keysFingerprint: s.keysFingerprint } : {}),
    ...(s.sas ? { sas: s.sas } : {}),
    ...(s.kcv ? { sessionKeyKcv: s.kcv } : {}),
    ephemeralDestroyed: s.ephemeral ? s.ephemeral.destroyed : false,
    checks: s.checks.map((c) => structuredClone(c)),
    outcome: s.outcome,
  };
}

function attackerView(run: Run): AttackerView | undefined {
  if (run.attackerMode === 'none') return undefined;
  const { legI, legR } = run;
  return {
    name: run.p.attacker.name,
    mode: run.attackerMode,
    ...(run.strategy ? { strategy: run.strategy } : {}),
    ...(legI?.kcv ? { kcvWithInitiator: legI.kcv } : {}),
    ...(legR?.kcv ? { kcvWithResponder: legR.kcv } : {}),
    ...(legI ? { publicHexToInitiator: toHex(legI.ephemeral.publicRaw) } : {}),
    ...(legR ? { publicHexToResponder: toHex(legR.ephemeral.publicRaw) } : {}),
    canRead: attackerCanRead(run),
  };
}

function viewOf(run: Run, nextStep: ExchangePhase | undefined, finished: boolean): ExchangeView {
  const a = attackerView(run);
  return {
    id: run.id,
    mode: run.p.mode,
    curve: run.p.curve,
    initiator: partyView(run.I),
    responder: partyView(run.R),
    ...(a ? { attacker: a } : {}),
    steps: run.steps.map((s) => structuredClone(s)),
    ...(nextStep ? { nextStep } : {}),
    status: status(run, finished),
    ...(run.failure ? { failure: structuredClone(run.failure) } : {}),
    ...(run.comparison ? { comparison: structuredClone(run.comparison) } : {}),
    deliveries: run.deliveries.map((d) => structuredClone(d)),
  };
}

/** Seals a text message from one side, passes it by the attacker, and opens it at the other. */
async function send(run: Run, from: 'initiator' | 'responder', text: string, opts: { tamper?: string }): Promise<DeliveryView> {
  const S = from === 'initiator' ? run.I : run.R;
  const T = from === 'initiator' ? run.R : run.I;
  const direction = from === 'initiator' ? 'initiator-to-responder' : 'responder-to-initiator';
  const seq = S.sendSeq++;
  const sealed = await sealMessage(run.ctx, S.keys!.sessionKey, messageAad(direction, seq), utf8(text));
  const { onWire, attackerRead, altered } = await relayMessage(run, from, sealed, { direction, seq }, opts.tamper);
  const opened = await openMessage(run.ctx, T.keys!.sessionKey, messageAad(direction, T.recvSeq), onWire);
  if (opened) T.recvSeq++;
  const d: DeliveryView = {
    seq,
    from,
    to: T.role,
    sentText: text,
    ivHex: toHex(sealed.iv),
    ciphertextHex: toHex(sealed.ciphertext),
    attackerRead,
    altered,
    delivered: opened ? { ok: true, text: fromUtf8(opened) } : { ok: false, reason: 'does-not-decrypt' },
  };
  run.deliveries.push(d);
  return structuredClone(d);
}
