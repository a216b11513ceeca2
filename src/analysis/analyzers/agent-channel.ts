/**
 * The Operations Manager agent channel, TCP (and UDP) 5723: each TCP conversation's payload
 * counts per side, who closed it first and when, TLS alert records at the start of its segments,
 * and, per agent and management server, the agent's transmissions in time (heartbeats): their
 * number, the gaps long enough to show the agent's rhythm, and the silences long enough to be a
 * heartbeat failure. The client of a conversation (the side that is not on 5723) is the agent or
 * gateway; the side on 5723 is the management server or gateway.
 *
 * Only payload on 5723 leaves the bulk path (Interest.tcpPayloadOn): pure ACKs of long-lived
 * agent connections stay there. A transmission is a segment that carries new data: a TCP
 * retransmission of old bytes is not a heartbeat.
 */
import type { PacketInfo } from '../../dissect/packet-info.js';
import type { ChannelConversation, HeartbeatSeries } from '../../model/agent.js';
import { AGENT_PORT } from '../../model/agent.js';
import { TcpFlag } from '../../wire/constants.js';
import { tlsAlertName, tlsAlerts } from '../../wire/tls.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';

/** Conversations on 5723 followed, at most (a management server's capture holds one per agent). */
const MAX_CONVERSATIONS = 20_000;
/** Agent and server pairs whose transmissions are timed, at most. */
const MAX_SERIES = 20_000;
/** Gaps kept per series to judge its rhythm, and silences kept per series. */
const MAX_RHYTHM_GAPS = 512;
const MAX_SILENCES = 100;
/** TLS alerts kept per conversation. */
const MAX_ALERTS = 8;

interface Conversation extends ChannelConversation {
  clientSide: 0 | 1;
  /** Highest sequence number (end of data) the client sent, -1 before its first payload. */
  clientNext: number;
  series: HeartbeatSeries | null;
}

/** Seconds thresholds the series use: a gap of `rhythmMin` or more counts for the rhythm; above `silenceMin` it is a silence. */
export interface HeartbeatThresholds {
  rhythmMin: number;
  silenceMin: number;
}

export class AgentChannelAnalyzer implements Analyzer {
  readonly name = 'agent-channel';
  conversationsNotKept = 0;
  private readonly conversations = new Map<number, Conversation>();
  private readonly series = new Map<string, HeartbeatSeries>();
  private ctx!: AnalysisContext;

  /** `onChannel`: called at the first packet on 5723 (the agent checks' `auto` waits for it). */
  constructor(private readonly thresholds: HeartbeatThresholds, private readonly onChannel: () => void = () => {}) {}

  private seen = false;

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
    ctx.interest.tcpPayloadOn(AGENT_PORT);
  }

  tcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    if (p.srcPort !== AGENT_PORT && p.dstPort !== AGENT_PORT) return;
    this.saw();
    if (id < 0) return;
    const c = this.conversation(p, id, dir);
    if (c === null) return;
    const time = this.ctx.clock.rel(p.tsSec, p.tsNsec);
    const fromClient = dir === c.clientSide;
    if ((p.tcpFlags & (TcpFlag.FIN | TcpFlag.RST)) !== 0 && c.closedBy === null) {
      c.closedBy = fromClient ? 'client' : 'server';
      c.closeKind = (p.tcpFlags & TcpFlag.RST) !== 0 ? 'rst' : 'fin';
      c.closeFrame = p.frame;
      c.closeTime = time;
    }
    if (p.payloadLen === 0 || p.fragment === 1) return;
    this.payload(c, p, fromClient, time);
  }

  reassembledTcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    if (p.payloadLen === 0) return;
    const c = this.conversations.get(id);
    if (c !== undefined) this.payload(c, p, dir === c.clientSide, this.ctx.clock.rel(p.tsSec, p.tsNsec));
  }

  udp(p: PacketInfo): void {
    // Heartbeats over UDP go from the agent to the server's 5723.
    if (p.dstPort !== AGENT_PORT || p.fragment === 1) return;
    this.saw();
    const s = this.seriesOf(p.srcText(), p.dstText(), 'udp');
    if (s !== null) this.transmission(s, p.frame, this.ctx.clock.rel(p.tsSec, p.tsNsec));
  }

  private saw(): void {
    if (this.seen) return;
    this.seen = true;
    this.onChannel();
  }

  channel(): ChannelConversation[] {
    return [...this.conversations.values()].map(({ clientSide: _s, clientNext: _n, series: _x, ...c }) => c);
  }

  heartbeats(): HeartbeatSeries[] {
    return [...this.series.values()];
  }

  private conversation(p: PacketInfo, id: number, dir: 0 | 1): Conversation | null {
    const have = this.conversations.get(id);
    if (have !== undefined) return have;
    if (this.conversations.size >= MAX_CONVERSATIONS) { this.conversationsNotKept++; return null; }
    const clientSide: 0 | 1 = p.dstPort === AGENT_PORT ? dir : dir === 0 ? 1 : 0;
    const serverSide: 0 | 1 = clientSide === 0 ? 1 : 0;
    const fl = this.ctx.conversations.flows;
    const [firstFrame] = this.ctx.conversations.frames(id);
    const c: Conversation = {
      client: fl.address(id, clientSide), clientPort: fl.port(id, clientSide), server: fl.address(id, serverSide), serverPort: fl.port(id, serverSide),
      firstFrame, firstTime: this.ctx.clock.rel(p.tsSec, p.tsNsec), clientPayloads: 0, serverPayloads: 0,
      lastServerPayloadFrame: 0, lastServerPayloadTime: Number.NaN, closedBy: null, closeKind: null, closeFrame: 0, closeTime: Number.NaN, alerts: [],
      clientSide, clientNext: -1, series: null,
    };
    this.conversations.set(id, c);
    return c;
  }

  private payload(c: Conversation, p: PacketInfo, fromClient: boolean, time: number): void {
    if (fromClient) {
      c.clientPayloads++;
      const end = (p.seq + p.payloadLen) >>> 0;
      // New data only: modulo 2^32 (RFC 9293 §3.4), a segment ending at or before what was sent is a retransmission.
      if (c.clientNext === -1 || ((end - c.clientNext) | 0) > 0) {
        c.clientNext = end;
        c.series ??= this.seriesOf(c.client, c.server, 'tcp');
        if (c.series !== null) this.transmission(c.series, p.frame, time);
      }
    } else {
      c.serverPayloads++;
      c.lastServerPayloadFrame = p.frame;
      c.lastServerPayloadTime = time;
    }
    if (c.alerts.length < MAX_ALERTS) {
      for (const a of tlsAlerts(p.buf, p.payloadOff, p.payloadOff + p.payloadCaptured)) {
        if (c.alerts.length >= MAX_ALERTS) break;
        c.alerts.push({
          frame: p.frame, time, from: fromClient ? c.client : c.server, to: fromClient ? c.server : c.client,
          level: a.level, description: a.description, name: a.encrypted ? null : tlsAlertName(a.description),
        });
      }
    }
  }

  private seriesOf(agent: string, server: string, transport: 'tcp' | 'udp'): HeartbeatSeries | null {
    const key = `${agent}|${server}|${transport}`;
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= MAX_SERIES) return null;
      s = { agent, server, transport, transmissions: 0, firstFrame: 0, firstTime: 0, lastFrame: 0, lastTime: 0, rhythmGaps: [], silences: [] };
      this.series.set(key, s);
    }
    return s;
  }

  private transmission(s: HeartbeatSeries, frame: number, time: number): void {
    if (s.transmissions === 0) {
      s.firstFrame = frame;
      s.firstTime = time;
    } else {
      const gap = time - s.lastTime;
      if (gap >= this.thresholds.rhythmMin && s.rhythmGaps.length < MAX_RHYTHM_GAPS) s.rhythmGaps.push(gap);
      if (gap > this.thresholds.silenceMin && s.silences.length < MAX_SILENCES) s.silences.push({ fromFrame: s.lastFrame, fromTime: s.lastTime, toFrame: frame, toTime: time });
    }
    s.transmissions++;
    s.lastFrame = frame;
    s.lastTime = time;
  }
}
