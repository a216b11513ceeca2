/**
 * Hosts heard from outside TCP: the first UDP datagram (a DNS, Kerberos or LDAP answer, a
 * heartbeat) or ICMP echo reply each host sent. A server that sent one is up, whatever its TCP
 * ports do, which narrows why a connection to it went unanswered. Addresses stay bytes in a fixed
 * open-addressing table (no allocation per packet; at most MAX_HOSTS hosts, the first met);
 * they become text once, when the rules first ask.
 */
import { L4, type PacketInfo } from '../../dissect/packet-info.js';
import type { HeardFrom, HostsHeard } from '../../model/observations.js';
import { ipv4Text, ipv6Text } from '../../wire/bytes.js';
import { Icmp4Type, Icmp6Type } from '../../wire/icmp.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';

/** Hosts remembered, at most; slots are twice as many so that probes stay short. */
const MAX_HOSTS = 4096;
const SLOTS = MAX_HOSTS * 2;

export class HostsHeardAnalyzer implements Analyzer, HostsHeard {
  readonly name = 'hosts-heard';
  private ctx!: AnalysisContext;
  private readonly addr = new Uint8Array(SLOTS * 16);
  /** 0: empty, 4 or 16: the address length. */
  private readonly len = new Uint8Array(SLOTS);
  private readonly frame = new Float64Array(SLOTS);
  private readonly time = new Float64Array(SLOTS);
  /** The source port of the UDP datagram, or -1 for an echo reply. */
  private readonly port = new Int32Array(SLOTS);
  private size = 0;
  private byText: Map<string, HeardFrom> | null = null;

  attach(ctx: AnalysisContext): void {
    this.ctx = ctx;
  }

  udp(p: PacketInfo): void {
    this.heard(p, p.srcPort);
  }

  icmp(p: PacketInfo): void {
    if (p.quoted.ipVersion !== 0) return;
    if (p.l4 === L4.ICMP ? p.icmpType === Icmp4Type.ECHO_REPLY : p.icmpType === Icmp6Type.ECHO_REPLY) this.heard(p, -1);
  }

  private heard(p: PacketInfo, port: number): void {
    if (this.size >= MAX_HOSTS) return;
    const b = p.buf;
    const n = p.ipVersion === 4 ? 4 : 16;
    const o = p.srcOff;
    let h = 2166136261;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[o + i]!, 16777619);
    for (let s = (h >>> 0) % SLOTS; ; s = (s + 1) % SLOTS) {
      const l = this.len[s]!;
      if (l === 0) {
        this.addr.set(b.subarray(o, o + n), s * 16);
        this.len[s] = n;
        this.frame[s] = p.frame;
        this.time[s] = this.ctx.clock.now();
        this.port[s] = port;
        this.size++;
        return;
      }
      if (l === n && this.same(s, b, o, n)) return;
    }
  }

  private same(s: number, b: Uint8Array, o: number, n: number): boolean {
    const a = this.addr;
    const at = s * 16;
    for (let i = 0; i < n; i++) if (a[at + i] !== b[o + i]) return false;
    return true;
  }

  /** The first UDP datagram or echo reply `address` sent, or null. */
  from(address: string): HeardFrom | null {
    if (this.byText === null) {
      this.byText = new Map();
      for (let s = 0; s < SLOTS; s++) {
        const l = this.len[s]!;
        if (l === 0) continue;
        const text = l === 4 ? ipv4Text(this.addr, s * 16) : ipv6Text(this.addr, s * 16);
        const port = this.port[s]!;
        this.byText.set(text, { frame: this.frame[s]!, time: this.time[s]!, what: port < 0 ? 'echo-reply' : 'udp', port: port < 0 ? null : port });
      }
    }
    return this.byText.get(address) ?? null;
  }
}
