/**
 * Text that came from a capture or a file name (packet comments, DCOM bindings, paths) is shown
 * to people: on a terminal, in a Markdown ticket, in a browser. A control character there is an
 * instruction, not text: ESC clears the screen or recolours it, CR overwrites a line, BEL rings,
 * C1 controls (U+0080-U+009F, U+009B is CSI) act like ESC sequences on some terminals, and
 * bidirectional overrides (U+202E) show a string in another order than it is stored, so a
 * hostile packet comment could print a forged "No problems found". Every renderer passes such
 * text through `visible` first, which writes these characters as visible escapes instead.
 */

/**
 * Characters never shown raw: controls (C0, DEL, C1), format characters (bidirectional
 * embeddings, overrides and isolates, zero-width characters, the BOM, soft hyphens, tags), the
 * line and paragraph separators, and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** `\n`, `\t`, `\r`, `\x1b`, `\x9b`, `\u202e`, `\u{e0041}`. */
function escapeOne(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  if (c === '\t') return '\\t';
  const n = c.codePointAt(0) ?? 0;
  if (n <= 0xff) return `\\x${hex(n, 2)}`;
  if (n <= 0xffff) return `\\u${hex(n, 4)}`;
  return `\\u{${n.toString(16)}}`;
}

/** `s` with every unsafe character written as a visible escape (`\x1b`, `\r`, `\u202e`); line breaks too. */
export function visible(s: string): string {
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, escapeOne) : s;
}

/** Like `visible`, but line breaks stay: for text whose lines are laid out by the renderer. */
export function visibleLines(s: string): string {
  if (!UNSAFE.test(s)) return s;
  return s.split('\n').map(visible).join('\n');
}

/** True when `s` holds a character `visible` would escape. */
export const hasUnsafe = (s: string): boolean => UNSAFE.test(s);
