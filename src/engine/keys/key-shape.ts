// What a key is (RSA size, curve, algorithm) read from its DER or OIDs, and the template it maps to.
import { EngineError, MalformedInputError } from '../errors';
import * as OID from '../internal/oids';
import type { TemplateName } from '../types';
import type { EngineContext } from './context';
import { bitLength, DerReader, decodeNull, decodeOid, decodeUnsignedInteger, readSequence, TAG } from './der';
import { readSpki, rsaModulusBits } from '../internal/x509-layout';
import type { KeyTemplate, TemplateFamily } from './templates';
import { templateOf } from './vault';

/** Key algorithm OIDs (RFC 8017, RFC 5480, RFC 8410, FIPS 203/204): the engine's one table. */
export const KEY_OID = {
  rsaEncryption: OID.rsaEncryption,
  rsassaPss: OID.rsassaPss,
  ecPublicKey: OID.ecPublicKey,
  x25519: OID.x25519,
  x448: OID.x448,
  ed25519: OID.ed25519,
  ed448: OID.ed448,
  mlKem768: OID.mlKem768,
  mlDsa65: OID.mlDsa65,
  p256: OID.p256,
  p384: OID.p384,
  p521: OID.p521,
  secp256k1: OID.secp256k1,
} as const;

const CURVE_BY_OID: Record<string, NistCurve> = {
  [KEY_OID.p256]: 'P-256',
  [KEY_OID.p384]: 'P-384',
  [KEY_OID.p521]: 'P-521',
};

const UNSUPPORTED_CURVES: Record<string, string> = {
  [KEY_OID.secp256k1]: 'secp256k1',
  [OID.p192]: 'P-192',
  [OID.p224]: 'P-224',
  [OID.brainpoolP256r1]: 'brainpoolP256r1',
  [OID.brainpoolP384r1]: 'brainpoolP384r1',
  [OID.brainpoolP512r1]: 'brainpoolP512r1',
  [OID.sm2]: 'SM2',
};

const UNSUPPORTED_KEY_ALGS: Record<string, string> = {
  [KEY_OID.x448]: 'X448',
  [KEY_OID.ed448]: 'Ed448',
  [OID.dsa]: 'DSA',
  [OID.dhKeyAgreement]: 'Diffie-Hellman',
  [OID.x942DhPublicNumber]: 'X9.42 Diffie-Hellman',
  [OID.mlKem512]: 'ML-KEM-512',
  [OID.mlKem1024]: 'ML-KEM-1024',
  [OID.mlDsa44]: 'ML-DSA-44',
  [OID.mlDsa87]: 'ML-DSA-87',
};

type NistCurve = 'P-256' | 'P-384' | 'P-521';
export const CURVE_BYTES: Record<NistCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const RSA_SIZES = [2048, 3072, 4096];

/** What a key is, independent of the template it will be used under. */
export type KeyShape =
  | { kind: 'rsa'; bits: number }
  | { kind: 'ec'; curve: NistCurve }
  | { kind: 'x25519' }
  | { kind: 'ed25519' }
  | { kind: 'ml-kem-768' }
  | { kind: 'ml-dsa-65' };

/** Family a JWK `alg` implies, used only when no template is given. */
export type Hint = TemplateFamily | undefined;

export function malformed(message: string): never {
  throw new MalformedInputError(message);
}

export function unsupported(message: string): never {
  throw new EngineError('UNSUPPORTED', message);
}

export function invalid(message: string): never {
  throw new EngineError('INVALID_ARGUMENT', message);
}

export const PKCS8_ADVICE = 'convert it to PKCS#8 with "openssl pkcs8 -topk8 -in key.pem -out key-pkcs8.pem" and import that';

/** The WebCrypto algorithm for importing a key of template `t`. */
export function importAlgorithm(t: KeyTemplate): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
  switch (t.family) {
    case 'rsa-oaep':
    case 'rsa-pss':
    case 'rsa-pkcs1':
      return { name: (t.algorithm as RsaHashedKeyGenParams).name, hash: 'SHA-256' };
    case 'ecdsa':
    case 'ecdh':
      return { name: (t.algorithm as EcKeyGenParams).name, namedCurve: (t.algorithm as EcKeyGenParams).namedCurve };
    case 'hmac':
      return { name: 'HMAC', hash: 'SHA-256' };
    default:
      return { name: (t.algorithm as Algorithm).name };
  }
}

/** Raw format name for a secret key: ChaCha20-Poly1305 only speaks `raw-secret` (WICG modern algorithms). */
export function rawFormat(t: KeyTemplate): 'raw' {
  // TypeScript's DOM types do not know 'raw-secret' yet; the browser does.
  return (t.family === 'chacha20-poly1305' ? 'raw-secret' : 'raw') as 'raw';
}

export async function requireSupport(ctx: EngineContext, t: KeyTemplate): Promise<void> {
  if (!(await ctx.supports(t.name))) unsupported(`keys: this browser does not offer ${t.label}, so the key cannot be imported`);
}

const RSA_ALG: Record<string, TemplateFamily> = { 'rsa-oaep': 'rsa-oaep', 'rsa-pss': 'rsa-pss', 'rsa-pkcs1': 'rsa-pkcs1' };
const RSA_PREFIX: Record<string, string> = { 'rsa-oaep': 'RSA-OAEP', 'rsa-pss': 'RSA-PSS', 'rsa-pkcs1': 'RSASSA-PKCS1-v1_5' };

function describeShape(s: KeyShape): string {
  switch (s.kind) {
    case 'rsa':
      return `an RSA ${s.bits}-bit key`;
    case 'ec':
      return `an EC ${s.curve} key`;
    case 'x25519':
      return 'an X25519 key';
    case 'ed25519':
      return 'an Ed25519 key';
    case 'ml-kem-768':
      return 'an ML-KEM-768 key';
    case 'ml-dsa-65':
      return 'an ML-DSA-65 key';
  }
}

/**
 * Picks the template for a key of shape `s`: the requested template's scheme (size and
 * curve from the key), else the hint, else the default.
 */
export function templateForShape(s: KeyShape, requested: TemplateName | undefined, hint: Hint): KeyTemplate {
  const req = requested ? templateOf(requested) : undefined;
  const mismatch = (): never => invalid(`keys: this is ${describeShape(s)}; the template ${req!.name} does not fit it`);
  switch (s.kind) {
    case 'rsa': {
      if (!RSA_SIZES.includes(s.bits)) {
        unsupported(`keys: RSA keys of ${s.bits} bits are not supported (Clavis uses 2048, 3072 or 4096 bits)`);
      }
      if (req && !RSA_ALG[req.family]) mismatch();
      // An RSA key does not say what it is for; guessing made signing keys encrypt-only.
      if (!req && !(hint && RSA_ALG[hint])) {
        invalid(
          `keys: this is ${describeShape(s)}, which fits several templates: choose RSA-OAEP-${s.bits} to encrypt and wrap keys, or RSA-PSS-${s.bits} or RSASSA-PKCS1-v1_5-${s.bits} to sign`,
        );
      }
      const family = req?.family ?? hint!;
      return templateOf(`${RSA_PREFIX[family]}-${s.bits}` as TemplateName);
    }
    case 'ec': {
      if (req && req.family !== 'ecdsa' && req.family !== 'ecdh') mismatch();
      const family = req?.family ?? (hint === 'ecdh' ? 'ecdh' : 'ecdsa');
      return templateOf(`${family === 'ecdh' ? 'ECDH' : 'ECDSA'}-${s.curve}` as TemplateName);
    }
    default: {
      const name = ({ x25519: 'X25519', ed25519: 'Ed25519', 'ml-kem-768': 'ML-KEM-768', 'ml-dsa-65': 'ML-DSA-65' } as const)[s.kind];
      if (req && req.name !== name) mismatch();
      return templateOf(name);
    }
  }
}

/** Shape of a key from its AlgorithmIdentifier (and, for RSA, its key bits). */
function shapeFromAlgorithm(alg: DerReader, rsaBits: () => number): KeyShape {
  const oid = decodeOid(alg.expect(TAG.OID, 'algorithm'), 'the key algorithm');
  switch (oid) {
    case KEY_OID.rsaEncryption: {
      // RFC 8017 §A.1: parameters are NULL (some writers omit them).
      if (!alg.done) decodeNull(alg.next('parameters'), 'the RSA parameters');
      alg.end();
      return { kind: 'rsa', bits: rsaBits() };
    }
    case KEY_OID.rsassaPss:
      unsupported('keys: RSA keys marked as RSASSA-PSS-only (OID 1.2.840.113549.1.1.10) are not accepted by browsers; export the key with the plain rsaEncryption OID (e.g. "openssl pkey") and choose an RSA-PSS template');
    case KEY_OID.ecPublicKey: {
      const tag = alg.peekTag();
      if (tag === TAG.SEQUENCE) unsupported('keys: EC keys with explicit curve parameters are not supported; use a named curve (P-256, P-384 or P-521)');
      if (tag !== TAG.OID) malformed('keys: the EC key does not name its curve');
      const curveOid = decodeOid(alg.expect(TAG.OID, 'named curve'), 'the named curve');
      alg.end();
      const curve = CURVE_BY_OID[curveOid];
      if (!curve) {
        const known = UNSUPPORTED_CURVES[curveOid];
        unsupported(`keys: the ${known ?? `curve ${curveOid}`} curve is not supported (P-256, P-384 and P-521 are)`);
      }
      return { kind: 'ec', curve };
    }
    case KEY_OID.x25519:
    case KEY_OID.ed25519:
    case KEY_OID.mlKem768:
    case KEY_OID.mlDsa65:
      // RFC 8410 §3 and the ML-KEM/ML-DSA profiles: parameters MUST be absent.
      if (!alg.done) malformed('keys: the key algorithm has parameters where none are allowed');
      return {
        kind: oid === KEY_OID.x25519 ? 'x25519' : oid === KEY_OID.ed25519 ? 'ed25519' : oid === KEY_OID.mlKem768 ? 'ml-kem-768' : 'ml-dsa-65',
      };
    default: {
      const known = UNSUPPORTED_KEY_ALGS[oid];
      unsupported(`keys: ${known ? `${known} keys are` : `the key algorithm ${oid} is`} not supported`);
    }
  }
}

/** Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7, read by `readSpki`, the one home) into its shape. */
export function parseSpki(der: Uint8Array): KeyShape {
  const { algorithm, publicKey: keyBits } = readSpki(der);
  return shapeFromAlgorithm(new DerReader(algorithm.content, 'AlgorithmIdentifier'), () => {
    return rsaModulusBits(keyBits);
  });
}

/** Parses a DER PrivateKeyInfo (RFC 5958) into its shape, without touching the secret. */
export function parsePkcs8(der: Uint8Array): KeyShape {
  const r = readSequence(der, 'PrivateKeyInfo');
  const version = r.expect(TAG.INTEGER, 'version');
  const v = decodeUnsignedInteger(version, 'the PKCS#8 version');
  if (v.length !== 1 || v[0]! > 1) malformed('keys: the PKCS#8 version is not 0 or 1');
  const alg = r.sequence('privateKeyAlgorithm');
  const privateKey = r.expect(TAG.OCTET_STRING, 'privateKey').content;
  r.optional(0xa0, 'attributes');
  if (v[0] === 1) r.optional(0x81, 'publicKey');
  r.end();
  return shapeFromAlgorithm(alg, () => {
    // RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, ... }
    const k = readSequence(privateKey, 'RSAPrivateKey');
    k.expect(TAG.INTEGER, 'version');
    return bitLength(decodeUnsignedInteger(k.expect(TAG.INTEGER, 'modulus'), 'the RSA modulus'));
  });
}
