/**
 * DCE/RPC over TCP: which conversations carry it, their reassembled streams, and what the
 * endpoint mapper and DCOM answered (advertised endpoints, answers without one), faults,
 * bind_acks and binds refused. A conversation is DCE/RPC when it runs on TCP 135, or when one of a side's first
 * payload segments starts with a connection-oriented PDU header (a capture that starts
 * mid-connection may begin inside a PDU). Such conversations are marked, so that every one of
 * their segments reaches this analyzer.
 */
import { L4, type PacketInfo } from '../../dissect/packet-info.js';
import type { BindAckEvent, BindRejectEvent, EndpointEvent, FaultEvent, NoEndpointEvent, RpcObservations } from '../../model/observations.js';
import { TcpFlag } from '../../wire/constants.js';
import { looksLikeCoPdu } from '../../wire/dcerpc.js';
import { Probe, type AnalysisContext, type Analyzer } from '../analyzer.js';
import { RpcConversation, type AdvertisedEndpoint, type BindRejection, type EpmNoEndpoint, type RpcFaultEvent, type RpcSink } from './rpc-conversation.js';

/** The endpoint mapper's port. */
const EPM_PORT = 135;
/** Payload segments per side checked for a DCE/RPC header before a conversation counts as not RPC. */
const PROBE_WINDOW = 8;

export class DcerpcAnalyzer implements Analyzer, RpcSink {
  readonly name = 'dcerpc';
  readonly endpoints: EndpointEvent[] = [];
  readonly noEndpoints: NoEndpointEvent[] = [];
  readonly faults: FaultEvent[] = [];
  readonly bindAcks: BindAckEvent[] = [];
  readonly bindRejects: BindRejectEvent[] = [];
  /** Segments of DCE/RPC conversations whose payload the snaplen cut. */
  payloadCut = 0;
  private readonly conversations = new Map<number, RpcConversation>();
  private ctx!: AnalysisContext;
  private bit = 0;

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
    this.bit = ctx.conversations.allocWantBit();
    ctx.interest.tcpPayloadOn(EPM_PORT);
    ctx.interest.probe(PROBE_WINDOW, looksLikeCoPdu);
  }

  tcp(p: PacketInfo, id: number, dir: 0 | 1, probe: Probe): void {
    if (id < 0) return;
    const table = this.ctx.conversations;
    if ((p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && table.wants(id, this.bit)) {
      // A new connection on the same ports (the client reused its port, or traces were joined):
      // what the old one left in its streams is flushed, and the new one starts afresh.
      const old = this.conversations.get(id)!;
      old.streams[0].finish();
      old.streams[1].finish();
      this.conversations.delete(id);
      table.unwant(id, this.bit);
    }
    if (p.payloadLen === 0) return;
    let rpc: RpcConversation | undefined;
    if (table.wants(id, this.bit)) {
      rpc = this.conversations.get(id)!;
    } else {
      const epm = p.srcPort === EPM_PORT || p.dstPort === EPM_PORT;
      if (!epm && (probe !== Probe.WITHIN || !looksLikeCoPdu(p.buf, p.payloadOff, p.payloadOff + p.payloadCaptured))) return;
      const fl = table.flows;
      rpc = new RpcConversation([fl.address(id, 0), fl.address(id, 1)], [fl.port(id, 0), fl.port(id, 1)], this, this.ctx.streamLoss);
      // On 135 the streams start at the SYN, so early segments that arrive out of order wait
      // for the first. Recognised later, a stream starts at the segment that showed the header.
      if (epm && table.isn(id, 0) !== -1) rpc.streams[0].setIsn(table.isn(id, 0));
      if (epm && table.isn(id, 1) !== -1) rpc.streams[1].setIsn(table.isn(id, 1));
      this.conversations.set(id, rpc);
      table.want(id, this.bit);
    }
    // The first fragment of a datagram still being reassembled holds only part of the segment:
    // the stream gets the whole segment when the datagram completes.
    if (p.fragment === 1) return;
    this.feed(rpc, p, dir);
  }

  reassembledTcp(p: PacketInfo, id: number, dir: 0 | 1): void {
    if (p.payloadLen === 0 || p.l4 !== L4.TCP) return;
    const rpc = this.conversations.get(id);
    if (rpc !== undefined) this.feed(rpc, p, dir);
  }

  finish(): void {
    for (const r of this.conversations.values()) { r.streams[0].finish(); r.streams[1].finish(); }
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
    this.endpoints.push({ ...e, client: c.client, server: c.server, serverPort: c.serverPort, time: this.now() });
  }
  epmNoEndpoint(c: RpcConversation, e: EpmNoEndpoint): void {
    this.noEndpoints.push({ ...e, time: this.now(), client: c.client, server: c.server });
  }
  fault(c: RpcConversation, e: RpcFaultEvent): void {
    this.faults.push({ ...e, time: this.now(), client: c.client, server: c.server, serverPort: c.serverPort });
  }
  bindAck(c: RpcConversation, frame: number, secondaryAddress: string): void {
    this.bindAcks.push({ frame, time: this.now(), client: c.client, server: c.server, serverPort: c.serverPort, secondaryAddress });
  }
  bindRejected(c: RpcConversation, r: BindRejection): void {
    this.bindRejects.push({ ...r, time: this.now(), client: c.client, clientPort: c.clientPort, server: c.server, serverPort: c.serverPort });
  }
}
