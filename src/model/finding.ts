/**
 * A finding as facts: what rules conclude, before any words. A rule fills `FindingFacts` (id,
 * severity, protocol, the conversation, the evidence frames with the role each one plays, and
 * the parameters its text needs); `describeFinding` (finding-text.ts) adds the title,
 * explanation, remediation and display filter, in one place, for every renderer. Documented
 * field by field in the README ("JSON output"); keep both in step.
 */
import type { HostRole } from './agent.js';
import type { StateKind } from './memory-budget.js';

/** Severity of a finding; `--fail-on` compares against it. */
export type Severity = 'error' | 'warning' | 'info';

/** Stable finding identifiers; `rpctrace explain <ID>` describes each. */
export const FINDING_IDS = [
  'NONSTANDARD_RPC_PORT_BLOCKED',
  'RPC_DYNAMIC_PORT_BLOCKED',
  'RPC_PORT_REFUSED',
  'EPM_UNREACHABLE',
  'EPM_REFUSED',
  'ENDPOINT_NOT_REGISTERED',
  'INFERRED_RPC_PORT_BLOCKED',
  'NONSTANDARD_RPC_RANGE',
  'HANDSHAKE_NOT_COMPLETED',
  'CONNECTION_UNANSWERED',
  'CONNECTION_REFUSED',
  'ADVERTISED_PORT_NOT_ATTEMPTED',
  'ONE_SIDED_CAPTURE',
  'SNAPLEN_TOO_SMALL',
  'DUPLICATE_PACKETS',
  'CONTROL_PACKETS_ONLY',
  'RPC_FAULT',
  'RPC_BIND_REJECTED',
  'TOWER_ADDRESS_MISMATCH',
  'RPC_PORT_OK',
  'STATE_LIMIT_REACHED',
  'CAPTURE_INCOMPLETE',
  'TIMESTAMPS_OUT_OF_ORDER',
  'REQUIRED_PORT_BLOCKED',
  'UDP_NO_RESPONSE',
  'DNS_FAILURE',
  'KERBEROS_ERROR',
  'AGENT_SPN_ERROR',
  'HEARTBEAT_GAP',
  'AGENT_UNREACHABLE',
  'AGENT_REACHABLE_NO_HEARTBEAT',
  'AGENT_CHANNEL_TLS_ALERT',
  'AGENT_CHANNEL_CLOSED',
  'DISJOINT_NAMESPACE',
] as const;

/** The ids the agent checks report (the rest are the RPC checks'). */
export const AGENT_FINDING_IDS = [
  'REQUIRED_PORT_BLOCKED', 'UDP_NO_RESPONSE', 'DNS_FAILURE', 'KERBEROS_ERROR', 'AGENT_SPN_ERROR', 'HEARTBEAT_GAP', 'AGENT_UNREACHABLE',
  'AGENT_REACHABLE_NO_HEARTBEAT', 'AGENT_CHANNEL_TLS_ALERT', 'AGENT_CHANNEL_CLOSED', 'DISJOINT_NAMESPACE',
] as const satisfies readonly (typeof FINDING_IDS)[number][];
export type FindingId = (typeof FINDING_IDS)[number];

/** The transport a finding is about; null for capture-wide findings (a host pair, the capture set-up). */
export type FindingProtocol = 'tcp' | 'udp' | 'icmp' | null;

/**
 * What a frame proves, by role. `syn-retransmission` frames carry `n` (1 for the first
 * retransmission) and `of` (the attempt's first SYN); `capture-copy` frames carry `of` (the frame
 * they repeat).
 */
export const EVIDENCE_ROLES = {
  'endpoint-request': 'request to the endpoint mapper or DCOM',
  'endpoint-answer': 'answer that advertised the port',
  'epm-error': 'endpoint mapper answer without a usable endpoint',
  syn: 'SYN',
  'syn-retransmission': 'SYN retransmission',
  'syn-ack': 'SYN-ACK',
  ack: 'ACK that completed the handshake',
  rst: 'RST',
  'icmp-unreachable': 'ICMP destination unreachable',
  'epm-syn': 'SYN of the endpoint mapper session',
  'epm-syn-ack': 'SYN-ACK of the endpoint mapper session',
  'rpc-request': 'RPC request',
  'rpc-fault': 'RPC fault',
  'bind-ack': 'bind_ack',
  'rpc-bind': 'bind or alter_context',
  'bind-rejected': 'bind_nak, or bind_ack that accepted no interface',
  'bind-closed': 'RST or FIN from the server\'s side while a bind waited for its answer',
  'one-way-data': 'data of a conversation seen in one direction only',
  'snaplen-cut': 'segment cut by the snaplen',
  'capture-copy': 'capture copy',
  'forwarding-copy': 'forwarding copy (the same packet on the other side of a router or firewall, TTL one lower)',
  'copied-frame': 'frame that was copied',
  'untracked-syn': 'SYN past the tracking limit',
  'state-dropped': 'first frame whose state the memory budget released or did not keep',
  'answered-elsewhere': 'answer on another connection or protocol, which narrows the cause',
  'last-frame-read': 'last frame read before reading stopped',
  'time-jump': 'frame older than the one before it',
  'existing-connection': 'frame of a connection open before the capture began',
  request: 'request',
  'request-retransmission': 'request sent again',
  answer: 'answer',
  'stray-answer': 'answer from an address other than the one asked',
  'error-answer': 'answer carrying an error code',
  'related-answer': 'answer from the same server on another port or protocol',
  'transmission-before': 'last transmission before the silence',
  'transmission-after': 'first transmission after the silence',
  'echo-request': 'ICMP echo request',
  'echo-reply': 'ICMP echo reply',
  'tls-alert': 'TLS alert',
  'server-close': 'FIN or RST from the management server',
  'channel-data': 'payload on the agent channel',
  'capture-end': 'last frame of the capture',
} as const;
export type EvidenceRole = keyof typeof EVIDENCE_ROLES;

/**
 * How the client reached an advertised port: a new connection (its SYN and SYN-ACK), or one open
 * since before the capture began that it went on using (`existing`; the SYN fields are null).
 */
export interface PortReached {
  advertised: Advertised;
  synFrame: number | null;
  synAckFrame: number | null;
  answerSeconds: number | null;
  existing: { clientPort: number; firstFrame: number; lastFrame: number } | null;
}

/** One frame that backs a finding. */
export interface Evidence {
  frame: number;
  role: EvidenceRole;
  /** Seconds since the first frame of the capture. */
  time: number;
  /** `syn-retransmission`: which retransmission (1, 2, ...). */
  n?: number;
  /** `syn-retransmission`: the attempt's first SYN; `capture-copy`: the frame repeated. */
  of?: number;
}

/** "SYN retransmission 2 of frame 18748", "RST". */
export function roleText(e: Evidence): string {
  const base: string = EVIDENCE_ROLES[e.role];
  if (e.role === 'syn-retransmission') return `${base} ${e.n ?? '?'} of frame ${e.of ?? '?'}`;
  if (e.role === 'capture-copy' || e.role === 'forwarding-copy') return `${base} of frame ${e.of ?? '?'}`;
  return base;
}

/** The client's SYN schedule of one attempt, as findings tell it. */
export interface SynSchedule {
  clientPort: number;
  synFrames: number[];
  /** Seconds from the first SYN to each of `synFrames`. */
  synOffsets: number[];
  /** Seconds from the first SYN to the last. */
  retrySeconds: number;
}

/** The attempts a finding is about: the first five in detail, and how the last one ended. */
export interface AttemptStory {
  attempts: SynSchedule[];
  attemptCount: number;
  /** SYNs of all the attempts, retransmissions included. */
  synCount: number;
  /** Seconds from the last attempt's first SYN to the end of the capture. */
  lastObservedSeconds: number;
  lastRetransmissions: number;
}

/**
 * Known cases a port suggests: `wmi-24158` (WMI in its own host), `legacy-range` (1025-5000),
 * `exchange-6005` (Exchange 2010 CAS), `dcom-restricted`, `ad-pinned` (NTDS, Netlogon, FRS,
 * DFSR), `registry-range` (when nothing more specific fits).
 */
export type RangeHint = 'wmi-24158' | 'legacy-range' | 'exchange-6005' | 'dcom-restricted' | 'ad-pinned' | 'registry-range';

/** Extra remediation a blocked port calls for: pinned AD ports, DCOM or WMI port settings. */
export type BlockedStep = 'ntds-pinned' | 'netlogon-pinned' | 'dcom-wmi';

/** One group of endpoint answers (same client, server and port), as the advertised-port findings tell it. */
export interface Advertised {
  /** The client that asked, the server that answered, the port it advertised. */
  client: string;
  server: string;
  port: number;
  /** Frames of the answers, in frame order. */
  answerFrames: number[];
  source: 'epm' | 'dcom';
  /** DCOM operations of the answers (`RemoteCreateInstance`, ...), or the EPM operations. */
  operations: string[];
  /** The interfaces the answers name (well-known name, else UUID), without repeats. */
  interfaces: string[];
  inRange: boolean;
  /** The expected dynamic ranges the verdict used. */
  dynamicRanges: [number, number][];
  hints: RangeHint[];
}

/** How an attempt was refused. */
export type Refusal =
  | { kind: 'reset'; frame: number }
  | { kind: 'icmp'; frame: number; from: string; type: number; code: number; meaning: string };

/**
 * What else the capture shows about a server whose port did not answer: other connections to
 * the same port that were answered, and connections to its other ports that were answered.
 */
export interface Contrast {
  /** Attempts to the same server and port that were answered (SYN-ACK), from any client. */
  samePortAnswered: number;
  /** The first of them: its client and SYN-ACK frame. */
  samePortExample: { client: string; synAckFrame: number } | null;
  /** Other TCP ports of the same server that answered, at most five, and the first SYN-ACK frame. */
  otherPorts: number[];
  otherPortsFrame: number | null;
  /** The first UDP datagram (its source port) or ICMP echo reply the server sent, or null. */
  heard: { frame: number; what: 'udp' | 'echo-reply'; port: number | null } | null;
}

/** An attempt in a list, as the capture-end finding names it. */
export interface AttemptRef {
  client: string;
  server: string;
  port: number;
  synFrame: number;
}


/** What fails with a required port, in the Operations Manager troubleshooting guide's words (finding-text.ts). */
export type RequiredPortNeed = 'agent-channel' | 'ldap' | 'kerberos' | 'dns' | 'rpc' | 'other';

/** What else the capture shows about a server whose required port is blocked. */
export type PortContext =
  /** The same server answered the same client on `protocol`/`port` (frame), `seconds` before (negative: after) the first failure. */
  | { kind: 'answered-elsewhere'; protocol: 'tcp' | 'udp'; port: number; frame: number; seconds: number }
  /** The KDC answered a UDP request with KRB_ERR_RESPONSE_TOO_BIG (frame): the client must use TCP 88. */
  | { kind: 'krb-too-big'; frame: number; seconds: number };

/** Requests of one group of UDP transactions, as findings tell them. */
export interface RequestStory {
  /** Requests (a request and its retransmissions are one). */
  requests: number;
  /** Datagrams sent, retransmissions included. */
  datagrams: number;
  /** What was asked, the first five: `SRV _ldap._tcp.dc._msdcs.corp.example`, `AS-REQ krbtgt/CORP.EXAMPLE`. */
  asked: string[];
  /** Request frames, the first ten. */
  frames: number[];
  /** Seconds from the last request to the end of the capture. */
  lastObservedSeconds: number;
}

/** A Kerberos error as findings tell it. */
export interface KerberosErrorFacts {
  code: number;
  /** RFC 4120 §7.5.9 name, e.g. KRB_AP_ERR_SKEW. */
  name: string;
  /** The request it answered (`AS-REQ`, `TGS-REQ`), or null when the request was not seen. */
  request: string | null;
  /** The service principal the error names (sname), and its realm. */
  principal: string | null;
  realm: string | null;
  /** The client principal, when the error or the request names it. */
  client: string | null;
  frame: number;
  requestFrame: number | null;
  /** Errors with the same code and principal from this KDC to this client. */
  count: number;
  /** KRB_AP_ERR_SKEW: the KDC's time minus the client's (ctime in the error) or minus the capture's clock at the error's frame. */
  skewSeconds: number | null;
  skewAgainst: 'client-time' | 'capture-clock' | null;
  /** The KDC's time in the error (ISO 8601 UTC), for skew errors. */
  serverTime: string | null;
}

/** The parameters each finding's text needs, by id. */
export interface FindingParams {
  NONSTANDARD_RPC_PORT_BLOCKED: { advertised: Advertised; story: AttemptStory; steps: BlockedStep[] };
  RPC_DYNAMIC_PORT_BLOCKED: { advertised: Advertised; story: AttemptStory; steps: BlockedStep[] };
  RPC_PORT_REFUSED: { advertised: Advertised; story: AttemptStory; refusal: Refusal };
  EPM_UNREACHABLE: { story: AttemptStory };
  EPM_REFUSED: { story: AttemptStory; refusal: Refusal };
  ENDPOINT_NOT_REGISTERED: { frame: number; operation: string; status: number; interfaceUuid: string | null; interfaceName: string | null };
  INFERRED_RPC_PORT_BLOCKED: {
    epmSynFrame: number;
    /** Seconds from the endpoint mapper session to the first failed attempt. */
    delaySeconds: number;
    refused: boolean;
    story: AttemptStory;
    inRange: boolean;
    dynamicRanges: [number, number][];
    hints: RangeHint[];
    steps: BlockedStep[];
  };
  NONSTANDARD_RPC_RANGE: PortReached;
  RPC_PORT_OK: PortReached;
  HANDSHAKE_NOT_COMPLETED: {
    synFrame: number;
    /** The first five SYN-ACKs, and how many there were. */
    synAckFrames: number[];
    synAckCount: number;
    retransmissions: number;
    /** TCP ports of the display filter (the endpoint mapper's and the advertised one, or the attempt's). */
    filterPorts: number[];
  };
  CONNECTION_UNANSWERED:
    | { kind: 'capture-ended'; advertised: Advertised | null; synFrame: number; observedSeconds: number }
    | { kind: 'unanswered'; story: AttemptStory; clientCount: number; /** the first five */ clients: string[]; contrast: Contrast }
    | { kind: 'capture-ended-many'; count: number; attempts: AttemptRef[] };
  CONNECTION_REFUSED: {
    story: AttemptStory;
    clientCount: number;
    /** The first five clients. */
    clients: string[];
    /** How the decisive (last) attempt was refused. */
    refusal: Refusal;
    /** Set when the refusals span many ports of the server (a port scan): the ports, at most 20, and how many there were. */
    ports: { count: number; first: number[] } | null;
  };
  ADVERTISED_PORT_NOT_ATTEMPTED: { advertised: Advertised; observedSeconds: number };
  ONE_SIDED_CAPTURE: Record<never, never>;
  SNAPLEN_TOO_SMALL: { snaplen: number; payloadCut: number; rpcPayloadCut: number };
  DUPLICATE_PACKETS: {
    copies: number;
    /** Copy and original of the first example (of a copy at one point, when there is one). */
    example: [number, number];
    /** Of the copies, forwarding copies (the TTL or hop limit one lower), and the first such example. */
    forwarded: number;
    forwardedExample: [number, number] | null;
  };
  CONTROL_PACKETS_ONLY: { tcpSegments: number; established: number };
  RPC_FAULT: { calls: number; frame: number; status: number; interfaceUuid: string | null; interfaceName: string | null; opnum: number | null };
  RPC_BIND_REJECTED: {
    /**
     * `nak`: a bind_nak; `contexts`: a bind_ack (or alter_context_resp) that accepted no
     * presentation context; `reset` / `closed`: a RST / FIN from the server's side while the
     * bind waited for its answer.
     */
    kind: 'nak' | 'contexts' | 'reset' | 'closed';
    /** bind_nak: provider_reject_reason (C706 p_reject_reason_t); contexts: the first rejected context's p_provider_reason_t. */
    reason: number;
    /** The reason's name in C706, e.g. `abstract_syntax_not_supported`, `authentication_type_not_recognized`. */
    reasonName: string;
    /** Binds refused this way between this client and server port. */
    binds: number;
    /** The first refusal, and the bind it answered (null when the capture does not hold it). */
    frame: number;
    bindFrame: number | null;
    /** The refused PDU was an alter_context on a connection already bound (the client may fall back to another interface). */
    alter: boolean;
    /** The interface offered (the first, when several), and its name when rpctrace knows it. */
    interfaceUuid: string | null;
    interfaceName: string | null;
    /** Distinct interfaces refused; many from one client is what an interface scanner does (the finding is then info). */
    interfaces: number;
  };
  TOWER_ADDRESS_MISMATCH:
    | { kind: 'tower'; frame: number; advertisedHost: string }
    | { kind: 'bind-ack'; frame: number; secondaryAddress: string; listenPort: number };
  CAPTURE_INCOMPLETE: {
    /** Frames read before reading stopped. */
    frames: number;
    /** Byte offset (of the decompressed data for gzip) where reading stopped, the read problem's code and message. */
    offset: number;
    code: string;
    message: string;
  };
  TIMESTAMPS_OUT_OF_ORDER: {
    /** Frames more than a second older than the latest before them. */
    jumps: number;
    /** The largest jump back, seconds. */
    largestSeconds: number;
  };
  STATE_LIMIT_REACHED: {
    /**
     * What was capped (one finding per kind): `attempts` (SYNs that opened no tracked attempt),
     * `conversations` (packets of TCP conversations the table could not take), `dcerpc` (DCE/RPC
     * conversations whose state was released or not kept), `stream-buffers` (bytes of TCP
     * streams not reassembled), `ip-fragments` (incomplete datagrams given up), `endpoints`
     * (advertised endpoints and other RPC answers not kept), `findings` (findings not listed).
     */
    kind: StateKind;
    /** The memory budget, MiB (`--memory-budget`). */
    budgetMiB: number;
    /** Items (bytes for `stream-buffers`) not kept: refused when the budget or the kind's share was full. */
    notKept: number;
    /** Items released to make room (DCE/RPC conversations that never produced a valid PDU or were idle; stale fragments). */
    released: number;
    /** The frame the capping started from. */
    fromFrame: number;
    // The fields below are the attempts' and conversations' (0 or [] for the other kinds).
    trackedAttempts: number;
    untrackedSyns: number;
    untrackedPackets: number;
    maxAttempts: number;
    maxConversations: number;
    /** Untracked SYNs by destination port, most first (at most 5). */
    topPorts: [number, number][];
  };
  REQUIRED_PORT_BLOCKED: {
    need: RequiredPortNeed;
    /** What the agent checks took the client and the server for. */
    clientRole: HostRole | null;
    serverRole: HostRole | null;
    /** TCP: how the attempts ended (the last decisive one); UDP: `unanswered`. */
    how: 'no-answer' | 'reset' | 'icmp-refused' | 'unanswered';
    /** TCP: the attempts; null for UDP. */
    story: AttemptStory | null;
    /** UDP: the requests; null for TCP. */
    requests: RequestStory | null;
    /** TCP refusals: the reset or the ICMP message. */
    refusal: Refusal | null;
    context: PortContext[];
  };
  UDP_NO_RESPONSE: {
    app: 'dns' | 'kerberos' | 'cldap' | 'udp';
    requests: RequestStory;
    /** Answers to these requests that came from another address (not an answer to the request). */
    stray: { from: string; frames: number[] } | null;
  };
  DNS_FAILURE: {
    qname: string;
    /** `SRV`, `A`, `AAAA`, ... */
    qtype: string;
    rcode: number;
    /** `NXDOMAIN`, `SERVFAIL`, `REFUSED`, ... */
    rcodeName: string;
    /** Why the agent needs the name. */
    need: 'dc-locator' | 'kerberos-locator' | 'gc-locator' | 'domain-controller' | 'management-server' | 'domain';
    frame: number;
    requestFrame: number | null;
    /** Answers with this error for this name (from this server to this client). */
    count: number;
  };
  KERBEROS_ERROR: KerberosErrorFacts & {
    /** KRB_ERR_RESPONSE_TOO_BIG with no TCP 88 attempt after it; the usual case (TCP follows and works) is not a finding. */
    noTcpFollowUp: boolean;
  };
  AGENT_SPN_ERROR: KerberosErrorFacts & {
    /** The host part of the MSOMHSvc SPN (the management server's name as the agent asked for it). */
    host: string;
  };
  HEARTBEAT_GAP: {
    transport: 'tcp' | 'udp';
    /** The interval used: the configured one, or the agent's own longer rhythm. */
    intervalSeconds: number;
    configuredIntervalSeconds: number;
    rhythmSeconds: number | null;
    /** The missed-heartbeat threshold (`--missed-heartbeats`). */
    threshold: number;
    silenceSeconds: number;
    /** Heartbeats that did not come in the silence. */
    missed: number;
    /** The last transmission before the silence; the first after it, or null when the capture ends first. */
    fromFrame: number;
    toFrame: number | null;
    /** The capture's last frame, when the silence lasts to the end. */
    captureEndFrame: number | null;
    transmissions: number;
  };
  AGENT_UNREACHABLE: { requests: number; firstRequestFrame: number; silenceFromFrame: number; silenceSeconds: number };
  AGENT_REACHABLE_NO_HEARTBEAT: { requests: number; replies: number; firstReplyFrame: number; silenceFromFrame: number; silenceSeconds: number };
  AGENT_CHANNEL_TLS_ALERT: {
    /** Who sent the alert, and who received it. */
    from: string;
    to: string;
    level: number;
    /** Description code (-1: encrypted) and its name. */
    description: number;
    descriptionName: string | null;
    frame: number;
    /** Alerts on this channel in all. */
    count: number;
    /** Whether the client of the channel is a gateway (it also serves agents in this capture). */
    gateway: boolean;
  };
  AGENT_CHANNEL_CLOSED: {
    /** Conversations the management server closed right after the exchange began. */
    closes: number;
    kind: 'fin' | 'rst';
    /** Seconds from the first frame of each conversation to the server's FIN or RST, the first five. */
    seconds: number[];
    closeFrames: number[];
    /** Payload segments each side sent before the close, in the first such conversation. */
    clientPayloads: number;
    serverPayloads: number;
  };
  DISJOINT_NAMESPACE: {
    realm: string;
    /** The DNS name whose domain is not the realm's, the address it gave, and the host's role. */
    name: string;
    address: string;
    domain: string;
    role: HostRole | null;
    dnsFrame: number;
    kerberosFrame: number;
  };
}

/** Evidence lists are capped; `evidenceTotal` says how many frames there were. */
export const MAX_EVIDENCE = 50;

/** What a rule concludes: the facts of a finding, without words. */
export interface FindingFacts<K extends FindingId = FindingId> {
  id: K;
  severity: Severity;
  protocol: FindingProtocol;
  client: string | null;
  server: string | null;
  port: number | null;
  /** Frames that prove it, ascending, each once, at most MAX_EVIDENCE. */
  evidence: Evidence[];
  /** Evidence frames before the cap. */
  evidenceTotal: number;
  /** True when the verdict is inferred from a pattern rather than read from an RPC answer. */
  inferred: boolean;
  params: FindingParams[K];
  /**
   * Set when findings that differ only by client were folded into one (`client` is then null):
   * how many other clients the finding stands for, and the first five of them.
   */
  folded: Folded | null;
}

/** Other clients a folded finding stands for. */
export interface Folded {
  count: number;
  clients: string[];
}

/** Facts of any id (a union, so that `params` narrows with `id`). */
export type AnyFindingFacts = { [K in FindingId]: FindingFacts<K> }[FindingId];

/** A verdict with its proof and its words: what the report carries. */
export interface Finding {
  id: FindingId;
  severity: Severity;
  /** One line, specific: "Port 15595 advertised by 10.1.1.10 is blocked (SYNs unanswered)". */
  title: string;
  client: string | null;
  server: string | null;
  port: number | null;
  /** Frames that prove it, ascending (the frames of `evidence`). */
  evidenceFrames: number[];
  /** Plain words: what happened, what it means, what is inference. */
  explanation: string;
  /** What to change or check, in order. */
  remediation: string[];
  /** Wireshark display filter that shows the evidence. */
  displayFilter: string;
  /** True when the verdict is inferred from a pattern rather than read from an RPC answer. */
  inferred: boolean;
  protocol: FindingProtocol;
  /** Each evidence frame with the role it plays and its time. */
  evidence: Evidence[];
  evidenceTotal: number;
  params: FindingParams[FindingId];
  folded: Folded | null;
}

/**
 * Builds a finding's evidence: frames once each (the first role given wins), ascending, capped
 * at MAX_EVIDENCE. Times are rounded to the microsecond as everywhere in the report.
 */
export function evidenceList(items: readonly Evidence[]): { evidence: Evidence[]; evidenceTotal: number } {
  const seen = new Map<number, Evidence>();
  for (const e of items) if (!seen.has(e.frame)) seen.set(e.frame, e);
  const all = [...seen.values()].sort((a, b) => a.frame - b.frame);
  return { evidence: all.slice(0, MAX_EVIDENCE), evidenceTotal: all.length };
}
