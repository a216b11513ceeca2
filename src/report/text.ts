/**
 * The layout (layout.ts) written for the terminal: cli-table3 tables whose cells are wrapped
 * here, paragraphs wrapped to the width without breaking a path or a display filter, headings
 * as plain lines (a file's path underlined). Fits the terminal's width (80 columns and up;
 * 100 for files and pipes): table columns are fitted to it (fit.ts) and never cut an address,
 * a time or a frame number in two; a table whose columns cannot fit becomes one field per line.
 * Severities are coloured when asked (a terminal that takes colour). Pure: blocks in, text out.
 */
import Table from 'cli-table3';
import { fileBlocks, portsBlocks, skippedBlocks, summaryBlocks, summaryRow, type Block, type Column, type Inline, type ProseLine, type SummaryRow, type Tone } from './layout.js';
import { wrapPieces, type Piece } from './wrap.js';
import { fitColumns, longestLine, longestUnit, HINT_WIDTH, MIN_WIDTH, type ColumnNeed } from './fit.js';
import { Parts, Sections, type PortsWriter, type RenderOptions, type ReportWriter, type Sink } from './writer.js';
import { visible, visibleLines } from '../model/visible.js';
import { maxOf, pushAll } from '../model/lists.js';

/** Line width when the output is not a terminal (a file, a pipe), and the layout's reference. */
export const WIDTH = HINT_WIDTH;
export { MIN_WIDTH };

const PLAIN = { head: [] as string[], border: [] as string[] };

/** ANSI SGR foreground colours per tone, and the reset to the default foreground. */
const TONE_SGR: Record<Tone, string> = { error: '\u001b[31m', warning: '\u001b[33m', info: '\u001b[36m', ok: '\u001b[32m' };
const SGR_RESET = '\u001b[39m';

/** How blocks are written. */
interface Ctx {
  width: number;
  color: boolean;
}

/**
 * Inline content as pieces to wrap; literal values stay whole unless `breakLiterals` (a table
 * cell must never cut text off). Every string passes through the sanitiser (model/visible.ts):
 * a control character from a capture or a file name is shown escaped, never sent to the
 * terminal. Words keep their line breaks (the layout's own); literal values do not.
 */
function pieces(text: readonly Inline[], breakLiterals = false, out: Piece[] = []): Piece[] {
  for (const x of text) {
    if (typeof x === 'string') out.push({ text: visibleLines(x), whole: false });
    else if ('lit' in x) out.push({ text: visible(x.lit), whole: !breakLiterals });
    else if ('code' in x) out.push({ text: `\`${visible(x.code)}\``, whole: false });
    else if ('tone' in x) out.push({ text: visible(x.text), whole: false });
    else pieces(x.strong, breakLiterals, out);
  }
  return out;
}

/** Inline content as one unwrapped line. */
export const plain = (text: readonly Inline[]): string => pieces(text).map((p) => p.text).join('');

/** The tone of content that is a single toned word (a severity cell, "No problems found"), else null. */
const soleTone = (text: readonly Inline[]): Tone | null => {
  const x = text.length === 1 ? text[0] : undefined;
  return x !== undefined && typeof x === 'object' && 'tone' in x ? x.tone : null;
};

const paint = (s: string, t: Tone | null, ctx: Ctx): string => (ctx.color && t !== null && s !== '' ? `${TONE_SGR[t]}${s}${SGR_RESET}` : s);

/** One line of inline content, unwrapped, with toned words coloured. */
function line(text: readonly Inline[], ctx: Ctx): string {
  return text.map((x) => (typeof x === 'object' && 'tone' in x ? paint(visible(x.text), x.tone, ctx) : plain([x]))).join('');
}

/** Wrapped inline content; content that is one toned word is coloured line by line. */
function wrap(text: readonly Inline[], width: number, ctx: Ctx): string[] {
  const t = soleTone(text);
  return wrapPieces(pieces(text), width).map((l) => paint(l, t, ctx));
}

/** What a column's cells (and its heading) need. */
function need(cells: readonly (readonly Inline[])[]): ColumnNeed {
  let min = 0;
  let natural = 0;
  for (const c of cells) {
    const p = pieces(c);
    min = Math.max(min, longestUnit(p));
    natural = Math.max(natural, longestLine(p));
  }
  return { min: min + 2, natural: natural + 2 };
}

/**
 * Rows cli-table3 lays out at once. Its layout checks every cell against every cell before it
 * (row spans), time quadratic in the rows: 2,640 rows of a scan summary took 4 s. With fixed
 * column widths a row's drawing does not depend on the others, so longer tables are drawn in
 * pieces and joined where the pieces' borders meet: the same text, in time linear in the rows.
 */
export const GRID_PIECE_ROWS = 100;

/**
 * A table fitted to the width, its cells wrapped here (cli-table3 would cut long words with an
 * ellipsis); one field per line when the columns cannot fit.
 */
function grid(columns: readonly Column[], showHead: boolean, rows: readonly (readonly (readonly Inline[])[])[], ctx: Ctx): string {
  const needs = columns.map((c, i) => need([...(showHead ? [[c.head]] : []), ...rows.map((r) => r[i] ?? [])]));
  const widths = fitColumns(columns.map((c) => c.width), needs, ctx.width);
  if (widths === null) return stacked(columns, rows, ctx);
  const fit = (cells: readonly (readonly Inline[])[]): string[] =>
    cells.map((c, i) => {
      const t = soleTone(c);
      return wrapPieces(pieces(c, true), (widths[i] ?? 12) - 2).map((l) => paint(l, t, ctx)).join('\n');
    });
  const draw = (withHead: boolean, part: readonly (readonly (readonly Inline[])[])[]): string => {
    const t = new Table({ style: PLAIN, colWidths: widths, ...(withHead ? { head: fit(columns.map((c) => [c.head])) } : {}) });
    for (const r of part) t.push(fit(r));
    return t.toString();
  };
  if (rows.length <= GRID_PIECE_ROWS) return draw(showHead, rows);
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += GRID_PIECE_ROWS) {
    const lines = draw(i === 0 && showHead, rows.slice(i, i + GRID_PIECE_ROWS)).split('\n');
    // A later piece's top border becomes the separator between rows; an earlier piece's bottom border goes.
    if (i > 0) lines[0] = lines[0]!.replace('┌', '├').replaceAll('┬', '┼').replace('┐', '┤');
    if (i + GRID_PIECE_ROWS < rows.length) lines.pop();
    pushAll(out, lines);
  }
  return out.join('\n');
}

/**
 * Rows too wide for the terminal as a table: one field per line, `Heading  value`, values
 * wrapped under each other; a literal value too long for the width gets a line of its own.
 */
function stacked(columns: readonly Column[], rows: readonly (readonly (readonly Inline[])[])[], ctx: Ctx): string {
  const label = Math.min(22, maxOf(columns.map((c) => c.head.length)) + 2);
  const rule = '-'.repeat(Math.min(ctx.width, 40));
  return rows.map((r) => columns.flatMap((c, i) => {
    const value = wrap(r[i] ?? [], ctx.width - label, ctx);
    // A value wider than its place (a long path) goes under its heading, unindented, whole.
    if (value.some((l) => shown(l) > ctx.width - label)) return [c.head, ...value];
    const head = c.head.length + 2 <= label ? [c.head.padEnd(label) + (value[0] ?? '')] : [c.head, `${' '.repeat(label)}${value[0] ?? ''}`];
    return [...head, ...value.slice(1).map((l) => ' '.repeat(label) + l)].map((l) => l.trimEnd());
  }).join('\n')).join(`\n${rule}\n`);
}

/** `items` numbered (`1.`) or bulleted (`-`), each wrapped with a hanging indent, under a two-space indent. */
function list(items: readonly (readonly Inline[])[], ordered: boolean, ctx: Ctx): string {
  const indent = '  ';
  const w = ordered ? String(items.length).length + 2 : 2;
  return items.map((item, i) => {
    const [first = '', ...rest] = wrap(item, ctx.width - indent.length - w, ctx);
    const label = ordered ? `${i + 1}.`.padEnd(w) : '- ';
    return [`${indent}${label}${first}`, ...rest.map((l) => `${indent}${' '.repeat(w)}${l}`)].join('\n');
  }).join('\n');
}

function proseLine(l: ProseLine, ctx: Ctx): string[] {
  switch (l.kind) {
    case 'blank': return [''];
    case 'command': return [`  ${visible(l.text)}`];
    case 'item': {
      const [first = '', ...rest] = wrap(l.text, ctx.width - 2, ctx);
      return [`- ${first}`, ...rest.map((x) => `  ${x}`)];
    }
    case 'text': return wrap(l.text, ctx.width, ctx);
  }
}

/** Indents every non-empty line of `text`. */
const indented = (text: string, indent: string): string => text.split('\n').map((l) => (l === '' ? l : indent + l)).join('\n');

/** Visible length of a line that may hold colour codes. */
const shown = (s: string): number => s.replace(/\u001b\[\d+m/g, '').length;

const KEY_VALUE: Column[] = [{ head: '', width: 22 }, { head: '', width: 56 }];

function blockText(b: Block, ctx: Ctx): string {
  switch (b.kind) {
    case 'heading': {
      const t = plain(b.text);
      return b.level <= 2 ? `${t}\n${'='.repeat(Math.min(ctx.width, Math.max(3, t.length)))}` : t;
    }
    case 'paragraph': return wrap(b.text, ctx.width, ctx).join('\n');
    case 'list': return list(b.items, b.ordered, ctx);
    case 'table': return grid(b.columns, true, b.rows, ctx);
    case 'keyValue': return grid(KEY_VALUE, false, b.rows.map(([k, v]) => [k, v]), ctx);
    case 'prose': return b.lines.flatMap((l) => proseLine(l, ctx)).join('\n');
    case 'group': return b.blocks.map((x) => blockText(x, ctx)).filter((t) => t !== '').join('\n');
    case 'figure': return '';
    case 'entry': {
      const pad = ' '.repeat(Math.max(3, b.label.length + 1));
      const head = `${b.label.padEnd(pad.length)}${line(b.head, ctx)}`;
      const aside = b.aside === null ? '' : plain(b.aside.text);
      const inner = { ...ctx, width: ctx.width - pad.length };
      const first = aside === '' ? [head] : shown(head) + 2 + aside.length <= ctx.width ? [`${head}  ${aside}`] : [head, ...wrap(b.aside!.text, inner.width, ctx).map((l) => pad + l)];
      const [lead, ...rest] = b.body.map((x) => indented(blockText(x, inner), pad)).filter((t) => t !== '');
      return [[...first, ...(lead !== undefined ? [lead] : [])].join('\n'), ...rest].join('\n\n');
    }
  }
}

const ctxOf = (opts: RenderOptions = {}): Ctx => ({ width: Math.max(MIN_WIDTH, opts.width ?? WIDTH), color: opts.color === true });

/** One block as lines of at most `width` columns (where words allow). */
export function renderBlock(b: Block, opts: RenderOptions = {}): string {
  return blockText(b, ctxOf(opts));
}

/** Blocks separated by blank lines. */
export function blocksText(blocks: readonly Block[], opts: RenderOptions = {}): string {
  const ctx = ctxOf(opts);
  return blocks.map((b) => blockText(b, ctx)).filter((t) => t !== '').join('\n\n');
}

/**
 * `analyze` for the terminal. One file: its report as soon as it is done. Several files (a
 * spool given): the summary first, naming every file's findings, then each file's report.
 */
export function tableWriter(out: Sink, _meta?: unknown, opts: RenderOptions = {}): ReportWriter {
  const s = new Sections(out, opts.spool);
  const rows: SummaryRow[] = [];
  return {
    file(f) {
      s.file(blocksText(fileBlocks(f), opts));
      rows.push(summaryRow(f));
    },
    end(skipped) {
      s.finish(rows.length > 1 ? summaryBlocks(rows).map((b) => renderBlock(b, opts)) : [], skippedBlocks(skipped).map((b) => renderBlock(b, opts)));
    },
  };
}

/** `ports` for the terminal. */
export function portsTableWriter(out: Sink, _meta?: unknown, opts: RenderOptions = {}): PortsWriter {
  const parts = new Parts(out);
  return { file: (f) => parts.part(blocksText(portsBlocks(f), opts)), end: () => parts.end() };
}
