/**
 * Walkthrough 5 (F1): replay attacks on key distribution. The original Needham–Schroeder
 * protocol (1978, without the fixes) falls to Denning and Sacco's replay of an old
 * ticket; Clavis's protocol (Needham–Schroeder with the Kerberos fixes: expiring
 * tickets, timestamped authenticators, a replay cache, nonces, direction-bound key
 * confirmation) refuses each replay. Every attack runs for real in the namespace engine.
 */
import { asPrincipalId, fromHex, type AttackOutcome, type AttackReport, type KdcCheck } from '../../engine';
import { KDC_ATTACK_COPY, KDC_CHECK_LABELS, kdcAttemptWords, kdcOutcomeExplanation, kdcProtocolLabel } from '../../copy/kdc';
import { refusalOf, wireData } from './step-data';
import type { StepDatum, StepDiagram, Walkthrough, WalkthroughState } from './types';

const A = asPrincipalId('alice');
const B = asPrincipalId('bob');
const M = 'mallory';
const LANES = [A, 'KDC', B, M];
const MINUTE = 60_000;

interface ReplayState extends WalkthroughState {
  /** Message 3 (ticket + authenticator) of the recorded run, hex. */
  recorded: string;
  keyId: string;
  ticketId: string;
}

const st = (s: WalkthroughState) => s as Partial<ReplayState>;
const bytes = fromHex;

type Msg = { from: string; to: string; label: string; refused?: boolean; current?: boolean };
const seq = (messages: Msg[]): StepDiagram => ({ kind: 'sequence', lanes: LANES, messages: messages.map((m) => ({ current: true, ...m })) });

const checkName = (c?: KdcCheck) => (c ? `${KDC_CHECK_LABELS[c]} (${c})` : '');

/** One side of an attack report as step data. */
function outcomeData(r: AttackReport, o: AttackOutcome): StepDatum[] {
  const explanation = kdcOutcomeExplanation(r, o);
  return [
    {
      kind: 'check',
      label: `${kdcProtocolLabel(r, o)}: ${o.succeeded ? 'the attack succeeded' : 'the attack failed'}`,
      ok: !o.succeeded,
      detail: o.succeeded ? explanation : `Stopped by: ${checkName(o.refusedBy)}. ${explanation}`,
    },
    ...o.attempts.map((a): StepDatum => {
      const words = kdcAttemptWords(a, r);
      return {
        kind: 'check',
        label: `${o.protocol === 'clavis' ? 'Clavis' : '1978'}: ${words.description}`,
        ok: !a.accepted,
        detail: a.accepted ? `accepted — ${words.message}` : `refused by ${checkName(a.check)}: ${words.message}`,
      };
    }),
  ];
}

const reportHead = (r: AttackReport): StepDatum => ({ kind: 'text', label: 'What the attacker tries', value: KDC_ATTACK_COPY[r.attack].summary });

export const replayAttacks: Walkthrough = {
  id: 'replay-attacks',
  title: 'Replay attacks on key distribution',
  summary:
    'Mallory records a key distribution and replays it. Against the original 1978 Needham–Schroeder protocol the replay of an old ticket wins (Denning–Sacco); against Clavis’s protocol every replay is refused, and the log says by which check.',
  covers: 'C5, D1–D4; Needham & Schroeder (1978), Denning & Sacco (1981), Kerberos (RFC 4120)',
  steps: [
    {
      id: 'record',
      title: 'Mallory records a key distribution',
      explain:
        'Alice and Bob get a session key from the KDC with Clavis’s protocol, exactly as in walkthrough 1. Mallory sits on the network and keeps a copy of every message, in particular message 3: the ticket for Bob and Alice’s authenticator.',
      standard: 'Dolev–Yao attacker model (1983): the attacker reads, records and replays every message',
      async run({ engine }) {
        const kdc = await engine.kdc();
        await kdc.registerPrincipal({ name: A, kind: 'user' });
        await kdc.registerPrincipal({ name: B, kind: 'service' });
        const run = await kdc.distribute({ client: A, service: B });
        const m3 = run.messages[2]!;
        return {
          result: {
            diagram: seq([
              ...run.messages.map((m) => ({ from: m.from === 'kdc' ? 'KDC' : m.from, to: m.to === 'kdc' ? 'KDC' : m.to, label: `${m.step}. ${m.type}`, current: false })),
              { from: B, to: M, label: 'Mallory copies message 3 (ticket + authenticator)' },
            ]),
            data: [{ kind: 'text', label: 'Ticket id Mallory recorded', value: run.ticketId! }, ...wireData(m3)],
            changes: [`KDC: principals ${A} and ${B} registered`, `KDC: session key ${run.keyId} issued and confirmed on both sides`],
          },
          state: { recorded: m3.hex, keyId: run.keyId!, ticketId: run.ticketId! },
        };
      },
    },
    {
      id: 'denning-sacco-1978',
      title: 'Denning–Sacco breaks the 1978 protocol',
      explain:
        'In the original Needham–Schroeder protocol the ticket {K_AB, A}K_B has no time in it. Once an old session key leaks, Mallory replays the old ticket to Bob, answers his challenge with the leaked key, and Bob believes he is talking to Alice — for ever. This runs the unfixed protocol for real (AES-CTR, no timestamps), in memory only.',
      standard: 'Denning & Sacco, “Timestamps in key distribution protocols”, CACM 24(8), 1981; Needham & Schroeder, CACM 21(12), 1978',
      async run({ engine }) {
        const kdc = await engine.kdc();
        const report = await kdc.runAttack('denning-sacco', { client: A, service: B });
        const u = report.unfixed;
        return {
          result: {
            diagram: seq([
              { from: M, to: B, label: 'old ticket {K_AB, A}K_B' },
              { from: B, to: M, label: '{N_B}K_AB' },
              { from: M, to: B, label: '{N_B − 1}K_AB with the leaked K_AB', refused: !u.succeeded },
              { from: B, to: M, label: u.succeeded ? 'Bob sends “Alice” a secret' : 'refused', refused: !u.succeeded },
            ]),
            data: [reportHead(report), ...outcomeData(report, u)],
            changes: ['Nothing stored: the 1978 protocol runs with throw-away keys in memory'],
          },
        };
      },
    },
    {
      id: 'replay-at-once',
      title: 'Replay the recorded ticket to Bob at once',
      explain:
        'Mallory sends Bob the exact bytes of message 3 he recorded. The ticket is genuine and unexpired and the authenticator’s time is fresh, but Bob remembers every authenticator he accepted within the 5-minute window: this one is in his replay cache.',
      standard: 'RFC 4120 §3.2.3 (replay cache); Clavis D3',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const e = await refusalOf(() => kdc.protocol.serviceAccept(B, bytes(st(state).recorded!)));
        return {
          result: {
            diagram: seq([{ from: M, to: B, label: `replayed message 3 (ticket ${st(state).ticketId})`, refused: e !== undefined }]),
            data: [
              { kind: 'check', label: 'Bob refuses the replay', ok: e !== undefined, detail: e ? `${checkName(e.check)}: ${e.message}` : 'accepted' },
              { kind: 'text', label: 'Ticket id in the replayed message', value: st(state).ticketId! },
            ],
            changes: ['Audit: kdc.ticket.refuse (replay-cache) written to the namespace log'],
          },
        };
      },
    },
    {
      id: 'replay-later',
      title: 'Replay it six minutes later',
      explain:
        'Replay caches are kept only as long as the clock-skew window, so an authenticator must also be recent: Bob accepts authenticator times within 5 minutes of his clock. Six minutes on, the recorded authenticator is simply too old.',
      standard: 'RFC 4120 §3.2.3 and §10 (clock skew, default 5 minutes)',
      async run({ engine, state }) {
        const kdc = await engine.kdc();
        const at = engine.now() + 6 * MINUTE;
        const e = await refusalOf(() => kdc.protocol.serviceAccept(B, bytes(st(state).recorded!), { at }));
        return {
          result: {
            diagram: seq([{ from: M, to: B, label: 'replayed message 3, six minutes later', refused: e !== undefined }]),
            data: [{ kind: 'check', label: 'Bob refuses the stale authenticator', ok: e !== undefined, detail: e ? `${checkName(e.check)}: ${e.message}` : 'accepted' }],
            changes: ['Audit: kdc.ticket.refuse (skew) written to the namespace log'],
          },
        };
      },
    },
    {
      id: 'denning-sacco-clavis',
      title: 'Denning–Sacco against Clavis',
      explain:
        'Now the full attack on Clavis’s protocol, with the session key leaked to Mallory: he can even make fresh authenticators. After the ticket’s expiry Bob refuses the old ticket whatever key comes with it; before expiry, the operator revokes the leaked key and Bob refuses that too.',
      standard: 'RFC 4120 §3.2.3 (ticket expiry); NIST SP 800-57 Part 1 §8.3.5 (revocation); Clavis D3, C4',
      async run({ engine }) {
        const kdc = await engine.kdc();
        const report = await kdc.runAttack('denning-sacco', { client: A, service: B });
        const c = report.clavis;
        return {
          result: {
            diagram: seq(c.attempts.map((a) => ({ from: M, to: B, label: kdcAttemptWords(a, report).description, refused: !a.accepted }))),
            data: [reportHead(report), ...outcomeData(report, c)],
            changes: ['KDC: the leaked session key was revoked (keyCompromise)', 'Audit: each refusal written to the namespace log'],
          },
        };
      },
    },
    {
      id: 'old-reply',
      title: 'Replay an old KDC reply',
      explain:
        'The other direction: Mallory answers Alice’s new request with an old KDC reply whose session key he knows. Without a nonce Alice cannot tell old from new; Clavis’s Alice keeps each nonce she sent and accepts a reply only once, for the request it answers.',
      standard: 'Needham & Schroeder (1978) nonce N_A; RFC 4120 §5.4.2 (nonce in the KDC reply); Clavis D2',
      async run({ engine }) {
        const kdc = await engine.kdc();
        const report = await kdc.runAttack('replay-kdc-reply', { client: A, service: B });
        return {
          result: {
            diagram: seq([
              { from: A, to: 'KDC', label: 'new request with N_A′ (intercepted)', current: false },
              { from: M, to: A, label: 'old reply with N_A and the known K_AB', refused: !report.clavis.succeeded },
            ]),
            data: [reportHead(report), ...outcomeData(report, report.unfixed), ...outcomeData(report, report.clavis)],
            changes: ['Audit: the refusal written to the namespace log'],
          },
        };
      },
    },
    {
      id: 'reflection',
      title: 'Reflect Bob’s proof back to him',
      explain:
        'A subtler replay: Mallory sends Bob’s own key-confirmation back to Bob as if it were Alice’s. If both directions computed the same value it would pass. Clavis binds the message type into the AES-GCM associated data and the direction into the HMAC, so Bob’s own tag never verifies as Alice’s.',
      standard: 'Reflection attacks (Mao, Modern Cryptography §10.4); NIST SP 800-56C key confirmation; Clavis D4',
      async run({ engine }) {
        const kdc = await engine.kdc();
        const report = await kdc.runAttack('reflection', { client: A, service: B });
        return {
          result: {
            diagram: seq([
              { from: B, to: A, label: 'challenge + Bob’s confirmation (intercepted)', current: false },
              { from: M, to: B, label: 'Bob’s confirmation, reflected as Alice’s', refused: !report.clavis.succeeded },
            ]),
            data: [reportHead(report), ...outcomeData(report, report.unfixed), ...outcomeData(report, report.clavis)],
            changes: ['Audit: each refusal written to the namespace log'],
          },
        };
      },
    },
    {
      id: 'audit',
      title: 'Every refusal is on record',
      explain:
        'Each refusal above was written to the hash-chained audit log with the check that failed, so an operator can see that someone is replaying old messages, and when.',
      standard: 'NIST SP 800-57 Part 2 §6.7 (audit); NIST SP 800-92',
      async run({ engine }) {
        const refusals = await engine.listAuditEntries({ action: 'kdc.ticket.refuse' });
        const verdict = await engine.verifyAuditLog();
        return {
          result: {
            diagram: { kind: 'none' },
            data: [
              { kind: 'check', label: 'Audit chain verifies', ok: verdict.ok, detail: verdict.ok ? `${verdict.count} entries, head ${verdict.head?.hash ?? ''}` : verdict.explanation },
              {
                kind: 'fields',
                label: `Refusals logged (${refusals.length})`,
                fields: refusals.map((e) => ({ name: `#${e.seq} ${String((e.details as { check?: unknown }).check ?? '')}`, value: String((e.details as { error?: unknown }).error ?? ''), note: e.at })),
              },
            ],
            changes: ['Nothing changed: the log is only read'],
          },
        };
      },
    },
  ],
};
