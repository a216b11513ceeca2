/** Wording the layout uses: flows, frame lists, counts, outcomes, ranges. */
import { thousands } from '../model/numbers.js';
import { SEVERITY_RANK } from '../model/finding-catalog.js';
import type { Attempt, Endpoint } from '../model/connections.js';
import type { Finding } from '../model/finding.js';
import type { FileReport } from '../model/report.js';

/** Frames listed in verdict tables before "+N more". */
export const TABLE_FRAMES = 8;
/** Frames listed in the evidence sections before "+N more". */
export const DETAIL_FRAMES = 50;
/** Unsuccessful attempts listed per file before the rest is only counted. */
export const MAX_ATTEMPT_ROWS = 50;
/** Endpoints listed per file before the rest is only counted. */
export const MAX_ENDPOINT_ROWS = 100;

/** Findings, most severe first; equal severities keep their order. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings.map((f, i) => ({ f, i })).sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.i - b.i).map((x) => x.f);
}

/** `10.1.1.10:135`, `[fd00::10]:135`. */
export const hostPort = (addr: string, port: number): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);

/** How a host is shown: `name (address)` where the report names it, else the address. */
export type Namer = (addr: string) => string;
const unnamed: Namer = (a) => a;

/** The namer of a report: names from the agent checks' DNS answers, when they ran. */
export function namerOf(f: FileReport): Namer {
  const names = new Map((f.agent?.names ?? []).map((x) => [x.address, x.name]));
  if (names.size === 0) return unnamed;
  return (a) => {
    const n = names.get(a);
    return n === undefined ? a : `${n} (${a})`;
  };
}

/** `hostPort` through a namer: `dc01.corp.example (10.1.1.10):389` when named. */
export const namedHostPort = (n: Namer, addr: string, port: number): string => (n(addr) === addr ? hostPort(addr, port) : `${n(addr)}:${port}`);

/** `client -> server:port`, with whatever parts the finding has; `-` without any. */
export function flowText(f: Pick<Finding, 'client' | 'server' | 'port'>, n: Namer = unnamed): string {
  const server = f.server === null ? (f.port === null ? null : `port ${f.port}`) : f.port === null ? n(f.server) : namedHostPort(n, f.server, f.port);
  if (f.client === null) return server ?? '-';
  return server === null ? `${n(f.client)} ->` : `${n(f.client)} -> ${server}`;
}

/** `1, 2, 3` or, past `max`, `1, 2, ... 8 +12 more`. */
export function framesText(frames: readonly number[], max: number): string {
  if (frames.length === 0) return '-';
  const shown = frames.slice(0, max).join(', ');
  return frames.length > max ? `${shown} +${frames.length - max} more` : shown;
}

/** `49152-65535, 6005-65534`. */
export const rangesText = (ranges: readonly (readonly [number, number])[]): string => ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');

/** Whether `port` lies in one of the inclusive `ranges`. */
export const inRanges = (port: number, ranges: readonly (readonly [number, number])[]): boolean => ranges.some(([a, b]) => port >= a && port <= b);

/** `2 errors, 1 warning, 0 info`. */
export function severityCounts(findings: readonly Finding[]): string {
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return `${c.error} error${c.error === 1 ? '' : 's'}, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.info} info`;
}

/** True when any finding is above info. */
export const hasProblems = (findings: readonly Finding[]): boolean => findings.some((f) => f.severity !== 'info');

/** True when no frame could be read at all, so there is nothing to judge. */
export const notAnalyzed = (f: FileReport): boolean => f.frames === 0 && f.errors.length > 0;

/**
 * Lines for the verdicts section about frames that were counted but not analyzed (a link type
 * or an encapsulation rpctrace does not decode): the verdicts say nothing about their
 * conversations, so the reader must see that next to them, not only among the read problems.
 */
export function notAnalyzedLines(f: FileReport): string[] {
  return f.warnings
    .filter((p) => p.code === 'undecoded-encapsulation' || p.code === 'unsupported-link-type')
    .map((p) => `Not everything was analyzed: ${p.message} (warning ${p.code}).`);
}

/** The interface of an endpoint as people know it. */
export const interfaceText = (e: Endpoint): string => e.interfaceName ?? e.interfaceUuid ?? '-';

/** What happened after an endpoint was advertised. */
export function followUpText(e: Endpoint): string {
  if (e.followUp === 'no-attempt') return 'no attempt';
  if (e.existingConnection !== null) return `connection open before the capture (frames ${e.existingConnection.firstFrame}-${e.existingConnection.lastFrame})`;
  const n = e.followUpSynFrames.length;
  return n > 1 ? `${e.followUp} (${n} attempts)` : e.followUp;
}

/** Seconds with at most three decimals: `9`, `0.25`, `21.003`. */
export const seconds = (s: number): string => `${Number(s.toFixed(3))} s`;

/** One line on how an attempt ended, with the frames that show it. */
export function attemptDetail(a: Attempt): string {
  const syns = `${a.synFrames.length} SYN${a.synFrames.length === 1 ? '' : 's'}${a.retransmissions > 0 ? ` over ${seconds(a.retrySeconds)}` : ''}`;
  switch (a.outcome) {
    case 'established':
      return a.inferred
        ? `${syns}; no SYN-ACK captured, the client's segment at frame ${a.ackFrame ?? '?'} proves the handshake (inferred)`
        : `${syns}; SYN-ACK frame ${a.synAckFrames[0] ?? '?'}, ACK frame ${a.ackFrame ?? '?'}`;
    case 'no-answer':
      return `${syns}; no answer (watched ${seconds(a.observedSeconds)})`;
    case 'reset':
      return `${syns}; RST frame ${framesText(a.rstFrames, 3)}${a.answerSeconds !== null ? ` after ${seconds(a.answerSeconds)}` : ''}`;
    case 'icmp-refused':
      return a.icmp === null ? `${syns}; ICMP unreachable` : `${syns}; ICMP ${a.icmp.meaning} from ${a.icmp.from}, frame ${a.icmp.frame}`;
    case 'answered-not-completed':
      return `${syns}; SYN-ACK frame ${framesText(a.synAckFrames, 3)}, no final ACK`;
    case 'incomplete':
      return `${syns}; no answer yet when the capture ends (${seconds(a.observedSeconds)} later)`;
  }
}

/** `14 attempts: 11 established, 2 no-answer, 1 reset`. */
export function attemptCounts(attempts: readonly Attempt[]): string {
  const by = new Map<string, number>();
  for (const a of attempts) by.set(a.outcome, (by.get(a.outcome) ?? 0) + 1);
  const order = ['established', 'no-answer', 'reset', 'icmp-refused', 'answered-not-completed', 'incomplete'];
  const parts = order.filter((o) => by.has(o)).map((o) => `${by.get(o)} ${o}`);
  return `${attempts.length} attempt${attempts.length === 1 ? '' : 's'}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** The format line of the capture summary. */
export function formatText(f: FileReport): string {
  if (f.format === null) return 'not recognised';
  const i = f.formatInfo;
  return `${f.format}${f.compression !== null ? ` (${f.compression})` : ''}${i !== null ? `, ${i.byteOrder}-endian, ${i.timestampResolution}, v${i.version}` : ''}`;
}

/** Thousands separators. */
export const n = thousands;
