/**
 * Keyrings and rotation (B4, K3): a keyring is a numbered list of key versions with
 * exactly one primary. The primary protects; older versions only process (decrypt,
 * verify, unwrap) until their own process-stop date. Rotation adds a new active
 * version, makes it primary and ends the old primary's originator-usage period.
 * This is the Tink keyset / Vault transit model on top of the SP 800-57 states.
 *
 * Common case:
 * ```ts
 * let ring = createKeyring({ id, name: 'notes', first: { keyId: k1, record: rec1 } });
 * const { ring: r2, changes } = rotate(ring, k2, now, { record: rec2 });  // persist + audit changes
 * const v = versionFor(r2, 'encrypt', now);                               // the primary
 * const old = versionFor(r2, 'decrypt', now, { version: 1 });              // process-only
 * ```
 * Pure: the engine loads the versions' records, calls these, and stores what changed.
 */
import { EngineError, KeyStateError } from '../errors';
import type { KeyOperation, KeyState } from '../types';
import { advance } from './dates';
import { checkOperation, operationKind, type GateOptions } from './gates';
import type { LifecycleRecord } from './states';
import { transition } from './transition';

/** One version of a keyring: the vault key behind it and its lifecycle. */
export interface KeyringVersion<R extends LifecycleRecord = LifecycleRecord> {
  /** 1, 2, 3, … in order of creation; never reused. */
  version: number;
  keyId: string;
  record: R;
}

/** A keyring: plain JSON apart from whatever the records carry. */
export interface Keyring<R extends LifecycleRecord = LifecycleRecord> {
  id: string;
  name: string;
  /** The version number that protects. Exactly one. */
  primary: number;
  /** Oldest first. */
  versions: readonly KeyringVersion<R>[];
}

/** A lifecycle change rotation made to one version, for the engine to store and audit. */
export interface VersionChange {
  keyId: string;
  version: number;
  from: KeyState;
  to: KeyState;
  reason: string;
}

/** Parameters of `createKeyring`. */
export interface CreateKeyringParams<R extends LifecycleRecord> {
  id: string;
  name: string;
  /** The first version's key; version 1, primary. */
  first: { keyId: string; record: R };
}

/** A keyring with one version, which is primary. */
export function createKeyring<R extends LifecycleRecord>(params: CreateKeyringParams<R>): Keyring<R> {
  return { id: params.id, name: params.name, primary: 1, versions: [{ version: 1, keyId: params.first.keyId, record: params.first.record }] };
}

/**
 * Checks the keyring invariants: versions numbered 1..n in order, unique key ids, the
 * primary exists and is the newest version that is not pre-activation.
 * @throws INVALID_ARGUMENT naming the broken invariant.
 */
export function assertKeyring(ring: Keyring): void {
  if (ring.versions.length === 0) throw new EngineError('INVALID_ARGUMENT', 'keyring: a keyring has at least one version');
  const ids = new Set<string>();
  ring.versions.forEach((v, i) => {
    if (v.version !== i + 1) throw new EngineError('INVALID_ARGUMENT', 'keyring: versions must be numbered 1, 2, 3, … in order');
    if (ids.has(v.keyId)) throw new EngineError('INVALID_ARGUMENT', 'keyring: a key appears twice in the keyring');
    ids.add(v.keyId);
  });
  if (!ring.versions.some((v) => v.version === ring.primary)) {
    throw new EngineError('INVALID_ARGUMENT', `keyring: primary version ${ring.primary} does not exist`);
  }
}

/** The primary version. */
export function primaryVersion<R extends LifecycleRecord>(ring: Keyring<R>): KeyringVersion<R> {
  const v = ring.versions.find((x) => x.version === ring.primary);
  if (!v) throw new EngineError('INVALID_ARGUMENT', `keyring: primary version ${ring.primary} does not exist`);
  return v;
}

/** Options of `rotate`. */
export interface RotateOptions<R extends LifecycleRecord> {
  /**
   * The new key's lifecycle record (from `newLifecycle` with its template's
   * `defaultDates`). It is advanced to `now`; it must then be active.
   */
  record: R;
}

/** What rotation produced. */
export interface RotateResult<R extends LifecycleRecord> {
  ring: Keyring<R>;
  /** The new primary. */
  primary: KeyringVersion<R>;
  /** Lifecycle changes to store and audit, in order (new version first). */
  changes: VersionChange[];
}

/**
 * Rotates: adds `newKeyId` as version n+1 and makes it primary. The old primary's
 * originator-usage period ends now: an active or suspended old primary becomes
 * deactivated (cause operator, reason superseded), so it keeps processing until its
 * process-stop date. A compromised old primary stays compromised.
 * @throws INVALID_ARGUMENT when the key is already in the ring; KEY_STATE when the new
 *   version is not active at `now`.
 */
export function rotate<R extends LifecycleRecord>(ring: Keyring<R>, newKeyId: string, now: number, opts: RotateOptions<R>): RotateResult<R> {
  assertKeyring(ring);
  if (ring.versions.some((v) => v.keyId === newKeyId)) {
    throw new EngineError('INVALID_ARGUMENT', 'keyring: the new key is already a version of this keyring');
  }
  const changes: VersionChange[] = [];
  const version = ring.versions.length + 1;
  const fresh = advance(opts.record, now).record;
  if (fresh.state !== 'active') {
    throw new KeyStateError(`keyring: the new version is ${fresh.state}; only an active key can become the primary`);
  }
  for (const e of fresh.history.slice(opts.record.history.length)) {
    changes.push({ keyId: newKeyId, version, from: e.from, to: e.to, reason: e.reason ?? 'activated' });
  }
  const reason = `superseded by version ${version}`;
  const versions = ring.versions.map((v) => {
    if (v.version !== ring.primary) return v;
    // Clock transitions that were already due come first, so the old primary's history stays true.
    const current = advance(v.record, now).record;
    for (const e of current.history.slice(v.record.history.length)) {
      changes.push({ keyId: v.keyId, version: v.version, from: e.from, to: e.to, reason: e.reason ?? '' });
    }
    if (current.state !== 'active' && current.state !== 'suspended') return { ...v, record: current };
    const record = transition(current, 'deactivated', { cause: 'operator', at: now, reason });
    changes.push({ keyId: v.keyId, version: v.version, from: current.state, to: 'deactivated', reason });
    return { ...v, record };
  });
  const primary: KeyringVersion<R> = { version, keyId: newKeyId, record: fresh };
  return { ring: { ...ring, primary: version, versions: [...versions, primary] }, primary, changes };
}

/** Options of `versionFor`. */
export interface VersionForOptions extends GateOptions {
  /** For processing: the version named by the ciphertext or signature. */
  version?: number;
}

/**
 * The version to use for `op` at `now`. Protect operations always use the primary
 * (an older version is never chosen, even if asked for). Process operations use the
 * version the data names.
 * @throws KEY_STATE when the gate refuses (message names the version, state and rule);
 *   INVALID_ARGUMENT when a process operation names no version or an unknown one.
 */
export function versionFor<R extends LifecycleRecord>(ring: Keyring<R>, op: KeyOperation, now: number, opts: VersionForOptions = {}): KeyringVersion<R> {
  let v: KeyringVersion<R> | undefined;
  if (operationKind(op) === 'protect') {
    v = primaryVersion(ring);
    if (opts.version !== undefined && opts.version !== v.version) {
      throw new KeyStateError(`keyring: only the primary version (${v.version}) may ${op}; version ${opts.version} is process-only`);
    }
  } else {
    if (opts.version === undefined) throw new EngineError('INVALID_ARGUMENT', `keyring: ${op} needs the version the data was protected with`);
    v = ring.versions.find((x) => x.version === opts.version);
    if (!v) throw new EngineError('INVALID_ARGUMENT', `keyring: version ${opts.version} does not exist`);
  }
  const d = checkOperation(v.record, op, now, opts);
  if (!d.allowed) throw new KeyStateError(`keyring: version ${v.version}: ${d.message}`);
  return v;
}

/** The versions that may process at `now` (newest first), e.g. to try each on a MAC without a version tag. */
export function processingVersions<R extends LifecycleRecord>(ring: Keyring<R>, op: KeyOperation, now: number): KeyringVersion<R>[] {
  if (operationKind(op) !== 'process') throw new EngineError('INVALID_ARGUMENT', `keyring: ${op} is not a process operation`);
  return [...ring.versions].reverse().filter((v) => checkOperation(v.record, op, now).allowed);
}

/**
 * The versions whose data should be rewrapped or re-encrypted under the primary
 * (B4: "rewrap data to the newest version"): every older version that can still
 * process. Destroyed versions are lost causes and are not listed.
 */
export function versionsToRewrap<R extends LifecycleRecord>(ring: Keyring<R>, now: number): KeyringVersion<R>[] {
  return ring.versions.filter(
    (v) => v.version !== ring.primary && (checkOperation(v.record, 'decrypt', now).allowed || checkOperation(v.record, 'decrypt', now, { acknowledgeRisk: true }).allowed),
  );
}
