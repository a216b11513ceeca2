/**
 * The layout (layout.ts) written as one self-contained HTML file for a support ticket: no
 * script, no external font, style sheet or image (a Content-Security-Policy meta forbids them;
 * the one style sheet is allowed by its hash), readable offline and printable. A header (files,
 * capture span, tool version, settings), the summary of several files, then each file with
 * its verdicts first in severity colours, each finding with its explanation, steps, evidence
 * frames, a copyable Wireshark filter and an SVG timeline (svg.ts), and a picture of the ports
 * against the expected range. Every string from a capture or a file name is escaped for where
 * it goes (escape.ts). Pure: blocks in, text out.
 */
import { createHash } from 'node:crypto';
import { documentHead, fileBlocks, portsBlocks, skippedBlocks, summaryBlocks, summaryRow, type Block, type Inline, type ProseLine, type SummaryRow } from './layout.js';
import { htmlEscape as esc, htmlLines } from './escape.js';
import { figureHtml } from './svg.js';
import { Parts, Sections, type DocumentMeta, type PortsWriter, type RenderOptions, type ReportWriter, type Sink } from './writer.js';
import type { FileReport } from '../model/report.js';

/** The page's only style sheet; the CSP names its hash. Classes only: no inline style anywhere. */
export const STYLE = `
:root{--error:#b00020;--warning:#8a5300;--info:#0b57a4;--ok:#1b7f3b;--line:#c9ced6;--soft:#f3f5f8;--text:#1d2330}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--text);margin:0 auto;max-width:1100px;padding:1.5rem}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.3rem;margin:2rem 0 .5rem;padding-top:.5rem;border-top:3px solid var(--text);overflow-wrap:anywhere}
h3{font-size:1.1rem;margin:1.5rem 0 .4rem}h4{font-size:1rem;margin:0 0 .4rem}
code,pre{font-family:ui-monospace,"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace;font-size:.9em}
code{background:var(--soft);padding:0 .2em;border-radius:3px;overflow-wrap:anywhere;user-select:all}
pre{background:var(--soft);padding:.5rem .7rem;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}
table{border-collapse:collapse;margin:.4rem 0;width:100%}th,td{border:1px solid var(--line);padding:.25rem .45rem;text-align:left;vertical-align:top}td{overflow-wrap:anywhere}
th{background:var(--soft)}table.kv th{width:14rem}
header dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0}header dt{font-weight:600}header dd{margin:0}
.tone-error{color:var(--error);font-weight:700}.tone-warning{color:var(--warning);font-weight:700}.tone-info{color:var(--info);font-weight:600}.tone-ok{color:var(--ok);font-weight:700}
section.finding{border:1px solid var(--line);border-left:6px solid var(--info);border-radius:4px;padding:.7rem 1rem;margin:.8rem 0;break-inside:avoid}
section.finding.sev-error{border-left-color:var(--error)}section.finding.sev-warning{border-left-color:var(--warning)}
.aside{color:#4a5160;margin:.2rem 0}
figure{margin:.6rem 0}figure svg{max-width:100%;height:auto;display:block}figcaption{font-size:.85em;color:#4a5160}
svg text{font:11px ui-monospace,Consolas,monospace;fill:var(--text)}svg text.axis{fill:#5b6270}
svg line.axis{stroke:var(--text);stroke-width:1}svg line.grid{stroke:var(--line);stroke-width:1}
.mark line,.mark path{stroke-width:2;fill:none}.mark circle{stroke-width:2}
.mark.syn line{stroke:#3056a8}.mark.retx line{stroke:var(--error)}.mark.retx circle{fill:var(--error)}
.mark.synack path{fill:var(--ok)}.mark.rst path{stroke:var(--error);stroke-width:2.5}.mark.icmp path{fill:#7b2d9b}
.mark.answer circle{fill:#fff;stroke:var(--info)}.mark.request circle{fill:#fff;stroke:#888}.mark.other line{stroke:#666}
.mark.heartbeat rect{fill:var(--ok)}.gap rect{fill:#f6d6da}.key.heartbeat::before{background:var(--ok)}
.key::before{content:"";display:inline-block;width:.7em;height:.7em;margin:0 .25em 0 .4em;border-radius:2px;background:#888}
.key.syn::before{background:#3056a8}.key.retx::before,.key.rst::before,.key.bad::before{background:var(--error)}.key.synack::before,.key.good::before{background:var(--ok)}
.key.icmp::before{background:#7b2d9b}.key.answer::before{background:var(--info)}.key.mixed::before{background:var(--warning)}.key.unknown::before{background:#9aa0aa}
rect.expected{fill:#e3efe5;stroke:#9cc5a6}.port line{stroke-width:2}.port path{fill:var(--info)}
.port.good line{stroke:var(--ok)}.port.bad line{stroke:var(--error)}.port.mixed line{stroke:var(--warning)}.port.unknown line{stroke:#9aa0aa}
text.portlabel.bad{fill:var(--error)}
footer{margin-top:2rem;color:#5b6270;font-size:.85em}
@media print{body{font-size:10.5pt;max-width:none;padding:0}h2{break-before:page}h2:first-of-type{break-before:auto}section.finding,figure,table{break-inside:avoid}code{user-select:auto}}
`.trim();

/** `default-src 'none'`: no script, no fetch, no font, no image; the style sheet by hash. */
export const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

/** Inline content as HTML. */
export function htmlInline(text: readonly Inline[]): string {
  return text.map((x) => {
    if (typeof x === 'string') return htmlLines(x);
    if ('lit' in x) return `<code>${esc(x.lit)}</code>`;
    if ('code' in x) return `<code>${esc(x.code)}</code>`;
    if ('tone' in x) return `<span class="tone-${x.tone}">${esc(x.text)}</span>`;
    return `<strong>${htmlInline(x.strong)}</strong>`;
  }).join('');
}

function prose(lines: readonly ProseLine[]): string {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.kind === 'command') {
      const cmds: string[] = [];
      while (i < lines.length && lines[i]!.kind === 'command') cmds.push(esc((lines[i++] as { text: string }).text));
      i--;
      out.push(`<pre>${cmds.join('\n')}</pre>`);
    } else if (l.kind === 'item') {
      const items: string[] = [];
      while (i < lines.length && lines[i]!.kind === 'item') items.push(`<li>${htmlInline((lines[i++] as { text: Inline[] }).text)}</li>`);
      i--;
      out.push(`<ul>${items.join('')}</ul>`);
    } else if (l.kind === 'text') {
      out.push(`<p>${htmlInline(l.text)}</p>`);
    }
  }
  return out.join('\n');
}

/** One block as HTML. */
export function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'heading': return b.level === 2 ? `<h2 class="file">${htmlInline(b.text)}</h2>` : `<h${b.level}>${htmlInline(b.text)}</h${b.level}>`;
    case 'paragraph': return `<p>${htmlInline(b.text)}</p>`;
    case 'list': return `<${b.ordered ? 'ol' : 'ul'}>${b.items.map((i) => `<li>${htmlInline(i)}</li>`).join('')}</${b.ordered ? 'ol' : 'ul'}>`;
    case 'table':
      return `<table><thead><tr>${b.columns.map((c) => `<th>${esc(c.head)}</th>`).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${htmlInline(c)}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`;
    case 'keyValue': return `<table class="kv"><tbody>${b.rows.map(([k, v]) => `<tr><th>${htmlInline(k)}</th><td>${htmlInline(v)}</td></tr>`).join('\n')}</tbody></table>`;
    case 'prose': return prose(b.lines);
    case 'group': return b.blocks.map(blockHtml).filter((t) => t !== '').join('\n');
    case 'figure': return figureHtml(b.figure);
    case 'entry': {
      const sev = b.head.find((x): x is { tone: 'error' | 'warning' | 'info'; text: string } => typeof x === 'object' && 'tone' in x && x.tone !== 'ok');
      const aside = b.aside === null ? '' : `<p class="aside">${esc(b.aside.label)}${htmlInline(b.aside.text)}</p>`;
      const [lead, ...rest] = b.body.map(blockHtml).filter((t) => t !== '');
      return `<section class="finding${sev !== undefined ? ` sev-${sev.tone}` : ''}"><h4>${esc(b.label)} ${htmlInline(b.head)}</h4>\n${aside}${lead ?? ''}\n${rest.join('\n')}</section>`;
    }
  }
}

const blocksHtml = (blocks: readonly Block[]): string => blocks.map(blockHtml).filter((t) => t !== '').join('\n');

/** Earliest first frame and latest last frame of the files that have frames. */
function span(files: readonly { first: string | null; last: string | null }[]): string {
  const firsts = files.map((f) => f.first).filter((x): x is string => x !== null).sort();
  const lasts = files.map((f) => f.last).filter((x): x is string => x !== null).sort();
  return firsts.length === 0 ? 'no frames' : `${firsts[0]} to ${lasts[lasts.length - 1]}`;
}

function head(title: string): string {
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="referrer" content="no-referrer">\n<title>${esc(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>`;
}

function header(meta: DocumentMeta, files: readonly { path: string; first: string | null; last: string | null }[], opts: RenderOptions): string {
  const [h1, line] = documentHead(meta.tool, meta.schemaVersion);
  const rows: [string, string][] = [
    [files.length === 1 ? 'File' : 'Files', files.length === 0 ? 'none' : files.map((f) => `<code>${esc(f.path)}</code>`).join('<br>')],
    ['Capture span', esc(span(files))],
    ['Tool', `${esc(meta.tool.name)} ${esc(meta.tool.version)} (report schema ${meta.schemaVersion})`],
    ...(opts.settings ?? []).map(([k, v]): [string, string] => [esc(k), esc(v)]),
  ];
  return `<header>${blockHtml(h1!)}\n${blockHtml(line!)}\n<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></header>\n<main>`;
}

const FOOT = '</main>\n<footer>Made by rpctrace. Frame numbers are Wireshark\'s; open the capture (or the evidence file) in Wireshark and use the filters above.</footer>\n</body>\n</html>';

/**
 * `analyze --format html`. One file: the page is written when the file is done. Several files
 * (a spool given): the sections wait in the spool and the page is written at the end, the
 * header naming every file and the summary first.
 */
export function htmlWriter(out: Sink, meta: DocumentMeta, opts: RenderOptions = {}): ReportWriter {
  const s = new Sections(out, opts.spool);
  const files: { path: string; first: string | null; last: string | null }[] = [];
  const rows: SummaryRow[] = [];
  let started = false;
  const start = (title: string): void => {
    if (started) return;
    started = true;
    s.head(`${head(title)}\n${header(meta, files, opts)}`);
  };
  return {
    file(f: FileReport) {
      files.push({ path: f.path, first: f.firstTimestamp, last: f.lastTimestamp });
      rows.push(summaryRow(f));
      if (opts.spool === undefined) start(`rpctrace report: ${f.path}`);
      s.file(`<article>\n${blocksHtml(fileBlocks(f))}\n</article>`);
    },
    end(skipped) {
      start(files.length === 1 ? `rpctrace report: ${files[0]!.path}` : `rpctrace report: ${files.length} files`);
      s.finish(rows.length > 1 ? summaryBlocks(rows).map(blockHtml) : [], [...skippedBlocks(skipped).map(blockHtml), FOOT]);
    },
  };
}

/**
 * A page holding `blocks` whole (the `scan` summary): the same head, policy and footer as a
 * report, a header with the tool and the settings.
 */
export function htmlPage(title: string, meta: DocumentMeta, blocks: readonly Block[], opts: RenderOptions = {}): string {
  const rows: [string, string][] = [
    ['Tool', `${esc(meta.tool.name)} ${esc(meta.tool.version)} (report schema ${meta.schemaVersion})`],
    ...(opts.settings ?? []).map(([k, v]): [string, string] => [esc(k), esc(v)]),
  ];
  return `${head(title)}\n<header><h1>${esc(title)}</h1>\n<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl></header>\n<main>\n${blocksHtml(blocks)}\n${FOOT}`;
}

/** `ports --format html`. */
export function portsHtmlWriter(out: Sink, meta: DocumentMeta): PortsWriter {
  const parts = new Parts(out);
  parts.part(`${head('rpctrace ports')}\n<main><h1>rpctrace ports</h1><p>${esc(meta.tool.name)} ${esc(meta.tool.version)}</p>`);
  return { file: (f) => parts.part(blocksHtml(portsBlocks(f))), end: () => { parts.part(FOOT); parts.end(); } };
}
