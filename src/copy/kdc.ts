// The words for the KDC's ids (checks, attacks, message types and parts), shared by the KDC screens and the walkthroughs, which may not import each other.
import type { AttackAttempt, AttackOutcome, AttackReport, KdcAttackMove, KdcAttackName, KdcCheck, KdcFieldNote, KdcMessageField, KdcMessagePart, KdcMessageSection, KdcProtection, WireMessage } from '../engine';

/** What each check means, for people. */
export const KDC_CHECK_LABELS: Readonly<Record<KdcCheck, string>> = {
  'message-format': 'Message format and type',
  addressing: 'Names and ids agree (sender, receiver, ticket)',
  aead: 'AES-GCM authentication (tag over ciphertext and header)',
  nonce: "A's nonce matches an outstanding request",
  expiry: 'Ticket not expired',
  skew: 'Authenticator time within the clock-skew window',
  'replay-cache': 'Authenticator not seen before (replay cache)',
  'key-revoked': 'Distributed key not revoked',
  'principal-status': 'Principals active (not suspended or revoked)',
  'key-confirmation': 'Key confirmation (HMAC over the transcript, bound to the direction)',
  owner: 'Requester owns the stored key',
};

/** Each attack's name and what the attacker tries, in a sentence (C5). */
export const KDC_ATTACK_COPY: Readonly<Record<KdcAttackName, { title: string; summary: string }>> = {
  'replay-kdc-reply': { title: 'Replay of an old KDC reply', summary: "The attacker answers A's new request with a recorded reply whose session key it has compromised." },
  'denning-sacco': { title: 'Denning–Sacco: old ticket with a compromised session key', summary: 'The attacker replays a recorded ticket and uses the old, compromised session key to pass as A.' },
  reflection: { title: "Reflection of B's challenge", summary: "The attacker sends B's own key-confirmation message back to B as A's answer." },
  'tamper-ticket': { title: 'Tampered ticket', summary: 'The attacker flips bits of the ticket to change the client name B will believe.' },
  'tamper-reply': { title: 'Tampered KDC reply', summary: "The attacker flips bits of the KDC's reply to A." },
};

/** What a protocol message does, in a line, from its type and parties (a chat message is just "from → to"). */
export function kdcMessageTitle(m: Pick<WireMessage, 'type' | 'from' | 'to' | 'service'>): string {
  const service = m.service ?? m.to;
  switch (m.type) {
    case 'kdc-request':
      return `${m.from} asks the KDC for a key to talk to ${service}`;
    case 'kdc-reply':
      return `The KDC answers ${m.to} with a session key and a ticket for ${service}`;
    case 'ap-request':
      return `${m.from} presents the ticket and a fresh authenticator to ${m.to}`;
    case 'ap-challenge':
      return `${m.from} accepts the ticket and proves it holds the key`;
    case 'ap-confirm':
      return `${m.from} confirms the key back to ${m.to}`;
    default:
      return `${m.from} → ${m.to}`;
  }
}

/** The name of each part of a message. */
export const KDC_PART_LABELS: Readonly<Record<KdcMessagePart, string>> = {
  header: 'Header',
  'ticket-header': 'Ticket header',
  'authenticator-header': 'Authenticator header',
  envelope: 'Envelope',
  request: 'Request',
  reply: 'Reply',
  ticket: 'Ticket',
  authenticator: 'Authenticator',
  challenge: 'Challenge',
  confirmation: 'Confirmation',
  message: 'Message',
};

/** True when a part travels in clear (authenticated or not), for styling. */
export const isClearPart = (p: KdcProtection): boolean => p.kind === 'aad' || p.kind === 'clear';

/** What protects a part, in a line. */
export function kdcProtectionText(p: KdcProtection): string {
  switch (p.kind) {
    case 'aad':
      return 'clear, authenticated as AES-GCM additional data (AAD)';
    case 'clear':
      return 'clear';
    case 'long-term':
      return `AES-GCM under K_${p.principal} (${p.principal}'s long-term key, kvno ${p.kvno})`;
    case 'session':
      return `AES-GCM under K_AB (the session key ${p.keyId})`;
    case 'passed-on':
      return `AES-GCM under K_${p.service} (opaque to ${p.carrier}; the KDC's seal, passed on unchanged)`;
  }
}

/** A field's value: as sent, or its size. */
export function kdcFieldValueText(v: KdcMessageField['value']): string {
  if (typeof v === 'string') return v;
  switch (v.of) {
    case 'wrapped-key':
      return `wrapped, ${v.bytes} bytes`;
    case 'ciphertext':
      return `${v.bytes} bytes`;
    case 'text':
      return `${v.bytes} bytes of text`;
    case 'sealed-ticket':
      return 'sealed for the service (opaque here; decoded below)';
  }
}

/** Why a field matters, in a line; a wrapped key names the long-term key that seals its part. */
export function kdcFieldNoteText(note: KdcFieldNote, section: Pick<KdcMessageSection, 'protection'>): string {
  switch (note) {
    case 'request-nonce':
      return 'N_A: 128 bits, fresh, single use (D2)';
    case 'reply-nonce':
      return 'N_A echoed: A checks it (D2)';
    case 'wrapped-under-sealing-key':
      return section.protection.kind === 'long-term' ? `K_AB, AES-GCM wrapKey under K_${section.protection.principal}` : 'K_AB, AES-GCM wrapKey';
    case 'confirm-key':
      return 'K_conf (HMAC) for key confirmation';
    case 'ticket-expiry':
      return 'B refuses the ticket after this (D3)';
    case 'authenticator-time':
      return 'B accepts it within ±5 minutes (D3)';
    case 'authenticator-id':
      return "Goes into B's replay cache (D3)";
    case 'client-confirmation':
      return 'HMAC-SHA-256(K_conf, "client-to-service" ‖ SHA-256(message 3 ‖ N_B)): the direction label defeats reflection (D4)';
    case 'service-nonce':
      return 'N_B, fresh';
    case 'service-confirmation':
      return 'HMAC-SHA-256(K_conf, "service-to-client" ‖ SHA-256(message 3 ‖ N_B)) (D4)';
  }
}

/** A and B of an attack run, as its sentences name them. */
type Parties = { A: string; B: string };
const partiesOf = (r: Pick<AttackReport, 'client' | 'service'>): Parties => ({ A: r.client, B: r.service });

/** What the attacker tries (`does`) and, for the unfixed protocol, what came of it (`then`). */
const MOVES: Readonly<Record<KdcAttackMove, { does: (p: Parties, a: AttackAttempt) => string; then?: (p: Parties, a: AttackAttempt) => string }>> = {
  'replay-reply-old-key': { does: ({ A }) => `Answer ${A}'s new request with the recorded reply (old session key)` },
  'replay-reply': { does: ({ A }) => `Answer ${A}'s new request with the recorded reply`, then: ({ A }) => `${A} accepted the old key and the attacker read ${A}'s next message` },
  'replay-ticket-at-once': { does: () => 'Replay the recorded ticket and authenticator at once' },
  'replay-ticket-later': { does: () => 'Replay them 6 minutes later' },
  'expired-ticket-stolen-key': { does: () => 'Hours later, after the ticket expired: old ticket with a fresh authenticator made with the compromised key' },
  'revoked-key-fresh-authenticator': { does: () => 'Within the lifetime, after the operator revoked the compromised key: a fresh authenticator' },
  'replay-old-ticket': {
    does: () => 'Replay the old ticket {K_AB, A}K_B and answer {N_B}K_AB with {N_B − 1}K_AB using the compromised key',
    then: ({ A, B }) => `${B} believes it shares a fresh key with ${A}; the attacker read ${B}'s next message`,
  },
  'reflect-unchanged': { does: ({ B }) => `Send ${B}'s challenge back to ${B} unchanged` },
  'reflect-relabelled': { does: ({ A }) => `Send it back relabelled as ${A}'s confirmation` },
  'reflect-resealed': { does: ({ A, B }) => `Even with the session key K_AB: re-seal ${B}'s own HMAC as ${A}'s confirmation` },
  'reflect-challenge': { does: ({ B }) => `Send ${B}'s challenge {N_B}K_AB back unchanged`, then: ({ A, B }) => `${B} accepted its own message as proof that ${A} holds the key` },
  'flip-ticket-bit': { does: () => 'Flip one bit of the ticket ciphertext (aiming at the client name)' },
  'add-ticket-header-field': { does: () => 'Add a field to the ticket header' },
  'rewrite-ticket-client': {
    does: ({ A }, a) => `XOR the known name "${A}" into "${a.forged ?? ''}" inside the ticket ciphertext`,
    then: ({ B }, a) => `${B} accepted the ticket and now believes the client is "${a.believed ?? ''}"`,
  },
  'flip-reply-bit': { does: ({ A }) => `Flip one bit of the KDC's reply to ${A}` },
  'add-reply-header-field': { does: () => 'Add a field to the reply header' },
  'rewrite-reply-service': {
    does: ({ B }, a) => `XOR the service name "${B}" into "${a.forged ?? ''}" inside the reply`,
    then: ({ A }, a) => `${A} accepted the reply and believes the key is for "${a.believed ?? ''}"`,
  },
};

/**
 * One attempt in words: what the attacker tried, and how it ended (the refusal's own
 * message, what the unfixed protocol's target came to believe, or "accepted").
 */
export function kdcAttemptWords(a: AttackAttempt, r: Pick<AttackReport, 'client' | 'service'>): { description: string; message: string } {
  const p = partiesOf(r);
  const m = MOVES[a.move];
  return { description: m.does(p, a), message: a.refusal ?? m.then?.(p, a) ?? 'accepted' };
}

/** The unfixed protocol, as every report names it: insecure, run only to show the attack. */
const UNFIXED_LABEL = 'Original Needham–Schroeder (1978), without the Kerberos fixes — INSECURE, demonstration only';

/** Which protocol an outcome ran against, exactly (some attacks remove one more check from the unfixed one). */
export function kdcProtocolLabel(r: Pick<AttackReport, 'attack'>, o: Pick<AttackOutcome, 'protocol'>): string {
  if (o.protocol === 'clavis') return "Clavis's protocol (Needham–Schroeder with the Kerberos fixes)";
  if (r.attack === 'replay-kdc-reply') return `${UNFIXED_LABEL}, and with A's nonce check removed`;
  if (r.attack === 'reflection') return `${UNFIXED_LABEL}, with a confirmation that has no direction (the answer is {N_B}K_AB itself)`;
  return UNFIXED_LABEL;
}

/** Why the attack failed against Clavis's protocol, or why it worked against the unfixed one. */
const EXPLANATIONS: Readonly<Record<KdcAttackName, Record<AttackOutcome['protocol'], (p: Parties) => string>>> = {
  'replay-kdc-reply': {
    clavis: ({ A }) => `${A} keeps each nonce N_A it sent until the matching reply arrives, and uses it once: the old reply carries the old nonce, so ${A} refuses it (D2).`,
    unfixed: () => 'Without the nonce, a reply cannot be tied to a request: A reuses a key the attacker already knows. (The 1978 protocol introduced N_A for exactly this.)',
  },
  'denning-sacco': {
    clavis: () => 'Tickets carry an expiry and authenticators a time checked against a 5-minute window and a replay cache: an old ticket is refused (D3). Inside the lifetime, revoking the compromised key stops it (C4).',
    unfixed: () => 'The ticket has no time in it, so B cannot tell an old ticket from a new one: whoever knows an old session key can pose as A for ever (Denning and Sacco, 1981).',
  },
  reflection: {
    clavis: () => "The message type is in the AES-GCM AAD, and the confirmation is an HMAC over the transcript with the direction in it: B's own tag never verifies as A's (D4).",
    unfixed: () => "When both directions compute the same thing, a party's own message is a valid answer. The 1978 N_B − 1 tweak stops this naive form; a MAC bound to the direction and transcript stops the whole class.",
  },
  'tamper-ticket': {
    clavis: () => "The ticket is AES-GCM under B's key with its header as AAD: any change to ciphertext or header fails authentication (D1).",
    unfixed: () => 'Encryption without integrity (here AES-CTR) lets an attacker who knows the plaintext layout rewrite it bit by bit, unnoticed.',
  },
  'tamper-reply': {
    clavis: ({ A }) => `The reply is AES-GCM under ${A}'s long-term key with its header as AAD: ${A} refuses any change (D1).`,
    unfixed: () => 'Without integrity, the reply can be changed in transit: A is told the key is for another party.',
  },
};

/** The explanation of an outcome, in the run's own names. */
export function kdcOutcomeExplanation(r: Pick<AttackReport, 'attack' | 'client' | 'service'>, o: Pick<AttackOutcome, 'protocol'>): string {
  return EXPLANATIONS[r.attack][o.protocol](partiesOf(r));
}
