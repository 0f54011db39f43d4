// Reading JSON Web Keys for import: strict member checks, the key's shape, its public members.
import { fromBase64Url } from '../internal/bytes';
import type { TemplateName } from '../types';
import { bitLength } from './der';
import { CURVE_BYTES, malformed, type Hint, type KeyShape, unsupported } from './key-shape';
import type { TemplateFamily } from './templates';

const B64URL = /^[A-Za-z0-9_-]+$/;

function jwkMember(jwk: Record<string, unknown>, name: string, what: string, bytes?: number): string {
  const v = jwk[name];
  if (v === undefined) malformed(`keys: the ${what} JWK lacks its "${name}" member`);
  if (typeof v !== 'string' || !B64URL.test(v) || v.length % 4 === 1) malformed(`keys: the JWK member "${name}" is not base64url`);
  if (bytes !== undefined) {
    const len = fromBase64Url(v).length;
    if (len !== bytes) malformed(`keys: the JWK member "${name}" is ${len} bytes; a ${what} key needs ${bytes}`);
  }
  return v;
}

/**
 * The members of each asymmetric kty: `head` names the key (copied, not checked here),
 * `pub` are the public members, `priv` the private ones; a key is private when its first
 * private member is present, and then every private member is required.
 */
const MEMBERS = {
  RSA: { head: ['kty'], pub: ['n', 'e'], priv: ['d', 'p', 'q', 'dp', 'dq', 'qi'] },
  EC: { head: ['kty', 'crv'], pub: ['x', 'y'], priv: ['d'] },
  OKP: { head: ['kty', 'crv'], pub: ['x'], priv: ['d'] },
  AKP: { head: ['kty', 'alg'], pub: ['pub'], priv: ['priv'] },
} as const satisfies Record<string, { head: readonly string[]; pub: readonly string[]; priv: readonly string[] }>;

/**
 * Checks a key's members by its row in `MEMBERS` (the public ones, then, for a private
 * key, after `beforePrivate`, the private ones): each is base64url, of `bytes` bytes when
 * given; `what` names the key in messages (`what.private` for the private members).
 * Returns the clean private and public members.
 */
function checkMembers(
  jwk: Record<string, unknown>,
  kty: keyof typeof MEMBERS,
  what: { public: string; private: string; bytes?: number },
  beforePrivate?: () => void,
): { isPrivate: boolean; privateJwk: JsonWebKey; publicJwk: JsonWebKey } {
  const { head, pub, priv } = MEMBERS[kty];
  for (const m of pub) jwkMember(jwk, m, what.public, what.bytes);
  const isPrivate = jwk[priv[0]] !== undefined;
  beforePrivate?.();
  if (isPrivate) for (const m of priv) jwkMember(jwk, m, what.private, what.bytes);
  return { isPrivate, privateJwk: pick(jwk, [...head, ...pub, ...priv]), publicJwk: pick(jwk, [...head, ...pub]) };
}

const KTY_OF_CRV: Record<string, string> = { 'P-256': 'EC', 'P-384': 'EC', 'P-521': 'EC', Ed25519: 'OKP', X25519: 'OKP', Ed448: 'OKP', X448: 'OKP' };

const ALG_HINT: Record<string, TemplateFamily> = {
  'RSA-OAEP': 'rsa-oaep',
  'RSA-OAEP-256': 'rsa-oaep',
  PS256: 'rsa-pss',
  PS384: 'rsa-pss',
  PS512: 'rsa-pss',
  RS256: 'rsa-pkcs1',
  RS384: 'rsa-pkcs1',
  RS512: 'rsa-pkcs1',
  ES256: 'ecdsa',
  ES384: 'ecdsa',
  ES512: 'ecdsa',
  'ECDH-ES': 'ecdh',
  'ECDH-ES+A128KW': 'ecdh',
  'ECDH-ES+A256KW': 'ecdh',
};

const OCT_ALG_TEMPLATE: Record<string, TemplateName> = {
  A128GCM: 'AES-GCM-128',
  A256GCM: 'AES-GCM-256',
  A256KW: 'AES-KW-256',
  HS256: 'HMAC-SHA-256',
  C20P: 'ChaCha20-Poly1305',
};

/** A validated JWK: its shape (or symmetric bytes), the clean members to import, and whether it is private. */
type ParsedJwk =
  | { kind: 'asymmetric'; shape: KeyShape; hint: Hint; isPrivate: boolean; privateJwk: JsonWebKey; publicJwk: JsonWebKey }
  | { kind: 'oct'; raw: Uint8Array<ArrayBuffer>; template: TemplateName | undefined };

function pick(jwk: Record<string, unknown>, names: string[]): JsonWebKey {
  const out: Record<string, unknown> = {};
  for (const n of names) if (jwk[n] !== undefined) out[n] = jwk[n];
  return out as JsonWebKey;
}

export function parseJwk(input: Record<string, unknown>): ParsedJwk {
  let jwk = input;
  if (Array.isArray(jwk.keys)) {
    // A JWK Set (RFC 7517 §5) with exactly one key is accepted as that key.
    if (jwk.keys.length !== 1) malformed(`keys: the JWK Set holds ${jwk.keys.length} keys; import one key at a time`);
    const only: unknown = jwk.keys[0];
    if (only === null || typeof only !== 'object' || Array.isArray(only)) malformed('keys: a JWK must be a JSON object');
    jwk = only as Record<string, unknown>;
  }
  const kty = jwk.kty;
  if (kty === undefined) malformed('keys: the JWK has no "kty" member');
  if (typeof kty !== 'string') malformed('keys: the JWK "kty" member is not a string');
  const alg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
  const crv = jwk.crv;
  if (crv !== undefined && typeof crv !== 'string') malformed('keys: the JWK "crv" member is not a string');
  const checkCrv = (): string => {
    if (crv === undefined) malformed(`keys: the ${kty} JWK lacks its "crv" member`);
    const owner = KTY_OF_CRV[crv];
    if (owner && owner !== kty) malformed(`keys: the JWK says kty "${kty}" but crv "${crv}" belongs to kty "${owner}"`);
    return crv;
  };
  switch (kty) {
    case 'RSA': {
      const members = checkMembers(jwk, 'RSA', { public: 'RSA', private: 'RSA private' }, () => {
        if (jwk.oth !== undefined) unsupported('keys: multi-prime RSA keys ("oth") are not supported');
      });
      const bits = bitLength(fromBase64Url(jwk.n as string));
      return { kind: 'asymmetric', shape: { kind: 'rsa', bits }, hint: alg ? ALG_HINT[alg] : undefined, ...members };
    }
    case 'EC': {
      const c = checkCrv();
      if (c !== 'P-256' && c !== 'P-384' && c !== 'P-521') unsupported(`keys: the ${c.slice(0, 20)} curve is not supported (P-256, P-384 and P-521 are)`);
      const members = checkMembers(jwk, 'EC', { public: c, private: c, bytes: CURVE_BYTES[c] });
      return { kind: 'asymmetric', shape: { kind: 'ec', curve: c }, hint: alg ? ALG_HINT[alg] : undefined, ...members };
    }
    case 'OKP': {
      const c = checkCrv();
      if (c !== 'Ed25519' && c !== 'X25519') unsupported(`keys: ${c.slice(0, 20)} keys are not supported (Ed25519 and X25519 are)`);
      const members = checkMembers(jwk, 'OKP', { public: c, private: c, bytes: 32 });
      return { kind: 'asymmetric', shape: { kind: c === 'Ed25519' ? 'ed25519' : 'x25519' }, hint: undefined, ...members };
    }
    case 'AKP': {
      // draft-ietf-cose-dilithium / WICG modern algorithms: "alg" names the parameter set.
      if (alg !== 'ML-KEM-768' && alg !== 'ML-DSA-65') unsupported(`keys: AKP keys with alg "${String(alg).slice(0, 20)}" are not supported (ML-KEM-768 and ML-DSA-65 are)`);
      const members = checkMembers(jwk, 'AKP', { public: alg, private: alg });
      return { kind: 'asymmetric', shape: { kind: alg === 'ML-KEM-768' ? 'ml-kem-768' : 'ml-dsa-65' }, hint: undefined, ...members };
    }
    case 'oct': {
      jwkMember(jwk, 'k', 'symmetric');
      return { kind: 'oct', raw: fromBase64Url(jwk.k as string), template: alg ? OCT_ALG_TEMPLATE[alg] : undefined };
    }
    default:
      malformed(`keys: the JWK "kty" is "${kty.slice(0, 20)}"; it must be RSA, EC, OKP, AKP or oct`);
  }
}

/** Only the public members of a JWK (plus `alg`, which names the scheme and is public). */
export function publicJwkOf(jwk: JsonWebKey): JsonWebKey {
  return pick(jwk as Record<string, unknown>, ['kty', 'crv', 'alg', 'n', 'e', 'x', 'y', 'pub']);
}
