/**
 * What the dissector learned about one frame: a reused object of numbers and offsets into the
 * frame's buffer. Nothing here allocates; text (addresses) is made only when an analysis
 * decides an event is worth keeping.
 */
import { EMPTY, ipv4Text, ipv6Text } from '../wire/bytes.js';

/** Transport the dissector reached (L4 value in `PacketInfo.l4`). */
export const L4 = { NONE: 0, TCP: 1, UDP: 2, ICMP: 3, ICMPV6: 4, OTHER: 5 } as const;
export type L4 = (typeof L4)[keyof typeof L4];

/**
 * Encapsulations the dissector follows around one packet, at most (GRE + ERSPAN inside VXLAN
 * inside MPLS is four): deeper nesting is counted as `encapsulation_too_deep`.
 */
export const MAX_ENCAP_DEPTH = 8;

/** A quoted datagram inside an ICMP error: addresses and ports of the original packet. */
export class QuotedHeader {
  /** 0 when nothing usable was quoted, else 4 or 6. */
  ipVersion = 0;
  protocol = 0;
  srcOff = 0;
  dstOff = 0;
  /** -1 when the quote is too short to hold them. */
  srcPort = -1;
  dstPort = -1;
  /** TCP sequence number of the quoted segment, -1 when not TCP or not quoted. */
  seq = -1;
}

/** Per-frame facts. Reused for every frame: copy what you keep. */
export class PacketInfo {
  frame = 0;
  /** False for records without a packet (pcapng custom / journal blocks): nothing below is set. */
  isPacket = true;
  tsSec = 0;
  tsNsec = 0;
  linkType = 0;
  buf: Uint8Array = EMPTY;
  /** Captured bytes of the frame. */
  capLen = 0;
  origLen = 0;

  /** VLAN tags of the frame's own link header (0 when untagged) and the outer / inner VLAN ids. */
  vlanTags = 0;
  outerVlan = 0;
  innerVlan = 0;

  /**
   * The encapsulations around the analysed IP packet, outermost first, as Encap codes
   * (wire/constants.ts); `encapDepth` of them are valid, 0 when the packet was not tunnelled.
   * Everything below (ip*, l4, ports, flags, payload) describes the innermost IP packet decoded.
   */
  readonly encaps = new Uint8Array(MAX_ENCAP_DEPTH);
  encapDepth = 0;
  /**
   * The frame's outermost IP header when it is not the analysed one (a tunnel in IP: GRE,
   * ERSPAN, VXLAN, Geneve, IP in IP, GTP-U): its version (0 when the analysed header is the
   * first), and its address offsets in `outerBuf` (the reassembled datagram when it came in
   * fragments). MPLS, PPPoE, PBB and FabricPath have no outer IP header.
   */
  outerIpVersion = 0;
  outerBuf: Uint8Array = EMPTY;
  outerSrcOff = 0;
  outerDstOff = 0;

  /** 0 (no IP), 4 or 6. */
  ipVersion = 0;
  srcOff = 0;
  dstOff = 0;
  /** IP protocol / IPv6 upper-layer next header. */
  ipProto = 0;
  /** True when the IP datagram's own length says more bytes than were captured. */
  ipCut = false;
  /**
   * 0: not a fragment. 1: the first fragment of a datagram not yet complete: the transport
   * header is decoded, the payload is only this fragment's part. 2: this frame completed a
   * datagram; `buf` is the reassembled datagram and the transport fields describe all of it.
   */
  fragment: 0 | 1 | 2 = 0;
  /**
   * With fragment 2: the first fragment came on an earlier frame and was analysed there (as
   * fragment 1, holding the whole transport header), so only the payload is new. False when the
   * first fragment did not hold the header: then this frame is the datagram's first analysis.
   */
  firstPieceSeen = false;

  l4: L4 = L4.NONE;
  /** With TCP: the snaplen cut the options (the fixed header was read). */
  tcpOptionsCut = false;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  /** Start of the transport header. */
  l4Off = 0;
  /** Transport payload: where it starts and how long it is according to the IP length. */
  payloadOff = 0;
  payloadLen = 0;
  /** Payload bytes actually present in the capture (less than payloadLen after a snaplen cut). */
  payloadCaptured = 0;

  icmpType = 0;
  icmpCode = 0;
  readonly quoted = new QuotedHeader();

  /** Source address as text. Allocates. */
  srcText(): string {
    return this.ipVersion === 4 ? ipv4Text(this.buf, this.srcOff) : ipv6Text(this.buf, this.srcOff);
  }
  /** Destination address as text. Allocates. */
  dstText(): string {
    return this.ipVersion === 4 ? ipv4Text(this.buf, this.dstOff) : ipv6Text(this.buf, this.dstOff);
  }
  /** Outer (tunnel) source address as text, '' when not tunnelled in IP. Allocates. */
  outerSrcText(): string {
    if (this.outerIpVersion === 0) return '';
    return this.outerIpVersion === 4 ? ipv4Text(this.outerBuf, this.outerSrcOff) : ipv6Text(this.outerBuf, this.outerSrcOff);
  }
  /** Outer (tunnel) destination address as text, '' when not tunnelled in IP. Allocates. */
  outerDstText(): string {
    if (this.outerIpVersion === 0) return '';
    return this.outerIpVersion === 4 ? ipv4Text(this.outerBuf, this.outerDstOff) : ipv6Text(this.outerBuf, this.outerDstOff);
  }
  /** Quoted original source address as text. Allocates. */
  quotedSrcText(): string {
    const q = this.quoted;
    return q.ipVersion === 4 ? ipv4Text(this.buf, q.srcOff) : ipv6Text(this.buf, q.srcOff);
  }
  /** Quoted original destination address as text. Allocates. */
  quotedDstText(): string {
    const q = this.quoted;
    return q.ipVersion === 4 ? ipv4Text(this.buf, q.dstOff) : ipv6Text(this.buf, q.dstOff);
  }
}
