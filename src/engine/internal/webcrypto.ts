/**
 * WebCrypto quirks, in one place.
 *
 * - Chromium and Node name errors differently (InvalidAccessError vs
 *   InvalidAccessException, SECURITY.md W2): never branch on `name` across
 *   environments except for the documented OperationError of a failed AEAD open.
 * - `wrapKey`/`exportKey` need an extractable key; the vault's keys are not, by design.
 * - Chromium runs AES-GCM and ECDSA on the calling thread (SECURITY.md M7): bulk work
 *   goes through the injected BulkCipher, which the app backs with a Web Worker.
 */
import { EngineError, type EngineErrorCode } from '../errors';

/** Rethrows a WebCrypto failure as an EngineError with context and no input echoed. */
export function cryptoError(code: EngineErrorCode, message: string, cause: unknown): EngineError {
  return new EngineError(code, message, { cause });
}

/** Runs a WebCrypto call, mapping any failure to the given code and message. */
export async function attempt<T>(code: EngineErrorCode, message: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EngineError) throw e;
    throw cryptoError(code, message, e);
  }
}
