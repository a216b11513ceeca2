/**
 * Capture copies: the same IP packet recorded more than once within a few milliseconds (pktmon
 * writes one copy per network component a packet crosses; span ports can mirror a packet twice).
 * Only segments whose repetition would change a verdict are checked (SYN, FIN, RST, and ICMP
 * errors that quote a datagram): a copied data segment is harmless, reassembly delivers bytes
 * once, and checking every one would cost a hash per packet.
 */
import { L4, type PacketInfo } from '../dissect/packet-info.js';
import type { CopyCounts, FrameAt } from '../model/observations.js';
import type { Clock } from './analyzer.js';

/** Frames remembered. */
const RING = 16;
/** Copies of one packet arrive within this many nanoseconds (IPv4 with an identification). */
const WINDOW_NS = 10_000_000;
/** Without an identification to compare (IPv6), only copies within 1 ms count. */
const WINDOW_V6_NS = 1_000_000;
/** Copies kept as examples. */
const EXAMPLES = 5;

export class CopyFilter {
  private readonly hash = new Uint32Array(RING);
  private readonly frame = new Float64Array(RING);
  private readonly sec = new Float64Array(RING);
  private readonly nsec = new Float64Array(RING);
  private at = 0;
  copies = 0;
  readonly examples: { copy: FrameAt; original: FrameAt }[] = [];

  constructor(private readonly clock: Clock) {}

  /**
   * The frame `p` repeats (0 when none): one of the last few, within 10 ms, the same IP
   * identification, addresses and transport header. A TCP retransmission differs (later, and
   * with a new IPv4 identification).
   */
  check(p: PacketInfo): number {
    const b = p.buf;
    // An IPv4 identification of 0 (DF packets of many stacks) cannot tell a copy from a retransmission.
    let window = WINDOW_NS;
    if (p.ipVersion === 4) {
      const ip = p.srcOff - 12;
      if (b[ip + 4] === 0 && b[ip + 5] === 0) return 0;
    } else {
      window = WINDOW_V6_NS;
    }
    let h = 2166136261;
    // IPv4 identification + addresses, or IPv6 addresses; then the transport header's first 16 bytes.
    if (p.ipVersion === 4) {
      const ip = p.srcOff - 12;
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
      if (dt >= 0 && dt <= window) {
        this.copies++;
        if (this.examples.length < EXAMPLES) {
          this.examples.push({
            copy: { frame: p.frame, time: this.clock.rel(p.tsSec, p.tsNsec) },
            original: { frame: this.frame[i]!, time: this.clock.rel(this.sec[i]!, this.nsec[i]!) },
          });
        }
        return this.frame[i]!;
      }
    }
    const k = this.at;
    this.hash[k] = h;
    this.frame[k] = p.frame;
    this.sec[k] = p.tsSec;
    this.nsec[k] = p.tsNsec;
    this.at = (k + 1) % RING;
    return 0;
  }

  counts(): CopyCounts {
    return { copies: this.copies, examples: this.examples };
  }
}
