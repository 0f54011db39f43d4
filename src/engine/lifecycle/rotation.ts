// Rotation into keyrings (B4): list a keyring's versions, rotate, rewrap data under the newest version.
import { auditDraft, withAudit } from '../audit/store';
import { EngineError, KeyStateError, MalformedInputError } from '../errors';
import { assertBytes } from '../internal/assert';
import type { EngineContext } from '../keys/context';
import { armor, isArmored, parseEnvelope, unarmor } from '../keys/envelope';
import { assertOwnerNotRevoked, describeKey, generateMaterial, getKeyInfo, keyCreatedDraft, newKeyId, templateOf } from '../keys/vault';
import type { KeyInfo } from '../types';
import { advance } from './dates';
import { transition } from './transition';
import { newEvents, transitionDraft, transitionTime } from './key-events';

const byVersion = (a: KeyInfo, b: KeyInfo) => a.version - b.version;

/** The versions of a key's keyring, oldest first. */
export async function listKeyring(ctx: EngineContext, id: string): Promise<KeyInfo[]> {
  const info = await getKeyInfo(ctx, id);
  return (await ctx.storage.listKeyring(info.keyringId)).sort(byVersion);
}

/**
 * Rotates a key's keyring (keyring.ts `rotate`, K3): a new key of the same template
 * becomes version n+1 and the primary; the old primary's originator-usage period ends
 * now (active or suspended → deactivated, reason "superseded by version n+1"), so it keeps
 * decrypting and verifying until its process-stop date. `encrypt` with any version's id
 * then uses the new primary.
 * @throws KEY_STATE (a public key alone, or a revoked owner), UNSUPPORTED, STORAGE
 */
export async function rotateKey(ctx: EngineContext, id: string): Promise<KeyInfo> {
  const first = await listKeyring(ctx, id);
  const current = first.find((k) => k.primary) ?? first[first.length - 1]!;
  if (current.kind === 'public') throw new KeyStateError('keys: a public key alone cannot be rotated: the new version needs a private key; import the new public key instead');
  const t = templateOf(current.template);
  if (!(await ctx.supports(t.name))) throw new EngineError('UNSUPPORTED', `keys: this browser does not offer ${t.label}`);
  await assertOwnerNotRevoked(ctx, current.owner);
  const exportable = current.extractable && t.extractableReason === undefined;
  const newId = newKeyId(ctx);
  const material = await generateMaterial(ctx, t, newId, t.extractableReason !== undefined || exportable);
  return withAudit(ctx, async () => {
    const ring = await listKeyring(ctx, id);
    const old = ring.find((k) => k.primary) ?? ring[ring.length - 1]!;
    const version = Math.max(...ring.map((k) => k.version)) + 1;
    const fresh = await describeKey(ctx, t, material, { name: old.name, owner: old.owner, exportable, origin: 'generated', keyring: { id: old.keyringId, version } });
    if (fresh.state !== 'active') throw new KeyStateError(`keyring: the new version is ${fresh.state}; only an active key can become the primary`);
    const now = ctx.clock.now();
    let next: KeyInfo = advance(old, now).record;
    if (next.state === 'active' || next.state === 'suspended') {
      next = transition(next, 'deactivated', { cause: 'operator', at: transitionTime(next, now), reason: `superseded by version ${version}` });
    }
    next = { ...next, primary: false };
    const drafts = [
      keyCreatedDraft(ctx, fresh),
      auditDraft(ctx, 'key.rotate', [old.keyringId, old.id, fresh.id], { keyringId: old.keyringId, previousKeyId: old.id, keyId: fresh.id, fromVersion: old.version, toVersion: version }),
      ...newEvents(old, next).map((e) => transitionDraft(ctx, next, e)),
    ];
    return {
      drafts,
      commit: async (audit) => {
        await ctx.storage.commitAudited({ ...audit, addKeys: [{ info: fresh, material }], putKeys: [{ info: next, before: old }], ownersNotRevoked: [old.owner] });
        return fresh;
      },
    };
  });
}

/** Options of `rewrap`. */
export interface RewrapOptions {
  /** The associated data the ciphertext was made with (kept for the new one). */
  aad?: Uint8Array;
  /** Allow decrypting with a suspended or compromised version (see DecryptOptions). */
  acknowledgeRisk?: boolean;
}

/**
 * Re-encrypts a Clavis ciphertext (bytes or `clavis:v1:` armor) under the primary
 * version of the keyring of the key it names (B4: rewrap to the newest version). The
 * plaintext stays inside the engine and is wiped; the result has the input's form.
 * @throws MALFORMED_INPUT, KEY_NOT_FOUND, KEY_STATE, DECRYPT_FAILED
 */
export async function rewrap(ctx: EngineContext, ciphertext: Uint8Array | string, opts: RewrapOptions = {}): Promise<Uint8Array | string> {
  const text = typeof ciphertext === 'string';
  let bytes: Uint8Array;
  if (text) {
    const t = ciphertext.trim();
    if (!isArmored(t)) throw new MalformedInputError('keys: not a Clavis ciphertext (clavis:v1:…); Fernet tokens cannot be rewrapped');
    bytes = unarmor(t);
  } else {
    assertBytes(ciphertext, 'ciphertext');
    bytes = ciphertext;
  }
  if (parseEnvelope(bytes).type !== 'cipher') throw new MalformedInputError('keys: this is a wrapped key, not encrypted data');
  const aad = opts.aad === undefined ? {} : { aad: opts.aad };
  const use = await import('../keys/use');
  const opened = await use.decrypt(ctx, bytes, { ...aad, ...(opts.acknowledgeRisk ? { acknowledgeRisk: true } : {}) });
  try {
    const out = await use.encrypt(ctx, opened.keyId, opened.plaintext, aad);
    return text ? armor(out) : out;
  } finally {
    opened.plaintext.fill(0);
  }
}
