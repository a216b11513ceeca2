/**
 * Keyed, consistent pseudonyms for what identifies a customer's network: IPv4 and IPv6
 * addresses, MAC addresses, host names (DCOM string bindings, DNS names), and free text from a
 * capture (packet comments, interface names). Each is an HMAC-SHA256 of the original under a
 * key: without the key a pseudonym cannot be turned back; with the same key (--redact-key) the
 * same original gets the same pseudonym in every run. Within a run the mapping is one to one:
 * when two originals would meet on one pseudonym the later one takes the next candidate.
 *
 * Pseudonyms keep the family and, for text, the length, because frame bytes are rewritten in
 * place (a DCOM binding `HOST[PORT]` is a counted UTF-16 string inside NDR inside TCP):
 * - IPv4: in 198.18.0.0/15 (RFC 2544 benchmarking) when the dotted text has 10 to 14
 *   characters, in 0.0.0.0/8 ("this network", never a host's address) for 7 to 9, in
 *   240.0.0.0/4 (reserved) for 15; the dotted text keeps its length.
 * - IPv6: in 2001:db8::/32 (documentation), or 100::/64 (discard) and ::/96 when the original
 *   is written shorter; in text, zeros are added to keep the original's length.
 * - MAC: a locally administered unicast address.
 * - host names: `host` followed by letters and digits, label by label, of the same length.
 * - free text: `comment-3f2a9c1e`, `if-8d0b6a72`.
 * Addresses that identify no one stay as they are: 0.0.0.0, 255.255.255.255, 127.0.0.0/8,
 * 224.0.0.0/4, ::, ::1, ff00::/8, broadcast and multicast MACs.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/** Top-level labels kept in a DNS name: they say nothing about the customer. */
const PUBLIC_SUFFIX = new Set(['com', 'net', 'org', 'edu', 'gov', 'mil', 'int', 'local', 'lan', 'home', 'arpa', 'example', 'test', 'invalid', 'localhost', 'internal', 'localdomain']);

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** IPv4 text -> 4 bytes. */
export function ipv4Bytes(a: string): Uint8Array {
  return Uint8Array.from(a.split('.').map(Number));
}

/** 16 bytes of an IPv6 address in any valid text form (no zone, no embedded IPv4 handled apart). */
export function ipv6Bytes(a: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = a;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4 !== null) {
    const b = ipv4Bytes(v4[1]!);
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = text.slice(0, -v4[1]!.length).replace(/:$/, ':0').replace(/::0$/, '::');
    if (text.endsWith(':0') && !text.endsWith('::0')) text = text.slice(0, -2);
  }
  const [l = '', r] = text.split('::');
  const left = l === '' ? [] : l.split(':').map((g) => Number.parseInt(g, 16));
  const right = r === undefined ? [] : r === '' ? [] : r.split(':').map((g) => Number.parseInt(g, 16));
  const groups = r === undefined ? [...left, ...tail] : [...left, ...new Array<number>(8 - left.length - right.length - tail.length).fill(0), ...right, ...tail];
  groups.slice(0, 8).forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}

/** RFC 5952 text of 16 bytes: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
export function ipv6Canonical(b: Uint8Array): string {
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (x: number): string => x.toString(16);
  if (best < 0) return g.map(hex).join(':');
  return `${g.slice(0, best).map(hex).join(':')}::${g.slice(best + bestLen).map(hex).join(':')}`;
}

/**
 * A text form of the address `b` exactly `len` characters long (leading zeros added to groups,
 * `::` over fewer zero groups or none), or null when none is (shorter than its shortest form).
 */
export function ipv6TextOfLength(b: Uint8Array, len: number): string | null {
  const g = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  const digits = g.map((x) => x.toString(16).length);
  const options: [number, number][] = [[-1, -1]];
  for (let a = 0; a < 8; a++) for (let e = a + 1; e <= 8 && g[e - 1] === 0; e++) options.push([a, e]);
  // The canonical compression first, then the others: the result reads as close to usual as can be.
  options.sort((x, y) => (y[1] - y[0]) - (x[1] - x[0]));
  for (const [a, e] of options) {
    const visible = [...Array(8).keys()].filter((i) => a < 0 || i < a || i >= e);
    const seps = a < 0 ? 7 : Math.max(0, visible.filter((i) => i < a).length - 1) + 2 + Math.max(0, visible.filter((i) => i >= e).length - 1);
    const min = visible.reduce((s, i) => s + digits[i]!, 0) + seps;
    const max = visible.length * 4 + seps;
    if (len < min || len > max) continue;
    let extra = len - min;
    const text = new Map<number, string>();
    for (const i of [...visible].reverse()) {
      const add = Math.min(extra, 4 - digits[i]!);
      extra -= add;
      text.set(i, '0'.repeat(add) + g[i]!.toString(16));
    }
    const part = (idx: number[]): string => idx.map((i) => text.get(i)!).join(':');
    return a < 0 ? part(visible) : `${part(visible.filter((i) => i < a))}::${part(visible.filter((i) => i >= e))}`;
  }
  return null;
}

const kept4 = (a: string): boolean => {
  const o = a.split('.').map(Number);
  return a === '0.0.0.0' || a === '255.255.255.255' || o[0] === 127 || (o[0]! >= 224 && o[0]! <= 239);
};
const kept6 = (b: Uint8Array): boolean => b[0] === 0xff || b.every((x, i) => x === 0 || (i === 15 && x === 1));

/** All ways to split `sum` digits over `n` octets of 1 to 3 digits each. */
function digitSplits(n: number, sum: number): number[][] {
  if (n === 0) return sum === 0 ? [[]] : [];
  const out: number[][] = [];
  for (let d = 1; d <= 3; d++) for (const rest of digitSplits(n - 1, sum - d)) out.push([d, ...rest]);
  return out;
}

/** An octet of `d` decimal digits from a hash byte pair. */
function octet(d: number, h: number): number {
  if (d === 1) return h % 10;
  if (d === 2) return 10 + (h % 90);
  return 100 + (h % 156);
}

/** IPv4 ranges pseudonyms come from: fixed leading octets and the octets to fill. */
const V4_RANGES = {
  bench: { prefix: (h: number): number[] => [198, 18 + (h & 1)], free: 2 },
  thisNet: { prefix: (): number[] => [0], free: 3 },
  reserved: { prefix: (h: number): number[] => [240 + (h % 16)], free: 3 },
} as const;
type V4Range = keyof typeof V4_RANGES;

function rangeOrder(len: number): V4Range[] {
  if (len >= 10 && len <= 14) return ['bench', 'thisNet', 'reserved'];
  if (len === 15) return ['reserved'];
  return ['thisNet', 'reserved', 'bench'];
}

export class Pseudonymizer {
  private readonly key: Uint8Array;
  private readonly v4 = new Map<string, string>();
  private readonly v6 = new Map<string, string>();
  private readonly macs = new Map<string, Uint8Array>();
  private readonly names = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  private readonly used = new Set<string>();

  /** `key` as given to --redact-key; without one a random key: pseudonyms differ from run to run. */
  constructor(key?: string | Uint8Array) {
    this.key = key === undefined ? randomBytes(32) : typeof key === 'string' ? new TextEncoder().encode(key) : key;
  }

  private hash(kind: string, value: string, i: number): Buffer {
    return createHmac('sha256', this.key).update(`${kind}\u0000${value}\u0000${i}`).digest();
  }

  /** Claims `p` for this run unless it is taken or is itself an original seen so far. */
  private claim(p: string): boolean {
    if (this.used.has(p) || this.v4.has(p) || this.v6.has(p) || this.names.has(p)) return false;
    this.used.add(p);
    return true;
  }

  /** The pseudonym of an IPv4 address in dotted text, of the same length. */
  ipv4(a: string): string {
    const had = this.v4.get(a);
    if (had !== undefined) return had;
    if (kept4(a)) return a;
    const len = a.length;
    for (const range of rangeOrder(len)) {
      const r = V4_RANGES[range];
      for (let i = 0; i < 64; i++) {
        const h = this.hash('ipv4', a, i);
        const prefix = r.prefix(h[0]!);
        // `prefix.free-octets`: the free octets' digits are what the dots and the prefix leave.
        const splits = digitSplits(r.free, len - prefix.join('.').length - r.free);
        if (splits.length === 0) break;
        const split = splits[h[1]! % splits.length]!;
        const p = [...prefix, ...split.map((d, k) => octet(d, h[2 + k]!))].join('.');
        if (p !== '0.0.0.0' && p.length === len && this.claim(p)) {
          this.v4.set(a, p);
          return p;
        }
      }
    }
    throw new Error(`redact: no pseudonym left for an IPv4 address of ${len} characters`);
  }

  /** The pseudonym of an IPv6 address, canonical text; its text is never longer than the original's canonical text. */
  ipv6(a: string): string {
    const b = ipv6Bytes(a);
    const canon = ipv6Canonical(b);
    const had = this.v6.get(canon);
    if (had !== undefined) return had;
    if (kept6(b)) return canon;
    const len = canon.length;
    // Prefix and how many groups (and digits) the pseudonym may fill within the length.
    const [prefix, base] = len >= 11 ? ['2001:db8::', 10] : len >= 6 ? ['100::', 5] : ['::', 2];
    const room = len - base;
    // Two groups after the prefix when there is room for them, else one: digits within the length.
    const digits = room >= 3 ? [Math.min(4, Math.floor((room - 1) / 2)), Math.min(4, room - 1 - Math.min(4, Math.floor((room - 1) / 2)))] : room >= 1 ? [room] : [1];
    for (let i = 0; i < 256; i++) {
      const h = this.hash('ipv6', canon, i);
      const groups = digits.map((d, k) => {
        const lo = d === 1 ? 1 : 16 ** (d - 1);
        return (lo + ((((h[2 * k]! << 8) | h[2 * k + 1]!) >>> 0) % (16 ** d - lo))).toString(16);
      });
      const p = ipv6Canonical(ipv6Bytes(`${prefix}${groups.join(':')}`));
      if (p !== '::' && p !== '::1' && this.claim(p)) {
        this.v6.set(canon, p);
        return p;
      }
    }
    throw new Error('redact: no pseudonym left for an IPv6 address');
  }

  /** A MAC address (6 bytes) -> a locally administered unicast one; group addresses stay. */
  mac(b: Uint8Array): Uint8Array {
    if ((b[0]! & 1) === 1) return b;
    const key = Buffer.from(b).toString('hex');
    const had = this.macs.get(key);
    if (had !== undefined) return had;
    for (let i = 0; ; i++) {
      const h = this.hash('mac', key, i);
      const p = Uint8Array.from(h.subarray(0, 6));
      p[0] = (p[0]! & 0xfc) | 0x02;
      const t = `mac:${Buffer.from(p).toString('hex')}`;
      if (this.claim(t) && !this.macs.has(Buffer.from(p).toString('hex'))) {
        this.macs.set(key, p);
        return p;
      }
    }
  }

  /** Whether `s` (any case) is a host name or a label this run knows. */
  knowsName(s: string): boolean {
    return this.names.has(s.toLowerCase());
  }

  /** Lower-case names and labels known so far, with their pseudonyms. */
  knownNames(): [string, string][] {
    return [...this.names.entries()];
  }

  /** IPv4 and IPv6 originals known so far (canonical text) with their pseudonyms. */
  knownAddresses(): { v4: [string, string][]; v6: [string, string][] } {
    return { v4: [...this.v4.entries()], v6: [...this.v6.entries()] };
  }

  /** MAC originals known so far with their pseudonyms. */
  knownMacs(): [Uint8Array, Uint8Array][] {
    return [...this.macs.entries()].map(([k, v]) => [Uint8Array.from(Buffer.from(k, 'hex')), v]);
  }

  private label(l: string): string {
    const low = l.toLowerCase();
    const had = this.names.get(low);
    if (had !== undefined) return had;
    const n = low.length;
    for (let i = 0; ; i++) {
      const h = this.hash('name', low, i);
      let tail = '';
      for (let k = 0; tail.length < n; k++) tail += ALNUM[h[k % h.length]! % ALNUM.length];
      const p = (n >= 5 ? `host${tail}` : n >= 2 ? `h${tail}` : tail).slice(0, n);
      if (this.claim(`name:${p}`) && !this.names.has(p)) {
        this.names.set(low, p);
        return p;
      }
    }
  }

  /**
   * A host name (NetBIOS or DNS) -> `host...` label by label, each of the same length, the case
   * of each letter kept (upper-case NetBIOS names stay upper case); a public suffix stays.
   */
  name(n: string): string {
    const labels = n.split('.');
    return labels.map((l, i) => {
      if (l === '' || (i === labels.length - 1 && labels.length > 1 && PUBLIC_SUFFIX.has(l.toLowerCase()))) return l;
      return withCase(this.label(l), l);
    }).join('.');
  }

  /** A host as written in a binding or a tower: an address or a name. */
  host(h: string): string {
    if (isIPv4(h)) return this.ipv4(h);
    if (isIPv6(h)) return this.ipv6(h);
    return this.name(h);
  }

  /** Free text from a capture (a comment, an interface name): `kind-<8 hex>`, the same for the same text. */
  text(kind: string, t: string): string {
    const k = `${kind}\u0000${t}`;
    const had = this.texts.get(k);
    if (had !== undefined) return had;
    const p = `${kind}-${this.hash('text', k, 0).subarray(0, 4).toString('hex')}`;
    this.texts.set(k, p);
    return p;
  }

  /**
   * Text that may mention addresses and names (a message, a path): every IPv4 and IPv6
   * address and every known name in it replaced.
   */
  scrub(s: string): string {
    let out = s.replace(/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])/g, (m) => (isIPv4(m) ? this.ipv4(m) : m));
    out = out.replace(/(?<![\w:.])[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:])/g, (m) => (isIPv6(m) && m.includes(':') ? this.ipv6(m) : m));
    const names = this.knownNames().map(([n]) => n).sort((a, b) => b.length - a.length);
    if (names.length > 0) {
      const re = new RegExp(`(?<![A-Za-z0-9])(?:${names.map(escapeRe).join('|')})(?![A-Za-z0-9])`, 'gi');
      out = out.replace(re, (m) => withCase(this.label(m), m));
    }
    return out;
  }

  /**
   * A file name as a redacted report shows it: `capture-<8 hex>` and the capture extension,
   * the same for the same path. A file name is free text (a host or customer name is common
   * there) that rpctrace cannot tell apart from the rest, so none of it is kept.
   */
  path(p: string): string {
    if (p === '-') return p;
    const base = p.split(/[\\/]/).pop() ?? p;
    const ext = /\.(pcapng|pcap|cap|ntar)(\.gz)?$/i.exec(base)?.[0] ?? '';
    return `${this.text('capture', p)}${ext.toLowerCase()}`;
  }
}

/**
 * `p` in the case of `like` (same length): upper case when `like` has no lower-case letter and
 * some upper-case one (a NetBIOS name), else letter by letter.
 */
export function withCase(p: string, like: string): string {
  if (like === like.toUpperCase() && like !== like.toLowerCase()) return p.toUpperCase();
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = like[i] ?? '';
    out += c !== c.toLowerCase() ? p[i]!.toUpperCase() : p[i]!;
  }
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
