/**
 * The engine's one table of object identifiers: every OID Clavis writes or looks for,
 * by name (RFC 5280, RFC 8017, RFC 5480, RFC 8410, RFC 8018, RFC 7292, RFC 5652, NIST
 * CSOR). Modules refer to `OID.keyUsage`, never
 * to a dotted literal, so a typo cannot hide in one copy of a table. Each OID is its own
 * export, so a bundle carries only the OIDs its code reads (`import * as OID`).
 *
 * The names a viewer shows for them are in ./oid-names.ts (kept apart so the vault's first
 * load does not carry them).
 *
 * Common case: `import * as OID from '../internal/oids'; if (oid === OID.basicConstraints) …`.
 */

// X.509 extensions (RFC 5280 4.2, 5.2, 5.3)
export const subjectKeyIdentifier = '2.5.29.14';
export const keyUsage = '2.5.29.15';
export const subjectAltName = '2.5.29.17';
export const issuerAltName = '2.5.29.18';
export const basicConstraints = '2.5.29.19';
export const cRLNumber = '2.5.29.20';
export const reasonCode = '2.5.29.21';
export const invalidityDate = '2.5.29.24';
export const deltaCRLIndicator = '2.5.29.27';
export const issuingDistributionPoint = '2.5.29.28';
export const certificateIssuer = '2.5.29.29';
export const nameConstraints = '2.5.29.30';
export const cRLDistributionPoints = '2.5.29.31';
export const certificatePolicies = '2.5.29.32';
export const anyPolicy = '2.5.29.32.0';
export const policyMappings = '2.5.29.33';
export const authorityKeyIdentifier = '2.5.29.35';
export const policyConstraints = '2.5.29.36';
export const extKeyUsage = '2.5.29.37';
export const anyExtendedKeyUsage = '2.5.29.37.0';
export const freshestCRL = '2.5.29.46';
export const inhibitAnyPolicy = '2.5.29.54';
export const authorityInfoAccess = '1.3.6.1.5.5.7.1.1';
export const ocsp = '1.3.6.1.5.5.7.48.1';
export const caIssuers = '1.3.6.1.5.5.7.48.2';
export const cabDomainValidated = '2.23.140.1.2.1';
// Extended key usages
export const serverAuth = '1.3.6.1.5.5.7.3.1';
export const clientAuth = '1.3.6.1.5.5.7.3.2';
export const codeSigning = '1.3.6.1.5.5.7.3.3';
export const emailProtection = '1.3.6.1.5.5.7.3.4';
// Name attributes (X.520, PKCS #9, RFC 4519)
export const commonName = '2.5.4.3';
export const serialNumber = '2.5.4.5';
export const countryName = '2.5.4.6';
export const localityName = '2.5.4.7';
export const stateOrProvinceName = '2.5.4.8';
export const organizationName = '2.5.4.10';
export const organizationalUnitName = '2.5.4.11';
export const emailAddress = '1.2.840.113549.1.9.1';
export const domainComponent = '0.9.2342.19200300.100.1.25';
// PKCS #9 / PKCS #10 / PKCS #12 attributes
export const extensionRequest = '1.2.840.113549.1.9.14';
export const friendlyName = '1.2.840.113549.1.9.20';
export const localKeyId = '1.2.840.113549.1.9.21';
export const x509Certificate = '1.2.840.113549.1.9.22.1';
export const certBag = '1.2.840.113549.1.12.10.1.3';
export const shroudedKeyBag = '1.2.840.113549.1.12.10.1.2';
// CMS content types (RFC 5652)
export const data = '1.2.840.113549.1.7.1';
export const signedData = '1.2.840.113549.1.7.2';
// Key algorithms and curves
export const rsaEncryption = '1.2.840.113549.1.1.1';
export const rsassaPss = '1.2.840.113549.1.1.10';
export const mgf1 = '1.2.840.113549.1.1.8';
export const ecPublicKey = '1.2.840.10045.2.1';
export const dsa = '1.2.840.10040.4.1';
export const dhKeyAgreement = '1.2.840.113549.1.3.1';
export const x942DhPublicNumber = '1.2.840.10046.2.1';
export const x25519 = '1.3.101.110';
export const x448 = '1.3.101.111';
export const ed25519 = '1.3.101.112';
export const ed448 = '1.3.101.113';
export const mlKem512 = '2.16.840.1.101.3.4.4.1';
export const mlKem768 = '2.16.840.1.101.3.4.4.2';
export const mlKem1024 = '2.16.840.1.101.3.4.4.3';
export const mlDsa44 = '2.16.840.1.101.3.4.3.17';
export const mlDsa65 = '2.16.840.1.101.3.4.3.18';
export const mlDsa87 = '2.16.840.1.101.3.4.3.19';
export const p192 = '1.2.840.10045.3.1.1';
export const p224 = '1.3.132.0.33';
export const p256 = '1.2.840.10045.3.1.7';
export const p384 = '1.3.132.0.34';
export const p521 = '1.3.132.0.35';
export const secp256k1 = '1.3.132.0.10';
export const brainpoolP256r1 = '1.3.36.3.3.2.8.1.1.7';
export const brainpoolP384r1 = '1.3.36.3.3.2.8.1.1.11';
export const brainpoolP512r1 = '1.3.36.3.3.2.8.1.1.13';
export const sm2 = '1.2.156.10197.1.301';
// Signature algorithms
export const md2WithRSAEncryption = '1.2.840.113549.1.1.2';
export const md5WithRSAEncryption = '1.2.840.113549.1.1.4';
export const sha1WithRSAEncryption = '1.2.840.113549.1.1.5';
export const sha256WithRSAEncryption = '1.2.840.113549.1.1.11';
export const sha384WithRSAEncryption = '1.2.840.113549.1.1.12';
export const sha512WithRSAEncryption = '1.2.840.113549.1.1.13';
export const ecdsaWithSHA1 = '1.2.840.10045.4.1';
export const ecdsaWithSHA256 = '1.2.840.10045.4.3.2';
export const ecdsaWithSHA384 = '1.2.840.10045.4.3.3';
export const ecdsaWithSHA512 = '1.2.840.10045.4.3.4';
export const dsaWithSHA1 = '1.2.840.10040.4.3';
export const dsaWithSHA256 = '2.16.840.1.101.3.4.3.2';
// Hashes
export const sha1 = '1.3.14.3.2.26';
export const sha256 = '2.16.840.1.101.3.4.2.1';
export const sha384 = '2.16.840.1.101.3.4.2.2';
export const sha512 = '2.16.840.1.101.3.4.2.3';
// Password-based encryption (RFC 8018) and ciphers
export const pbes2 = '1.2.840.113549.1.5.13';
export const pbkdf2 = '1.2.840.113549.1.5.12';
export const hmacWithSHA1 = '1.2.840.113549.2.7';
export const hmacWithSHA256 = '1.2.840.113549.2.9';
export const hmacWithSHA384 = '1.2.840.113549.2.10';
export const hmacWithSHA512 = '1.2.840.113549.2.11';
export const aes128Cbc = '2.16.840.1.101.3.4.1.2';
export const aes192Cbc = '2.16.840.1.101.3.4.1.22';
export const aes256Cbc = '2.16.840.1.101.3.4.1.42';
export const scrypt = '1.3.6.1.4.1.11591.4.11';
export const desEde3Cbc = '1.2.840.113549.3.7';

// Dotted prefixes of whole OID families
/** PKCS #5 password-based schemes. */
export const prefixPkcs5 = '1.2.840.113549.1.5.';
/** PKCS #12 password-based encryption schemes. */
export const prefixPkcs12Pbe = '1.2.840.113549.1.12.1.';
/** ECDSA with a SHA-2 hash. */
export const prefixEcdsaWithSha2 = '1.2.840.10045.4.3.';
