/** Branded ids of the engine's objects, and the one way to brand a string that came from outside. */
import { EngineError } from './errors';
import { randomId, type RandomSource } from './internal/random';

/**
 * A vault key's id (`key_` and 32 lower-case hex digits, as `newKeyId` makes it). Branded so
 * it cannot be mixed with other ids by mistake.
 */
export type KeyId = string & { readonly __brand: 'KeyId' };
/** A certificate authority's id (`ca_` and 32 lower-case hex digits). */
export type CaId = string & { readonly __brand: 'CaId' };
/** An issued certificate's id (`cert_` and 32 lower-case hex digits). */
export type CertId = string & { readonly __brand: 'CertId' };

/** The prefix of each kind of id, as `randomId` writes it. */
const PREFIX = { KeyId: 'key', CaId: 'ca', CertId: 'cert' } as const;

/** `prefix_` and the 128 bits of `randomId` in lower-case hex. */
const shapeOf = (prefix: string) => new RegExp(`^${prefix}_[0-9a-f]{32}$`);
const SHAPES = { KeyId: shapeOf(PREFIX.KeyId), CaId: shapeOf(PREFIX.CaId), CertId: shapeOf(PREFIX.CertId) };

/** Checks one id's shape; the message names the kind of id, not the value (it may be anything). */
function brand<K extends keyof typeof SHAPES>(kind: K, s: unknown): string {
  if (typeof s !== 'string' || !SHAPES[kind].test(s)) {
    throw new EngineError('INVALID_ARGUMENT', `ids: not a ${kind} (expected "${PREFIX[kind]}_" and 32 hex digits)`);
  }
  return s;
}

/**
 * Brands a string from outside the engine (a route parameter, a form, a file) as a key id.
 * Records the engine returns already carry the brand: pass `key.id` through, never re-brand it.
 * @returns the same string, unchanged. @throws INVALID_ARGUMENT when it is not shaped as a key id
 */
export function asKeyId(s: string): KeyId {
  return brand('KeyId', s) as KeyId;
}

/** Brands a string from outside as a CA id. @throws INVALID_ARGUMENT when it is not shaped as one */
export function asCaId(s: string): CaId {
  return brand('CaId', s) as CaId;
}

/** Brands a string from outside as a certificate id. @throws INVALID_ARGUMENT when it is not shaped as one */
export function asCertId(s: string): CertId {
  return brand('CertId', s) as CertId;
}

// Minting: the engine's own new ids are well formed by construction, so they are branded
// without a check. Only the code that creates a record calls these.

/** A new random key id. */
export const mintKeyId = (random: RandomSource): KeyId => randomId(random, PREFIX.KeyId) as KeyId;
/** A new random CA id. */
export const mintCaId = (random: RandomSource): CaId => randomId(random, PREFIX.CaId) as CaId;
/** A new random certificate id. */
export const mintCertId = (random: RandomSource): CertId => randomId(random, PREFIX.CertId) as CertId;
