// B8 / issue 14 #5: the simulated clock never writes state that real time then trusts.
// Decision: the simulated time moves key lifecycles and what the screens show; the CA
// signs, revokes and publishes at real time only, and the KDC never prunes its real
// replay cache under a simulated time. Both directions are tested: simulated time must
// not destroy real state (the replay cache), and state written while simulated must not
// be trusted wrongly at real time (a CRL dated a year ahead).
// Runs in Node (fake-indexeddb) and Chromium (real IndexedDB).
import { describe, expect, it } from 'vitest';
import { asPrincipalId } from '../ids';
import { fixedClock } from '..';
import { freshEngine } from '../../testing/engine';
import { KdcRefusal } from '../kdc/types';

const ALICE = asPrincipalId('alice');
const FILES = asPrincipalId('files');

const T0 = Date.UTC(2030, 0, 15, 9, 0, 0);
const DAY = 86_400_000;
const YEAR = 365 * DAY;

describe('simulated time never writes state real time trusts (issue 14 #5)', () => {
  it('D3 a KDC run at simulated +1 day leaves the real replay cache intact: a used authenticator stays refused', async () => {
    const { engine } = await freshEngine({ clock: fixedClock(T0) });
    const kdc = await engine.kdc();
    await kdc.registerPrincipal({ name: 'alice', kind: 'user' });
    await kdc.registerPrincipal({ name: 'files', kind: 'service' });
    const P = kdc.protocol;
    const run = async () => (await P.acceptReply(ALICE, await P.issue(await P.request(ALICE, FILES)))).apRequest;
    const real = await run();
    await P.serviceAccept(FILES, real);

    await engine.setSimulatedTime(T0 + DAY);
    // A whole run at the simulated time (its accept would prune entries "expired" by then).
    await P.serviceAccept(FILES, await run());
    await engine.setSimulatedTime(null);

    const e = await P.serviceAccept(FILES, real).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(KdcRefusal);
    expect((e as KdcRefusal).check).toBe('replay-cache');
  });

  it('R2 "+1 year" then "Rebuild now" publishes a CRL dated at real time; back at real time new certificates verify', async () => {
    const { engine } = await freshEngine({ clock: fixedClock(T0) });
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 0 });

    await engine.setSimulatedTime(T0 + YEAR);
    const crl = await pki.publishCrl(root.ca.id);
    expect(Date.parse(crl.thisUpdate)).toBeLessThanOrEqual(T0);
    await engine.setSimulatedTime(null);

    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'web' });
    const leaf = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'web.example.test' }, sans: { dns: ['web.example.test'] } });
    expect(Date.parse(leaf.cert.notBefore)).toBeLessThanOrEqual(T0);
    const v = await pki.verifyCertificate(leaf.cert.id, { usage: 'tls-server' });
    expect(v.revocation).toBe('good');
    expect(v.valid).toBe(true);
  });

  it('certificates issued while the clock is simulated are dated at real time; verification still follows the simulated time', async () => {
    const { engine } = await freshEngine({ clock: fixedClock(T0) });
    const pki = await engine.pki();
    const root = await pki.createRootCa({ name: 'Root', subject: { CN: 'Root' }, pathLen: 0 });
    const key = await engine.generateKey({ template: 'ECDSA-P-256', name: 'web' });
    await engine.setSimulatedTime(T0 + 30 * DAY);
    const leaf = await pki.issueCertificate({ caId: root.ca.id, keyId: key.id, profile: 'tls-server', subject: { CN: 'a.example.test' }, sans: { dns: ['a.example.test'] }, validityDays: 90 });
    expect(Date.parse(leaf.cert.notBefore)).toBeLessThanOrEqual(T0);
    // At simulated +2 years the 90-day certificate has expired: the view follows the simulated clock.
    await engine.setSimulatedTime(T0 + 2 * YEAR);
    expect((await pki.verifyCertificate(leaf.cert.id)).valid).toBe(false);
    await engine.setSimulatedTime(null);
    expect((await pki.verifyCertificate(leaf.cert.id)).valid).toBe(true);
  });
});
