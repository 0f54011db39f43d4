// RFC 5280 §4.2.1.10: name constraints enforced at issuance (before signing) and checked
// by verifyChain as its own step, through the real pipeline (vault keys, IndexedDB, WebCrypto).
import { describe, expect, it } from 'vitest';
import { isEngineError } from '../errors';
import { utf8 } from '../internal/bytes';
import { generateKey } from '../keys/vault';
import { freshPki } from '../../testing/pki-fixtures';
import { implicitConstructed, implicitPrimitive, seq } from '../internal/der';
import { parseIp, type NameConstraints, type SubjectAltNames } from './extensions';
import { issue, loadIssuer, vaultSubjectKey, type LeafProfile } from './issue';
import { GN, dnsWithin, emailWithin, ipWithin, nameConstraintProblem, parseNameConstraints, uriHost, uriWithin } from './name-constraints';
import { encodeName } from './names';

const expectRefused = async (p: Promise<unknown>, msg: RegExp) => {
  try {
    await p;
    expect.unreachable('should have been refused');
  } catch (e) {
    expect(isEngineError(e, 'CERT_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(/^pki: name constraints: /);
    expect((e as Error).message).toMatch(msg);
  }
};

async function constrained(nc: NameConstraints) {
  const f = await freshPki();
  const root = await f.pki.createRootCa({ name: 'Root', subject: { CN: 'NC Root' } });
  const sub = await f.pki.createIntermediateCa({ name: 'Sub', parentId: root.ca.id, subject: { CN: 'NC Sub' }, nameConstraints: nc });
  const leaf = async (sans: SubjectAltNames, profile: LeafProfile = 'tls-client', cn = 'leaf') => {
    const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: cn });
    return f.pki.issueCertificate({ caId: sub.ca.id, keyId: key.id, profile, subject: { CN: cn }, sans });
  };
  return { ...f, root, sub, leaf };
}

describe('name constraints at issuance (RFC 5280 §4.2.1.10)', () => {
  it('permitted DNS example.test allows the domain and names below it and refuses evil.test before signing', async () => {
    const { pki, sub, leaf, storage } = await constrained({ permitted: { dns: ['example.test'] } });
    const ok = await leaf({ dns: ['a.example.test', 'b.c.example.test'] }, 'tls-server', 'a.example.test');
    expect((await pki.verifyCertificate(ok.cert.id, { usage: 'tls-server' })).valid).toBe(true);
    await leaf({ dns: ['example.test'] });
    const before = (await storage.listCerts(sub.ca.id)).length;
    await expectRefused(leaf({ dns: ['evil.test'] }, 'tls-server', 'evil.test'), /DNS name evil\.test is outside the permitted subtrees of CA "CN=NC Sub"/);
    // A look-alike suffix is not a subdomain.
    await expectRefused(leaf({ dns: ['evilexample.test'] }), /outside the permitted/);
    // Nothing was signed or stored for the refusals.
    expect((await storage.listCerts(sub.ca.id)).length).toBe(before);
  });

  it('a DNS name constraint with a leading dot is refused when the CA is created (RFC 5280 validators reject it)', async () => {
    const f = await freshPki();
    const root = await f.pki.createRootCa({ name: 'Root', subject: { CN: 'NC Root' } });
    await expect(f.pki.createIntermediateCa({ name: 'Sub', parentId: root.ca.id, subject: { CN: 'Dot Sub' }, nameConstraints: { permitted: { dns: ['.example.test'] } } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/DNS name constraint is a domain without a leading dot: "example\.test" covers/),
    });
    expect((await f.pki.listCas()).map((c) => c.name)).toEqual(['Root']);
  });

  it('excluded wins over permitted, and a wildcard touching an excluded name is refused', async () => {
    const { leaf } = await constrained({ permitted: { dns: ['example.test'] }, excluded: { dns: ['secret.example.test'] } });
    await leaf({ dns: ['example.test', 'www.example.test'] });
    await expectRefused(leaf({ dns: ['secret.example.test'] }), /DNS name secret\.example\.test is inside an excluded subtree/);
    await expectRefused(leaf({ dns: ['db.secret.example.test'] }), /inside an excluded subtree/);
    await expectRefused(leaf({ dns: ['*.example.test'] }, 'tls-server', 'www.example.test'), /DNS name \*\.example\.test is inside an excluded subtree/);
  });

  it('IP ranges: 10.0.0.0/8 and 2001:db8::/32 permitted, 10.9.0.0/16 excluded; v4 and v6 never match each other', async () => {
    const { leaf } = await constrained({ permitted: { ip: ['10.0.0.0/8', '2001:db8::/32'] }, excluded: { ip: ['10.9.0.0/16'] } });
    await leaf({ ip: ['10.1.2.3', '2001:db8:1::1'] });
    await expectRefused(leaf({ ip: ['11.0.0.1'] }), /IP address 11\.0\.0\.1 is outside the permitted/);
    await expectRefused(leaf({ ip: ['10.9.1.1'] }), /IP address 10\.9\.1\.1 is inside an excluded/);
    await expectRefused(leaf({ ip: ['2001:db9::1'] }), /IP address 2001:db9::1 is outside/);
    // Only IP names are constrained: a DNS name is not restricted by IP subtrees.
    await leaf({ dns: ['anything.test'], ip: ['10.0.0.1'] });
  });

  it('e-mail forms: a mailbox, a host, and .domain (below the domain only)', async () => {
    const { leaf } = await constrained({ permitted: { email: ['boss@corp.test', 'mail.test', '.example.test'] } });
    await leaf({ email: ['boss@corp.test', 'anyone@mail.test', 'x@eu.example.test'] }, 'email');
    await expectRefused(leaf({ email: ['other@corp.test'] }, 'email'), /e-mail address other@corp\.test is outside the permitted/);
    await expectRefused(leaf({ email: ['x@sub.mail.test'] }, 'email'), /outside the permitted/);
    await expectRefused(leaf({ email: ['x@example.test'] }, 'email'), /e-mail address x@example\.test is outside/);
  });

  it('URI constraints apply to the host: host exact or .domain', async () => {
    const { leaf } = await constrained({ permitted: { uri: ['.example.test', 'api.test'] } });
    await leaf({ uri: ['https://www.example.test/path', 'https://user@api.test:8443/x'] });
    await expectRefused(leaf({ uri: ['https://evil.test/'] }), /URI https:\/\/evil\.test\/ is outside the permitted/);
    await expectRefused(leaf({ uri: ['https://x.api.test/'] }), /outside the permitted/);
    // A URI without a host can never be inside a permitted host subtree.
    await expectRefused(leaf({ uri: ['urn:example:thing'] }), /outside the permitted/);
  });

  it('a sub-CA below a constrained CA inherits its constraints (checked against every CA above)', async () => {
    const f = await freshPki();
    const root = await f.pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 2 });
    const a = await f.pki.createIntermediateCa({ name: 'A', parentId: root.ca.id, subject: { CN: 'A' }, pathLen: 1, nameConstraints: { permitted: { dns: ['example.test'] } } });
    const b = await f.pki.createIntermediateCa({ name: 'B', parentId: a.ca.id, subject: { CN: 'B' }, nameConstraints: { excluded: { dns: ['x.example.test'] } } });
    const key = await generateKey(f.ctx, { template: 'ECDSA-P-256', name: 'k' });
    const mk = (dns: string) => f.pki.issueCertificate({ caId: b.ca.id, keyId: key.id, profile: 'tls-client', subject: { CN: 'c' }, sans: { dns: [dns] } });
    await expectRefused(mk('other.test'), /outside the permitted subtrees of CA "CN=A"/);
    await expectRefused(mk('x.example.test'), /inside an excluded subtree of CA "CN=B"/);
    const ok = await mk('y.example.test');
    expect((await f.pki.verifyCertificate(ok.cert.id)).valid).toBe(true);
  });
});

describe('name constraints in verifyChain (own step, not pkijs)', () => {
  it('a leaf that escaped the issuance check fails the name-constraints step; a good one passes it', async () => {
    const { ctx, pki, sub, leaf } = await constrained({ permitted: { dns: ['example.test'] } });
    const good = await leaf({ dns: ['ok.example.test'] });
    const gv = await pki.verifyCertificate(good.cert.id);
    const ncSteps = gv.steps.filter((s) => s.name === 'name-constraints');
    expect(ncSteps.length).toBeGreaterThan(0);
    expect(ncSteps.every((s) => s.ok)).toBe(true);
    // Sign a violating leaf by going around the issuance check (a foreign or buggy CA).
    const { handle } = await loadIssuer(ctx, sub.ca.id);
    delete handle.nameConstraints;
    const key = await generateKey(ctx, { template: 'ECDSA-P-256', name: 'bad' });
    const k = await vaultSubjectKey(ctx, key.id);
    const bad = await issue(ctx, handle, { profile: 'tls-client', subject: { CN: 'bad' }, sans: { dns: ['evil.test'] }, spki: k.spki, keyRole: k.role, source: 'vault' });
    const v = await pki.verifyCertificate(bad.cert.id);
    expect(v.valid).toBe(false);
    // The path itself (signatures) is fine; the named step is what refuses it.
    expect(v.steps.find((s) => s.name === 'path')).toMatchObject({ ok: true });
    expect(v.steps.find((s) => s.name === 'name-constraints' && !s.ok)).toMatchObject({ ok: false, detail: expect.stringMatching(/DNS name "evil\.test" is outside the names permitted by the intermediate "CN=NC Sub"/) });
    expect(v.steps.filter((s) => !s.ok).map((s) => s.name)).toEqual(['name-constraints']);
  });
});

describe('matching rules (unit)', () => {
  it('DNS, e-mail, URI host and IP matching', () => {
    expect(dnsWithin('a.example.test', 'example.test')).toBe(true);
    expect(dnsWithin('example.test', 'example.test')).toBe(true);
    expect(dnsWithin('example.test', '.example.test')).toBe(false);
    expect(dnsWithin('A.Example.Test.', '.example.test')).toBe(true);
    expect(dnsWithin('badexample.test', 'example.test')).toBe(false);
    expect(emailWithin('u@h.test', 'u@H.test')).toBe(true);
    expect(emailWithin('U@h.test', 'u@h.test')).toBe(false);
    expect(emailWithin('u@h.test', 'h.test')).toBe(true);
    expect(emailWithin('u@x.h.test', '.h.test')).toBe(true);
    expect(emailWithin('u@h.test', '.h.test')).toBe(false);
    expect(uriHost('ldap://User@Dir.Example.test:389/o=x')).toBe('dir.example.test');
    expect(uriHost('https://10.0.0.1/')).toBeUndefined();
    expect(uriWithin('https://a.example.test', '.example.test')).toBe(true);
    expect(ipWithin(parseIp('192.168.1.7'), Uint8Array.of(192, 168, 0, 0, 255, 255, 0, 0))).toBe(true);
    expect(ipWithin(parseIp('192.169.1.7'), Uint8Array.of(192, 168, 0, 0, 255, 255, 0, 0))).toBe(false);
    expect(ipWithin(parseIp('::1'), Uint8Array.of(192, 168, 0, 0, 255, 255, 0, 0))).toBe(false);
  });

  it('directoryName subtrees: the constraint is an RDN prefix of the subject (case-insensitive values)', () => {
    const base = encodeName({ C: 'DE', O: 'Clavis Test' });
    const value = seq(implicitConstructed(0, seq(implicitConstructed(4, base))), implicitConstructed(1, seq(implicitPrimitive(2, utf8('bad.test')))));
    const nc = parseNameConstraints(value);
    expect(nc.permitted?.[0]?.tag).toBe(GN.directoryName);
    const c = { label: 'CA "X"', constraints: nc };
    expect(nameConstraintProblem(c, { subject: encodeName({ C: 'DE', O: 'clavis  test', CN: 'leaf' }), sans: [] })).toBeUndefined();
    expect(nameConstraintProblem(c, { subject: encodeName({ C: 'DE', O: 'Other', CN: 'leaf' }), sans: [] })).toMatch(/directory name "C=DE, O=Other, CN=leaf" is outside the permitted subtrees/);
    expect(nameConstraintProblem(c, { subject: encodeName({ C: 'DE', O: 'Clavis Test' }), sans: [{ tag: GN.dns, content: utf8('www.bad.test') }] })).toMatch(/inside an excluded/);
  });
});
