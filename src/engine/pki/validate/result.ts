/**
 * The validator's result: a verdict that explains itself. Every check is listed in order
 * with pass or fail, the RFC section (or profile rule) it comes from and a plain sentence,
 * so the Verify screen, the certificate page and the walkthroughs show the same reasons.
 */

/** Which rule set judged the path. */
export type ProfileName = 'rfc5280' | 'webpki';

/** One check made on the path. */
export interface Check {
  /** Short rule name, e.g. "validity", "basic-constraints", "name-constraints". */
  rule: string;
  /** Where the rule comes from, e.g. "RFC 5280 6.1.3 (a)(2)" or "CABF BR 7.1.2.7.6". */
  section: string;
  ok: boolean;
  /** A warning passes but is worth saying (e.g. a certificate outliving its issuer). */
  warning?: boolean;
  /** Plain sentence a user can read. */
  sentence: string;
  /** Index in `path` (0 = trust anchor) the check is about, when it is about one. */
  at?: number;
}

/** A certificate of the path, as drawn. */
export interface PathEntry {
  subject: string;
  issuer: string;
  serial: string;
  role: 'trust anchor' | 'intermediate' | 'target';
  notBefore: string;
  notAfter: string;
}

/** A path the builder tried and gave up on, with why. */
export interface Alternative {
  path: string[];
  reason: string;
}

/** Outcome of `validatePath`. */
export interface ValidationResult {
  valid: boolean;
  profile: ProfileName;
  revocation: 'require' | 'if-available' | 'off';
  /** Anchor first, target last; empty when no path to an anchor was found. */
  path: PathEntry[];
  checks: Check[];
  /** The first failed check's sentence, or a success sentence. */
  summary: string;
  alternatives: Alternative[];
  /** Set when the only obstacle was an algorithm WebCrypto lacks (DSA). */
  unsupported?: boolean;
  /** Work spent, for the conformance report (signatures checked, name comparisons). */
  work: { signatures: number; comparisons: number };
}
