import { describe, expect, it } from 'vitest';
import type { Engine } from './api';
import type { CaId, CertId, KeyId } from './ids';
import type { Pki } from './pki';

// Type-level checks of the public verbs: each `@ts-expect-error` line fails to compile
// without its directive, so `tsc --noEmit` proves the engine refuses a mixed-up id.
// The functions are never called.
function mixUps(engine: Engine, pki: Pki, ids: { key: KeyId; ca: CaId; cert: CertId; text: string }) {
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
  // Records carry their brands: a certificate's ids pass straight back without a cast.
  void (async () => {
    const cert = await pki.getCertificate(ids.cert);
    await pki.getCa(cert.issuerId);
    if (cert.keyId) await engine.getKey(cert.keyId);
    const ca = await pki.getCa(ids.ca);
    await engine.getKey(ca.keyId);
    await pki.getCertificate(ca.certId);
  });
}

describe('the engine API types', () => {
  it('compile only with the right kind of id (checked by tsc)', () => {
    expect(typeof mixUps).toBe('function');
  });
});
