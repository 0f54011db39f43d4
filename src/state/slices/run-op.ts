/**
 * The one way slices run an engine call as a named operation: the op goes busy, then
 * done or error, and the view gets a `Result` with the error as plain data (code and
 * message, never a thrown object in state).
 */
import { toErrorInfo } from '../../engine';
import type { OpStatus, Result } from '../types';

export async function runOp<T>(setOp: (name: string, op: OpStatus) => void, name: string, f: () => Promise<T> | T): Promise<Result<T>> {
  setOp(name, { status: 'busy' });
  try {
    const value = await f();
    setOp(name, { status: 'done' });
    return { ok: true, value };
  } catch (e) {
    const error = toErrorInfo(e);
    setOp(name, { status: 'error', error });
    return { ok: false, error };
  }
}
