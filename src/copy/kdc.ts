// The words for the KDC's ids (checks, attacks, message types), shared by the KDC screens and the walkthroughs, which may not import each other.
import type { KdcAttackName, KdcCheck, WireMessage } from '../engine';

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
