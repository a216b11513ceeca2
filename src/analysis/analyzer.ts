/**
 * The analyzer interface (Zeek's packet analyzers, gopacket's DecodingLayer): each analysis is a
 * module with one job that says what it needs to see, handles one packet at a time, and
 * concludes at the end. The frame loop (capture-analysis.ts) and the bulk path never name an
 * application protocol: they ask the analyzers, through `Interest` and the conversations' want
 * marks, which packets must take the general path.
 */
import type { StreamLoss } from './tcp-stream.js';
import type { PacketInfo } from '../dissect/packet-info.js';
import type { ConversationTable } from './conversations.js';

/** A record's place in the capture: its frame number and time. */
export interface Stamped {
  readonly frame: number;
  readonly tsSec: number;
  readonly tsNsec: number;
  /** The format gives the record no time (its time fields are 0): the clock stays where it is. */
  readonly untimed: boolean;
}

/** A step back in time larger than this (seconds) is a jump, not capture jitter. */
const BACK_TOLERANCE = 1;

/**
 * The capture's clock: relative times are seconds since the first packet, and never run back.
 * When a frame is more than a second older than the latest before it (traces joined in file
 * order, a clock set back), the times after it are shifted forward to go on from the latest, as
 * if the pieces followed one another; the jumps are counted for the report.
 */
export class Clock {
  /** Time of the first packet record (NaN before it). */
  originSec = Number.NaN;
  originNsec = 0;
  /** Time of the latest packet record. */
  nowSec = 0;
  nowNsec = 0;
  /** The latest relative time so far. */
  latest = 0;
  /** Seconds added to times after the jumps back so far. */
  private shift = 0;
  /** `rel(nowSec, nowNsec)`, kept by `see`. */
  private current = 0;
  /** Jumps back: how many, the first (frame, time), and the largest (seconds). */
  backJumps = 0;
  firstJumpFrame = 0;
  firstJumpTime = 0;
  largestJump = 0;

  /** True once the first packet set the origin. */
  get started(): boolean {
    return !Number.isNaN(this.originSec);
  }

  /**
   * Moves the clock to a packet record, in file order. Times are read from the record, not
   * passed in: seconds above 2^30 passed as arguments would be boxed, an allocation per packet.
   */
  see(r: Stamped): void {
    if (r.untimed) return;
    if (Number.isNaN(this.originSec)) { this.originSec = r.tsSec; this.originNsec = r.tsNsec; }
    this.nowSec = r.tsSec;
    this.nowNsec = r.tsNsec;
    const t = (r.tsSec - this.originSec) + (r.tsNsec - this.originNsec) / 1e9 + this.shift;
    if (t >= this.latest) { this.latest = t; this.current = t; return; }
    const back = this.latest - t;
    if (back <= BACK_TOLERANCE) { this.current = t > 0 ? t : 0; return; }
    this.shift += back;
    this.current = this.latest;
    if (this.backJumps++ === 0) { this.firstJumpFrame = r.frame; this.firstJumpTime = this.latest; }
    if (back > this.largestJump) this.largestJump = back;
  }

  /** Seconds since the first packet (at least 0), of a time at or near the latest packet's. */
  rel(sec: number, nsec: number): number {
    const t = (sec - this.originSec) + (nsec - this.originNsec) / 1e9 + this.shift;
    return t > 0 ? t : 0;
  }

  /**
   * Seconds since the first packet, of the latest packet: `rel` of its time, computed once per
   * packet by `see` (the bulk path asks for it on every segment).
   */
  now(): number {
    return this.current;
  }
}

/** A test on the first bytes of a payload: does it start like this analyzer's protocol? */
export type PayloadProbe = (b: Uint8Array, off: number, end: number) => boolean;

/**
 * What the analyzers need to see of TCP payload beyond control segments and their own
 * conversations (which they mark with `ConversationTable.want`). The bulk path reads it.
 */
export class Interest {
  /** 1 for TCP ports whose payload (either direction) an analyzer reads. */
  readonly tcpPayloadPorts = new Uint8Array(65536);
  /** Payload segments per conversation side offered to `probes` before the side counts as not theirs. */
  probeWindow = 0;
  readonly probes: PayloadProbe[] = [];

  /** Payload on TCP `port` must take the general path. */
  tcpPayloadOn(port: number): void {
    this.tcpPayloadPorts[port] = 1;
  }

  /** The first `window` payload segments of each conversation side that pass `probe` must take the general path. */
  probe(window: number, probe: PayloadProbe): void {
    this.probeWindow = Math.max(this.probeWindow, window);
    this.probes.push(probe);
  }

  /** True when any probe recognises the payload `b[off, end)`. */
  probed(b: Uint8Array, off: number, end: number): boolean {
    for (const p of this.probes) if (p(b, off, end)) return true;
    return false;
  }
}

/** What every analyzer of one capture shares. */
export interface AnalysisContext {
  readonly clock: Clock;
  readonly conversations: ConversationTable;
  readonly interest: Interest;
  /** Where a stream reassembler reports the bytes it had to drop (anomalies tcp_stream_gap, tcp_bytes_discarded). */
  readonly streamLoss: StreamLoss;
}

/** Where a TCP segment stands in its conversation's probe window (see `Interest.probe`). */
export const Probe = {
  /** No payload, or the conversation side's window is used up. */
  NONE: 0,
  /** One of the side's first `probeWindow` payload segments. */
  WITHIN: 1,
} as const;
export type Probe = (typeof Probe)[keyof typeof Probe];

/**
 * One analysis. The methods a class defines say which packets it is given (on the general path
 * only: plain segments the bulk path takes never reach an analyzer, so an analyzer that needs
 * them must say so through `Interest` or a want mark).
 */
export interface Analyzer {
  /** Short name, for tests and diagnostics. */
  readonly name: string;
  /** Called once before the first packet: declare interest, take a want bit. */
  attach(ctx: AnalysisContext): void;
  /**
   * A TCP segment. `id` is its conversation (-1 when the table was full), `dir` the side that
   * sent it; `probe` says whether it is within its side's probe window.
   */
  tcp?(p: PacketInfo, id: number, dir: 0 | 1, probe: Probe): void;
  /** A datagram that completed IP reassembly whose first fragment was already handled: only its payload is new. */
  reassembledTcp?(p: PacketInfo, id: number, dir: 0 | 1): void;
  /** A UDP datagram. */
  udp?(p: PacketInfo): void;
  /** An ICMP or ICMPv6 message. */
  icmp?(p: PacketInfo): void;
  /** A capture copy of frame `original` (checked for SYN, FIN, RST and quoted ICMP only); nothing else sees it. */
  copy?(p: PacketInfo, original: number): void;
  /** After the last frame. */
  finish?(): void;
}
