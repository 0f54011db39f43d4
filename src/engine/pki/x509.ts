/**
 * The CA's view of certificates and CRLs: the signed envelope (`splitSigned`), a
 * TBSCertificate with its values kept as encoded so the lint can judge them, and the
 * extension decoders under the names the CA uses. Nothing here reads X.509 a second
 * time: the envelope, the TBSCertificate and the TBSCertList are `readSigned`,
 * `readTbsCertificate` and `readTbsCertList` (internal/x509-layout.ts) and each
 * extension is decoded by its one home, validate/extension-values.ts, both strict on
 * the engine's one DER reader. The CA reads only what it wrote itself, so it never
 * needs a more lenient reading than the verifier's.
 */
import { MalformedInputError } from '../errors';
import { fromUtf8 } from '../internal/bytes';
import { TAG, bitIsSet, contentOf, elementOf, parseDer, type DerElement, type Tlv } from '../internal/der';
import { readSigned, readTbsCertificate } from '../internal/x509-layout';
import { decodeTime } from '../internal/time';
import {
  decodeAuthorityKeyIdentifier,
  decodeBasicConstraints,
  decodeExtKeyUsage,
  decodeExtensionList,
  decodeGeneralNames,
  decodeKeyUsage,
  decodeSubjectKeyIdentifier,
  generalNameTlv,
  type ListedExtension,
} from './validate/extension-values';

/** One parsed extension (`value` is the extnValue content; `explicitFalse` when critical FALSE was written out). */
export type ParsedExtension = ListedExtension;

/** A time field with its tag and text, so encodings can be linted. */
export interface ParsedTime {
  tag: number;
  text: string;
  /** Undefined when the text is not a strict DER time. */
  date: Date | undefined;
}

/** The parts of a TBSCertificate. */
export interface TbsCertificateParts {
  raw: Uint8Array;
  /** Version number as encoded (2 means v3); 0 when the field is absent (v1). */
  version: number;
  serial: Uint8Array;
  signatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  notBefore: ParsedTime;
  notAfter: ParsedTime;
  subject: Uint8Array;
  spki: Uint8Array;
  extensions: ParsedExtension[];
}

/** A signed object: TBS bytes, outer algorithm, signature. */
export interface SignedParts {
  tbs: Uint8Array;
  signatureAlgorithm: Uint8Array;
  signature: Uint8Array;
}

function fail(what: string): never {
  throw new MalformedInputError(`pki: ${what}`);
}

/** Splits `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }` (a view of `readSigned`, the one home). @throws MALFORMED_INPUT */
export function splitSigned(der: Uint8Array, what: string): SignedParts {
  const s = readSigned(der, what);
  return { tbs: s.tbs.encoded, signatureAlgorithm: s.algorithm.encoded, signature: s.signature };
}

/** A time field with its tag and text; `date` only when it is a strict whole-second DER time. @throws MALFORMED_INPUT when it is no time at all */
export function parseTime(t: Tlv | DerElement | undefined): ParsedTime {
  if (!t || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME)) fail('a time field is missing or of the wrong type');
  const text = fromUtf8('content' in t ? t.content : contentOf(t));
  return { tag: t.tag, text, date: decodeTime(t.tag, text) };
}

/** Parses an `Extensions` SEQUENCE (view of `decodeExtensionList`, the one home). @throws MALFORMED_INPUT */
export function parseExtensions(t: Tlv): ParsedExtension[] {
  return decodeExtensionList(elementOf(t));
}

/**
 * Parses a TBSCertificate with the verifier's field reader (`readTbsCertificate`), so the
 * lint and the verifier agree on the layout; the values stay as encoded for the lint to
 * judge (a non-minimal serial or a fractional time is a finding, not a parse error).
 * @throws MALFORMED_INPUT
 */
export function parseTbsCertificate(tbs: Uint8Array): TbsCertificateParts {
  const f = readTbsCertificate(parseDer(tbs));
  return {
    raw: tbs,
    version: f.version - 1,
    serial: f.serial.content,
    signatureAlgorithm: f.signature.encoded,
    issuer: f.issuer.encoded,
    notBefore: parseTime(f.notBefore),
    notAfter: parseTime(f.notAfter),
    subject: f.subject.encoded,
    spki: f.spki.encoded,
    extensions: f.extensions ? decodeExtensionList(parseDer(f.extensions.content)) : [],
  };
}

/** Parses a whole certificate into its signed parts and TBS parts. */
export function parseCertificate(der: Uint8Array): SignedParts & { parts: TbsCertificateParts } {
  const s = splitSigned(der, 'certificate');
  return { ...s, parts: parseTbsCertificate(s.tbs) };
}

// The CA's names for the extension decoders: the same functions as their one home
// (validate/extension-values.ts, strict), or thin views of them, never second readers.

/** The keyIdentifier of an AKI extension value, if present (view of `decodeAuthorityKeyIdentifier`). @throws MALFORMED_INPUT */
export function akiKeyId(value: Uint8Array): Uint8Array | undefined {
  return decodeAuthorityKeyIdentifier(value).keyId;
}

/** The SKI extension value's key identifier (the same function as `decodeSubjectKeyIdentifier`). */
export const skiValue = decodeSubjectKeyIdentifier;

/** basicConstraints: cA, pathLen, cA FALSE written out (the same function as `decodeBasicConstraints`). */
export const parseBasicConstraints = decodeBasicConstraints;

/** keyUsage bit numbers that are set (view of `decodeKeyUsage`). @throws MALFORMED_INPUT */
export function parseKeyUsage(value: Uint8Array): Set<number> {
  const bits = decodeKeyUsage(value);
  const out = new Set<number>();
  for (let n = 0; n < bits.bytes.length * 8; n++) if (bitIsSet(bits, n)) out.add(n);
  return out;
}

/** extKeyUsage OIDs (the same function as `decodeExtKeyUsage`). */
export const parseExtKeyUsage = decodeExtKeyUsage;

/** GeneralNames as tag + content (SAN, CSR SAN; view of `decodeGeneralNames`). @throws MALFORMED_INPUT */
export function parseGeneralNames(value: Uint8Array): Array<{ tag: number; content: Uint8Array }> {
  return decodeGeneralNames(value).map(generalNameTlv);
}
