/**
 * Conversations keyed by their 4-tuple without allocating per packet: open addressing over a
 * typed array, keys stored as bytes (gopacket flows.go keeps fixed [16]byte endpoints for the
 * same reason). A conversation is direction-free: (A, portA, B, portB) and (B, portB, A, portA)
 * are one entry; `lookup` says which side sent the packet.
 */

/** Bytes per stored key: two 16-byte addresses, two ports, the IP version. */
const KEY = 40;

/** Result slots of the last lookup, reused. */
export interface FlowHit {
  /** Conversation id (dense, from 0), or -1 when absent and not inserted. */
  id: number;
  /** 0 when the packet's source is the conversation's side A (the first sender seen), else 1. */
  dir: 0 | 1;
  /** True when the lookup created the entry. */
  created: boolean;
}

/** A hash table from 4-tuples to dense ids, growing up to `maxFlows`. */
export class FlowTable {
  private slots: Int32Array;
  private mask: number;
  private keys: Uint8Array;
  private hashes: Uint32Array;
  size = 0;
  /** Conversations that could not be added because the table was full. */
  dropped = 0;
  readonly hit: FlowHit = { id: -1, dir: 0, created: false };

  constructor(readonly maxFlows = 1 << 22, initial = 1 << 12) {
    const cap = Math.max(16, initial);
    this.slots = new Int32Array(cap * 2).fill(-1);
    this.mask = cap * 2 - 1;
    this.keys = new Uint8Array(cap * KEY);
    this.hashes = new Uint32Array(cap);
  }

  /**
   * Finds (or, with `insert`, adds) the conversation of a packet from `src:sport` to
   * `dst:dport`. Addresses are `alen` bytes (4 or 16) at `srcOff` / `dstOff` in `b`.
   */
  lookup(b: Uint8Array, srcOff: number, dstOff: number, alen: number, sport: number, dport: number, insert: boolean): FlowHit {
    // Side A is the smaller (address, port); hashing the ordered pair makes both directions meet.
    const c = compare(b, srcOff, dstOff, alen, sport, dport);
    const aOff = c <= 0 ? srcOff : dstOff;
    const bOff = c <= 0 ? dstOff : srcOff;
    const aPort = c <= 0 ? sport : dport;
    const bPort = c <= 0 ? dport : sport;
    let h = 2166136261 ^ alen;
    for (let i = 0; i < alen; i++) h = Math.imul(h ^ b[aOff + i]!, 16777619);
    for (let i = 0; i < alen; i++) h = Math.imul(h ^ b[bOff + i]!, 16777619);
    h = Math.imul(h ^ aPort, 16777619);
    h = Math.imul(h ^ bPort, 16777619);
    h >>>= 0;
    const hit = this.hit;
    let s = h & this.mask;
    for (;;) {
      const id = this.slots[s]!;
      if (id < 0) break;
      if (this.hashes[id] === h && this.same(id, b, aOff, bOff, alen, aPort, bPort)) {
        hit.id = id;
        hit.dir = this.sideOf(id, b, srcOff, alen, sport);
        hit.created = false;
        return hit;
      }
      s = (s + 1) & this.mask;
    }
    hit.created = false;
    if (!insert || this.size >= this.maxFlows) {
      if (insert) this.dropped++;
      hit.id = -1;
      return hit;
    }
    const id = this.size++;
    if (id * KEY >= this.keys.length) this.growKeys();
    const k = id * KEY;
    const keys = this.keys;
    // The first sender becomes side A in the stored key, so dir 0 = "the side seen first".
    keys.fill(0, k, k + KEY);
    for (let i = 0; i < alen; i++) { keys[k + i] = b[srcOff + i]!; keys[k + 16 + i] = b[dstOff + i]!; }
    keys[k + 32] = sport >>> 8; keys[k + 33] = sport & 0xff;
    keys[k + 34] = dport >>> 8; keys[k + 35] = dport & 0xff;
    keys[k + 36] = alen;
    this.hashes[id] = h;
    this.slots[s] = id;
    if (this.size * 2 > this.mask) this.rehash();
    hit.id = id;
    hit.dir = 0;
    hit.created = true;
    return hit;
  }

  /** Side 0 address/port bytes of conversation `id` (for text, on rare events). */
  keyBytes(id: number): Uint8Array {
    return this.keys.subarray(id * KEY, id * KEY + KEY);
  }

  private same(id: number, b: Uint8Array, aOff: number, bOff: number, alen: number, aPort: number, bPort: number): boolean {
    const k = id * KEY;
    const keys = this.keys;
    if (keys[k + 36] !== alen) return false;
    const p0 = (keys[k + 32]! << 8) | keys[k + 33]!;
    const p1 = (keys[k + 34]! << 8) | keys[k + 35]!;
    // Stored as (first sender, receiver); the canonical pair may be either order.
    if (p0 === aPort && p1 === bPort && eq(keys, k, b, aOff, alen) && eq(keys, k + 16, b, bOff, alen)) return true;
    return p0 === bPort && p1 === aPort && eq(keys, k, b, bOff, alen) && eq(keys, k + 16, b, aOff, alen);
  }

  private sideOf(id: number, b: Uint8Array, srcOff: number, alen: number, sport: number): 0 | 1 {
    const k = id * KEY;
    const keys = this.keys;
    const p0 = (keys[k + 32]! << 8) | keys[k + 33]!;
    return p0 === sport && eq(keys, k, b, srcOff, alen) ? 0 : 1;
  }

  private growKeys(): void {
    const bigger = new Uint8Array(this.keys.length * 2);
    bigger.set(this.keys);
    this.keys = bigger;
    const h = new Uint32Array(this.hashes.length * 2);
    h.set(this.hashes);
    this.hashes = h;
  }

  private rehash(): void {
    const cap = (this.mask + 1) * 2;
    const slots = new Int32Array(cap).fill(-1);
    const mask = cap - 1;
    for (let id = 0; id < this.size; id++) {
      let s = this.hashes[id]! & mask;
      while (slots[s]! >= 0) s = (s + 1) & mask;
      slots[s] = id;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

function eq(keys: Uint8Array, k: number, b: Uint8Array, o: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (keys[k + i] !== b[o + i]) return false;
  return true;
}

/** Orders (src, sport) against (dst, dport): negative when the source is smaller. */
function compare(b: Uint8Array, s: number, d: number, n: number, sport: number, dport: number): number {
  for (let i = 0; i < n; i++) {
    const x = b[s + i]! - b[d + i]!;
    if (x !== 0) return x;
  }
  return sport - dport;
}
