/**
 * Escaping for Markdown (GitHub-flavoured, as support tickets render it). Text from captures
 * (paths, packet comments, addresses) is untrusted: it must not open links, HTML or emphasis,
 * break a table, or carry control characters (model/visible.ts shows those escaped).
 */
import { visible, visibleLines } from '../model/visible.js';
import { maxOf } from '../model/lists.js';

// Characters with inline meaning in CommonMark/GFM. `|` is left to mdCell: a pipe only matters
// inside a table row, and there it must be escaped even within code spans.
// `>` and `#` matter only at a line start (quote, heading); `<` is escaped, so no tag can form.
const INLINE = /[\\`*_[\]<~]/g;
// Line starts that open a block: list items, headings, quotes, thematic breaks, setext underlines.
// Each needs what CommonMark needs to open the block (e.g. a space after `-`), so `10.1.1.50`
// and `-> x` stay as they are.
const BLOCK_MARK = /^(\s*)(?=>|#{1,6}(?:\s|$)|[-+](?:\s|$)|[-=]+\s*$)/;
const ORDERED = /^(\s*\d{1,9})(?=[.)](?:\s|$))/;

// GFM's autolink extension turns `www.`, `scheme://` and `user@host` in plain text into links. A
// backslash before the `.`, the `:` or the `@` (all escapable ASCII punctuation) keeps the text
// and stops the match, as the extension looks at the raw characters.
const AUTOLINK = /(?<=\bwww)\.|:(?=\/\/)|@/gi;

/**
 * Text shown literally: control characters escaped visibly, inline markup escaped, `&` made
 * harmless, block starts neutralised, autolinks prevented. Line breaks stay line breaks.
 */
export function mdText(s: string): string {
  return visibleLines(s)
    .split('\n')
    .map((line) => line.replace(INLINE, '\\$&').replace(AUTOLINK, '\\$&').replaceAll('&', '&amp;').replace(BLOCK_MARK, '$1\\').replace(ORDERED, '$1\\'))
    .join('\n');
}

/**
 * A code span holding `s` literally, whatever backticks it contains (CommonMark §6.1); control
 * characters and line breaks are shown escaped (a code span cannot hold a line break anyway).
 */
export function mdCode(s: string): string {
  const flat = visible(s);
  const longest = maxOf((flat.match(/`+/g) ?? []).map((r) => r.length), 0);
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

/**
 * Text for an HTML (or inline SVG) text node or a double-quoted attribute value: control
 * characters shown escaped (visible.ts), then `& < > " '` as character references, so no
 * string from a capture or a file name can open a tag, end an attribute or form an entity.
 * Attributes are always written double-quoted; no URL attribute ever holds capture text.
 */
export function htmlEscape(s: string): string {
  return visible(s).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** Like `htmlEscape`, keeping line breaks as `<br>` (words the layout breaks on purpose). */
export function htmlLines(s: string): string {
  return visibleLines(s).split('\n').map((l) => l.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!)).join('<br>');
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV cell (RFC 4180): a number as it is; text with control characters shown escaped (so a
 * cell never holds a line break), prefixed with `'` when a spreadsheet would run it as a
 * formula, and always quoted, quotes doubled.
 */
export function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = FORMULA_START.test(v) ? `'${visible(v)}` : visible(v);
  return `"${text.replaceAll('"', '""')}"`;
}
