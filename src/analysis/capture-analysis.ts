/**
 * Everything one capture's frames go through: the bulk path or the dissector, the frame
 * counters, capture copies, the conversation table, and the analyzers. The general path below
 * dispatches by transport and never names an application protocol; which packets must leave
 * the bulk path is the analyzers' to say (analyzer.ts).
 */
import type { CaptureRecord } from '../capture/reader.js';
import { Dissector } from '../dissect/dissector.js';
import { L4, type PacketInfo } from '../dissect/packet-info.js';
import type { ExistingConnection, Observations } from '../model/observations.js';
import { TcpFlag } from '../wire/constants.js';
import { Clock, Interest, Probe, type AnalysisContext, type Analyzer } from './analyzer.js';
import { AttemptsAnalyzer, DEFAULT_ATTEMPT_LIMITS } from './analyzers/attempts.js';
import { DcerpcAnalyzer } from './analyzers/dcerpc.js';
import { HostsHeardAnalyzer } from './analyzers/hosts-heard.js';
import { OneSidedAnalyzer } from './analyzers/one-sided.js';
import { AgentAnalyzers } from './analyzers/agent.js';
import { DEFAULT_AGENT_SETTINGS, type AgentSettings, type Profile } from '../model/agent.js';
import { PROFILE_SPECS } from './profiles.js';
import { BulkPath } from './bulk-path.js';
import { CaptureCounters } from './capture-stats.js';
import { ConversationTable } from './conversations.js';
import { CopyFilter } from './copy-filter.js';
import { DEFAULT_MEMORY_BUDGET_MIB, ITEM_BYTES, MemoryBudget } from '../model/memory-budget.js';

/**
 * Fixed bounds on per-capture state besides the memory budget (model/memory-budget.ts), which
 * is what bounds conversations and attempts by default. Past a bound, packets and SYNs are
 * counted, not tracked, and the report says so.
 */
export interface AnalysisLimits {
  conversations: number;
  attempts: number;
  synEvents: number;
}

export const DEFAULT_LIMITS: AnalysisLimits = { conversations: 1 << 22, ...DEFAULT_ATTEMPT_LIMITS };

/** How to analyze one capture. */
export interface CaptureAnalysisOptions {
  /** Keep every SYN as an event (for `rpctrace syn`). */
  keepSyns?: boolean;
  limits?: Partial<AnalysisLimits>;
  /** MiB of state all the capture's growing state draws on (model/memory-budget.ts); default 160. */
  memoryBudgetMiB?: number;
  /** False: every frame takes the general path, never the bulk path (tests compare the two). */
  bulkPath?: boolean;
  /** Analyzers run after the built-in ones (they see the same general path). */
  analyzers?: readonly Analyzer[];
  /** Which checks run (analysis/profiles.ts); default `auto`. */
  profile?: Profile;
  /** Settings of the agent checks' analyzers. */
  agent?: AgentSettings;
  /**
   * The option that forces the agent checks under `auto` (`--require ...`, `--server ...`), as
   * the report's reason gives it; `--profile scom` forces them by itself.
   */
  agentForcedBy?: string | null;
}

const CONTROL = TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST;
/** Existing connections to advertised ports listed at most (the rules look them up by host and port). */
const MAX_EXISTING = 10_000;

export class CaptureAnalysis {
  readonly dissector = new Dissector();
  readonly counters = new CaptureCounters();
  readonly clock = new Clock();
  readonly interest = new Interest();
  readonly conversations: ConversationTable;
  readonly copies: CopyFilter;
  readonly attempts: AttemptsAnalyzer;
  readonly dcerpc: DcerpcAnalyzer;
  readonly oneSided = new OneSidedAnalyzer();
  readonly heard = new HostsHeardAnalyzer();
  /** The agent checks' analyzers, when the profile adds them. */
  readonly agent: AgentAnalyzers | null;
  readonly limits: AnalysisLimits;
  readonly budget: MemoryBudget;
  /** Records the bulk path took. */
  bulkFrames = 0;
  /** Frame number of the latest record. */
  lastFrame = 0;
  private readonly bulk: BulkPath | null;
  private readonly tcpAnalyzers: Analyzer[];
  private readonly reassembledAnalyzers: Analyzer[];
  private readonly udpAnalyzers: Analyzer[];
  private readonly icmpAnalyzers: Analyzer[];
  private readonly copyAnalyzers: Analyzer[];
  private readonly analyzers: readonly Analyzer[];

  constructor(o: CaptureAnalysisOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.budget = MemoryBudget.mib(o.memoryBudgetMiB ?? DEFAULT_MEMORY_BUDGET_MIB);
    this.budget.now = () => this.clock.now();
    // The conversations' share of the budget sets the table's size: its columns never grow past it.
    const maxConversations = Math.min(this.limits.conversations, Math.floor(this.budget.share('conversations') / ITEM_BYTES.conversation));
    this.conversations = new ConversationTable(maxConversations, this.clock, this.interest, this.budget);
    this.copies = new CopyFilter(this.clock);
    this.attempts = new AttemptsAnalyzer(o.keepSyns === true, { attempts: this.limits.attempts, synEvents: this.limits.synEvents }, this.budget);
    this.dcerpc = new DcerpcAnalyzer(this.budget);
    this.dissector.defrag.useBudget(this.budget);
    const spec = PROFILE_SPECS[o.profile ?? 'auto'];
    const forced = spec.agentChecks === 'always' || (o.agentForcedBy ?? null) !== null;
    this.agent = spec.agentAnalyzers ? new AgentAnalyzers(o.agent ?? DEFAULT_AGENT_SETTINGS, forced) : null;
    this.analyzers = [this.attempts, this.dcerpc, this.oneSided, this.heard, ...(this.agent?.analyzers ?? []), ...(o.analyzers ?? [])];
    const anomalies = this.dissector.anomalies;
    const streamLoss = {
      gap: (frame: number): void => anomalies.note('tcp_stream_gap', frame),
      discarded: (bytes: number, frame: number): void => anomalies.add('tcp_bytes_discarded', bytes, frame),
    };
    const ctx: AnalysisContext = { clock: this.clock, conversations: this.conversations, interest: this.interest, streamLoss };
    for (const a of this.analyzers) a.attach(ctx);
    this.tcpAnalyzers = this.analyzers.filter((a) => a.tcp !== undefined);
    this.reassembledAnalyzers = this.analyzers.filter((a) => a.reassembledTcp !== undefined);
    this.udpAnalyzers = this.analyzers.filter((a) => a.udp !== undefined);
    this.icmpAnalyzers = this.analyzers.filter((a) => a.icmp !== undefined);
    this.copyAnalyzers = this.analyzers.filter((a) => a.copy !== undefined);
    this.bulk = o.bulkPath === false ? null : new BulkPath(this.counters, this.conversations);
  }

  /** One capture record, in file order. */
  record(r: CaptureRecord): void {
    this.lastFrame = r.frame;
    this.budget.frame = r.frame;
    if (r.isPacket) this.clock.see(r);
    if (this.bulk !== null && this.bulk.take(r)) { this.bulkFrames++; return; }
    const p = this.dissector.dissect(r);
    this.counters.add(p);
    this.packet(p);
  }

  /** The general path: one dissected frame to the analyzers that asked for its kind. */
  private packet(p: PacketInfo): void {
    if (!p.isPacket) return;
    switch (p.l4) {
      case L4.TCP: {
        if (p.fragment === 2 && p.firstPieceSeen) {
          // A reassembled datagram whose first fragment was handled on its own frame (flags,
          // counts): only the payload is new.
          const hit = this.conversations.find(p.buf, p.srcOff, p.dstOff, p.ipVersion === 4 ? 4 : 16, p.srcPort, p.dstPort);
          if (hit.id < 0) return;
          const id = hit.id;
          const dir = hit.dir;
          for (const a of this.reassembledAnalyzers) a.reassembledTcp!(p, id, dir);
          return;
        }
        if ((p.tcpFlags & CONTROL) !== 0 && this.copy(p)) return;
        const hit = this.conversations.track(p);
        const id = hit.id;
        const dir = hit.dir;
        const probe = id >= 0 && p.payloadLen > 0 ? this.conversations.probeStep(id, dir) : Probe.NONE;
        for (const a of this.tcpAnalyzers) a.tcp!(p, id, dir, probe);
        return;
      }
      case L4.ICMP:
      case L4.ICMPV6:
        if (p.quoted.ipVersion !== 0 && this.copy(p)) return;
        for (const a of this.icmpAnalyzers) a.icmp!(p);
        return;
      case L4.UDP:
        for (const a of this.udpAnalyzers) a.udp!(p);
        return;
      default:
    }
  }

  /** True when `p` is a capture copy (then only the analyzers that list copies see it). */
  private copy(p: PacketInfo): boolean {
    const original = this.copies.check(p);
    if (original === 0) return false;
    for (const a of this.copyAnalyzers) a.copy!(p, original);
    return true;
  }

  /** After the last record: flushes what the analyzers buffer. */
  finish(): void {
    this.dissector.finish();
    for (const a of this.analyzers) a.finish?.();
  }

  /**
   * After `observations`: lets go of the per-conversation state (the conversation table, DCE/RPC
   * conversations and their buffers, the attempts' index), so that its memory is free again
   * before the rules and the report are made. Counters, attempts and events stay.
   */
  releaseState(): void {
    this.conversations.release();
    this.dcerpc.release();
    this.attempts.release();
    this.dissector.defrag.release();
  }

  /**
   * Conversations open before the capture started (packets both ways, no SYN from either side)
   * to a port the endpoint mapper or DCOM advertised. One pass over the table comparing ports
   * first: addresses are made into text only for conversations on an advertised port.
   */
  private existingConnections(): ExistingConnection[] {
    const endpoints = this.dcerpc.endpoints;
    if (endpoints.length === 0) return [];
    const ports = new Set(endpoints.map((e) => e.port));
    const t = this.conversations;
    const out: ExistingConnection[] = [];
    for (let id = 0; id < t.size && out.length < MAX_EXISTING; id++) {
      const [p0, p1] = t.packets(id);
      if (p0 === 0 || p1 === 0 || t.isn(id, 0) !== -1 || t.isn(id, 1) !== -1) continue;
      const fl = t.flows;
      const side: 0 | 1 | -1 = ports.has(fl.port(id, 1)) ? 1 : ports.has(fl.port(id, 0)) ? 0 : -1;
      if (side === -1) continue;
      const client: 0 | 1 = side === 1 ? 0 : 1;
      const [first, last] = t.frames(id);
      const [firstTime, lastTime] = t.times(id);
      out.push({
        client: fl.address(id, client), clientPort: fl.port(id, client), server: fl.address(id, side), serverPort: fl.port(id, side),
        first: { frame: first, time: firstTime }, last: { frame: last, time: lastTime },
      });
    }
    return out;
  }

  /** What the rules read, after `finish`. `snaplen`: the capture's (0 when unknown). */
  observations(snaplen: number, readStop: Observations['readStop'] = null): Observations {
    const t = this.conversations;
    const c = this.counters;
    // One-sided host pairs are made after the last frame: no more than their share holds.
    const oneSided = this.oneSided.pairs(Math.floor(this.budget.share('one-sided-pairs') / ITEM_BYTES.oneSidedPair));
    if (this.oneSided.notKept > 0) this.budget.refuse('one-sided-pairs', this.oneSided.notKept, this.oneSided.firstNotKept);
    return {
      readStop,
      attempts: this.attempts.attempts,
      rpc: this.dcerpc.observations(),
      existing: this.existingConnections(),
      oneSided,
      heard: this.heard,
      segments: { segments: t.segments, payload: t.payloadSegments, payloadCut: t.payloadCut, cutExamples: t.cutExamples },
      copies: this.copies.counts(),
      limits: this.attempts.limitCounts(),
      budget: { limitBytes: this.budget.limit, accounts: this.budget.accounts() },
      snaplen,
      captureSeconds: c.timed ? this.clock.latest : 0,
      clock: { backJumps: this.clock.backJumps, firstJumpFrame: this.clock.firstJumpFrame, firstJumpTime: this.clock.firstJumpTime, largestJump: this.clock.largestJump },
      agent: this.agent?.observations(c.frames) ?? null,
    };
  }
}
