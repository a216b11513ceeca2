/**
 * The report laid out once, as neutral blocks (heading, paragraph, list, table, key/value table,
 * catalog prose, a numbered entry, a tight group), which text.ts writes for the terminal and
 * markdown.ts for a support ticket. Every section and row of every renderer is decided here.
 *
 * Inline content distinguishes plain words from two kinds of literal text: `lit` is a value the
 * reader may copy (a path, a finding id, a display filter, text from a capture): never wrapped
 * inside, shown as a code span in Markdown; `code` is a command inside prose (catalog text writes
 * it between backticks), shown with its backticks on the terminal. Renderers show control
 * characters in any of them escaped (model/visible.ts); words that quote a capture (a read
 * problem's message) are escaped here already, so that a line break in them stays text.
 */
import type { Attempt, Endpoint, PortSummary } from '../model/connections.js';
import type { EvidenceRole, Finding, Severity } from '../model/finding.js';
import type { PortsFile } from '../model/ports-report.js';
import type { FileReport } from '../model/report.js';
import type { ReadProblem } from '../model/read-problem.js';
import { visible } from '../model/visible.js';
import type { AgentReport } from '../model/agent.js';
import {
  DETAIL_FRAMES, MAX_ATTEMPT_ROWS, MAX_ENDPOINT_ROWS, TABLE_FRAMES, attemptCounts, attemptDetail, flowText, followUpText, formatText,
  framesText, hasProblems, interfaceText, n, namedHostPort, namerOf, notAnalyzed, notAnalyzedLines, rangesText, seconds, severityCounts, sortFindings,
  type Namer,
} from './common.js';
import { pushAll } from '../model/lists.js';

/** How a word is to be seen: a finding's severity, or a clean bill of health. */
export type Tone = Severity | 'ok';

/**
 * A piece of inline content. `tone` marks a severity word (or "No problems found"): coloured on
 * a terminal that takes colour, a class in HTML, plain in Markdown.
 */
export type Inline = string | { lit: string } | { code: string } | { strong: Inline[] } | { tone: Tone; text: string };

/** One line of catalog-style prose (finding-catalog.ts conventions). */
export type ProseLine =
  | { kind: 'blank' }
  | { kind: 'text'; text: Inline[] }
  | { kind: 'item'; text: Inline[] }
  | { kind: 'command'; text: string };

/** A table column: its heading and its width on an 100-column terminal (padding included). */
export interface Column {
  head: string;
  width: number;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: Inline[] }
  | { kind: 'paragraph'; text: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] }
  | { kind: 'table'; columns: Column[]; rows: Inline[][][] }
  | { kind: 'keyValue'; rows: [Inline[], Inline[]][] }
  | { kind: 'prose'; lines: ProseLine[] }
  /**
   * A numbered item with a head line and a body (a finding with its evidence). `aside` goes on
   * the head line when it fits (the terminal), or after the body's first block under its label
   * (Markdown).
   */
  | { kind: 'entry'; label: string; head: Inline[]; aside: { label: string; text: Inline[] } | null; body: Block[] }
  /** Blocks that belong together: no blank line between them on the terminal. */
  | { kind: 'group'; blocks: Block[] }
  /**
   * A picture drawn from the facts (HTML draws it as inline SVG). Its content is already in the
   * text around it (evidence frames with their roles, the ports table), so the terminal and
   * Markdown leave it out.
   */
  | { kind: 'figure'; figure: Figure };

/** One frame on a timeline: the evidence role it plays and its time (seconds since the first frame). */
export interface TimelineEvent {
  frame: number;
  role: EvidenceRole;
  time: number;
  n?: number;
}

/** What a figure shows. */
export type Figure =
  /** One failing conversation over time: each evidence frame as a mark on a time axis. */
  | { kind: 'timeline'; title: string; severity: Severity; events: TimelineEvent[]; more: number }
  /** The server ports attempts went to, against the expected dynamic range(s). */
  | { kind: 'ports'; ports: PortSummary[]; ranges: [number, number][] };

const lit = (s: string): Inline => ({ lit: s });
const tone = (t: Tone, text: string = t): Inline => ({ tone: t, text });
const para = (...text: Inline[]): Block => ({ kind: 'paragraph', text });
const heading = (level: 1 | 2 | 3, ...text: Inline[]): Block => ({ kind: 'heading', level, text });
const group = (...blocks: (Block | null)[]): Block => ({ kind: 'group', blocks: blocks.filter((b): b is Block => b !== null) });

/** Text whose `backtick spans` are commands and the rest words. */
export function inlineText(s: string): Inline[] {
  return s.split(/(`[^`]+`)/).filter((p) => p !== '').map((p) => (p.startsWith('`') && p.endsWith('`') && p.length > 1 ? { code: p.slice(1, -1) } : p));
}

/** Catalog-style text as prose lines: `- ` items, two-space commands, blank lines, text. */
export function prose(text: string): Block {
  const lines: ProseLine[] = text.split('\n').map((line): ProseLine => {
    if (line === '') return { kind: 'blank' };
    if (line.startsWith('  ') && line.trim() !== '') return { kind: 'command', text: line.slice(2) };
    if (line.startsWith('- ')) return { kind: 'item', text: inlineText(line.slice(2)) };
    return { kind: 'text', text: inlineText(line) };
  });
  return { kind: 'prose', lines };
}

/** The head of a whole document (Markdown shows it; the terminal does not). */
export function documentHead(tool: { name: string; version: string }, schemaVersion: number): Block[] {
  return [heading(1, 'rpctrace report'), para(`${tool.name} ${tool.version}, report schema ${schemaVersion}; frame numbers are Wireshark's.`)];
}

const findingLabel = (x: Finding): Inline[] => [lit(x.id), ...(x.inferred ? [' (inferred)'] : [])];

function verdicts(f: FileReport, findings: readonly Finding[], name: Namer): Block {
  const table: Block | null = findings.length === 0 ? null : {
    kind: 'table',
    columns: [{ head: 'Severity', width: 10 }, { head: 'Finding', width: 39 }, { head: 'Client -> server:port', width: 27 }, { head: 'Evidence frames', width: 18 }],
    rows: findings.map((x) => [[tone(x.severity)], [...findingLabel(x), '\n', x.title], [flowText(x, name)], [framesText(x.evidenceFrames, TABLE_FRAMES)]]),
  };
  return group(
    heading(3, `Verdicts: ${severityCounts(findings)}`),
    table,
    hasProblems(findings) ? null : para(tone('ok', findings.length > 0 ? 'No problems found (only informational findings above).' : 'No problems found.')),
    ...notAnalyzedLines(f).map((l) => para(l)),
    f.complete ? null : para('Reading stopped early (see the read problems below); the verdicts cover the frames before that point.'),
  );
}

function entry(x: Finding, i: number, name: Namer): Block {
  const flow = flowText(x, name);
  const body: Block[] = [para({ strong: [x.title] })];
  if (x.explanation !== '') body.push(prose(x.explanation));
  if (x.remediation.length > 0) body.push(group(para('What to do:'), { kind: 'list', ordered: true, items: x.remediation.map(inlineText) }));
  const timeline = timelineOf(x, name);
  if (timeline !== null) body.push({ kind: 'figure', figure: timeline });
  body.push(group(
    x.displayFilter !== '' ? para('Wireshark filter: ', lit(x.displayFilter)) : null,
    x.evidenceFrames.length > 0 ? para(`Evidence frames: ${framesText(x.evidenceFrames, DETAIL_FRAMES)}`) : null,
    para('Background: ', lit(`rpctrace explain ${x.id}`)),
  ));
  return { kind: 'entry', label: `${i + 1}.`, head: [tone(x.severity), '  ', ...findingLabel(x)], aside: flow === '-' ? null : { label: 'Connection: ', text: [flow] }, body };
}

/** A failing conversation's timeline: findings above info that name a conversation and have timed evidence. */
function timelineOf(x: Finding, name: Namer): Figure | null {
  if (x.severity === 'info' || (x.client === null && x.server === null) || x.evidence.length === 0) return null;
  const events = x.evidence.map((e): TimelineEvent => ({ frame: e.frame, role: e.role, time: e.time, ...(e.n !== undefined ? { n: e.n } : {}) }));
  return { kind: 'timeline', title: flowText(x, name), severity: x.severity, events, more: Math.max(0, x.evidenceTotal - x.evidence.length) };
}

/** The server:port an endpoint names, and the host written in the answer when it differs (a value from the capture). */
function endpointServer(e: Endpoint, name: Namer): Inline[] {
  if (e.advertisedHost === null || e.advertisedHost === '0.0.0.0' || e.advertisedHost === e.server) return [namedHostPort(name, e.server, e.port)];
  return [namedHostPort(name, e.server, e.port), '\n(in answer: ', lit(e.advertisedHost), ')'];
}

function endpoints(list: readonly Endpoint[], name: Namer): Block {
  if (list.length === 0) return group(heading(3, 'Endpoints advertised'), para('None seen (no endpoint mapper or DCOM answer with a TCP port in this capture).'));
  return group(
    heading(3, `Endpoints advertised (${list.length})`),
    {
      kind: 'table',
      columns: [{ head: 'Frame', width: 8 }, { head: 'Answer', width: 22 }, { head: 'Interface', width: 20 }, { head: 'Server:port', width: 20 }, { head: 'In range', width: 8 }, { head: 'Follow-up', width: 15 }],
      rows: list.slice(0, MAX_ENDPOINT_ROWS).map((e) => [[String(e.frame)], [`${e.source} ${e.operation}`], [interfaceText(e)], endpointServer(e, name), [e.inRange ? 'yes' : 'no'], [followUpText(e)]]),
    },
    list.length > MAX_ENDPOINT_ROWS ? para(`${list.length - MAX_ENDPOINT_ROWS} more endpoints not listed (all are in `, lit('--format json'), ').') : null,
  );
}

function attempts(list: readonly Attempt[], name: Namer): Block {
  if (list.length === 0) return group(heading(3, 'Connection attempts: none (no TCP SYN in this capture).'));
  const failed = list.filter((a) => a.outcome !== 'established');
  const head = heading(3, `Connection attempts: ${attemptCounts(list)}`);
  if (failed.length === 0) return group(head);
  return group(
    head,
    para('Unsuccessful attempts:'),
    {
      kind: 'table',
      columns: [{ head: 'First SYN', width: 8 }, { head: 'Time (s)', width: 10 }, { head: 'Client -> server:port', width: 28 }, { head: 'Outcome', width: 14 }, { head: 'Detail', width: 33 }],
      rows: failed.slice(0, MAX_ATTEMPT_ROWS).map((a) => [[String(a.synFrames[0] ?? '-')], [`+${a.relativeTime.toFixed(3)}`], [`${namedHostPort(name, a.client, a.clientPort)} -> ${namedHostPort(name, a.server, a.serverPort)}`], [a.outcome], [attemptDetail(a)]]),
    },
    failed.length > MAX_ATTEMPT_ROWS ? para(`${failed.length - MAX_ATTEMPT_ROWS} more unsuccessful attempts not listed (all are in `, lit('--format json'), ').') : null,
  );
}

const ROLE_TEXT: Record<AgentReport['hosts'][number]['roles'][number], string> = {
  agent: 'agent', gateway: 'gateway', 'management-server': 'management server', 'domain-controller': 'domain controller', 'dns-server': 'DNS server',
};

/** The agent checks: why they ran, the hosts and their roles, required ports, heartbeats, transactions. */
function agentChecks(a: AgentReport, name: Namer): Block {
  const t = a.transactions;
  const s = a.settings;
  const drops = a.drops;
  const dropped = drops.pendingFull + drops.transactionsNotKept + drops.namesNotKept + drops.conversationsNotKept + drops.echoesNotKept + drops.heldNotKept;
  return group(
    heading(3, `Agent checks (profile ${a.profile})`),
    para(`They ran because ${a.reason}${a.reasonFrame !== null ? ` (frame ${a.reasonFrame})` : ''}. Heartbeat interval ${s.heartbeatIntervalSeconds} s, ${s.missedHeartbeats} missed heartbeats; required ports ${s.required.join(', ')}${s.servers.length > 0 ? `; management servers named: ${s.servers.join(', ')}` : ''}.`),
    a.hosts.length === 0 ? para('No agent, management server or domain controller in this capture.') : {
      kind: 'table',
      columns: [{ head: 'Host', width: 34 }, { head: 'Taken for', width: 20 }, { head: 'Why (first frame)', width: 46 }],
      rows: a.hosts.map((h) => [[name(h.address)], [h.roles.map((r) => ROLE_TEXT[r]).join(',\n')], [h.why.map((w) => `${h.roles.length > 1 ? `${ROLE_TEXT[w.role]}: ` : ''}${w.text}${w.frame !== null ? ` (${w.frame})` : ''}`).join('\n')]]),
    },
    a.requiredPorts.length === 0 ? null : group(para('Required ports:'), {
      kind: 'table',
      columns: [{ head: 'Client -> server', width: 48 }, { head: 'Port', width: 10 }, { head: 'Attempts', width: 10 }, { head: 'Answered', width: 10 }, { head: 'Failed', width: 8 }, { head: 'Incomplete', width: 14 }],
      rows: a.requiredPorts.map((r) => [[`${name(r.client)} ->\n${name(r.server)}`], [`${r.protocol}/${r.port}`], [n(r.attempts)], [n(r.answered)], [n(r.failed)], [n(r.incomplete)]]),
    }),
    a.heartbeats.length === 0 ? null : group(para('Heartbeats (the agent\'s transmissions on 5723):'), {
      kind: 'table',
      columns: [{ head: 'Agent -> server', width: 48 }, { head: 'Sent', width: 8 }, { head: 'Interval', width: 14 }, { head: 'Longest silence', width: 18 }, { head: 'Gaps', width: 8 }],
      rows: a.heartbeats.map((h) => [[`${name(h.agent)} ->\n${name(h.server)} (${h.protocol})`], [n(h.transmissions)], [`${seconds(h.intervalSeconds)}${h.intervalSeconds !== s.heartbeatIntervalSeconds ? ' (its own)' : ''}`], [seconds(h.longestSilenceSeconds)], [n(h.gaps)]]),
    }),
    para(`Requests and answers: DNS ${n(t.dns.requests)} (${n(t.dns.answered)} answered), Kerberos ${n(t.kerberos.requests)} (${n(t.kerberos.answered)}), LDAP ping ${n(t.cldap.requests)} (${n(t.cldap.answered)}).`),
    dropped === 0 ? null : para(`Not kept (bounds): ${n(drops.pendingFull)} request(s) while the table of unanswered ones was full, ${n(drops.transactionsNotKept)} answered transaction(s), ${n(drops.namesNotKept)} name(s), ${n(drops.conversationsNotKept)} conversation(s), ${n(drops.echoesNotKept)} echo request(s), ${n(drops.heldNotKept)} datagram(s) before the first 5723 packet.`),
  );
}

/** Read problems, each naming the file and the byte offset. */
function problems(path: string, list: readonly ReadProblem[]): Block | null {
  if (list.length === 0) return null;
  return group(para('Read problems:'), { kind: 'list', ordered: false, items: list.map((p) => [lit(path), `: ${p.severity} at offset ${p.offset}: ${visible(p.message)}`]) });
}

function capture(f: FileReport): Block {
  const s = f.stats;
  const rows: [Inline[], Inline[]][] = [
    [['Format'], [formatText(f)]],
    [['Link types'], [f.linkTypes.map((l) => `${l.name} (${l.linkType})${l.decoded ? '' : ' not decoded'}: ${n(l.frames)}`).join('\n') || '-']],
    [['Frames'], [`${n(f.frames)}${f.complete ? '' : ' (reading stopped early, see errors)'}`]],
    [['First / last frame'], [f.firstTimestamp === null ? '-' : `${f.firstTimestamp}\n${f.lastTimestamp ?? '-'} (${f.durationSeconds.toFixed(3)} s)`]],
    [['IPv4 / IPv6'], [`${n(s.ipv4)} / ${n(s.ipv6)}`]],
    [['TCP / UDP'], [`${n(s.tcp)} / ${n(s.udp)}`]],
    [['ICMP / ICMPv6'], [`${n(s.icmp)} / ${n(s.icmpv6)}`]],
    [['TCP SYN'], [`${n(s.tcpSyn)} (${n(s.tcpSynRetransmissions)} retransmitted)`]],
    [['TCP SYN-ACK'], [n(s.tcpSynAck)]],
    [['TCP RST / FIN'], [`${n(s.tcpRst)} / ${n(s.tcpFin)}`]],
    [['ICMP unreachable'], [n(s.icmpUnreachable)]],
  ];
  if (f.interfaces.length > 0) {
    const lines: Inline[] = [];
    for (const i of f.interfaces) {
      if (lines.length > 0) lines.push('\n');
      lines.push(`${f.formatInfo !== null && f.formatInfo.sections > 1 ? `section ${i.section}, ` : ''}interface ${i.id}: `);
      if (i.name !== null) lines.push(lit(i.name));
      if (i.description !== null) lines.push(i.name !== null ? ' (' : '', lit(i.description), i.name !== null ? ')' : '');
    }
    rows.splice(2, 0, [['Interfaces'], lines]);
  }
  if (s.nonIp > 0) rows.push([['Not IP'], [n(s.nonIp)]]);
  if (s.nonPacketRecords > 0) rows.push([['Records, no packet'], [n(s.nonPacketRecords)]]);
  for (const a of f.anomalies) rows.push([[lit(a.name)], [`${n(a.count)}: ${a.description} (first frames ${a.firstFrames.join(', ')})`]]);
  rows.push([['Settings'], [`expected dynamic range ${rangesText(f.settings.dynamicRanges)}; follow-up window ${f.settings.followWindowSeconds} s`]]);
  return group(
    heading(3, 'Capture'),
    { kind: 'keyValue', rows },
    problems(f.path, [...f.errors, ...f.warnings]),
    f.comments.length === 0 ? null : group(para('Packet comments:'), { kind: 'list', ordered: false, items: f.comments.map((c) => [`frame ${c.frame}: `, lit(c.text)]) }),
  );
}

/** One file's report: its heading, then its sections in the order every renderer uses. */
export function fileBlocks(f: FileReport): Block[] {
  const blocks: Block[] = [heading(2, lit(f.path))];
  if (notAnalyzed(f)) {
    blocks.push(para('Not analyzed: the file could not be read (see the read problems below).'));
  } else {
    const findings = sortFindings(f.findings);
    const name = namerOf(f);
    blocks.push(verdicts(f, findings, name));
    if (findings.length > 0) { blocks.push(heading(3, 'Evidence')); pushAll(blocks, findings.map((x, i) => entry(x, i, name))); }
    if (f.agent !== undefined) blocks.push(agentChecks(f.agent, name));
    blocks.push(endpoints(f.endpoints, name), attempts(f.attempts, name));
    if (f.ports.length > 0) blocks.push({ kind: 'figure', figure: { kind: 'ports', ports: f.ports, ranges: f.settings.dynamicRanges } });
  }
  blocks.push(capture(f));
  return blocks;
}

/** Distinct findings named in a summary row before "+N more". */
const SUMMARY_FINDINGS = 8;

/** One file's row of the multi-file summary: kept by writers in place of the file's report. */
export interface SummaryRow {
  path: string;
  format: string;
  frames: string;
  /** `1 error, 0 warnings, 2 info`, or `not analyzed`. */
  verdicts: string;
  /** The findings by id, most severe first, each with its severity and how often it occurs. */
  findings: { id: string; severity: Severity; count: number; inferred: boolean }[];
  /** Distinct findings past the ones listed. */
  moreFindings: number;
  problems: string;
}

export function summaryRow(f: FileReport): SummaryRow {
  const byId = new Map<string, SummaryRow['findings'][number]>();
  for (const x of sortFindings(f.findings)) {
    const key = `${x.id}${x.inferred ? ' (inferred)' : ''}`;
    const e = byId.get(key);
    if (e === undefined) byId.set(key, { id: x.id, severity: x.severity, count: 1, inferred: x.inferred });
    else e.count++;
  }
  const all = [...byId.values()];
  const problems = f.errors.length + f.warnings.length === 0 ? 'none'
    : [f.errors.length > 0 ? `${f.errors.length} error${f.errors.length === 1 ? '' : 's'}` : '', f.warnings.length > 0 ? `${f.warnings.length} warning${f.warnings.length === 1 ? '' : 's'}` : ''].filter((x) => x !== '').join(', ');
  return {
    path: f.path, format: f.format ?? '-', frames: n(f.frames), verdicts: notAnalyzed(f) ? 'not analyzed' : severityCounts(f.findings),
    findings: all.slice(0, SUMMARY_FINDINGS), moreFindings: Math.max(0, all.length - SUMMARY_FINDINGS), problems,
  };
}

/** A summary row's findings: `NONSTANDARD_RPC_PORT_BLOCKED (error)`, one per line, `x3` when repeated. */
function summaryFindings(r: SummaryRow): Inline[] {
  const out: Inline[] = [r.verdicts];
  for (const x of r.findings) out.push('\n', lit(x.id), `${x.inferred ? ' (inferred)' : ''}${x.count > 1 ? ` x${x.count}` : ''} `, tone(x.severity, `(${x.severity})`));
  if (r.moreFindings > 0) out.push(`\n+${r.moreFindings} more`);
  return out;
}

/** The multi-file summary: one row per file, naming its findings. It comes before the files' reports. */
export function summaryBlocks(rows: readonly SummaryRow[]): Block[] {
  const e = rows.reduce((a, r) => a + r.findings.filter((x) => x.severity === 'error').reduce((b, x) => b + x.count, 0), 0);
  return [group(heading(2, `Summary of ${rows.length} files`), para(`${rows.filter((r) => r.findings.some((x) => x.severity === 'error')).length} of ${rows.length} files have errors (${e} error finding${e === 1 ? '' : 's'} in all); each file's report follows.`), {
    kind: 'table',
    columns: [{ head: 'File', width: 28 }, { head: 'Format', width: 8 }, { head: 'Frames', width: 9 }, { head: 'Findings', width: 39 }, { head: 'Read problems', width: 10 }],
    rows: rows.map((r) => [[lit(r.path)], [r.format], [r.frames], summaryFindings(r), [r.problems]]),
  })];
}

/** Files found in directory arguments that are not captures. */
export function skippedBlocks(skipped: readonly { path: string; reason: string }[]): Block[] {
  if (skipped.length === 0) return [];
  return [group(
    para(`Skipped ${skipped.length} file(s) in the given directories that are not captures:`),
    { kind: 'list', ordered: false, items: skipped.map((s) => [lit(s.path), `: ${visible(s.reason)}`]) },
  )];
}

const PORT_COLUMNS: Column[] = [
  { head: 'Port', width: 8 }, { head: 'Attempts', width: 10 }, { head: 'Established', width: 13 }, { head: 'Failed', width: 8 },
  { head: 'Incomplete', width: 12 }, { head: 'Servers', width: 9 }, { head: 'Advertised', width: 12 }, { head: 'In expected range', width: 19 },
];

/** `rpctrace ports`: one file's table of server ports. */
export function portsBlocks(f: PortsFile): Block[] {
  return [
    heading(2, lit(f.path)),
    group(
      para(`Expected dynamic range: ${rangesText(f.dynamicRanges)}`),
      f.ports.length === 0 ? para('No TCP connection attempts.') : {
        kind: 'table',
        columns: PORT_COLUMNS,
        rows: f.ports.map((p) => [[String(p.port)], [n(p.attempts)], [n(p.established)], [n(p.failed)], [n(p.incomplete)], [n(p.servers)], [p.advertised ? 'yes' : 'no'], [p.inRange ? 'yes' : 'no']]),
      },
      problems(f.path, f.errors),
    ),
  ];
}
