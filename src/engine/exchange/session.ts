/**
 * One key exchange between an initiator and a responder, optionally through an
 * attacker, run one step at a time (D1–D3). Lives in memory: the session object holds
 * the CryptoKeys; `view()` gives plain data only.
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
 */
import { EngineError, KeyStateError } from '../errors';
import { concat, fromUtf8, toHex, utf8 } from '../internal/bytes';
import { randomId } from '../internal/random';
import type { EngineContext } from '../keys/context';
import { spkiAlgorithm } from '../keys/ecdsa-der';
import type { AuditDraft } from '../audit/chain';
import type { VerifyResult } from '../pki/types';
import { readCertificateFacts } from './certificate';
import {
  NONCE_BYTES,
  confirmationMac,
  deriveSessionKeys,
  keysFingerprint,
  messageAad,
  openMessage,
  sealMessage,
  sessionKeyKcv,
  sha256,
  shortAuthString,
  signedContent,
  transcriptHash,
  verifyConfirmationMac,
  type ExchangeMode,
  type SealedMessage,
  type SessionKeys,
} from './derive';
import { agree, generateEphemeral, importPeerKey, type Ephemeral, type ExchangeCurve } from './peer-key';
import type {
  AttackerMode,
  AttackerStrategy,
  AttackerView,
  DeliveryView,
  ExchangeCheck,
  ExchangeCheckName,
  ExchangeRole,
  ExchangeStepView,
  ExchangeView,
  MessageField,
  PartyView,
  ShownValue,
  WireMessageView,
} from './types';

/** A party's long-term credential: a vault signing key and its certificate chain (leaf first). */
export interface Credential {
  identity: string;
  certId: string;
  keyId: string;
  chain: Uint8Array<ArrayBuffer>[];
}

/** What a session needs from the rest of the engine. */
export interface SessionDeps {
  /** Signs with a vault key; ECDSA signatures in raw (r‖s) form. */
  sign(keyId: string, data: Uint8Array): Promise<Uint8Array>;
  /** Validates a chain (leaf first) against the Clavis CA trust anchors and CRLs. */
  verifyChain(chain: Uint8Array[]): Promise<VerifyResult>;
  /** Appends an audit entry (its own transaction). */
  audit(draft: AuditDraft): Promise<void>;
}

export interface PartySetup {
  name: string;
  credential?: Credential;
}

export interface SessionParams {
  mode: ExchangeMode;
  curve: ExchangeCurve;
  initiator: PartySetup;
  responder: PartySetup;
  attacker: { mode: AttackerMode; strategy?: AttackerStrategy; name: string; credential?: Credential };
  /**
   * Test hook: sees every message on the wire after the attacker and may replace it.
   * Not offered through the engine's public API.
   */
  wire?: (m: WireMessage) => WireMessage | Promise<WireMessage>;
}

export interface HelloMessage {
  kind: 'hello';
  from: string;
  to: string;
  mode: ExchangeMode;
  curve: ExchangeCurve;
  nonce: Uint8Array<ArrayBuffer>;
  ephemeral: Uint8Array<ArrayBuffer>;
}
export interface AuthPart {
  chain: Uint8Array<ArrayBuffer>[];
  signature: Uint8Array<ArrayBuffer>;
}
export interface ResponseMessage {
  kind: 'response';
  from: string;
  to: string;
  nonce: Uint8Array<ArrayBuffer>;
  ephemeral: Uint8Array<ArrayBuffer>;
  auth?: AuthPart;
  mac: Uint8Array<ArrayBuffer>;
}
export interface FinishMessage {
  kind: 'finish';
  from: string;
  to: string;
  auth?: AuthPart;
  mac: Uint8Array<ArrayBuffer>;
}
export type WireMessage = HelloMessage | ResponseMessage | FinishMessage;

/** One side's state. */
interface Side {
  role: 'initiator' | 'responder';
  name: string;
  peerName: string;
  credential?: Credential;
  ephemeral?: Ephemeral;
  nonce?: Uint8Array<ArrayBuffer>;
  peerNonce?: Uint8Array<ArrayBuffer>;
  peerPublic?: Uint8Array<ArrayBuffer>;
  th?: Uint8Array<ArrayBuffer>;
  keys?: SessionKeys;
  kcv?: string;
  keysFingerprint?: string;
  sas?: string;
  /** The responder's MAC as received/sent (part of the initiator's MAC input). */
  responderMac?: Uint8Array<ArrayBuffer>;
  checks: ExchangeCheck[];
  outcome: 'pending' | 'established' | 'refused';
  sendSeq: number;
  recvSeq: number;
}

/** The attacker's state with each side (active attack). */
interface AttackerLeg {
  ephemeral: Ephemeral;
  th?: Uint8Array<ArrayBuffer>;
  keys?: SessionKeys;
  kcv?: string;
  sendSeq: number;
}

const CHECK_TITLES: Record<ExchangeCheckName, string> = {
  'peer-key': 'peer key',
  'certificate-chain': 'certificate chain',
  'certificate-revocation': 'certificate revocation (CRL)',
  identity: 'identity',
  signature: 'signature',
  'key-confirmation': 'key confirmation',
};

const hex = (b: Uint8Array) => toHex(b);

function ecdsaParams(spki: Uint8Array): { imp: EcKeyImportParams; sig: EcdsaParams } {
  const alg = spkiAlgorithm(spki);
  if (alg.kind !== 'ec' || (alg.curve !== 'P-256' && alg.curve !== 'P-384')) throw new EngineError('UNSUPPORTED', 'exchange: the peer certificate’s key is not an ECDSA P-256 or P-384 key');
  return { imp: { name: 'ECDSA', namedCurve: alg.curve }, sig: { name: 'ECDSA', hash: alg.curve === 'P-256' ? 'SHA-256' : 'SHA-384' } };
}

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

/** Creates a session; nothing runs until `next()`. */
export function createSession(ctx: EngineContext, deps: SessionDeps, p: SessionParams): ExchangeSession {
  const id = randomId(ctx.random, 'exch');
  const { mode, curve } = p;
  const authenticated = mode === 'authenticated';
  const attackerMode = p.attacker.mode;
  const active = attackerMode === 'substitute';
  const strategy: AttackerStrategy | undefined = active && authenticated ? (p.attacker.strategy ?? 'relay-signatures') : undefined;
  if (strategy === 'own-certificate' && !p.attacker.credential) throw new EngineError('INVALID_ARGUMENT', 'exchange: the attacker needs a certificate to sign with its own');
  if (authenticated && (!p.initiator.credential || !p.responder.credential)) throw new EngineError('INVALID_ARGUMENT', 'exchange: an authenticated exchange needs a certificate for each party');

  const mkSide = (role: 'initiator' | 'responder', s: PartySetup, peer: PartySetup): Side => ({
    role,
    name: s.name,
    peerName: peer.name,
    ...(s.credential ? { credential: s.credential } : {}),
    checks: [],
    outcome: 'pending',
    sendSeq: 0,
    recvSeq: 0,
  });
  const I = mkSide('initiator', p.initiator, p.responder);
  const R = mkSide('responder', p.responder, p.initiator);
  const steps: ExchangeStepView[] = [];
  let failure: ExchangeView['failure'];
  let comparison: ExchangeView['comparison'];
  const deliveries: DeliveryView[] = [];
  let closed = false;

  // The attacker's legs: with the initiator (posing as the responder) and with the responder.
  let legI: AttackerLeg | undefined;
  let legR: AttackerLeg | undefined;
  // Messages in flight.
  let hello: HelloMessage | undefined;
  let response: ResponseMessage | undefined;
  let finish: FinishMessage | undefined;

  const step = (s: Omit<ExchangeStepView, 'index'>) => steps.push({ index: steps.length + 1, ...s });

  const transcript = (initiatorNonce: Uint8Array, responderNonce: Uint8Array, initiatorKey: Uint8Array, responderKey: Uint8Array, initiator = I.name, responder = R.name) =>
    transcriptHash(ctx, { mode, curve, initiator, responder, initiatorNonce, responderNonce, initiatorKey, responderKey });

  const certHash = async (c: Credential | undefined) => (c ? sha256(ctx, c.chain[0]!) : new Uint8Array(0));

  async function authPart(role: 'initiator' | 'responder', c: Credential, th: Uint8Array): Promise<AuthPart> {
    const signature = new Uint8Array(await deps.sign(c.keyId, signedContent(role, th, await certHash(c))));
    return { chain: c.chain.map((d) => d.slice()), signature };
  }

  async function macDataFor(th: Uint8Array, auth: AuthPart | undefined, extra?: Uint8Array) {
    // Bind the certificate by its hash (not its bytes) and the signature.
    const parts: Uint8Array[] = [th];
    if (auth) parts.push(await sha256(ctx, auth.chain[0] ?? new Uint8Array(0)), auth.signature);
    if (extra) parts.push(extra);
    return concat(...parts);
  }

  /** Runs the authentication checks on a peer's auth part; returns false at the first failure. */
  async function checkPeerAuth(side: Side, peerRole: 'initiator' | 'responder', auth: AuthPart | undefined): Promise<boolean> {
    const add = (name: ExchangeCheckName, ok: boolean, detail: string) => {
      side.checks.push({ name, ok, detail });
      return ok;
    };
    if (!auth || auth.chain.length === 0) return add('certificate-chain', false, `${side.peerName} sent no certificate`);
    const result = await deps.verifyChain(auth.chain);
    if (result.revocation === 'revoked') {
      add('certificate-chain', true, 'the chain leads to a trusted Clavis CA');
      return add('certificate-revocation', false, 'the CRL lists the certificate as revoked');
    }
    if (!result.valid) {
      const bad = result.steps.find((s) => !s.ok);
      if (result.revocation === 'unknown' && (!bad || /crl|revocation/i.test(bad.name))) return add('certificate-revocation', false, 'no usable CRL from the issuer: revocation status unknown, refused');
      return add('certificate-chain', false, bad ? `${bad.name}: ${bad.detail}` : 'the chain does not validate');
    }
    add('certificate-chain', true, 'the chain leads to a trusted Clavis CA and every certificate is in date');
    add('certificate-revocation', true, 'the issuer’s CRL does not list the certificate');
    let facts;
    try {
      facts = readCertificateFacts(auth.chain[0]!);
    } catch {
      return add('identity', false, 'the certificate cannot be read');
    }
    if (!facts.commonNames.includes(side.peerName)) {
      return add('identity', false, `the certificate names ${facts.commonNames.join(', ') || 'nobody'}, not ${side.peerName}`);
    }
    add('identity', true, `the certificate names ${side.peerName}`);
    let ok = false;
    try {
      const { imp, sig } = ecdsaParams(facts.spki);
      const pub = await ctx.subtle.importKey('spki', facts.spki.slice(), imp, false, ['verify']);
      ok = await ctx.subtle.verify(sig, pub, auth.signature.slice(), signedContent(peerRole, side.th!, await sha256(ctx, auth.chain[0]!)));
    } catch {
      ok = false;
    }
    return add(
      'signature',
      ok,
      ok
        ? `${side.peerName}’s signature covers both ephemeral keys and both identities as ${side.name} saw them`
        : `${side.peerName}’s signature does not match the keys and identities ${side.name} saw`,
    );
  }

  function refuse(side: Side, check: ExchangeCheckName, message: string) {
    side.outcome = 'refused';
    failure ??= { party: side.role, check, message };
  }

  async function writeAudit() {
    const established = I.outcome === 'established' && R.outcome === 'established';
    await deps.audit({
      at: new Date(ctx.clock.now()).toISOString(),
      actor: 'operator',
      action: established ? 'exchange.established' : 'exchange.refused',
      subject: [id, ...[I.credential?.certId, R.credential?.certId].filter((x): x is string => !!x)],
      details: {
        mode,
        curve,
        initiatorName: I.name,
        responderName: R.name,
        attacker: attackerMode,
        ...(strategy ? { attackerStrategy: strategy } : {}),
        initiatorOutcome: I.outcome,
        responderOutcome: R.outcome,
        ...(failure ? { failedCheck: failure.check, failedAt: failure.party } : {}),
        ...(I.th ? { initiatorTranscriptHash: hex(I.th) } : {}),
        ...(R.th ? { responderTranscriptHash: hex(R.th) } : {}),
        ...(comparison ? { fingerprintsMatch: comparison.match } : {}),
      },
    });
  }


  function wireView(from: ExchangeRole, to: ExchangeRole, label: string, m: WireMessage, orig?: WireMessage): WireMessageView {
    const f = (msg: WireMessage): MessageField[] => {
      const out: MessageField[] = [
        { name: 'from', value: msg.from },
        { name: 'to', value: msg.to },
      ];
      if (msg.kind === 'hello') out.push({ name: 'curve', value: msg.curve }, { name: 'nonce', value: hex(msg.nonce) }, { name: 'ephemeral public key', value: hex(msg.ephemeral) });
      if (msg.kind === 'response') out.push({ name: 'nonce', value: hex(msg.nonce) }, { name: 'ephemeral public key', value: hex(msg.ephemeral) });
      if (msg.kind !== 'hello') {
        if (msg.auth) {
          const facts = safeFacts(msg.auth.chain[0]);
          out.push({ name: 'certificate', value: facts ? `CN=${facts.commonNames.join(', ')} (${msg.auth.chain[0]!.length} bytes DER)` : 'unreadable' });
          out.push({ name: 'signature', value: hex(msg.auth.signature) });
        }
        out.push({ name: 'key confirmation MAC', value: hex(msg.mac) });
      }
      return out;
    };
    const fields = f(m);
    if (orig) {
      const before = f(orig);
      for (const field of fields) {
        const o = before.find((b) => b.name === field.name);
        if (!o || o.value !== field.value) field.changed = true;
      }
    }
    return { from, to, label, fields };
  }

  async function deliver<T extends WireMessage>(m: T): Promise<T> {
    return p.wire ? ((await p.wire(m)) as T) : m;
  }

  async function deriveFor(side: Side, secret: Uint8Array<ArrayBuffer>, th: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, own: Uint8Array, peer: Uint8Array) {
    side.th = th;
    side.keys = await deriveSessionKeys(ctx, secret, salt, th);
    side.kcv = await sessionKeyKcv(ctx, side.keys);
    side.keysFingerprint = await keysFingerprint(ctx, own, peer);
    side.sas = await shortAuthString(ctx, th);
  }

  // --- the steps ---------------------------------------------------------------------

  const program: Array<{ title: string; run: () => Promise<void> }> = [];

  program.push({
    title: `${I.name} makes an ephemeral key pair and sends hello`,
    async run() {
      I.ephemeral = await generateEphemeral(ctx, curve);
      I.nonce = ctx.random(NONCE_BYTES);
      hello = { kind: 'hello', from: I.name, to: R.name, mode, curve, nonce: I.nonce, ephemeral: I.ephemeral.publicRaw };
      step({
        actor: 'initiator',
        title: `${I.name} makes an ephemeral ${curve} key pair and sends hello`,
        explanation: `The private key is generated non-extractable and will be used for exactly one agreement. ${I.name} sends the public key and a random nonce${active || attackerMode === 'eavesdrop' ? `, and ${p.attacker.name} sits on the wire` : ''}.`,
        values: [
          { label: `${I.name}'s ephemeral public key`, value: hex(I.ephemeral.publicRaw) },
          { label: `${I.name}'s nonce`, value: hex(I.nonce) },
        ],
        message: wireView('initiator', active || attackerMode === 'eavesdrop' ? 'attacker' : 'responder', 'hello', hello),
      });
    },
  });

  if (attackerMode !== 'none') {
    program.push({
      title: `${p.attacker.name} intercepts hello`,
      async run() {
        const orig = hello!;
        if (active) {
          legR = { ephemeral: await generateEphemeral(ctx, curve), sendSeq: 0 };
          hello = { ...orig, ephemeral: legR.ephemeral.publicRaw };
          step({
            actor: 'attacker',
            title: `${p.attacker.name} replaces ${I.name}'s public key with its own`,
            explanation: `${p.attacker.name} keeps ${I.name}'s key and forwards hello to ${R.name} with a public key of its own, so it can agree one key with each side.`,
            values: [
              { label: `${p.attacker.name}'s public key towards ${R.name}`, value: hex(legR.ephemeral.publicRaw) },
              { label: `${I.name}'s public key (kept)`, value: hex(orig.ephemeral) },
            ],
            message: wireView('attacker', 'responder', 'hello (altered)', hello, orig),
          });
        } else {
          step({
            actor: 'attacker',
            title: `${p.attacker.name} records hello and forwards it unchanged`,
            explanation: `A passive attacker sees every public value. Public keys and nonces are public: knowing them does not give the shared secret.`,
            values: [{ label: 'recorded public key', value: hex(orig.ephemeral) }],
            message: wireView('attacker', 'responder', 'hello (forwarded)', orig),
          });
        }
      },
    });
  }

  program.push({
    title: `${R.name} answers with its own ephemeral key`,
    async run() {
      const h = await deliver(hello!);
      // The responder learns who calls from hello itself; the certificate must later match it.
      R.peerName = h.from;
      if (h.to !== R.name || h.curve !== curve || h.mode !== mode) {
        const detail = h.to !== R.name ? `hello is addressed to ${h.to}, not ${R.name}` : 'hello asks for another curve or mode';
        R.checks.push({ name: 'identity', ok: false, detail });
        refuse(R, 'identity', `${R.name} refused: ${detail}`);
        step({ actor: 'responder', title: `${R.name} refuses hello`, explanation: detail, values: [], checks: [...R.checks] });
        return;
      }
      R.peerNonce = h.nonce.slice();
      R.nonce = ctx.random(NONCE_BYTES);
      let peer;
      try {
        peer = await importPeerKey(ctx, curve, h.ephemeral);
      } catch (e) {
        R.checks.push({ name: 'peer-key', ok: false, detail: e instanceof Error ? e.message : 'invalid peer key' });
        refuse(R, 'peer-key', e instanceof Error ? e.message : 'invalid peer key');
        step({ actor: 'responder', title: `${R.name} refuses the public key in hello`, explanation: 'An invalid peer key is refused at import, before any agreement.', values: [], checks: [...R.checks] });
        return;
      }
      R.peerPublic = peer.raw;
      R.checks.push({ name: 'peer-key', ok: true, detail: `a valid ${curve} public key` });
      R.ephemeral = await generateEphemeral(ctx, curve);
      const secret = await agree(ctx, R.ephemeral, peer.key);
      const th = await transcript(R.peerNonce, R.nonce, peer.raw, R.ephemeral.publicRaw, h.from, R.name);
      await deriveFor(R, secret, th, concat(R.peerNonce, R.nonce), R.ephemeral.publicRaw, peer.raw);
      const auth = authenticated ? await authPart('responder', R.credential!, th) : undefined;
      const mac = await confirmationMac(ctx, R.keys!, 'responder', await macDataFor(th, auth));
      R.responderMac = mac;
      response = { kind: 'response', from: R.name, to: h.from, nonce: R.nonce, ephemeral: R.ephemeral.publicRaw, ...(auth ? { auth } : {}), mac };
      const values: ShownValue[] = [
        { label: `${R.name}'s ephemeral public key`, value: hex(R.ephemeral.publicRaw) },
        { label: 'transcript hash (as ' + R.name + ' sees it)', value: hex(th) },
        { label: 'derived session key (KCV)', value: R.kcv! },
      ];
      if (auth) values.push({ label: `${R.name}'s signature`, value: hex(auth.signature) });
      step({
        actor: 'responder',
        title: `${R.name} agrees a secret, derives keys${authenticated ? ', signs' : ''} and answers`,
        explanation: `${R.name} computes the shared secret with ECDH, feeds it to HKDF-SHA-256 (salt: both nonces; info: protocol and transcript hash) for an AES-GCM-256 session key and a key-confirmation key, then drops its ephemeral private key.${authenticated ? ` It signs its role, the transcript hash (both identities, both ephemeral keys) and its certificate's hash with its long-term key.` : ''}`,
        values,
        message: wireView('responder', attackerMode === 'none' ? 'initiator' : 'attacker', 'response', response),
        checks: [...R.checks],
      });
    },
  });

  if (attackerMode !== 'none') {
    program.push({
      title: `${p.attacker.name} intercepts the response`,
      async run() {
        if (!response) return;
        const orig = response;
        if (!active) {
          step({
            actor: 'attacker',
            title: `${p.attacker.name} records the response and forwards it`,
            explanation: 'Still only public values, a signature and a MAC: nothing that yields the session key.',
            values: [{ label: 'recorded public key', value: hex(orig.ephemeral) }],
            message: wireView('attacker', 'initiator', 'response (forwarded)', response),
          });
          return;
        }
        // Leg with the responder: the attacker's key (sent in hello) and the responder's key.
        const h = hello!;
        const peerR = await importPeerKey(ctx, curve, orig.ephemeral);
        legR!.th = await transcript(h.nonce, orig.nonce, legR!.ephemeral.publicRaw, orig.ephemeral, h.from, h.to);
        legR!.keys = await deriveSessionKeys(ctx, await agree(ctx, legR!.ephemeral, peerR.key), concat(h.nonce, orig.nonce), legR!.th);
        legR!.kcv = await sessionKeyKcv(ctx, legR!.keys);
        // Leg with the initiator: a fresh key towards it, posing as the responder.
        legI = { ephemeral: await generateEphemeral(ctx, curve), sendSeq: 0 };
        const initiatorKey = (await importPeerKey(ctx, curve, I.ephemeral!.publicRaw)).key;
        legI.th = await transcript(I.nonce!, orig.nonce, I.ephemeral!.publicRaw, legI.ephemeral.publicRaw);
        legI.keys = await deriveSessionKeys(ctx, await agree(ctx, legI.ephemeral, initiatorKey), concat(I.nonce!, orig.nonce), legI.th);
        legI.kcv = await sessionKeyKcv(ctx, legI.keys);
        let auth = orig.auth;
        if (authenticated && strategy === 'own-certificate') auth = await authPart('responder', p.attacker.credential!, legI.th);
        const mac = await confirmationMac(ctx, legI.keys, 'responder', await macDataFor(legI.th, auth));
        response = { ...orig, ephemeral: legI.ephemeral.publicRaw, ...(auth ? { auth } : {}), mac };
        step({
          actor: 'attacker',
          title: `${p.attacker.name} replaces ${R.name}'s public key too`,
          explanation: authenticated
            ? strategy === 'own-certificate'
              ? `${p.attacker.name} now shares one key with each side. It cannot sign as ${R.name}, so it signs with its own valid certificate from the same CA.`
              : `${p.attacker.name} now shares one key with each side. It cannot sign as ${R.name}, so it forwards ${R.name}'s signature, which covers ${p.attacker.name}'s key, not the one ${I.name} will see.`
            : `${p.attacker.name} now shares one key with ${I.name} and another with ${R.name}, and recomputes the key-confirmation MAC with the key it shares with ${I.name}.`,
          values: [
            { label: `${p.attacker.name}'s public key towards ${I.name}`, value: hex(legI.ephemeral.publicRaw) },
            { label: `key shared with ${I.name} (KCV)`, value: legI.kcv },
            { label: `key shared with ${R.name} (KCV)`, value: legR!.kcv },
          ],
          message: wireView('attacker', 'initiator', 'response (altered)', response, orig),
        });
      },
    });
  }

  program.push({
    title: `${I.name} checks the response`,
    async run() {
      if (!response) return;
      const m = await deliver(response);
      I.peerNonce = m.nonce.slice();
      let peer;
      try {
        peer = await importPeerKey(ctx, curve, m.ephemeral);
      } catch (e) {
        const msg = e instanceof Error ? e.message : 'invalid peer key';
        I.checks.push({ name: 'peer-key', ok: false, detail: msg });
        refuse(I, 'peer-key', msg);
        I.ephemeral?.destroy();
        step({ actor: 'initiator', title: `${I.name} refuses the public key in the response`, explanation: 'An invalid peer key is refused at import.', values: [], checks: [...I.checks] });
        return;
      }
      I.peerPublic = peer.raw;
      I.checks.push({ name: 'peer-key', ok: true, detail: `a valid ${curve} public key` });
      const th = await transcript(I.nonce!, I.peerNonce, I.ephemeral!.publicRaw, peer.raw, I.name, I.peerName);
      const secret = await agree(ctx, I.ephemeral!, peer.key);
      await deriveFor(I, secret, th, concat(I.nonce!, I.peerNonce), I.ephemeral!.publicRaw, peer.raw);
      const values: ShownValue[] = [
        { label: 'transcript hash (as ' + I.name + ' sees it)', value: hex(th) },
        { label: 'derived session key (KCV)', value: I.kcv! },
      ];
      const title = `${I.name} checks ${R.name}'s answer`;
      if (authenticated && !(await checkPeerAuth(I, 'responder', m.auth))) {
        const bad = I.checks[I.checks.length - 1]!;
        refuse(I, bad.name, `${I.name} refused: ${CHECK_TITLES[bad.name]} check failed — ${bad.detail}`);
        step({ actor: 'initiator', title: `${I.name} refuses: the ${CHECK_TITLES[bad.name]} check fails`, explanation: `${I.name} stops the exchange and uses no key.`, values, checks: [...I.checks] });
        return;
      }
      const macOk = await verifyConfirmationMac(ctx, I.keys!, 'responder', await macDataFor(th, m.auth), m.mac);
      I.checks.push({ name: 'key-confirmation', ok: macOk, detail: macOk ? `the sender holds the same session keys as ${I.name}` : 'the MAC does not verify: the sender does not hold the same keys' });
      if (!macOk) {
        refuse(I, 'key-confirmation', `${I.name} refused: key confirmation failed`);
        step({ actor: 'initiator', title: `${I.name} refuses: key confirmation fails`, explanation: `${I.name} stops the exchange.`, values, checks: [...I.checks] });
        return;
      }
      const auth = authenticated ? await authPart('initiator', I.credential!, th) : undefined;
      const mac = await confirmationMac(ctx, I.keys!, 'initiator', await macDataFor(th, auth, m.mac));
      I.responderMac = m.mac;
      I.outcome = 'established';
      finish = { kind: 'finish', from: I.name, to: R.name, ...(auth ? { auth } : {}), mac };
      if (auth) values.push({ label: `${I.name}'s signature`, value: hex(auth.signature) });
      step({
        actor: 'initiator',
        title,
        explanation: `${I.name} agrees the secret, derives the same way, ${authenticated ? 'validates the certificate chain and CRL, checks the name and the signature, ' : ''}verifies the key-confirmation MAC and drops its ephemeral private key. Then it sends its own ${authenticated ? 'signature and ' : ''}MAC.`,
        values,
        message: wireView('initiator', attackerMode === 'none' ? 'responder' : 'attacker', 'finish', finish),
        checks: [...I.checks],
      });
    },
  });

  if (attackerMode !== 'none') {
    program.push({
      title: `${p.attacker.name} intercepts finish`,
      async run() {
        if (!finish) return;
        const orig = finish;
        if (!active) {
          step({ actor: 'attacker', title: `${p.attacker.name} records finish and forwards it`, explanation: 'The exchange completes; the attacker holds a recording and no key.', values: [], message: wireView('attacker', 'responder', 'finish (forwarded)', finish) });
          return;
        }
        const initiatorMacOk = await verifyConfirmationMac(ctx, legI!.keys!, 'initiator', await macDataFor(legI!.th!, orig.auth, response!.mac), orig.mac);
        let auth = orig.auth;
        if (authenticated && strategy === 'own-certificate') auth = await authPart('initiator', p.attacker.credential!, legR!.th!);
        const mac = await confirmationMac(ctx, legR!.keys!, 'initiator', await macDataFor(legR!.th!, auth, R.responderMac!));
        finish = { ...orig, ...(auth ? { auth } : {}), mac };
        step({
          actor: 'attacker',
          title: `${p.attacker.name} recomputes the MAC for ${R.name}`,
          explanation: `${initiatorMacOk ? `${I.name}'s MAC checks out under the key ${p.attacker.name} shares with it; ` : ''}${p.attacker.name} computes a new one with the key it shares with ${R.name}.`,
          values: [],
          message: wireView('attacker', 'responder', 'finish (altered)', finish, orig),
        });
      },
    });
  }

  program.push({
    title: `${R.name} checks finish`,
    async run() {
      if (!finish) return;
      const m = await deliver(finish);
      if (authenticated && !(await checkPeerAuth(R, 'initiator', m.auth))) {
        const bad = R.checks[R.checks.length - 1]!;
        refuse(R, bad.name, `${R.name} refused: ${CHECK_TITLES[bad.name]} check failed — ${bad.detail}`);
        step({ actor: 'responder', title: `${R.name} refuses: the ${CHECK_TITLES[bad.name]} check fails`, explanation: `${R.name} drops the keys it derived.`, values: [], checks: [...R.checks] });
        return;
      }
      const ok = await verifyConfirmationMac(ctx, R.keys!, 'initiator', await macDataFor(R.th!, m.auth, R.responderMac!), m.mac);
      R.checks.push({ name: 'key-confirmation', ok, detail: ok ? `the sender holds the same session keys as ${R.name}` : 'the MAC does not verify' });
      if (!ok) {
        refuse(R, 'key-confirmation', `${R.name} refused: key confirmation failed`);
        step({ actor: 'responder', title: `${R.name} refuses: key confirmation fails`, explanation: `${R.name} drops the keys it derived.`, values: [], checks: [...R.checks] });
        return;
      }
      R.outcome = 'established';
      step({
        actor: 'responder',
        title: `${R.name} checks ${I.name}'s finish: the exchange is complete`,
        explanation: `Both sides hold a session key. Ephemeral private keys are gone on both sides.`,
        values: [{ label: 'derived session key (KCV)', value: R.kcv! }],
        checks: [...R.checks],
      });
    },
  });

  program.push({
    title: 'Both sides compare fingerprints',
    async run() {
      if (I.outcome !== 'established' || R.outcome !== 'established') return;
      comparison = {
        initiator: { keysFingerprint: I.keysFingerprint!, sas: I.sas! },
        responder: { keysFingerprint: R.keysFingerprint!, sas: R.sas! },
        match: I.keysFingerprint === R.keysFingerprint && I.sas === R.sas,
      };
      step({
        actor: 'initiator',
        title: comparison.match ? 'The fingerprints agree' : 'The fingerprints DISAGREE: someone is in the middle',
        explanation: comparison.match
          ? `Read aloud over another channel, both short authentication strings are ${I.sas}: both sides saw the same two public keys.`
          : `${I.name} reads ${I.sas}, ${R.name} reads ${R.sas}: they saw different public keys, so each shares its key with someone else. Nothing in the unauthenticated exchange itself revealed this.`,
        values: [
          { label: `${I.name}: fingerprint of both public keys`, value: I.keysFingerprint! },
          { label: `${R.name}: fingerprint of both public keys`, value: R.keysFingerprint! },
          { label: `${I.name}: short authentication string`, value: I.sas! },
          { label: `${R.name}: short authentication string`, value: R.sas! },
        ],
      });
    },
  });

  let cursor = 0;
  let finished = false;

  async function finishIfDone() {
    if (finished) return;
    const refused = I.outcome === 'refused' || R.outcome === 'refused';
    if (refused || cursor >= program.length) {
      finished = true;
      // Whatever happened, no ephemeral private key survives the exchange.
      for (const e of [I.ephemeral, R.ephemeral, legI?.ephemeral, legR?.ephemeral]) e?.destroy();
      await writeAudit();
    }
  }

  function status(): ExchangeView['status'] {
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
      ...(s.ephemeral ? { ownPublicHex: hex(s.ephemeral.publicRaw) } : {}),
      ...(s.peerPublic ? { peerPublicHex: hex(s.peerPublic) } : {}),
      ...(s.th ? { transcriptHashHex: hex(s.th) } : {}),
      ...(s.keysFingerprint ? { keysFingerprint: s.keysFingerprint } : {}),
      ...(s.sas ? { sas: s.sas } : {}),
      ...(s.kcv ? { sessionKeyKcv: s.kcv } : {}),
      ephemeralDestroyed: s.ephemeral ? s.ephemeral.destroyed : false,
      checks: s.checks.map((c) => ({ ...c })),
      outcome: s.outcome,
    };
  }

  function attackerView(): AttackerView | undefined {
    if (attackerMode === 'none') return undefined;
    return {
      name: p.attacker.name,
      mode: attackerMode,
      ...(strategy ? { strategy } : {}),
      ...(legI?.kcv ? { kcvWithInitiator: legI.kcv } : {}),
      ...(legR?.kcv ? { kcvWithResponder: legR.kcv } : {}),
      ...(legI ? { publicHexToInitiator: hex(legI.ephemeral.publicRaw) } : {}),
      ...(legR ? { publicHexToResponder: hex(legR.ephemeral.publicRaw) } : {}),
      canRead: attackerCanRead(),
    };
  }

  function attackerCanRead(): boolean {
    return active && !!legI?.keys && !!legR?.keys && I.outcome === 'established' && R.outcome === 'established';
  }

  function view(): ExchangeView {
    const a = attackerView();
    const st = status();
    const next = !finished ? program[cursor]?.title : undefined;
    return {
      id,
      mode,
      curve,
      initiator: partyView(I),
      responder: partyView(R),
      ...(a ? { attacker: a } : {}),
      steps: steps.map((s) => structuredClone(s)),
      ...(next ? { nextStep: next } : {}),
      status: st,
      ...(failure ? { failure: { ...failure } } : {}),
      ...(comparison ? { comparison: structuredClone(comparison) } : {}),
      deliveries: deliveries.map((d) => structuredClone(d)),
    };
  }

  async function next(): Promise<ExchangeView> {
    if (closed) throw new KeyStateError('exchange: this exchange was closed');
    if (finished) throw new KeyStateError('exchange: this exchange has finished; start a new one');
    const s = program[cursor++]!;
    try {
      await s.run();
    } catch (e) {
      // A failure inside a step (storage, a refused signing key) ends the exchange too.
      for (const eph of [I.ephemeral, R.ephemeral, legI?.ephemeral, legR?.ephemeral]) eph?.destroy();
      finished = true;
      throw e;
    }
    await finishIfDone();
    return view();
  }

  async function send(from: 'initiator' | 'responder', text: string, opts: { tamper?: string } = {}): Promise<DeliveryView> {
    if (closed) throw new KeyStateError('exchange: this exchange was closed');
    if (typeof text !== 'string' || text.length > 10_000) throw new EngineError('INVALID_ARGUMENT', 'exchange: a message is text of at most 10,000 characters');
    if (status() !== 'established') throw new KeyStateError('exchange: there is no session key: the exchange did not complete');
    const S = from === 'initiator' ? I : R;
    const T = from === 'initiator' ? R : I;
    const direction = from === 'initiator' ? 'initiator-to-responder' : 'responder-to-initiator';
    const seq = S.sendSeq++;
    const sealed = await sealMessage(ctx, S.keys!.sessionKey, messageAad(direction, seq), utf8(text));
    let onWire: SealedMessage = sealed;
    let attackerRead: string | null = null;
    let altered = false;
    if (attackerMode !== 'none') {
      if (attackerCanRead()) {
        const inLeg = from === 'initiator' ? legI! : legR!;
        const outLeg = from === 'initiator' ? legR! : legI!;
        const pt = await openMessage(ctx, inLeg.keys!.sessionKey, messageAad(direction, seq), sealed);
        attackerRead = pt ? fromUtf8(pt) : null;
        const forward = opts.tamper !== undefined ? opts.tamper : (attackerRead ?? '');
        altered = opts.tamper !== undefined && opts.tamper !== attackerRead;
        onWire = await sealMessage(ctx, outLeg.keys!.sessionKey, messageAad(direction, outLeg.sendSeq++), utf8(forward));
      } else if (opts.tamper !== undefined) {
        // Without the key the attacker can only change bits it cannot read.
        const ct = sealed.ciphertext.slice();
        ct[0]! ^= 0x01;
        onWire = { iv: sealed.iv, ciphertext: ct };
        altered = true;
      }
    }
    const recvSeq = T.recvSeq;
    const opened = await openMessage(ctx, T.keys!.sessionKey, messageAad(direction, recvSeq), onWire);
    if (opened) T.recvSeq++;
    const d: DeliveryView = {
      seq,
      from,
      to: from === 'initiator' ? 'responder' : 'initiator',
      sentText: text,
      ivHex: hex(sealed.iv),
      ciphertextHex: hex(sealed.ciphertext),
      attackerRead,
      altered,
      delivered: opened ? { ok: true, text: fromUtf8(opened) } : { ok: false, reason: `${T.name} refused the message: it does not decrypt under ${T.name}'s session key (altered or under another key)` },
    };
    deliveries.push(d);
    return structuredClone(d);
  }

  return {
    id,
    view,
    next,
    async runToEnd() {
      while (!finished) await next();
      return view();
    },
    send,
    close() {
      closed = true;
      for (const e of [I.ephemeral, R.ephemeral, legI?.ephemeral, legR?.ephemeral]) e?.destroy();
      for (const s of [I, R]) delete s.keys;
      if (legI) delete legI.keys;
      if (legR) delete legR.keys;
    },
  };
}

function safeFacts(der: Uint8Array | undefined) {
  if (!der) return undefined;
  try {
    return readCertificateFacts(der);
  } catch {
    return undefined;
  }
}
