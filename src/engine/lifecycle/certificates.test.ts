// K8: revoking keys in the lifecycle revokes their certificates at the CA, with the reason
// the plan maps (a compromise → keyCompromise; otherwise the same reason). Over a real
// engine: runs in Node (fake-indexeddb) and in Chromium.
import { describe, expect, it } from 'vitest';
import { fixedClock, isEngineError } from '..';
import { freshEngine } from '../../testing/engine';
import { hierarchy, T0 } from '../../testing/pki-fixtures';

const DAY = 86_400_000;

async function setup() {
  const clock = fixedClock(T0);
  const { engine } = await freshEngine({ clock });
  const pki = await engine.pki();
  const h = await hierarchy(pki);
  const leafFor = async (owner: string, cn: string) => {
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: cn, owner });
    const issued = await pki.issueCertificate({ caId: h.int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: cn }, sans: { dns: [cn] } });
    return { key, cert: issued.cert };
  };
  return { engine, pki, clock, leafFor, ...h };
}

describe('K8 lifecycle revocation reaches the certificates', () => {
  it('K8 compromising a vault key revokes its certificate for keyCompromise, lists it on the CRL and blocks its public key', async () => {
    const { engine, pki, clock, leafFor, int } = await setup();
    const { key, cert } = await leafFor('alice', 'api.example.test');
    clock.advance(DAY);
    const out = await engine.compromiseKey(key.id, { compromiseOccurredAt: T0 + DAY / 2 });
    expect(out.state).toBe('compromised');
    expect(out.certificates).toEqual([{ certId: cert.id, keyId: key.id, reason: 'keyCompromise', revoked: true }]);
    const after = await pki.getCertificate(cert.id);
    expect(after.status).toBe('revoked');
    expect(after.revocation?.reason).toBe('keyCompromise');
    const { entries } = await pki.crlEntries(int.ca.id, { offset: 0, limit: 10 });
    expect(entries.map((e) => e.serialHex)).toContain(cert.serialHex);
    // The compromised public key gets no new certificate.
    await expect(pki.issueCertificate({ caId: int.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'again.example.test' } })).rejects.toSatisfy((e) => isEngineError(e, 'KEY_STATE'));
  });

  it('K8 revoking a principal revokes the certificates of every key it moved, with the same reason; other owners keep theirs', async () => {
    const { engine, pki, leafFor } = await setup();
    const a = await leafFor('bob', 'bob-1.example.test');
    const b = await leafFor('bob', 'bob-2.example.test');
    const other = await leafFor('carol', 'carol.example.test');
    const out = await engine.revokePrincipal('bob', 'affiliationChanged');
    expect(out.certificates.map((c) => [c.certId, c.reason, c.revoked]).sort()).toEqual(
      [
        [a.cert.id, 'affiliationChanged', true],
        [b.cert.id, 'affiliationChanged', true],
      ].sort(),
    );
    expect((await pki.getCertificate(a.cert.id)).revocation?.reason).toBe('affiliationChanged');
    expect((await pki.getCertificate(other.cert.id)).status).toBe('valid');
  });

  it('K8 a root certificate is reported, not revoked; a suspension (hold) revokes no certificate and says so; a key without certificates needs no CA', async () => {
    const { engine, pki, root, leafFor } = await setup();
    const rootOut = await engine.compromiseKey(root.ca.keyId);
    expect(rootOut.certificates).toHaveLength(1);
    expect(rootOut.certificates[0]).toMatchObject({ certId: root.cert.id, revoked: false });
    expect(rootOut.certificates[0]!.why).toMatch(/root/);
    expect((await pki.getCertificate(root.cert.id)).status).toBe('valid');

    const { key, cert } = await leafFor('dave', 'dave.example.test');
    const held = await engine.revokeKey(key.id, 'certificateHold');
    expect(held.state).toBe('suspended');
    expect(held.certificates).toEqual([{ certId: cert.id, keyId: key.id, reason: 'certificateHold', revoked: false, why: expect.stringMatching(/stays valid/) }]);
    expect((await pki.getCertificate(cert.id)).status).toBe('valid');

    const plain = await engine.generateKey({ template: 'AES-GCM-256', name: 'no certs' });
    expect((await engine.compromiseKey(plain.id)).certificates).toEqual([]);
  });
});
