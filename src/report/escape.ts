/**
 * Escaping for Markdown (GitHub-flavoured, as support tickets render it). Text from captures
 * (paths, packet comments, addresses) is untrusted: it must not open links, HTML or emphasis.
 */

// Characters with inline meaning in CommonMark/GFM. `|` is left to mdCell: a pipe only matters
// inside a table row, and there it must be escaped even within code spans.
// `>` and `#` matter only at a line start (quote, heading); `<` is escaped, so no tag can form.
const INLINE = /[\\`*_[\]<~]/g;
// Line starts that open a block: list items, headings, quotes, thematic breaks, setext underlines.
// Each needs what CommonMark needs to open the block (e.g. a space after `-`), so `10.1.1.50`
// and `-> x` stay as they are.
const BLOCK_MARK = /^(\s*)(?=>|#{1,6}(?:\s|$)|[-+](?:\s|$)|[-=]+\s*$)/;
const ORDERED = /^(\s*\d{1,9})(?=[.)](?:\s|$))/;

/** Text shown literally: inline markup escaped, `&` made harmless, block starts neutralised. */
export function mdText(s: string): string {
  return s
    .split('\n')
    .map((line) => line.replace(INLINE, '\\$&').replaceAll('&', '&amp;').replace(BLOCK_MARK, '$1\\').replace(ORDERED, '$1\\'))
    .join('\n');
}

/** A code span holding `s` literally, whatever backticks it contains (CommonMark §6.1). */
export function mdCode(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Inline Markdown made fit for a table cell: pipes escaped (also inside code spans), line breaks as `<br>`. */
export function mdCell(inline: string): string {
  const s = inline.replaceAll('|', '\\|').replace(/\r?\n/g, '<br>');
  return s === '' ? ' ' : s;
}

/** A GFM table; `rows` hold inline Markdown, escaped for cells here. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}

// C0 and C1 control characters and DEL, the line and paragraph separators, and the bidirectional
// overrides and isolates (which reorder what a terminal shows: "Trojan Source").
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from a file name or a capture made inert for a terminal: every control character is
 * written as an escape (`\x1b`, `\u202e`), so no escape sequence reaches the terminal and no
 * line is broken or reordered. Backslashes are left as they are (Windows paths stay readable).
 */
export function inert(s: string): string {
  return s.replace(CONTROL, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): a number as it is; text inert (control characters escaped, so a cell
 * never holds a line break), prefixed with `'` when a spreadsheet would run it as a formula, and
 * always quoted, quotes doubled.
 */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = FORMULA_START.test(v) ? `'${inert(v)}` : inert(v);
  return `"${text.replaceAll('"', '""')}"`;
}
