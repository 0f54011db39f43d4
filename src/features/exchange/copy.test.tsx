// The Exchange page's words for real exchanges: the steps, values, next step and refusal
// are worded from the ids and data the engine reports (names, curve, attacker).
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { MESSAGE_FIELD_NAMES, checkDetail, deliveryRefusal, messageFieldValue, messageLabel, stepCopy } from '../../copy/exchange';
import { failureMessage, nextStepLabel, valueLabel } from './copy';

async function exchange() {
  const { engine } = await freshEngine();
  return engine.exchange();
}

describe('exchange copy', () => {
  it('E1: the unauthenticated man in the middle, worded step by step; the last step says the fingerprints DISAGREE', async () => {
    const ex = await exchange();
    const s = await ex.start({ mode: 'unauthenticated', curve: 'P-256', initiator: { name: 'Alice' }, responder: { name: 'Bob' }, attacker: { mode: 'substitute' } });
    const first = s.view();
    expect(nextStepLabel(first.nextStep!, first)).toBe('Alice makes an ephemeral key pair and sends hello');
    const one = await s.next();
    expect(stepCopy(one.steps[0]!, one).title).toBe('Alice makes an ephemeral P-256 key pair and sends hello');
    expect(stepCopy(one.steps[0]!, one).explanation).toMatch(/, and Mallory sits on the wire\.$/);
    expect(one.steps[0]!.values.map((x) => valueLabel(x, one.steps[0]!, one))).toEqual(["Alice's ephemeral public key", "Alice's nonce"]);
    expect(nextStepLabel(one.nextStep!, one)).toBe('Mallory intercepts hello');
    const v = await s.runToEnd();
    expect(v.steps.map((st) => stepCopy(st, v).title)).toEqual([
      'Alice makes an ephemeral P-256 key pair and sends hello',
      "Mallory replaces Alice's public key with its own",
      'Bob agrees a secret, derives keys and answers',
      "Mallory replaces Bob's public key too",
      "Alice checks Bob's answer",
      'Mallory recomputes the MAC for Bob',
      "Bob checks Alice's finish: the exchange is complete",
      'The fingerprints DISAGREE: someone is in the middle',
    ]);
    expect(stepCopy(v.steps[5]!, v).explanation).toMatch(/^Alice's MAC checks out under the key Mallory shares with it; /);
    expect(stepCopy(v.steps.at(-1)!, v).explanation).toContain(`Alice reads ${v.comparison!.initiator.sas}, Bob reads ${v.comparison!.responder.sas}`);
    expect(v.steps[3]!.values.map((x) => valueLabel(x, v.steps[3]!, v))).toEqual(["Mallory's public key towards Alice", 'key shared with Alice (KCV)', 'key shared with Bob (KCV)']);
    expect(failureMessage(v)).toBe('');
  });

  it('E2: the authenticated exchange shows both signatures; Mallory with her own certificate is refused at the identity check, named', async () => {
    const ex = await exchange();
    const [alice, bob, mallory] = await ex.createDemoParties();
    const honest = await (await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice!.certId }, responder: { certId: bob!.certId } })).runToEnd();
    const labels = honest.steps.flatMap((st) => st.values.map((x) => valueLabel(x, st, honest)));
    expect(labels.filter((l) => /signature/.test(l))).toEqual(["Bob's signature", "Alice's signature"]);
    expect(stepCopy(honest.steps.at(-1)!, honest).title).toBe('The fingerprints agree');
    const response = honest.steps[1]!.message!;
    expect(messageLabel(response)).toBe('response');
    expect(response.fields.map((f) => MESSAGE_FIELD_NAMES[f.id])).toEqual(['from', 'to', 'nonce', 'ephemeral public key', 'certificate', 'signature', 'key confirmation MAC']);
    expect(messageFieldValue(response.fields.find((f) => f.id === 'certificate')!)).toMatch(/^CN=Bob \(\d+ bytes DER\)$/);
    expect(honest.initiator.checks.map((c) => checkDetail(c.detail))).toEqual([
      'a valid P-256 public key',
      'the chain leads to a trusted Clavis CA and every certificate is in date',
      'the issuer’s CRL does not list the certificate',
      'the certificate names Bob',
      'Bob’s signature covers both ephemeral keys and both identities as Alice saw them',
      'the sender holds the same session keys as Alice',
    ]);
    const s = await ex.start({ mode: 'authenticated', curve: 'P-256', initiator: { certId: alice!.certId }, responder: { certId: bob!.certId }, attacker: { mode: 'substitute', strategy: 'own-certificate', party: { certId: mallory!.certId } } });
    const v = await s.runToEnd();
    expect(failureMessage(v)).toMatch(/^Alice refused: identity check failed — the certificate names Mallory, not Bob$/);
    expect(stepCopy(v.steps.at(-1)!, v)).toEqual({ title: 'Alice refuses: the identity check fails', explanation: 'Alice stops the exchange and uses no key.' });
    expect(stepCopy(v.steps[3]!, v).explanation).toMatch(/signs with its own valid certificate from the same CA/);
  });

  it('E3: a message an eavesdropper flipped is refused by the receiver, named in the sentence', async () => {
    const ex = await exchange();
    const s = await ex.start({ mode: 'unauthenticated', curve: 'P-256', initiator: { name: 'Alice' }, responder: { name: 'Bob' }, attacker: { mode: 'eavesdrop' } });
    const v = await s.runToEnd();
    const d = await s.send('initiator', 'pay Bob 10', { tamper: 'pay Mallory 1000' });
    expect(d.delivered.ok).toBe(false);
    expect(deliveryRefusal(d, v)).toBe("Bob refused the message: it does not decrypt under Bob's session key (altered or under another key)");
  });
});
