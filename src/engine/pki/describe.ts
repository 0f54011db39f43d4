/**
 * Read helpers for the certificate viewer and the CRL page (E5, E7): every extension of a
 * certificate decoded to plain text, SHA-256 and SHA-1 fingerprints, an ASN.1 tree of the
 * DER as plain JSON, and one page of a CRL's entries. Nothing here signs or stores; the
 * results are plain data the UI renders as text (SECURITY.md H5).
 *
 * Common case: `const d = await pki.describeCertificate(certId)`.
 */
import { EngineError, MalformedInputError } from '../errors';
import { fromUtf8, toHex } from '../internal/bytes';
import type { EngineContext } from '../keys/context';
import { parseSpki } from './algorithms';
import { TAG, contentOf, parseDer, readTop } from '../internal/der';
import { crlEntries, readSigned, readTbsCertList, type CrlEntryFields } from '../internal/x509-layout';
import { OID_NAMES } from '../internal/oid-names';
import { asn1Tree, hexValue, tagLabel, type Asn1Node } from '../internal/asn1-tree';
import { OID, KEY_USAGE_BITS, formatIp } from './extensions';
import { decodeName, formatName } from './names';
import { serialHex } from './serial';
import { decodeTime } from '../internal/time';
import { akiKeyId, parseBasicConstraints, parseCertificate, parseExtKeyUsage, parseExtensions, parseKeyUsage, parseTime, skiValue } from './x509';
import { REASON_NAMES } from './crl';
import type { GeneralName } from './validate/cert-types';
import { algorithm } from './validate/parse-extensions';
import { decodeAuthorityInfoAccess, decodeCertificatePolicies, decodeCrlDistributionPoints, decodeGeneralNames, decodeNameConstraints, decodeReasonCode, generalNameTlv } from './validate/extension-values';

export { asn1Tree, type Asn1Node };

/** One extension, decoded to lines of text. */
export interface DecodedExtension {
  oid: string;
  name: string;
  critical: boolean;
  /** Human-readable lines ("DNS: app.test", "CA: true"). */
  values: string[];
}

/** Everything the certificate viewer shows that `CertInfo` does not carry. */
export interface CertificateDetails {
  version: number;
  serialHex: string;
  signatureAlgorithm: string;
  publicKey: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  extensions: DecodedExtension[];
  fingerprints: { sha256: string; sha1: string };
  /** Size of the DER in bytes. */
  size: number;
  asn1: Asn1Node;
}

/** One revoked certificate as the CRL lists it. */
export interface CrlEntry {
  serialHex: string;
  revocationDate: string;
  reason?: string;
  invalidityDate?: string;
}

/** One GeneralName as "DNS: x", "IP: y", …; `constraint` formats IP address+mask as CIDR. */
function generalName(g: GeneralName, constraint = false): string {
  switch (g.type) {
    case 'email':
      return `E-mail: ${g.value}`;
    case 'dns':
      return `DNS: ${g.value}`;
    case 'uri':
      return `URI: ${g.value}`;
    case 'ip': {
      const c = g.bytes;
      if (!constraint) return `IP: ${formatIp(c)}`;
      const half = c.length / 2;
      let bits = 0;
      for (const b of c.subarray(half)) for (let i = 7; i >= 0; i--) if (b & (1 << i)) bits++;
      return `IP: ${formatIp(c.subarray(0, half))}/${bits}`;
    }
    case 'dn':
      return `Directory name: ${formatName(decodeName(g.name.der))}`;
    default: {
      const t = generalNameTlv(g);
      return `${tagLabel(t.tag)}: ${hexValue(t.content)}`;
    }
  }
}

const KU_NAMES = Object.fromEntries(Object.entries(KEY_USAGE_BITS).map(([k, v]) => [v, k])) as Record<number, string>;
const oidName = (o: string) => (OID_NAMES[o] ? `${OID_NAMES[o]} (${o})` : o);

/** Decodes one extension value to lines of text; unknown ones as hex. */
export function decodeExtension(oid: string, value: Uint8Array): string[] {
  switch (oid) {
    case OID.basicConstraints: {
      const bc = parseBasicConstraints(value);
      return [`CA: ${bc.ca}`, ...(bc.ca ? [`Path length: ${bc.pathLen ?? 'unlimited'}`] : [])];
    }
    case OID.keyUsage:
      return [...parseKeyUsage(value)].sort((a, b) => a - b).map((b) => KU_NAMES[b] ?? `bit ${b}`);
    case OID.extKeyUsage:
      return parseExtKeyUsage(value).map(oidName);
    case OID.subjectKeyIdentifier:
      return [toHex(skiValue(value))];
    case OID.authorityKeyIdentifier: {
      const k = akiKeyId(value);
      return k ? [`Key identifier: ${toHex(k)}`] : ['(no key identifier)'];
    }
    case OID.subjectAltName:
      return decodeGeneralNames(value).map((g) => generalName(g));
    case OID.nameConstraints: {
      const nc = decodeNameConstraints(value);
      return [...(nc.permitted ?? []).map((st) => `Permitted ${generalName(st.base, true)}`), ...(nc.excluded ?? []).map((st) => `Excluded ${generalName(st.base, true)}`)];
    }
    case OID.cRLDistributionPoints:
      // Every URI a distribution point names, its own and its CRL issuer's, in order.
      return decodeCrlDistributionPoints(value).flatMap((dp) => [...(dp.fullName ?? []), ...(dp.crlIssuer ?? [])].flatMap((g) => (g.type === 'uri' ? [`URI: ${g.value}`] : [])));
    case OID.authorityInfoAccess:
      return decodeAuthorityInfoAccess(value).map((ad) => `${OID_NAMES[ad.method] ?? ad.method} – ${generalName(ad.location)}`);
    case OID.certificatePolicies:
      return decodeCertificatePolicies(value).map((p) => oidName(p.oid));
    default:
      return [hexValue(value, 64)];
  }
}

function algorithmName(algDer: Uint8Array): string {
  const o = algorithm(parseDer(algDer)).oid;
  return OID_NAMES[o] ?? o;
}

function publicKeyText(spkiDer: Uint8Array): string {
  const t = parseSpki(spkiDer).type;
  if (t.kind === 'ec') return `ECDSA ${t.curve}`;
  if (t.kind === 'rsa') return `RSA ${t.bits} bits${t.pss ? ' (PSS only)' : ''}`;
  return t.name;
}

/** Decodes a certificate for the viewer. @throws MALFORMED_INPUT */
export async function describeCertificateDer(ctx: Pick<EngineContext, 'subtle'>, der: Uint8Array): Promise<CertificateDetails> {
  const { parts, signatureAlgorithm } = parseCertificate(der);
  const extensions = parts.extensions.map((x): DecodedExtension => {
    let values: string[];
    try {
      values = decodeExtension(x.oid, x.value);
    } catch {
      values = [`(could not be decoded) ${hexValue(x.value, 64)}`];
    }
    return { oid: x.oid, name: OID_NAMES[x.oid] ?? x.oid, critical: x.critical, values };
  });
  const [sha256, sha1] = await Promise.all(['SHA-256', 'SHA-1'].map(async (h) => toHex(await ctx.subtle.digest(h, der.slice()))));
  return {
    version: parts.version + 1,
    serialHex: serialHex(parts.serial),
    signatureAlgorithm: algorithmName(signatureAlgorithm),
    publicKey: publicKeyText(parts.spki),
    subject: formatName(decodeName(parts.subject)),
    issuer: formatName(decodeName(parts.issuer)),
    notBefore: parts.notBefore.date?.toISOString() ?? parts.notBefore.text,
    notAfter: parts.notAfter.date?.toISOString() ?? parts.notAfter.text,
    extensions,
    fingerprints: { sha256: sha256!, sha1: sha1! },
    size: der.length,
    asn1: asn1Tree(der),
  };
}

/** One revokedCertificates entry (read by `readCrlEntry`) as shown: serial, date, reason, invalidity date. Throws on bad DER. */
export function decodeCrlEntry(e: CrlEntryFields): CrlEntry {
  const entry: CrlEntry = { serialHex: serialHex(contentOf(e.serial)), revocationDate: parseTime(e.revocationDate).date?.toISOString() ?? '' };
  for (const x of e.extensions ? parseExtensions(e.extensions) : []) {
    if (x.oid === OID.reasonCode) {
      const code = decodeReasonCode(x.value);
      entry.reason = REASON_NAMES[code] ?? `reason ${code}`;
    } else if (x.oid === OID.invalidityDate) {
      const t = readTop(x.value, TAG.GENERALIZED_TIME);
      entry.invalidityDate = decodeTime(t.tag, fromUtf8(contentOf(t)))?.toISOString() ?? '';
    }
  }
  return entry;
}

/**
 * One page of a CRL's entries, in the CRL's order, read by the one layout reader
 * (`readTbsCertList`, `crlEntries`). Entries outside the page are checked but not
 * decoded, so a 100,000-entry CRL pages cheaply.
 * @throws MALFORMED_INPUT
 */
export function crlEntryPage(der: Uint8Array, offset: number, limit: number): { total: number; entries: CrlEntry[] } {
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new EngineError('INVALID_ARGUMENT', 'pki: a CRL page needs an offset ≥ 0 and a limit of 1–1000');
  }
  try {
    const { revoked } = readTbsCertList(readSigned(der, 'CRL').tbs.encoded);
    const entries: CrlEntry[] = [];
    let total = 0;
    for (const e of revoked ? crlEntries(revoked) : []) {
      if (total >= offset && total < offset + limit) entries.push(decodeCrlEntry(e));
      total++;
    }
    return { total, entries };
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: the CRL could not be read', { cause: e });
  }
}
