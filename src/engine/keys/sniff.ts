// Sniffing key data: which format (PEM, DER, JWK, JWE, Fernet, raw bytes) an import was given.
import { MalformedInputError } from '../errors';
import { copy, fromHex, fromUtf8 } from '../internal/bytes';
import { readSequence, TAG } from './der';
import { looksLikeCompactJwe } from './jwe-pbes2';
import { PKCS8_ADVICE, invalid, malformed, unsupported } from './key-shape';
import { decodePem, looksLikePem } from './pem';

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


/** Largest input accepted by import (key files are a few kB; ML-DSA SPKI is ~2 kB). */
export const MAX_IMPORT_BYTES = 1024 * 1024;

type DerKind = 'spki' | 'pkcs8' | 'encrypted-pkcs8';

export interface Sniffed {
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

export function sniff(data: Uint8Array | string): Sniffed {
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
