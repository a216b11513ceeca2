/** Terminal rendering with cli-table3. Pure: report in, text out. */
import Table from 'cli-table3';
import type { FileReport, Report, SynReport } from '../model/report.js';
import type { ReadProblem } from '../model/read-problem.js';

const PLAIN = { head: [] as string[], border: [] as string[] };

const n = (x: number): string => x.toLocaleString('en-US');

function problemLine(f: FileReport, p: ReadProblem): string {
  return `  ${p.severity}: ${f.path}: offset ${p.offset}: ${p.message}`;
}

function fileTable(f: FileReport): string {
  const t = new Table({ style: PLAIN, colWidths: [22, 56], wordWrap: true });
  const fmt = f.format === null ? 'not recognised' : `${f.format}${f.compression !== null ? ` (${f.compression})` : ''}${f.formatInfo !== null ? `, ${f.formatInfo.byteOrder}-endian, ${f.formatInfo.timestampResolution}, v${f.formatInfo.version}` : ''}`;
  const s = f.stats;
  t.push(
    ['Format', fmt],
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
  for (const a of f.anomalies) t.push([a.name, `${n(a.count)}: ${a.description} (first frames ${a.firstFrames.join(', ')})`]);
  const lines = [f.path, t.toString()];
  for (const p of f.errors) lines.push(problemLine(f, p));
  for (const p of f.warnings) lines.push(problemLine(f, p));
  if (f.comments.length > 0) {
    lines.push('  Packet comments:');
    for (const c of f.comments) lines.push(`    frame ${c.frame}: ${c.text}`);
  }
  return lines.join('\n');
}

/** `rpctrace analyze` for the terminal. */
export function renderTable(r: Report): string {
  const parts = r.files.map(fileTable);
  if (r.files.length > 1) {
    const t = new Table({ style: PLAIN, head: ['File', 'Format', 'Frames', 'SYN', 'SYN retx', 'SYN-ACK', 'RST', 'ICMP unr.', 'Problems'] });
    for (const f of r.files) {
      t.push([f.path, f.format ?? '-', n(f.frames), n(f.stats.tcpSyn), n(f.stats.tcpSynRetransmissions), n(f.stats.tcpSynAck), n(f.stats.tcpRst), n(f.stats.icmpUnreachable), `${f.errors.length} error(s), ${f.warnings.length} warning(s)`]);
    }
    parts.push(`Summary of ${r.files.length} files`, t.toString());
  }
  if (r.skipped.length > 0) {
    parts.push(`Skipped ${r.skipped.length} file(s) in the given directories that are not captures:`);
    for (const s of r.skipped) parts.push(`  ${s.path}: ${s.reason}`);
  }
  return `${parts.join('\n\n')}\n`;
}

/** `rpctrace syn` as text, one line per SYN, in the spirit of Network Monitor's frame summary. */
export function renderSynText(r: SynReport): string {
  const lines: string[] = [];
  const w = Math.max(5, ...r.syns.map((s) => String(s.frame).length));
  lines.push(`${'Frame'.padStart(w)}  ${'Time'.padStart(12)}  Conversation`);
  for (const s of r.syns) {
    const tag = s.retransmitOf !== null ? `[SynReTransmit #${s.retransmitOf}] ` : s.attempt > 1 ? `[new ISN on a reused port, attempt ${s.attempt}] ` : '';
    lines.push(
      `${String(s.frame).padStart(w)}  ${`+${s.relativeTime.toFixed(6)}`.padStart(12)}  ${addr(s.src, s.srcPort)} -> ${addr(s.dst, s.dstPort)}  TCP:${tag}Flags=${s.flags}, SrcPort=${s.srcPort}, DstPort=${s.dstPort}, Seq=${s.seq}`,
    );
  }
  const retx = r.syns.filter((s) => s.retransmitOf !== null).length;
  lines.push(`${r.syns.length} SYN(s), ${retx} retransmission(s)`);
  for (const p of [...r.errors, ...r.warnings]) lines.push(`${p.severity}: ${r.path}: offset ${p.offset}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}

const addr = (a: string, port: number): string => (a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
