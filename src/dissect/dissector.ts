/**
 * Drives the wire views over one frame: link type -> link layer -> IP -> transport, filling the
 * reused PacketInfo. A failed `wrap` notes an anomaly and stops descending; an exception is a
 * bug, counted as `internal_decoder_error`, and the run goes on.
 */
import { ipv4Text, ipv6Text, u32be, u32le, u8 } from '../wire/bytes.js';
import { Defragmenter } from './defragment.js';
import { EtherType, IpProto, LinkType } from '../wire/constants.js';
import { EthernetView } from '../wire/ethernet.js';
import { SllView } from '../wire/sll.js';
import { Ipv4View } from '../wire/ipv4.js';
import { Ipv6View } from '../wire/ipv6.js';
import { TcpView } from '../wire/tcp.js';
import { UdpView } from '../wire/udp.js';
import { IcmpView, icmp4IsError, icmp6IsError } from '../wire/icmp.js';
import { Status } from '../wire/status.js';
import type { CaptureRecord } from '../capture/reader.js';
import { AnomalyCounter } from './anomaly-counter.js';
import { L4, PacketInfo } from './packet-info.js';

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
  /** IP reassembly across frames. */
  readonly defrag = new Defragmenter();
  /** IP fragments seen so far. */
  fragments = 0;

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
    p.ipVersion = 0;
    p.l4 = L4.NONE;
    p.tcpOptionsCut = false;
    p.quoted.ipVersion = 0;
    p.fragment = 0;
    p.firstPieceSeen = false;
    p.isPacket = r.isPacket;
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

  private ether(b: Uint8Array, off: number, end: number, type: number): void {
    if (type === EtherType.IPV4) this.ipv4(b, off, end);
    else if (type === EtherType.IPV6) this.ipv6(b, off, end);
  }

  /**
   * Whether the first fragment of a datagram holds its whole transport header within the
   * fragment's own length: then it is analysed on its own frame. Otherwise the header goes on in
   * the next fragment, and the datagram is analysed when it completes, as Wireshark does.
   */
  private headerInFirstFragment(b: Uint8Array, off: number, capEnd: number, declEnd: number, proto: number): boolean {
    switch (proto) {
      case IpProto.TCP:
        if (declEnd - off < 20) return false;
        // Data offset not captured: the TCP view calls the cut what it is.
        if (off + 13 > capEnd) return true;
        return off + (u8(b, off + 12) >>> 4) * 4 <= declEnd;
      case IpProto.UDP:
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
      if (!whole1) { p.l4 = L4.OTHER; return; }
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
      if (!whole1) { p.l4 = L4.OTHER; return; }
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

  private note(s: Status, truncated: 'truncated_link' | 'truncated_ip' | 'truncated_tcp' | 'truncated_udp' | 'truncated_icmp', malformed: 'malformed_link' | 'malformed_ip' | 'malformed_tcp' | 'truncated_udp' | 'truncated_icmp'): void {
    this.anomalies.note(s === Status.Truncated ? truncated : malformed, this.info.frame);
  }
}
