/**
 * Import and export (A5): keys in and out of the vault in the formats other tools
 * speak. Public keys leave as SPKI (PEM or DER) or a public JWK; extractable secret and
 * private keys as JWK, raw bytes (symmetric), a Fernet key string, or passphrase-
 * encrypted PKCS#8 PEM that openssl opens. Imports sniff the format (PEM label, DER
 * structure, JSON, Fernet string, raw bytes), map the key to a named template from its
 * OID, curve or modulus size, and store it like a generated key (origin `imported`).
 *
 * Common case:
 * ```ts
 * const pem = await engine.exportPublicKey(id, 'pem');
 * const info = await engine.importKey({ data: fileBytes, name: 'from openssl', passphrase });
 * ```
 *
 * Rules:
 * - Private and secret keys import NON-extractable unless `exportable` is set (Fernet
 *   keys are always extractable: a Fernet key is a shared string by definition).
 * - The public half of an imported private key is stored too. For PKCS#8 the key is
 *   imported once as extractable only to read its public members from the JWK export,
 *   then imported again non-extractable; the temporary handle is dropped (never stored).
 *   RSA private keys additionally pass a pairwise-consistency check (sign/verify or
 *   encrypt/decrypt), because some WebCrypto implementations (Node) accept a private
 *   JWK whose `n` belongs to another key.
 * - For RSA and EC keys `template` picks the scheme (RSA-OAEP/PSS/PKCS1, ECDSA/ECDH);
 *   the size or curve always comes from the key itself. Without a template an RSA key is
 *   refused with the choices (INVALID_ARGUMENT) unless a JWK `alg` says its scheme; EC
 *   keys become ECDSA, raw 32 bytes AES-GCM-256 and raw 16 bytes AES-GCM-128.
 * - Every failure is an EngineError: MALFORMED_INPUT (cannot be parsed), UNSUPPORTED
 *   (parsed, but an algorithm, curve, size or format Clavis or this browser lacks),
 *   WRONG_PASSPHRASE, INVALID_ARGUMENT (a caller mistake), NOT_EXTRACTABLE. No message
 *   contains key material or a passphrase.
 */
import { EngineError, MalformedInputError } from '../errors';
import { copy, fromBase64Url, fromHex, fromUtf8, toBase64Url, utf8 } from '../internal/bytes';
import { attempt } from '../internal/webcrypto';
import type { KeyMaterialRecord } from '../storage/schema';
import type { KeyInfo, TemplateName } from '../types';
import type { EngineContext } from './context';
import {
  bitLength,
  DerReader,
  decodeBitString,
  decodeNull,
  decodeOid,
  decodeUnsignedInteger,
  readSequence,
  TAG,
} from './der';
import * as OID from '../internal/oids';
import { looksLikeCompactJwe, openJwk, sealJwk } from './jwe-pbes2';
import { opensshPublicKey } from './openssh';
import { decodePem, encodePem, looksLikePem } from './pem';
import {
  assertExportPassphrase,
  assertImportPassphrase,
  decryptPrivateKeyInfo,
  encryptPrivateKeyInfo,
  parseEncryptedPrivateKeyInfo,
} from './pkcs8-encrypted';
import { isTemplateName, type KeyTemplate, type TemplateFamily } from './templates';
import { cleanLabel, describeKey, fernetMaterial, loadKey, newKeyId, storeNewKey, templateOf } from './vault';

/**
 * How a public key can leave: SPKI PEM, SPKI DER bytes, a public JWK (JSON text), or an
 * OpenSSH `authorized_keys` line (signature keys: Ed25519, ECDSA, RSA).
 */
export type PublicExportFormat = 'pem' | 'der' | 'jwk' | 'openssh';
/**
 * How an extractable key can leave: `jwk` (secret or private JWK, JSON text), `raw`
 * (symmetric key bytes), `fernet` (the Fernet key string), or `pkcs8-encrypted-pem`
 * (private keys, under a passphrase), or `jwe-pbes2` (the JWK as a compact JWE under a
 * passphrase, PBES2-HS512+A256KW with A256GCM: the passphrase-protected form of a
 * symmetric key; see jwe-pbes2.ts), or `pkcs8-pem` (a private key as unencrypted
 * "PRIVATE KEY" PEM, for tools that cannot take a passphrase; the UI warns first).
 */
export type SecretExportFormat = 'jwk' | 'raw' | 'pkcs8-encrypted-pem' | 'pkcs8-pem' | 'fernet' | 'jwe-pbes2';

/** What `sniffKeyFormat` recognises. */
export type SniffedFormat =
  | 'pem-spki'
  | 'pem-pkcs8'
  | 'pem-encrypted-pkcs8'
  | 'der-spki'
  | 'der-pkcs8'
  | 'der-encrypted-pkcs8'
  | 'jwk'
  | 'fernet'
  | 'jwe-pbes2'
  | 'raw';

/** What to import. */
export interface ImportKeyParams {
  /** File bytes or pasted text. */
  data: Uint8Array | string;
  name: string;
  owner?: string;
  /** Needed for encrypted PKCS#8. */
  passphrase?: string;
  /** Disambiguates raw bytes and keys whose encoding fits several templates. */
  template?: TemplateName;
  /** Keep the private/secret part exportable after import. */
  exportable?: boolean;
}

/** Largest input accepted by import (key files are a few kB; ML-DSA SPKI is ~2 kB). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

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
const CURVE_BYTES: Record<NistCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };
const RSA_SIZES = [2048, 3072, 4096];

/** What a key is, independent of the template it will be used under. */
type KeyShape =
  | { kind: 'rsa'; bits: number }
  | { kind: 'ec'; curve: NistCurve }
  | { kind: 'x25519' }
  | { kind: 'ed25519' }
  | { kind: 'ml-kem-768' }
  | { kind: 'ml-dsa-65' };

/** Family a JWK `alg` implies, used only when no template is given. */
type Hint = TemplateFamily | undefined;

// ---- Small helpers ---------------------------------------------------------------------

function malformed(message: string): never {
  throw new MalformedInputError(message);
}

function unsupported(message: string): never {
  throw new EngineError('UNSUPPORTED', message);
}

function invalid(message: string): never {
  throw new EngineError('INVALID_ARGUMENT', message);
}

const PKCS8_ADVICE = 'convert it to PKCS#8 with "openssl pkcs8 -topk8 -in key.pem -out key-pkcs8.pem" and import that';

/** The WebCrypto algorithm for importing a key of template `t`. */
function importAlgorithm(t: KeyTemplate): AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams {
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
function rawFormat(t: KeyTemplate): 'raw' {
  // TypeScript's DOM types do not know 'raw-secret' yet; the browser does.
  return (t.family === 'chacha20-poly1305' ? 'raw-secret' : 'raw') as 'raw';
}

async function requireSupport(ctx: EngineContext, t: KeyTemplate): Promise<void> {
  if (!(await ctx.supports(t.name))) unsupported(`keys: this browser does not offer ${t.label}, so the key cannot be imported`);
}

// ---- Template mapping --------------------------------------------------------------------

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
function templateForShape(s: KeyShape, requested: TemplateName | undefined, hint: Hint): KeyTemplate {
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

/** Parses a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) into its shape. */
function parseSpki(der: Uint8Array): KeyShape {
  const r = readSequence(der, 'SubjectPublicKeyInfo');
  const alg = r.sequence('AlgorithmIdentifier');
  const keyBits = decodeBitString(r.expect(TAG.BIT_STRING, 'subjectPublicKey'), 'the public key');
  r.end();
  return shapeFromAlgorithm(alg, () => {
    // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
    const k = readSequence(keyBits, 'RSAPublicKey');
    const n = decodeUnsignedInteger(k.expect(TAG.INTEGER, 'modulus'), 'the RSA modulus');
    decodeUnsignedInteger(k.expect(TAG.INTEGER, 'public exponent'), 'the RSA public exponent');
    k.end();
    return bitLength(n);
  });
}

/** Parses a DER PrivateKeyInfo (RFC 5958) into its shape, without touching the secret. */
function parsePkcs8(der: Uint8Array): KeyShape {
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

// ---- Sniffing ---------------------------------------------------------------------------

type DerKind = 'spki' | 'pkcs8' | 'encrypted-pkcs8';

interface Sniffed {
  format: SniffedFormat;
  der?: Uint8Array<ArrayBuffer>;
  jwk?: Record<string, unknown>;
  raw?: Uint8Array<ArrayBuffer>;
  fernet?: string;
  jwe?: string;
}

/** Tells SPKI, PKCS#8 and EncryptedPrivateKeyInfo apart by their first elements. */
function classifyDer(der: Uint8Array): DerKind {
  const r = readSequence(der, 'the key');
  const first = r.peekTag();
  r.next('its first element');
  const second = r.peekTag();
  if (first === TAG.INTEGER && second === TAG.SEQUENCE) return 'pkcs8';
  if (first === TAG.INTEGER && second === TAG.INTEGER) {
    r.next();
    if (r.done) unsupported('keys: this is a PKCS#1 "RSA PUBLIC KEY"; Clavis reads SPKI ("PUBLIC KEY"): convert it with "openssl rsa -RSAPublicKey_in -in key.pem -pubout -out spki.pem"');
    unsupported(`keys: this is a PKCS#1 "RSA PRIVATE KEY"; ${PKCS8_ADVICE}`);
  }
  if (first === TAG.INTEGER && second === TAG.OCTET_STRING) unsupported(`keys: this is a SEC 1 "EC PRIVATE KEY"; ${PKCS8_ADVICE}`);
  if (first === TAG.SEQUENCE && second === TAG.BIT_STRING) return 'spki';
  if (first === TAG.SEQUENCE && second === TAG.OCTET_STRING) return 'encrypted-pkcs8';
  if (first === TAG.SEQUENCE && second === TAG.SEQUENCE) {
    unsupported('keys: this looks like a certificate or CSR, not a key; import certificates in the certificates view, or extract the key with "openssl x509 -pubkey -noout"');
  }
  malformed('keys: the DER data is not a SubjectPublicKeyInfo, PKCS#8 PrivateKeyInfo or EncryptedPrivateKeyInfo');
}

const PEM_FORMAT: Record<string, SniffedFormat> = {
  'PUBLIC KEY': 'pem-spki',
  'PRIVATE KEY': 'pem-pkcs8',
  'ENCRYPTED PRIVATE KEY': 'pem-encrypted-pkcs8',
};

const PEM_REFUSED: Record<string, string> = {
  'EC PRIVATE KEY': `keys: this is a SEC 1 "EC PRIVATE KEY" file; ${PKCS8_ADVICE}`,
  'RSA PRIVATE KEY': `keys: this is a PKCS#1 "RSA PRIVATE KEY" file; ${PKCS8_ADVICE}`,
  'RSA PUBLIC KEY': 'keys: this is a PKCS#1 "RSA PUBLIC KEY" file; Clavis reads SPKI ("PUBLIC KEY"): convert it with "openssl rsa -RSAPublicKey_in -in key.pem -pubout -out spki.pem"',
  'OPENSSH PRIVATE KEY': 'keys: this is an OpenSSH private key; convert it with "ssh-keygen -p -m PKCS8 -f key" and import the result',
  CERTIFICATE: 'keys: this is a certificate, not a key; import it in the certificates view, or extract its public key with "openssl x509 -pubkey -noout -in cert.pem"',
  'CERTIFICATE REQUEST': 'keys: this is a certificate request (CSR), not a key; extract its public key with "openssl req -pubkey -noout -in csr.pem"',
  'X509 CRL': 'keys: this is a CRL, not a key',
};

/** PEM labels that may sit next to a key and carry nothing to import. */
const PEM_IGNORED = new Set(['EC PARAMETERS']);

function sniffPem(text: string): Sniffed {
  const blocks = decodePem(text).filter((b) => !PEM_IGNORED.has(b.label));
  if (blocks.length === 0) malformed('pem: the text holds no key block');
  if (blocks.length > 1) malformed('pem: the text holds more than one PEM block; import one key at a time');
  const { label, der } = blocks[0]!;
  const refused = PEM_REFUSED[label];
  if (refused) unsupported(refused);
  const format = PEM_FORMAT[label];
  if (!format) unsupported(`keys: PEM blocks labelled "${label.slice(0, 40)}" are not a key format Clavis imports`);
  // The label names the structure; the bytes must agree (a PUBLIC KEY block holding PKCS#8 is damaged).
  const kind = classifyDer(der);
  const expected: DerKind = format === 'pem-spki' ? 'spki' : format === 'pem-pkcs8' ? 'pkcs8' : 'encrypted-pkcs8';
  if (kind !== expected) malformed(`pem: the "${label}" block does not contain a ${label.toLowerCase()}`);
  return { format, der };
}

function sniffText(text: string): Sniffed {
  const t = text.trim();
  if (t.length === 0) malformed('keys: the key data is empty');
  if (t.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch (e) {
      throw new MalformedInputError('keys: the text starts like a JWK but is not valid JSON', { cause: e });
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) malformed('keys: a JWK must be a JSON object');
    return { format: 'jwk', jwk: parsed as Record<string, unknown> };
  }
  if (looksLikePem(t)) return sniffPem(t);
  if (looksLikeCompactJwe(t)) return { format: 'jwe-pbes2', jwe: t };
  // Python's Fernet.generate_key(): 32 bytes, urlsafe base64 with its one '=' of padding.
  if (/^[A-Za-z0-9_-]{43}=$/.test(t)) return { format: 'fernet', fernet: t };
  if (/^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.test(t)) return { format: 'raw', raw: fromHex(t) };
  if (/-----(BEGIN|END)/.test(t)) malformed('pem: the PEM armour is damaged (BEGIN/END lines must be on their own lines)');
  malformed('keys: the text is not a PEM key, a JWK, a Fernet key or a hex-encoded 16- or 32-byte key');
}

const TEXT_START = /^\s*(?:-----BEGIN |\{|eyJ[A-Za-z0-9_-]*\.|[A-Za-z0-9_-]{43}=\s*$|[0-9a-fA-F]{32}\s*$|[0-9a-fA-F]{64}\s*$)/;

function sniffBytes(bytes: Uint8Array): Sniffed {
  if (bytes.length === 0) malformed('keys: the key data is empty');
  const rawSized = bytes.length === 16 || bytes.length === 32;
  if (bytes[0] === TAG.SEQUENCE) {
    try {
      const kind = classifyDer(bytes);
      const format: SniffedFormat = kind === 'spki' ? 'der-spki' : kind === 'pkcs8' ? 'der-pkcs8' : 'der-encrypted-pkcs8';
      return { format, der: copy(bytes) };
    } catch (e) {
      // One raw key in 256 starts with 0x30; a 16/32-byte blob is never a DER key.
      if (!rawSized) throw e;
      return { format: 'raw', raw: copy(bytes) };
    }
  }
  // A text file read as bytes (PEM, JWK, Fernet key, hex).
  let text: string | undefined;
  try {
    text = fromUtf8(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined && TEXT_START.test(text)) return sniffText(text);
  if (rawSized) return { format: 'raw', raw: copy(bytes) };
  malformed(`keys: the data (${bytes.length} bytes) is not a PEM, DER (SPKI/PKCS#8), JWK or Fernet key, nor 16 or 32 raw key bytes`);
}

function checkData(data: unknown): asserts data is Uint8Array | string {
  if (typeof data === 'string') {
    if (data.length > MAX_IMPORT_BYTES) invalid('keys: the key data is larger than any key file (1 MiB)');
    return;
  }
  if (!(data instanceof Uint8Array)) invalid('keys: key data must be bytes or text');
  if (data.length > MAX_IMPORT_BYTES) invalid('keys: the key data is larger than any key file (1 MiB)');
}

function sniff(data: Uint8Array | string): Sniffed {
  checkData(data);
  return typeof data === 'string' ? sniffText(data) : sniffBytes(data);
}

/**
 * Names the format of key data without importing it: PEM by label, DER by structure,
 * JSON as JWK, a 44-character base64url string as a Fernet key, 16 or 32 bytes (or
 * 32/64 hex digits) as a raw symmetric key.
 * @throws MALFORMED_INPUT (unparseable), UNSUPPORTED (a recognised but unsupported
 *   format such as "EC PRIVATE KEY", with the openssl command that converts it).
 */
export function sniffKeyFormat(data: Uint8Array | string): SniffedFormat {
  return sniff(data).format;
}

// ---- JWK --------------------------------------------------------------------------------

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

function parseJwk(input: Record<string, unknown>): ParsedJwk {
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
      jwkMember(jwk, 'n', 'RSA');
      jwkMember(jwk, 'e', 'RSA');
      const isPrivate = jwk.d !== undefined;
      if (jwk.oth !== undefined) unsupported('keys: multi-prime RSA keys ("oth") are not supported');
      if (isPrivate) for (const m of ['d', 'p', 'q', 'dp', 'dq', 'qi']) jwkMember(jwk, m, 'RSA private');
      const bits = bitLength(fromBase64Url(jwk.n as string));
      return {
        kind: 'asymmetric',
        shape: { kind: 'rsa', bits },
        hint: alg ? ALG_HINT[alg] : undefined,
        isPrivate,
        privateJwk: pick(jwk, ['kty', 'n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi']),
        publicJwk: pick(jwk, ['kty', 'n', 'e']),
      };
    }
    case 'EC': {
      const c = checkCrv();
      if (c !== 'P-256' && c !== 'P-384' && c !== 'P-521') unsupported(`keys: the ${c.slice(0, 20)} curve is not supported (P-256, P-384 and P-521 are)`);
      const n = CURVE_BYTES[c];
      jwkMember(jwk, 'x', c, n);
      jwkMember(jwk, 'y', c, n);
      const isPrivate = jwk.d !== undefined;
      if (isPrivate) jwkMember(jwk, 'd', c, n);
      return {
        kind: 'asymmetric',
        shape: { kind: 'ec', curve: c },
        hint: alg ? ALG_HINT[alg] : undefined,
        isPrivate,
        privateJwk: pick(jwk, ['kty', 'crv', 'x', 'y', 'd']),
        publicJwk: pick(jwk, ['kty', 'crv', 'x', 'y']),
      };
    }
    case 'OKP': {
      const c = checkCrv();
      if (c !== 'Ed25519' && c !== 'X25519') unsupported(`keys: ${c.slice(0, 20)} keys are not supported (Ed25519 and X25519 are)`);
      jwkMember(jwk, 'x', c, 32);
      const isPrivate = jwk.d !== undefined;
      if (isPrivate) jwkMember(jwk, 'd', c, 32);
      return {
        kind: 'asymmetric',
        shape: { kind: c === 'Ed25519' ? 'ed25519' : 'x25519' },
        hint: undefined,
        isPrivate,
        privateJwk: pick(jwk, ['kty', 'crv', 'x', 'd']),
        publicJwk: pick(jwk, ['kty', 'crv', 'x']),
      };
    }
    case 'AKP': {
      // draft-ietf-cose-dilithium / WICG modern algorithms: "alg" names the parameter set.
      if (alg !== 'ML-KEM-768' && alg !== 'ML-DSA-65') unsupported(`keys: AKP keys with alg "${String(alg).slice(0, 20)}" are not supported (ML-KEM-768 and ML-DSA-65 are)`);
      jwkMember(jwk, 'pub', alg);
      const isPrivate = jwk.priv !== undefined;
      if (isPrivate) jwkMember(jwk, 'priv', alg);
      return {
        kind: 'asymmetric',
        shape: { kind: alg === 'ML-KEM-768' ? 'ml-kem-768' : 'ml-dsa-65' },
        hint: undefined,
        isPrivate,
        privateJwk: pick(jwk, ['kty', 'alg', 'pub', 'priv']),
        publicJwk: pick(jwk, ['kty', 'alg', 'pub']),
      };
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
function publicJwkOf(jwk: JsonWebKey): JsonWebKey {
  return pick(jwk as Record<string, unknown>, ['kty', 'crv', 'alg', 'n', 'e', 'x', 'y', 'pub']);
}

// ---- Import -----------------------------------------------------------------------------

/** What an import produced, ready for describeKey. */
interface Imported {
  template: KeyTemplate;
  material: KeyMaterialRecord;
  publicOnly: boolean;
  exportable: boolean;
}

async function importPublic(ctx: EngineContext, t: KeyTemplate, format: 'spki' | 'jwk', data: Uint8Array<ArrayBuffer> | JsonWebKey): Promise<CryptoKey> {
  await requireSupport(ctx, t);
  return attempt('MALFORMED_INPUT', `keys: the ${t.label} public key is invalid (WebCrypto rejected it)`, () =>
    format === 'spki'
      ? ctx.subtle.importKey('spki', data as Uint8Array<ArrayBuffer>, importAlgorithm(t), true, t.usages.public ?? [])
      : ctx.subtle.importKey('jwk', data as JsonWebKey, importAlgorithm(t), true, t.usages.public ?? []),
  );
}

/**
 * RSA pairwise-consistency check (FIPS 140 style): the private key must undo the
 * public one. Catches a private key stored with another key's modulus.
 */
async function checkRsaPair(ctx: EngineContext, t: KeyTemplate, privateKey: CryptoKey, publicKey: CryptoKey): Promise<void> {
  const probe = ctx.random(32);
  let ok: boolean;
  try {
    if (t.family === 'rsa-oaep') {
      const ct = await ctx.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, probe);
      const pt = new Uint8Array(await ctx.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, ct));
      ok = pt.length === probe.length && pt.every((b, i) => b === probe[i]);
    } else {
      const alg = t.family === 'rsa-pss' ? { name: 'RSA-PSS', saltLength: 32 } : { name: 'RSASSA-PKCS1-v1_5' };
      const sig = await ctx.subtle.sign(alg, privateKey, probe);
      ok = await ctx.subtle.verify(alg, publicKey, sig, probe);
    }
  } catch {
    ok = false;
  }
  if (!ok) malformed('keys: the RSA private key does not match its own public key (the key data is damaged)');
}

async function importPrivatePkcs8(ctx: EngineContext, t: KeyTemplate, pkcs8: Uint8Array<ArrayBuffer>, exportable: boolean, id: string): Promise<KeyMaterialRecord> {
  await requireSupport(ctx, t);
  const alg = importAlgorithm(t);
  const rejected = `keys: the ${t.label} private key is invalid (WebCrypto rejected it)`;
  // The public half comes from the JWK export of a temporarily extractable import; the
  // temporary handle is dropped, and the stored key is imported non-extractable.
  const temp = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('pkcs8', pkcs8, alg, true, t.usages.private ?? []));
  const jwk = await attempt('UNSUPPORTED', `keys: this browser cannot read the public half of a ${t.label} private key`, () => ctx.subtle.exportKey('jwk', temp));
  const publicKey = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('jwk', publicJwkOf(jwk), alg, true, t.usages.public ?? []));
  const privateKey = exportable ? temp : await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('pkcs8', pkcs8, alg, false, t.usages.private ?? []));
  if (t.family.startsWith('rsa-')) await checkRsaPair(ctx, t, privateKey, publicKey);
  return { id, privateKey, publicKey };
}

async function importPrivateJwk(ctx: EngineContext, t: KeyTemplate, privateJwk: JsonWebKey, publicJwk: JsonWebKey, exportable: boolean, id: string): Promise<KeyMaterialRecord> {
  await requireSupport(ctx, t);
  const alg = importAlgorithm(t);
  const rejected = `keys: the ${t.label} private key is invalid (WebCrypto rejected it)`;
  const privateKey = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('jwk', privateJwk, alg, exportable, t.usages.private ?? []));
  const publicKey = await attempt('MALFORMED_INPUT', rejected, () => ctx.subtle.importKey('jwk', publicJwk, alg, true, t.usages.public ?? []));
  if (t.family.startsWith('rsa-')) await checkRsaPair(ctx, t, privateKey, publicKey);
  return { id, privateKey, publicKey };
}

const SECRET_BYTES: Partial<Record<TemplateName, number>> = {
  'AES-GCM-128': 16,
  'AES-GCM-256': 32,
  'AES-KW-256': 32,
  'HMAC-SHA-256': 32,
  FERNET: 32,
  'ChaCha20-Poly1305': 32,
};

/** Imports symmetric key bytes under a template (explicit, else implied, else by length). */
async function importSecret(ctx: EngineContext, raw: Uint8Array<ArrayBuffer>, requested: TemplateName | undefined, implied: TemplateName | undefined, exportable: boolean, id: string): Promise<Imported> {
  const name = requested ?? implied ?? (raw.length === 32 ? 'AES-GCM-256' : raw.length === 16 ? 'AES-GCM-128' : undefined);
  if (!name) malformed(`keys: a raw symmetric key is 16 or 32 bytes; this one is ${raw.length}`);
  const t = templateOf(name);
  if (t.kind !== 'secret') invalid(`keys: raw key bytes can only be a symmetric key; ${t.name} is a key pair`);
  const want = SECRET_BYTES[t.name]!;
  if (raw.length !== want) invalid(`keys: ${t.name} takes a ${want}-byte key; this one is ${raw.length} bytes`);
  await requireSupport(ctx, t);
  if (t.family === 'fernet') {
    return { template: t, material: await fernetMaterial(ctx.subtle, id, raw), publicOnly: false, exportable: true };
  }
  const secret = await attempt('UNSUPPORTED', `keys: this browser could not import a ${t.label} key`, () =>
    ctx.subtle.importKey(rawFormat(t), raw, importAlgorithm(t), exportable, t.usages.secret ?? []),
  );
  return { template: t, material: { id, secret }, publicOnly: false, exportable };
}

async function importSniffed(ctx: EngineContext, s: Sniffed, params: ImportKeyParams, id: string): Promise<Imported> {
  const exportable = params.exportable === true;
  const requested = params.template;
  switch (s.format) {
    case 'pem-spki':
    case 'der-spki': {
      const t = templateForShape(parseSpki(s.der!), requested, undefined);
      return { template: t, material: { id, publicKey: await importPublic(ctx, t, 'spki', s.der!) }, publicOnly: true, exportable: false };
    }
    case 'pem-pkcs8':
    case 'der-pkcs8': {
      try {
        const t = templateForShape(parsePkcs8(s.der!), requested, undefined);
        return { template: t, material: await importPrivatePkcs8(ctx, t, s.der!, exportable, id), publicOnly: false, exportable };
      } finally {
        s.der!.fill(0); // our own copy of the cleartext private key
      }
    }
    case 'pem-encrypted-pkcs8':
    case 'der-encrypted-pkcs8': {
      parseEncryptedPrivateKeyInfo(s.der!); // structure and scheme errors before asking for a passphrase
      assertImportPassphrase(params.passphrase);
      const pkcs8 = await decryptPrivateKeyInfo(ctx.subtle, s.der!, params.passphrase);
      try {
        const t = templateForShape(parsePkcs8(pkcs8), requested, undefined);
        return { template: t, material: await importPrivatePkcs8(ctx, t, pkcs8, exportable, id), publicOnly: false, exportable };
      } finally {
        pkcs8.fill(0);
      }
    }
    case 'jwk': {
      const j = parseJwk(s.jwk!);
      if (j.kind === 'oct') {
        try {
          return await importSecret(ctx, j.raw, requested, j.template, exportable, id);
        } finally {
          j.raw.fill(0);
        }
      }
      const t = templateForShape(j.shape, requested, j.hint);
      if (!j.isPrivate) {
        return { template: t, material: { id, publicKey: await importPublic(ctx, t, 'jwk', j.publicJwk) }, publicOnly: true, exportable: false };
      }
      return { template: t, material: await importPrivateJwk(ctx, t, j.privateJwk, j.publicJwk, exportable, id), publicOnly: false, exportable };
    }
    case 'jwe-pbes2': {
      assertImportPassphrase(params.passphrase);
      const payload = await openJwk(ctx.subtle, s.jwe!, params.passphrase);
      let jwk: unknown;
      try {
        jwk = JSON.parse(fromUtf8(payload));
      } catch (e) {
        throw new MalformedInputError('keys: the JWE opened, but what it holds is not a JWK', { cause: e });
      } finally {
        payload.fill(0);
      }
      if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) malformed('keys: the JWE opened, but what it holds is not a JWK');
      return importSniffed(ctx, { format: 'jwk', jwk: jwk as Record<string, unknown> }, params, id);
    }
    case 'fernet': {
      if (requested !== undefined && requested !== 'FERNET') invalid(`keys: this is a Fernet key; the template ${requested} does not fit it`);
      const raw = fromBase64Url(s.fernet!.slice(0, 43));
      try {
        return await importSecret(ctx, raw, 'FERNET', undefined, true, id);
      } finally {
        raw.fill(0);
      }
    }
    case 'raw': {
      try {
        return await importSecret(ctx, s.raw!, requested, undefined, exportable, id);
      } finally {
        s.raw!.fill(0);
      }
    }
  }
}

/**
 * Imports a key, sniffing its format (see `sniffKeyFormat`), and stores it in the vault
 * with origin `imported`. Private and secret keys are non-extractable unless
 * `params.exportable`; a public key alone becomes a `public` key.
 * @throws INVALID_ARGUMENT (bad name, template that does not fit, missing passphrase),
 *   MALFORMED_INPUT, UNSUPPORTED, WRONG_PASSPHRASE, STORAGE.
 */
export async function importKey(ctx: EngineContext, params: ImportKeyParams): Promise<KeyInfo> {
  if (!params || typeof params !== 'object') invalid('keys: import parameters are required');
  const name = cleanLabel(params.name, 'name', true);
  const owner = cleanLabel(params.owner, 'owner', false);
  if (params.template !== undefined && !isTemplateName(params.template)) invalid('keys: choose one of the named templates');
  const s = sniff(params.data);
  const id = newKeyId(ctx);
  const r = await importSniffed(ctx, s, params, id);
  // Crypto first (fingerprint), then one IndexedDB transaction (W3).
  const info = await describeKey(ctx, r.template, r.material, {
    name,
    owner,
    exportable: r.exportable,
    origin: 'imported',
    publicOnly: r.publicOnly,
  });
  // With its lifecycle record (describeKey) and its key.create audit entry, in one transaction.
  await storeNewKey(ctx, info, r.material);
  return info;
}

// ---- Export -----------------------------------------------------------------------------

const PUBLIC_FORMATS: readonly PublicExportFormat[] = ['pem', 'der', 'jwk', 'openssh'];
const SECRET_FORMATS: readonly SecretExportFormat[] = ['jwk', 'raw', 'pkcs8-encrypted-pem', 'pkcs8-pem', 'fernet', 'jwe-pbes2'];

/**
 * Exports a key's public half: SPKI as PEM text ("PUBLIC KEY", 64-character lines) or
 * DER bytes, a JWK with only public members (JSON text), or an OpenSSH public key line
 * (`ssh-ed25519`, `ecdsa-sha2-nistp*`, `ssh-rsa`, commented with the key's name). Works for key pairs and
 * public-only keys whatever their extractability (public keys are always extractable).
 * @throws KEY_NOT_FOUND, INVALID_ARGUMENT (secret key, unknown format), UNSUPPORTED.
 */
export async function exportPublicKey(ctx: EngineContext, id: string, format: PublicExportFormat): Promise<string | Uint8Array> {
  if (!PUBLIC_FORMATS.includes(format)) invalid('keys: a public key exports as "pem", "der", "jwk" or "openssh"');
  const { info, material, template: t } = await loadKey(ctx, id);
  if (info.kind === 'secret' || !material.publicKey) invalid('keys: a symmetric key has no public half');
  const pk = material.publicKey;
  if (format === 'jwk' || format === 'openssh') {
    const jwk = await attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} public key as JWK`, () => ctx.subtle.exportKey('jwk', pk));
    if (format === 'openssh') {
      if (!t.operations.includes('sign')) unsupported(`keys: OpenSSH keys are signature keys; ${t.name} does not sign`);
      return opensshPublicKey(jwk, info.name);
    }
    return JSON.stringify(publicJwkOf(jwk));
  }
  const der = new Uint8Array(await attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} public key as SPKI`, () => ctx.subtle.exportKey('spki', pk)));
  return format === 'der' ? der : encodePem('PUBLIC KEY', der);
}

function notExtractable(): never {
  throw new EngineError(
    'NOT_EXTRACTABLE',
    'keys: this key is non-extractable: it was created or imported to stay in the vault, so its secret part cannot be exported (its public half, if any, can)',
  );
}

/**
 * Exports an extractable key's secret or private part:
 * - `jwk`: the secret or private JWK (JSON text);
 * - `raw`: symmetric key bytes (a Fernet key gives its 32 bytes, signing half first);
 * - `fernet`: a Fernet key as Python's `Fernet.generate_key()` prints it;
 * - `pkcs8-encrypted-pem`: a private key as "ENCRYPTED PRIVATE KEY" PEM (PBES2,
 *   PBKDF2-HMAC-SHA-256 600,000 iterations, AES-256-CBC) under `passphrase` (at least
 *   8 characters), which `openssl pkey -passin` opens;
 * - `jwe-pbes2`: the secret or private JWK as a compact JWE under `passphrase` (same
 *   rules), PBES2-HS512+A256KW with 600,000 iterations and A256GCM, which RFC 7518 JOSE
 *   libraries open and Clavis imports back.
 * @throws KEY_NOT_FOUND, NOT_EXTRACTABLE (the key must stay in the vault),
 *   INVALID_ARGUMENT (format does not fit the key, bad passphrase).
 */
export async function exportKey(ctx: EngineContext, id: string, opts: { format: SecretExportFormat; passphrase?: string }): Promise<string | Uint8Array> {
  if (!opts || !SECRET_FORMATS.includes(opts.format)) invalid('keys: a key exports as "jwk", "jwe-pbes2", "raw", "fernet", "pkcs8-encrypted-pem" or "pkcs8-pem"');
  const { info, material, template: t } = await loadKey(ctx, id);
  if (info.kind === 'public') invalid('keys: this is a public key only; export it with exportPublicKey');
  if (!info.extractable) notExtractable();
  const format = opts.format;
  const subtle = ctx.subtle;
  const exportOf = async (key: CryptoKey | undefined, f: KeyFormat): Promise<ArrayBuffer | JsonWebKey> => {
    if (!key) invalid(`keys: the ${t.name} key has no material to export`);
    if (!key.extractable) notExtractable();
    return attempt('UNSUPPORTED', `keys: this browser cannot export a ${t.label} key as ${format}`, () => subtle.exportKey(f as 'jwk', key));
  };

  if (t.family === 'fernet') {
    if (format !== 'fernet' && format !== 'raw') invalid('keys: a Fernet key exports as its Fernet string ("fernet") or its 32 raw bytes ("raw")');
    const mac = new Uint8Array((await exportOf(material.macSecret, 'raw')) as ArrayBuffer);
    const enc = new Uint8Array((await exportOf(material.secret, 'raw')) as ArrayBuffer);
    const raw = new Uint8Array(32);
    raw.set(mac, 0);
    raw.set(enc, 16);
    mac.fill(0);
    enc.fill(0);
    if (format === 'raw') return raw;
    // Fernet keys are urlsafe base64 WITH padding (Python's base64.urlsafe_b64encode).
    const s = `${toBase64Url(raw)}=`;
    raw.fill(0);
    return s;
  }
  if (format === 'fernet') invalid(`keys: only Fernet keys export in the Fernet format; this is ${t.name}`);

  if (format === 'jwe-pbes2') {
    assertExportPassphrase(opts.passphrase);
    const jwk = (await exportOf(info.kind === 'secret' ? material.secret : material.privateKey, 'jwk')) as JsonWebKey;
    const json = utf8(JSON.stringify(jwk));
    try {
      return await sealJwk(subtle, ctx.random, json, opts.passphrase);
    } finally {
      json.fill(0);
    }
  }

  if (info.kind === 'secret') {
    if (format === 'pkcs8-encrypted-pem' || format === 'pkcs8-pem') invalid('keys: a symmetric key has no PKCS#8 form; export it as "jwe-pbes2", "jwk" or "raw"');
    if (format === 'raw') return new Uint8Array((await exportOf(material.secret, rawFormat(t))) as ArrayBuffer);
    return JSON.stringify(await exportOf(material.secret, 'jwk'));
  }

  // Key pairs.
  if (format === 'raw') invalid('keys: raw export is for symmetric keys; export a private key as "jwk" or "pkcs8-encrypted-pem"');
  if (format === 'jwk') return JSON.stringify(await exportOf(material.privateKey, 'jwk'));
  if (format === 'pkcs8-pem') {
    const der = new Uint8Array((await exportOf(material.privateKey, 'pkcs8')) as ArrayBuffer);
    try {
      return encodePem('PRIVATE KEY', der);
    } finally {
      der.fill(0);
    }
  }
  assertExportPassphrase(opts.passphrase);
  const pkcs8 = new Uint8Array((await exportOf(material.privateKey, 'pkcs8')) as ArrayBuffer);
  try {
    return encodePem('ENCRYPTED PRIVATE KEY', await encryptPrivateKeyInfo(subtle, ctx.random, pkcs8, opts.passphrase));
  } finally {
    pkcs8.fill(0);
  }
}

// ---- Backup (A7) ---------------------------------------------------------------------------

/** A key's material as a vault backup holds it: what `exportKey` gave (secret bytes or private JWK), or the public JWK. */
export type BackupMaterial = { kind: 'raw'; raw: Uint8Array<ArrayBuffer> } | { kind: 'jwk'; jwk: JsonWebKey } | { kind: 'public-jwk'; jwk: JsonWebKey };

/**
 * Reads a key's material for a vault backup through the export path (`exportKey`, so
 * every rule that guards an export guards a backup too): symmetric keys as raw bytes
 * (a Fernet key as its 32 bytes), key pairs as the private JWK, public-only keys as the
 * public JWK. @throws NOT_EXTRACTABLE for a key that must stay in the vault; whatever
 * `exportKey` throws otherwise.
 */
export async function backupMaterial(ctx: EngineContext, info: KeyInfo): Promise<BackupMaterial> {
  if (info.kind === 'public') {
    return { kind: 'public-jwk', jwk: JSON.parse((await exportPublicKey(ctx, info.id, 'jwk')) as string) as JsonWebKey };
  }
  if (info.kind === 'secret') return { kind: 'raw', raw: (await exportKey(ctx, info.id, { format: 'raw' })) as Uint8Array<ArrayBuffer> };
  return { kind: 'jwk', jwk: JSON.parse((await exportKey(ctx, info.id, { format: 'jwk' })) as string) as JsonWebKey };
}

/**
 * The CryptoKeys of a restored key from its backup material, under the key's own
 * template; secret and private parts stay extractable (they were, or they would not be
 * in the backup). @throws MALFORMED_INPUT (material that does not fit the template), UNSUPPORTED
 */
export async function restoreMaterial(ctx: EngineContext, info: KeyInfo, m: BackupMaterial): Promise<KeyMaterialRecord> {
  const t = templateOf(info.template);
  const id = info.id;
  if (m.kind === 'public-jwk') return { id, publicKey: await importPublic(ctx, t, 'jwk', m.jwk) };
  if (m.kind === 'raw') {
    if (t.kind !== 'secret') malformed(`keys: the backup holds secret bytes for the ${t.name} key pair "${info.name}"`);
    return (await importSecret(ctx, copy(m.raw), t.name, undefined, true, id)).material;
  }
  const j = parseJwk(m.jwk as Record<string, unknown>);
  if (j.kind !== 'asymmetric' || !j.isPrivate) malformed(`keys: the backup's material for "${info.name}" is not a private key`);
  return importPrivateJwk(ctx, t, j.privateJwk, j.publicJwk, true, id);
}
