/**
 * Revocation of RFC 5280 6.3 from the CRLs the caller gives: scope by issuer name (RFC
 * 5280 7.1 comparison, not bytes), indirect CRLs and cRLIssuer, the issuing distribution
 * point (a critical IDP is understood), reasons coverage, delta CRLs applied to their
 * base, cRLNumber required and non-critical, the CRL signer's cRLSign and signature, and a
 * CRL signed by another key of the same CA (its certificate validated like any other).
 *
 * What an absent CRL means is the caller's choice (`RevocationMode`): 'require' fails a
 * certificate whose status cannot be determined; 'if-available' checks the CRLs given and
 * passes a certificate whose issuer has none; 'off' skips revocation.
 */
import { BudgetExhausted, type Budget } from './names';
import { VOID, type Cert, type Crl, type CrlEntry, type DistributionPoint, type GeneralName, type Name } from './parse';
import { verifySignature, type SignatureOptions } from './signature';

/** What a missing CRL means. */
export type RevocationMode = 'require' | 'if-available' | 'off';

/** Status of one certificate. */
export type RevocationStatus =
  | { status: 'good'; detail: string }
  | { status: 'revoked'; detail: string; reason?: number }
  | { status: 'unknown'; detail: string }
  | { status: 'no-crl'; detail: string };

/** Everything revocation needs from the path validator. */
export interface RevocationContext {
  subtle: SubtleCrypto;
  crls: Crl[];
  time: number;
  sig: SignatureOptions;
  budget: Budget;
  /** Certificates that may have signed a CRL (the pool and anchors). */
  candidates: Cert[];
  /** Validates a CRL signer that is not the certificate's issuer; returns a failure sentence or undefined. */
  validateSigner(signer: Cert): Promise<string | undefined>;
  /** Signature results memo (signer id + CRL index). */
  memo: Map<string, Promise<boolean>>;
}

const REASONS = ['unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation', 'certificateHold', 'unused (7)', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise'];
const ALL_REASONS = 0x1ff & ~1; // bits 1..8 of ReasonFlags (unused bit 0 ignored)

/** Name of a CRL reason code. */
export function reasonName(code: number | undefined): string {
  return code === undefined ? 'no reason given' : (REASONS[code] ?? `reason ${code}`);
}

const UNDERSTOOD_CRL_EXTENSIONS = new Set<string>([VOID.cRLNumber, VOID.deltaCRLIndicator, VOID.issuingDistributionPoint, VOID.authorityKeyIdentifier, VOID.freshestCRL, VOID.issuerAltName]);

function keyUsageAllows(c: Cert, bit: number): boolean {
  if (!c.keyUsage) return true;
  const byte = c.keyUsage.bytes[bit >> 3];
  return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
}

function sameName(a: Name, b: Name): boolean {
  return a.key === b.key;
}

function gnEqual(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  if (a.type === 'dn' && b.type === 'dn') return sameName(a.name, b.name);
  if (a.type === 'ip' && b.type === 'ip') return a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);
  if ((a.type === 'dns' || a.type === 'email' || a.type === 'uri') && a.type === b.type) return a.value.toLowerCase() === (b as { value: string }).value.toLowerCase();
  return false;
}

function dpNames(dp: DistributionPoint, crlIssuer: Name): GeneralName[] | undefined {
  if (dp.fullName) return dp.fullName;
  if (dp.relativeName) {
    const rdns = [...crlIssuer.rdns, dp.relativeName];
    const rdnKeys = rdns.map((rdn) => JSON.stringify(rdn.map((a) => `${a.oid}=${a.norm}`).sort()));
    return [{ type: 'dn', name: { der: new Uint8Array(0), rdns, key: `[${rdnKeys.join(',')}]`, rdnKeys, text: `${crlIssuer.text}, +RDN` } }];
  }
  return undefined;
}

/** Whether the CRL's scope (issuer, IDP) covers the certificate; a sentence when it does not. */
function scopeProblem(cert: Cert, crl: Crl): string | undefined {
  const idp = crl.idp;
  const indirect = !!idp?.indirect;
  const direct = sameName(crl.issuer, cert.issuer);
  // Which of the certificate's distribution points this CRL answers for.
  const dps = cert.crlDistributionPoints;
  if (!direct) {
    if (!indirect) return 'the CRL is from another issuer';
    const named = (dps ?? []).some((dp) => dp.crlIssuer?.some((g) => g.type === 'dn' && sameName(g.name, crl.issuer)));
    if (!named) return "the indirect CRL's issuer is not named as cRLIssuer by the certificate";
  } else if (dps && dps.length > 0 && dps.every((dp) => dp.crlIssuer) && !dps.some((dp) => dp.crlIssuer!.some((g) => g.type === 'dn' && sameName(g.name, crl.issuer)))) {
    return 'the certificate names another CRL issuer';
  }
  if (idp) {
    const isCa = !!cert.basicConstraints?.ca;
    if (idp.onlyUser && isCa) return 'the CRL covers only end-entity certificates';
    if (idp.onlyCA && !isCa) return 'the CRL covers only CA certificates';
    if (idp.onlyAttr) return 'the CRL covers only attribute certificates';
    const idpNames = dpNames(idp, crl.issuer);
    if (idpNames) {
      let match = false;
      if (dps && dps.length > 0) {
        for (const dp of dps) {
          // A relative name is appended to the cRLIssuer's name if given, else the certificate issuer's (4.2.1.13).
          const relBase = dp.crlIssuer?.find((g) => g.type === 'dn');
          const names = dpNames(dp, relBase?.type === 'dn' ? relBase.name : cert.issuer) ?? dp.crlIssuer;
          if (names && names.some((a) => idpNames.some((b) => gnEqual(a, b)))) match = true;
        }
      } else {
        match = idpNames.some((g) => g.type === 'dn' && sameName(g.name, cert.issuer));
      }
      if (!match) return "the CRL's issuing distribution point is not one the certificate names";
    }
  }
  return undefined;
}

/** What revocation checks ask of a CRL's entries, worked out once per parsed CRL. */
interface EntryIndex {
  /** No entry names another certificate issuer: the serial alone finds an entry. */
  direct: boolean;
  /** The first entry of each serial (direct CRLs). */
  bySerial: Map<string, CrlEntry>;
  criticalUnknown: boolean;
}

const entryIndexes = new WeakMap<Crl, EntryIndex>();

/** The entry index of `crl`, built on first use and kept with the parsed CRL (issue 15: a check is a lookup). */
function entryIndex(crl: Crl): EntryIndex {
  let idx = entryIndexes.get(crl);
  if (!idx) {
    const bySerial = new Map<string, CrlEntry>();
    let direct = true;
    let criticalUnknown = false;
    for (const e of crl.entries) {
      if (e.certIssuer) direct = false;
      if (e.criticalUnknown) criticalUnknown = true;
      if (!bySerial.has(e.serial)) bySerial.set(e.serial, e);
    }
    idx = { direct, bySerial, criticalUnknown };
    entryIndexes.set(crl, idx);
  }
  return idx;
}

/**
 * The entry listing `cert` on `c`, if any: a direct CRL (no certificateIssuer entries) is
 * one lookup by serial, without allocating; an indirect one is walked, since an entry's
 * issuer depends on the entries before it.
 */
function listedEntry(c: Crl, cert: Cert): CrlEntry | undefined {
  const idx = entryIndex(c);
  if (idx.direct) return sameName(c.issuer, cert.issuer) ? idx.bySerial.get(cert.serial) : undefined;
  let entryIssuer: Name = c.issuer;
  for (const e of c.entries) {
    if (e.certIssuer) entryIssuer = e.certIssuer;
    if (e.serial === cert.serial && sameName(entryIssuer, cert.issuer)) return e;
  }
  return undefined;
}

function crlProblem(crl: Crl, time: number): string | undefined {
  if (crl.problems.length > 0) return crl.problems[0];
  for (const e of crl.extensions) {
    if (e.critical && !UNDERSTOOD_CRL_EXTENSIONS.has(e.oid)) return `the CRL has an unknown critical extension ${e.oid}`;
    if (e.oid === VOID.cRLNumber && e.critical) return 'the CRL marks cRLNumber critical, which RFC 5280 5.2.3 forbids';
  }
  if (crl.crlNumber === undefined) return 'the CRL has no cRLNumber (RFC 5280 5.2.3)';
  if (crl.thisUpdate > time) return 'the CRL was issued after the validation time';
  if (crl.nextUpdate !== undefined && crl.nextUpdate < time) return 'the CRL is out of date (its nextUpdate has passed)';
  if (entryIndex(crl).criticalUnknown) return 'a CRL entry has an unknown critical extension';
  return undefined;
}

function bigHex(h: string): bigint {
  return h.length === 0 ? 0n : BigInt.asIntN(h.length * 4, BigInt(`0x${h}`));
}

/** Checks the CRL's signature and its signer's right to sign CRLs; a sentence on failure. */
async function signerProblem(ctx: RevocationContext, crl: Crl, crlIndex: number, issuer: Cert, isDirect: boolean): Promise<string | undefined> {
  const signers: Cert[] = [];
  if (isDirect) signers.push(issuer);
  for (const c of ctx.candidates) if (c !== issuer && sameName(c.subject, crl.issuer)) signers.push(c);
  let last = `no certificate of ${crl.issuer.text} can be found to check the CRL`;
  for (const s of signers) {
    if (crl.aki?.keyId && s.ski && !s.ski.every((b, i) => b === crl.aki!.keyId![i]) ) {
      last = "the CRL's authority key identifier does not match its signer";
      continue;
    }
    if (--ctx.budget.left < 0) throw new BudgetExhausted('revocation');
    const key = `${s.id}:${crlIndex}`;
    let p = ctx.memo.get(key);
    if (!p) {
      p = verifySignature(ctx.subtle, s, crl, ctx.sig).then((r) => r.ok);
      ctx.memo.set(key, p);
    }
    if (!(await p)) {
      last = 'the CRL signature does not verify';
      continue;
    }
    if (!keyUsageAllows(s, 6)) return `the CRL signer ${s.subject.text} may not sign CRLs (no cRLSign in its key usage)`;
    if (s !== issuer) {
      const why = await ctx.validateSigner(s);
      if (why) {
        last = `the CRL signer's certificate is not valid: ${why}`;
        continue;
      }
    }
    return undefined;
  }
  return last;
}

/** Determines one certificate's revocation status (6.3.3). */
export async function revocationStatus(ctx: RevocationContext, cert: Cert, issuer: Cert): Promise<RevocationStatus> {
  const relevant = ctx.crls.map((crl, i) => ({ crl, i })).filter(({ crl }) => sameName(crl.issuer, cert.issuer) || (crl.idp?.indirect && (cert.crlDistributionPoints ?? []).some((dp) => dp.crlIssuer?.some((g) => g.type === 'dn' && sameName(g.name, crl.issuer)))));
  if (relevant.length === 0) return { status: 'no-crl', detail: `no CRL from ${cert.issuer.text} was given` };
  let covered = 0;
  let lastProblem = 'no usable CRL';
  let revoked: RevocationStatus | undefined;
  const complete = relevant.filter(({ crl }) => crl.deltaBase === undefined);
  for (const { crl, i } of complete) {
    const scope = scopeProblem(cert, crl);
    if (scope) {
      lastProblem = scope;
      continue;
    }
    const bad = crlProblem(crl, ctx.time);
    if (bad) {
      lastProblem = bad;
      continue;
    }
    const signer = await signerProblem(ctx, crl, i, issuer, sameName(crl.issuer, cert.issuer));
    if (signer) {
      lastProblem = signer;
      continue;
    }
    const reasons = crl.idp?.reasons !== undefined ? crl.idp.reasons & ALL_REASONS : ALL_REASONS;
    covered |= reasons;
    const check = (c: Crl): RevocationStatus | undefined => {
      const e = listedEntry(c, cert);
      if (!e) return undefined;
      if (e.reason === 8) return { status: 'good', detail: 'removed from the CRL' };
      // "(CRL n, reason r)" is the form the certificate page and walkthroughs have always shown.
      const number = c.crlNumber ? `${BigInt(`0x${c.crlNumber}`)}` : '?';
      const code = e.reason !== undefined ? `, reason ${e.reason}` : '';
      return { status: 'revoked', reason: e.reason, detail: `revoked (CRL ${number}${code}): ${reasonName(e.reason)}, on the CRL of ${c.issuer.text}` };
    };
    // A delta CRL for this base, valid and signed, speaks first: an entry there (revoked,
    // or removeFromCRL for a certificate on hold in the base) overrides the base (6.3.3 (c), (i)).
    let deltaSays: RevocationStatus | undefined;
    for (const { crl: d, i: di } of relevant) {
      if (d.deltaBase === undefined || !crl.crlNumber || bigHex(d.deltaBase) > bigHex(crl.crlNumber)) continue;
      if (!sameName(d.issuer, crl.issuer) || scopeProblem(cert, d) || crlProblem(d, ctx.time)) continue;
      if (await signerProblem(ctx, d, di, issuer, sameName(d.issuer, cert.issuer))) continue;
      deltaSays = check(d);
      if (deltaSays?.status === 'revoked') deltaSays = { ...deltaSays, detail: `${deltaSays.detail} (delta CRL)` };
      if (deltaSays) break;
    }
    if (deltaSays) {
      if (deltaSays.status === 'revoked') return deltaSays;
    } else {
      const r = check(crl);
      if (r?.status === 'revoked') revoked = r;
    }
    if (revoked) return revoked;
    if ((covered & ALL_REASONS) === ALL_REASONS) break;
  }
  if (revoked) return revoked;
  if ((covered & ALL_REASONS) !== ALL_REASONS) return { status: 'unknown', detail: covered ? 'the CRLs given do not cover every revocation reason' : lastProblem };
  return { status: 'good', detail: `not on the CRL of ${cert.issuer.text}` };
}
