/**
 * The layout (layout.ts) written as GitHub-flavoured Markdown, fit to paste into a support
 * ticket. Pure: blocks in, text out. Everything from a capture is escaped (escape.ts): literal
 * values become code spans, words are escaped so they open no link, HTML or emphasis.
 */
import { documentHead, fileBlocks, portsBlocks, skippedBlocks, summaryBlocks, summaryRow, type Block, type Inline, type ProseLine, type SummaryRow } from './layout.js';
import { mdCode, mdTable, mdText } from './escape.js';
import { Parts, Sections, type DocumentMeta, type PortsWriter, type RenderOptions, type ReportWriter, type Sink } from './writer.js';
import { maxOf, pushAll } from '../model/lists.js';

/** Inline content as Markdown. */
export function mdInline(text: readonly Inline[]): string {
  return text.map((x) => (typeof x === 'string' ? mdText(x) : 'lit' in x ? mdCode(x.lit) : 'code' in x ? mdCode(x.code) : 'tone' in x ? mdText(x.text) : `**${mdInline(x.strong)}**`)).join('');
}

/** Catalog prose: text lines as paragraphs, `- ` lines as list items, runs of commands as a fenced block. */
function prose(lines: readonly ProseLine[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.kind === 'command') {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.kind === 'command') block.push((lines[i++] as { text: string }).text);
      i--;
      const fence = '`'.repeat(maxOf(block.map((b) => (b.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length + 1), 0)), 3));
      out.push('', `${fence}text`);
      pushAll(out, block);
      out.push(fence, '');
    } else if (l.kind === 'item') {
      out.push(`- ${mdInline(l.text)}`);
    } else if (l.kind === 'blank') {
      out.push('');
    } else {
      out.push('', mdInline(l.text), '');
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** One block as Markdown. */
export function blockMarkdown(b: Block): string {
  switch (b.kind) {
    case 'heading': return `${'#'.repeat(b.level)} ${mdInline(b.text)}`;
    case 'paragraph': return mdInline(b.text);
    case 'list': return b.items.map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${mdInline(item)}`).join('\n');
    case 'table': return mdTable(b.columns.map((c) => c.head), b.rows.map((r) => r.map(mdInline)));
    case 'keyValue': return mdTable(['', ''], b.rows.map(([k, v]) => [mdInline(k), mdInline(v)]));
    case 'prose': return prose(b.lines);
    case 'group': return blocksMarkdown(b.blocks);
    case 'figure': return '';
    case 'entry': {
      // The label is the layout's own numbering (`1.`), never text from a capture.
      const [lead, ...rest] = b.body.map(blockMarkdown).filter((t) => t !== '');
      const aside = b.aside === null ? [] : [`${mdText(b.aside.label)}${mdInline(b.aside.text)}`];
      return [`#### ${b.label} ${mdInline(b.head)}`, ...(lead !== undefined ? [lead] : []), ...aside, ...rest].join('\n\n');
    }
  }
}

/** Blocks separated by blank lines. */
export function blocksMarkdown(blocks: readonly Block[]): string {
  return blocks.map(blockMarkdown).filter((t) => t !== '').join('\n\n');
}

/**
 * `analyze --format md`: the document head, then each file as it comes; with several files (a
 * spool given) the summary of all of them first, then each file; the files skipped last.
 */
export function markdownWriter(out: Sink, meta: DocumentMeta, opts: RenderOptions = {}): ReportWriter {
  const s = new Sections(out, opts.spool);
  const rows: SummaryRow[] = [];
  for (const b of documentHead(meta.tool, meta.schemaVersion)) s.head(blockMarkdown(b));
  return {
    file(f) {
      s.file(blocksMarkdown(fileBlocks(f)));
      rows.push(summaryRow(f));
    },
    end(skipped) {
      s.finish(rows.length > 1 ? summaryBlocks(rows).map(blockMarkdown) : [], skippedBlocks(skipped).map(blockMarkdown));
    },
  };
}

/** `ports --format md`. */
export function portsMarkdownWriter(out: Sink): PortsWriter {
  const parts = new Parts(out);
  parts.part('# rpctrace ports');
  return { file: (f) => parts.part(blocksMarkdown(portsBlocks(f))), end: () => parts.end() };
}
