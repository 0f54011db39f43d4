/**
 * Walkthrough 1 (F1; seeds 000 and 001): a symmetric session key through the KDC.
 * Register two principals, request a key, see the ticket, deliver it, confirm the key,
 * exchange a message, verify the key against the KDC's record, revoke it, and watch the
 * next use fail. Every step calls the namespace engine's KDC; the last shows seed 001's
 * other route, a session key wrapped under a Diffie–Hellman-derived key.
 */
import { asKdcKeyId, asKdcRunId, asPrincipalId, fromHex, type KeyId, type KdcProtocolRun, type WireMessage } from '../../engine';
import { kdcMessageTitle } from '../../copy/kdc';
import { hex, refusalOf, shortDate, wireData } from './step-data';
import type { StepDatum, StepDiagram, Walkthrough, WalkthroughState } from './types';

const A = asPrincipalId('alice');
const B = asPrincipalId('bob');
const LANES = [A, 'KDC', B];
const lane = (name: string) => (name === 'kdc' ? 'KDC' : name);

interface KdcState extends WalkthroughState {
  runId: string;
  keyId: string;
  ticketId: string;
  /** Every message so far, for the sequence diagram. */
  sent: Array<{ from: string; to: string; label: string; refused?: boolean }>;
  sealedHex: string;
}

const st = (s: WalkthroughState) => s as Partial<KdcState>;
// The state is kept as plain data between steps (and rebuilt from storage), so its ids are branded again on the way back in.
const runIdOf = (s: WalkthroughState) => asKdcRunId(st(s).runId ?? '');
const keyIdOf = (s: WalkthroughState) => asKdcKeyId(st(s).keyId ?? '');

/** The sequence diagram: earlier messages, then this step's (current). */
function sequence(s: WalkthroughState, current: Array<{ from: string; to: string; label: string; refused?: boolean }>): StepDiagram {
  return {
    kind: 'sequence',
    lanes: LANES,
    messages: [...(st(s).sent ?? []).map((m) => ({ ...m, current: false })), ...current.map((m) => ({ ...m, current: true }))],
  };
}

const msg = (m: WireMessage) => ({ from: lane(m.from), to: lane(m.to), label: `${m.step}. ${kdcMessageTitle(m)}` });

function runFacts(run: KdcProtocolRun): StepDatum[] {
  const out: StepDatum[] = [];
  if (run.ticketId) out.push({ kind: 'text', label: 'Ticket id', value: run.ticketId });
  if (run.keyId) out.push({ kind: 'text', label: 'Session key id', value: run.keyId });
  if (run.expiresAt) out.push({ kind: 'text', label: 'Ticket expires', value: shortDate(run.expiresAt) });
  return out;
}

export const kdcSymmetric: Walkthrough = {
  id: 'kdc-symmetric',
  title: 'A symmetric key through the KDC',
  summary:
    'Two principals get a fresh AES-256 session key from a Kerberos-style key distribution center, prove to each other that they hold it, use it, check it against the KDC’s record, and lose it to revocation.',
  covers: 'Seeds 000 and 001 (KDC store_key/get_key, revocation); C1–C6, D1–D4',
  steps: [
    {
      id: 'register',
      title: 'Register two principals',
      explain:
        'The KDC shares a long-term key with every principal it serves. Alice (a user) and Bob (a service) are registered; each gets a fresh AES-256 key that only they and the KDC hold. The KDC keeps its copy wrapped under its master key and shows only a key check value (KCV), never the key.',
      standard: 'NIST SP 800-57 Part 1 §8.1.5 (key distribution); RFC 4120 §1 (Kerberos principals)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const alice = await kdc.registerPrincipal({ name: A, kind: 'user' });
        const bob = await kdc.registerPrincipal({ name: B, kind: 'service' });
        const sent = [
          { from: 'KDC', to: A, label: `K_alice (long-term key, kvno ${alice.kvno})` },
          { from: 'KDC', to: B, label: `K_bob (long-term key, kvno ${bob.kvno})` },
        ];
        return {
          result: {
            diagram: sequence(state, sent),
            data: [
              ...[alice, bob].map(
                (p): StepDatum => ({
                  kind: 'fields',
                  label: `Principal ${p.name}`,
                  fields: [
                    { name: 'kind', value: p.kind },
                    { name: 'status', value: p.status },
                    { name: 'key version (kvno)', value: String(p.kvno) },
                    { name: 'registered', value: shortDate(p.createdAt) },
                  ],
                }),
              ),
              { kind: 'fingerprint', label: `KCV of K_${A}`, value: alice.kcv },
              { kind: 'fingerprint', label: `KCV of K_${B}`, value: bob.kcv },
            ],
            changes: [`KDC: principal ${A} (user) registered with a new long-term key`, `KDC: principal ${B} (service) registered with a new long-term key`],
          },
          state: { sent },
        };
      },
    },
    {
      id: 'request',
      title: 'Alice asks for a session key',
      explain:
        'Alice sends the KDC her name, Bob’s name and a fresh random nonce N_A. The request is sealed under her long-term key, so the KDC knows it comes from her; the nonce lets her recognise the answer to this request and no other.',
      standard: 'Needham–Schroeder (1978) message 1; RFC 4120 §3.1.1 (AS/TGS request)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const run = await kdc.startDistribution({ client: A, service: B });
        const m = run.messages[0]!;
        return {
          result: { diagram: sequence(state, [msg(m)]), data: wireData(m), changes: [`${A} remembers the nonce N_A as outstanding (nothing is stored by the KDC yet)`] },
          state: { runId: run.id, sent: [...(st(state).sent ?? []), msg(m)] },
        };
      },
    },
    {
      id: 'ticket',
      title: 'The KDC issues the key and a ticket',
      explain:
        'The KDC checks the request, makes a fresh AES-256 session key K_AB and answers Alice with it, sealed under her key together with her nonce. Inside is the ticket: K_AB, Alice’s name, a ticket id and an expiry, sealed under Bob’s key, so Alice can carry it but not read or change it.',
      standard: 'RFC 4120 §3.1.3 (the KDC reply and ticket); NIST SP 800-57 Part 1 §6.2.2 (key distribution)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const run = await kdc.nextStep(runIdOf(state));
        const m = run.messages[1]!;
        const record = (await kdc.listDistributedKeys()).find((k) => k.id === run.keyId);
        return {
          result: {
            diagram: sequence(state, [msg(m)]),
            data: [...runFacts(run), ...(record ? [{ kind: 'fingerprint' as const, label: 'KCV of K_AB in the KDC’s record', value: record.kcv }] : []), ...wireData(m)],
            changes: [`KDC: session key ${run.keyId} issued to ${A} and ${B}, ticket ${run.ticketId}, valid until ${shortDate(run.expiresAt!)}`],
          },
          state: { keyId: run.keyId!, ticketId: run.ticketId!, sent: [...(st(state).sent ?? []), msg(m)] },
        };
      },
    },
    {
      id: 'deliver',
      title: 'Alice delivers the ticket to Bob',
      explain:
        'Alice checks the reply (her nonce, the AES-GCM tag), unwraps K_AB as a non-extractable key, and sends Bob the ticket with a fresh authenticator: her name, the ticket id and the time, sealed under K_AB. Bob opens the ticket with his own key and learns K_AB.',
      standard: 'RFC 4120 §3.2.2 (KRB_AP_REQ: ticket and authenticator)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const run = await kdc.nextStep(runIdOf(state));
        const m = run.messages[2]!;
        return {
          result: {
            diagram: sequence(state, [msg(m)]),
            data: [{ kind: 'text', label: 'Ticket id being delivered', value: run.ticketId! }, ...wireData(m)],
            changes: [`${A} now holds session key ${run.keyId} (non-extractable)`],
          },
          state: { sent: [...(st(state).sent ?? []), msg(m)] },
        };
      },
    },
    {
      id: 'confirm',
      title: 'Both sides confirm the key',
      explain:
        'Bob checks the ticket (expiry, clock skew, replay cache, revocation), then proves he holds K_AB with an HMAC over the transcript labelled “service-to-client”. Alice checks it and answers with her own HMAC labelled “client-to-service”. The labels bind each proof to its direction, so neither can be reflected back.',
      standard: 'NIST SP 800-56C / SP 800-108 key confirmation; RFC 4120 §3.2.4 (KRB_AP_REP)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        await kdc.nextStep(runIdOf(state));
        await kdc.nextStep(runIdOf(state));
        const run = await kdc.nextStep(runIdOf(state));
        const [m4, m5] = [run.messages[3]!, run.messages[4]!];
        return {
          result: {
            diagram: sequence(state, [msg(m4), msg(m5)]),
            data: [
              { kind: 'check', label: 'Key confirmed on both sides', ok: run.confirmed, detail: run.confirmed ? `${A} and ${B} each verified the other’s HMAC` : (run.refusal?.message ?? 'not confirmed') },
              ...wireData(m4),
              ...wireData(m5),
            ],
            changes: [`${B} now holds session key ${run.keyId}; the authenticator went into ${B}’s replay cache`, 'The key is confirmed on both sides'],
          },
          state: { sent: [...(st(state).sent ?? []), msg(m4), msg(m5)] },
        };
      },
    },
    {
      id: 'message',
      title: 'Alice sends Bob a message',
      explain: 'Alice seals a message under K_AB with AES-256-GCM; the header (sender, receiver, key id) is authenticated as associated data. Bob opens it with his copy of the key.',
      standard: 'NIST SP 800-38D (GCM); RFC 4120 §3.5 (KRB_PRIV)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const text = 'Meet at the north gate at noon.';
        const sealed = await kdc.sendMessage(keyIdOf(state), A, text);
        const opened = await kdc.receiveMessage(keyIdOf(state), B, sealed.bytes);
        const m = { from: A, to: B, label: 'data: a message sealed under K_AB' };
        return {
          result: {
            diagram: sequence(state, [m]),
            data: [
              { kind: 'text', label: `What ${A} sent`, value: text },
              ...wireData({ ...sealed.wire, step: 6 }),
              { kind: 'text', label: `What ${B} read after opening it`, value: opened },
              { kind: 'check', label: 'Bob read exactly what Alice sent', ok: opened === text, detail: opened === text ? 'AES-GCM tag verified; plaintext identical' : 'plaintext differs' },
            ],
            changes: ['Nothing stored: the message exists only on the wire'],
          },
          state: { sealedHex: hex(sealed.bytes), sent: [...(st(state).sent ?? []), m] },
        };
      },
    },
    {
      id: 'verify',
      title: 'Check the key against the KDC’s record',
      explain:
        'Anyone can ask whether a holder’s key is the one the KDC issued without seeing either: each side computes a key check value (the first bytes of AES-encrypting zeros under the key) and the KDC compares it with the one for its wrapped record.',
      standard: 'NIST SP 800-57 Part 1 §6.1.2 (key integrity); ANSI X9.24 key check value',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const keyId = keyIdOf(state);
        const results = [await kdc.verifyDistributedKey(keyId, A), await kdc.verifyDistributedKey(keyId, B)];
        return {
          result: {
            diagram: sequence(state, [
              { from: A, to: 'KDC', label: `KCV of ${A}’s K_AB: ${results[0]!.holderKcv}` },
              { from: B, to: 'KDC', label: `KCV of ${B}’s K_AB: ${results[1]!.holderKcv}` },
            ]),
            data: [
              { kind: 'fingerprint', label: 'KCV in the KDC’s record', value: results[0]!.kdcKcv },
              ...results.flatMap((r): StepDatum[] => [
                { kind: 'fingerprint', label: `KCV of ${r.holder}’s copy`, value: r.holderKcv },
                { kind: 'check', label: `${r.holder}’s key matches the KDC’s record`, ok: r.match, detail: r.match ? `${r.holderKcv} = ${r.kdcKcv}` : `${r.holderKcv} ≠ ${r.kdcKcv}` },
              ]),
            ],
            changes: ['Nothing changed: verification only reads'],
          },
        };
      },
    },
    {
      id: 'revoke',
      title: 'Revoke the session key',
      explain:
        'The KDC operator revokes K_AB (say it leaked). The record is marked revoked with a reason and date; every party’s check of the key consults that record before using it.',
      standard: 'NIST SP 800-57 Part 1 §8.3.5 (key revocation); RFC 5280 §5.3.1 reason codes',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const info = await kdc.revokeDistributedKey(keyIdOf(state), 'keyCompromise');
        const revoked = await kdc.listRevokedKeys();
        return {
          result: {
            diagram: sequence(state, [{ from: 'KDC', to: 'KDC', label: `revoke ${info.id} (keyCompromise)` }]),
            data: [
              { kind: 'fields', label: 'The KDC’s record of K_AB', fields: [
                { name: 'id', value: info.id },
                { name: 'parties', value: info.parties.join(', ') },
                { name: 'revoked', value: String(info.revoked) },
                { name: 'reason', value: info.reason ?? '' },
                { name: 'revoked at', value: info.revokedAt ? shortDate(info.revokedAt) : '' },
              ] },
              { kind: 'json', label: 'The KDC’s revoked-key list', value: revoked },
            ],
            changes: [`KDC: session key ${info.id} revoked (keyCompromise)`],
          },
        };
      },
    },
    {
      id: 'refused',
      title: 'The next use fails',
      explain:
        'After revocation nothing accepts K_AB: Alice cannot seal a new message, Bob refuses to open the old one, and a fresh authenticator for the same ticket is refused by the revocation check even though the ticket has not expired.',
      standard: 'NIST SP 800-57 Part 1 §8.3.5; RFC 4120 §3.2.3 (ticket checks)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const keyId = keyIdOf(state);
        const sealedHex = st(state).sealedHex!;
        const old = fromHex(sealedHex);
        const send = await refusalOf(() => kdc.sendMessage(keyId, A, 'One more thing…'));
        const open = await refusalOf(() => kdc.receiveMessage(keyId, B, old));
        const present = await refusalOf(async () => kdc.protocol.serviceAccept(B, await kdc.protocol.apRequest(A, keyId)));
        const checks: Array<[string, typeof send]> = [
          [`${A} seals a new message under K_AB`, send],
          [`${B} opens the message from the previous steps`, open],
          [`${A} presents the ticket again with a fresh authenticator`, present],
        ];
        const verify = await kdc.verifyDistributedKey(keyId, A);
        return {
          result: {
            diagram: sequence(state, [
              { from: A, to: B, label: 'data under K_AB — refused', refused: true },
              { from: A, to: B, label: 'ticket + new authenticator — refused', refused: true },
            ]),
            data: [
              ...checks.map(([label, e]): StepDatum => ({ kind: 'check', label: `Refused: ${label}`, ok: e !== undefined, detail: e ? `${e.code}${e.check ? ` (check: ${e.check})` : ''}: ${e.message}` : 'it was accepted' })),
              { kind: 'check', label: 'KDC record says revoked', ok: verify.revoked, detail: `revoked: ${String(verify.revoked)}` },
            ],
            changes: ['Each refusal was written to the namespace’s audit log'],
          },
        };
      },
    },
    {
      id: 'dh-wrap',
      title: 'Another route: a session key wrapped under a Diffie–Hellman key',
      explain:
        'Seed 001’s design, without a KDC: Alice and Bob each keep an X25519 key pair in their vault. Each combines their own private key with the other’s public key and runs HKDF-SHA-256, so both get the same AES-256 wrapping key without ever sending it. Alice makes a fresh AES-256 session key, wraps it under that key and sends only the wrapped bytes; Bob unwraps them with his copy. Equal key check values show both hold the same session key. No third party ever knows it, but nothing vouches for the public keys either: compare their fingerprints out loud, or certify them, or a man in the middle can sit between the two.',
      standard: 'RFC 7748 §6.1 (X25519); RFC 5869 (HKDF); NIST SP 800-56C (key derivation) and SP 800-38F (key wrapping)',
      async run({ engine }) {
        const x25519 = (await engine.listTemplates()).some((t) => t.template.name === 'X25519' && t.available);
        const template = x25519 ? 'X25519' : 'ECDH-P-256';
        const alice = await engine.generateKey({ template, name: `${A} key agreement`, owner: A });
        const bob = await engine.generateKey({ template, name: `${B} key agreement`, owner: B });
        const pemOf = async (id: KeyId) => await engine.exportPublicKey(id, 'pem');
        const wrapA = await engine.deriveKey(alice.id, await pemOf(bob.id), { name: `${A}’s wrapping key (derived)`, owner: A });
        const wrapB = await engine.deriveKey(bob.id, await pemOf(alice.id), { name: `${B}’s wrapping key (derived)`, owner: B });
        const session = await engine.generateKey({ template: 'AES-GCM-256', name: 'session key K_AB (sent wrapped)', owner: A, exportable: true });
        const wrapped = await engine.wrapKey(wrapA.id, session.id);
        const received = await engine.unwrapKey(wrapB.id, wrapped, { name: `session key K_AB at ${B}`, owner: B });
        const same = received.fingerprint.value === session.fingerprint.value;
        return {
          result: {
            diagram: {
              kind: 'sequence',
              lanes: [A, B],
              messages: [
                { from: A, to: B, label: `${template} public key (fingerprint ${alice.fingerprint.value.slice(0, 8)}…)` },
                { from: B, to: A, label: `${template} public key (fingerprint ${bob.fingerprint.value.slice(0, 8)}…)` },
                { from: A, to: B, label: `K_AB wrapped under the derived key (${wrapped.length} bytes)`, current: true },
              ],
            },
            data: [
              { kind: 'fingerprint', label: `SHA-256 fingerprint of ${A}’s public key`, value: alice.fingerprint.value },
              { kind: 'fingerprint', label: `SHA-256 fingerprint of ${B}’s public key`, value: bob.fingerprint.value },
              { kind: 'fingerprint', label: `KCV of ${A}’s derived wrapping key`, value: wrapA.fingerprint.value },
              { kind: 'fingerprint', label: `KCV of ${B}’s derived wrapping key`, value: wrapB.fingerprint.value },
              { kind: 'check', label: 'Both sides derived the same wrapping key', ok: wrapA.fingerprint.value === wrapB.fingerprint.value, detail: `${wrapA.fingerprint.value} and ${wrapB.fingerprint.value}` },
              { kind: 'hex', label: 'The wrapped session key as sent (AES-GCM key wrap envelope)', segments: [{ label: 'wrapped K_AB', hex: hex(wrapped) }] },
              { kind: 'fingerprint', label: `KCV of K_AB at ${A}`, value: session.fingerprint.value },
              { kind: 'fingerprint', label: `KCV of K_AB at ${B} after unwrapping`, value: received.fingerprint.value },
              { kind: 'check', label: `${B} holds the session key ${A} sent`, ok: same, detail: same ? `${received.fingerprint.value} = ${session.fingerprint.value}` : `${received.fingerprint.value} ≠ ${session.fingerprint.value}` },
            ],
            changes: [
              `Vault: ${template} key pairs for ${A} and ${B}`,
              `Vault: a derived AES-256 wrapping key for each (non-extractable)`,
              `Vault: session key K_AB (exportable, so it can be wrapped) and ${B}’s unwrapped copy (non-extractable)`,
            ],
            objects: [
              { kind: 'key', id: wrapA.id, label: `${A}’s wrapping key` },
              { kind: 'key', id: session.id, label: 'K_AB' },
              { kind: 'key', id: received.id, label: `K_AB at ${B}` },
            ],
          },
        };
      },
    },
  ],
};
