/**
 * Certificate bundles for people installing a chain elsewhere: a PEM file with every
 * certificate up to and including the root, and a "certs-only" PKCS#7 (.p7b, RFC 5652
 * §5 SignedData with no signers, RFC 2315 §9.1's degenerate case) that Windows, Java
 * keytool and `openssl pkcs7 -print_certs` read.
 */
import * as OID from '../internal/oids';
import { compareBytes, oid, seq, tlv, tlvList, uint, explicit, TAG } from '../internal/der';

const OID_SIGNED_DATA = OID.signedData;
const OID_DATA = OID.data;

/**
 * A DER ContentInfo holding a SignedData whose only content is `certificates` (DER
 * X.509). The SET OF is sorted as DER requires; order carries no meaning in PKCS#7.
 */
export function certsOnlyPkcs7(certificates: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const signedData = seq(
    uint(1), // CMSVersion 1: no attribute certificates, id-data content (RFC 5652 §5.1)
    tlv(TAG.SET), // digestAlgorithms: none
    seq(oid(OID_DATA)), // encapContentInfo without content
    tlvList(0xa0, [...certificates].sort(compareBytes)), // certificates [0] IMPLICIT SET OF
    tlv(TAG.SET), // signerInfos: none
  );
  return seq(oid(OID_SIGNED_DATA), explicit(0, signedData));
}
