/**
 * Deterministic synthetic traffic for the benchmark: the same frames written twice in one pass,
 * as a classic pcap (microsecond, little-endian, LINKTYPE_ETHERNET) and as a pcapng (one SHB,
 * one Ethernet IDB with if_tsresol 10^-6, one EPB per frame, written by src/capture/writer.ts),
 * streaming through reused buffers.
 *
 * What the files hold, by design:
 * - long-lived TCP connections (IPv4 mostly; some IPv6, some 802.1Q-tagged) moving 1514-byte
 *   segments with correct seq/ack progression and a stretch ACK every few segments;
 * - connection churn: three-way handshakes (SYN with MSS/WS/SACK options) and FIN teardowns,
 *   both of pooled connections and of many short request/response connections;
 * - DNS A queries and answers over UDP, ICMP echo, a few ARP requests (non-IP);
 * - RPC scenarios spread through the file, one kind per finding id that a busy real capture can
 *   hold (see `SCENARIO_KINDS`): endpoint-mapper answers followed by blocked, reset, ICMP-refused,
 *   half-completed or working connections, EPM unreachable or refused, EPT_S_NOT_REGISTERED,
 *   a DCOM activation followed by blocked SYNs, an RPC fault, a tower naming another address, an
 *   answer never followed, and an unanswered non-RPC port. Each scenario has its own client and
 *   server address, so every one of them yields exactly the findings the generator expects.
 *   DCE/RPC, EPM and DCOM payloads come from the byte-exact builders in samples/gen/.
 *
 * Everything comes from one seeded PRNG, so the same seed and generator version give the same bytes.
 * The generator counts what it writes (frames, SYNs, RSTs, attempts by outcome, findings by id) so
 * the benchmark can check a tool's numbers against it. Checksums: IPv4 header checksums are
 * computed, TCP/UDP/ICMP ones are left zero (no decoder under test verifies them).
 */
import type { CaptureStats } from '../../src/model/report.js';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PcapWriter, PcapngWriter } from '../../src/capture/writer.js';
import { LinkType } from '../../src/wire/constants.js';
import {
  DRSUAPI_V4,
  EPM_V3,
  EPT_S_NOT_REGISTERED,
  NDR_V2,
  dcerpcBind,
  dcerpcBindAck,
  dcerpcFault,
  dcerpcRequest,
  dcerpcResponse,
  eptMapRequestStub,
  eptMapResponseStub,
  seededRandom,
  type SyntaxId,
} from '../../samples/gen/frames.js';
import { ISYSTEM_ACTIVATOR, remoteCreateInstanceRequest, remoteCreateInstanceResponse } from '../../samples/gen/dcom.js';

/** Bump when the bytes the generator writes for a given seed and size change. */
export const GENERATOR_VERSION = 3;
export const DEFAULT_SEED = 0x5eed2024;

/** The generator's seeded mulberry32 with the draws traffic shapes need; not for anything secret. */
export class Prng {
  /** Uniform in [0, 1). */
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
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

/** Counts a tool's report can be checked against: rpctrace's `stats`, plus frames and VLAN-tagged frames. */
export type ExpectedCounts = Omit<CaptureStats, 'nonPacketRecords'> & { frames: number; vlanTagged: number };

/**
 * RPC scenarios, one per finding id a busy real capture can hold. Each writes its own client and
 * server (10.30.x.y and 10.40.x.y by scenario number) so that findings never merge:
 * - `blocked`: EPM answer, then SYNs to the port unanswered (+3 s, +9 s) -> RPC_DYNAMIC_PORT_BLOCKED,
 *   or NONSTANDARD_RPC_PORT_BLOCKED when the port is 15595;
 * - `reset`: EPM answer, SYNs answered by RST (retries at +0.5 s, +1 s) -> RPC_PORT_REFUSED;
 * - `icmp-refused`: EPM answer, each SYN answered by ICMP port unreachable -> RPC_PORT_REFUSED;
 * - `epm-unreachable`: SYNs to TCP 135 unanswered -> EPM_UNREACHABLE;
 * - `epm-refused`: SYNs to TCP 135 answered by RST -> EPM_REFUSED;
 * - `not-registered`: ept_map answered with status 0x16c9a0d6 and no tower -> ENDPOINT_NOT_REGISTERED;
 * - `nonstandard-ok`: EPM answer with a port outside 49152-65535, the connection to it works
 *   (bind, bind_ack) -> NONSTANDARD_RPC_RANGE;
 * - `ok-with-fault`: EPM answer, connection works, the first call is answered by fault 5
 *   (access denied) -> RPC_PORT_OK and RPC_FAULT;
 * - `tower-mismatch`: the tower names another address of the server, the client connects to the
 *   address it used and it works -> RPC_PORT_OK and TOWER_ADDRESS_MISMATCH;
 * - `not-attempted`: EPM answer, then nothing from the client -> ADVERTISED_PORT_NOT_ATTEMPTED;
 * - `dcom-blocked`: RemoteCreateInstance answered with string bindings `HOST[port]` and
 *   `ADDRESS[port]`, then SYNs to the port unanswered -> RPC_DYNAMIC_PORT_BLOCKED, or
 *   NONSTANDARD_RPC_PORT_BLOCKED for 24158 (WMI in its own host);
 * - `handshake`: SYN-ACK comes back but the client never ACKs and retransmits its SYN, on TCP 135
 *   (every other one) or after an EPM answer -> HANDSHAKE_NOT_COMPLETED;
 * - `unanswered`: SYNs to a well-known non-RPC port (445, 5985, ...) unanswered -> CONNECTION_UNANSWERED.
 * Not generated, because they describe the capture rather than a connection or need state a
 * scenario cannot leave behind: INFERRED_RPC_PORT_BLOCKED (needs an invisible EPM answer),
 * ONE_SIDED_CAPTURE, SNAPLEN_TOO_SMALL, DUPLICATE_PACKETS, CONTROL_PACKETS_ONLY and
 * STATE_LIMIT_REACHED (see `--flood`).
 */
export const SCENARIO_KINDS = [
  'blocked', 'reset', 'icmp-refused', 'epm-unreachable', 'epm-refused', 'not-registered', 'nonstandard-ok',
  'ok-with-fault', 'tower-mismatch', 'not-attempted', 'dcom-blocked', 'handshake', 'unanswered',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

/** The order scenarios cycle through: the original three failures weigh most, as in real traces. */
const MIX: readonly ScenarioKind[] = [
  'blocked', 'reset', 'epm-unreachable', 'icmp-refused', 'not-registered', 'nonstandard-ok', 'dcom-blocked', 'handshake',
  'blocked', 'unanswered', 'epm-refused', 'ok-with-fault', 'icmp-refused', 'not-attempted', 'tower-mismatch', 'dcom-blocked',
];

/** Outcomes of connection attempts, as rpctrace names them. */
export type Outcome = 'established' | 'no-answer' | 'reset' | 'icmp-refused' | 'answered-not-completed';

/** What a generation produced, stored next to the files as `<name>.meta.json`. */
export interface CaptureMeta {
  generatorVersion: number;
  seed: number;
  sizeMiB: number;
  /** Size of the pcap in bytes, headers included. */
  fileBytes: number;
  /** Size of the pcapng holding the same frames. */
  pcapngBytes: number;
  expected: ExpectedCounts;
  scenarios: Record<ScenarioKind, number>;
  /** Findings the scenarios must produce, by id (ids not listed: none). */
  expectedFindings: Record<string, number>;
  /** Every connection attempt written, background included, by outcome. */
  expectedOutcomes: Record<Outcome, number>;
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

/**
 * Streams each frame to both files: the pcap record is written in place by the frame builders
 * (`record()` reserves it), and `done()` copies the finished frame into an EPB. Both buffers are
 * reused and flushed with writeSync in 16 MiB pieces.
 */
class CaptureOut {
  readonly b = Buffer.alloc(FLUSH_AT + SLACK);
  pos = 0;
  /** pcap bytes handed to the file so far plus those buffered. */
  total = 0;
  /** Captured bytes of the frames written (no headers). */
  frameBytes = 0;
  lastUs = 0;
  private readonly ngw = new PcapngWriter();
  private readonly ng = Buffer.alloc(FLUSH_AT + SLACK);
  private ngPos = 0;
  /** pcapng bytes handed to the file so far plus those buffered. */
  ngTotal = 0;
  /** The frame `record()` reserved last: start in `b`, length, time. */
  private start = 0;
  private len = 0;
  private us = 0;

  constructor(private readonly fd: number, private readonly ngFd: number) {
    const b = this.b;
    b.set(new PcapWriter({ linkType: LinkType.ETHERNET }).header(), 0);
    this.pos = PCAP_FILE_HEADER;
    this.total = PCAP_FILE_HEADER;
    const shb = this.ngw.section({
      userAppl: `rpctrace test/bench/traffic.ts v${GENERATOR_VERSION}`,
      // Microseconds written explicitly (the default when absent), so the option itself is read.
      interfaces: [{ linkType: 1, snaplen: 262144, tsresol: { base: 10, exp: 6 } }],
    });
    this.ng.set(shb, 0);
    this.ngPos = shb.length;
    this.ngTotal = shb.length;
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
    this.start = p + PCAP_RECORD_HEADER;
    this.len = n;
    this.us = us;
    return this.start;
  }

  /** The frame reserved last is complete: write its EPB, flush what is due. */
  done(): void {
    const sec = Math.floor(this.us / 1e6);
    const epb = this.ngw.add({ tsSec: sec, tsNsec: (this.us - sec * 1e6) * 1000, data: this.b.subarray(this.start, this.start + this.len) });
    this.ng.set(epb, this.ngPos);
    this.ngPos += epb.length;
    this.ngTotal += epb.length;
    if (this.pos >= FLUSH_AT) this.flushPcap();
    if (this.ngPos >= FLUSH_AT) this.flushPcapng();
  }

  flush(): void {
    this.flushPcap();
    this.flushPcapng();
  }

  private flushPcap(): void {
    let off = 0;
    while (off < this.pos) off += writeSync(this.fd, this.b, off, this.pos - off);
    this.pos = 0;
  }

  private flushPcapng(): void {
    let off = 0;
    while (off < this.ngPos) off += writeSync(this.ngFd, this.ng, off, this.ngPos - off);
    this.ngPos = 0;
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
  readonly out: CaptureOut;
  readonly ev = new Events();
  readonly pool: (Conn | null)[] = new Array<Conn | null>(POOL).fill(null);
  readonly pattern: Buffer;
  readonly c: ExpectedCounts = {
    frames: 0, bytes: 0, ipv4: 0, ipv6: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0, nonIp: 0, tcpSyn: 0,
    tcpSynRetransmissions: 0, tcpSynAck: 0, tcpRst: 0, tcpFin: 0, icmpUnreachable: 0, vlanTagged: 0,
  };
  readonly scen = Object.fromEntries(SCENARIO_KINDS.map((k) => [k, 0])) as Record<ScenarioKind, number>;
  readonly findings: Record<string, number> = {};
  readonly outcomes: Record<Outcome, number> = { established: 0, 'no-answer': 0, reset: 0, 'icmp-refused': 0, 'answered-not-completed': 0 };
  connections = 0;
  /** Set once the file is big enough: scheduled frames still go out, new connections do not. */
  draining = false;
  ipId = 1;
  dnsId = 1;
  pingSeq = 1;

  constructor(seed: number, fd: number, ngFd: number) {
    this.rng = new Prng(seed);
    this.out = new CaptureOut(fd, ngFd);
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
  tcp(t: number, path: Path, fromClient: boolean, sport: number, dport: number, seq: number, ack: number, flags: number, len: number, payload: Uint8Array | null = null): void {
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
      if (payload !== null) b.set(payload.length === len ? payload : payload.subarray(0, len), o);
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
    out.done();
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
    out.done();
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
    out.done();
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
    out.done();
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
    this.outcomes.established++;
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
    this.outcomes.established++;
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

  // ---- RPC scenarios ----

  /** Three-way handshake from `at`; returns the offset at which the client may send. */
  private handshake(steps: Steps, at: number, path: Path, cPort: number, sPort: number, rtt: number, q: Seqs): number {
    steps.push([at, (t) => { this.tcp(t, path, true, cPort, sPort, q.c, 0, TcpFlag.SYN, 0); q.c = (q.c + 1) >>> 0; }]);
    steps.push([at + rtt, (t) => { this.tcp(t, path, false, sPort, cPort, q.s, q.c, TcpFlag.SYN | TcpFlag.ACK, 0); q.s = (q.s + 1) >>> 0; }]);
    steps.push([at + rtt + 40, (t) => this.tcp(t, path, true, cPort, sPort, q.c, q.s, TcpFlag.ACK, 0)]);
    return at + rtt + 90;
  }

  /**
   * PDUs in order from `at` (a client PDU 60 us after the previous frame, a server PDU one RTT
   * later), then the client's FIN, the server's FIN, the last ACK. Returns the offset of that ACK.
   */
  private exchange(steps: Steps, at: number, path: Path, cPort: number, sPort: number, rtt: number, q: Seqs, pdus: readonly (readonly [boolean, Uint8Array])[]): number {
    const PA = TcpFlag.PSH | TcpFlag.ACK;
    const FA = TcpFlag.FIN | TcpFlag.ACK;
    let now = at;
    for (const [fromClient, d] of pdus) {
      if (fromClient) {
        steps.push([now, (t) => { this.tcp(t, path, true, cPort, sPort, q.c, q.s, PA, d.length, d); q.c = (q.c + d.length) >>> 0; }]);
      } else {
        now += rtt;
        steps.push([now, (t) => { this.tcp(t, path, false, sPort, cPort, q.s, q.c, PA, d.length, d); q.s = (q.s + d.length) >>> 0; }]);
      }
      now += 60;
    }
    now += 250;
    steps.push([now, (t) => { this.tcp(t, path, true, cPort, sPort, q.c, q.s, FA, 0); q.c = (q.c + 1) >>> 0; }]);
    steps.push([now + rtt, (t) => { this.tcp(t, path, false, sPort, cPort, q.s, q.c, FA, 0); q.s = (q.s + 1) >>> 0; }]);
    steps.push([now + rtt + 40, (t) => this.tcp(t, path, true, cPort, sPort, q.c, q.s, TcpFlag.ACK, 0)]);
    return now + rtt + 40;
  }

  /** A whole connection: handshake, `pdus`, teardown. Returns the offset of its last frame. */
  private session(steps: Steps, at: number, path: Path, cPort: number, sPort: number, rtt: number, pdus: readonly (readonly [boolean, Uint8Array])[]): number {
    const q: Seqs = { c: this.rng.u32(), s: this.rng.u32() };
    this.outcomes.established++;
    return this.exchange(steps, this.handshake(steps, at, path, cPort, sPort, rtt, q), path, cPort, sPort, rtt, q, pdus);
  }

  /** Endpoint-mapper session on 135: bind, ept_map for `iface`, `answer` as the response stub. */
  private epmSession(steps: Steps, at: number, path: Path, cPort: number, rtt: number, iface: SyntaxId, answer: Uint8Array): number {
    return this.session(steps, at, path, cPort, EPM_PORT, rtt, [
      [true, EPM_BIND], [false, BIND_ACK_135],
      [true, eptMapRequest(iface)], [false, dcerpcResponse({ callId: 2, stub: answer })],
    ]);
  }

  /**
   * One attempt that fails: SYNs at +0, +3 s, +9 s (Windows' schedule; +0.5 s, +1 s after a
   * reset) each answered as `answer` says: not at all, RST, ICMP port unreachable, or a SYN-ACK
   * the client never acknowledges.
   */
  private failedAttempt(steps: Steps, at: number, path: Path, cPort: number, port: number, rtt: number, answer: 'none' | 'rst' | 'icmp' | 'syn-ack'): void {
    const isn = this.rng.u32();
    const sIsn = this.rng.u32();
    const schedule = answer === 'rst' ? [0, 500_000, 1_000_000] : [0, 3_000_000, 9_000_000];
    const quote = answer === 'icmp' ? this.quoteSyn(path, cPort, port, isn) : null;
    schedule.forEach((dt, i) => {
      steps.push([at + dt, (t) => {
        this.tcp(t, path, true, cPort, port, isn, 0, TcpFlag.SYN, 0);
        if (i > 0) this.c.tcpSynRetransmissions++;
      }]);
      if (answer === 'rst') steps.push([at + dt + rtt, (t) => this.tcp(t, path, false, port, cPort, 0, (isn + 1) >>> 0, TcpFlag.RST | TcpFlag.ACK, 0)]);
      else if (answer === 'icmp') steps.push([at + dt + rtt, (t) => this.icmp(t, path, false, path.v6 ? 1 : 3, path.v6 ? 4 : 3, 0, quote!)]);
      else if (answer === 'syn-ack') steps.push([at + dt + rtt, (t) => this.tcp(t, path, false, port, cPort, sIsn, (isn + 1) >>> 0, TcpFlag.SYN | TcpFlag.ACK, 0)]);
    });
    this.outcomes[answer === 'none' ? 'no-answer' : answer === 'rst' ? 'reset' : answer === 'icmp' ? 'icmp-refused' : 'answered-not-completed']++;
  }

  private expect(id: string): void {
    this.findings[id] = (this.findings[id] ?? 0) + 1;
  }

  /** Scenario number `i` of kind `kind`, starting at `t0`. */
  scenario(t0: number, i: number, kind: ScenarioKind): void {
    const r = this.rng;
    const hi = Math.floor(i / 250);
    const lo = (i % 250) + 1;
    // DCOM bindings and a second tower address are IPv4 here; the rest is sometimes IPv6.
    const v4only = kind === 'dcom-blocked' || kind === 'tower-mismatch';
    const path: Path = {
      v6: !v4only && r.chance(0.1),
      vlan: r.chance(0.2) ? r.int(200, 210) : 0,
      client: ip4(10, 30, hi, lo),
      server: ip4(10, 40, hi, lo),
    };
    const serverText = `10.40.${hi}.${lo}`;
    // EPM towers for ncacn_ip_tcp carry IPv4 only: an IPv6 server's tower says 0.0.0.0.
    const towerIp = path.v6 ? '0.0.0.0' : serverText;
    const cPort = r.int(49152, 64000);
    const rtt = r.int(200, 3000);
    const iface = IFACES[r.int(0, IFACES.length)]!;
    const dynamic = r.int(49152, 50000);
    const steps: Steps = [];
    const answer = (port: number, ip = towerIp): Uint8Array => eptMapResponseStub({ towers: [{ iface, port, ip }], maxTowers: 4 });
    /** Gap between the end of the EPM session and the client's next SYN. */
    const GAP = 1100;
    switch (kind) {
      case 'blocked':
      case 'reset':
      case 'icmp-refused': {
        const port = r.chance(0.35) ? 15595 : dynamic;
        const end = this.epmSession(steps, 0, path, cPort, rtt, iface, answer(port));
        this.failedAttempt(steps, end + GAP, path, cPort + 1, port, rtt, kind === 'blocked' ? 'none' : kind === 'reset' ? 'rst' : 'icmp');
        this.expect(kind !== 'blocked' ? 'RPC_PORT_REFUSED' : port < 49152 ? 'NONSTANDARD_RPC_PORT_BLOCKED' : 'RPC_DYNAMIC_PORT_BLOCKED');
        break;
      }
      case 'epm-unreachable':
        this.failedAttempt(steps, 0, path, cPort, EPM_PORT, rtt, 'none');
        this.expect('EPM_UNREACHABLE');
        break;
      case 'epm-refused':
        this.failedAttempt(steps, 0, path, cPort, EPM_PORT, rtt, 'rst');
        this.expect('EPM_REFUSED');
        break;
      case 'not-registered':
        this.epmSession(steps, 0, path, cPort, rtt, iface, NOT_REGISTERED);
        this.expect('ENDPOINT_NOT_REGISTERED');
        break;
      case 'nonstandard-ok': {
        const port = NONSTANDARD_PORTS[r.int(0, NONSTANDARD_PORTS.length)]!;
        const end = this.epmSession(steps, 0, path, cPort, rtt, iface, answer(port));
        this.session(steps, end + GAP, path, cPort + 1, port, rtt, [[true, bindTo(iface)], [false, bindAck(port)]]);
        this.expect('NONSTANDARD_RPC_RANGE');
        break;
      }
      case 'ok-with-fault': {
        const end = this.epmSession(steps, 0, path, cPort, rtt, iface, answer(dynamic));
        this.session(steps, end + GAP, path, cPort + 1, dynamic, rtt, [[true, bindTo(iface)], [false, bindAck(dynamic)], [true, FIRST_CALL], [false, ACCESS_DENIED]]);
        this.expect('RPC_PORT_OK');
        this.expect('RPC_FAULT');
        break;
      }
      case 'tower-mismatch': {
        // A multi-homed server: the tower names its other interface; the client keeps the
        // address it already reached, as Windows clients do, and the connection works.
        const end = this.epmSession(steps, 0, path, cPort, rtt, iface, answer(dynamic, `10.41.${hi}.${lo}`));
        this.session(steps, end + GAP, path, cPort + 1, dynamic, rtt, [[true, bindTo(iface)], [false, bindAck(dynamic)]]);
        this.expect('RPC_PORT_OK');
        this.expect('TOWER_ADDRESS_MISMATCH');
        break;
      }
      case 'not-attempted':
        this.epmSession(steps, 0, path, cPort, rtt, iface, answer(dynamic));
        this.expect('ADVERTISED_PORT_NOT_ATTEMPTED');
        break;
      case 'dcom-blocked': {
        const port = r.chance(0.5) ? 24158 : dynamic;
        const host = `APP${String(i).padStart(4, '0')}`;
        const id = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => r.int(0, 256));
        const reply = remoteCreateInstanceResponse({
          bindings: [`${host}[${port}]`, `${serverText}[${port}]`],
          resolver: [host, serverText],
          principal: `CORP\\${host}$`,
          oxid: id(8),
          oid: id(8),
          ipid: '0000a801-0be4-0000-5d3c-d1b7a4f25e91',
          ipidRemUnknown: '0000bc02-0be4-0000-1f6a-2c93e0d47b58',
        });
        const end = this.session(steps, 0, path, cPort, EPM_PORT, rtt, [
          [true, ACTIVATOR_BIND], [false, BIND_ACK_135],
          [true, CREATE_INSTANCE], [false, dcerpcResponse({ callId: 2, stub: reply })],
        ]);
        this.failedAttempt(steps, end + GAP, path, cPort + 1, port, rtt, 'none');
        this.expect(port < 49152 ? 'NONSTANDARD_RPC_PORT_BLOCKED' : 'RPC_DYNAMIC_PORT_BLOCKED');
        break;
      }
      case 'handshake':
        if (this.scen.handshake % 2 === 0) {
          this.failedAttempt(steps, 0, path, cPort, EPM_PORT, rtt, 'syn-ack');
        } else {
          const end = this.epmSession(steps, 0, path, cPort, rtt, iface, answer(dynamic));
          this.failedAttempt(steps, end + GAP, path, cPort + 1, dynamic, rtt, 'syn-ack');
        }
        this.expect('HANDSHAKE_NOT_COMPLETED');
        break;
      case 'unanswered':
        this.failedAttempt(steps, 0, path, cPort, WELL_KNOWN_PORTS[r.int(0, WELL_KNOWN_PORTS.length)]!, rtt, 'none');
        this.expect('CONNECTION_UNANSWERED');
        break;
    }
    // The heap breaks time ties by scheduling order; steps that share a time are pushed in order.
    for (const [dt, run] of steps) this.ev.at(t0 + dt, run);
    this.scen[kind]++;
  }

  /** Writes frames until the file reaches `target` bytes, then lets scheduled events finish. */
  run(target: number, scenarios: number): void {
    const r = this.rng;
    const usPerByte = DURATION_US / target;
    // Scenarios start evenly spread (with jitter) over the span, leaving 15 s for the last to finish.
    const span = DURATION_US - 15e6;
    for (let i = 0; i < scenarios; i++) {
      const t = START_US + 1e6 + Math.floor(((i + r.next() * 0.8) / scenarios) * span);
      const kind = MIX[i % MIX.length]!;
      this.ev.at(t, (t1) => this.scenario(t1, i, kind));
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

/** Interfaces the scenarios look up: AD replication, Netlogon, event log, task scheduler. */
const IFACES: readonly SyntaxId[] = [
  DRSUAPI_V4,
  { uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 },
  { uuid: 'f6beaff7-1e19-4fbb-9f8f-b89e2018337c', major: 1, minor: 0 },
  { uuid: '86d35949-83c9-4044-b424-db363231fd0c', major: 1, minor: 0 },
];
/** Ports outside 49152-65535 that servers really hand out: a registry range, WMI standalone, Exchange 2010, legacy 1025-5000. */
const NONSTANDARD_PORTS: readonly number[] = [15595, 24158, 6004, 6400, 1026, 4102];
/** Well-known non-RPC ports for the unanswered scenario: SMB, WinRM, global catalog, LDAP, Kerberos, SQL Server. */
const WELL_KNOWN_PORTS: readonly number[] = [445, 5985, 3268, 389, 88, 1433];

/** A scenario's steps: offsets in microseconds from its start, each writing one frame. */
type Steps = [number, (t: number) => void][];
/** Next sequence number of each side of one connection, advanced as its steps run. */
interface Seqs {
  c: number;
  s: number;
}

/** bind with one NDR context for `iface` (call 1). */
const bindTo = (iface: SyntaxId): Uint8Array => dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: iface, transfer: [NDR_V2] }] });
/** bind_ack accepting NDR; the secondary address is the port the server listens on (MS-RPCE 2.2.2.9). */
const bindAck = (port: number): Uint8Array => dcerpcBindAck({ callId: 1, secondaryAddress: String(port), results: [{ result: 0, transfer: NDR_V2 }] });
const EPM_BIND = bindTo(EPM_V3);
const BIND_ACK_135 = bindAck(135);
const ACTIVATOR_BIND = bindTo(ISYSTEM_ACTIVATOR);
const mapRequests = new Map<SyntaxId, Uint8Array>();
/** ept_map request (opnum 3, call 2) for `iface`. */
function eptMapRequest(iface: SyntaxId): Uint8Array {
  let m = mapRequests.get(iface);
  if (m === undefined) mapRequests.set(iface, (m = dcerpcRequest({ callId: 2, opnum: 3, stub: eptMapRequestStub({ iface }) })));
  return m;
}
/** ept_map answer: no tower, EPT_S_NOT_REGISTERED. */
const NOT_REGISTERED = eptMapResponseStub({ towers: [], status: EPT_S_NOT_REGISTERED, maxTowers: 4 });
/** RemoteCreateInstance (opnum 4, call 2) of an application's DCOM server. */
const CREATE_INSTANCE = dcerpcRequest({
  callId: 2,
  opnum: 4,
  stub: remoteCreateInstanceRequest({ clsid: '4991d34b-80a1-4291-83b6-3328366b9097', serverName: 'APP', cid: 'a3c1f5e2-7d44-4b19-9e0a-6c2b8d1f4e73' }),
});
/** The first call on a new connection (opnum 0, 64 bytes of stub) and its answer: fault 5, access denied. */
const FIRST_CALL = dcerpcRequest({ callId: 2, opnum: 0, stub: new Uint8Array(64).fill(0x11) });
const ACCESS_DENIED = dcerpcFault({ callId: 2, status: 5 });

// ---- cache -----------------------------------------------------------------------------------

/** Paths of the cached captures for a size: the pcap, the pcapng of the same frames, their meta. */
export function capturePaths(dir: string, sizeMiB: number): { pcap: string; pcapng: string; meta: string } {
  const base = `${dir}/traffic-${sizeMiB}MiB`;
  return { pcap: `${base}.pcap`, pcapng: `${base}.pcapng`, meta: `${base}.meta.json` };
}

/** Scenarios per file: a few hundred in 1 GiB; in small files at least two of every kind. */
export function scenarioCount(sizeMiB: number): number {
  return Math.max(2 * MIX.length, Math.round((300 * sizeMiB) / 1024));
}

/** Writes both captures (to temporary names, renamed when complete) and returns their meta. */
export function generateCapture(paths: { pcap: string; pcapng: string }, sizeMiB: number, seed: number): CaptureMeta {
  mkdirSync(dirname(paths.pcap), { recursive: true });
  const tmp = `${paths.pcap}.partial`;
  const ngTmp = `${paths.pcapng}.partial`;
  const started = process.hrtime.bigint();
  const fd = openSync(tmp, 'w');
  let ngFd: number | null = null;
  let g: Generator;
  try {
    ngFd = openSync(ngTmp, 'w');
    g = new Generator(seed, fd, ngFd);
    g.run(sizeMiB * 1024 * 1024, scenarioCount(sizeMiB));
  } finally {
    closeSync(fd);
    if (ngFd !== null) closeSync(ngFd);
  }
  renameSync(tmp, paths.pcap);
  renameSync(ngTmp, paths.pcapng);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    generatorVersion: GENERATOR_VERSION,
    seed,
    sizeMiB,
    fileBytes: g.out.total,
    pcapngBytes: g.out.ngTotal,
    expected: g.c,
    scenarios: { ...g.scen },
    expectedFindings: Object.fromEntries(Object.entries(g.findings).sort(([a], [b]) => (a < b ? -1 : 1))),
    expectedOutcomes: { ...g.outcomes },
    connections: g.connections,
    durationSeconds: (g.out.lastUs - START_US) / 1e6,
    generateSeconds: Math.round(seconds * 1000) / 1000,
  };
}

/**
 * Returns the cached captures' meta, generating both files first when either is missing, when
 * the meta names another generator version, seed or size, or when a size disagrees with it.
 */
export function ensureCapture(dir: string, sizeMiB: number, seed: number, force: boolean): { pcap: string; pcapng: string; meta: CaptureMeta; generated: boolean } {
  const p = capturePaths(dir, sizeMiB);
  if (!force && existsSync(p.pcap) && existsSync(p.pcapng) && existsSync(p.meta)) {
    try {
      const m = JSON.parse(readFileSync(p.meta, 'utf8')) as CaptureMeta;
      if (m.generatorVersion === GENERATOR_VERSION && m.seed === seed && m.sizeMiB === sizeMiB && statSync(p.pcap).size === m.fileBytes && statSync(p.pcapng).size === m.pcapngBytes) {
        return { pcap: p.pcap, pcapng: p.pcapng, meta: m, generated: false };
      }
    } catch {
      // Unreadable meta: regenerate.
    }
  }
  const meta = generateCapture(p, sizeMiB, seed);
  writeFileSync(p.meta, `${JSON.stringify(meta, null, 2)}\n`);
  return { pcap: p.pcap, pcapng: p.pcapng, meta, generated: true };
}
