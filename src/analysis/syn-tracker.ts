/**
 * Connection attempts as SYNs show them. A retransmission is a SYN with the same 4-tuple and
 * the same initial sequence number as an earlier one; the same 4-tuple with a new ISN is a new
 * attempt (a reused client port). This matches what Windows and Linux stacks do when they
 * retry (RFC 6298 §5, RFC 9293 §3.8.1) and what Network Monitor labels SynReTransmit.
 */
import { TcpFlag } from '../wire/constants.js';
import { flagsText } from '../wire/tcp.js';
import { L4, type PacketInfo } from '../dissect/packet-info.js';
import type { SynEvent } from '../model/report.js';
import { isoNs } from '../capture/timestamp.js';

interface TupleState {
  /** ISN -> frame of the first SYN with it. */
  isns: Map<number, number>;
  /** ISN -> attempt number on this 4-tuple (1, 2, ...). */
  attempts: Map<number, number>;
}

/** Collects SYN events (optionally keeping the list) and counts retransmissions. */
export class SynTracker {
  readonly events: SynEvent[] = [];
  retransmissions = 0;
  private readonly tuples = new Map<string, TupleState>();
  private firstSec = NaN;
  private firstNsec = 0;

  constructor(private readonly keepEvents: boolean) {}

  /** Call for every frame, in frame order; only SYNs without ACK do work. */
  onPacket(p: PacketInfo): void {
    if (Number.isNaN(this.firstSec)) { this.firstSec = p.tsSec; this.firstNsec = p.tsNsec; }
    if (p.l4 !== L4.TCP || (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) !== TcpFlag.SYN) return;
    const src = p.srcText();
    const dst = p.dstText();
    const key = `${src}|${p.srcPort}|${dst}|${p.dstPort}`;
    let t = this.tuples.get(key);
    if (t === undefined) {
      t = { isns: new Map(), attempts: new Map() };
      this.tuples.set(key, t);
    }
    const first = t.isns.get(p.seq);
    let retransmitOf: number | null = null;
    if (first === undefined) {
      t.isns.set(p.seq, p.frame);
      t.attempts.set(p.seq, t.isns.size);
    } else {
      retransmitOf = first;
      this.retransmissions++;
    }
    if (!this.keepEvents) return;
    this.events.push({
      frame: p.frame,
      time: isoNs(p.tsSec, p.tsNsec),
      relativeTime: Math.round(((p.tsSec - this.firstSec) + (p.tsNsec - this.firstNsec) / 1e9) * 1e6) / 1e6,
      src, srcPort: p.srcPort, dst, dstPort: p.dstPort,
      flags: flagsText(p.tcpFlags),
      seq: p.seq,
      retransmitOf,
      attempt: t.attempts.get(p.seq)!,
    });
  }
}
