/**
 * TCP conversations and what every analysis may ask of them: packets and payload segments per
 * side, first and last frame, the SYN sequence number of each side, the probe window, and the
 * analyzers' want marks. State lives in typed-array columns indexed by the flow table's dense
 * ids (two slots per conversation for per-side values: [id * 2 + side]): about 70 bytes a
 * conversation, where an object per conversation cost several hundred. Side 0 is the first
 * sender; addresses and ports live in the flow table.
 */
import type { CaptureRecord } from '../capture/reader.js';
import type { PacketInfo } from '../dissect/packet-info.js';
import { IpProto, TcpFlag } from '../wire/constants.js';
import type { FrameAt } from '../model/observations.js';
import { ITEM_BYTES, type MemoryBudget } from '../model/memory-budget.js';
import { Probe, type Clock, type Interest } from './analyzer.js';
import { grown } from './columns.js';
import { FlowTable, type FlowHit } from './flow-table.js';

/** Snaplen-cut segments kept as examples. */
const CUT_EXAMPLES = 5;
/** Conversations charged to the memory budget at a time: nothing is charged per conversation. */
const CHARGE_BLOCK = 4096;

/** The capture's TCP conversations. */
export class ConversationTable {
  readonly flows: FlowTable;
  /** Packets and payload-carrying packets per side. */
  private pkts = new Uint32Array(0);
  private data = new Uint32Array(0);
  /** Last SYN sequence number per side, -1 when none. */
  private isnCol = new Float64Array(0);
  /** Payload segments per side offered to the probes (saturates at the probe window). */
  private probedCol = new Uint8Array(0);
  /** Bits of the analyzers that want every packet of the conversation on the general path. */
  private wantCol = new Uint8Array(0);
  private firstFrame = new Float64Array(0);
  private firstTime = new Float64Array(0);
  private lastFrame = new Float64Array(0);
  private lastTime = new Float64Array(0);
  private v6 = new Uint8Array(0);
  size = 0;
  private wantBits = 0;

  /** TCP segments (outside ICMP quotes, capture copies not counted), with payload, with payload cut by the snaplen. */
  segments = 0;
  payloadSegments = 0;
  payloadCut = 0;
  readonly cutExamples: FrameAt[] = [];
  /** TCP packets of conversations the full table could not take. */
  untrackedPackets = 0;
  /** The first of them, and its time. */
  firstUntracked: FrameAt | null = null;
  /** Conversations the budget has been charged for. */
  private charged = 0;

  constructor(readonly maxConversations: number, private readonly clock: Clock, private readonly interest: Interest, private readonly budget: MemoryBudget | null = null) {
    this.flows = new FlowTable(maxConversations);
  }

  /** A bit for an analyzer's want marks (at most 8 analyzers mark conversations). */
  allocWantBit(): number {
    if (this.wantBits >= 8) throw new Error('conversations: more than 8 analyzers mark conversations');
    return 1 << this.wantBits++;
  }

  /** Every packet of conversation `id` must reach the analyzer owning `bit`. */
  want(id: number, bit: number): void {
    this.wantCol[id]! |= bit;
  }

  /** The analyzer owning `bit` no longer needs every packet of `id`. */
  unwant(id: number, bit: number): void {
    this.wantCol[id]! &= ~bit;
  }

  wants(id: number, bit: number): boolean {
    return (this.wantCol[id]! & bit) !== 0;
  }

  /** The last SYN sequence number side `side` sent, or -1. */
  isn(id: number, side: 0 | 1): number {
    return this.isnCol[2 * id + side]!;
  }

  /** Whether conversation `id` runs over IPv6. */
  isV6(id: number): boolean {
    return this.v6[id] === 1;
  }

  /** The conversation of the TCP 4-tuple at these offsets, if known (never adds one). */
  find(b: Uint8Array, srcOff: number, dstOff: number, alen: number, sport: number, dport: number): FlowHit {
    return this.flows.lookup(b, srcOff, dstOff, alen, sport, dport, IpProto.TCP, false);
  }

  /**
   * A TCP segment on the general path: finds or adds its conversation and counts it. Returns the
   * flow hit (`id` -1 when the table is full and the conversation is new).
   */
  track(p: PacketInfo): FlowHit {
    this.segments++;
    const hit = this.flows.lookup(p.buf, p.srcOff, p.dstOff, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort, IpProto.TCP, true);
    if (hit.id < 0) {
      if (this.untrackedPackets++ === 0) this.firstUntracked = { frame: p.frame, time: this.clock.now() };
      this.budget?.refuse('conversations');
      return hit;
    }
    const id = hit.id;
    if (hit.created) this.add(id, p.frame, this.clock.rel(p.tsSec, p.tsNsec), p.ipVersion === 6);
    this.lastFrame[id] = p.frame;
    this.lastTime[id] = this.clock.now();
    this.pkts[2 * id + hit.dir]!++;
    if ((p.tcpFlags & TcpFlag.SYN) !== 0) this.isnCol[2 * id + hit.dir] = p.seq;
    if (p.payloadLen > 0) this.countPayload(id, hit.dir, p.frame, p.payloadCaptured < p.payloadLen);
    return hit;
  }

  /** Where a payload segment of side `dir` stands in the probe window; counts it. */
  probeStep(id: number, dir: 0 | 1): Probe {
    const k = 2 * id + dir;
    if (this.probedCol[k]! >= this.interest.probeWindow) return Probe.NONE;
    this.probedCol[k]!++;
    return Probe.WITHIN;
  }

  /**
   * The bulk path (bulk-path.ts): a TCP segment without SYN, FIN or RST, neither a fragment nor a
   * capture-copy candidate, of the known conversation `id` (flow-table hit `dir`). Counts it as
   * `track` would and returns true; or returns false, having changed nothing, when an analyzer
   * needs to see it: the conversation is marked, or its payload is on a port of interest or
   * within the probe window and recognised by a probe.
   */
  plainSegment(id: number, dir: 0 | 1, r: CaptureRecord, sport: number, dport: number, payloadOff: number, payloadLen: number, payloadCaptured: number): boolean {
    if (this.wantCol[id] !== 0 || !this.clock.started) return false;
    let probe = false;
    if (payloadLen > 0) {
      const ports = this.interest.tcpPayloadPorts;
      if ((ports[sport]! | ports[dport]!) !== 0) return false;
      probe = this.probedCol[2 * id + dir]! < this.interest.probeWindow;
      if (probe && this.interest.probed(r.buf, payloadOff, payloadOff + payloadCaptured)) return false;
    }
    const frame = r.frame;
    this.segments++;
    this.lastFrame[id] = frame;
    this.lastTime[id] = this.clock.now();
    this.pkts[2 * id + dir]!++;
    if (payloadLen > 0) this.countPayload(id, dir, frame, payloadCaptured < payloadLen);
    if (probe) this.probedCol[2 * id + dir]!++;
    return true;
  }

  /** Calls `fn` with each conversation's id (for `flows.address`) and counts, without allocating. */
  forEach(fn: (id: number, pkts0: number, pkts1: number, data0: number, data1: number, firstFrame: number, firstTime: number) => void): void {
    for (let id = 0; id < this.size; id++) fn(id, this.pkts[2 * id]!, this.pkts[2 * id + 1]!, this.data[2 * id]!, this.data[2 * id + 1]!, this.firstFrame[id]!, this.firstTime[id]!);
  }

  /** Packets sent by side 0 and side 1 of `id`. */
  packets(id: number): [number, number] {
    return [this.pkts[2 * id]!, this.pkts[2 * id + 1]!];
  }

  /** Payload segments sent by side 0 and side 1 of `id`. */
  payloads(id: number): [number, number] {
    return [this.data[2 * id]!, this.data[2 * id + 1]!];
  }

  /** Times of the first and last frame of `id`, seconds since the first frame of the capture. */
  times(id: number): [number, number] {
    return [this.firstTime[id]!, this.lastTime[id]!];
  }

  /** First and last frame of `id`. */
  frames(id: number): [number, number] {
    return [this.firstFrame[id]!, this.lastFrame[id]!];
  }

  /**
   * Counts a payload segment of the current packet (the clock's latest). Times are read from the
   * clock, not passed in: seconds above 2^30 passed as arguments would be boxed, an allocation
   * per packet.
   */
  private countPayload(id: number, dir: 0 | 1, frame: number, cut: boolean): void {
    this.payloadSegments++;
    this.data[2 * id + dir]!++;
    if (cut) {
      this.payloadCut++;
      if (this.cutExamples.length < CUT_EXAMPLES) this.cutExamples.push({ frame, time: this.clock.now() });
    }
  }

  /** Adds conversation `id` (ids are dense: always the next one). */
  private add(id: number, frame: number, time: number, v6: boolean): void {
    if (id >= this.firstFrame.length) this.grow(Math.min(Math.max(1024, this.firstFrame.length * 2), Math.max(id + 1, this.flows.maxFlows)));
    this.size = id + 1;
    if (id + 1 >= this.charged && this.budget !== null) {
      // The next block of conversations must fit the budget; when it does not, this one is the
      // last the table takes.
      if (this.budget.charge('conversations', CHARGE_BLOCK * ITEM_BYTES.conversation)) this.charged += CHARGE_BLOCK;
      else this.flows.maxFlows = this.flows.size;
    }
    this.isnCol[2 * id] = -1;
    this.isnCol[2 * id + 1] = -1;
    this.firstFrame[id] = frame;
    this.firstTime[id] = time;
    this.lastFrame[id] = frame;
    this.lastTime[id] = time;
    this.v6[id] = v6 ? 1 : 0;
  }

  /** Lets go of every conversation's state once the analyzers are done with it (the rules read observations only). */
  release(): void {
    this.pkts = new Uint32Array(0);
    this.data = new Uint32Array(0);
    this.isnCol = new Float64Array(0);
    this.probedCol = new Uint8Array(0);
    this.wantCol = new Uint8Array(0);
    this.firstFrame = new Float64Array(0);
    this.firstTime = new Float64Array(0);
    this.lastFrame = new Float64Array(0);
    this.lastTime = new Float64Array(0);
    this.v6 = new Uint8Array(0);
    this.size = 0;
    this.flows.clear();
  }

  private grow(n: number): void {
    this.pkts = grown(this.pkts, 2 * n);
    this.data = grown(this.data, 2 * n);
    this.isnCol = grown(this.isnCol, 2 * n);
    this.probedCol = grown(this.probedCol, 2 * n);
    this.wantCol = grown(this.wantCol, n);
    this.firstFrame = grown(this.firstFrame, n);
    this.firstTime = grown(this.firstTime, n);
    this.lastFrame = grown(this.lastFrame, n);
    this.lastTime = grown(this.lastTime, n);
    this.v6 = grown(this.v6, n);
  }
}
