/**
 * Renderers by output format (vitest's ReportersMap): the CLI's `--format` choice is typed by
 * this table. Each renderer is pure: report in, text out.
 */
import type { Report } from '../model/report.js';

/** A renderer of the `analyze` report. */
export type Renderer = (r: Report) => string;

/**
 * `analyze` renderers by `--format` name, loaded on demand: the table renderer pulls in
 * cli-table3, which JSON output does not need (start-up time, issue 4).
 */
export const RENDERERS = {
  table: async () => (await import('./table.js')).renderTable,
  json: async () => (await import('./json.js')).renderJson,
  md: async () => (await import('./markdown.js')).renderMarkdown,
} as const satisfies Record<string, () => Promise<Renderer>>;

/** A `--format` value of `analyze`. */
export type OutputFormat = keyof typeof RENDERERS;
