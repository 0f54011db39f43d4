/**
 * Operation gating (B2): may a key in this lifecycle state, at this time, do this
 * operation? Every engine operation asks `assertOperationAllowed` before it touches the
 * key; the UI asks `checkOperation`/`operationMatrix` to enable buttons and explain why not.
 *
 * The rules (SP 800-57 Part 1 §7; LIFECYCLE.md "What each state allows"):
 * - protect (encrypt, sign, wrap, derive, encapsulate): only when active, and only in
 *   [activation, protect-stop);
 * - process (decrypt, verify, unwrap, decapsulate): active or deactivated until
 *   process-stop; suspended or compromised only with an explicit acknowledgement of the
 *   risk, and never for data protected after the suspension or compromise;
 * - pre-activation, destroyed and destroyed-compromised: nothing.
 *
 * Gates judge the record as the clock would leave it at `now` (due clock transitions are
 * applied first, without being stored), so a key whose protect-stop has passed never
 * protects even if the engine has not yet persisted its deactivation.
 */
import { KeyStateError } from '../errors';
import type { KeyOperation, KeyState } from '../types';
import { advance } from './dates';
import type { LifecycleRecord } from './states';
import { msOf } from './transition';

/** Operations that create protected data (SP 800-57 "protect"; originator usage). */
export const PROTECT_OPERATIONS = ['encrypt', 'sign', 'wrap', 'derive', 'encapsulate'] as const satisfies readonly KeyOperation[];
/** Operations that process protected data (SP 800-57 "process"; recipient usage). */
export const PROCESS_OPERATIONS = ['decrypt', 'verify', 'unwrap', 'decapsulate'] as const satisfies readonly KeyOperation[];
/** Every operation, protect first. */
export const ALL_OPERATIONS: readonly KeyOperation[] = [...PROTECT_OPERATIONS, ...PROCESS_OPERATIONS];

/** Whether an operation protects or processes. */
export function operationKind(op: KeyOperation): 'protect' | 'process' {
  return (PROTECT_OPERATIONS as readonly KeyOperation[]).includes(op) ? 'protect' : 'process';
}

/** Options of the gate. */
export interface GateOptions {
  /**
   * The caller (a person, in the UI) accepts the risk of processing with a suspended or
   * compromised key (SP 800-57: "at the relying party's risk", "under tightly controlled
   * conditions"). Never needed, and never sufficient, to protect.
   */
  acknowledgeRisk?: boolean;
  /**
   * When the data being processed was protected, epoch ms, if known (e.g. from a signed
   * timestamp or the envelope). Data protected during a suspension or after a compromise
   * is refused even with the acknowledgement.
   */
  dataProtectedAt?: number;
}

/** The gate's verdict on one operation. */
export interface GateDecision {
  op: KeyOperation;
  kind: 'protect' | 'process';
  allowed: boolean;
  /** True when the operation would be allowed with `acknowledgeRisk`. */
  needsAcknowledgement: boolean;
  /** The state the decision was made in (after due clock transitions). */
  state: KeyState;
  /** `lifecycle: …` sentence naming the state and the rule; for allowed operations, why. */
  message: string;
}

const PROCESS_LIST = 'decrypt, verify, unwrap, decapsulate';

/** Decides one operation without throwing (for the UI). */
export function checkOperation(record: LifecycleRecord, op: KeyOperation, now: number, opts: GateOptions = {}): GateDecision {
  const effective = advance(record, now).record;
  const state = effective.state;
  const kind = operationKind(op);
  const d = effective.dates;
  const decide = (allowed: boolean, message: string, needsAcknowledgement = false): GateDecision => ({
    op,
    kind,
    allowed,
    needsAcknowledgement,
    state,
    message: `lifecycle: key is ${state}; ${message}`,
  });

  switch (state) {
    case 'pre-activation':
      return decide(false, `a key cannot be used before it is activated${d.activation ? ` (activation date ${d.activation})` : ''}`);
    case 'destroyed':
      return decide(false, 'a destroyed key cannot be used at all: its material is gone');
    case 'destroyed-compromised':
      return decide(false, 'a destroyed key cannot be used at all: its material is gone, and it was compromised');
    default:
      break;
  }

  const processStop = msOf(d.processStop);
  if (kind === 'protect') {
    if (state === 'active') {
      const activation = msOf(d.activation);
      const protectStop = msOf(d.protectStop);
      if (activation !== undefined && now < activation) return decide(false, `it may ${op} only from its activation date ${d.activation}`);
      if (protectStop !== undefined && now >= protectStop) return decide(false, `it may ${op} only until its protect-stop date ${d.protectStop}`);
      return decide(true, `active keys may ${op}`);
    }
    if (state === 'suspended') return decide(false, `suspended keys must not protect (${op}) until the suspension is resolved`);
    if (state === 'deactivated') return decide(false, `deactivated keys may only process (${PROCESS_LIST}), not ${op}`);
    return decide(false, `compromised keys must never protect (${op}) again`);
  }

  // Process.
  if (processStop !== undefined && now >= processStop) {
    return decide(false, `it may ${op} only until its process-stop date ${d.processStop} (end of the recipient-usage period)`);
  }
  if (state === 'active' || state === 'deactivated') return decide(true, `${state} keys may ${op} until their process-stop date`);

  // Suspended or compromised: only at the caller's explicit risk, and only for older data.
  const cutoffIso = state === 'suspended' ? d.suspension : (d.compromiseOccurrence ?? d.compromise);
  const cutoff = msOf(cutoffIso);
  if (opts.dataProtectedAt !== undefined && cutoff !== undefined && opts.dataProtectedAt >= cutoff) {
    return decide(
      false,
      state === 'suspended'
        ? `data protected during the suspension (since ${cutoffIso}) must not be processed until the suspension is resolved`
        : `data protected after the compromise (${cutoffIso}) must not be trusted`,
    );
  }
  if (!opts.acknowledgeRisk) {
    return decide(
      false,
      state === 'suspended'
        ? `a suspended key may ${op} data protected before the suspension only when the risk is explicitly acknowledged`
        : `a compromised key may ${op} only under controlled conditions, when the risk is explicitly acknowledged`,
      true,
    );
  }
  return decide(true, `${op} allowed at the acknowledged risk of using a ${state} key`, true);
}

/**
 * Throws unless the operation is allowed. The message names the state and the rule,
 * e.g. "lifecycle: key is deactivated; deactivated keys may only process (decrypt,
 * verify, unwrap, decapsulate), not encrypt".
 * @throws KeyStateError (code KEY_STATE)
 */
export function assertOperationAllowed(record: LifecycleRecord, op: KeyOperation, now: number, opts: GateOptions = {}): void {
  const d = checkOperation(record, op, now, opts);
  if (!d.allowed) throw new KeyStateError(d.message);
}

/** The decision for every operation at `now` (for the UI's buttons and the tests' matrix). */
export function operationMatrix(record: LifecycleRecord, now: number, opts: GateOptions = {}): Record<KeyOperation, GateDecision> {
  return Object.fromEntries(ALL_OPERATIONS.map((op) => [op, checkOperation(record, op, now, opts)])) as Record<KeyOperation, GateDecision>;
}

/**
 * May a CA key sign status information (a CRL)? A CA keeps vouching for what it issued
 * after it stops issuing (SECURITY.md K3; Vault "restrict old issuer to CRL signing"):
 * an active key always may, a deactivated key may until its process-stop date. A
 * suspended, compromised, pre-activation or destroyed key may not: a CRL signed by a
 * compromised key proves nothing.
 * @throws KeyStateError (code KEY_STATE)
 */
export function assertCrlSigningAllowed(record: LifecycleRecord, now: number): void {
  const effective = advance(record, now).record;
  const state = effective.state;
  const processStop = msOf(effective.dates.processStop);
  if (state === 'active' || state === 'deactivated') {
    if (processStop !== undefined && now >= processStop) {
      throw new KeyStateError(`lifecycle: key is ${state}; a CA key signs CRLs only until its process-stop date ${effective.dates.processStop}`);
    }
    return;
  }
  throw new KeyStateError(`lifecycle: key is ${state}; only an active or deactivated CA key may sign CRLs`);
}
