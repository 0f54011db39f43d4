/**
 * The check that zustand holds plain serialisable data only (STYLE.md: never a CryptoKey
 * or key bytes in the store): every value is a primitive, an array, or an object whose
 * prototype is Object.prototype, all the way down. A CryptoKey, a Uint8Array, a Date, a
 * Map or any class instance fails, naming its path. Functions pass: a slice's actions
 * live beside its data.
 */
export function assertPlainData(value: unknown, path = 'state'): void {
  if (value === null || ['string', 'number', 'boolean', 'undefined', 'function'].includes(typeof value)) return;
  if (typeof value !== 'object') throw new Error(`${path} is a ${typeof value}, not plain data`);
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertPlainData(v, `${path}[${i}]`));
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype) {
    const name = (proto as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'null-prototype object';
    throw new Error(`${path} is a ${name}, not plain data`);
  }
  for (const [k, v] of Object.entries(value as object)) assertPlainData(v, `${path}.${k}`);
}
