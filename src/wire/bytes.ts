/**
 * The only module that indexes raw frame bytes. Callers prove the range first (a view's
 * `wrap()` or a reader's length check); the `!` on each read records that proof.
 */

/** Shared empty buffer for views that have not been aimed yet. */
export const EMPTY = new Uint8Array(0);

/** Unsigned 8-bit value at `o`. */
export const u8 = (b: Uint8Array, o: number): number => b[o]!;

/** Big-endian (network order) unsigned 16-bit value at `o`. */
export const u16be = (b: Uint8Array, o: number): number => (b[o]! << 8) | b[o + 1]!;

/** Little-endian unsigned 16-bit value at `o`. */
export const u16le = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);

/** Big-endian unsigned 32-bit value at `o`. */
export const u32be = (b: Uint8Array, o: number): number =>
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** Little-endian unsigned 32-bit value at `o`. */
export const u32le = (b: Uint8Array, o: number): number =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** Unsigned 16-bit value at `o` in the byte order given by `le`. */
export const u16 = (b: Uint8Array, o: number, le: boolean): number => (le ? u16le(b, o) : u16be(b, o));

/** Unsigned 32-bit value at `o` in the byte order given by `le`. */
export const u32 = (b: Uint8Array, o: number, le: boolean): number => (le ? u32le(b, o) : u32be(b, o));

/** Dotted-quad text of the IPv4 address at `o`. Allocates: call on rare events only. */
export function ipv4Text(b: Uint8Array, o: number): string {
  return `${b[o]!}.${b[o + 1]!}.${b[o + 2]!}.${b[o + 3]!}`;
}

/** RFC 5952 text of the IPv6 address at `o` (lower case, longest zero run compressed). */
export function ipv6Text(b: Uint8Array, o: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(u16be(b, o + 2 * i));
  // IPv4-mapped (::ffff:a.b.c.d) is printed with its dotted tail, as Wireshark does.
  if (w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff) {
    return `::ffff:${ipv4Text(b, o + 12)}`;
  }
  let bestAt = -1;
  let bestLen = 1; // RFC 5952 §4.2.2: a single zero field is not compressed
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (x: number): string => x.toString(16);
  if (bestAt < 0) return w.map(hex).join(':');
  const head = w.slice(0, bestAt).map(hex).join(':');
  const tail = w.slice(bestAt + bestLen).map(hex).join(':');
  return `${head}::${tail}`;
}

/**
 * Copies `from[start, end)` to `to` at `at`, byte by byte: for the short copies of the per-packet
 * path, where a `subarray` for `set` would be an object per packet.
 */
export function copyBytes(from: Uint8Array, start: number, end: number, to: Uint8Array, at: number): void {
  const d = at - start;
  for (let i = start; i < end; i++) to[d + i] = from[i]!;
}

/** Lower-case hex of `len` bytes at `o`, no separators. Allocates. */
export function hexText(b: Uint8Array, o: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += b[o + i]!.toString(16).padStart(2, '0');
  return s;
}
