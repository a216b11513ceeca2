/**
 * TCP conversations and connection attempts, fed every frame in order. Per packet it does one
 * flow-table lookup and a few comparisons; text and objects are made only on rare events (a new
 * conversation, a SYN, an answer to a SYN, an ICMP error, an RPC answer).
 *
 * An attempt is a first SYN plus its retransmissions (same 4-tuple, same initial sequence
 * number), and whatever answered: SYN-ACK, the client's completing ACK, RST from the server
 * side, or an ICMP destination-unreachable quoting the SYN. A new ISN on a reused 4-tuple is a
 * new attempt.
 */
import { TcpFlag } from '../wire/constants.js';
import { flagsText } from '../wire/tcp.js';
import { looksLikeCoPdu } from '../wire/dcerpc.js';
import { Icmp4Type, Icmp6Type, ICMP4_UNREACH_CODES, ICMP6_UNREACH_CODES } from '../wire/icmp.js';
import { isoNs } from '../capture/timestamp.js';
import { L4, type PacketInfo } from '../dissect/packet-info.js';
import type { IcmpRefusal } from '../model/engine.js';
import type { SynEvent } from '../model/report.js';
import type { CaptureRecord } from '../capture/reader.js';
import { FlowTable } from './flow-table.js';
import { grown } from './columns.js';
import { RpcConversation, type AdvertisedEndpoint, type EpmNoEndpoint, type RpcFaultEvent, type RpcSink } from './rpc-conversation.js';

/** A connection attempt while the capture is being read. */
export class AttemptState {
  readonly synFrames: number[] = [];
  /** Seconds since the first frame of each SYN in synFrames. */
  readonly synTimes: number[] = [];
  readonly synAckFrames: number[] = [];
  readonly rstFrames: number[] = [];
  ackFrame: number | null = null;
  /** The client reset the connection after the SYN-ACK (it did get the answer). */
  clientRstFrame: number | null = null;
  icmp: IcmpRefusal | null = null;
  /** Seconds of the first SYN, the last SYN, and the first answer (NaN: none). */
  firstSyn = 0;
  lastSyn = 0;
  answeredAt = Number.NaN;
  /** Capture time of the first SYN (text is made only for the report). */
  tsSec = 0;
  tsNsec = 0;

  constructor(
    readonly conv: number,
    readonly clientDir: 0 | 1,
    readonly client: string,
    readonly clientPort: number,
    readonly server: string,
    readonly serverPort: number,
    readonly isn: number,
    readonly ipVersion: 4 | 6,
    /** 1 for the first attempt on this 4-tuple from this side, 2 for the next ISN, ... */
    readonly ordinal: number,
  ) {}

  get established(): boolean {
    return this.ackFrame !== null;
  }
}

/**
 * Per-conversation state as columns indexed by flow-table id (two slots per conversation for
 * per-side values: [id * 2 + side]). About 60 bytes a conversation where an object per
 * conversation cost several hundred: a flood of conversations must stay cheap. Side 0 is the
 * first sender; addresses and ports live in the flow table.
 */
class ConvColumns {
  /** Packets and payload-carrying packets per side. */
  pkts = new Uint32Array(0);
  data = new Uint32Array(0);
  /** Last SYN sequence number per side, -1 when none (for reassembly). */
  isn = new Float64Array(0);
  /** Attempts opened per side (numbering "attempt N" on a reused 4-tuple). */
  opened = new Uint16Array(0);
  /** Payload segments per side examined for a DCE/RPC header (ports other than 135). */
  probed = new Uint8Array(0);
  /** 1 when `rpc` holds the conversation: most payload segments then skip the Map lookup. */
  isRpc = new Uint8Array(0);
  firstFrame = new Float64Array(0);
  lastFrame = new Float64Array(0);
  /** 1 for IPv6 conversations. */
  v6 = new Uint8Array(0);
  /** Latest attempt on the 4-tuple, and the DCE/RPC parser when it carries RPC. */
  readonly cur: (AttemptState | null)[] = [];
  readonly rpc = new Map<number, RpcConversation>();
  size = 0;

  /** Adds conversation `id` (ids are dense: always the next one). */
  add(id: number, frame: number, v6: boolean): void {
    if (id >= this.firstFrame.length) this.grow(Math.max(1024, this.firstFrame.length * 2));
    this.size = id + 1;
    this.isn[2 * id] = -1;
    this.isn[2 * id + 1] = -1;
    this.firstFrame[id] = frame;
    this.lastFrame[id] = frame;
    this.v6[id] = v6 ? 1 : 0;
    this.isRpc[id] = 0;
    this.cur[id] = null;
  }

  private grow(n: number): void {
    this.pkts = grown(this.pkts, 2 * n);
    this.data = grown(this.data, 2 * n);
    this.isn = grown(this.isn, 2 * n);
    this.opened = grown(this.opened, 2 * n);
    this.probed = grown(this.probed, 2 * n);
    this.isRpc = grown(this.isRpc, n);
    this.firstFrame = grown(this.firstFrame, n);
    this.lastFrame = grown(this.lastFrame, n);
    this.v6 = grown(this.v6, n);
  }
}

/** An advertised endpoint with the addresses of the conversation that carried it. */
export interface EndpointEvent extends AdvertisedEndpoint {
  client: string;
  server: string;
  serverPort: number;
  /** Seconds from the first frame to the answer. */
  time: number;
}

/** An EPM answer with no usable endpoint, with its conversation. */
export interface NoEndpointEvent extends EpmNoEndpoint {
  client: string;
  server: string;
}

/** A fault with its conversation. */
export interface FaultEvent extends RpcFaultEvent {
  client: string;
  server: string;
  serverPort: number;
}

/** The bind_ack secondary address of a conversation. */
export interface BindAckEvent {
  frame: number;
  client: string;
  server: string;
  serverPort: number;
  secondaryAddress: string;
}

/** Summary of one conversation, for capture-quality checks. */
export interface ConversationSummary {
  side: [string, string];
  ports: [number, number];
  pkts: [number, number];
  data: [number, number];
  firstFrame: number;
  lastFrame: number;
  /** Index of the attempt that opened it, if a SYN was seen. */
  hasSyn: boolean;
  rpcPdus: number;
}

/**
 * Bounds on per-file state, so a SYN flood or port scan cannot grow memory without limit. A
 * conversation costs about 70 bytes (ConvColumns), an attempt about 2 KB of process memory by
 * the time it is reported (measured with a 1M-SYN flood: 50k attempts 230 MB peak RSS, 100k
 * 340 MB). Past a bound, packets and SYNs are counted, not tracked, and the report says so.
 */
export interface EngineLimits {
  conversations: number;
  attempts: number;
  synEvents: number;
}

export const DEFAULT_LIMITS: EngineLimits = { conversations: 250_000, attempts: 50_000, synEvents: 50_000 };

/** Payload segments per side checked for a DCE/RPC header before a conversation counts as not RPC. */
const MAX_PROBES = 8;

/** Frames remembered for duplicate detection. */
const DUP_RING = 16;
/** Copies of one packet (pktmon, span ports) arrive within this many nanoseconds. */
const DUP_WINDOW_NS = 10_000_000;

/** The connection engine's per-file state. */
export class ConnectionTracker implements RpcSink {
  readonly flows: FlowTable;
  private readonly convs = new ConvColumns();
  readonly attempts: AttemptState[] = [];
  readonly synEvents: SynEvent[] = [];
  readonly endpoints: EndpointEvent[] = [];
  readonly noEndpoints: NoEndpointEvent[] = [];
  readonly faults: FaultEvent[] = [];
  readonly bindAcks: BindAckEvent[] = [];
  synRetransmissions = 0;
  /** TCP segments whose payload the snaplen cut, overall and on RPC conversations. */
  payloadCut = 0;
  rpcPayloadCut = 0;
  /** First few frames whose payload the snaplen cut. */
  readonly cutExamples: number[] = [];
  /** TCP segments with payload. */
  payloadSegments = 0;
  tcpSegments = 0;
  /** Frames skipped as copies of an earlier frame, with the first few as examples. */
  duplicates = 0;
  readonly duplicateExamples: [number, number][] = [];
  firstSec = Number.NaN;
  firstNsec = 0;
  lastSec = 0;
  lastNsec = 0;

  private readonly dupHash = new Uint32Array(DUP_RING);
  private readonly dupFrame = new Float64Array(DUP_RING);
  private readonly dupSec = new Float64Array(DUP_RING);
  private readonly dupNsec = new Float64Array(DUP_RING);
  private dupAt = 0;

  /** SYNs that opened no tracked attempt because `limits.attempts` was reached, by server port. */
  private untrackedByPort: Float64Array | null = null;
  /** Server ports of untracked SYNs with their counts, most first (at most `n`). */
  untrackedSynPorts(n: number): [number, number][] {
    const by = this.untrackedByPort;
    if (by === null) return [];
    const out: [number, number][] = [];
    for (let port = 0; port < by.length; port++) if (by[port]! > 0) out.push([port, by[port]!]);
    return out.sort((a, b) => b[1] - a[1]).slice(0, n);
  }
  untrackedSyns = 0;
  /** TCP packets of conversations the full flow table could not take. */
  untrackedPackets = 0;
  /** SYN events not kept for `rpctrace syn` beyond `limits.synEvents`. */
  synEventsDropped = 0;
  /** First frames that hit a limit, as evidence. */
  readonly limitExamples: number[] = [];
  constructor(private readonly keepSyns: boolean, readonly limits: EngineLimits = DEFAULT_LIMITS) {
    this.flows = new FlowTable(limits.conversations);
  }

  /** Seconds since the first frame. */
  rel(sec: number, nsec: number): number {
    return (sec - this.firstSec) + (nsec - this.firstNsec) / 1e9;
  }

  onPacket(p: PacketInfo): void {
    if (!p.isPacket) return;
    if (Number.isNaN(this.firstSec)) { this.firstSec = p.tsSec; this.firstNsec = p.tsNsec; }
    this.lastSec = p.tsSec;
    this.lastNsec = p.tsNsec;
    if (p.l4 === L4.TCP) {
      if (p.fragment === 2 && p.firstPieceSeen) {
        // A reassembled datagram whose first fragment was handled on its own frame (flags,
        // counts): only the payload is new, for the DCE/RPC stream.
        this.reassembledPayload(p);
        return;
      }
      // Only segments whose repetition would change a verdict are checked: SYN, FIN, RST. A
      // copied data segment is harmless (reassembly delivers bytes once) and checking every
      // one would cost a hash per packet.
      if ((p.tcpFlags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0) {
        const original = this.duplicate(p);
        if (original !== 0) {
          if (this.keepSyns && (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) this.synEvent(p, null, original, 0);
          return;
        }
      }
      this.tcp(p);
    } else if (p.l4 === L4.ICMP || p.l4 === L4.ICMPV6) {
      if (p.quoted.ipVersion !== 0 && this.duplicate(p) === 0) this.icmp(p);
    }
  }

  /** Flushes stream state at the end of the capture. */
  finish(): void {
    for (const r of this.convs.rpc.values()) { r.streams[0].finish(); r.streams[1].finish(); }
  }

  /** Calls `fn` with each conversation's id (for `flows.address`) and packet counts, without allocating. */
  forEachConversation(fn: (id: number, pkts0: number, pkts1: number, data0: number, data1: number, firstFrame: number) => void): void {
    const c = this.convs;
    for (let id = 0; id < c.size; id++) fn(id, c.pkts[2 * id]!, c.pkts[2 * id + 1]!, c.data[2 * id]!, c.data[2 * id + 1]!, c.firstFrame[id]!);
  }

  /** Per-conversation summaries (allocates one object per conversation: for tests and small captures). */
  conversations(): ConversationSummary[] {
    const c = this.convs;
    const out: ConversationSummary[] = [];
    for (let id = 0; id < c.size; id++) {
      out.push({
        side: [this.flows.address(id, 0), this.flows.address(id, 1)], ports: [this.flows.port(id, 0), this.flows.port(id, 1)],
        pkts: [c.pkts[2 * id]!, c.pkts[2 * id + 1]!], data: [c.data[2 * id]!, c.data[2 * id + 1]!],
        firstFrame: c.firstFrame[id]!, lastFrame: c.lastFrame[id]!, hasSyn: c.cur[id] !== null, rpcPdus: c.rpc.get(id)?.pdus ?? 0,
      });
    }
    return out;
  }

  /**
   * The frame this one repeats (0 when none): one of the last few, within 10 ms, the same IP packet captured
   * at several points (pktmon writes one copy per network component it crossed). A TCP
   * retransmission differs (later, and with a new IPv4 identification).
   */
  private duplicate(p: PacketInfo): number {
    const b = p.buf;
    // An IPv4 identification of 0 (DF packets of many stacks) cannot tell a copy from a
    // retransmission; without one (IPv6) only copies within 1 ms count.
    let window = DUP_WINDOW_NS;
    if (p.ipVersion === 4) {
      const ip = p.srcOff - 12;
      if (b[ip + 4] === 0 && b[ip + 5] === 0) return 0;
    } else {
      window = 1_000_000;
    }
    let h = 2166136261;
    // IPv4 identification + addresses, or IPv6 addresses; then the transport header's first 16 bytes.
    if (p.ipVersion === 4) {
      const ip = p.srcOff - 12;
      h = Math.imul(h ^ b[ip + 4]!, 16777619);
      h = Math.imul(h ^ b[ip + 5]!, 16777619);
      for (let i = 0; i < 8; i++) h = Math.imul(h ^ b[p.srcOff + i]!, 16777619);
    } else {
      for (let i = 0; i < 32; i++) h = Math.imul(h ^ b[p.srcOff + i]!, 16777619);
    }
    // TcpView proved 20 header bytes present, IcmpView 8.
    const tEnd = p.l4Off + (p.l4 === L4.TCP ? 16 : 8);
    for (let i = p.l4Off; i < tEnd; i++) h = Math.imul(h ^ b[i]!, 16777619);
    h = Math.imul(h ^ p.payloadLen, 16777619) >>> 0;
    for (let i = 0; i < DUP_RING; i++) {
      if (this.dupHash[i] !== h || this.dupFrame[i] === 0) continue;
      const dt = (p.tsSec - this.dupSec[i]!) * 1e9 + (p.tsNsec - this.dupNsec[i]!);
      if (dt >= 0 && dt <= window) {
        this.duplicates++;
        if (this.duplicateExamples.length < 5) this.duplicateExamples.push([p.frame, this.dupFrame[i]!]);
        return this.dupFrame[i]!;
      }
    }
    const k = this.dupAt;
    this.dupHash[k] = h;
    this.dupFrame[k] = p.frame;
    this.dupSec[k] = p.tsSec;
    this.dupNsec[k] = p.tsNsec;
    this.dupAt = (k + 1) % DUP_RING;
    return 0;
  }

  private tcp(p: PacketInfo): void {
    this.tcpSegments++;
    const alen = p.ipVersion === 4 ? 4 : 16;
    const hit = this.flows.lookup(p.buf, p.srcOff, p.dstOff, alen, p.srcPort, p.dstPort, true);
    if (hit.id < 0) {
      this.untrackedPackets++;
      if ((p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
        this.untracked(p);
        if (this.keepSyns) this.synEvent(p, null, null, 0);
      }
      return;
    }
    const dir = hit.dir;
    const id = hit.id;
    const c = this.convs;
    if (hit.created) c.add(id, p.frame, p.ipVersion === 6);
    c.lastFrame[id] = p.frame;
    c.pkts[2 * id + dir]!++;
    const f = p.tcpFlags;
    if ((f & TcpFlag.SYN) !== 0) {
      this.syn(p, id, dir, (f & TcpFlag.ACK) !== 0);
    } else if ((f & TcpFlag.RST) !== 0) {
      const a = c.cur[id]!;
      if (a !== null && !a.established) {
        if (dir !== a.clientDir) {
          a.rstFrames.push(p.frame);
          if (Number.isNaN(a.answeredAt)) a.answeredAt = this.rel(p.tsSec, p.tsNsec);
        } else if (a.synAckFrames.length > 0 && a.clientRstFrame === null) {
          a.clientRstFrame = p.frame;
        }
      }
    } else if ((f & TcpFlag.ACK) !== 0) {
      this.ack(id, dir, p.frame);
    }
    if (p.payloadLen > 0) this.payload(p, id, dir);
  }

  /** An ACK from `dir` (no SYN, no RST): the client's ACK of a SYN-ACK completes the handshake. */
  private ack(id: number, dir: 0 | 1, frame: number): void {
    const a = this.convs.cur[id]!;
    if (a !== null && a.ackFrame === null && dir === a.clientDir && a.synAckFrames.length > 0) a.ackFrame = frame;
  }

  /**
   * The bulk path (bulk-path.ts): a TCP segment without SYN, FIN or RST, neither a fragment nor
   * a capture copy candidate, of the known conversation `id` (flow-table hit `dir`). Does what
   * `onPacket` would and returns true; or returns false, having changed nothing, when the
   * segment needs more than counting (its payload is or may become DCE/RPC, or it is the
   * first frame).
   */
  plainSegment(id: number, dir: 0 | 1, r: CaptureRecord, flags: number, sport: number, dport: number, payloadOff: number, payloadLen: number, payloadCaptured: number): boolean {
    const c = this.convs;
    if (Number.isNaN(this.firstSec)) return false;
    let probe = false;
    if (payloadLen > 0) {
      if (c.isRpc[id] === 1 || sport === 135 || dport === 135) return false;
      // One of a side's first segments: a DCE/RPC header makes the conversation RPC, which the
      // general path sets up (`payload`); anything else is only counted as probed.
      probe = c.probed[2 * id + dir]! < MAX_PROBES;
      if (probe && looksLikeCoPdu(r.buf, payloadOff, payloadOff + payloadCaptured)) return false;
    }
    // Times come from the record itself: seconds above 2^30 passed as arguments would be boxed.
    const frame = r.frame;
    this.lastSec = r.tsSec;
    this.lastNsec = r.tsNsec;
    this.tcpSegments++;
    c.lastFrame[id] = frame;
    c.pkts[2 * id + dir]!++;
    if ((flags & TcpFlag.ACK) !== 0) this.ack(id, dir, frame);
    if (payloadLen > 0) this.countPayload(id, dir, frame, payloadCaptured < payloadLen);
    if (probe) c.probed[2 * id + dir]!++;
    return true;
  }

  /** Counts a payload-carrying segment, and whether the snaplen cut its payload. */
  private countPayload(id: number, dir: 0 | 1, frame: number, cut: boolean): void {
    this.payloadSegments++;
    this.convs.data[2 * id + dir]!++;
    if (cut) {
      this.payloadCut++;
      if (this.cutExamples.length < 5) this.cutExamples.push(frame);
    }
  }

  private syn(p: PacketInfo, id: number, dir: 0 | 1, ack: boolean): void {
    const c = this.convs;
    c.isn[2 * id + dir] = p.seq;
    if (ack) {
      const a = c.cur[id]!;
      if (a !== null && dir !== a.clientDir) {
        a.synAckFrames.push(p.frame);
        if (Number.isNaN(a.answeredAt)) a.answeredAt = this.rel(p.tsSec, p.tsNsec);
      }
      return;
    }
    const t = this.rel(p.tsSec, p.tsNsec);
    let a = c.cur[id]!;
    let retransmitOf: number | null = null;
    if (a !== null && a.clientDir === dir && a.isn === p.seq) {
      retransmitOf = a.synFrames[0]!;
      this.synRetransmissions++;
    } else if (this.attempts.length >= this.limits.attempts) {
      this.untracked(p);
      if (this.keepSyns) this.synEvent(p, null, null, 0);
      return;
    } else {
      const other = dir === 0 ? 1 : 0;
      const ordinal = ++c.opened[2 * id + dir]!;
      const fl = this.flows;
      a = new AttemptState(id, dir, fl.address(id, dir), fl.port(id, dir), fl.address(id, other), fl.port(id, other), p.seq, c.v6[id] === 1 ? 6 : 4, ordinal);
      a.firstSyn = t;
      a.tsSec = p.tsSec;
      a.tsNsec = p.tsNsec;
      c.cur[id] = a;
      this.attempts.push(a);
    }
    a.synFrames.push(p.frame);
    a.synTimes.push(t);
    a.lastSyn = t;
    if (this.keepSyns) this.synEvent(p, retransmitOf, null, a.ordinal);
  }

  /** One line of `rpctrace syn` (bounded by limits.synEvents). */
  private synEvent(p: PacketInfo, retransmitOf: number | null, duplicateOf: number | null, attempt: number): void {
    if (this.synEvents.length >= this.limits.synEvents) {
      this.synEventsDropped++;
      return;
    }
    const t = this.rel(p.tsSec, p.tsNsec);
    this.synEvents.push({
      frame: p.frame, time: isoNs(p.tsSec, p.tsNsec), relativeTime: Math.round(t * 1e6) / 1e6,
      src: p.srcText(), srcPort: p.srcPort, dst: p.dstText(), dstPort: p.dstPort,
      flags: flagsText(p.tcpFlags), seq: p.seq, retransmitOf, duplicateOf, attempt,
    });
  }

  private reassembledPayload(p: PacketInfo): void {
    if (p.payloadLen === 0) return;
    const hit = this.flows.lookup(p.buf, p.srcOff, p.dstOff, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort, false);
    if (hit.id < 0) return;
    const rpc = this.convs.rpc.get(hit.id);
    if (rpc !== undefined) this.feed(rpc, p, hit.dir);
  }

  /** A SYN the limits keep from being tracked: counted by server port. */
  private untracked(p: PacketInfo): void {
    this.untrackedSyns++;
    (this.untrackedByPort ??= new Float64Array(65536))[p.dstPort]!++;
    if (this.limitExamples.length < 5) this.limitExamples.push(p.frame);
  }

  private payload(p: PacketInfo, id: number, dir: 0 | 1): void {
    const c = this.convs;
    this.countPayload(id, dir, p.frame, p.payloadCaptured < p.payloadLen);
    let rpc: RpcConversation | undefined;
    if (c.isRpc[id] === 1) {
      rpc = c.rpc.get(id)!;
    } else {
      const epm = p.srcPort === 135 || p.dstPort === 135;
      if (!epm) {
        // Elsewhere a conversation is RPC when one of a side's first segments starts with a
        // PDU header (a capture that starts mid-connection may begin inside a PDU).
        const k = 2 * id + dir;
        if (c.probed[k]! >= MAX_PROBES) return;
        c.probed[k]!++;
        if (!looksLikeCoPdu(p.buf, p.payloadOff, p.payloadOff + p.payloadCaptured)) return;
      }
      const fl = this.flows;
      rpc = new RpcConversation([fl.address(id, 0), fl.address(id, 1)], [fl.port(id, 0), fl.port(id, 1)], this);
      // On 135 the streams start at the SYN, so early segments that arrive out of order wait
      // for the first. Recognised later, a stream starts at the segment that showed the header.
      if (epm && c.isn[2 * id]! !== -1) rpc.streams[0].setIsn(c.isn[2 * id]!);
      if (epm && c.isn[2 * id + 1]! !== -1) rpc.streams[1].setIsn(c.isn[2 * id + 1]!);
      c.rpc.set(id, rpc);
      c.isRpc[id] = 1;
    }
    // The first fragment of a datagram still being reassembled holds only part of the segment:
    // the stream gets the whole segment when the datagram completes.
    if (p.fragment === 1) return;
    this.feed(rpc, p, dir);
  }

  /** Hands a segment's payload to a conversation's DCE/RPC stream (snaplen cuts become gaps). */
  private feed(rpc: RpcConversation, p: PacketInfo, dir: 0 | 1): void {
    const s = rpc.streams[dir];
    if (p.payloadCaptured < p.payloadLen) {
      this.rpcPayloadCut++;
      s.segment(p.buf, p.payloadOff, p.payloadCaptured, p.seq, p.frame);
      s.lost((p.seq + p.payloadCaptured) >>> 0, p.payloadLen - p.payloadCaptured);
    } else {
      s.segment(p.buf, p.payloadOff, p.payloadLen, p.seq, p.frame);
    }
  }

  private icmp(p: PacketInfo): void {
    const unreachable = p.l4 === L4.ICMP ? p.icmpType === Icmp4Type.DEST_UNREACHABLE : p.icmpType === Icmp6Type.DEST_UNREACHABLE;
    const q = p.quoted;
    if (!unreachable || q.protocol !== 6 || q.srcPort < 0) return;
    const alen = q.ipVersion === 4 ? 4 : 16;
    const hit = this.flows.lookup(p.buf, q.srcOff, q.dstOff, alen, q.srcPort, q.dstPort, false);
    if (hit.id < 0) return;
    const a = this.convs.cur[hit.id] ?? null;
    // The quote must be the client's segment of a handshake still open, ideally the SYN itself.
    if (a === null || a.established || a.synAckFrames.length > 0 || hit.dir !== a.clientDir) return;
    if (q.seq !== -1 && q.seq !== a.isn) return;
    if (a.icmp !== null) return;
    const v4 = p.l4 === L4.ICMP;
    a.icmp = {
      frame: p.frame,
      from: p.srcText(),
      type: p.icmpType,
      code: p.icmpCode,
      meaning: (v4 ? ICMP4_UNREACH_CODES : ICMP6_UNREACH_CODES)[p.icmpCode] ?? `code ${p.icmpCode}`,
    };
    if (Number.isNaN(a.answeredAt)) a.answeredAt = this.rel(p.tsSec, p.tsNsec);
  }

  // RpcSink: answers found by the conversations' DCE/RPC parsers.
  endpoint(c: RpcConversation, e: AdvertisedEndpoint): void {
    this.endpoints.push({ ...e, client: c.client, server: c.server, serverPort: c.serverPort, time: this.rel(this.lastSec, this.lastNsec) });
  }
  epmNoEndpoint(c: RpcConversation, e: EpmNoEndpoint): void {
    this.noEndpoints.push({ ...e, client: c.client, server: c.server });
  }
  fault(c: RpcConversation, e: RpcFaultEvent): void {
    this.faults.push({ ...e, client: c.client, server: c.server, serverPort: c.serverPort });
  }
  bindAck(c: RpcConversation, frame: number, secondaryAddress: string): void {
    this.bindAcks.push({ frame, client: c.client, server: c.server, serverPort: c.serverPort, secondaryAddress });
  }
}
