import { describe, expect, it } from 'vitest';
import { Dissector } from '../../../src/dissect/dissector.js';
import { L4, type PacketInfo } from '../../../src/dissect/packet-info.js';
import { CaptureCounters } from '../../../src/analysis/capture-stats.js';
import type { AnomalyName } from '../../../src/model/anomalies.js';
import { concat, ethSyn, hex, record } from '../../helpers/frame.js';

const ETH_IP4 = '00 00 5e 00 53 01  02 00 00 00 00 01  08 00';
const ETH_IP6 = '00 00 5e 00 53 01  02 00 00 00 00 01  86 dd';
const V6_SRC = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01';
const V6_DST = '20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02';

/** IPv4 + TCP SYN 10.0.0.1:49152 > 10.0.0.2:135, seq 0x01020304, MSS option. */
const IP4_SYN = hex`
  45 00 00 2c 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02                        # IPv4: TCP, 10.0.0.1 > 10.0.0.2
  c0 00 00 87 01 02 03 04 00 00 00 00 60 02 ff ff 00 00 00 00 02 04 05 b4            # TCP: 49152 > 135 SYN, MSS`;
/** IPv6 + TCP SYN 2001:db8::1:49153 > 2001:db8::2:135. */
const IP6_SYN = hex`
  60 00 00 00 00 14 06 40  ${V6_SRC}  ${V6_DST}                                       # IPv6: TCP, 2001:db8::1 > 2001:db8::2
  c0 01 00 87 0a 0b 0c 0d 00 00 00 00 50 02 ff ff 00 00 00 00                         # TCP: 49153 > 135 SYN`;

function run(data: Uint8Array, linkType: number): { p: PacketInfo; d: Dissector; off: number } {
  const d = new Dissector();
  const r = record(data, linkType);
  return { p: d.dissect(r), d, off: r.off };
}

function anomalies(d: Dissector): Partial<Record<AnomalyName, number>> {
  return Object.fromEntries(d.anomalies.summary().map((a) => [a.name, a.count]));
}

function expectV4Syn(p: PacketInfo): void {
  expect(p.ipVersion).toBe(4);
  expect(p.srcText()).toBe('10.0.0.1');
  expect(p.dstText()).toBe('10.0.0.2');
  expect(p.ipProto).toBe(6);
  expect(p.l4).toBe(L4.TCP);
  expect(p.srcPort).toBe(49152);
  expect(p.dstPort).toBe(135);
  expect(p.tcpFlags).toBe(0x02);
  expect(p.seq).toBe(0x01020304);
  expect(p.payloadLen).toBe(0);
}

function expectV6Syn(p: PacketInfo): void {
  expect(p.ipVersion).toBe(6);
  expect(p.srcText()).toBe('2001:db8::1');
  expect(p.dstText()).toBe('2001:db8::2');
  expect(p.l4).toBe(L4.TCP);
  expect(p.srcPort).toBe(49153);
  expect(p.dstPort).toBe(135);
  expect(p.seq).toBe(0x0a0b0c0d);
}

describe('Dissector: link types', () => {
  it('1 ETHERNET', () => {
    const { p, d } = run(concat(hex`${ETH_IP4}`, IP4_SYN), 1);
    expectV4Syn(p);
    expect(p.vlanTags).toBe(0);
    expect(d.anomalies.summary()).toEqual([]);
  });

  it('1 ETHERNET with QinQ tags, IPv6', () => {
    const f = concat(hex`00 00 5e 00 53 01  02 00 00 00 00 01  88 a8 00 0a  81 00 00 14  86 dd`, IP6_SYN);
    const { p } = run(f, 1);
    expectV6Syn(p);
    expect(p.vlanTags).toBe(2);
    expect(p.outerVlan).toBe(10);
    expect(p.innerVlan).toBe(20);
  });

  it('1 ETHERNET with more stacked tags than any switch sends: the packet is still read', () => {
    const f = concat(hex`00 00 5e 00 53 01  02 00 00 00 00 01  ${'88 a8 00 64 '.repeat(11)} 81 00 00 0a  08 00`, IP4_SYN);
    const { p, d } = run(f, 1);
    expectV4Syn(p);
    expect(p.vlanTags).toBe(12);
    expect(p.outerVlan).toBe(100);
    expect(p.innerVlan).toBe(10);
    expect(d.anomalies.summary()).toEqual([]);
  });

  it('113 LINUX_SLL', () => {
    const f = concat(hex`00 00 00 01 00 06 02 00 00 00 00 01 00 00 08 00  # SLL: IPv4`, IP4_SYN);
    expectV4Syn(run(f, 113).p);
  });

  it('276 LINUX_SLL2', () => {
    const f = concat(hex`86 dd 00 00 00 00 00 02 00 01 04 06 02 00 00 00 00 01 00 00  # SLL2: IPv6`, IP6_SYN);
    expectV6Syn(run(f, 276).p);
  });

  describe('0 NULL: address family in either host byte order', () => {
    it('AF_INET 2, little- and big-endian host', () => {
      expectV4Syn(run(concat(hex`02 00 00 00`, IP4_SYN), 0).p);
      expectV4Syn(run(concat(hex`00 00 00 02`, IP4_SYN), 0).p);
    });
    for (const af of [24, 28, 30]) {
      it(`AF_INET6 ${af} (BSD variants), both byte orders`, () => {
        const x = af.toString(16).padStart(2, '0');
        expectV6Syn(run(concat(hex`${x} 00 00 00`, IP6_SYN), 0).p);
        expectV6Syn(run(concat(hex`00 00 00 ${x}`, IP6_SYN), 0).p);
      });
    }
    it('an unknown family is not IP and not an error', () => {
      const { p, d } = run(concat(hex`07 00 00 00`, IP4_SYN), 0);
      expect(p.ipVersion).toBe(0);
      expect(d.anomalies.summary()).toEqual([]);
    });
    it('a header shorter than 4 bytes is truncated_link', () => {
      const { p, d } = run(hex`02 00 00`, 0);
      expect(p.ipVersion).toBe(0);
      expect(anomalies(d)).toEqual({ truncated_link: 1 });
    });
  });

  it('108 LOOP: family in network byte order', () => {
    expectV4Syn(run(concat(hex`00 00 00 02`, IP4_SYN), 108).p);
    expectV6Syn(run(concat(hex`00 00 00 18`, IP6_SYN), 108).p);
  });

  for (const lt of [101, 12, 14]) {
    it(`${lt} RAW: IP version from the first nibble; any other version is a malformed IP header`, () => {
      expectV4Syn(run(IP4_SYN, lt).p);
      expectV6Syn(run(IP6_SYN, lt).p);
      const bad = IP4_SYN.slice();
      bad[0] = 0x55;
      const { p, d } = run(bad, lt);
      expect(p.ipVersion).toBe(0);
      expect(anomalies(d)).toEqual({ malformed_ip: 1 });
    });
  }

  it('228 IPV4 and 229 IPV6', () => {
    expectV4Syn(run(IP4_SYN, 228).p);
    expectV6Syn(run(IP6_SYN, 229).p);
  });

  it('an unsupported link type (105, 802.11) is counted, not decoded', () => {
    const d = new Dissector();
    d.dissect(record(concat(hex`${ETH_IP4}`, IP4_SYN), 1));
    const p = d.dissect(record(concat(hex`08 01 00 00`, IP4_SYN), 105, 2));
    expect(p.ipVersion).toBe(0);
    expect(p.l4).toBe(L4.NONE);
    expect(p.frame).toBe(2);
    expect(d.anomalies.summary()).toEqual([{ name: 'unsupported_link_type', count: 1, firstFrames: [2] }]);
  });

  it('a non-IP EtherType (ARP) leaves no IP fields and no anomaly', () => {
    const d = new Dissector();
    d.dissect(record(concat(hex`${ETH_IP4}`, IP4_SYN), 1));
    const p = d.dissect(record(hex`ff ff ff ff ff ff 02 00 00 00 00 01 08 06 ${'00 '.repeat(28)}`, 1, 2));
    expect(p.ipVersion).toBe(0);
    expect(p.l4).toBe(L4.NONE);
    expect(d.anomalies.summary()).toEqual([]);
  });
});

describe('Dissector: payload bounds follow the IP length', () => {
  it('Ethernet padding of a 60-byte frame is not payload', () => {
    const f = ethSyn();
    expect(f.length).toBe(60);
    const { p, off } = run(f, 1);
    expect(p.l4).toBe(L4.TCP);
    expect(p.payloadOff - off).toBe(14 + 20 + 24);
    expect(p.payloadLen).toBe(0);
    expect(p.payloadCaptured).toBe(0);
  });

  it('a small segment plus padding: payload is the segment data only', () => {
    const f = hex`${ETH_IP4}
      45 00 00 2a 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02   # IPv4: total 42
      c0 00 00 87 00 00 00 01 00 00 00 01 50 18 ff ff 00 00 00 00      # TCP: PSH ACK
      05 00                                                              # 2 bytes of data
      00 00 00 00                                                        # padding`;
    const { p } = run(f, 1);
    expect(p.payloadLen).toBe(2);
    expect(p.payloadCaptured).toBe(2);
  });

  it('IPv6 payload length bounds UDP payload', () => {
    const f = hex`${ETH_IP6}
      60 00 00 00 00 0c 11 40 ${V6_SRC} ${V6_DST}   # IPv6: payload 12, UDP
      e1 23 00 87 00 0c 00 00                        # UDP: 57635 > 135
      01 02 03 04                                    # data
      00 00 00 00 00 00                              # trailing bytes`;
    const { p } = run(f, 1);
    expect(p.l4).toBe(L4.UDP);
    expect(p.srcPort).toBe(57635);
    expect(p.dstPort).toBe(135);
    expect(p.payloadLen).toBe(4);
    expect(p.payloadCaptured).toBe(4);
  });
});

describe('Dissector: snaplen-cut frames are counted, not misread', () => {
  const full = hex`${ETH_IP4}
    45 00 05 dc 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02   # IPv4: total 1500
    c0 00 00 87 00 00 00 01 00 00 00 01 50 10 ff ff 00 00 00 00      # TCP: ACK
    ${'aa '.repeat(40)}                                              # first 40 of 1460 data bytes`;

  it('cut inside the payload: headers read, payload length from IP, captured part smaller', () => {
    const { p, d } = run(full, 1);
    expect(p.l4).toBe(L4.TCP);
    expect(p.ipCut).toBe(true);
    expect(p.payloadLen).toBe(1460);
    expect(p.payloadCaptured).toBe(40);
    expect(d.anomalies.summary()).toEqual([]);
  });

  const cuts: [string, number, AnomalyName, number, L4][] = [
    ['inside the Ethernet header', 10, 'truncated_link', 0, L4.NONE],
    ['inside the IPv4 header', 14 + 12, 'truncated_ip', 0, L4.NONE],
    ['inside the TCP header', 14 + 20 + 10, 'truncated_tcp', 4, L4.OTHER],
  ];
  for (const [where, len, name, ipVersion, l4] of cuts) {
    it(`cut ${where}: ${name}`, () => {
      const { p, d } = run(full.subarray(0, len), 1);
      expect(p.ipVersion).toBe(ipVersion);
      expect(p.l4).toBe(l4);
      expect(anomalies(d)).toEqual({ [name]: 1 });
    });
  }

  it('cut inside an 802.1Q tag: truncated_link', () => {
    const { d } = run(hex`00 00 5e 00 53 01  02 00 00 00 00 01  81 00 00`, 1);
    expect(anomalies(d)).toEqual({ truncated_link: 1 });
  });

  it('cut inside SLL headers and a UDP or ICMP header', () => {
    expect(anomalies(run(hex`00 00 00 01 00 06 02 00`, 113).d)).toEqual({ truncated_link: 1 });
    expect(anomalies(run(hex`86 dd 00 00 00 00`, 276).d)).toEqual({ truncated_link: 1 });
    expect(anomalies(run(hex``, 101).d)).toEqual({ truncated_link: 1 });
    const udp = hex`45 00 00 24 00 01 40 00 40 11 00 00 0a 00 00 01 0a 00 00 02  e1 23 00 87`;
    expect(anomalies(run(udp, 228).d)).toEqual({ truncated_udp: 1 });
    const icmp = hex`45 00 00 38 00 01 40 00 40 01 00 00 0a 00 00 01 0a 00 00 02  03 03 00 00`;
    expect(anomalies(run(icmp, 228).d)).toEqual({ truncated_icmp: 1 });
  });

  it('cut inside an IPv6 extension header: truncated_ip', () => {
    const f = hex`60 00 00 00 00 1c 00 40 ${V6_SRC} ${V6_DST} 06 00 01`;
    const { p, d } = run(f, 229);
    expect(p.ipVersion).toBe(0);
    expect(anomalies(d)).toEqual({ truncated_ip: 1 });
  });

  it('malformed headers are malformed_*, not truncated_*', () => {
    const ihl4 = hex`44 00 00 28 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02 ${'00 '.repeat(20)}`;
    expect(anomalies(run(ihl4, 228).d)).toEqual({ malformed_ip: 1 });
    const doff3 = hex`45 00 00 28 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02  c0 00 00 87 00 00 00 01 00 00 00 00 30 02 ff ff 00 00 00 00`;
    expect(anomalies(run(doff3, 228).d)).toEqual({ malformed_tcp: 1 });
  });

  it('a SYN whose options the snaplen cut is still a SYN: only the options are marked cut', () => {
    // 68-byte snaplen on a VLAN trunk: 14 + 4 + 20 leaves 30 of the SYN's 32 TCP header bytes.
    const syn = hex`00 00 5e 00 53 01  02 00 00 00 00 01  81 00 00 0a  08 00   # Ethernet, 802.1Q VLAN 10, IPv4
      45 00 00 34 00 01 40 00 80 06 00 00  0a 00 00 01  0a 00 00 02         # IPv4: total 52, TCP
      c0 00 3c eb 01 02 03 04 00 00 00 00 80 02 fa f0 00 00 00 00           # TCP: 49152 > 15595 SYN, data offset 8
      02 04 05 b4 01 03 03 08 01 01 04 02                                   # MSS, NOP, WS, NOP, NOP, SACK permitted`;
    expect(syn.length).toBe(70);
    const { p, d } = run(syn.subarray(0, 68), 1);
    expect(p.l4).toBe(L4.TCP);
    expect([p.srcPort, p.dstPort, p.seq, p.tcpFlags]).toEqual([49152, 15595, 0x01020304, 0x02]);
    expect(p.tcpOptionsCut).toBe(true);
    expect(p.payloadLen).toBe(0);
    expect(anomalies(d)).toEqual({ tcp_options_cut: 1 });
    const c = new CaptureCounters();
    c.add(p);
    expect(c.stats(0).tcpSyn).toBe(1);
  });

  it('a data offset past the segment is malformed_tcp, not a snaplen cut', () => {
    const f = hex`45 00 00 32 00 01 40 00 40 06 00 00 0a 00 00 01 0a 00 00 02   # IPv4: total 50, TCP
      c0 00 00 87 00 00 00 01 00 00 00 00 f0 10 ff ff 00 00 00 00            # TCP: data offset 15 (60 bytes) in a 30-byte segment
      ${'aa '.repeat(10)}`;
    const { p, d } = run(f, 228);
    expect(p.l4).toBe(L4.OTHER);
    expect(anomalies(d)).toEqual({ malformed_tcp: 1 });
    // Cut by a snaplen after the fixed header: the IP length still proves the header impossible.
    expect(anomalies(run(f.subarray(0, 44), 228).d)).toEqual({ malformed_tcp: 1 });
  });

  it('counts each anomaly with its first frames', () => {
    const d = new Dissector();
    for (let i = 1; i <= 7; i++) d.dissect(record(full.subarray(0, 20), 1, i));
    expect(d.anomalies.summary()).toEqual([{ name: 'truncated_ip', count: 7, firstFrames: [1, 2, 3, 4, 5] }]);
  });
});

describe('Dissector: ICMP errors quote the refused connection', () => {
  it('ICMPv4 port unreachable quoting a TCP SYN', () => {
    const f = hex`${ETH_IP4}
      45 00 00 38 00 02 00 00 40 01 00 00  0a 00 00 02  0a 00 00 01   # IPv4: ICMP, 10.0.0.2 > 10.0.0.1, total 56
      03 03 00 00 00 00 00 00                                          # ICMP: dest unreachable, port unreachable
      45 00 00 2c 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02   # quoted IPv4: TCP, 10.0.0.1 > 10.0.0.2, total 44
      c0 00 00 87 01 02 03 04                                          # quoted TCP: 49152 > 135, seq 0x01020304`;
    const { p, d } = run(f, 1);
    expect(p.l4).toBe(L4.ICMP);
    expect(p.icmpType).toBe(3);
    expect(p.icmpCode).toBe(3);
    expect(p.srcText()).toBe('10.0.0.2');
    const q = p.quoted;
    expect(q.ipVersion).toBe(4);
    expect(q.protocol).toBe(6);
    expect(p.quotedSrcText()).toBe('10.0.0.1');
    expect(p.quotedDstText()).toBe('10.0.0.2');
    expect(q.srcPort).toBe(49152);
    expect(q.dstPort).toBe(135);
    expect(q.seq).toBe(0x01020304);
    expect(d.anomalies.summary()).toEqual([]);
    // The quoted SYN is evidence, not a segment: it must not count as TCP or as a SYN.
    const c = new CaptureCounters();
    c.add(p);
    const s = c.stats(0);
    expect(s.tcp).toBe(0);
    expect(s.tcpSyn).toBe(0);
    expect(s.icmp).toBe(1);
    expect(s.icmpUnreachable).toBe(1);
  });

  it('ICMPv6 destination unreachable (port) quoting a TCP SYN', () => {
    const f = hex`${ETH_IP6}
      60 00 00 00 00 38 3a 40 ${V6_DST} ${V6_SRC}    # IPv6: ICMPv6, payload 56, 2001:db8::2 > 2001:db8::1
      01 04 00 00 00 00 00 00                        # ICMPv6: dest unreachable, port unreachable
      60 00 00 00 00 14 06 40 ${V6_SRC} ${V6_DST}    # quoted IPv6: TCP
      c0 01 00 87 0a 0b 0c 0d                        # quoted TCP: 49153 > 135, seq`;
    const { p, d } = run(f, 1);
    expect(p.l4).toBe(L4.ICMPV6);
    expect(p.icmpType).toBe(1);
    expect(p.icmpCode).toBe(4);
    expect(p.quoted.ipVersion).toBe(6);
    expect(p.quotedSrcText()).toBe('2001:db8::1');
    expect(p.quotedDstText()).toBe('2001:db8::2');
    expect(p.quoted.srcPort).toBe(49153);
    expect(p.quoted.dstPort).toBe(135);
    expect(p.quoted.seq).toBe(0x0a0b0c0d);
    expect(d.anomalies.summary()).toEqual([]);
    const c = new CaptureCounters();
    c.add(p);
    expect(c.stats(0).tcp).toBe(0);
    expect(c.stats(0).icmpUnreachable).toBe(1);
  });

  it('a quote with ports but no sequence number gives seq -1', () => {
    const f = hex`
      45 00 00 34 00 02 00 00 40 01 00 00  0a 00 00 02  0a 00 00 01
      03 0d 00 00 00 00 00 00                                          # ICMP: admin prohibited
      45 00 00 2c 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02
      c0 00 00 87                                                      # ports only`;
    const { p } = run(f, 228);
    expect(p.quoted.srcPort).toBe(49152);
    expect(p.quoted.dstPort).toBe(135);
    expect(p.quoted.seq).toBe(-1);
  });

  it('a quote of the IP header alone gives no ports', () => {
    const f = hex`
      45 00 00 30 00 02 00 00 40 01 00 00  0a 00 00 02  0a 00 00 01
      03 01 00 00 00 00 00 00
      45 00 00 2c 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02`;
    const { p } = run(f, 228);
    expect(p.quoted.ipVersion).toBe(4);
    expect(p.quoted.srcPort).toBe(-1);
    expect(p.quoted.dstPort).toBe(-1);
  });

  it('a quote cut inside the IP header is truncated_icmp, with nothing quoted', () => {
    const f = hex`
      45 00 00 26 00 02 00 00 40 01 00 00  0a 00 00 02  0a 00 00 01
      03 03 00 00 00 00 00 00
      45 00 00 2c 00 01 40 00 40 06`;
    const { p, d } = run(f, 228);
    expect(p.l4).toBe(L4.ICMP);
    expect(p.quoted.ipVersion).toBe(0);
    expect(anomalies(d)).toEqual({ truncated_icmp: 1 });
  });

  it('an echo request quotes nothing', () => {
    const f = hex`
      45 00 00 30 00 02 00 00 40 01 00 00  0a 00 00 02  0a 00 00 01
      08 00 00 00 00 01 00 01
      45 00 00 2c 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02`;
    const d = new Dissector();
    // A previous frame's quote must not leak into this one.
    d.dissect(record(hex`45 00 00 30 00 02 00 00 40 01 00 00 0a 00 00 02 0a 00 00 01 03 01 00 00 00 00 00 00
      45 00 00 2c 00 01 40 00 40 06 00 00  0a 00 00 01  0a 00 00 02`, 228));
    const p = d.dissect(record(f, 228, 2));
    expect(p.icmpType).toBe(8);
    expect(p.quoted.ipVersion).toBe(0);
  });
});

describe('Dissector: fragments', () => {
  it('a non-first IPv4 fragment gives no transport header, even if its data looks like one', () => {
    const f = hex`
      45 00 00 2c 00 07 00 b9 40 06 00 00  0a 00 00 01  0a 00 00 02   # IPv4: TCP, offset 1480, last fragment
      c0 00 00 87 01 02 03 04 00 00 00 00 60 02 ff ff 00 00 00 00 02 04 05 b4  # data that happens to look like a SYN`;
    const { p, d } = run(f, 228);
    expect(p.ipVersion).toBe(4);
    expect(p.l4).toBe(L4.OTHER);
    expect(anomalies(d)).toEqual({ ip_fragment: 1 });
    const c = new CaptureCounters();
    c.add(p);
    expect(c.stats(0).tcpSyn).toBe(0);
    expect(c.stats(0).tcp).toBe(0);
  });

  it('the first IPv4 fragment carries the ports', () => {
    const f = hex`
      45 00 00 2c 00 07 20 00 40 06 00 00  0a 00 00 01  0a 00 00 02   # IPv4: TCP, MF, offset 0
      c0 00 00 87 01 02 03 04 00 00 00 00 60 02 ff ff 00 00 00 00 02 04 05 b4`;
    const { p, d } = run(f, 228);
    expectV4Syn(p);
    expect(d.anomalies.summary()).toEqual([]);
  });

  it('a later IPv6 fragment gives no transport header; the first does', () => {
    const later = hex`60 00 00 00 00 1c 2c 40 ${V6_SRC} ${V6_DST}  06 00 05 c8 00 00 00 01
      c0 01 00 87 0a 0b 0c 0d 00 00 00 00 50 02 ff ff 00 00 00 00`;
    const a = run(later, 229);
    expect(a.p.l4).toBe(L4.OTHER);
    expect(anomalies(a.d)).toEqual({ ip_fragment: 1 });
    const first = hex`60 00 00 00 00 1c 2c 40 ${V6_SRC} ${V6_DST}  06 00 00 01 00 00 00 01
      c0 01 00 87 0a 0b 0c 0d 00 00 00 00 50 02 ff ff 00 00 00 00`;
    expectV6Syn(run(first, 229).p);
  });
});
