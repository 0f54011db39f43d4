/**
 * The state of one exchange in memory (both sides, the attacker's two legs, the messages
 * in flight, the steps so far) and the helpers every step uses: the transcript hash,
 * signing, the key-confirmation MAC input, deriving, refusing. Holds CryptoKeys: it never
 * leaves the session; views are built from it as plain data.
 */
import type { CertId, KeyId } from '../ids';
import type { AuditDraft } from '../audit/chain';
import { concat } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import type { VerifyResult } from '../pki/types';
import { deriveSessionKeys, keysFingerprint, sessionKeyKcv, sha256, shortAuthString, signedContent, transcriptHash, type ExchangeMode, type SessionKeys } from './derive';
import type { Ephemeral, ExchangeCurve } from './peer-key';
import type { AttackerMode, AttackerStrategy, ExchangeCheck, ExchangeCheckDetail, ExchangeCheckName, ExchangeComparison, ExchangeFailure, ExchangeStepView, DeliveryView } from './types';
import type { AuthPart, FinishMessage, HelloMessage, ResponseMessage, WireMessage } from './wire';

/** A party's long-term credential: a vault signing key and its certificate chain (leaf first). */
export interface Credential {
  identity: string;
  certId: CertId;
  keyId: KeyId;
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

/** One side's state. */
export interface Side {
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
export interface AttackerLeg {
  ephemeral: Ephemeral;
  th?: Uint8Array<ArrayBuffer>;
  keys?: SessionKeys;
  kcv?: string;
  sendSeq: number;
}

/** Everything one exchange holds while it runs. */
export interface Run {
  readonly id: string;
  readonly ctx: EngineContext;
  readonly deps: SessionDeps;
  readonly p: SessionParams;
  readonly authenticated: boolean;
  readonly attackerMode: AttackerMode;
  /** True for an active attacker (it substitutes keys). */
  readonly active: boolean;
  readonly strategy: AttackerStrategy | undefined;
  readonly I: Side;
  readonly R: Side;
  /** The attacker's leg with the initiator (posing as the responder) and with the responder. */
  legI?: AttackerLeg;
  legR?: AttackerLeg;
  /** Messages in flight. */
  hello?: HelloMessage;
  response?: ResponseMessage;
  finish?: FinishMessage;
  readonly steps: ExchangeStepView[];
  failure?: ExchangeFailure;
  comparison?: ExchangeComparison;
  readonly deliveries: DeliveryView[];
}

/** A side before any step. */
export function newSide(role: 'initiator' | 'responder', s: PartySetup, peer: PartySetup): Side {
  return { role, name: s.name, peerName: peer.name, ...(s.credential ? { credential: s.credential } : {}), checks: [], outcome: 'pending', sendSeq: 0, recvSeq: 0 };
}

/** Records a performed step. */
export function addStep(run: Run, s: Omit<ExchangeStepView, 'index'>): void {
  run.steps.push({ index: run.steps.length + 1, ...s });
}

/** Passes a message through the test hook, if any. */
export async function deliver<T extends WireMessage>(run: Run, m: T): Promise<T> {
  return run.p.wire ? ((await run.p.wire(m)) as T) : m;
}

/** The transcript hash over what one side (or an attacker's leg) saw. */
export function transcript(run: Run, t: { initiatorNonce: Uint8Array; responderNonce: Uint8Array; initiatorKey: Uint8Array; responderKey: Uint8Array; initiator?: string; responder?: string }) {
  const { initiator = run.I.name, responder = run.R.name, ...rest } = t;
  return transcriptHash(run.ctx, { mode: run.p.mode, curve: run.p.curve, initiator, responder, ...rest });
}

/** Signs role ‖ TH ‖ H(cert) with the credential's vault key. */
export async function authPart(run: Run, role: 'initiator' | 'responder', c: Credential, th: Uint8Array): Promise<AuthPart> {
  const signature = new Uint8Array(await run.deps.sign(c.keyId, signedContent(role, th, await sha256(run.ctx, c.chain[0]!))));
  return { chain: c.chain.map((d) => d.slice()), signature };
}

/** The key-confirmation MAC input: TH, the certificate's hash and the signature, then `extra`. */
export async function macDataFor(run: Run, th: Uint8Array, auth: AuthPart | undefined, extra?: Uint8Array) {
  // Bind the certificate by its hash (not its bytes) and the signature.
  const parts: Uint8Array[] = [th];
  if (auth) parts.push(await sha256(run.ctx, auth.chain[0] ?? new Uint8Array(0)), auth.signature);
  if (extra) parts.push(extra);
  return concat(...parts);
}

/** Derives a side's session keys and what it shows of them (KCV, fingerprint, SAS). */
export async function deriveFor(run: Run, side: Side, secret: Uint8Array<ArrayBuffer>, th: Uint8Array<ArrayBuffer>, salt: Uint8Array<ArrayBuffer>, own: Uint8Array, peer: Uint8Array) {
  side.th = th;
  side.keys = await deriveSessionKeys(run.ctx, secret, salt, th);
  side.kcv = await sessionKeyKcv(run.ctx, side.keys);
  side.keysFingerprint = await keysFingerprint(run.ctx, own, peer);
  side.sas = await shortAuthString(run.ctx, th);
}

/** A side refuses; the first refusal is the exchange's failure. */
export function refuse(run: Run, side: Side, check: ExchangeCheckName, detail: ExchangeCheckDetail, atHello = false) {
  side.outcome = 'refused';
  run.failure ??= { party: side.role, check, detail, ...(atHello ? { atHello } : {}) };
}

/** Every ephemeral private key the exchange made, the attacker's included. */
export function ephemerals(run: Run) {
  return [run.I.ephemeral, run.R.ephemeral, run.legI?.ephemeral, run.legR?.ephemeral];
}
