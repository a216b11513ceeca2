/**
 * One file, start to finish: open, read every record, dissect, feed the analyses, build the
 * file's report. Data flows one way: capture -> dissect -> analysis -> model.
 */
import { openCapture, type OpenOptions } from '../capture/open.js';
import { forEachRecord } from '../capture/reader.js';
import { Dissector } from '../dissect/dissector.js';
import type { AnomalyCounter } from '../dissect/anomaly-counter.js';
import { ANOMALIES } from '../model/anomalies.js';
import type { ReadProblem } from '../model/read-problem.js';
import type { FileReport, FrameComment, SynEvent } from '../model/report.js';
import { BulkPath } from './bulk-path.js';
import { CaptureCounters } from './capture-stats.js';
import { ConnectionTracker } from './connections.js';
import { correlate, type Verdicts } from './correlate.js';

/** What to collect besides the summary. */
export interface AnalyzeOptions extends OpenOptions {
  /** Keep every SYN as an event (for `rpctrace syn`). */
  keepSyns?: boolean;
  /** Expected dynamic RPC port ranges, inclusive; default [[49152, 65535]]. */
  dynamicRanges?: [number, number][];
  /** Seconds after an EPM/DCOM answer during which the client's attempts count as its follow-up; default 120. */
  followWindowSeconds?: number;
  /** False: every frame takes the general path, never the bulk path (tests compare the two). */
  bulkPath?: boolean;
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

/** Analyzes one capture. Never throws for bad input: problems land in the report. */
export async function analyzeFile(path: string, opts: AnalyzeOptions = {}): Promise<FileAnalysis> {
  const settings = {
    dynamicRanges: opts.dynamicRanges ?? DEFAULT_DYNAMIC_RANGES,
    followWindowSeconds: opts.followWindowSeconds ?? DEFAULT_FOLLOW_WINDOW,
  };
  const opened = await openCapture(path, opts);
  const counters = new CaptureCounters();
  const engine = new ConnectionTracker(opts.keepSyns === true);
  if (!('reader' in opened)) {
    const none: Verdicts = { attempts: [], attemptsOmitted: 0, endpoints: [], findings: [], ports: [] };
    return { report: buildReport(path, null, counters, 0, [opened], [], [], none, settings), syns: [], synsOmitted: 0 };
  }
  const { reader, win } = opened;
  const dissector = new Dissector();
  const bulk = opts.bulkPath === false ? null : new BulkPath(counters, engine);
  const comments: FrameComment[] = [];
  let extraComments = 0;
  try {
    await forEachRecord(reader, win, (r) => {
      if (bulk === null || !bulk.take(r)) {
        const p = dissector.dissect(r);
        counters.add(p);
        engine.onPacket(p);
      }
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
  unsupportedLinkWarning(dissector.anomalies, problems);
  const undecoded = dissector.undecodedWarning();
  if (undecoded !== null) problems.push(undecoded);
  engine.finish();
  const verdicts = correlate(engine, {
    ...settings,
    snaplen: reader.info.snaplen,
    captureSeconds: counters.timed ? engine.rel(counters.maxSec, counters.maxNsec) : 0,
  });
  const anomalies = dissector.anomalies.summary().map((a) => ({ ...a, description: ANOMALIES[a.name].text }));
  const report = buildReport(path, opened, counters, engine.synRetransmissions, problems, anomalies, comments, verdicts, settings);
  return { report, syns: engine.synEvents, synsOmitted: engine.synEventsDropped };
}

/** Adds the warning for frames of link types that are counted but not decoded; returns `problems`. */
function unsupportedLinkWarning(anomalies: AnomalyCounter, problems: ReadProblem[]): ReadProblem[] {
  const lt = anomalies.count('unsupported_link_type');
  if (lt > 0) {
    problems.push({ code: 'unsupported-link-type', severity: 'warning', offset: 0, message: `${lt} frame(s) of a link type rpctrace cannot decode were counted but not analyzed` });
  }
  return problems;
}

function buildReport(
  path: string,
  opened: { reader: { format: FileReport['format']; info: NonNullable<FileReport['formatInfo']> }; compression: 'gzip' | null } | null,
  counters: CaptureCounters,
  synRetransmissions: number,
  problems: ReadProblem[],
  anomalies: FileReport['anomalies'],
  comments: FrameComment[],
  verdicts: Verdicts,
  settings: FileReport['settings'],
): FileReport {
  const errors = problems.filter((p) => p.severity === 'error');
  return {
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
    anomalies,
    comments,
    stats: counters.stats(synRetransmissions),
    findings: verdicts.findings,
    attempts: verdicts.attempts,
    attemptsOmitted: verdicts.attemptsOmitted,
    endpoints: verdicts.endpoints,
    ports: verdicts.ports,
    settings,
  };
}
