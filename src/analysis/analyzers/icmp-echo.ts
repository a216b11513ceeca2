/**
 * ICMP and ICMPv6 echo requests (ping) and their replies, matched by the pinged address
 * answering with the same identifier and sequence number (RFC 792, RFC 4443 §4). The agent
 * checks read them to tell an unreachable computer from a silent Health Service: a management
 * server pings an agent whose heartbeats stopped.
 */
import { L4, type PacketInfo } from '../../dissect/packet-info.js';
import type { EchoRecord } from '../../model/agent.js';
import { Icmp4Type, Icmp6Type, echoIdent, echoSeq } from '../../wire/icmp.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';

/** Echo requests kept, at most; further ones are counted. */
const MAX_ECHOES = 10_000;

export class IcmpEchoAnalyzer implements Analyzer {
  readonly name = 'icmp-echo';
  readonly echoes: EchoRecord[] = [];
  echoesNotKept = 0;
  /** Requests waiting for a reply, by `from|to|ident|seq`. */
  private readonly waiting = new Map<string, EchoRecord>();
  private ctx!: AnalysisContext;

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
  }

  icmp(p: PacketInfo): void {
    const v4 = p.l4 === L4.ICMP;
    const t = p.icmpType;
    const request = v4 ? t === Icmp4Type.ECHO_REQUEST : t === Icmp6Type.ECHO_REQUEST;
    const reply = v4 ? t === Icmp4Type.ECHO_REPLY : t === Icmp6Type.ECHO_REPLY;
    if (!request && !reply) return;
    // The dissector proved the 8-byte header at l4Off (IcmpView.wrap).
    const ident = echoIdent(p.buf, p.l4Off);
    const seq = echoSeq(p.buf, p.l4Off);
    const time = this.ctx.clock.rel(p.tsSec, p.tsNsec);
    if (request) {
      const from = p.srcText();
      const to = p.dstText();
      const key = `${from}|${to}|${ident}|${seq}`;
      if (this.waiting.has(key)) return; // the same request again: a copy, or ping reusing a sequence number
      if (this.echoes.length >= MAX_ECHOES) { this.echoesNotKept++; return; }
      const e: EchoRecord = { from, to, ident, seq, frame: p.frame, time, replyFrame: null, replyTime: Number.NaN };
      this.echoes.push(e);
      this.waiting.set(key, e);
      return;
    }
    // A reply comes from the pinged address: its source is the request's destination.
    const key = `${p.dstText()}|${p.srcText()}|${ident}|${seq}`;
    const e = this.waiting.get(key);
    if (e === undefined) return;
    this.waiting.delete(key);
    e.replyFrame = p.frame;
    e.replyTime = time;
  }
}
