/**
 * Batch key generation (A1 at scale): many keys of one template for a class, a fleet or a
 * test, with ONE transaction per batch (keys, material and their `key.create` audit
 * entries together, A4) instead of one per key, progress after each batch, and a cancel
 * between batches. A batch lands whole or not at all; a cancel keeps the batches already
 * stored and starts no other, so the vault and the audit log always agree.
 *
 * Common case:
 * `await engine.generateKeys({ template: 'ECDSA-P-256', names: students.map((s) => `${s} signing key`), owner: 'class-2026', onProgress })`
 */
import { withAudit } from '../audit/store';
import { EngineError } from '../errors';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo } from '../types';
import type { EngineContext } from './context';
import { isTemplateName } from './templates';
import { assertOwnerNotRevoked, cleanLabel, describeKey, generateMaterial, keyCreatedDraft, newKeyId, templateOf } from './vault';

/** The most keys one call makes. */
export const MAX_BATCH_KEYS = 20_000;
/** Keys per transaction by default. */
export const DEFAULT_BATCH_SIZE = 500;

/** What to generate: one key per name, all of one template and owner. */
export interface GenerateKeysParams {
  template: Parameters<typeof templateOf>[0];
  names: readonly string[];
  owner?: string;
  /** Make every key exportable (off by default; the reason is recorded). */
  exportable?: boolean;
  /** Keys per transaction (1–5,000, default 500). */
  batchSize?: number;
  /** Cancels before the next batch starts; stored batches stay. */
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

/** The keys stored, in the order of `names`; `cancelled` when the signal stopped the run early. */
export interface GenerateKeysResult {
  keys: KeyInfo[];
  cancelled: boolean;
}

/**
 * Generates and stores one key per name (see the module comment).
 * @throws INVALID_ARGUMENT (template, names, batch size), UNSUPPORTED, KEY_STATE (revoked owner), STORAGE
 */
export async function generateKeys(ctx: EngineContext, p: GenerateKeysParams): Promise<GenerateKeysResult> {
  if (!p || !isTemplateName(p.template)) throw new EngineError('INVALID_ARGUMENT', 'keys: choose one of the named templates');
  if (!Array.isArray(p.names) || p.names.length === 0) throw new EngineError('INVALID_ARGUMENT', 'keys: give at least one key name');
  if (p.names.length > MAX_BATCH_KEYS) throw new EngineError('INVALID_ARGUMENT', `keys: at most ${MAX_BATCH_KEYS} keys at once`);
  const size = p.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > 5000) throw new EngineError('INVALID_ARGUMENT', 'keys: the batch size must be a whole number 1–5000');
  const t = templateOf(p.template);
  // Every label is checked before anything is generated.
  const names = p.names.map((n) => cleanLabel(n, 'name', true));
  const owner = cleanLabel(p.owner, 'owner', false);
  if (!(await ctx.supports(t.name))) throw new EngineError('UNSUPPORTED', `keys: this browser does not offer ${t.label}`);
  await assertOwnerNotRevoked(ctx, owner);
  const exportable = p.exportable === true;
  const extractable = t.extractableReason !== undefined || exportable;

  type Made = Array<{ info: KeyInfo; material: KeyMaterialRecord }>;
  // Crypto for a whole batch (keys and fingerprints, in parallel); no transaction is open (W3).
  const make = (start: number): Promise<Made> =>
    Promise.all(
      names.slice(start, start + size).map(async (name) => {
        let material: KeyMaterialRecord;
        try {
          material = await generateMaterial(ctx, t, newKeyId(ctx), extractable);
        } catch (e) {
          throw new EngineError('UNSUPPORTED', `keys: the browser could not generate a ${t.label} key`, { cause: e });
        }
        return { info: await describeKey(ctx, t, material, { name, owner, exportable, origin: 'generated' }), material };
      }),
    );

  const keys: KeyInfo[] = [];
  let next: Promise<Made> | undefined = make(0);
  for (let start = 0; next; start += size) {
    const made = next;
    next = undefined;
    if (p.signal?.aborted) {
      made.catch(() => undefined);
      return { keys, cancelled: true };
    }
    const batch = await made;
    // The next batch's keys are made while this one is written: crypto and storage overlap.
    if (start + size < names.length) {
      next = make(start + size);
      next.catch(() => undefined);
    }
    // One transaction per batch: keys, material and their key.create entries.
    await withAudit(ctx, async () => ({
      drafts: batch.map((k) => keyCreatedDraft(ctx, k.info)),
      commit: (audit) => ctx.storage.commitAudited({ ...audit, addKeys: batch, ownersNotRevoked: [owner] }),
    }));
    keys.push(...batch.map((k) => k.info));
    p.onProgress?.({ done: keys.length, total: names.length });
  }
  return { keys, cancelled: false };
}
