/**
 * The dissector inside tunnels and encapsulations: the innermost IP packet is what PacketInfo
 * describes (so the analyses see the inner conversation), the carrier is kept in `encaps` and
 * the outer address fields, and an encapsulation that is recognised but not decoded is counted
 * with a warning, never passed over in silence. Tunnel headers are written out as bytes;
 * Ethernet, IP and UDP come from the generator's builders, which get their length fields right.
 */
import { describe, expect, it } from 'vitest';
import { Dissector } from '../../../src/dissect/dissector.js';
import { L4, MAX_ENCAP_DEPTH, type PacketInfo } from '../../../src/dissect/packet-info.js';
import { CaptureCounters } from '../../../src/analysis/capture-stats.js';
import { Encap } from '../../../src/wire/constants.js';
import { ANOMALIES, type AnomalyName } from '../../../src/model/anomalies.js';
import { EtherType, IpProto, TcpFlag, ethernet, ipv4, ipv4Fragments, ipv6, tcp, udp, icmpv4Unreachable } from '../../../samples/gen/frames.js';
import { concat, hex, record } from '../../helpers/frame.js';

const ETH = 1;
const MAC = { dst: '00:00:5e:00:53:01', src: '02:00:00:00:00:01' };
const OUT_SRC = '192.0.2.1';
const OUT_DST = '192.0.2.2';

/** The inner packet every test looks for: 10.0.0.1:49152 > 10.0.0.2:15595 SYN, seq 0x01020304. */
const SYN4 = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IpProto.TCP, id: 1 }, tcp('10.0.0.1', '10.0.0.2', { srcPort: 49152, dstPort: 15595, seq: 0x01020304, flags: TcpFlag.SYN }));
const SYN6 = ipv6({ src: '2001:db8::1', dst: '2001:db8::2', nextHeader: IpProto.TCP }, tcp('2001:db8::1', '2001:db8::2', { srcPort: 49152, dstPort: 15595, seq: 0x01020304, flags: TcpFlag.SYN }));
/** The same SYN as an Ethernet frame (what a mirror or an L2 tunnel carries). */
const ETH_SYN4 = ethernet({ dst: '00:15:5d:01:01:0a', src: '00:15:5d:01:01:32', etherType: EtherType.IPV4 }, SYN4);

/** Ethernet + outer IPv4 of `proto` carrying `payload`. */
const overIp4 = (proto: number, payload: Uint8Array): Uint8Array => ethernet({ ...MAC, etherType: EtherType.IPV4 }, ipv4({ src: OUT_SRC, dst: OUT_DST, proto, id: 7 }, payload));
/** Ethernet + outer IPv4 + UDP to `port`. */
const overUdp = (port: number, payload: Uint8Array, srcPort = 51000): Uint8Array => overIp4(IpProto.UDP, udp(OUT_SRC, OUT_DST, { srcPort, dstPort: port }, payload));

function run(...frames: Uint8Array[]): { p: PacketInfo; d: Dissector } {
  const d = new Dissector();
  let p!: PacketInfo;
  frames.forEach((f, i) => { p = d.dissect(record(f, ETH, i + 1)); });
  return { p, d };
}

function anomalies(d: Dissector): Partial<Record<AnomalyName, number>> {
  return Object.fromEntries(d.anomalies.summary().map((a) => [a.name, a.count]));
}

/** The inner SYN was read, inside exactly these encapsulations. */
function expectInnerSyn(p: PacketInfo, encaps: number[], outer: [string, string] | null = [OUT_SRC, OUT_DST]): void {
  expect(p.ipVersion).toBe(4);
  expect([p.srcText(), p.dstText()]).toEqual(['10.0.0.1', '10.0.0.2']);
  expect(p.l4).toBe(L4.TCP);
  expect([p.srcPort, p.dstPort, p.seq, p.tcpFlags]).toEqual([49152, 15595, 0x01020304, TcpFlag.SYN]);
  expect(p.payloadLen).toBe(0);
  expect([...p.encaps.subarray(0, p.encapDepth)]).toEqual(encaps);
  if (outer === null) expect(p.outerIpVersion).toBe(0);
  else expect([p.outerIpVersion, p.outerSrcText(), p.outerDstText()]).toEqual([4, ...outer]);
}

describe('Dissector: GRE and ERSPAN', () => {
  it('GRE (RFC 2784) carrying IPv4', () => {
    const { p, d } = run(overIp4(IpProto.GRE, concat(hex`00 00 08 00   # GRE: IPv4`, SYN4)));
    expectInnerSyn(p, [Encap.GRE]);
    expect(d.anomalies.summary()).toEqual([]);
  });

  it('GRE with checksum, key and sequence number carrying an Ethernet frame (0x6558)', () => {
    const gre = hex`b0 00 65 58  00 00 00 00  00 00 00 2a  00 00 00 01   # GRE: C K S, TEB, key 42, seq 1`;
    expectInnerSyn(run(overIp4(IpProto.GRE, concat(gre, ETH_SYN4))).p, [Encap.GRE]);
  });

  it('ERSPAN type I: GRE 0x88be without a sequence number, the mirrored frame right after', () => {
    expectInnerSyn(run(overIp4(IpProto.GRE, concat(hex`00 00 88 be   # GRE: ERSPAN, no S`, ETH_SYN4))).p, [Encap.GRE, Encap.ERSPAN_I]);
  });

  it('ERSPAN type II: GRE sequence number, 8-byte header, a mirrored frame that kept its VLAN tag', () => {
    const tagged = ethernet({ dst: '00:15:5d:01:01:0a', src: '00:15:5d:01:01:32', etherType: EtherType.IPV4, tags: [{ vid: 10 }] }, SYN4);
    const f = overIp4(IpProto.GRE, concat(hex`
      10 00 88 be  00 00 00 05      # GRE: S, ERSPAN, sequence 5
      10 0a 18 64  00 00 00 01      # ERSPAN II: version 1, VLAN 10, En 3 (tag kept), session 100`, tagged));
    const { p, d } = run(f);
    expectInnerSyn(p, [Encap.GRE, Encap.ERSPAN_II]);
    // The link-level VLAN fields describe the capture's own frame, which is untagged.
    expect(p.vlanTags).toBe(0);
    expect(d.anomalies.summary()).toEqual([]);
  });

  it('ERSPAN type III with the platform specific subheader', () => {
    const f = overIp4(IpProto.GRE, concat(hex`
      10 00 22 eb  00 00 00 09      # GRE: S, ERSPAN III
      20 0a 00 64  5e 10 20 30      # ERSPAN III: version 2, VLAN 10, session 100, timestamp
      00 00 00 01                   # SGT 0, frame type Ethernet, O set
      1c 00 00 05  00 00 00 00      # platform subheader (id 7)`, ETH_SYN4));
    expectInnerSyn(run(f).p, [Encap.GRE, Encap.ERSPAN_III]);
  });

  it('ERSPAN type III with frame type IP is not decoded (as in Wireshark): counted and reported', () => {
    const f = overIp4(IpProto.GRE, concat(hex`10 00 22 eb  00 00 00 09  20 0a 00 64  00 00 00 00  00 00 08 00`, SYN4));
    const { p, d } = run(f);
    // The analysed packet stays the outer one.
    expect([p.ipVersion, p.srcText(), p.l4, p.encapDepth]).toEqual([4, OUT_SRC, L4.OTHER, 0]);
    expect(anomalies(d)).toEqual({ undecoded_encapsulation: 1 });
    expect(d.undecodedWarning()?.message).toMatch(/^1 frame\(s\) .*\(ERSPAN type III: 1 from frame 1\)/);
  });

  it('PPTP enhanced GRE (version 1) carrying PPP with address and control bytes', () => {
    const len = (4 + SYN4.length).toString(16).padStart(4, '0');
    const f = overIp4(IpProto.GRE, concat(hex`
      30 81 88 0b  ${len} 40 00     # GRE v1: K S A, PPP, payload length, call id
      00 00 00 02  00 00 00 01      # sequence, acknowledgment
      ff 03 00 21                   # PPP: address, control, IPv4`, SYN4));
    expectInnerSyn(run(f).p, [Encap.GRE]);
  });

  it('PPTP: a PPP frame the tunnel compresses or encrypts (0x00fd) is reported; LCP is not', () => {
    const gre = (ppp: string): Uint8Array => overIp4(IpProto.GRE, hex`30 01 88 0b 00 08 40 00 00 00 00 02 ff 03 ${ppp}`);
    const a = run(gre('00 fd 90 00 00 00'));
    expect(anomalies(a.d)).toEqual({ undecoded_encapsulation: 1 });
    expect(a.d.undecodedWarning()?.message).toContain('GRE: 1 from frame 1');
    const b = run(gre('c0 21 01 01 00 04'));
    expect(b.d.anomalies.summary()).toEqual([]);
    expect(b.d.undecodedWarning()).toBeNull();
  });

  it('an unknown GRE protocol type is reported; a GRE header cut short is truncated_encapsulation', () => {
    const a = run(overIp4(IpProto.GRE, hex`00 00 88 3e 00 00 00 00 45 00`));
    expect(anomalies(a.d)).toEqual({ undecoded_encapsulation: 1 });
    const cut = overIp4(IpProto.GRE, concat(hex`b0 00 65 58 00 00 00 00 00 00 00 2a 00 00 00 01`, ETH_SYN4));
    const b = run(cut.subarray(0, 14 + 20 + 10));
    expect([b.p.ipVersion, b.p.srcText(), b.p.l4]).toEqual([4, OUT_SRC, L4.OTHER]);
    expect(anomalies(b.d)).toEqual({ truncated_encapsulation: 1 });
  });
});

describe('Dissector: UDP tunnels', () => {
  it('VXLAN (UDP 4789) carrying an Ethernet frame', () => {
    const { p, d } = run(overUdp(4789, concat(hex`08 00 00 00  00 13 88 00   # VXLAN: I, VNI 5000`, ETH_SYN4)));
    expectInnerSyn(p, [Encap.VXLAN]);
    expect(d.anomalies.summary()).toEqual([]);
    // The frame counts once, by the analysed packet: TCP, not UDP.
    const c = new CaptureCounters();
    c.add(p);
    expect([c.stats(0).tcp, c.stats(0).udp, c.stats(0).tcpSyn]).toEqual([1, 0, 1]);
  });

  it('VXLAN-GPE (UDP 4790) carrying IPv4 directly', () => {
    expectInnerSyn(run(overUdp(4790, concat(hex`0c 00 00 01  00 00 2a 00   # VXLAN-GPE: I P, next IPv4`, SYN4))).p, [Encap.VXLAN_GPE]);
    const nsh = run(overUdp(4790, concat(hex`0c 00 00 04  00 00 2a 00   # next NSH`, SYN4)));
    expect(anomalies(nsh.d)).toEqual({ undecoded_encapsulation: 1 });
  });

  it('Geneve (UDP 6081) with an option, carrying an Ethernet frame', () => {
    const f = overUdp(6081, concat(hex`02 00 65 58  00 00 2a 00  01 02 80 01  00 00 00 07   # Geneve: 2 option words, TEB, VNI 42`, ETH_SYN4));
    expectInnerSyn(run(f).p, [Encap.GENEVE]);
  });

  it('GTP-U (UDP 2152) G-PDU with an extension header; an echo request carries no user packet', () => {
    const len = (8 + SYN4.length).toString(16).padStart(4, '0');
    const gpdu = overUdp(2152, concat(hex`34 ff ${len} 00 00 00 01  00 00 00 85  01 00 01 00   # GTP-U: E, G-PDU, TEID 1, PDU session container`, SYN4), 2152);
    expectInnerSyn(run(gpdu).p, [Encap.GTP_U]);
    const echo = run(overUdp(2152, hex`32 01 00 04 00 00 00 00 00 01 00 00`, 2152));
    expect([echo.p.l4, echo.p.encapDepth]).toEqual([L4.UDP, 0]);
    expect(echo.d.anomalies.summary()).toEqual([]);
  });

  it('MPLS in UDP (6635)', () => {
    expectInnerSyn(run(overUdp(6635, concat(hex`00 01 01 40   # MPLS: label 16, S`, SYN4))).p, [Encap.MPLS]);
  });

  it('L2TP (UDP 1701) is recognised, not decoded: counted, reported, the UDP datagram analysed', () => {
    const { p, d } = run(overUdp(1701, concat(hex`02 02 00 01 00 01 ff 03 00 21   # L2TPv2 data, PPP IPv4`, SYN4), 1701));
    expect([p.ipVersion, p.l4, p.dstPort]).toEqual([4, L4.UDP, 1701]);
    expect(anomalies(d)).toEqual({ undecoded_encapsulation: 1 });
    expect(d.undecodedWarning()).toMatchObject({ code: 'undecoded-encapsulation', severity: 'warning' });
    expect(d.undecodedWarning()!.message).toContain('L2TP: 1 from frame 1');
  });
});

describe('Dissector: IP in IP', () => {
  it('4in4, 6in4, 4in6 and 6in6', () => {
    expectInnerSyn(run(overIp4(IpProto.IPV4, SYN4)).p, [Encap.IP_IN_IP]);
    const six = run(overIp4(IpProto.IPV6, SYN6)).p;
    expect([six.ipVersion, six.srcText(), six.l4, six.srcPort, six.outerIpVersion, six.outerSrcText()]).toEqual([6, '2001:db8::1', L4.TCP, 49152, 4, OUT_SRC]);
    const in6 = (inner: Uint8Array, next: number): Uint8Array => ethernet({ ...MAC, etherType: EtherType.IPV6 }, ipv6({ src: '2001:db8::a', dst: '2001:db8::b', nextHeader: next }, inner));
    const a = run(in6(SYN4, IpProto.IPV4)).p;
    expect([a.ipVersion, a.srcText(), a.l4, a.outerIpVersion, a.outerSrcText(), a.outerDstText()]).toEqual([4, '10.0.0.1', L4.TCP, 6, '2001:db8::a', '2001:db8::b']);
    const b = run(in6(SYN6, IpProto.IPV6)).p;
    expect([b.ipVersion, b.srcText(), b.l4, b.outerIpVersion, [...b.encaps.subarray(0, b.encapDepth)]]).toEqual([6, '2001:db8::1', L4.TCP, 6, [Encap.IP_IN_IP]]);
  });

  it('the outer header of a nested tunnel is the frame\'s first IP header', () => {
    const inner = ipv4({ src: '198.51.100.1', dst: '198.51.100.2', proto: IpProto.GRE }, concat(hex`00 00 08 00`, SYN4));
    expectInnerSyn(run(overIp4(IpProto.IPV4, inner)).p, [Encap.IP_IN_IP, Encap.GRE]);
  });

  it(`stops after ${MAX_ENCAP_DEPTH} nested encapsulations with encapsulation_too_deep`, () => {
    let pkt = SYN4;
    for (let i = 0; i < MAX_ENCAP_DEPTH + 2; i++) pkt = ipv4({ src: `10.9.0.${i + 1}`, dst: '10.9.0.254', proto: IpProto.IPV4 }, pkt);
    const { p, d } = run(ethernet({ ...MAC, etherType: EtherType.IPV4 }, pkt));
    expect(p.encapDepth).toBe(MAX_ENCAP_DEPTH);
    expect(p.l4).toBe(L4.OTHER);
    expect(anomalies(d)).toEqual({ encapsulation_too_deep: 1 });
    expect(d.undecodedWarning()!.message).toContain('nesting deeper than the limit: 1 from frame 1');
    // The catalog (model/, which imports nothing) states the same limit in words.
    expect(ANOMALIES.encapsulation_too_deep.text).toContain(`more than ${MAX_ENCAP_DEPTH} nested`);
    // Exactly at the limit, the SYN is read.
    let ok = SYN4;
    for (let i = 0; i < MAX_ENCAP_DEPTH; i++) ok = ipv4({ src: '10.9.0.1', dst: '10.9.0.254', proto: IpProto.IPV4 }, ok);
    const at = run(ethernet({ ...MAC, etherType: EtherType.IPV4 }, ok));
    expect([at.p.l4, at.p.srcPort, at.p.encapDepth]).toEqual([L4.TCP, 49152, MAX_ENCAP_DEPTH]);
  });

  it('a tunnel in a fragmented outer datagram is decoded on the frame that completes it', () => {
    const gre = concat(hex`00 00 08 00`, SYN4);
    const frags = ipv4Fragments({ src: OUT_SRC, dst: OUT_DST, proto: IpProto.GRE, id: 99 }, gre, 24).map((x) => ethernet({ ...MAC, etherType: EtherType.IPV4 }, x));
    const d = new Dissector();
    const c = new CaptureCounters();
    frags.forEach((f, i) => c.add(d.dissect(record(f, ETH, i + 1))));
    expectInnerSyn(d.info, [Encap.GRE]);
    expect(d.info.frame).toBe(frags.length);
    expect(c.stats(0).tcpSyn).toBe(1);
  });

  it('an ICMP error inside a tunnel quotes the inner conversation', () => {
    const icmp = ipv4({ src: '10.0.0.254', dst: '10.0.0.1', proto: IpProto.ICMP }, icmpv4Unreachable(13, SYN4));
    const { p } = run(overIp4(IpProto.GRE, concat(hex`00 00 08 00`, icmp)));
    expect([p.l4, p.icmpType, p.icmpCode, p.quotedSrcText(), p.quoted.dstPort, p.quoted.seq]).toEqual([L4.ICMP, 3, 13, '10.0.0.1', 15595, 0x01020304]);
  });

  it('the next frame starts clean: no encapsulation, no outer header left over', () => {
    const d = new Dissector();
    d.dissect(record(overIp4(IpProto.IPV4, SYN4), ETH, 1));
    const p = d.dissect(record(ETH_SYN4, ETH, 2));
    expect([p.encapDepth, p.outerIpVersion, p.srcText()]).toEqual([0, 0, '10.0.0.1']);
  });
});

describe('Dissector: MPLS, PPPoE, PBB, FabricPath', () => {
  it('an MPLS label stack (0x8847) with IPv4 after the bottom entry, under a VLAN tag', () => {
    const f = ethernet({ ...MAC, etherType: EtherType.MPLS, tags: [{ vid: 4093 }] }, concat(hex`00 01 00 40  00 02 01 3f   # labels 16, 32 (S)`, SYN4));
    const { p } = run(f);
    expectInnerSyn(p, [Encap.MPLS], null);
    expect(p.vlanTags).toBe(1);
  });

  it('MPLS multicast (0x8848), and an Ethernet pseudowire with and without a control word', () => {
    expectInnerSyn(run(ethernet({ ...MAC, etherType: EtherType.MPLS_MC }, concat(hex`00 01 01 40`, SYN4))).p, [Encap.MPLS], null);
    expectInnerSyn(run(ethernet({ ...MAC, etherType: EtherType.MPLS }, concat(hex`00 01 01 40  00 00 00 00   # label, control word`, ETH_SYN4))).p, [Encap.MPLS], null);
    const noCw = ethernet({ dst: 'a2:00:00:00:00:01', src: '00:15:5d:01:01:32', etherType: EtherType.IPV4 }, SYN4);
    expectInnerSyn(run(ethernet({ ...MAC, etherType: EtherType.MPLS }, concat(hex`00 01 01 40`, noCw))).p, [Encap.MPLS], null);
  });

  it('a PPPoE session (0x8864) inside 802.1ad + 802.1Q tags; padding after the PPP frame is not payload', () => {
    const len = (2 + SYN4.length).toString(16).padStart(4, '0');
    const f = ethernet({ ...MAC, etherType: EtherType.PPPOE_SESSION, tags: [{ tpid: 0x88a8, vid: 3704 }, { vid: 2474 }] }, concat(hex`11 00 00 2a ${len}  00 21   # PPPoE session 42, PPP IPv4`, SYN4, hex`00 00 00 00`));
    expectInnerSyn(run(f).p, [Encap.PPPOE], null);
  });

  it('PPPoE discovery and PPP control frames carry no IP and are not reported', () => {
    const padi = ethernet({ ...MAC, etherType: EtherType.PPPOE_DISCOVERY }, hex`11 09 00 00 00 04 01 01 00 00`);
    const lcp = ethernet({ ...MAC, etherType: EtherType.PPPOE_SESSION }, hex`11 00 00 2a 00 06 c0 21 01 01 00 04`);
    for (const f of [padi, lcp]) {
      const { p, d } = run(f);
      expect(p.ipVersion).toBe(0);
      expect(d.anomalies.summary()).toEqual([]);
      const c = new CaptureCounters();
      c.add(p);
      expect(c.stats(0).nonIp).toBe(1);
    }
  });

  it('802.1ah PBB: B-TAG, I-TAG, then the customer frame with its own C-tag', () => {
    const customer = ethernet({ dst: '00:15:5d:01:01:0a', src: '00:15:5d:01:01:32', etherType: EtherType.IPV4, tags: [{ vid: 10 }] }, SYN4);
    const f = ethernet({ ...MAC, etherType: EtherType.PBB, tags: [{ tpid: 0x88a8, vid: 100 }] }, concat(hex`00 01 e2 40   # I-TAG: I-SID 123456`, customer));
    expectInnerSyn(run(f).p, [Encap.PBB], null);
  });

  it('Cisco FabricPath: the FP tag, then the original frame', () => {
    const f = ethernet({ dst: '02:00:0a:00:00:01', src: '02:00:0b:00:00:01', etherType: EtherType.FABRICPATH }, concat(hex`00 7f   # FTag 1, TTL 63`, ETH_SYN4));
    expectInnerSyn(run(f).p, [Encap.FABRICPATH], null);
  });

  it('EtherIP (97), L2TPv3 over IP (115) and NSH (0x894f) are reported as not decoded', () => {
    const d = new Dissector();
    d.dissect(record(overIp4(IpProto.ETHERIP, concat(hex`30 00`, ETH_SYN4)), ETH, 1));
    d.dissect(record(overIp4(IpProto.L2TP, concat(hex`00 00 00 01`, ETH_SYN4)), ETH, 2));
    d.dissect(record(ethernet({ ...MAC, etherType: EtherType.NSH }, hex`0f c6 01 03 00 00 01 ff`), ETH, 3));
    d.dissect(record(overIp4(IpProto.ETHERIP, concat(hex`30 00`, ETH_SYN4)), ETH, 4));
    expect(d.anomalies.summary()).toEqual([{ name: 'undecoded_encapsulation', count: 4, firstFrames: [1, 2, 3, 4] }]);
    expect(d.undecodedWarning()!.message).toBe(
      '4 frame(s) carry their packet inside an encapsulation rpctrace does not decode (L2TP: 1 from frame 2; EtherIP: 2 from frame 1; NSH: 1 from frame 3): counted, not analyzed, so conversations inside them are missing from the verdicts',
    );
  });
});

describe('capture stats of tunnelled frames', () => {
  it('count each frame once, by the packet analysed: the innermost IP packet decoded', () => {
    const frames = [
      overUdp(4789, concat(hex`08 00 00 00 00 13 88 00`, ETH_SYN4)), // VXLAN: TCP, not UDP
      overIp4(IpProto.IPV6, SYN6), // 6in4: IPv6, not IPv4
      overUdp(1701, concat(hex`02 02 00 01 00 01 ff 03 00 21`, SYN4), 1701), // L2TP, not decoded: the UDP datagram
      ethernet({ ...MAC, etherType: EtherType.MPLS }, concat(hex`00 01 01 40`, SYN4)), // MPLS: no outer IP
      ethernet({ ...MAC, etherType: EtherType.PPPOE_DISCOVERY }, hex`11 09 00 00 00 00`), // PPPoE discovery: not IP
    ];
    const d = new Dissector();
    const c = new CaptureCounters();
    frames.forEach((f, i) => c.add(d.dissect(record(f, ETH, i + 1))));
    const s = c.stats(0);
    expect({ ipv4: s.ipv4, ipv6: s.ipv6, tcp: s.tcp, udp: s.udp, nonIp: s.nonIp, tcpSyn: s.tcpSyn }).toEqual({ ipv4: 3, ipv6: 1, tcp: 3, udp: 1, nonIp: 1, tcpSyn: 3 });
  });
});
