/**
 * Writes every generated sample into a folder: `tsx samples/gen/generate.ts samples`.
 * Deterministic: fixed start times, fixed addresses, ISNs from a PRNG seeded per sample, so
 * the same source gives the same bytes on every run. `samples/README.md` is written from the
 * same table, so every file has its line. test/unit/gen/generate.test.ts checks that the
 * committed files equal what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { writePcapng, type PcapngItem, type WriterFrame } from '../../src/capture/writer.js';
import { LinkType } from '../../src/wire/constants.js';
import { writeNetmon } from './netmon-writer.js';
import * as cases from './cases.js';
import * as agent from './agent.js';
import {
  TUNNEL_A,
  TUNNEL_B,
  blockedFragmentedSyns,
  erspanLink,
  fabricPathLink,
  geneveLink,
  greLink,
  gtpuLink,
  ipInIpv4Link,
  l2tpLink,
  mplsLink,
  pbbLink,
  pppoeLink,
  vxlanLink,
} from './tunnels.js';
import {
  AF,
  ByteWriter,
  Clock,
  DRSUAPI_V4,
  EPM_V3,
  EPT_S_NOT_REGISTERED,
  EtherType,
  Icmp4Unreach,
  Icmp6Unreach,
  IpProto,
  NDR_V2,
  TcpConversation,
  TcpFlag,
  dcerpcBind,
  dcerpcBindAck,
  dcerpcFault,
  dcerpcRequest,
  dcerpcResponse,
  eptMapRequestStub,
  eptMapResponseStub,
  ethernetLink,
  icmpv4Echo,
  icmpv4Unreachable,
  icmpv6Echo,
  icmpv6Unreachable,
  ipv4,
  ipv6,
  loopLink,
  nullHeader,
  nullLink,
  rawLink,
  seededRandom,
  sll2Link,
  sllLink,
  tcp,
  windowsSynOptions,
  type TcpIpTower,
  type VlanTag,
} from './frames.js';
import {
  BLOCKED_PORT,
  CLIENT4,
  CLIENT6,
  CLIENT_MAC,
  ETH,
  GATEWAY_MAC,
  HEALTHY_PORT,
  SERVER4,
  SERVER6,
  SERVER_MAC,
  T0,
  blockedScenario,
  dnsLookup,
  dynConversation,
  epmPart,
  healthyScenario,
  isn,
  nanoJitter,
  pcap,
  unansweredSyns,
  type ScenarioOptions,
} from './scenario.js';

export { BLOCKED_PORT, HEALTHY_PORT, T0 };

/** One generated file. */
export interface Sample {
  name: string;
  /** One line for samples/README.md: what the file holds and what it is for. */
  what: string;
  build: () => Uint8Array;
}

const FAILURE = `EPM on ${SERVER4}:135 advertises DRSUAPI at port ${BLOCKED_PORT}; 3 SYNs from ${CLIENT4} to it (0, +3 s, +9 s, same ISN) get no answer`;

/** Every generated sample, in README order. */
export const SAMPLES: readonly Sample[] = [
  {
    name: 'rpc-nonstandard-port-blocked.pcap',
    what: `The classic failure, pcap µs little-endian, Ethernet: ${FAILURE}. Main end-to-end sample.`,
    build: () => pcap(blockedScenario({ link: ETH }), LinkType.ETHERNET),
  },
  {
    name: 'rpc-healthy.pcap',
    what: `Working RPC, pcap µs LE, Ethernet: DNS lookup, EPM advertises ${HEALTHY_PORT}, handshake, DRSUAPI bind/bind_ack, DRSBind call and reply, FIN close. Expect no failure finding.`,
    build: () => {
      const out: WriterFrame[] = [];
      const clock = new Clock(T0);
      dnsLookup(out, clock);
      return pcap(out.concat(healthyScenario({ link: ETH, clock })), LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-nonstandard-port-blocked-be.pcap',
    what: 'The failure as a big-endian pcap (magic a1b2c3d4 written big-endian, µs); reader byte-order test.',
    build: () => pcap(blockedScenario({ link: ETH }), LinkType.ETHERNET, { bigEndian: true }),
  },
  {
    name: 'rpc-nonstandard-port-blocked-nsec.pcap',
    what: 'The failure as a nanosecond pcap (magic a1b23c4d, LE); every timestamp has non-zero sub-µs digits.',
    build: () => pcap(nanoJitter(blockedScenario({ link: ETH })), LinkType.ETHERNET, { nanoseconds: true }),
  },
  {
    name: 'rpc-nonstandard-port-blocked.pcapng',
    what: 'The failure as little-endian pcapng, one Ethernet interface (if_name Ethernet0), opt_comment on the first SYN to the blocked port.',
    build: () => {
      const frames = blockedScenario({ link: ETH });
      const items: PcapngItem[] = frames.map((f, i) => (i === frames.length - 3 ? { ...f, comment: `first SYN to the port EPM advertised (${BLOCKED_PORT})` } : f));
      return writePcapng([{ interfaces: [{ linkType: LinkType.ETHERNET, name: 'Ethernet0' }], userAppl: 'rpctrace samples/gen', items }]);
    },
  },
  {
    name: 'rpc-two-sections-be.pcapng',
    what:
      'Big-endian pcapng, two sections. Section 1: IDB0 Ethernet (µs) carries the EPM exchange, IDB1 Linux SLL with if_tsresol 2^-20 and if_tsoffset carries the unanswered SYNs (one commented). ' +
      'Section 2 (60 s later): IDB0 raw IPv4 (228) with 10^-9 carries the healthy EPM exchange, IDB1 SLL2 with if_tsoffset the answered connection. Multi-section, multi-link-type and timestamp-unit test.',
    build: () => {
      const s1 = blockedScenario({ link: ETH, epmInterface: 0, dynInterface: 1, dynLink: sllLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC }) });
      const firstSyn = s1.findIndex((f) => f.interfaceId === 1);
      const items1: PcapngItem[] = s1.map((f, i) => (i === firstSyn ? { ...f, comment: 'SYN to the EPM-advertised port; no SYN-ACK follows' } : f));
      const s2 = healthyScenario({ link: rawLink, epmInterface: 0, dynInterface: 1, dynLink: sll2Link({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC, ifIndex: 3 }), clock: new Clock(T0 + 60), seed: 7, clientPorts: [49811, 49812] });
      return writePcapng([
        {
          bigEndian: true,
          userAppl: 'rpctrace samples/gen',
          interfaces: [
            { linkType: LinkType.ETHERNET, name: 'eth0' },
            { linkType: LinkType.LINUX_SLL, name: 'any', tsresol: { base: 2, exp: 20 }, tsoffset: T0 - 3600 },
          ],
          items: items1,
        },
        {
          bigEndian: true,
          comment: 'second capture appended',
          interfaces: [
            { linkType: LinkType.IPV4, name: 'tun0', tsresol: { base: 10, exp: 9 } },
            { linkType: LinkType.LINUX_SLL2, name: 'any', tsoffset: T0 },
          ],
          items: s2,
        },
      ]);
    },
  },
  {
    name: 'pcapng-mixed-blocks.pcapng',
    what:
      'The healthy exchange as pcapng with a little-endian first and a big-endian second section; besides EPBs it holds a Simple Packet Block (one ACK, no timestamp: time 0), ' +
      'obsolete Packet Blocks, a Custom Block (PEN 32473) and a block of unknown type 0x00000099 (readers should warn and skip it). ' +
      'Wireshark 4.0 lists the Custom Block as frame 5, so its frame numbers after it are one higher than those of a reader that skips it.',
    build: () => {
      const frames = healthyScenario({ link: ETH });
      const half = 11;
      const custom = new ByteWriter(true).u32(32473).bytes(new TextEncoder().encode('rpctrace sample custom data')).done();
      const items1: PcapngItem[] = frames.slice(0, half).map((f, i) => (i === 2 ? { ...f, block: 'spb' as const } : i >= 8 ? { ...f, block: 'pb' as const } : f));
      items1.splice(4, 0, { rawBlock: { type: 0x00000bad, body: custom } }, { rawBlock: { type: 0x00000099, body: Uint8Array.of(1, 2, 3, 4, 5) } });
      return writePcapng([
        { interfaces: [{ linkType: LinkType.ETHERNET }], items: items1 },
        { bigEndian: true, interfaces: [{ linkType: LinkType.ETHERNET, tsresol: { base: 10, exp: 9 } }], items: frames.slice(half) },
      ]);
    },
  },
  {
    name: 'rpc-nonstandard-port-blocked.pcap.gz',
    what: 'rpc-nonstandard-port-blocked.pcap compressed with gzip; input decompression test.',
    build: () => gzipSync(pcap(blockedScenario({ link: ETH }), LinkType.ETHERNET), { level: 9 }),
  },
  {
    name: 'rpc-nonstandard-port-blocked.cap',
    what: 'The failure as a Network Monitor 2.1 file (written by samples/gen/netmon-writer.ts); NetMon reader test.',
    build: () => writeNetmon(blockedScenario({ link: ETH }), LinkType.ETHERNET),
  },
  {
    name: 'rpc-nonstandard-port-blocked-vlan.pcap',
    what: 'The failure on 802.1Q VLAN 10 (Ethernet with one C-tag on every frame).',
    build: () => pcap(blockedScenario({ link: ethernetLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC, tags: [{ vid: 10 }] }) }), LinkType.ETHERNET),
  },
  {
    name: 'rpc-nonstandard-port-blocked-qinq.pcap',
    what: 'The failure with stacked tags: 802.1ad S-tag (0x88a8, VLAN 200) outside an 802.1Q C-tag (VLAN 10).',
    build: () => {
      const tags: VlanTag[] = [{ tpid: EtherType.QINQ, vid: 200 }, { vid: 10, pcp: 3 }];
      return pcap(blockedScenario({ link: ethernetLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC, tags }) }), LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-nonstandard-port-blocked-sll.pcap',
    what: 'The failure as captured on Linux "any" (LINUX_SLL, 113): outgoing/host packet types.',
    build: () => pcap(blockedScenario({ link: sllLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC }) }), LinkType.LINUX_SLL),
  },
  {
    name: 'rpc-nonstandard-port-blocked-sll2.pcap',
    what: 'The failure with LINUX_SLL2 (276) headers (protocol first, interface index 2).',
    build: () => pcap(blockedScenario({ link: sll2Link({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC }) }), LinkType.LINUX_SLL2),
  },
  {
    name: 'rpc-nonstandard-port-blocked-raw.pcap',
    what: 'The failure with no link header, LINKTYPE_RAW (101).',
    build: () => pcap(blockedScenario({ link: rawLink }), LinkType.RAW),
  },
  {
    name: 'rpc-nonstandard-port-blocked-linktype-ipv4.pcap',
    what: 'The failure with no link header, LINKTYPE_IPV4 (228).',
    build: () => pcap(blockedScenario({ link: rawLink }), LinkType.IPV4),
  },
  {
    name: 'rpc-nonstandard-port-blocked-ipv6.pcap',
    what: `The failure over IPv6 (${CLIENT6} to ${SERVER6}), LINKTYPE_IPV6 (229); tower IP floor 0.0.0.0 (towers have no IPv6 floor).`,
    build: () => pcap(blockedScenario({ link: rawLink, client: CLIENT6, server: SERVER6 }), LinkType.IPV6),
  },
  {
    name: 'rpc-nonstandard-port-blocked-ipv6-ethernet.pcap',
    what: 'The IPv6 failure over Ethernet (EtherType 0x86dd).',
    build: () => pcap(blockedScenario({ link: ETH, client: CLIENT6, server: SERVER6 }), LinkType.ETHERNET),
  },
  {
    name: 'rpc-nonstandard-port-blocked-null.pcap',
    what: 'The failure with BSD NULL headers (0): 4-byte AF_INET=2 in little-endian host order, as a macOS utun capture has.',
    build: () => pcap(blockedScenario({ link: nullLink() }), LinkType.NULL),
  },
  {
    name: 'rpc-nonstandard-port-blocked-loop.pcap',
    what: 'The failure with OpenBSD LOOP headers (108): AF_INET=2 in network byte order.',
    build: () => pcap(blockedScenario({ link: loopLink() }), LinkType.LOOP),
  },
  {
    name: 'null-loopback-ipv6-af-values.pcap',
    what: 'NULL link type: four IPv6 SYNs with AF 24 (BSD), 28 (FreeBSD), 30 (Darwin) and 30 written big-endian (capturing host of the other byte order); AF decoding test.',
    build: () => {
      const out: WriterFrame[] = [];
      const clock = new Clock(T0);
      const variants: [number, boolean][] = [[AF.INET6_BSD, false], [AF.INET6_FREEBSD, false], [AF.INET6_DARWIN, false], [AF.INET6_DARWIN, true]];
      variants.forEach(([af, be], i) => {
        const t = tcp(CLIENT6, SERVER6, { srcPort: 49900 + i, dstPort: 135, seq: 1000 * (i + 1), flags: TcpFlag.SYN, options: windowsSynOptions(1440) });
        out.push({ ...clock.stamp(), data: nullHeader(af, ipv6({ src: CLIENT6, dst: SERVER6, nextHeader: IpProto.TCP }, t), be) });
        clock.advanceMs(10);
      });
      return pcap(out, LinkType.NULL);
    },
  },
  {
    name: 'truncated-inside-last-record.pcap',
    what: 'rpc-nonstandard-port-blocked.pcap cut 20 bytes before its end, inside the data of the last record (copy interrupted); reader must report a truncated record and keep the frames before it.',
    build: () => {
      const full = pcap(blockedScenario({ link: ETH }), LinkType.ETHERNET);
      return full.slice(0, full.length - 20);
    },
  },
  {
    name: 'not-a-capture.pcap',
    what: 'A text file with a .pcap name; must be refused as not a capture (formats are recognised by content).',
    build: () => new TextEncoder().encode('This is not a packet capture. It is a text file named like one, for rpctrace tests.\n'),
  },
  {
    name: 'empty.pcap',
    what: 'Zero bytes; must be reported as an empty file.',
    build: () => new Uint8Array(0),
  },
  {
    name: 'snaplen-68.pcap',
    what: 'The failure captured with snaplen 68: every longer frame is cut (orig_len kept), so DCE/RPC and EPM bytes are missing; the tool must say it cannot see the advertised port.',
    build: () => pcap(blockedScenario({ link: ETH }), LinkType.ETHERNET, { snaplen: 68 }),
  },
  {
    name: 'epm-not-registered.pcap',
    what: 'EPM answers ept_map for DRSUAPI with no towers and status EPT_S_NOT_REGISTERED (0x16c9a0d6); no dynamic connection follows.',
    build: () => {
      const out: WriterFrame[] = [];
      epmPart(out, { link: ETH }, [], EPT_S_NOT_REGISTERED);
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'epm-multiple-towers.pcap',
    what: `EPM returns two towers (${SERVER4}:${BLOCKED_PORT} and 192.168.50.10:${BLOCKED_PORT}); SYNs to the first go unanswered, the second answers. Tests reading every tower.`,
    build: () => {
      const out: WriterFrame[] = [];
      const clock = epmPart(out, { link: ETH }, [
        { iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: SERVER4 },
        { iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: '192.168.50.10' },
      ]);
      clock.advanceMs(2);
      unansweredSyns(dynConversation(out, { link: ETH }, clock, BLOCKED_PORT, 100), clock);
      clock.advanceMs(3000);
      const second = new TcpConversation({ clock, out, link: ethernetLink({ clientMac: CLIENT_MAC, serverMac: GATEWAY_MAC }), client: CLIENT4, server: '192.168.50.10', clientPort: 49803, serverPort: BLOCKED_PORT, clientIsn: 0x2c41a5e0, serverIsn: 0x91d0b3f2 });
      second.connect();
      clock.advanceMs(20);
      second.close('client');
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-dynamic-port-reset.pcap',
    what: `EPM advertises ${BLOCKED_PORT}; the server answers the SYN with RST|ACK (port closed or firewall reject), and once more on the client's retry.`,
    build: () => {
      const out: WriterFrame[] = [];
      const o: ScenarioOptions = { link: ETH };
      const clock = epmPart(out, o, [{ iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: SERVER4 }]);
      clock.advanceMs(2);
      const c = dynConversation(out, o, clock, BLOCKED_PORT, 100);
      c.syn();
      clock.advanceUs(300);
      c.rst('server');
      clock.advanceMs(500);
      c.syn();
      clock.advanceUs(300);
      c.rst('server');
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-dynamic-port-icmp-prohibited.pcap',
    what:
      'Client 10.1.1.50 pings 10.2.2.10 (echo answered), asks EPM there, then each SYN to the advertised port draws ICMP type 3 code 13 (administratively prohibited) from router 10.1.1.1 quoting the SYN.',
    build: () => {
      const out: WriterFrame[] = [];
      const clock = new Clock(T0);
      const server = '10.2.2.10';
      const link = ethernetLink({ clientMac: CLIENT_MAC, serverMac: GATEWAY_MAC });
      const payload = new TextEncoder().encode('abcdefghijklmnopqrstuvwabcdefghi');
      out.push({ ...clock.stamp(), data: link(ipv4({ src: CLIENT4, dst: server, proto: IpProto.ICMP, id: 0x0e00, ttl: 128 }, icmpv4Echo({ reply: false, id: 1, seq: 7 }, payload)), 4, true) });
      clock.advanceUs(900);
      out.push({ ...clock.stamp(), data: link(ipv4({ src: server, dst: CLIENT4, proto: IpProto.ICMP, id: 0x5e00, ttl: 127 }, icmpv4Echo({ reply: true, id: 1, seq: 7 }, payload)), 4, false) });
      clock.advanceMs(5);
      const o: ScenarioOptions = { link, server, clock };
      epmPart(out, o, [{ iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: server }]);
      clock.advanceMs(2);
      const c = dynConversation(out, o, clock, BLOCKED_PORT, 100);
      const first = clock.clone();
      for (const at of [0, 3000, 9000]) {
        clock.setAfter(first, at);
        c.syn();
        clock.advanceUs(400);
        const icmp = icmpv4Unreachable(Icmp4Unreach.ADMIN_PROHIBITED, c.lastIp);
        out.push({ ...clock.stamp(), data: link(ipv4({ src: '10.1.1.1', dst: CLIENT4, proto: IpProto.ICMP, id: 0x2200 + at / 1000, ttl: 255 }, icmp), 4, false) });
      }
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-dynamic-port-icmpv6-prohibited.pcap',
    what: `IPv6: client pings ${SERVER6} (answered), asks EPM, then each SYN to port ${BLOCKED_PORT} draws ICMPv6 destination unreachable code 1 (administratively prohibited) from fd00:10:1:1::1.`,
    build: () => {
      const out: WriterFrame[] = [];
      const clock = new Clock(T0);
      const payload = new TextEncoder().encode('rpctrace icmpv6 echo data');
      out.push({ ...clock.stamp(), data: ETH(ipv6({ src: CLIENT6, dst: SERVER6, nextHeader: IpProto.ICMPV6 }, icmpv6Echo(CLIENT6, SERVER6, { reply: false, id: 1, seq: 1 }, payload)), 6, true) });
      clock.advanceUs(700);
      out.push({ ...clock.stamp(), data: ETH(ipv6({ src: SERVER6, dst: CLIENT6, nextHeader: IpProto.ICMPV6 }, icmpv6Echo(SERVER6, CLIENT6, { reply: true, id: 1, seq: 1 }, payload)), 6, false) });
      clock.advanceMs(5);
      const o: ScenarioOptions = { link: ETH, client: CLIENT6, server: SERVER6, clock };
      epmPart(out, o, [{ iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: '0.0.0.0' }]);
      clock.advanceMs(2);
      const c = dynConversation(out, o, clock, BLOCKED_PORT, 100);
      const first = clock.clone();
      const router = 'fd00:10:1:1::1';
      for (const at of [0, 3000, 9000]) {
        clock.setAfter(first, at);
        c.syn();
        clock.advanceUs(400);
        const icmp = icmpv6Unreachable(router, CLIENT6, Icmp6Unreach.ADMIN_PROHIBITED, c.lastIp);
        out.push({ ...clock.stamp(), data: ETH(ipv6({ src: router, dst: CLIENT6, nextHeader: IpProto.ICMPV6, hopLimit: 64 }, icmp), 6, false) });
      }
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'epm-fault.pcap',
    what: 'The ept_map request is answered with a DCE/RPC fault (status 5, access denied) instead of a response; no port is learned.',
    build: () => {
      const out: WriterFrame[] = [];
      const clock = new Clock(T0);
      const rnd = seededRandom(11);
      const c = new TcpConversation({ clock, out, link: ETH, client: CLIENT4, server: SERVER4, clientPort: 49801, serverPort: 135, clientIsn: isn(rnd), serverIsn: isn(rnd) });
      c.connect();
      c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] }));
      c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
      c.send('client', dcerpcRequest({ callId: 2, opnum: 3, stub: eptMapStubFor() }));
      clock.advanceUs(500);
      c.send('server', dcerpcFault({ callId: 2, status: 5 }));
      c.close('client');
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-ndr-big-endian.pcap',
    what: 'The healthy exchange with every DCE/RPC PDU in big-endian NDR (drep byte 0 = 0x00): EPM towers still LE inside, port big-endian; the call on the dynamic port is DRSUnbind.',
    build: () => pcap(healthyScenario({ link: ETH, bigEndianNdr: true }), LinkType.ETHERNET),
  },
  {
    name: 'ip-fragments-and-ipv6-extension-headers.pcap',
    what:
      'Decoder coverage: an EPM exchange whose ept_map response travels as three IPv4 fragments (MF, offsets), then an IPv6 handshake with ECN setup flags (ECE|CWR) whose SYN carries hop-by-hop, routing, destination-options and fragment headers, ' +
      'and an ICMPv6 echo split into two IPv6 fragments.',
    build: () => {
      const out: WriterFrame[] = [];
      const clock = new Clock(T0);
      const rnd = seededRandom(21);
      const c = new TcpConversation({ clock, out, link: ETH, client: CLIENT4, server: SERVER4, clientPort: 49801, serverPort: 135, clientIsn: isn(rnd), serverIsn: isn(rnd) });
      c.connect();
      c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }] }));
      c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
      c.send('client', dcerpcRequest({ callId: 2, opnum: 3, stub: eptMapStubFor() }));
      c.send('server', eptMapResponsePdu(2, [{ iface: DRSUAPI_V4, port: HEALTHY_PORT, ip: SERVER4 }]), { fragmentData: 64 });
      c.close('client');
      clock.advanceMs(10);

      // IPv6 SYN with an extension header chain; SYN-ACK and ACK plain.
      const synT = tcp(CLIENT6, SERVER6, { srcPort: 49810, dstPort: HEALTHY_PORT, seq: 0x10203040, flags: TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR, options: windowsSynOptions(1440) });
      const chain = ipv6(
        {
          src: CLIENT6,
          dst: SERVER6,
          nextHeader: IpProto.TCP,
          ext: [
            { type: 'hop-by-hop', options: Uint8Array.of(5, 2, 0, 0) }, // router alert (RFC 2711)
            { type: 'routing', routingType: 0, segmentsLeft: 0, addresses: [SERVER6] },
            { type: 'destination' },
            { type: 'fragment', offset: 0, more: false, id: 0x0badc0de }, // atomic fragment (RFC 6946)
          ],
        },
        synT,
      );
      out.push({ ...clock.stamp(), data: ETH(chain, 6, true) });
      clock.advanceUs(300);
      const sa = tcp(SERVER6, CLIENT6, { srcPort: HEALTHY_PORT, dstPort: 49810, seq: 0x7f000001, ack: 0x10203041, flags: TcpFlag.SYN | TcpFlag.ACK | TcpFlag.ECE, options: windowsSynOptions(1440) });
      out.push({ ...clock.stamp(), data: ETH(ipv6({ src: SERVER6, dst: CLIENT6, nextHeader: IpProto.TCP }, sa), 6, false) });
      clock.advanceUs(150);
      const a = tcp(CLIENT6, SERVER6, { srcPort: 49810, dstPort: HEALTHY_PORT, seq: 0x10203041, ack: 0x7f000002, flags: TcpFlag.ACK, window: 1026 });
      out.push({ ...clock.stamp(), data: ETH(ipv6({ src: CLIENT6, dst: SERVER6, nextHeader: IpProto.TCP }, a), 6, true) });
      clock.advanceMs(5);

      // ICMPv6 echo of 1400 bytes split at 1232 bytes of fragmentable part (RFC 8200 §4.5).
      const data = new Uint8Array(1400).map((_, i) => i & 0xff);
      const echo = icmpv6Echo(CLIENT6, SERVER6, { reply: false, id: 2, seq: 1 }, data);
      const cut = 1232;
      out.push({ ...clock.stamp(), data: ETH(ipv6({ src: CLIENT6, dst: SERVER6, nextHeader: IpProto.ICMPV6, ext: [{ type: 'fragment', offset: 0, more: true, id: 0x51 }] }, echo.subarray(0, cut)), 6, true) });
      clock.advanceUs(20);
      out.push({ ...clock.stamp(), data: ETH(ipv6({ src: CLIENT6, dst: SERVER6, nextHeader: IpProto.ICMPV6, ext: [{ type: 'fragment', offset: cut, more: false, id: 0x51 }] }, echo.subarray(cut)), 6, true) });
      return pcap(out, LinkType.ETHERNET);
    },
  },
  {
    name: 'rpc-dynamic-port-blocked.pcap',
    what: `DNS lookup, then EPM advertises DRSUAPI at ${HEALTHY_PORT} (inside 49152-65535); 3 SYNs to it (0, +3 s, +9 s, same ISN) get no answer; an ARP at +25 s shows the capture went on after Windows gave up. Expect RPC_DYNAMIC_PORT_BLOCKED.`,
    build: () => pcap(cases.dynamicPortBlocked(), LinkType.ETHERNET),
  },
  {
    name: 'epm-unreachable.pcap',
    what: 'SYNs to the endpoint mapper (TCP 135) at 0, +3 s, +9 s go unanswered; an ARP at +22 s. Expect EPM_UNREACHABLE.',
    build: () => pcap(cases.epmUnreachable(), LinkType.ETHERNET),
  },
  {
    name: 'epm-refused-reset.pcap',
    what: 'TCP 135 answers each of 3 SYNs (0.5 s apart, same ISN) with RST|ACK: nothing listens, or a firewall rejects. Expect EPM_REFUSED.',
    build: () => pcap(cases.epmRefusedReset(), LinkType.ETHERNET),
  },
  {
    name: 'epm-refused-icmp.pcap',
    what: 'SYNs to 10.2.2.10:135 (0, +3 s, +9 s) each draw ICMP type 3 code 13 (administratively prohibited) from router 10.1.1.1 quoting the SYN. Expect EPM_REFUSED.',
    build: () => pcap(cases.epmRefusedIcmp(), LinkType.ETHERNET),
  },
  {
    name: 'epm-encrypted-inferred.pcap',
    what: `EPM client authentication (EnableAuthEpResolution) at packet privacy: NTLMSSP in bind, bind_ack and auth3, then a sealed ept_map request and answer (no tower readable), then SYNs to ${HEALTHY_PORT} (0, +3 s, +9 s) unanswered. Expect INFERRED_RPC_PORT_BLOCKED.`,
    build: () => pcap(cases.epmEncryptedInferred(), LinkType.ETHERNET),
  },
  {
    name: 'snaplen-96.pcap',
    what: 'The classic failure captured with snaplen 96: the 16-byte DCE/RPC headers survive but every PDU body (the EPM tower) is cut. Expect SNAPLEN_TOO_SMALL and INFERRED_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: ETH }), LinkType.ETHERNET, { snaplen: 96 }),
  },
  {
    name: 'exchange-cas-range-6005.pcap',
    what: 'Outlook-style client asks EPM on an Exchange 2010 CAS (10.1.1.20) for EMSMDB; the tower says 6005 (the CAS range starts there); the client connects, binds and calls. Expect NONSTANDARD_RPC_RANGE (works here, outside 49152-65535).',
    build: () => pcap(cases.exchangeCasRange(), LinkType.ETHERNET),
  },
  {
    name: 'handshake-not-completed.pcap',
    what: `Captured on the server side of an asymmetric path: EPM advertises ${HEALTHY_PORT}; the SYN gets a SYN-ACK, the server retransmits it (+1 s, +5 s), the client retransmits its SYN (+3 s, +9 s) and never ACKs. Expect HANDSHAKE_NOT_COMPLETED.`,
    build: () => pcap(cases.handshakeNotCompleted(), LinkType.ETHERNET),
  },
  {
    name: 'epm-handshake-not-completed.pcap',
    what: 'The asymmetric path on TCP 135 itself: SYN, SYN-ACKs (retransmitted), SYN retransmissions, no ACK. Expect HANDSHAKE_NOT_COMPLETED.',
    build: () => pcap(cases.handshakeNotCompleted(135), LinkType.ETHERNET),
  },
  {
    name: 'scom-agent-5723-unanswered.pcap',
    what: 'An SCOM agent: DC locator (DNS SRV over UDP, truncated, again over TCP 53), Kerberos over TCP 88 (preauth required, then AS-REP), LDAP rootDSE on 389 all answered; then SYNs to the management server 10.1.1.30:5723 (0, +3 s, +9 s) go unanswered. The 5723 SYNs switch the agent checks on. Expect REQUIRED_PORT_BLOCKED (tcp/5723).',
    build: () => pcap(cases.scomAgentUnanswered(), LinkType.ETHERNET),
  },
  {
    name: 'agent-healthy.pcap',
    what: 'A healthy Operations Manager agent (ws50 10.1.1.50): DC locator SRV query and LDAP ping to dc01 (10.1.1.10) answered, scom01.corp.example resolved to 10.1.1.30, Kerberos over UDP (AS-REQ, KDC_ERR_PREAUTH_REQUIRED, AS-REQ, AS-REP, TGS for MSOMHSvc/scom01.corp.example), LDAP on TCP 389, TCP 5723 established and five heartbeats a minute apart. Expect no finding.',
    build: () => pcap(agent.agentHealthy(), LinkType.ETHERNET),
  },
  {
    name: 'agent-5723-dropped.pcap',
    what: 'The agent finds its DC and authenticates, but two connects to scom01 10.1.1.30:5723, 30 s apart, get three SYNs each and no answer. Expect REQUIRED_PORT_BLOCKED (tcp/5723).',
    build: () => pcap(agent.agent5723Dropped(), LinkType.ETHERNET),
  },
  {
    name: 'agent-ldap-kerberos-tcp-blocked.pcap',
    what: 'TCP 389 and 88 to the DC are filtered while UDP passes: the LDAP ping is answered and the TCP 389 SYNs 2 ms later are not; the KDC answers the AS-REQ over UDP with KRB_ERR_RESPONSE_TOO_BIG and the TCP 88 SYNs that follow are not answered. Expect REQUIRED_PORT_BLOCKED twice (tcp/389, tcp/88).',
    build: () => pcap(agent.agentLdapKerberosTcpBlocked(), LinkType.ETHERNET),
  },
  {
    name: 'agent-dns-failure.pcap',
    what: 'The DC (the agent\'s first DNS server) never answers the DC locator\'s SRV query, sent three times; an NXDOMAIN with the same id comes from 10.1.1.2 instead (it answers nothing); asked directly, 10.1.1.2 answers NXDOMAIN (and NXDOMAIN for wpad, which is noise). Expect UDP_NO_RESPONSE and DNS_FAILURE.',
    build: () => pcap(agent.agentDnsFailure(), LinkType.ETHERNET),
  },
  {
    name: 'agent-kerberos-skew.pcap',
    what: 'KRB_ERR_RESPONSE_TOO_BIG over UDP and the normal switch to TCP 88 (connection answered), where the KDC answers the AS-REQ with KRB_AP_ERR_SKEW: its clock reads 7 min 31 s ahead of the capture. Expect KERBEROS_ERROR.',
    build: () => pcap(agent.agentKerberosSkew(), LinkType.ETHERNET),
  },
  {
    name: 'agent-heartbeat-gap-ping-replies.pcap',
    what: 'Captured on the management server from the middle of the agent\'s 5723 connection: heartbeats at +2 s to +242 s, then silence to the end (+560 s); at +490 s the server pings the agent four times and gets four replies. Expect HEARTBEAT_GAP and AGENT_REACHABLE_NO_HEARTBEAT.',
    build: () => pcap(agent.agentHeartbeatGap(true, 66), LinkType.ETHERNET),
  },
  {
    name: 'agent-heartbeat-gap-unreachable.pcap',
    what: 'The same silence, and the four pings get no reply. Expect HEARTBEAT_GAP and AGENT_UNREACHABLE.',
    build: () => pcap(agent.agentHeartbeatGap(false, 67), LinkType.ETHERNET),
  },
  {
    name: 'agent-heartbeat-120s.pcap',
    what: 'An agent configured for a 120 s heartbeat: nine transmissions 120 s apart but one 300 s gap (two missed by its own interval; a gap under the default 60 s x 4). Its rhythm is recognised. Expect no finding.',
    build: () => pcap(agent.agentHeartbeat120(), LinkType.ETHERNET),
  },
  {
    name: 'agent-gateway-tls-alert.pcap',
    what: 'A gateway (10.1.2.20) serves an agent (10.1.2.50) on 5723; its own connections to the management server end in the TLS handshake with a fatal unknown_ca alert from the gateway, twice. Expect AGENT_CHANNEL_TLS_ALERT.',
    build: () => pcap(agent.agentGatewayTlsAlert(), LinkType.ETHERNET),
  },
  {
    name: 'agent-not-approved.pcap',
    what: 'The management server closes the agent\'s 5723 connection 0.3 s after each authentication exchange, three times a minute apart (the agent logs event 20070: not approved). Expect AGENT_CHANNEL_CLOSED.',
    build: () => pcap(agent.agentNotApproved(), LinkType.ETHERNET),
  },
  {
    name: 'agent-spn-unknown.pcap',
    what: 'The KDC answers the TGS-REQs for MSOMHSvc/scom01.corp.example and MSOMHSvc/SCOM01 with KDC_ERR_S_PRINCIPAL_UNKNOWN: the Health Service SPN is not registered. Expect AGENT_SPN_ERROR.',
    build: () => pcap(agent.agentSpnUnknown(), LinkType.ETHERNET),
  },
  {
    name: 'agent-disjoint-namespace.pcap',
    what: 'A working agent whose management server is scom01.ops.example.net in DNS while the Kerberos realm is CORP.EXAMPLE (a disjoint namespace; the SPN is registered, so Kerberos works). Expect DISJOINT_NAMESPACE.',
    build: () => pcap(agent.agentDisjointNamespace(), LinkType.ETHERNET),
  },
  {
    name: 'advertised-port-not-attempted.pcap',
    what: `EPM advertises ${HEALTHY_PORT}; no SYN to it follows in the next 30 s (an ARP at the end). Expect ADVERTISED_PORT_NOT_ATTEMPTED.`,
    build: () => pcap(cases.advertisedNotAttempted(), LinkType.ETHERNET),
  },
  {
    name: 'one-sided-capture.pcap',
    what: `Only the client's direction was captured (one-way span): SYN, ACK, bind, ept_map request and FIN to 135 without any answer, then SYNs to ${HEALTHY_PORT} at 0, +3 s, +9 s. Nothing may be called blocked. Expect ONE_SIDED_CAPTURE only.`,
    build: () => pcap(cases.oneSided(), LinkType.ETHERNET),
  },
  {
    name: 'pktmon-snaplen-128.pcapng',
    what: `The healthy exchange as pktmon writes it by default: pcapng, interface snaplen 128, so the ept_map answer is cut after 74 bytes of TCP payload. Expect SNAPLEN_TOO_SMALL only.`,
    build: () => writePcapng([{ userAppl: 'pktmon', interfaces: [{ linkType: LinkType.ETHERNET, snaplen: 128 }], items: healthyScenario({ link: ETH }) }]),
  },
  {
    name: 'pktmon-duplicates.pcapng',
    what: 'The classic failure as pktmon records it on a Hyper-V host: every packet twice, 3-7 µs apart, byte for byte (same IPv4 identification). The 3 SYNs must still count as 1 attempt with 2 retransmissions. Expect NONSTANDARD_RPC_PORT_BLOCKED, with DUPLICATE_PACKETS (info).',
    build: () => writePcapng([{ userAppl: 'pktmon', interfaces: [{ linkType: LinkType.ETHERNET }], items: cases.pktmonCopies(blockedScenario({ link: ETH })) }]),
  },
  {
    name: 'firewall-two-interfaces.pcapng',
    what: `The classic failure as a firewall records it on both its interfaces (pcapng, interface 0 inside, 1 outside): each packet of the endpoint mapper session twice, 40 µs apart, the second time with the TTL one lower and the firewall's MAC; every IPv4 identification is 0. The SYNs to ${BLOCKED_PORT} appear on the inside only: the firewall drops them. Expect NONSTANDARD_RPC_PORT_BLOCKED (3 SYNs, 1 attempt), the session to 135 established once, and DUPLICATE_PACKETS naming forwarding copies.`,
    build: () => writePcapng([{ userAppl: 'fw-capture', interfaces: [{ linkType: LinkType.ETHERNET, name: 'inside' }, { linkType: LinkType.ETHERNET, name: 'outside' }], items: cases.firewallTwoInterfaces(blockedScenario({ link: ETH }), CLIENT4, BLOCKED_PORT) }]),
  },
  {
    name: 'control-packets-only.pcap',
    what: `A trace filtered to SYN/FIN/RST (tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0): EPM on 135, ${HEALTHY_PORT}, 445 and 389 connect and close; no ACK-only or payload segment is left. Expect no warning, CONTROL_PACKETS_ONLY (info).`,
    build: () => pcap(cases.controlPacketsOnly(), LinkType.ETHERNET),
  },
  {
    name: 'tower-address-mismatch.pcap',
    what: `EPM on ${SERVER4} answers with a tower for 192.168.50.10:${HEALTHY_PORT} (its other interface); the client connects to ${SERVER4}:${HEALTHY_PORT} and the call works. Expect TOWER_ADDRESS_MISMATCH.`,
    build: () => pcap(cases.towerAddressMismatch(), LinkType.ETHERNET),
  },
  {
    name: 'bind-ack-port-mismatch-nat.pcap',
    what: `No EPM: the client uses the fixed endpoint ${SERVER4}:50000, port-forwarded by NAT to the DC's pinned port 15000; the DRSUAPI bind_ack's secondary address says "15000". Expect TOWER_ADDRESS_MISMATCH.`,
    build: () => pcap(cases.bindAckPortMismatch(), LinkType.ETHERNET),
  },
  {
    name: 'rpc-bind-rejected-unknown-interface.pcap',
    what: `EPM on ${SERVER4} still advertises DRSUAPI on 49670 (a stale registration); the client connects, and the process now on 49670 rejects the DRSUAPI bind (bind_ack, provider rejection, abstract_syntax_not_supported). Expect RPC_BIND_REJECTED (error), and no RPC_PORT_OK: the port is open, but no call can be made on it.`,
    build: () => pcap(cases.bindRejectedUnknownInterface(), LinkType.ETHERNET),
  },
  {
    name: 'rpc-bind-reset-by-firewall.pcap',
    what: `EPM on ${SERVER4} advertises DRSUAPI on ${HEALTHY_PORT}; the client connects, and a firewall that inspects RPC answers the DRSUAPI bind with a RST (the server's address, 2 ms later) instead of passing it on. Expect RPC_BIND_REJECTED (error, kind reset), and no RPC_PORT_OK.`,
    build: () => pcap(cases.bindResetByFirewall(), LinkType.ETHERNET),
  },
  {
    name: 'dcom-activation-blocked.pcap',
    what: 'DCOM: ISystemActivator RemoteCreateInstance on 135 (NTLMSSP, packet integrity); the ScmReplyInfo carries string bindings SERVER[49725] and 10.1.1.10[49725] (UTF-16, tower id 7, MS-DCOM 2.2.19.3); SYNs to 49725 (0, +3 s, +9 s) go unanswered. Expect RPC_DYNAMIC_PORT_BLOCKED (source dcom).',
    build: () => pcap(cases.dcomActivationBlocked(49725, false, 53), LinkType.ETHERNET),
  },
  {
    name: 'dcom-wmi-24158-blocked.pcap',
    what: 'DCOM activation of WMI (WbemLevel1Login) where winmgmt runs standalone with its fixed port: bindings SERVER[24158] and 10.1.1.10[24158]; SYNs to 24158 go unanswered. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(cases.dcomActivationBlocked(24158, true, 54), LinkType.ETHERNET),
  },
  {
    name: 'epm-response-split-segments.pcap',
    what: 'Tricky: the classic failure with the ept_map response in two TCP segments, cut inside the tower (the first without PSH). Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(cases.epmResponseSplit(), LinkType.ETHERNET),
  },
  {
    name: 'epm-response-ip-fragments.pcap',
    what: 'Tricky: the classic failure with the ept_map response segment split into three IPv4 fragments (MF set, 64-byte pieces), as on a path with a small MTU. tshark reassembles it and reads port 15595. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(cases.epmResponseIpFragments(), LinkType.ETHERNET),
  },
  {
    name: 'dcerpc-coalesced-pdus.pcap',
    what: 'Tricky: the classic failure with bind + ept_map request in one client segment and bind_ack + response in one server segment. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(cases.coalescedPdus(), LinkType.ETHERNET),
  },
  {
    name: 'epm-response-out-of-order.pcap',
    what: 'Tricky: the classic failure with the ept_map response in two segments that reach the capture point second-first. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(cases.epmResponseOutOfOrder(), LinkType.ETHERNET),
  },
  {
    name: 'epm-response-retransmitted.pcap',
    what: 'Tricky: the classic failure with the ept_map response segment sent twice (same sequence number, new IPv4 identification). Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(cases.epmResponseRetransmitted(), LinkType.ETHERNET),
  },
  {
    name: 'epm-ndr64.pcap',
    what: `Tricky: the EPM bind offers NDR, NDR64 and bind-time features; the bind_ack rejects NDR, accepts NDR64 (71710533-beba-4937-8319-b5dbef9ccc36), acknowledges the features; ept_map request and answer are NDR64 (8-byte counts and referents). The tower says ${HEALTHY_PORT}, whose SYNs go unanswered. Expect RPC_DYNAMIC_PORT_BLOCKED.`,
    build: () => pcap(cases.epmNdr64(), LinkType.ETHERNET),
  },
  {
    name: 'rpc-client-port-reused.pcap',
    what: `Tricky: SYNs from port 49802 to ${HEALTHY_PORT} (0, +3 s, +9 s) go unanswered; 21 s later the client connects from 49802 again with a new ISN and that works. Two attempts on one 4-tuple. Expect no warning, RPC_PORT_OK (info).`,
    build: () => pcap(cases.clientPortReused(), LinkType.ETHERNET),
  },
  {
    name: 'rpc-synack-retransmitted.pcap',
    what: `Tricky: the SYN-ACK from ${HEALTHY_PORT} is lost after the capture point and sent again 1 s later; the client then completes the handshake and binds. Expect no warning, RPC_PORT_OK (info).`,
    build: () => pcap(cases.synAckRetransmitted(), LinkType.ETHERNET),
  },
  {
    name: 'ept-lookup-multi-fragment.pcap',
    what: `Tricky: ept_lookup (as rpcdump/portqry enumerate a DC) with max_recv_frag 2048: the 2.7 KB answer comes as a FIRST_FRAG and a LAST_FRAG response, the first spanning two TCP segments; 10 lsass interfaces on TCP ${HEALTHY_PORT} plus their ncacn_np towers (pipe lsass). SYNs to ${HEALTHY_PORT} go unanswered. Expect RPC_DYNAMIC_PORT_BLOCKED.`,
    build: () => pcap(cases.eptLookupMultiFragment(), LinkType.ETHERNET),
  },
  {
    name: 'epm-lookup-enumeration.pcap',
    what: `rpcdump / portqry -e 135: ept_lookup of every entry in three calls; the first two answers list 7 lsass interfaces on TCP ${HEALTHY_PORT} and return an entry handle, the third (continuing with it) gets EPT_S_NOT_REGISTERED, which ends the listing. Nothing connects to the port; the capture goes on 30 s. Expect no finding above info (no ENDPOINT_NOT_REGISTERED, no ADVERTISED_PORT_NOT_ATTEMPTED).`,
    build: () => pcap(cases.eptLookupEnumeration(), LinkType.ETHERNET),
  },
  {
    name: 'dcom-activation-after-bind.pcap',
    what: `A capture that starts after the bind: the first frames are a DCOM RemoteGetClassObject request on TCP 135 (opnum 3, the opnum of ept_map) and its answer with string bindings SERVER[${BLOCKED_PORT}] and ${SERVER4}[${BLOCKED_PORT}]; no handshake, no bind. Then SYNs to ${BLOCKED_PORT} go unanswered. Expect the DCOM endpoint, not an ept_map answer, and NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(cases.dcomActivationAfterBind(BLOCKED_PORT), LinkType.ETHERNET),
  },
  {
    name: 'connection-refused.pcap',
    what: `Connections refused on ports no endpoint mapper answer explains: SMB (TCP 445) on ${SERVER4} answers two SYNs with RST, and WinRM (TCP 5985) on 10.2.2.10 draws an ICMP administratively-prohibited message from the router 10.1.1.1; LDAP (389) to ${SERVER4} works. Expect CONNECTION_REFUSED for 445 (RST) and for 5985 (ICMP from the router).`,
    build: () => pcap(cases.connectionRefused(), LinkType.ETHERNET),
  },
  {
    name: 'rpc-connection-open-before-capture.pcap',
    what: `A capture that starts mid-stream: the client already has a connection from port 49790 to ${HEALTHY_PORT} (DRSUAPI calls, no SYN in the capture); it asks the endpoint mapper again, is given ${HEALTHY_PORT}, and goes on calling over the open connection without a new SYN. Expect RPC_PORT_OK citing the open connection, not ADVERTISED_PORT_NOT_ATTEMPTED.`,
    build: () => pcap(cases.connectionOpenBeforeCapture(), LinkType.ETHERNET),
  },
  {
    name: 'time-jumps-back.pcap',
    what: `Two traces joined in file order (as mergecap -a or cat would): the classic failure, then a working exchange captured a year earlier, so frame 14 goes back 365 days. Expect TIMESTAMPS_OUT_OF_ORDER, NONSTANDARD_RPC_PORT_BLOCKED for the first trace, RPC_PORT_OK for the second, and no negative or year-long time.`,
    build: () => pcap([...blockedScenario({ link: ETH }), ...healthyScenario({ link: ETH, clock: new Clock(T0 - 365 * 86400) })], LinkType.ETHERNET),
  },
  {
    name: 'busy-healthy.pcap',
    what: `A healthy minute, about 300 frames: DNS (UDP and TCP), Kerberos, LDAP, SMB2 negotiate, HTTP, and six EPM lookups (every 10 s), each followed by a working call (DRSUAPI ${HEALTHY_PORT}, NETLOGON 49668, LSARPC 49664). Expect no finding above info.`,
    build: () => pcap(cases.busyHealthy(), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-erspan-ii.pcap',
    what: `The classic failure as a remote-SPAN session delivers it: every frame mirrored from VLAN 10 (802.1Q tag kept, En 3) inside ERSPAN type II (session 100) in GRE with sequence numbers, from the switch ${TUNNEL_A} to the collector ${TUNNEL_B}. Expect NONSTANDARD_RPC_PORT_BLOCKED for the inner conversation.`,
    build: () => pcap(blockedScenario({ link: erspanLink({ type: 'II', session: 100, tags: [{ vid: 10 }] }) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-erspan-iii.pcap',
    what: `The classic failure inside ERSPAN type III (GRE 0x22eb): 12-byte header with timestamps and direction, O bit and the 8-byte platform specific subheader (platform 7), ${TUNNEL_A} to ${TUNNEL_B}. Expect NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(blockedScenario({ link: erspanLink({ type: 'III', session: 200 }) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-erspan-i.pcap',
    what: 'The classic failure inside ERSPAN type I: GRE protocol 0x88be without a sequence number, the mirrored frame right after the 4-byte GRE header. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: erspanLink({ type: 'I', session: 0 }) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-gre.pcap',
    what: `The classic failure across a GRE tunnel between routers ${TUNNEL_A} and ${TUNNEL_B} (RFC 2784 with checksum, RFC 2890 key 42), IPv4 carried directly. Expect NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(blockedScenario({ link: greLink(42) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-vxlan.pcap',
    what: `The classic failure inside VXLAN (UDP 4789, VNI 5000) between VTEPs ${TUNNEL_A} and ${TUNNEL_B}, the Ethernet frames of client and server inside. Expect NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(blockedScenario({ link: vxlanLink(5000) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-geneve.pcap',
    what: 'The classic failure inside Geneve (UDP 6081, VNI 4242) with one 8-byte option (class 0x0108), Ethernet frames inside, as a cloud traffic-mirroring appliance receives it. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: geneveLink(4242) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-ipip-4in4.pcap',
    what: `The classic failure in IPv4-in-IPv4 (protocol 4, RFC 2003) between ${TUNNEL_A} and ${TUNNEL_B}. Expect NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(blockedScenario({ link: ipInIpv4Link() }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-ipip-6in4.pcap',
    what: `The IPv6 failure (${CLIENT6} to ${SERVER6}) in IPv6-in-IPv4 (protocol 41, RFC 4213) between ${TUNNEL_A} and ${TUNNEL_B}. Expect NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(blockedScenario({ link: ipInIpv4Link(), client: CLIENT6, server: SERVER6 }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-gtpu.pcap',
    what: 'The classic failure as a 5G N3 capture shows it: GTP-U G-PDUs (UDP 2152, one TEID per direction) with a PDU Session Container extension header (QFI 9). Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: gtpuLink() }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-mpls.pcap',
    what: 'The classic failure on a provider core link: MPLS (EtherType 0x8847) with a transport label and a VPN label above each IPv4 packet. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: mplsLink() }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-pppoe.pcap',
    what: 'The classic failure over a PPPoE session (EtherType 0x8864, session 0x002a, PPP 0x0021); frames from the server side padded to 60 bytes. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: pppoeLink(0x2a) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-pbb.pcap',
    what: 'The classic failure across a provider backbone (802.1ah): B-TAG (802.1ad VLAN 100), I-TAG (I-SID 123456), then the customer frame with its 802.1Q tag (VLAN 10). Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: pbbLink(123456) }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-fabricpath.pcap',
    what: 'The classic failure on a Cisco FabricPath core link: outer switch addresses, the FP tag (EtherType 0x8903, FTag 1, TTL 32), then the classic Ethernet frame. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: fabricPathLink() }), LinkType.ETHERNET),
  },
  {
    name: 'tunnel-l2tp-not-decoded.pcap',
    what: `The classic failure inside L2TPv2 (UDP 1701, PPP), an encapsulation rpctrace recognises but does not decode: it must say so (warning undecoded-encapsulation with the frame count, anomaly undecoded_encapsulation), not report "no problems" in silence. tshark decodes L2TP and sees the SYNs.`,
    build: () => pcap(blockedScenario({ link: l2tpLink() }), LinkType.ETHERNET),
  },
  {
    name: 'syn-tcp-header-in-ip-fragments.pcap',
    what: 'The classic failure with each SYN to the blocked port sent as two IPv4 fragments of 16 bytes: the first holds the ports and sequence numbers but not the flags, the second the rest of the 32-byte header. The SYNs count on the frames that complete them (as in tshark). Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedFragmentedSyns({ link: ETH }, 16), LinkType.ETHERNET),
  },
  {
    name: 'syn-tcp-header-in-ipv6-fragments.pcap',
    what: `The IPv6 failure (${CLIENT6} to ${SERVER6}) with each SYN to the blocked port in four IPv6 fragments (RFC 8200 §4.5) of 8 bytes: the first holds nothing but the ports and the sequence number. Expect NONSTANDARD_RPC_PORT_BLOCKED.`,
    build: () => pcap(blockedFragmentedSyns({ link: ETH, client: CLIENT6, server: SERVER6 }, 8), LinkType.ETHERNET),
  },
  {
    name: 'snaplen-68-vlan.pcap',
    what: 'The classic failure captured on an 802.1Q trunk (VLAN 10) with snaplen 68: each SYN loses 2 of its 12 option bytes, but its ports, sequence number and flags were captured. The blocked port must still be found (inferred: the EPM answer is cut too). Expect SNAPLEN_TOO_SMALL and INFERRED_RPC_PORT_BLOCKED.',
    build: () => pcap(blockedScenario({ link: ethernetLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC, tags: [{ vid: 10 }] }) }), LinkType.ETHERNET, { snaplen: 68 }),
  },
  {
    name: 'tcp-data-offset-malformed.pcap',
    what: 'The classic failure plus one segment to 10.1.1.10:445 whose data offset (15 words, 60 bytes) is longer than the whole 28-byte segment: a malformed header (anomaly malformed_tcp), not a snaplen cut. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => pcap(withMalformedDataOffset(blockedScenario({ link: ETH })), LinkType.ETHERNET),
  },
  {
    name: 'vlan-many-tags.pcap',
    what: 'The classic failure on a trunk that stacks twelve VLAN tags (802.1ad S-tags outside, an 802.1Q C-tag inside), more than any switch needs: the tags are followed as far as the frame goes. Expect NONSTANDARD_RPC_PORT_BLOCKED.',
    build: () => {
      const tags: VlanTag[] = [...Array.from({ length: 11 }, (_, i) => ({ tpid: EtherType.QINQ, vid: 100 + i })), { vid: 10 }];
      return pcap(blockedScenario({ link: ethernetLink({ clientMac: CLIENT_MAC, serverMac: SERVER_MAC, tags }) }), LinkType.ETHERNET);
    },
  },
];

/**
 * Adds, 1 ms before the first SYN to the blocked port, a PSH|ACK segment from the client to port
 * 445 whose data offset says 60 header bytes in a 28-byte segment.
 */
function withMalformedDataOffset(frames: WriterFrame[]): WriterFrame[] {
  const at = frames.length - 3;
  const t = tcp(CLIENT4, SERVER4, { srcPort: 49900, dstPort: 445, seq: 0x3e8, ack: 0x7d0, flags: TcpFlag.PSH | TcpFlag.ACK }, new TextEncoder().encode('rpctrace'));
  t[12] = 0xf0;
  const before = frames[at]!;
  const stamp = new Clock(before.tsSec, before.tsNsec).advanceMs(-1).stamp();
  const frame: WriterFrame = { ...stamp, data: ETH(ipv4({ src: CLIENT4, dst: SERVER4, proto: IpProto.TCP, id: 0x7000, df: true }, t), 4, true) };
  return [...frames.slice(0, at), frame, ...frames.slice(at)];
}

function eptMapStubFor(): Uint8Array {
  return eptMapRequestStub({ iface: DRSUAPI_V4 });
}

function eptMapResponsePdu(callId: number, towers: TcpIpTower[]): Uint8Array {
  return dcerpcResponse({ callId, stub: eptMapResponseStub({ towers, maxTowers: 4 }) });
}

/** samples/README.md, written from the table so every file has its line. */
export function readme(): string {
  const lines = [
    '# Sample captures',
    '',
    'Every file here is generated by `samples/gen/generate.ts` (`npm run samples`), deterministically:',
    'fixed timestamps from 2024-03-12T09:15:00Z, fixed addresses (client 10.1.1.50 / fd00:10:1:1::50,',
    'server 10.1.1.10 / fd00:10:1:1::10), ISNs from a seeded PRNG. Nothing was captured from a real network.',
    '`test/unit/gen/generate.test.ts` fails when these files differ from what the generator writes.',
    'Edit the descriptions in `samples/gen/generate.ts`; this file is rewritten from them.',
    '',
    '| File | What it holds and what it is for |',
    '|---|---|',
    // A '|' inside a cell would end it (GitHub-flavoured Markdown tables).
    ...SAMPLES.map((s) => `| \`${s.name}\` | ${s.what.replaceAll('|', '\\|')} |`),
    '',
  ];
  return lines.join('\n');
}

/** Every generated file (name to bytes), README included. */
export function generateSamples(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const s of SAMPLES) {
    if (files.has(s.name)) throw new Error(`duplicate sample name ${s.name}`);
    files.set(s.name, s.build());
  }
  files.set('README.md', new TextEncoder().encode(readme()));
  return files;
}

function main(argv: readonly string[]): void {
  const dir = argv[0];
  if (dir === undefined) {
    process.stderr.write('usage: tsx samples/gen/generate.ts <output folder>\n');
    process.exitCode = 2;
    return;
  }
  mkdirSync(dir, { recursive: true });
  let total = 0;
  for (const [name, bytes] of generateSamples()) {
    writeFileSync(join(dir, name), bytes);
    total += bytes.length;
  }
  process.stdout.write(`wrote ${SAMPLES.length} samples and README.md to ${resolve(dir)} (${total} bytes)\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
