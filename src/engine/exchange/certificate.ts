/**
 * The two facts the exchange needs from a peer's certificate: the subject's common name
 * (the identity the certificate vouches for) and its SubjectPublicKeyInfo (the signing
 * key). They are read by the engine's one certificate parser (pki/validate/parse.ts, on
 * the one strict DER reader); the exchange never imports pkijs, and chain and CRL
 * validation go through the CA's `verifyChain`, loaded via `engine.pki()`.
 */
import { EngineError } from '../errors';
import * as OID from '../internal/oids';
import { parseCert } from '../pki/validate/parse';

/** What the exchange reads from a certificate. */
export interface CertificateFacts {
  /** The subject's common names (usually one). */
  commonNames: string[];
  /** DER SubjectPublicKeyInfo of the certified key. */
  spki: Uint8Array;
}

/** Reads subject CNs and SPKI. @throws CERT_INVALID when the bytes are not an X.509 certificate */
export function readCertificateFacts(der: Uint8Array): CertificateFacts {
  try {
    const cert = parseCert(der);
    const commonNames = cert.subject.rdns
      .flat()
      // A value that is not a string type is kept as `#hex` in `norm`; only strings name someone.
      .filter((a) => a.oid === OID.commonName && a.norm !== `#${a.text}`)
      .map((a) => a.text);
    return { commonNames, spki: cert.spki.slice() };
  } catch (e) {
    throw new EngineError('CERT_INVALID', 'exchange: the peer certificate is not a readable X.509 certificate', { cause: e });
  }
}
