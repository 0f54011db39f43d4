import { describe, expect, it } from 'vitest';
import { validatePath, type ValidateOptions } from './index';
import { AT, NA, NB, basicChain, cert, crl, party } from './test-chains';

const SERVER = '1.3.6.1.5.5.7.3.1';

async function check(o: Partial<ValidateOptions> & Pick<ValidateOptions, 'target' | 'anchors'>) {
  return validatePath({ time: AT, purpose: 'tls-server', peer: { kind: 'dns', value: 'app.test' }, ...o });
}
const failedRule = (r: Awaited<ReturnType<typeof validatePath>>) => r.checks.find((c) => !c.ok)?.rule;

describe('validate: path building (RFC 4158, E8)', () => {
  it('path-building: finds the path through an unordered pool and explains it', async () => {
    const c = await basicChain();
    const stray = await party('Stray');
    const strayCert = await cert({ subject: stray, issuer: stray, ca: true });
    const r = await check({ target: c.leafCert, intermediates: [strayCert, c.icaCert], anchors: [c.rootCert] });
    expect(r.valid).toBe(true);
    expect(r.path.map((p) => p.role)).toEqual(['trust anchor', 'intermediate', 'target']);
    expect(r.path[1]!.subject).toBe('CN=Test Intermediate');
    expect(r.profile).toBe('rfc5280');
    expect(r.checks.every((x) => x.section.length > 0 && x.sentence.length > 0)).toBe(true);
  });

  it('path-building: backtracks past a cross-signed dead end to the trusted root', async () => {
    const c = await basicChain();
    const other = await party('Untrusted Root');
    // The same intermediate key and name, cross-signed by a root nobody trusts (tried first: listed first).
    const cross = await cert({ subject: c.ica, issuer: other, ca: true });
    const otherRoot = await cert({ subject: other, issuer: other, ca: true });
    const r = await check({ target: c.leafCert, intermediates: [cross, otherRoot, c.icaCert], anchors: [c.rootCert] });
    expect(r.valid).toBe(true);
    expect(r.path[0]!.subject).toBe('CN=Test Root');
    expect(r.alternatives.length).toBeGreaterThan(0);
  });

  it('path-building: a certificate cycle with no anchor is refused with bounded work', async () => {
    const a = await party('Cycle A');
    const b = await party('Cycle B');
    const leaf = await party('app.test');
    const ab = await cert({ subject: a, issuer: b, ca: true });
    const ba = await cert({ subject: b, issuer: a, ca: true });
    const leafCert = await cert({ subject: leaf, issuer: a, san: [{ dns: 'app.test' }] });
    const anchor = await party('Elsewhere');
    const anchorCert = await cert({ subject: anchor, issuer: anchor, ca: true });
    const r = await check({ target: leafCert, intermediates: [ab, ba], anchors: [anchorCert] });
    expect(r.valid).toBe(false);
    expect(failedRule(r)).toBe('path');
    expect(r.work.signatures).toBeLessThanOrEqual(4);
  });

  it('path-building: the signature budget ends a pathological pool', async () => {
    const root = await party('Root');
    const rootCert = await cert({ subject: root, issuer: root, ca: true });
    // Many CAs of one name with distinct keys, each signing each other: a combinatorial maze.
    const cas = await Promise.all(Array.from({ length: 6 }, () => party('Maze CA')));
    const pool: Uint8Array[] = [];
    for (const x of cas) for (const y of cas) if (x !== y) pool.push(await cert({ subject: x, issuer: y, ca: true, extra: [] }));
    const leaf = await party('app.test');
    const leafCert = await cert({ subject: leaf, issuer: cas[0]!, san: [{ dns: 'app.test' }] });
    const r = await check({ target: leafCert, intermediates: pool, anchors: [rootCert], limits: { signatures: 20 } });
    expect(r.valid).toBe(false);
    expect(r.work.signatures).toBeLessThanOrEqual(20);
  });
});

describe('validate: RFC 5280 6.1 rules', () => {
  it('signature: a certificate whose signature does not verify finds no path', async () => {
    const c = await basicChain();
    const bad = c.leafCert.slice();
    bad[bad.length - 5]! ^= 0x01;
    const r = await check({ target: bad, intermediates: [c.icaCert], anchors: [c.rootCert] });
    expect(r.valid).toBe(false);
    expect(r.summary).toMatch(/signature/);
  });

  it('validity: expired and not-yet-valid certificates fail; the time is floored to the second', async () => {
    const c = await basicChain();
    const base = { target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert] };
    expect(failedRule(await check({ ...base, time: NA + 1000 }))).toBe('validity');
    expect(failedRule(await check({ ...base, time: NB - 1000 }))).toBe('validity');
    expect((await check({ ...base, time: NA + 999 })).valid).toBe(true);
    expect((await check({ ...base, time: NB - 1 })).valid).toBe(false);
  });

  it('validity-nesting: a certificate outliving its issuer is a warning, not a failure', async () => {
    const c = await basicChain({ leaf: { notAfter: NA + 86_400_000 }, ica: { notAfter: NA - 86_400_000 } });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert] });
    expect(r.valid).toBe(true);
    expect(r.checks.find((x) => x.rule === 'validity-nesting' && x.warning)).toMatchObject({ ok: true, at: 2 });
    expect(r.checks.find((x) => x.rule === 'validity-nesting' && x.at === 1)).toMatchObject({ ok: true });
  });

  it('basic-constraints: an issuer that is not a CA fails', async () => {
    const c = await basicChain({ ica: { ca: false, keyUsage: [5] } });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert] });
    expect(r.valid).toBe(false);
    expect(r.checks.some((x) => !x.ok && (x.rule === 'basic-constraints' || x.rule === 'key-cert-sign-in-ca-only'))).toBe(true);
  });

  it('path-length: pathLenConstraint 0 stops a second CA; a self-issued CA is not counted', async () => {
    const root = await party('Root');
    const i1 = await party('I1');
    const i2 = await party('I2');
    const leaf = await party('app.test');
    const rootCert = await cert({ subject: root, issuer: root, ca: true });
    const i1Cert = await cert({ subject: i1, issuer: root, ca: true, pathLen: 0 });
    const i2Cert = await cert({ subject: i2, issuer: i1, ca: true });
    const leafCert = await cert({ subject: leaf, issuer: i2, san: [{ dns: 'app.test' }] });
    const r = await check({ target: leafCert, intermediates: [i1Cert, i2Cert], anchors: [rootCert] });
    expect(failedRule(r)).toBe('path-length');
    // A self-issued certificate (I1's new key, signed by its old one) does not use up the length.
    const i1b = await party('I1');
    const selfIssued = await cert({ subject: i1b, issuer: i1, ca: true });
    const leaf2 = await cert({ subject: leaf, issuer: i1b, san: [{ dns: 'app.test' }] });
    const r2 = await check({ target: leaf2, intermediates: [i1Cert, selfIssued], anchors: [rootCert] });
    expect(r2.valid).toBe(true);
  });

  it('key-usage: a CA whose key usage lacks keyCertSign may not issue', async () => {
    const c = await basicChain({ ica: { keyUsage: [0, 6] } });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert] });
    expect(failedRule(r)).toBe('key-usage');
  });

  it('critical-extensions: an unknown critical extension fails; a non-critical one does not', async () => {
    const unknown = { oid: '1.3.6.1.4.1.55555.1', value: Uint8Array.of(0x05, 0x00) };
    const bad = await basicChain({ leaf: { extra: [{ ...unknown, critical: true }] } });
    expect(failedRule(await check({ target: bad.leafCert, intermediates: [bad.icaCert], anchors: [bad.rootCert] }))).toBe('critical-extensions');
    const ok = await basicChain({ leaf: { extra: [unknown] } });
    expect((await check({ target: ok.leafCert, intermediates: [ok.icaCert], anchors: [ok.rootCert] })).valid).toBe(true);
  });

  it('name-constraints: permitted and excluded DNS subtrees of the intermediate and of the anchor', async () => {
    const permitted = await basicChain({ ica: { permitted: [{ dns: 'other.test' }] } });
    const r1 = await check({ target: permitted.leafCert, intermediates: [permitted.icaCert], anchors: [permitted.rootCert] });
    expect(failedRule(r1)).toBe('name-constraints');
    const excluded = await basicChain({ ica: { excluded: [{ dns: 'app.test' }] } });
    expect(failedRule(await check({ target: excluded.leafCert, intermediates: [excluded.icaCert], anchors: [excluded.rootCert] }))).toBe('name-constraints');
    const byAnchor = await basicChain({ root: { permitted: [{ dns: 'other.test' }] } });
    expect(failedRule(await check({ target: byAnchor.leafCert, intermediates: [byAnchor.icaCert], anchors: [byAnchor.rootCert] }))).toBe('name-constraints');
    const inside = await basicChain({ ica: { permitted: [{ dns: 'test' }] } });
    expect((await check({ target: inside.leafCert, intermediates: [inside.icaCert], anchors: [inside.rootCert] })).valid).toBe(true);
  });

  it('name-constraints: IP subtrees compare with the mask', async () => {
    const c = await basicChain({ ica: { permitted: [{ ip: [10, 0, 0, 0, 255, 0, 0, 0] }] }, leaf: { san: [{ ip: [192, 168, 1, 1] }] } });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert], peer: { kind: 'ip', value: '192.168.1.1' } });
    expect(failedRule(r)).toBe('name-constraints');
  });

  it('certificate-policies: an explicit policy requirement fails a path without policies and passes with one', async () => {
    const P = '2.16.840.1.101.3.2.1.48.1';
    const none = await basicChain();
    const r = await check({ target: none.leafCert, intermediates: [none.icaCert], anchors: [none.rootCert], policy: { explicitPolicy: true } });
    expect(failedRule(r)).toBe('certificate-policies');
    const withP = await basicChain({ ica: { policies: [P] }, leaf: { policies: [P] } });
    const ok = await check({ target: withP.leafCert, intermediates: [withP.icaCert], anchors: [withP.rootCert], policy: { explicitPolicy: true, initialPolicySet: [P] } });
    expect(ok.valid).toBe(true);
    const other = await check({ target: withP.leafCert, intermediates: [withP.icaCert], anchors: [withP.rootCert], policy: { explicitPolicy: true, initialPolicySet: ['2.16.840.1.101.3.2.1.48.2'] } });
    expect(failedRule(other)).toBe('certificate-policies');
  });

  it('extended-key-usage: the target must allow the purpose asked for', async () => {
    const c = await basicChain({ leaf: { eku: [SERVER] } });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert], purpose: 'code-signing', peer: undefined });
    expect(failedRule(r)).toBe('extended-key-usage');
  });

  it('peer-name: wildcards match one leftmost label, never a public suffix; IPs match exactly', async () => {
    const wild = await basicChain({ leaf: { san: [{ dns: '*.example.com' }] } });
    const base = { target: wild.leafCert, intermediates: [wild.icaCert], anchors: [wild.rootCert] };
    expect((await check({ ...base, peer: { kind: 'dns', value: 'www.example.com' } })).valid).toBe(true);
    expect(failedRule(await check({ ...base, peer: { kind: 'dns', value: 'a.b.example.com' } }))).toBe('peer-name');
    expect(failedRule(await check({ ...base, peer: { kind: 'dns', value: 'example.com' } }))).toBe('peer-name');
    const suffix = await basicChain({ leaf: { san: [{ dns: '*.co.uk' }] } });
    expect(failedRule(await check({ target: suffix.leafCert, intermediates: [suffix.icaCert], anchors: [suffix.rootCert], peer: { kind: 'dns', value: 'shop.co.uk' } }))).toBe('peer-name');
    const ip = await basicChain({ leaf: { san: [{ ip: [127, 0, 0, 1] }] } });
    expect((await check({ target: ip.leafCert, intermediates: [ip.icaCert], anchors: [ip.rootCert], peer: { kind: 'ip', value: '127.0.0.1' } })).valid).toBe(true);
    expect(failedRule(await check({ target: ip.leafCert, intermediates: [ip.icaCert], anchors: [ip.rootCert], peer: { kind: 'ip', value: '127.0.0.2' } }))).toBe('peer-name');
  });

  it('webpki profile: an end-entity certificate that says it is a CA fails; RFC 5280 accepts it', async () => {
    const c = await basicChain({ leaf: { ca: true, keyUsage: [0, 5] } });
    const base = { target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert] };
    expect((await check(base)).valid).toBe(true);
    const r = await check({ ...base, profile: 'webpki' });
    expect(r.profile).toBe('webpki');
    expect(failedRule(r)).toBe('leaf-not-ca');
  });

  it('well-formed: a target that is not strict DER is refused with a typed sentence, not a throw', async () => {
    const c = await basicChain();
    const ber = Uint8Array.of(0x30, 0x80, ...c.leafCert.subarray(2), 0, 0);
    const r = await check({ target: ber, anchors: [c.rootCert] });
    expect(r.valid).toBe(false);
    expect(failedRule(r)).toBe('well-formed');
    await expect(validatePath({ target: 'x' as unknown as Uint8Array, anchors: [], time: AT })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('validate: RFC 5280 6.3 revocation', () => {
  it('revocation: a leaf on its issuer CRL is refused with the reason', async () => {
    const c = await basicChain();
    const list = await crl({ issuer: c.ica, revoked: [{ serial: 77, reason: 1 }] });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert], crls: [list] });
    expect(failedRule(r)).toBe('revocation');
    expect(r.summary).toMatch(/keyCompromise/);
  });

  it("revocation: 'require' fails without a CRL, 'if-available' passes and says so, 'off' skips", async () => {
    const c = await basicChain();
    const base = { target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert] };
    expect(failedRule(await check({ ...base, revocation: 'require' }))).toBe('revocation');
    const soft = await check({ ...base, revocation: 'if-available' });
    expect(soft.valid).toBe(true);
    expect(soft.revocation).toBe('if-available');
    expect(soft.checks.find((x) => x.rule === 'revocation')!.sentence).toMatch(/not checked/);
    const off = await check({ ...base, revocation: 'off' });
    expect(off.checks.some((x) => x.rule === 'revocation')).toBe(false);
  });

  it('revocation: a CRL signed by a CA without cRLSign, or without cRLNumber, is not usable', async () => {
    const c = await basicChain({ ica: { keyUsage: [5] } });
    const list = await crl({ issuer: c.ica });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert], crls: [list] });
    expect(failedRule(r)).toBe('revocation');
    expect(r.summary).toMatch(/cRLSign/);
    const d = await basicChain();
    const noNumber = await crl({ issuer: d.ica, crlNumber: null });
    const r2 = await check({ target: d.leafCert, intermediates: [d.icaCert], anchors: [d.rootCert], crls: [noNumber] });
    expect(failedRule(r2)).toBe('revocation');
    expect(r2.summary).toMatch(/cRLNumber/);
  });

  it('revocation: a CRL of the right issuer not listing the leaf passes', async () => {
    const c = await basicChain();
    const list = await crl({ issuer: c.ica, revoked: [{ serial: 78 }] });
    const r = await check({ target: c.leafCert, intermediates: [c.icaCert], anchors: [c.rootCert], crls: [list], revocation: 'if-available' });
    expect(r.valid).toBe(true);
  });
});
