/**
 * Helpers for lists of any length. Spreading a list into a call (`out.push(...list)`,
 * `Math.max(...list)`) puts every element on the stack and throws "Maximum call stack size
 * exceeded" at about 100,000 elements; a capture decides how long these lists are, so the code
 * loops instead (test/unit/model/lists.test.ts also checks that src/ spreads into no such call).
 */

/** Appends every element of `items` to `out`; returns `out`. */
export function pushAll<T>(out: T[], items: Iterable<T>): T[] {
  for (const x of items) out.push(x);
  return out;
}

/** The largest of `xs` and `floor` (`floor` for an empty list). */
export function maxOf(xs: Iterable<number>, floor = Number.NEGATIVE_INFINITY): number {
  let m = floor;
  for (const x of xs) if (x > m) m = x;
  return m;
}

/** The smallest of `xs` and `ceiling` (`ceiling` for an empty list). */
export function minOf(xs: Iterable<number>, ceiling = Number.POSITIVE_INFINITY): number {
  let m = ceiling;
  for (const x of xs) if (x < m) m = x;
  return m;
}
