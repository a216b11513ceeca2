/**
 * Writers by output format (vitest's ReportersMap): the CLI's `--format` choice is typed by these
 * tables. Each writer is pure text-making over a sink; the terminal one is loaded on demand, as
 * it pulls in cli-table3, which JSON output does not need (start-up time, issue 4).
 */
import type { FileReport, Report } from '../model/report.js';
import { JsonListWriter } from './json.js';
import type { DocumentMeta, PortsWriter, RenderOptions, ReportWriter, Sink, Skipped } from './writer.js';
import { scanCsvWriter, scanJsonlWriter, scanJsonWriter, summaryWriter, type ScanWriterFactory } from './scan.js';

export type { DocumentMeta, PortsWriter, RenderOptions, ReportWriter, SectionSpool, Sink, Skipped } from './writer.js';
export type { ScanWriter, ScanWriterFactory } from './scan.js';
export { BufferedSink } from './writer.js';

/**
 * Makes an `analyze` writer that writes to `out`: `file()` per capture as it is done, `end()`
 * once. `scan` and any other command that reports on captures use the same factories.
 */
export type ReportWriterFactory = (out: Sink, meta: DocumentMeta, opts?: RenderOptions) => ReportWriter;

/** `analyze --format json`: the versioned document, streamed file by file. */
export function jsonWriter(out: Sink, meta: DocumentMeta): ReportWriter {
  const w = new JsonListWriter(out, { schemaVersion: meta.schemaVersion, tool: meta.tool }, 'files');
  return { file: (f: FileReport) => w.item(f), end: (skipped: readonly Skipped[]) => w.end({ skipped }) };
}

/** `analyze` writers by `--format` name. */
export const REPORT_WRITERS = {
  table: async (): Promise<ReportWriterFactory> => (await import('./text.js')).tableWriter,
  json: async (): Promise<ReportWriterFactory> => jsonWriter,
  md: async (): Promise<ReportWriterFactory> => (await import('./markdown.js')).markdownWriter,
  html: async (): Promise<ReportWriterFactory> => (await import('./html.js')).htmlWriter,
} as const;

/** A `--format` value of `analyze`. */
export type OutputFormat = keyof typeof REPORT_WRITERS;

/** `ports` writers by `--format` name. */
export type PortsWriterFactory = (out: Sink, meta: DocumentMeta, opts?: RenderOptions) => PortsWriter;

export const PORTS_WRITERS = {
  table: async (): Promise<PortsWriterFactory> => (await import('./text.js')).portsTableWriter,
  json: async (): Promise<PortsWriterFactory> => (out, meta) => {
    const w = new JsonListWriter(out, { schemaVersion: meta.schemaVersion, tool: meta.tool }, 'files');
    return { file: (f) => w.item(f), end: () => w.end({}) };
  },
  md: async (): Promise<PortsWriterFactory> => (await import('./markdown.js')).portsMarkdownWriter,
  html: async (): Promise<PortsWriterFactory> => (await import('./html.js')).portsHtmlWriter,
} as const satisfies Record<OutputFormat, unknown>;

/** `scan` writers by `--format` name. */
export const SCAN_WRITERS = {
  table: async (): Promise<ScanWriterFactory> => {
    const { blocksText } = await import('./text.js');
    return summaryWriter((blocks, _meta, opts) => blocksText(blocks, opts));
  },
  json: async (): Promise<ScanWriterFactory> => scanJsonWriter,
  jsonl: async (): Promise<ScanWriterFactory> => scanJsonlWriter,
  csv: async (): Promise<ScanWriterFactory> => scanCsvWriter,
  md: async (): Promise<ScanWriterFactory> => {
    const { blocksMarkdown } = await import('./markdown.js');
    return summaryWriter((blocks) => blocksMarkdown(blocks));
  },
  html: async (): Promise<ScanWriterFactory> => {
    const { htmlPage } = await import('./html.js');
    return summaryWriter((blocks, meta, opts) => htmlPage('rpctrace scan', meta, blocks, opts));
  },
} as const;

/** A whole report at once, through the streaming writer of `format` (tests, small documents). */
export async function renderReport(format: OutputFormat, r: Report, opts: RenderOptions = {}): Promise<string> {
  let text = '';
  const sink = { write: (s: string): void => { text += s; } };
  const w = (await REPORT_WRITERS[format]())(sink, { schemaVersion: r.schemaVersion, tool: r.tool }, opts);
  for (const f of r.files) w.file(f);
  w.end(r.skipped);
  return text;
}
