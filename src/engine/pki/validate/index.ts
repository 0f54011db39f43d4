/**
 * Clavis's own certificate path builder and validator (E8): RFC 5280 6.1 path validation,
 * 6.3 CRL revocation, and two profiles (RFC 5280, web PKI), parsed with the engine's strict
 * DER reader. No pkijs chain engine is involved; every decision is made here and explained
 * in the result (each check with its RFC section and a plain sentence).
 *
 * Common case:
 * ```ts
 * const r = await validatePath({ target, intermediates, anchors, crls, time: new Date(),
 *   purpose: 'tls-server', peer: { kind: 'dns', value: 'app.test' }, revocation: 'if-available' });
 * if (!r.valid) show(r.summary, r.checks);
 * ```
 */
import { EngineError, isEngineError } from '../../errors';
import { BudgetExhausted, type Budget, type PeerName } from './names';
import { parseCert, parseCrl, type Cert, type Crl } from './parse';
import { checkPath, type Purpose } from './path';
import { DEFAULT_POLICY_INPUTS, type PolicyInputs } from './policy';
import { revocationStatus, type RevocationContext, type RevocationMode } from './revocation';
import { DEFAULT_LIMITS, bySubject, candidatePaths, type BuildLimits, type BuildState } from './build';
import type { Alternative, Check, PathEntry, ProfileName, ValidationResult } from './result';

export type { Alternative, Check, PathEntry, ProfileName, ValidationResult } from './result';
export type { Purpose } from './path';
export type { PeerName } from './names';
export type { RevocationMode } from './revocation';
export type { PolicyInputs } from './policy';

/** What to validate. Certificates and CRLs are DER. */
export interface ValidateOptions {
  target: Uint8Array;
  /** Unordered pool of other certificates the builder may use. */
  intermediates?: Uint8Array[];
  /** Trust anchors (self-signed roots or any certificate the caller trusts). */
  anchors: Uint8Array[];
  crls?: Uint8Array[];
  /** CRLs already parsed (a caller's cache of stored CRLs), used with `crls`. */
  parsedCrls?: Crl[];
  /** Validation time. */
  time: Date | number;
  /** Rule set (default rfc5280). */
  profile?: ProfileName;
  /** Purpose the target must allow (default any). */
  purpose?: Purpose;
  peer?: PeerName;
  /** What a missing CRL means (default if-available). */
  revocation?: RevocationMode;
  policy?: Partial<PolicyInputs>;
  /** Most intermediates that are not self-issued (limbo max_chain_depth). */
  maxDepth?: number;
  /** Key usage bits the target must allow. */
  keyUsage?: number[];
  /** Accept SHA-1 signatures (legacy suites such as PKITS); never the default. */
  allowSha1?: boolean;
  limits?: Partial<BuildLimits> & { comparisons?: number };
  subtle?: SubtleCrypto;
}

/** Work budget for name comparisons, policy nodes and CRL checks (default). */
export const DEFAULT_COMPARISONS = 50_000;

function entry(c: Cert, role: PathEntry['role']): PathEntry {
  return { subject: c.subject.text, issuer: c.issuer.text, serial: c.serial, role, notBefore: new Date(c.notBefore).toISOString(), notAfter: new Date(c.notAfter).toISOString() };
}

function drawPath(path: Cert[]): PathEntry[] {
  return path.map((c, i) => entry(c, i === 0 ? 'trust anchor' : i === path.length - 1 ? 'target' : 'intermediate'));
}

interface Ctx {
  opts: ValidateOptions;
  subtle: SubtleCrypto;
  profile: ProfileName;
  revocation: RevocationMode;
  time: number;
  pool: Cert[];
  anchors: Cert[];
  poolIdx: Map<string, Cert[]>;
  anchorIdx: Map<string, Cert[]>;
  crls: Crl[];
  st: BuildState;
  budget: Budget;
  revMemo: Map<string, Promise<boolean>>;
  signerMemo: Map<string, Promise<string | undefined>>;
  signersInProgress: Set<string>;
}

interface Outcome {
  valid: boolean;
  path: Cert[];
  checks: Check[];
  alternatives: Alternative[];
  unsupported: boolean;
}

async function validateParsed(ctx: Ctx, target: Cert, forSigner: boolean, nesting: number): Promise<Outcome> {
  const o = ctx.opts;
  const alternatives: Alternative[] = [];
  let best: { path: Cert[]; checks: Check[] } | undefined;
  const st = ctx.st;
  const deadStart = st.deadEnds.length;
  try {
    for await (const path of candidatePaths(st, target, ctx.poolIdx, ctx.anchorIdx)) {
      const built: Check = { rule: 'path', section: 'RFC 5280 6.1 (a), RFC 4158', ok: true, sentence: `a path of ${path.length} certificates links the target to the trust anchor "${path[0]!.subject.text}", each signature verified` };
      const checks = [built, ...checkPath(
        path,
        {
          time: ctx.time,
          profile: ctx.profile,
          purpose: forSigner ? 'any' : (o.purpose ?? 'any'),
          peer: forSigner ? undefined : o.peer,
          policy: { ...DEFAULT_POLICY_INPUTS, ...(forSigner ? {} : o.policy) },
          maxDepth: forSigner ? undefined : o.maxDepth,
          keyUsage: forSigner ? undefined : o.keyUsage,
        },
        ctx.budget,
      )];
      if (checks.every((c) => c.ok) && ctx.revocation !== 'off') checks.push(...(await revocationChecks(ctx, path, nesting)));
      const failed = checks.find((c) => !c.ok);
      if (!failed) {
        for (const d of st.deadEnds.slice(deadStart)) alternatives.push({ path: d.path.map((c) => c.subject.text), reason: d.reason });
        return { valid: true, path, checks, alternatives, unsupported: false };
      }
      alternatives.push({ path: path.map((c) => c.subject.text), reason: failed.sentence });
      if (!best) best = { path, checks };
      if (alternatives.length >= 32) break;
    }
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    const check: Check = { rule: 'work-budget', section: 'Clavis limit (RFC 4158 8.4)', ok: false, sentence: `${e.message.replace(/^validate: /, '')}; the chain is refused rather than explored further` };
    return { valid: false, path: best?.path ?? [], checks: [...(best?.checks ?? []), check], alternatives, unsupported: false };
  }
  const dead = st.deadEnds.slice(deadStart);
  for (const d of dead) alternatives.push({ path: d.path.map((c) => c.subject.text), reason: d.reason });
  if (best) return { valid: false, path: best.path, checks: best.checks, alternatives, unsupported: false };
  const unsupported = dead.length > 0 && dead.some((d) => d.unsupported);
  const why = dead.find((d) => d.unsupported)?.reason ?? dead[0]?.reason ?? 'no path to a trust anchor';
  return { valid: false, path: [], checks: [{ rule: 'path', section: 'RFC 5280 6.1 (a), RFC 4158', ok: false, sentence: `no path to a trust anchor: ${why}` }], alternatives, unsupported };
}

async function revocationChecks(ctx: Ctx, path: Cert[], nesting: number): Promise<Check[]> {
  const out: Check[] = [];
  const rctx: RevocationContext = {
    subtle: ctx.subtle,
    crls: ctx.crls,
    time: ctx.time,
    sig: ctx.st.sig,
    budget: ctx.budget,
    candidates: [...ctx.pool, ...ctx.anchors],
    memo: ctx.revMemo,
    validateSigner: async (signer) => {
      if (nesting >= 3) return 'CRL signers nest too deeply';
      // A signer whose own validation is under way (its CRL covers itself) is judged by that
      // validation, which must succeed for anything above it to succeed; waiting for it here
      // would wait forever.
      if (ctx.signersInProgress.has(signer.id)) return undefined;
      let p = ctx.signerMemo.get(signer.id);
      if (!p) {
        ctx.signersInProgress.add(signer.id);
        p = validateParsed(ctx, signer, true, nesting + 1)
          .then((r) => (r.valid ? undefined : (r.checks.find((c) => !c.ok)?.sentence ?? 'invalid')))
          .finally(() => ctx.signersInProgress.delete(signer.id));
        ctx.signerMemo.set(signer.id, p);
      }
      return p;
    },
  };
  for (let i = 1; i < path.length; i++) {
    const s = await revocationStatus(rctx, path[i]!, path[i - 1]!);
    const who = i === path.length - 1 ? `the target "${path[i]!.subject.text}"` : `the intermediate "${path[i]!.subject.text}"`;
    const ok = s.status === 'good' || (s.status === 'no-crl' && ctx.revocation === 'if-available');
    out.push({ rule: 'revocation', section: 'RFC 5280 6.3', ok, at: i, sentence: s.status === 'good' ? `${who} is not revoked (${s.detail})` : s.status === 'revoked' ? `${who} is ${s.detail}` : s.status === 'no-crl' ? `${who}: ${s.detail}${ok ? ', so its revocation status is not checked (revocation: if-available)' : ': no usable CRL, status unknown, and revocation is required'}` : `${who}: no usable CRL, revocation status unknown: ${s.detail}` });
    if (!ok) break;
  }
  return out;
}

function parseAll<T>(items: Uint8Array[] | undefined, parse: (b: Uint8Array) => T): T[] {
  const out: T[] = [];
  for (const b of items ?? []) {
    try {
      out.push(parse(b));
    } catch (e) {
      if (!isEngineError(e, 'MALFORMED_INPUT')) throw e;
    }
  }
  return out;
}

/**
 * Builds and validates a path for `target`. Never throws for an invalid chain (the result
 * says why); throws INVALID_ARGUMENT for arguments of the wrong shape.
 */
export async function validatePath(o: ValidateOptions): Promise<ValidationResult> {
  if (!o || !(o.target instanceof Uint8Array) || !Array.isArray(o.anchors)) throw new EngineError('INVALID_ARGUMENT', 'validate: a target certificate and a list of trust anchors are needed');
  const time = o.time instanceof Date ? o.time.getTime() : o.time;
  if (!Number.isFinite(time)) throw new EngineError('INVALID_ARGUMENT', 'validate: the validation time is not a valid date');
  const profile = o.profile ?? 'rfc5280';
  const revocation = o.revocation ?? 'if-available';
  const subtle = o.subtle ?? globalThis.crypto.subtle;
  const base = { profile, revocation, alternatives: [] as Alternative[] };
  let target: Cert;
  try {
    target = parseCert(o.target);
  } catch (e) {
    if (!isEngineError(e, 'MALFORMED_INPUT')) throw e;
    const sentence = `the target certificate cannot be parsed: ${e.message.replace(/^[a-z]+: /, '')}`;
    return { ...base, valid: false, path: [], checks: [{ rule: 'well-formed', section: 'RFC 5280 4.1 (DER, X.690)', ok: false, sentence }], summary: sentence, work: { signatures: 0, comparisons: 0 } };
  }
  const anchors = parseAll(o.anchors, parseCert);
  const pool = parseAll(o.intermediates, parseCert);
  const crls = [...parseAll(o.crls, parseCrl), ...(o.parsedCrls ?? [])];
  const limits: BuildLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const comparisons = o.limits?.comparisons ?? DEFAULT_COMPARISONS;
  const budget: Budget = { left: comparisons };
  const st: BuildState = { subtle, sig: { allowSha1: !!o.allowSha1 }, limits, signaturesLeft: limits.signatures, signaturesUsed: 0, memo: new Map(), deadEnds: [] };
  const ctx: Ctx = { opts: o, subtle, profile, revocation, time, pool, anchors, poolIdx: bySubject(pool), anchorIdx: bySubject(anchors), crls, st, budget, revMemo: new Map(), signerMemo: new Map(), signersInProgress: new Set() };
  let out: Outcome;
  try {
    out = await validateParsed(ctx, target, false, 0);
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    out = { valid: false, path: [], checks: [{ rule: 'work-budget', section: 'Clavis limit (RFC 4158 8.4)', ok: false, sentence: e.message.replace(/^validate: /, '') }], alternatives: [], unsupported: false };
  }
  const failed = out.checks.find((c) => !c.ok);
  const summary = out.valid ? `valid under the ${profile === 'rfc5280' ? 'RFC 5280' : 'web PKI'} profile: ${out.path.length - 1} certificate(s) chain to the trust anchor "${out.path[0]!.subject.text}"` : (failed?.sentence ?? 'invalid');
  return {
    ...base,
    valid: out.valid,
    path: drawPath(out.path),
    checks: out.checks,
    summary,
    alternatives: out.alternatives,
    ...(out.unsupported ? { unsupported: true } : {}),
    work: { signatures: st.signaturesUsed, comparisons: comparisons - budget.left },
  };
}
