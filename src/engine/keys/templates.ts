/**
 * Named key templates: the only way to say what key to make. Callers never pass
 * algorithm dictionaries, hashes or IVs; the template fixes all of them.
 *
 * Common case: `engine.generateKey({ template: 'AES-GCM-256', name: 'data key' })`.
 */

/** What a key can be used for, as the UI and the engine's gates speak of it. */
export type KeyOperation =
  | 'encrypt'
  | 'decrypt'
  | 'sign'
  | 'verify'
  | 'wrap'
  | 'unwrap'
  | 'derive'
  | 'encapsulate'
  | 'decapsulate';

export const TEMPLATE_NAMES = [
  'AES-GCM-128',
  'AES-GCM-256',
  'AES-KW-256',
  'HMAC-SHA-256',
  'FERNET',
  'RSA-OAEP-2048',
  'RSA-OAEP-3072',
  'RSA-OAEP-4096',
  'RSA-PSS-2048',
  'RSA-PSS-3072',
  'RSA-PSS-4096',
  'RSASSA-PKCS1-v1_5-2048',
  'RSASSA-PKCS1-v1_5-3072',
  'RSASSA-PKCS1-v1_5-4096',
  'ECDSA-P-256',
  'ECDSA-P-384',
  'ECDSA-P-521',
  'ECDH-P-256',
  'ECDH-P-384',
  'ECDH-P-521',
  'X25519',
  'Ed25519',
  'ML-KEM-768',
  'ML-DSA-65',
  'ChaCha20-Poly1305',
] as const;

export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export type TemplateFamily =
  | 'aes-gcm'
  | 'aes-kw'
  | 'hmac'
  | 'fernet'
  | 'rsa-oaep'
  | 'rsa-pss'
  | 'rsa-pkcs1'
  | 'ecdsa'
  | 'ecdh'
  | 'x25519'
  | 'ed25519'
  | 'ml-kem'
  | 'ml-dsa'
  | 'chacha20-poly1305';

/** One template: what it makes, what for, and the exact WebCrypto parameters. */
export interface KeyTemplate {
  name: TemplateName;
  family: TemplateFamily;
  kind: 'secret' | 'key-pair';
  /** Short label for pickers. */
  label: string;
  /** What the key is and what it is good for, in a sentence or two. */
  description: string;
  operations: KeyOperation[];
  /** Extractable by the template's nature; the reason is shown next to the key. */
  extractableReason?: string;
  /** Not in every browser: generation is tried once and the result remembered. */
  optional?: boolean;
  /** Generation is slow enough to warrant a progress indicator. */
  slow?: boolean;
  /** WebCrypto algorithm for generateKey/importKey. */
  algorithm: AlgorithmIdentifier | RsaHashedKeyGenParams | EcKeyGenParams | HmacKeyGenParams | AesKeyGenParams;
  /** WebCrypto usages of the secret key, or of the private and public halves. */
  usages: { secret?: KeyUsage[]; private?: KeyUsage[]; public?: KeyUsage[] };
  /** Bits of the symmetric key, or modulus bits / curve for asymmetric keys (for display). */
  strength: string;
}

const F4 = new Uint8Array([1, 0, 1]);

function rsa(
  family: 'rsa-oaep' | 'rsa-pss' | 'rsa-pkcs1',
  bits: 2048 | 3072 | 4096,
): KeyTemplate {
  const algName = family === 'rsa-oaep' ? 'RSA-OAEP' : family === 'rsa-pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
  const name = `${algName}-${bits}` as TemplateName;
  const enc = family === 'rsa-oaep';
  return {
    name,
    family,
    kind: 'key-pair',
    label: `${algName} ${bits}-bit (SHA-256)`,
    description: enc
      ? `RSA encryption with OAEP padding and SHA-256. Encrypts data to the public key (hybrid: a fresh AES-256-GCM key per message, wrapped with RSA) and wraps keys.${bits === 4096 ? ' Generating a 4096-bit key takes a few seconds.' : ''}`
      : `RSA signatures (${family === 'rsa-pss' ? 'PSS padding, 32-byte salt' : 'PKCS #1 v1.5 padding'}) with SHA-256. Signs documents and certificates; the public key verifies.${bits === 4096 ? ' Generating a 4096-bit key takes a few seconds.' : ''}`,
    operations: enc ? ['encrypt', 'decrypt', 'wrap', 'unwrap'] : ['sign', 'verify'],
    slow: bits === 4096,
    algorithm: { name: algName, modulusLength: bits, publicExponent: F4, hash: 'SHA-256' },
    usages: enc
      ? { private: ['decrypt', 'unwrapKey'], public: ['encrypt', 'wrapKey'] }
      : { private: ['sign'], public: ['verify'] },
    strength: `${bits}-bit modulus`,
  };
}

function ecdsa(curve: 'P-256' | 'P-384' | 'P-521'): KeyTemplate {
  const hash = curve === 'P-256' ? 'SHA-256' : curve === 'P-384' ? 'SHA-384' : 'SHA-512';
  return {
    name: `ECDSA-${curve}` as TemplateName,
    family: 'ecdsa',
    kind: 'key-pair',
    label: `ECDSA ${curve} (${hash})`,
    description: `Elliptic-curve signatures on NIST ${curve} with ${hash}. Small, fast signing keys for documents, tokens and certificates.`,
    operations: ['sign', 'verify'],
    algorithm: { name: 'ECDSA', namedCurve: curve },
    usages: { private: ['sign'], public: ['verify'] },
    strength: curve,
  };
}

function ecdh(curve: 'P-256' | 'P-384' | 'P-521'): KeyTemplate {
  return {
    name: `ECDH-${curve}` as TemplateName,
    family: 'ecdh',
    kind: 'key-pair',
    label: `ECDH ${curve}`,
    description: `Elliptic-curve Diffie–Hellman on NIST ${curve}. Agrees a shared secret with a peer's public key; Clavis turns it into an AES-256-GCM key with HKDF-SHA-256.`,
    operations: ['derive'],
    algorithm: { name: 'ECDH', namedCurve: curve },
    usages: { private: ['deriveBits'], public: [] },
    strength: curve,
  };
}

const LIST: KeyTemplate[] = [
  {
    name: 'AES-GCM-128',
    family: 'aes-gcm',
    kind: 'secret',
    label: 'AES-GCM 128-bit',
    description: 'Authenticated symmetric encryption (AES in Galois/Counter Mode, 96-bit random IV per message). Encrypts text and files; tampering is detected.',
    operations: ['encrypt', 'decrypt', 'wrap', 'unwrap'],
    algorithm: { name: 'AES-GCM', length: 128 },
    usages: { secret: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] },
    strength: '128-bit',
  },
  {
    name: 'AES-GCM-256',
    family: 'aes-gcm',
    kind: 'secret',
    label: 'AES-GCM 256-bit',
    description: 'Authenticated symmetric encryption with a 256-bit key (96-bit random IV per message). The default data key: encrypts text and files, and wraps private keys.',
    operations: ['encrypt', 'decrypt', 'wrap', 'unwrap'],
    algorithm: { name: 'AES-GCM', length: 256 },
    usages: { secret: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'] },
    strength: '256-bit',
  },
  {
    name: 'AES-KW-256',
    family: 'aes-kw',
    kind: 'secret',
    label: 'AES Key Wrap 256-bit (RFC 3394)',
    description: 'A key-encryption key: wraps other symmetric keys (RFC 3394). It cannot encrypt data, and cannot wrap private keys (their encoding is not a multiple of 8 bytes); use AES-GCM for those.',
    operations: ['wrap', 'unwrap'],
    algorithm: { name: 'AES-KW', length: 256 },
    usages: { secret: ['wrapKey', 'unwrapKey'] },
    strength: '256-bit',
  },
  {
    name: 'HMAC-SHA-256',
    family: 'hmac',
    kind: 'secret',
    label: 'HMAC-SHA-256',
    description: 'A message-authentication key: produces and checks 32-byte tags proving a message came from someone holding the same key.',
    operations: ['sign', 'verify'],
    algorithm: { name: 'HMAC', hash: 'SHA-256', length: 256 },
    usages: { secret: ['sign', 'verify'] },
    strength: '256-bit',
  },
  {
    name: 'FERNET',
    family: 'fernet',
    kind: 'secret',
    label: 'Fernet (Python cryptography compatible)',
    description: 'The Fernet token format (AES-128-CBC + HMAC-SHA-256, timestamped) used by Python’s cryptography library. Tokens made here open there and the reverse.',
    operations: ['encrypt', 'decrypt'],
    extractableReason: 'A Fernet key is by definition a shared secret string (32 bytes, base64url) that both sides must hold, so it can be shown and exported.',
    algorithm: { name: 'AES-CBC', length: 128 },
    usages: { secret: ['encrypt', 'decrypt'] },
    strength: '128-bit AES + 128-bit HMAC',
  },
  rsa('rsa-oaep', 2048),
  rsa('rsa-oaep', 3072),
  rsa('rsa-oaep', 4096),
  rsa('rsa-pss', 2048),
  rsa('rsa-pss', 3072),
  rsa('rsa-pss', 4096),
  rsa('rsa-pkcs1', 2048),
  rsa('rsa-pkcs1', 3072),
  rsa('rsa-pkcs1', 4096),
  ecdsa('P-256'),
  ecdsa('P-384'),
  ecdsa('P-521'),
  ecdh('P-256'),
  ecdh('P-384'),
  ecdh('P-521'),
  {
    name: 'X25519',
    family: 'x25519',
    kind: 'key-pair',
    label: 'X25519',
    description: 'Diffie–Hellman on Curve25519 (RFC 7748). Agrees a shared secret with a peer; Clavis turns it into an AES-256-GCM key with HKDF-SHA-256.',
    operations: ['derive'],
    optional: true,
    algorithm: { name: 'X25519' },
    usages: { private: ['deriveBits'], public: [] },
    strength: 'Curve25519',
  },
  {
    name: 'Ed25519',
    family: 'ed25519',
    kind: 'key-pair',
    label: 'Ed25519',
    description: 'Edwards-curve signatures (RFC 8032): deterministic, fast and small. Vault-only for now: certificates use ECDSA or RSA.',
    operations: ['sign', 'verify'],
    optional: true,
    algorithm: { name: 'Ed25519' },
    usages: { private: ['sign'], public: ['verify'] },
    strength: 'Curve25519',
  },
  {
    name: 'ML-KEM-768',
    family: 'ml-kem',
    kind: 'key-pair',
    label: 'ML-KEM-768 (post-quantum)',
    description: 'Module-lattice key encapsulation (FIPS 203). Encapsulates a fresh shared secret to the public key; the private key recovers it. Offered only where the browser has it.',
    operations: ['encapsulate', 'decapsulate'],
    optional: true,
    algorithm: { name: 'ML-KEM-768' },
    usages: { private: ['decapsulateBits'] as unknown as KeyUsage[], public: ['encapsulateBits'] as unknown as KeyUsage[] },
    strength: 'NIST level 3',
  },
  {
    name: 'ML-DSA-65',
    family: 'ml-dsa',
    kind: 'key-pair',
    label: 'ML-DSA-65 (post-quantum)',
    description: 'Module-lattice signatures (FIPS 204). Post-quantum signing; offered only where the browser has it.',
    operations: ['sign', 'verify'],
    optional: true,
    algorithm: { name: 'ML-DSA-65' },
    usages: { private: ['sign'], public: ['verify'] },
    strength: 'NIST level 3',
  },
  {
    name: 'ChaCha20-Poly1305',
    family: 'chacha20-poly1305',
    kind: 'secret',
    label: 'ChaCha20-Poly1305',
    description: 'Authenticated symmetric encryption (RFC 8439) with a 256-bit key and 96-bit random nonce; fast without AES hardware. Offered only where the browser has it.',
    operations: ['encrypt', 'decrypt'],
    optional: true,
    algorithm: { name: 'ChaCha20-Poly1305' },
    usages: { secret: ['encrypt', 'decrypt'] },
    strength: '256-bit',
  },
];

/** Every template, in picker order. */
export const TEMPLATES: ReadonlyMap<TemplateName, KeyTemplate> = new Map(LIST.map((t) => [t.name, t]));

export function isTemplateName(x: unknown): x is TemplateName {
  return typeof x === 'string' && TEMPLATES.has(x as TemplateName);
}
