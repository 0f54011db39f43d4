/**
 * Certificate policy processing of RFC 5280 6.1: the valid_policy_tree with the initial
 * policy set, explicit policy, policy mapping and inhibit anyPolicy (6.1.2 (a),(d)-(f),
 * 6.1.3 (d)-(f), 6.1.4 (a),(b),(h)-(j), 6.1.5 (a),(b),(g)). Node creation counts against a
 * budget so a chain built to explode the tree ends with a refusal.
 */
import { BudgetExhausted, type Budget } from './names';
import { VOID, type Cert } from './parse';

const ANY = VOID.anyPolicy;

interface PolicyNode {
  policy: string;
  qualifiers: string[];
  expected: Set<string>;
  parent?: PolicyNode;
  children: PolicyNode[];
  depth: number;
  deleted?: boolean;
}

/** Caller's policy inputs (6.1.1 (c),(e),(f),(g)). */
export interface PolicyInputs {
  initialPolicySet: string[];
  explicitPolicy: boolean;
  policyMappingInhibit: boolean;
  anyPolicyInhibit: boolean;
}

/** Default inputs: any policy, nothing required. */
export const DEFAULT_POLICY_INPUTS: PolicyInputs = { initialPolicySet: [ANY], explicitPolicy: false, policyMappingInhibit: false, anyPolicyInhibit: false };

/** What policy processing concluded. */
export interface PolicyOutcome {
  ok: boolean;
  /** Which step failed and why. */
  detail: string;
  section: string;
  /** Certificate index (1..n) that failed, when one did. */
  at?: number;
  /** The authorities-constrained policies of the final tree (for explanations). */
  policies: string[];
}

/** Runs policy processing over certificates 1..n (the anchor excluded). @throws BudgetExhausted */
export function processPolicies(certs: Cert[], inputs: PolicyInputs, budget: Budget): PolicyOutcome {
  const n = certs.length;
  const root: PolicyNode = { policy: ANY, qualifiers: [], expected: new Set([ANY]), children: [], depth: 0 };
  let tree: PolicyNode | undefined = root;
  let explicit = inputs.explicitPolicy ? 0 : n + 1;
  let inhibitAny = inputs.anyPolicyInhibit ? 0 : n + 1;
  let mapping = inputs.policyMappingInhibit ? 0 : n + 1;
  const level: PolicyNode[][] = [[root]];
  const alive = (d: number) => (level[d] ?? []).filter((x) => !x.deleted);
  const add = (parent: PolicyNode, policy: string, qualifiers: string[], expected: Set<string>): PolicyNode => {
    if (--budget.left < 0) throw new BudgetExhausted('policy-tree');
    const node: PolicyNode = { policy, qualifiers, expected, parent, children: [], depth: parent.depth + 1 };
    parent.children.push(node);
    (level[node.depth] ??= []).push(node);
    return node;
  };
  const remove = (node: PolicyNode) => {
    node.deleted = true;
    for (const c of node.children) remove(c);
    if (node.parent) node.parent.children = node.parent.children.filter((c) => c !== node);
  };
  const prune = (below: number) => {
    for (let d = below - 1; d >= 0; d--) for (const node of alive(d)) if (node.children.length === 0) remove(node);
    if (root.deleted) tree = undefined;
  };

  for (let i = 1; i <= n; i++) {
    const c = certs[i - 1]!;
    if (tree && c.policies) {
      const prev = alive(i - 1);
      let anyQ: string[] | undefined;
      for (const p of c.policies) {
        if (p.oid === ANY) {
          anyQ = p.qualifiers;
          continue;
        }
        let matched = false;
        for (const node of prev) {
          if (node.expected.has(p.oid)) {
            add(node, p.oid, p.qualifiers, new Set([p.oid]));
            matched = true;
          }
        }
        if (!matched) {
          const anyNode = prev.find((x) => x.policy === ANY);
          if (anyNode) add(anyNode, p.oid, p.qualifiers, new Set([p.oid]));
        }
      }
      if (anyQ && (inhibitAny > 0 || (i < n && c.selfIssued))) {
        for (const node of prev) {
          const have = new Set(node.children.map((x) => x.policy));
          for (const e of node.expected) if (!have.has(e)) add(node, e, anyQ, new Set([e]));
        }
      }
      prune(i);
    }
    if (!c.policies) {
      if (tree) remove(root);
      tree = undefined;
    }
    if (!(explicit > 0 || tree)) return { ok: false, at: i, section: '6.1.3 (f)', detail: `certificate ${i} leaves no acceptable policy while an explicit policy is required`, policies: [] };
    if (i === n) break;
    // 6.1.4 preparation for certificate i+1.
    if (c.policyMappings) {
      if (c.policyMappings.some((m) => m.issuer === ANY || m.subject === ANY)) return { ok: false, at: i, section: '6.1.4 (a)', detail: `certificate ${i} maps to or from anyPolicy, which RFC 5280 forbids`, policies: [] };
      const map = new Map<string, Set<string>>();
      for (const m of c.policyMappings) map.set(m.issuer, (map.get(m.issuer) ?? new Set()).add(m.subject));
      if (tree) {
        for (const [idp, subjects] of map) {
          const nodes = alive(i).filter((x) => x.policy === idp);
          if (mapping > 0) {
            if (nodes.length > 0) for (const node of nodes) node.expected = new Set(subjects);
            else {
              const anyNode = alive(i).find((x) => x.policy === ANY);
              if (anyNode?.parent) add(anyNode.parent, idp, anyNode.qualifiers, new Set(subjects));
            }
          } else {
            for (const node of nodes) remove(node);
            prune(i);
          }
        }
      }
    }
    if (!c.selfIssued) {
      if (explicit > 0) explicit--;
      if (mapping > 0) mapping--;
      if (inhibitAny > 0) inhibitAny--;
    }
    const pc = c.policyConstraints;
    if (pc?.requireExplicit !== undefined && pc.requireExplicit < explicit) explicit = pc.requireExplicit;
    if (pc?.inhibitMapping !== undefined && pc.inhibitMapping < mapping) mapping = pc.inhibitMapping;
    if (c.inhibitAnyPolicy !== undefined && c.inhibitAnyPolicy < inhibitAny) inhibitAny = c.inhibitAnyPolicy;
  }
  // 6.1.5 wrap-up.
  const last = certs[n - 1]!;
  if (explicit > 0) explicit--;
  if (last.policyConstraints?.requireExplicit === 0) explicit = 0;
  const userSet = new Set(inputs.initialPolicySet);
  if (tree && !userSet.has(ANY)) {
    const all: PolicyNode[] = level.flat().filter((x) => !x.deleted);
    const nodeSet = all.filter((x) => x.parent && x.parent.policy === ANY);
    for (const node of nodeSet) if (node.policy !== ANY && !userSet.has(node.policy)) remove(node);
    const anyLeaf = alive(n).find((x) => x.policy === ANY);
    if (anyLeaf?.parent) {
      const present = new Set(nodeSet.filter((x) => !x.deleted).map((x) => x.policy));
      for (const p of userSet) if (!present.has(p)) add(anyLeaf.parent, p, anyLeaf.qualifiers, new Set([p]));
      remove(anyLeaf);
    }
    prune(n);
  }
  const policies = tree ? alive(n).map((x) => x.policy) : [];
  if (explicit > 0 || tree) return { ok: true, section: '6.1.5 (g)', detail: tree ? `acceptable policies: ${policies.join(', ') || 'none'}` : 'no policy is required', policies };
  return { ok: false, at: n, section: '6.1.5 (g)', detail: 'no certificate policy acceptable to the caller is valid for the whole path, and an explicit policy is required', policies };
}
