/**
 * One scenario per finding and per tricky encoding: each function returns the frames of one
 * sample (generate.ts names, describes and writes them). Comments say what a real capture of
 * the situation holds and why a frame is where it is; test/unit/gen/verdicts.test.ts pins the
 * verdict each one must give.
 */
import type { WriterFrame } from '../../src/capture/writer.js';
import {
  BIND_TIME_FEATURES,
  ByteWriter,
  Clock,
  DRSUAPI_V4,
  EPM_V3,
  Icmp4Unreach,
  IpProto,
  NDR64_V1,
  NDR_V2,
  Pfc,
  TcpFlag,
  concat,
  internetChecksum,
  dcerpcAuth3,
  dcerpcBind,
  dcerpcBindAck,
  dcerpcRequest,
  dcerpcResponse,
  eptLookupRequestStub,
  eptLookupResponseStub,
  eptMapRequestStub,
  eptMapResponseStub,
  icmpv4Unreachable,
  ipv4,
  type EptEntry,
  type SyntaxId,
  type TcpConversation,
  type TcpIpTower,
} from './frames.js';
import { ISYSTEM_ACTIVATOR, remoteCreateInstanceRequest, remoteCreateInstanceResponse } from './dcom.js';
import { EPT_S_NOT_REGISTERED as EPT_NOT_REGISTERED } from '../../src/wire/epm.js';
import { AUTHN_WINNT, AuthnLevel, ntlmAuthenticate, ntlmChallenge, ntlmNegotiate, ntlmSignature, sealed, type NtlmTarget } from './ntlmssp.js';
import {
  DnsType,
  dnsMessage,
  dnsOverTcp,
  httpGet,
  httpOk,
  krbAsRep,
  krbAsReq,
  krbOverTcp,
  krbPreauthRequired,
  ldapBind,
  ldapBindResponse,
  ldapSearchDone,
  ldapSearchEntry,
  ldapSearchRootDse,
  ldapUnbind,
  smb2NegotiateRequest,
  smb2NegotiateResponse,
} from './apps.js';
import { BLOCKED_PORT, CLIENT4, DNS_SERVER, HEALTHY_PORT, SERVER4, Scene, lanLink, unansweredSyns } from './scenario.js';

/** How the server's response PDU travels; default: one PSH|ACK segment. */
type Sender = (c: TcpConversation, pdu: Uint8Array, s: Scene) => void;

const sendWhole: Sender = (c, pdu) => void c.send('server', pdu);

/** What an endpoint-mapper session asks and answers, and how its bytes travel. */
interface EpmSession {
  clientPort?: number;
  server?: string;
  iface?: SyntaxId;
  towers: readonly TcpIpTower[];
  status?: number;
  /** How the ept_map response goes on the wire. */
  sendResponse?: Sender;
  /** Client sends bind and request in one segment; the server answers bind_ack and response in one. */
  coalesce?: boolean;
  /** Offer NDR, NDR64 and bind-time features as Windows x64 does; the server picks NDR64. */
  ndr64?: boolean;
}

/**
 * Connects to 135, binds to the EPM, asks ept_map for the interface and closes: the exchange
 * every RPC client makes before it connects to a dynamic port.
 */
function epmSession(s: Scene, o: EpmSession): TcpConversation {
  const server = o.server ?? SERVER4;
  const iface = o.iface ?? DRSUAPI_V4;
  const c = s.tcp({ clientPort: o.clientPort ?? 49801, serverPort: 135, server });
  const n64 = o.ndr64 === true;
  c.connect();
  const bind = dcerpcBind({
    callId: 1,
    contexts: n64
      ? [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }, { id: 1, abstract: EPM_V3, transfer: [NDR64_V1] }, { id: 2, abstract: EPM_V3, transfer: [BIND_TIME_FEATURES] }]
      : [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }],
  });
  const bindAck = dcerpcBindAck({
    callId: 1,
    secondaryAddress: '135',
    // MS-RPCE 2.2.2.4: provider rejection, reason 2 (proposed transfer syntaxes not supported);
    // negotiate_ack (3) answers the bind-time feature context with the bits it accepts in `reason`.
    results: n64 ? [{ result: 2, reason: 2 }, { result: 0, transfer: NDR64_V1 }, { result: 3, reason: 3 }] : [{ result: 0, transfer: NDR_V2 }],
  });
  const ctx = n64 ? 1 : 0;
  const request = dcerpcRequest({ callId: 2, contextId: ctx, opnum: 3, stub: eptMapRequestStub({ iface, ndr64: n64 }) });
  const response = dcerpcResponse({ callId: 2, contextId: ctx, stub: eptMapResponseStub({ towers: o.towers, status: o.status ?? 0, maxTowers: 4, ndr64: n64 }) });
  const send = o.sendResponse ?? sendWhole;
  if (o.coalesce === true) {
    c.send('client', concat(bind, request));
    s.wait(0.9);
    send(c, concat(bindAck, response), s);
  } else {
    c.send('client', bind);
    s.wait(0.4);
    c.send('server', bindAck);
    c.send('client', request);
    s.wait(0.6);
    send(c, response, s);
  }
  c.ack('client');
  c.close('client');
  return c;
}

/** SYN at t, t+3 s and t+9 s with one ISN: a Windows connect that nothing answers. */
function unanswered(s: Scene, c: TcpConversation): void {
  unansweredSyns(c, s.clock);
}

/** `unanswered`, then the capture runs on to `ms` after the first SYN and ends with an ARP. */
function unansweredThenQuiet(s: Scene, c: TcpConversation, ms: number): void {
  const start = s.clock.clone();
  unanswered(s, c);
  s.clock.setAfter(start, ms);
  s.arp();
}

/** One call on a bound interface: opnum and the request and response stubs. */
interface Call {
  opnum: number;
  request: Uint8Array;
  response: Uint8Array;
}

/** A call that takes and returns a context handle (DRSUnbind, EcDoDisconnect): 20 bytes in, handle and status out. */
const HANDLE_CALL: Call = { opnum: 1, request: new Uint8Array(20), response: new Uint8Array(24) };

/** The client's connection to the advertised port: handshake, bind, one call, close. */
function workingCall(s: Scene, c: TcpConversation, port: number, iface: SyntaxId = DRSUAPI_V4, call: Call = HANDLE_CALL): void {
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: iface, transfer: [NDR_V2] }] }));
  s.wait(0.5);
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: String(port), results: [{ result: 0, transfer: NDR_V2 }] }));
  c.send('client', dcerpcRequest({ callId: 2, opnum: call.opnum, stub: call.request }));
  s.wait(0.7);
  c.send('server', dcerpcResponse({ callId: 2, stub: call.response }));
  c.ack('client');
  s.wait(5);
  c.close('client');
}

const tower = (port: number, ip = SERVER4, iface: SyntaxId = DRSUAPI_V4): TcpIpTower => ({ iface, port, ip });

/** EPM advertises an in-range port; SYNs to it go unanswered; the capture runs on to ~25 s. */
export function dynamicPortBlocked(): WriterFrame[] {
  const s = new Scene(31);
  s.dns('dc01.corp.example', SERVER4);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), 25000);
  return s.out;
}

/** SYNs to 135 itself go unanswered (0, +3 s, +9 s); the capture runs on to ~22 s. */
export function epmUnreachable(): WriterFrame[] {
  const s = new Scene(32);
  s.dns('dc01.corp.example', SERVER4);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49801, serverPort: 135 }), 22000);
  return s.out;
}

/** 135 answers RST|ACK; Windows tries the SYN twice more, 0.5 s apart, and is reset each time. */
export function epmRefusedReset(): WriterFrame[] {
  const s = new Scene(33);
  s.dns('dc01.corp.example', SERVER4);
  const c = s.tcp({ clientPort: 49801, serverPort: 135 });
  for (let i = 0; i < 3; i++) {
    c.syn();
    s.wait(0.3);
    c.rst('server');
    s.wait(500);
  }
  return s.out;
}

/** 135 on a server behind the router: each SYN (0, +3 s, +9 s) draws ICMP administratively prohibited from 10.1.1.1. */
export function epmRefusedIcmp(): WriterFrame[] {
  const s = new Scene(34);
  const server = '10.2.2.10';
  s.dns('app01.corp.example', server);
  const c = s.tcp({ clientPort: 49801, serverPort: 135, server });
  const link = lanLink(server);
  const t0 = s.clock.clone();
  for (const at of [0, 3000, 9000]) {
    s.clock.setAfter(t0, at);
    c.syn();
    s.wait(0.4);
    const icmp = icmpv4Unreachable(Icmp4Unreach.ADMIN_PROHIBITED, c.lastIp);
    s.push(link(ipv4({ src: '10.1.1.1', dst: CLIENT4, proto: IpProto.ICMP, id: 0x3100 + at / 1000, ttl: 255 }, icmp), 4, false));
  }
  return s.out;
}

/** EPM advertises 6005 for Exchange MAPI (EMSMDB) on a CAS; the client connects and binds. */
export const EMSMDB: SyntaxId = { uuid: 'a4f1db00-ca47-1067-b31f-00dd010662da', major: 0, minor: 81 };
export function exchangeCasRange(): WriterFrame[] {
  const s = new Scene(35);
  const cas = '10.1.1.20';
  s.dns('cas01.corp.example', cas);
  epmSession(s, { server: cas, iface: EMSMDB, towers: [tower(6005, cas, EMSMDB)] });
  s.wait(2);
  workingCall(s, s.tcp({ clientPort: 49802, serverPort: 6005, server: cas }), 6005, EMSMDB);
  return s.out;
}

/**
 * Captured on the server side of an asymmetric path: the SYN-ACKs leave the server but never
 * reach the client, which retransmits its SYN; the server retransmits its SYN-ACK too.
 */
export function handshakeNotCompleted(port = HEALTHY_PORT): WriterFrame[] {
  const s = new Scene(36);
  if (port !== 135) {
    epmSession(s, { towers: [tower(port)] });
    s.wait(2);
  }
  const c = s.tcp({ clientPort: 49802, serverPort: port });
  const t0 = s.clock.clone();
  c.syn();
  s.wait(0.3);
  c.synAck();
  s.clock.setAfter(t0, 1000);
  c.synAckAgain();
  s.clock.setAfter(t0, 3000);
  c.syn();
  s.wait(0.3);
  c.synAckAgain();
  s.clock.setAfter(t0, 5000);
  c.synAckAgain();
  s.clock.setAfter(t0, 9000);
  c.syn();
  s.wait(0.3);
  c.synAckAgain();
  s.clock.setAfter(t0, 22000);
  s.arp();
  return s.out;
}

/** EPM answers; the client never connects to the advertised port; the capture runs 30 s more. */
export function advertisedNotAttempted(): WriterFrame[] {
  const s = new Scene(37);
  s.dns('dc01.corp.example', SERVER4);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(30000);
  s.arp();
  return s.out;
}

/**
 * A capture point that sees only the client's direction (one-way span port): SYN and data to
 * 135 without a single answer, then SYNs to the advertised port. Answers must exist (the client
 * sent a bind and a request after its SYN), so nothing may be called blocked.
 */
export function oneSided(): WriterFrame[] {
  const s = new Scene(38);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), 25000);
  // Keep what the client sent: frames whose Ethernet source is the client's MAC.
  return s.out.filter((f) => f.data[6] === 0x00 && f.data[11] === 0x32);
}

/** The classic failure: EPM advertises BLOCKED_PORT, SYNs unanswered. `epm` changes how the EPM exchange travels. */
function blockedWith(seed: number, epm: Partial<EpmSession>, port = BLOCKED_PORT): WriterFrame[] {
  const s = new Scene(seed);
  epmSession(s, { towers: [tower(port)], ...epm });
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: port }), 25000);
  return s.out;
}

/** The ept_map response in two segments, cut inside the tower (first without PSH). */
export function epmResponseSplit(): WriterFrame[] {
  return blockedWith(41, {
    sendResponse: (c, pdu) => {
      c.segment('server', TcpFlag.ACK, pdu.subarray(0, 100));
      c.send('server', pdu.subarray(100));
    },
  });
}

/** The ept_map response as three IPv4 fragments (a path MTU below the segment size, e.g. a VPN). */
export function epmResponseIpFragments(): WriterFrame[] {
  return blockedWith(57, { sendResponse: (c, pdu) => void c.send('server', pdu, { fragmentData: 64 }) });
}

/** bind + request in one client segment, bind_ack + response in one server segment. */
export function coalescedPdus(): WriterFrame[] {
  return blockedWith(42, { coalesce: true });
}

/** The ept_map response in two segments that reach the capture point in reverse order. */
export function epmResponseOutOfOrder(): WriterFrame[] {
  return blockedWith(43, {
    sendResponse: (c, pdu, s) => {
      const out = s.out;
      c.segment('server', TcpFlag.ACK, pdu.subarray(0, 72));
      c.send('server', pdu.subarray(72));
      // Swap the two frames' bytes, keep the timestamps in order: the later segment was captured first.
      const a = out[out.length - 2]!;
      const b = out[out.length - 1]!;
      [a.data, b.data] = [b.data, a.data];
    },
  });
}

/** The ept_map response sent again with the same sequence number 300 ms later (the client's ACK was lost). */
export function epmResponseRetransmitted(): WriterFrame[] {
  return blockedWith(44, {
    sendResponse: (c, pdu) => {
      const seq = c.seqOf('server');
      c.send('server', pdu);
      c.send('server', pdu, { seq });
    },
  });
}

/** EPM bound with NDR64 (Windows x64 offers NDR, NDR64 and bind-time features; the server accepts NDR64). */
export function epmNdr64(): WriterFrame[] {
  return blockedWith(45, { ndr64: true }, HEALTHY_PORT);
}

/**
 * The client port is reused: the first attempt (SYNs at 0, +3 s, +9 s) is never answered; 21 s
 * later the client connects again from the same port with a new ISN, and that one works.
 */
export function clientPortReused(): WriterFrame[] {
  const s = new Scene(46);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(2);
  const start = s.clock.clone();
  unanswered(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }));
  s.clock.setAfter(start, 21000);
  workingCall(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), HEALTHY_PORT);
  return s.out;
}

/** The first SYN-ACK is lost after the capture point; the server sends it again 1 s later and the client completes. */
export function synAckRetransmitted(): WriterFrame[] {
  const s = new Scene(47);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(2);
  const c = s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT });
  c.syn();
  s.wait(0.3);
  c.synAck();
  s.wait(1000);
  c.synAckAgain();
  c.ack('client');
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
  s.wait(0.5);
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: String(HEALTHY_PORT), results: [{ result: 0, transfer: NDR_V2 }] }));
  c.ack('client');
  c.close('client');
  return s.out;
}

/** Interfaces lsass serves on one TCP port of a domain controller, with their EPM annotations. */
const LSASS_INTERFACES: readonly [SyntaxId, string][] = [
  [{ uuid: '12345778-1234-abcd-ef00-0123456789ab', major: 0, minor: 0 }, ''],
  [{ uuid: '12345778-1234-abcd-ef00-0123456789ac', major: 1, minor: 0 }, ''],
  [{ uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 }, ''],
  [DRSUAPI_V4, 'MS NT Directory DRS Interface'],
  [{ uuid: '3dde7c30-165d-11d1-ab8f-00805f14db40', major: 1, minor: 0 }, 'BackupKey'],
  [{ uuid: 'b25a52bf-e5dd-4f4a-aea6-8ca7272a0e86', major: 2, minor: 0 }, 'KeyIso'],
  [{ uuid: 'c9ac6db5-82b7-4e55-ae8a-e464ed7b4277', major: 1, minor: 0 }, 'Impl friendly name'],
  [{ uuid: '0b1c2170-5732-4e0e-8cd3-d9b16f3b84d7', major: 0, minor: 0 }, 'RemoteAccessCheck'],
  [{ uuid: '51a227ae-825b-41f2-b4a9-1ac9557a1018', major: 1, minor: 0 }, 'Ngc Pop Key Service'],
  [{ uuid: '8fb74744-b2ff-4c00-be0d-9ef9a191fe1b', major: 1, minor: 0 }, 'Ngc Pop Key Service'],
];

/**
 * ept_lookup (opnum 2), as rpcdump or portqry enumerate a DC: the client offers a receive
 * fragment size of 2048, so the 3 KB answer comes as a FIRST_FRAG and a LAST_FRAG response
 * PDU, and the first fragment spans two TCP segments. Every TCP tower names 49667 (lsass);
 * the named-pipe towers must be skipped. Then SYNs to 49667 go unanswered.
 */
export function eptLookupMultiFragment(): WriterFrame[] {
  const s = new Scene(48);
  const c = s.tcp({ clientPort: 49801, serverPort: 135 });
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, maxXmit: 2048, maxRecv: 2048, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] }));
  s.wait(0.4);
  c.send('server', dcerpcBindAck({ callId: 1, maxXmit: 2048, maxRecv: 2048, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
  c.send('client', dcerpcRequest({ callId: 2, opnum: 2, stub: eptLookupRequestStub({ maxEntries: 500 }) }));
  s.wait(0.8);
  const entries: EptEntry[] = [];
  for (const [iface, annotation] of LSASS_INTERFACES) {
    entries.push({ tower: { iface, port: HEALTHY_PORT, ip: SERVER4 }, annotation });
    entries.push({ tower: { iface, pipe: '\\PIPE\\lsass', host: '\\\\DC01' }, annotation });
  }
  const stub = eptLookupResponseStub({ entries, maxEntries: 500 });
  // frag_length 2048: 24 bytes of header, so 2024 bytes of stub (a multiple of 8, MS-RPCE 3.3.1.5.7).
  const cut = 2024;
  if (stub.length <= cut) throw new Error(`ept_lookup stub of ${stub.length} bytes does not need two fragments`);
  const first = dcerpcResponse({ callId: 2, flags: Pfc.FIRST_FRAG, allocHint: stub.length, stub: stub.subarray(0, cut) });
  const last = dcerpcResponse({ callId: 2, flags: Pfc.LAST_FRAG, allocHint: stub.length - cut, stub: stub.subarray(cut) });
  c.segment('server', TcpFlag.ACK, first.subarray(0, 1460));
  c.send('server', first.subarray(1460));
  c.ack('client');
  c.send('server', last);
  c.ack('client');
  c.close('client');
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), 25000);
  return s.out;
}

/** EPM's tower names 192.168.50.10 (the server's other interface); the client connects to 10.1.1.10 and it works. */
export function towerAddressMismatch(): WriterFrame[] {
  const s = new Scene(49);
  s.dns('dc01.corp.example', SERVER4);
  epmSession(s, { towers: [tower(HEALTHY_PORT, '192.168.50.10')] });
  s.wait(2);
  workingCall(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), HEALTHY_PORT);
  return s.out;
}

/**
 * No EPM: the client uses a fixed endpoint, 10.1.1.10:50000, which a port-forwarding NAT maps
 * to the DC's pinned replication port 15000; the bind_ack's secondary address says "15000".
 */
export function bindAckPortMismatch(): WriterFrame[] {
  const s = new Scene(50);
  const c = s.tcp({ clientPort: 49802, serverPort: 50000 });
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
  s.wait(0.5);
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '15000', results: [{ result: 0, transfer: NDR_V2 }] }));
  c.send('client', dcerpcRequest({ callId: 2, opnum: 1, stub: new Uint8Array(20) }));
  s.wait(0.7);
  c.send('server', dcerpcResponse({ callId: 2, stub: new Uint8Array(24) }));
  c.ack('client');
  c.close('client');
  return s.out;
}

/**
 * The endpoint mapper still lists DRSUAPI on 49670 (its service crashed and the registration is
 * stale), and another process now listens there: the client connects, binds to DRSUAPI, and the
 * bind_ack rejects the context (provider rejection, abstract_syntax_not_supported); the client
 * closes. The client reports "The interface is unknown" (0x6b5).
 */
export function bindRejectedUnknownInterface(): WriterFrame[] {
  return bindOnAdvertisedPort(51, 49670, (s, c) => {
    s.wait(0.4);
    c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '49670', results: [{ result: 2, reason: 1 }] }));
    c.ack('client');
    c.close('client');
  });
}

/**
 * A firewall that inspects RPC lets the handshake to the advertised port through, reads the
 * DRSUAPI bind, and resets the connection with the server's address instead of passing it on:
 * no bind_ack, a RST 2 ms after the bind. The client reports "The RPC server is unavailable".
 */
export function bindResetByFirewall(): WriterFrame[] {
  return bindOnAdvertisedPort(52, HEALTHY_PORT, (s, c) => {
    s.wait(0.002);
    c.rst('server');
  });
}

/**
 * The endpoint mapper advertises DRSUAPI on `port`; the client connects there and binds to it,
 * and `answer` writes what comes back.
 */
function bindOnAdvertisedPort(seed: number, port: number, answer: (s: Scene, c: TcpConversation) => void): WriterFrame[] {
  const s = new Scene(seed);
  s.dns('dc01.corp.example', SERVER4);
  epmSession(s, { towers: [tower(port)] });
  s.wait(0.3);
  const c = s.tcp({ clientPort: 49802, serverPort: port });
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] }));
  answer(s, c);
  return s.out;
}

/** TCP flags of an Ethernet + IPv4 + TCP frame, or -1 for anything else. */
function tcpFlagsOf(frame: Uint8Array): number {
  if (frame.length < 34 || frame[12] !== 0x08 || frame[13] !== 0x00 || frame[23] !== IpProto.TCP) return -1;
  const tcpOff = 14 + (frame[14]! & 0x0f) * 4;
  return frame.length > tcpOff + 13 ? frame[tcpOff + 13]! : -1;
}

/**
 * A trace taken with a TCP-flags filter (`tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0`):
 * EPM on 135, the dynamic port, SMB and LDAP all connect and close, but no segment with only
 * ACK or payload is kept, so the handshakes' last ACK and every byte of RPC are missing.
 */
export function controlPacketsOnly(): WriterFrame[] {
  const s = new Scene(51);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(2);
  workingCall(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), HEALTHY_PORT);
  s.wait(40);
  for (const [clientPort, serverPort] of [[49803, 445], [49804, 389]] as const) {
    const c = s.tcp({ clientPort, serverPort });
    c.connect();
    c.send('client', new Uint8Array(120).fill(0x41));
    s.wait(1);
    c.send('server', new Uint8Array(200).fill(0x42));
    c.ack('client');
    s.wait(30);
    c.close('client');
  }
  return s.out.filter((f) => (tcpFlagsOf(f.data) & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) !== 0);
}

/**
 * pktmon writes a packet once per network component it passes (here: the vSwitch port and the
 * NIC), microseconds apart and byte for byte the same (same IPv4 identification).
 */
export function pktmonCopies(frames: readonly WriterFrame[]): WriterFrame[] {
  return frames.flatMap((f, i) => {
    const t = new Clock(f.tsSec, f.tsNsec).advanceUs(3 + (i % 5)).stamp();
    return [f, { ...f, ...t }];
  });
}

const CORP: NtlmTarget = { domain: 'CORP', host: 'DC01', dnsDomain: 'corp.example' };
const SVC_USER = { domain: 'CORP', name: 'svc-monitor', workstation: 'WS50' };

/** bind / bind_ack / auth3 carrying the three NTLMSSP legs at `level`; returns the auth for later PDUs. */
function ntlmBind(s: Scene, c: TcpConversation, iface: SyntaxId, level: number, seed: number): (seq: number) => { type: number; level: number; value: Uint8Array; padTo: number } {
  const auth = (value: Uint8Array): { type: number; level: number; value: Uint8Array } => ({ type: AUTHN_WINNT, level, value });
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: iface, transfer: [NDR_V2] }], auth: auth(ntlmNegotiate()) }));
  s.wait(0.6);
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', assocGroup: 0x0000b1c4, results: [{ result: 0, transfer: NDR_V2 }], auth: auth(ntlmChallenge(CORP, seed)) }));
  c.send('client', dcerpcAuth3({ callId: 1, auth: auth(ntlmAuthenticate(CORP, SVC_USER, seed + 1)) }));
  return (seq) => ({ ...auth(ntlmSignature(seq, seed)), padTo: 16 });
}

/**
 * The client asks EPM with RPC endpoint-mapper client authentication (EnableAuthEpResolution)
 * at packet privacy: NTLMSSP in bind, bind_ack and auth3, then an ept_map request and answer
 * whose stubs are sealed. No tower is readable; the SYNs that follow to 49667 go unanswered.
 */
export function epmEncryptedInferred(): WriterFrame[] {
  const s = new Scene(52);
  s.dns('dc01.corp.example', SERVER4);
  const c = s.tcp({ clientPort: 49801, serverPort: 135 });
  c.connect();
  const sig = ntlmBind(s, c, EPM_V3, AuthnLevel.PKT_PRIVACY, 520);
  const req = eptMapRequestStub({ iface: DRSUAPI_V4 });
  c.send('client', dcerpcRequest({ callId: 2, opnum: 3, stub: sealed(req, 521), auth: sig(0) }));
  s.wait(0.7);
  const resp = eptMapResponseStub({ towers: [tower(HEALTHY_PORT)], maxTowers: 4 });
  c.send('server', dcerpcResponse({ callId: 2, stub: sealed(resp, 522), auth: sig(0) }));
  c.ack('client');
  c.close('client');
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: HEALTHY_PORT }), 25000);
  return s.out;
}

/** CLSIDs the DCOM samples activate. */
export const CLSID_WBEM_LEVEL1_LOGIN = '8bc3f05e-d86b-11d0-a075-00c04fb68820';
export const IID_WBEM_LEVEL1_LOGIN = 'f309ad18-d86a-11d0-a075-00c04fb68820';
/** An application's DCOM server (a LocalServer32 CLSID). */
const CLSID_APP = '4991d34b-80a1-4291-83b6-3328366b9097';

/**
 * DCOM activation on 135 (NTLMSSP at packet integrity): RemoteCreateInstance, answered with
 * string bindings `SERVER[port]` and `10.1.1.10[port]` (ScmReplyInfo's pdsaOxidBindings); the
 * object reference also carries the resolver's addresses without a port. Then SYNs to the port
 * (0, +3 s, +9 s) go unanswered; the capture runs on to +25 s.
 */
export function dcomActivationBlocked(port: number, wmi: boolean, seed: number): WriterFrame[] {
  const s = new Scene(seed);
  s.dns('server.corp.example', SERVER4);
  const c = s.tcp({ clientPort: 49801, serverPort: 135 });
  c.connect();
  const sig = ntlmBind(s, c, ISYSTEM_ACTIVATOR, AuthnLevel.PKT_INTEGRITY, seed * 10);
  const req = remoteCreateInstanceRequest({
    clsid: wmi ? CLSID_WBEM_LEVEL1_LOGIN : CLSID_APP,
    ...(wmi ? { iid: IID_WBEM_LEVEL1_LOGIN } : {}),
    serverName: SERVER4,
    cid: 'a3c1f5e2-7d44-4b19-9e0a-6c2b8d1f4e73',
  });
  c.send('client', dcerpcRequest({ callId: 2, opnum: 4, stub: req, auth: sig(0) }));
  s.wait(4);
  const resp = remoteCreateInstanceResponse({
    ...(wmi ? { iid: IID_WBEM_LEVEL1_LOGIN } : {}),
    bindings: [`SERVER[${port}]`, `${SERVER4}[${port}]`],
    resolver: ['SERVER', SERVER4],
    principal: 'CORP\\SERVER$',
    oxid: Uint8Array.of(0x3e, 0x8a, 0x51, 0x07, 0xc2, 0x19, 0xd4, 0x6b),
    oid: Uint8Array.of(0x91, 0x0c, 0x7f, 0x22, 0x45, 0xee, 0x13, 0xa8),
    ipid: '0000a801-0be4-0000-5d3c-d1b7a4f25e91',
    ipidRemUnknown: '0000bc02-0be4-0000-1f6a-2c93e0d47b58',
  });
  c.send('server', dcerpcResponse({ callId: 2, stub: resp, auth: sig(0) }));
  c.ack('client');
  c.close('client');
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: port }), 25000);
  return s.out;
}

const DC = SERVER4;
const REALM = 'CORP.EXAMPLE';

/** SRV lookup for the DCs over UDP, truncated, then the same question over TCP 53. */
function dcLocator(s: Scene, clientPort: number): void {
  const name = '_ldap._tcp.dc._msdcs.corp.example';
  const q = { server: DNS_SERVER, clientPort, serverPort: 53 };
  s.udp(q, true, dnsMessage(0x1d01, name, DnsType.SRV, null));
  s.wait(0.6);
  s.udp(q, false, dnsMessage(0x1d01, name, DnsType.SRV, [], true));
  s.wait(0.3);
  const t = s.tcp({ clientPort: clientPort + 1, serverPort: 53, server: DNS_SERVER });
  t.connect();
  t.send('client', dnsOverTcp(dnsMessage(0x1d02, name, DnsType.SRV, null)));
  s.wait(0.7);
  t.send('server', dnsOverTcp(dnsMessage(0x1d02, name, DnsType.SRV, [
    { type: 'SRV', priority: 0, weight: 100, port: 389, target: 'dc01.corp.example' },
    { type: 'SRV', priority: 0, weight: 100, port: 389, target: 'dc02.corp.example' },
  ])));
  t.close('client');
}

/** Kerberos over TCP 88: AS-REQ, KRB-ERROR preauth required; new connection, AS-REQ with PA-ENC-TIMESTAMP, AS-REP. */
function kerberosLogon(s: Scene, clientPort: number, seed: number): void {
  const names = { realm: REALM, user: 'ws50$' };
  const first = s.tcp({ clientPort, serverPort: 88, server: DC });
  first.connect();
  first.send('client', krbOverTcp(krbAsReq(names, 0x2a9f13c7, false, seed)));
  s.wait(1.1);
  first.send('server', krbOverTcp(krbPreauthRequired(names)));
  first.close('client');
  s.wait(2);
  const second = s.tcp({ clientPort: clientPort + 1, serverPort: 88, server: DC });
  second.connect();
  second.send('client', krbOverTcp(krbAsReq(names, 0x2a9f13c8, true, seed + 1)));
  s.wait(1.4);
  second.send('server', krbOverTcp(krbAsRep(names, seed + 2)));
  second.close('client');
}

/** LDAP 389: anonymous bind, rootDSE search, entry, done, unbind. */
function ldapRootDse(s: Scene, clientPort: number): void {
  const c = s.tcp({ clientPort, serverPort: 389, server: DC });
  c.connect();
  c.send('client', ldapBind(1));
  s.wait(0.5);
  c.send('server', ldapBindResponse(1));
  c.send('client', ldapSearchRootDse(2, ['defaultNamingContext', 'dnsHostName', 'supportedLDAPVersion']));
  s.wait(0.8);
  c.send('server', concat(
    ldapSearchEntry(2, '', [['defaultNamingContext', 'DC=corp,DC=example'], ['dnsHostName', 'dc01.corp.example'], ['supportedLDAPVersion', '3']]),
    ldapSearchDone(2),
  ));
  c.send('client', ldapUnbind(3));
  c.close('client');
}

/**
 * An SCOM agent whose management server does not answer: DC locator (DNS SRV over UDP,
 * truncated, again over TCP), Kerberos logon over TCP 88, LDAP rootDSE on 389 all work; then
 * SYNs to scom01 (10.1.1.30) on TCP 5723 (0, +3 s, +9 s) go unanswered.
 */
export function scomAgentUnanswered(): WriterFrame[] {
  const s = new Scene(55);
  dcLocator(s, 53100);
  s.wait(3);
  s.dns('dc01.corp.example', DC);
  kerberosLogon(s, 49801, 550);
  s.wait(5);
  ldapRootDse(s, 49803);
  s.wait(20);
  s.dns('scom01.corp.example', '10.1.1.30');
  unansweredThenQuiet(s, s.tcp({ clientPort: 49804, serverPort: 5723, server: '10.1.1.30' }), 25000);
  return s.out;
}

/** SMB2 NEGOTIATE to a file server, then FIN. */
function smbNegotiate(s: Scene, clientPort: number, server: string): void {
  const c = s.tcp({ clientPort, serverPort: 445, server });
  c.connect();
  c.send('client', smb2NegotiateRequest('6f1c2e3d-4b5a-4978-8a9b-0c1d2e3f4a5b'));
  s.wait(0.9);
  c.send('server', smb2NegotiateResponse('1a2b3c4d-5e6f-4071-8293-a4b5c6d7e8f9'));
  c.ack('client');
  s.wait(10);
  c.close('client');
}

/** HTTP GET and 200 on a keep-alive connection, closed by the client. */
function httpFetch(s: Scene, clientPort: number, server: string, host: string, path: string): void {
  const c = s.tcp({ clientPort, serverPort: 80, server });
  c.connect();
  c.send('client', httpGet(host, path));
  s.wait(2.5);
  c.send('server', httpOk(`<!DOCTYPE html><html><head><title>${host}</title></head><body><p>intranet ${path}</p></body></html>`));
  c.ack('client');
  s.wait(15);
  c.close('client');
}

/** NETLOGON and LSARPC, which the busy trace maps besides DRSUAPI. */
const NETLOGON_V1: SyntaxId = { uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 };
const LSARPC_V0: SyntaxId = { uuid: '12345778-1234-abcd-ef00-0123456789ab', major: 0, minor: 0 };

/** NDR conformant varying UTF-16 string with NUL, at 4-byte alignment. */
function ndrWString(w: ByteWriter, v: string): void {
  w.align(4).u32(v.length + 1).u32(0).u32(v.length + 1);
  for (const ch of v) w.u16(ch.charCodeAt(0));
  w.u16(0);
}

/**
 * NetrServerReqChallenge (MS-NRPC §3.5.4.4.1, opnum 4): [unique, string] PrimaryName,
 * [string] ComputerName, 8-byte client challenge; the answer is the server challenge and status 0.
 */
function netrServerReqChallenge(): Call {
  const w = new ByteWriter(true);
  w.u32(0x00020000);
  ndrWString(w, '\\\\DC01');
  ndrWString(w, 'WS50');
  w.bytes([0x3f, 0x91, 0x0e, 0x6a, 0xd2, 0x47, 0xb5, 0x18]); // NETLOGON_CREDENTIAL: 8 chars, alignment 1
  return { opnum: 4, request: w.done(), response: Uint8Array.of(0x8c, 0x21, 0x5e, 0xf0, 0x03, 0x9d, 0x77, 0x4a, 0, 0, 0, 0) };
}

/** LsarClose (MS-LSAD §3.1.4.9.4, opnum 0): a policy handle in; a zeroed handle and status 0 out. */
const LSAR_CLOSE: Call = { opnum: 0, request: Uint8Array.from({ length: 20 }, (_, i) => (i < 4 ? 0 : (i * 37) & 0xff)), response: new Uint8Array(24) };

/**
 * A healthy minute on a member server, about 300 frames: DC locator and A lookups, Kerberos,
 * LDAP, SMB2 to a file server, HTTP to the intranet, and every 10 s an EPM lookup followed by
 * a working call on the advertised port (DRSUAPI 49667, NETLOGON 49668, LSARPC 49664).
 */
export function busyHealthy(): WriterFrame[] {
  const s = new Scene(56);
  dcLocator(s, 53200);
  s.dns('dc01.corp.example', DC);
  kerberosLogon(s, 49810, 560);
  const rpc: [SyntaxId, number, Call][] = [[DRSUAPI_V4, HEALTHY_PORT, HANDLE_CALL], [NETLOGON_V1, 49668, netrServerReqChallenge()], [LSARPC_V0, 49664, LSAR_CLOSE]];
  for (let round = 0; round < 6; round++) {
    const [iface, port, call] = rpc[round % 3]!;
    s.at(500 + round * 10000);
    const base = 49820 + round * 10;
    s.dns(round % 2 === 0 ? 'fs01.corp.example' : 'intranet.corp.example', round % 2 === 0 ? '10.1.1.15' : '10.1.1.40');
    ldapRootDse(s, base);
    s.wait(3);
    epmSession(s, { clientPort: base + 1, iface, towers: [tower(port, DC, iface)] });
    s.wait(2);
    workingCall(s, s.tcp({ clientPort: base + 2, serverPort: port }), port, iface, call);
    s.wait(20);
    if (round % 2 === 0) smbNegotiate(s, base + 3, '10.1.1.15');
    else httpFetch(s, base + 3, '10.1.1.40', 'intranet.corp.example', `/news/${round}`);
    s.wait(50);
    s.dns('time.windows.com', '10.1.1.1');
  }
  return s.out;
}

/**
 * rpcdump / `portqry -e 135`: ept_lookup of every entry in three calls of at most 4 entries. The
 * first two answers list lsass interfaces on TCP 49667 and hand back an entry handle; the third
 * call continues with it and gets EPT_S_NOT_REGISTERED: no more entries. Nothing connects to the
 * listed port, and the capture goes on for 30 s.
 */
export function eptLookupEnumeration(): WriterFrame[] {
  const s = new Scene(61);
  const c = s.tcp({ clientPort: 49801, serverPort: 135 });
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] }));
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
  const handle = Uint8Array.from({ length: 20 }, (_, i) => (i < 4 ? 0 : 0x40 + i));
  const entries: EptEntry[] = LSASS_INTERFACES.slice(0, 7).map(([iface, annotation]) => ({ tower: { iface, port: HEALTHY_PORT, ip: SERVER4 }, annotation }));
  const pages = [entries.slice(0, 4), entries.slice(4), []];
  pages.forEach((page, i) => {
    c.send('client', dcerpcRequest({ callId: 2 + i, opnum: 2, stub: eptLookupRequestStub({ maxEntries: 4, ...(i > 0 ? { handle } : {}) }) }));
    s.wait(1);
    c.send('server', dcerpcResponse({ callId: 2 + i, stub: eptLookupResponseStub({ entries: page, maxEntries: 4, ...(i < 2 ? { handle } : { status: EPT_NOT_REGISTERED }) }) }));
  });
  c.ack('client');
  c.close('client');
  s.wait(30_000);
  s.arp();
  return s.out;
}

/**
 * A capture that starts after the client bound to the activator on TCP 135: the first frames
 * are a RemoteGetClassObject request (IRemoteSCMActivator opnum 3, the opnum of ept_map) and its
 * answer, whose string bindings name port `port`; neither handshake nor bind is in the capture.
 * Then SYNs to that port go unanswered.
 */
export function dcomActivationAfterBind(port: number): WriterFrame[] {
  const s = new Scene(62);
  const c = s.tcp({ clientPort: 49801, serverPort: 135 });
  const req = remoteCreateInstanceRequest({ clsid: 'f5a2e8c1-3b7d-4e96-a0c4-58d21b9e7f30', serverName: SERVER4, cid: 'b4d2e6f8-1a3c-4e5f-9071-2b4c6d8e0f12' });
  c.send('client', dcerpcRequest({ callId: 7, opnum: 3, stub: req }));
  s.wait(3);
  const resp = remoteCreateInstanceResponse({
    bindings: [`SERVER[${port}]`, `${SERVER4}[${port}]`],
    resolver: ['SERVER', SERVER4],
    principal: 'CORP\\SERVER$',
    oxid: Uint8Array.of(0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88),
    oid: Uint8Array.of(0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
    ipid: '0000a901-0be4-0000-6d3c-d1b7a4f25e92',
    ipidRemUnknown: '0000bd02-0be4-0000-2f6a-2c93e0d47b59',
  });
  c.send('server', dcerpcResponse({ callId: 7, stub: resp }));
  c.ack('client');
  s.wait(2);
  unansweredThenQuiet(s, s.tcp({ clientPort: 49802, serverPort: port }), 25000);
  return s.out;
}

/**
 * Connections refused on ports no endpoint mapper answer explains: SMB (445) on the server
 * answers every SYN with RST, and WinRM (5985) to a host behind a router draws an ICMP
 * administratively-prohibited message from the router. LDAP (389) to the server works.
 */
export function connectionRefused(): WriterFrame[] {
  const s = new Scene(63);
  s.tcp({ clientPort: 49800, serverPort: 389 }).connect();
  s.wait(1);
  const smb = s.tcp({ clientPort: 49801, serverPort: 445 });
  smb.syn().rst('server');
  s.wait(500);
  smb.syn().rst('server');
  s.wait(1000);
  const server = '10.2.2.10';
  const link = lanLink(server);
  const winrm = s.tcp({ clientPort: 49802, serverPort: 5985, server });
  winrm.syn();
  s.wait(0.4);
  s.push(link(ipv4({ src: '10.1.1.1', dst: CLIENT4, proto: IpProto.ICMP, id: 0x3301, ttl: 255 }, icmpv4Unreachable(Icmp4Unreach.ADMIN_PROHIBITED, winrm.lastIp)), 4, false));
  s.wait(10_000);
  s.arp();
  return s.out;
}

/**
 * A capture that starts while the client already has a connection open to the dynamic port
 * (no SYN in the capture): it asks the endpoint mapper again, is given the same port, and goes
 * on calling over the open connection, as the RPC runtime does when it reuses an association.
 */
export function connectionOpenBeforeCapture(): WriterFrame[] {
  const s = new Scene(64);
  const open = s.tcp({ clientPort: 49790, serverPort: HEALTHY_PORT });
  const call = (callId: number): void => {
    open.send('client', dcerpcRequest({ callId, opnum: HANDLE_CALL.opnum, stub: HANDLE_CALL.request }));
    s.wait(0.7);
    open.send('server', dcerpcResponse({ callId, stub: HANDLE_CALL.response }));
    open.ack('client');
  };
  call(40);
  s.wait(2000);
  epmSession(s, { towers: [tower(HEALTHY_PORT)] });
  s.wait(50);
  call(41);
  s.wait(10_000);
  call(42);
  s.wait(5000);
  s.arp();
  return s.out;
}

/** The firewall's own MACs on its inside and outside interfaces. */
const FW_INSIDE_MAC = Uint8Array.of(0x00, 0x1b, 0x17, 0x00, 0x01, 0x10);
const FW_OUTSIDE_MAC = Uint8Array.of(0x00, 0x1b, 0x17, 0x00, 0x01, 0x20);

/**
 * `frames` (Ethernet, IPv4, the client on the inside) as a firewall that captures on both its
 * interfaces records them: each packet on the interface it came in on, then, 40 µs later, on the
 * one it left by, its TTL one lower and the MACs the firewall's; the client's packets to TCP
 * `dropPort` only as they came in (the firewall drops them). Every IPv4 identification is 0 (DF
 * packets of Linux and of many appliances), so only the TTL tells a forwarding copy from a
 * retransmission. Interface 0 is the inside, 1 the outside.
 */
export function firewallTwoInterfaces(frames: readonly WriterFrame[], client: string, dropPort: number): WriterFrame[] {
  const clientBytes = Uint8Array.from(client.split('.').map(Number));
  const withIp = (f: Uint8Array, ttlDrop: number, macs: [Uint8Array, Uint8Array] | null): Uint8Array => {
    const b = f.slice();
    b[18] = 0;
    b[19] = 0;
    b[22] = b[22]! - ttlDrop;
    b[24] = 0;
    b[25] = 0;
    const ihl = (b[14]! & 0x0f) * 4;
    const sum = internetChecksum(b.subarray(14, 14 + ihl));
    b[24] = sum >> 8;
    b[25] = sum & 0xff;
    if (macs !== null) { b.set(macs[0], 0); b.set(macs[1], 6); }
    return b;
  };
  return frames.flatMap((f): WriterFrame[] => {
    const d = f.data;
    if (d.length < 34 || d[12] !== 0x08 || d[13] !== 0x00) return [{ ...f, interfaceId: 0 }];
    const fromClient = clientBytes.every((x, i) => d[26 + i] === x);
    const dport = d[23] === 6 && d.length >= 38 ? (d[36]! << 8) | d[37]! : -1;
    const first: WriterFrame = { ...f, data: withIp(d, 0, null), interfaceId: fromClient ? 0 : 1 };
    if (fromClient && dport === dropPort) return [first];
    const later = new Clock(f.tsSec, f.tsNsec).advanceUs(40).stamp();
    // Leaving: the firewall's MAC as source, the next hop's (the original destination) kept.
    const out = withIp(d, 1, [d.subarray(0, 6).slice(), fromClient ? FW_OUTSIDE_MAC : FW_INSIDE_MAC]);
    return [first, { ...f, ...later, data: out, interfaceId: fromClient ? 1 : 0 }];
  });
}
