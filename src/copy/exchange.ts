// The words for what an exchange reports as ids (step kinds, checks, failures, the forward-secrecy and classic DH demos), shared by the Exchange page and the Diffie–Hellman walkthrough.
import type {
  ClassicDhResult,
  ClassicDhStep,
  ClassicDhStepId,
  DeliveryView,
  ExchangeCurve,
  ExchangeCheckDetail,
  ExchangeCheckName,
  ExchangeFailure,
  ExchangeRole,
  ExchangeStepView,
  ExchangeView,
  ForwardSecrecyValueId,
  MessageField,
  MessageFieldId,
  TheftAttempt,
  WireMessageView,
} from '../engine';

/** How each exchange curve is named. */
export const EXCHANGE_CURVE_LABELS: Readonly<Record<ExchangeCurve, string>> = {
  'P-256': 'ECDH on NIST P-256',
  'P-384': 'ECDH on NIST P-384',
  X25519: 'X25519 (Curve25519)',
};

/** How a check is named in a sentence. */
export const EXCHANGE_CHECK_TITLES: Record<ExchangeCheckName, string> = {
  'peer-key': 'peer key',
  'certificate-chain': 'certificate chain',
  'certificate-revocation': 'certificate revocation (CRL)',
  identity: 'identity',
  signature: 'signature',
  'key-confirmation': 'key confirmation',
};

/** A message on the wire, named: "hello", or "hello (altered)" when the attacker changed it. */
export function messageLabel(m: WireMessageView): string {
  return m.relay ? `${m.kind} (${m.relay})` : m.kind;
}

/** The name of each field of a message on the wire. */
export const MESSAGE_FIELD_NAMES: Readonly<Record<MessageFieldId, string>> = {
  from: 'from',
  to: 'to',
  curve: 'curve',
  nonce: 'nonce',
  'ephemeral-key': 'ephemeral public key',
  certificate: 'certificate',
  signature: 'signature',
  mac: 'key confirmation MAC',
};

/** A field's value as shown: as sent, except the certificate, named by its subject and size. */
export function messageFieldValue(f: MessageField): string {
  if (f.id !== 'certificate') return f.value;
  return f.derBytes === undefined ? 'unreadable' : `CN=${f.value} (${f.derBytes} bytes DER)`;
}

/** What a check found, in a clause (after the check's name, or in a refusal sentence). */
export function checkDetail(d: ExchangeCheckDetail): string {
  switch (d.id) {
    case 'peer-key-valid':
      return `a valid ${d.curve} public key`;
    case 'peer-key-refused':
      return d.message ?? 'invalid peer key';
    case 'hello-misaddressed':
      return `hello is addressed to ${d.to}, not ${d.self}`;
    case 'hello-parameters':
      return 'hello asks for another curve or mode';
    case 'no-certificate':
      return `${d.peer} sent no certificate`;
    case 'chain-trusted':
      return 'the chain leads to a trusted Clavis CA';
    case 'chain-valid':
      return 'the chain leads to a trusted Clavis CA and every certificate is in date';
    case 'chain-step-failed':
      return `${d.step}: ${d.stepDetail}`;
    case 'chain-invalid':
      return 'the chain does not validate';
    case 'revoked':
      return 'the CRL lists the certificate as revoked';
    case 'revocation-unknown':
      return 'no usable CRL from the issuer: revocation status unknown, refused';
    case 'not-revoked':
      return 'the issuer’s CRL does not list the certificate';
    case 'certificate-unreadable':
      return 'the certificate cannot be read';
    case 'names-peer':
      return `the certificate names ${d.peer}`;
    case 'names-other':
      return `the certificate names ${d.names.join(', ') || 'nobody'}, not ${d.peer}`;
    case 'signature-valid':
      return `${d.peer}’s signature covers both ephemeral keys and both identities as ${d.self} saw them`;
    case 'signature-invalid':
      return `${d.peer}’s signature does not match the keys and identities ${d.self} saw`;
    case 'mac-valid':
      return `the sender holds the same session keys as ${d.self}`;
    case 'mac-invalid':
      return d.by === 'initiator' ? 'the MAC does not verify: the sender does not hold the same keys' : 'the MAC does not verify';
  }
}

/** The names in a view: initiator, responder, attacker, and whoever acts. */
export function namesOf(v: ExchangeView) {
  const I = v.initiator.name;
  const R = v.responder.name;
  const A = v.attacker?.name ?? 'attacker';
  return { I, R, A, of: (r: ExchangeRole) => (r === 'initiator' ? I : r === 'responder' ? R : A) };
}

/** A step's heading and the sentence under it. */
export function stepCopy(s: ExchangeStepView, v: ExchangeView): { title: string; explanation: string } {
  const { I, R, A, of } = namesOf(v);
  const authenticated = v.mode === 'authenticated';
  switch (s.kind) {
    case 'hello':
      return {
        title: `${I} makes an ephemeral ${v.curve} key pair and sends hello`,
        explanation: `The private key is generated non-extractable and will be used for exactly one agreement. ${I} sends the public key and a random nonce${v.attacker ? `, and ${A} sits on the wire` : ''}.`,
      };
    case 'attacker-replaces-hello':
      return {
        title: `${A} replaces ${I}'s public key with its own`,
        explanation: `${A} keeps ${I}'s key and forwards hello to ${R} with a public key of its own, so it can agree one key with each side.`,
      };
    case 'attacker-records-hello':
      return {
        title: `${A} records hello and forwards it unchanged`,
        explanation: 'A passive attacker sees every public value. Public keys and nonces are public: knowing them does not give the shared secret.',
      };
    case 'responder-refuses-hello': {
      const last = s.checks?.at(-1);
      return { title: `${R} refuses hello`, explanation: last ? checkDetail(last.detail) : '' };
    }
    case 'responder-answers':
      return {
        title: `${R} agrees a secret, derives keys${authenticated ? ', signs' : ''} and answers`,
        explanation: `${R} computes the shared secret with ECDH, feeds it to HKDF-SHA-256 (salt: both nonces; info: protocol and transcript hash) for an AES-GCM-256 session key and a key-confirmation key, then drops its ephemeral private key.${authenticated ? ` It signs its role, the transcript hash (both identities, both ephemeral keys) and its certificate's hash with its long-term key.` : ''}`,
      };
    case 'attacker-records-response':
      return { title: `${A} records the response and forwards it`, explanation: 'Still only public values, a signature and a MAC: nothing that yields the session key.' };
    case 'attacker-replaces-response':
      return {
        title: `${A} replaces ${R}'s public key too`,
        explanation: !authenticated
          ? `${A} now shares one key with ${I} and another with ${R}, and recomputes the key-confirmation MAC with the key it shares with ${I}.`
          : v.attacker?.strategy === 'own-certificate'
            ? `${A} now shares one key with each side. It cannot sign as ${R}, so it signs with its own valid certificate from the same CA.`
            : `${A} now shares one key with each side. It cannot sign as ${R}, so it forwards ${R}'s signature, which covers ${A}'s key, not the one ${I} will see.`,
      };
    case 'initiator-checks-response':
      return {
        title: `${I} checks ${R}'s answer`,
        explanation: `${I} agrees the secret, derives the same way, ${authenticated ? 'validates the certificate chain and CRL, checks the name and the signature, ' : ''}verifies the key-confirmation MAC and drops its ephemeral private key. Then it sends its own ${authenticated ? 'signature and ' : ''}MAC.`,
      };
    case 'attacker-records-finish':
      return { title: `${A} records finish and forwards it`, explanation: 'The exchange completes; the attacker holds a recording and no key.' };
    case 'attacker-replaces-finish':
      return {
        title: `${A} recomputes the MAC for ${R}`,
        explanation: `${s.macVerified ? `${I}'s MAC checks out under the key ${A} shares with it; ` : ''}${A} computes a new one with the key it shares with ${R}.`,
      };
    case 'responder-checks-finish':
      return { title: `${R} checks ${I}'s finish: the exchange is complete`, explanation: 'Both sides hold a session key. Ephemeral private keys are gone on both sides.' };
    case 'refused':
      return refusalCopy(s, of(s.actor));
    case 'fingerprints-compared': {
      const c = v.comparison;
      return c?.match
        ? { title: 'The fingerprints agree', explanation: `Read aloud over another channel, both short authentication strings are ${c.initiator.sas}: both sides saw the same two public keys.` }
        : {
            title: 'The fingerprints DISAGREE: someone is in the middle',
            explanation: `${I} reads ${c?.initiator.sas ?? '—'}, ${R} reads ${c?.responder.sas ?? '—'}: they saw different public keys, so each shares its key with someone else. Nothing in the unauthenticated exchange itself revealed this.`,
          };
    }
  }
}

function refusalCopy(s: ExchangeStepView, who: string): { title: string; explanation: string } {
  const initiator = s.actor === 'initiator';
  if (s.check === 'peer-key') {
    return initiator
      ? { title: `${who} refuses the public key in the response`, explanation: 'An invalid peer key is refused at import.' }
      : { title: `${who} refuses the public key in hello`, explanation: 'An invalid peer key is refused at import, before any agreement.' };
  }
  const title = s.check === 'key-confirmation' || !s.check ? `${who} refuses: key confirmation fails` : `${who} refuses: the ${EXCHANGE_CHECK_TITLES[s.check]} check fails`;
  if (!initiator) return { title, explanation: `${who} drops the keys it derived.` };
  return { title, explanation: s.check === 'key-confirmation' ? `${who} stops the exchange.` : `${who} stops the exchange and uses no key.` };
}

/** Why an exchange was refused, in a sentence naming `who` refused (the caller names the party). */
export function refusalSentence(f: ExchangeFailure, who: string): string {
  const detail = checkDetail(f.detail);
  if (f.atHello) return `${who} refused: ${detail}`;
  if (f.check === 'peer-key') return detail;
  if (f.check === 'key-confirmation') return `${who} refused: key confirmation failed`;
  return `${who} refused: ${EXCHANGE_CHECK_TITLES[f.check]} check failed — ${detail}`;
}

/** Why the receiver refused a message sent under the session key, naming the receiver. */
export function deliveryRefusal(d: DeliveryView, v: ExchangeView): string {
  const who = namesOf(v).of(d.to);
  return `${who} refused the message: it does not decrypt under ${who}'s session key (altered or under another key)`;
}

/** The label of a party's fingerprint over both public keys. */
export const fingerprintLabel = (who: string) => `${who}: fingerprint of both public keys`;

/** The label of a party's short authentication string. */
export const sasLabel = (who: string) => `${who}: short authentication string`;

/** The label of each value the forward-secrecy demo recorded or stole (D4). */
export const FORWARD_SECRECY_VALUE_LABELS: Readonly<Record<ForwardSecrecyValueId, string>> = {
  'alice-ephemeral-key': "Alice's ephemeral public key",
  'bob-ephemeral-key': "Bob's ephemeral public key",
  nonces: 'nonces',
  'alice-signature': "Alice's signature",
  'bob-signature': "Bob's signature",
  iv: 'IV',
  ciphertext: 'ciphertext',
  'alice-static-key': "Alice's static public key",
  'bob-static-key': "Bob's static public key",
  'alice-signing-key': "Alice's long-term signing key (SPKI SHA-256)",
  'bob-signing-key': "Bob's long-term signing key (SPKI SHA-256)",
  'bob-ecdh-key': "Bob's long-term ECDH key (SPKI SHA-256)",
};

/** What the thief tries, and what came of it, in a line each (D4). */
export function theftAttemptCopy(t: TheftAttempt): { what: string; detail: string } {
  switch (t.kind) {
    case 'long-term-with-ephemeral':
      return {
        what: `ECDH of ${t.stolen}'s stolen long-term key with ${t.recorded}'s recorded ephemeral public key, then the protocol's HKDF`,
        detail: t.succeeded ? 'the recording decrypts' : 'wrong key: the recording does not decrypt',
      };
    case 'use-ephemeral-keys':
      return {
        what: 'Use the ephemeral private keys of the recorded exchange',
        detail: t.succeeded ? 'the key was still there' : 'they were non-extractable, used once and dropped: no copy exists anywhere',
      };
    case 'sign-future-exchange':
      return {
        what: 'Sign a future exchange as Alice with her stolen key',
        detail: t.succeeded ? 'works until Alice’s certificate is revoked: compromise endangers the future, not the past' : 'refused',
      };
    case 'static-with-static':
      return {
        what: "ECDH of Bob's stolen static key with Alice's recorded static public key, then the protocol's HKDF",
        detail: t.succeeded ? 'the recording decrypts: every past conversation of these keys is exposed' : 'the recording does not decrypt',
      };
  }
}

/** Shown with every classic Diffie–Hellman result (D5). */
export const CLASSIC_DH_WARNING = 'Teaching aid only: numbers this small protect nothing, and Clavis never uses finite-field DH to protect data.';

/** What each line of classic Diffie–Hellman does (D5). */
export const CLASSIC_DH_STEP_WHAT: Readonly<Record<ClassicDhStepId, string>> = {
  parameters: 'Agree on a prime p and a generator g, in the open',
  'alice-secret': 'Picks a secret exponent a',
  'bob-secret': 'Picks a secret exponent b',
  'alice-sends': 'Sends A = g^a mod p',
  'bob-sends': 'Sends B = g^b mod p',
  'alice-computes': 'Computes the shared secret B^a mod p',
  'bob-computes': 'Computes the shared secret A^b mod p',
  'eve-brute-force': 'Sees p, g, A and B; with numbers this small she tries every exponent',
};

/** A line's value as shown: the number, or for the brute force what Eve found and after how many tries. */
export function classicDhStepValue(s: ClassicDhStep, r: ClassicDhResult): string {
  if (s.id !== 'eve-brute-force') return s.value;
  const f = r.bruteForce;
  return f.foundExponent !== '0' ? `k = ${f.foundExponent} after ${f.tries} tries, so the secret is ${f.sharedSecret}` : 'not found';
}

/** Each part of classic Diffie–Hellman and what stands in its place in the real exchange (D5). */
export const CLASSIC_DH_ANALOGY: ReadonlyArray<{ classic: string; ecdh: string }> = [
  { classic: 'public prime p and generator g', ecdh: 'a public curve (P-256, P-384 or Curve25519) and its base point G' },
  { classic: 'secret exponent a', ecdh: 'ephemeral private key d (a scalar), non-extractable, used once' },
  { classic: 'A = g^a mod p', ecdh: 'public key Q = d·G (point multiplication)' },
  { classic: 'shared secret B^a mod p = A^b mod p', ecdh: 'ECDH: d_A·Q_B = d_B·Q_A' },
  { classic: 'the secret used directly (in the seeds)', ecdh: 'the secret goes through HKDF-SHA-256 with the transcript hash to an AES-GCM-256 key' },
  { classic: 'nothing stops a man in the middle', ecdh: 'signatures over the transcript, chained to the Clavis CA' },
];
