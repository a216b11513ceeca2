/**
 * Capture copies: the same IP packet recorded more than once within a few milliseconds. Two
 * set-ups make them: a capture tool that records a packet at several points of one host (pktmon
 * writes one copy per network component it crosses; a span port can mirror a packet twice), and
 * a capture on a router or firewall that records a forwarded packet on each interface it crosses
 * (once on the inside, once on the outside, the TTL or hop limit one lower).
 * Both are counted once; forwarding copies are told apart, because they say where the capture
 * was taken. Only segments whose repetition would change a verdict are checked (SYN, FIN, RST,
 * and ICMP errors that quote a datagram): a copied data segment is harmless, reassembly delivers
 * bytes once, and checking every one would cost a hash per packet.
 */
import { L4, type PacketInfo } from '../dissect/packet-info.js';
import type { CopyCounts, CopyExample } from '../model/observations.js';
import type { Clock } from './analyzer.js';

/** Frames remembered. */
const RING = 16;
/** Copies of one packet arrive within this many nanoseconds (IPv4 with an identification, or forwarded). */
const WINDOW_NS = 10_000_000;
/** Without an identification to compare (IPv6), copies at one point count within 1 ms only. */
const WINDOW_V6_NS = 1_000_000;
/** Copies kept as examples. */
const EXAMPLES = 5;

export class CopyFilter {
  private readonly hash = new Uint32Array(RING);
  private readonly frame = new Float64Array(RING);
  private readonly sec = new Float64Array(RING);
  private readonly nsec = new Float64Array(RING);
  private readonly ttl = new Uint8Array(RING);
  private at = 0;
  copies = 0;
  forwarded = 0;
  readonly examples: CopyExample[] = [];

  constructor(private readonly clock: Clock) {}

  /**
   * The frame `p` repeats (0 when none): one of the last few, within 10 ms, with the same
   * addresses, transport header and (IPv4) identification. With a TTL or hop limit exactly one
   * lower (or higher: the capture may list the outside first) it is a forwarding copy.
   * A TCP retransmission differs: it comes later, and an IPv4 one has a new identification. An
   * IPv4 identification of 0 (DF packets of many stacks) cannot tell a copy at one point from a
   * retransmission, so such packets count only as forwarding copies.
   */
  check(p: PacketInfo): number {
    const b = p.buf;
    const v4 = p.ipVersion === 4;
    const ip = p.srcOff - 12;
    const noId = v4 && b[ip + 4] === 0 && b[ip + 5] === 0;
    // IPv4 TTL (header byte 8) or IPv6 hop limit (byte 7, just before the source address).
    const ttl = v4 ? b[ip + 8]! : b[p.srcOff - 1]!;
    let h = 2166136261;
    // IPv4 identification + addresses, or IPv6 addresses; then the transport header's first 16 bytes.
    if (v4) {
      h = Math.imul(h ^ b[ip + 4]!, 16777619);
      h = Math.imul(h ^ b[ip + 5]!, 16777619);
      for (let i = 0; i < 8; i++) h = Math.imul(h ^ b[p.srcOff + i]!, 16777619);
    } else {
      for (let i = 0; i < 32; i++) h = Math.imul(h ^ b[p.srcOff + i]!, 16777619);
    }
    // TcpView proved 20 header bytes present, IcmpView 8.
    const tEnd = p.l4Off + (p.l4 === L4.TCP ? 16 : 8);
    for (let i = p.l4Off; i < tEnd; i++) h = Math.imul(h ^ b[i]!, 16777619);
    h = Math.imul(h ^ p.payloadLen, 16777619) >>> 0;
    for (let i = 0; i < RING; i++) {
      if (this.hash[i] !== h || this.frame[i] === 0) continue;
      const dt = (p.tsSec - this.sec[i]!) * 1e9 + (p.tsNsec - this.nsec[i]!);
      if (dt < 0 || dt > WINDOW_NS) continue;
      const hop = this.ttl[i]! - ttl;
      // A router's decrement marks a forwarding copy; another interface alone does not (pktmon
      // records its components as interfaces, a transparent firewall keeps the TTL).
      const forwarded = hop === 1 || hop === -1;
      if (!forwarded && (noId || (!v4 && dt > WINDOW_V6_NS))) continue;
      this.copies++;
      if (forwarded) this.forwarded++;
      if (this.examples.length < EXAMPLES) {
        this.examples.push({
          copy: { frame: p.frame, time: this.clock.rel(p.tsSec, p.tsNsec) },
          original: { frame: this.frame[i]!, time: this.clock.rel(this.sec[i]!, this.nsec[i]!) },
          forwarded,
        });
      }
      return this.frame[i]!;
    }
    const k = this.at;
    this.hash[k] = h;
    this.frame[k] = p.frame;
    this.sec[k] = p.tsSec;
    this.nsec[k] = p.tsNsec;
    this.ttl[k] = ttl;
    this.at = (k + 1) % RING;
    return 0;
  }

  counts(): CopyCounts {
    return { copies: this.copies, forwarded: this.forwarded, examples: this.examples };
  }
}
