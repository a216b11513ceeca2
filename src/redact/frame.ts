/**
 * Frame bytes with every known address and name replaced by its pseudonym, in place, lengths
 * unchanged: MACs in link headers and ARP, IPv4/IPv6 addresses in IP headers (tunnels and the
 * headers ICMP errors quote included), and anywhere in payloads as raw bytes, dotted or
 * colon text and UTF-16LE text, which covers the IPv4 floor (0x09) of EPM towers and DCOM
 * string bindings `HOST[PORT]`. Host names from DCOM bindings are replaced as ASCII and
 * UTF-16LE text, case-insensitively, keeping each letter's case. General anonymisers stop at
 * layers 2-4 and leave these.
 *
 * A value split across two TCP segments is found on the joined stream and replaced in both.
 * Checksums (IPv4 header, TCP, UDP, ICMP, ICMPv6, GRE) are updated incrementally for every
 * byte changed (RFC 1624): a correct checksum stays correct, also when the snaplen cut the
 * segment, and one that was wrong in the capture (checksum offload) stays wrong, as it was.
 */
import { ipv4Text, ipv6Text, u16be, u32be, u32le } from '../wire/bytes.js';
import { scanStringBindings } from '../wire/dcom.js';
import { parseDns } from '../wire/dns.js';
import { parseKrb } from '../wire/kerberos.js';
import { ipv4Bytes, ipv6Bytes, ipv6TextOfLength, type Pseudonymizer } from './pseudonyms.js';
import { maxOf } from '../model/lists.js';

/** A checksum field and the byte ranges it covers: [from, to, base], a byte's parity counted from base. */
interface Scope {
  field: number;
  ranges: [number, number, number][];
  sum: number;
  /** UDP over IPv4: 0 means "no checksum" and is left alone; a computed 0 is written 0xffff. */
  udp: boolean;
}

/** What a walk over one frame's headers found. */
interface Walk {
  ips: [number, 4 | 16][];
  macs: number[];
  scopes: Scope[];
  tcp: { key: string; seq: number; pay: number; end: number; sport: number; dport: number } | null;
  /** The innermost UDP datagram's payload and ports. */
  udp: { pay: number; end: number; sport: number; dport: number } | null;
}

const VLAN = new Set([0x8100, 0x88a8, 0x9100, 0x9200]);
/** An EPM tower's IPv4 floor up to its address: lhs length 1 (LE), protocol 0x09, rhs length 4 (LE). */
const IP_FLOOR = Buffer.from([0x01, 0x00, 0x09, 0x04, 0x00]);
const MAX_DEPTH = 8;

/** Walks the headers rpctrace decodes, noting addresses, MACs and checksum scopes. */
function walk(b: Uint8Array, linkType: number): Walk {
  const w: Walk = { ips: [], macs: [], scopes: [], tcp: null, udp: null };
  const end = b.length;
  switch (linkType) {
    case 1: ethernet(b, 0, end, w, 0); break;
    case 113: if (end >= 16) { if (u16be(b, 4) === 6) w.macs.push(6); l3(b, 16, end, u16be(b, 14), w, 0); } break;
    case 276: if (end >= 20) { if (b[11] === 6) w.macs.push(12); l3(b, 20, end, u16be(b, 0), w, 0); } break;
    case 0: case 108: {
      if (end < 4) break;
      const af = linkType === 108 ? u32be(b, 0) : u32le(b, 0) > 0xffff ? u32be(b, 0) : u32le(b, 0);
      if (af === 2) ip4(b, 4, end, w, false, 0);
      else if (af === 10 || af === 24 || af === 28 || af === 30) ip6(b, 4, end, w, false, 0);
      break;
    }
    case 101: case 12: case 14: ipAny(b, 0, end, w, 0); break;
    case 228: ip4(b, 0, end, w, false, 0); break;
    case 229: ip6(b, 0, end, w, false, 0); break;
    default:
  }
  return w;
}

function ipAny(b: Uint8Array, o: number, end: number, w: Walk, depth: number): void {
  if (o >= end) return;
  const v = b[o]! >> 4;
  if (v === 4) ip4(b, o, end, w, false, depth);
  else if (v === 6) ip6(b, o, end, w, false, depth);
}

function ethernet(b: Uint8Array, o: number, end: number, w: Walk, depth: number): void {
  if (end - o < 14 || depth > MAX_DEPTH) return;
  w.macs.push(o, o + 6);
  let t = u16be(b, o + 12);
  let p = o + 14;
  while (VLAN.has(t) && p + 4 <= end) { t = u16be(b, p + 2); p += 4; }
  l3(b, p, end, t, w, depth + 1);
}

function l3(b: Uint8Array, p: number, end: number, type: number, w: Walk, depth: number): void {
  if (type === 0x0800) ip4(b, p, end, w, false, depth);
  else if (type === 0x86dd) ip6(b, p, end, w, false, depth);
  else if (type === 0x0806 && end - p >= 28 && b[p + 4] === 6 && b[p + 5] === 4) {
    w.macs.push(p + 8, p + 18);
    w.ips.push([p + 14, 4], [p + 24, 4]);
  }
}

function ip4(b: Uint8Array, o: number, end: number, w: Walk, quoted: boolean, depth: number): void {
  if (end - o < 20 || b[o]! >> 4 !== 4 || depth > MAX_DEPTH) return;
  const ihl = (b[o]! & 0x0f) * 4;
  if (ihl < 20 || o + ihl > end) return;
  w.ips.push([o + 12, 4], [o + 16, 4]);
  w.scopes.push({ field: o + 10, ranges: [[o, o + ihl, o]], sum: 0, udp: false });
  if (quoted && end - o < ihl + 8) return;
  const total = u16be(b, o + 2);
  const e = total >= ihl ? Math.min(end, o + total) : end;
  if ((u16be(b, o + 6) & 0x1fff) !== 0) return; // a later fragment: no transport header
  l4(b, o + ihl, e, b[o + 9]!, w, [o + 12, o + 20, o + 12], quoted, depth);
}

function ip6(b: Uint8Array, o: number, end: number, w: Walk, quoted: boolean, depth: number): void {
  if (end - o < 40 || b[o]! >> 4 !== 6 || depth > MAX_DEPTH) return;
  w.ips.push([o + 8, 16], [o + 24, 16]);
  const plen = u16be(b, o + 4);
  const e = plen > 0 ? Math.min(end, o + 40 + plen) : end;
  let nh = b[o + 6]!;
  let p = o + 40;
  for (let i = 0; i < 8 && p + 8 <= e; i++) {
    if (nh === 0 || nh === 43 || nh === 60) { const len = (b[p + 1]! + 1) * 8; nh = b[p]!; p += len; continue; }
    if (nh === 44) { if ((u16be(b, p + 2) >> 3) !== 0) return; nh = b[p]!; p += 8; continue; }
    if (nh === 51) { const len = (b[p + 1]! + 2) * 4; nh = b[p]!; p += len; continue; }
    break;
  }
  l4(b, p, e, nh, w, [o + 8, o + 40, o + 8], quoted, depth);
}

function l4(b: Uint8Array, p: number, e: number, proto: number, w: Walk, pseudo: [number, number, number], quoted: boolean, depth: number): void {
  if (p >= e) return;
  switch (proto) {
    case 6: {
      if (e - p < 20) { if (!quoted) return; return; }
      if (quoted) return;
      w.scopes.push({ field: p + 16, ranges: [pseudo, [p, e, p]], sum: 0, udp: false });
      const doff = (b[p + 12]! >> 4) * 4;
      const src = pseudo[1] - pseudo[0] === 8 ? ipv4Text(b, pseudo[0]) : ipv6Text(b, pseudo[0]);
      const dst = pseudo[1] - pseudo[0] === 8 ? ipv4Text(b, pseudo[0] + 4) : ipv6Text(b, pseudo[0] + 16);
      if (depth === 0 || w.tcp === null) w.tcp = { key: `${src}|${u16be(b, p)}>${dst}|${u16be(b, p + 2)}`, seq: u32be(b, p + 4), pay: Math.min(e, p + doff), end: e, sport: u16be(b, p), dport: u16be(b, p + 2) };
      return;
    }
    case 17: {
      if (e - p < 8 || quoted) return;
      if (u16be(b, p + 6) !== 0 || pseudo[1] - pseudo[0] === 32) w.scopes.push({ field: p + 6, ranges: [pseudo, [p, e, p]], sum: 0, udp: true });
      const dport = u16be(b, p + 2);
      w.udp = { pay: p + 8, end: e, sport: u16be(b, p), dport };
      if (dport === 4789 && e - p >= 16) ethernet(b, p + 16, e, w, depth + 1);
      else if (dport === 6081 && e - p >= 16) {
        const opt = (b[p + 8]! & 0x3f) * 4;
        const t = u16be(b, p + 10);
        if (t === 0x6558) ethernet(b, p + 16 + opt, e, w, depth + 1); else l3(b, p + 16 + opt, e, t, w, depth + 1);
      }
      return;
    }
    case 1: {
      if (e - p < 8 || quoted) return;
      w.scopes.push({ field: p + 2, ranges: [[p, e, p]], sum: 0, udp: false });
      const t = b[p]!;
      if (t === 3 || t === 4 || t === 5 || t === 11 || t === 12) ip4(b, p + 8, e, w, true, depth + 1);
      return;
    }
    case 58: {
      if (e - p < 8 || quoted) return;
      w.scopes.push({ field: p + 2, ranges: [pseudo, [p, e, p]], sum: 0, udp: false });
      if (b[p]! >= 1 && b[p]! <= 4) ip6(b, p + 8, e, w, true, depth + 1);
      return;
    }
    case 4: ip4(b, p, e, w, quoted, depth + 1); return;
    case 41: ip6(b, p, e, w, quoted, depth + 1); return;
    case 47: {
      if (e - p < 4 || quoted) return;
      const flags = u16be(b, p);
      const t = u16be(b, p + 2);
      const hl = 4 + (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
      if (flags & 0x8000) w.scopes.push({ field: p + 4, ranges: [[p, e, p]], sum: 0, udp: false });
      if (t === 0x6558) ethernet(b, p + hl, e, w, depth + 1);
      else if (t === 0x88be) ethernet(b, p + hl + 8, e, w, depth + 1);
      else if (t === 0x22eb) ethernet(b, p + hl + 12, e, w, depth + 1);
      else l3(b, p + hl, e, t, w, depth + 1);
      return;
    }
    default:
  }
}

/** Changes `buf[off..]` to `bytes`, adding each changed byte's difference to the checksums covering it. */
function patch(buf: Uint8Array, off: number, bytes: Uint8Array, scopes: readonly Scope[], skip: Scope | null = null): void {
  for (let i = 0; i < bytes.length; i++) {
    const pos = off + i;
    const old = buf[pos]!;
    const nw = bytes[i]!;
    if (old === nw || pos >= buf.length) continue;
    for (const s of scopes) {
      if (s === skip) continue;
      for (const [from, to, base] of s.ranges) {
        if (pos < from || pos >= to) continue;
        const hi = ((pos - base) & 1) === 0;
        s.sum += hi ? (~(old << 8) & 0xffff) + (nw << 8) : (~old & 0xffff) + nw;
      }
    }
    buf[pos] = nw;
  }
}

/** Writes every changed checksum, innermost first, each write itself counted in the checksums around it. */
function settle(buf: Uint8Array, scopes: readonly Scope[]): void {
  for (let k = scopes.length - 1; k >= 0; k--) {
    const s = scopes[k]!;
    if (s.sum === 0 || s.field + 2 > buf.length) continue;
    const c = u16be(buf, s.field);
    if (s.udp && c === 0) continue;
    let x = (~c & 0xffff) + s.sum;
    while (x > 0xffff) x = (x & 0xffff) + Math.floor(x / 0x10000);
    let r = ~x & 0xffff;
    if (s.udp && r === 0) r = 0xffff;
    s.sum = 0;
    patch(buf, s.field, Uint8Array.of(r >> 8, r & 0xff), scopes, s);
  }
}

/** One replacement to look for: `find` (lower case for text) -> `put`, with the boundary rule of its kind. */
interface Pattern {
  find: Uint8Array;
  put: Uint8Array;
  /** Matched on the lower-cased bytes, the case of each letter kept. */
  text: boolean;
  /** Characters that may not touch a text match (it would be part of a longer value). */
  joined: RegExp | null;
  /** 1 for ASCII, 2 for UTF-16LE: the width of the neighbouring character. */
  unit: 1 | 2;
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
const utf16 = (s: string): Uint8Array => { const b = new Uint8Array(s.length * 2); for (let i = 0; i < s.length; i++) b[2 * i] = s.charCodeAt(i) & 0xff; return b; };
const lower = (b: Uint8Array): Uint8Array => b.map((c) => (c >= 0x41 && c <= 0x5a ? c + 32 : c));

interface Match { at: number; p: Pattern }

/** Every non-overlapping match of the patterns in `b` (leftmost, then longest). */
function matches(b: Uint8Array, patterns: readonly Pattern[]): Match[] {
  const low = lower(b);
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  const lbuf = Buffer.from(low.buffer, low.byteOffset, low.length);
  const found: Match[] = [];
  for (const p of patterns) {
    const hay = p.text ? lbuf : buf;
    for (let at = hay.indexOf(p.find); at >= 0; at = hay.indexOf(p.find, at + 1)) {
      if (p.joined !== null && (touches(low, at - p.unit, p) || touches(low, at + p.find.length, p))) continue;
      found.push({ at, p });
    }
  }
  found.sort((x, y) => x.at - y.at || y.p.find.length - x.p.find.length);
  const out: Match[] = [];
  let end = -1;
  for (const m of found) if (m.at >= end) { out.push(m); end = m.at + m.p.find.length; }
  return out;
}

function touches(low: Uint8Array, at: number, p: Pattern): boolean {
  if (at < 0 || at + p.unit > low.length) return false;
  if (p.unit === 2 && low[at + 1] !== 0) return false;
  return p.joined!.test(String.fromCharCode(low[at]!));
}

/** The bytes to write for a match: the replacement, with the case of each letter of the original kept for names. */
function replacement(original: Uint8Array, p: Pattern): Uint8Array {
  if (!p.text) return p.put;
  const out = p.put.slice();
  const upper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
  const lowerc = (c: number): boolean => c >= 0x61 && c <= 0x7a;
  let anyUpper = false;
  let anyLower = false;
  for (let i = 0; i < original.length; i += p.unit) { anyUpper ||= upper(original[i]!); anyLower ||= lowerc(original[i]!); }
  // All upper case (a NetBIOS name): the whole pseudonym too; else letter by letter.
  for (let i = 0; i < out.length; i += p.unit) if (lowerc(out[i]!) && (anyUpper && !anyLower ? true : upper(original[i]!))) out[i] = out[i]! - 32;
  return out;
}

/** One frame as the redactor sees it. */
// Labels of the DC locator's SRV names that name no one (`_ldap._tcp.dc._msdcs.<domain>`).
const LOCATOR_LABELS = new Set(['dc', 'gc', 'pdc', 'domains']);

/** Learns the customer's labels of a DNS name, a realm or a principal's parts; service labels and service names stay. */
export function learnName(n: string, p: Pseudonymizer, principal = false): void {
  if (principal) {
    const [name = '', realm] = n.split('@');
    const parts = name.split('/');
    for (const x of parts.length > 1 ? parts.slice(1) : parts) learnName(x.replace(/\$$/, ''), p);
    if (realm !== undefined) learnName(realm, p);
    return;
  }
  const own = n.split('.').filter((l) => l !== '' && !l.startsWith('_') && !LOCATOR_LABELS.has(l.toLowerCase()));
  if (own.length > 0 && !/^[\d.]+$/.test(n) && !n.includes(':')) p.name(own.join('.'));
}

/**
 * Learns the names an agent's requests and answers carry, so that they are replaced wherever
 * they occur in the frames: DNS (port 53) names asked and answered, Kerberos (port 88) realms
 * and principals. CLDAP answers (port 389) name the same domain and DC, learned from DNS.
 */
function learnAppNames(b: Uint8Array, l4: { pay: number; end: number; sport: number; dport: number }, tcp: boolean, p: Pseudonymizer): void {
  const port = (n: number): boolean => l4.sport === n || l4.dport === n;
  if (l4.end <= l4.pay) return;
  if (port(53)) {
    const m = parseDns(b, l4.pay + (tcp ? 2 : 0), l4.end);
    if (m === null) return;
    if (m.qname !== '') learnName(m.qname, p);
    for (const r of m.records) {
      learnName(r.name, p);
      if (r.data !== '' && r.type !== 1 && r.type !== 28) learnName(r.data, p);
    }
  } else if (port(88)) {
    const k = parseKrb(b, l4.pay + (tcp ? 4 : 0), l4.end);
    if (k === null) return;
    for (const r of [k.realm, k.crealm]) if (r !== null) learnName(r, p);
    for (const x of [k.cname, k.sname]) if (x !== null) learnName(x, p, true);
  }
}

export interface RedactFrame {
  frame: number;
  linkType: number;
  bytes: Uint8Array;
}

export class FrameRedactor {
  private patterns: Pattern[] = [];
  /** Replacements that straddle two TCP segments, by frame: [offset into the TCP payload, bytes]. */
  private readonly straddling = new Map<number, [number, Uint8Array][]>();

  constructor(private readonly p: Pseudonymizer) {}

  /**
   * Learns the addresses, MACs and DCOM host names of the frames (all of them before any is
   * rewritten, so that a value is replaced wherever it occurs), then finds the values that
   * straddle two segments of a TCP stream.
   */
  learn(frames: Iterable<RedactFrame>): void {
    this.straddling.clear();
    const tcp: { frame: number; seq: number; pay: Uint8Array; key: string }[] = [];
    for (const f of frames) {
      const w = walk(f.bytes, f.linkType);
      for (const [o, n] of w.ips) if (o + n <= f.bytes.length) n === 4 ? this.p.ipv4(ipv4Text(f.bytes, o)) : this.p.ipv6(ipv6Text(f.bytes, o));
      for (const o of w.macs) if (o + 6 <= f.bytes.length) this.p.mac(f.bytes.subarray(o, o + 6));
      if (w.tcp !== null) {
        for (const le of [true, false]) for (const s of scanStringBindings(f.bytes, w.tcp.pay, w.tcp.end, le)) this.p.host(s.host);
        // EPM tower floors (C706 Appendix I): lhs length 1, protocol 0x09 (IP), rhs length 4, the address.
        const pay = Buffer.from(f.bytes.buffer, f.bytes.byteOffset + w.tcp.pay, w.tcp.end - w.tcp.pay);
        for (let at = pay.indexOf(IP_FLOOR); at >= 0 && at + IP_FLOOR.length + 4 <= pay.length; at = pay.indexOf(IP_FLOOR, at + 1)) this.p.ipv4(ipv4Text(pay, at + IP_FLOOR.length));
        // DCOM security bindings name the server's account as UTF-16 `DOMAIN\HOST$`: both are names.
        for (const shift of [0, 1]) {
          const from = w.tcp.pay + shift;
          const text = Buffer.from(f.bytes.subarray(from, w.tcp.end - ((w.tcp.end - from) & 1))).toString('utf16le');
          for (const m of text.matchAll(/([A-Za-z0-9][A-Za-z0-9.-]{0,62})\\([A-Za-z0-9][A-Za-z0-9-]{0,62})\$/g)) { this.p.name(m[1]!); this.p.name(m[2]!); }
        }
        tcp.push({ frame: f.frame, seq: w.tcp.seq, pay: f.bytes.slice(w.tcp.pay, w.tcp.end), key: w.tcp.key });
        learnAppNames(f.bytes, w.tcp, true, this.p);
      }
      if (w.udp !== null) learnAppNames(f.bytes, w.udp, false, this.p);
    }
    this.patterns = this.buildPatterns();
    this.findStraddling(tcp);
  }

  private buildPatterns(): Pattern[] {
    const out: Pattern[] = [];
    const text = (orig: string, put: string, joined: RegExp): void => {
      out.push({ find: ascii(orig), put: ascii(put), text: true, joined, unit: 1 });
      out.push({ find: utf16(orig), put: utf16(put), text: true, joined, unit: 2 });
    };
    const { v4, v6 } = this.p.knownAddresses();
    for (const [a, q] of v4) {
      if (a === q) continue;
      out.push({ find: ipv4Bytes(a), put: ipv4Bytes(q), text: false, joined: null, unit: 1 });
      text(a, q, /[0-9.]/);
    }
    for (const [a, q] of v6) {
      if (a === q) continue;
      out.push({ find: ipv6Bytes(a), put: ipv6Bytes(q), text: false, joined: null, unit: 1 });
      text(a, ipv6TextOfLength(ipv6Bytes(q), a.length) ?? 'x'.repeat(a.length), /[0-9a-f:.]/);
    }
    for (const [m, q] of this.p.knownMacs()) out.push({ find: m, put: q, text: false, joined: null, unit: 1 });
    for (const [n, q] of this.p.knownNames()) if (n !== q) text(n, q, /[a-z0-9]/);
    return out;
  }

  private findStraddling(segs: { frame: number; seq: number; pay: Uint8Array; key: string }[]): void {
    const longest = maxOf(this.patterns.map((x) => x.find.length), 0);
    if (longest < 2) return;
    const byKey = new Map<string, typeof segs>();
    for (const s of segs) if (s.pay.length > 0) (byKey.get(s.key) ?? byKey.set(s.key, []).get(s.key)!).push(s);
    for (const list of byKey.values()) {
      list.sort((a, b) => ((a.seq - list[0]!.seq) | 0) - ((b.seq - list[0]!.seq) | 0));
      for (let i = 0; i + 1 < list.length; i++) {
        const a = list[i]!;
        const b = list[i + 1]!;
        if (((a.seq + a.pay.length) >>> 0) !== b.seq) continue;
        const left = a.pay.subarray(Math.max(0, a.pay.length - (longest - 1)));
        const right = b.pay.subarray(0, Math.min(b.pay.length, longest - 1));
        const window = new Uint8Array(left.length + right.length);
        window.set(left);
        window.set(right, left.length);
        for (const m of matches(window, this.patterns)) {
          const end = m.at + m.p.find.length;
          if (m.at >= left.length || end <= left.length) continue;
          const put = replacement(window.subarray(m.at, end), m.p);
          const cut = left.length - m.at;
          this.add(a.frame, a.pay.length - cut, put.subarray(0, cut));
          this.add(b.frame, 0, put.subarray(cut));
        }
      }
    }
  }

  /** Notes a straddling replacement at `at` bytes into the frame's TCP payload. */
  private add(frame: number, at: number, bytes: Uint8Array): void {
    const l = this.straddling.get(frame) ?? [];
    l.push([at, bytes]);
    this.straddling.set(frame, l);
  }

  /** The frame with every known value replaced and its checksums updated. */
  rewrite(bytes: Uint8Array, f: { frame: number; linkType: number }): Uint8Array {
    const out = bytes.slice();
    const w = walk(out, f.linkType);
    for (const m of matches(bytes, this.patterns)) patch(out, m.at, replacement(bytes.subarray(m.at, m.at + m.p.find.length), m.p), w.scopes);
    const extra = this.straddling.get(f.frame);
    if (extra !== undefined && w.tcp !== null) {
      for (const [at, b] of extra) patch(out, w.tcp.pay + at, b, w.scopes);
    }
    settle(out, w.scopes);
    return out;
  }

  /** A capture's packet comment, as a redacted evidence file carries it. */
  comment(text: string): string {
    return this.p.text('comment', text);
  }
}
