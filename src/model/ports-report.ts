/** The `rpctrace ports` document: per file, how connection attempts fared per server port. */
import type { PortSummary } from './connections.js';
import type { ReadProblem } from './read-problem.js';
import type { SCHEMA_VERSION } from './report.js';

/** One file of the `ports` document. */
export interface PortsFile {
  path: string;
  /** Ascending by port. */
  ports: PortSummary[];
  /** The expected dynamic ranges `inRange` was judged against. */
  dynamicRanges: [number, number][];
  /** Read problems that stopped reading; the ports cover the frames before them. */
  errors: ReadProblem[];
}

/** `rpctrace ports --format json` document. */
export interface PortsReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'rpctrace'; version: string };
  files: PortsFile[];
}
