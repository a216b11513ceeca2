/**
 * The layout (layout.ts) written for the terminal: cli-table3 tables whose cells are wrapped
 * here, paragraphs wrapped to the width without breaking a path or a display filter, headings
 * as plain lines (a file's path underlined). Pure: blocks in, text out.
 */
import Table from 'cli-table3';
import { fileBlocks, portsBlocks, skippedBlocks, summaryBlocks, summaryRow, type Block, type Inline, type ProseLine, type SummaryRow } from './layout.js';
import { wrapPieces, type Piece } from './wrap.js';
import { Parts, type PortsWriter, type ReportWriter, type Sink } from './writer.js';
import { visible, visibleLines } from '../model/visible.js';

/** Line width the layout aims at. */
export const WIDTH = 100;

const PLAIN = { head: [] as string[], border: [] as string[] };

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
    else pieces(x.strong, breakLiterals, out);
  }
  return out;
}

/** Inline content as one unwrapped line. */
export const plain = (text: readonly Inline[]): string => pieces(text).map((p) => p.text).join('');

const wrap = (text: readonly Inline[], width: number): string[] => wrapPieces(pieces(text), width);

/** A table whose cells are wrapped here (cli-table3 would cut long words with an ellipsis). */
function grid(head: readonly string[] | null, widths: readonly number[], rows: readonly (readonly (readonly Inline[])[])[]): string {
  const fit = (cells: readonly (readonly Inline[])[]): string[] => cells.map((c, i) => wrapPieces(pieces(c, true), (widths[i] ?? 12) - 2).join('\n'));
  const t = new Table({ style: PLAIN, colWidths: [...widths], ...(head !== null ? { head: fit(head.map((h) => [h])) } : {}) });
  for (const r of rows) t.push(fit(r));
  return t.toString();
}

/** `items` numbered (`1.`) or bulleted (`-`), each wrapped with a hanging indent, under a two-space indent. */
function list(items: readonly (readonly Inline[])[], ordered: boolean, width: number): string {
  const indent = '  ';
  const w = ordered ? String(items.length).length + 2 : 2;
  return items.map((item, i) => {
    const [first = '', ...rest] = wrap(item, width - indent.length - w);
    const label = ordered ? `${i + 1}.`.padEnd(w) : '- ';
    return [`${indent}${label}${first}`, ...rest.map((l) => `${indent}${' '.repeat(w)}${l}`)].join('\n');
  }).join('\n');
}

function proseLine(l: ProseLine, width: number): string[] {
  switch (l.kind) {
    case 'blank': return [''];
    case 'command': return [`  ${l.text}`];
    case 'item': {
      const [first = '', ...rest] = wrap(l.text, width - 2);
      return [`- ${first}`, ...rest.map((x) => `  ${x}`)];
    }
    case 'text': return wrap(l.text, width);
  }
}

/** Indents every non-empty line of `text`. */
const indented = (text: string, indent: string): string => text.split('\n').map((l) => (l === '' ? l : indent + l)).join('\n');

/** One block as lines of at most `width` columns (where words allow). */
export function blockText(b: Block, width = WIDTH): string {
  switch (b.kind) {
    case 'heading': {
      const t = plain(b.text);
      return b.level <= 2 ? `${t}\n${'='.repeat(Math.min(WIDTH, Math.max(3, t.length)))}` : t;
    }
    case 'paragraph': return wrap(b.text, width).join('\n');
    case 'list': return list(b.items, b.ordered, width);
    case 'table': return grid(b.columns.map((c) => c.head), b.columns.map((c) => c.width), b.rows);
    case 'keyValue': return grid(null, [22, 56], b.rows.map(([k, v]) => [k, v]));
    case 'prose': return b.lines.flatMap((l) => proseLine(l, width)).join('\n');
    case 'group': return b.blocks.map((x) => blockText(x, width)).join('\n');
    case 'entry': {
      const pad = ' '.repeat(Math.max(3, b.label.length + 1));
      const head = `${b.label.padEnd(pad.length)}${plain(b.head)}`;
      const aside = b.aside === null ? '' : plain(b.aside.text);
      const first = aside === '' ? [head] : head.length + 2 + aside.length <= width ? [`${head}  ${aside}`] : [head, ...wrap(b.aside!.text, width - pad.length).map((l) => pad + l)];
      const [lead, ...rest] = b.body.map((x) => indented(blockText(x, width - pad.length), pad));
      return [[...first, ...(lead !== undefined ? [lead] : [])].join('\n'), ...rest].join('\n\n');
    }
  }
}

/** Blocks separated by blank lines. */
export function blocksText(blocks: readonly Block[], width = WIDTH): string {
  return blocks.map((b) => blockText(b, width)).join('\n\n');
}

/** `analyze` for the terminal: each file's report as it comes, then the summary of several files and the files skipped. */
export function tableWriter(out: Sink): ReportWriter {
  const parts = new Parts(out);
  const rows: SummaryRow[] = [];
  return {
    file(f) {
      parts.part(blocksText(fileBlocks(f)));
      rows.push(summaryRow(f));
    },
    end(skipped) {
      for (const b of [...(rows.length > 1 ? summaryBlocks(rows) : []), ...skippedBlocks(skipped)]) parts.part(blockText(b));
      parts.end();
    },
  };
}

/** `ports` for the terminal. */
export function portsTableWriter(out: Sink): PortsWriter {
  const parts = new Parts(out);
  return { file: (f) => parts.part(blocksText(portsBlocks(f))), end: () => parts.end() };
}
