/**
 * A strict structural reader for certificates, CRLs and their TBS parts, on top of the
 * DER walker. The lint reads what was encoded through it, and the CA reads its own
 * certificates' subject, SKI and validity through it; foreign input is parsed with
 * pkijs (see `csr.ts`, `verify.ts`).
 */
import { MalformedInputError } from '../errors';
import { fromUtf8 } from '../internal/bytes';
import { TAG, children, contentOf, oidToString, rawOf, readTop, type Tlv, decodeBoolean, elementOf } from '../internal/der';
import { decodeTime } from '../internal/time';

/** One parsed extension. */
export interface ParsedExtension {
  oid: string;
  critical: boolean;
  /** The extnValue OCTET STRING's content (the DER of the extension value). */
  value: Uint8Array;
  /** True when `critical` was encoded explicitly as FALSE (not DER). */
  explicitFalse: boolean;
}

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

/** Parses an `Extensions` SEQUENCE. */
export function parseExtensions(t: Tlv): ParsedExtension[] {
  return children(t).map((e) => {
    const c = children(e);
    const id = c[0];
    if (!id || id.tag !== TAG.OID) fail('an extension has no OID');
    let critical = false;
    let explicitFalse = false;
    let i = 1;
    if (c[i]?.tag === TAG.BOOLEAN) {
      critical = decodeBoolean(elementOf(c[i]!), 'the critical flag of an extension');
      explicitFalse = !critical;
      i++;
    }
    const v = c[i];
    if (!v || v.tag !== TAG.OCTET_STRING || c.length !== i + 1) fail('an extension value is malformed');
    return { oid: oidToString(contentOf(id)), critical, value: contentOf(v), explicitFalse };
  });
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

/** The keyIdentifier inside an AKI extension value, if present. */
export function akiKeyId(value: Uint8Array): Uint8Array | undefined {
  const top = readTop(value, TAG.SEQUENCE);
  const k = children(top).find((x) => x.tag === 0x80);
  return k ? contentOf(k) : undefined;
}

/** The SKI extension value's key identifier. */
export function skiValue(value: Uint8Array): Uint8Array {
  return contentOf(readTop(value, TAG.OCTET_STRING));
}

/** basicConstraints: cA and pathLen. */
export function parseBasicConstraints(value: Uint8Array): { ca: boolean; pathLen?: number; explicitFalse: boolean } {
  const c = children(readTop(value, TAG.SEQUENCE));
  let ca = false;
  let explicitFalse = false;
  let pathLen: number | undefined;
  for (const x of c) {
    if (x.tag === TAG.BOOLEAN) {
      ca = contentOf(x)[0] !== 0;
      explicitFalse = !ca;
    } else if (x.tag === TAG.INTEGER) {
      pathLen = [...contentOf(x)].reduce((n, b) => n * 256 + b, 0);
    }
  }
  return pathLen === undefined ? { ca, explicitFalse } : { ca, pathLen, explicitFalse };
}

/** keyUsage bit numbers that are set. */
export function parseKeyUsage(value: Uint8Array): Set<number> {
  const c = contentOf(readTop(value, TAG.BIT_STRING));
  const out = new Set<number>();
  for (let i = 1; i < c.length; i++) for (let b = 0; b < 8; b++) if (c[i]! & (0x80 >> b)) out.add((i - 1) * 8 + b);
  return out;
}

/** extKeyUsage OIDs. */
export function parseExtKeyUsage(value: Uint8Array): string[] {
  return children(readTop(value, TAG.SEQUENCE)).map((x) => oidToString(contentOf(x)));
}

/** GeneralNames as tag + raw content (SAN, name-constraint bases). */
export function parseGeneralNames(value: Uint8Array): Array<{ tag: number; content: Uint8Array }> {
  return children(readTop(value, TAG.SEQUENCE)).map((x) => ({ tag: x.tag, content: contentOf(x) }));
}


