/**
 * Using keys (A4): encrypt/decrypt, sign/verify, wrap/unwrap, derive, encapsulate.
 *
 * Common case:
 * ```ts
 * const ct = await engine.encryptText(key.id, 'hello');         // "clavis:v1:…"
 * const text = await engine.decryptText(ct);                     // the envelope names its key
 * const sig = await engine.sign(signer.id, bytes);               // ECDSA: DER by default
 * ```
 *
 * Every ciphertext is a versioned envelope that names its key and key version
 * (envelope.ts); Fernet keys make Fernet tokens instead (fernet.ts). The caller never
 * supplies IVs, nonces, hashes or padding: the key's template fixes them.
 *
 * Error contract:
 * - KEY_NOT_FOUND: the key (or the key an envelope names) is not in the vault.
 * - KEY_STATE: the key's template cannot do the operation, it is a public key where the
 *   private half is needed, or its lifecycle state forbids the operation.
 * - MALFORMED_INPUT: the input is not the format it claims (envelope, token, DER, PEM).
 * - DECRYPT_FAILED: wrong key, wrong associated data, tampered or truncated ciphertext.
 * - NOT_EXTRACTABLE: wrapping a key whose CryptoKey is non-extractable.
 * - UNSUPPORTED: this browser lacks the algorithm.
 * `verify` returns false (never throws) for a signature that does not verify, including a
 * malformed DER ECDSA signature: either way the answer is "not signed by this key".
 *
 * This module is the one entry point the engine loads on first use; each job has its own
 * module: encrypt.ts, sign.ts, wrap.ts, agree.ts (derive, ML-KEM), with use-common.ts
 * (options, the operation gate) and usage.ts (use counts) beneath them.
 */
export type { DecryptOptions, DecryptResult, DecryptTextOptions, EncryptOptions, NewKeyLabel, SignatureOptions } from './use-common';
export { loadForProtect, requireOperation } from './use-common';
export { flushUsage, keyUsage, USAGE_FLUSH_MS } from './usage';
export { decrypt, decryptText, encrypt, encryptText } from './encrypt';
export { sign, verify } from './sign';
export { importAlgorithm, unwrapKey, wrapKey } from './wrap';
export { decapsulate, deriveInfo, deriveKey, DERIVE_INFO_LABEL, DERIVE_SALT, encapsulate, KEM_INFO_LABEL, KEM_SALT, ML_KEM_768_CIPHERTEXT_BYTES } from './agree';
