/**
 * Operations Manager agent scenarios: an agent (ws50, 10.1.1.50), its management server (scom01,
 * 10.1.1.30), the domain controller that is also the DNS server (dc01, 10.1.1.10), and what goes
 * wrong between them. Each function returns the frames of one sample; generate.ts names and
 * describes them, test/unit/gen/verdicts.test.ts pins each one's findings. What a real capture of
 * the situation holds is said where a frame is made.
 */
import type { WriterFrame } from '../../src/capture/writer.js';
import {
  ByteWriter, EtherType, IpProto, concat, ethernet, ethernetLink, icmpv4Echo, ipv4, udp, type LinkFramer, type TcpConversation,
} from './frames.js';
import {
  DnsType, cldapPing, cldapPingResponse, dnsMessage, dnsReply, krbAsRep, krbAsReq, krbError, krbOverTcp, krbPreauthRequired, krbTgsRep,
  krbTgsReq, ldapBind, ldapBindResponse, ldapSearchDone, ldapSearchEntry, ldapSearchRootDse, ldapUnbind, noise, tlsAlert, tlsClientHello,
  tlsServerFlight, type DnsAnswer, type DnsReply, type KrbNames,
} from './apps.js';
import { CLIENT4, Scene, macOf, unansweredSyns } from './scenario.js';

export const AGENT = CLIENT4;
export const DC = '10.1.1.10';
export const MS = '10.1.1.30';
/** A second DNS server that does not hold the Active Directory zone. */
export const OTHER_DNS = '10.1.1.2';
export const GATEWAY = '10.1.2.20';
export const DMZ_AGENT = '10.1.2.50';

const DOMAIN = 'corp.example';
export const REALM = 'CORP.EXAMPLE';
const MS_NAME = 'scom01.corp.example';
const LOCATOR = `_ldap._tcp.dc._msdcs.${DOMAIN}`;
export const NAMES: KrbNames = { realm: REALM, user: 'WS50$' };
const SPN = ['MSOMHSvc', MS_NAME];
const DC01 = { forest: DOMAIN, domain: DOMAIN, host: `dc01.${DOMAIN}`, netbiosDomain: 'CORP', netbiosHost: 'DC01', site: 'Default-First-Site-Name' };

/** MAC of any sample host: on 10.1.1.0/24 its own, elsewhere the gateway's (scenario.ts macOf), 10.1.2.0/24 its own too. */
function mac(addr: string): string {
  const m = /^10\.1\.2\.(\d+)$/.exec(addr);
  return m === null ? macOf(addr) : `00:15:5d:01:02:${Number(m[1]).toString(16).padStart(2, '0')}`;
}

/** Ethernet between two hosts, each with its own MAC. */
export const link = (client: string, server: string): LinkFramer => ethernetLink({ clientMac: mac(client), serverMac: mac(server) });

/** One UDP datagram from `src:sport` to `dst:dport`; the clock moves on 100 µs. */
export function datagram(s: Scene, src: string, sport: number, dst: string, dport: number, payload: Uint8Array, ipId: number): void {
  const ip = ipv4({ src, dst, proto: IpProto.UDP, id: ipId & 0xffff, ttl: 128 }, udp(src, dst, { srcPort: sport, dstPort: dport }, payload));
  s.push(ethernet({ dst: mac(dst), src: mac(src), etherType: EtherType.IPV4, pad: true }, ip));
}

/** A question and its answer after `ms` milliseconds (the answer's source is `from`, by default the server asked). */
export function exchange(s: Scene, client: string, cport: number, server: string, sport: number, q: Uint8Array, a: Uint8Array | null, ms: number, id: number, from = server): void {
  datagram(s, client, cport, server, sport, q, id);
  if (a === null) return;
  s.wait(ms);
  datagram(s, from, sport, client, cport, a, id + 0x3000);
}

/** DNS A lookup of `name` by `client` from `server`, answered with `address` (or the RCODE in `reply`). */
export function dnsA(s: Scene, client: string, cport: number, server: string, id: number, name: string, address: string | null, reply: DnsReply = {}): void {
  const answers: DnsAnswer[] = address === null ? [] : [{ type: 'A', address }];
  exchange(s, client, cport, server, 53, dnsMessage(id, name, DnsType.A, null), dnsReply(id, name, DnsType.A, { answers, ...reply }), 0.6, id);
}

/** The DC locator: the SRV query for the domain's DCs (answered with dc01 and its address), then the LDAP ping to dc01. */
function locate(s: Scene, cport: number, id: number): void {
  const srv = dnsReply(id, LOCATOR, DnsType.SRV, { answers: [{ type: 'SRV', priority: 0, weight: 100, port: 389, target: DC01.host }], additional: [{ name: DC01.host, address: DC }] });
  exchange(s, AGENT, cport, DC, 53, dnsMessage(id, LOCATOR, DnsType.SRV, null), srv, 0.7, id);
  s.wait(2);
  exchange(s, AGENT, cport + 1, DC, 389, cldapPing(id & 0xff, DOMAIN, 'WS50'), cldapPingResponse(id & 0xff, DC01), 1.2, id + 1);
}

/** Kerberos over UDP 88: AS-REQ, PREAUTH_REQUIRED, AS-REQ with a timestamp, AS-REP; then the TGS exchange for `spn`. */
function logon(s: Scene, cport: number, seed: number, spn: readonly string[] = SPN, tgsAnswer: ((n: KrbNames) => Uint8Array) | null = null): void {
  exchange(s, AGENT, cport, DC, 88, krbAsReq(NAMES, 0x51a7e001, false, seed), krbPreauthRequired(NAMES), 0.9, seed);
  s.wait(3);
  exchange(s, AGENT, cport + 1, DC, 88, krbAsReq(NAMES, 0x51a7e002, true, seed + 1), krbAsRep(NAMES, seed + 2), 1.1, seed + 1);
  s.wait(3);
  exchange(s, AGENT, cport + 2, DC, 88, krbTgsReq(NAMES, spn, 0x51a7e003, seed + 3), (tgsAnswer ?? ((n) => krbTgsRep(n, spn, seed + 4)))(NAMES), 1.3, seed + 3);
}

/** LDAP over TCP 389: anonymous bind and a rootDSE read, as the agent does once it found its DC. */
function ldap(s: Scene, cport: number): void {
  const c = s.tcp({ clientPort: cport, serverPort: 389, server: DC });
  c.connect();
  c.send('client', ldapBind(1));
  s.wait(0.5);
  c.send('server', ldapBindResponse(1));
  c.send('client', ldapSearchRootDse(2, ['defaultNamingContext', 'dnsHostName']));
  s.wait(0.8);
  c.send('server', concat(ldapSearchEntry(2, '', [['defaultNamingContext', 'DC=corp,DC=example'], ['dnsHostName', DC01.host]]), ldapSearchDone(2)));
  c.send('client', ldapUnbind(3));
  c.close('client');
}

/** The agent's first messages on a new 5723 connection (its authentication), and the server's answers. */
export function channelHello(s: Scene, c: TcpConversation, seed: number): void {
  c.send('client', noise(seed, 412));
  s.wait(1.4);
  c.send('server', noise(seed + 1, 236));
  c.send('client', noise(seed + 2, 148));
  s.wait(1.1);
  c.send('server', noise(seed + 3, 92));
  c.ack('client');
}

/** One heartbeat: the agent's message, the server's short answer, the agent's ACK. */
export function heartbeat(s: Scene, c: TcpConversation, seed: number): void {
  c.send('client', noise(seed, 188));
  s.wait(2.3);
  c.send('server', noise(seed + 1, 60));
  c.ack('client');
}

/** SYNs at 0, +3 s and +9 s with one ISN: an unanswered Windows connect. */
export function unanswered(s: Scene, c: TcpConversation): void {
  unansweredSyns(c, s.clock);
}

/** An ICMP echo request from `from` to `to`, and its reply after 0.4 ms when `reply`. */
export function ping(s: Scene, from: string, to: string, seq: number, reply: boolean): void {
  const data = new ByteWriter(false).bytes(new TextEncoder().encode('abcdefghijklmnopqrstuvwabcdefghi')).done();
  const frame = (src: string, dst: string, isReply: boolean): Uint8Array =>
    ethernet({ dst: mac(dst), src: mac(src), etherType: EtherType.IPV4, pad: true }, ipv4({ src, dst, proto: IpProto.ICMP, id: 0x2200 + seq * 2 + (isReply ? 1 : 0), ttl: 128 }, icmpv4Echo({ reply: isReply, id: 1, seq }, data)));
  s.push(frame(from, to, false));
  if (!reply) return;
  s.wait(0.4);
  s.push(frame(to, from, true));
}

/** A healthy agent: DC locator, names, Kerberos for MSOMHSvc, LDAP, the 5723 channel and five heartbeats a minute apart. */
export function agentHealthy(): WriterFrame[] {
  const s = new Scene(61);
  locate(s, 53001, 0x6101);
  s.wait(3);
  dnsA(s, AGENT, 53010, DC, 0x6110, MS_NAME, MS);
  s.wait(2);
  logon(s, 53020, 610);
  s.wait(2);
  ldap(s, 49901);
  s.wait(2);
  const c = s.tcp({ clientPort: 49902, serverPort: 5723, server: MS });
  c.connect();
  channelHello(s, c, 620);
  for (let i = 1; i <= 5; i++) {
    s.at(i * 60_000 + 30_000);
    heartbeat(s, c, 630 + i * 2);
  }
  s.wait(12_000);
  s.arp();
  return s.out;
}

/** The management server drops 5723: two connects of three SYNs each, 30 s apart; everything else works. */
export function agent5723Dropped(): WriterFrame[] {
  const s = new Scene(62);
  locate(s, 53101, 0x6201);
  s.wait(3);
  dnsA(s, AGENT, 53110, DC, 0x6210, MS_NAME, MS);
  s.wait(2);
  logon(s, 53120, 640);
  s.wait(2);
  const t0 = s.clock.clone();
  unanswered(s, s.tcp({ clientPort: 49911, serverPort: 5723, server: MS }));
  s.clock.setAfter(t0, 30_000);
  unanswered(s, s.tcp({ clientPort: 49912, serverPort: 5723, server: MS }));
  s.clock.setAfter(t0, 65_000);
  s.arp();
  return s.out;
}

/**
 * TCP 389 and 88 to the DC are filtered, UDP is not: the LDAP ping is answered and the agent's
 * LDAP connection 2 ms later is not; the KDC answers over UDP with KRB_ERR_RESPONSE_TOO_BIG and
 * the TCP 88 connection that must follow is not answered. The agent's 5723 connection comes up,
 * but it cannot authenticate the server and closes it.
 */
export function agentLdapKerberosTcpBlocked(): WriterFrame[] {
  const s = new Scene(63);
  const ch = s.tcp({ clientPort: 49921, serverPort: 5723, server: MS });
  dnsA(s, AGENT, 53210, DC, 0x6310, MS_NAME, MS);
  s.wait(1);
  ch.connect();
  ch.send('client', noise(650, 412));
  s.wait(1.2);
  ch.send('server', noise(651, 236));
  ch.ack('client');
  s.wait(1);
  const srv = dnsReply(0x6301, LOCATOR, DnsType.SRV, { answers: [{ type: 'SRV', priority: 0, weight: 100, port: 389, target: DC01.host }], additional: [{ name: DC01.host, address: DC }] });
  exchange(s, AGENT, 53201, DC, 53, dnsMessage(0x6301, LOCATOR, DnsType.SRV, null), srv, 0.7, 0x6301);
  s.wait(1);
  exchange(s, AGENT, 53202, DC, 389, cldapPing(3, DOMAIN, 'WS50'), cldapPingResponse(3, DC01), 1.1, 0x6302);
  s.wait(2);
  unanswered(s, s.tcp({ clientPort: 49922, serverPort: 389, server: DC }));
  s.wait(1);
  exchange(s, AGENT, 53220, DC, 88, krbAsReq(NAMES, 0x63a7e001, false, 660), krbPreauthRequired(NAMES), 0.9, 660);
  s.wait(2);
  const tooBig = krbError({ code: 52, realm: REALM, sname: ['krbtgt', REALM], stime: '20240312091518Z', susec: 402113 });
  exchange(s, AGENT, 53221, DC, 88, krbAsReq(NAMES, 0x63a7e002, true, 661), tooBig, 1.0, 661);
  s.wait(0.6);
  unanswered(s, s.tcp({ clientPort: 49923, serverPort: 88, server: DC }));
  s.wait(2000);
  ch.close('client');
  s.wait(15_000);
  s.arp();
  return s.out;
}

/**
 * DNS fails the agent: its first DNS server, the DC, never answers the DC locator's SRV query
 * (sent three times); an NXDOMAIN with the query's id comes back from 10.1.1.2 instead, which
 * answers nothing (Windows drops it). Asked directly, 10.1.1.2 says NXDOMAIN: it does not hold
 * the Active Directory zone. Its NXDOMAIN for wpad is a workstation's everyday noise.
 */
export function agentDnsFailure(): WriterFrame[] {
  const s = new Scene(64);
  const q = dnsMessage(0x6401, LOCATOR, DnsType.SRV, null);
  const t0 = s.clock.clone();
  datagram(s, AGENT, 53301, DC, 53, q, 0x6401);
  s.wait(0.8);
  datagram(s, OTHER_DNS, 53, AGENT, 53301, dnsReply(0x6401, LOCATOR, DnsType.SRV, { rcode: 3 }), 0x7401);
  s.clock.setAfter(t0, 1000);
  datagram(s, AGENT, 53301, DC, 53, q, 0x6402);
  s.clock.setAfter(t0, 2000);
  exchange(s, AGENT, 53302, OTHER_DNS, 53, dnsMessage(0x6403, LOCATOR, DnsType.SRV, null), dnsReply(0x6403, LOCATOR, DnsType.SRV, { rcode: 3 }), 0.9, 0x6403);
  s.clock.setAfter(t0, 4000);
  datagram(s, AGENT, 53301, DC, 53, q, 0x6404);
  s.wait(3);
  dnsA(s, AGENT, 53310, OTHER_DNS, 0x6410, `wpad.${DOMAIN}`, null, { rcode: 3 });
  s.wait(2);
  dnsA(s, AGENT, 53311, OTHER_DNS, 0x6411, MS_NAME, MS);
  s.wait(1);
  const c = s.tcp({ clientPort: 49931, serverPort: 5723, server: MS });
  c.connect();
  c.send('client', noise(670, 412));
  s.wait(1.3);
  c.send('server', noise(671, 236));
  c.ack('client');
  s.wait(8000);
  c.close('client');
  s.wait(12_000);
  s.arp();
  return s.out;
}

/**
 * Clock skew: the KDC answers the AS-REQ over UDP with KRB_ERR_RESPONSE_TOO_BIG (normal: the
 * client's tickets do not fit), the client repeats it over TCP 88 (answered), and the answer is
 * KRB_AP_ERR_SKEW: the DC's clock reads 7 min 31 s later than the capture's.
 */
export function agentKerberosSkew(): WriterFrame[] {
  const s = new Scene(65);
  locate(s, 53401, 0x6501);
  s.wait(3);
  dnsA(s, AGENT, 53410, DC, 0x6510, MS_NAME, MS);
  s.wait(2);
  exchange(s, AGENT, 53420, DC, 88, krbAsReq(NAMES, 0x65a7e001, false, 680), krbPreauthRequired(NAMES), 0.9, 680);
  s.wait(2);
  const tooBig = krbError({ code: 52, realm: REALM, sname: ['krbtgt', REALM], stime: '20240312092243Z', susec: 118250 });
  exchange(s, AGENT, 53421, DC, 88, krbAsReq(NAMES, 0x65a7e002, true, 681), tooBig, 1.0, 681);
  s.wait(0.5);
  const k = s.tcp({ clientPort: 49941, serverPort: 88, server: DC });
  k.connect();
  k.send('client', krbOverTcp(krbAsReq(NAMES, 0x65a7e002, true, 682)));
  s.wait(1.2);
  // The capture's clock reads 09:15:12; the DC's 7 min 31 s later.
  k.send('server', krbOverTcp(krbError({ code: 37, realm: REALM, sname: ['krbtgt', REALM], stime: '20240312092231Z', susec: 40000, cname: ['WS50$'], crealm: REALM })));
  k.close('client');
  s.wait(2);
  const c = s.tcp({ clientPort: 49942, serverPort: 5723, server: MS });
  c.connect();
  c.send('client', noise(690, 412));
  s.wait(1.3);
  c.send('server', noise(691, 236));
  c.ack('client');
  s.wait(6000);
  c.close('client');
  s.wait(10_000);
  s.arp();
  return s.out;
}

/**
 * Captured on the management server, starting in the middle of the agent's connection:
 * heartbeats a minute apart, then none for five minutes. After four missed heartbeats the
 * server pings the agent four times; `replies` says whether the agent answers.
 */
export function agentHeartbeatGap(replies: boolean, seed: number): WriterFrame[] {
  const s = new Scene(seed);
  dnsA(s, MS, 53501, DC, 0x6601 + seed, `ws50.${DOMAIN}`, AGENT);
  s.wait(1500);
  const c = s.tcp({ clientPort: 49951, serverPort: 5723, server: MS });
  for (let i = 0; i < 5; i++) {
    s.at(2000 + i * 60_000);
    heartbeat(s, c, 700 + seed + i * 2);
  }
  // Last heartbeat at +242 s; four missed by +482 s; the server pings at +490 s.
  s.at(490_000);
  for (let i = 1; i <= 4; i++) {
    ping(s, MS, AGENT, i, replies);
    s.wait(1000);
  }
  s.at(560_000);
  s.arp();
  return s.out;
}

/** An agent set to a 120 s heartbeat: one transmission every 120 s, once 300 s (two missed, under its own four). */
export function agentHeartbeat120(): WriterFrame[] {
  const s = new Scene(68);
  dnsA(s, MS, 53601, DC, 0x6801, `ws50.${DOMAIN}`, AGENT);
  s.wait(1500);
  const c = s.tcp({ clientPort: 49961, serverPort: 5723, server: MS });
  const times = [2, 122, 242, 362, 482, 782, 902, 1022, 1142];
  times.forEach((t, i) => {
    s.at(t * 1000);
    heartbeat(s, c, 720 + i * 2);
  });
  s.at(1160_000);
  s.arp();
  return s.out;
}

/**
 * A gateway (10.1.2.20) in another network: its agent (10.1.2.50) heartbeats to it; its own
 * connection to the management server ends in the TLS handshake: the server sends its
 * certificate, the gateway answers with a fatal unknown_ca alert and closes; again 30 s later.
 */
export function agentGatewayTlsAlert(): WriterFrame[] {
  const s = new Scene(69);
  dnsA(s, GATEWAY, 53701, DC, 0x6901, MS_NAME, MS);
  s.wait(5);
  const agent = s.tcp({ client: DMZ_AGENT, clientPort: 49971, serverPort: 5723, server: GATEWAY, link: link(DMZ_AGENT, GATEWAY) });
  agent.connect();
  channelHello(s, agent, 740);
  for (let round = 0; round < 2; round++) {
    s.at(5000 + round * 30_000);
    const c = s.tcp({ client: GATEWAY, clientPort: 49981 + round, serverPort: 5723, server: MS, link: link(GATEWAY, MS) });
    c.connect();
    c.send('client', tlsClientHello(750 + round));
    s.wait(1.6);
    c.send('server', tlsServerFlight(760 + round));
    s.wait(3.2);
    c.send('client', tlsAlert(2, 48));
    c.close('client');
    s.at(20_000 + round * 30_000);
    heartbeat(s, agent, 770 + round * 2);
  }
  s.at(70_000);
  s.arp();
  return s.out;
}

/**
 * The agent is not approved: three connections a minute apart, each accepted, a few messages
 * both ways (authentication), then the management server's FIN 0.3 s later (event 20070).
 */
export function agentNotApproved(): WriterFrame[] {
  const s = new Scene(70);
  locate(s, 53801, 0x7001);
  s.wait(2);
  dnsA(s, AGENT, 53810, DC, 0x7010, MS_NAME, MS);
  s.wait(2);
  logon(s, 53820, 780);
  for (let i = 0; i < 3; i++) {
    s.at(10_000 + i * 60_000);
    const c = s.tcp({ clientPort: 49991 + i, serverPort: 5723, server: MS });
    c.connect();
    channelHello(s, c, 790 + i * 4);
    s.wait(300);
    c.close('server');
  }
  s.at(140_000);
  s.arp();
  return s.out;
}

/**
 * The management server's SPN is missing: the KDC answers the TGS-REQ for
 * MSOMHSvc/scom01.corp.example, and then the one for MSOMHSvc/SCOM01, with
 * KDC_ERR_S_PRINCIPAL_UNKNOWN; the agent gives up on the connection it had opened.
 */
export function agentSpnUnknown(): WriterFrame[] {
  const s = new Scene(71);
  locate(s, 53901, 0x7101);
  s.wait(2);
  dnsA(s, AGENT, 53910, DC, 0x7110, MS_NAME, MS);
  s.wait(1);
  const c = s.tcp({ clientPort: 49995, serverPort: 5723, server: MS });
  c.connect();
  c.send('client', noise(800, 96));
  s.wait(1);
  const unknown = (sname: string[]) => (n: KrbNames): Uint8Array => krbError({ code: 7, realm: n.realm, sname, stime: '20240312091512Z', susec: 230511, cname: ['WS50$'], crealm: n.realm });
  logon(s, 53920, 810, SPN, unknown(SPN));
  s.wait(1);
  const netbios = ['MSOMHSvc', 'SCOM01'];
  exchange(s, AGENT, 53925, DC, 88, krbTgsReq(NAMES, netbios, 0x71a7e009, 815), unknown(netbios)(NAMES), 1.2, 815);
  s.wait(2000);
  c.close('client');
  s.wait(10_000);
  s.arp();
  return s.out;
}

/**
 * A disjoint namespace: the realm is CORP.EXAMPLE, the management server's DNS name is
 * scom01.ops.example.net; Kerberos for MSOMHSvc/scom01.ops.example.net works (the SPN is
 * registered), the channel comes up and heartbeats.
 */
export function agentDisjointNamespace(): WriterFrame[] {
  const s = new Scene(72);
  const name = 'scom01.ops.example.net';
  locate(s, 54001, 0x7201);
  s.wait(2);
  dnsA(s, AGENT, 54010, DC, 0x7210, name, MS);
  s.wait(2);
  logon(s, 54020, 820, ['MSOMHSvc', name]);
  s.wait(2);
  const c = s.tcp({ clientPort: 49997, serverPort: 5723, server: MS });
  c.connect();
  channelHello(s, c, 830);
  for (let i = 1; i <= 2; i++) {
    s.at(20_000 + i * 60_000);
    heartbeat(s, c, 840 + i * 2);
  }
  s.wait(10_000);
  s.arp();
  return s.out;
}
