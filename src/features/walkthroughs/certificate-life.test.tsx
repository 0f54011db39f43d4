// Walkthrough 2 (F1–F3): every step runs in order against a fresh engine and shows what
// the real CA did. The serial on the CRL is the one issued earlier; verification passes
// before the revocation and fails after it at the revocation check only; each step's
// data is the engine's own (PEM and DER of stored objects, serials, fingerprints).
import { describe, expect, it } from 'vitest';
import { freshEngine } from '../../testing/engine';
import { toHex, type Engine } from '../../engine';
import { certificateLife } from './certificate-life';
import type { StepDatum, StepResult, WalkthroughState } from './types';
import { asCaId, asCertId, asKeyId } from '../../engine';

type Datum<K extends StepDatum['kind']> = Extract<StepDatum, { kind: K }>;

function datum<K extends StepDatum['kind']>(r: StepResult, kind: K, label: string | RegExp): Datum<K> {
  const d = r.data.find((x) => x.kind === kind && (typeof label === 'string' ? x.label === label : label.test(x.label)));
  if (!d) throw new Error(`no ${kind} datum "${String(label)}" in ${r.data.map((x) => `${x.kind}:${x.label}`).join(', ')}`);
  return d as Datum<K>;
}

/** Runs steps 0…last in order (as a deep link does), collecting each result and the state after it. */
async function runAll(engine: Engine, last = certificateLife.steps.length - 1) {
  let state: WalkthroughState = {};
  const results: Record<string, StepResult> = {};
  const states: Record<string, WalkthroughState> = {};
  for (const step of certificateLife.steps.slice(0, last + 1)) {
    const out = await step.run({ engine, state });
    state = { ...state, ...out.state };
    results[step.id] = out.result;
    states[step.id] = state;
  }
  return { results, state, states };
}

describe('walkthrough 2: a certificate’s life', () => {
  it('F1: has the steps of the issue, in order, each with an explanation, an RFC 5280 (or RFC 2986) reference and a chain diagram', () => {
    expect(certificateLife.id).toBe('certificate-life');
    expect(certificateLife.steps.map((s) => s.id)).toEqual(['root', 'intermediate', 'csr', 'issue', 'verify', 'revoke', 'crl', 'verify-again']);
    for (const s of certificateLife.steps) {
      expect(s.explain.length).toBeGreaterThan(80);
      expect(s.standard).toMatch(/RFC (5280|2986) §/);
    }
  });

  it('F1/F3: run on the real engine: the CRL names the serial issued earlier, and verification passes before and fails after at the revocation check', async () => {
    const { engine } = await freshEngine();
    const { results, state, states } = await runAll(engine);
    const pki = await engine.pki();

    // Every step draws the chain, and plain data only goes forward.
    for (const r of Object.values(results)) expect(r.diagram.kind).toBe('chain');
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);

    // Root and intermediate: the PEM and DER shown are the stored certificates.
    const root = await pki.getCertificate(asCertId(String(state.rootCertId)));
    expect(datum(results.root!, 'pem', /PEM/).pem).toBe(await pki.exportCertificate(root.id, 'pem'));
    expect(datum(results.root!, 'asn1', /DER/).der).toBe(toHex(await pki.exportCertificate(root.id, 'der')));
    expect(datum(results.root!, 'fingerprint', /SHA-256/).value.replaceAll(':', '')).toBe(root.sha256);
    const inter = await pki.getCa(asCaId(String(state.intermediateCaId)));
    expect(inter).toMatchObject({ kind: 'intermediate', parentId: state.rootCaId, pathLen: 0 });
    expect(datum(results.intermediate!, 'text', 'Issuer').value).toBe(root.subject);

    // CSR: proof of possession checked by the engine, for the key the step made.
    expect(datum(results.csr!, 'check', 'Proof of possession').ok).toBe(true);
    const key = await engine.getKey(asKeyId(String(state.keyId)));
    expect(datum(results.csr!, 'fingerprint', /Key fingerprint/).value.replaceAll(':', '')).toBe(key.fingerprint.value);
    expect((await pki.inspectCsr(datum(results.csr!, 'pem', /request/).pem)).subject).toBe('CN=app.walkthrough.test');

    // Issue: the certificate certifies that key; its serial is shown.
    const leaf = await pki.getCertificate(asCertId(String(state.leafCertId)));
    expect(leaf.spkiSha256).toBe(key.fingerprint.value);
    expect(leaf.issuerId).toBe(state.intermediateCaId);
    const issuedSerial = datum(results.issue!, 'hex', 'Serial number').segments[0]!.hex;
    expect(issuedSerial).toBe(leaf.serialHex);
    expect(datum(results.issue!, 'check', /Certifies the key/).ok).toBe(true);
    expect(datum(results.issue!, 'pem', /PEM/).pem).toBe(await pki.exportCertificate(leaf.id, 'pem'));

    // Verify (before): valid, every check passes.
    expect(states.verify!.verifiedBefore).toBe(true);
    expect(datum(results.verify!, 'check', 'Chain verification').ok).toBe(true);
    const before = results.verify!.data.filter((d): d is Datum<'check'> => d.kind === 'check');
    expect(before.length).toBeGreaterThan(5);
    expect(before.every((c) => c.ok)).toBe(true);
    expect(before.map((c) => c.label)).toContain('Check revocation-0');

    // Revoke: keyCompromise; the certificate is revoked and its vault key compromised.
    expect(datum(results.revoke!, 'text', 'Certificate status').value).toBe('revoked');
    expect(datum(results.revoke!, 'text', 'Reason').value).toMatch(/^keyCompromise/);
    expect((await engine.getKey(key.id)).state).toBe('compromised');
    expect(datum(results.revoke!, 'text', 'Vault key state').value).toBe('compromised');
    expect(datum(results.revoke!, 'check', 'New CRL signed').ok).toBe(true);
    expect((await pki.getCertificate(leaf.id)).revocation?.reason).toBe('keyCompromise');

    // CRL: the serial on the CRL is the one issued earlier; the number grew; PEM/DER are the stored CRL.
    const crlSerial = datum(results.crl!, 'hex', 'Serial number on the CRL').segments;
    expect(crlSerial.map((s) => s.hex)).toEqual([issuedSerial]);
    expect(datum(results.crl!, 'check', /names the certificate issued earlier/).ok).toBe(true);
    expect(datum(results.crl!, 'check', 'The CRL number grew').ok).toBe(true);
    const crl = await pki.getCrl(asCaId(String(state.intermediateCaId)));
    expect(crl!.number).toBe(state.crlNumberAfter);
    expect(crl!.number).toBeGreaterThan(state.crlNumberBefore as number);
    expect(datum(results.crl!, 'json', 'CRL before the revocation').value).toMatchObject({ number: state.crlNumberBefore, entries: 0 });
    expect(datum(results.crl!, 'json', 'CRL after the revocation').value).toMatchObject({ number: crl!.number, entries: 1 });
    expect(datum(results.crl!, 'asn1', /DER/).der).toBe(toHex(await pki.exportCrl(asCaId(String(state.intermediateCaId)), 'der')));
    expect(datum(results.crl!, 'json', 'CRL entries').value).toEqual([expect.objectContaining({ serialHex: issuedSerial, reason: 'keyCompromise' })]);

    // Verify again: invalid, and exactly one check fails: the certificate's revocation.
    expect(states['verify-again']!.verifiedAfter).toBe(false);
    expect(states['verify-again']!.failedChecks).toEqual(['revocation-0']);
    const after = results['verify-again']!.data.filter((d): d is Datum<'check'> => d.kind === 'check' && d.label.startsWith('Check '));
    expect(after.filter((c) => !c.ok).map((c) => c.label)).toEqual(['Check revocation-0']);
    expect(after.find((c) => c.label === 'Check revocation-0')!.detail).toMatch(/revoked/);
    expect(datum(results['verify-again']!, 'text', 'Failing check').value).toMatch(/^revocation-0: the certificate is revoked/);
    expect(results['verify-again']!.diagram).toEqual({ kind: 'chain', nodes: [expect.objectContaining({ status: 'valid' }), expect.objectContaining({ status: 'valid' }), expect.objectContaining({ status: 'failed' })] });
    // The engine agrees, independently of the step.
    const direct = await pki.verifyCertificate(leaf.id, { usage: 'tls-server', hostname: 'app.walkthrough.test' });
    expect(direct.valid).toBe(false);
    expect(direct.revocation).toBe('revoked');
  });

  it('F2: a deep link rebuilds a middle step from scratch: running steps 0…4 in a fresh namespace gives a valid chain with new objects', async () => {
    const first = await runAll((await freshEngine()).engine, 4);
    const { engine } = await freshEngine();
    const again = await runAll(engine, 4);
    expect(again.state.verifiedBefore).toBe(true);
    expect(again.state.serialHex).not.toBe(first.state.serialHex);
    expect(Object.keys(again.state).sort()).toEqual(Object.keys(first.state).sort());
    expect((await (await engine.pki()).listCas()).map((c) => c.name).sort()).toEqual(['Walkthrough Issuing CA', 'Walkthrough Root CA']);
  });

  it('a step run without the state of the earlier steps says so (INVALID_ARGUMENT) and changes nothing', async () => {
    const { engine } = await freshEngine();
    const issue = certificateLife.steps.find((s) => s.id === 'issue')!;
    await expect(issue.run({ engine, state: {} })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await (await engine.pki()).listCertificates()).toEqual([]);
  });
});
