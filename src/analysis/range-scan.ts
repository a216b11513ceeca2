/**
 * The parallel stage of `analyze` for classic pcap (issue 4): one byte range of the file, read
 * by a worker thread. It finds the first record boundary in the range, dissects every record,
 * counts what the report counts, and forwards to the sequential stage only the frames the
 * connection engine's state machine needs: TCP control segments, the first segment of each
 * side of each conversation and the first after each control segment (handshake completion),
 * the first payload segments of each side (where DCE/RPC is recognised), all payload on TCP 135,
 * and ICMP. Per-conversation packet counts travel as summaries. The sequential stage
 * (parallel.ts) replays the forwarded frames in frame order and merges the counts, so findings
 * and frame numbers are those of a sequential run.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ByteWindow, FileSource } from '../capture/source.js';
import { PcapReader } from '../capture/pcap.js';
import { PcapngReader, type PcapngState } from '../capture/pcapng.js';
import type { CaptureReader, CaptureRecord } from '../capture/reader.js';
import { Dissector } from '../dissect/dissector.js';
import { L4 } from '../dissect/packet-info.js';
import { TcpFlag } from '../wire/constants.js';
import type { ReadProblem } from '../model/read-problem.js';
import { CaptureCounters, type CountersSnapshot } from './capture-stats.js';
import { FlowTable } from './flow-table.js';
import { grown } from './columns.js';

/** What a worker is asked to do. */
export interface RangeTask {
  path: string;
  format: 'pcap' | 'pcapng';
  /** pcap: the file's 24-byte header. */
  header: Uint8Array;
  /** pcapng: byte order and interfaces of the (only) section, for ranges after the first. */
  pcapng?: PcapngState;
  /** Where to start looking for the first record (the first range: 24, a known boundary). */
  start: number;
  /** Records that start at or after `end` belong to the next range. */
  end: number;
  /** True when `start` is known to be a record boundary. */
  exact: boolean;
  chunkSize?: number;
}

/** Columns of one conversation summary row in `RangeResult.flows`. */
export const FLOW_ROW = 16;
/**
 * Row layout: [words, a0..a3, b0..b3, aPort, bPort, pktsA, pktsB, dataA, dataB, partial]; side a
 * is the first sender seen in the range; `partial` bit 0/1: side a/b had payload segments that
 * were not forwarded.
 */
export const FlowCol = { WORDS: 0, A: 1, B: 5, A_PORT: 9, B_PORT: 10, PKTS_A: 11, PKTS_B: 12, DATA_A: 13, DATA_B: 14, PARTIAL: 15 } as const;

/** Bytes of a forwarded record's header: frame, tsSec, tsNsec, capLen, origLen, linkType. */
export const FWD_HDR = 24;

/** What a worker returns. `ok: false` asks the caller to analyze the file sequentially. */
export interface RangeResult {
  ok: boolean;
  reason: string;
  /** File offset of the first record in the range and of the record after the last one. */
  firstOffset: number;
  stopOffset: number;
  frames: number;
  firstTsSec: number;
  firstTsNsec: number;
  counters: CountersSnapshot;
  /** Anomaly counts by catalog index, and their first frames (range-local numbers). */
  anomalyCounts: number[];
  anomalyFrames: number[][];
  problems: ReadProblem[];
  forwarded: Uint8Array;
  forwardedCount: number;
  flows: Float64Array;
  flowCount: number;
  tcpSegments: number;
  payloadSegments: number;
  payloadCut: number;
  /** First frames (range-local) whose payload the snaplen cut. */
  cutFrames: number[];
  /** pcapng packet comments: range-local frame, text. */
  comments: [number, string][];
}

/** Payload segments per side forwarded for DCE/RPC recognition (connections.ts probes 8). */
const PROBES = 8;
/** Conversations one range may hold; past it the file is analyzed sequentially. */
const MAX_RANGE_FLOWS = 400_000;
/** Bytes searched for the first record boundary of a range. */
const BOUNDARY_SPAN = 4 * 1024 * 1024;
/** Consecutive plausible record headers that prove a boundary. */
const CHAIN = 8;

/**
 * Finds the first record boundary at or after `start`: a chain of plausible record headers
 * (pcap: whose times lie within an hour of each other; pcapng: blocks with the same length at
 * both ends). A false boundary is possible in principle (packet
 * bytes that look like such a chain); the caller detects it, because the previous range then
 * stops elsewhere, and falls back to a sequential read.
 */
export function findBoundary(fd: number, probe: BoundaryProbe, start: number, fileSize: number): number {
  const span = Math.min(BOUNDARY_SPAN, fileSize - start);
  const buf = new Uint8Array(span);
  const n = readSync(fd, buf, 0, span, start);
  for (let q = 0; q + 16 <= n; q++) {
    let o = q;
    let k = 0;
    let prevSec = -1;
    let atEnd = false;
    for (; k < CHAIN; k++) {
      if (start + o === fileSize) { atEnd = true; break; }
      if (o + 16 > n) break;
      const rec = probe(buf, o, n, k === 0);
      if (rec.len < 0) break;
      if (rec.sec >= 0 && prevSec >= 0 && Math.abs(rec.sec - prevSec) > MAX_RECORD_GAP_SECONDS) break;
      if (rec.sec >= 0) prevSec = rec.sec;
      o += rec.len;
    }
    if (k === CHAIN || (atEnd && k >= 2) || (o + 16 > n && k >= 4)) return start + q;
  }
  return -1;
}

/** Length and time (seconds, or -1 when the record has none) of a plausible record at `o`, len -1 when none. */
type BoundaryProbe = (b: Uint8Array, o: number, n: number, first: boolean) => { len: number; sec: number };

const probeOut = { len: -1, sec: -1 };

function pcapProbe(reader: PcapReader, b: Uint8Array, o: number, n: number): { len: number; sec: number } {
  probeOut.len = o + 16 <= n ? reader.plausibleRecord(b, o) : -1;
  probeOut.sec = probeOut.len < 0 ? -1 : reader.recordSeconds(b, o);
  return probeOut;
}

/** pcapng: block lengths at both ends must agree; a range starts at a packet-carrying block. */
function pcapngProbe(reader: PcapngReader): BoundaryProbe {
  return (b, o, n, first) => {
    probeOut.len = reader.plausibleBlock(b, o, n, first);
    probeOut.sec = -1;
    return probeOut;
  };
}

/** Consecutive records of one capture are rarely an hour apart; headers that are, are not a chain. */
const MAX_RECORD_GAP_SECONDS = 3600;

/** Reads one range. Never throws: a problem comes back as `ok: false` or in `problems`. */
export async function scanRange(t: RangeTask): Promise<RangeResult> {
  const counters = new CaptureCounters();
  const dissector = new Dissector();
  const res: RangeResult = {
    ok: true, reason: '', firstOffset: -1, stopOffset: -1, frames: 0, firstTsSec: 0, firstTsNsec: 0,
    counters: counters.snapshot(), anomalyCounts: [], anomalyFrames: [], problems: [],
    forwarded: new Uint8Array(0), forwardedCount: 0, flows: new Float64Array(0), flowCount: 0,
    tcpSegments: 0, payloadSegments: 0, payloadCut: 0, cutFrames: [], comments: [],
  };
  let fd = -1;
  try {
    fd = openSync(t.path, 'r');
    const size = fstatSync(fd).size;
    const blank = (): ByteWindow => new ByteWindow(new FileSource(fd, 0, 0, false), 64);
    let first = t.exact ? t.start
      : t.format === 'pcap' ? findBoundary(fd, (b, o, n) => pcapProbe(new PcapReader(blank(), t.header), b, o, n), t.start, size)
        : findBoundary(fd, pcapngProbe(new PcapngReader(blank(), t.pcapng!)), t.start, size);
    // No record starts between here and the end of the file (the last one began earlier).
    if (first < 0 && size - t.start <= BOUNDARY_SPAN) first = size;
    if (first < 0) return { ...res, ok: false, reason: `no record boundary found after offset ${t.start}` };
    res.firstOffset = first;
    res.stopOffset = first;
    if (first >= t.end) return res; // a record longer than the range: the previous range reads it
    const win = new ByteWindow(new FileSource(fd, first, Number.POSITIVE_INFINITY, false), t.chunkSize);
    win.base = first;
    const pcapng = t.format === 'pcapng' ? (t.exact ? new PcapngReader(win) : new PcapngReader(win, t.pcapng!)) : null;
    const reader: CaptureReader = pcapng ?? new PcapReader(win, t.header);
    const scan = new RangeScanner(dissector, counters);
    let stopped = false;
    for (;;) {
      const r = reader.next();
      if (r !== null) {
        if (r.fileOffset >= t.end) {
          // The first record of the next range: this range ends here.
          stopped = true;
          res.stopOffset = r.fileOffset;
          break;
        }
        scan.onRecord(r);
        continue;
      }
      if (win.wanted > 0) { await win.fill(); continue; }
      break;
    }
    if (!stopped) {
      // The end of the file, or a read problem (then the caller reads the file sequentially).
      res.stopOffset = size;
      res.problems = reader.problems;
    }
    if (pcapng !== null && (pcapng.structureChanged || (t.exact && pcapng.sectionCount > 1))) {
      return { ...res, ok: false, reason: 'pcapng: a section or interface starts inside the range' };
    }
    scan.finish(res);
    return res;
  } catch (e) {
    return { ...res, ok: false, reason: e instanceof RangeTooBusy ? 'too many conversations in one range' : e instanceof Error ? e.message : String(e) };
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

class RangeTooBusy extends Error {}
/** Something only a sequential read can do right (IP reassembly may span ranges). */
class RangeNeedsSequential extends Error {}

/**
 * The per-record work of a range, as a class so the hot method reads fields, not the
 * variables of an enclosing async function (measured slower as a closure).
 */
class RangeScanner {
  private readonly out = new Forwarder();
  private readonly flows = new RangeFlows();
  private frames = 0;
  private firstTsSec = 0;
  private firstTsNsec = 0;
  private tcpSegments = 0;
  private payloadSegments = 0;
  private payloadCut = 0;
  private readonly cutFrames: number[] = [];
  private readonly comments: [number, string][] = [];

  constructor(private readonly dissector: Dissector, private readonly counters: CaptureCounters) {}

  onRecord(r: CaptureRecord): void {
    if (this.frames === 0) { this.firstTsSec = r.tsSec; this.firstTsNsec = r.tsNsec; }
    this.frames++;
    if (r.comment !== null) this.comments.push([r.frame, r.comment]);
    const p = this.dissector.dissect(r);
    // Reassembly may span ranges; a file with IP fragments is read by one thread.
    if (this.dissector.fragments > 0) throw new RangeNeedsSequential('IP fragments');
    this.counters.add(p);
    if (p.l4 === L4.ICMP || p.l4 === L4.ICMPV6) {
      if (p.quoted.ipVersion !== 0) this.out.add(r);
      return;
    }
    if (p.l4 !== L4.TCP) return;
    this.tcpSegments++;
    const flows = this.flows;
    const hit = flows.table.lookup(p.buf, p.srcOff, p.dstOff, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort, true);
    if (hit.id < 0) throw new RangeTooBusy();
    const id = hit.id;
    if (hit.created) flows.add(id);
    const k = 2 * id + hit.dir;
    flows.pkts[k]!++;
    let forward = false;
    if ((p.tcpFlags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0) {
      forward = true;
      flows.afterControl[2 * id] = 1;
      flows.afterControl[2 * id + 1] = 1;
    } else if (flows.seen[k] === 0 || flows.afterControl[k] === 1) {
      forward = true;
      flows.afterControl[k] = 0;
    }
    flows.seen[k] = 1;
    if (p.payloadLen > 0) {
      this.payloadSegments++;
      flows.data[k]!++;
      if (p.payloadCaptured < p.payloadLen) {
        this.payloadCut++;
        if (this.cutFrames.length < 16) this.cutFrames.push(r.frame);
      }
      if (p.srcPort === 135 || p.dstPort === 135) forward = true;
      else if (flows.probes[k]! < PROBES) { flows.probes[k]!++; forward = true; }
      else if (!forward) flows.partial[id] = flows.partial[id]! | (hit.dir === 0 ? 1 : 2);
    }
    if (forward) this.out.add(r);
  }

  /** Moves what the scan gathered into the result. */
  finish(res: RangeResult): void {
    res.frames = this.frames;
    res.firstTsSec = this.firstTsSec;
    res.firstTsNsec = this.firstTsNsec;
    res.tcpSegments = this.tcpSegments;
    res.payloadSegments = this.payloadSegments;
    res.payloadCut = this.payloadCut;
    res.cutFrames = this.cutFrames;
    res.comments = this.comments;
    res.counters = this.counters.snapshot();
    const a = this.dissector.anomalies.snapshot();
    res.anomalyCounts = a.counts;
    res.anomalyFrames = a.frames;
    res.forwarded = this.out.bytes();
    res.forwardedCount = this.out.count;
    res.flows = this.flows.rows();
    res.flowCount = this.flows.table.size;
  }
}

/** Bytes a record takes in the forwarded encoding (header, data padded to 4). */
export const forwardedSize = (r: CaptureRecord): number => FWD_HDR + ((r.capLen + 3) & ~3);

/** Writes `r` in the forwarded encoding at `o` of `b` (`v` views the same bytes). */
export function writeForwarded(r: CaptureRecord, b: Uint8Array, v: DataView, o: number): void {
  v.setUint32(o, r.frame, true);
  v.setUint32(o + 4, r.tsSec, true);
  v.setUint32(o + 8, r.tsNsec, true);
  v.setUint32(o + 12, r.capLen, true);
  v.setUint32(o + 16, r.origLen, true);
  v.setInt32(o + 20, r.linkType, true);
  b.set(r.buf.subarray(r.off, r.off + r.capLen), o + FWD_HDR);
}

/** Forwarded records, appended into one growing buffer (copied once, handed over as is). */
class Forwarder {
  private buf = new Uint8Array(1 << 20);
  private view = new DataView(this.buf.buffer);
  private len = 0;
  count = 0;

  add(r: CaptureRecord): void {
    const need = forwardedSize(r);
    if (this.len + need > this.buf.length) {
      const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + need));
      b.set(this.buf.subarray(0, this.len));
      this.buf = b;
      this.view = new DataView(b.buffer);
    }
    writeForwarded(r, this.buf, this.view, this.len);
    this.len += need;
    this.count++;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Per-conversation state of one range, as columns (see ConvColumns in connections.ts). */
class RangeFlows {
  readonly table = new FlowTable(MAX_RANGE_FLOWS);
  pkts = new Uint32Array(0);
  data = new Uint32Array(0);
  probes = new Uint8Array(0);
  seen = new Uint8Array(0);
  afterControl = new Uint8Array(0);
  partial = new Uint8Array(0);

  add(id: number): void {
    if (id < this.partial.length) return;
    const n = Math.max(1024, this.partial.length * 2);
    this.pkts = grown(this.pkts, 2 * n);
    this.data = grown(this.data, 2 * n);
    this.probes = grown(this.probes, 2 * n);
    this.seen = grown(this.seen, 2 * n);
    this.afterControl = grown(this.afterControl, 2 * n);
    this.partial = grown(this.partial, n);
  }

  rows(): Float64Array {
    const n = this.table.size;
    const rows = new Float64Array(n * FLOW_ROW);
    const a = new Uint32Array(4);
    const b = new Uint32Array(4);
    for (let id = 0; id < n; id++) {
      const o = id * FLOW_ROW;
      const words = this.table.keyWords(id, a, b);
      rows[o + FlowCol.WORDS] = words;
      for (let i = 0; i < 4; i++) { rows[o + FlowCol.A + i] = a[i]!; rows[o + FlowCol.B + i] = b[i]!; }
      rows[o + FlowCol.A_PORT] = this.table.port(id, 0);
      rows[o + FlowCol.B_PORT] = this.table.port(id, 1);
      rows[o + FlowCol.PKTS_A] = this.pkts[2 * id]!;
      rows[o + FlowCol.PKTS_B] = this.pkts[2 * id + 1]!;
      rows[o + FlowCol.DATA_A] = this.data[2 * id]!;
      rows[o + FlowCol.DATA_B] = this.data[2 * id + 1]!;
      rows[o + FlowCol.PARTIAL] = this.partial[id]!;
    }
    return rows;
  }
}
