/**
 * The two facts the exchange needs from a peer's certificate, read with the small DER
 * reader (the exchange never imports pkijs: chain and CRL validation go through the
 * CA's `verifyChain`, loaded via `engine.pki()`): the subject's common name (the
 * identity the certificate vouches for) and its SubjectPublicKeyInfo (the signing key).
 */
import { EngineError } from '../errors';
import { fromUtf8 } from '../internal/bytes';
import { DerReader, TAG, contextTag, decodeOid, readSequence } from '../keys/der';

const OID_CN = '2.5.4.3';
const SET = 0x31;
/** UTF8String, PrintableString, T61String, IA5String, BMPString. */
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1e]);

/** What the exchange reads from a certificate. */
export interface CertificateFacts {
  /** The subject's common names (usually one). */
  commonNames: string[];
  /** DER SubjectPublicKeyInfo of the certified key. */
  spki: Uint8Array;
}

function decodeString(tag: number, content: Uint8Array): string {
  if (tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < content.length; i += 2) s += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
    return s;
  }
  return fromUtf8(content);
}

/** Reads subject CNs and SPKI. @throws CERT_INVALID when the bytes are not an X.509 certificate */
export function readCertificateFacts(der: Uint8Array): CertificateFacts {
  try {
    const cert = readSequence(der, 'Certificate');
    const tbs = cert.sequence('TBSCertificate');
    tbs.optional(contextTag(0), 'version');
    tbs.expect(TAG.INTEGER, 'serial number');
    tbs.sequence('signature algorithm');
    tbs.sequence('issuer');
    tbs.sequence('validity');
    const subject = tbs.sequence('subject');
    const commonNames: string[] = [];
    while (!subject.done) {
      const rdn = new DerReader(subject.expect(SET, 'relative distinguished name').content, 'relative distinguished name');
      while (!rdn.done) {
        const atv = rdn.sequence('attribute');
        const oid = decodeOid(atv.expect(TAG.OID, 'attribute type'));
        const value = atv.next('attribute value');
        if (oid === OID_CN && STRING_TAGS.has(value.tag)) commonNames.push(decodeString(value.tag, value.content));
      }
    }
    const spki = tbs.expect(TAG.SEQUENCE, 'subject public key info').encoded;
    return { commonNames, spki: spki.slice() };
  } catch (e) {
    throw new EngineError('CERT_INVALID', 'exchange: the peer certificate is not a readable X.509 certificate', { cause: e });
  }
}
