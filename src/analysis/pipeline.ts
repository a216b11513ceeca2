/**
 * One file, start to finish: open, read every record through the capture analysis, run the
 * rules over what it observed, give the findings their words, build the file's report. Data
 * flows one way: capture -> dissect -> analysis -> rules -> model.
 */
import { openCapture, type OpenOptions } from '../capture/open.js';
import { forEachRecord } from '../capture/reader.js';
import type { AnomalyCounter } from '../dissect/anomaly-counter.js';
import { ANOMALIES } from '../model/anomalies.js';
import { describeFinding } from '../model/finding-text.js';
import type { ReadProblem } from '../model/read-problem.js';
import type { FileReport, FrameComment, SynEvent } from '../model/report.js';
import { runRules, type AgentRuleSettings, type Verdicts } from '../rules/index.js';
import { DEFAULT_AGENT_SETTINGS } from '../model/agent.js';
import { CaptureAnalysis, type CaptureAnalysisOptions } from './capture-analysis.js';
import { PROFILE_SPECS } from './profiles.js';

/** What to collect besides the summary, and the settings verdicts depend on. */
export interface AnalyzeOptions extends OpenOptions, CaptureAnalysisOptions {
  /** Expected dynamic RPC port ranges, inclusive; default [[49152, 65535]]. */
  dynamicRanges?: [number, number][];
  /** Seconds after an EPM/DCOM answer during which the client's attempts count as its follow-up; default 120. */
  followWindowSeconds?: number;
}

/** Default expected dynamic range: Windows Vista and later (`netsh int ipv4 show dynamicportrange tcp`). */
export const DEFAULT_DYNAMIC_RANGES: [number, number][] = [[49152, 65535]];
/** Default follow-up window in seconds. */
export const DEFAULT_FOLLOW_WINDOW = 120;

/** The file report plus the optional event lists. */
export interface FileAnalysis {
  report: FileReport;
  syns: SynEvent[];
  /** SYN events not kept because the list reached its bound. */
  synsOmitted: number;
}

/** Comments kept per file; more are counted in a warning rather than stored. */
const MAX_COMMENTS = 1000;

/** Analyzes one capture (`-` with `opts.stdin` for a stream). Never throws for bad input: problems land in the report. */
export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<FileAnalysis> {
  const settings = {
    dynamicRanges: opts.dynamicRanges ?? DEFAULT_DYNAMIC_RANGES,
    followWindowSeconds: opts.followWindowSeconds ?? DEFAULT_FOLLOW_WINDOW,
  };
  const analysis = new CaptureAnalysis(opts);
  const opened = await openCapture(path, opts);
  if (!('reader' in opened)) {
    const none: Verdicts = { attempts: [], attemptsOmitted: 0, endpoints: [], findings: [], ports: [], agent: null };
    return { report: buildReport(path, null, analysis, [opened], [], none, settings), syns: [], synsOmitted: 0 };
  }
  const { reader, win } = opened;
  const comments: FrameComment[] = [];
  let extraComments = 0;
  try {
    await forEachRecord(reader, win, (r) => {
      analysis.record(r);
      if (r.comment !== null) {
        if (comments.length < MAX_COMMENTS) comments.push({ frame: r.frame, text: r.comment });
        else extraComments++;
      }
    });
  } finally {
    opened.close();
  }
  const problems: ReadProblem[] = [...reader.problems];
  if (win.error !== null) {
    problems.push({
      code: opened.compression === 'gzip' ? 'decompress-error' : 'io-error',
      severity: 'error',
      offset: win.offset(),
      message: `${opened.compression === 'gzip' ? 'gzip' : 'read'}: ${win.error} (after ${win.offset()} bytes of capture data)`,
    });
  }
  if (extraComments > 0) {
    problems.push({ code: 'bad-block', severity: 'warning', offset: 0, message: `pcapng: ${extraComments} more packet comments not kept (first ${MAX_COMMENTS} are)` });
  }
  unsupportedLinkWarning(analysis.dissector.anomalies, problems);
  const undecoded = analysis.dissector.undecodedWarning();
  if (undecoded !== null) problems.push(undecoded);
  analysis.finish();
  const stop = problems.find((p) => p.severity === 'error');
  const c = analysis.counters;
  const readStop = stop === undefined ? null : {
    offset: stop.offset, code: stop.code, message: stop.message, frames: c.frames,
    lastFrame: analysis.lastFrame === 0 ? null : { frame: analysis.lastFrame, time: analysis.clock.now() },
  };
  const observations = analysis.observations(reader.info.snaplen, readStop);
  analysis.releaseState();
  const verdicts = runRules(observations, { ...settings, ...agentRuleSettings(opts) });
  const report = buildReport(path, opened, analysis, problems, comments, verdicts, settings);
  return { report, syns: analysis.attempts.synEvents, synsOmitted: analysis.attempts.synEventsDropped };
}

/** The agent checks' settings for the rules, or nothing when the profile never runs them. */
function agentRuleSettings(opts: AnalyzeOptions): { agent?: AgentRuleSettings } {
  const profile = opts.profile ?? 'auto';
  const spec = PROFILE_SPECS[profile];
  if (profile === 'rpc' || spec.agentChecks === 'never') return {};
  const forcedBy = profile === 'scom' ? '--profile scom' : opts.agentForcedBy ?? null;
  return {
    agent: {
      ...(opts.agent ?? DEFAULT_AGENT_SETTINGS), profile,
      checks: spec.agentChecks === 'always' || forcedBy !== null ? 'always' : 'when-detected', forcedBy,
    },
  };
}

/** Adds the warning for frames of link types that are counted but not decoded. */
function unsupportedLinkWarning(anomalies: AnomalyCounter, problems: ReadProblem[]): void {
  const lt = anomalies.count('unsupported_link_type');
  if (lt > 0) {
    problems.push({ code: 'unsupported-link-type', severity: 'warning', offset: 0, message: `${lt} frame(s) of a link type rpctrace cannot decode were counted but not analyzed` });
  }
}

function buildReport(
  path: string,
  opened: { reader: { format: FileReport['format']; info: NonNullable<FileReport['formatInfo']>; interfaces?: readonly FileReport['interfaces'][number][] }; compression: 'gzip' | null } | null,
  analysis: CaptureAnalysis,
  problems: ReadProblem[],
  comments: FrameComment[],
  verdicts: Verdicts,
  settings: FileReport['settings'],
): FileReport {
  const counters = analysis.counters;
  const errors = problems.filter((p) => p.severity === 'error');
  const anomalies = analysis.dissector.anomalies.summary().map((a) => ({ ...a, description: ANOMALIES[a.name].text }));
  // Hosts are named as the capture's DNS answers name them wherever the agent checks ran.
  const names = verdicts.agent === null ? undefined : new Map(verdicts.agent.names.map((n) => [n.address, n.name]));
  const report: FileReport = {
    path,
    format: opened?.reader.format ?? null,
    compression: opened?.compression ?? null,
    formatInfo: opened === null ? null : { ...opened.reader.info },
    linkTypes: counters.linkTypes(),
    frames: counters.frames,
    firstTimestamp: counters.firstTimestamp(),
    lastTimestamp: counters.lastTimestamp(),
    durationSeconds: Math.round(counters.durationSeconds() * 1e9) / 1e9,
    complete: errors.length === 0,
    warnings: problems.filter((p) => p.severity === 'warning'),
    errors,
    interfaces: opened?.reader.interfaces?.map((i) => ({ ...i })) ?? [],
    anomalies,
    comments,
    stats: counters.stats(analysis.attempts.synRetransmissions),
    findings: verdicts.findings.map((f) => describeFinding(f, names)),
    attempts: verdicts.attempts,
    attemptsOmitted: verdicts.attemptsOmitted,
    endpoints: verdicts.endpoints,
    ports: verdicts.ports,
    settings,
  };
  if (verdicts.agent !== null) report.agent = verdicts.agent;
  return report;
}

/**
 * Analyzes a capture given as a stream of bytes (any supported format, gzip or not), read once
 * from start to end. `name` is the path the report gives it (default `-`).
 */
export async function analyzeStream(stream: AsyncIterable<Uint8Array>, opts: AnalyzeOptions & { name?: string } = {}): Promise<FileAnalysis> {
  const { name, ...rest } = opts;
  const a = await analyzeFile('-', { ...rest, stdin: stream });
  if (name !== undefined) a.report.path = name;
  return a;
}
