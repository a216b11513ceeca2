/**
 * Drives the wire views over one frame: link type -> link layer -> IP -> transport, filling the
 * reused PacketInfo. A failed `wrap` notes an anomaly and stops descending; an exception is a
 * bug, counted as `internal_decoder_error`, and the run goes on.
 *
 * Tunnels and encapsulations are followed by table, each layer naming the next: an EtherType
 * (Ethernet, SLL, GRE, Geneve, VXLAN-GPE) leads to IP, MPLS, PPPoE, PBB, FabricPath or another
 * Ethernet frame; an IP protocol to GRE or IP in IP; a UDP port to VXLAN, VXLAN-GPE, Geneve,
 * GTP-U or MPLS. The innermost IP packet is the one PacketInfo describes, so a conversation
 * inside a tunnel is analysed like any other; the carrier stays in `encaps` and `outer*`. At
 * most MAX_ENCAP_DEPTH encapsulations are followed. Encapsulations recognised but not decoded
 * (L2TP, EtherIP, NSH, unknown payload types) are counted per kind for the report.
 */
import { ipv4Text, ipv6Text, u32be, u32le, u8 } from '../wire/bytes.js';
import { Defragmenter } from './defragment.js';
import { ENCAP_CODES, ENCAP_NAMES, Encap, EtherType, IpProto, LinkType, PppProto, UdpPort } from '../wire/constants.js';
import { EthernetView } from '../wire/ethernet.js';
import { GreView } from '../wire/gre.js';
import { ErspanFrameType, ErspanVersion, ErspanView } from '../wire/erspan.js';
import { VxlanView } from '../wire/vxlan.js';
import { GeneveView } from '../wire/geneve.js';
import { GTPU_G_PDU, GtpuView } from '../wire/gtpu.js';
import { MPLS_CONTROL_WORD, MplsPayload, MplsView } from '../wire/mpls.js';
import { PppView, PppoeView } from '../wire/ppp.js';
import { PbbView } from '../wire/pbb.js';
import { FabricPathView } from '../wire/fabricpath.js';
import { SllView } from '../wire/sll.js';
import { Ipv4View } from '../wire/ipv4.js';
import { Ipv6View } from '../wire/ipv6.js';
import { TcpView } from '../wire/tcp.js';
import { UdpView } from '../wire/udp.js';
import { IcmpView, icmp4IsError, icmp6IsError } from '../wire/icmp.js';
import { Status } from '../wire/status.js';
import type { CaptureRecord } from '../capture/reader.js';
import type { AnomalyName } from '../model/anomalies.js';
import type { ReadProblem } from '../model/read-problem.js';
import { AnomalyCounter } from './anomaly-counter.js';
import { L4, MAX_ENCAP_DEPTH, PacketInfo } from './packet-info.js';

/** BSD address-family values for IPv6 in DLT_NULL headers: NetBSD/OpenBSD 24, FreeBSD 28, Darwin 30. */
const AF_INET = 2;
const isAfInet6 = (af: number): boolean => af === 24 || af === 28 || af === 30 || af === 10;

/** Link types this dissector decodes. */
export const DECODED_LINK_TYPES: ReadonlySet<number> = new Set<number>([
  LinkType.NULL, LinkType.ETHERNET, LinkType.RAW_BSD12, LinkType.RAW_BSD14, LinkType.RAW, LinkType.LOOP,
  LinkType.LINUX_SLL, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2,
]);

/** One dissector per file; `dissect` returns the same PacketInfo every time. */
export class Dissector {
  readonly info = new PacketInfo();
  readonly anomalies = new AnomalyCounter();
  private readonly eth = new EthernetView();
  private readonly sll = new SllView();
  private readonly ip4 = new Ipv4View();
  private readonly ip6 = new Ipv6View();
  private readonly tcp = new TcpView();
  private readonly udp = new UdpView();
  private readonly icmp = new IcmpView();
  private readonly q4 = new Ipv4View();
  private readonly q6 = new Ipv6View();
  private readonly gre = new GreView();
  private readonly erspan = new ErspanView();
  private readonly vxlan = new VxlanView();
  private readonly geneve = new GeneveView();
  private readonly gtpu = new GtpuView();
  private readonly mpls = new MplsView();
  private readonly pppoe = new PppoeView();
  private readonly ppp = new PppView();
  private readonly pbb = new PbbView();
  private readonly fabricPath = new FabricPathView();
  /** IP reassembly across frames. */
  readonly defrag = new Defragmenter((first) => this.anomalies.note('incomplete_ip_datagram', first));
  /** IP fragments seen so far. */
  fragments = 0;
  /** Frames whose packet sits in an encapsulation not decoded, by Encap code, and the first such frame of each. */
  readonly undecodedFrames = new Float64Array(ENCAP_CODES);
  readonly undecodedFirst = new Float64Array(ENCAP_CODES);
  /** Encapsulations entered so far in the current frame. */
  private depth = 0;

  dissect(r: CaptureRecord): PacketInfo {
    const p = this.info;
    p.frame = r.frame;
    p.tsSec = r.tsSec;
    p.tsNsec = r.tsNsec;
    p.linkType = r.linkType;
    p.buf = r.buf;
    p.capLen = r.capLen;
    p.origLen = r.origLen;
    p.vlanTags = 0;
    p.encapDepth = 0;
    p.outerIpVersion = 0;
    p.ipVersion = 0;
    p.l4 = L4.NONE;
    p.tcpOptionsCut = false;
    p.quoted.ipVersion = 0;
    p.fragment = 0;
    p.firstPieceSeen = false;
    p.isPacket = r.isPacket;
    this.depth = 0;
    if (!r.isPacket) return p;
    try {
      this.link(r.buf, r.off, r.off + r.capLen, r.linkType);
    } catch {
      p.ipVersion = 0;
      p.l4 = L4.NONE;
      this.anomalies.note('internal_decoder_error', r.frame);
    }
    return p;
  }

  private link(b: Uint8Array, off: number, end: number, linkType: number): void {
    switch (linkType) {
      case LinkType.ETHERNET: {
        const e = this.eth;
        const s = e.wrap(b, off, end);
        if (s !== Status.Ok) return this.note(s, 'truncated_link', 'malformed_link');
        const p = this.info;
        p.vlanTags = e.tags;
        p.outerVlan = e.outerVlan;
        p.innerVlan = e.innerVlan;
        return this.ether(b, e.payloadOff, end, e.etherType);
      }
      case LinkType.LINUX_SLL: {
        if (this.sll.wrapV1(b, off, end) !== Status.Ok) return this.note(Status.Truncated, 'truncated_link', 'malformed_link');
        return this.ether(b, this.sll.payloadOff, end, this.sll.etherType);
      }
      case LinkType.LINUX_SLL2: {
        if (this.sll.wrapV2(b, off, end) !== Status.Ok) return this.note(Status.Truncated, 'truncated_link', 'malformed_link');
        return this.ether(b, this.sll.payloadOff, end, this.sll.etherType);
      }
      case LinkType.RAW:
      case LinkType.RAW_BSD12:
      case LinkType.RAW_BSD14: {
        if (end - off < 1) return this.note(Status.Truncated, 'truncated_link', 'malformed_link');
        const v = b[off]! >>> 4;
        if (v === 4) return this.ipv4(b, off, end);
        if (v === 6) return this.ipv6(b, off, end);
        // Raw IP carries nothing but IP: another version number is a broken header.
        return this.note(Status.Malformed, 'truncated_ip', 'malformed_ip');
      }
      case LinkType.IPV4:
        return this.ipv4(b, off, end);
      case LinkType.IPV6:
        return this.ipv6(b, off, end);
      case LinkType.NULL:
      case LinkType.LOOP: {
        if (end - off < 4) return this.note(Status.Truncated, 'truncated_link', 'malformed_link');
        // DLT_NULL stores the family in the capturing host's byte order; LOOP in network order.
        // Real values are below 256, so the order whose value is small is the right one.
        let af = u32be(b, off);
        if (linkType === LinkType.NULL && af > 0xffff) af = u32le(b, off);
        if (af === AF_INET) return this.ipv4(b, off + 4, end);
        if (isAfInet6(af)) return this.ipv6(b, off + 4, end);
        return;
      }
      default:
        this.anomalies.note('unsupported_link_type', this.info.frame);
    }
  }

  /** What an EtherType names, wherever it appears (link header, SLL, inside a tunnel). */
  private ether(b: Uint8Array, off: number, end: number, type: number): void {
    switch (type) {
      case EtherType.IPV4: return this.ipv4(b, off, end);
      case EtherType.IPV6: return this.ipv6(b, off, end);
      case EtherType.MPLS:
      case EtherType.MPLS_MC: return this.mplsStack(b, off, end);
      case EtherType.PPPOE_SESSION: return this.pppoeSession(b, off, end);
      case EtherType.PBB: return this.pbbFrame(b, off, end);
      case EtherType.FABRICPATH: return this.fabricPathFrame(b, off, end);
      case EtherType.NSH: return this.undecoded(Encap.NSH);
      default:
        // ARP, PPPoE discovery (RFC 2516 §5), LLDP and the rest carry no IP packet.
    }
  }

  /** An Ethernet frame inside an encapsulation (without FCS, as Wireshark's eth_withoutfcs). */
  private ethernetFrame(b: Uint8Array, off: number, end: number): void {
    const e = this.eth;
    const s = e.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    this.ether(b, e.payloadOff, end, e.etherType);
  }

  /**
   * The payload of a tunnel that names it by EtherType (GRE, Geneve, VXLAN-GPE). A type that
   * carries no IP packet is nothing hidden; any other type not decoded is reported.
   */
  private carried(kind: Encap, b: Uint8Array, off: number, end: number, type: number): void {
    switch (type) {
      case EtherType.TEB: return this.ethernetFrame(b, off, end);
      case EtherType.IPV4:
      case EtherType.IPV6:
      case EtherType.MPLS:
      case EtherType.MPLS_MC:
      case EtherType.PPPOE_SESSION:
      case EtherType.PBB:
      case EtherType.NSH: return this.ether(b, off, end, type);
      case EtherType.ARP:
      case EtherType.PPPOE_DISCOVERY: return;
      default: return this.undecoded(kind);
    }
  }

  /**
   * Records one more encapsulation around whatever IP packet comes next; false (and
   * `encapsulation_too_deep`) past MAX_ENCAP_DEPTH.
   */
  private enter(kind: Encap): boolean {
    if (this.depth >= MAX_ENCAP_DEPTH) {
      this.anomalies.note('encapsulation_too_deep', this.info.frame);
      this.countUndecoded(Encap.TOO_DEEP);
      return false;
    }
    this.info.encaps[this.depth++] = kind;
    return true;
  }

  /** A packet inside an encapsulation rpctrace does not decode: counted, reported, not analysed. */
  private undecoded(kind: Encap): void {
    this.anomalies.note('undecoded_encapsulation', this.info.frame);
    this.countUndecoded(kind);
  }

  private countUndecoded(kind: Encap): void {
    if (this.undecodedFrames[kind]! === 0) this.undecodedFirst[kind] = this.info.frame;
    this.undecodedFrames[kind]!++;
  }

  /** After the last frame: datagrams still waiting for fragments are given up (and counted). */
  finish(): void {
    this.defrag.finish();
  }

  /**
   * The warning a report shows for frames not analysed because of their encapsulation, with
   * the count per kind and the first frame of each; null when there were none.
   */
  undecodedWarning(): ReadProblem | null {
    let total = 0;
    const parts: string[] = [];
    for (let k = 1; k < ENCAP_CODES; k++) {
      const n = this.undecodedFrames[k]!;
      if (n === 0) continue;
      total += n;
      parts.push(`${ENCAP_NAMES[k] ?? `encapsulation ${k}`}: ${n} from frame ${this.undecodedFirst[k]!}`);
    }
    if (total === 0) return null;
    return {
      code: 'undecoded-encapsulation',
      severity: 'warning',
      offset: 0,
      message: `${total} frame(s) carry their packet inside an encapsulation rpctrace does not decode (${parts.join('; ')}): counted, not analyzed, so conversations inside them are missing from the verdicts`,
    };
  }

  /** RFC 3032 label stack, then what the first nibble after it suggests (mpls.ts). */
  private mplsStack(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.MPLS)) return;
    const m = this.mpls;
    const s = m.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    switch (m.payload) {
      case MplsPayload.IPV4: return this.ipv4(b, m.payloadOff, end);
      case MplsPayload.IPV6: return this.ipv6(b, m.payloadOff, end);
      case MplsPayload.ETHERNET_CW: return this.ethernetFrame(b, m.payloadOff + MPLS_CONTROL_WORD, end);
      case MplsPayload.ETHERNET: return this.ethernetFrame(b, m.payloadOff, end);
      default:
        // Nothing after the stack, or an associated channel (OAM): no user packet.
    }
  }

  /** RFC 2516 §4 session stage: PPP inside, bounded by the PPPoE length. */
  private pppoeSession(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.PPPOE)) return;
    const v = this.pppoe;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    // RFC 2516 §6: session data has code 0; the other codes belong to the discovery stage.
    if (v.code !== 0) return;
    this.pppFrame(Encap.PPPOE, b, v.payloadOff, v.payloadEnd, false);
  }

  /** A PPP frame: IPv4, IPv6 or MPLS are followed; control protocols carry no user packet. */
  private pppFrame(kind: Encap, b: Uint8Array, off: number, end: number, hdlc: boolean): void {
    const v = this.ppp;
    const s = v.wrap(b, off, end, hdlc);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    switch (v.protocol) {
      case PppProto.IPV4: return this.ipv4(b, v.payloadOff, end);
      case PppProto.IPV6: return this.ipv6(b, v.payloadOff, end);
      case PppProto.MPLS:
      case PppProto.MPLS_MC: return this.mplsStack(b, v.payloadOff, end);
      default:
        // RFC 1661 §2: values from 0x8000 are control protocols (LCP, IPCP, CHAP, ...); below
        // are network-layer packets, which rpctrace cannot read (compressed or encrypted data,
        // other protocols).
        if (v.protocol < 0x8000) this.undecoded(kind);
    }
  }

  /** 802.1ah: the I-TAG, then the customer frame. */
  private pbbFrame(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.PBB)) return;
    const v = this.pbb;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    this.ethernetFrame(b, v.payloadOff, end);
  }

  /** FabricPath: the rest of the tag, then the original frame (fabricpath.ts). */
  private fabricPathFrame(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.FABRICPATH)) return;
    const v = this.fabricPath;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    this.ethernetFrame(b, v.payloadOff, end);
  }

  /** GRE (gre.ts), then its payload by protocol type; ERSPAN and PPP have their own. */
  private grePacket(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.GRE)) return;
    const g = this.gre;
    const s = g.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    const pOff = g.payloadOff;
    const pEnd = g.payloadEnd;
    // PPTP sends acknowledgments without payload (RFC 2637 §4.1, payload length 0).
    if (pOff >= pEnd) return;
    const type = g.protocol;
    switch (type) {
      case EtherType.ERSPAN_II:
        // Wireshark packet-erspan.c: without a GRE sequence number this is type I, the mirrored
        // frame right after GRE; with one, an ERSPAN header comes first.
        if (g.sequencePresent) return this.erspanFrame(b, pOff, pEnd);
        if (!this.enter(Encap.ERSPAN_I)) return;
        return this.ethernetFrame(b, pOff, pEnd);
      case EtherType.ERSPAN_III: return this.erspanFrame(b, pOff, pEnd);
      case EtherType.PPP: return this.pppFrame(Encap.GRE, b, pOff, pEnd, true);
      default: return this.carried(Encap.GRE, b, pOff, pEnd, type);
    }
  }

  /** An ERSPAN type II or III header (its version decides, as in Wireshark), then the frame. */
  private erspanFrame(b: Uint8Array, off: number, end: number): void {
    const v = this.erspan;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    const kind = v.version === ErspanVersion.TYPE_III ? Encap.ERSPAN_III : Encap.ERSPAN_II;
    if (!this.enter(kind)) return;
    if (v.frameType !== ErspanFrameType.ETHERNET) return this.undecoded(kind);
    this.ethernetFrame(b, v.payloadOff, end);
  }

  /** A tunnel on UDP, chosen by port: the payload is `b[off, end)`. */
  private udpTunnel(srcPort: number, dstPort: number, b: Uint8Array, off: number, end: number): void {
    switch (dstPort) {
      case UdpPort.VXLAN: return this.vxlanFrame(b, off, end, false);
      case UdpPort.VXLAN_GPE: return this.vxlanFrame(b, off, end, true);
      case UdpPort.GENEVE: return this.genevePacket(b, off, end);
      case UdpPort.MPLS: return this.mplsStack(b, off, end);
      default:
    }
    // GTP-U and L2TP peers both use the well-known port, but a reply may come from it only.
    if (dstPort === UdpPort.GTP_U || srcPort === UdpPort.GTP_U) return this.gtpuPacket(b, off, end);
    if (dstPort === UdpPort.L2TP || srcPort === UdpPort.L2TP) return this.undecoded(Encap.L2TP);
  }

  private vxlanFrame(b: Uint8Array, off: number, end: number, gpe: boolean): void {
    const kind = gpe ? Encap.VXLAN_GPE : Encap.VXLAN;
    if (!this.enter(kind)) return;
    const v = this.vxlan;
    const s = v.wrap(b, off, end, gpe);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    if (v.payloadType === 0) return this.undecoded(kind);
    this.carried(kind, b, v.payloadOff, end, v.payloadType);
  }

  private genevePacket(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.GENEVE)) return;
    const v = this.geneve;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    this.carried(Encap.GENEVE, b, v.payloadOff, end, v.protocol);
  }

  /** GTP-U: a G-PDU's T-PDU is IP, told by its version nibble; other messages carry no user packet. */
  private gtpuPacket(b: Uint8Array, off: number, end: number): void {
    if (!this.enter(Encap.GTP_U)) return;
    const v = this.gtpu;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_encapsulation', 'malformed_encapsulation');
    if (v.messageType !== GTPU_G_PDU || v.payloadOff >= v.payloadEnd) return;
    const version = u8(b, v.payloadOff) >>> 4;
    if (version === 4) return this.ipv4(b, v.payloadOff, v.payloadEnd);
    if (version === 6) return this.ipv6(b, v.payloadOff, v.payloadEnd);
    // 5G PDU sessions of type Ethernet or unstructured (TS 29.281 §5.2.2.7 names the type).
    this.undecoded(Encap.GTP_U);
  }

  /**
   * An IP header decoded: it becomes the packet PacketInfo describes. When another IP header
   * came before it in the frame, the first of them is kept as the outer one.
   */
  private enterIp(): void {
    const p = this.info;
    if (p.ipVersion !== 0 && p.outerIpVersion === 0) {
      p.outerIpVersion = p.ipVersion;
      p.outerBuf = p.buf;
      p.outerSrcOff = p.srcOff;
      p.outerDstOff = p.dstOff;
    }
    p.encapDepth = this.depth;
    p.fragment = 0;
    p.firstPieceSeen = false;
    p.tcpOptionsCut = false;
    p.l4 = L4.OTHER;
  }

  /**
   * Whether the first fragment of a datagram holds its whole transport header within the
   * fragment's own length: then it is analysed on its own frame. Otherwise the header goes on in
   * the next fragment (or the payload is a tunnel, decoded only whole) and the datagram is
   * analysed when it completes, as Wireshark does.
   */
  private headerInFirstFragment(b: Uint8Array, off: number, capEnd: number, declEnd: number, proto: number): boolean {
    switch (proto) {
      case IpProto.TCP:
        if (declEnd - off < 20) return false;
        // Data offset not captured: the TCP view calls the cut what it is.
        if (off + 13 > capEnd) return true;
        return off + (u8(b, off + 12) >>> 4) * 4 <= declEnd;
      case IpProto.UDP: {
        if (declEnd - off < 8) return false;
        if (off + 4 > capEnd) return true;
        const src = (u8(b, off) << 8) | u8(b, off + 1);
        const dst = (u8(b, off + 2) << 8) | u8(b, off + 3);
        return !isTunnelPort(src) && !isTunnelPort(dst);
      }
      case IpProto.ICMP:
      case IpProto.ICMPV6:
        return declEnd - off >= 8;
      default:
        return false;
    }
  }

  private ipv4(b: Uint8Array, off: number, end: number): void {
    const v = this.ip4;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_ip', 'malformed_ip');
    const p = this.info;
    this.enterIp();
    p.ipVersion = 4;
    p.srcOff = v.srcOff;
    p.dstOff = v.dstOff;
    p.ipProto = v.protocol;
    p.ipCut = v.cut;
    if (v.moreFragments || v.fragOffset !== 0) {
      // RFC 791: only the first fragment (offset 0) carries the transport header; the datagram
      // is reassembled when its fragments cover it (a snaplen cut fragment cannot be used).
      this.fragments++;
      const first = v.fragOffset === 0;
      if (!first) this.anomalies.note('ip_fragment', p.frame);
      const whole1 = first && this.headerInFirstFragment(b, v.payloadOff, v.end, v.declaredEnd, v.protocol);
      const key = `4|${ipv4Text(b, v.srcOff)}|${ipv4Text(b, v.dstOff)}|${v.id}|${v.protocol}`;
      const whole = v.cut ? null : this.defrag.add(key, p.frame, b, off, v.payloadOff, v.payloadOff, v.end, v.fragOffset, v.moreFragments, whole1);
      if (whole !== null) return this.reassembled(whole.buf, whole.hdrLen, 12, 16, v.protocol, whole.firstSeen);
      // A later fragment, or a first one whose transport header goes on past it: nothing to
      // read here; the datagram is analysed on the frame that completes it.
      if (!whole1) return;
      p.fragment = 1;
    }
    this.transport(b, v.payloadOff, v.end, v.protocol, v.declaredEnd);
  }

  /** Dissects the transport of a reassembled datagram `buf` (IP header of `hdrLen` bytes first). */
  private reassembled(buf: Uint8Array, hdrLen: number, srcOff: number, dstOff: number, proto: number, firstSeen: boolean): void {
    const p = this.info;
    p.buf = buf;
    p.srcOff = srcOff;
    p.dstOff = dstOff;
    p.ipProto = proto;
    p.ipCut = false;
    p.fragment = 2;
    p.firstPieceSeen = firstSeen;
    this.transport(buf, hdrLen, buf.length, proto, buf.length);
  }

  private ipv6(b: Uint8Array, off: number, end: number): void {
    const v = this.ip6;
    const s = v.wrap(b, off, end);
    if (s !== Status.Ok) return this.note(s, 'truncated_ip', 'malformed_ip');
    const p = this.info;
    this.enterIp();
    p.ipVersion = 6;
    p.srcOff = v.srcOff;
    p.dstOff = v.dstOff;
    p.ipProto = v.protocol;
    p.ipCut = v.cut;
    if (v.fragmented) {
      this.fragments++;
      if (v.laterFragment) this.anomalies.note('ip_fragment', p.frame);
      // RFC 8200 §4.5: the first fragment holds the upper-layer header only if it fits there.
      const whole1 = !v.laterFragment && this.headerInFirstFragment(b, v.payloadOff, v.end, v.declaredEnd, v.protocol);
      const key = `6|${ipv6Text(b, v.srcOff)}|${ipv6Text(b, v.dstOff)}|${v.fragId}`;
      const whole = v.cut || v.fragDataOff > v.end ? null : this.defrag.add(key, p.frame, b, off, off + 40, v.fragDataOff, v.end, v.fragOffset, v.fragMore, whole1);
      if (whole !== null) return this.reassembled(whole.buf, whole.hdrLen, 8, 24, v.fragNext, whole.firstSeen);
      if (!whole1) return;
      if (v.fragMore) p.fragment = 1;
    }
    this.transport(b, v.payloadOff, v.end, v.protocol, v.declaredEnd);
  }

  /**
   * `ipEnd` bounds the datagram by its IP length and the captured bytes; `declaredEnd` is where
   * the IP length says it ends. Payload bounds follow the IP length, never the frame: Ethernet
   * padding is not payload.
   */
  private transport(b: Uint8Array, off: number, ipEnd: number, proto: number, declaredEnd: number): void {
    const p = this.info;
    switch (proto) {
      case IpProto.TCP: {
        const t = this.tcp;
        const s = t.wrap(b, off, ipEnd, declaredEnd);
        if (s !== Status.Ok) { p.l4 = L4.OTHER; return this.note(s, 'truncated_tcp', 'malformed_tcp'); }
        if (t.optionsCut) this.anomalies.note('tcp_options_cut', p.frame);
        p.l4 = L4.TCP;
        p.tcpOptionsCut = t.optionsCut;
        p.l4Off = off;
        p.srcPort = t.srcPort;
        p.dstPort = t.dstPort;
        p.tcpFlags = t.flags;
        p.seq = t.seq;
        p.ack = t.ack;
        p.window = t.window;
        p.payloadOff = t.payloadOff;
        this.payloadBounds(ipEnd, declaredEnd);
        return;
      }
      case IpProto.UDP: {
        const u = this.udp;
        const s = u.wrap(b, off, ipEnd);
        if (s !== Status.Ok) { p.l4 = L4.OTHER; return this.note(s, 'truncated_udp', 'truncated_udp'); }
        p.l4 = L4.UDP;
        p.l4Off = off;
        p.srcPort = u.srcPort;
        p.dstPort = u.dstPort;
        p.payloadOff = u.payloadOff;
        this.payloadBounds(ipEnd, declaredEnd);
        if (isTunnelPort(p.dstPort) || isTunnelPort(p.srcPort)) this.udpTunnel(p.srcPort, p.dstPort, b, u.payloadOff, ipEnd);
        return;
      }
      case IpProto.ICMP:
      case IpProto.ICMPV6: {
        const v6 = proto === IpProto.ICMPV6;
        const i = this.icmp;
        const s = i.wrap(b, off, ipEnd);
        if (s !== Status.Ok) { p.l4 = L4.OTHER; return this.note(s, 'truncated_icmp', 'truncated_icmp'); }
        p.l4 = v6 ? L4.ICMPV6 : L4.ICMP;
        p.l4Off = off;
        p.icmpType = i.type;
        p.icmpCode = i.code;
        if (v6 ? icmp6IsError(i.type) : icmp4IsError(i.type)) this.quote(b, i.quoteOff, ipEnd);
        return;
      }
      case IpProto.GRE:
        p.l4 = L4.OTHER;
        return this.grePacket(b, off, ipEnd);
      case IpProto.IPV4:
      case IpProto.IPV6:
        // RFC 2003, RFC 4213 §3.5, RFC 2473: an IP packet right after the IP header.
        p.l4 = L4.OTHER;
        if (!this.enter(Encap.IP_IN_IP)) return;
        return proto === IpProto.IPV4 ? this.ipv4(b, off, ipEnd) : this.ipv6(b, off, ipEnd);
      case IpProto.ETHERIP:
        p.l4 = L4.OTHER;
        return this.undecoded(Encap.ETHERIP);
      case IpProto.L2TP:
        p.l4 = L4.OTHER;
        return this.undecoded(Encap.L2TP);
      default:
        p.l4 = L4.OTHER;
    }
  }

  /** Payload length from the IP length; the captured part from the bytes present. */
  private payloadBounds(ipEnd: number, declaredEnd: number): void {
    const p = this.info;
    const start = p.payloadOff;
    p.payloadCaptured = ipEnd > start ? ipEnd - start : 0;
    p.payloadLen = declaredEnd > start ? declaredEnd - start : 0;
  }

  /** Decodes the datagram quoted by an ICMP error; the quote may be cut anywhere. */
  private quote(b: Uint8Array, off: number, end: number): void {
    const q = this.info.quoted;
    q.ipVersion = 0;
    if (end - off < 1) return;
    const v = b[off]! >>> 4;
    let tOff: number;
    if (v === 4) {
      if (this.q4.wrap(b, off, end) !== Status.Ok) return this.anomalies.note('truncated_icmp', this.info.frame);
      q.ipVersion = 4;
      q.protocol = this.q4.protocol;
      q.srcOff = this.q4.srcOff;
      q.dstOff = this.q4.dstOff;
      tOff = this.q4.payloadOff;
    } else if (v === 6) {
      // The quoted header's payload length describes the original datagram, not the quote.
      const s = this.q6.wrap(b, off, end);
      if (s === Status.Malformed) return this.anomalies.note('truncated_icmp', this.info.frame);
      if (s === Status.Truncated && end - off < 40) return this.anomalies.note('truncated_icmp', this.info.frame);
      q.ipVersion = 6;
      q.protocol = s === Status.Ok ? this.q6.protocol : b[off + 6]!;
      q.srcOff = off + 8;
      q.dstOff = off + 24;
      tOff = s === Status.Ok ? this.q6.payloadOff : off + 40;
    } else {
      return;
    }
    q.srcPort = -1;
    q.dstPort = -1;
    q.seq = -1;
    if ((q.protocol === IpProto.TCP || q.protocol === IpProto.UDP) && end - tOff >= 4) {
      q.srcPort = (b[tOff]! << 8) | b[tOff + 1]!;
      q.dstPort = (b[tOff + 2]! << 8) | b[tOff + 3]!;
      if (q.protocol === IpProto.TCP && end - tOff >= 8) q.seq = u32be(b, tOff + 4);
    }
  }

  private note(s: Status, truncated: AnomalyName, malformed: AnomalyName): void {
    this.anomalies.note(s === Status.Truncated ? truncated : malformed, this.info.frame);
  }
}

/** UDP ports whose payload is a tunnel this dissector follows or reports. */
function isTunnelPort(port: number): boolean {
  return port === UdpPort.VXLAN || port === UdpPort.VXLAN_GPE || port === UdpPort.GENEVE || port === UdpPort.GTP_U ||
    port === UdpPort.MPLS || port === UdpPort.L2TP;
}
