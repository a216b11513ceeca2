/**
 * The agent checks (Operations Manager agents, gateways and management servers; the domain
 * controllers they need): the profiles that switch them on, the settings they use, what the
 * analyzers observe for them (UDP and TCP request/answer transactions, host names from DNS,
 * the 5723 channel, heartbeats, ICMP echo) and what the report says about them. Documented in
 * the README ("Agent checks", and `agent` in "JSON output"); keep both in step.
 */

/**
 * Which checks run (`--profile`): `auto` runs the RPC checks, and the agent checks when the
 * capture shows traffic on TCP or UDP 5723; `scom` runs both always; `rpc` the RPC checks only.
 */
export const PROFILES = ['auto', 'scom', 'rpc'] as const;
export type Profile = (typeof PROFILES)[number];

/** A transport. */
export type Transport = 'tcp' | 'udp';

/** A port the agent needs (`--require tcp/5723,udp/53`). */
export interface RequiredPort {
  protocol: Transport;
  port: number;
}

/**
 * What the Operations Manager agent needs on the network (the product's troubleshooting guide):
 * TCP 5723 to its management server or gateway; LDAP (TCP and UDP 389), Kerberos (TCP and UDP
 * 88) and DNS (TCP and UDP 53) to the domain controllers; RPC (TCP 135, then a dynamic port)
 * from the management server for agent push. UDP 5723 carries heartbeats one way only, so an
 * unanswered datagram there proves nothing: it is not in the list.
 */
export const DEFAULT_REQUIRED_PORTS: readonly RequiredPort[] = [
  { protocol: 'tcp', port: 5723 },
  { protocol: 'tcp', port: 389 },
  { protocol: 'udp', port: 389 },
  { protocol: 'tcp', port: 88 },
  { protocol: 'udp', port: 88 },
  { protocol: 'tcp', port: 53 },
  { protocol: 'udp', port: 53 },
  { protocol: 'tcp', port: 135 },
];

/** `tcp/5723`. */
export const requiredText = (r: RequiredPort): string => `${r.protocol}/${r.port}`;

/** The agent channel's port. */
export const AGENT_PORT = 5723;

/** What the agent checks assume (`--heartbeat-interval`, `--missed-heartbeats`, `--require`, `--server`). */
export interface AgentSettings {
  /** Seconds between heartbeats the management server expects (60 unless the agent is configured otherwise). */
  heartbeatIntervalSeconds: number;
  /** Heartbeats missed before the server raises "Health Service Heartbeat Failure" (4). */
  missedHeartbeats: number;
  /** The ports judged per client and server. */
  required: RequiredPort[];
  /** Management servers named with `--server` (addresses or names as the capture's DNS gives them). */
  servers: string[];
}

export const DEFAULT_AGENT_SETTINGS: AgentSettings = { heartbeatIntervalSeconds: 60, missedHeartbeats: 4, required: [...DEFAULT_REQUIRED_PORTS], servers: [] };

// ---------------------------------------------------------------------------------------------
// Observations: what the agent analyzers hand to the rules

/** The application protocol of a transaction. */
export type TransactionApp = 'dns' | 'kerberos' | 'cldap';

/** DNS facts of a transaction. */
export interface DnsFacts {
  id: number;
  qname: string;
  /** Query type number (1 A, 28 AAAA, 33 SRV) and name. */
  qtype: number;
  qtypeName: string;
  /** The answer's RCODE and its name (NXDOMAIN); null while unanswered. */
  rcode: number | null;
  rcodeName: string | null;
  truncated: boolean;
  /** A / AAAA answers (address) and SRV targets (name:port), as the answer lists them (at most 16). */
  answers: string[];
}

/** Kerberos facts of a transaction. */
export interface KerberosFacts {
  /** 10 AS-REQ, 12 TGS-REQ; 0 when only the answer was seen. */
  request: number;
  /** 11 AS-REP, 13 TGS-REP, 30 KRB-ERROR; 0 while unanswered. */
  reply: number;
  realm: string | null;
  /** The client (request cname, answer cname). */
  cname: string | null;
  /** The service: request sname, the reply ticket's sname, the error's sname. */
  sname: string | null;
  nonce: number | null;
  /** KRB-ERROR: the error code and its RFC 4120 name. */
  errorCode: number | null;
  errorName: string | null;
  /** KRB-ERROR: the KDC's time (seconds since the epoch), and the client's when the KDC copied it back. */
  stime: number | null;
  ctime: number | null;
  /** Capture time of the error's frame (seconds since the epoch), to compare with stime when ctime is absent. */
  captureTime: number | null;
}

/** CLDAP facts of a transaction. */
export interface CldapFacts {
  messageId: number;
  /** The ping's equality assertions (`DnsDomain=corp.example`, `Host=WS50`). */
  filter: string[];
  /** searchResDone resultCode; null while unanswered. */
  resultCode: number | null;
  /** Entries in the answer. */
  entries: number;
}

/**
 * One request and its answer: DNS (matched by transaction id, client port and server), Kerberos
 * (client port and server; a retransmission repeats the nonce), CLDAP (message id, client port
 * and server). Over TCP, DNS and Kerberos messages are matched within their conversation.
 */
export interface Transaction {
  app: TransactionApp;
  transport: Transport;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** The request and its retransmissions. */
  requestFrames: number[];
  requestTimes: number[];
  /** The answer from the server asked, or null. */
  answerFrame: number | null;
  answerTime: number;
  /** Answers with the request's id and client port that came from another address: they do not answer it. */
  strayFrames: number[];
  strayFrom: string | null;
  dns: DnsFacts | null;
  kerberos: KerberosFacts | null;
  cldap: CldapFacts | null;
}

/** True when a transaction is more than a plain success: unanswered, answered from elsewhere, or answered with an error. */
export function notableTransaction(t: Transaction): boolean {
  if (t.answerFrame === null || t.strayFrames.length > 0) return true;
  if (t.dns !== null && t.dns.rcode !== 0) return true;
  if (t.kerberos !== null && t.kerberos.reply === 30) return true;
  return t.cldap !== null && t.cldap.resultCode !== null && t.cldap.resultCode !== 0;
}

/** A name the capture gives an address: the owner of an A or AAAA record in a DNS answer. */
export interface HostName {
  address: string;
  name: string;
  /** Frame of the answer that gave it. */
  frame: number;
}

/** A TLS alert record seen on the agent channel. */
export interface ChannelAlert {
  frame: number;
  time: number;
  /** Who sent it. */
  from: string;
  to: string;
  /** 1 warning, 2 fatal; 0 encrypted. */
  level: number;
  /** Description code and name (`unknown_ca`); -1 and null when encrypted. */
  description: number;
  name: string | null;
}

/** One TCP conversation on the agent channel (5723), as the rules need it. */
export interface ChannelConversation {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** First frame and time of the conversation seen. */
  firstFrame: number;
  firstTime: number;
  /** Payload segments each side sent. */
  clientPayloads: number;
  serverPayloads: number;
  /** Frame and time of the last payload segment from the server (0 and NaN: none). */
  lastServerPayloadFrame: number;
  lastServerPayloadTime: number;
  /** The first FIN or RST and who sent it. */
  closedBy: 'client' | 'server' | null;
  closeKind: 'fin' | 'rst' | null;
  closeFrame: number;
  closeTime: number;
  alerts: ChannelAlert[];
}

/** A silence in an agent's transmissions to its management server. */
export interface Silence {
  /** The last transmission before it, and the first after it. */
  fromFrame: number;
  fromTime: number;
  toFrame: number;
  toTime: number;
}

/**
 * The agent's transmissions to one management server on 5723 (new TCP payload, or UDP
 * datagrams): how many, the first and last, the gaps long enough to judge its rhythm, and the
 * silences long enough to be a heartbeat failure under the configured interval.
 */
export interface HeartbeatSeries {
  agent: string;
  server: string;
  transport: Transport;
  transmissions: number;
  firstFrame: number;
  firstTime: number;
  lastFrame: number;
  lastTime: number;
  /** Gaps of at least half the configured interval, in seconds, in order (at most 512). */
  rhythmGaps: number[];
  /** Silences longer than interval x missed heartbeats, in order (at most 100). */
  silences: Silence[];
}

/** An ICMP or ICMPv6 echo request and its reply. */
export interface EchoRecord {
  from: string;
  to: string;
  ident: number;
  seq: number;
  frame: number;
  time: number;
  replyFrame: number | null;
  replyTime: number;
}

/** What the bounds on the agent analyzers' state left out. */
export interface AgentDrops {
  /** Requests not tracked because the table of unanswered requests was full. */
  pendingFull: number;
  /** Completed transactions counted but not kept (answered normally, past the list's bound). */
  transactionsNotKept: number;
  namesNotKept: number;
  conversationsNotKept: number;
  echoesNotKept: number;
  /** Payloads on the ports of interest that did not decode as the protocol of the port. */
  undecoded: number;
  /** UDP datagrams on 53, 88, 389 not held (past 20,000 or 8 MiB) while `auto` waited for 5723 traffic. */
  heldNotKept: number;
}

/** Everything the agent analyzers observed. */
export interface AgentObservations {
  /** In order of the first request frame. */
  transactions: Transaction[];
  /** Answers (by application) counted in all, kept or not. */
  counts: Record<TransactionApp, { requests: number; answered: number }>;
  names: HostName[];
  channel: ChannelConversation[];
  heartbeats: HeartbeatSeries[];
  echoes: EchoRecord[];
  /** UDP datagrams per client -> server:port on required UDP ports that no decoder claims (a custom `--require udp/...`). */
  udpFlows: UdpFlow[];
  drops: AgentDrops;
  /** The number of the capture's last frame. */
  lastFrame: number;
}

/** Datagrams both ways between a client and a server port, for ports no transaction decoder reads. */
export interface UdpFlow {
  client: string;
  server: string;
  port: number;
  requests: number;
  answers: number;
  firstFrame: number;
  firstTime: number;
  lastRequestTime: number;
  firstAnswerFrame: number | null;
}

// ---------------------------------------------------------------------------------------------
// Report

/** What the agent checks took a host for. */
export type HostRole = 'agent' | 'gateway' | 'management-server' | 'domain-controller' | 'dns-server';

/** A host and the roles the agent checks gave it, each with the traffic that shows it. */
export interface AgentHost {
  address: string;
  /** The name DNS answers in the capture give it, or null. */
  name: string | null;
  roles: HostRole[];
  why: { role: HostRole; text: string; frame: number | null }[];
}

/** One client -> server pair on a required port. */
export interface RequiredPortSummary {
  client: string;
  server: string;
  protocol: Transport;
  port: number;
  /** TCP: connection attempts; UDP: requests (retransmissions are one). */
  attempts: number;
  /** TCP: established; UDP: answered by the server asked. */
  answered: number;
  /** TCP: no answer, reset, ICMP refusal, or a handshake never completed; UDP: unanswered. */
  failed: number;
  /** The capture ended too soon to tell. */
  incomplete: number;
}

/** An agent's heartbeats to one management server, as the checks judged them. */
export interface HeartbeatSummary {
  agent: string;
  server: string;
  protocol: Transport;
  transmissions: number;
  firstFrame: number;
  lastFrame: number;
  /** The interval the verdict used: the configured one, or the agent's own longer rhythm. */
  intervalSeconds: number;
  /** The agent's own rhythm when its gaps show one, else null. */
  rhythmSeconds: number | null;
  /** Longest silence, the end of the capture included (seconds). */
  longestSilenceSeconds: number;
  /** Silences judged heartbeat failures. */
  gaps: number;
}

/** The `agent` section of a file report: present when the agent checks ran. */
export interface AgentReport {
  /** The profile that ran them: `auto` (the capture showed 5723 traffic) or `scom`. */
  profile: 'auto' | 'scom';
  /** Why the agent checks ran, in words. */
  reason: string;
  /** The frame that switched them on (null when forced by an option). */
  reasonFrame: number | null;
  hosts: AgentHost[];
  /** Names from DNS answers, as findings and tables use them. */
  names: HostName[];
  requiredPorts: RequiredPortSummary[];
  heartbeats: HeartbeatSummary[];
  /** Transactions by application: requests, answered, unanswered (the capture went on long enough), errors (an error code in the answer). */
  transactions: Record<TransactionApp, { requests: number; answered: number; unanswered: number; errors: number }>;
  drops: AgentDrops;
  settings: { heartbeatIntervalSeconds: number; missedHeartbeats: number; required: string[]; servers: string[] };
}
