/**
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.3 (b)(c), §6.1.4 (g)), checked by Clavis
 * itself, not by pkijs: at issuance, before anything is signed, against every CA above
 * the new certificate; and by `verifyChain` as its own named step.
 *
 * Matching rules, per name form:
 *   - dNSName: `example.test` matches itself and every name below it; `.example.test`
 *     (the OpenSSL/Go form) matches only names below it. A wildcard `*.a.test` is
 *     permitted when every name it stands for is, and excluded when any is.
 *   - rfc822Name: `user@host` one mailbox, `host` every mailbox at that host,
 *     `.domain` every mailbox at a host below the domain (not at the domain itself).
 *   - uniformResourceIdentifier: the host of the URI, `host` exactly or `.domain`
 *     below it. A URI without a host name is never inside a permitted subtree.
 *   - iPAddress: address and mask (CIDR); IPv4 and IPv6 never match each other.
 *   - directoryName: the constraint's RDNs are a prefix of the subject's (attribute
 *     values compared case-insensitively with spaces collapsed, RFC 5280 §7.1 lite).
 * Permitted subtrees of one form only restrict names of that form; excluded wins.
 * The subject's emailAddress attributes are checked as rfc822Names too.
 */
import { EngineError, MalformedInputError } from '../errors';
import { fromUtf8, utf8 } from '../internal/bytes';
import { contentOf, readTlv } from '../internal/der';
import { OID, formatIp } from './extensions';
import { decodeName, formatName } from './names';
import type { Subtree } from './validate/cert-types';
import { decodeNameConstraints, generalNameTlv } from './validate/extension-values';

/** GeneralName tags as they appear in SANs and subtrees. */
export const GN = { rfc822: 0x81, dns: 0x82, directoryName: 0xa4, uri: 0x86, ip: 0x87 } as const;

/** One GeneralName: its tag and content bytes (for directoryName, the Name TLV). */
export interface GeneralNameValue {
  tag: number;
  content: Uint8Array;
}

/** A parsed nameConstraints extension. `permitted` is undefined when absent. */
export interface ParsedNameConstraints {
  permitted?: GeneralNameValue[];
  excluded: GeneralNameValue[];
}

/** The names of a certificate that name constraints apply to. */
export interface ConstrainedNames {
  /** The subject Name DER. */
  subject: Uint8Array;
  /** The subjectAltName entries. */
  sans: GeneralNameValue[];
}

/** A CA's constraints with a label for messages ("CA \"CN=Sub\""). */
export interface LabelledConstraints {
  label: string;
  constraints: ParsedNameConstraints;
}

const EMAIL_ADDRESS_OID = OID.emailAddress;

const subtreeBases = (subtrees: readonly Subtree[]): GeneralNameValue[] =>
  subtrees.map((st) => {
    const g = generalNameTlv(st.base);
    return { tag: g.tag, content: g.content.slice() };
  });

/**
 * Parses the extnValue of nameConstraints with the one decoder the verifier uses
 * (validate/extension-values.ts): a subtree that writes out the DEFAULT minimum 0, sets
 * a maximum, or lists its parts out of order is refused, as the verifier refuses it.
 * @throws MALFORMED_INPUT
 */
export function parseNameConstraints(value: Uint8Array): ParsedNameConstraints {
  try {
    const nc = decodeNameConstraints(value);
    const out: ParsedNameConstraints = { excluded: subtreeBases(nc.excluded ?? []) };
    if (nc.permitted) out.permitted = subtreeBases(nc.permitted);
    return out;
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw new MalformedInputError('pki: nameConstraints could not be parsed', { cause: e });
  }
}

// ---------------------------------------------------------------------------------------
// Matching

const lower = (s: string) => s.toLowerCase().replace(/\.$/, '');

/** True when `name` is inside the DNS subtree `base`. */
export function dnsWithin(name: string, base: string): boolean {
  const n = lower(name);
  const b = lower(base);
  if (b === '' || b === '.') return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

/** True when some name a wildcard (`*.rest`) stands for is inside `base`. */
function wildcardTouches(name: string, base: string): boolean {
  if (dnsWithin(name, base)) return true;
  const rest = lower(name).slice(2);
  const b = lower(base).replace(/^\./, '');
  return b.endsWith(`.${rest}`) && !b.slice(0, -(rest.length + 1)).includes('.');
}

function hostOf(mailbox: string): string {
  return mailbox.slice(mailbox.lastIndexOf('@') + 1);
}

/** True when the mailbox is inside the rfc822Name subtree `base`. */
export function emailWithin(mailbox: string, base: string): boolean {
  const at = mailbox.lastIndexOf('@');
  if (at < 1) return false;
  const host = lower(hostOf(mailbox));
  if (base.includes('@')) {
    const bAt = base.lastIndexOf('@');
    return mailbox.slice(0, at) === base.slice(0, bAt) && host === lower(base.slice(bAt + 1));
  }
  const b = lower(base);
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

/** The host of a URI (`scheme://[userinfo@]host[:port]…`), lower-case; undefined when it has none or an IP literal. */
export function uriHost(uri: string): string | undefined {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^:/?#[\]]*)(?::\d*)?(?:[/?#]|$)/.exec(uri);
  const host = m?.[1] ? lower(m[1]) : undefined;
  if (!host || /^[0-9.]+$/.test(host)) return undefined;
  return host;
}

/** True when the URI's host is inside the URI subtree `base`. */
export function uriWithin(uri: string, base: string): boolean {
  const host = uriHost(uri);
  if (!host) return false;
  const b = lower(base);
  return b.startsWith('.') ? host.endsWith(b) : host === b;
}

/** True when the 4- or 16-byte address is inside the address+mask `base`. */
export function ipWithin(addr: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== addr.length * 2) return false;
  for (let i = 0; i < addr.length; i++) {
    const mask = base[addr.length + i]!;
    if ((addr[i]! & mask) !== (base[i]! & mask)) return false;
  }
  return true;
}

const normalise = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

function rdns(nameDer: Uint8Array): string[] {
  const groups = new Map<number, string[]>();
  for (const e of decodeName(nameDer)) {
    const g = groups.get(e.rdn) ?? [];
    g.push(`${e.oid}=${normalise(e.value)}`);
    groups.set(e.rdn, g);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => groups.get(k)!.sort().join('+'));
}

/** True when the subject Name is inside the directoryName subtree `base` (RDN prefix). */
export function directoryNameWithin(subject: Uint8Array, base: Uint8Array): boolean {
  const s = rdns(subject);
  const b = rdns(base);
  return b.length <= s.length && b.every((r, i) => r === s[i]);
}

/** Human text of a name for messages. */
export function describeGeneralName(g: GeneralNameValue): string {
  switch (g.tag) {
    case GN.dns:
      return `DNS name ${fromUtf8(g.content)}`;
    case GN.rfc822:
      return `e-mail address ${fromUtf8(g.content)}`;
    case GN.uri:
      return `URI ${fromUtf8(g.content)}`;
    case GN.ip:
      return `IP address ${g.content.length === 4 || g.content.length === 16 ? formatIp(g.content) : '(malformed)'}`;
    case GN.directoryName:
      return `directory name "${formatName(decodeName(g.content))}"`;
    default:
      return `name of type [${g.tag & 0x1f}]`;
  }
}

/** Does `name` fall inside `base` (same form only)? `excluded` turns on the wildcard "any overlap" rule. */
function within(name: GeneralNameValue, base: GeneralNameValue, excluded: boolean): boolean {
  switch (name.tag) {
    case GN.dns: {
      const n = fromUtf8(name.content);
      const b = fromUtf8(base.content);
      return excluded && n.startsWith('*.') ? wildcardTouches(n, b) : dnsWithin(n, b);
    }
    case GN.rfc822:
      return emailWithin(fromUtf8(name.content), fromUtf8(base.content));
    case GN.uri:
      return uriWithin(fromUtf8(name.content), fromUtf8(base.content));
    case GN.ip:
      return ipWithin(name.content, base.content);
    case GN.directoryName:
      return directoryNameWithin(name.content, base.content);
    default:
      return equalContent(name.content, base.content);
  }
}

function equalContent(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The names name constraints apply to: SANs, the subject (if not empty) and its emailAddress attributes. */
export function constrainedNames(n: ConstrainedNames): GeneralNameValue[] {
  const out: GeneralNameValue[] = [...n.sans];
  const entries = decodeName(n.subject);
  if (entries.length > 0) out.push({ tag: GN.directoryName, content: n.subject });
  for (const e of entries) if (e.oid === EMAIL_ADDRESS_OID) out.push({ tag: GN.rfc822, content: utf8(e.value) });
  return out;
}

/**
 * Why the names break one CA's constraints, or undefined when they do not. The message
 * reads "<name> is outside the permitted subtrees of <label>" or "… is inside an
 * excluded subtree of <label>".
 */
export function nameConstraintProblem(c: LabelledConstraints, names: ConstrainedNames): string | undefined {
  for (const name of constrainedNames(names)) {
    const what = describeGeneralName(name);
    if (c.constraints.excluded.some((b) => b.tag === name.tag && within(name, b, true))) {
      return `${what} is inside an excluded subtree of ${c.label}`;
    }
    const permitted = c.constraints.permitted?.filter((b) => b.tag === name.tag) ?? [];
    if (permitted.length > 0 && !permitted.some((b) => within(name, b, false))) {
      return `${what} is outside the permitted subtrees of ${c.label}`;
    }
  }
  return undefined;
}

/** Refuses names outside any CA's permitted subtrees or inside an excluded one. @throws CERT_INVALID */
export function assertWithinNameConstraints(chain: readonly LabelledConstraints[], names: ConstrainedNames): void {
  for (const c of chain) {
    const problem = nameConstraintProblem(c, names);
    if (problem) throw new EngineError('CERT_INVALID', `pki: name constraints: ${problem}; nothing was signed`);
  }
}

/**
 * SAN GeneralNames from encoded GeneralName TLVs (as `generalNames()` writes them). Not a
 * parser of foreign input: it splits the TLVs the CA has just written from checked
 * names, before signing, so it takes each tag and content as they are.
 */
export function generalNameValues(encoded: readonly Uint8Array[]): GeneralNameValue[] {
  return encoded.map((g) => {
    const t = readTlv(g, 0);
    return { tag: t.tag, content: contentOf(t) };
  });
}

/** Label for a CA certificate in messages. */
export function caLabel(subject: Uint8Array): string {
  try {
    return `CA "${formatName(decodeName(subject))}"`;
  } catch {
    return 'a CA';
  }
}
