/**
 * Public, plain-data shapes of the key exchange: what views and the store may hold.
 * Nothing here is a CryptoKey or secret bytes: public values are hex, derived keys are
 * shown by their key check value only.
 */
import type { CaId, CertId, KeyId } from '../ids';
import type { ExchangeCurve, PeerKeyProblem } from './peer-key';
import type { ExchangeMode } from './derive';

export type { ExchangeCurve, PeerKeyProblem, ExchangeMode };

/** Who acts: the two parties and the attacker in the middle. */
export type ExchangeRole = 'initiator' | 'responder' | 'attacker';

/**
 * What the attacker does: nothing; records everything (passive); or replaces each
 * ephemeral key with its own (active man in the middle). In authenticated mode an
 * active attacker either relays the parties' signatures (`relay-signatures`) or signs
 * with its own valid certificate (`own-certificate`).
 */
export type AttackerMode = 'none' | 'eavesdrop' | 'substitute';
export type AttackerStrategy = 'relay-signatures' | 'own-certificate';

/** The checks a party runs on what it receives, in order. */
export type ExchangeCheckName = 'peer-key' | 'certificate-chain' | 'certificate-revocation' | 'identity' | 'signature' | 'key-confirmation';

/**
 * What a check found, as an id with the data the app words it from (names are the
 * parties' as the checking side knows them: `self` checks, `peer` is who it expects).
 */
export type ExchangeCheckDetail =
  /** peer-key */
  | { id: 'peer-key-valid'; curve: ExchangeCurve }
  /** peer-key: refused at import; `message` is the PeerKeyError's, when there is one. */
  | { id: 'peer-key-refused'; problem?: PeerKeyProblem; message?: string }
  /** identity, at hello: hello names another responder (`to`) than `self`. */
  | { id: 'hello-misaddressed'; to: string; self: string }
  /** identity, at hello: hello asks for another curve or mode. */
  | { id: 'hello-parameters' }
  /** certificate-chain */
  | { id: 'no-certificate'; peer: string }
  | { id: 'chain-trusted' }
  | { id: 'chain-valid' }
  /** certificate-chain: the first failing validation step, by its name and detail. */
  | { id: 'chain-step-failed'; step: string; stepDetail: string }
  | { id: 'chain-invalid' }
  /** certificate-revocation */
  | { id: 'revoked' }
  | { id: 'revocation-unknown' }
  | { id: 'not-revoked' }
  /** identity: the certificate's common names against the expected peer. */
  | { id: 'certificate-unreadable' }
  | { id: 'names-peer'; peer: string }
  | { id: 'names-other'; names: string[]; peer: string }
  /** signature: the peer's signature over the transcript as `self` saw it. */
  | { id: 'signature-valid'; peer: string; self: string }
  | { id: 'signature-invalid'; peer: string; self: string }
  /** key-confirmation: the MAC verifies under `self`'s keys, or not (checked `by` which side). */
  | { id: 'mac-valid'; self: string }
  | { id: 'mac-invalid'; by: 'initiator' | 'responder' };

/** One check as a party saw it. */
export interface ExchangeCheck {
  name: ExchangeCheckName;
  ok: boolean;
  detail: ExchangeCheckDetail;
}

/** Which field of a message on the wire. */
export type MessageFieldId = 'from' | 'to' | 'curve' | 'nonce' | 'ephemeral-key' | 'certificate' | 'signature' | 'mac';

/** One field of a message on the wire; `changed` when the attacker replaced it. */
export interface MessageField {
  id: MessageFieldId;
  /** A name, the curve, or hex; for `certificate`, the subject common names joined by ", " ('' when unreadable). */
  value: string;
  /** For `certificate`: the leaf's DER length; absent when the certificate cannot be read. */
  derBytes?: number;
  changed?: boolean;
}

/** A message between two actors, as drawn in the diagram: which message, and whether the attacker forwarded or altered it. */
export interface WireMessageView {
  from: ExchangeRole;
  to: ExchangeRole;
  kind: 'hello' | 'response' | 'finish';
  relay?: 'forwarded' | 'altered';
  fields: MessageField[];
}

/**
 * What a performed step was, as an id: the app words each one (title, explanation) from
 * the view's data. Refusals carry the failing check in `ExchangeStepView.check`.
 */
export type ExchangeStepKind =
  | 'hello'
  | 'attacker-replaces-hello'
  | 'attacker-records-hello'
  | 'responder-refuses-hello'
  | 'responder-answers'
  | 'attacker-records-response'
  | 'attacker-replaces-response'
  | 'initiator-checks-response'
  | 'attacker-records-finish'
  | 'attacker-replaces-finish'
  | 'responder-checks-finish'
  | 'refused'
  | 'fingerprints-compared';

/** The step the exchange performs next (one per place in the protocol, attacker's included). */
export type ExchangePhase =
  | 'hello'
  | 'attacker-intercepts-hello'
  | 'responder-answers'
  | 'attacker-intercepts-response'
  | 'initiator-checks-response'
  | 'attacker-intercepts-finish'
  | 'responder-checks-finish'
  | 'compare-fingerprints';

/**
 * Which value a step shows. Party-relative ids (`own-ephemeral`, `nonce`,
 * `transcript-hash`, `signature`) belong to the step's actor.
 */
export type StepValueId =
  | 'own-ephemeral'
  | 'nonce'
  | 'transcript-hash'
  | 'session-kcv'
  | 'signature'
  | 'recorded-key'
  | 'kept-initiator-key'
  | 'attacker-key-to-initiator'
  | 'attacker-key-to-responder'
  | 'kcv-with-initiator'
  | 'kcv-with-responder'
  | 'initiator-fingerprint'
  | 'responder-fingerprint'
  | 'initiator-sas'
  | 'responder-sas';

/** A value a step shows (hex for bytes), named by id. */
export interface StepValue {
  id: StepValueId;
  value: string;
}

/** One performed step of the exchange: what happened, as ids and data. */
export interface ExchangeStepView {
  index: number;
  actor: ExchangeRole;
  kind: ExchangeStepKind;
  values: StepValue[];
  message?: WireMessageView;
  checks?: ExchangeCheck[];
  /** For `refused`: the check that failed. */
  check?: ExchangeCheckName;
  /** For `attacker-replaces-finish`: whether the initiator's MAC verified under the key the attacker shares with it. */
  macVerified?: boolean;
}

/** Which party refused, the failing check and what it found. */
export interface ExchangeFailure {
  party: 'initiator' | 'responder';
  check: ExchangeCheckName;
  detail: ExchangeCheckDetail;
  /** True when the responder refused hello itself (wrong addressee, curve or mode). */
  atHello?: boolean;
}

/** One party's view of the exchange. */
export interface PartyView {
  role: 'initiator' | 'responder';
  name: string;
  /** The party's certificate (authenticated mode). */
  certId?: CertId;
  /** Who the party believes it talks to. */
  peerName: string;
  ownPublicHex?: string;
  /** The peer public key this party received (may be the attacker's). */
  peerPublicHex?: string;
  transcriptHashHex?: string;
  /** E1: SHA-256 of both public keys it saw, in ascending order. */
  keysFingerprint?: string;
  /** Six digits from the transcript hash, to read aloud and compare. */
  sas?: string;
  /** Key check value of the derived AES-GCM-256 session key. */
  sessionKeyKcv?: string;
  /** True once the ephemeral private key has been used and dropped. */
  ephemeralDestroyed: boolean;
  checks: ExchangeCheck[];
  outcome: 'pending' | 'established' | 'refused';
}

/** The attacker's view: the keys it holds with each side, what it recorded. */
export interface AttackerView {
  name: string;
  mode: AttackerMode;
  strategy?: AttackerStrategy;
  /** Key check value of the key it shares with the initiator / responder (active attack only). */
  kcvWithInitiator?: string;
  kcvWithResponder?: string;
  publicHexToInitiator?: string;
  publicHexToResponder?: string;
  /** Can it read traffic? True after a successful active attack. */
  canRead: boolean;
}

/** The out-of-band comparison of both sides' fingerprints and SAS (E1). */
export interface ExchangeComparison {
  initiator: { keysFingerprint: string; sas: string };
  responder: { keysFingerprint: string; sas: string };
  match: boolean;
}

/** A message sent under the session key after the exchange. */
export interface DeliveryView {
  seq: number;
  from: 'initiator' | 'responder';
  to: 'initiator' | 'responder';
  sentText: string;
  ivHex: string;
  ciphertextHex: string;
  /** What the attacker could read: the plaintext, or null when it saw only ciphertext. */
  attackerRead: string | null;
  /** True when the attacker changed the message in flight. */
  altered: boolean;
  /** What the receiver got: the text, or why it refused (the message does not decrypt under its session key). */
  delivered: { ok: true; text: string } | { ok: false; reason: 'does-not-decrypt' };
}

/** The whole exchange as plain data. */
export interface ExchangeView {
  id: string;
  mode: ExchangeMode;
  curve: ExchangeCurve;
  initiator: PartyView;
  responder: PartyView;
  attacker?: AttackerView;
  steps: ExchangeStepView[];
  /** The next step, when there is one. */
  nextStep?: ExchangePhase;
  status: 'running' | 'established' | 'refused';
  /** Which party refused, and the failing check. */
  failure?: ExchangeFailure;
  comparison?: ExchangeComparison;
  deliveries: DeliveryView[];
}

/** A certificate that can authenticate a party (an ECDSA vault key with a TLS client certificate). */
export interface ExchangeParty {
  certId: CertId;
  keyId: KeyId;
  /** The subject common name: the identity. */
  name: string;
  subject: string;
  issuer: string;
  issuerId: CaId;
  status: 'valid' | 'revoked' | 'expired' | 'not-yet-valid';
  notAfter: string;
}

/** A party as chosen for one exchange: a certificate, or (unauthenticated) just a name. */
export type PartyChoice = { certId: CertId } | { name: string };

/** What an exchange starts with. */
export interface StartExchangeParams {
  mode: ExchangeMode;
  curve: ExchangeCurve;
  initiator: PartyChoice;
  responder: PartyChoice;
  attacker?: { mode: AttackerMode; strategy?: AttackerStrategy; party?: PartyChoice };
}
