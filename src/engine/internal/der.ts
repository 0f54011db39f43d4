/**
 * The engine's one strict DER reader and writer: key import and export (A5), ECDSA
 * signatures, the CA's certificate, CSR, CRL and PKCS #12 encoders and its lint (E1-E7),
 * the certificate and CRL parser of the path validator (E8, src/engine/pki/validate), the
 * exchange and the ASN.1 tree all use it, so a padded OID or a BER length is refused the
 * same way everywhere. There is one length decoder (`readHeader`, der-reader.ts) under
 * two views: element readers (`DerReader`, `parseDer`) and an offset walker (`readTlv`,
 * `children`, `readTop`) for large CRLs. The writer's short names (`tlv`, `seq`, `oid`,
 * …) are the same functions as its long ones (`encodeElement`, `encodeSequence`,
 * `encodeOid`, …). It reads the
 * universal types that SubjectPublicKeyInfo, PKCS#8, PBES2, certificates and CRLs need
 * (SEQUENCE, SET, INTEGER, BOOLEAN, OCTET STRING, OBJECT IDENTIFIER, NULL, BIT STRING,
 * the string types and the two time types) and context-specific tags.
 *
 * Strict means DER, not BER (X.690 §10): definite lengths only, in the shortest form;
 * minimal INTEGER encodings; OID subidentifiers without padding; BIT STRINGs of keys
 * with no unused bits; no bytes after the outermost element. Every violation throws
 * MALFORMED_INPUT with a message that names the problem and never echoes the input.
 * BOOLEANs are 0x00 or 0xFF; times are UTCTime YYMMDDHHMMSSZ or GeneralizedTime
 * YYYYMMDDHHMMSS[.f]Z with no trailing zero in the fraction (X.690 §11.7, RFC 5280 4.1.2.5).
 *
 * Common case:
 * ```ts
 * const r = new DerReader(bytes).sequence('SubjectPublicKeyInfo');
 * const alg = r.sequence('AlgorithmIdentifier');
 * const oid = decodeOid(alg.expect(TAG.OID, 'algorithm'));
 * ```
 *
 * This file is the layer's one entry point; each job has one home behind it:
 * der-reader.ts (tags, the length decoder, element readers, offset walker), der-decode.ts
 * (universal values), der-writer.ts (the writer) and oid-codec.ts (OBJECT IDENTIFIERs).
 */
export {
  children,
  contentOf,
  contextTag,
  DerReader,
  elementOf,
  MAX_DER_LENGTH,
  parseDer,
  rawOf,
  readSequence,
  readTlv,
  readTop,
  TAG,
  tagName,
  type DerElement,
  type Tlv,
} from './der-reader';
export {
  bitIsSet,
  bitLength,
  decodeBitString,
  decodeBoolean,
  decodeIntegerBytes,
  decodeNamedBits,
  decodeNull,
  decodeOctetString,
  decodeSmallInteger,
  decodeTime,
  decodeUnsignedInteger,
} from './der-decode';
export {
  bitString,
  bool,
  compareBytes,
  derNull,
  encodeBitString,
  encodeContext,
  encodeElement,
  encodeLength,
  encodeNull,
  encodeOctetString,
  encodeSequence,
  encodeUnsignedInteger,
  enumerated,
  explicit,
  ia5String,
  implicitConstructed,
  implicitPrimitive,
  namedBits,
  octetString,
  printableString,
  seq,
  setOf,
  tlv,
  tlvList,
  uint,
  uintBytes,
  utf8String,
} from './der-writer';
export { decodeOid, encodeOid, oid, oidToString } from './oid-codec';
