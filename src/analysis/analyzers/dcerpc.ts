/**
 * DCE/RPC over TCP: which conversations carry it, their reassembled streams, and what the
 * endpoint mapper and DCOM answered (advertised endpoints, answers without one), faults,
 * bind_acks and binds refused. A conversation is DCE/RPC when it runs on TCP 135, or when one of a side's first
 * payload segments starts with a connection-oriented PDU header (a capture that starts
 * mid-connection may begin inside a PDU). Such conversations are marked, so that every one of
 * their segments reaches this analyzer.
 *
 * Cheap until proven: a conversation gets DCE/RPC state and stream buffers only once a payload
 * segment starts like a plausible PDU (version 5.0 or 5.1, a known packet type, drep, a
 * frag_length of at least a header), on 135 too; its buffers grow only as far as the PDU they
 * hold needs. All of it is charged to the memory budget; when the budget is full, the
 * conversations that never produced a valid PDU go first, then the idle ones, and the report
 * counts them (model/memory-budget.ts).
 */
import { L4, type PacketInfo } from '../../dissect/packet-info.js';
import type { BindAckEvent, BindRejectEvent, EndpointEvent, FaultEvent, NoEndpointEvent, RpcObservations } from '../../model/observations.js';
import { TcpFlag } from '../../wire/constants.js';
import { couldStartCoPdu, looksLikeCoPdu } from '../../wire/dcerpc.js';
import { Probe, type AnalysisContext, type Analyzer } from '../analyzer.js';
import { grown } from '../columns.js';
import { ITEM_BYTES, type MemoryBudget } from '../../model/memory-budget.js';
import { RpcConversation, type AdvertisedEndpoint, type BindRejection, type EpmNoEndpoint, type RpcFaultEvent, type RpcSink } from './rpc-conversation.js';

/** The endpoint mapper's port. */
const EPM_PORT = 135;
/** Payload segments per side checked for a DCE/RPC header before a conversation counts as not RPC. */
const PROBE_WINDOW = 8;
/** A conversation that brought no bytes for this many frames is idle: the budget may release it. */
const IDLE_FRAMES = 1000;
/** Per conversation id: no DCE/RPC state (yet), state kept (no valid PDU yet, or one seen), state released by the budget. */
const NONE = 0, UNPROVEN = 1, RELEASED = 2, PROVEN = 3;

export class DcerpcAnalyzer implements Analyzer, RpcSink {
  readonly name = 'dcerpc';
  readonly endpoints: EndpointEvent[] = [];
  readonly noEndpoints: NoEndpointEvent[] = [];
  readonly faults: FaultEvent[] = [];
  readonly bindAcks: BindAckEvent[] = [];
  readonly bindRejects: BindRejectEvent[] = [];
  /** Segments of DCE/RPC conversations whose payload the snaplen cut. */
  payloadCut = 0;
  /** Answers (endpoints, answers without one, faults, bind_acks) the budget did not keep. */
  answersNotKept = 0;
  /** Conversations by id, in the order they got state (the budget releases from the oldest). */
  private readonly conversations = new Map<number, RpcConversation>();
  /** Of those, the ones that have not produced a valid PDU yet, in the same order: released first. */
  private readonly unproven = new Map<number, RpcConversation>();
  /** NONE, UNPROVEN, PROVEN or RELEASED per conversation id. */
  private state = new Uint8Array(0);
  private ctx!: AnalysisContext;
  private bit = 0;

  constructor(private readonly budget: MemoryBudget | null = null) {
    if (budget !== null) {
      const release = (need: number): number => this.releaseFor(need);
      budget.releaser('dcerpc', release);
      budget.releaser('stream-buffers', release);
    }
  }

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
    this.bit = ctx.conversations.allocWantBit();
    ctx.interest.tcpPayloadOn(EPM_PORT);
    ctx.interest.probe(PROBE_WINDOW, looksLikeCoPdu);
  }

  /**
   * Releases DCE/RPC conversations until `need` bytes are free: first those that never produced
   * a valid PDU, then those idle for IDLE_FRAMES frames, oldest first; a conversation busy now
   * is kept. Frees a sixteenth of what the kind holds at least, so that sweeps stay rare.
   */
  private releaseFor(need: number): number {
    const budget = this.budget!;
    const want = Math.max(need, (budget.holds('dcerpc') + budget.holds('stream-buffers')) / 16);
    const now = budget.frame;
    let freed = 0;
    for (const [id, c] of this.unproven) {
      if (freed >= want) return freed;
      freed += this.drop(id, c);
    }
    for (const [id, c] of this.conversations) {
      if (freed >= want) return freed;
      if (now - c.lastFrame >= IDLE_FRAMES) freed += this.drop(id, c);
    }
    return freed;
  }

  /** Lets go of conversation `id`'s DCE/RPC state (the budget needs the room); returns the bytes freed. */
  private drop(id: number, c: RpcConversation): number {
    const budget = this.budget!;
    const bytes = c.streams[0].drop() + c.streams[1].drop() + ITEM_BYTES.dcerpc;
    budget.release('dcerpc', ITEM_BYTES.dcerpc);
    budget.released('dcerpc');
    this.conversations.delete(id);
    this.unproven.delete(id);
    this.state[id] = RELEASED;
    this.ctx.conversations.unwant(id, this.bit);
    return bytes;
  }

  tcp(p: PacketInfo, id: number, dir: 0 | 1, probe: Probe): void {
    if (id < 0) return;
    this.segment(p, id, dir, probe);
    // After the segment's payload (a bind_nak may come with the FIN): a close from the server's
    // side while a bind waits for its answer refuses the bind.
    if ((p.tcpFlags & (TcpFlag.RST | TcpFlag.FIN)) !== 0 && this.ctx.conversations.wants(id, this.bit)) {
      this.conversations.get(id)?.closedBy(dir, p.frame, (p.tcpFlags & TcpFlag.RST) !== 0 ? 'reset' : 'closed');
    }
  }

  private segment(p: PacketInfo, id: number, dir: 0 | 1, probe: Probe): void {
    const table = this.ctx.conversations;
    if ((p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && table.wants(id, this.bit)) {
      // A new connection on the same ports (the client reused its port, or traces were joined):
      // what the old one left in its streams is flushed, and the new one starts afresh.
      const old = this.conversations.get(id)!;
      old.streams[0].finish();
      old.streams[1].finish();
      this.forget(id, old);
      table.unwant(id, this.bit);
    }
    if (id >= this.state.length) this.state = grown(this.state, Math.max(1024, this.state.length * 2, id + 1));
    if ((p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN) this.state[id] = NONE;
    if (p.payloadLen === 0) return;
    let rpc: RpcConversation | undefined;
    if (table.wants(id, this.bit)) {
      rpc = this.conversations.get(id)!;
    } else {
      if (this.state[id] === RELEASED) return;
      const epm = p.srcPort === EPM_PORT || p.dstPort === EPM_PORT;
      if (!epm && probe !== Probe.WITHIN) return;
      // On 135 a segment that arrived before the stream's first bytes (its SYN is known) waits
      // for them, and the first bytes may be fewer than a header; elsewhere the probe found a
      // whole header.
      const isn = epm ? table.isn(id, dir) : -1;
      const early = isn !== -1 && p.seq !== ((isn + 1) >>> 0);
      const end = p.payloadOff + p.payloadCaptured;
      if (!early && !(epm ? couldStartCoPdu(p.buf, p.payloadOff, end) : looksLikeCoPdu(p.buf, p.payloadOff, end))) return;
      if (this.budget !== null && !this.budget.charge('dcerpc', ITEM_BYTES.dcerpc)) {
        this.budget.refuse('dcerpc');
        this.state[id] = RELEASED;
        return;
      }
      this.state[id] = UNPROVEN;
      const fl = table.flows;
      rpc = new RpcConversation((side) => fl.address(id, side), [fl.port(id, 0), fl.port(id, 1)], this, this.ctx.streamLoss, this.budget);
      // On 135 the streams start at the SYN, so early segments that arrive out of order wait
      // for the first. Recognised later, a stream starts at the segment that showed the header.
      if (epm && table.isn(id, 0) !== -1) rpc.streams[0].setIsn(table.isn(id, 0));
      if (epm && table.isn(id, 1) !== -1) rpc.streams[1].setIsn(table.isn(id, 1));
      this.conversations.set(id, rpc);
      this.unproven.set(id, rpc);
      table.want(id, this.bit);
    }
    // The first fragment of a datagram still being reassembled holds only part of the segment:
    // the stream gets the whole segment when the datagram completes.
    if (p.fragment === 1) return;
    this.feed(rpc, p, dir);
    if (this.state[id] === UNPROVEN && rpc.pdus > 0) {
      this.state[id] = PROVEN;
      this.unproven.delete(id);
    }
  }

  reassembledTcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    if (p.payloadLen === 0 || p.l4 !== L4.TCP) return;
    const rpc = this.conversations.get(id);
    if (rpc !== undefined) this.feed(rpc, p, dir);
  }

  finish(): void {
    for (const r of this.conversations.values()) { r.streams[0].finish(); r.streams[1].finish(); }
  }

  /** Lets go of every conversation's state after `finish` (the rules read observations only). */
  release(): void {
    this.conversations.clear();
    this.unproven.clear();
    this.state = new Uint8Array(0);
  }

  /** The conversations read as DCE/RPC: their ports (side 0, side 1) and the PDUs decoded. */
  rpcConversations(): { ports: readonly [number, number]; pdus: number }[] {
    return [...this.conversations.values()].map((c) => ({ ports: c.ports, pdus: c.pdus }));
  }

  observations(): RpcObservations {
    return { endpoints: this.endpoints, noEndpoints: this.noEndpoints, faults: this.faults, bindAcks: this.bindAcks, bindRejects: this.bindRejects, payloadCut: this.payloadCut };
  }

  /** Hands a segment's payload to a conversation's stream (snaplen cuts become gaps). */
  private feed(rpc: RpcConversation, p: PacketInfo, dir: 0 | 1): void {
    const s = rpc.streams[dir];
    rpc.lastFrame = p.frame;
    if (p.payloadCaptured < p.payloadLen) {
      this.payloadCut++;
      s.segment(p.buf, p.payloadOff, p.payloadCaptured, p.seq, p.frame);
      s.lost((p.seq + p.payloadCaptured) >>> 0, p.payloadLen - p.payloadCaptured, p.frame);
    } else {
      s.segment(p.buf, p.payloadOff, p.payloadLen, p.seq, p.frame);
    }
  }

  // RpcSink: answers found by the conversations' DCE/RPC parsers.
  now(): number {
    return this.ctx.clock.now();
  }
  endpoint(c: RpcConversation, e: AdvertisedEndpoint): void {
    if (this.keep()) this.endpoints.push({ ...e, client: c.client, server: c.server, serverPort: c.serverPort, time: this.now() });
  }
  epmNoEndpoint(c: RpcConversation, e: EpmNoEndpoint): void {
    if (this.keep()) this.noEndpoints.push({ ...e, time: this.now(), client: c.client, server: c.server });
  }
  fault(c: RpcConversation, e: RpcFaultEvent): void {
    if (this.keep()) this.faults.push({ ...e, time: this.now(), client: c.client, server: c.server, serverPort: c.serverPort });
  }
  bindAck(c: RpcConversation, frame: number, secondaryAddress: string): void {
    if (this.keep()) this.bindAcks.push({ frame, time: this.now(), client: c.client, server: c.server, serverPort: c.serverPort, secondaryAddress });
  }

  /** Whether the budget has room for one more answer; counts it when not. */
  private keep(): boolean {
    if (this.budget === null || this.budget.charge('endpoints', ITEM_BYTES.endpoint)) return true;
    this.budget.refuse('endpoints');
    this.answersNotKept++;
    return false;
  }

  /** Removes conversation `id`'s state (a new connection on its ports), giving back what it held. */
  private forget(id: number, c: RpcConversation): void {
    if (this.budget !== null) {
      c.streams[0].drop();
      c.streams[1].drop();
      this.budget.release('dcerpc', ITEM_BYTES.dcerpc);
    }
    this.conversations.delete(id);
    this.unproven.delete(id);
  }
  bindRejected(c: RpcConversation, r: BindRejection): void {
    if (this.keep()) this.bindRejects.push({ ...r, time: this.now(), client: c.client, clientPort: c.clientPort, server: c.server, serverPort: c.serverPort });
  }
}
