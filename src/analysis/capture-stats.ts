/** Per-file frame counters: typed arrays indexed by constants, nothing allocated per frame. */
import { TcpFlag } from '../wire/constants.js';
import { LINK_TYPE_NAMES } from '../wire/constants.js';
import { Icmp4Type, Icmp6Type } from '../wire/icmp.js';
import { DECODED_LINK_TYPES } from '../dissect/dissector.js';
import { L4, type PacketInfo } from '../dissect/packet-info.js';
import type { CaptureStats, LinkTypeCount } from '../model/report.js';
import type { CaptureRecord } from '../capture/reader.js';
import { isoNs } from '../capture/timestamp.js';
import { NETMON_UNMAPPED_BASE } from '../capture/netmon.js';

const C = {
  bytes: 0, ipv4: 1, ipv6: 2, tcp: 3, udp: 4, icmp: 5, icmpv6: 6, nonIp: 7,
  tcpSyn: 8, tcpSynAck: 9, tcpRst: 10, tcpFin: 11, icmpUnreachable: 12, nonPacket: 13,
} as const;
const N = 14;
/** Link types counted in the array; others in a Map. */
const LINK_SLOTS = 512;

/** Counts frames by link type, protocol and TCP flag; tracks the time span. */
export class CaptureCounters {
  private readonly c = new Float64Array(N);
  /** Frames by link type below LINK_SLOTS (every LINKTYPE in common use). */
  private readonly byLink = new Float64Array(LINK_SLOTS);
  /**
   * The rest: other LINKTYPE values, and NetMon media types with no LINKTYPE equivalent
   * (NETMON_UNMAPPED_BASE + media). A full 65536-slot table cost a file 0.2 ms to scan.
   */
  private readonly otherLinks = new Map<number, number>();
  frames = 0;
  minSec = Infinity;
  minNsec = 0;
  maxSec = -Infinity;
  maxNsec = 0;

  add(p: PacketInfo): void {
    const c = this.c;
    this.frames++;
    if (!p.isPacket) { c[C.nonPacket]!++; return; }
    this.frame(p.capLen, p.linkType, p.tsSec, p.tsNsec);
    if (p.ipVersion === 4) c[C.ipv4]!++;
    else if (p.ipVersion === 6) c[C.ipv6]!++;
    else { c[C.nonIp]!++; return; }
    // The transport of a reassembled datagram was counted on its first fragment's frame.
    if (p.fragment === 2 && p.firstPieceSeen) return;
    switch (p.l4) {
      case L4.TCP: {
        c[C.tcp]!++;
        const f = p.tcpFlags;
        if ((f & TcpFlag.SYN) !== 0) {
          if ((f & TcpFlag.ACK) !== 0) c[C.tcpSynAck]!++;
          else c[C.tcpSyn]!++;
        }
        if ((f & TcpFlag.RST) !== 0) c[C.tcpRst]!++;
        if ((f & TcpFlag.FIN) !== 0) c[C.tcpFin]!++;
        return;
      }
      case L4.UDP:
        c[C.udp]!++;
        return;
      case L4.ICMP:
        c[C.icmp]!++;
        if (p.icmpType === Icmp4Type.DEST_UNREACHABLE) c[C.icmpUnreachable]!++;
        return;
      case L4.ICMPV6:
        c[C.icmpv6]!++;
        if (p.icmpType === Icmp6Type.DEST_UNREACHABLE) c[C.icmpUnreachable]!++;
        return;
      default:
    }
  }

  /**
   * What `add` counts for an unfragmented IPv4 or IPv6 TCP segment without SYN, FIN or RST
   * (the bulk path, bulk-path.ts); `linkType` is one of 0..65535.
   */
  addPlainSegment(r: CaptureRecord, ipVersion: number): void {
    const c = this.c;
    this.frames++;
    this.frame(r.capLen, r.linkType, r.tsSec, r.tsNsec);
    c[ipVersion === 4 ? C.ipv4 : C.ipv6]!++;
    c[C.tcp]!++;
  }

  /** Bytes, link type and time span of one packet. */
  private frame(capLen: number, lt: number, s: number, nsec: number): void {
    this.c[C.bytes]! += capLen;
    if (lt >= 0 && lt < LINK_SLOTS) this.byLink[lt]!++;
    else this.otherLinks.set(lt, (this.otherLinks.get(lt) ?? 0) + 1);
    if (s < this.minSec || (s === this.minSec && nsec < this.minNsec)) { this.minSec = s; this.minNsec = nsec; }
    if (s > this.maxSec || (s === this.maxSec && nsec > this.maxNsec)) { this.maxSec = s; this.maxNsec = nsec; }
  }

  stats(synRetransmissions: number): CaptureStats {
    const c = this.c;
    return {
      bytes: c[C.bytes]!, ipv4: c[C.ipv4]!, ipv6: c[C.ipv6]!, tcp: c[C.tcp]!, udp: c[C.udp]!,
      icmp: c[C.icmp]!, icmpv6: c[C.icmpv6]!, nonIp: c[C.nonIp]!, tcpSyn: c[C.tcpSyn]!,
      tcpSynRetransmissions: synRetransmissions, tcpSynAck: c[C.tcpSynAck]!, tcpRst: c[C.tcpRst]!,
      tcpFin: c[C.tcpFin]!, icmpUnreachable: c[C.icmpUnreachable]!, nonPacketRecords: c[C.nonPacket]!,
    };
  }

  linkTypes(): LinkTypeCount[] {
    const all: [number, number][] = [...this.otherLinks];
    for (let lt = 0; lt < LINK_SLOTS; lt++) if (this.byLink[lt]! > 0) all.push([lt, this.byLink[lt]!]);
    return all.sort((a, b) => a[0] - b[0]).map(([lt, n]) => (lt >= 0 && lt < 65536
      ? { linkType: lt, name: LINK_TYPE_NAMES[lt] ?? `LINKTYPE ${lt}`, frames: n, decoded: DECODED_LINK_TYPES.has(lt) }
      : { linkType: lt, name: lt >= NETMON_UNMAPPED_BASE ? `NetMon media type ${lt - NETMON_UNMAPPED_BASE}` : `link type ${lt}`, frames: n, decoded: false }));
  }

  /** True once a packet (not a non-packet record) set the time span. */
  get timed(): boolean {
    return this.minSec !== Infinity;
  }
  firstTimestamp(): string | null {
    return this.timed ? isoNs(this.minSec, this.minNsec) : null;
  }
  lastTimestamp(): string | null {
    return this.timed ? isoNs(this.maxSec, this.maxNsec) : null;
  }
  durationSeconds(): number {
    if (!this.timed) return 0;
    return (this.maxSec - this.minSec) + (this.maxNsec - this.minNsec) / 1e9;
  }
}
