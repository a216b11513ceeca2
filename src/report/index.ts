/**
 * Renderers by output format (vitest's ReportersMap): the CLI's `--format` choice is typed by
 * this table. Each renderer is pure: report in, text out.
 */
import type { Report } from '../model/report.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderTable } from './table.js';

/** A renderer of the `analyze` report. */
export type Renderer = (r: Report) => string;

/** `analyze` renderers by `--format` name. */
export const RENDERERS = { table: renderTable, json: renderJson, md: renderMarkdown } as const satisfies Record<string, Renderer>;

/** A `--format` value of `analyze`. */
export type OutputFormat = keyof typeof RENDERERS;
