/**
 * Conversations keyed by protocol and 4-tuple without allocating per packet: open addressing
 * over a typed array, keys stored as 32-bit words (gopacket flows.go keeps fixed [16]byte
 * endpoints for the same reason, and its Flow carries the layer type: a TCP and a UDP
 * conversation between the same addresses and ports are two). A conversation is direction-free:
 * (A, portA, B, portB) and (B, portB, A, portA) are one entry; `lookup` says which side sent the
 * packet.
 */
import { ipv4Text, ipv6Text, u32be } from '../wire/bytes.js';

/** Words per stored key: side 0 address (4), side 1 address (4), ports (1), tag (1): address words | protocol << 8. */
const KEY = 10;

/** Result slots of the last lookup, reused. */
export interface FlowHit {
  /** Conversation id (dense, from 0), or -1 when absent and not inserted. */
  id: number;
  /** 0 when the packet's source is the conversation's side 0 (the first sender seen), else 1. */
  dir: 0 | 1;
  /** True when the lookup created the entry. */
  created: boolean;
}

/** A hash table from 4-tuples to dense ids, growing up to `maxFlows`. */
export class FlowTable {
  /**
   * Per slot: the conversation id (-1 empty), and its hash, compared before the key. Two arrays:
   * one interleaved array measured slower (3M misses on a full 250k table: 436-514 ms against
   * 330-455 ms).
   */
  private slots: Int32Array;
  private slotHash: Uint32Array;
  private mask: number;
  private keys: Uint32Array;
  private hashes: Uint32Array;
  size = 0;
  /** Conversations that could not be added because the table was full. */
  dropped = 0;
  readonly hit: FlowHit = { id: -1, dir: 0, created: false };
  /** The packet's addresses as words (reused scratch). */
  private readonly src = new Uint32Array(4);
  private readonly dst = new Uint32Array(4);
  private readonly scratch = new Uint8Array(16);
  /** The words a hash is computed over (see `hashWords`). */
  private readonly hw = new Uint32Array(9);
  /**
   * The conversation of the previous lookup, or -1. Consecutive packets mostly belong to one
   * conversation (64% to 99% of TCP frames in the corpus captures, 25% in the benchmark's mixed
   * traffic): comparing against its key first skips the hash and the probe.
   */
  private last = -1;

  constructor(public maxFlows = 1 << 22, initial = 1 << 12) {
    const cap = Math.max(16, initial);
    this.slots = new Int32Array(cap * 2).fill(-1);
    this.slotHash = new Uint32Array(cap * 2);
    this.mask = cap * 2 - 1;
    this.keys = new Uint32Array(cap * KEY);
    this.hashes = new Uint32Array(cap);
  }

  /**
   * Finds (or, with `insert`, adds) the conversation of a packet from `src:sport` to
   * `dst:dport`. Addresses are `alen` bytes (4 or 16) at `srcOff` / `dstOff` in `b`.
   */
  lookup(b: Uint8Array, srcOff: number, dstOff: number, alen: number, sport: number, dport: number, proto: number, insert: boolean): FlowHit {
    if (alen === 4) return this.lookup4(b, srcOff, dstOff, sport, dport, 1 | (proto << 8), insert);
    return this.lookup16(b, srcOff, dstOff, sport, dport, 4 | (proto << 8), insert);
  }

  /** After a failed probe ending at the empty `slot`: adds the packet's conversation (scratch `src`/`dst`) or reports it absent. */
  private insertAt(slot: number, h: number, tag: number, ports: number, insert: boolean): FlowHit {
    const hit = this.hit;
    const s = this.src;
    const d = this.dst;
    hit.created = false;
    if (!insert || this.size >= this.maxFlows) {
      if (insert) this.dropped++;
      hit.id = -1;
      return hit;
    }
    const id = this.size++;
    if ((id + 1) * KEY > this.keys.length) this.growKeys();
    const k = id * KEY;
    const kk = this.keys;
    // The first sender becomes side 0.
    kk.fill(0, k, k + KEY);
    const words = tag & 0xff;
    for (let i = 0; i < words; i++) { kk[k + i] = s[i]!; kk[k + 4 + i] = d[i]!; }
    kk[k + 8] = ports;
    kk[k + 9] = tag;
    this.hashes[id] = h;
    this.slots[slot] = id;
    this.slotHash[slot] = h;
    if (this.size * 2 > this.mask) this.rehash();
    hit.id = this.last = id;
    hit.dir = 0;
    hit.created = true;
    return hit;
  }

  /**
   * `lookup` for IPv4, the bulk of most captures: the addresses stay in locals and the
   * comparisons are unrolled (the 1 GiB benchmark spent more time in this lookup than in any
   * other function).
   */
  private lookup4(b: Uint8Array, srcOff: number, dstOff: number, sport: number, dport: number, tag: number, insert: boolean): FlowHit {
    // Addresses are read here, not passed in: a uint32 above 2^30 crossing a call that V8 did
    // not inline is boxed, one allocation per packet.
    const s = u32be(b, srcOff);
    const d = u32be(b, dstOff);
    const hit = this.hit;
    const keys = this.keys;
    const ports = ((sport << 16) | dport) >>> 0;
    const rports = ((dport << 16) | sport) >>> 0;
    if (this.last >= 0) {
      const k = this.last * KEY;
      if (keys[k + 9] === tag) {
        const a = keys[k]!;
        const bb = keys[k + 4]!;
        const p = keys[k + 8]!;
        if (p === ports && a === s && bb === d) { hit.id = this.last; hit.dir = 0; hit.created = false; return hit; }
        if (p === rports && a === d && bb === s) { hit.id = this.last; hit.dir = 1; hit.created = false; return hit; }
      }
    }
    const sFirst = s !== d ? s < d : sport <= dport;
    const lo = sFirst ? s : d;
    const hi = sFirst ? d : s;
    const canon = sFirst ? ((sport << 16) | dport) >>> 0 : ((dport << 16) | sport) >>> 0;
    const hw = this.hw;
    hw[0] = lo;
    hw[1] = hi;
    hw[2] = canon;
    const h = hashWords(hw, 3, tag);
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0) break;
      if (this.slotHash[slot] === h) {
        const k = id * KEY;
        if (keys[k + 9] === tag) {
          const a = keys[k]!;
          const bb = keys[k + 4]!;
          const p = keys[k + 8]!;
          if (p === ports && a === s && bb === d) { hit.id = this.last = id; hit.dir = 0; hit.created = false; return hit; }
          if (p === rports && a === d && bb === s) { hit.id = this.last = id; hit.dir = 1; hit.created = false; return hit; }
        }
      }
      slot = (slot + 1) & mask;
    }
    this.src[0] = s;
    this.dst[0] = d;
    return this.insertAt(slot, h, tag, ports, insert);
  }

  /**
   * `lookup` for IPv6, unrolled like lookup4: the general loop over address words cost about
   * eight times the IPv4 path per packet (a sixth of the benchmark's frames are IPv6).
   */
  private lookup16(b: Uint8Array, srcOff: number, dstOff: number, sport: number, dport: number, tag: number, insert: boolean): FlowHit {
    const s0 = u32be(b, srcOff), s1 = u32be(b, srcOff + 4), s2 = u32be(b, srcOff + 8), s3 = u32be(b, srcOff + 12);
    const d0 = u32be(b, dstOff), d1 = u32be(b, dstOff + 4), d2 = u32be(b, dstOff + 8), d3 = u32be(b, dstOff + 12);
    const hit = this.hit;
    const keys = this.keys;
    const ports = ((sport << 16) | dport) >>> 0;
    const rports = ((dport << 16) | sport) >>> 0;
    if (this.last >= 0) {
      const k = this.last * KEY;
      if (keys[k + 9] === tag) {
        const p = keys[k + 8]!;
        if (p === ports && keys[k] === s0 && keys[k + 1] === s1 && keys[k + 2] === s2 && keys[k + 3] === s3 &&
            keys[k + 4] === d0 && keys[k + 5] === d1 && keys[k + 6] === d2 && keys[k + 7] === d3) {
          hit.id = this.last; hit.dir = 0; hit.created = false; return hit;
        }
        if (p === rports && keys[k] === d0 && keys[k + 1] === d1 && keys[k + 2] === d2 && keys[k + 3] === d3 &&
            keys[k + 4] === s0 && keys[k + 5] === s1 && keys[k + 6] === s2 && keys[k + 7] === s3) {
          hit.id = this.last; hit.dir = 1; hit.created = false; return hit;
        }
      }
    }
    // Canonical order: address words first, then the port.
    const sFirst = s0 !== d0 ? s0 < d0 : s1 !== d1 ? s1 < d1 : s2 !== d2 ? s2 < d2 : s3 !== d3 ? s3 < d3 : sport <= dport;
    const hw = this.hw;
    if (sFirst) {
      hw[0] = s0; hw[1] = s1; hw[2] = s2; hw[3] = s3; hw[4] = d0; hw[5] = d1; hw[6] = d2; hw[7] = d3; hw[8] = ports;
    } else {
      hw[0] = d0; hw[1] = d1; hw[2] = d2; hw[3] = d3; hw[4] = s0; hw[5] = s1; hw[6] = s2; hw[7] = s3; hw[8] = rports;
    }
    const h = hashWords(hw, 9, tag);
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0) break;
      if (this.slotHash[slot] === h) {
        const k = id * KEY;
        if (keys[k + 9] === tag) {
          const p = keys[k + 8]!;
          if (p === ports && keys[k] === s0 && keys[k + 1] === s1 && keys[k + 2] === s2 && keys[k + 3] === s3 &&
              keys[k + 4] === d0 && keys[k + 5] === d1 && keys[k + 6] === d2 && keys[k + 7] === d3) {
            hit.id = this.last = id; hit.dir = 0; hit.created = false; return hit;
          }
          if (p === rports && keys[k] === d0 && keys[k + 1] === d1 && keys[k + 2] === d2 && keys[k + 3] === d3 &&
              keys[k + 4] === s0 && keys[k + 5] === s1 && keys[k + 6] === s2 && keys[k + 7] === s3) {
            hit.id = this.last = id; hit.dir = 1; hit.created = false; return hit;
          }
        }
      }
      slot = (slot + 1) & mask;
    }
    const sw = this.src;
    const dw = this.dst;
    sw[0] = s0; sw[1] = s1; sw[2] = s2; sw[3] = s3;
    dw[0] = d0; dw[1] = d1; dw[2] = d2; dw[3] = d3;
    return this.insertAt(slot, h, tag, ports, insert);
  }

  /** Text of the address of side 0 or 1 of conversation `id`. Allocates: for rare events. */
  address(id: number, side: 0 | 1): string {
    const k = id * KEY + side * 4;
    const words = this.keys[id * KEY + 9]! & 0xff;
    const b = this.scratch;
    for (let i = 0; i < words; i++) {
      const w = this.keys[k + i]!;
      b[4 * i] = w >>> 24; b[4 * i + 1] = (w >>> 16) & 0xff; b[4 * i + 2] = (w >>> 8) & 0xff; b[4 * i + 3] = w & 0xff;
    }
    return words === 1 ? ipv4Text(b, 0) : ipv6Text(b, 0);
  }

  /** IP protocol of conversation `id` (6 TCP, 17 UDP). */
  protocol(id: number): number {
    return this.keys[id * KEY + 9]! >>> 8;
  }

  /** Port of side 0 or 1 of conversation `id`. */
  port(id: number, side: 0 | 1): number {
    const p = this.keys[id * KEY + 8]!;
    return side === 0 ? p >>> 16 : p & 0xffff;
  }

  /** Forgets every conversation and lets go of the table's memory (ids start again from 0). */
  clear(): void {
    this.slots = new Int32Array(32).fill(-1);
    this.slotHash = new Uint32Array(32);
    this.mask = 31;
    this.keys = new Uint32Array(16 * KEY);
    this.hashes = new Uint32Array(16);
    this.size = 0;
    this.last = -1;
  }

  private growKeys(): void {
    const keys = new Uint32Array(Math.min(this.keys.length * 2, Math.max(this.maxFlows, this.size + 1) * KEY));
    keys.set(this.keys);
    this.keys = keys;
    const h = new Uint32Array(keys.length / KEY);
    h.set(this.hashes);
    this.hashes = h;
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap).fill(-1);
    const slotHash = new Uint32Array(cap);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      const h = this.hashes[id]!;
      let s = h & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = id;
      slotHash[s] = h;
    }
    this.slots = slots;
    this.slotHash = slotHash;
    this.mask = mask;
  }
}

/**
 * murmur3_32 (Appleby, public domain) over `w[0, n)` with seed `seed` (the key's tag: address words and protocol),
 * cut to 30 bits: slots need far fewer, and a value that fits a V8 small integer is never boxed.
 */
function hashWords(w: Uint32Array, n: number, seed: number): number {
  let h = seed;
  for (let i = 0; i < n; i++) {
    let k = Math.imul(w[i]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}
