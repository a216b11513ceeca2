/**
 * The versioned report document: what `--format json` prints and every renderer reads.
 * Field-by-field documentation lives in the README ("JSON output"); keep both in step.
 */
import type { ReadProblem } from './read-problem.js';
import type { AnomalyName } from './anomalies.js';
import type { Attempt, Endpoint, PortSummary } from './connections.js';
import type { Finding } from './finding.js';
import type { AgentReport } from './agent.js';

/** Bumped when a field changes meaning or disappears; adding fields does not bump it. */
export const SCHEMA_VERSION = 1;

/** Frame counts by protocol and TCP control flag. */
export interface CaptureStats {
  /** Captured bytes of all frames (record data, not file size). */
  bytes: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  icmpv6: number;
  /** Frames with no IPv4/IPv6 header we could find (ARP, STP, other EtherTypes, unsupported links). */
  nonIp: number;
  /** SYN without ACK: connection attempts, retransmissions included. */
  tcpSyn: number;
  /** Of those, retransmissions (same 4-tuple and initial sequence number as an earlier SYN). */
  tcpSynRetransmissions: number;
  tcpSynAck: number;
  tcpRst: number;
  tcpFin: number;
  /** ICMPv4 type 3 and ICMPv6 type 1 messages. */
  icmpUnreachable: number;
  /** Records that are frames in Wireshark but hold no packet (pcapng custom and systemd-journal blocks). */
  nonPacketRecords: number;
}

/** Frames per link type. */
export interface LinkTypeCount {
  linkType: number;
  name: string;
  frames: number;
  /** False when rpctrace cannot decode this link type (frames counted, not analyzed). */
  decoded: boolean;
}

/** A decoding anomaly and how often it occurred. */
export interface AnomalyCount {
  name: AnomalyName;
  description: string;
  count: number;
  firstFrames: number[];
}

/** A pcapng packet comment. */
export interface FrameComment {
  frame: number;
  text: string;
}

/** A pcapng interface that has a name or a description (text from the capture). */
export interface CaptureInterfaceInfo {
  /** 1-based pcapng section and the interface id within it. */
  section: number;
  id: number;
  linkType: number;
  name: string | null;
  description: string | null;
}

/** One capture file's report. */
export interface FileReport {
  path: string;
  /** null when the file could not be recognised at all. */
  format: 'pcap' | 'pcapng' | 'netmon' | null;
  compression: 'gzip' | null;
  formatInfo: {
    byteOrder: 'little' | 'big';
    timestampResolution: string;
    version: string;
    snaplen: number;
    sections: number;
  } | null;
  linkTypes: LinkTypeCount[];
  frames: number;
  /** Earliest and latest frame time, ISO 8601 UTC with nanoseconds; null without frames. */
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  durationSeconds: number;
  /** false when reading stopped at an error (the frames before it were analyzed). */
  complete: boolean;
  warnings: ReadProblem[];
  errors: ReadProblem[];
  /** pcapng interfaces with a name or a description (the first 256); [] for other formats. */
  interfaces: CaptureInterfaceInfo[];
  anomalies: AnomalyCount[];
  comments: FrameComment[];
  stats: CaptureStats;
  /** Verdicts, most severe first. */
  findings: Finding[];
  /** TCP connection attempts (first SYN and its answers), in frame order; at most 20,000 (failures first). */
  attempts: Attempt[];
  /** Attempts analyzed but not listed in `attempts` (0 unless the capture has more than 20,000). */
  attemptsOmitted: number;
  /** Every TCP endpoint advertised by the endpoint mapper or DCOM, in frame order. */
  endpoints: Endpoint[];
  /** Per server port: attempts and how they ended, ascending by port. */
  ports: PortSummary[];
  /** The settings the verdicts used. */
  settings: { dynamicRanges: [number, number][]; followWindowSeconds: number };
  /**
   * The agent checks: which hosts were taken for agents, management servers and domain
   * controllers and why, required ports, heartbeats, transactions. Present only when the agent
   * checks ran (the capture shows 5723 traffic, or an option asked for them), so reports of
   * other captures are what they were.
   */
  agent?: AgentReport;
}

/** The whole document. */
export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'rpctrace'; version: string };
  files: FileReport[];
  /** Files found in a directory argument that are not captures (not analyzed, not an error). */
  skipped: { path: string; reason: string }[];
}

/** One SYN (without ACK), for `rpctrace syn`. */
export interface SynEvent {
  frame: number;
  time: string;
  /** Seconds since the first frame of the capture. */
  relativeTime: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  /** Flags in Network Monitor order C E U A P R S F, dots for clear bits. */
  flags: string;
  /** Initial sequence number. */
  seq: number;
  /** Frame of the first SYN of this attempt when this one is a retransmission, else null. */
  retransmitOf: number | null;
  /**
   * Frame this one is a capture copy of (same packet recorded twice within 10 ms, as pktmon
   * does), else null. A copy is neither a retransmission nor a new attempt.
   */
  duplicateOf: number | null;
  /** 1 for the first attempt on this 4-tuple, 2 for a new ISN on the same 4-tuple, ...; 0 for a copy or an untracked SYN. */
  attempt: number;
}

/** `rpctrace syn --format json` document. */
export interface SynReport {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'rpctrace'; version: string };
  path: string;
  syns: SynEvent[];
  /** SYNs not listed because the list reached its bound (50,000). */
  omitted: number;
  warnings: ReadProblem[];
  errors: ReadProblem[];
}
