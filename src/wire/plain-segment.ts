/**
 * One pass over link, IP and TCP headers for the commonest frame of a large capture: an
 * unfragmented TCP segment over Ethernet (any VLAN tags) or raw IP, IPv4 with or without
 * options, or IPv6 without extension headers. The separate views (ethernet.ts, ipv4.ts,
 * ipv6.ts, tcp.ts) decide the same things field by field; this reads them into locals in one
 * function, which V8 compiles early and runs several times faster (no view objects to fill).
 *
 * It accepts exactly the frames the views accept as such a segment, with the same offsets and
 * lengths, and rejects everything else (another protocol, a fragment, LLC/SNAP framing, IPv6
 * extension headers, a malformed or cut header); the caller then uses the views.
 * test/unit/wire/plain-segment.test.ts checks the agreement on generated and random frames.
 */
import { EtherType, IpProto, LinkType } from './constants.js';


/** What `plainSegment` found, reused. Offsets index the frame's buffer. */
export class PlainSegment {
  /** 4 or 6. */
  ipVersion = 0;
  srcOff = 0;
  dstOff = 0;
  srcPort = 0;
  dstPort = 0;
  /** The eight TCP flag bits. */
  flags = 0;
  /** Where the TCP payload starts. */
  payloadOff = 0;
  /** Payload length by the IP length, and the part of it present in the capture. */
  payloadLen = 0;
  payloadCaptured = 0;
}

/** Fills `out` and returns true when `b[off, end)` of link type `linkType` is such a segment. */
export function plainSegment(b: Uint8Array, off: number, end: number, linkType: number, out: PlainSegment): boolean {
  let o = off;
  let version: number;
  if (linkType === LinkType.ETHERNET) {
    if (end - off < 14) return false;
    o = off + 12;
    let type = (b[o]! << 8) | b[o + 1]!;
    // Any number of tags, as ethernet.ts: each advances 4 bytes and must fit in the frame.
    while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
      if (o + 6 > end) return false;
      o += 4;
      type = (b[o]! << 8) | b[o + 1]!;
    }
    o += 2;
    if (type === EtherType.IPV4) version = 4;
    else if (type === EtherType.IPV6) version = 6;
    else return false;
  } else if (linkType === LinkType.RAW || linkType === LinkType.RAW_BSD12 || linkType === LinkType.RAW_BSD14) {
    if (end - off < 1) return false;
    version = b[off]! >>> 4;
  } else if (linkType === LinkType.IPV4) {
    version = 4;
  } else if (linkType === LinkType.IPV6) {
    version = 6;
  } else {
    return false;
  }
  let tcp: number;
  let ipEnd: number;
  let declaredEnd: number;
  if (version === 4) {
    if (end - o < 20) return false;
    const vihl = b[o]!;
    const hl = (vihl & 0x0f) * 4;
    if (vihl >>> 4 !== 4 || hl < 20 || o + hl > end) return false;
    let total = (b[o + 2]! << 8) | b[o + 3]!;
    // Total length 0 (segmentation offload): the captured length, as ipv4.ts.
    if (total === 0) total = end - o;
    if (total < hl) return false;
    // Protocol TCP; neither More Fragments nor a fragment offset.
    if (b[o + 9] !== IpProto.TCP || (b[o + 6]! & 0x3f) !== 0 || b[o + 7] !== 0) return false;
    declaredEnd = o + total;
    ipEnd = declaredEnd > end ? end : declaredEnd;
    out.srcOff = o + 12;
    out.dstOff = o + 16;
    tcp = o + hl;
  } else if (version === 6) {
    if (end - o < 40 || b[o]! >>> 4 !== 6 || b[o + 6] !== IpProto.TCP) return false;
    const plen = (b[o + 4]! << 8) | b[o + 5]!;
    declaredEnd = o + (plen === 0 ? end - o : 40 + plen);
    ipEnd = declaredEnd > end ? end : declaredEnd;
    tcp = o + 40;
    if (tcp > ipEnd) return false;
    out.srcOff = o + 8;
    out.dstOff = o + 24;
  } else {
    return false;
  }
  if (ipEnd - tcp < 20) return false;
  const thl = (b[tcp + 12]! >>> 4) * 4;
  if (thl < 20 || tcp + thl > ipEnd) return false;
  const start = tcp + thl;
  out.ipVersion = version;
  out.srcPort = (b[tcp]! << 8) | b[tcp + 1]!;
  out.dstPort = (b[tcp + 2]! << 8) | b[tcp + 3]!;
  out.flags = b[tcp + 13]!;
  // Payload bounds by the IP length, not the frame: Ethernet padding is not payload.
  out.payloadOff = start;
  out.payloadCaptured = ipEnd > start ? ipEnd - start : 0;
  out.payloadLen = declaredEnd > start ? declaredEnd - start : 0;
  return true;
}
