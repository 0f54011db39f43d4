import { describe, expect, it } from 'vitest';
import { isEngineError, KeyStateError } from '../errors';
import { advance, defaultDates } from './dates';
import { assertKeyring, createKeyring, processingVersions, rotate, versionFor, versionsToRewrap, type Keyring } from './keyring';
import type { LifecycleRecord } from './states';
import { newLifecycle, transition } from './transition';
import { DAY, T0, YEAR } from '../../testing/lifecycle-fixtures';

const newKey = (at: number) => newLifecycle({ createdAt: at, dates: defaultDates('AES-GCM-256', at) });

function ringWithOneVersion(): Keyring {
  return createKeyring({ id: 'ring_1', name: 'notes', first: { keyId: 'key_v1', record: advance(newKey(T0), T0).record } });
}

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('lifecycle keyring: K3 rotation (B4)', () => {
  const r1 = T0 + 100 * DAY;
  const rotated = () => rotate(ringWithOneVersion(), 'key_v2', r1, { record: newKey(r1) });

  it('K3 rotation makes the new version primary and active, and the old one deactivated (superseded)', () => {
    const { ring, primary, changes } = rotated();
    assertKeyring(ring);
    expect(ring.primary).toBe(2);
    expect(primary).toMatchObject({ version: 2, keyId: 'key_v2' });
    expect(ring.versions.map((v) => [v.version, v.record.state])).toEqual([
      [1, 'deactivated'],
      [2, 'active'],
    ]);
    expect(changes).toEqual([
      { keyId: 'key_v2', version: 2, from: 'pre-activation', to: 'active', reason: 'activation date reached' },
      { keyId: 'key_v1', version: 1, from: 'active', to: 'deactivated', reason: 'superseded by version 2' },
    ]);
    expect(ring.versions[0]!.record.history.at(-1)).toMatchObject({ cause: 'operator', reason: 'superseded by version 2' });
  });

  it('K3 only the primary protects; older versions process until their own process-stop', () => {
    const { ring } = rotated();
    expect(versionFor(ring, 'encrypt', r1).keyId).toBe('key_v2');
    expect(versionFor(ring, 'decrypt', r1, { version: 1 }).keyId).toBe('key_v1');
    expect(versionFor(ring, 'decrypt', r1, { version: 2 }).keyId).toBe('key_v2');
    // Version 1 was created at T0 with a 5-year recipient-usage period.
    const v1ProcessStop = Date.parse(ring.versions[0]!.record.dates.processStop!);
    expect(versionFor(ring, 'decrypt', v1ProcessStop - 1, { version: 1 }).version).toBe(1);
    expect(() => versionFor(ring, 'decrypt', v1ProcessStop, { version: 1 })).toThrow(/^keyring: version 1: lifecycle: key is deactivated; it may decrypt only until its process-stop date/);
  });

  it('refuses to protect with an older version even when asked for it', () => {
    const { ring } = rotated();
    const e = thrown(() => versionFor(ring, 'encrypt', r1, { version: 1 }));
    expect(e).toBeInstanceOf(KeyStateError);
    expect((e as Error).message).toBe('keyring: only the primary version (2) may encrypt; version 1 is process-only');
  });

  it('processing needs the version the data names', () => {
    const { ring } = rotated();
    expect(isEngineError(thrown(() => versionFor(ring, 'decrypt', r1)), 'INVALID_ARGUMENT')).toBe(true);
    expect(isEngineError(thrown(() => versionFor(ring, 'decrypt', r1, { version: 7 })), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('three rotations: versions 1..4, one primary, all older ones process-only, newest first for processing', () => {
    let ring = ringWithOneVersion();
    for (let i = 2; i <= 4; i++) ring = rotate(ring, `key_v${i}`, T0 + i * DAY, { record: newKey(T0 + i * DAY) }).ring;
    assertKeyring(ring);
    expect(ring.versions.filter((v) => v.record.state === 'active').map((v) => v.version)).toEqual([4]);
    expect(processingVersions(ring, 'decrypt', T0 + 5 * DAY).map((v) => v.version)).toEqual([4, 3, 2, 1]);
    expect(versionsToRewrap(ring, T0 + 5 * DAY).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('the primary’s own protect-stop stops protection even without a rotation', () => {
    const ring = ringWithOneVersion();
    const stop = Date.parse(ring.versions[0]!.record.dates.protectStop!);
    expect(versionFor(ring, 'encrypt', stop - 1).version).toBe(1);
    expect(() => versionFor(ring, 'encrypt', stop)).toThrow(/key is deactivated/);
  });

  it('rotating away from a compromised primary leaves it compromised; from a suspended one deactivates it', () => {
    const ring = ringWithOneVersion();
    const compromise = (r: LifecycleRecord) => transition(r, 'compromised', { cause: 'operator', at: T0 + DAY });
    const c = rotate({ ...ring, versions: [{ ...ring.versions[0]!, record: compromise(ring.versions[0]!.record) }] }, 'key_v2', r1, { record: newKey(r1) });
    expect(c.ring.versions[0]!.record.state).toBe('compromised');
    expect(c.changes.filter((x) => x.keyId === 'key_v1')).toEqual([]);
    const suspend = (r: LifecycleRecord) => transition(r, 'suspended', { cause: 'operator', at: T0 + DAY });
    const s = rotate({ ...ring, versions: [{ ...ring.versions[0]!, record: suspend(ring.versions[0]!.record) }] }, 'key_v2', r1, { record: newKey(r1) });
    expect(s.ring.versions[0]!.record.state).toBe('deactivated');
  });

  it('refuses a new version that is not active at rotation time, or a key already in the ring', () => {
    const later = newLifecycle({ createdAt: r1, dates: { activation: r1 + DAY } });
    expect(() => rotate(ringWithOneVersion(), 'key_v2', r1, { record: later })).toThrow('keyring: the new version is pre-activation; only an active key can become the primary');
    expect(isEngineError(thrown(() => rotate(ringWithOneVersion(), 'key_v1', r1, { record: newKey(r1) })), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('assertKeyring catches a missing primary and misnumbered versions', () => {
    const ring = ringWithOneVersion();
    expect(() => assertKeyring({ ...ring, primary: 2 })).toThrow(/primary version 2 does not exist/);
    expect(() => assertKeyring({ ...ring, versions: [{ ...ring.versions[0]!, version: 3 }] })).toThrow(/numbered 1, 2, 3/);
  });

  it('a rotation long after the old primary expired records its clock deactivation first', () => {
    const late = T0 + 3 * YEAR; // v1's protect-stop (T0 + 2 y) has passed
    const { changes, ring } = rotate(ringWithOneVersion(), 'key_v2', late, { record: newKey(late) });
    expect(changes.filter((c) => c.keyId === 'key_v1')).toEqual([{ keyId: 'key_v1', version: 1, from: 'active', to: 'deactivated', reason: 'protectStop date reached' }]);
    expect(ring.versions[0]!.record.history.at(-1)!.cause).toBe('clock');
  });
});
