/**
 * Timestamp arithmetic without BigInt on the hot path. pcapng stores 64-bit counts of
 * `if_tsresol` units; nanoseconds since 1970 exceed 2^53, so the count is divided in
 * 16-bit limbs where every intermediate stays below 2^53.
 */

/** Result slots, reused: `split*` writes here instead of returning an object. */
export const tsOut = { sec: 0, nsec: 0 };

/**
 * Splits `hi * 2^32 + lo` units of 10^-`digits` s (digits 0..9) into seconds and nanoseconds.
 * The divisor is at most 1e9 < 2^30, so limbs of 16 bits keep every product below 2^46.
 */
export function splitDecimal(hi: number, lo: number, digits: number): void {
  const d = POW10[digits]!;
  const qHi = Math.floor(hi / d);
  const rHi = hi - qHi * d;
  const a = rHi * 65536 + (lo >>> 16);
  const q1 = Math.floor(a / d);
  const r1 = a - q1 * d;
  const b2 = r1 * 65536 + (lo & 0xffff);
  const q2 = Math.floor(b2 / d);
  const r2 = b2 - q2 * d;
  tsOut.sec = qHi * 4294967296 + q1 * 65536 + q2;
  tsOut.nsec = r2 * POW10[9 - digits]!;
}

/** The general case (resolutions finer than 1 ns, or binary ones): BigInt, exact. */
export function splitGeneric(hi: number, lo: number, base: 2 | 10, exp: number): void {
  const units = (BigInt(hi) << 32n) | BigInt(lo);
  const per = BigInt(base) ** BigInt(exp);
  const sec = units / per;
  const frac = units - sec * per;
  tsOut.sec = Number(sec);
  tsOut.nsec = Number((frac * 1_000_000_000n) / per);
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9] as const;

/** ISO 8601 UTC text with nanoseconds: `2024-05-01T10:20:30.123456789Z`. */
export function isoNs(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return `${sec}.${String(nsec).padStart(9, '0')}`;
  // Years past 9999 print as +YYYYYY (ISO 8601 expanded form), so cut at the dot, not at 19.
  const iso = d.toISOString();
  return `${iso.slice(0, iso.indexOf('.'))}.${String(nsec).padStart(9, '0')}Z`;
}
