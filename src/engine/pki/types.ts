/**
 * Public types of the certificate authority. Plain data: safe for zustand, views and
 * JSON (no CryptoKey, no pkijs objects, no DER unless asked for).
 */
import type { CaRecord, CertRecord, CrlRecord } from '../storage/schema';
import type { LintFinding } from './lint';

/** A CA as the UI shows it. */
export type CaInfo = CaRecord;

/** A certificate's metadata; the DER stays in the store (export it with `exportCertificate`). */
export type CertInfo = Omit<CertRecord, 'der'> & {
  /** Revocation state from the revocation index (M3). */
  status: 'valid' | 'revoked' | 'expired' | 'not-yet-valid';
  revocation?: { reason: string; revokedAt: string; invalidityDate?: string };
};

/** A published CRL's metadata. */
export type CrlInfo = Omit<CrlRecord, 'der'>;

/** The result of issuing a certificate. */
export interface IssueResult {
  cert: CertInfo;
  pem: string;
  /** True when notAfter was cut to the issuer's notAfter (a leaf never outlives its issuer). */
  truncated: boolean;
}

/** One named step of a chain verification, for the UI to explain. */
export interface VerifyStep {
  name: string;
  ok: boolean;
  detail: string;
  /** RFC section or profile rule the step comes from. */
  section?: string;
  /** Passed, but worth saying (e.g. a certificate that outlives its issuer). */
  warning?: boolean;
}

/** A chain verification outcome. */
export interface VerifyResult {
  valid: boolean;
  /** `unknown` when some certificate has no usable CRL from its issuer (fail closed). */
  revocation: 'good' | 'revoked' | 'unknown';
  steps: VerifyStep[];
  /** Which profile judged the path (rfc5280 or webpki). */
  profile?: 'rfc5280' | 'webpki';
  /** One sentence: why it failed, or the path it found. */
  summary?: string;
  /** The path, trust anchor first. */
  path?: { subject: string; issuer: string; serial: string; role: string; notBefore: string; notAfter: string }[];
  /** Paths tried and given up on, with why. */
  alternatives?: { path: string[]; reason: string }[];
}

export type { LintFinding };
