/**
 * Byte-exact frame builders for the sample generator and the tests: link headers, IPv4/IPv6,
 * TCP/UDP/ICMP with correct checksums, DCE/RPC connection-oriented PDUs (C706 ch. 12, MS-RPCE)
 * and the endpoint mapper's ept_map (C706 Appendix O and L). Every builder returns a fresh
 * `Uint8Array`; nothing here reads a clock or a random source, so output depends on input only.
 */
import type { WriterFrame } from '../../src/capture/writer.js';
import { EtherType, IpProto, TcpFlag } from '../../src/wire/constants.js';

export { EtherType, IpProto, TcpFlag };

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// Bytes

/** Big- or little-endian byte sink for building headers. */
export class ByteWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  len = 0;

  constructor(readonly le = false) {}

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.view.setUint8(this.len, v);
    this.len += 1;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.len, v, this.le);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.len, v >>> 0, this.le);
    this.len += 4;
    return this;
  }

  bytes(b: Uint8Array | readonly number[]): this {
    const a = b instanceof Uint8Array ? b : Uint8Array.from(b);
    this.room(a.length);
    this.buf.set(a, this.len);
    this.len += a.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Zero bytes up to a multiple of `n`, counted from the start of this writer. */
  align(n: number): this {
    return this.zeros((n - (this.len % n)) % n);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Joins byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `00:15:5d:01:01:32` to 6 bytes. */
export function mac(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6) throw new RangeError(`not a MAC address: ${text}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** Dotted quad to 4 bytes. */
export function ipv4Addr(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new RangeError(`not an IPv4 address: ${text}`);
  return Uint8Array.from(parts, (p) => {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new RangeError(`not an IPv4 address: ${text}`);
    return v;
  });
}

/** RFC 4291 §2.2 text (with `::`, optionally a dotted-quad tail) to 16 bytes. */
export function ipv6Addr(text: string): Uint8Array {
  let s = text;
  const m = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (m !== null) {
    const v4 = ipv4Addr(m[2]!);
    s = `${m[1]!}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) throw new RangeError(`not an IPv6 address: ${text}`);
  const words = (h: string): number[] => (h === '' ? [] : h.split(':').map((w) => (/^[0-9a-fA-F]{1,4}$/.test(w) ? parseInt(w, 16) : NaN)));
  const head = words(halves[0]!);
  const rest = halves.length === 2 ? words(halves[1]!) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || (halves.length === 2 && fill < 1)) throw new RangeError(`not an IPv6 address: ${text}`);
  const all = head.concat(new Array<number>(halves.length === 2 ? fill : 0).fill(0), rest);
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    if (Number.isNaN(w)) throw new RangeError(`not an IPv6 address: ${text}`);
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}

/** Address text to bytes: IPv6 when it contains a colon. */
export function ipAddr(text: string): Uint8Array {
  return text.includes(':') ? ipv6Addr(text) : ipv4Addr(text);
}

/** RFC 1071 Internet checksum over the concatenation of `parts` (odd part lengths allowed). */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  let odd = false;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      sum += odd ? p[i]! : p[i]! << 8;
      odd = !odd;
    }
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** TCP/UDP/ICMPv6 pseudo-header (RFC 9293 §3.1, RFC 8200 §8.1) for `src`/`dst` of 4 or 16 bytes. */
export function pseudoHeader(src: Uint8Array, dst: Uint8Array, proto: number, length: number): Uint8Array {
  if (src.length === 4) {
    return new ByteWriter().bytes(src).bytes(dst).u8(0).u8(proto).u16(length).done();
  }
  return new ByteWriter().bytes(src).bytes(dst).u32(length).zeros(3).u8(proto).done();
}

// ---------------------------------------------------------------------------------------------
// Link layer

/** One 802.1Q / 802.1ad tag. */
export interface VlanTag {
  /** 0x8100 (C-tag, default), 0x88a8 (S-tag) or 0x9100 (pre-standard QinQ). */
  tpid?: number;
  vid: number;
  pcp?: number;
  dei?: boolean;
}

/** Ethernet II header fields. Tags are listed outermost first. */
export interface EthernetOptions {
  dst: string;
  src: string;
  etherType: number;
  tags?: readonly VlanTag[];
  /** Pad to the 60-byte minimum (without FCS), as a received frame is. */
  pad?: boolean;
}

/** Ethernet II frame, optionally 802.1Q tagged or stacked 802.1ad + 802.1Q (IEEE 802.1Q §9.6). */
export function ethernet(o: EthernetOptions, payload: Uint8Array): Uint8Array {
  const w = new ByteWriter().bytes(mac(o.dst)).bytes(mac(o.src));
  for (const t of o.tags ?? []) {
    w.u16(t.tpid ?? EtherType.VLAN);
    w.u16(((t.pcp ?? 0) << 13) | (t.dei === true ? 0x1000 : 0) | (t.vid & 0x0fff));
  }
  w.u16(o.etherType).bytes(payload);
  if (o.pad === true && w.len < 60) w.zeros(60 - w.len);
  return w.done();
}

/** Linux packet types in SLL headers (`PACKET_*`). */
export const SllPacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const;

/** Fields of a Linux cooked header. */
export interface SllOptions {
  /** EtherType of the payload. */
  protocol: number;
  packetType?: number;
  /** ARPHRD_* type; default 1 (Ethernet). */
  arphrd?: number;
  /** Link-layer source address (up to 8 bytes), e.g. a MAC. */
  addr?: string;
}

/** LINKTYPE_LINUX_SLL (113) header: 16 bytes, all big-endian (tcpdump.org linktypes/LINKTYPE_LINUX_SLL). */
export function sll(o: SllOptions, payload: Uint8Array): Uint8Array {
  const a = o.addr !== undefined ? mac(o.addr) : EMPTY;
  return new ByteWriter()
    .u16(o.packetType ?? SllPacketType.HOST)
    .u16(o.arphrd ?? 1)
    .u16(a.length)
    .bytes(a)
    .zeros(8 - a.length)
    .u16(o.protocol)
    .bytes(payload)
    .done();
}

/** LINKTYPE_LINUX_SLL2 (276) header: 20 bytes (protocol first, then interface index). */
export function sll2(o: SllOptions & { ifIndex?: number }, payload: Uint8Array): Uint8Array {
  const a = o.addr !== undefined ? mac(o.addr) : EMPTY;
  return new ByteWriter()
    .u16(o.protocol)
    .u16(0) // reserved, must be zero
    .u32(o.ifIndex ?? 2)
    .u16(o.arphrd ?? 1)
    .u8(o.packetType ?? SllPacketType.HOST)
    .u8(a.length)
    .bytes(a)
    .zeros(8 - a.length)
    .bytes(payload)
    .done();
}

/** BSD address family values found in NULL/LOOP headers (tcpdump.org LINKTYPE_NULL). */
export const AF = { INET: 2, INET6_BSD: 24, INET6_FREEBSD: 28, INET6_DARWIN: 30 } as const;

/** LINKTYPE_NULL (0): 4-byte AF in the capturing host's byte order (little-endian unless `hostBigEndian`). */
export function nullHeader(af: number, payload: Uint8Array, hostBigEndian = false): Uint8Array {
  return new ByteWriter(!hostBigEndian).u32(af).bytes(payload).done();
}

/** LINKTYPE_LOOP (108): like NULL but the AF is always in network byte order. */
export function loopHeader(af: number, payload: Uint8Array): Uint8Array {
  return new ByteWriter(false).u32(af).bytes(payload).done();
}

/** ARP request or reply for IPv4 over Ethernet (RFC 826): 28 bytes, to go after an Ethernet header of EtherType 0x0806. */
export function arp(o: { reply: boolean; senderMac: string; senderIp: string; targetMac?: string; targetIp: string }): Uint8Array {
  return new ByteWriter()
    .u16(1) // hardware: Ethernet
    .u16(EtherType.IPV4)
    .u8(6)
    .u8(4)
    .u16(o.reply ? 2 : 1)
    .bytes(mac(o.senderMac))
    .bytes(ipv4Addr(o.senderIp))
    .bytes(mac(o.targetMac ?? '00:00:00:00:00:00'))
    .bytes(ipv4Addr(o.targetIp))
    .done();
}

// ---------------------------------------------------------------------------------------------
// IP

/** IPv4 header fields (RFC 791 §3.1). */
export interface Ipv4Options {
  src: string;
  dst: string;
  proto: number;
  ttl?: number;
  id?: number;
  tos?: number;
  df?: boolean;
  mf?: boolean;
  /** Fragment offset in bytes; must be a multiple of 8. */
  fragOffset?: number;
  /** Raw option bytes; padded with zeros (end of option list) to 32 bits. */
  options?: Uint8Array;
  /** Override the computed header checksum (to build a bad one). */
  checksum?: number;
}

/** IPv4 packet with a correct header checksum unless overridden. */
export function ipv4(o: Ipv4Options, payload: Uint8Array): Uint8Array {
  const opts = o.options ?? EMPTY;
  const optLen = (opts.length + 3) & ~3;
  const hlen = 20 + optLen;
  const frag = o.fragOffset ?? 0;
  if (frag % 8 !== 0) throw new RangeError(`fragment offset ${frag} is not a multiple of 8`);
  const w = new ByteWriter()
    .u8(0x40 | (hlen / 4))
    .u8(o.tos ?? 0)
    .u16(hlen + payload.length)
    .u16(o.id ?? 0)
    .u16((o.df === true ? 0x4000 : 0) | (o.mf === true ? 0x2000 : 0) | (frag / 8))
    .u8(o.ttl ?? 128)
    .u8(o.proto)
    .u16(0)
    .bytes(ipv4Addr(o.src))
    .bytes(ipv4Addr(o.dst))
    .bytes(opts)
    .zeros(optLen - opts.length);
  const header = w.done();
  const sum = o.checksum ?? internetChecksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return concat(header, payload);
}

/**
 * Splits a transport payload into IPv4 fragments of at most `maxData` bytes each (rounded down
 * to a multiple of 8, RFC 791 §3.2); every fragment but the last has MF set.
 */
export function ipv4Fragments(o: Ipv4Options, payload: Uint8Array, maxData: number): Uint8Array[] {
  const step = maxData & ~7;
  if (step <= 0) throw new RangeError(`fragment size ${maxData} is below 8`);
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += step) {
    const end = Math.min(payload.length, at + step);
    out.push(ipv4({ ...o, df: false, mf: end < payload.length, fragOffset: at }, payload.subarray(at, end)));
  }
  return out;
}

/** One IPv6 extension header (RFC 8200 §4). */
export type Ipv6Ext =
  | { type: 'hop-by-hop' | 'destination'; options?: Uint8Array }
  | { type: 'routing'; routingType?: number; segmentsLeft?: number; addresses?: readonly string[] }
  | { type: 'fragment'; offset: number; more: boolean; id: number };

/** IPv6 header fields. */
export interface Ipv6Options {
  src: string;
  dst: string;
  /** Protocol of the payload after any extension headers. */
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  ext?: readonly Ipv6Ext[];
}

const EXT_CODE: Record<Ipv6Ext['type'], number> = {
  'hop-by-hop': IpProto.HOPOPTS,
  routing: IpProto.ROUTING,
  fragment: IpProto.FRAGMENT,
  destination: IpProto.DSTOPTS,
};

/** Hop-by-hop / destination options body padded with Pad1/PadN to a multiple of 8 (RFC 8200 §4.2). */
function optionsExt(next: number, opts: Uint8Array): Uint8Array {
  const raw = 2 + opts.length;
  const total = Math.max(8, (raw + 7) & ~7);
  const w = new ByteWriter().u8(next).u8(total / 8 - 1).bytes(opts);
  const pad = total - raw;
  if (pad === 1) w.u8(0); // Pad1
  else if (pad > 1) w.u8(1).u8(pad - 2).zeros(pad - 2); // PadN
  return w.done();
}

/** IPv6 packet with the given extension headers in order before the payload. */
export function ipv6(o: Ipv6Options, payload: Uint8Array): Uint8Array {
  const exts = o.ext ?? [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    const next = i + 1 < exts.length ? EXT_CODE[exts[i + 1]!.type] : o.nextHeader;
    switch (e.type) {
      case 'hop-by-hop':
      case 'destination':
        parts.push(optionsExt(next, e.options ?? EMPTY));
        break;
      case 'routing': {
        const addrs = e.addresses ?? [];
        const w = new ByteWriter().u8(next).u8(addrs.length * 2).u8(e.routingType ?? 0).u8(e.segmentsLeft ?? addrs.length).u32(0);
        for (const a of addrs) w.bytes(ipv6Addr(a));
        parts.push(w.done());
        break;
      }
      case 'fragment':
        if (e.offset % 8 !== 0) throw new RangeError(`fragment offset ${e.offset} is not a multiple of 8`);
        parts.push(new ByteWriter().u8(next).u8(0).u16(e.offset | (e.more ? 1 : 0)).u32(e.id).done());
        break;
    }
  }
  const extBytes = concat(...parts);
  const first = exts.length > 0 ? EXT_CODE[exts[0]!.type] : o.nextHeader;
  const header = new ByteWriter()
    .u32((6 << 28) | ((o.trafficClass ?? 0) << 20) | ((o.flowLabel ?? 0) & 0xfffff))
    .u16(extBytes.length + payload.length)
    .u8(first)
    .u8(o.hopLimit ?? 128)
    .bytes(ipv6Addr(o.src))
    .bytes(ipv6Addr(o.dst))
    .done();
  return concat(header, extBytes, payload);
}

/**
 * Splits an upper-layer packet into IPv6 fragments of at most `maxData` bytes each (rounded down
 * to a multiple of 8, RFC 8200 §4.5); every fragment but the last has M set. `o.ext` are the
 * unfragmentable headers before the Fragment header.
 */
export function ipv6Fragments(o: Ipv6Options, payload: Uint8Array, maxData: number, id: number): Uint8Array[] {
  const step = maxData & ~7;
  if (step <= 0) throw new RangeError(`fragment size ${maxData} is below 8`);
  const out: Uint8Array[] = [];
  for (let at = 0; at < payload.length; at += step) {
    const end = Math.min(payload.length, at + step);
    out.push(ipv6({ ...o, ext: [...(o.ext ?? []), { type: 'fragment', offset: at, more: end < payload.length, id }] }, payload.subarray(at, end)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Transport

/** A TCP option. */
export type TcpOption =
  | { kind: 'mss'; value: number }
  | { kind: 'ws'; shift: number }
  | { kind: 'sack-permitted' }
  | { kind: 'timestamps'; value: number; echo: number }
  | { kind: 'nop' }
  | { kind: 'eol' }
  | { kind: 'raw'; bytes: Uint8Array };

/** The option list Windows puts on a SYN: MSS, NOP, WS, NOP, NOP, SACK permitted. */
export function windowsSynOptions(mss = 1460, shift = 8): TcpOption[] {
  return [{ kind: 'mss', value: mss }, { kind: 'nop' }, { kind: 'ws', shift }, { kind: 'nop' }, { kind: 'nop' }, { kind: 'sack-permitted' }];
}

/** Encoded options, padded with EOL (zero) to 32 bits (RFC 9293 §3.1). */
export function tcpOptionBytes(opts: readonly TcpOption[]): Uint8Array {
  const w = new ByteWriter();
  for (const o of opts) {
    switch (o.kind) {
      case 'mss': w.u8(2).u8(4).u16(o.value); break;
      case 'ws': w.u8(3).u8(3).u8(o.shift); break;
      case 'sack-permitted': w.u8(4).u8(2); break;
      case 'timestamps': w.u8(8).u8(10).u32(o.value).u32(o.echo); break;
      case 'nop': w.u8(1); break;
      case 'eol': w.u8(0); break;
      case 'raw': w.bytes(o.bytes); break;
    }
  }
  w.align(4);
  return w.done();
}

/** TCP header fields. */
export interface TcpOptions {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack?: number;
  /** `TcpFlag` bits, incl. ECE and CWR. */
  flags: number;
  window?: number;
  urgent?: number;
  options?: readonly TcpOption[];
  /** Override the computed checksum (to build a bad one). */
  checksum?: number;
}

/**
 * TCP segment with a correct checksum over the pseudo-header of `src`/`dst` (address text; for
 * IPv6 with a routing header pass the final destination, RFC 8200 §8.1).
 */
export function tcp(src: string, dst: string, o: TcpOptions, payload: Uint8Array = EMPTY): Uint8Array {
  const opts = tcpOptionBytes(o.options ?? []);
  const hlen = 20 + opts.length;
  const seg = new ByteWriter()
    .u16(o.srcPort)
    .u16(o.dstPort)
    .u32(o.seq)
    .u32(o.ack ?? 0)
    .u8((hlen / 4) << 4)
    .u8(o.flags)
    .u16(o.window ?? 64240)
    .u16(0)
    .u16(o.urgent ?? 0)
    .bytes(opts)
    .bytes(payload)
    .done();
  const s = ipAddr(src);
  const sum = o.checksum ?? internetChecksum(pseudoHeader(s, ipAddr(dst), IpProto.TCP, seg.length), seg);
  seg[16] = sum >> 8;
  seg[17] = sum & 0xff;
  return seg;
}

/** UDP datagram with a correct checksum (a computed 0 is sent as 0xffff, RFC 768). */
export function udp(src: string, dst: string, o: { srcPort: number; dstPort: number }, payload: Uint8Array): Uint8Array {
  const d = new ByteWriter().u16(o.srcPort).u16(o.dstPort).u16(8 + payload.length).u16(0).bytes(payload).done();
  const sum = internetChecksum(pseudoHeader(ipAddr(src), ipAddr(dst), IpProto.UDP, d.length), d);
  const v = sum === 0 ? 0xffff : sum;
  d[6] = v >> 8;
  d[7] = v & 0xff;
  return d;
}

/** ICMPv4 destination-unreachable codes (RFC 792, RFC 1812 §5.2.7.1). */
export const Icmp4Unreach = { NET: 0, HOST: 1, PROTOCOL: 2, PORT: 3, FRAG_NEEDED: 4, ADMIN_PROHIBITED: 13 } as const;

/**
 * ICMPv4 destination unreachable (type 3) quoting the original IP header and the first 8 bytes
 * of its payload (RFC 792). `original` is the whole offending IPv4 packet.
 */
export function icmpv4Unreachable(code: number, original: Uint8Array, nextHopMtu = 0): Uint8Array {
  const ihl = (original[0]! & 0x0f) * 4;
  const quote = original.subarray(0, Math.min(original.length, ihl + 8));
  const m = new ByteWriter().u8(3).u8(code).u16(0).u16(0).u16(nextHopMtu).bytes(quote).done();
  const sum = internetChecksum(m);
  m[2] = sum >> 8;
  m[3] = sum & 0xff;
  return m;
}

/** ICMPv4 echo request (type 8) or reply (type 0). */
export function icmpv4Echo(o: { reply: boolean; id: number; seq: number }, data: Uint8Array): Uint8Array {
  const m = new ByteWriter().u8(o.reply ? 0 : 8).u8(0).u16(0).u16(o.id).u16(o.seq).bytes(data).done();
  const sum = internetChecksum(m);
  m[2] = sum >> 8;
  m[3] = sum & 0xff;
  return m;
}

/** ICMPv6 destination-unreachable codes (RFC 4443 §3.1). */
export const Icmp6Unreach = { NO_ROUTE: 0, ADMIN_PROHIBITED: 1, BEYOND_SCOPE: 2, ADDRESS: 3, PORT: 4, POLICY: 5, REJECT_ROUTE: 6 } as const;

function icmpv6(src: string, dst: string, body: Uint8Array): Uint8Array {
  const sum = internetChecksum(pseudoHeader(ipv6Addr(src), ipv6Addr(dst), IpProto.ICMPV6, body.length), body);
  body[2] = sum >> 8;
  body[3] = sum & 0xff;
  return body;
}

/**
 * ICMPv6 destination unreachable (type 1) from `src` to `dst`, quoting as much of `original`
 * as keeps the ICMPv6 packet within the 1280-byte minimum MTU (RFC 4443 §3.1).
 */
export function icmpv6Unreachable(src: string, dst: string, code: number, original: Uint8Array): Uint8Array {
  const quote = original.subarray(0, Math.min(original.length, 1280 - 40 - 8));
  return icmpv6(src, dst, new ByteWriter().u8(1).u8(code).u16(0).u32(0).bytes(quote).done());
}

/** ICMPv6 echo request (128) or reply (129). */
export function icmpv6Echo(src: string, dst: string, o: { reply: boolean; id: number; seq: number }, data: Uint8Array): Uint8Array {
  return icmpv6(src, dst, new ByteWriter().u8(o.reply ? 129 : 128).u8(0).u16(0).u16(o.id).u16(o.seq).bytes(data).done());
}

// ---------------------------------------------------------------------------------------------
// DCE/RPC connection-oriented (C706 §12.6, MS-RPCE 2.2.2)

/** An interface or transfer syntax: UUID and version. */
export interface SyntaxId {
  uuid: string;
  major: number;
  minor: number;
}

/** Endpoint mapper interface (C706 Appendix O). */
export const EPM_V3: SyntaxId = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', major: 3, minor: 0 };
/** NDR transfer syntax version 2 (C706 §14). */
export const NDR_V2: SyntaxId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 };
/** NDR64 transfer syntax (MS-RPCE §2.2.5.1); 64-bit Windows offers it beside NDR. */
export const NDR64_V1: SyntaxId = { uuid: '71710533-beba-4937-8319-b5dbef9ccc36', major: 1, minor: 0 };
/**
 * Bind time feature negotiation (MS-RPCE §3.3.1.5.3): a pseudo transfer syntax whose UUID
 * starts with 6cb71c2c-9812-4540 and carries the feature bits in its last 8 bytes.
 */
export const BIND_TIME_FEATURES: SyntaxId = { uuid: '6cb71c2c-9812-4540-0300-000000000000', major: 1, minor: 0 };
/** MS-DRSR directory replication interface. */
export const DRSUAPI_V4: SyntaxId = { uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', major: 4, minor: 0 };

/** Connection-oriented PDU types (C706 §12.6.4). */
export const PType = { REQUEST: 0, RESPONSE: 2, FAULT: 3, BIND: 11, BIND_ACK: 12, BIND_NAK: 13, ALTER_CONTEXT: 14, ALTER_CONTEXT_RESP: 15, AUTH3: 16 } as const;

/** pfc_flags bits (C706 §12.6.3.1). */
export const Pfc = { FIRST_FRAG: 0x01, LAST_FRAG: 0x02, PENDING_CANCEL: 0x04, CONC_MPX: 0x10, DID_NOT_EXECUTE: 0x20, MAYBE: 0x40, OBJECT_UUID: 0x80 } as const;

/** EPM status: the interface is not registered (MS-RPCE 2.2.1.2.5; C706 Appendix O). */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;

/** UUID text to 16 bytes in NDR order: time_low, time_mid, time_hi in `le` order, the rest as is. */
export function uuidBytes(text: string, le = true): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${text}`);
  const w = new ByteWriter(le)
    .u32(parseInt(hex.slice(0, 8), 16))
    .u16(parseInt(hex.slice(8, 12), 16))
    .u16(parseInt(hex.slice(12, 16), 16));
  for (let i = 16; i < 32; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
  return w.done();
}

/** An authentication verifier (C706 §13.2.6.1 sec_trailer plus the security provider's token). */
export interface PduAuth {
  /** RPC_C_AUTHN_*: 10 NTLMSSP (WINNT), 9 SPNEGO, 16 Kerberos. */
  type: number;
  /** RPC_C_AUTHN_LEVEL_*: 2 connect, 5 packet integrity, 6 packet privacy. */
  level: number;
  contextId?: number;
  /** The token: an NTLMSSP message in bind/bind_ack/auth3, a signature on requests and responses. */
  value: Uint8Array;
  /** The body is padded so the sec_trailer starts at a multiple of this many bytes of the PDU; default 4. */
  padTo?: number;
}

/** Fields common to every PDU. */
export interface PduCommon {
  callId: number;
  /** Big-endian NDR: drep byte 0 = 0x00 instead of 0x10 (C706 §14.1). */
  bigEndian?: boolean;
  /** pfc_flags; default FIRST_FRAG | LAST_FRAG. */
  flags?: number;
  auth?: PduAuth;
}

/**
 * 16-byte common header followed by `body`; frag_length counts everything (C706 §12.6.3.1).
 * With `auth`, the body is padded (auth_pad_length) so the 8-byte sec_trailer is aligned, and
 * the token follows it; auth_length counts the token only.
 */
function pdu(ptype: number, c: PduCommon, body: Uint8Array): Uint8Array {
  const le = c.bigEndian !== true;
  let tail: Uint8Array = EMPTY;
  if (c.auth !== undefined) {
    const a = c.auth;
    const align = a.padTo ?? 4;
    const pad = (align - ((16 + body.length) % align)) % align;
    tail = new ByteWriter(le).zeros(pad).u8(a.type).u8(a.level).u8(pad).u8(0).u32(a.contextId ?? 0).bytes(a.value).done();
  }
  const h = new ByteWriter(le)
    .u8(5)
    .u8(0)
    .u8(ptype)
    .u8(c.flags ?? Pfc.FIRST_FRAG | Pfc.LAST_FRAG)
    .bytes([le ? 0x10 : 0x00, 0x00, 0x00, 0x00]) // drep: integer order, ASCII, IEEE float
    .u16(16 + body.length + tail.length)
    .u16(c.auth?.value.length ?? 0) // auth_length
    .u32(c.callId)
    .done();
  return concat(h, body, tail);
}

/** auth3 PDU (ptype 16, MS-RPCE §2.2.2.10): 4 bytes of padding, then the sec_trailer and the third leg's token. */
export function dcerpcAuth3(o: PduCommon & { auth: PduAuth }): Uint8Array {
  return pdu(PType.AUTH3, o, new Uint8Array(4));
}

/** p_syntax_id_t (C706 §12.6.3.1): UUID, then if_version as one u32 with the major version in the low 16 bits. */
function syntax(w: ByteWriter, s: SyntaxId): void {
  w.bytes(uuidBytes(s.uuid, w.le)).u32(((s.minor << 16) | s.major) >>> 0);
}

/** One presentation context in a bind. */
export interface ContextElem {
  id: number;
  abstract: SyntaxId;
  transfer: readonly SyntaxId[];
}

/** bind PDU (ptype 11, C706 §12.6.4.3); with `alter`, the same body as an alter_context (ptype 14). */
export function dcerpcBind(o: PduCommon & { contexts: readonly ContextElem[]; maxXmit?: number; maxRecv?: number; assocGroup?: number; alter?: boolean }): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  w.u16(o.maxXmit ?? 5840).u16(o.maxRecv ?? 5840).u32(o.assocGroup ?? 0);
  w.u8(o.contexts.length).u8(0).u16(0);
  for (const c of o.contexts) {
    w.u16(c.id).u8(c.transfer.length).u8(0);
    syntax(w, c.abstract);
    for (const t of c.transfer) syntax(w, t);
  }
  return pdu(o.alter === true ? PType.ALTER_CONTEXT : PType.BIND, o, w.done());
}

/** One entry of a bind_ack result list: 0 acceptance, 2 provider rejection (C706 §12.6.3.1). */
export interface ContextResult {
  result: number;
  reason?: number;
  /** Accepted transfer syntax; all zeros for a rejection. */
  transfer?: SyntaxId;
}

/**
 * bind_ack PDU (ptype 12, C706 §12.6.4.4). The secondary address is the server's port as a
 * NUL-terminated string (MS-RPCE 2.2.2.9 says `port_spec` for ncacn_ip_tcp is the decimal port).
 * With `alter`, the same body as an alter_context_resp (ptype 15).
 */
export function dcerpcBindAck(o: PduCommon & { secondaryAddress: string; results: readonly ContextResult[]; maxXmit?: number; maxRecv?: number; assocGroup?: number; alter?: boolean }): Uint8Array {
  // Alignment of the result list is relative to the PDU start, which is 16 bytes before `w`.
  const w = new ByteWriter(o.bigEndian !== true);
  w.u16(o.maxXmit ?? 5840).u16(o.maxRecv ?? 5840).u32(o.assocGroup ?? 0x1234);
  const addr = new TextEncoder().encode(o.secondaryAddress);
  w.u16(addr.length + 1).bytes(addr).u8(0);
  w.align(4);
  w.u8(o.results.length).u8(0).u16(0);
  for (const r of o.results) {
    w.u16(r.result).u16(r.reason ?? 0);
    syntax(w, r.transfer ?? { uuid: '00000000-0000-0000-0000-000000000000', major: 0, minor: 0 });
  }
  return pdu(o.alter === true ? PType.ALTER_CONTEXT_RESP : PType.BIND_ACK, o, w.done());
}

/**
 * bind_nak PDU (ptype 13, C706 §12.6.4.6): provider_reject_reason, then the protocol versions
 * the server supports (one: 5.0).
 */
export function dcerpcBindNak(o: PduCommon & { reason: number }): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  w.u16(o.reason).u8(1).u8(5).u8(0);
  return pdu(PType.BIND_NAK, o, w.done());
}

/** request PDU (ptype 0, C706 §12.6.4.9); `object` adds the object UUID and sets PFC_OBJECT_UUID. */
export function dcerpcRequest(o: PduCommon & { contextId?: number; opnum: number; stub: Uint8Array; object?: string; allocHint?: number }): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  w.u32(o.allocHint ?? o.stub.length).u16(o.contextId ?? 0).u16(o.opnum);
  let flags = o.flags ?? Pfc.FIRST_FRAG | Pfc.LAST_FRAG;
  if (o.object !== undefined) {
    w.bytes(uuidBytes(o.object, w.le));
    flags |= Pfc.OBJECT_UUID;
  }
  w.bytes(o.stub);
  return pdu(PType.REQUEST, { ...o, flags }, w.done());
}

/** response PDU (ptype 2, C706 §12.6.4.10). */
export function dcerpcResponse(o: PduCommon & { contextId?: number; stub: Uint8Array; cancelCount?: number; allocHint?: number }): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  w.u32(o.allocHint ?? o.stub.length).u16(o.contextId ?? 0).u8(o.cancelCount ?? 0).u8(0).bytes(o.stub);
  return pdu(PType.RESPONSE, o, w.done());
}

/** fault PDU (ptype 3, C706 §12.6.4.7): status such as 5 (access denied) or 0x1c010003 (nca_s_unk_if). */
export function dcerpcFault(o: PduCommon & { contextId?: number; status: number }): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  w.u32(0).u16(o.contextId ?? 0).u8(0).u8(0).u32(o.status).u32(0);
  return pdu(PType.FAULT, { ...o, flags: o.flags ?? Pfc.FIRST_FRAG | Pfc.LAST_FRAG | Pfc.DID_NOT_EXECUTE }, w.done());
}

// ---------------------------------------------------------------------------------------------
// Endpoint mapper (C706 Appendix L towers, Appendix O ept_map; MS-RPCE 2.2.1.2.5)

/** Tower protocol identifiers (C706 Appendix I). */
export const TowerProto = { UUID: 0x0d, RPC_CO: 0x0b, TCP: 0x07, UDP: 0x08, IP: 0x09, NAMED_PIPE: 0x0f, NETBIOS: 0x11 } as const;

/** The first three floors of a five-floor tower: interface, transfer syntax, RPC_CO. */
function towerHead(iface: SyntaxId, transfer: SyntaxId | undefined): ByteWriter {
  const w = new ByteWriter(true);
  w.u16(5);
  for (const s of [iface, transfer ?? NDR_V2]) {
    w.u16(19).u8(TowerProto.UUID).bytes(uuidBytes(s.uuid, true)).u16(s.major);
    w.u16(2).u16(s.minor);
  }
  w.u16(1).u8(TowerProto.RPC_CO).u16(2).u16(0);
  return w;
}

/** An ncacn_ip_tcp binding as a tower describes it. */
export interface TcpIpTower {
  iface: SyntaxId;
  port: number;
  /** IPv4 text; 0.0.0.0 when the server leaves the address to the client. */
  ip: string;
  transfer?: SyntaxId;
}

/**
 * Tower octet string with the five ncacn_ip_tcp floors. Floor counts and lengths are always
 * little-endian, whatever the NDR drep (C706 Appendix L; Wireshark's epm dissector reads them so);
 * the UUID floors carry the UUID and major version little-endian on the left and the minor
 * version on the right; the TCP port and IP address are big-endian (network order).
 */
export function towerBytes(t: TcpIpTower): Uint8Array {
  const w = towerHead(t.iface, t.transfer);
  w.u16(1).u8(TowerProto.TCP).u16(2).bytes([(t.port >> 8) & 0xff, t.port & 0xff]);
  w.u16(1).u8(TowerProto.IP).u16(4).bytes(ipv4Addr(t.ip));
  return w.done();
}

/** An ncacn_np binding: pipe name and NetBIOS host, as ept_lookup lists them beside TCP towers. */
export interface NamedPipeTower {
  iface: SyntaxId;
  /** `\\PIPE\\lsass` */
  pipe: string;
  /** `\\\\DC01` */
  host: string;
  transfer?: SyntaxId;
}

/** Tower with the five ncacn_np floors: UUID, transfer syntax, RPC_CO, SMB pipe (0x0f), NetBIOS host (0x11); names NUL-terminated ASCII. */
export function npTowerBytes(t: NamedPipeTower): Uint8Array {
  const w = towerHead(t.iface, t.transfer);
  const ascii = (x: string): Uint8Array => concat(new TextEncoder().encode(x), Uint8Array.of(0));
  const pipe = ascii(t.pipe);
  const host = ascii(t.host);
  w.u16(1).u8(TowerProto.NAMED_PIPE).u16(pipe.length).bytes(pipe);
  w.u16(1).u8(TowerProto.NETBIOS).u16(host.length).bytes(host);
  return w.done();
}

/** 8-byte NDR64 integer (conformance, variance, referent ids; MS-RPCE §2.2.5.3.1), aligned to 8. */
function u64(w: ByteWriter, v: number): ByteWriter {
  const hi = Math.floor(v / 4294967296) >>> 0;
  const lo = v >>> 0;
  w.align(8);
  return w.le ? w.u32(lo).u32(hi) : w.u32(hi).u32(lo);
}

/** A conformance count or pointer referent id: 4 bytes in NDR, 8 (aligned to 8) in NDR64. */
function count(w: ByteWriter, v: number, ndr64: boolean): ByteWriter {
  return ndr64 ? u64(w, v) : w.align(4).u32(v);
}

/**
 * NDR of one `twr_t` pointee: the conformant array's max count comes first (hoisted to the
 * front of the conformant structure, C706 §14.3.7.1), then tower_length, then the octets,
 * padded so the next item is 4-aligned.
 */
function twr(w: ByteWriter, tower: Uint8Array, ndr64 = false): void {
  count(w, tower.length, ndr64).u32(tower.length).bytes(tower).align(4);
}

/** ept_map request stub (opnum 3). */
export interface EptMapRequest {
  iface: SyntaxId;
  /** Object UUID; default the nil UUID behind a non-null pointer, as Windows sends. */
  object?: string;
  /** Port and address in the query tower; Windows sends 135 and 0.0.0.0. */
  port?: number;
  ip?: string;
  maxTowers?: number;
  bigEndian?: boolean;
  /** NDR64 (MS-RPCE §2.2.5): referent ids and conformance are 8 bytes, aligned to 8. */
  ndr64?: boolean;
}

/**
 * NDR stub of `ept_map` [in] parameters, in order: `[in, ptr] uuid_p_t object` (referent id,
 * 16-byte GUID), `[in, ptr] twr_p_t map_tower` (referent id, twr_t), `[in, out]
 * ept_lookup_handle_t *entry_handle` (20-byte context handle, zero on the first call), and
 * `[in] unsigned32 max_towers`. Top-level pointees follow their pointer directly.
 */
export function eptMapRequestStub(o: EptMapRequest): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  const n64 = o.ndr64 === true;
  count(w, 0x00000001, n64).bytes(uuidBytes(o.object ?? '00000000-0000-0000-0000-000000000000', w.le));
  count(w, 0x00000002, n64);
  twr(w, towerBytes({ iface: o.iface, port: o.port ?? 135, ip: o.ip ?? '0.0.0.0' }), n64);
  w.align(4).zeros(20);
  w.u32(o.maxTowers ?? 4);
  return w.done();
}

/** ept_map response stub. */
export interface EptMapResponse {
  towers: readonly (TcpIpTower | Uint8Array)[];
  /** 0, or EPT_S_NOT_REGISTERED (then `towers` is normally empty). */
  status?: number;
  /** The request's max_towers: the array's conformance (size_is). */
  maxTowers?: number;
  /** Returned entry handle; default all zeros (the lookup is complete). */
  handle?: Uint8Array;
  bigEndian?: boolean;
  ndr64?: boolean;
}

/**
 * NDR stub of `ept_map` [out] parameters: `entry_handle` (20 bytes), `*num_towers`,
 * `towers[]` as a conformant varying array (`size_is(max_towers)`, `length_is(*num_towers)`:
 * max count, offset 0, actual count) of unique pointers (referent ids), then the pointees in
 * order (deferred after the array), then `error_status_t status`.
 */
export function eptMapResponseStub(o: EptMapResponse): Uint8Array {
  const w = new ByteWriter(o.bigEndian !== true);
  const handle = o.handle ?? new Uint8Array(20);
  if (handle.length !== 20) throw new RangeError(`context handle must be 20 bytes, not ${handle.length}`);
  const n = o.towers.length;
  const max = o.maxTowers ?? Math.max(4, n);
  if (n > max) throw new RangeError(`${n} towers exceed max_towers ${max}`);
  const n64 = o.ndr64 === true;
  w.bytes(handle);
  w.u32(n);
  count(w, max, n64);
  count(w, 0, n64);
  count(w, n, n64);
  for (let i = 0; i < n; i++) count(w, 0x00020000 + 4 * i, n64); // referent ids, as Microsoft's NDR engine numbers them
  for (const t of o.towers) twr(w, t instanceof Uint8Array ? t : towerBytes(t), n64);
  w.align(4).u32(o.status ?? 0);
  return w.done();
}

/** ept_lookup inquiry types (C706 Appendix O). */
export const EptInquiry = { ALL_ELTS: 0, MATCH_BY_IF: 1, MATCH_BY_OBJ: 2, MATCH_BY_BOTH: 3 } as const;

/** ept_lookup request stub (opnum 2). */
export interface EptLookupRequest {
  inquiryType?: number;
  /** Interface to match (with MATCH_BY_IF); null pointer when absent. */
  iface?: SyntaxId;
  /** RPC_C_VERS_ALL (1) by default. */
  versOption?: number;
  maxEntries?: number;
  /** The entry handle an earlier answer returned (a continued enumeration); null handle by default. */
  handle?: Uint8Array;
}

/**
 * NDR stub of `ept_lookup` [in] parameters (C706 Appendix O): inquiry_type, `[ptr] uuid_p_t
 * object` (null), `[ptr] rpc_if_id_p_t interface_id` (UUID, major, minor), vers_option, the
 * 20-byte entry handle (zero on the first call), max_ents.
 */
export function eptLookupRequestStub(o: EptLookupRequest): Uint8Array {
  const w = new ByteWriter(true);
  w.u32(o.inquiryType ?? (o.iface !== undefined ? EptInquiry.MATCH_BY_IF : EptInquiry.ALL_ELTS));
  w.u32(0);
  if (o.iface !== undefined) w.u32(0x00020000).bytes(uuidBytes(o.iface.uuid, true)).u16(o.iface.major).u16(o.iface.minor);
  else w.u32(0);
  w.u32(o.versOption ?? 1);
  w.bytes(o.handle ?? new Uint8Array(20));
  w.u32(o.maxEntries ?? 500);
  return w.done();
}

/** One ept_entry_t: object UUID, tower, annotation (at most 63 characters). */
export interface EptEntry {
  object?: string;
  tower: TcpIpTower | NamedPipeTower | Uint8Array;
  annotation: string;
}

/**
 * NDR stub of `ept_lookup` [out] parameters: entry_handle (20), num_ents, `entries[]` as a
 * conformant varying array (max count = max_ents, offset 0, actual count) of ept_entry_t (object
 * UUID, tower referent id, annotation as an embedded varying `[string] char[64]`: offset, actual
 * count incl. the NUL, characters), then every tower (deferred), then the status.
 */
export function eptLookupResponseStub(o: { entries: readonly EptEntry[]; maxEntries?: number; handle?: Uint8Array; status?: number }): Uint8Array {
  const w = new ByteWriter(true);
  const n = o.entries.length;
  w.bytes(o.handle ?? new Uint8Array(20));
  w.u32(n);
  w.u32(o.maxEntries ?? 500).u32(0).u32(n);
  o.entries.forEach((e, i) => {
    const text = new TextEncoder().encode(e.annotation);
    if (text.length > 63) throw new RangeError(`annotation longer than 63 characters: ${e.annotation}`);
    w.align(4).bytes(uuidBytes(e.object ?? '00000000-0000-0000-0000-000000000000', true));
    w.u32(0x00020000 + 4 * i);
    w.u32(0).u32(text.length + 1).bytes(text).u8(0);
  });
  for (const e of o.entries) {
    const t = e.tower;
    twr(w, t instanceof Uint8Array ? t : 'pipe' in t ? npTowerBytes(t) : towerBytes(t));
  }
  w.align(4).u32(o.status ?? 0);
  return w.done();
}

// ---------------------------------------------------------------------------------------------
// Time and conversations

/** A capture clock in whole nanoseconds; starts at a fixed instant so output is reproducible. */
export class Clock {
  constructor(public sec: number, public nsec = 0) {}

  advanceNs(ns: number): this {
    const t = this.nsec + ns;
    this.sec += Math.floor(t / 1e9);
    this.nsec = ((t % 1e9) + 1e9) % 1e9;
    return this;
  }

  advanceUs(us: number): this {
    return this.advanceNs(us * 1000);
  }

  advanceMs(ms: number): this {
    return this.advanceNs(ms * 1_000_000);
  }

  stamp(): { tsSec: number; tsNsec: number } {
    return { tsSec: this.sec, tsNsec: this.nsec };
  }

  clone(): Clock {
    return new Clock(this.sec, this.nsec);
  }

  /** Sets this clock to `base` plus `ms` milliseconds. */
  setAfter(base: Clock, ms: number): this {
    this.sec = base.sec;
    this.nsec = base.nsec;
    return this.advanceMs(ms);
  }
}

/** mulberry32: a small seeded PRNG, so "random" choices are the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Wraps an IP packet in a link header. `fromClient` tells the direction for addresses and SLL packet types. */
export type LinkFramer = (ip: Uint8Array, version: 4 | 6, fromClient: boolean) => Uint8Array;

/** Ethernet framing between two MACs; frames from the server are padded, as received frames are. */
export function ethernetLink(o: { clientMac: string; serverMac: string; tags?: readonly VlanTag[]; padIncoming?: boolean }): LinkFramer {
  return (ip, v, fromClient) =>
    ethernet(
      {
        dst: fromClient ? o.serverMac : o.clientMac,
        src: fromClient ? o.clientMac : o.serverMac,
        etherType: v === 4 ? EtherType.IPV4 : EtherType.IPV6,
        ...(o.tags !== undefined ? { tags: o.tags } : {}),
        pad: !fromClient && o.padIncoming !== false,
      },
      ip,
    );
}

/** Linux cooked v1 framing as captured on the client (`any` device): outgoing vs. to-us. */
export function sllLink(o: { clientMac: string; serverMac: string }): LinkFramer {
  return (ip, v, fromClient) =>
    sll({ protocol: v === 4 ? EtherType.IPV4 : EtherType.IPV6, packetType: fromClient ? SllPacketType.OUTGOING : SllPacketType.HOST, addr: fromClient ? o.clientMac : o.serverMac }, ip);
}

/** Linux cooked v2 framing as captured on the client. */
export function sll2Link(o: { clientMac: string; serverMac: string; ifIndex?: number }): LinkFramer {
  return (ip, v, fromClient) =>
    sll2(
      { protocol: v === 4 ? EtherType.IPV4 : EtherType.IPV6, packetType: fromClient ? SllPacketType.OUTGOING : SllPacketType.HOST, addr: fromClient ? o.clientMac : o.serverMac, ifIndex: o.ifIndex ?? 2 },
      ip,
    );
}

/** No link header: LINKTYPE_RAW (101), IPV4 (228) or IPV6 (229). */
export const rawLink: LinkFramer = (ip) => ip;

/** BSD NULL framing; IPv6 uses `af6` (24, 28 or 30 depending on the capturing OS). */
export function nullLink(af6: number = AF.INET6_DARWIN, hostBigEndian = false): LinkFramer {
  return (ip, v) => nullHeader(v === 4 ? AF.INET : af6, ip, hostBigEndian);
}

/** OpenBSD LOOP framing. */
export function loopLink(af6: number = AF.INET6_BSD): LinkFramer {
  return (ip, v) => loopHeader(v === 4 ? AF.INET : af6, ip);
}

/** Settings of one TCP connection. Addresses are text; IPv6 when they contain a colon. */
export interface TcpConversationOptions {
  clock: Clock;
  /** Frames are appended here. */
  out: WriterFrame[];
  link: LinkFramer;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  clientIsn: number;
  serverIsn: number;
  /** IPv4 identification counters (Windows increments per packet). */
  clientIpId?: number;
  serverIpId?: number;
  /** Time between consecutive frames emitted by one call, in microseconds. Default 150. */
  stepUs?: number;
  /** Receive window advertised after the handshake (scaled); default 1026 (x256). */
  window?: number;
  /** pcapng interface for every frame of this conversation. */
  interfaceId?: number;
}

/** Per-segment overrides for `TcpConversation.segment`. */
export interface SegmentExtra {
  options?: readonly TcpOption[];
  window?: number;
  /** Explicit sequence number; the conversation state is then left unchanged (retransmissions). */
  seq?: number;
  /** Send the segment as IP fragments carrying at most this many bytes each (IPv4 or IPv6). */
  fragmentData?: number;
}

/** Who sends a segment. */
export type Side = 'client' | 'server';

/**
 * Builds one TCP conversation frame by frame with consistent sequence and acknowledgment
 * numbers: `connect()` for the handshake, `send()` for data (PSH|ACK), `ack()`, `close()`
 * for the FIN exchange, `syn()` alone for an attempt nobody answers (retransmissions reuse the ISN).
 */
export class TcpConversation {
  private cSeq: number;
  private sSeq: number;
  private cIpId: number;
  private sIpId: number;
  private readonly v: 4 | 6;
  /** The IP packet of the most recent frame (for ICMP quotes). */
  lastIp: Uint8Array = EMPTY;

  constructor(private readonly o: TcpConversationOptions) {
    this.cSeq = o.clientIsn;
    this.sSeq = o.serverIsn;
    this.cIpId = o.clientIpId ?? 0x1000;
    this.sIpId = o.serverIpId ?? 0x4000;
    this.v = o.client.includes(':') ? 6 : 4;
  }

  /** Next sequence number of `side` (after everything it sent). */
  seqOf(side: Side): number {
    return side === 'client' ? this.cSeq : this.sSeq;
  }

  /** Emits one segment from `side` with explicit flags; seq/ack come from the state. */
  segment(side: Side, flags: number, payload: Uint8Array = EMPTY, extra: SegmentExtra = {}): this {
    const fromClient = side === 'client';
    const src = fromClient ? this.o.client : this.o.server;
    const dst = fromClient ? this.o.server : this.o.client;
    const seq = extra.seq ?? (fromClient ? this.cSeq : this.sSeq);
    const ack = (flags & TcpFlag.ACK) !== 0 ? (fromClient ? this.sSeq : this.cSeq) : 0;
    const t = tcp(src, dst, {
      srcPort: fromClient ? this.o.clientPort : this.o.serverPort,
      dstPort: fromClient ? this.o.serverPort : this.o.clientPort,
      seq,
      ack,
      flags,
      window: extra.window ?? this.o.window ?? 1026,
      ...(extra.options !== undefined ? { options: extra.options } : {}),
    }, payload);
    let packets: Uint8Array[];
    if (this.v === 4) {
      const id = (fromClient ? this.cIpId++ : this.sIpId++) & 0xffff;
      const ipo = { src, dst, proto: IpProto.TCP, id, df: true, ttl: 128 };
      packets = extra.fragmentData !== undefined ? ipv4Fragments(ipo, t, extra.fragmentData) : [ipv4(ipo, t)];
    } else {
      const ipo = { src, dst, nextHeader: IpProto.TCP, hopLimit: 128 };
      const id = (fromClient ? this.cIpId++ : this.sIpId++) & 0xffff;
      packets = extra.fragmentData !== undefined ? ipv6Fragments(ipo, t, extra.fragmentData, id) : [ipv6(ipo, t)];
    }
    for (const ip of packets) {
      this.lastIp = ip;
      const frame: WriterFrame = { ...this.o.clock.stamp(), data: this.o.link(ip, this.v, fromClient) };
      if (this.o.interfaceId !== undefined) frame.interfaceId = this.o.interfaceId;
      this.o.out.push(frame);
      this.o.clock.advanceUs(this.o.stepUs ?? 150);
    }
    if (extra.seq === undefined) {
      const used = payload.length + ((flags & (TcpFlag.SYN | TcpFlag.FIN)) !== 0 ? 1 : 0);
      if (fromClient) this.cSeq = (this.cSeq + used) >>> 0;
      else this.sSeq = (this.sSeq + used) >>> 0;
    }
    return this;
  }

  /**
   * A SYN from the client; repeated calls are retransmissions with the same ISN. `fragmentData`
   * sends it as IP fragments of that many bytes (a small first fragment splits the TCP header).
   */
  syn(extraFlags = 0, fragmentData?: number): this {
    return this.segment('client', TcpFlag.SYN | extraFlags, EMPTY, {
      options: windowsSynOptions(this.v === 4 ? 1460 : 1440), window: 64240, seq: this.o.clientIsn,
      ...(fragmentData !== undefined ? { fragmentData } : {}),
    });
  }

  /** The server's SYN-ACK; call after `syn()` (which left the client sequence at the ISN). */
  synAck(extraFlags = 0): this {
    this.cSeq = (this.o.clientIsn + 1) >>> 0;
    return this.segment('server', TcpFlag.SYN | TcpFlag.ACK | extraFlags, EMPTY, { options: windowsSynOptions(this.v === 4 ? 1460 : 1440), window: 65535 });
  }

  /** The server's SYN-ACK sent again (its retransmission timer fired, or the client's SYN came again). */
  synAckAgain(extraFlags = 0): this {
    return this.segment('server', TcpFlag.SYN | TcpFlag.ACK | extraFlags, EMPTY, { options: windowsSynOptions(this.v === 4 ? 1460 : 1440), window: 65535, seq: this.o.serverIsn });
  }

  /** A reset from `side` (for a SYN: RST|ACK acknowledging ISN+1, as Windows refuses a closed port). */
  rst(side: Side = 'server'): this {
    if (side === 'server' && this.cSeq === this.o.clientIsn) this.cSeq = (this.o.clientIsn + 1) >>> 0;
    return this.segment(side, TcpFlag.RST | TcpFlag.ACK, EMPTY, { window: 0 });
  }

  /** SYN, SYN-ACK, ACK. */
  connect(): this {
    return this.syn().synAck().ack('client');
  }

  /** Data segment with PSH|ACK. */
  send(side: Side, payload: Uint8Array, extra: SegmentExtra = {}): this {
    return this.segment(side, TcpFlag.PSH | TcpFlag.ACK, payload, extra);
  }

  /** Pure ACK. */
  ack(side: Side): this {
    return this.segment(side, TcpFlag.ACK);
  }

  /** FIN|ACK from `first`, FIN|ACK back, final ACK. */
  close(first: Side = 'client'): this {
    const other: Side = first === 'client' ? 'server' : 'client';
    return this.segment(first, TcpFlag.FIN | TcpFlag.ACK).segment(other, TcpFlag.FIN | TcpFlag.ACK).ack(first);
  }
}

/** What `epmMap` asks and answers. */
export interface EpmMapExchange {
  iface: SyntaxId;
  /** Towers returned; empty with EPT_S_NOT_REGISTERED for an unknown interface. */
  towers: readonly TcpIpTower[];
  status?: number;
  /** First call id; bind uses it, ept_map uses the next. */
  callId?: number;
  bigEndian?: boolean;
}

/**
 * Bind to the endpoint mapper, then one ept_map request and response on an established
 * conversation to port 135; each server PDU is followed by the client's ACK only when the
 * client has nothing to send next (delayed ACKs are left out: they carry nothing to analyze).
 */
export function epmMap(c: TcpConversation, clock: Clock, x: EpmMapExchange): void {
  const callId = x.callId ?? 1;
  const be = x.bigEndian === true ? { bigEndian: true } : {};
  c.send('client', dcerpcBind({ callId, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }], ...be }));
  clock.advanceUs(400);
  c.send('server', dcerpcBindAck({ callId, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }], ...be }));
  c.send('client', dcerpcRequest({ callId: callId + 1, contextId: 0, opnum: 3, stub: eptMapRequestStub({ iface: x.iface, ...be }), ...be }));
  clock.advanceUs(600);
  c.send(
    'server',
    dcerpcResponse({
      callId: callId + 1,
      contextId: 0,
      stub: eptMapResponseStub({ towers: x.towers, status: x.status ?? 0, maxTowers: 4, ...be }),
      ...be,
    }),
  );
}
