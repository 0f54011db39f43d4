/**
 * Typed engine errors. The engine throws; state slices catch and keep `{ code, message }`;
 * views switch on `code`. Messages start with the module name and never contain key
 * material, plaintext or passphrases.
 */

/** Every error code the engine can raise, and what it means to a caller. */
export type EngineErrorCode =
  /** A caller passed a value of the wrong shape, size or kind. */
  | 'INVALID_ARGUMENT'
  /** No key with that id exists (or it is not a key of the needed kind). */
  | 'KEY_NOT_FOUND'
  /** The key's state or purpose forbids the operation (e.g. encrypt with a signing key). */
  | 'KEY_STATE'
  /** Decryption or unwrapping failed: wrong key, tampered or truncated ciphertext. */
  | 'DECRYPT_FAILED'
  /** A signature, MAC or token did not verify. */
  | 'SIGNATURE_INVALID'
  /** Input could not be parsed as the format it claims (PEM, DER, JWK, token, ciphertext). */
  | 'MALFORMED_INPUT'
  /** A passphrase did not open an encrypted key or backup. */
  | 'WRONG_PASSPHRASE'
  /** The key may not leave the vault (non-extractable) in the asked form. */
  | 'NOT_EXTRACTABLE'
  /**
   * The vault lock is on and the vault is locked: exportable key material is sealed under
   * the lock's passphrase until the vault is unlocked (non-extractable keys still work).
   */
  | 'VAULT_LOCKED'
  | 'CERT_INVALID'
  | 'CERT_REVOKED'
  /** IndexedDB refused the write or read (quota, clone failure, blocked upgrade). */
  | 'STORAGE'
  /** This browser does not offer the algorithm or feature. */
  | 'UNSUPPORTED';

/** Base class of every error the engine throws on purpose. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
    this.code = code;
  }
  /** The serialisable form kept by state slices and shown by views. */
  toJSON(): { code: EngineErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** A key's state or purpose forbids the operation. Code is always `KEY_STATE`. */
export class KeyStateError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_STATE', message, options);
    this.name = 'KeyStateError';
  }
}

/** Input could not be parsed. Code is always `MALFORMED_INPUT`. */
export class MalformedInputError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MALFORMED_INPUT', message, options);
    this.name = 'MalformedInputError';
  }
}

/** IndexedDB failed. Code is always `STORAGE`; `cause` keeps the DOMException. */
export class StorageError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options);
    this.name = 'StorageError';
  }
}

/** True when `e` is an EngineError (optionally with the given code). */
export function isEngineError(e: unknown, code?: EngineErrorCode): e is EngineError {
  return e instanceof EngineError && (code === undefined || e.code === code);
}

/** Converts anything thrown into the `{ code, message }` pair a slice may store. */
export function toErrorInfo(e: unknown): { code: EngineErrorCode | 'UNEXPECTED'; message: string } {
  if (e instanceof EngineError) return { code: e.code, message: e.message };
  // Never echo an arbitrary error's message: it may come from a library that prints input.
  return { code: 'UNEXPECTED', message: 'clavis: an unexpected error occurred' };
}
