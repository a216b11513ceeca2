/**
 * Terminal rendering with cli-table3, readable at 100 columns. Pure: report in, text out.
 * Each file leads with its verdicts, then the evidence for each, then what the capture shows
 * (endpoints advertised, failed connection attempts), then the capture summary.
 */
import Table from 'cli-table3';
import type { Attempt, Endpoint, Finding } from '../model/engine.js';
import type { FileReport, Report, SynReport } from '../model/report.js';
import type { ReadProblem } from '../model/read-problem.js';
import {
  DETAIL_FRAMES, MAX_ATTEMPT_ROWS, MAX_ENDPOINT_ROWS, TABLE_FRAMES, attemptCounts, attemptDetail, flowText, followUpText,
  fileSection, formatText, framesText, hasProblems, hostPort, interfaceText, n, notAnalyzedLines, rangesText, severityCounts,
  summaryRow, SUMMARY_HEAD, type FileSectionRenderers,
} from './common.js';
import { layoutText, numbered, wrapLines } from './wrap.js';

/** Line width the layout aims at. */
export const WIDTH = 100;

const PLAIN = { head: [] as string[], border: [] as string[] };

/**
 * A table whose cells are wrapped here (cli-table3 would cut long words with an ellipsis);
 * `widths` include the one-space padding on each side, as cli-table3's colWidths do.
 */
function grid(head: readonly string[] | null, widths: readonly number[], rows: readonly (readonly string[])[]): string {
  const fit = (cells: readonly string[]): string[] => cells.map((c, i) => wrapLines(c, (widths[i] ?? 12) - 2).join('\n'));
  const t = new Table({ style: PLAIN, colWidths: [...widths], ...(head !== null ? { head: fit(head) } : {}) });
  for (const r of rows) t.push(fit(r));
  return t.toString();
}

function problemLine(f: FileReport, p: ReadProblem): string {
  return `  ${p.severity}: ${f.path}: offset ${p.offset}: ${p.message}`;
}

const findingLabel = (x: Finding): string => `${x.id}${x.inferred ? ' (inferred)' : ''}`;

function verdicts(f: FileReport, findings: readonly Finding[]): string {
  const lines = [`Verdicts: ${severityCounts(findings)}`];
  if (findings.length > 0) {
    lines.push(grid(
      ['Severity', 'Finding', 'Client -> server:port', 'Evidence frames'],
      [10, 39, 27, 18],
      findings.map((x) => [x.severity, `${findingLabel(x)}\n${x.title}`, flowText(x), framesText(x.evidenceFrames, TABLE_FRAMES)]),
    ));
  }
  if (!hasProblems(findings)) lines.push(findings.length > 0 ? 'No problems found (only informational findings above).' : 'No problems found.');
  for (const line of notAnalyzedLines(f)) lines.push(...wrapLines(line, WIDTH));
  if (!f.complete) lines.push('Reading stopped early (see the read problems below); the verdicts cover the frames before that point.');
  return lines.join('\n');
}

function evidence(findings: readonly Finding[]): string {
  const indent = '   ';
  const parts = findings.map((x, i) => {
    const head = `${x.severity}  ${findingLabel(x)}`;
    const flow = flowText(x);
    const withFlow = flow === '-' ? head : `${head}  ${flow}`;
    const cont = indent.length + withFlow.length <= WIDTH ? [] : wrapLines(flow, WIDTH - indent.length);
    const lines = [
      `${`${i + 1}.`.padEnd(indent.length)}${cont.length === 0 ? withFlow : head}`,
      ...[...cont, ...wrapLines(x.title, WIDTH - indent.length)].map((l) => indent + l),
    ];
    if (x.explanation !== '') lines.push('', layoutText(x.explanation, WIDTH, indent));
    if (x.remediation.length > 0) lines.push('', `${indent}What to do:`, numbered(x.remediation, WIDTH, `${indent}  `));
    lines.push('');
    if (x.displayFilter !== '') lines.push(`${indent}Wireshark filter: ${x.displayFilter}`);
    if (x.evidenceFrames.length > 0) lines.push(...wrapLines(`Evidence frames: ${framesText(x.evidenceFrames, DETAIL_FRAMES)}`, WIDTH - indent.length).map((l) => indent + l));
    lines.push(`${indent}Background: rpctrace explain ${x.id}`);
    return lines.join('\n');
  });
  return ['Evidence', ...parts].join('\n\n');
}

function endpointServer(e: Endpoint): string {
  const tower = e.advertisedHost !== null && e.advertisedHost !== '0.0.0.0' && e.advertisedHost !== e.server ? `\n(in answer: ${e.advertisedHost})` : '';
  return `${hostPort(e.server, e.port)}${tower}`;
}

function endpoints(list: readonly Endpoint[]): string {
  if (list.length === 0) return 'Endpoints advertised: none seen (no endpoint mapper or DCOM answer with a TCP port in this capture).';
  const rows = list.slice(0, MAX_ENDPOINT_ROWS).map((e) => [String(e.frame), `${e.source} ${e.operation}`, interfaceText(e), endpointServer(e), e.inRange ? 'yes' : 'no', followUpText(e)]);
  const more = list.length > MAX_ENDPOINT_ROWS ? `\n${list.length - MAX_ENDPOINT_ROWS} more endpoints not listed (all are in --format json).` : '';
  return `Endpoints advertised (${list.length})\n${grid(['Frame', 'Answer', 'Interface', 'Server:port', 'In range', 'Follow-up'], [8, 22, 20, 20, 8, 15], rows)}${more}`;
}

function attempts(list: readonly Attempt[]): string {
  if (list.length === 0) return 'Connection attempts: none (no TCP SYN in this capture).';
  const failed = list.filter((a) => a.outcome !== 'established');
  const head = `Connection attempts: ${attemptCounts(list)}`;
  if (failed.length === 0) return head;
  const rows = failed.slice(0, MAX_ATTEMPT_ROWS).map((a) => [String(a.synFrames[0] ?? '-'), `+${a.relativeTime.toFixed(3)}`, `${hostPort(a.client, a.clientPort)} -> ${hostPort(a.server, a.serverPort)}`, a.outcome, attemptDetail(a)]);
  const more = failed.length > MAX_ATTEMPT_ROWS ? `\n${failed.length - MAX_ATTEMPT_ROWS} more unsuccessful attempts not listed (all are in --format json).` : '';
  return `${head}\nUnsuccessful attempts:\n${grid(['First SYN', 'Time (s)', 'Client -> server:port', 'Outcome', 'Detail'], [8, 10, 28, 14, 33], rows)}${more}`;
}

function captureSummary(f: FileReport): string {
  const t = new Table({ style: PLAIN, colWidths: [22, 56], wordWrap: true });
  const s = f.stats;
  t.push(
    ['Format', formatText(f)],
    ['Link types', f.linkTypes.map((l) => `${l.name} (${l.linkType})${l.decoded ? '' : ' not decoded'}: ${n(l.frames)}`).join('\n') || '-'],
    ['Frames', `${n(f.frames)}${f.complete ? '' : ' (reading stopped early, see errors)'}`],
    ['First / last frame', f.firstTimestamp === null ? '-' : `${f.firstTimestamp}\n${f.lastTimestamp} (${f.durationSeconds.toFixed(3)} s)`],
    ['IPv4 / IPv6', `${n(s.ipv4)} / ${n(s.ipv6)}`],
    ['TCP / UDP', `${n(s.tcp)} / ${n(s.udp)}`],
    ['ICMP / ICMPv6', `${n(s.icmp)} / ${n(s.icmpv6)}`],
    ['TCP SYN', `${n(s.tcpSyn)} (${n(s.tcpSynRetransmissions)} retransmitted)`],
    ['TCP SYN-ACK', n(s.tcpSynAck)],
    ['TCP RST / FIN', `${n(s.tcpRst)} / ${n(s.tcpFin)}`],
    ['ICMP unreachable', n(s.icmpUnreachable)],
  );
  if (s.nonIp > 0) t.push(['Not IP', n(s.nonIp)]);
  if (s.nonPacketRecords > 0) t.push(['Records, no packet', n(s.nonPacketRecords)]);
  for (const a of f.anomalies) t.push([a.name, `${n(a.count)}: ${a.description} (first frames ${a.firstFrames.join(', ')})`]);
  t.push(['Settings', `expected dynamic range ${rangesText(f.settings.dynamicRanges)}; follow-up window ${f.settings.followWindowSeconds} s`]);
  const lines = ['Capture', t.toString()];
  for (const p of f.errors) lines.push(problemLine(f, p));
  for (const p of f.warnings) lines.push(problemLine(f, p));
  if (f.comments.length > 0) {
    lines.push('  Packet comments:');
    for (const c of f.comments) lines.push(`    frame ${c.frame}: ${c.text}`);
  }
  return lines.join('\n');
}

const SECTIONS: FileSectionRenderers = { verdicts, details: evidence, endpoints, attempts, capture: captureSummary };

/** `rpctrace analyze` for the terminal. */
export function renderTable(r: Report): string {
  const parts = r.files.map((f) => fileSection(f, `${f.path}\n${'='.repeat(Math.min(WIDTH, Math.max(3, f.path.length)))}`, SECTIONS));
  if (r.files.length > 1) {
    const rows = r.files.map((f) => summaryRow(f, f.path));
    parts.push(`Summary of ${r.files.length} files\n${grid(SUMMARY_HEAD, [32, 9, 10, 22, 20], rows)}`);
  }
  if (r.skipped.length > 0) {
    parts.push([`Skipped ${r.skipped.length} file(s) in the given directories that are not captures:`, ...r.skipped.map((s) => `  ${s.path}: ${s.reason}`)].join('\n'));
  }
  return `${parts.join('\n\n')}\n`;
}

/** `rpctrace syn` as text, one line per SYN, in the spirit of Network Monitor's frame summary. */
export function renderSynText(r: SynReport): string {
  const lines: string[] = [];
  const w = Math.max(5, String(r.syns.reduce((m, s) => Math.max(m, s.frame), 0)).length);
  lines.push(`${'Frame'.padStart(w)}  ${'Time'.padStart(12)}  Conversation`);
  for (const s of r.syns) {
    const tag = s.duplicateOf !== null ? `[capture copy of #${s.duplicateOf}] `
      : s.retransmitOf !== null ? `[SynReTransmit #${s.retransmitOf}] `
        : s.attempt > 1 ? `[new ISN on a reused port, attempt ${s.attempt}] ` : '';
    lines.push(
      `${String(s.frame).padStart(w)}  ${`+${s.relativeTime.toFixed(6)}`.padStart(12)}  ${hostPort(s.src, s.srcPort)} -> ${hostPort(s.dst, s.dstPort)}  TCP:${tag}Flags=${s.flags}, SrcPort=${s.srcPort}, DstPort=${s.dstPort}, Seq=${s.seq}`,
    );
  }
  const retx = r.syns.filter((s) => s.retransmitOf !== null).length;
  const copies = r.syns.filter((s) => s.duplicateOf !== null).length;
  lines.push(`${r.syns.length} SYN(s), ${retx} retransmission(s)${copies > 0 ? `, ${copies} capture cop${copies === 1 ? 'y' : 'ies'}` : ''}`);
  if (r.omitted > 0) lines.push(`${r.omitted} more SYN(s) not listed: rpctrace lists at most ${r.syns.length} per capture`);
  for (const p of [...r.errors, ...r.warnings]) lines.push(`${p.severity}: ${r.path}: offset ${p.offset}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}
