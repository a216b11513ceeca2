/**
 * Tunnels and encapsulations for the samples: header builders (GRE, ERSPAN, VXLAN, Geneve,
 * GTP-U, MPLS, PPPoE, PBB, FabricPath, L2TP) and link framers that put every packet of a
 * scenario inside one, the way a remote-SPAN session, a cloud mirror or a provider network
 * delivers it to the capture point. Tunnel endpoints use the documentation ranges (RFC 5737
 * 192.0.2.0/24, RFC 7042 MAC 00:00:5e:00:53:xx). Everything is deterministic: counters
 * (identification, sequence numbers, timestamps) live in the framer and start at fixed values.
 */
import type { WriterFrame } from '../../src/capture/writer.js';
import {
  ByteWriter,
  DRSUAPI_V4,
  EtherType,
  IpProto,
  concat,
  ethernet,
  internetChecksum,
  ipv4,
  udp,
  type LinkFramer,
  type VlanTag,
} from './frames.js';
import { BLOCKED_PORT, CLIENT_MAC, SERVER_MAC, defaultTowerIp, dynConversation, epmPart, type ScenarioOptions } from './scenario.js';

/** Tunnel endpoint on the client's side and on the server's side (or the SPAN source and collector). */
export const TUNNEL_A = '192.0.2.1';
export const TUNNEL_B = '192.0.2.2';
export const TUNNEL_A_MAC = '00:00:5e:00:53:0a';
export const TUNNEL_B_MAC = '00:00:5e:00:53:0b';

/** The mirrored or tunnelled frame itself: Ethernet between the client and the server. */
function innerEthernet(tags?: readonly VlanTag[]): LinkFramer {
  return (ip, v, fromClient) =>
    ethernet({ dst: fromClient ? SERVER_MAC : CLIENT_MAC, src: fromClient ? CLIENT_MAC : SERVER_MAC, etherType: v === 4 ? EtherType.IPV4 : EtherType.IPV6, ...(tags !== undefined ? { tags } : {}) }, ip);
}

/**
 * Outer Ethernet + IPv4 between the tunnel endpoints; `oneWay` sends every packet from A to B
 * (a mirror session), otherwise the direction follows the inner packet's.
 */
function outerIpv4(proto: number, oneWay: boolean): (payload: Uint8Array, fromClient: boolean) => Uint8Array {
  let id = 0x2000;
  return (payload, fromClient) => {
    const aToB = oneWay || fromClient;
    const ip = ipv4({ src: aToB ? TUNNEL_A : TUNNEL_B, dst: aToB ? TUNNEL_B : TUNNEL_A, proto, id: id++ & 0xffff, ttl: 64, df: proto !== IpProto.UDP }, payload);
    return ethernet({ dst: aToB ? TUNNEL_B_MAC : TUNNEL_A_MAC, src: aToB ? TUNNEL_A_MAC : TUNNEL_B_MAC, etherType: EtherType.IPV4 }, ip);
  };
}

/** Outer Ethernet + IPv4 + UDP to `port` (the source port per direction, as a flow hash gives one). */
function outerUdp(port: number, sourcePorts: [number, number]): (payload: Uint8Array, fromClient: boolean) => Uint8Array {
  const ip = outerIpv4(IpProto.UDP, false);
  return (payload, fromClient) => {
    const [src, dst] = fromClient ? [TUNNEL_A, TUNNEL_B] : [TUNNEL_B, TUNNEL_A];
    return ip(udp(src, dst, { srcPort: fromClient ? sourcePorts[0] : sourcePorts[1], dstPort: port }, payload), fromClient);
  };
}

// ---------------------------------------------------------------------------------------------
// Headers

/** GRE (RFC 2784 §2, RFC 2890 §2): optional checksum (computed, §2.5), key and sequence number. */
export function gre(o: { protocol: number; checksum?: boolean; key?: number; seq?: number }, payload: Uint8Array): Uint8Array {
  const flags = (o.checksum === true ? 0x80 : 0) | (o.key !== undefined ? 0x20 : 0) | (o.seq !== undefined ? 0x10 : 0);
  const w = new ByteWriter().u8(flags).u8(0).u16(o.protocol);
  if (o.checksum === true) w.u16(0).u16(0);
  if (o.key !== undefined) w.u32(o.key);
  if (o.seq !== undefined) w.u32(o.seq);
  const out = concat(w.done(), payload);
  if (o.checksum === true) {
    const sum = internetChecksum(out);
    out[4] = sum >> 8;
    out[5] = sum & 0xff;
  }
  return out;
}

/** ERSPAN type II header (version 1): VLAN, CoS, encapsulation type En, session, index. */
export function erspanII(o: { vlan: number; session: number; en?: number; cos?: number; index?: number }): Uint8Array {
  return new ByteWriter()
    .u16((1 << 12) | (o.vlan & 0x0fff))
    .u16(((o.cos ?? 0) << 13) | ((o.en ?? 0) << 11) | (o.session & 0x03ff))
    .u32((o.index ?? 0) & 0xfffff)
    .done();
}

/**
 * ERSPAN type III header (version 2), frame type Ethernet, timestamp granularity 100 µs; with
 * `platform`, the O bit and the 8-byte platform specific subheader of platform id 7 (source
 * index, upper 32 timestamp bits), as Wireshark decodes it.
 */
export function erspanIII(o: { vlan: number; session: number; timestamp: number; sgt?: number; direction?: boolean; platform?: { sourceIndex: number } }): Uint8Array {
  const w = new ByteWriter()
    .u16((2 << 12) | (o.vlan & 0x0fff))
    .u16(o.session & 0x03ff)
    .u32(o.timestamp)
    .u16(o.sgt ?? 0)
    .u16((o.direction === true ? 0x0008 : 0) | (o.platform !== undefined ? 1 : 0));
  if (o.platform !== undefined) w.u32((7 << 26) | (o.platform.sourceIndex & 0xfffff)).u32(0);
  return w.done();
}

/** VXLAN header (RFC 7348 §5): I flag, 24-bit VNI. */
export function vxlan(vni: number): Uint8Array {
  return new ByteWriter().u8(0x08).zeros(3).u32((vni & 0xffffff) << 8).done();
}

/** Geneve header (RFC 8926 §3.4) with option bytes (a multiple of 4). */
export function geneve(o: { protocol: number; vni: number; options?: Uint8Array }): Uint8Array {
  const opts = o.options ?? new Uint8Array(0);
  if (opts.length % 4 !== 0) throw new RangeError('Geneve options are whole 4-byte words');
  return new ByteWriter().u8(opts.length / 4).u8(0).u16(o.protocol).u32((o.vni & 0xffffff) << 8).bytes(opts).done();
}

/** One Geneve option TLV (RFC 8926 §3.5): class, type, and data of whole 4-byte words. */
export function geneveOption(optClass: number, type: number, data: Uint8Array): Uint8Array {
  if (data.length % 4 !== 0) throw new RangeError('Geneve option data are whole 4-byte words');
  return new ByteWriter().u16(optClass).u8(type).u8(data.length / 4).bytes(data).done();
}

/**
 * GTP-U G-PDU (3GPP TS 29.281 §5.1) with a PDU Session Container extension header (type 0x85,
 * TS 38.415 §5.5.2: PDU type 1 uplink / 0 downlink, QFI), as on a 5G N3 interface.
 */
export function gtpuGpdu(o: { teid: number; uplink: boolean; qfi: number }, tpdu: Uint8Array): Uint8Array {
  const container = Uint8Array.of(1, o.uplink ? 0x10 : 0x00, o.qfi & 0x3f, 0);
  return new ByteWriter()
    .u8(0x34) // version 1, PT 1, E
    .u8(0xff) // G-PDU
    .u16(4 + container.length + tpdu.length)
    .u32(o.teid)
    .u16(0).u8(0).u8(0x85) // sequence, N-PDU number, next: PDU Session Container
    .bytes(container)
    .bytes(tpdu)
    .done();
}

/** An MPLS label stack (RFC 3032 §2.1), top first; the last entry gets the bottom-of-stack bit. */
export function mplsStack(labels: readonly { label: number; tc?: number; ttl?: number }[], payload: Uint8Array): Uint8Array {
  const w = new ByteWriter();
  labels.forEach((l, i) => w.u32(((l.label & 0xfffff) << 12) | (((l.tc ?? 0) & 7) << 9) | (i === labels.length - 1 ? 0x100 : 0) | ((l.ttl ?? 64) & 0xff)));
  return concat(w.done(), payload);
}

/** PPPoE session data (RFC 2516 §4, §7): VER/TYPE 0x11, code 0, session id, length, PPP protocol. */
export function pppoeSession(session: number, pppProtocol: number, payload: Uint8Array): Uint8Array {
  return new ByteWriter().u8(0x11).u8(0).u16(session).u16(2 + payload.length).u16(pppProtocol).bytes(payload).done();
}

/** L2TPv2 data message (RFC 2661 §3.1) with the length field, carrying PPP (address, control, protocol). */
export function l2tpData(tunnel: number, session: number, pppProtocol: number, payload: Uint8Array): Uint8Array {
  const len = 8 + 4 + payload.length; // flags and version, length, tunnel, session; PPP 4
  return new ByteWriter().u16(0x4002).u16(len).u16(tunnel).u16(session).u8(0xff).u8(0x03).u16(pppProtocol).bytes(payload).done();
}

/** 802.1ah I-TAG control field: priority 0, the 24-bit service instance id. */
export function pbbItag(isid: number): Uint8Array {
  return new ByteWriter().u32(isid & 0xffffff).done();
}

// ---------------------------------------------------------------------------------------------
// Link framers: the scenario's IP packets inside a tunnel

/** ERSPAN over GRE from a SPAN source switch to a collector, every frame one way. */
export function erspanLink(o: { type: 'I' | 'II' | 'III'; session: number; tags?: readonly VlanTag[] }): LinkFramer {
  const inner = innerEthernet(o.tags);
  const carrier = outerIpv4(IpProto.GRE, true);
  let seq = 1;
  let timestamp = 0x5e100000;
  return (ip, v, fromClient) => {
    const frame = inner(ip, v, fromClient);
    const vlan = o.tags?.[0]?.vid ?? 0;
    if (o.type === 'I') return carrier(gre({ protocol: EtherType.ERSPAN_II }, frame), true);
    if (o.type === 'II') {
      // En 3: the mirrored frame kept its VLAN tag; without tags, En 0.
      const hdr = erspanII({ vlan, session: o.session, en: o.tags !== undefined ? 3 : 0, index: 0x00015 });
      return carrier(gre({ protocol: EtherType.ERSPAN_II, seq: seq++ }, concat(hdr, frame)), true);
    }
    timestamp = (timestamp + 1500) >>> 0;
    const hdr = erspanIII({ vlan, session: o.session, timestamp, direction: !fromClient, platform: { sourceIndex: 0x00021 } });
    return carrier(gre({ protocol: EtherType.ERSPAN_III, seq: seq++ }, concat(hdr, frame)), true);
  };
}

/** GRE between two routers carrying IP directly, with checksum and key. */
export function greLink(key: number): LinkFramer {
  const carrier = outerIpv4(IpProto.GRE, false);
  return (ip, v, fromClient) => carrier(gre({ protocol: v === 4 ? EtherType.IPV4 : EtherType.IPV6, checksum: true, key }, ip), fromClient);
}

/** VXLAN between two VTEPs (UDP 4789) carrying the Ethernet frame. */
export function vxlanLink(vni: number): LinkFramer {
  const inner = innerEthernet();
  const carrier = outerUdp(4789, [53211, 60912]);
  return (ip, v, fromClient) => carrier(concat(vxlan(vni), inner(ip, v, fromClient)), fromClient);
}

/** Geneve (UDP 6081) with one option, carrying the Ethernet frame, as a cloud appliance tunnel does. */
export function geneveLink(vni: number): LinkFramer {
  const inner = innerEthernet();
  const carrier = outerUdp(6081, [50434, 50434]);
  const options = geneveOption(0x0108, 0x01, Uint8Array.of(0, 0, 0, 0, 0, 0, 0x30, 0x39));
  return (ip, v, fromClient) => carrier(concat(geneve({ protocol: EtherType.TEB, vni, options }), inner(ip, v, fromClient)), fromClient);
}

/** IP in IPv4 (protocol 4 for IPv4 inside, 41 for IPv6 inside). */
export function ipInIpv4Link(): LinkFramer {
  const v4 = outerIpv4(IpProto.IPV4, false);
  const v6 = outerIpv4(IpProto.IPV6, false);
  return (ip, v, fromClient) => (v === 4 ? v4 : v6)(ip, fromClient);
}

/** GTP-U between a gNB (client side) and a UPF, UDP 2152 both ways, one TEID per direction. */
export function gtpuLink(): LinkFramer {
  const carrier = outerUdp(2152, [2152, 2152]);
  return (ip, _v, fromClient) => carrier(gtpuGpdu({ teid: fromClient ? 0x0000a001 : 0x0000b001, uplink: fromClient, qfi: 9 }, ip), fromClient);
}

/** MPLS on Ethernet (0x8847): a transport label and a VPN label above the IP packet. */
export function mplsLink(): LinkFramer {
  return (ip, _v, fromClient) =>
    ethernet(
      { dst: fromClient ? TUNNEL_B_MAC : TUNNEL_A_MAC, src: fromClient ? TUNNEL_A_MAC : TUNNEL_B_MAC, etherType: EtherType.MPLS },
      mplsStack([{ label: fromClient ? 16004 : 16001, ttl: 254 }, { label: 24010, ttl: 127 }], ip),
    );
}

/** A PPPoE session between the client's CPE and the access concentrator. */
export function pppoeLink(session: number): LinkFramer {
  return (ip, v, fromClient) =>
    ethernet({ dst: fromClient ? TUNNEL_B_MAC : CLIENT_MAC, src: fromClient ? CLIENT_MAC : TUNNEL_B_MAC, etherType: EtherType.PPPOE_SESSION, pad: !fromClient },
      pppoeSession(session, v === 4 ? 0x0021 : 0x0057, ip));
}

/** 802.1ah: B-TAG (802.1ad) and I-TAG on the backbone, then the customer frame with its C-tag. */
export function pbbLink(isid: number): LinkFramer {
  const inner = innerEthernet([{ vid: 10 }]);
  return (ip, v, fromClient) =>
    ethernet({ dst: fromClient ? TUNNEL_B_MAC : TUNNEL_A_MAC, src: fromClient ? TUNNEL_A_MAC : TUNNEL_B_MAC, etherType: EtherType.PBB, tags: [{ tpid: EtherType.QINQ, vid: 100 }] },
      concat(pbbItag(isid), inner(ip, v, fromClient)));
}

/**
 * Cisco FabricPath: outer switch addresses (switch id, sub-switch id, local id), the FP tag
 * (EtherType 0x8903, FTag 1, TTL 32), the classic Ethernet frame, and the FabricPath frame's
 * own FCS, which Wireshark's packet-cfp.c expects as the last 4 bytes.
 */
export function fabricPathLink(): LinkFramer {
  const inner = innerEthernet();
  const swA = '02:00:0a:00:00:01';
  const swB = '02:00:0b:00:00:01';
  return (ip, v, fromClient) => {
    const frame = ethernet({ dst: fromClient ? swB : swA, src: fromClient ? swA : swB, etherType: EtherType.FABRICPATH },
      concat(Uint8Array.of(0x00, 0x60), inner(ip, v, fromClient)));
    return concat(frame, new ByteWriter(true).u32(crc32(frame)).done());
  };
}

/** CRC-32 of IEEE 802.3 (reflected, polynomial 0xedb88320), as an Ethernet FCS holds it. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) {
    c ^= b[i]!;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** L2TPv2 (UDP 1701) between a LAC and an LNS, carrying PPP: what rpctrace does not decode. */
export function l2tpLink(): LinkFramer {
  const carrier = outerUdp(1701, [1701, 1701]);
  return (ip, v, fromClient) => carrier(l2tpData(fromClient ? 0x1f01 : 0x2e02, fromClient ? 0x0001 : 0x0002, v === 4 ? 0x0021 : 0x0057, ip), fromClient);
}

/**
 * The classic failure with each SYN to the blocked port sent as IP fragments of `fragment`
 * bytes: 16 splits the TCP header (ports, sequence numbers, no flags) from the rest.
 */
export function blockedFragmentedSyns(o: ScenarioOptions, fragment: number): WriterFrame[] {
  const out: WriterFrame[] = [];
  const clock = epmPart(out, o, [{ iface: DRSUAPI_V4, port: BLOCKED_PORT, ip: defaultTowerIp(o) }]);
  clock.advanceMs(2);
  const c = dynConversation(out, o, clock, BLOCKED_PORT, 100);
  const first = clock.clone();
  for (const at of [0, 3000, 9000]) {
    clock.setAfter(first, at);
    c.syn(0, fragment);
  }
  return out;
}
