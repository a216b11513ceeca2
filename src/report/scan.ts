/**
 * `rpctrace scan` output. Every writer gets the files in input order (jsonl: as each is done),
 * the skipped files, and at the end the aggregate:
 * - table, md and html: the summary first: one row per file, then the aggregate by finding and
 *   by target, then the files skipped (rows are kept, a few hundred bytes each; reports never are);
 * - json: the `analyze` document, each file's entry as rendered by the worker, plus `aggregate`;
 * - jsonl: one record per line (`file`, `skipped`, then one `summary`);
 * - csv: one row per file (and per skipped file), a header row first.
 * Names and text from captures are inert in every format: escaped control characters on the
 * terminal and in CSV, Markdown escaping (escape.ts), JSON string escapes.
 */
import type { ScanAggregate, ScanRow, ScanSkipped } from '../model/scan.js';
import { thousands } from '../model/numbers.js';
import { flowText } from './common.js';
import { visible } from '../model/visible.js';
import { csvCell } from './escape.js';
import { JsonListWriter } from './json.js';
import type { Block, Inline } from './layout.js';
import type { DocumentMeta, RenderOptions, Sink } from './writer.js';

/** A scan writer: files in order, skipped files, then the aggregate. */
export interface ScanWriter {
  /** A file's row, and its entry rendered for json (`jsonItemText`) or jsonl (one line), else null. */
  file(row: ScanRow, text: string | null): void;
  skipped(s: ScanSkipped): void;
  end(aggregate: ScanAggregate): void;
}

export type ScanWriterFactory = (out: Sink, meta: DocumentMeta, opts?: RenderOptions) => ScanWriter;

/** Targets shown in the table and Markdown (json lists all that were kept). */
export const MAX_TARGET_ROWS = 50;

const n = thousands;
const lit = (s: string): Inline => ({ lit: visible(s) });
const plural = (k: number, one: string, many = `${one}s`): string => `${n(k)} ${k === 1 ? one : many}`;

/** `10.1.2.3 TCP 15595`, `[fd00::1] UDP 53`. */
export const targetText = (t: { server: string; protocol: string; port: number }): string => `${t.server.includes(':') ? `[${t.server}]` : t.server} ${t.protocol.toUpperCase()} ${t.port}`;

/** What a row's last column says: the worst finding and its target, or why there is none. */
function worstCell(r: ScanRow): Inline[] {
  if (r.internalError) return [`rpctrace failed on this file (a bug): ${visible(r.firstError ?? '')}`];
  if (r.unreadable) return [`not read: ${visible(r.firstError ?? '')}`];
  const w = r.worst;
  const stopped = r.complete ? [] : [`\nreading stopped early: ${visible(r.firstError ?? '')}`];
  if (w === null) return ['no findings', ...stopped];
  const flow = flowText(w);
  return [lit(w.id), ' (', { tone: w.severity, text: w.severity }, ')', ...(flow === '-' ? [] : [`\n${visible(flow)}`]), ...stopped];
}

/** The per-file table row, made when the file arrives (the row's aggregate parts are not kept). */
type ShownRow = Inline[][];

function shownRow(r: ScanRow): ShownRow {
  const f = r.findings;
  return [[lit(r.path)], [r.unreadable || r.internalError ? '-' : n(r.frames)], [r.unreadable || r.internalError ? '-' : `${f.error} E, ${f.warning} W, ${f.info} I`], worstCell(r)];
}

/** The summary, the aggregate and the skipped files as blocks, for the terminal, Markdown and HTML. */
export function scanBlocks(rows: readonly ShownRow[], skipped: readonly ScanSkipped[], a: ScanAggregate): Block[] {
  const blocks: Block[] = [];
  const head = `${plural(a.files, 'file')} read, ${plural(a.frames, 'frame')}${a.unreadable > 0 ? `; ${plural(a.unreadable, 'file')} could not be read` : ''}${a.internalErrors > 0 ? `; rpctrace failed on ${plural(a.internalErrors, 'file')} (a bug: please report it)` : ''}; ${plural(a.skipped, 'file')} skipped`;
  blocks.push({ kind: 'heading', level: 2, text: ['rpctrace scan'] }, { kind: 'paragraph', text: [head] });
  if (rows.length > 0) {
    blocks.push({ kind: 'group', blocks: [
      { kind: 'heading', level: 3, text: [`Files (${n(rows.length)})`] },
      { kind: 'table', columns: [{ head: 'File', width: 34 }, { head: 'Frames', width: 10 }, { head: 'Findings', width: 15 }, { head: 'Worst finding, target', width: 36 }], rows: [...rows] },
    ] });
  }
  if (a.byFinding.length === 0) {
    blocks.push({ kind: 'paragraph', text: [a.files > 0 ? 'No findings in any file.' : 'No capture was read.'] });
  } else {
    blocks.push({ kind: 'group', blocks: [
      { kind: 'heading', level: 3, text: ['Findings across files'] },
      {
        kind: 'table',
        columns: [{ head: 'Finding', width: 40 }, { head: 'Severity', width: 10 }, { head: 'Files', width: 10 }, { head: 'Times', width: 10 }],
        rows: a.byFinding.map((x) => [[lit(x.id)], [{ tone: x.severity, text: x.severity }], [n(x.files)], [n(x.count)]]),
      },
    ] });
  }
  if (a.byTarget.length > 0) {
    const shown = a.byTarget.slice(0, MAX_TARGET_ROWS);
    const more = a.byTarget.length - shown.length + a.targetsOmitted;
    blocks.push({ kind: 'group', blocks: [
      { kind: 'heading', level: 3, text: ['Targets across files'] },
      {
        kind: 'table',
        columns: [{ head: 'Server, protocol, port', width: 30 }, { head: 'Findings', width: 56 }, { head: 'Files', width: 10 }],
        rows: shown.map((t) => [[lit(targetText(t))], t.findings.flatMap((x, i): Inline[] => [...(i > 0 ? ['\n'] : []), lit(x.id), ` in ${plural(x.files, 'trace')}${x.count > x.files ? ` (${n(x.count)} times)` : ''}`]), [n(t.files)]]),
      },
      ...(more > 0 ? [{ kind: 'paragraph' as const, text: [`${plural(more, 'more target')} not shown${a.targetsOmitted > 0 ? ` (${n(a.targetsOmitted)} past the bound of the aggregate, counted by finding only)` : ''}; `, { lit: '--format json' }, ' lists the targets kept.'] }] : []),
    ] });
  }
  if (skipped.length > 0) {
    blocks.push({ kind: 'group', blocks: [
      { kind: 'paragraph', text: [`Skipped ${plural(skipped.length, 'file')}:`] },
      { kind: 'list', ordered: false, items: skipped.map((s) => [lit(s.path), `: ${visible(s.reason)}`]) },
    ] });
  }
  return blocks;
}

/** table, md and html: everything at the end, summary first, through `render`. */
export function summaryWriter(render: (blocks: readonly Block[], meta: DocumentMeta, opts: RenderOptions) => string): ScanWriterFactory {
  return (out, meta, opts = {}) => {
    const rows: ShownRow[] = [];
    const skipped: ScanSkipped[] = [];
    return {
      file: (row) => { rows.push(shownRow(row)); },
      skipped: (s) => { skipped.push(s); },
      end: (a) => {
        out.write(`${render(scanBlocks(rows, skipped, a), meta, opts)}\n`);
        out.flush?.();
      },
    };
  };
}

/** json: the `analyze` document plus `aggregate`. */
export function scanJsonWriter(out: Sink, meta: DocumentMeta): ScanWriter {
  const w = new JsonListWriter(out, { schemaVersion: meta.schemaVersion, tool: meta.tool }, 'files');
  const skipped: ScanSkipped[] = [];
  return {
    file: (_row, text) => w.itemText(text ?? 'null'),
    skipped: (s) => { skipped.push(s); },
    end: (aggregate) => w.end({ skipped, aggregate }),
  };
}

/** jsonl: one record per line, each as soon as it is known. */
export function scanJsonlWriter(out: Sink, meta: DocumentMeta): ScanWriter {
  const line = (s: string): void => {
    out.write(`${s}\n`);
    out.flush?.();
  };
  return {
    file: (_row, text) => line(text ?? 'null'),
    skipped: (s) => line(JSON.stringify({ record: 'skipped', path: s.path, reason: s.reason })),
    end: (aggregate) => line(JSON.stringify({ record: 'summary', schemaVersion: meta.schemaVersion, tool: meta.tool, aggregate })),
  };
}

/** CSV columns, in order (README "rpctrace scan"). */
export const CSV_COLUMNS = [
  'path', 'status', 'format', 'compression', 'frames', 'complete', 'errors', 'warnings', 'error_findings', 'warning_findings', 'info_findings',
  'worst_finding', 'worst_severity', 'worst_target', 'worst_title', 'problem',
] as const;

/** csv: a header row, then one row per file in input order, and one per skipped file. */
export function scanCsvWriter(out: Sink): ScanWriter {
  const line = (cells: readonly (string | number | boolean | null)[]): void => {
    out.write(`${cells.map(csvCell).join(',')}\r\n`);
    out.flush?.();
  };
  line([...CSV_COLUMNS]);
  return {
    file: (r) => {
      const w = r.worst;
      const status = r.internalError ? 'internal-error' : r.unreadable ? 'unreadable' : r.complete ? 'read' : 'read-partly';
      line([r.path, status, r.format, r.compression, r.frames, r.complete, r.errors, r.warnings, r.findings.error, r.findings.warning, r.findings.info,
        w?.id ?? null, w?.severity ?? null, w === null ? null : flowText(w) === '-' ? null : flowText(w), w?.title ?? null, r.firstError]);
    },
    skipped: (s) => line([s.path, 'skipped', null, null, null, null, null, null, null, null, null, null, null, null, null, s.reason]),
    end: () => {},
  };
}
