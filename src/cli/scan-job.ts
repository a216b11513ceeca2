/**
 * The work of `rpctrace scan` on one file, as a worker thread does it: analyze the file (or the
 * zip member), then keep only what the output needs: the file's row (ScanRow: the table, the
 * aggregate, the exit code) and, for json and jsonl, the file's entry already rendered as text,
 * so the main thread never holds or serialises a whole report.
 */
import { open as openFile } from 'node:fs/promises';
import { analyzeFile, analyzeStream, type AnalyzeOptions } from '../analysis/pipeline.js';
import { isZipMagic, openZipMember, type ZipMemberRef } from '../capture/zip.js';
import type { Finding } from '../model/finding.js';
import type { ReadProblem } from '../model/read-problem.js';
import type { FileReport } from '../model/report.js';
import { engineOptions, type EngineOptions } from './engine-options.js';
import type { FileFindingCount, FileTargetCount, ScanRow } from '../model/scan.js';
import { sortFindings } from '../report/common.js';
import { jsonItemText } from '../report/json.js';

/** `scan --format` values. */
export const SCAN_FORMATS = ['table', 'json', 'jsonl', 'csv', 'md', 'html'] as const;
export type ScanFormat = (typeof SCAN_FORMATS)[number];

/** What every job of one scan shares (plain data: it is copied to the worker threads). */
export interface JobSettings extends EngineOptions {
  format: ScanFormat;
  /**
   * --redact: the worker returns the whole report and the main thread redacts it (one
   * pseudonymizer for the run keeps pseudonyms one to one across files and workers).
   */
  redact?: boolean;
}

/** One file to analyze: a path, or a member of a zip archive shown as `display`. */
export type FileTask =
  | { kind: 'path'; path: string; /** Named on the command line: a non-capture is an error, not skipped. */ named: boolean }
  | { kind: 'member'; zip: string; member: ZipMemberRef; display: string };

/** A batch of files for one worker call: consecutive small files travel together. */
export interface BatchTask {
  settings: JobSettings;
  files: FileTask[];
}

/** What became of one file. */
export type JobResult =
  | { kind: 'file'; row: ScanRow; /** The rendered entry for json and jsonl, else null. */ text: string | null }
  /** With --redact: the report, for the main thread to redact and then make the row and entry of. */
  | { kind: 'report'; report: FileReport }
  | { kind: 'skip'; reason: string }
  /** A zip archive: the main thread lists its members. */
  | { kind: 'archive' };

/** Problems that mean "this is not a capture" rather than "this capture is damaged" (as `analyze`). */
const NOT_CAPTURE = new Set(['not-a-capture', 'empty-file']);

/** Targets kept per file for the aggregate (a file's findings are already folded; this bounds a message). */
export const MAX_FILE_TARGETS = 1000;

/** Runs a batch; never throws: an exception on one file becomes that file's internal error. */
export async function runBatch(task: BatchTask): Promise<JobResult[]> {
  const out: JobResult[] = [];
  for (const f of task.files) {
    try {
      out.push(await runFile(f, task.settings));
    } catch (e) {
      out.push(internalErrorResult(f.kind === 'path' ? f.path : f.display, e, task.settings));
    }
  }
  return out;
}

async function runFile(f: FileTask, settings: JobSettings): Promise<JobResult> {
  const opts: AnalyzeOptions = engineOptions(settings);
  if (f.kind === 'path') {
    const { report } = await analyzeFile(f.path, opts);
    if (notACapture(report)) {
      if (await startsLikeZip(f.path)) return { kind: 'archive' };
      if (!f.named) return { kind: 'skip', reason: report.errors[0]?.message ?? 'not a capture' };
    }
    return fileResult(report, settings);
  }
  // The first bytes are kept as they pass: a member that is itself an archive is said to be one.
  let head: Uint8Array | null = null;
  const { zip, member } = f;
  async function* watched(): AsyncGenerator<Uint8Array> {
    for await (const chunk of openZipMember(zip, member)) {
      if (head === null) head = chunk.subarray(0, 4);
      yield chunk;
    }
  }
  const { report } = await analyzeStream(watched(), { ...opts, name: f.display });
  if (notACapture(report)) {
    if (head !== null && isZipMagic(head)) return { kind: 'skip', reason: 'a zip archive inside a zip archive: not opened (extract the outer archive to read it)' };
    return { kind: 'skip', reason: report.errors[0]?.message ?? 'not a capture' };
  }
  return fileResult(report, settings);
}

const notACapture = (r: FileReport): boolean => r.format === null && r.errors.length > 0 && r.errors.every((e) => NOT_CAPTURE.has(e.code));

async function startsLikeZip(path: string): Promise<boolean> {
  try {
    const h = await openFile(path, 'r');
    try {
      const b = new Uint8Array(4);
      const { bytesRead } = await h.read(b, 0, 4, 0);
      return isZipMagic(b.subarray(0, bytesRead));
    } finally {
      await h.close();
    }
  } catch {
    return false;
  }
}

/**
 * The row and, for the formats that carry whole entries, the rendered entry; with --redact (and
 * not yet `redacted`), the report itself for the main thread.
 */
export function fileResult(report: FileReport, settings: JobSettings, redacted = false): JobResult {
  if (settings.redact === true && !redacted) return { kind: 'report', report };
  const row = scanRow(report);
  const text = settings.format === 'json' ? jsonItemText(report) : settings.format === 'jsonl' ? JSON.stringify({ record: 'file', ...report }) : null;
  return { kind: 'file', row, text };
}

/** One file's row of the scan (model/scan.ts). */
export function scanRow(f: FileReport): ScanRow {
  const sorted = sortFindings(f.findings);
  const worst = sorted[0];
  const counts = { error: 0, warning: 0, info: 0 };
  const byId = new Map<string, FileFindingCount>();
  const byTarget = new Map<string, FileTargetCount>();
  for (const x of sorted) {
    counts[x.severity]++;
    const c = byId.get(x.id);
    if (c === undefined) byId.set(x.id, { id: x.id, severity: x.severity, count: 1 });
    else c.count++;
    const t = targetOf(x);
    if (t === null) continue;
    const key = `${t.server}|${t.protocol}|${t.port}`;
    let g = byTarget.get(key);
    if (g === undefined) {
      if (byTarget.size >= MAX_FILE_TARGETS) continue;
      g = { ...t, findings: [] };
      byTarget.set(key, g);
    }
    const e = g.findings.find((y) => y.id === x.id);
    if (e === undefined) g.findings.push({ id: x.id, severity: x.severity, count: 1 });
    else e.count++;
  }
  const internalError = f.errors.some((e) => e.code === 'internal-error');
  return {
    path: f.path,
    format: f.format,
    compression: f.compression,
    frames: f.frames,
    complete: f.complete,
    errors: f.errors.length,
    warnings: f.warnings.length,
    firstError: f.errors[0]?.message ?? null,
    unreadable: f.errors.length > 0 && f.frames === 0 && !internalError,
    internalError,
    findings: counts,
    worst: worst === undefined ? null : { id: worst.id, severity: worst.severity, title: worst.title, client: worst.client, server: worst.server, port: worst.port, protocol: worst.protocol },
    byFinding: [...byId.values()],
    byTarget: [...byTarget.values()],
  };
}

/**
 * The target a finding is counted under: its server, transport and port. Findings without a
 * transport (capture-wide: a one-sided host pair, duplicates, the snaplen) or without a server
 * or a port are counted by id only.
 */
export function targetOf(x: Pick<Finding, 'server' | 'port' | 'protocol'>): { server: string; protocol: 'tcp' | 'udp' | 'icmp'; port: number } | null {
  if (x.protocol === null || x.server === null || x.port === null) return null;
  return { server: x.server, protocol: x.protocol, port: x.port };
}

/** A file entry for a file that has no report of its own: an archive that cannot be read, a crash. */
export function emptyReport(path: string, problem: ReadProblem, settings: JobSettings): FileReport {
  return {
    path, format: null, compression: null, formatInfo: null, linkTypes: [], frames: 0, firstTimestamp: null, lastTimestamp: null,
    durationSeconds: 0, complete: false, warnings: [], errors: [problem], interfaces: [], anomalies: [], comments: [],
    stats: { bytes: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0, nonIp: 0, tcpSyn: 0, tcpSynRetransmissions: 0, tcpSynAck: 0, tcpRst: 0, tcpFin: 0, icmpUnreachable: 0, nonPacketRecords: 0 },
    findings: [], attempts: [], attemptsOmitted: 0, endpoints: [], ports: [],
    settings: { dynamicRanges: settings.dynamicRanges, followWindowSeconds: settings.followWindowSeconds },
  };
}

/** The result for a file rpctrace failed on: a bug, reported for that file (exit code 3). */
export function internalErrorResult(path: string, e: unknown, settings: JobSettings): JobResult {
  const detail = e instanceof Error ? e.message : String(e);
  return fileResult(emptyReport(path, {
    code: 'internal-error', severity: 'error', offset: 0,
    message: `rpctrace failed on this file: ${detail} (a bug in rpctrace: please report it; the other files were read)`,
  }, settings), settings);
}
