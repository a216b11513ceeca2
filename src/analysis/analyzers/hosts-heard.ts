/**
 * Hosts heard from outside TCP: the first UDP datagram (a DNS, Kerberos or LDAP answer, a
 * heartbeat) or ICMP echo reply each host sent. A server that sent one is up, whatever its TCP
 * ports do, which narrows why a connection to it went unanswered. Addresses stay bytes in an
 * open-addressing table that starts small and doubles as hosts come (no allocation per packet;
 * at most MAX_HOSTS hosts, the first met); they become text once, when the rules first ask.
 */
import { L4, type PacketInfo } from '../../dissect/packet-info.js';
import type { HeardFrom, HostsHeard } from '../../model/observations.js';
import { ipv4Text, ipv6Text } from '../../wire/bytes.js';
import { Icmp4Type, Icmp6Type } from '../../wire/icmp.js';
import type { AnalysisContext, Analyzer } from '../analyzer.js';

/** Hosts remembered, at most; slots are at least twice as many so that probes stay short. */
const MAX_HOSTS = 4096;
/** Slots at first: a small capture should not zero a table for thousands of hosts. */
const FIRST_SLOTS = 64;

export class HostsHeardAnalyzer implements Analyzer, HostsHeard {
  readonly name = 'hosts-heard';
  private ctx!: AnalysisContext;
  private slots = FIRST_SLOTS;
  private addr = new Uint8Array(FIRST_SLOTS * 16);
  /** 0: empty, 4 or 16: the address length. */
  private len = new Uint8Array(FIRST_SLOTS);
  private frame = new Float64Array(FIRST_SLOTS);
  private time = new Float64Array(FIRST_SLOTS);
  /** The source port of the UDP datagram, or -1 for an echo reply. */
  private port = new Int32Array(FIRST_SLOTS);
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
    const n = p.ipVersion === 4 ? 4 : 16;
    const s = this.slot(p.buf, p.srcOff, n);
    if (this.len[s] !== 0) return;
    this.put(s, p.buf, p.srcOff, n, p.frame, this.ctx.clock.now(), port);
    if (2 * this.size > this.slots) this.grow();
  }

  /** The slot that holds the address `b[o..o+n)`, or the empty slot where it would go. */
  private slot(b: Uint8Array, o: number, n: number): number {
    let h = 2166136261;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ b[o + i]!, 16777619);
    const mask = this.slots - 1;
    for (let s = (h >>> 0) & mask; ; s = (s + 1) & mask) {
      const l = this.len[s]!;
      if (l === 0 || (l === n && this.same(s, b, o, n))) return s;
    }
  }

  private put(s: number, b: Uint8Array, o: number, n: number, frame: number, time: number, port: number): void {
    for (let i = 0; i < n; i++) this.addr[s * 16 + i] = b[o + i]!;
    this.len[s] = n;
    this.frame[s] = frame;
    this.time[s] = time;
    this.port[s] = port;
    this.size++;
  }

  /** Doubles the table and puts every host in again. */
  private grow(): void {
    const { addr, len, frame, time, port, slots } = this;
    this.slots = slots * 2;
    this.addr = new Uint8Array(this.slots * 16);
    this.len = new Uint8Array(this.slots);
    this.frame = new Float64Array(this.slots);
    this.time = new Float64Array(this.slots);
    this.port = new Int32Array(this.slots);
    this.size = 0;
    for (let s = 0; s < slots; s++) {
      const n = len[s]!;
      if (n !== 0) this.put(this.slot(addr, s * 16, n), addr, s * 16, n, frame[s]!, time[s]!, port[s]!);
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
      for (let s = 0; s < this.slots; s++) {
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
