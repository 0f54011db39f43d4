/** Public types of the key distribution center. Nothing here holds key material. */
import { EngineError, type EngineErrorCode } from '../errors';
import type { KdcKeyId, KdcRunId, PrincipalId, TicketId } from '../ids';
import type { RevocationReason } from '../lifecycle/revocation';
import type { KdcKeyRecord } from '../storage/records-kdc';
import type { KdcMessageType } from './codec';

/** Kerberos' default clock-skew window: 5 minutes (D3). */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** Default ticket lifetime: 8 hours. */
export const DEFAULT_TICKET_LIFETIME_MS = 8 * 3_600_000;

/** The checks a party runs; a refusal names the one that failed. The screens word each id (src/copy/kdc.ts). */
export type KdcCheck =
  | 'message-format'
  | 'addressing'
  | 'aead'
  | 'nonce'
  | 'expiry'
  | 'skew'
  | 'replay-cache'
  | 'key-revoked'
  | 'principal-status'
  | 'key-confirmation'
  | 'owner';

/** A party refused a message. `check` names the check that failed. */
export class KdcRefusal extends EngineError {
  readonly check: KdcCheck;
  constructor(code: EngineErrorCode, check: KdcCheck, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'KdcRefusal';
    this.check = check;
  }
}

/** True when `e` is a protocol refusal. */
export function isKdcRefusal(e: unknown): e is KdcRefusal {
  return e instanceof KdcRefusal;
}

export type KdcPrincipalKind = 'user' | 'service';

/** A principal as the KDC screens show it. */
export interface KdcPrincipalInfo {
  name: PrincipalId;
  kind: KdcPrincipalKind;
  status: 'active' | 'suspended' | 'revoked';
  kvno: number;
  /** Key check value of the long-term key. */
  kcv: string;
  createdAt: string;
  reason?: string;
  statusAt?: string;
  /** True when the lifecycle has the principal revoked as a key owner (B5). */
  ownerRevoked: boolean;
}

/** A distributed (or stored) key as the KDC records it, without the key: its stored record minus the wrapped keys. */
export type DistributedKeyInfo = Omit<KdcKeyRecord, 'wrappedKey' | 'wrappedConfirmKey'>;

/** One line of the revoked list (C4). */
export interface RevokedDistributedKey {
  id: KdcKeyId;
  parties: PrincipalId[];
  reason: string;
  revokedAt: string;
}

/**
 * Why a field matters, by id; the screens word each (src/copy/kdc.ts).
 * `wrapped-under-sealing-key`: a key wrapped under the long-term key that seals its part.
 */
export type KdcFieldNote =
  | 'request-nonce'
  | 'reply-nonce'
  | 'wrapped-under-sealing-key'
  | 'confirm-key'
  | 'ticket-expiry'
  | 'authenticator-time'
  | 'authenticator-id'
  | 'client-confirmation'
  | 'service-nonce'
  | 'service-confirmation';

/** A value shown by its size or where it is decoded instead (the screens word it, src/copy/kdc.ts). */
export type KdcFieldSize = { of: 'wrapped-key' | 'ciphertext' | 'text'; bytes: number } | { of: 'sealed-ticket' };

/** One decoded field of a message. */
export interface KdcMessageField {
  name: string;
  /** The value as sent (names, ids, nonces in hex, dates in ISO 8601), or its size. */
  value: string | KdcFieldSize;
  note?: KdcFieldNote;
}

/** The parts of a message, by id; the screens name each (src/copy/kdc.ts). */
export type KdcMessagePart =
  | 'header'
  | 'ticket-header'
  | 'authenticator-header'
  | 'envelope'
  | 'request'
  | 'reply'
  | 'ticket'
  | 'authenticator'
  | 'challenge'
  | 'confirmation'
  | 'message';

/** What protects a part of a message, as data; the screens word it (src/copy/kdc.ts). */
export type KdcProtection =
  /** In clear, authenticated as the AES-GCM additional data of the sealed part it heads. */
  | { kind: 'aad' }
  /** In clear and not authenticated (the AP request's envelope). */
  | { kind: 'clear' }
  /** AES-GCM under a principal's long-term key, at key version `kvno`. */
  | { kind: 'long-term'; principal: PrincipalId; kvno: number }
  /** AES-GCM under the session key K_AB. */
  | { kind: 'session'; keyId: KdcKeyId }
  /** The KDC's seal for `service`, which `carrier` passes on unchanged without being able to read it. */
  | { kind: 'passed-on'; service: PrincipalId; carrier: PrincipalId };

/** A part of a message and what protects it. */
export interface KdcMessageSection {
  part: KdcMessagePart;
  protection: KdcProtection;
  fields: KdcMessageField[];
}

/** A protocol message as the sequence diagram shows it: decoded and as bytes. */
export interface WireMessage {
  /** 1-based position in the run. */
  step: number;
  type: KdcMessageType;
  from: string;
  to: string;
  /** The service the run's key is for (messages 1–5 of a run; absent on chat messages). The screens word the message from type, from, to and service. */
  service?: string;
  /** The exact bytes sent, lower-case hex. */
  hex: string;
  length: number;
  sections: KdcMessageSection[];
}

/** A refusal as plain data. */
export interface RefusalInfo {
  check: KdcCheck;
  code: EngineErrorCode | 'UNEXPECTED';
  message: string;
}

/** The deliveries of a run, in order: the KDC issues (2), A presents the ticket (3), B accepts it (4), A confirms (5), B checks A's confirmation. */
export type KdcRunStep = 'issue' | 'present-ticket' | 'accept-ticket' | 'confirm' | 'finish';

/** One run of the distribution protocol, step by step (plain data). */
export interface KdcProtocolRun {
  id: KdcRunId;
  client: PrincipalId;
  service: PrincipalId;
  /** Messages sent so far, in order. */
  messages: WireMessage[];
  /** What the next step does (absent when done); the screens put it in words. */
  next?: KdcRunStep;
  done: boolean;
  /** True when both sides confirmed the key (after the last message). */
  confirmed: boolean;
  keyId?: KdcKeyId;
  ticketId?: TicketId;
  expiresAt?: string;
  refusal?: RefusalInfo;
}

/** `verifyDistributedKey`: does the holder's key match the KDC's record? (C3) */
export interface VerifyKeyResult {
  keyId: KdcKeyId;
  holder: PrincipalId;
  match: boolean;
  holderKcv: string;
  kdcKcv: string;
  revoked: boolean;
}

/** A chat message sealed under the session key. */
export interface SealedMessage {
  keyId: KdcKeyId;
  from: PrincipalId;
  to: PrincipalId;
  bytes: Uint8Array<ArrayBuffer>;
  wire: WireMessage;
}

/** The attacks the KDC can demonstrate (C5). */
export type KdcAttackName = 'replay-kdc-reply' | 'denning-sacco' | 'reflection' | 'tamper-ticket' | 'tamper-reply';

/** Every attack `runAttack` takes, in the order the screens offer them; the screens word them (src/copy/kdc.ts). */
export const KDC_ATTACK_NAMES: readonly KdcAttackName[] = ['replay-kdc-reply', 'denning-sacco', 'reflection', 'tamper-ticket', 'tamper-reply'];

/**
 * What the attacker tries, by id; the screens word each with the run's parties
 * (src/copy/kdc.ts). Grouped by attack; the last of each group runs against the unfixed protocol.
 */
export type KdcAttackMove =
  | 'replay-reply-old-key'
  | 'replay-reply'
  | 'replay-ticket-at-once'
  | 'replay-ticket-later'
  | 'expired-ticket-stolen-key'
  | 'revoked-key-fresh-authenticator'
  | 'replay-old-ticket'
  | 'reflect-unchanged'
  | 'reflect-relabelled'
  | 'reflect-resealed'
  | 'reflect-challenge'
  | 'flip-ticket-bit'
  | 'add-ticket-header-field'
  | 'rewrite-ticket-client'
  | 'flip-reply-bit'
  | 'add-reply-header-field'
  | 'rewrite-reply-service';

/** One thing the attacker tried and how the target answered. */
export interface AttackAttempt {
  move: KdcAttackMove;
  accepted: boolean;
  /** The check that refused it (absent when accepted). */
  check?: KdcCheck;
  /** The refusal's own message (absent when accepted). */
  refusal?: string;
  /** The rewrite moves: the name the attacker wrote in, and the one the target then believed. */
  forged?: string;
  believed?: string;
}

/** An attack against one protocol. `unfixed` is the original Needham–Schroeder (1978): INSECURE, run for demonstration only (insecure-ns.ts). */
export interface AttackOutcome {
  protocol: 'clavis' | 'unfixed';
  succeeded: boolean;
  /** The check that stopped the attack (absent when it succeeded). */
  refusedBy?: KdcCheck;
  attempts: AttackAttempt[];
}

/** What `runAttack` returns: the same attack against Clavis's protocol and the unfixed one. */
export interface AttackReport {
  /** Which attack ran; the screens name, describe and explain it by this id. */
  attack: KdcAttackName;
  /** A and B of the run (the screens' sentences name them). */
  client: PrincipalId;
  service: PrincipalId;
  clavis: AttackOutcome;
  unfixed: AttackOutcome;
}

/** Options of a distribution run. */
export interface DistributionParams {
  client: PrincipalId;
  service: PrincipalId;
  /** Ticket lifetime in ms (default 8 hours; 1 minute to 24 hours). */
  lifetimeMs?: number;
}

/** The KDC's verbs (`engine.kdc()`). Every method throws EngineError (KdcRefusal for protocol refusals). */
export interface Kdc {
  /** C1: registers a user or service with a new long-term key. @throws INVALID_ARGUMENT, STORAGE (name taken) */
  registerPrincipal(p: { name: string; kind: KdcPrincipalKind }): Promise<KdcPrincipalInfo>;
  /**
   * Rotates a principal's long-term key (D5): new messages use the new key version;
   * tickets sealed under the old one are accepted until they could have expired, or
   * refused at once with `retireAtOnce`. @throws KEY_STATE (revoked), KEY_NOT_FOUND
   */
  rotatePrincipalKey(name: PrincipalId, opts?: { retireAtOnce?: boolean }): Promise<KdcPrincipalInfo>;
  listPrincipals(): Promise<KdcPrincipalInfo[]>;
  /** No tickets for or from it until reinstated. @throws KEY_STATE */
  suspendPrincipal(name: PrincipalId, reason?: string): Promise<KdcPrincipalInfo>;
  /** Revokes it (with the lifecycle's principal revocation) and every key distributed to it. @throws KEY_STATE */
  revokePrincipal(name: PrincipalId, reason: RevocationReason): Promise<KdcPrincipalInfo>;
  /** Lifts a suspension or revocation (revoked keys stay revoked). @throws KEY_STATE */
  reinstatePrincipal(name: PrincipalId): Promise<KdcPrincipalInfo>;

  /** C2: builds message 1 (A → KDC). */
  startDistribution(p: DistributionParams): Promise<KdcProtocolRun>;
  /** Delivers the last message and produces the next one (or finishes). A refusal ends the run. */
  nextStep(runId: KdcRunId): Promise<KdcProtocolRun>;
  /** Runs every step. @returns the finished (or refused) run */
  distribute(p: DistributionParams): Promise<KdcProtocolRun>;

  /** C6: seals a message under the session key. @throws KEY_NOT_FOUND, KEY_STATE (revoked) */
  sendMessage(keyId: KdcKeyId, from: PrincipalId, text: string): Promise<SealedMessage>;
  /** C6: opens a message sealed under the session key. @throws KdcRefusal */
  receiveMessage(keyId: KdcKeyId, to: PrincipalId, bytes: Uint8Array): Promise<string>;

  /** C3: compares the holder's key with the KDC's record by KCV; never exports either. */
  verifyDistributedKey(keyId: KdcKeyId, holder: PrincipalId): Promise<VerifyKeyResult>;
  listDistributedKeys(): Promise<DistributedKeyInfo[]>;
  /** C4. @throws KEY_NOT_FOUND, KEY_STATE (already revoked) */
  revokeDistributedKey(id: KdcKeyId, reason: RevocationReason): Promise<DistributedKeyInfo>;
  /** C4: revokes every unrevoked key of a principal. */
  revokeKeysOf(principal: PrincipalId, reason: RevocationReason): Promise<DistributedKeyInfo[]>;
  listRevokedKeys(): Promise<RevokedDistributedKey[]>;

  /** The seeds' store_key: a new key kept (wrapped) by the KDC for one principal. */
  storeKey(owner: PrincipalId, label?: string): Promise<DistributedKeyInfo>;
  /**
   * The seeds' get_key: `requester` asks for a stored key with a request sealed under its
   * long-term key; only the owner gets it (as a non-extractable key on its side).
   * @throws KdcRefusal (owner, aead, key-revoked, principal-status)
   */
  getKey(requester: PrincipalId, keyId: KdcKeyId): Promise<{ key: DistributedKeyInfo; kcv: string }>;

  /** C5: runs an attack against Clavis's protocol and against the unfixed one. */
  runAttack(attack: KdcAttackName, p: { client: PrincipalId; service: PrincipalId }): Promise<AttackReport>;

  /** Low-level protocol steps (tests and attacks). */
  readonly protocol: KdcProtocol;
}

/** The individual protocol steps, over bytes. */
export interface KdcProtocol {
  /** A: message 1 with a fresh nonce, remembered as outstanding. */
  request(client: PrincipalId, service: PrincipalId): Promise<Uint8Array<ArrayBuffer>>;
  /** KDC: checks message 1, issues the key, returns message 2. */
  issue(request: Uint8Array, opts?: { lifetimeMs?: number }): Promise<Uint8Array<ArrayBuffer>>;
  /** A: checks message 2 (nonce, AEAD), unwraps the key, returns message 3 (ticket + authenticator). */
  acceptReply(client: PrincipalId, reply: Uint8Array): Promise<{ keyId: KdcKeyId; ticketId: TicketId; expiresAt: string; apRequest: Uint8Array<ArrayBuffer> }>;
  /** A: a new authenticator for a ticket it holds. */
  apRequest(client: PrincipalId, keyId: KdcKeyId): Promise<Uint8Array<ArrayBuffer>>;
  /** B: checks message 3, returns message 4 (challenge and B's confirmation). `at` overrides B's clock (simulations). */
  serviceAccept(service: PrincipalId, apRequest: Uint8Array, opts?: { at?: number }): Promise<{ keyId: KdcKeyId; client: PrincipalId; challenge: Uint8Array<ArrayBuffer> }>;
  /** A: checks B's confirmation, returns message 5 (A's confirmation). */
  clientConfirm(client: PrincipalId, keyId: KdcKeyId, challenge: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
  /** B: checks A's confirmation; the key is confirmed on both sides. */
  serviceFinish(service: PrincipalId, keyId: KdcKeyId, confirm: Uint8Array): Promise<void>;
}
