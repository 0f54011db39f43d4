// The storage the engine writes through while a vault lock exists: new exportable material is sealed, and each write pins the lock state it was planned for.
import type { RandomSource } from '../internal/random';
import type { AuditedCommit } from '../storage/commits';
import type { ClavisStorage } from '../storage/db';
import { hasExtractablePiece } from './basics';
import { LOCK_META_KEY, sealRecord } from './seal';
import type { LockSession } from './session';

/** `inner` with its key-adding writes sealed under the session's wrapping key while the lock is on. */
export function guardStorage(inner: ClavisStorage, session: LockSession, subtle: SubtleCrypto, random: RandomSource): ClavisStorage {
  const { current, requireKey } = session;
  /** Seals the exportable material of new keys, and pins the lock state the plan was made for. */
  const prepare = async <C extends Pick<AuditedCommit, 'addKeys' | 'metaStamp'>>(c: C): Promise<C> => {
    const adds = c.addKeys ?? [];
    if (!adds.some(({ material }) => hasExtractablePiece(material))) return c;
    const config = await current();
    if (!config) return { ...c, metaStamp: { key: LOCK_META_KEY, stamp: null } };
    const { key } = await requireKey();
    const addKeys = await Promise.all(adds.map(async ({ info, material }) => ({ info, material: await sealRecord(subtle, random, key, material) })));
    return { ...c, addKeys, metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } };
  };
  return {
    ...inner,
    commitAudited: async (c) => inner.commitAudited(await prepare(c)),
    // A restore brings exportable material back: sealed like a new key's while the lock is on.
    commitRestore: async (c) => {
      if (!c.addKeys.some(({ material }) => material && hasExtractablePiece(material))) return inner.commitRestore(c);
      const config = await current();
      if (!config) return inner.commitRestore({ ...c, metaStamp: { key: LOCK_META_KEY, stamp: null } });
      const { key } = await requireKey();
      const addKeys = await Promise.all(c.addKeys.map(async ({ info, material }) => ({ info, material: material ? await sealRecord(subtle, random, key, material) : undefined })));
      return inner.commitRestore({ ...c, addKeys, metaStamp: { key: LOCK_META_KEY, stamp: config.stamp } });
    },
    addKey: async (info, material) => {
      const { addKeys } = await prepare({ addKeys: [{ info, material }] });
      return inner.addKey(info, addKeys![0]!.material);
    },
  };
}
