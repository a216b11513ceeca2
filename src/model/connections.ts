/**
 * What the report says about TCP connections: attempts and their outcomes, endpoints advertised
 * by the endpoint mapper or DCOM and what followed them, and a per-port summary. Documented
 * field by field in the README ("JSON output"); keep both in step.
 */

/**
 * Outcome of one TCP connection attempt (the model is Zeek's conn_state):
 * - `established`: SYN, SYN-ACK, and the client's ACK completing the handshake;
 * - `no-answer`: no SYN-ACK, RST or ICMP within the client's retransmission timeout: the SYN was
 *   retransmitted, or the capture goes on at least 3 s after a single SYN (silent drop);
 * - `reset`: the server side answered the SYN with RST;
 * - `icmp-refused`: an ICMP/ICMPv6 destination-unreachable quoting the SYN came back;
 * - `answered-not-completed`: a SYN-ACK came back but the client never completed the handshake
 *   (asymmetric path, or the SYN-ACK was dropped on its way to the client);
 * - `incomplete`: a single SYN, unanswered, and the capture ends less than 3 s after it: before
 *   even Windows' first retransmission, so nothing can be concluded.
 */
export type AttemptOutcome = 'established' | 'no-answer' | 'reset' | 'icmp-refused' | 'answered-not-completed' | 'incomplete';

/** The ICMP message that refused an attempt. */
export interface IcmpRefusal {
  frame: number;
  /** Who sent the ICMP message (often a firewall or router, not the server). */
  from: string;
  type: number;
  code: number;
  /** e.g. `port-unreachable`, `admin-prohibited`, `host-unreachable`. */
  meaning: string;
}

/** One TCP connection attempt: a first SYN and everything that answered it. */
export interface Attempt {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** Initial sequence number of the client's SYN. */
  isn: number;
  /** The first SYN and its retransmissions, in frame order. */
  synFrames: number[];
  /** synFrames.length - 1. */
  retransmissions: number;
  /** Seconds from the first SYN to each SYN of synFrames (0 first): the client's retry schedule. */
  synOffsets: number[];
  synAckFrames: number[];
  /** The client's ACK that completed the handshake, or null. */
  ackFrame: number | null;
  /**
   * True when the capture holds no SYN-ACK and the client's later segment (acknowledging the
   * server, going on from its ISN + 1) proves the handshake completed: established, inferred.
   */
  inferred: boolean;
  /** RSTs from the server side before the handshake completed. */
  rstFrames: number[];
  icmp: IcmpRefusal | null;
  outcome: AttemptOutcome;
  /** Time of the first SYN, ISO 8601 UTC. */
  time: string;
  /** Seconds from the first frame of the capture to the first SYN. */
  relativeTime: number;
  /** Seconds from the first SYN to the first answer (SYN-ACK, RST or ICMP), or null. */
  answerSeconds: number | null;
  /** Seconds from the first SYN to its last retransmission (0 without retransmissions). */
  retrySeconds: number;
  /** Seconds from the first SYN to the end of the capture. */
  observedSeconds: number;
}

/** Where an advertised endpoint came from. */
export type EndpointSource = 'epm' | 'dcom';

/** An endpoint a server advertised: an EPM tower or a DCOM string binding with a TCP port. */
export interface Endpoint {
  /** Frame where the answer (the reassembled response PDU) completed. */
  frame: number;
  /** Frame of the matching request, when seen. */
  requestFrame: number | null;
  source: EndpointSource;
  /** `ept_map`, `ept_lookup`, or the DCOM operation (`RemoteCreateInstance`, `ResolveOxid2`, ...). */
  operation: string;
  /** The client of the RPC conversation that carried the answer. */
  client: string;
  /** The server that answered (the address the client used). */
  server: string;
  /** The address written in the tower or first binding (`0.0.0.0`, an IP, or a host name), or null. */
  advertisedHost: string | null;
  /** DCOM: every string binding of the answer with this port (`HOST[PORT]`); EPM: []. */
  bindings: string[];
  port: number;
  interfaceUuid: string | null;
  interfaceName: string | null;
  /** True for an entry of an ept_lookup enumeration (rpcdump, `portqry -e 135`): a listing, not a lookup a client makes to connect. */
  enumeration: boolean;
  /** True when the port lies in one of the expected dynamic ranges. */
  inRange: boolean;
  /** Seconds from the first frame of the capture to the answer. */
  time: number;
  /** First SYN frame of each of the client's attempts to server:port that followed this answer. */
  followUpSynFrames: number[];
  /**
   * Summary of those: the best outcome (established wins); `existing-connection` when there was
   * none but the client went on using a connection to the port opened before the capture began;
   * or `no-attempt`.
   */
  followUp: AttemptOutcome | 'no-attempt' | 'existing-connection';
  /** The connection behind `existing-connection` (its client port, first and last frame), else null. */
  existingConnection: { clientPort: number; firstFrame: number; lastFrame: number } | null;
}

/** Per server port: how connection attempts to it fared. */
export interface PortSummary {
  port: number;
  attempts: number;
  established: number;
  /** no-answer + reset + icmp-refused + answered-not-completed. */
  failed: number;
  incomplete: number;
  /** Distinct servers seen on this port. */
  servers: number;
  /** True when the port lies in one of the expected dynamic ranges. */
  inRange: boolean;
  /** True when EPM or DCOM advertised this port in the capture. */
  advertised: boolean;
}
