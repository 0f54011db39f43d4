import { describe, expect, it } from 'vitest';
import type { Engine } from './api';
import type { CaId, CertId, KdcKeyId, KdcRunId, KeyId, KeyringId, PrincipalId } from './ids';
import type { Kdc } from './kdc';
import type { Pki } from './pki';

// Type-level checks of the public verbs: each `@ts-expect-error` line fails to compile
// without its directive, so `tsc --noEmit` proves the engine refuses a mixed-up id.
// The functions are never called.
function mixUps(engine: Engine, pki: Pki, ids: { key: KeyId; ca: CaId; cert: CertId; keyring: KeyringId; text: string }) {
  // @ts-expect-error -- a CA id where a key id is required.
  void engine.getKey(ids.ca);
  // @ts-expect-error -- a certificate id where a key id is required.
  void engine.encrypt(ids.cert, new Uint8Array());
  // @ts-expect-error -- an unbranded string where a key id is required.
  void engine.destroyKey(ids.text);
  // @ts-expect-error -- a key id where a CA id is required.
  void pki.getCa(ids.key);
  // @ts-expect-error -- a CA id where a certificate id is required.
  void pki.revokeCertificate(ids.ca, { reason: 'superseded' });
  // @ts-expect-error -- a certificate id where a CA id is required.
  void pki.publishCrl(ids.cert);
  // @ts-expect-error -- a key id where a CA id is required, inside a params object.
  void pki.issueCertificate({ caId: ids.key, keyId: ids.key, profile: 'tls-server', subject: { CN: 'x' } });
  // @ts-expect-error -- a keyring's id where a key id (one of its versions) is required.
  void engine.getKey(ids.keyring);
  // Records carry their brands: a certificate's ids pass straight back without a cast.
  void (async () => {
    const version = await engine.getKey(ids.key);
    const ring: KeyringId = version.keyringId;
    // @ts-expect-error -- a key's keyring is not a key.
    void engine.destroyKey(ring);
    const cert = await pki.getCertificate(ids.cert);
    await pki.getCa(cert.issuerId);
    if (cert.keyId) await engine.getKey(cert.keyId);
    const ca = await pki.getCa(ids.ca);
    await engine.getKey(ca.keyId);
    await pki.getCertificate(ca.certId);
  });
}

// The KDC's verbs: a principal's id, a KDC key id and a run id are three kinds.
function kdcMixUps(kdc: Kdc, ids: { principal: PrincipalId; kdcKey: KdcKeyId; run: KdcRunId; key: KeyId; text: string }) {
  // @ts-expect-error -- a principal's id where a KDC key id is required.
  void kdc.revokeDistributedKey(ids.principal, 'keyCompromise');
  // @ts-expect-error -- a KDC key id where a principal's id is required.
  void kdc.verifyDistributedKey(ids.kdcKey, ids.kdcKey);
  // @ts-expect-error -- a vault key id where a KDC key id is required.
  void kdc.sendMessage(ids.key, ids.principal, 'hello');
  // @ts-expect-error -- an unbranded string where a principal's id is required.
  void kdc.suspendPrincipal(ids.text);
  // @ts-expect-error -- an unbranded string as a party of a run.
  void kdc.distribute({ client: ids.text, service: ids.principal });
  // @ts-expect-error -- a KDC key id where a run id is required.
  void kdc.nextStep(ids.kdcKey);
  // @ts-expect-error -- the arguments swapped: (requester, keyId), not (keyId, requester).
  void kdc.getKey(ids.kdcKey, ids.principal);
  // Records carry their brands: a run's ids and parties pass straight back without a cast.
  void (async () => {
    const run = await kdc.distribute({ client: ids.principal, service: ids.principal });
    await kdc.nextStep(run.id);
    if (run.keyId) await kdc.verifyDistributedKey(run.keyId, run.client);
    const [p] = await kdc.listPrincipals();
    if (p) await kdc.revokeKeysOf(p.name, 'superseded');
    const [k] = await kdc.listDistributedKeys();
    if (k?.parties[0]) await kdc.getKey(k.parties[0], k.id);
  });
}

describe('the engine API types', () => {
  it('compile only with the right kind of id (checked by tsc)', () => {
    expect(typeof mixUps).toBe('function');
    expect(typeof kdcMixUps).toBe('function');
  });
});
