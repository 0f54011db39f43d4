/**
 * Path building (RFC 4158 in spirit): from the target through an unordered pool of
 * certificates to any trust anchor. Issuer candidates are found by name (RFC 5280 7.1
 * comparison) and ordered by key identifier; dead ends are backtracked past; a visited set
 * (certificate identity and subject+key pair) stops cycles; a maximum depth and a
 * signature budget bound the work, so no input runs long (limbo cve-2024-0567,
 * pathological cycles, BetterTLS path-building chains).
 */
import { toHex } from '../../internal/bytes';
import { BudgetExhausted } from './names';
import type { Cert } from './parse';
import { verifySignature, type SignatureOptions, type SignatureOutcome } from './signature';

/** Limits of one build. */
export interface BuildLimits {
  /** Most certificates between target and anchor (default 10). */
  maxIntermediates: number;
  /** Most signature verifications (default 256). */
  signatures: number;
}

/** Defaults chosen so that real chains (≤ 5 deep, a few cross-signs) always fit. */
export const DEFAULT_LIMITS: BuildLimits = { maxIntermediates: 10, signatures: 64 };

/** A dead end the builder met, for the result's alternatives. */
export interface DeadEnd {
  path: Cert[];
  reason: string;
  unsupported?: boolean;
}

/** Shared state of a build. */
export interface BuildState {
  subtle: SubtleCrypto;
  sig: SignatureOptions;
  limits: BuildLimits;
  signaturesLeft: number;
  signaturesUsed: number;
  memo: Map<string, Promise<SignatureOutcome>>;
  deadEnds: DeadEnd[];
}

/** Indexes certificates by subject name key. */
export function bySubject(certs: Cert[]): Map<string, Cert[]> {
  const m = new Map<string, Cert[]>();
  for (const c of certs) {
    const list = m.get(c.subject.key);
    if (list) list.push(c);
    else m.set(c.subject.key, [c]);
  }
  return m;
}

const pairKeys = new WeakMap<Cert, string>();
/** Subject name and key together: the same CA seen twice on a path means a loop. */
function pairKey(c: Cert): string {
  let k = pairKeys.get(c);
  if (!k) {
    k = `${c.subject.key}|${toHex(c.spki)}`;
    pairKeys.set(c, k);
  }
  return k;
}

function akiRank(child: Cert, cand: Cert): number {
  const kid = child.aki?.keyId;
  if (!kid || !cand.ski) return 1;
  return toHex(kid) === toHex(cand.ski) ? 0 : 2;
}

/** Checks (memoised) that `issuer` signed `child`. @throws BudgetExhausted */
export async function signedBy(st: BuildState, issuer: Cert, child: Cert): Promise<SignatureOutcome> {
  const key = `${issuer.id}>${child.id}`;
  let p = st.memo.get(key);
  if (!p) {
    if (st.signaturesLeft-- <= 0) throw new BudgetExhausted('signature');
    st.signaturesUsed++;
    p = verifySignature(st.subtle, issuer, child, st.sig);
    st.memo.set(key, p);
  }
  return p;
}

/**
 * Yields every path (anchor first, target last) whose links all verify, best candidates
 * first. The consumer validates each and stops at the first valid one.
 * @throws BudgetExhausted when the signature budget runs out
 */
export async function* candidatePaths(st: BuildState, target: Cert, pool: Map<string, Cert[]>, anchors: Map<string, Cert[]>): AsyncGenerator<Cert[]> {
  const stack: Cert[] = [target];
  const onPath = new Set<string>([target.id]);
  const pairs = new Set<string>([pairKey(target)]);

  async function* step(): AsyncGenerator<Cert[]> {
    const c = stack[stack.length - 1]!;
    const anchorCands = [...(anchors.get(c.issuer.key) ?? [])].sort((a, b) => akiRank(c, a) - akiRank(c, b));
    let found = false;
    for (const a of anchorCands) {
      const s = await signedBy(st, a, c);
      found = true;
      if (!s.ok) {
        st.deadEnds.push({ path: [a, ...[...stack].reverse()], reason: s.reason, unsupported: s.unsupported });
        continue;
      }
      yield [a, ...[...stack].reverse()];
    }
    if (stack.length - 1 >= st.limits.maxIntermediates) {
      if (!found) st.deadEnds.push({ path: [...stack].reverse(), reason: `the path would be longer than ${st.limits.maxIntermediates} intermediates` });
      return;
    }
    // A candidate whose subjectKeyIdentifier contradicts the child's authorityKeyIdentifier
    // holds another key (RFC 5280 4.2.1.1): skipping it saves a signature check per dead end.
    const poolCands = (pool.get(c.issuer.key) ?? []).filter((x) => !onPath.has(x.id) && !pairs.has(pairKey(x)) && akiRank(c, x) < 2).sort((a, b) => akiRank(c, a) - akiRank(c, b));
    for (const x of poolCands) {
      found = true;
      const s = await signedBy(st, x, c);
      if (!s.ok) {
        st.deadEnds.push({ path: [...stack].reverse(), reason: `${x.subject.text} did not sign ${c.subject.text}: ${s.reason}`, unsupported: s.unsupported });
        continue;
      }
      const pair = pairKey(x);
      stack.push(x);
      onPath.add(x.id);
      pairs.add(pair);
      yield* step();
      stack.pop();
      onPath.delete(x.id);
      pairs.delete(pair);
    }
    if (!found) st.deadEnds.push({ path: [...stack].reverse(), reason: `no issuer of ${c.subject.text} (${c.issuer.text}) is among the trust anchors or the certificates given` });
  }
  yield* step();
}
