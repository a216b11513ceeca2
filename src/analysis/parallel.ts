/**
 * The sequential stage of the parallel analysis (issue 4). Worker threads read byte ranges of a
 * classic pcap file (range-scan.ts); this module hands out the ranges, then takes the results in
 * file order: it checks that each range starts where the previous one stopped, numbers the
 * frames, merges the counts, and replays the forwarded frames through the one connection engine.
 * Anything unexpected returns null and the caller analyzes the file sequentially, so the result
 * is either exactly the sequential one or the sequential run itself.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { ByteWindow, FileSource } from '../capture/source.js';
import { PcapReader, pcapMagic } from '../capture/pcap.js';
import { BlockType, PcapngReader, type PcapngState } from '../capture/pcapng.js';
import { u32le } from '../wire/bytes.js';
import { CaptureRecord, type CaptureReader } from '../capture/reader.js';
import { Dissector } from '../dissect/dissector.js';
import { AnomalyCounter } from '../dissect/anomaly-counter.js';
import { L4 } from '../dissect/packet-info.js';
import { looksLikeCoPdu } from '../wire/dcerpc.js';
import type { FormatInfo } from '../capture/reader.js';
import { CaptureCounters } from './capture-stats.js';
import type { ConnectionTracker } from './connections.js';
import { FlowTable } from './flow-table.js';
import { FLOW_ROW, FWD_HDR, FlowCol, forwardedSize, scanRange, writeForwarded, type RangeResult, type RangeTask } from './range-scan.js';

/** How to split and run. */
export interface ParallelOptions {
  workers: number;
  /** Bytes per range; more ranges than workers balance the load. */
  rangeBytes: number;
  chunkSize?: number;
  /** Run the ranges in this thread instead of worker threads (tests, and a debugging aid). */
  inProcess?: boolean;
}

/** What the parallel stage produced: the same pieces the sequential pipeline builds. */
export interface ParallelOutcome {
  format: 'pcap' | 'pcapng';
  counters: CaptureCounters;
  anomalies: AnomalyCounter;
  info: FormatInfo;
  comments: { frame: number; text: string }[];
}

/** Default bytes per range. */
export const DEFAULT_RANGE_BYTES = 64 * 1024 * 1024;

/**
 * Analyzes a plain (uncompressed, seekable) classic pcap file in parallel into `engine`, which
 * must have been made with external counts. Returns null when the file is not suitable or
 * anything did not add up: the caller then runs the sequential pipeline on a fresh engine.
 */
export async function analyzeParallel(path: string, engine: ConnectionTracker, o: ParallelOptions): Promise<ParallelOutcome | null> {
  const head = await fileHead(path, o.chunkSize);
  if (head === null) return null;
  const { size, format, header, pcapng, info, dataStart } = head;
  const tasks: RangeTask[] = [];
  const chunk = o.chunkSize !== undefined ? { chunkSize: o.chunkSize } : {};
  for (let start = dataStart, first = true; start < size; start += o.rangeBytes, first = false) {
    // The first range starts at the file header, so its reader reads the header itself.
    tasks.push({ path, format, header, ...(pcapng !== null ? { pcapng } : {}), start: first ? (format === 'pcap' ? 24 : 0) : start, end: Math.min(size, start + o.rangeBytes), exact: first, ...chunk });
  }
  if (tasks.length === 0) return null;
  const results = o.inProcess === true ? inProcess(tasks) : pool(tasks, o.workers);

  const counters = new CaptureCounters();
  const anomalies = new AnomalyCounter();
  const dissector = new Dissector();
  const rec = new CaptureRecord();
  const comments: { frame: number; text: string }[] = [];
  let frameBase = 0;
  let prevStop = tasks[0]!.start;
  let origin = false;
  try {
    for (let i = 0; i < tasks.length; i++) {
      const r = await results.get(i);
      if (!r.ok || r.firstOffset !== prevStop) return null;
      // Any read problem (a file cut short, a bad length, a snaplen warning) is left to the
      // sequential reader, whose messages number records and count repeats over the whole file.
      if (r.problems.length > 0) return null;
      prevStop = r.stopOffset;
      if (r.frames > 0 && !origin) { engine.setOrigin(r.firstTsSec, r.firstTsNsec); origin = true; }
      counters.merge(r.counters);
      for (const [f, text] of r.comments) comments.push({ frame: f + frameBase, text });
      anomalies.merge(r.anomalyCounts, r.anomalyFrames, frameBase);
      replay(r, frameBase, engine, dissector, rec, await extraFrames(r, tasks[i]!, engine, o.chunkSize));
      for (let f = 0; f < r.flowCount; f++) addRow(engine, r.flows, f);
      engine.addSegmentCounts(r.tcpSegments, r.payloadSegments, r.payloadCut, r.cutFrames.map((x) => x + frameBase));
      frameBase += r.frames;
    }
  } finally {
    results.close();
  }
  if (prevStop !== size) return null;
  engine.settleCounts();
  return { format, counters, anomalies, info, comments };
}

/** What the stages need to know of the file before splitting it. */
interface FileHead {
  size: number;
  format: 'pcap' | 'pcapng';
  header: Uint8Array;
  pcapng: PcapngState | null;
  info: FormatInfo;
  /** Where the first packet record starts (after the file header, SHB and IDBs). */
  dataStart: number;
}

/**
 * Reads the file header (pcap) or the section header and interface blocks up to the first
 * packet (pcapng). Null for anything else: gzip, NetMon, a file too short, a read error.
 */
async function fileHead(path: string, chunkSize?: number): Promise<FileHead | null> {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const header = new Uint8Array(24);
    if (readSync(fd, header, 0, 24, 0) !== 24) return null;
    if (pcapMagic(header, 0) !== null) {
      const info = new PcapReader(new ByteWindow(new FileSource(-1, 0, 0, false), 64), header).info;
      if (info.version.split('.')[0] !== '2') return null;
      return { size, format: 'pcap', header, pcapng: null, info, dataStart: 24 };
    }
    if (u32le(header, 0) !== BlockType.SHB) return null;
    const win = new ByteWindow(new FileSource(fd, 0, Number.POSITIVE_INFINITY, false), chunkSize);
    await win.fill();
    const reader = new PcapngReader(win);
    let first: CaptureRecord | null = null;
    for (;;) {
      first = reader.next();
      if (first !== null || win.wanted === 0) break;
      await win.fill();
    }
    if (first === null || reader.problems.length > 0) return null;
    return { size, format: 'pcapng', header, pcapng: reader.state(), info: { ...reader.info }, dataStart: first.fileOffset };
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Results by range index, computed in worker threads. */
interface Results {
  get(i: number): Promise<RangeResult>;
  close(): void;
}

function pool(tasks: readonly RangeTask[], n: number): Results {
  const pending = tasks.map(() => {
    let resolve!: (r: RangeResult) => void;
    const p = new Promise<RangeResult>((res) => { resolve = res; });
    return { p, resolve };
  });
  const workers: Worker[] = [];
  const idle: Worker[] = [];
  let next = 0;
  /** Results are taken in order; workers run at most this far ahead, so memory stays bounded. */
  let taken = 0;
  const ahead = 2 * n;
  const failed = (e: unknown): RangeResult => ({ ok: false, reason: e instanceof Error ? e.message : String(e) } as RangeResult);
  const feed = (): void => {
    while (idle.length > 0 && next < tasks.length && next < taken + ahead) {
      const w = idle.pop()!;
      const i = next++;
      w.once('message', (r: RangeResult) => { pending[i]!.resolve(r); idle.push(w); feed(); });
      w.postMessage(tasks[i]);
    }
  };
  for (let k = 0; k < Math.min(n, tasks.length); k++) {
    const w = new Worker(new URL('./range-worker.js', import.meta.url));
    w.on('error', (e) => { for (const q of pending) q.resolve(failed(e)); });
    workers.push(w);
    idle.push(w);
  }
  feed();
  return {
    get: (i) => { taken = Math.max(taken, i); feed(); return pending[i]!.p; },
    close: () => { for (const w of workers) void w.terminate(); },
  };
}

function inProcess(tasks: readonly RangeTask[]): Results {
  const cache = new Map<number, Promise<RangeResult>>();
  return {
    get: (i) => {
      let p = cache.get(i);
      if (p === undefined) cache.set(i, (p = scanRange(tasks[i]!)));
      return p;
    },
    close: () => {},
  };
}

/** Merges one conversation summary row into the engine (ROW is reused: rows are read one at a time). */
function addRow(engine: ConnectionTracker, rows: Float64Array, f: number): void {
  const r = ROW;
  r.read(rows, f);
  engine.addCounts(r.words, r.a, r.aPort, r.b, r.bPort, r.pktsA, r.pktsB, r.dataA, r.dataB);
}

/**
 * Frames a range did not forward but the engine needs: every payload segment of a conversation
 * that is (or may become, in this range) DCE/RPC, where the worker forwarded only its first
 * segments. Rare: an RPC conversation on a dynamic port with more than a few segments per side
 * in one range. Those are read again here, from the file.
 */
async function extraFrames(r: RangeResult, task: RangeTask, engine: ConnectionTracker, chunkSize?: number): Promise<Uint8Array[]> {
  const partial: number[] = [];
  for (let f = 0; f < r.flowCount; f++) if (r.flows[f * FLOW_ROW + FlowCol.PARTIAL]! !== 0) partial.push(f);
  if (partial.length === 0) return [];
  // One pass over the forwarded frames: which frames the range already sent, and which
  // conversations have a payload segment starting with a PDU header (what the engine probes for).
  const forwarded = new Set<number>();
  const probed = new FlowTable(1 << 20);
  const dissector = new Dissector();
  forEachForwarded(r, 0, new CaptureRecord(), (x) => {
    forwarded.add(x.frame);
    const p = dissector.dissect(x);
    if (p.l4 !== L4.TCP || p.payloadLen === 0 || !looksLikeCoPdu(p.buf, p.payloadOff, p.payloadOff + p.payloadCaptured)) return;
    probed.lookup(p.buf, p.srcOff, p.dstOff, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort, true);
  });
  // A partial conversation may be RPC when the engine already says so, or a probe may find it.
  const need = new FlowTable(1 << 20);
  const row = new FlowRow();
  for (const f of partial) {
    row.read(r.flows, f);
    if (!engine.hasRpc(row.words, row.a, row.aPort, row.b, row.bPort) && probed.lookupWords(row.words, row.a, row.aPort, row.b, row.bPort).id < 0) continue;
    const key = row.keyBytes();
    need.lookup(key, 0, row.words * 4, row.words * 4, row.aPort, row.bPort, true);
  }
  if (need.size === 0) return [];
  // Read the range again; keep payload segments of the needed conversations not yet forwarded.
  const extra: Uint8Array[] = [];
  const fd = openSync(task.path, 'r');
  try {
    const win = new ByteWindow(new FileSource(fd, r.firstOffset, r.stopOffset, false), chunkSize);
    win.base = r.firstOffset;
    const reader: CaptureReader = task.format === 'pcap' ? new PcapReader(win, task.header) : task.exact ? new PcapngReader(win) : new PcapngReader(win, task.pcapng!);
    for (;;) {
      const x = reader.next();
      if (x === null) {
        if (win.wanted > 0) { await win.fill(); continue; }
        break;
      }
      if (forwarded.has(x.frame)) continue;
      const p = dissector.dissect(x);
      if (p.l4 !== L4.TCP || p.payloadLen === 0) continue;
      if (need.lookup(p.buf, p.srcOff, p.dstOff, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort, false).id < 0) continue;
      const buf = new Uint8Array(forwardedSize(x));
      writeForwarded(x, buf, new DataView(buf.buffer), 0);
      extra.push(buf);
    }
  } finally {
    closeSync(fd);
  }
  return extra;
}

/** One conversation summary row of a range result, read into reusable fields. */
class FlowRow {
  words = 0;
  readonly a = new Uint32Array(4);
  readonly b = new Uint32Array(4);
  aPort = 0;
  bPort = 0;
  pktsA = 0;
  pktsB = 0;
  dataA = 0;
  dataB = 0;

  read(rows: Float64Array, f: number): void {
    const o = f * FLOW_ROW;
    this.words = rows[o + FlowCol.WORDS]!;
    for (let i = 0; i < 4; i++) { this.a[i] = rows[o + FlowCol.A + i]!; this.b[i] = rows[o + FlowCol.B + i]!; }
    this.aPort = rows[o + FlowCol.A_PORT]!;
    this.bPort = rows[o + FlowCol.B_PORT]!;
    this.pktsA = rows[o + FlowCol.PKTS_A]!;
    this.pktsB = rows[o + FlowCol.PKTS_B]!;
    this.dataA = rows[o + FlowCol.DATA_A]!;
    this.dataB = rows[o + FlowCol.DATA_B]!;
  }

  /** Both addresses as bytes (a then b), for a FlowTable lookup. */
  keyBytes(): Uint8Array {
    const key = new Uint8Array(this.words * 8);
    const v = new DataView(key.buffer);
    for (let i = 0; i < this.words; i++) { v.setUint32(4 * i, this.a[i]!); v.setUint32(this.words * 4 + 4 * i, this.b[i]!); }
    return key;
  }
}

/** Calls `fn` for each forwarded record of `r`, numbered from `frameBase`. */
function forEachForwarded(r: RangeResult, frameBase: number, rec: CaptureRecord, fn: (x: CaptureRecord) => void): void {
  const b = r.forwarded;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  for (let k = 0; k < r.forwardedCount; k++) {
    fill(rec, b, v, o, frameBase);
    fn(rec);
    o += FWD_HDR + ((rec.capLen + 3) & ~3);
  }
}

function fill(rec: CaptureRecord, b: Uint8Array, v: DataView, o: number, frameBase: number): void {
  rec.frame = v.getUint32(o, true) + frameBase;
  rec.tsSec = v.getUint32(o + 4, true);
  rec.tsNsec = v.getUint32(o + 8, true);
  rec.capLen = v.getUint32(o + 12, true);
  rec.origLen = v.getUint32(o + 16, true);
  rec.linkType = v.getInt32(o + 20, true);
  rec.isPacket = true;
  rec.comment = null;
  rec.buf = b;
  rec.off = o + FWD_HDR;
}

/** Feeds the range's forwarded frames, and the extra ones, to the engine in frame order. */
function replay(r: RangeResult, frameBase: number, engine: ConnectionTracker, dissector: Dissector, rec: CaptureRecord, extra: Uint8Array[]): void {
  extra.sort((x, y) => new DataView(x.buffer).getUint32(0, true) - new DataView(y.buffer).getUint32(0, true));
  let e = 0;
  const flushExtra = (before: number): void => {
    while (e < extra.length) {
      const x = extra[e]!;
      const v = new DataView(x.buffer);
      if (v.getUint32(0, true) + frameBase >= before) return;
      fill(rec, x, v, 0, frameBase);
      engine.onPacket(dissector.dissect(rec));
      e++;
    }
  };
  const fwd = new CaptureRecord();
  forEachForwarded(r, frameBase, fwd, (x) => {
    flushExtra(x.frame);
    engine.onPacket(dissector.dissect(x));
  });
  flushExtra(Number.POSITIVE_INFINITY);
}

const ROW = new FlowRow();
