/** Helpers for state kept as typed-array columns (struct of arrays) indexed by conversation. */

type Column = Uint32Array | Float64Array | Uint16Array | Uint8Array;

/** A copy of `a` with room for `len` entries (the new ones zero). */
export function grown<T extends Column>(a: T, len: number): T {
  const b = new (a.constructor as new (n: number) => T)(len);
  b.set(a);
  return b;
}
