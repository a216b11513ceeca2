/** `rpctrace ports` as a terminal table or Markdown. Pure: report in, text out. */
import Table from 'cli-table3';
import type { PortsReport } from '../model/ports-report.js';
import { mdCode, mdTable, mdText } from './escape.js';
import { n, rangesText } from './common.js';

const PLAIN = { head: [] as string[], border: [] as string[] };
const HEAD = ['Port', 'Attempts', 'Established', 'Failed', 'Incomplete', 'Servers', 'Advertised', 'In expected range'];

type Row = PortsReport['files'][number]['ports'][number];
const cells = (p: Row): string[] => [String(p.port), n(p.attempts), n(p.established), n(p.failed), n(p.incomplete), n(p.servers), p.advertised ? 'yes' : 'no', p.inRange ? 'yes' : 'no'];

/** `rpctrace ports` for the terminal. */
export function renderPortsTable(r: PortsReport): string {
  const parts = r.files.map((f) => {
    const lines = [f.path, `Expected dynamic range: ${rangesText(f.dynamicRanges)}`];
    if (f.ports.length === 0) lines.push('No TCP connection attempts.');
    else {
      const t = new Table({ style: PLAIN, head: HEAD });
      for (const p of f.ports) t.push(cells(p));
      lines.push(t.toString());
    }
    for (const e of f.errors) lines.push(`  ${e.severity}: ${f.path}: offset ${e.offset}: ${e.message}`);
    return lines.join('\n');
  });
  return `${parts.join('\n\n')}\n`;
}

/** `rpctrace ports --format md`. */
export function renderPortsMarkdown(r: PortsReport): string {
  const parts = ['# rpctrace ports', ...r.files.map((f) => {
    const lines = [`## ${mdCode(f.path)}`, '', `Expected dynamic range: ${rangesText(f.dynamicRanges)}`, ''];
    lines.push(f.ports.length === 0 ? 'No TCP connection attempts.' : mdTable(HEAD, f.ports.map(cells)));
    if (f.errors.length > 0) lines.push('', ...f.errors.map((e) => `- ${e.severity} at offset ${e.offset}: ${mdText(e.message)}`));
    return lines.join('\n');
  })];
  return `${parts.join('\n\n')}\n`;
}
