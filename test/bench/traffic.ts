/**
 * Deterministic synthetic traffic for the benchmark: a classic pcap (microsecond, little-endian,
 * LINKTYPE_ETHERNET) of mixed traffic, written streaming through one reused buffer.
 *
 * What the file holds, by design:
 * - long-lived TCP connections (IPv4 mostly; some IPv6, some 802.1Q-tagged) moving 1514-byte
 *   segments with correct seq/ack progression and a stretch ACK every few segments;
 * - connection churn: three-way handshakes (SYN with MSS/WS/SACK options) and FIN teardowns,
 *   both of pooled connections and of many short request/response connections;
 * - DNS A queries and answers over UDP, ICMP echo, a few ARP requests (non-IP);
 * - RPC failure scenarios spread through the file: a client talks to the endpoint mapper on
 *   server:135 (handshake, bind, ept_map request, response naming a dynamic port, teardown), then
 *   SYNs to that port (15595 or 49xxx) which are either never answered (retransmitted at +3 s and
 *   +9 s, as Windows does), answered by RST (Windows retries at +0.5 s and +1 s), or answered by
 *   ICMP port unreachable for every SYN.
 *
 * Everything comes from one seeded PRNG, so the same seed and generator version give the same bytes.
 * The generator counts what it writes (frames, SYNs, RSTs, ...) so the benchmark can check a
 * tool's numbers against it. Checksums: IPv4 header checksums are computed, TCP/UDP/ICMP ones are
 * left zero (no decoder under test verifies them).
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** Bump when the bytes the generator writes for a given seed and size change. */
export const GENERATOR_VERSION = 2;
export const DEFAULT_SEED = 0x5eed2024;

/** mulberry32: small, fast, good enough for traffic shapes; not for anything secret. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo));
  }
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Counts a tool's report can be checked against (names follow rpctrace's `stats`). */
export interface ExpectedCounts {
  frames: number;
  /** Captured bytes of all frames (record data, without file and record headers). */
  bytes: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  icmpv6: number;
  nonIp: number;
  tcpSyn: number;
  tcpSynRetransmissions: number;
  tcpSynAck: number;
  tcpRst: number;
  tcpFin: number;
  icmpUnreachable: number;
  vlanTagged: number;
}

/** What a generation produced, stored next to the file as `<name>.meta.json`. */
export interface CaptureMeta {
  generatorVersion: number;
  seed: number;
  sizeMiB: number;
  /** File size in bytes, headers included. */
  fileBytes: number;
  expected: ExpectedCounts;
  scenarios: { noAnswer: number; reset: number; icmpRefused: number };
  connections: number;
  durationSeconds: number;
  generateSeconds: number;
}

// ---- output ----------------------------------------------------------------------------------

const FLUSH_AT = 16 * 1024 * 1024;
/** Room past FLUSH_AT for the frame being written (largest frame + record header, rounded up). */
const SLACK = 64 * 1024;
const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
const ETH_MIN = 60;

/** Streams pcap records into a reused buffer, flushing with writeSync in 16 MiB pieces. */
class PcapStream {
  readonly b = Buffer.alloc(FLUSH_AT + SLACK);
  pos = 0;
  /** Bytes handed to the file so far plus those buffered. */
  total = 0;
  /** Captured bytes of the frames written (no headers). */
  frameBytes = 0;
  lastUs = 0;
  constructor(private readonly fd: number) {
    const b = this.b;
    b.writeUInt32LE(0xa1b2c3d4, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8);
    b.writeUInt32LE(0, 12);
    b.writeUInt32LE(262144, 16);
    b.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
    this.pos = PCAP_FILE_HEADER;
    this.total = PCAP_FILE_HEADER;
  }
  /**
   * Reserves a record for a frame of `len` bytes at time `us` (clamped so time never goes back)
   * and returns the offset of the frame's first byte. Frames shorter than 60 bytes are padded.
   */
  record(us: number, len: number): number {
    if (us < this.lastUs) us = this.lastUs;
    this.lastUs = us;
    const n = len < ETH_MIN ? ETH_MIN : len;
    const b = this.b;
    const p = this.pos;
    const sec = Math.floor(us / 1e6);
    b.writeUInt32LE(sec, p);
    b.writeUInt32LE(us - sec * 1e6, p + 4);
    b.writeUInt32LE(n, p + 8);
    b.writeUInt32LE(n, p + 12);
    if (n > len) b.fill(0, p + PCAP_RECORD_HEADER + len, p + PCAP_RECORD_HEADER + n);
    this.pos = p + PCAP_RECORD_HEADER + n;
    this.total += PCAP_RECORD_HEADER + n;
    this.frameBytes += n;
    return p + PCAP_RECORD_HEADER;
  }
  maybeFlush(): void {
    if (this.pos >= FLUSH_AT) this.flush();
  }
  flush(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.b, off, this.pos - off);
    this.pos = 0;
  }
}

// ---- addressing ------------------------------------------------------------------------------

/** Who talks to whom, and how the frames are framed. Addresses are 32-bit host ids. */
interface Path {
  v6: boolean;
  /** 802.1Q VLAN id, 0 = untagged. */
  vlan: number;
  client: number;
  server: number;
}

const ip4 = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

// ---- the generator ---------------------------------------------------------------------------

const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;
const EPM_PORT = 135;
const START_US = 1_700_000_000 * 1e6;
/** Capture span, independent of the size: the failure scenarios need 9 s of future each. */
const DURATION_US = 300e6;
const POOL = 40;
const ACK_EVERY = 4;
const PATTERN_LEN = 256 * 1024;

interface Conn {
  path: Path;
  cPort: number;
  sPort: number;
  /** Next sequence number each side sends. */
  cNxt: number;
  sNxt: number;
  /** Segments left before teardown. */
  left: number;
  /** Share of data segments sent by the server. */
  s2c: number;
  unackedC: number;
  unackedS: number;
}

interface Ev {
  t: number;
  n: number;
  run: (t: number) => void;
}

/** Binary min-heap of events by time, ties in scheduling order (so output is deterministic). */
class Events {
  private readonly h: Ev[] = [];
  private n = 0;
  get size(): number {
    return this.h.length;
  }
  peekTime(): number {
    return this.h.length === 0 ? Infinity : this.h[0]!.t;
  }
  at(t: number, run: (t: number) => void): void {
    const h = this.h;
    const e: Ev = { t, n: this.n++, run };
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Ev {
    const h = this.h;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
const less = (a: Ev, b: Ev): boolean => a.t < b.t || (a.t === b.t && a.n < b.n);

class Generator {
  readonly rng: Prng;
  readonly out: PcapStream;
  readonly ev = new Events();
  readonly pool: (Conn | null)[] = new Array<Conn | null>(POOL).fill(null);
  readonly pattern: Buffer;
  readonly c: ExpectedCounts = {
    frames: 0, bytes: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0, nonIp: 0, tcpSyn: 0,
    tcpSynRetransmissions: 0, tcpSynAck: 0, tcpRst: 0, tcpFin: 0, icmpUnreachable: 0, vlanTagged: 0,
  };
  readonly scen = { noAnswer: 0, reset: 0, icmpRefused: 0 };
  connections = 0;
  /** Set once the file is big enough: scheduled frames still go out, new connections do not. */
  draining = false;
  ipId = 1;
  dnsId = 1;
  pingSeq = 1;

  constructor(seed: number, fd: number) {
    this.rng = new Prng(seed);
    this.out = new PcapStream(fd);
    this.pattern = Buffer.alloc(PATTERN_LEN + 2048);
    for (let i = 0; i < this.pattern.length; i += 4) this.pattern.writeUInt32LE(this.rng.u32(), i);
  }

  // ---- frame builders: each writes one whole frame into the output buffer ----

  /** Ethernet (+ optional 802.1Q) header; returns the offset after it. */
  private eth(o: number, path: Path, fromClient: boolean, etherType: number): number {
    const b = this.out.b;
    const src = fromClient ? path.client : path.server;
    const dst = fromClient ? path.server : path.client;
    // Locally administered MACs derived from the host ids: 02:00 + 4 bytes.
    b.writeUInt16BE(0x0200, o); b.writeUInt32BE(dst, o + 2);
    b.writeUInt16BE(0x0200, o + 6); b.writeUInt32BE(src, o + 8);
    if (path.vlan !== 0) {
      b.writeUInt16BE(0x8100, o + 12);
      b.writeUInt16BE(path.vlan, o + 14);
      b.writeUInt16BE(etherType, o + 16);
      return o + 18;
    }
    b.writeUInt16BE(etherType, o + 12);
    return o + 14;
  }

  /** IPv4 or IPv6 header for `l4Len` bytes of `proto`; returns the offset after it. */
  private ip(o: number, path: Path, fromClient: boolean, proto: number, l4Len: number, src?: number): number {
    const b = this.out.b;
    const s = src ?? (fromClient ? path.client : path.server);
    const d = fromClient ? path.server : path.client;
    if (path.v6) {
      b.writeUInt32BE(0x60000000, o);
      b.writeUInt16BE(l4Len, o + 4);
      b[o + 6] = proto;
      b[o + 7] = 64;
      writeV6(b, o + 8, s);
      writeV6(b, o + 24, d);
      return o + 40;
    }
    b.writeUInt16BE(0x4500, o);
    b.writeUInt16BE(20 + l4Len, o + 2);
    b.writeUInt16BE(this.ipId, o + 4);
    this.ipId = (this.ipId + 1) & 0xffff;
    b.writeUInt16BE(0x4000, o + 6); // DF
    b[o + 8] = fromClient ? 128 : 127;
    b[o + 9] = proto;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(s, o + 12);
    b.writeUInt32BE(d, o + 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(o + i);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, o + 10);
    return o + 20;
  }

  private l2l3Len(path: Path): number {
    return (path.vlan !== 0 ? 18 : 14) + (path.v6 ? 40 : 20);
  }

  private countIp(path: Path): void {
    const c = this.c;
    c.frames++;
    if (path.vlan !== 0) c.vlanTagged++;
    if (path.v6) c.ipv6++;
    else c.ipv4++;
  }

  /**
   * One TCP segment. `payload` null means `len` bytes from the filler pattern. SYNs carry
   * MSS, window scale and SACK-permitted options (12 bytes), as Windows and Linux send them.
   */
  tcp(t: number, path: Path, fromClient: boolean, sport: number, dport: number, seq: number, ack: number, flags: number, len: number, payload: Buffer | null = null): void {
    const syn = (flags & TcpFlag.SYN) !== 0;
    const thl = syn ? 32 : 20;
    const frameLen = this.l2l3Len(path) + thl + len;
    const out = this.out;
    const b = out.b;
    let o = out.record(t, frameLen);
    o = this.eth(o, path, fromClient, path.v6 ? 0x86dd : 0x0800);
    o = this.ip(o, path, fromClient, 6, thl + len);
    b.writeUInt16BE(sport, o);
    b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4);
    b.writeUInt32BE((flags & TcpFlag.ACK) !== 0 ? ack >>> 0 : 0, o + 8);
    b[o + 12] = (thl / 4) << 4;
    b[o + 13] = flags;
    b.writeUInt16BE(syn ? 64240 : 1026, o + 14);
    b.writeUInt32BE(0, o + 16); // checksum, urgent pointer
    if (syn) {
      // MSS 1460 | NOP, WS 8 | NOP, NOP, SACK permitted
      b.writeUInt32BE(0x020405b4, o + 20);
      b.writeUInt32BE(0x01030308, o + 24);
      b.writeUInt32BE(0x01010402, o + 28);
    }
    o += thl;
    if (len > 0) {
      if (payload !== null) payload.copy(b, o, 0, len);
      else {
        const at = (t * 7 + seq) % PATTERN_LEN;
        this.pattern.copy(b, o, at, at + len);
      }
    }
    this.countIp(path);
    const c = this.c;
    c.tcp++;
    if (syn) {
      if ((flags & TcpFlag.ACK) !== 0) c.tcpSynAck++;
      else c.tcpSyn++;
    }
    if ((flags & TcpFlag.RST) !== 0) c.tcpRst++;
    if ((flags & TcpFlag.FIN) !== 0) c.tcpFin++;
    out.maybeFlush();
  }

  /** One UDP datagram with the given payload. */
  udp(t: number, path: Path, fromClient: boolean, sport: number, dport: number, payload: Buffer): void {
    const len = 8 + payload.length;
    const out = this.out;
    const b = out.b;
    let o = out.record(t, this.l2l3Len(path) + len);
    o = this.eth(o, path, fromClient, path.v6 ? 0x86dd : 0x0800);
    o = this.ip(o, path, fromClient, 17, len);
    b.writeUInt16BE(sport, o);
    b.writeUInt16BE(dport, o + 2);
    b.writeUInt16BE(len, o + 4);
    b.writeUInt16BE(0, o + 6);
    payload.copy(b, o + 8);
    this.countIp(path);
    this.c.udp++;
    out.maybeFlush();
  }

  /** One ICMP / ICMPv6 message: type, code, 4 bytes rest-of-header, then `body`. */
  icmp(t: number, path: Path, fromClient: boolean, type: number, code: number, rest: number, body: Buffer): void {
    const len = 8 + body.length;
    const out = this.out;
    const b = out.b;
    let o = out.record(t, this.l2l3Len(path) + len);
    o = this.eth(o, path, fromClient, path.v6 ? 0x86dd : 0x0800);
    o = this.ip(o, path, fromClient, path.v6 ? 58 : 1, len);
    b[o] = type;
    b[o + 1] = code;
    b.writeUInt16BE(0, o + 2);
    b.writeUInt32BE(rest >>> 0, o + 4);
    body.copy(b, o + 8);
    this.countIp(path);
    if (path.v6) {
      this.c.icmpv6++;
      if (type === 1) this.c.icmpUnreachable++;
    } else {
      this.c.icmp++;
      if (type === 3) this.c.icmpUnreachable++;
    }
    out.maybeFlush();
  }

  /** ARP who-has, broadcast: a non-IP frame. */
  arp(t: number, sender: number, target: number): void {
    const out = this.out;
    const b = out.b;
    const o = out.record(t, 42);
    b.fill(0xff, o, o + 6);
    b.writeUInt16BE(0x0200, o + 6); b.writeUInt32BE(sender, o + 8);
    b.writeUInt16BE(0x0806, o + 12);
    b.writeUInt32BE(0x00010800, o + 14); // Ethernet, IPv4
    b.writeUInt32BE(0x06040001, o + 18); // sizes 6/4, request
    b.writeUInt16BE(0x0200, o + 22); b.writeUInt32BE(sender, o + 24);
    b.writeUInt32BE(sender, o + 28);
    b.fill(0, o + 32, o + 38);
    b.writeUInt32BE(target, o + 38);
    this.c.frames++;
    this.c.nonIp++;
    out.maybeFlush();
  }

  /** The datagram an ICMP error quotes: the SYN's IP header and its whole TCP header. */
  quoteSyn(path: Path, sport: number, dport: number, seq: number): Buffer {
    const ipLen = path.v6 ? 40 : 20;
    const q = Buffer.alloc(ipLen + 32);
    if (path.v6) {
      q.writeUInt32BE(0x60000000, 0);
      q.writeUInt16BE(32, 4);
      q[6] = 6;
      q[7] = 64;
      writeV6(q, 8, path.client);
      writeV6(q, 24, path.server);
    } else {
      q.writeUInt16BE(0x4500, 0);
      q.writeUInt16BE(52, 2);
      q.writeUInt16BE(0x4000, 6);
      q[8] = 127;
      q[9] = 6;
      q.writeUInt32BE(path.client, 12);
      q.writeUInt32BE(path.server, 16);
    }
    const o = ipLen;
    q.writeUInt16BE(sport, o);
    q.writeUInt16BE(dport, o + 2);
    q.writeUInt32BE(seq >>> 0, o + 4);
    q[o + 12] = 0x80;
    q[o + 13] = TcpFlag.SYN;
    q.writeUInt16BE(64240, o + 14);
    q.writeUInt32BE(0x020405b4, o + 20);
    q.writeUInt32BE(0x01030308, o + 24);
    q.writeUInt32BE(0x01010402, o + 28);
    return q;
  }

  // ---- behaviours ----

  /** Opens a connection in pool slot `slot`: SYN, SYN-ACK, ACK; the slot fills on the ACK. */
  openConn(t: number, slot: number): void {
    const r = this.rng;
    const v6 = r.chance(0.15);
    const path: Path = {
      v6,
      vlan: r.chance(0.15) ? r.int(100, 120) : 0,
      client: ip4(10, 1, r.int(0, 16), r.int(1, 255)),
      server: ip4(10, 2, r.int(0, 4), r.int(1, 255)),
    };
    const sPorts = [445, 443, 80, 3260, 2049, 5201, 1433, 8080] as const;
    const conn: Conn = {
      path,
      cPort: r.int(49152, 65536),
      sPort: sPorts[r.int(0, sPorts.length)]!,
      cNxt: r.u32(),
      sNxt: r.u32(),
      left: r.chance(0.4) ? r.int(4, 60) : r.int(2000, 60000),
      s2c: r.chance(0.7) ? 0.9 : 0.2,
      unackedC: 0,
      unackedS: 0,
    };
    this.connections++;
    const rtt = r.int(80, 1500);
    this.tcp(t, path, true, conn.cPort, conn.sPort, conn.cNxt, 0, TcpFlag.SYN, 0);
    conn.cNxt = (conn.cNxt + 1) >>> 0;
    this.ev.at(t + rtt, (t1) => {
      this.tcp(t1, path, false, conn.sPort, conn.cPort, conn.sNxt, conn.cNxt, TcpFlag.SYN | TcpFlag.ACK, 0);
      conn.sNxt = (conn.sNxt + 1) >>> 0;
      this.ev.at(t1 + 30, (t2) => {
        this.tcp(t2, path, true, conn.cPort, conn.sPort, conn.cNxt, conn.sNxt, TcpFlag.ACK, 0);
        this.pool[slot] = conn;
      });
    });
  }

  /** Active close by the client: FIN/ACK, FIN/ACK, ACK; then a new connection in the slot. */
  closeConn(t: number, slot: number, conn: Conn): void {
    this.pool[slot] = null;
    const { path, cPort, sPort } = conn;
    const rtt = this.rng.int(80, 1500);
    this.tcp(t, path, true, cPort, sPort, conn.cNxt, conn.sNxt, TcpFlag.FIN | TcpFlag.ACK, 0);
    conn.cNxt = (conn.cNxt + 1) >>> 0;
    this.ev.at(t + rtt, (t1) => {
      this.tcp(t1, path, false, sPort, cPort, conn.sNxt, conn.cNxt, TcpFlag.FIN | TcpFlag.ACK, 0);
      conn.sNxt = (conn.sNxt + 1) >>> 0;
      this.ev.at(t1 + 40, (t2) => {
        this.tcp(t2, path, true, cPort, sPort, conn.cNxt, conn.sNxt, TcpFlag.ACK, 0);
      });
    });
    this.ev.at(t + this.rng.int(1000, 50000), (t3) => {
      if (!this.draining) this.openConn(t3, slot);
    });
  }

  /** One data segment on an open connection, with the receiver's stretch ACK when due. */
  dataStep(t: number, slot: number, conn: Conn): void {
    const r = this.rng;
    const path = conn.path;
    const mss = path.v6 ? 1440 : 1460;
    const len = r.chance(0.08) ? r.int(60, mss) : mss;
    if (r.next() < conn.s2c) {
      this.tcp(t, path, false, conn.sPort, conn.cPort, conn.sNxt, conn.cNxt, TcpFlag.ACK | (len < mss ? TcpFlag.PSH : 0), len);
      conn.sNxt = (conn.sNxt + len) >>> 0;
      if (++conn.unackedS >= ACK_EVERY || len < mss) {
        conn.unackedS = 0;
        this.tcp(t + 25, path, true, conn.cPort, conn.sPort, conn.cNxt, conn.sNxt, TcpFlag.ACK, 0);
      }
    } else {
      this.tcp(t, path, true, conn.cPort, conn.sPort, conn.cNxt, conn.sNxt, TcpFlag.ACK | (len < mss ? TcpFlag.PSH : 0), len);
      conn.cNxt = (conn.cNxt + len) >>> 0;
      if (++conn.unackedC >= ACK_EVERY || len < mss) {
        conn.unackedC = 0;
        this.tcp(t + 25, path, false, conn.sPort, conn.cPort, conn.sNxt, conn.cNxt, TcpFlag.ACK, 0);
      }
    }
    if (--conn.left <= 0) this.closeConn(t + 60, slot, conn);
  }

  /**
   * A short request/response connection (web-like): handshake, one request, 1-8 full segments
   * and a partial one back with delayed ACKs, client-initiated teardown. Scheduled as events so
   * it interleaves with everything else.
   */
  shortFlow(t0: number): void {
    const r = this.rng;
    const path: Path = {
      v6: r.chance(0.1),
      vlan: r.chance(0.1) ? r.int(100, 120) : 0,
      client: ip4(10, 1, r.int(0, 16), r.int(1, 255)),
      server: ip4(10, 3, r.int(0, 16), r.int(1, 255)),
    };
    const mss = path.v6 ? 1440 : 1460;
    const cPort = r.int(49152, 65536);
    const sPort = r.chance(0.6) ? 443 : 80;
    let c = r.u32();
    let s = r.u32();
    const rtt = r.int(100, 5000);
    const reqLen = r.int(200, 700);
    const full = r.int(1, 9);
    const lastLen = r.int(100, mss);
    const C = true;
    const S = false;
    const A = TcpFlag.ACK;
    const steps: [number, (t: number) => void][] = [
      [0, (t) => { this.tcp(t, path, C, cPort, sPort, c, 0, TcpFlag.SYN, 0); c = (c + 1) >>> 0; }],
      [rtt, (t) => { this.tcp(t, path, S, sPort, cPort, s, c, TcpFlag.SYN | A, 0); s = (s + 1) >>> 0; }],
      [rtt + 30, (t) => this.tcp(t, path, C, cPort, sPort, c, s, A, 0)],
      [rtt + 60, (t) => { this.tcp(t, path, C, cPort, sPort, c, s, TcpFlag.PSH | A, reqLen); c = (c + reqLen) >>> 0; }],
    ];
    let at = 2 * rtt + 60;
    for (let i = 0; i <= full; i++) {
      const len = i === full ? lastLen : mss;
      steps.push([at, (t) => { this.tcp(t, path, S, sPort, cPort, s, c, i === full ? TcpFlag.PSH | A : A, len); s = (s + len) >>> 0; }]);
      if (i % 2 === 1 || i === full) steps.push([at + 20, (t) => this.tcp(t, path, C, cPort, sPort, c, s, A, 0)]);
      at += 40;
    }
    at += 200;
    steps.push([at, (t) => { this.tcp(t, path, C, cPort, sPort, c, s, TcpFlag.FIN | A, 0); c = (c + 1) >>> 0; }]);
    steps.push([at + rtt, (t) => { this.tcp(t, path, S, sPort, cPort, s, c, TcpFlag.FIN | A, 0); s = (s + 1) >>> 0; }]);
    steps.push([at + rtt + 30, (t) => this.tcp(t, path, C, cPort, sPort, c, s, A, 0)]);
    for (const [dt, run] of steps) this.ev.at(t0 + dt, run);
    this.connections++;
  }

  /** A DNS A query now and its answer one RTT later. */
  dns(t: number): void {
    const r = this.rng;
    const names = ['dc01.corp.example.com', 'fs02.corp.example.com', 'sql01.corp.example.com', 'www.example.org', '_ldap._tcp.dc._msdcs.corp.example.com'] as const;
    const name = names[r.int(0, names.length)]!;
    const path: Path = { v6: false, vlan: 0, client: ip4(10, 1, r.int(0, 16), r.int(1, 255)), server: ip4(10, 0, 0, 53) };
    const id = this.dnsId;
    this.dnsId = (this.dnsId + 7919) & 0xffff;
    const sport = r.int(49152, 65536);
    const q = dnsMessage(id, name, null);
    this.udp(t, path, true, sport, 53, q);
    const answer = ip4(10, 2, r.int(0, 4), r.int(1, 255));
    this.ev.at(t + r.int(150, 3000), (t1) => this.udp(t1, path, false, 53, sport, dnsMessage(id, name, answer)));
  }

  /** ICMP echo request and reply. */
  ping(t: number): void {
    const r = this.rng;
    const path: Path = { v6: false, vlan: 0, client: ip4(10, 1, r.int(0, 16), r.int(1, 255)), server: ip4(10, 2, r.int(0, 4), r.int(1, 255)) };
    const body = this.pattern.subarray(0, 56);
    const rest = (0x0001 << 16) | this.pingSeq;
    this.pingSeq = (this.pingSeq + 1) & 0xffff;
    this.icmp(t, path, true, 8, 0, rest, body);
    this.ev.at(t + r.int(100, 2000), (t1) => this.icmp(t1, path, false, 0, 0, rest, body));
  }

  /**
   * An RPC failure: EPM conversation on server:135, then SYNs to the dynamic port it named.
   * `kind`: 0 never answered (retransmits at +3 s, +9 s), 1 RST (client retries at +0.5 s, +1 s),
   * 2 ICMP port unreachable for each SYN (+3 s, +9 s).
   */
  rpcScenario(t0: number, kind: 0 | 1 | 2): void {
    const r = this.rng;
    const path: Path = {
      v6: r.chance(0.1),
      vlan: r.chance(0.2) ? r.int(200, 210) : 0,
      client: ip4(10, 30, r.int(0, 64), r.int(1, 255)),
      server: ip4(10, 40, r.int(0, 8), r.int(1, 255)),
    };
    const port = r.chance(0.35) ? 15595 : r.int(49152, 50000);
    const cPort = r.int(49152, 64000);
    let c = r.u32();
    let s = r.u32();
    const rtt = r.int(200, 3000);
    const ev = this.ev;
    const C = true;
    const S = false;
    const A = TcpFlag.ACK;
    const PA = TcpFlag.PSH | TcpFlag.ACK;
    const FA = TcpFlag.FIN | TcpFlag.ACK;
    const bind = dcerpcBind(1);
    const bindAck = dcerpcBindAck(1);
    const req = dcerpcEptMapRequest(2);
    const resp = dcerpcEptMapResponse(2, port, path);
    // Steps in time order; each sees the sequence numbers its predecessors left.
    const steps: [number, (t: number) => void][] = [
      [0, (t) => { this.tcp(t, path, C, cPort, EPM_PORT, c, 0, TcpFlag.SYN, 0); c = (c + 1) >>> 0; }],
      [rtt, (t) => { this.tcp(t, path, S, EPM_PORT, cPort, s, c, TcpFlag.SYN | A, 0); s = (s + 1) >>> 0; }],
      [rtt + 40, (t) => this.tcp(t, path, C, cPort, EPM_PORT, c, s, A, 0)],
      [rtt + 90, (t) => { this.tcp(t, path, C, cPort, EPM_PORT, c, s, PA, bind.length, bind); c = (c + bind.length) >>> 0; }],
      [2 * rtt + 90, (t) => { this.tcp(t, path, S, EPM_PORT, cPort, s, c, PA, bindAck.length, bindAck); s = (s + bindAck.length) >>> 0; }],
      [2 * rtt + 150, (t) => { this.tcp(t, path, C, cPort, EPM_PORT, c, s, PA, req.length, req); c = (c + req.length) >>> 0; }],
      [3 * rtt + 150, (t) => { this.tcp(t, path, S, EPM_PORT, cPort, s, c, PA, resp.length, resp); s = (s + resp.length) >>> 0; }],
      [3 * rtt + 400, (t) => { this.tcp(t, path, C, cPort, EPM_PORT, c, s, FA, 0); c = (c + 1) >>> 0; }],
      [4 * rtt + 400, (t) => { this.tcp(t, path, S, EPM_PORT, cPort, s, c, FA, 0); s = (s + 1) >>> 0; }],
      [4 * rtt + 440, (t) => this.tcp(t, path, C, cPort, EPM_PORT, c, s, A, 0)],
    ];
    const synAt = 4 * rtt + 1500;
    const isn = r.u32();
    const dPort = cPort + 1;
    const synTimes = kind === 1 ? [0, 500_000, 1_000_000] : [0, 3_000_000, 9_000_000];
    synTimes.forEach((dt, i) => {
      const at = synAt + dt;
      steps.push([at, (t) => {
        this.tcp(t, path, C, dPort, port, isn, 0, TcpFlag.SYN, 0);
        if (i > 0) this.c.tcpSynRetransmissions++;
      }]);
      if (kind === 1) {
        steps.push([at + rtt, (t) => this.tcp(t, path, S, port, dPort, 0, (isn + 1) >>> 0, TcpFlag.RST | A, 0)]);
      } else if (kind === 2) {
        const quote = this.quoteSyn(path, dPort, port, isn);
        steps.push([at + rtt, (t) => this.icmp(t, path, S, path.v6 ? 1 : 3, path.v6 ? 4 : 3, 0, quote)]);
      }
    });
    // Schedule in order: the heap breaks time ties by scheduling order.
    for (const [dt, run] of steps) ev.at(t0 + dt, run);
    if (kind === 0) this.scen.noAnswer++;
    else if (kind === 1) this.scen.reset++;
    else this.scen.icmpRefused++;
  }

  /** Writes frames until the file reaches `target` bytes, then lets scheduled events finish. */
  run(target: number, scenarios: number): void {
    const r = this.rng;
    const usPerByte = DURATION_US / target;
    // Scenarios start evenly spread (with jitter) over the span, leaving 15 s for the last to finish.
    const span = DURATION_US - 15e6;
    for (let i = 0; i < scenarios; i++) {
      const t = START_US + 1e6 + Math.floor(((i + r.next() * 0.8) / scenarios) * span);
      const kind = (i % 4 === 1 ? 1 : i % 4 === 3 ? 2 : 0) as 0 | 1 | 2;
      this.ev.at(t, (t1) => this.rpcScenario(t1, kind));
    }
    for (let i = 0; i < POOL; i++) this.openConn(START_US + i * 997, i);
    const ev = this.ev;
    const out = this.out;
    let nextArp = START_US;
    while (out.total < target) {
      const now = START_US + Math.floor((out.total - PCAP_FILE_HEADER) * usPerByte);
      if (ev.peekTime() <= now) {
        const e = ev.pop();
        e.run(e.t);
        continue;
      }
      const x = r.next();
      if (x < 0.004) this.dns(now);
      else if (x < 0.005) this.ping(now);
      else if (x < 0.0065) this.shortFlow(now);
      else if (now >= nextArp) {
        this.arp(now, ip4(10, 1, r.int(0, 16), r.int(1, 255)), ip4(10, 1, 0, 1));
        nextArp = now + r.int(200_000, 2_000_000);
      } else {
        let slot = r.int(0, POOL);
        let conn = this.pool[slot];
        for (let k = 0; conn === null && k < POOL; k++) {
          slot = (slot + 1) % POOL;
          conn = this.pool[slot];
        }
        if (conn === null || conn === undefined) {
          // Every slot is between connections: let time move with a DNS exchange.
          this.dns(now);
          continue;
        }
        this.dataStep(now, slot, conn);
      }
    }
    // Finish what was scheduled (handshakes, teardowns, the last retransmissions) but open
    // nothing new.
    this.draining = true;
    while (ev.size > 0) {
      const e = ev.pop();
      e.run(e.t);
    }
    out.flush();
    this.c.bytes = out.frameBytes;
  }
}

/** IPv6 address fd00:0:0:1::<host id>. */
function writeV6(b: Buffer, o: number, host: number): void {
  b.writeUInt32BE(0xfd000000, o);
  b.writeUInt32BE(1, o + 4);
  b.writeUInt32BE(0, o + 8);
  b.writeUInt32BE(host, o + 12);
}

// ---- application payloads ---------------------------------------------------------------------

/** DNS query (answer null) or response with one A record (RFC 1035 §4). */
function dnsMessage(id: number, name: string, answer: number | null): Buffer {
  const labels = name.split('.');
  const qnameLen = labels.reduce((n, l) => n + 1 + l.length, 1);
  const len = 12 + qnameLen + 4 + (answer === null ? 0 : 16);
  const b = Buffer.alloc(len);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(answer === null ? 0x0100 : 0x8180, 2);
  b.writeUInt16BE(1, 4);
  b.writeUInt16BE(answer === null ? 0 : 1, 6);
  let o = 12;
  for (const l of labels) {
    b[o++] = l.length;
    o += b.write(l, o, 'ascii');
  }
  b[o++] = 0;
  b.writeUInt16BE(1, o); // A
  b.writeUInt16BE(1, o + 2); // IN
  o += 4;
  if (answer !== null) {
    b.writeUInt16BE(0xc00c, o);
    b.writeUInt16BE(1, o + 2);
    b.writeUInt16BE(1, o + 4);
    b.writeUInt32BE(300, o + 6);
    b.writeUInt16BE(4, o + 10);
    b.writeUInt32BE(answer, o + 12);
  }
  return b;
}

/** UUID in NDR little-endian layout (first three fields swapped). */
function uuidLe(s: string): Buffer {
  const h = Buffer.from(s.replace(/-/g, ''), 'hex');
  const b = Buffer.from(h);
  b.writeUInt32LE(h.readUInt32BE(0), 0);
  b.writeUInt16LE(h.readUInt16BE(4), 4);
  b.writeUInt16LE(h.readUInt16BE(6), 6);
  return b;
}

const EPM_UUID = uuidLe('e1af8308-5d1f-11c9-91a4-08002b14a0fa');
const NDR_UUID = uuidLe('8a885d04-1ceb-11c9-9fe8-08002b104860');
/** drsuapi (MS-DRSR): AD replication, the classic victim of a blocked dynamic RPC port. */
const DRSUAPI_UUID = uuidLe('e3514235-4b06-11d1-ab04-00c04fc2dcd2');

/** DCE/RPC connection-oriented common header (C706 §12.6.3.1), little-endian data representation. */
function pduHeader(b: Buffer, ptype: number, callId: number): void {
  b[0] = 5;
  b[1] = 0;
  b[2] = ptype;
  b[3] = 0x03; // first and last fragment
  b.writeUInt32BE(0x10000000, 4); // drep: little-endian integers, ASCII, IEEE floats
  b.writeUInt16LE(b.length, 8);
  b.writeUInt16LE(0, 10);
  b.writeUInt32LE(callId, 12);
}

/** bind to the endpoint mapper v3.0 with NDR transfer syntax (72 bytes). */
function dcerpcBind(callId: number): Buffer {
  const b = Buffer.alloc(72);
  pduHeader(b, 11, callId);
  b.writeUInt16LE(5840, 16);
  b.writeUInt16LE(5840, 18);
  b.writeUInt32LE(0, 20);
  b[24] = 1; // one context element
  b.writeUInt16LE(0, 28); // context id
  b[30] = 1; // one transfer syntax
  EPM_UUID.copy(b, 32);
  b.writeUInt16LE(3, 48);
  NDR_UUID.copy(b, 52);
  b.writeUInt32LE(2, 68);
  return b;
}

/** bind_ack accepting the NDR syntax, secondary address "135" (60 bytes). */
function dcerpcBindAck(callId: number): Buffer {
  const b = Buffer.alloc(60);
  pduHeader(b, 12, callId);
  b.writeUInt16LE(5840, 16);
  b.writeUInt16LE(5840, 18);
  b.writeUInt32LE(0x00012345, 20);
  b.writeUInt16LE(4, 24);
  b.write('135\0', 26, 'ascii');
  // pad to 32, then the result list
  b[32] = 1;
  b.writeUInt16LE(0, 36); // acceptance
  b.writeUInt16LE(0, 38);
  NDR_UUID.copy(b, 40);
  b.writeUInt32LE(2, 56);
  return b;
}

/** A protocol tower for drsuapi over ncacn_ip_tcp (C706 appendix L; 75 bytes). */
function tower(port: number, ip: number): Buffer {
  const b = Buffer.alloc(75);
  let o = 0;
  b.writeUInt16LE(5, o); o += 2;
  const uuidFloor = (u: Buffer, major: number, minor: number): void => {
    b.writeUInt16LE(19, o); b[o + 2] = 0x0d; u.copy(b, o + 3); b.writeUInt16LE(major, o + 19);
    b.writeUInt16LE(2, o + 21); b.writeUInt16LE(minor, o + 23);
    o += 25;
  };
  uuidFloor(DRSUAPI_UUID, 4, 0);
  uuidFloor(NDR_UUID, 2, 0);
  b.writeUInt16LE(1, o); b[o + 2] = 0x0b; b.writeUInt16LE(2, o + 3); b.writeUInt16LE(0, o + 5); o += 7; // RPC connection-oriented
  // Port and address are big-endian inside the little-endian tower.
  b.writeUInt16LE(1, o); b[o + 2] = 0x07; b.writeUInt16LE(2, o + 3); b.writeUInt16BE(port, o + 5); o += 7; // TCP
  b.writeUInt16LE(1, o); b[o + 2] = 0x09; b.writeUInt16LE(4, o + 3); b.writeUInt32BE(ip, o + 5); // IP
  return b;
}

/** request, opnum 3 (ept_map) for drsuapi (156 bytes). */
function dcerpcEptMapRequest(callId: number): Buffer {
  const b = Buffer.alloc(156);
  pduHeader(b, 0, callId);
  b.writeUInt32LE(132, 16); // alloc hint = stub length
  b.writeUInt16LE(0, 20);
  b.writeUInt16LE(3, 22);
  let o = 24;
  b.writeUInt32LE(1, o); o += 4 + 16; // object: referent, nil UUID
  b.writeUInt32LE(2, o); b.writeUInt32LE(75, o + 4); b.writeUInt32LE(75, o + 8); o += 12; // map_tower
  tower(0, 0).copy(b, o); o += 76; // tower + 1 byte pad
  o += 20; // entry handle: nil context handle
  b.writeUInt32LE(4, o); // max_towers
  return b;
}

/** response to ept_map: one tower naming `port` on the server (152 bytes). */
function dcerpcEptMapResponse(callId: number, port: number, path: Path): Buffer {
  const b = Buffer.alloc(152);
  pduHeader(b, 2, callId);
  b.writeUInt32LE(128, 16);
  let o = 24 + 20; // entry handle
  b.writeUInt32LE(1, o); o += 4; // num_towers
  b.writeUInt32LE(4, o); b.writeUInt32LE(0, o + 4); b.writeUInt32LE(1, o + 8); o += 12; // max, offset, actual
  b.writeUInt32LE(3, o); o += 4; // referent
  b.writeUInt32LE(75, o); b.writeUInt32LE(75, o + 4); o += 8;
  // An IPv6 server still gets an IPv4 floor: EPM towers for ncacn_ip_tcp carry IPv4 only.
  tower(port, path.v6 ? 0 : path.server).copy(b, o); o += 76;
  b.writeUInt32LE(0, o); // status
  return b;
}

// ---- cache -----------------------------------------------------------------------------------

/** Paths of the cached capture for a size. */
export function capturePaths(dir: string, sizeMiB: number): { pcap: string; meta: string } {
  const base = `${dir}/traffic-${sizeMiB}MiB`;
  return { pcap: `${base}.pcap`, meta: `${base}.meta.json` };
}

/** Scenarios per file: a few hundred in 1 GiB, at least 24 in small files. */
export function scenarioCount(sizeMiB: number): number {
  return Math.max(24, Math.round((300 * sizeMiB) / 1024));
}

/** Writes the capture (to a temporary name, renamed when complete) and returns its meta. */
export function generateCapture(path: string, sizeMiB: number, seed: number): CaptureMeta {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.partial`;
  const started = process.hrtime.bigint();
  const fd = openSync(tmp, 'w');
  let g: Generator;
  try {
    g = new Generator(seed, fd);
    g.run(sizeMiB * 1024 * 1024, scenarioCount(sizeMiB));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    generatorVersion: GENERATOR_VERSION,
    seed,
    sizeMiB,
    fileBytes: g.out.total,
    expected: g.c,
    scenarios: { ...g.scen },
    connections: g.connections,
    durationSeconds: (g.out.lastUs - START_US) / 1e6,
    generateSeconds: Math.round(seconds * 1000) / 1000,
  };
}

/**
 * Returns the cached capture's meta, generating the file first when it is missing, when its
 * meta names another generator version, seed or size, or when its size disagrees with the meta.
 */
export function ensureCapture(dir: string, sizeMiB: number, seed: number, force: boolean): { pcap: string; meta: CaptureMeta; generated: boolean } {
  const p = capturePaths(dir, sizeMiB);
  if (!force && existsSync(p.pcap) && existsSync(p.meta)) {
    try {
      const m = JSON.parse(readFileSync(p.meta, 'utf8')) as CaptureMeta;
      if (m.generatorVersion === GENERATOR_VERSION && m.seed === seed && m.sizeMiB === sizeMiB && statSync(p.pcap).size === m.fileBytes) {
        return { pcap: p.pcap, meta: m, generated: false };
      }
    } catch {
      // Unreadable meta: regenerate.
    }
  }
  const meta = generateCapture(p.pcap, sizeMiB, seed);
  writeFileSync(p.meta, `${JSON.stringify(meta, null, 2)}\n`);
  return { pcap: p.pcap, meta, generated: true };
}
