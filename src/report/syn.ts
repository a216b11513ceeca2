/** `rpctrace syn` as text, one line per SYN, in the spirit of Network Monitor's frame summary. Pure: report in, text out. */
import type { SynReport } from '../model/report.js';
import { hostPort } from './common.js';
import { visible } from '../model/visible.js';

/**
 * One line per SYN. `width` is the terminal's, when writing to one: a line longer than that is
 * wrapped at the commas of its TCP summary, under the conversation column, never inside an
 * address or a number. Without it (a file, a pipe) every SYN stays on one line, for grep.
 */
export function renderSynText(r: SynReport, width: number | null = null): string {
  const lines: string[] = [];
  const w = Math.max(5, String(r.syns.reduce((m, s) => Math.max(m, s.frame), 0)).length);
  const indent = ' '.repeat(w + 2 + 12 + 2);
  lines.push(`${'Frame'.padStart(w)}  ${'Time'.padStart(12)}  Conversation`);
  for (const s of r.syns) {
    const tag = s.duplicateOf !== null ? `[capture copy of #${s.duplicateOf}] `
      : s.retransmitOf !== null ? `[SynReTransmit #${s.retransmitOf}] `
        : s.attempt > 1 ? `[new ISN on a reused port, attempt ${s.attempt}] ` : '';
    const head = `${String(s.frame).padStart(w)}  ${`+${s.relativeTime.toFixed(6)}`.padStart(12)}  ${hostPort(s.src, s.srcPort)} -> ${hostPort(s.dst, s.dstPort)}`;
    const tcp = `TCP:${tag}Flags=${s.flags}, SrcPort=${s.srcPort}, DstPort=${s.dstPort}, Seq=${s.seq}`;
    if (width === null || head.length + 2 + tcp.length <= width) { lines.push(`${head}  ${tcp}`); continue; }
    lines.push(head);
    let line = indent;
    for (const part of tcp.split(/(?<=, )/)) {
      if (line !== indent && (line + part).trimEnd().length > width) { lines.push(line.trimEnd()); line = indent; }
      line += part;
    }
    lines.push(line.trimEnd());
  }
  const retx = r.syns.filter((s) => s.retransmitOf !== null).length;
  const copies = r.syns.filter((s) => s.duplicateOf !== null).length;
  lines.push(`${r.syns.length} SYN(s), ${retx} retransmission(s)${copies > 0 ? `, ${copies} capture cop${copies === 1 ? 'y' : 'ies'}` : ''}`);
  if (r.omitted > 0) lines.push(`${r.omitted} more SYN(s) not listed: rpctrace lists at most ${r.syns.length} per capture`);
  for (const p of [...r.errors, ...r.warnings]) lines.push(`${p.severity}: ${visible(r.path)}: offset ${p.offset}: ${visible(p.message)}`);
  return `${lines.join('\n')}\n`;
}
