/**
 * The walkthrough contract (F1–F3). A walkthrough is data plus step functions that call
 * the real engine; the runner and the views are generic. Each walkthrough runs in its
 * own namespace: an engine over its own IndexedDB database, never the user's, so a
 * reset deletes only what walkthroughs made.
 *
 * Deep links: `#/walkthroughs/<walkthroughId>/<stepIndex>` rebuilds the state of that
 * step from scratch by resetting the namespace and running steps 0…stepIndex in order.
 */
import type { Engine } from '../../engine';

/** One labelled part of a byte string (e.g. "IV", "ciphertext", "tag"). */
export interface ByteSegment {
  label: string;
  hex: string;
}

/** Real data a step shows. Plain, serialisable, and never secret key material. */
export type StepDatum =
  | { kind: 'hex'; label: string; segments: ByteSegment[] }
  | { kind: 'pem'; label: string; pem: string }
  | { kind: 'json'; label: string; value: unknown }
  | { kind: 'text'; label: string; value: string }
  | { kind: 'fingerprint'; label: string; value: string }
  | { kind: 'asn1'; label: string; der: string /* hex */ }
  | { kind: 'check'; label: string; ok: boolean; detail: string }
  /** Named fields, e.g. a decoded protocol message (name, value, an optional note). */
  | { kind: 'fields'; label: string; caption?: string; fields: Array<{ name: string; value: string; note?: string }> };

/** What a step's diagram draws. */
export type StepDiagram =
  /** Sequence lanes (parties) with the message of this step from → to. */
  | { kind: 'sequence'; lanes: string[]; messages: Array<{ from: string; to: string; label: string; current?: boolean; refused?: boolean }> }
  /** The key state machine with the current state and the transition just taken. */
  | { kind: 'lifecycle'; state: string; from?: string }
  /** A CA tree / certificate chain, with statuses. */
  | { kind: 'chain'; nodes: Array<{ label: string; status: 'valid' | 'revoked' | 'unknown' | 'failed' }> }
  /** Anything else: a caption only. */
  | { kind: 'none' };

/** An object the step made or changed, opened on its own page inside the namespace. */
export interface ObjectLink {
  kind: 'key' | 'cert' | 'crl';
  /** Key id, certificate id, or (for a CRL) the CA id. */
  id: string;
  label: string;
}

/** What running a step produced. */
export interface StepResult {
  diagram: StepDiagram;
  data: StepDatum[];
  /** What changed in the namespace's vault/CA/KDC (plain-language lines). */
  changes: string[];
  /** Objects of the namespace to open on their own pages (key, certificate, CRL). */
  objects?: ObjectLink[];
}

/** The state steps pass forward (ids, serials, ciphertexts…): plain data only. */
export type WalkthroughState = Record<string, unknown>;

/** What a step function receives. */
export interface StepContext {
  /** The walkthrough namespace's engine (its own database). */
  engine: Engine;
  /** State left by the previous steps; a step returns additions to it. */
  state: WalkthroughState;
}

export interface WalkthroughStep {
  id: string;
  title: string;
  /** A short plain-language explanation of what happens and why. */
  explain: string;
  /** The standard it comes from, e.g. "NIST SP 800-57 Part 1 §5.3" or "RFC 5280 §5". */
  standard: string;
  run(ctx: StepContext): Promise<{ result: StepResult; state?: WalkthroughState }>;
}

export interface Walkthrough {
  id: string;
  title: string;
  summary: string;
  /** Seeds and features it covers, for the index page. */
  covers: string;
  steps: WalkthroughStep[];
}
