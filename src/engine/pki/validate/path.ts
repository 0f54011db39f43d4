/**
 * Path validation of RFC 5280 6.1 over one candidate path (trust anchor first, target
 * last): basic certificate processing (6.1.3), preparation for the next certificate
 * (6.1.4) and wrap-up (6.1.5), then the profile's certificate rules, the purpose (EKU) and
 * the peer name. Signatures were already checked by the builder (memoised); revocation is
 * asked for each certificate once the rest of the path holds.
 */
import { VOID, type Cert } from './parse';
import { addConstraints, checkNames, checkPeerName, emptyConstraints, subtreeProblem, type Budget, type PeerName } from './names';
import { processPolicies, type PolicyInputs } from './policy';
import { PROFILE_RULES, type Position } from './profile';
import type { Check, ProfileName } from './result';

/** Extensions this validator processes; any other critical one fails (6.1.4 (o)). */
export const UNDERSTOOD_EXTENSIONS = new Set<string>([
  VOID.basicConstraints,
  VOID.keyUsage,
  VOID.extKeyUsage,
  VOID.subjectAltName,
  VOID.nameConstraints,
  VOID.certificatePolicies,
  VOID.policyMappings,
  VOID.policyConstraints,
  VOID.inhibitAnyPolicy,
  VOID.subjectKeyIdentifier,
  VOID.authorityKeyIdentifier,
  VOID.cRLDistributionPoints,
]);

/** Purposes a caller may ask for (EKU). */
export type Purpose = 'tls-server' | 'tls-client' | 'code-signing' | 'email' | 'any';

const PURPOSE_OID: Record<Exclude<Purpose, 'any'>, string> = {
  'tls-server': VOID.serverAuth,
  'tls-client': VOID.clientAuth,
  'code-signing': VOID.codeSigning,
  email: VOID.emailProtection,
};

/** Inputs of one path check. */
export interface PathInputs {
  time: number;
  profile: ProfileName;
  purpose: Purpose;
  peer?: PeerName;
  policy: PolicyInputs;
  /** Maximum number of intermediates that are not self-issued. */
  maxDepth?: number;
  /** Key usage bits the target must allow (0 = digitalSignature ... 8 = decipherOnly). */
  keyUsage?: number[];
}

const KU_NAMES = ['digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly'];

function kuAllows(c: Cert, bit: number): boolean {
  if (!c.keyUsage) return true;
  const byte = c.keyUsage.bytes[bit >> 3];
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

const subtreeProblemMemo = new WeakMap<Cert, readonly string[]>();

/**
 * The syntax problems of a CA's name-constraint subtrees, found once per certificate: a CA
 * met on many candidate paths (cross-signs, BetterTLS) with thousands of subtrees
 * (limbo pathological::nc-dos-*) is not re-read for every path.
 */
function subtreeProblemsOf(c: Cert): readonly string[] {
  let out = subtreeProblemMemo.get(c);
  if (!out) {
    const found: string[] = [];
    const nc = c.nameConstraints;
    if (nc) {
      for (const s of nc.permitted ?? []) {
        const why = subtreeProblem(s);
        if (why) found.push(why);
      }
      for (const s of nc.excluded ?? []) {
        const why = subtreeProblem(s);
        if (why) found.push(why);
      }
    }
    out = found;
    subtreeProblemMemo.set(c, out);
  }
  return out;
}

/**
 * Runs 6.1 and the profile over `path` (anchor first). Returns the checks in order; the
 * path is valid when none failed. @throws BudgetExhausted (from name constraints or policies)
 */
export function checkPath(path: Cert[], inputs: PathInputs, budget: Budget): Check[] {
  const checks: Check[] = [];
  const push = (c: Check) => checks.push(c);
  const n = path.length - 1;
  const anchor = path[0]!;
  const label = (i: number) => (i === 0 ? `the trust anchor "${path[i]!.subject.text}"` : i === n ? `the target "${path[i]!.subject.text}"` : `the intermediate "${path[i]!.subject.text}"`);
  const pos = (i: number): Position => (i === 0 ? 'anchor' : i === n ? 'leaf' : 'intermediate');

  for (let i = 0; i <= n; i++) {
    const c = path[i]!;
    // Validity (6.1.3 (a)(2)); the anchor too, since an expired root is no anchor.
    // Validity is encoded to the second: compare the floored time (limbo notafter/notbefore-fractional).
    const at = Math.floor(inputs.time / 1000) * 1000;
    const inTime = at >= c.notBefore && at <= c.notAfter;
    push({ rule: 'validity', section: 'RFC 5280 6.1.3 (a)(2)', ok: inTime, at: i, sentence: inTime ? `${label(i)} is valid at ${iso(inputs.time)}` : inputs.time < c.notBefore ? `${label(i)} is not valid before ${iso(c.notBefore)}` : `${label(i)} expired at ${iso(c.notAfter)}` });
    if (c.problems.length > 0) push({ rule: 'well-formed', section: 'RFC 5280 4.1, 4.2', ok: false, at: i, sentence: `${label(i)} is malformed: ${c.problems[0]}` });
    const unknown = c.extensions.find((e) => e.critical && !UNDERSTOOD_EXTENSIONS.has(e.oid));
    if (unknown) push({ rule: 'critical-extensions', section: 'RFC 5280 6.1.4 (o)', ok: false, at: i, sentence: `${label(i)} has a critical extension Clavis does not understand (${unknown.oid})` });
    for (const r of PROFILE_RULES) {
      if (!r.profiles.includes(inputs.profile)) continue;
      const why = r.test(c, pos(i));
      if (why) push({ rule: r.rule, section: r.section, ok: !!r.warning, ...(r.warning ? { warning: true } : {}), at: i, sentence: `${label(i)}: ${why}` });
    }
    if (i > 0) {
      const outlives = c.notAfter > path[i - 1]!.notAfter;
      push({ rule: 'validity-nesting', section: 'issuance lint (RFC 5280 has no such path rule)', ok: true, ...(outlives ? { warning: true } : {}), at: i, sentence: outlives ? `${label(i)} expires after its issuer does; it can only be used while the issuer is valid` : `${label(i)} expires no later than its issuer` });
    }
  }

  // Anchor as a CA: basic constraints, key usage, and its constraints start the state.
  const anchorCa = anchor.basicConstraints?.ca === true || anchor.version < 3;
  push({ rule: 'basic-constraints', section: 'RFC 5280 4.2.1.9', ok: anchorCa || n === 0, at: 0, sentence: anchorCa ? `${label(0)} is a CA` : `${label(0)} is not marked as a CA (basicConstraints cA)` });
  if (n > 0 && !kuAllows(anchor, 5)) push({ rule: 'key-usage', section: 'RFC 5280 6.1.4 (n)', ok: false, at: 0, sentence: `${label(0)} may not sign certificates (no keyCertSign)` });
  let maxPath = anchor.basicConstraints?.pathLen ?? n;
  let depthUsed = 0;
  const ncState = emptyConstraints();
  if (anchor.nameConstraints) addConstraints(ncState, label(0), anchor.nameConstraints);
  const ncSyntax = (c: Cert, i: number) => {
    for (const why of subtreeProblemsOf(c)) push({ rule: 'name-constraints', section: 'RFC 5280 4.2.1.10', ok: false, at: i, sentence: `${label(i)}: ${why}` });
  };
  ncSyntax(anchor, 0);

  for (let i = 1; i <= n; i++) {
    const c = path[i]!;
    push({ rule: 'signature', section: 'RFC 5280 6.1.3 (a)(1)', ok: true, at: i, sentence: `${label(i)} is signed by ${label(i - 1)}` });
    if (!(c.selfIssued && i < n)) {
      const why = checkNames(ncState, c, budget);
      push({ rule: 'name-constraints', section: 'RFC 5280 6.1.3 (b), (c)', ok: !why, at: i, sentence: why ? `${label(i)}: ${why}` : `${label(i)} has names within every constraint above it` });
    }
    if (i === n) break;
    // 6.1.4 preparation for certificate i+1.
    const ca = c.version === 3 && c.basicConstraints?.ca === true;
    push({ rule: 'basic-constraints', section: 'RFC 5280 6.1.4 (k)', ok: ca, at: i, sentence: ca ? `${label(i)} is a CA` : `${label(i)} issues a certificate but is not marked as a CA (basicConstraints cA)` });
    if (!c.selfIssued) {
      const ok = maxPath > 0;
      push({ rule: 'path-length', section: 'RFC 5280 6.1.4 (l)', ok, at: i, sentence: ok ? `${label(i)} is within the path length allowed above it` : `${label(i)} exceeds the path length allowed above it (pathLenConstraint)` });
      maxPath--;
      depthUsed++;
    }
    if (c.basicConstraints?.pathLen !== undefined && c.basicConstraints.pathLen < maxPath) maxPath = c.basicConstraints.pathLen;
    const signs = kuAllows(c, 5);
    if (!signs) push({ rule: 'key-usage', section: 'RFC 5280 6.1.4 (n)', ok: false, at: i, sentence: `${label(i)} may not sign certificates (its key usage lacks keyCertSign)` });
    if (c.extKeyUsage && inputs.purpose !== 'any') {
      const want = PURPOSE_OID[inputs.purpose];
      const ok = c.extKeyUsage.includes(want) || c.extKeyUsage.includes(VOID.anyExtendedKeyUsage);
      if (!ok) push({ rule: 'extended-key-usage', section: 'CABF BR 7.1.2.2.4 / RFC 5280 4.2.1.12', ok: false, at: i, sentence: `${label(i)} restricts its extended key usage and ${inputs.purpose} is not among it` });
    }
    ncSyntax(c, i);
    if (c.nameConstraints) addConstraints(ncState, label(i), c.nameConstraints);
  }
  if (inputs.maxDepth !== undefined) {
    const ok = depthUsed <= inputs.maxDepth;
    push({ rule: 'max-depth', section: 'caller limit', ok, sentence: ok ? `the path has ${depthUsed} intermediate(s), within the limit of ${inputs.maxDepth}` : `the path has ${depthUsed} intermediates, more than the limit of ${inputs.maxDepth}` });
  }

  const target = path[n]!;
  if (n > 0) {
    const pol = processPolicies(path.slice(1), inputs.policy, budget);
    push({ rule: 'certificate-policies', section: `RFC 5280 ${pol.section}`, ok: pol.ok, at: pol.at, sentence: pol.detail });
  }
  for (const bit of inputs.keyUsage ?? []) {
    const ok = kuAllows(target, bit);
    push({ rule: 'key-usage', section: 'RFC 5280 4.2.1.3', ok, at: n, sentence: ok ? `${label(n)} allows ${KU_NAMES[bit]}` : `${label(n)} does not allow ${KU_NAMES[bit]}` });
  }
  if (inputs.purpose !== 'any') {
    const want = PURPOSE_OID[inputs.purpose];
    const eku = target.extKeyUsage;
    const ok = !eku ? true : eku.includes(want) || (inputs.profile === 'rfc5280' && eku.includes(VOID.anyExtendedKeyUsage));
    push({ rule: 'extended-key-usage', section: 'RFC 5280 4.2.1.12', ok, at: n, sentence: ok ? `${label(n)} may be used for ${inputs.purpose}` : `${label(n)} may not be used for ${inputs.purpose} (extended key usage)` });
  }
  if (inputs.peer) {
    const why = checkPeerName(target, inputs.peer);
    push({ rule: 'peer-name', section: 'RFC 9525 6.3', ok: !why, at: n, sentence: why ?? `${label(n)} is for ${inputs.peer.value}` });
  }
  return checks;
}
