/** Boundary checks in the noble style: each throws INVALID_ARGUMENT naming the argument. */
import { EngineError } from '../errors';

export function assertBytes(x: unknown, name: string, len?: number): asserts x is Uint8Array {
  if (!(x instanceof Uint8Array)) throw new EngineError('INVALID_ARGUMENT', `clavis: ${name} must be bytes`);
  if (len !== undefined && x.length !== len) {
    throw new EngineError('INVALID_ARGUMENT', `clavis: ${name} must be ${len} bytes, got ${x.length}`);
  }
}

export function assertString(x: unknown, name: string, opts: { min?: number; max?: number } = {}): asserts x is string {
  if (typeof x !== 'string') throw new EngineError('INVALID_ARGUMENT', `clavis: ${name} must be text`);
  const { min = 0, max = Infinity } = opts;
  if (x.length < min) throw new EngineError('INVALID_ARGUMENT', `clavis: ${name} must not be empty`);
  if (x.length > max) throw new EngineError('INVALID_ARGUMENT', `clavis: ${name} is longer than ${max} characters`);
}
