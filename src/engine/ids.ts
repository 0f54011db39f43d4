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

// Type guards: the shape check is what earns the brand, so no cast is needed anywhere.
const isKeyId = (s: unknown): s is KeyId => typeof s === 'string' && SHAPES.KeyId.test(s);
const isCaId = (s: unknown): s is CaId => typeof s === 'string' && SHAPES.CaId.test(s);
const isCertId = (s: unknown): s is CertId => typeof s === 'string' && SHAPES.CertId.test(s);

/** The refusal of a malformed id; the message names the kind of id, not the value (it may be anything). */
const malformed = (kind: keyof typeof SHAPES) =>
  new EngineError('INVALID_ARGUMENT', `ids: not a ${kind} (expected "${PREFIX[kind]}_" and 32 hex digits)`);

/**
 * Brands a string from outside the engine (a route parameter, a form, a file) as a key id.
 * Records the engine returns already carry the brand: pass `key.id` through, never re-brand it.
 * @returns the same string, unchanged. @throws INVALID_ARGUMENT when it is not shaped as a key id
 */
export function asKeyId(s: string): KeyId {
  if (isKeyId(s)) return s;
  throw malformed('KeyId');
}

/** Brands a string from outside as a CA id. @throws INVALID_ARGUMENT when it is not shaped as one */
export function asCaId(s: string): CaId {
  if (isCaId(s)) return s;
  throw malformed('CaId');
}

/** Brands a string from outside as a certificate id. @throws INVALID_ARGUMENT when it is not shaped as one */
export function asCertId(s: string): CertId {
  if (isCertId(s)) return s;
  throw malformed('CertId');
}

// Minting: the engine's own new ids, made only where a record is created. `randomId`
// always gives the shape, so these go through the same brand functions without failing.

/** A new random key id. */
export const mintKeyId = (random: RandomSource): KeyId => asKeyId(randomId(random, PREFIX.KeyId));
/** A new random CA id. */
export const mintCaId = (random: RandomSource): CaId => asCaId(randomId(random, PREFIX.CaId));
/** A new random certificate id. */
export const mintCertId = (random: RandomSource): CertId => asCertId(randomId(random, PREFIX.CertId));
