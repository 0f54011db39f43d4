/** Key records as stored: the v3 upgrade of old records and the `dueAt` index field added on write and removed on read. */
import { defaultDates, nextDueAt } from '../lifecycle/dates';
import { isoAt } from '../lifecycle/transition';
import type { KeyInfo } from '../types';
import type { StoredKeyInfo } from './schema';

/**
 * A v1/v2 key record brought to v3: active since its creation (it was usable), the
 * template's default dates from its creation time, no recorded history, its own keyring.
 */
export function upgradeKeyRecord(old: KeyInfo): KeyInfo {
  const created = Date.parse(old.createdAt);
  const dates: KeyInfo['dates'] = { createdAt: old.createdAt };
  try {
    const d = defaultDates(old.template, created);
    if (d.activation !== undefined) dates.activation = isoAt(d.activation);
    if (d.protectStop !== undefined) dates.protectStop = isoAt(d.protectStop);
    if (d.processStop !== undefined) dates.processStop = isoAt(d.processStop);
    if (d.deactivation !== undefined) dates.deactivation = isoAt(d.deactivation);
  } catch {
    // An unknown template or date: keep the key without scheduled dates.
  }
  // With its `dueAt` (index `byDueAt`, v5), which storage strips when the record is read.
  return toStoredKey({ ...old, state: old.state ?? 'active', dates, history: old.history ?? [], keyringId: old.keyringId ?? old.id, primary: old.primary ?? true, version: old.version ?? 1 });
}

/**
 * A key record as written: `dueAt` is the next clock transition of the record (index
 * `byDueAt`), recomputed on every write so it never goes stale.
 */
export function toStoredKey(info: KeyInfo): StoredKeyInfo {
  const { dueAt: _old, ...rest } = info as StoredKeyInfo;
  let due: number | undefined;
  try {
    due = nextDueAt(rest);
  } catch {
    due = undefined;
  }
  return due !== undefined && Number.isFinite(due) ? { ...rest, dueAt: due } : rest;
}

/** A stored key record as callers see it: plain `KeyInfo` (the index field removed in place; the record is a fresh clone). */
export function fromStoredKey<T extends StoredKeyInfo | undefined>(rec: T): T extends undefined ? KeyInfo | undefined : KeyInfo {
  if (rec && 'dueAt' in rec) delete rec.dueAt;
  return rec as never;
}
