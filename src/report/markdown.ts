/**
 * `--format md`: the terminal report's content as GitHub-flavoured Markdown, fit to paste into
 * a support ticket. Pure: report in, text out. Everything from the capture is escaped.
 */
import type { Attempt, Endpoint, Finding } from '../model/engine.js';
import type { FileReport, Report } from '../model/report.js';
import {
  DETAIL_FRAMES, MAX_ATTEMPT_ROWS, MAX_ENDPOINT_ROWS, TABLE_FRAMES, attemptCounts, attemptDetail, flowText, followUpText,
  fileSection, formatText, framesText, hasProblems, hostPort, interfaceText, n, notAnalyzedLines, rangesText, severityCounts,
  summaryRow, SUMMARY_HEAD, type FileSectionRenderers,
} from './common.js';
import { mdCode, mdTable, mdText } from './escape.js';

/**
 * Catalog-style text (see model/finding-catalog.ts) as Markdown blocks: `- ` lines become list
 * items, runs of lines indented by two spaces a code block, other lines paragraphs.
 */
export function mdBlocks(text: string): string {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('  ') && line.trim() !== '') {
      const block: string[] = [];
      while (i < lines.length && (lines[i] ?? '').startsWith('  ') && (lines[i] ?? '').trim() !== '') block.push((lines[i++] ?? '').slice(2));
      i--;
      const fence = '`'.repeat(Math.max(3, ...block.map((b) => (b.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length + 1), 0))));
      out.push('', `${fence}text`, ...block, fence, '');
    } else if (line.startsWith('- ')) {
      out.push(`- ${inline(line.slice(2))}`);
    } else if (line === '') {
      out.push('');
    } else {
      out.push('', inline(line), '');
    }
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n').trim();
}

/** Text whose `code spans` (as the catalog writes commands) stay code and the rest is escaped. */
function inline(s: string): string {
  return s.split(/(`[^`]+`)/).map((part, i) => (i % 2 === 1 ? mdCode(part.slice(1, -1)) : mdText(part))).join('');
}

const label = (x: Finding): string => `${mdCode(x.id)}${x.inferred ? ' (inferred)' : ''}`;

function verdicts(f: FileReport, findings: readonly Finding[]): string {
  const lines = [`**Verdicts:** ${severityCounts(findings)}`];
  if (findings.length > 0) {
    lines.push('', mdTable(
      ['Severity', 'Finding', 'Client -> server:port', 'Title', 'Evidence frames'],
      findings.map((x) => [x.severity, label(x), mdText(flowText(x)), mdText(x.title), framesText(x.evidenceFrames, TABLE_FRAMES)]),
    ));
  }
  if (!hasProblems(findings)) lines.push('', findings.length > 0 ? 'No problems found (only informational findings above).' : 'No problems found.');
  for (const line of notAnalyzedLines(f)) lines.push('', mdText(line));
  if (!f.complete) lines.push('', 'Reading stopped early (see the read problems below); the verdicts cover the frames before that point.');
  return lines.join('\n');
}

function details(findings: readonly Finding[]): string {
  const parts = findings.map((x, i) => {
    const lines = [`#### ${i + 1}. ${x.severity}: ${label(x)}`, '', `**${mdText(x.title)}**`];
    if (flowText(x) !== '-') lines.push('', `Connection: ${mdText(flowText(x))}`);
    if (x.explanation !== '') lines.push('', mdBlocks(x.explanation));
    if (x.remediation.length > 0) lines.push('', 'What to do:', '', ...x.remediation.map((r, j) => `${j + 1}. ${inline(r)}`));
    if (x.displayFilter !== '') lines.push('', `Wireshark display filter: ${mdCode(x.displayFilter)}`);
    if (x.evidenceFrames.length > 0) lines.push('', `Evidence frames: ${framesText(x.evidenceFrames, DETAIL_FRAMES)}`);
    lines.push('', `Background: ${mdCode(`rpctrace explain ${x.id}`)}`);
    return lines.join('\n');
  });
  return ['### Evidence', ...parts].join('\n\n');
}

function endpointServer(e: Endpoint): string {
  const tower = e.advertisedHost !== null && e.advertisedHost !== '0.0.0.0' && e.advertisedHost !== e.server ? `\n(in answer: ${mdText(e.advertisedHost)})` : '';
  return `${mdText(hostPort(e.server, e.port))}${tower}`;
}

function endpoints(list: readonly Endpoint[]): string {
  if (list.length === 0) return '### Endpoints advertised\n\nNone seen (no endpoint mapper or DCOM answer with a TCP port in this capture).';
  const rows = list.slice(0, MAX_ENDPOINT_ROWS).map((e) => [
    String(e.frame), e.source, mdText(e.operation), mdText(interfaceText(e)), endpointServer(e), e.inRange ? 'yes' : 'no', mdText(followUpText(e)),
  ]);
  const more = list.length > MAX_ENDPOINT_ROWS ? `\n\n${list.length - MAX_ENDPOINT_ROWS} more endpoints not listed (all are in \`--format json\`).` : '';
  return `### Endpoints advertised (${list.length})\n\n${mdTable(['Frame', 'Source', 'Operation', 'Interface', 'Server:port', 'In range', 'Follow-up'], rows)}${more}`;
}

function attempts(list: readonly Attempt[]): string {
  if (list.length === 0) return '### Connection attempts\n\nNone (no TCP SYN in this capture).';
  const failed = list.filter((a) => a.outcome !== 'established');
  const head = `### Connection attempts\n\n${attemptCounts(list)}.`;
  if (failed.length === 0) return head;
  const rows = failed.slice(0, MAX_ATTEMPT_ROWS).map((a) => [
    String(a.synFrames[0] ?? '-'), `+${a.relativeTime.toFixed(3)}`, mdText(`${hostPort(a.client, a.clientPort)} -> ${hostPort(a.server, a.serverPort)}`), a.outcome, mdText(attemptDetail(a)),
  ]);
  const more = failed.length > MAX_ATTEMPT_ROWS ? `\n\n${failed.length - MAX_ATTEMPT_ROWS} more unsuccessful attempts not listed (all are in \`--format json\`).` : '';
  return `${head}\n\nUnsuccessful attempts:\n\n${mdTable(['First SYN', 'Time (s)', 'Client -> server:port', 'Outcome', 'Detail'], rows)}${more}`;
}

function capture(f: FileReport): string {
  const s = f.stats;
  const rows: string[][] = [
    ['Format', mdText(formatText(f))],
    ['Link types', f.linkTypes.map((l) => mdText(`${l.name} (${l.linkType})${l.decoded ? '' : ' not decoded'}: ${n(l.frames)}`)).join('\n') || '-'],
    ['Frames', `${n(f.frames)}${f.complete ? '' : ' (reading stopped early, see errors)'}`],
    ['First / last frame', f.firstTimestamp === null ? '-' : `${f.firstTimestamp}\n${f.lastTimestamp ?? '-'} (${f.durationSeconds.toFixed(3)} s)`],
    ['IPv4 / IPv6', `${n(s.ipv4)} / ${n(s.ipv6)}`],
    ['TCP / UDP', `${n(s.tcp)} / ${n(s.udp)}`],
    ['ICMP / ICMPv6', `${n(s.icmp)} / ${n(s.icmpv6)}`],
    ['TCP SYN', `${n(s.tcpSyn)} (${n(s.tcpSynRetransmissions)} retransmitted)`],
    ['TCP SYN-ACK', n(s.tcpSynAck)],
    ['TCP RST / FIN', `${n(s.tcpRst)} / ${n(s.tcpFin)}`],
    ['ICMP unreachable', n(s.icmpUnreachable)],
  ];
  if (s.nonIp > 0) rows.push(['Not IP', n(s.nonIp)]);
  if (s.nonPacketRecords > 0) rows.push(['Records, no packet', n(s.nonPacketRecords)]);
  for (const a of f.anomalies) rows.push([mdCode(a.name), mdText(`${n(a.count)}: ${a.description} (first frames ${a.firstFrames.join(', ')})`)]);
  rows.push(['Settings', `expected dynamic range ${rangesText(f.settings.dynamicRanges)}; follow-up window ${f.settings.followWindowSeconds} s`]);
  const parts = ['### Capture', mdTable(['', ''], rows)];
  const problems = [...f.errors, ...f.warnings];
  if (problems.length > 0) parts.push(`Read problems:\n\n${problems.map((p) => `- ${p.severity} at offset ${p.offset}: ${mdText(p.message)}`).join('\n')}`);
  if (f.comments.length > 0) parts.push(`Packet comments:\n\n${f.comments.map((c) => `- frame ${c.frame}: ${mdText(c.text)}`).join('\n')}`);
  return parts.join('\n\n');
}

const SECTIONS: FileSectionRenderers = { verdicts, details, endpoints, attempts, capture };

/** `rpctrace analyze --format md`. */
export function renderMarkdown(r: Report): string {
  const parts = ['# rpctrace report', `${mdText(r.tool.name)} ${mdText(r.tool.version)}, report schema ${r.schemaVersion}; frame numbers are Wireshark's.`];
  parts.push(...r.files.map((f) => fileSection(f, `## ${mdCode(f.path)}`, SECTIONS)));
  if (r.files.length > 1) {
    const rows = r.files.map((f) => summaryRow(f, mdCode(f.path)));
    parts.push(`## Summary of ${r.files.length} files\n\n${mdTable(SUMMARY_HEAD, rows)}`);
  }
  if (r.skipped.length > 0) {
    parts.push(`Skipped ${r.skipped.length} file(s) in the given directories that are not captures:\n\n${r.skipped.map((s) => `- ${mdCode(s.path)}: ${mdText(s.reason)}`).join('\n')}`);
  }
  return `${parts.join('\n\n')}\n`;
}
