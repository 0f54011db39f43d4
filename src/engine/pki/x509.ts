/**
 * A strict structural reader for certificates, CRLs and their TBS parts, on top of the
 * DER walker. The lint reads what was encoded through it, and the CA reads its own
 * certificates' subject, SKI and validity through it; foreign input is parsed with
 * pkijs (see `csr.ts`, `verify.ts`).
 */
import { MalformedInputError } from '../errors';
import { fromUtf8 } from '../internal/bytes';
import { TAG, bitIsSet, children, contentOf, elementOf, rawOf, readTop, type Tlv } from '../internal/der';
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

/** Splits `SEQUENCE { tbs, AlgorithmIdentifier, BIT STRING }`. @throws MALFORMED_INPUT */
export function splitSigned(der: Uint8Array, what: string): SignedParts {
  const top = readTop(der, TAG.SEQUENCE);
  const parts = children(top);
  if (parts.length !== 3 || parts[0]!.tag !== TAG.SEQUENCE || parts[1]!.tag !== TAG.SEQUENCE || parts[2]!.tag !== TAG.BIT_STRING) fail(`the ${what} is not a signed structure`);
  const sig = contentOf(parts[2]!);
  if (sig[0] !== 0) fail(`the ${what} signature has unused bits`);
  return { tbs: rawOf(parts[0]!), signatureAlgorithm: rawOf(parts[1]!), signature: sig.subarray(1) };
}

export function parseTime(t: Tlv | undefined): ParsedTime {
  if (!t || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME)) fail('a time field is missing or of the wrong type');
  const text = fromUtf8(contentOf(t));
  return { tag: t.tag, text, date: decodeTime(t.tag, text) };
}

/** Parses an `Extensions` SEQUENCE (view of `decodeExtensionList`, the one home). @throws MALFORMED_INPUT */
export function parseExtensions(t: Tlv): ParsedExtension[] {
  return decodeExtensionList(elementOf(t));
}

/** Parses a TBSCertificate. @throws MALFORMED_INPUT */
export function parseTbsCertificate(tbs: Uint8Array): TbsCertificateParts {
  const top = readTop(tbs, TAG.SEQUENCE);
  const c = children(top);
  let i = 0;
  let version = 0;
  if (c[0]?.tag === 0xa0) {
    const v = readTop(contentOf(c[0]), TAG.INTEGER);
    version = contentOf(v)[0] ?? 0;
    i = 1;
  }
  const serial = c[i++];
  const alg = c[i++];
  const issuer = c[i++];
  const validity = c[i++];
  const subject = c[i++];
  const spki = c[i++];
  if (!serial || serial.tag !== TAG.INTEGER || !alg || !issuer || !validity || !subject || !spki) fail('the certificate body is incomplete');
  const [nb, na] = children(validity);
  let extensions: ParsedExtension[] = [];
  for (; i < c.length; i++) {
    if (c[i]!.tag === 0xa3) extensions = parseExtensions(readTop(contentOf(c[i]!), TAG.SEQUENCE));
  }
  return {
    raw: tbs,
    version,
    serial: contentOf(serial),
    signatureAlgorithm: rawOf(alg),
    issuer: rawOf(issuer),
    notBefore: parseTime(nb),
    notAfter: parseTime(na),
    subject: rawOf(subject),
    spki: rawOf(spki),
    extensions,
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
