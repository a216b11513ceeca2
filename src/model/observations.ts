/**
 * What the analyzers hand to the rules: plain values, one kind per analyzer, no tracker behind
 * them. Times are seconds since the first frame of the capture (not rounded).
 */
import type { AgentObservations } from './agent.js';
import type { IcmpRefusal } from './connections.js';
import type { KindAccount } from './memory-budget.js';

/** A frame and its time, as examples for capture-wide findings. */
export interface FrameAt {
  frame: number;
  time: number;
}

/** One TCP connection attempt as seen on the wire: the first SYN, its retransmissions, and every answer. */
export interface AttemptRecord {
  readonly client: string;
  readonly clientPort: number;
  readonly server: string;
  readonly serverPort: number;
  readonly isn: number;
  readonly synFrames: readonly number[];
  readonly synTimes: readonly number[];
  readonly synAckFrames: readonly number[];
  readonly synAckTimes: readonly number[];
  /** The client's ACK that completed the handshake, or null. */
  readonly ackFrame: number | null;
  readonly ackTime: number;
  /** True when no SYN-ACK was captured and the client's later segment proves the handshake completed. */
  readonly handshakeInferred: boolean;
  /** RSTs from the server side before the handshake completed. */
  readonly rstFrames: readonly number[];
  readonly rstTimes: readonly number[];
  /** The client reset the connection after the SYN-ACK (it did get the answer). */
  readonly clientRstFrame: number | null;
  readonly icmp: IcmpRefusal | null;
  readonly icmpTime: number;
  /** Times of the first SYN, the last SYN, and the first answer (NaN: none). */
  readonly firstSyn: number;
  readonly lastSyn: number;
  readonly answeredAt: number;
  /** Time of the first SYN, ISO 8601 UTC with nanoseconds. */
  readonly isoTime: string;
}

/** An endpoint a server advertised (EPM tower or DCOM string binding), with the conversation that carried it. */
export interface EndpointEvent {
  /** Frame where the answer PDU completed. */
  frame: number;
  requestFrame: number | null;
  requestTime: number;
  source: 'epm' | 'dcom';
  operation: string;
  /** The address written in the tower or first binding (`0.0.0.0`, an IP, a host name), or null. */
  advertisedHost: string | null;
  /** DCOM: every string binding with this port (`HOST[PORT]`), in the order written; EPM: []. */
  bindings: string[];
  port: number;
  interfaceUuid: string | null;
  /** An entry of an ept_lookup enumeration (rpcdump, `portqry -e 135`): no client need follow it. */
  enumeration: boolean;
  client: string;
  server: string;
  serverPort: number;
  /** Time of the answer. */
  time: number;
}

/** An endpoint mapper answer without a usable TCP endpoint. */
export interface NoEndpointEvent {
  frame: number;
  time: number;
  requestFrame: number | null;
  requestTime: number;
  operation: string;
  status: number;
  /** The interface the client asked for (from the request's map tower), when known. */
  interfaceUuid: string | null;
  client: string;
  server: string;
}

/** A DCE/RPC fault PDU. */
export interface FaultEvent {
  frame: number;
  time: number;
  requestFrame: number | null;
  requestTime: number;
  status: number;
  interfaceUuid: string | null;
  opnum: number | null;
  client: string;
  server: string;
  serverPort: number;
}

/** A bind_ack and the secondary address (the port the server believes it listens on) it carries. */
export interface BindAckEvent {
  frame: number;
  time: number;
  client: string;
  server: string;
  serverPort: number;
  secondaryAddress: string;
}

/**
 * A bind (or alter_context) the server refused: a bind_nak with its reason, or a bind_ack that
 * accepted none of the presentation contexts offered (the reason of the first rejected one).
 */
export interface BindRejectEvent {
  frame: number;
  time: number;
  /** The bind or alter_context answered, when the capture holds it. */
  bindFrame: number | null;
  bindTime: number;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /**
   * `nak`: bind_nak (C706 p_reject_reason_t); `contexts`: every context rejected
   * (p_provider_reason_t); `reset` / `closed`: a RST / FIN from the server's side while the bind
   * waited for its answer (reason 0).
   */
  kind: 'nak' | 'contexts' | 'reset' | 'closed';
  reason: number;
  /** An alter_context on a connection already bound, rather than the first bind. */
  alter: boolean;
  /** The interfaces offered (abstract syntax UUIDs), when the bind is in the capture. */
  interfaces: readonly string[];
}

/** DCE/RPC over TCP: what the endpoint mapper and DCOM answered, faults, bind_acks, binds refused. */
export interface RpcObservations {
  endpoints: readonly EndpointEvent[];
  noEndpoints: readonly NoEndpointEvent[];
  faults: readonly FaultEvent[];
  bindAcks: readonly BindAckEvent[];
  bindRejects: readonly BindRejectEvent[];
  /** Segments of DCE/RPC conversations whose payload the snaplen cut. */
  payloadCut: number;
}

/**
 * A conversation already open when the capture started (packets both ways, no SYN from either
 * side) to a port the endpoint mapper or DCOM advertised: a client may reuse such a connection
 * instead of opening a new one.
 */
export interface ExistingConnection {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  first: FrameAt;
  last: FrameAt;
}

/** The first sign of life a host gave outside TCP: a UDP datagram (from `port`) or an ICMP echo reply. */
export interface HeardFrom {
  frame: number;
  time: number;
  what: 'udp' | 'echo-reply';
  port: number | null;
}

/** Hosts heard from outside TCP (the first 4,096 met), looked up by address text. */
export interface HostsHeard {
  from(address: string): HeardFrom | null;
}

/** A host pair where one side sends data and nothing at all comes back. */
export interface OneSidedPair {
  sender: string;
  receiver: string;
  /** First frames of the one-way conversations (at most 10). */
  frames: readonly FrameAt[];
}

/** TCP segment counts over the whole capture. */
export interface SegmentCounts {
  segments: number;
  /** Segments carrying payload. */
  payload: number;
  /** Of those, segments whose payload the snaplen cut. */
  payloadCut: number;
  /** The first few of them. */
  cutExamples: readonly FrameAt[];
}

/** Frames recorded twice by the capture set-up (only SYN, FIN, RST and quoted ICMP are checked). */
export interface CopyCounts {
  copies: number;
  /** Of those, forwarding copies: recorded again on another interface, or with the TTL / hop limit one lower. */
  forwarded: number;
  /** The first few. */
  examples: readonly CopyExample[];
}

/** A copy, the frame it repeats, and whether it is a forwarding copy. */
export interface CopyExample {
  copy: FrameAt;
  original: FrameAt;
  forwarded: boolean;
}

/** What the bounds on per-capture state left untracked. */
export interface LimitCounts {
  maxAttempts: number;
  maxConversations: number;
  trackedAttempts: number;
  /** SYNs that opened no tracked attempt. */
  untrackedSyns: number;
  /** TCP packets of conversations the full table could not take. */
  untrackedPackets: number;
  /** Untracked SYNs by destination port, most first (at most 5). */
  topPorts: [number, number][];
  /** First frames that hit a bound. */
  examples: readonly FrameAt[];
  /** The first TCP packet of a conversation the table could not take, or null. */
  firstUntracked: FrameAt | null;
}

/** The memory budget (model/memory-budget.ts) and what it did. */
export interface BudgetCounts {
  limitBytes: number;
  /** The kinds it released or refused anything of. */
  accounts: readonly KindAccount[];
}

/** Where reading stopped early (a file damaged or cut part-way), if it did. */
export interface ReadStop {
  offset: number;
  code: string;
  message: string;
  /** Frames read before it, and the last of them. */
  frames: number;
  lastFrame: FrameAt | null;
}

/** Everything the rules read about one capture. */
export interface Observations {
  /** Null when the whole file was read. */
  readStop: ReadStop | null;
  attempts: readonly AttemptRecord[];
  rpc: RpcObservations;
  /** Connections open before the capture started, to advertised ports (at most 10,000). */
  existing: readonly ExistingConnection[];
  oneSided: readonly OneSidedPair[];
  /** Hosts that sent UDP or answered a ping: up, whatever their TCP ports do. */
  heard: HostsHeard;
  segments: SegmentCounts;
  copies: CopyCounts;
  limits: LimitCounts;
  /** What the memory budget released or did not keep, per kind. */
  budget: BudgetCounts;
  /** The capture's snaplen (0 when unknown). */
  snaplen: number;
  /** Seconds from the first frame to the latest, jumps back taken out. */
  captureSeconds: number;
  /** Jumps back in the frames' times (traces joined in file order). */
  clock: ClockJumps;
  /** What the agent checks' analyzers observed; null when the profile does not run them. */
  agent: AgentObservations | null;
}

/** Frames more than a second older than the latest before them. */
export interface ClockJumps {
  backJumps: number;
  firstJumpFrame: number;
  /** Relative time at the first jump (the times after it go on from there). */
  firstJumpTime: number;
  /** The largest jump back, seconds. */
  largestJump: number;
}
