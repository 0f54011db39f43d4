/**
 * The Exchange page's own words for what the engine reports as ids: the labels of the
 * values a step shows, the next step, the failure, the forward-secrecy conversations. Step titles and explanations, check
 * names and refusal sentences are shared with the Diffie–Hellman walkthrough (src/copy/exchange.ts).
 */
import type { ExchangePhase, ExchangeStepView, ExchangeView, ForwardSecrecyRun, StepValue } from '../../engine';
import { fingerprintLabel, namesOf, refusalSentence, sasLabel } from '../../copy/exchange';

/** The label of a value a step shows. */
export function valueLabel(x: StepValue, s: ExchangeStepView, v: ExchangeView): string {
  const { I, R, A, of } = namesOf(v);
  const actor = of(s.actor);
  const labels: Record<StepValue['id'], string> = {
    'own-ephemeral': `${actor}'s ephemeral public key`,
    nonce: `${actor}'s nonce`,
    'transcript-hash': `transcript hash (as ${actor} sees it)`,
    'session-kcv': 'derived session key (KCV)',
    signature: `${actor}'s signature`,
    'recorded-key': 'recorded public key',
    'kept-initiator-key': `${I}'s public key (kept)`,
    'attacker-key-to-initiator': `${A}'s public key towards ${I}`,
    'attacker-key-to-responder': `${A}'s public key towards ${R}`,
    'kcv-with-initiator': `key shared with ${I} (KCV)`,
    'kcv-with-responder': `key shared with ${R} (KCV)`,
    'initiator-fingerprint': fingerprintLabel(I),
    'responder-fingerprint': fingerprintLabel(R),
    'initiator-sas': sasLabel(I),
    'responder-sas': sasLabel(R),
  };
  return labels[x.id];
}

/** What the next step will do, in a line. */
export function nextStepLabel(phase: ExchangePhase, v: ExchangeView): string {
  const { I, R, A } = namesOf(v);
  const labels: Record<ExchangePhase, string> = {
    hello: `${I} makes an ephemeral key pair and sends hello`,
    'attacker-intercepts-hello': `${A} intercepts hello`,
    'responder-answers': `${R} answers with its own ephemeral key`,
    'attacker-intercepts-response': `${A} intercepts the response`,
    'initiator-checks-response': `${I} checks the response`,
    'attacker-intercepts-finish': `${A} intercepts finish`,
    'responder-checks-finish': `${R} checks finish`,
    'compare-fingerprints': 'Both sides compare fingerprints',
  };
  return labels[phase];
}

/** Why the exchange was refused, in a sentence naming who refused. */
export function failureMessage(v: ExchangeView): string {
  const f = v.failure;
  if (!f) return '';
  return refusalSentence(f, f.party === 'initiator' ? v.initiator.name : v.responder.name);
}

/** The title of each forward-secrecy conversation (D4). */
export const FORWARD_SECRECY_TITLES: Readonly<Record<ForwardSecrecyRun['kind'], string>> = {
  ephemeral: 'Ephemeral ECDH keys, signed with long-term keys (forward secrecy)',
  static: 'Static (long-term) ECDH keys, no ephemeral keys',
};
