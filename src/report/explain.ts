/** `rpctrace explain`: the finding catalog as text. Pure: catalog entries in, text out. */
import type { FindingId } from '../model/finding.js';
import type { FindingInfo } from '../model/finding-catalog.js';
import { layoutText, numbered, wrapLines } from './wrap.js';
import { maxOf, pushAll } from '../model/lists.js';

/** Width of `explain` output. */
export const EXPLAIN_WIDTH = 90;

/** One finding id in full: id, severity, title, explanation, numbered remediation. */
export function renderExplain(id: FindingId, info: FindingInfo): string {
  return [
    `${id} (${info.severity})`,
    ...wrapLines(info.title, EXPLAIN_WIDTH),
    '',
    layoutText(info.explanation, EXPLAIN_WIDTH),
    '',
    'What to do:',
    numbered(info.remediation, EXPLAIN_WIDTH, '  '),
    '',
  ].join('\n');
}

/** Every finding id with its severity and summary. */
export function renderExplainList(entries: readonly (readonly [FindingId, FindingInfo])[]): string {
  const idWidth = maxOf(entries.map(([id]) => id.length));
  const indent = ' '.repeat(idWidth + 11);
  const lines = ['Findings rpctrace reports (rpctrace explain <ID> for details):', ''];
  for (const [id, info] of entries) {
    const [first = '', ...rest] = wrapLines(info.summary, EXPLAIN_WIDTH - indent.length);
    lines.push(`${id.padEnd(idWidth)}  ${info.severity.padEnd(7)}  ${first}`);
    pushAll(lines, rest.map((l) => indent + l));
  }
  return `${lines.join('\n')}\n`;
}
