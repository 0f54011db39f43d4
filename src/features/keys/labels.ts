/** Display labels for key metadata. Pure functions; everything returns plain text. */
import type { KeyFingerprint, KeyInfo, KeyOperation, SniffedFormat } from '../../engine';
import { groupHex } from '../../components/ui/format';

/** "Secret key", "Key pair" or "Public key". */
export function kindLabel(kind: KeyInfo['kind']): string {
  return kind === 'secret' ? 'Secret key' : kind === 'key-pair' ? 'Key pair' : 'Public key';
}

const FAMILY_LABELS: Record<string, string> = {
  'aes-gcm': 'AES-GCM (symmetric encryption)',
  'aes-kw': 'AES Key Wrap (key-encryption keys)',
  hmac: 'HMAC (message authentication)',
  fernet: 'Fernet (Python-compatible tokens)',
  'rsa-oaep': 'RSA-OAEP (public-key encryption)',
  'rsa-pss': 'RSA-PSS (signatures)',
  'rsa-pkcs1': 'RSASSA-PKCS1-v1_5 (signatures)',
  ecdsa: 'ECDSA (signatures)',
  ecdh: 'ECDH (key agreement)',
  x25519: 'X25519 (key agreement)',
  ed25519: 'Ed25519 (signatures)',
  'ml-kem': 'ML-KEM (post-quantum key encapsulation)',
  'ml-dsa': 'ML-DSA (post-quantum signatures)',
  'chacha20-poly1305': 'ChaCha20-Poly1305 (symmetric encryption)',
};

/** The heading of a template family in pickers. */
export function familyLabel(family: string): string {
  return FAMILY_LABELS[family] ?? family;
}

/** What the fingerprint is, in words. */
export function fingerprintKindLabel(fp: KeyFingerprint): string {
  return fp.kind === 'spki-sha256' ? 'SHA-256 fingerprint of the public key (SPKI)' : 'Key check value (KCV)';
}

/** The fingerprint in full, grouped in fours. */
export function fullFingerprint(fp: KeyFingerprint): string {
  return groupHex(fp.value);
}

/** A short form for tables: the first 16 hex digits of a SHA-256 fingerprint, or the KCV. */
export function shortFingerprint(fp: KeyFingerprint): string {
  return fp.kind === 'spki-sha256' ? `${groupHex(fp.value.slice(0, 16))}…` : `KCV ${fp.value}`;
}

const OPERATION_LABELS: Record<KeyOperation, string> = {
  encrypt: 'encrypt',
  decrypt: 'decrypt',
  sign: 'sign',
  verify: 'verify',
  wrap: 'wrap keys',
  unwrap: 'unwrap keys',
  derive: 'derive shared keys',
  encapsulate: 'encapsulate',
  decapsulate: 'decapsulate',
};

/** "encrypt, decrypt, wrap keys". */
export function operationsLabel(ops: readonly KeyOperation[]): string {
  return ops.length ? ops.map((o) => OPERATION_LABELS[o]).join(', ') : 'none';
}

const FORMAT_LABELS: Record<SniffedFormat, string> = {
  'pem-spki': 'Public key: SubjectPublicKeyInfo, PEM',
  'pem-pkcs8': 'Private key: PKCS #8, PEM, not encrypted',
  'pem-encrypted-pkcs8': 'Encrypted private key: PKCS #8, PEM (needs its passphrase)',
  'der-spki': 'Public key: SubjectPublicKeyInfo, DER',
  'der-pkcs8': 'Private key: PKCS #8, DER, not encrypted',
  'der-encrypted-pkcs8': 'Encrypted private key: PKCS #8, DER (needs its passphrase)',
  jwk: 'JSON Web Key (JWK)',
  fernet: 'Fernet key (32 bytes, base64url)',
  'jwe-pbes2': 'Passphrase-protected key: JWE, PBES2-HS512+A256KW (needs its passphrase)',
  raw: 'Raw key bytes (choose a template)',
};

/** A sniffed import format in words. */
export function formatLabel(f: SniffedFormat): string {
  return FORMAT_LABELS[f] ?? f;
}

/** True for the passphrase-protected formats (encrypted PKCS #8, PBES2 JWE). */
export function needsPassphrase(f: SniffedFormat | null): boolean {
  return f === 'pem-encrypted-pkcs8' || f === 'der-encrypted-pkcs8' || f === 'jwe-pbes2';
}
