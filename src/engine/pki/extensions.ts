/**
 * X.509 v3 extensions Clavis writes (RFC 5280 §4.2), and the checks on their inputs:
 * SAN entries, name constraints, URLs. Each encoder returns a complete `Extension`
 * SEQUENCE so `issue.ts` only decides which ones a profile gets.
 */
import { EngineError } from '../errors';
import { utf8 } from '../internal/bytes';
import * as OIDS from '../internal/oids';
import { bool, implicitConstructed, implicitPrimitive, namedBits, octetString, oid, seq, uint } from '../internal/der';


/**
 * Extension and related OIDs, from the engine's one table (src/engine/internal/oids.ts). Named
 * one by one so a bundle keeps only these (a re-exported namespace would keep every OID).
 */
export const OID = {
  subjectKeyIdentifier: OIDS.subjectKeyIdentifier,
  keyUsage: OIDS.keyUsage,
  subjectAltName: OIDS.subjectAltName,
  basicConstraints: OIDS.basicConstraints,
  cRLNumber: OIDS.cRLNumber,
  reasonCode: OIDS.reasonCode,
  invalidityDate: OIDS.invalidityDate,
  nameConstraints: OIDS.nameConstraints,
  cRLDistributionPoints: OIDS.cRLDistributionPoints,
  certificatePolicies: OIDS.certificatePolicies,
  authorityKeyIdentifier: OIDS.authorityKeyIdentifier,
  extKeyUsage: OIDS.extKeyUsage,
  authorityInfoAccess: OIDS.authorityInfoAccess,
  caIssuers: OIDS.caIssuers,
  extensionRequest: OIDS.extensionRequest,
  serverAuth: OIDS.serverAuth,
  clientAuth: OIDS.clientAuth,
  codeSigning: OIDS.codeSigning,
  emailProtection: OIDS.emailProtection,
  emailAddress: OIDS.emailAddress,
  sha1WithRSAEncryption: OIDS.sha1WithRSAEncryption,
  ecdsaWithSHA1: OIDS.ecdsaWithSHA1,
} as const;

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/** One Extension: extnID, critical (only when TRUE: DEFAULT FALSE is omitted in DER), extnValue. */
export function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array<ArrayBuffer> {
  return critical ? seq(oid(id), bool(true), octetString(value)) : seq(oid(id), octetString(value));
}

export function basicConstraints(ca: boolean, pathLen?: number): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  if (ca) parts.push(bool(true));
  if (ca && pathLen !== undefined) parts.push(uint(pathLen));
  return extension(OID.basicConstraints, true, seq(...parts));
}

export function keyUsage(usages: KeyUsageName[]): Uint8Array<ArrayBuffer> {
  return extension(OID.keyUsage, true, namedBits(usages.map((u) => KEY_USAGE_BITS[u])));
}

export function extKeyUsage(oids: string[]): Uint8Array<ArrayBuffer> {
  return extension(OID.extKeyUsage, false, seq(...oids.map(oid)));
}

export function subjectKeyIdentifier(ski: Uint8Array): Uint8Array<ArrayBuffer> {
  return extension(OID.subjectKeyIdentifier, false, octetString(ski));
}

export function authorityKeyIdentifier(ski: Uint8Array): Uint8Array<ArrayBuffer> {
  return extension(OID.authorityKeyIdentifier, false, seq(implicitPrimitive(0, ski)));
}

export function crlDistributionPoint(url: string): Uint8Array<ArrayBuffer> {
  // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames { [6] URI } } }
  return extension(OID.cRLDistributionPoints, false, seq(seq(implicitConstructed(0, implicitConstructed(0, implicitPrimitive(6, utf8(url)))))));
}

export function authorityInfoAccess(caIssuersUrl: string): Uint8Array<ArrayBuffer> {
  return extension(OID.authorityInfoAccess, false, seq(seq(oid(OID.caIssuers), implicitPrimitive(6, utf8(caIssuersUrl)))));
}

// ---------------------------------------------------------------------------------------
// Subject alternative names

/** SAN entries by kind. All optional. */
export interface SubjectAltNames {
  dns?: string[];
  ip?: string[];
  email?: string[];
  uri?: string[];
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Lower-cases and checks a DNS name (LDH labels, optional leading `*.`). Returns the normal form. */
export function checkDnsName(name: string, opts: { wildcard: boolean; what: string }): string {
  const n = typeof name === 'string' ? name.trim().toLowerCase().replace(/\.$/, '') : '';
  const bad = () => new EngineError('INVALID_ARGUMENT', `pki: ${opts.what} "${String(name).slice(0, 80)}" is not a valid DNS name`);
  if (n.length === 0 || n.length > 253) throw bad();
  const labels = n.split('.');
  const wild = labels[0] === '*';
  if (wild && (!opts.wildcard || labels.length < 3)) throw bad();
  for (const l of wild ? labels.slice(1) : labels) if (!LABEL.test(l)) throw bad();
  if (/^\d+$/.test(labels[labels.length - 1]!)) throw bad();
  return n;
}

/** Parses an IPv4 or IPv6 address into its 4 or 16 bytes. @throws INVALID_ARGUMENT */
export function parseIp(text: string, what = 'IP address'): Uint8Array<ArrayBuffer> {
  const s = typeof text === 'string' ? text.trim() : '';
  const bad = () => new EngineError('INVALID_ARGUMENT', `pki: ${what} "${String(text).slice(0, 60)}" is not an IP address`);
  const v4 = (x: string): number[] | undefined => {
    const parts = x.split('.');
    if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255)) return undefined;
    return parts.map(Number);
  };
  if (!s.includes(':')) {
    const b = v4(s);
    if (!b) throw bad();
    return Uint8Array.from(b);
  }
  let head = s;
  let tail4: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const b = v4(s.slice(lastColon + 1));
    if (!b) throw bad();
    tail4 = b;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) throw bad();
  const group = (h: string) => (h === '' ? [] : h.split(':'));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) throw bad();
  const missing = 8 - left.length - right.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) throw bad();
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right].map((g) => parseInt(g, 16));
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  if (tail4.length) out.set(tail4, 12);
  return out;
}

/** Checks an e-mail address (ASCII local part; RFC 5280 rfc822Name is IA5). */
export function checkEmail(addr: string, what = 'e-mail address'): string {
  const s = typeof addr === 'string' ? addr.trim() : '';
  const at = s.lastIndexOf('@');
  if (at < 1 || s.length > 254 || !/^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$/.test(s.slice(0, at))) {
    throw new EngineError('INVALID_ARGUMENT', `pki: ${what} "${String(addr).slice(0, 80)}" is not a valid address`);
  }
  return `${s.slice(0, at)}@${checkDnsName(s.slice(at + 1), { wildcard: false, what })}`;
}

/** Checks a URI: an absolute http(s)/ldap/urn-style URI in printable ASCII. */
export function checkUri(uri: string, what = 'URI'): string {
  const s = typeof uri === 'string' ? uri.trim() : '';
  if (s.length === 0 || s.length > 2048 || !/^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/.test(s)) {
    throw new EngineError('INVALID_ARGUMENT', `pki: ${what} "${String(uri).slice(0, 80)}" is not an absolute URI`);
  }
  return s;
}

/** Normalises SAN input for a profile. @throws INVALID_ARGUMENT */
export function checkSans(sans: SubjectAltNames | undefined, wildcard: boolean): Required<SubjectAltNames> {
  const s = sans ?? {};
  const list = (x: unknown, what: string): string[] => {
    if (x === undefined) return [];
    if (!Array.isArray(x) || x.length > 100) throw new EngineError('INVALID_ARGUMENT', `pki: ${what} must be a list of at most 100 entries`);
    return x as string[];
  };
  const uniq = (xs: string[]) => [...new Set(xs)];
  return {
    dns: uniq(list(s.dns, 'DNS names').map((d) => checkDnsName(d, { wildcard, what: 'DNS name' }))),
    ip: uniq(list(s.ip, 'IP addresses').map((i) => formatIp(parseIp(i)))),
    email: uniq(list(s.email, 'e-mail addresses').map((e) => checkEmail(e))),
    uri: uniq(list(s.uri, 'URIs').map((u) => checkUri(u))),
  };
}

/** The SANs a certificate will carry, and the one (if any) taken from the common name. */
export interface CertificateSans {
  sans: Required<SubjectAltNames>;
  /** Set when a TLS server's common name was added as a SAN (BR 7.1.4.3). */
  fromCommonName?: { kind: 'dns' | 'ip'; value: string };
}

/**
 * The subjectAltNames a certificate of `profile` is issued with: the checked `sans`, and
 * for a TLS server also its common name when that is a host name or an IPv4 address (BR
 * 7.1.4.3: a TLS server's CN must also be in the SAN). Issuance and the issue form's
 * preview both call this, so the preview shows exactly what is signed.
 * @throws INVALID_ARGUMENT for a SAN that is not a valid name of its kind
 */
export function certificateSans(profile: string, commonName: string | undefined, sans: SubjectAltNames | undefined): CertificateSans {
  const out = checkSans(sans, profile === 'tls-server');
  if (profile !== 'tls-server' || !commonName) return { sans: out };
  const ip = addressOf(commonName);
  if (ip) {
    const text = ip.length === 4 ? commonName.trim() : undefined;
    if (text && !out.ip.includes(text)) {
      out.ip.push(text);
      return { sans: out, fromCommonName: { kind: 'ip', value: text } };
    }
    return { sans: out };
  }
  try {
    const dns = checkDnsName(commonName, { wildcard: true, what: 'common name' });
    if (!out.dns.includes(dns)) {
      out.dns.unshift(dns);
      return { sans: out, fromCommonName: { kind: 'dns', value: dns } };
    }
  } catch {
    // Not a host name: the SAN list must stand on its own (linted at issuance).
  }
  return { sans: out };
}

/** The address `text` names, or undefined; only text shaped like an address is parsed (no exception per host name). */
function addressOf(text: string): Uint8Array<ArrayBuffer> | undefined {
  const t = text.trim();
  if (!/^[\d.]+$/.test(t) && !t.includes(':')) return undefined;
  try {
    return parseIp(t);
  } catch {
    return undefined;
  }
}

/** Canonical text of a 4- or 16-byte address. */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return [...b].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

export const sanCount = (s: Required<SubjectAltNames>) => s.dns.length + s.ip.length + s.email.length + s.uri.length;

/** GeneralNames for checked SANs. */
export function generalNames(s: Required<SubjectAltNames>): Uint8Array[] {
  return [
    ...s.email.map((e) => implicitPrimitive(1, utf8(e))),
    ...s.dns.map((d) => implicitPrimitive(2, utf8(d))),
    ...s.uri.map((u) => implicitPrimitive(6, utf8(u))),
    ...s.ip.map((i) => implicitPrimitive(7, parseIp(i))),
  ];
}

/** subjectAltName; critical when the subject is empty (RFC 5280 §4.2.1.6). */
export function subjectAltName(s: Required<SubjectAltNames>, critical: boolean): Uint8Array<ArrayBuffer> {
  return extension(OID.subjectAltName, critical, seq(...generalNames(s)));
}

// ---------------------------------------------------------------------------------------
// Name constraints (RFC 5280 §4.2.1.10)

/**
 * Subtrees by kind. `dns`: `example.test` (itself and below) or `.example.test` (below
 * only); `email`: a mailbox, a host, or `.domain`; `uri`: a host or `.domain`; `ip`:
 * CIDR (`10.0.0.0/8`, `2001:db8::/32`). Clavis writes no directoryName constraints, but
 * checks foreign ones (name-constraints.ts).
 */
export interface NameSubtrees {
  dns?: string[];
  ip?: string[];
  email?: string[];
  uri?: string[];
}

/** Permitted and excluded subtrees for an intermediate CA. */
export interface NameConstraints {
  permitted?: NameSubtrees;
  excluded?: NameSubtrees;
}

function checkDomainConstraint(d: string, what: string): string {
  // A leading dot means "subdomains only" for e-mail and URI hosts (RFC 5280 4.2.1.10).
  const dot = d.startsWith('.');
  return (dot ? '.' : '') + checkDnsName(dot ? d.slice(1) : d, { wildcard: false, what });
}

/**
 * A DNS name constraint is a plain domain (RFC 5280 4.2.1.10): it covers the domain and
 * every name below it. The leading-dot form some tools accept is not a dNSName, and
 * validators that follow RFC 5280 (and x509-limbo) refuse a CA that carries one.
 */
function checkDnsConstraint(d: string): string {
  if (String(d).startsWith('.')) {
    throw new EngineError('INVALID_ARGUMENT', `pki: a DNS name constraint is a domain without a leading dot: "${String(d).slice(1, 61)}" covers that domain and every name below it (RFC 5280 4.2.1.10)`);
  }
  return checkDnsName(d, { wildcard: false, what: 'name-constraint DNS name' });
}

function cidr(text: string): Uint8Array<ArrayBuffer> {
  const [addr, bitsText, ...rest] = String(text).split('/');
  const bits = Number(bitsText);
  const a = parseIp(addr ?? '', 'name-constraint IP range');
  if (rest.length || !Number.isInteger(bits) || bits < 0 || bits > a.length * 8) {
    throw new EngineError('INVALID_ARGUMENT', `pki: name-constraint IP range "${String(text).slice(0, 60)}" must be CIDR like 10.0.0.0/8`);
  }
  const mask = new Uint8Array(a.length);
  for (let i = 0; i < bits; i++) mask[i >> 3] = (mask[i >> 3] ?? 0) | (0x80 >> (i & 7));
  const out = new Uint8Array(a.length * 2);
  a.forEach((b, i) => (out[i] = b & mask[i]!));
  out.set(mask, a.length);
  return out;
}

function subtrees(t: NameSubtrees): Uint8Array[] {
  const list = (x: unknown) => (Array.isArray(x) ? (x as string[]) : x === undefined ? [] : (() => {
    throw new EngineError('INVALID_ARGUMENT', 'pki: name-constraint entries must be lists');
  })());
  const sub = (gn: Uint8Array) => seq(gn);
  return [
    ...list(t.email).map((e) => sub(implicitPrimitive(1, utf8(e.includes('@') ? checkEmail(e, 'name-constraint mailbox') : checkDomainConstraint(e, 'name-constraint e-mail domain'))))),
    ...list(t.dns).map((d) => sub(implicitPrimitive(2, utf8(checkDnsConstraint(d))))),
    ...list(t.uri).map((u) => sub(implicitPrimitive(6, utf8(checkDomainConstraint(u, 'name-constraint URI host'))))),
    ...list(t.ip).map((i) => sub(implicitPrimitive(7, cidr(i)))),
  ];
}

/** nameConstraints, critical as RFC 5280 requires. Undefined when both lists are empty. */
export function nameConstraints(nc: NameConstraints | undefined): Uint8Array<ArrayBuffer> | undefined {
  if (!nc) return undefined;
  const p = subtrees(nc.permitted ?? {});
  const x = subtrees(nc.excluded ?? {});
  if (p.length === 0 && x.length === 0) return undefined;
  const parts: Uint8Array[] = [];
  if (p.length) parts.push(implicitConstructed(0, ...p));
  if (x.length) parts.push(implicitConstructed(1, ...x));
  return extension(OID.nameConstraints, true, seq(...parts));
}

/** SKI per RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
export async function keyIdentifier(subtle: SubtleCrypto, subjectPublicKey: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await subtle.digest('SHA-1', subjectPublicKey.slice()));
}

