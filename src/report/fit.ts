/**
 * Column widths for a terminal table of a given width. The layout gives each column a width
 * for 100 columns (`Column.width`); this fits them to the terminal actually used, from what the
 * cells hold: no column narrower than its longest unbreakable value (an address, a timestamp,
 * a path, a frame list), columns shrunk first where they have room they do not use, grown past
 * 100 columns only towards what their text needs. When even the narrowest columns do not fit,
 * there is no table: the caller lays the rows out one field per line.
 */
import type { Piece } from './wrap.js';
import { maxOf } from '../model/lists.js';

/** The width the layout's column hints are written for, and the width of files and pipes. */
export const HINT_WIDTH = 100;
/** The narrowest width laid out as such; a narrower terminal gets this and wraps. */
export const MIN_WIDTH = 60;

/** What a column's cells need: the longest unbreakable unit and the longest line, padding included. */
export interface ColumnNeed {
  min: number;
  natural: number;
}

/**
 * Units that must not be broken, as the wrapper forms words: literal values whole, words with a
 * digit whole (addresses, ports, times, frame numbers), other words at their hyphens
 * (`answered-not-` / `completed`).
 */
export function longestUnit(pieces: readonly Piece[]): number {
  let best = 0;
  let word = '';
  let whole = false;
  const end = (): void => {
    if (word === '') return;
    const n = whole || /\d/.test(word) ? word.length : maxOf(word.split(/(?<=-)/).map((p) => p.length));
    if (n > best) best = n;
    word = '';
    whole = false;
  };
  for (const p of pieces) {
    if (p.whole) { word += p.text; whole = true; continue; }
    for (const m of p.text.matchAll(/[^ \n]+|[ \n]/g)) {
      if (m[0] === ' ' || m[0] === '\n') end();
      else word += m[0];
    }
  }
  end();
  return best;
}

/** The longest line of the pieces' text, unwrapped. */
export function longestLine(pieces: readonly Piece[]): number {
  return maxOf(pieces.map((p) => p.text).join('').split('\n').map((l) => l.length), 0);
}

/**
 * Widths (padding included, borders not) for `hints` on a terminal of `width` columns, or null
 * when the columns cannot fit without breaking a unit. At 100 columns the hints stand unless a
 * column is narrower than its longest unit.
 */
export function fitColumns(hints: readonly number[], needs: readonly ColumnNeed[], width: number): number[] | null {
  const n = hints.length;
  const borders = n + 1;
  const w = hints.map((h, i) => Math.max(h, needs[i]!.min));
  const total = (): number => w.reduce((a, b) => a + b, 0) + borders;
  // Too wide: take first what columns hold but do not use, then what they could give up.
  let over = total() - width;
  const floor = (i: number, unused: boolean): number => (unused ? Math.max(needs[i]!.natural, needs[i]!.min) : needs[i]!.min);
  for (const unused of [true, false]) {
    while (over > 0) {
      let pick = -1;
      for (let i = 0; i < n; i++) if (w[i]! > floor(i, unused) && (pick < 0 || w[i]! - floor(i, unused) > w[pick]! - floor(pick, unused))) pick = i;
      if (pick < 0) break;
      w[pick]!--;
      over--;
    }
  }
  if (over > 0) return null;
  // Wider than the hints' width: grow the columns whose text wants it, the most wanting first.
  let spare = width > HINT_WIDTH ? width - total() : 0;
  while (spare > 0) {
    let pick = -1;
    for (let i = 0; i < n; i++) if (needs[i]!.natural > w[i]! && (pick < 0 || needs[i]!.natural - w[i]! > needs[pick]!.natural - w[pick]!)) pick = i;
    if (pick < 0) break;
    w[pick]!++;
    spare--;
  }
  return w;
}
