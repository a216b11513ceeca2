/** Plain-text layout helpers shared by the terminal renderers: word wrapping and catalog text. */

/** Text to wrap: `whole` pieces (a path, a display filter) are never broken inside. */
export interface Piece {
  text: string;
  whole: boolean;
}

/**
 * Splits the pieces into lines of at most `width` characters: at spaces where possible, then
 * after hyphens, inside a word only when nothing else fits. A word that holds a whole piece is
 * never broken: it gets a line of its own, longer than `width` if it must. Line breaks in
 * breakable text are kept; runs of spaces count as one.
 */
import { pushAll } from '../model/lists.js';
export function wrapPieces(pieces: readonly Piece[], width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  let line = '';
  let word = '';
  let whole = false;
  const add = (piece: string, sep: string): void => {
    if (line !== '' && line.length + sep.length + piece.length <= w) { line += sep + piece; return; }
    if (line !== '') out.push(line);
    let rest = piece;
    while (!whole && rest.length > w) { out.push(rest.slice(0, w)); rest = rest.slice(w); }
    line = rest;
  };
  const flush = (): void => {
    if (word === '') return;
    // A word too long for the width breaks after its hyphens first (`answered-not-completed`).
    const parts = !whole && word.length > w ? word.split(/(?<=-)/) : [word];
    parts.forEach((p, i) => add(p, i === 0 ? ' ' : ''));
    word = '';
    whole = false;
  };
  for (const p of pieces) {
    if (p.whole) { word += p.text; whole = true; continue; }
    // Runs of other characters, each space or line break on its own (no string per character).
    for (const m of p.text.matchAll(/[^ \n]+|[ \n]/g)) {
      const t = m[0];
      if (t === ' ') flush();
      else if (t === '\n') { flush(); out.push(line); line = ''; }
      else word += t;
    }
  }
  flush();
  out.push(line);
  return out;
}

/**
 * Splits `text` into lines of at most `width` characters: at spaces where possible, then after
 * hyphens, inside a word only when nothing else fits. Existing line breaks are kept.
 */
export function wrapLines(text: string, width: number): string[] {
  return wrapPieces([{ text, whole: false }], width);
}

/**
 * Lays out catalog-style text (see model/finding-catalog.ts): `- ` items get a hanging indent,
 * lines starting with two spaces are commands and stay as they are, blank lines stay.
 */
export function layoutText(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') out.push('');
    else if (line.startsWith('  ')) out.push(`${indent}${line}`);
    else if (line.startsWith('- ')) {
      const [first = '', ...rest] = wrapLines(line.slice(2), width - indent.length - 2);
      out.push(`${indent}- ${first}`);
      pushAll(out, rest.map((l) => `${indent}  ${l}`));
    } else pushAll(out, wrapLines(line, width - indent.length).map((l) => `${indent}${l}`));
  }
  return out.join('\n');
}

/** A numbered list, each item wrapped with a hanging indent. */
export function numbered(items: readonly string[], width: number, indent = ''): string {
  const w = String(items.length).length + 2;
  return items
    .map((item, i) => {
      const [first = '', ...rest] = wrapLines(item, width - indent.length - w);
      const pad = ' '.repeat(w);
      return [`${indent}${`${i + 1}.`.padEnd(w)}${first}`, ...rest.map((l) => `${indent}${pad}${l}`)].join('\n');
    })
    .join('\n');
}
