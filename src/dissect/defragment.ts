/**
 * IP reassembly (RFC 791 §3.2, RFC 8200 §4.5): keeps the fragments of a datagram until they
 * cover it, then hands back the whole datagram as one buffer (a copy of the IP header, then the
 * payload), so the transport layer sees what the endpoints saw. Fragments are rare: copies and
 * string keys are acceptable here. Bounded: a few hundred datagrams, 64 KiB each, and the
 * memory budget's share for fragments (model/memory-budget.ts); when either is full, the stalest
 * datagram is given up first, and the budget counts it.
 */
import { ITEM_BYTES, type MemoryBudget } from '../model/memory-budget.js';

interface Piece {
  off: number;
  data: Uint8Array;
}

interface Datagram {
  header: Uint8Array;
  pieces: Piece[];
  /** Bytes charged to the budget for it. */
  bytes: number;
  /** Payload length, known once the last fragment (M = 0) arrived; -1 before. */
  total: number;
  /** Frame of the first fragment seen, and of the latest. */
  firstFrame: number;
  lastFrame: number;
  /**
   * The fragment at offset 0 was already analysed on its own frame: it held the whole transport
   * header, so the analyses took its ports and flags there.
   */
  firstSeen: boolean;
}

const MAX_DATAGRAMS = 256;
const MAX_PAYLOAD = 65535;
/** Frames after which an incomplete datagram is given up. */
const MAX_AGE_FRAMES = 50_000;

/** A datagram that is complete: `buf[0, hdrLen)` is the IP header, the payload follows. */
export interface Reassembled {
  buf: Uint8Array;
  hdrLen: number;
  /**
   * True when the fragment at offset 0 came on an earlier frame and was analysed there (it held
   * the whole transport header). False when this frame brought it, or when it did not hold the
   * whole header (a small first fragment, or a tunnel decoded only whole): the completed
   * datagram then goes through every analysis.
   */
  firstSeen: boolean;
}

/** Reassembly state of one file. */
export class Defragmenter {
  private readonly pending = new Map<string, Datagram>();
  /** Datagrams given up (incomplete, too large, or pushed out by newer ones). */
  dropped = 0;
  private budget: MemoryBudget | null = null;

  /** `gaveUp`: told the first frame of each datagram given up, when it is. */
  constructor(private readonly gaveUp: (firstFrame: number) => void = () => {}) {}

  /** Charges what the waiting fragments hold to `budget` (the `ip-fragments` kind). */
  useBudget(budget: MemoryBudget): void {
    this.budget = budget;
    budget.releaser('ip-fragments', (need) => {
      let freed = 0;
      for (const [k, d] of this.pending) {
        if (freed >= need) break;
        freed += d.bytes;
        this.giveUp(k, d);
      }
      return freed;
    });
  }

  /**
   * Adds a fragment: `payload` is `b[off, end)`, at byte offset `fragOff` in the datagram, `more`
   * its M flag; `header` is the IP header `b[hdrStart, hdrEnd)`. `firstUsable` says whether a
   * first fragment (offset 0) is analysed on its own frame. Returns the datagram when this
   * fragment completed it, else null.
   */
  add(key: string, frame: number, b: Uint8Array, hdrStart: number, hdrEnd: number, off: number, end: number, fragOff: number, more: boolean, firstUsable = true): Reassembled | null {
    if (fragOff + (end - off) > MAX_PAYLOAD) { this.forget(key); return null; }
    let d = this.pending.get(key);
    if (d === undefined) {
      if (this.pending.size >= MAX_DATAGRAMS) this.evict(frame);
      d = { header: b.slice(hdrStart, hdrEnd), pieces: [], bytes: 0, total: -1, firstFrame: frame, lastFrame: frame, firstSeen: false };
      this.pending.set(key, d);
    }
    const cost = end - off + ITEM_BYTES.fragment;
    if (this.budget !== null) {
      if (!this.budget.charge('ip-fragments', cost)) {
        // Nothing older could be given up: this datagram is.
        this.giveUp(key, d);
        return null;
      }
      d.bytes += cost;
    }
    d.lastFrame = frame;
    if (fragOff === 0) d.header = b.slice(hdrStart, hdrEnd);
    d.pieces.push({ off: fragOff, data: b.slice(off, end) });
    if (!more) d.total = fragOff + (end - off);
    const done = this.complete(d);
    if (done === null) {
      if (fragOff === 0) d.firstSeen = firstUsable;
      return null;
    }
    this.pending.delete(key);
    this.budget?.release('ip-fragments', d.bytes);
    return { buf: done, hdrLen: d.header.length, firstSeen: d.firstSeen };
  }

  private complete(d: Datagram): Uint8Array | null {
    if (d.total < 0) return null;
    const pieces = [...d.pieces].sort((a, b) => a.off - b.off);
    let covered = 0;
    for (const p of pieces) {
      if (p.off > covered) return null;
      covered = Math.max(covered, p.off + p.data.length);
    }
    if (covered < d.total) return null;
    const out = new Uint8Array(d.header.length + d.total);
    out.set(d.header, 0);
    // Later pieces first, so where fragments overlap the earlier-offset data wins.
    for (let i = pieces.length - 1; i >= 0; i--) {
      const p = pieces[i]!;
      const n = Math.min(p.data.length, d.total - p.off);
      if (n > 0) out.set(p.data.subarray(0, n), d.header.length + p.off);
    }
    return out;
  }

  /** Forgets the datagrams still waiting (after `finish`): their memory is free again. */
  release(): void {
    this.pending.clear();
  }

  /** Gives up the datagram of `key`; false when none was pending. */
  private forget(key: string): boolean {
    const d = this.pending.get(key);
    if (d === undefined) return false;
    this.drop(key, d);
    return true;
  }

  private drop(key: string, d: Datagram): void {
    this.pending.delete(key);
    this.dropped++;
    this.budget?.release('ip-fragments', d.bytes);
    this.gaveUp(d.firstFrame);
  }

  /** Gives up an incomplete datagram to make room for newer fragments; the budget counts it. */
  private giveUp(key: string, d: Datagram): void {
    this.drop(key, d);
    this.budget?.released('ip-fragments');
  }

  private evict(frame: number): void {
    for (const [k, d] of this.pending) {
      // A stale datagram is one that never completed; a fresh one pushed out is a cap.
      if (frame - d.lastFrame > MAX_AGE_FRAMES) this.drop(k, d);
      else if (this.pending.size >= MAX_DATAGRAMS) this.giveUp(k, d);
      if (this.pending.size < MAX_DATAGRAMS) break;
    }
  }

  /** At the end of the capture: every datagram still incomplete is given up. */
  finish(): void {
    for (const [k, d] of this.pending) this.drop(k, d);
  }
}
