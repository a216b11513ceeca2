/**
 * `rpctrace scan`: what one file contributes to the summary (a row of the table, its part of the
 * aggregate), and the aggregate across files. Documented field by field in the README
 * ("rpctrace scan"); keep both in step.
 */
import type { FindingId, FindingProtocol, Severity } from './finding.js';

/** A file found in the tree (or an archive member) that is not read: `path` as shown, and why. */
export interface ScanSkipped {
  path: string;
  reason: string;
}

/** The worst finding of a file: its id, severity, one-line title and target. */
export interface WorstFinding {
  id: FindingId;
  severity: Severity;
  title: string;
  client: string | null;
  server: string | null;
  port: number | null;
  protocol: FindingProtocol;
}

/** One finding id in one file: how many times. */
export interface FileFindingCount {
  id: FindingId;
  severity: Severity;
  count: number;
}

/** One target (server, transport, port) in one file: how many times each finding id names it. */
export interface FileTargetCount {
  server: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  port: number;
  findings: FileFindingCount[];
}

/**
 * One file's row: small, made in the worker that analyzed the file, so that the summary and the
 * aggregate never need the file's whole report.
 */
export interface ScanRow {
  path: string;
  format: 'pcap' | 'pcapng' | 'netmon' | null;
  compression: 'gzip' | null;
  frames: number;
  complete: boolean;
  errors: number;
  warnings: number;
  /** The first error's message, when there is one (why a file could not be read, where it stopped). */
  firstError: string | null;
  /** No frame could be analyzed because of an error (exit code 2). */
  unreadable: boolean;
  /** rpctrace failed on this file: a bug (exit code 3). */
  internalError: boolean;
  findings: { error: number; warning: number; info: number };
  worst: WorstFinding | null;
  byFinding: FileFindingCount[];
  /** Targets of the findings that name a transport, a server and a port (see the README). */
  byTarget: FileTargetCount[];
}

/** A finding id across files. */
export interface AggregateFinding {
  id: FindingId;
  severity: Severity;
  /** Files with at least one such finding. */
  files: number;
  /** Such findings in all files. */
  count: number;
}

/** A target across files, with the findings that name it. */
export interface AggregateTarget {
  server: string;
  protocol: 'tcp' | 'udp' | 'icmp';
  port: number;
  /** Findings about this target, most severe first, then by files. */
  findings: AggregateFinding[];
  /** Files with at least one finding about this target. */
  files: number;
}

/** The aggregate across files (`aggregate` in `scan --format json`). */
export interface ScanAggregate {
  files: number;
  frames: number;
  /** Files that could not be read at all. */
  unreadable: number;
  /** Files rpctrace failed on (a bug). */
  internalErrors: number;
  skipped: number;
  byFinding: AggregateFinding[];
  byTarget: AggregateTarget[];
  /** Distinct targets seen after `byTarget` reached its bound (their findings are in `byFinding` only). */
  targetsOmitted: number;
}
