/** Branded ids of the engine's objects, and the one way to brand a string that came from outside. */
import { EngineError } from './errors';
import { randomId, type RandomSource } from './internal/random';

/**
 * A vault key's id (`key_` and 32 lower-case hex digits, as `newKeyId` makes it). Branded so
 * it cannot be mixed with other ids by mistake.
 */
export type KeyId = string & { readonly __brand: 'KeyId' };
/**
 * A vault keyring's id: the id of its first version (so shaped as a key id), shared by every
 * version `rotateKey` adds. Branded apart from `KeyId`: a keyring is not one of its versions.
 */
export type KeyringId = string & { readonly __brand: 'KeyringId' };
/** A certificate authority's id (`ca_` and 32 lower-case hex digits). */
export type CaId = string & { readonly __brand: 'CaId' };
/** An issued certificate's id (`cert_` and 32 lower-case hex digits). */
export type CertId = string & { readonly __brand: 'CertId' };
/** A key the KDC distributed (a session key) or stores for one principal (`kdk_` and 32 lower-case hex digits). */
export type KdcKeyId = string & { readonly __brand: 'KdcKeyId' };
/** A KDC ticket's id (`tkt_` and 32 lower-case hex digits). */
export type TicketId = string & { readonly __brand: 'TicketId' };
/** A KDC protocol run's id (`run_` and 32 lower-case hex digits), valid while the KDC that started it lives. */
export type KdcRunId = string & { readonly __brand: 'KdcRunId' };
/**
 * A KDC principal's name, which is its id: 1–64 lower-case letters, digits or `. _ @ -`,
 * starting with a letter or digit, and never `kdc` (the KDC's own name in message headers).
 * The KDC registers a principal under its normalised name (NFC, lower-case); this is that form.
 */
export type PrincipalId = string & { readonly __brand: 'PrincipalId' };

/** The prefix of each kind of random id, as `randomId` writes it. */
const PREFIX = { KeyId: 'key', CaId: 'ca', CertId: 'cert', KdcKeyId: 'kdk', TicketId: 'tkt', KdcRunId: 'run' } as const;
type RandomKind = keyof typeof PREFIX;
type Kind = RandomKind | 'PrincipalId' | 'KeyringId';

/** `prefix_` and the 128 bits of `randomId` in lower-case hex. */
const shapeOf = (prefix: string) => new RegExp(`^${prefix}_[0-9a-f]{32}$`);
const SHAPES: Readonly<Record<Kind, RegExp>> = {
  KeyId: shapeOf(PREFIX.KeyId),
  CaId: shapeOf(PREFIX.CaId),
  CertId: shapeOf(PREFIX.CertId),
  KdcKeyId: shapeOf(PREFIX.KdcKeyId),
  TicketId: shapeOf(PREFIX.TicketId),
  KdcRunId: shapeOf(PREFIX.KdcRunId),
  PrincipalId: /^(?!kdc$)[a-z0-9][a-z0-9._@-]{0,63}$/,
  KeyringId: shapeOf(PREFIX.KeyId),
};

/** What each shape is, for the refusal (never the value). */
const EXPECTED: Readonly<Record<Kind, string>> = {
  ...(Object.fromEntries(Object.entries(PREFIX).map(([k, p]) => [k, `"${p}_" and 32 hex digits`])) as Record<RandomKind, string>),
  PrincipalId: '1–64 lower-case letters, digits or . _ @ -, not "kdc"',
  KeyringId: `"${PREFIX.KeyId}_" and 32 hex digits`,
};

/** The branded type of each kind of id. */
interface Brands {
  KeyId: KeyId;
  KeyringId: KeyringId;
  CaId: CaId;
  CertId: CertId;
  KdcKeyId: KdcKeyId;
  TicketId: TicketId;
  KdcRunId: KdcRunId;
  PrincipalId: PrincipalId;
}

// A type guard: the shape check is what earns the brand, so no cast is needed anywhere.
const shaped = <K extends Kind>(kind: K, s: unknown): s is Brands[K] => typeof s === 'string' && SHAPES[kind].test(s);

/**
 * `s` branded as a `kind`, unchanged. The refusal names the kind of id, never the value (it
 * may be anything). @throws INVALID_ARGUMENT when `s` does not have the kind's shape
 */
function brand<K extends Kind>(kind: K, s: string): Brands[K] {
  if (shaped(kind, s)) return s;
  throw new EngineError('INVALID_ARGUMENT', `ids: not a ${kind} (expected ${EXPECTED[kind]})`);
}

/**
 * Brands a string from outside the engine (a route parameter, a form, a file) as a key id.
 * Records the engine returns already carry the brand: pass `key.id` through, never re-brand it.
 * @returns the same string, unchanged. @throws INVALID_ARGUMENT when it is not shaped as a key id
 */
export const asKeyId = (s: string): KeyId => brand('KeyId', s);
/** Brands a string from outside (a stored record, a route) as a keyring id. @throws INVALID_ARGUMENT when it is not shaped as one */
export const asKeyringId = (s: string): KeyringId => brand('KeyringId', s);
/** The id of the keyring whose first version is `first` (a new key starts its own keyring). */
export const keyringOf = (first: KeyId): KeyringId => asKeyringId(first);
/** Brands a string from outside as a CA id. @throws INVALID_ARGUMENT when it is not shaped as one */
export const asCaId = (s: string): CaId => brand('CaId', s);
/** Brands a string from outside as a certificate id. @throws INVALID_ARGUMENT when it is not shaped as one */
export const asCertId = (s: string): CertId => brand('CertId', s);
/** Brands a string from outside (a form, a message on the wire) as a KDC key id. @throws INVALID_ARGUMENT when it is not shaped as one */
export const asKdcKeyId = (s: string): KdcKeyId => brand('KdcKeyId', s);
/** Brands a string from outside as a KDC ticket id. @throws INVALID_ARGUMENT when it is not shaped as one */
export const asTicketId = (s: string): TicketId => brand('TicketId', s);
/** Brands a string from outside as a KDC protocol run's id. @throws INVALID_ARGUMENT when it is not shaped as one */
export const asKdcRunId = (s: string): KdcRunId => brand('KdcRunId', s);
/**
 * Brands an already normalised principal name (a select's value, a walkthrough's state).
 * It does not normalise: the KDC's `registerPrincipal` takes any spelling and returns the
 * registered name, already branded. @throws INVALID_ARGUMENT when it is not shaped as one
 */
export const asPrincipalId = (s: string): PrincipalId => brand('PrincipalId', s);

// Minting: the engine's own new ids, made only where a record is created. `randomId`
// always gives the shape, so these go through the same brand functions without failing.

/** A new random key id. */
export const mintKeyId = (random: RandomSource): KeyId => asKeyId(randomId(random, PREFIX.KeyId));
/** A new random CA id. */
export const mintCaId = (random: RandomSource): CaId => asCaId(randomId(random, PREFIX.CaId));
/** A new random certificate id. */
export const mintCertId = (random: RandomSource): CertId => asCertId(randomId(random, PREFIX.CertId));
/** A new random KDC key id. */
export const mintKdcKeyId = (random: RandomSource): KdcKeyId => asKdcKeyId(randomId(random, PREFIX.KdcKeyId));
/** A new random ticket id. */
export const mintTicketId = (random: RandomSource): TicketId => asTicketId(randomId(random, PREFIX.TicketId));
/** A new random protocol run id. */
export const mintKdcRunId = (random: RandomSource): KdcRunId => asKdcRunId(randomId(random, PREFIX.KdcRunId));
