/**
 * Names: name constraints (RFC 5280 4.2.1.10 and 6.1.3 (b)/(c), 6.1.4 (g)) and the peer
 * name the caller expects (RFC 6125 / RFC 9525: DNS with wildcard rules and public
 * suffixes, IP, e-mail).
 *
 * Name constraints are kept as every CA's permitted sets and the union of excluded
 * subtrees instead of computed intersections: a name is permitted when, for each CA that
 * constrained its type, it lies in one of that CA's subtrees. That is the RFC's
 * intersection without building it, and every comparison counts against a budget so a
 * hostile chain (limbo pathological::nc-dos-*) ends quickly with a refusal.
 */
import { getPublicSuffix } from 'tldts';
import type { Cert, GeneralName, Name, Subtree } from './parse';
import { VOID } from './parse';

/** A shared work counter; exhausting it fails the check that was running. */
export interface Budget {
  left: number;
}

/** Thrown internally when a budget runs out. */
export class BudgetExhausted extends Error {
  constructor(what: string) {
    super(`validate: the ${what} work budget was exhausted`);
  }
}

function spend(b: Budget, what: string): void {
  if (--b.left < 0) throw new BudgetExhausted(what);
}

/** A DNS name syntax check (LDH labels, optional leading "*." for SAN patterns). */
export function validDnsName(s: string, allowWildcard: boolean): boolean {
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split('.');
  return labels.every((l, i) => (allowWildcard && i === 0 && l === '*') || /^[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(l));
}

function validConstraintDns(s: string): boolean {
  return s === '' || validDnsName(s, false);
}

/** A DNS name in lower case without a trailing dot (computed once per name or subtree, not per comparison). */
function lowerDns(v: string): string {
  const l = v.toLowerCase();
  return l.endsWith('.') ? l.slice(0, -1) : l;
}

/** `n` and `b` already in lower case, `n` without a trailing dot. */
function dnsWithin(n: string, b: string): boolean {
  if (b === '') return true;
  return n === b || (n.length > b.length && n.endsWith(b) && n.charCodeAt(n.length - b.length - 1) === 0x2e);
}

function emailParts(s: string): { local: string; host: string } | undefined {
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1) return undefined;
  return { local: s.slice(0, at), host: s.slice(at + 1).toLowerCase() };
}

function emailWithin(name: string, base: string): boolean | undefined {
  const n = emailParts(name);
  if (!n) return undefined;
  if (base.includes('@')) {
    const b = emailParts(base);
    return !!b && b.local === n.local && b.host === n.host;
  }
  const b = base.toLowerCase();
  if (b.startsWith('.')) return n.host.endsWith(b);
  return n.host === b;
}

function uriHost(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  if (!m || !m[1] || m[1].startsWith('[')) return undefined;
  return m[1].toLowerCase();
}

function uriWithin(name: string, base: string): boolean | undefined {
  const host = uriHost(name);
  if (host === undefined) return undefined;
  const b = base.toLowerCase();
  if (b.startsWith('.')) return host.endsWith(b);
  return host === b;
}

function ipWithin(name: Uint8Array, base: Uint8Array): boolean {
  const n = name.length;
  if (base.length !== n * 2) return false;
  for (let i = 0; i < n; i++) if ((name[i]! & base[n + i]!) !== (base[i]! & base[n + i]!)) return false;
  return true;
}

function validIpConstraint(b: Uint8Array): boolean {
  if (b.length !== 8 && b.length !== 32) return false;
  const mask = b.subarray(b.length / 2);
  let zero = false;
  for (const byte of mask) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (byte >> bit) & 1;
      if (set && zero) return false;
      if (!set) zero = true;
    }
  }
  return true;
}

function dnWithin(name: Name, base: Name): boolean {
  if (base.rdnKeys.length > name.rdnKeys.length) return false;
  for (let i = 0; i < base.rdnKeys.length; i++) if (base.rdnKeys[i] !== name.rdnKeys[i]) return false;
  return true;
}

/** Why a constraint subtree is unusable, or undefined when it is well formed. */
export function subtreeProblem(s: Subtree): string | undefined {
  const g = s.base;
  if (g.type === 'dns' && !validConstraintDns(g.value)) return `the DNS name constraint "${g.value}" is not a valid domain`;
  if (g.type === 'ip' && !validIpConstraint(g.bytes)) return 'an IP name constraint is not an address with a contiguous mask';
  if (g.type === 'email' && /[\s]/.test(g.value)) return `the e-mail name constraint "${g.value}" is malformed`;
  return undefined;
}

/** Type tag of a GeneralName for grouping constraints. */
function typeOf(g: GeneralName): string {
  return g.type === 'other' ? `other${g.tag}` : g.type;
}

/**
 * Whether `name` lies in subtree `base` (same type assumed). `undefined` when it cannot be
 * decided (a malformed name, or a type Clavis does not process), which callers treat as
 * a violation.
 */
function within(name: GeneralName, nameLow: string, base: GeneralName, baseLow: string, excludedCheck: boolean): boolean | undefined {
  switch (base.type) {
    case 'dns': {
      if (name.type !== 'dns') return false;
      // Lower-cased once per name (checkNames) and per subtree (addConstraints), not per comparison.
      const v = nameLow;
      const b = baseLow;
      if (v.startsWith('*.') && excludedCheck) {
        // A wildcard SAN matches every name one label under its base: excluded if any could be.
        const rest = v.slice(2);
        return dnsWithin(rest, b) || (b.endsWith(`.${rest}`) && b.slice(0, -rest.length - 1).indexOf('.') === -1);
      }
      return dnsWithin(v.startsWith('*.') ? v.slice(2) : v, b);
    }
    case 'email':
      return name.type === 'email' ? emailWithin(name.value, base.value) : false;
    case 'uri':
      return name.type === 'uri' ? uriWithin(name.value, base.value) : false;
    case 'ip':
      return name.type === 'ip' ? (name.bytes.length === 4 || name.bytes.length === 16 ? ipWithin(name.bytes, base.bytes) : undefined) : false;
    case 'dn':
      return name.type === 'dn' ? dnWithin(name.name, base.name) : false;
    default:
      return undefined;
  }
}

/** The accumulated name-constraint state of 6.1.2 (b)/(c). */
export interface NameConstraintState {
  /** One entry per CA that had permittedSubtrees: type → subtrees of that type (with a DNS base's lower-case form). */
  permitted: { by: string; byType: Map<string, { base: GeneralName; low: string }[]> }[];
  excluded: { by: string; base: GeneralName; low: string; type: string }[];
}

/** The lower-case form `within` compares a DNS base by ('' for other types). */
const baseLow = (g: GeneralName) => (g.type === 'dns' ? g.value.toLowerCase() : '');

/** Empty state (6.1.2: permitted = all, excluded = none). */
export function emptyConstraints(): NameConstraintState {
  return { permitted: [], excluded: [] };
}

/** Adds a CA's nameConstraints to the state (6.1.4 (g)). */
export function addConstraints(state: NameConstraintState, by: string, nc: NonNullable<Cert['nameConstraints']>): void {
  if (nc.permitted) {
    const byType = new Map<string, { base: GeneralName; low: string }[]>();
    for (const s of nc.permitted) {
      const t = typeOf(s.base);
      const e = { base: s.base, low: baseLow(s.base) };
      const list = byType.get(t);
      if (list) list.push(e);
      else byType.set(t, [e]);
    }
    state.permitted.push({ by, byType });
  }
  for (const s of nc.excluded ?? []) state.excluded.push({ by, base: s.base, low: baseLow(s.base), type: typeOf(s.base) });
}

/** The names of a certificate that constraints apply to: subject DN, e-mail attributes, SANs. */
export function constrainedNames(c: Cert): GeneralName[] {
  const out: GeneralName[] = [];
  if (c.subject.rdns.length > 0) out.push({ type: 'dn', name: c.subject });
  for (const rdn of c.subject.rdns) for (const a of rdn) if (a.oid === VOID.emailAddress && !a.norm.startsWith('#')) out.push({ type: 'email', value: a.text });
  for (const g of c.san ?? []) out.push(g);
  return out;
}

/**
 * Checks a certificate's names against the state. Returns the first violation as a
 * sentence, or undefined. @throws BudgetExhausted
 */
export function checkNames(state: NameConstraintState, c: Cert, budget: Budget): string | undefined {
  if (state.permitted.length === 0 && state.excluded.length === 0) return undefined;
  const types = new Set<string>(state.excluded.map((x) => x.type));
  for (const p of state.permitted) for (const t of p.byType.keys()) types.add(t);
  const names = constrainedNames(c);
  // The worst case is every name against every subtree: refuse up front when that exceeds
  // the budget (OpenSSL's NAME_CHECK_MAX idea), so a hostile chain costs no comparisons.
  let subtrees = state.excluded.length;
  for (const p of state.permitted) for (const list of p.byType.values()) subtrees += list.length;
  if (names.length * subtrees > budget.left) {
    budget.left = -1;
    throw new BudgetExhausted('name-constraint');
  }
  for (const name of names) {
    const t = typeOf(name);
    if (!types.has(t)) continue;
    const label = describeName(name);
    // A name that is not well formed cannot be judged against a constraint of its type.
    if (name.type === 'dns' && !validDnsName(name.value, true)) return `${label} is not a valid DNS name, so it cannot be checked against the constraints`;
    if (name.type === 'email' && !/^[^@\s]+@[a-z0-9.-]+$/i.test(name.value)) return `${label} is not a valid e-mail address, so it cannot be checked against the constraints`;
    const low = name.type === 'dns' ? lowerDns(name.value) : '';
    for (const p of state.permitted) {
      const bases = p.byType.get(t);
      if (!bases) continue;
      let ok = false;
      for (const b of bases) {
        spend(budget, 'name-constraint');
        if (within(name, low, b.base, b.low, false) === true) {
          ok = true;
          break;
        }
      }
      if (!ok) return `${label} is outside the names permitted by ${p.by}`;
    }
    for (const x of state.excluded) {
      if (x.type !== t) continue;
      spend(budget, 'name-constraint');
      const r = within(name, low, x.base, x.low, true);
      if (r !== false) return `${label} is ${r ? 'within' : 'not comparable with'} the names excluded by ${x.by}`;
    }
  }
  return undefined;
}

/** A readable form of a general name for explanations. */
export function describeName(g: GeneralName): string {
  switch (g.type) {
    case 'dns':
      return `DNS name "${g.value}"`;
    case 'email':
      return `e-mail address "${g.value}"`;
    case 'uri':
      return `URI "${g.value}"`;
    case 'ip':
      return `IP address ${formatIpBytes(g.bytes)}`;
    case 'dn':
      return `directory name "${g.name.text}"`;
    default:
      return `a name of type [${g.tag}]`;
  }
}

/** Dotted or colon form of 4 or 16 address bytes. */
export function formatIpBytes(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((b[i]! << 8) | b[i + 1]!).toString(16));
    return parts.join(':');
  }
  return `(${b.length}-byte address)`;
}

/** RFC 5952 text of an address (IPv4 dotted decimal; IPv6 lower case, longest zero run compressed). */
export function canonicalIp(b: Uint8Array): string {
  if (b.length !== 16) return formatIpBytes(b);
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i]! << 8) | b[i + 1]!);
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = w.map((x) => x.toString(16));
  if (bestAt < 0) return hex.join(':');
  return `${hex.slice(0, bestAt).join(':')}::${hex.slice(bestAt + bestLen).join(':')}`;
}

/** Parses a textual IPv4 or IPv6 address, or undefined. */
export function parseIpText(s: string): Uint8Array | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p, i) => p > 255 || (s.split('.')[i]!.length > 1 && s.split('.')[i]!.startsWith('0')))) return undefined;
    return Uint8Array.from(parts);
  }
  if (!s.includes(':') || !/^[0-9a-f:.]+$/i.test(s)) return undefined;
  let head = s;
  let tail4: number[] = [];
  const v4 = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (v4) {
    const b = parseIpText(v4[1]!);
    if (!b) return undefined;
    tail4 = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    head = s.slice(0, -v4[1]!.length) + (s.endsWith(`::${v4[1]}`) ? '' : '0');
    if (head.endsWith(':0')) head = head.slice(0, -2);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (x: string) => (x === '' ? [] : x.split(':').map((h) => (/^[0-9a-f]{1,4}$/i.test(h) ? Number.parseInt(h, 16) : Number.NaN)));
  const a = parse(halves[0]!);
  const c = halves.length === 2 ? parse(halves[1]!) : [];
  const words = halves.length === 2 ? [...a, ...Array(8 - a.length - c.length - tail4.length).fill(0), ...c, ...tail4] : [...a, ...tail4];
  if (words.length !== 8 || words.some((w) => Number.isNaN(w) || w < 0)) return undefined;
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** The peer name the caller expects. */
export type PeerName = { kind: 'dns' | 'ip' | 'email'; value: string };

function isPublicSuffix(domain: string): boolean {
  const ps = getPublicSuffix(domain, { allowPrivateDomains: true });
  return ps === domain || domain.indexOf('.') === -1;
}

/** Whether a SAN DNS pattern matches a host (RFC 6125 6.4.3, leftmost "*" only, no public-suffix wildcards). */
export function dnsPatternMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase().replace(/\.$/, '');
  if (!validDnsName(h, false)) return false;
  if (!p.startsWith('*.')) return validDnsName(p, false) && p === h;
  const rest = p.slice(2);
  if (!validDnsName(rest, false) || rest.indexOf('.') === -1 || isPublicSuffix(rest)) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest;
}

/** Checks the peer name against the leaf. Returns a failure sentence or undefined. */
export function checkPeerName(leaf: Cert, peer: PeerName): string | undefined {
  const san = leaf.san ?? [];
  if (peer.kind === 'dns') {
    if (!san.some((g) => g.type === 'dns')) return `the certificate has no DNS names, so it cannot be for ${peer.value}`;
    return san.some((g) => g.type === 'dns' && dnsPatternMatches(g.value, peer.value)) ? undefined : `no DNS name of the certificate matches ${peer.value}`;
  }
  if (peer.kind === 'ip') {
    const ip = parseIpText(peer.value);
    if (!ip) return `"${peer.value}" is not an IP address`;
    return san.some((g) => g.type === 'ip' && g.bytes.length === ip.length && g.bytes.every((x, i) => x === ip[i])) ? undefined : `no IP address of the certificate is ${peer.value}`;
  }
  const want = emailParts(peer.value);
  if (!want) return `"${peer.value}" is not an e-mail address`;
  return san.some((g) => {
    if (g.type !== 'email') return false;
    const have = emailParts(g.value);
    return !!have && have.local === want.local && have.host === want.host;
  })
    ? undefined
    : `no e-mail address of the certificate is ${peer.value}`;
}
