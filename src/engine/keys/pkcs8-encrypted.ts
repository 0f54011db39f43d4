/**
 * Passphrase-encrypted PKCS#8 (RFC 5958 EncryptedPrivateKeyInfo with PKCS#5 v2.1 PBES2,
 * RFC 8018), the "ENCRYPTED PRIVATE KEY" PEM that `openssl pkey -passin` opens.
 *
 * Writing always uses PBKDF2-HMAC-SHA-256 with {@link PBKDF2_ITERATIONS} iterations
 * (OWASP's 2023 floor, SECURITY.md K7), a 16-byte random salt and AES-256-CBC with a
 * random 16-byte IV: the same shape as `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf
 * hmacWithSHA256 -iter 600000`. The iteration count is stored in the file, so it can be
 * raised later without breaking old files.
 *
 * Reading accepts what openssl writes with PBES2: PBKDF2 with HMAC-SHA-1/256/384/512
 * and AES-128/256-CBC (WebCrypto has no AES-192 in Chromium, no 3DES, no scrypt, no
 * PBES1: those are refused as UNSUPPORTED with advice). A wrong passphrase is detected
 * by the CBC padding check (WebCrypto's decrypt fails) and, for the 1 in 256 wrong keys
 * whose padding happens to look valid, by the decrypted bytes not being a PKCS#8
 * PrivateKeyInfo.
 *
 * Passphrases are encoded as UTF-8 exactly as typed (no normalisation), which is what
 * openssl does with `-passin pass:`. Rules for new exports: at least
 * {@link MIN_PASSPHRASE_LENGTH} characters; for import, any non-empty passphrase (the
 * file's author chose it). Passphrases never appear in error messages.
 */
import { EngineError, MalformedInputError } from '../errors';
import { copy, utf8 } from '../internal/bytes';
import type { RandomSource } from '../internal/random';
import {
  decodeNull,
  decodeOctetString,
  decodeOid,
  decodeSmallInteger,
  encodeNull,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeUnsignedInteger,
  readSequence,
  TAG,
} from './der';
import * as OID from '../internal/oids';

/** PBKDF2-HMAC-SHA-256 iterations for every export (OWASP Password Storage: >= 600,000). */
export const PBKDF2_ITERATIONS = 600_000;
/** Random salt bytes per export (128 bits, SECURITY.md K7). */
export const SALT_BYTES = 16;
/** AES-CBC IV bytes. */
export const IV_BYTES = 16;
/** Shortest passphrase accepted for an export. */
export const MIN_PASSPHRASE_LENGTH = 8;
/** Longest passphrase accepted (a guard against pasting a file into the field). */
export const MAX_PASSPHRASE_LENGTH = 1024;
/**
 * Most iterations an imported file may ask for: above this, opening it would freeze the
 * tab for a long time (a file can be crafted to do that on purpose).
 */
export const MAX_IMPORT_ITERATIONS = 10_000_000;


const PRF_HASH: Record<string, string> = {
  [OID.hmacWithSHA1]: 'SHA-1',
  [OID.hmacWithSHA256]: 'SHA-256',
  [OID.hmacWithSHA384]: 'SHA-384',
  [OID.hmacWithSHA512]: 'SHA-512',
};

const CIPHER_BITS: Record<string, 128 | 256> = {
  [OID.aes128Cbc]: 128,
  [OID.aes256Cbc]: 256,
};

const CONVERT_ADVICE = 're-encrypt it with "openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256 -in key.pem -out new.pem"';

/**
 * Checks a passphrase for a new export.
 * @throws INVALID_ARGUMENT (missing, too short, too long); the message never contains it.
 */
export function assertExportPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new EngineError('INVALID_ARGUMENT', 'keys: an encrypted export needs a passphrase');
  }
  const n = [...passphrase].length;
  if (n < MIN_PASSPHRASE_LENGTH) {
    throw new EngineError('INVALID_ARGUMENT', `keys: the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  }
  if (n > MAX_PASSPHRASE_LENGTH) {
    throw new EngineError('INVALID_ARGUMENT', `keys: the passphrase must be at most ${MAX_PASSPHRASE_LENGTH} characters`);
  }
}

/**
 * Checks a passphrase offered to open an imported file.
 * @throws INVALID_ARGUMENT (missing or too long); the message never contains it.
 */
export function assertImportPassphrase(passphrase: unknown): asserts passphrase is string {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new EngineError('INVALID_ARGUMENT', 'keys: this key is encrypted; enter its passphrase to import it');
  }
  if ([...passphrase].length > MAX_PASSPHRASE_LENGTH) {
    throw new EngineError('INVALID_ARGUMENT', `keys: the passphrase must be at most ${MAX_PASSPHRASE_LENGTH} characters`);
  }
}

async function deriveAesCbcKey(
  subtle: SubtleCrypto,
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  hash: string,
  bits: 128 | 256,
  usage: 'encrypt' | 'decrypt',
): Promise<CryptoKey> {
  const pass = utf8(passphrase);
  try {
    const base = await subtle.importKey('raw', pass, 'PBKDF2', false, ['deriveKey']);
    return await subtle.deriveKey({ name: 'PBKDF2', salt, iterations, hash }, base, { name: 'AES-CBC', length: bits }, false, [usage]);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'keys: this browser could not run PBKDF2 for the passphrase', { cause: e });
  } finally {
    pass.fill(0);
  }
}

/**
 * Encrypts a DER PrivateKeyInfo under a passphrase: PBES2 with PBKDF2-HMAC-SHA-256
 * ({@link PBKDF2_ITERATIONS}), 16-byte salt and AES-256-CBC with a random IV.
 * Returns the DER EncryptedPrivateKeyInfo. The caller checks the passphrase rules.
 */
export async function encryptPrivateKeyInfo(
  subtle: SubtleCrypto,
  random: RandomSource,
  pkcs8: Uint8Array,
  passphrase: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const salt = random(SALT_BYTES);
  const iv = random(IV_BYTES);
  const key = await deriveAesCbcKey(subtle, passphrase, salt, PBKDF2_ITERATIONS, 'SHA-256', 256, 'encrypt');
  const plain = copy(pkcs8);
  let ct: ArrayBuffer;
  try {
    ct = await subtle.encrypt({ name: 'AES-CBC', iv }, key, plain);
  } catch (e) {
    throw new EngineError('UNSUPPORTED', 'keys: this browser could not encrypt the key with AES-256-CBC', { cause: e });
  } finally {
    plain.fill(0);
  }
  return encodeSequence(
    encodeSequence(
      encodeOid(OID.pbes2),
      encodeSequence(
        encodeSequence(
          encodeOid(OID.pbkdf2),
          encodeSequence(encodeOctetString(salt), encodeUnsignedInteger(PBKDF2_ITERATIONS), encodeSequence(encodeOid(OID.hmacWithSHA256), encodeNull())),
        ),
        encodeSequence(encodeOid(OID.aes256Cbc), encodeOctetString(iv)),
      ),
    ),
    encodeOctetString(new Uint8Array(ct)),
  );
}

/** The PBES2 parameters of an EncryptedPrivateKeyInfo, as read from the file. */
export interface Pbes2Params {
  salt: Uint8Array<ArrayBuffer>;
  iterations: number;
  /** WebCrypto hash name of the PBKDF2 PRF. */
  hash: string;
  /** AES key size of the CBC cipher. */
  keyBits: 128 | 256;
  iv: Uint8Array<ArrayBuffer>;
  encryptedData: Uint8Array<ArrayBuffer>;
}

function unsupported(message: string): never {
  throw new EngineError('UNSUPPORTED', message);
}

/**
 * Parses an EncryptedPrivateKeyInfo and its PBES2 parameters without decrypting.
 * @throws MALFORMED_INPUT (bad structure), UNSUPPORTED (another scheme, KDF, PRF or cipher).
 */
export function parseEncryptedPrivateKeyInfo(der: Uint8Array): Pbes2Params {
  const top = readSequence(der, 'EncryptedPrivateKeyInfo');
  const alg = top.sequence('encryptionAlgorithm');
  const scheme = decodeOid(alg.expect(TAG.OID, 'encryption algorithm'), 'the encryption algorithm');
  if (scheme !== OID.pbes2) {
    if (scheme.startsWith(OID.prefixPkcs5) || scheme.startsWith(OID.prefixPkcs12Pbe)) {
      unsupported(`keys: the key is encrypted with an old PKCS#5 v1 / PKCS#12 scheme that Clavis does not read; ${CONVERT_ADVICE}`);
    }
    unsupported(`keys: the key is encrypted with an unknown scheme (${scheme}); ${CONVERT_ADVICE}`);
  }
  const pbes2 = alg.sequence('PBES2 parameters');
  alg.end();
  const kdf = pbes2.sequence('key derivation function');
  const kdfOid = decodeOid(kdf.expect(TAG.OID, 'key derivation function'), 'the key derivation function');
  if (kdfOid === OID.scrypt) unsupported(`keys: the key's passphrase uses scrypt, which browsers do not offer; ${CONVERT_ADVICE}`);
  if (kdfOid !== OID.pbkdf2) unsupported(`keys: the key's passphrase uses an unknown key derivation function (${kdfOid}); ${CONVERT_ADVICE}`);
  const p = kdf.sequence('PBKDF2 parameters');
  kdf.end();
  if (p.peekTag() !== TAG.OCTET_STRING) unsupported('keys: the key uses a PBKDF2 salt source other than a plain salt');
  const salt = copy(decodeOctetString(p.expect(TAG.OCTET_STRING, 'salt'), 'the salt'));
  if (salt.length < 8 || salt.length > 1024) throw new MalformedInputError('keys: the encrypted key has a salt of an unusual size');
  const iterations = decodeSmallInteger(p.expect(TAG.INTEGER, 'iteration count'), 'the iteration count');
  if (iterations < 1) throw new MalformedInputError('keys: the encrypted key has an iteration count of zero');
  if (iterations > MAX_IMPORT_ITERATIONS) {
    unsupported(`keys: the encrypted key asks for more than ${MAX_IMPORT_ITERATIONS.toLocaleString('en')} PBKDF2 iterations, which would freeze this tab`);
  }
  const keyLengthEl = p.optional(TAG.INTEGER, 'key length');
  const keyLength = keyLengthEl ? decodeSmallInteger(keyLengthEl, 'the key length', 1024) : undefined;
  let hash = 'SHA-1'; // RFC 8018 §A.2: the PRF defaults to hmacWithSHA1.
  if (!p.done) {
    const prf = p.sequence('PRF');
    const prfOid = decodeOid(prf.expect(TAG.OID, 'PRF'), 'the PBKDF2 PRF');
    if (!prf.done) decodeNull(prf.next('PRF parameters'), 'the PRF parameters');
    prf.end();
    const h = PRF_HASH[prfOid];
    if (!h) unsupported(`keys: the key's PBKDF2 uses an unsupported PRF (${prfOid}); ${CONVERT_ADVICE}`);
    hash = h;
  }
  p.end();
  const enc = pbes2.sequence('encryption scheme');
  pbes2.end();
  const encOid = decodeOid(enc.expect(TAG.OID, 'encryption scheme'), 'the encryption scheme');
  const keyBits = CIPHER_BITS[encOid];
  if (!keyBits) {
    const name = encOid === OID.aes192Cbc ? 'AES-192-CBC' : encOid === OID.desEde3Cbc ? 'Triple-DES' : `an unknown cipher (${encOid})`;
    unsupported(`keys: the key is encrypted with ${name}, which browsers do not offer; ${CONVERT_ADVICE}`);
  }
  const iv = copy(decodeOctetString(enc.expect(TAG.OCTET_STRING, 'IV'), 'the IV'));
  enc.end();
  if (iv.length !== IV_BYTES) throw new MalformedInputError('keys: the encrypted key has an AES-CBC IV that is not 16 bytes');
  if (keyLength !== undefined && keyLength * 8 !== keyBits) {
    throw new MalformedInputError('keys: the encrypted key states a key length that does not match its cipher');
  }
  const encryptedData = copy(decodeOctetString(top.expect(TAG.OCTET_STRING, 'encryptedData'), 'the encrypted data'));
  top.end();
  if (encryptedData.length === 0 || encryptedData.length % 16 !== 0) {
    throw new MalformedInputError('keys: the encrypted key data is truncated (not a whole number of AES blocks)');
  }
  return { salt, iterations, hash, keyBits, iv, encryptedData };
}

/** True when `der` is a structurally plausible PrivateKeyInfo (RFC 5958 OneAsymmetricKey). */
export function isPrivateKeyInfo(der: Uint8Array): boolean {
  try {
    const r = readSequence(der, 'PrivateKeyInfo');
    const version = decodeSmallInteger(r.expect(TAG.INTEGER, 'version'), 'the version', 1);
    const alg = r.sequence('privateKeyAlgorithm');
    decodeOid(alg.expect(TAG.OID, 'algorithm'));
    r.expect(TAG.OCTET_STRING, 'privateKey');
    // Optional [0] attributes and (v2 only) [1] publicKey.
    r.optional(0xa0, 'attributes');
    if (version === 1) r.optional(0x81, 'publicKey');
    r.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Decrypts an EncryptedPrivateKeyInfo with a passphrase and returns the DER
 * PrivateKeyInfo. The caller should zero the result when done.
 * @throws WRONG_PASSPHRASE (the passphrase does not open it, or the file is damaged),
 *   MALFORMED_INPUT, UNSUPPORTED.
 */
export async function decryptPrivateKeyInfo(subtle: SubtleCrypto, der: Uint8Array, passphrase: string): Promise<Uint8Array<ArrayBuffer>> {
  const p = parseEncryptedPrivateKeyInfo(der);
  const key = await deriveAesCbcKey(subtle, passphrase, p.salt, p.iterations, p.hash, p.keyBits, 'decrypt');
  let plain: Uint8Array<ArrayBuffer>;
  try {
    plain = new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: p.iv }, key, p.encryptedData));
  } catch (e) {
    // A bad PKCS#7 pad after CBC decryption: almost always a wrong passphrase.
    throw new EngineError('WRONG_PASSPHRASE', 'keys: the passphrase does not open this key (or the file is damaged)', { cause: e });
  }
  if (!isPrivateKeyInfo(plain)) {
    plain.fill(0);
    throw new EngineError('WRONG_PASSPHRASE', 'keys: the passphrase does not open this key (or the file is damaged)');
  }
  return plain;
}
