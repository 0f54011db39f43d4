// Walkthrough 3 (F1–F3; SECURITY.md E1–E3): every step runs in order against a fresh
// engine. Classic DH agrees; ECDH gives both sides the same key check value; under the
// man in the middle the key check values and fingerprints differ while both sides accept;
// the authenticated exchange agrees honestly and refuses Mallory at a named check; the
// forward-secrecy recording stays closed while the static one opens.
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import type { Engine } from '../../engine';
import { DH_LANES, DH_MESSAGES, diffieHellman } from './diffie-hellman';
import type { StepDatum, StepResult, WalkthroughState } from './types';
import { asCertId } from '../../engine';

type Datum<K extends StepDatum['kind']> = Extract<StepDatum, { kind: K }>;

function datum<K extends StepDatum['kind']>(r: StepResult, kind: K, label: string | RegExp): Datum<K> {
  const d = r.data.find((x) => x.kind === kind && (typeof label === 'string' ? x.label === label : label.test(x.label)));
  if (!d) throw new Error(`no ${kind} datum "${String(label)}" in ${r.data.map((x) => `${x.kind}:${x.label}`).join(', ')}`);
  return d as Datum<K>;
}

const fp = (r: StepResult, label: string) => datum(r, 'fingerprint', label).value;

async function runAll(engine: Engine, last = diffieHellman.steps.length - 1) {
  let state: WalkthroughState = {};
  const results: Record<string, StepResult> = {};
  for (const step of diffieHellman.steps.slice(0, last + 1)) {
    const out = await step.run({ engine, state });
    state = { ...state, ...out.state };
    results[step.id] = out.result;
  }
  return { results, state };
}

describe('walkthrough 3: Diffie–Hellman', () => {
  it('F1: has the steps of the issue, in order, with sequence lanes Alice/Bob/Mallory and a standard each', () => {
    expect(diffieHellman.id).toBe('diffie-hellman');
    expect(diffieHellman.steps.map((s) => s.id)).toEqual(['classic', 'ecdh', 'mitm', 'authenticated', 'authenticated-mitm', 'forward-secrecy']);
    const standards = diffieHellman.steps.map((s) => s.standard).join(' ');
    for (const ref of ['RFC 7748', 'SP 800-56A', 'RFC 5869', 'SIGMA']) expect(standards).toContain(ref);
    for (const s of diffieHellman.steps) expect(s.explain.length).toBeGreaterThan(80);
  });

  it('E1–E3/F3: run on the real engine: keys agree honestly, differ under attack, and the authenticated exchange refuses Mallory', async () => {
    const { engine } = await freshEngine();
    const { results, state } = await runAll(engine);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    for (const r of Object.values(results)) {
      expect(r.diagram.kind).toBe('sequence');
      if (r.diagram.kind === 'sequence') {
        expect(r.diagram.lanes).toEqual([...DH_LANES]);
        expect(r.diagram.messages.length).toBeGreaterThan(0);
        for (const m of r.diagram.messages) {
          expect(DH_LANES).toContain(m.from);
          expect(DH_LANES).toContain(m.to);
        }
      }
    }

    // Classic DH: both sides compute the same number; Mallory brute-forces it.
    const classic = results.classic!;
    expect(datum(classic, 'check', 'Both computed the same secret').ok).toBe(true);
    const brute = datum(classic, 'check', 'The secret survives an eavesdropper');
    expect(brute.ok).toBe(false);
    expect(brute.detail).toContain(`the secret is ${state.classicShared as string}`);
    expect(datum(classic, 'text', 'Public parameters').value).toBe('p = 23, g = 5');

    // ECDH: both sides' key check values and fingerprints agree; Bob decrypts.
    const ecdh = results.ecdh!;
    expect(fp(ecdh, 'Alice: session key check value')).toMatch(/^[0-9a-f]{6}$/);
    expect(fp(ecdh, 'Alice: session key check value')).toBe(fp(ecdh, 'Bob: session key check value'));
    expect(fp(ecdh, 'Alice: fingerprint of both public keys')).toBe(fp(ecdh, 'Bob: fingerprint of both public keys'));
    expect(fp(ecdh, 'Alice: short authentication string')).toMatch(/^\d{3} \d{3}$/);
    expect(datum(ecdh, 'check', 'Alice and Bob hold the same session key').ok).toBe(true);
    expect(datum(ecdh, 'check', 'The fingerprints agree on both sides').ok).toBe(true);
    expect(datum(ecdh, 'check', 'Bob decrypts Alice’s message')).toMatchObject({ ok: true, detail: `Bob reads “${DH_MESSAGES.honest}”` });
    const alicePub = datum(ecdh, 'hex', 'Alice’s ephemeral public key').segments;
    const pubHex = alicePub.map((s) => s.hex).join('');
    expect(pubHex.length).toBe(state.curve === 'X25519' ? 64 : 130);
    expect(pubHex).not.toBe(datum(ecdh, 'hex', 'Bob’s ephemeral public key').segments.map((s) => s.hex).join(''));
    const wire = datum(ecdh, 'hex', /^Alice → Bob/).segments;
    expect(wire.map((s) => s.label)).toEqual(['IV (12 bytes)', 'ciphertext', 'GCM tag (16 bytes)']);
    expect(wire[0]!.hex).toHaveLength(24);
    expect(wire[2]!.hex).toHaveLength(32);
    expect(wire[1]!.hex).toHaveLength(DH_MESSAGES.honest.length * 2);

    // Man in the middle, unauthenticated: both accept, yet keys and fingerprints differ; Mallory holds both keys and reads.
    const mitm = results.mitm!;
    expect(datum(mitm, 'text', 'Outcome').value).toMatch(/^Alice: established, Bob: established; Mallory can read/);
    expect(fp(mitm, 'Alice: session key check value')).not.toBe(fp(mitm, 'Bob: session key check value'));
    expect(fp(mitm, 'Alice: fingerprint of both public keys')).not.toBe(fp(mitm, 'Bob: fingerprint of both public keys'));
    expect(fp(mitm, 'Alice: short authentication string')).not.toBe(fp(mitm, 'Bob: short authentication string'));
    expect(fp(mitm, 'Mallory: key check value of the key shared with Alice')).toBe(fp(mitm, 'Alice: session key check value'));
    expect(fp(mitm, 'Mallory: key check value of the key shared with Bob')).toBe(fp(mitm, 'Bob: session key check value'));
    expect(datum(mitm, 'check', 'Alice and Bob hold the same session key').ok).toBe(false);
    expect(datum(mitm, 'check', 'The fingerprints agree on both sides').ok).toBe(false);
    expect(datum(mitm, 'check', 'Key confirmation passes on both sides').ok).toBe(true);
    expect(datum(mitm, 'check', 'The message stays private')).toMatchObject({ ok: false, detail: `Mallory read “${DH_MESSAGES.mitm}”` });
    expect(datum(mitm, 'check', 'Bob receives what Alice sent')).toMatchObject({ ok: false, detail: expect.stringContaining(DH_MESSAGES.mitmTampered) });
    const alicePeer = datum(mitm, 'hex', 'Alice received as “Bob’s” public key').segments.map((s) => s.hex).join('');
    expect(alicePeer).not.toBe(datum(mitm, 'hex', 'Bob’s real public key').segments.map((s) => s.hex).join(''));
    if (mitm.diagram.kind === 'sequence') expect(mitm.diagram.messages.some((m) => m.from === 'Mallory' && /altered/.test(m.label))).toBe(true);
    // The decoded wire messages show which field Mallory changed: the public key she swapped in.
    const altered = datum(mitm, 'fields', 'Mallory → Bob: hello (altered)');
    expect(altered.fields.find((f) => f.name === 'ephemeral public key')).toMatchObject({ value: expect.stringMatching(/^[0-9a-f]{64,}$/), note: 'changed by Mallory' });
    expect(altered.fields.find((f) => f.name === 'nonce')?.note).toBeUndefined();
    // Captions are the step titles the Exchange page shows (one shared wording, src/copy/exchange.ts).
    expect(altered.caption).toBe("Mallory replaces Alice's public key with its own");
    expect(datum(mitm, 'fields', 'Bob → Mallory: response').caption).toBe('Bob agrees a secret, derives keys and answers');
    expect(datum(ecdh, 'fields', 'Alice → Bob: hello').caption).toBe(`Alice makes an ephemeral ${state.curve as string} key pair and sends hello`);
    expect(datum(ecdh, 'fields', 'Alice → Bob: hello').fields.find((f) => f.name === 'ephemeral public key')?.value).toBe(pubHex);

    // Authenticated, honest: every check passes on both sides; fingerprints and keys agree.
    const auth = results.authenticated!;
    expect(fp(auth, 'Alice: fingerprint of both public keys')).toBe(fp(auth, 'Bob: fingerprint of both public keys'));
    expect(fp(auth, 'Alice: session key check value')).toBe(fp(auth, 'Bob: session key check value'));
    const authChecks = auth.data.filter((d): d is Datum<'check'> => d.kind === 'check' && / checks /.test(d.label));
    expect(authChecks.map((c) => c.label)).toEqual([
      ...['peer-key', 'certificate-chain', 'certificate-revocation', 'identity', 'signature', 'key-confirmation'].map((n) => `Alice checks Bob: ${n}`),
      ...['peer-key', 'certificate-chain', 'certificate-revocation', 'identity', 'signature', 'key-confirmation'].map((n) => `Bob checks Alice: ${n}`),
    ]);
    expect(authChecks.every((c) => c.ok)).toBe(true);
    expect(auth.data.filter((d) => d.kind === 'hex' && /signature/.test(d.label))).toHaveLength(2);
    const pki = await engine.pki();
    const alice = await pki.getCertificate(asCertId(String(state.aliceCertId)));
    expect(alice).toMatchObject({ status: 'valid', profile: 'tls-client' });
    expect(datum(auth, 'text', 'Alice’s certificate').value).toContain(alice.subject);

    // Authenticated, under attack: refused at the signature check by Alice; fingerprints differ; no key is used.
    const stop = results['authenticated-mitm']!;
    expect(state.refusedCheck).toBe('signature');
    expect(state.refusedBy).toBe('Alice');
    expect(datum(stop, 'check', 'Alice accepts the exchange')).toMatchObject({ ok: false, detail: expect.stringMatching(/^Alice refused: signature check failed — \S/) });
    expect(datum(stop, 'text', 'Failed check').value).toBe('signature (checked by Alice)');
    expect(datum(stop, 'check', 'Alice checks Bob: signature').ok).toBe(false);
    expect(datum(stop, 'check', 'Alice checks Bob: certificate-chain').ok).toBe(true);
    expect(fp(stop, 'Alice: fingerprint of both public keys')).not.toBe(fp(stop, 'Bob: fingerprint of both public keys'));
    expect(datum(stop, 'check', 'The fingerprints agree on both sides').ok).toBe(false);
    expect(datum(stop, 'check', 'No session key is used')).toMatchObject({ ok: true, detail: expect.stringContaining('KEY_STATE') });
    expect(state.ownCertificateRefusedCheck).toBe('identity');
    expect(datum(stop, 'check', 'Second attempt: Mallory signs with her own certificate')).toMatchObject({ ok: false, detail: 'Alice refused: identity check failed — the certificate names Mallory, not Bob' });
    if (stop.diagram.kind === 'sequence') {
      const refused = stop.diagram.messages.filter((m) => m.refused);
      expect(refused).toEqual([expect.objectContaining({ from: 'Mallory', to: 'Alice' })]);
    }
    // The refusals are in the namespace's audit log.
    const audit = (await engine.listAuditEntries()).filter((e) => e.action === 'exchange.refused');
    expect(audit.map((e) => e.details.failedCheck)).toEqual(['signature', 'identity']);

    // Forward secrecy: the ephemeral recording stays closed, the static one opens.
    const fs = results['forward-secrecy']!;
    expect(state.ephemeralRecovered).toBeNull();
    expect(state.staticRecovered).toBe(DH_MESSAGES.forwardSecrecy);
    expect(datum(fs, 'check', 'The ephemeral recording stays secret').ok).toBe(true);
    expect(datum(fs, 'check', 'The static recording stays secret')).toMatchObject({ ok: false, detail: `Mallory read “${DH_MESSAGES.forwardSecrecy}”` });
    expect(datum(fs, 'hex', 'Recorded: the ephemeral exchange').segments.map((s) => s.label)).toContain('ciphertext');
  });

  it('F2: a deep link to the authenticated attack rebuilds it from scratch in a fresh namespace with the same outcome', async () => {
    const { engine } = await freshEngine();
    const { state } = await runAll(engine, 4);
    expect(state.refusedCheck).toBe('signature');
    // Running the parties' step twice reuses the demo parties rather than multiplying them.
    const auth = diffieHellman.steps.find((s) => s.id === 'authenticated')!;
    const again = await auth.run({ engine, state });
    expect(again.state?.aliceCertId).toBe(state.aliceCertId);
  });

  it('a step run without the state of the earlier steps says so (INVALID_ARGUMENT)', async () => {
    const { engine } = await freshEngine();
    const stop = diffieHellman.steps.find((s) => s.id === 'authenticated-mitm')!;
    await expect(stop.run({ engine, state: {} })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
