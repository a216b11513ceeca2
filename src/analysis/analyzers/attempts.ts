/**
 * TCP connection attempts. An attempt is a first SYN plus its retransmissions (same 4-tuple,
 * same initial sequence number), and whatever answered: SYN-ACK, the client's completing ACK,
 * RST from the server side, or an ICMP destination-unreachable quoting the SYN. A new ISN on a
 * reused 4-tuple is a new attempt. Objects are made only on these rare events.
 *
 * From its first SYN until the handshake completes, an attempt's conversation is marked, so the
 * bulk path hands its segments to this analyzer; otherwise plain segments never reach it. A
 * capture that holds one direction only may lack the SYN-ACK: the client's next segment then
 * proves the handshake (it acknowledges the server's sequence number and goes on from its own
 * ISN + 1), and the attempt counts as established, labelled inferred.
 */
import { isoNs } from '../../capture/timestamp.js';
import { L4, type PacketInfo } from '../../dissect/packet-info.js';
import type { IcmpRefusal } from '../../model/connections.js';
import type { AttemptRecord, FrameAt, LimitCounts } from '../../model/observations.js';
import type { SynEvent } from '../../model/report.js';
import { TcpFlag } from '../../wire/constants.js';
import { Icmp4Type, Icmp6Type, ICMP4_UNREACH_CODES, ICMP6_UNREACH_CODES } from '../../wire/icmp.js';
import { flagsText } from '../../wire/tcp.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';
import { grown } from '../columns.js';
import { ITEM_BYTES, type MemoryBudget } from '../../model/memory-budget.js';

/** A connection attempt while the capture is being read. */
export class AttemptState implements AttemptRecord {
  readonly synFrames: number[] = [];
  readonly synTimes: number[] = [];
  readonly synAckFrames: number[] = [];
  readonly synAckTimes: number[] = [];
  readonly rstFrames: number[] = [];
  readonly rstTimes: number[] = [];
  ackFrame: number | null = null;
  ackTime = Number.NaN;
  /** The handshake was not seen whole: the client's later segments prove it completed. */
  handshakeInferred = false;
  clientRstFrame: number | null = null;
  icmp: IcmpRefusal | null = null;
  icmpTime = Number.NaN;
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
    /** 1 for the first attempt on this 4-tuple from this side, 2 for the next ISN, ... */
    readonly ordinal: number,
  ) {}

  get established(): boolean {
    return this.ackFrame !== null;
  }

  get isoTime(): string {
    return isoNs(this.tsSec, this.tsNsec);
  }
}

/** Bounds on the attempts tracked and the SYNs listed for `rpctrace syn`. */
export interface AttemptLimits {
  attempts: number;
  synEvents: number;
}

/**
 * Attempts are bounded by the memory budget (an attempt costs about 3.4 KB of process memory by
 * the time it is reported: model/memory-budget.ts); `attempts` is a further fixed bound, none by
 * default. Past either, SYNs are counted by destination port, not tracked, and the report says so.
 */
export const DEFAULT_ATTEMPT_LIMITS: AttemptLimits = { attempts: 2 ** 31 - 1, synEvents: 50_000 };

/** First frames that hit a bound, kept as evidence. */
const LIMIT_EXAMPLES = 5;

export class AttemptsAnalyzer implements Analyzer {
  readonly name = 'tcp-attempts';
  readonly attempts: AttemptState[] = [];
  /** Every SYN without ACK, for `rpctrace syn` (only with `keepSyns`). */
  readonly synEvents: SynEvent[] = [];
  synEventsDropped = 0;
  synRetransmissions = 0;
  untrackedSyns = 0;
  private readonly limitExamples: FrameAt[] = [];
  /** SYNs that opened no tracked attempt, by server port. */
  private untrackedByPort: Float64Array | null = null;
  /** Latest attempt per conversation, and attempts opened per conversation side. */
  private readonly cur: (AttemptState | null)[] = [];
  private opened = new Uint16Array(0);
  private ctx!: AnalysisContext;
  private bit = 0;

  constructor(private readonly keepSyns = false, readonly limits: AttemptLimits = DEFAULT_ATTEMPT_LIMITS, private readonly budget: MemoryBudget | null = null) {}

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
    this.bit = ctx.conversations.allocWantBit();
  }

  tcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    const f = p.tcpFlags;
    if (id < 0) {
      if ((f & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) {
        this.untracked(p);
        if (this.keepSyns) this.synEvent(p, null, null, 0);
      }
      return;
    }
    if ((f & TcpFlag.SYN) !== 0) {
      this.syn(p, id, dir, (f & TcpFlag.ACK) !== 0);
    } else if ((f & TcpFlag.RST) !== 0) {
      const a = this.cur[id] ?? null;
      if (a !== null && !a.established) {
        if (dir !== a.clientDir) {
          a.rstFrames.push(p.frame);
          const t = this.ctx.clock.rel(p.tsSec, p.tsNsec);
          a.rstTimes.push(t);
          if (Number.isNaN(a.answeredAt)) a.answeredAt = t;
        } else if (a.synAckFrames.length > 0 && a.clientRstFrame === null) {
          a.clientRstFrame = p.frame;
        }
      }
    } else if ((f & TcpFlag.ACK) !== 0) {
      // The client's ACK of a SYN-ACK completes the handshake. Without a SYN-ACK in the capture,
      // an ACK from the client that goes on from its ISN + 1 proves one reached it (unless the
      // server refused the SYN).
      const a = this.cur[id] ?? null;
      if (a === null || a.ackFrame !== null || dir !== a.clientDir) return;
      const answered = a.synAckFrames.length > 0;
      if (!answered && (p.seq !== ((a.isn + 1) >>> 0) || p.ack === 0 || a.rstFrames.length > 0 || a.icmp !== null)) return;
      a.ackFrame = p.frame;
      a.ackTime = this.ctx.clock.rel(p.tsSec, p.tsNsec);
      a.handshakeInferred = !answered;
      this.ctx.conversations.unwant(id, this.bit);
    }
  }

  copy(p: PacketInfo, original: number): void {
    if (this.keepSyns && p.l4 === L4.TCP && (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) this.synEvent(p, null, original, 0);
  }

  icmp(p: PacketInfo): void {
    const unreachable = p.l4 === L4.ICMP ? p.icmpType === Icmp4Type.DEST_UNREACHABLE : p.icmpType === Icmp6Type.DEST_UNREACHABLE;
    const q = p.quoted;
    if (!unreachable || q.ipVersion === 0 || q.protocol !== 6 || q.srcPort < 0) return;
    const hit = this.ctx.conversations.find(p.buf, q.srcOff, q.dstOff, q.ipVersion === 4 ? 4 : 16, q.srcPort, q.dstPort);
    if (hit.id < 0) return;
    const a = this.cur[hit.id] ?? null;
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
    a.icmpTime = this.ctx.clock.rel(p.tsSec, p.tsNsec);
    if (Number.isNaN(a.answeredAt)) a.answeredAt = a.icmpTime;
  }

  /** Lets go of the per-conversation index after the last frame (the attempts themselves stay). */
  release(): void {
    this.cur.length = 0;
    this.opened = new Uint16Array(0);
  }

  /** What the bounds left untracked. */
  limitCounts(): LimitCounts {
    const t = this.ctx.conversations;
    return {
      maxAttempts: this.untrackedSyns > 0 ? this.attempts.length : this.limits.attempts, maxConversations: t.untrackedPackets > 0 ? t.size : t.maxConversations, trackedAttempts: this.attempts.length,
      untrackedSyns: this.untrackedSyns, untrackedPackets: t.untrackedPackets, topPorts: this.untrackedSynPorts(5), examples: this.limitExamples,
      firstUntracked: t.firstUntracked,
    };
  }

  /** Server ports of untracked SYNs with their counts, most first (at most `n`). */
  private untrackedSynPorts(n: number): [number, number][] {
    const by = this.untrackedByPort;
    if (by === null) return [];
    const out: [number, number][] = [];
    for (let port = 0; port < by.length; port++) if (by[port]! > 0) out.push([port, by[port]!]);
    return out.sort((a, b) => b[1] - a[1]).slice(0, n);
  }

  private syn(p: PacketInfo, id: number, dir: 0 | 1, ack: boolean): void {
    const clock = this.ctx.clock;
    const table = this.ctx.conversations;
    if (id >= this.cur.length) this.grow(id);
    if (ack) {
      const a = this.cur[id] ?? null;
      if (a !== null && dir !== a.clientDir) {
        const t = clock.rel(p.tsSec, p.tsNsec);
        a.synAckFrames.push(p.frame);
        a.synAckTimes.push(t);
        if (Number.isNaN(a.answeredAt)) a.answeredAt = t;
        if (a.ackFrame === null) table.want(id, this.bit);
      }
      return;
    }
    const t = clock.rel(p.tsSec, p.tsNsec);
    let a = this.cur[id] ?? null;
    let retransmitOf: number | null = null;
    if (a !== null && a.clientDir === dir && a.isn === p.seq) {
      retransmitOf = a.synFrames[0]!;
      this.synRetransmissions++;
    } else if (this.attempts.length >= this.limits.attempts || (this.budget !== null && !this.budget.charge('attempts', ITEM_BYTES.attempt))) {
      this.budget?.refuse('attempts');
      this.untracked(p);
      if (this.keepSyns) this.synEvent(p, null, null, 0);
      return;
    } else {
      const other = dir === 0 ? 1 : 0;
      const ordinal = ++this.opened[2 * id + dir]!;
      const fl = table.flows;
      a = new AttemptState(id, dir, fl.address(id, dir), fl.port(id, dir), fl.address(id, other), fl.port(id, other), p.seq, ordinal);
      a.firstSyn = t;
      a.tsSec = p.tsSec;
      a.tsNsec = p.tsNsec;
      this.cur[id] = a;
      // Until the handshake completes, every segment of the conversation comes here.
      table.want(id, this.bit);
      this.attempts.push(a);
    }
    a.synFrames.push(p.frame);
    a.synTimes.push(t);
    a.lastSyn = t;
    if (this.keepSyns) this.synEvent(p, retransmitOf, null, a.ordinal);
  }

  private grow(id: number): void {
    while (this.cur.length <= id) this.cur.push(null);
    if (2 * id + 1 >= this.opened.length) this.opened = grown(this.opened, Math.max(2048, this.opened.length * 2, 2 * id + 2));
  }

  /** A SYN the bounds keep from being tracked: counted by server port. */
  private untracked(p: PacketInfo): void {
    this.untrackedSyns++;
    (this.untrackedByPort ??= new Float64Array(65536))[p.dstPort]!++;
    if (this.limitExamples.length < LIMIT_EXAMPLES) this.limitExamples.push({ frame: p.frame, time: this.ctx.clock.rel(p.tsSec, p.tsNsec) });
  }

  /** One line of `rpctrace syn` (bounded by limits.synEvents). */
  private synEvent(p: PacketInfo, retransmitOf: number | null, duplicateOf: number | null, attempt: number): void {
    if (this.synEvents.length >= this.limits.synEvents) {
      this.synEventsDropped++;
      return;
    }
    const t = this.ctx.clock.rel(p.tsSec, p.tsNsec);
    this.synEvents.push({
      frame: p.frame, time: isoNs(p.tsSec, p.tsNsec), relativeTime: Math.round(t * 1e6) / 1e6,
      src: p.srcText(), srcPort: p.srcPort, dst: p.dstText(), dstPort: p.dstPort,
      flags: flagsText(p.tcpFlags), seq: p.seq, retransmitOf, duplicateOf, attempt,
    });
  }
}
