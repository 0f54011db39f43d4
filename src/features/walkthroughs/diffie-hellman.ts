/**
 * Walkthrough 3: Diffie–Hellman (F1; seeds 001, 002, 004). Classic DH with numbers small
 * enough to follow by hand, then ECDH with HKDF where both sides derive the same key;
 * Mallory in the middle of the unauthenticated exchange wins; the SIGMA-style
 * authenticated exchange over Clavis certificates stops him at a named check; and
 * forward secrecy, with real keys stolen after the fact.
 *
 * Every step calls the real exchange (`engine.exchange()`) in the walkthrough namespace.
 * Exchange sessions hold live CryptoKeys, so no session crosses a step: each step starts
 * its exchange, runs it to the end, sends its message and closes it. What goes forward is
 * plain data (the curve, the demo parties' certificate ids, key check values).
 */
import { EngineError, asCertId, type DeliveryView, type ExchangeApi, type ExchangeCheck, type ExchangeCurve, type ExchangeStepKind, type ExchangeStepView, type ExchangeView, type ForwardSecrecyValue, type PartyView, type WireMessageView } from '../../engine';
import {
  CLASSIC_DH_ANALOGY,
  CLASSIC_DH_STEP_WHAT,
  CLASSIC_DH_WARNING,
  EXCHANGE_CURVE_LABELS,
  FORWARD_SECRECY_VALUE_LABELS,
  classicDhStepValue,
  MESSAGE_FIELD_NAMES,
  checkDetail,
  deliveryRefusal,
  fingerprintLabel,
  messageFieldValue,
  messageLabel,
  refusalSentence,
  sasLabel,
  stepCopy,
  theftAttemptCopy,
} from '../../copy/exchange';
import type { ByteSegment, StepDatum, StepDiagram, Walkthrough, WalkthroughState, WalkthroughStep } from './types';

/** The three lanes of every diagram in this walkthrough. */
export const DH_LANES = ['Alice', 'Bob', 'Mallory'] as const;

/** Messages the steps send under the session key. */
export const DH_MESSAGES = {
  honest: 'Hello Bob, this is Alice.',
  mitm: 'Meet me at noon by the north gate.',
  mitmTampered: 'Meet me at midnight by the south gate.',
  forwardSecrecy: 'The vault code is 4711.',
} as const;

const GCM_IV_BYTES = 12;
const GCM_TAG_BYTES = 16;

type Lane = (typeof DH_LANES)[number];
type Message = Extract<StepDiagram, { kind: 'sequence' }>['messages'][number];

const laneOf = (role: string): Lane => (role === 'initiator' ? 'Alice' : role === 'responder' ? 'Bob' : 'Mallory');

function need(state: WalkthroughState, key: string): string {
  const v = state[key];
  if (typeof v !== 'string' || !v) throw new EngineError('INVALID_ARGUMENT', `walkthrough: step state "${key}" is missing; run the earlier steps first`);
  return v;
}

function curveOf(state: WalkthroughState): ExchangeCurve {
  const c = need(state, 'curve');
  if (c !== 'X25519' && c !== 'P-256' && c !== 'P-384') throw new EngineError('INVALID_ARGUMENT', 'walkthrough: unknown curve in the step state');
  return c;
}

/** A raw public key, cut into its parts (04 ‖ x ‖ y for a NIST curve; the u-coordinate for X25519). */
function publicKeySegments(curve: ExchangeCurve, hex: string | undefined): ByteSegment[] {
  if (!hex) return [];
  if (curve === 'X25519') return [{ label: 'u-coordinate (32 bytes, little-endian)', hex }];
  const half = (hex.length - 2) / 2;
  return [
    { label: '04: uncompressed point', hex: hex.slice(0, 2) },
    { label: 'x', hex: hex.slice(2, 2 + half) },
    { label: 'y', hex: hex.slice(2 + half) },
  ];
}

/** An AES-GCM message on the wire: IV ‖ ciphertext ‖ tag. */
function wireSegments(d: DeliveryView): ByteSegment[] {
  const ct = d.ciphertextHex;
  const tagAt = ct.length - GCM_TAG_BYTES * 2;
  return [
    { label: `IV (${GCM_IV_BYTES} bytes)`, hex: d.ivHex },
    { label: 'ciphertext', hex: ct.slice(0, tagAt) },
    { label: `GCM tag (${GCM_TAG_BYTES} bytes)`, hex: ct.slice(tagAt) },
  ];
}

/** The exchange's own messages, as lanes; `refused` on the last message the refusing party received. */
function exchangeMessages(v: ExchangeView, current: (m: WireMessageView) => boolean): Message[] {
  const out: Message[] = [];
  for (const s of v.steps) {
    if (!s.message) continue;
    out.push({ from: laneOf(s.message.from), to: laneOf(s.message.to), label: messageLabel(s.message), ...(current(s.message) ? { current: true } : {}) });
  }
  if (v.failure) {
    const refusedBy = laneOf(v.failure.party);
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i]!.to === refusedBy) {
        out[i] = { ...out[i]!, refused: true, current: true };
        break;
      }
    }
  }
  return out;
}

/** The message steps captioned under their fields, with the step's title (the words the Exchange page uses). */
const CAPTIONED: ReadonlySet<ExchangeStepKind> = new Set<ExchangeStepKind>([
  'hello',
  'attacker-replaces-hello',
  'attacker-records-hello',
  'responder-answers',
  'attacker-records-response',
  'attacker-replaces-response',
  'initiator-checks-response',
  'attacker-records-finish',
  'attacker-replaces-finish',
]);

/** How a message step is captioned under its fields (the exchange reports the step as an id). */
function captionOf(s: ExchangeStepView, v: ExchangeView): string | undefined {
  return CAPTIONED.has(s.kind) ? stepCopy(s, v).title : undefined;
}

/** Why an exchange was refused: who refused (by lane), at which check, and the check's detail. */
function refusalOf(v: ExchangeView): string {
  return v.failure ? refusalSentence(v.failure, laneOf(v.failure.party)) : 'the exchange was established';
}

/** The exchange's messages as decoded fields; what Mallory changed is noted. */
function wireMessages(v: ExchangeView): StepDatum[] {
  return v.steps.flatMap((s): StepDatum[] =>
    s.message
      ? [
          {
            kind: 'fields',
            label: `${laneOf(s.message.from)} → ${laneOf(s.message.to)}: ${messageLabel(s.message)}`,
            ...(captionOf(s, v) ? { caption: captionOf(s, v)! } : {}),
            fields: s.message.fields.map((f) => ({ name: MESSAGE_FIELD_NAMES[f.id], value: messageFieldValue(f), ...(f.changed ? { note: 'changed by Mallory' } : {}) })),
          },
        ]
      : [],
  );
}

function sequence(messages: Message[]): StepDiagram {
  return { kind: 'sequence', lanes: [...DH_LANES], messages };
}

/** The two sides' fingerprints, short authentication strings and key check values, with the same labels in every step. */
function sidesData(v: ExchangeView): StepDatum[] {
  const out: StepDatum[] = [];
  const side = (p: PartyView) => {
    const who = p.role === 'initiator' ? 'Alice' : 'Bob';
    if (p.keysFingerprint) out.push({ kind: 'fingerprint', label: fingerprintLabel(who), value: p.keysFingerprint });
    if (p.sas) out.push({ kind: 'fingerprint', label: sasLabel(who), value: p.sas });
    if (p.sessionKeyKcv) out.push({ kind: 'fingerprint', label: `${who}: session key check value`, value: p.sessionKeyKcv });
  };
  side(v.initiator);
  side(v.responder);
  return out;
}

function sameKeyCheck(v: ExchangeView): StepDatum {
  const a = v.initiator.sessionKeyKcv;
  const b = v.responder.sessionKeyKcv;
  const ok = !!a && a === b;
  return { kind: 'check', label: 'Alice and Bob hold the same session key', ok, detail: ok ? `both key check values are ${a}` : `Alice’s key check value is ${a ?? 'none'}, Bob’s is ${b ?? 'none'}` };
}

function fingerprintCheck(v: ExchangeView): StepDatum {
  const a = v.initiator.keysFingerprint;
  const b = v.responder.keysFingerprint;
  const ok = !!a && a === b;
  return {
    kind: 'check',
    label: 'The fingerprints agree on both sides',
    ok,
    detail: ok ? `both saw the same two public keys (short authentication string ${v.initiator.sas})` : `Alice reads ${v.initiator.sas ?? '—'}, Bob reads ${v.responder.sas ?? '—'}: they saw different public keys`,
  };
}

function checksOf(who: string, peer: string, checks: ExchangeCheck[]): StepDatum[] {
  return checks.map((c) => ({ kind: 'check', label: `${who} checks ${peer}: ${c.name}`, ok: c.ok, detail: checkDetail(c.detail) }));
}

async function exchangeApi(ctx: { engine: { exchange(): Promise<ExchangeApi> } }): Promise<ExchangeApi> {
  return ctx.engine.exchange();
}

const steps: WalkthroughStep[] = [
  {
    id: 'classic',
    title: 'Classic Diffie–Hellman with small numbers',
    explain:
      'Alice and Bob agree in the open on a prime p = 23 and a generator g = 5. Each picks a secret exponent and sends g to that power, mod p. Each raises what the other sent to its own secret, and both land on the same number, which never crossed the wire. With numbers this small Mallory, who only listens, simply tries every exponent: real groups are thousands of bits, and Clavis uses elliptic curves instead.',
    standard: 'Diffie–Hellman 1976; NIST SP 800-56A Rev. 3 §5.7.1.1 (finite-field DH primitive)',
    async run(ctx) {
      const ex = await exchangeApi(ctx);
      const r = ex.classicDh({ p: 23, g: 5 });
      const table = r.steps.map((s) => ({ who: s.who === 'Eve' ? 'Mallory (listening)' : s.who, what: CLASSIC_DH_STEP_WHAT[s.id], formula: s.formula, value: classicDhStepValue(s, r) }));
      return {
        result: {
          diagram: sequence([
            { from: 'Alice', to: 'Bob', label: `A = ${r.g}^a mod ${r.p} = ${r.A}`, current: true },
            { from: 'Bob', to: 'Alice', label: `B = ${r.g}^b mod ${r.p} = ${r.B}`, current: true },
          ]),
          data: [
            { kind: 'text', label: 'Public parameters', value: `p = ${r.p}, g = ${r.g}` },
            { kind: 'text', label: 'Alice’s secret exponent a', value: r.a },
            { kind: 'text', label: 'Bob’s secret exponent b', value: r.b },
            { kind: 'text', label: 'On the wire', value: `A = ${r.A}, B = ${r.B}` },
            { kind: 'text', label: 'Alice computes B^a mod p', value: `${r.B}^${r.a} mod ${r.p} = ${r.sharedByAlice}` },
            { kind: 'text', label: 'Bob computes A^b mod p', value: `${r.A}^${r.b} mod ${r.p} = ${r.sharedByBob}` },
            { kind: 'check', label: 'Both computed the same secret', ok: r.sharedByAlice === r.sharedByBob, detail: `Alice: ${r.sharedByAlice}, Bob: ${r.sharedByBob}` },
            {
              kind: 'check',
              label: 'The secret survives an eavesdropper',
              ok: r.bruteForce.foundExponent === '0',
              detail:
                r.bruteForce.foundExponent !== '0'
                  ? `Mallory tried every exponent: ${r.g}^${r.bruteForce.foundExponent} mod ${r.p} = ${r.A} after ${r.bruteForce.tries} tries, so the secret is ${r.bruteForce.sharedSecret}`
                  : 'Mallory did not find the exponent',
            },
            { kind: 'json', label: 'Step by step', value: table },
            ...(r.powers ? [{ kind: 'text' as const, label: `Powers of g mod p (g^1 … g^${Number(r.p) - 1})`, value: r.powers.join(' ') }] : []),
            { kind: 'json', label: 'The same steps in the real exchange', value: CLASSIC_DH_ANALOGY },
            { kind: 'text', label: 'Warning', value: CLASSIC_DH_WARNING },
          ],
          changes: ['Nothing is stored: classic DH is a teaching aid computed in memory.'],
        },
        state: { classicShared: r.sharedByAlice },
      };
    },
  },
  {
    id: 'ecdh',
    title: 'ECDH: both sides derive the same key',
    explain:
      'The real thing: each side makes a fresh (ephemeral) elliptic-curve key pair, non-extractable and used for exactly one agreement, and sends the public half with a random nonce. Each combines its private key with the other’s public key and gets the same shared secret, which goes through HKDF-SHA-256 (salt: both nonces; info: the protocol and a hash of the whole transcript) to an AES-GCM-256 session key and a key-confirmation key. Neither side can show the key itself, so each shows its key check value: they match, and Bob opens what Alice encrypted.',
    standard: 'RFC 7748 §6.1 (X25519); NIST SP 800-56A Rev. 3 §5.7.1.2 (ECC CDH on P-256) and §6.1.2 (C(2e, 0s)); RFC 5869 (HKDF)',
    async run(ctx) {
      const ex = await exchangeApi(ctx);
      const curves = await ex.curves();
      const curve: ExchangeCurve = curves.find((c) => c.curve === 'X25519')?.available ? 'X25519' : 'P-256';
      const label = EXCHANGE_CURVE_LABELS[curve];
      const s = await ex.start({ mode: 'unauthenticated', curve, initiator: { name: 'Alice' }, responder: { name: 'Bob' } });
      try {
        const v = await s.runToEnd();
        const d = await s.send('initiator', DH_MESSAGES.honest);
        const messages = exchangeMessages(v, () => false);
        messages.push({ from: 'Alice', to: 'Bob', label: 'message under the session key (AES-GCM)', current: true });
        return {
          result: {
            diagram: sequence(messages),
            data: [
              { kind: 'text', label: 'Curve', value: label },
              { kind: 'hex', label: 'Alice’s ephemeral public key', segments: publicKeySegments(curve, v.initiator.ownPublicHex) },
              { kind: 'hex', label: 'Bob’s ephemeral public key', segments: publicKeySegments(curve, v.responder.ownPublicHex) },
              { kind: 'hex', label: 'Transcript hash (SHA-256, as both sides see it)', segments: [{ label: 'transcript hash', hex: v.initiator.transcriptHashHex ?? '' }] },
              ...sidesData(v),
              sameKeyCheck(v),
              fingerprintCheck(v),
              ...checksOf('Alice', 'Bob', v.initiator.checks),
              ...checksOf('Bob', 'Alice', v.responder.checks),
              { kind: 'check', label: 'Ephemeral private keys are gone', ok: v.initiator.ephemeralDestroyed && v.responder.ephemeralDestroyed, detail: 'each was used for one agreement and dropped' },
              { kind: 'hex', label: `Alice → Bob: “${d.sentText}”`, segments: wireSegments(d) },
              { kind: 'check', label: 'Bob decrypts Alice’s message', ok: d.delivered.ok, detail: d.delivered.ok ? `Bob reads “${d.delivered.text}”` : deliveryRefusal(d, v) },
              ...wireMessages(v),
            ],
            changes: ['An audit entry records the exchange’s outcome (no key material). Session keys live only in memory and were dropped at the end of the step.'],
          },
          state: { curve, ecdhKcv: v.initiator.sessionKeyKcv ?? '' },
        };
      } finally {
        s.close();
      }
    },
  },
  {
    id: 'mitm',
    title: 'The man in the middle wins',
    explain:
      'Nothing in the exchange says who sent a public key. Mallory sits on the wire, swaps Alice’s public key for one of hers on the way to Bob and Bob’s for another of hers on the way back, and ends up with one key shared with Alice and another shared with Bob. The key-confirmation MACs pass on both sides because Mallory recomputes them. She reads Alice’s message, changes it, and Bob accepts it. Only comparing fingerprints over another channel (reading the short authentication strings aloud) would show that Alice and Bob saw different keys.',
    standard: 'NIST SP 800-56A Rev. 3 §5.9 (key confirmation) and §5.6.2 (assurances of ownership); RFC 7748 §7 (security considerations)',
    async run(ctx) {
      const ex = await exchangeApi(ctx);
      const curve = curveOf(ctx.state);
      const s = await ex.start({ mode: 'unauthenticated', curve, initiator: { name: 'Alice' }, responder: { name: 'Bob' }, attacker: { mode: 'substitute' } });
      try {
        const v = await s.runToEnd();
        const d = await s.send('initiator', DH_MESSAGES.mitm, { tamper: DH_MESSAGES.mitmTampered });
        const messages = exchangeMessages(v, (m) => m.relay === 'altered');
        messages.push({ from: 'Alice', to: 'Mallory', label: 'message (Mallory decrypts it)', current: true }, { from: 'Mallory', to: 'Bob', label: 'message (altered, re-encrypted)', current: true });
        const a = v.attacker;
        const keyConfirmed = [...v.initiator.checks, ...v.responder.checks].filter((c) => c.name === 'key-confirmation');
        return {
          result: {
            diagram: sequence(messages),
            data: [
              { kind: 'text', label: 'Outcome', value: `Alice: ${v.initiator.outcome}, Bob: ${v.responder.outcome}; Mallory ${a?.canRead ? 'can read and change every message' : 'cannot read'}` },
              { kind: 'hex', label: 'Alice received as “Bob’s” public key', segments: publicKeySegments(curve, v.initiator.peerPublicHex) },
              { kind: 'hex', label: 'Bob’s real public key', segments: publicKeySegments(curve, v.responder.ownPublicHex) },
              ...sidesData(v),
              { kind: 'fingerprint', label: 'Mallory: key check value of the key shared with Alice', value: a?.kcvWithInitiator ?? '' },
              { kind: 'fingerprint', label: 'Mallory: key check value of the key shared with Bob', value: a?.kcvWithResponder ?? '' },
              sameKeyCheck(v),
              fingerprintCheck(v),
              {
                kind: 'check',
                label: 'Key confirmation passes on both sides',
                ok: keyConfirmed.length === 2 && keyConfirmed.every((c) => c.ok),
                detail: 'Mallory recomputes each MAC with the key she shares with that side, so key confirmation alone cannot detect her',
              },
              { kind: 'hex', label: `Alice → Mallory: “${d.sentText}”`, segments: wireSegments(d) },
              { kind: 'check', label: 'The message stays private', ok: d.attackerRead === null, detail: d.attackerRead !== null ? `Mallory read “${d.attackerRead}”` : 'Mallory saw only ciphertext' },
              {
                kind: 'check',
                label: 'Bob receives what Alice sent',
                ok: d.delivered.ok && d.delivered.text === d.sentText,
                detail: d.delivered.ok ? `Bob accepted “${d.delivered.text}”${d.altered ? ' (changed by Mallory)' : ''}` : deliveryRefusal(d, v),
              },
              ...wireMessages(v),
            ],
            changes: ['An audit entry records an established exchange whose fingerprints did not match.'],
          },
          state: { mitmKcvAlice: v.initiator.sessionKeyKcv ?? '', mitmKcvBob: v.responder.sessionKeyKcv ?? '' },
        };
      } finally {
        s.close();
      }
    },
  },
  {
    id: 'authenticated',
    title: 'The authenticated exchange',
    explain:
      'Now each side has a long-term ECDSA signing key in the vault and a certificate for it from a Clavis CA. In the SIGMA pattern each side signs its role, a hash of the transcript (both identities, both nonces, both ephemeral public keys) and its certificate, and MACs that signature with the new key-confirmation key. Each side validates the other’s certificate chain and CRL, checks the certificate names the peer it expects, and verifies the signature over its own view of the transcript. All checks pass, and the fingerprints agree.',
    standard: 'SIGMA (Krawczyk, CRYPTO 2003); RFC 5280 §6.1 (path validation); NIST SP 800-56A Rev. 3 §5.9 (key confirmation); RFC 5869 (HKDF)',
    async run(ctx) {
      const ex = await exchangeApi(ctx);
      const curve = curveOf(ctx.state);
      const parties = await ex.createDemoParties();
      const [alice, bob, mallory] = ['Alice', 'Bob', 'Mallory'].map((n) => parties.find((p) => p.name === n));
      if (!alice || !bob || !mallory) throw new EngineError('STORAGE', 'walkthrough: the demo parties are incomplete');
      const s = await ex.start({ mode: 'authenticated', curve, initiator: { certId: alice.certId }, responder: { certId: bob.certId } });
      try {
        const v = await s.runToEnd();
        const d = await s.send('initiator', DH_MESSAGES.honest);
        const signatures = v.steps.flatMap((st) => st.values.filter((x) => x.id === 'signature').map((x) => ({ label: `${laneOf(st.actor)}'s signature`, value: x.value })));
        const messages = exchangeMessages(v, () => true);
        return {
          result: {
            diagram: sequence(messages),
            data: [
              { kind: 'text', label: 'Alice’s certificate', value: `${alice.subject}, issued by ${alice.issuer}` },
              { kind: 'text', label: 'Bob’s certificate', value: `${bob.subject}, issued by ${bob.issuer}` },
              ...signatures.map((x): StepDatum => ({ kind: 'hex', label: x.label, segments: [{ label: 'ECDSA signature (DER)', hex: x.value }] })),
              ...sidesData(v),
              fingerprintCheck(v),
              sameKeyCheck(v),
              ...checksOf('Alice', 'Bob', v.initiator.checks),
              ...checksOf('Bob', 'Alice', v.responder.checks),
              { kind: 'check', label: 'Bob decrypts Alice’s message', ok: d.delivered.ok, detail: d.delivered.ok ? `Bob reads “${d.delivered.text}”` : deliveryRefusal(d, v) },
              ...wireMessages(v),
            ],
            changes: [
              `Demo parties in this walkthrough’s vault: Alice, Bob and Mallory, each with an ECDSA P-256 signing key and a TLS client certificate from "${alice.issuer}".`,
              'An audit entry records the established exchange.',
            ],
          },
          state: { aliceCertId: alice.certId, bobCertId: bob.certId, malloryCertId: mallory.certId, authKcv: v.initiator.sessionKeyKcv ?? '' },
        };
      } finally {
        s.close();
      }
    },
  },
  {
    id: 'authenticated-mitm',
    title: 'The authenticated exchange stops Mallory',
    explain:
      'Mallory tries the same swap. She cannot sign as Bob, so she forwards Bob’s signature, but it covers the public key Bob saw (hers), not the one Alice sees: Alice’s signature check fails and she stops before using any key. Mallory then tries signing with her own valid certificate from the same CA: the chain and the signature check out, but the certificate names Mallory, not Bob, and the identity check refuses it.',
    standard: 'SIGMA (Krawczyk, CRYPTO 2003) §5; RFC 5280 §4.1.2.6 (subject) and §6.1; NIST SP 800-56A Rev. 3 §5.6.2',
    async run(ctx) {
      const ex = await exchangeApi(ctx);
      const curve = curveOf(ctx.state);
      const alice = asCertId(need(ctx.state, 'aliceCertId'));
      const bob = asCertId(need(ctx.state, 'bobCertId'));
      const mallory = asCertId(need(ctx.state, 'malloryCertId'));
      const relay = await ex.start({ mode: 'authenticated', curve, initiator: { certId: alice }, responder: { certId: bob }, attacker: { mode: 'substitute', strategy: 'relay-signatures' } });
      let v: ExchangeView;
      let sendRefused: string;
      try {
        v = await relay.runToEnd();
        try {
          await relay.send('initiator', DH_MESSAGES.mitm);
          sendRefused = '';
        } catch (e) {
          sendRefused = e instanceof EngineError ? `${e.code}: ${e.message}` : 'refused';
        }
      } finally {
        relay.close();
      }
      const own = await ex.start({
        mode: 'authenticated',
        curve,
        initiator: { certId: alice },
        responder: { certId: bob },
        attacker: { mode: 'substitute', strategy: 'own-certificate', party: { certId: mallory } },
      });
      let w: ExchangeView;
      try {
        w = await own.runToEnd();
      } finally {
        own.close();
      }
      const failed = v.failure;
      return {
        result: {
          diagram: sequence(exchangeMessages(v, () => false)),
          data: [
            {
              kind: 'check',
              label: 'Alice accepts the exchange',
              ok: v.status === 'established',
              detail: refusalOf(v),
            },
            { kind: 'text', label: 'Failed check', value: failed ? `${failed.check} (checked by ${laneOf(failed.party)})` : 'none' },
            ...checksOf('Alice', 'Bob', v.initiator.checks),
            ...sidesData(v),
            fingerprintCheck(v),
            { kind: 'check', label: 'No session key is used', ok: sendRefused !== '', detail: sendRefused ? `sending is refused: ${sendRefused}` : 'a message was sent' },
            {
              kind: 'check',
              label: 'Second attempt: Mallory signs with her own certificate',
              ok: w.status === 'established',
              detail: refusalOf(w),
            },
            ...checksOf('Alice', 'Bob (second attempt)', w.initiator.checks),
            ...wireMessages(v),
          ],
          changes: ['Two audit entries record the refused exchanges, with the failing check and where it failed.'],
        },
        state: { refusedCheck: failed?.check ?? '', refusedBy: failed ? laneOf(failed.party) : '', ownCertificateRefusedCheck: w.failure?.check ?? '' },
      };
    },
  },
  {
    id: 'forward-secrecy',
    title: 'Forward secrecy',
    explain:
      'Mallory records two conversations and, a year later, steals every long-term private key. The first conversation used ephemeral keys, signed with the long-term keys: she tries every combination and nothing decrypts, because the ephemeral private keys were used once and dropped, and no copy exists anywhere. The second used static (long-term) ECDH keys: the stolen key plus the recorded public key give the same secret, and the recording opens. A stolen signing key still lets her pose as Alice in future exchanges, which is what revoking the certificate stops.',
    standard: 'NIST SP 800-56A Rev. 3 §6.1.2 (C(2e, 0s), ephemeral) and §6.3 (C(0e, 2s), static); SIGMA (Krawczyk, CRYPTO 2003); RFC 5869',
    async run(ctx) {
      const ex = await exchangeApi(ctx);
      const r = await ex.forwardSecrecyDemo({ curve: 'P-256', message: DH_MESSAGES.forwardSecrecy });
      const recorded = (values: ForwardSecrecyValue[]): ByteSegment[] =>
        values.flatMap((x) => {
          const parts = x.value.split(' ');
          return parts.length === 2 && x.id === 'nonces'
            ? [
                { label: 'Alice’s nonce', hex: parts[0]! },
                { label: 'Bob’s nonce', hex: parts[1]! },
              ]
            : [{ label: FORWARD_SECRECY_VALUE_LABELS[x.id], hex: x.value }];
        });
      const attempts = (kind: string, run: typeof r.ephemeral): StepDatum[] =>
        run.attempts.map((t) => {
          const { what, detail } = theftAttemptCopy(t);
          return { kind: 'check', label: `${kind}: ${what}`, ok: !t.succeeded, detail: `${t.succeeded ? 'works' : 'fails'}: ${detail}` };
        });
      return {
        result: {
          diagram: sequence([
            { from: 'Alice', to: 'Bob', label: 'ephemeral exchange + message (recorded)' },
            { from: 'Alice', to: 'Bob', label: 'static-key exchange + message (recorded)' },
            { from: 'Alice', to: 'Mallory', label: 'later: long-term keys stolen', current: true },
            { from: 'Bob', to: 'Mallory', label: 'later: long-term keys stolen', current: true },
          ]),
          data: [
            { kind: 'hex', label: 'Recorded: the ephemeral exchange', segments: recorded(r.ephemeral.recorded) },
            ...r.ephemeral.stolen.map((x): StepDatum => ({ kind: 'fingerprint', label: `Stolen: ${FORWARD_SECRECY_VALUE_LABELS[x.id]}`, value: x.value })),
            ...attempts('Ephemeral', r.ephemeral),
            { kind: 'check', label: 'The ephemeral recording stays secret', ok: r.ephemeral.recovered === null, detail: r.ephemeral.recovered === null ? 'nothing decrypts' : `Mallory read “${r.ephemeral.recovered}”` },
            { kind: 'hex', label: 'Recorded: the static-key exchange', segments: recorded(r.static.recorded) },
            ...r.static.stolen.map((x): StepDatum => ({ kind: 'fingerprint', label: `Stolen: ${FORWARD_SECRECY_VALUE_LABELS[x.id]}`, value: x.value })),
            ...attempts('Static', r.static),
            { kind: 'check', label: 'The static recording stays secret', ok: r.static.recovered === null, detail: r.static.recovered === null ? 'nothing decrypts' : `Mallory read “${r.static.recovered}”` },
          ],
          changes: ['Nothing is stored: the demo’s long-term keys live in memory only (exportable, so the theft can be simulated) and never reach the vault.'],
        },
        state: { ephemeralRecovered: r.ephemeral.recovered, staticRecovered: r.static.recovered },
      };
    },
  },
];

/** Walkthrough 3: Diffie–Hellman. */
export const diffieHellman: Walkthrough = {
  id: 'diffie-hellman',
  title: 'Diffie–Hellman',
  summary: 'Classic DH with small numbers, then ECDH where both sides derive the same key; the man in the middle wins; the authenticated exchange stops him; forward secrecy.',
  covers: 'Seeds 001, 002, 004; features D1–D5 (ECDH/X25519 with HKDF, man in the middle, SIGMA-style authentication, forward secrecy, classic DH)',
  steps,
};
